/* The route tables every protocol's responses are kept in, and the
 * helpers the files of src/site fill them with: a leaf of the folder, so
 * that site.c, pages.c and nav.c call it and never each other back. */
#include "site_internal.h"

#include "capsuled/paths.h"

#include <stdlib.h>
#include <string.h>

/* --- paths --- */

static bool is_dot_segment(const char *seg, size_t len)
{
    return (len == 1 && seg[0] == '.') ||
           (len == 2 && seg[0] == '.' && seg[1] == '.');
}

bool site_normalize_path(const char *in, size_t len, char *out, size_t cap)
{
    if (cap < 2)
        return false;
    const char *last = in + len;
    while (last > in && last[-1] != '/')
        last--;
    /* "a/b/", "a/." and "a/.." all name a directory. */
    bool trailing = len == 0 || in[len - 1] == '/' ||
                    is_dot_segment(last, (size_t)(in + len - last));
    size_t n = 0;
    out[n++] = '/';
    for (size_t i = 0; i < len;) {
        size_t start = i;
        while (i < len && in[i] != '/')
            i++;
        size_t seg = i - start;
        i += i < len; /* the '/' */
        if (seg == 0 || (seg == 1 && in[start] == '.'))
            continue;
        if (seg == 2 && in[start] == '.' && in[start + 1] == '.') {
            /* Drop the last segment; at the root there is nothing to drop. */
            if (n > 1) {
                n--;
                while (n > 1 && out[n - 1] != '/')
                    n--;
            }
            continue;
        }
        if (n + seg + 1 > cap)
            return false;
        memcpy(out + n, in + start, seg);
        n += seg;
        out[n++] = '/'; /* every segment is written with a '/' after it */
    }
    if (n > 1 && !trailing)
        n--;
    if (n >= cap)
        return false;
    out[n] = '\0';
    return true;
}

/* --- route tables --- */

static struct route *route_push(struct route_table *t, const char *path)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->items = xrealloc(t->items, t->cap * sizeof *t->items);
    }
    struct route *r = &t->items[t->n++];
    r->path = xstrdup(path);
    return r;
}

void route_add(struct route_table *t, const char *path, struct buf *b)
{
    struct route *r = route_push(t, path);
    r->len = b->len;
    /* Kept for the site's life: without the room the buffer grew. */
    size_t len = b->len;
    r->data = xrealloc(buf_detach(b), len + 1);
    r->borrowed = false;
}

void route_add_borrowed(struct route_table *t, const struct route *from)
{
    struct route *r = route_push(t, from->path);
    r->data = from->data;
    r->len = from->len;
    r->borrowed = true;
}

static int route_cmp(const void *a, const void *b)
{
    const struct route *x = a, *y = b;
    return strcmp(x->path, y->path);
}

/* A route and the order it was added in, so that sorting keeps the first
 * of equal paths first. */
struct route_at {
    struct route r;
    size_t at;
};

static int route_at_cmp(const void *a, const void *b)
{
    const struct route_at *x = a, *y = b;
    int c = strcmp(x->r.path, y->r.path);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Sorts the table and drops later duplicates (two sections with one slug):
 * the first route added for a path wins. A site has thousands of routes:
 * qsort, with the order added as the tie-break, not an insertion sort. */
void route_seal(struct route_table *t)
{
    struct route_at *tmp = xcalloc(t->n ? t->n : 1, sizeof *tmp);
    for (size_t i = 0; i < t->n; i++)
        tmp[i] = (struct route_at){t->items[i], i};
    qsort(tmp, t->n, sizeof *tmp, route_at_cmp);
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (w > 0 && strcmp(t->items[w - 1].path, tmp[i].r.path) == 0) {
            free(tmp[i].r.path);
            if (!tmp[i].r.borrowed)
                free(tmp[i].r.data);
            continue;
        }
        t->items[w++] = tmp[i].r;
    }
    t->n = w;
    free(tmp);
}

const struct route *route_find(const struct route_table *t, const char *path)
{
    struct route key = {.path = (char *)path};
    if (t->n == 0)
        return NULL;
    return bsearch(&key, t->items, t->n, sizeof *t->items, route_cmp);
}

void route_table_free(struct route_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].path);
        if (!t->items[i].borrowed)
            free(t->items[i].data);
    }
    free(t->items);
    *t = (struct route_table){0};
}

/* --- content --- */

int site_doc_page(const struct jekyll_site *js, const struct jekyll_doc *d,
                  const char *shown, const struct config *cfg,
                  struct page *out, struct diags *diags)
{
    if (!d->source)
        return page_load_in(js->root, d->path, shown, cfg, out, diags);
    struct page_front front = {d->front_at, d->front_len, d->front,
                               d->front_settings};
    return page_load_bytes_in(js->root, d->path, shown, d->source,
                              d->source_len, d->front ? &front : NULL, cfg,
                              out, diags);
}

char *path_join(const char *a, const char *b)
{
    struct buf p = {0};
    buf_puts(&p, a);
    if (p.len && p.data[p.len - 1] != '/')
        buf_putc(&p, '/');
    buf_puts(&p, b);
    return buf_detach(&p);
}

/* Liquid's `site` in a Jekyll site: the configuration's values with the
 * site's over them (pages, posts, collections, data, time). */
struct value *jekyll_site_vars(const struct config *cfg,
                                      const struct jekyll_site *js)
{
    struct value *vars = value_hash();
    value_hash_merge(vars, cfg->site.vars);
    value_hash_merge(vars, js->site);
    return vars;
}

/* --- filling the tables --- */

void add_gemtext(const struct gemtext_routes *g, const char *path,
                        struct buf *body)
{
    struct buf b = {0};
    buf_puts(&b, g->header);
    buf_put(&b, body->data ? body->data : "", body->len);
    buf_clear(body);
    route_add(g->t, path, &b);
}

void add_typed(struct route_table *t, const char *path,
                      const char *header, const char *body, size_t len)
{
    struct buf b = {0};
    if (header)
        buf_puts(&b, header);
    buf_put(&b, body ? body : "", len);
    route_add(t, path, &b);
}
