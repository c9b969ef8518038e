/* Plain text of the page, wrapped to a width: gopher's type 0 documents
 * (and finger). The blocks are laid out by layout.c, as the gophermap's
 * 'i' lines are; what is plain text's own is the line end, the escaped
 * lone "." of a gopher document, and each block's links listed under it
 * as "[n] label: URL", the way plain-text mail and RFCs cite them. */
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "capsuled/width.h"
#include "layout.h"

#include <string.h>

struct text {
    const struct doc *d;
    const struct render_opts *o;
    struct buf *out;
    bool for_gopher;
    size_t n_links; /* links numbered through the whole output */
    struct layout_flow flow;
    struct buf scratch;
};

/* A line as a gopher text document needs it: a lone "." would end the
 * document early, so it becomes "..", and lines end in CRLF. */
static void text_line(const char *s, size_t len, void *ctx)
{
    struct text *t = ctx;
    if (t->for_gopher && len == 1 && s[0] == '.')
        buf_putc(t->out, '.');
    layout_put_clean(t->out, s, len);
    buf_puts(t->out, t->for_gopher ? "\r\n" : "\n");
}

static void text_finish(struct text *t)
{
    if (t->for_gopher)
        buf_puts(t->out, ".\r\n");
    buf_free(&t->scratch);
}

/* A route of ours as a URL in the protocol the text is read in. */
static void put_route_url(struct text *t, const char *path)
{
    const struct render_opts *o = t->o;
    if (t->for_gopher)
        path_gopher_url(&t->scratch, o->gopher_host, o->gopher_port, '1',
                        path);
    else
        path_gemini_url(&t->scratch, o->gemini_host, o->gemini_port, path);
}

/* Where a link to a section of this page leads, in the protocol the text is
 * read in. */
static void put_section_url(struct text *t, const char *slug)
{
    const struct render_opts *o = t->o;
    struct buf path = {0};
    path_section(&path, t->d, slug);
    if (t->for_gopher)
        path_gopher_url(&t->scratch, o->gopher_host, o->gopher_port, '1',
                        path.data);
    else
        path_gemini_url(&t->scratch, o->gemini_host, o->gemini_port,
                        path.data);
    buf_free(&path);
}

static void text_link(const struct link *l, void *ctx)
{
    struct text *t = ctx;
    if (l->route && *l->route) {
        struct link own = *l;
        own.url = NULL; /* cited by its route of ours */
        layout_cite_link(&t->scratch, ++t->n_links, &own);
        put_route_url(t, l->route);
    } else if (layout_cite_link(&t->scratch, ++t->n_links, l)) {
        put_section_url(t, l->section);
    }
    text_line(t->scratch.data, t->scratch.len, t);
}

static void text_start(struct text *t, const struct doc *d,
                       const struct render_opts *o, bool for_gopher,
                       struct buf *out)
{
    memset(t, 0, sizeof *t);
    t->d = d;
    t->o = o;
    t->out = out;
    t->for_gopher = for_gopher;
    t->flow = (struct layout_flow){
        .width = o->width, .line = text_line, .link = text_link, .ctx = t};
}

void render_text_section(const struct doc *d, size_t section,
                         const struct render_opts *o, int for_gopher,
                         struct buf *out)
{
    struct text t;
    text_start(&t, d, o, for_gopher != 0, out);
    layout_flow_section(&t.flow, d, section);
    text_finish(&t);
}

void render_text_all(const struct doc *d, const struct render_opts *o,
                     int for_gopher, struct buf *out)
{
    struct text t;
    text_start(&t, d, o, for_gopher != 0, out);
    layout_flow_card(&t.flow, o);
    for (size_t i = 0; i < d->n_sections; i++)
        layout_flow_section(&t.flow, d, i);
    text_finish(&t);
}
