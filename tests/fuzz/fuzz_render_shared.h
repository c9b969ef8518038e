/* Markdown bytes to a document model the way the server builds one: the
 * page stage, the model, the news, and render options as site.c sets them. */
#ifndef CAPSULED_FUZZ_RENDER_SHARED_H
#define CAPSULED_FUZZ_RENDER_SHARED_H

#include "capsuled/doc.h"
#include "capsuled/page.h"
#include "capsuled/render.h"
#include "fuzz_common.h"
#include "fuzz_config_shared.h"

struct fuzz_doc {
    struct page page;
    struct doc doc;
    struct news news;
    struct render_opts o;
};

static inline void fuzz_doc_build(const struct config *cfg, const char *in,
                                  size_t len, struct fuzz_doc *fd)
{
    struct diags dg = {0};
    memset(fd, 0, sizeof *fd);
    /* A YAML error stops the server from serving the page, but the model is
     * built anyway: renderers must cope with whatever it holds. */
    page_load("fuzz.md", in, len, cfg, &fd->page, &dg);
    doc_build(&fd->page, cfg, &fd->doc, &dg);
    diags_free(&dg);
    news_build(&fd->doc, &fd->news);
    /* The wrap width varies with the input so narrow layouts get fuzzed
     * too, without taking bytes from the Markdown. */
    fd->o = (struct render_opts){
        .cfg = cfg,
        .page = &fd->page,
        .gemini_host = "localhost",
        .gemini_port = len % 3 ? 1965 : 1966,
        .gopher_host = "localhost",
        .gopher_port = 7070,
        .width = 10 + (int)(len % 71),
        .news = &fd->news,
    };
}

static inline void fuzz_doc_free(struct fuzz_doc *fd)
{
    news_free(&fd->news);
    doc_free(&fd->doc);
    page_free(&fd->page);
}

#endif
