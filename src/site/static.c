/* A Jekyll site's static files (the CV PDF, images, anything Jekyll copies
 * to _site as it is), served at their URL: Gemini and Spartan with their
 * MIME type, Gopher as the bytes of an item of type 9, I, g or 0.
 *
 * Read once into the snapshot, like every other response: a request never
 * touches the disk (no blocking read on a worker, no half-written file
 * served, a reload swaps them with the pages). The bytes are held once
 * (site.statics); the Gemini route is "20 TYPE\r\n" and the file, the
 * Gopher route borrows the file's part of it. A file over
 * server.max_file_bytes is not served, with a warning. */
#include "capsuled/file.h"
#include "capsuled/mime.h"
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "capsuled/url.h"

#include <stdlib.h>
#include <string.h>

/* A route the table may own (free) or borrow (bytes in site.statics). */
static void put_route(struct route_table *t, const char *path, char *data,
                      size_t len, bool borrowed)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->items = xrealloc(t->items, t->cap * sizeof *t->items);
    }
    t->items[t->n] = (struct route){.path = xstrdup(path), .data = data,
                                    .len = len, .borrowed = borrowed};
    t->n++;
}

/* Paths capsuled answers itself: a file of the site there stays hidden
 * (its robots.txt is the web's, not the capsule's). */
static bool reserved(const char *path)
{
    static const char *const own[] = {PATH_NEWS, PATH_ATOM, PATH_SEARCH,
                                      PATH_ROBOTS, PATH_FAVICON, PATH_SOURCE,
                                      PATH_CAPS};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (strcmp(path, own[i]) == 0)
            return true;
    return false;
}

/* Whether PATH can be a route as it is: absolute, a file (no '/' at the
 * end), no empty, "." or ".." segment. Jekyll's URLs of static files are
 * already so (jekyll_url sanitises them); one that is not would never be
 * asked for by a request, which is normalised the same way. */
static bool plain_path(const char *path)
{
    size_t n = strlen(path);
    if (n < 2 || path[0] != '/' || path[n - 1] == '/' ||
        strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../"))
        return false;
    const char *last = strrchr(path, '/') + 1;
    return strcmp(last, ".") != 0 && strcmp(last, "..") != 0;
}

char *site_static_route(const char *url)
{
    size_t n = strlen(url);
    char *path = xmalloc(n + 1);
    if (url_decode(url, n, path, n + 1) > 0 && plain_path(path) &&
        !reserved(path))
        return path;
    free(path);
    return NULL;
}

/* Keeps BLOB (freed with the site). */
static void keep(struct site *s, char *blob)
{
    s->statics = xrealloc(s->statics, (s->n_statics + 1) * sizeof *s->statics);
    s->statics[s->n_statics++] = blob;
}

/* The file's routes: Gemini's owns a header and the bytes in one buffer
 * kept by the site, Gopher's borrows the bytes, Spartan's has its own
 * header (off by default, so rarely a second copy). */
static void add_file(struct site *s, const char *path,
                     const struct file_content *f, bool with_gopher)
{
    char meta[160];
    mime_meta(mime_type(path), f->data, f->len, meta, sizeof meta);
    struct buf b = {0};
    buf_printf(&b, "%d %s\r\n", GEMINI_SUCCESS, meta);
    size_t header = b.len;
    buf_put(&b, f->data, f->len);
    size_t len = b.len;
    char *blob = buf_detach(&b);
    keep(s, blob);
    put_route(&s->gemini, path, blob, len, true);
    if (with_gopher)
        put_route(&s->gopher, path, blob + header, f->len, true);
    if (s->spartan_header) {
        buf_printf(&b, "%d %s\r\n", SPARTAN_SUCCESS, meta);
        buf_put(&b, f->data, f->len);
        size_t n = b.len;
        put_route(&s->spartan, path, buf_detach(&b), n, false);
    }
}

/* Reads the static file DOC beneath the site; over the cap it is left
 * out with a warning, any other failure as the reader reports it. */
static void add_static(struct site *s, const struct jekyll_doc *d,
                       const char *path, bool with_gopher,
                       struct diags *diags)
{
    const struct jekyll_site *js = s->content.jekyll;
    size_t cap = s->cfg->server.max_file_bytes;
    struct file_content f;
    char *shown = xmalloc(strlen(js->root) + strlen(d->path) + 2);
    strcpy(shown, js->root);
    strcat(strcat(shown, "/"), d->path);
    if (file_read(js->root, d->path, FILE_BENEATH, cap, &f) == 0)
        add_file(s, path, &f, with_gopher);
    else if (f.status == FILE_TOO_LARGE)
        diags_add(diags, DIAG_WARNING, shown, 0,
                  "not served: larger than server.max_file_bytes (%zu "
                  "bytes)", cap ? cap : FILE_MAX_BYTES_DEFAULT);
    else
        diags_add(diags, DIAG_WARNING, shown, 0,
                  "not served: the file cannot be read");
    file_content_free(&f);
    free(shown);
}

void site_add_static(struct site *s, bool with_gopher, struct diags *diags)
{
    const struct jekyll_site *js = s->content.jekyll;
    if (!js)
        return;
    for (size_t i = 0; i < js->n_docs; i++) {
        const struct jekyll_doc *d = &js->docs[i];
        if (d->kind != JEKYLL_STATIC || !d->output)
            continue;
        char *path = site_static_route(d->url);
        if (path)
            add_static(s, d, path, with_gopher, diags);
        free(path);
    }
}

void site_static_free(struct site *s)
{
    for (size_t i = 0; i < s->n_statics; i++)
        free(s->statics[i]);
    free(s->statics);
    s->statics = NULL;
    s->n_statics = 0;
}
