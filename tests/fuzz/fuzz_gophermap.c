/* The gophermap renderer: Markdown through the page stage and the model,
 * then the home, section and whole-page menus (four fields, CRLF, final
 * ".") and the type 0 text of each section (CRLF only, no early ".").
 * The wrap width changes with the input length. */
#include "fuzz_render_shared.h"

static struct config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_config(&cfg);
    return 0;
}

typedef void (*menu_fn)(const struct doc *, size_t, const struct render_opts *,
                        struct buf *);

static void menu_home(const struct doc *d, size_t unused,
                      const struct render_opts *o, struct buf *out)
{
    (void)unused;
    render_gophermap_home(d, o, out);
}

static void menu_all(const struct doc *d, size_t unused,
                     const struct render_opts *o, struct buf *out)
{
    (void)unused;
    render_gophermap_all(d, o, out);
}

static void text_section(const struct doc *d, size_t s,
                         const struct render_opts *o, struct buf *out)
{
    render_text_section(d, s, o, 1, out);
}

static void text_all(const struct doc *d, size_t unused,
                     const struct render_opts *o, struct buf *out)
{
    (void)unused;
    render_text_all(d, o, 1, out);
}

static void render_and_check(menu_fn fn, const struct fuzz_doc *fd, size_t arg,
                             void (*check)(const char *, size_t))
{
    struct buf out = {0};
    buf_puts(&out, "");
    fn(&fd->doc, arg, &fd->o, &out);
    check(out.data, out.len);
    buf_free(&out);
}

/* Plain text for `capsuled render`: LF only, UTF-8, no NUL. */
static void check_plain_text(const struct fuzz_doc *fd, size_t s)
{
    struct buf out = {0};
    buf_puts(&out, "");
    render_text_section(&fd->doc, s, &fd->o, 0, &out);
    if (memchr(out.data, '\r', out.len) || memchr(out.data, '\0', out.len) ||
        !utf8_valid(out.data, out.len))
        fuzz_fail("plain text with CR, NUL or bad UTF-8", out.data, out.len);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_doc fd;
    fuzz_doc_build(&cfg, (const char *)data, size, &fd);
    render_and_check(menu_home, &fd, 0, check_gophermap);
    render_and_check(menu_all, &fd, 0, check_gophermap);
    render_and_check(text_all, &fd, 0, check_gopher_text);
    for (size_t s = 0; s < fd.doc.n_sections; s++) {
        render_and_check(render_gophermap_section, &fd, s, check_gophermap);
        render_and_check(text_section, &fd, s, check_gopher_text);
        check_plain_text(&fd, s);
    }
    fuzz_doc_free(&fd);
    return 0;
}
