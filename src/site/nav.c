/* A Jekyll site's ways in from the home page: an index of each collection
 * with output (newest first for dated ones) at its directory URL where no
 * page of the site has that URL, and the site's navigation as the site
 * itself lists it: _data/navigation.yml's `main` (AcadHomepage,
 * minimal-mistakes), else the pages with `nav: true` by `nav_order`
 * (al-folio), else the pages with titles; only links to routes that
 * exist. */
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/strset.h"
#include "capsuled/url.h"
#include "site_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- which routes exist --- */

/* Which routes exist while the site is built, by hash: the site has
 * thousands of routes and each page thousands of links, so a scan of the
 * tables for every link made the build quadratic. Kept in step with what
 * it mirrors: the Gemini table (which only grows until it is sealed), the
 * routes the pages will have (s->known, set once before the pages and
 * dropped after) and the home page's own routes. */
struct route_index {
    struct strset added;   /* paths of s->gemini.items[0, n_added) */
    size_t n_added;
    struct strset known;   /* of s->known as it was when indexed */
    char **known_of;
    size_t n_known_of;
    struct strset home;    /* the home page and its sections' routes */
    bool home_done;        /* (the home page is loaded before the build) */
};

static void index_home(struct route_index *x, const struct site *s)
{
    const struct doc *d = &s->content.doc;
    struct buf p = {0};
    strset_add(&x->home, PATH_HOME);
    for (size_t i = 0; i < d->n_sections; i++) {
        buf_clear(&p);
        path_section(&p, d, d->sections[i].slug);
        strset_add(&x->home, p.data);
    }
    buf_free(&p);
    x->home_done = true;
}

/* The index, brought up to date with the tables it mirrors. */
static struct route_index *route_index(struct site *s)
{
    if (!s->route_index)
        s->route_index = xcalloc(1, sizeof *s->route_index);
    struct route_index *x = s->route_index;
    if (!x->home_done)
        index_home(x, s);
    if (s->gemini.n < x->n_added) { /* sealed: duplicates dropped */
        strset_free(&x->added);
        x->n_added = 0;
    }
    for (; x->n_added < s->gemini.n; x->n_added++)
        strset_add(&x->added, s->gemini.items[x->n_added].path);
    if (x->known_of != s->known || x->n_known_of != s->n_known) {
        strset_free(&x->known);
        for (size_t i = 0; i < s->n_known; i++)
            strset_add(&x->known, s->known[i]);
        x->known_of = s->known;
        x->n_known_of = s->n_known;
    }
    return x;
}

static void route_index_free(struct site *s)
{
    struct route_index *x = s->route_index;
    if (!x)
        return;
    strset_free(&x->added);
    strset_free(&x->known);
    strset_free(&x->home);
    free(x);
    s->route_index = NULL;
}

/* Whether PATH is one of the home page's own: itself or a section of it,
 * which its Sections menu lists already. */
static bool home_route(struct site *s, const char *path)
{
    return strset_has(&route_index(s)->home, path);
}

/* Whether PATH is a route already added (the tables are not sealed yet),
 * one of the pages' to come, or the home page's. */
static bool has_route(struct site *s, const char *path)
{
    struct route_index *x = route_index(s);
    return strcmp(path, PATH_NEWS) == 0 || strset_has(&x->home, path) ||
           strset_has(&x->added, path) || strset_has(&x->known, path);
}

/* The section of the home page an anchor names: its slug, or one of the
 * ids that point into it. */
static const struct section *home_anchor(const struct doc *d, const char *id)
{
    for (size_t i = 0; i < d->n_sections; i++) {
        const struct section *sec = &d->sections[i];
        if (strcmp(sec->slug, id) == 0)
            return sec;
        for (size_t j = 0; j < sec->n_anchors; j++)
            if (strcmp(sec->anchors[j], id) == 0)
                return sec;
    }
    return NULL;
}

/* URL without the site's `url` and `baseurl` in front, when it has them. */
static const char *strip_site_prefix(const struct jekyll_site *js,
                                     const char *url)
{
    const char *keys[] = {"url", "baseurl"};
    for (size_t i = 0; i < 2; i++) {
        const char *pre = value_text(value_hash_get(js->config, keys[i]));
        size_t n = pre ? strlen(pre) : 0;
        while (n > 0 && pre[n - 1] == '/')
            n--;
        if (n > 0 && strncmp(url, pre, n) == 0 &&
            (url[n] == '/' || url[n] == '#' || url[n] == '\0'))
            url += n;
    }
    return url;
}

