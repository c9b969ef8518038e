/* A Jekyll site's other pages as a reader browses them: every page and
 * collection item with output, at its URL over Gemini, Spartan and Gopher,
 * with a link home. The home page and capsuled's own routes are site.c's. */
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/url.h"
#include "site_internal.h"

#include <stdlib.h>
#include <string.h>

/* Paths capsuled serves itself: a page of the site there would hide the
 * feed, the search or the metadata. */
static bool reserved_path(const char *path)
{
    static const char *const own[] = {PATH_HOME, PATH_NEWS, PATH_ATOM,
                                      PATH_SEARCH, PATH_ROBOTS, PATH_FAVICON,
                                      PATH_SOURCE, PATH_CAPS};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (strcmp(path, own[i]) == 0)
            return true;
    return false;
}

/* Whether DOC is a page or item whose text capsuled can show: one with
 * output, written as Markdown or HTML, other than the home page. */
static bool servable(const struct site_content *c, const struct jekyll_doc *d)
{
    const char *ext = strrchr(d->path, '.');
    bool html = ext && (strcmp(ext, ".html") == 0 || strcmp(ext, ".htm") == 0);
    char *full = path_join(c->jekyll->root, d->path);
    bool home = strcmp(full, c->page_path) == 0;
    free(full);
    return d->kind != JEKYLL_STATIC && d->output && !home &&
           (d->markdown || html);
}

/* The route of a URL: decoded, normalised; NULL when it is not one. */
static char *route_of(const char *url)
{
    size_t n = strlen(url);
    char *decoded = xmalloc(n + 1), *out = xmalloc(n + 2);
    long len = url_decode(url, n, decoded, n + 1);
    bool ok = len >= 0 &&
              site_normalize_path(decoded, (size_t)len, out, n + 2);
    free(decoded);
    if (ok && !reserved_path(out))
        return out;
    free(out);
    return NULL;
}

/* A Jekyll URL ending in ".html" is served without the suffix: *html
 * gets the .html form (which redirects there over Gemini), PATH loses it. */
static void split_html(char *path, char **html)
{
    size_t n = strlen(path);
    *html = NULL;
    if (n > 6 && strcmp(path + n - 5, ".html") == 0 && path[n - 6] != '/') {
        *html = xstrdup(path);
        path[n - 5] = '\0';
    }
}

/* 31 to PATH at the site's Gemini URL, for its .html form HTML. */
static void add_redirect(struct site *s, const char *html, const char *path)
{
    struct buf b = {0};
    buf_printf(&b, "%d ", GEMINI_REDIRECT_PERMANENT);
    path_gemini_url(&b, s->content.opts.gemini_host,
                    s->content.opts.gemini_port, path);
    buf_puts(&b, "\r\n");
    route_add(&s->gemini, html, &b);
}

/* One page rendered whole in a gemtext dialect (O as the site's, for
 * this page), with a link home, into G's table at PATH. */
static void add_gemtext_page(const struct gemtext_routes *g,
                             const struct doc *doc, struct page *page,
                             const char *path)
{
    struct render_opts o = *g->o;
    o.page = page;
    o.news = NULL;
    o.card = NULL;
    struct gemtext_routes own = *g;
    own.o = &o;
    struct buf body = {0};
    render_gemtext_all(doc, &o, &body);
    buf_puts(&body, "\n=> " PATH_HOME " Home\n");
    add_gemtext(&own, path, &body);
    buf_free(&body);
}

/* Spartan's redirect of a page's .html form: "3 PATH". */
static void add_spartan_redirect(struct site *s, const char *html,
                                 const char *path)
{
    struct buf b = {0};
    buf_printf(&b, "%d %s\r\n", SPARTAN_REDIRECT, path);
    route_add(&s->spartan, html, &b);
}

/* One page: loaded with the site's values for Liquid, its model built,
 * rendered whole under its title, with a link home. */
static void add_jekyll_page(struct site *s, const struct config *view,
                            const struct jekyll_doc *d, char *path,
                            bool with_gopher, struct diags *diags)
{
    char *html;
    split_html(path, &html);
    const struct jekyll_site *js = s->content.jekyll;
    char *shown = path_join(js->root, d->path);
    struct page page;
    struct doc doc;
    if (page_load_in(js->root, d->path, shown, view, &page, diags) < 0) {
        page_free(&page);
        free(shown);
        free(html);
        return;
    }
    doc_build(&page, s->cfg, &doc, diags);
    struct render_opts o = s->content.opts;
    o.page = &page;
    o.news = NULL;
    o.card = NULL;
    struct buf body = {0};
    struct gemtext_routes g = {&s->gemini, s->gemtext_header,
                               &s->content.opts, GEMINI_SUCCESS};
    add_gemtext_page(&g, &doc, &page, path);
    if (html)
        add_redirect(s, html, path);
    if (s->spartan_header) {
        struct gemtext_routes sg = {&s->spartan, s->spartan_header,
                                    &s->spartan_opts, SPARTAN_SUCCESS};
        add_gemtext_page(&sg, &doc, &page, path);
        if (html)
            add_spartan_redirect(s, html, path);
    }
    if (with_gopher) {
        render_gophermap_all(&doc, &o, &body);
        add_typed(&s->gopher, path, NULL, body.data, body.len);
        if (html)
            add_typed(&s->gopher, html, NULL, body.data, body.len);
    }
    free(html);
    buf_free(&body);
    doc_free(&doc);
    page_free(&page);
    free(shown);
}

/* Every page and collection item with output, at its URL (Gemini) and
 * selector (Gopher). Added before capsuled's own routes: the site's URLs
 * win over the home page's section paths (the first route added wins). */
void site_build_pages(struct site *s, bool with_gopher,
                      struct diags *diags)
{
    const struct jekyll_site *js = s->content.jekyll;
    if (!js)
        return;
    struct config view = *s->cfg;
    view.site.vars = jekyll_site_vars(s->cfg, js);
    /* Backwards: of documents sharing a URL, Jekyll keeps the one it
     * writes last, and the first route added wins. */
    for (size_t k = js->n_docs; k-- > 0;) {
        const struct jekyll_doc *d = &js->docs[k];
        char *path = servable(&s->content, d) ? route_of(d->url) : NULL;
        if (path)
            add_jekyll_page(s, &view, d, path, with_gopher, diags);
        free(path);
    }
    value_release(view.site.vars);
}

