/* The capsule's URLs: every servable thing's path, for the route tables
 * and for the links alike, and the rule a section slug must meet to be
 * one (see include/capsuled/paths.h). */
#include "capsuled/paths.h"
#include "capsuled/url.h"

#include <string.h>

#define GEMINI_DEFAULT_PORT 1965
#define GOPHER_DEFAULT_PORT 70
#define SPARTAN_URL_PORT 300 /* Spartan's own port, left out of URLs */

bool path_is_reserved(const char *path)
{
    static const char *const own[] = {PATH_HOME, PATH_NEWS, PATH_ATOM,
                                      PATH_SEARCH, PATH_ROBOTS, PATH_FAVICON,
                                      PATH_SOURCE, PATH_CAPS};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (strcmp(path, own[i]) == 0)
            return true;
    return false;
}

bool path_slug_is_safe(const char *slug)
{
    if (!slug || !*slug || strcmp(slug, ".") == 0 || strcmp(slug, "..") == 0)
        return false;
    size_t n = 0;
    for (const char *s = slug; *s; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' ||
            c == '%' || c == '\\')
            return false;
    }
    return n <= PATH_SLUG_MAX;
}

static bool is_home_section(const struct doc *d, const char *slug)
{
    return d->n_sections > 0 && d->sections[0].slug &&
           strcmp(d->sections[0].slug, slug) == 0;
}

const char *path_doc_base(const struct doc *d)
{
    return d->base && *d->base ? d->base : PATH_HOME;
}

/* The document's route with a '/' after it, so that a slug can follow. */
static void put_base_dir(struct buf *out, const struct doc *d)
{
    const char *base = path_doc_base(d);
    buf_puts(out, base);
    if (base[strlen(base) - 1] != '/')
        buf_putc(out, '/');
}

void path_section(struct buf *out, const struct doc *d, const char *slug)
{
    if (is_home_section(d, slug) || !path_slug_is_safe(slug)) {
        /* the first section lives on the document's own route */
        buf_puts(out, path_doc_base(d));
        return;
    }
    put_base_dir(out, d);
    buf_printf(out, "%s/", slug);
}

void path_section_text_of(struct buf *out, const struct doc *d,
                          const char *slug)
{
    put_base_dir(out, d);
    buf_printf(out, "%s.txt", slug);
}

void path_section_page(struct buf *out, const char *slug)
{
    buf_printf(out, "/%s/", slug);
}

void path_section_text(struct buf *out, const char *slug)
{
    buf_printf(out, "/%s.txt", slug);
}

void path_news_item(struct buf *out, size_t n)
{
    buf_printf(out, PATH_NEWS "%zu/", n);
}

void path_put_link(struct buf *out, const char *path)
{
    url_encode_path(out, path, strlen(path));
}

void path_gemini_url(struct buf *out, const char *host, int port,
                     const char *path)
{
    url_put_origin(out, "gemini", host && *host ? host : "localhost",
                   port > 0 ? port : GEMINI_DEFAULT_PORT, GEMINI_DEFAULT_PORT);
    path_put_link(out, path);
}

void path_spartan_url(struct buf *out, const char *host, int port,
                      const char *path)
{
    url_put_origin(out, "spartan", host && *host ? host : "localhost",
                   port > 0 ? port : SPARTAN_URL_PORT, SPARTAN_URL_PORT);
    path_put_link(out, path);
}

void path_gopher_url(struct buf *out, const char *host, int port, char type,
                     const char *selector)
{
    /* The port is always written, as menus and the README show it. */
    url_put_origin(out, "gopher", host && *host ? host : "localhost",
                   port > 0 ? port : GOPHER_DEFAULT_PORT, 0);
    buf_putc(out, '/');
    buf_putc(out, type);
    path_put_link(out, selector);
}