char *site_local_route(struct site *s, const char *url)
{
    url = strip_site_prefix(s->content.jekyll, url);
    if (url[0] != '/' && url[0] != '#')
        return NULL; /* another site's, or relative to a page unknown here */
    const char *hash = strchr(url, '#');
    size_t n = hash ? (size_t)(hash - url) : strlen(url);
    char *decoded = xmalloc(n + 1), *path = xmalloc(n + 3);
    long len = url_decode(url, n, decoded, n + 1);
    bool ok = len >= 0 &&
              site_normalize_path(decoded, (size_t)len, path, n + 3);
    free(decoded);
    size_t pn = ok ? strlen(path) : 0;
    if (ok && pn > 6 && strcmp(path + pn - 5, ".html") == 0)
        path[pn - 5] = '\0'; /* served without the suffix */
    if (ok && strcmp(path, "/index") == 0)
        strcpy(path, PATH_HOME);
    const struct section *sec =
        ok && hash && hash[1] && strcmp(path, PATH_HOME) == 0
            ? home_anchor(&s->content.doc, hash + 1)
            : NULL;
    if (sec) {
        struct buf b = {0};
        path_section(&b, &s->content.doc, sec->slug);
        free(path);
        return buf_detach(&b);
    }
    if (ok && has_route(s, path))
        return path;
    free(path);
    return NULL;
}

/* --- links of the site --- */

static bool has_scheme(const char *url)
{
    size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return n > 0 && url[n] == ':';
}

/* A relative URL against the page's own URL (its directory), as a
 * browser reads it on the site. */
static char *against_page(const char *url, const char *page_url)
{
    struct buf b = {0};
    const char *slash = page_url ? strrchr(page_url, '/') : NULL;
    if (slash)
        buf_put(&b, page_url, (size_t)(slash - page_url) + 1);
    else
        buf_putc(&b, '/');
    buf_puts(&b, url);
    return buf_detach(&b);
}

char *site_web_url(const struct jekyll_site *js, const char *path)
{
    const char *site = value_text(value_hash_get(js->config, "url"));
    const char *base = value_text(value_hash_get(js->config, "baseurl"));
    if (!site || !*site)
        return NULL;
    struct buf b = {0};
    buf_puts(&b, site);
    while (b.len && b.data[b.len - 1] == '/')
        b.len--;
    if (base && *base && base[0] == '/')
        buf_puts(&b, base);
    while (b.len && b.data[b.len - 1] == '/')
        b.len--;
    buf_puts(&b, path);
    return buf_detach(&b);
}

/* One link: to our route when there is one; else, when it names a path
 * of the site, to the site's web URL, or nowhere without one (its label
 * stays in the text): never to a route the capsule does not have. */
static void route_link(struct site *s, struct link *l,
                       const char *page_url)
{
    if (!l->url || !*l->url)
        return;
    bool relative = !has_scheme(l->url) && l->url[0] != '/' &&
                    l->url[0] != '#';
    char *url = relative ? against_page(l->url, page_url) : xstrdup(l->url);
    l->route = site_local_route(s, url);
    if (!l->route && url[0] == '/' && !(url[1] == '/')) {
        char *web = site_web_url(s->content.jekyll, url);
        free(l->url);
        l->url = web;
    }
    free(url);
}

void site_route_links(struct site *s, struct doc *d,
                      const char *page_url)
{
    if (!s->content.jekyll)
        return;
    for (size_t i = 0; i < d->n_blocks; i++)
        for (size_t j = 0; j < d->blocks[i].n_links; j++)
            route_link(s, &d->blocks[i].links[j], page_url);
}

/* --- the navigation --- */

static void nav_add(struct site *s, const char *label, const char *path)
{
    if (!label || !*label || !path)
        return;
    for (size_t i = 0; i < s->n_nav; i++)
        if (strcmp(s->nav[i].path, path) == 0)
            return;
    s->nav = xrealloc(s->nav, (s->n_nav + 1) * sizeof *s->nav);
    s->nav[s->n_nav++] = (struct nav_link){xstrdup(label), xstrdup(path)};
}

/* A link of the site to LABEL at URL, where the capsule has a route
 * other than the home page's own (an AcadHomepage's navigation is all
 * "/#-news" anchors: the Sections menu has them). */
