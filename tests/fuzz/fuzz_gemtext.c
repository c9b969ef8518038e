/* The gemtext renderer: Markdown through the page stage and the document
 * model, then every gemtext output (whole page, home, each section, news
 * items, gemsub feed), each checked against the gemtext invariants. The
 * model's own documented promises are checked on the way. */
#include "fuzz_render_shared.h"

static struct config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_config(&cfg);
    return 0;
}

#define CONTROLS_BUT_LF                                                     \
    "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"   \
    "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"

/* doc.h: block text has no control character but '\n' (PRE keeps none
 * either: tabs become spaces), headings are one line, sections tile the
 * blocks, and there is always one. */
static void check_doc(const struct doc *d)
{
    if (d->n_sections == 0)
        fuzz_fail("a model without sections", "", 0);
    for (size_t i = 0; i < d->n_blocks; i++) {
        const struct block *b = &d->blocks[i];
        const char *t = b->text ? b->text : "";
        size_t n = strlen(t);
        if (!utf8_valid(t, n))
            fuzz_fail("block text not UTF-8", t, n);
        /* strcspn, not a loop here: this file is instrumented, and a
         * page that Liquid makes large would spend the run in the check. */
        if (strcspn(t, CONTROLS_BUT_LF) != n)
            fuzz_fail("control character in block text", t, n);
        if (b->type == BLOCK_HEADING && strchr(t, '\n'))
            fuzz_fail("heading text over several lines", t, n);
        for (size_t k = 0; k < b->n_links; k++)
            if (!b->links[k].label)
                fuzz_fail("link without a label", t, n);
    }
    for (size_t s = 0; s < d->n_sections; s++) {
        const struct section *sec = &d->sections[s];
        if (sec->first + sec->count > d->n_blocks || !sec->slug)
            fuzz_fail("section out of the blocks or without slug", "", 0);
    }
}

static void render_and_check(void (*fn)(const struct doc *, size_t,
                                        const struct render_opts *,
                                        struct buf *),
                             const struct fuzz_doc *fd, size_t arg)
{
    struct buf out = {0};
    buf_puts(&out, "");
    fn(&fd->doc, arg, &fd->o, &out);
    check_gemtext(out.data, out.len);
    buf_free(&out);
}

static void home(const struct doc *d, size_t unused,
                 const struct render_opts *o, struct buf *out)
{
    (void)unused;
    render_gemtext_home(d, o, out);
}

static void all(const struct doc *d, size_t unused,
                const struct render_opts *o, struct buf *out)
{
    (void)unused;
    render_gemtext_all(d, o, out);
}

static const struct fuzz_doc *current;

static void news_item(const struct doc *d, size_t i,
                      const struct render_opts *o, struct buf *out)
{
    render_gemtext_blocks(d, current->news.items[i].block, 1, o, out);
}

static void gemsub(const struct doc *d, size_t unused,
                   const struct render_opts *o, struct buf *out)
{
    (void)unused;
    render_gemsub(d, o, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_doc fd;
    fuzz_doc_build(&cfg, (const char *)data, size, &fd);
    current = &fd;
    check_doc(&fd.doc);
    render_and_check(all, &fd, 0);
    render_and_check(home, &fd, 0);
    for (size_t s = 0; s < fd.doc.n_sections; s++)
        render_and_check(render_gemtext_section, &fd, s);
    for (size_t i = 0; i < fd.news.n; i++)
        render_and_check(news_item, &fd, i);
    render_and_check(gemsub, &fd, 0);
    fuzz_doc_free(&fd);
    return 0;
}