static void nav_add_url(struct site *s, const char *label, const char *url)
{
    char *path = url ? site_local_route(s, url) : NULL;
    if (path && !home_route(s, path))
        nav_add(s, label, path);
    free(path);
}

static const char *doc_title(const struct jekyll_doc *d)
{
    return value_text(value_hash_get(d->page, "title"));
}

/* _data/navigation.yml's `main`: [{title, url}]. False when absent. */
static bool nav_from_data(struct site *s)
{
    const struct value *main = value_path_get(s->content.jekyll->site,
                                              "data.navigation.main");
    if (value_kind(main) != VALUE_ARRAY || value_len(main) == 0)
        return false;
    for (size_t i = 0; i < value_len(main); i++) {
        const struct value *it = value_array_at(main, i);
        nav_add_url(s, value_text(value_hash_get(it, "title")),
                    value_text(value_hash_get(it, "url")));
    }
    return true;
}

static int64_t nav_order(const struct jekyll_doc *d)
{
    const struct value *v = value_hash_get(d->page, "nav_order");
    return value_kind(v) == VALUE_INT ? value_int_of(v) : INT64_MAX;
}

static int by_nav_order(const void *a, const void *b)
{
    const struct jekyll_doc *x = *(const struct jekyll_doc *const *)a;
    const struct jekyll_doc *y = *(const struct jekyll_doc *const *)b;
    int64_t p = nav_order(x), q = nav_order(y);
    return p < q ? -1 : p > q;
}

/* The pages with titles in Jekyll's order; with FLAGGED only those with
 * `nav: true`, by `nav_order`. False when none is flagged. */
static bool nav_from_pages(struct site *s, bool flagged)
{
    const struct jekyll_site *js = s->content.jekyll;
    const struct jekyll_doc **pick = xcalloc(js->n_docs + 1, sizeof *pick);
    size_t n = 0;
    for (size_t i = 0; i < js->n_docs; i++) {
        const struct jekyll_doc *d = &js->docs[i];
        if (d->kind == JEKYLL_PAGE && doc_title(d) &&
            (!flagged || value_truthy(value_hash_get(d->page, "nav"))))
            pick[n++] = &js->docs[i];
    }
    if (flagged) /* stable enough: nav_order ties are rare */
        qsort(pick, n, sizeof *pick, by_nav_order);
    for (size_t i = 0; i < n; i++)
        nav_add_url(s, doc_title(pick[i]), pick[i]->url);
    free(pick);
    return n > 0;
}

/* --- collection indexes --- */

static int newest_first(const void *a, const void *b)
{
    const struct jekyll_doc *x = *(const struct jekyll_doc *const *)a;
    const struct jekyll_doc *y = *(const struct jekyll_doc *const *)b;
    return x->time > y->time ? -1 : x->time < y->time;
}

/* The items of collection LABEL that the capsule serves; newest first
 * when they are dated. */
static size_t collection_items(struct site *s, const char *label,
                               const struct jekyll_doc ***out)
{
    const struct jekyll_site *js = s->content.jekyll;
    const struct jekyll_doc **items = xcalloc(js->n_docs + 1, sizeof *items);
    size_t n = 0;
    bool dated = false;
    for (size_t i = 0; i < js->n_docs; i++) {
        const struct jekyll_doc *d = &js->docs[i];
        if (d->kind == JEKYLL_STATIC || d->kind == JEKYLL_PAGE ||
            !d->collection || strcmp(d->collection, label) != 0)
            continue;
        char *path = site_local_route(s, d->url);
        if (path)
            items[n++] = d;
        dated |= d->time != 0 && d->time != js->now;
        free(path);
    }
    if (dated)
        qsort(items, n, sizeof *items, newest_first);
    *out = items;
    return n;
}

/* "YYYY-MM-DD " of a document's date; nothing when undated. */
static void put_date(struct buf *out, int64_t t)
{
    if (t == 0)
        return;
    time_t tt = (time_t)t;
    struct tm tm;
    char day[16];
    if (gmtime_r(&tt, &tm) && strftime(day, sizeof day, "%Y-%m-%d", &tm))
        buf_printf(out, "%s ", day);
}

/* The label of an item in an index: its date and title. An item without
 * a date of its own has the site's time as Jekyll gives it: not shown. */
static void item_label(struct buf *out, const struct jekyll_site *js,
                       const struct jekyll_doc *d)
{
    if (d->time != js->now)
        put_date(out, d->time);
    const char *title = doc_title(d);
    buf_puts(out, title && *title ? title : d->url);
}

/* A collection's title: its own `title` in _config.yml, else its name. */
static const char *collection_title(const struct jekyll_site *js,
                                    const char *label)
{
    const struct value *c = value_hash_get(
        value_hash_get(js->config, "collections"), label);
    const char *t = value_text(value_hash_get(c, "title"));
    return t && *t ? t : label;
}

struct index {
    const char *title;
    const char *path;
    const struct jekyll_doc **items;
    size_t n;
};

static void gemtext_index(struct site *s, const struct index *x,
                          struct buf *body)
{
    buf_printf(body, "# %s\n\n", x->title);
    struct buf label = {0};
    for (size_t i = 0; i < x->n; i++) {
        char *path = site_local_route(s, x->items[i]->url);
        buf_clear(&label);
        item_label(&label, s->content.jekyll, x->items[i]);
        buf_puts(body, "=> ");
        path_put_link(body, path);
        buf_printf(body, " %s\n", label.data);
        free(path);
    }
    buf_puts(body, "\n=> " PATH_HOME " Home\n");
    buf_free(&label);
}

static void gopher_index(struct site *s, const struct index *x,
                         struct buf *body)
{
    const struct render_opts *o = &s->content.opts;
    gophermap_info(body, x->title, o);
    gophermap_info(body, "", o);
    struct buf label = {0};
    for (size_t i = 0; i < x->n; i++) {
        char *path = site_local_route(s, x->items[i]->url);
        buf_clear(&label);
        item_label(&label, s->content.jekyll, x->items[i]);
        gophermap_item(body, '1', label.data, path, o->gopher_host,
                       o->gopher_port);
        free(path);
    }
    gophermap_info(body, "", o);
    gophermap_item(body, '1', "Home", PATH_HOME, o->gopher_host,
                   o->gopher_port);
    gophermap_end(body);
    buf_free(&label);
}

static void add_index(struct site *s, const struct index *x, bool with_gopher)
{
    struct buf body = {0};
    gemtext_index(s, x, &body);
    struct gemtext_routes g = {&s->gemini, s->gemtext_header,
                               &s->content.opts, GEMINI_SUCCESS};
    if (s->spartan_header) {
        struct gemtext_routes sg = {&s->spartan, s->spartan_header,
                                    &s->spartan_opts, SPARTAN_SUCCESS};
        struct buf copy = {0};
        buf_put(&copy, body.data, body.len);
        add_gemtext(&sg, x->path, &copy);
        buf_free(&copy);
    }
    add_gemtext(&g, x->path, &body);
    if (with_gopher) {
        gopher_index(s, x, &body);
        add_typed(&s->gopher, x->path, NULL, body.data, body.len);
    }
    buf_free(&body);
}

/* Each collection with served items: its index at "/LABEL/" unless a
 * page of the site has that URL (then the site's page is the index). */
static void add_indexes(struct site *s, bool with_gopher)
{
    const struct jekyll_site *js = s->content.jekyll;
    const struct value *cols = value_hash_get(js->config, "collections");
    for (size_t i = 0; i < value_len(cols); i++) {
        const char *label = value_hash_key_at(cols, i, NULL);
        struct index x = {.title = collection_title(js, label)};
        x.n = collection_items(s, label, &x.items);
        struct buf path = {0};
        buf_printf(&path, "/%s/", label);
        x.path = path.data;
        if (x.n > 0 && path_slug_is_safe(label) && !has_route(s, x.path))
            add_index(s, &x, with_gopher);
        if (x.n > 0)
            nav_add_url(s, x.title, x.path);
        free(x.items);
        buf_free(&path);
    }
}

void site_build_nav(struct site *s, bool with_gopher)
{
    if (!s->content.jekyll)
        return;
    site_route_links(s, &s->content.doc, PATH_HOME);
    if (!nav_from_data(s) && !nav_from_pages(s, true))
        nav_from_pages(s, false);
    add_indexes(s, with_gopher);
    s->content.opts.nav = s->nav;
    s->content.opts.n_nav = s->n_nav;
    s->spartan_opts.nav = s->nav;
    s->spartan_opts.n_nav = s->n_nav;
    route_index_free(s); /* the tables are sealed next */
}

void site_nav_free(struct site *s)
{
    route_index_free(s);
    for (size_t i = 0; i < s->n_nav; i++) {
        free(s->nav[i].label);
        free(s->nav[i].path);
    }
    free(s->nav);
    s->nav = NULL;
    s->n_nav = 0;
}
