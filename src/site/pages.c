/* A Jekyll site's other pages as a reader browses them: every page and
 * collection item with output, at its URL over Gemini, Spartan and Gopher,
 * with a link home. The home page and capsuled's own routes are site.c's. */
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/url.h"
#include "site_internal.h"
#include "capsuled/theme.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
    if (ok && !path_is_reserved(out))
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

/* The tables of a page's render, one of each kind per protocol. */
enum { T_GEMINI, T_SPARTAN, T_GOPHER, N_TABLES };

/* One page as rendered: its own routes (its route, its .html form) and
 * its sections' routes, which are added once every page is (a page of the
 * site at "/cv/talks/" wins over the section "talks" of "/cv/": the first
 * route added for a path wins), and the diagnostics rendering it gave.
 * Immutable once made; shared by reference count between a site and the
 * next build, which copies its routes (borrowing the bytes) and
 * diagnostics instead of rendering the page again when it may (see
 * may_keep). */
struct page_render {
    atomic_int refs;
    char *doc_path;
    /* The model's page value it was rendered from: the next model holds
     * the same value exactly when it kept the document, its file and the
     * configuration unchanged (jekyll_opts.prev). */
    struct value *page;
    bool self_contained; /* its render read nothing but its own file */
    struct route_table own[N_TABLES], later[N_TABLES];
    struct diags diags;
    struct search_index search; /* its sections, for the site's search */
};

static void render_unref(struct page_render *r)
{
    if (!r || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) !=
                   1)
        return;
    for (int t = 0; t < N_TABLES; t++) {
        route_table_free(&r->own[t]);
        route_table_free(&r->later[t]);
    }
    diags_free(&r->diags);
    search_index_free(&r->search);
    value_release(r->page);
    free(r->doc_path);
    free(r);
}

/* 31 to PATH at the site's Gemini URL, for its .html form HTML. */
static void add_redirect(const struct site *s, struct route_table *t,
                         const char *html, const char *path)
{
    struct buf b = {0};
    buf_printf(&b, "%d ", GEMINI_REDIRECT_PERMANENT);
    path_gemini_url(&b, s->content.opts.gemini_host,
                    s->content.opts.gemini_port, path);
    buf_puts(&b, "\r\n");
    route_add(t, html, &b);
}

/* One page of the site being added: its model, where it is served, the
 * render its routes go to, and whether its layout shows the author's
 * card beside it. */
struct one_page {
    struct site *s;
    const struct doc *doc;
    struct page *page;
    const char *path;
    struct page_render *out;
    bool card;
};

/* The site's options without the home page's news, and without its card
 * unless the page's layout shows the author sidebar (academicpages and
 * minimal-mistakes: `author_profile`, set in front matter or defaults). */
static struct render_opts page_opts(const struct render_opts *site,
                                    const struct one_page *p)
{
    struct render_opts o = *site;
    o.page = p->page;
    o.news = NULL;
    if (!p->card)
        o.card = NULL;
    return o;
}

/* The page's title as its menus and links name it. */
static const char *page_title(const struct one_page *p)
{
    const char *t = p->page->title;
    return t && *t ? t : p->path;
}

/* "## Sections" and a link to each section after the first. */
static void gemtext_section_menu(const struct doc *doc, struct buf *body)
{
    struct buf path = {0};
    buf_puts(body, "\n## Sections\n");
    for (size_t i = 1; i < doc->n_sections; i++) {
        const struct section *sec = &doc->sections[i];
        buf_clear(&path);
        path_section(&path, doc, sec->slug);
        buf_puts(body, "=> ");
        path_put_link(body, path.data);
        buf_printf(body, " %s\n", sec->title && *sec->title ? sec->title
                                                              : sec->slug);
    }
    buf_free(&path);
}

/* The page's own route: whole when it has one section, else its title,
 * its first section and the menu of the others, as the home page is. */
static void gemtext_page(const struct one_page *p,
                         const struct render_opts *o, struct buf *body)
{
    const struct doc *doc = p->doc;
    if (doc->n_sections < 2) {
        render_gemtext_all(doc, o, body);
    } else {
        buf_printf(body, "# %s\n\n", page_title(p));
        render_gemtext_blocks(doc, doc->sections[0].first,
                              doc->sections[0].count, o, body);
        gemtext_section_menu(doc, body);
    }
    buf_puts(body, "\n=> " PATH_HOME " Home\n");
}

/* The page in one gemtext dialect into G's table (its sections into
 * LATER), with the .html form's redirect REDIRECT when there is one. */
static void add_gemtext_page(const struct one_page *p,
                             const struct gemtext_routes *g,
                             struct route_table *later)
{
    struct render_opts o = page_opts(g->o, p);
    struct gemtext_routes own = *g, sections = *g;
    own.o = sections.o = &o;
    sections.t = later;
    struct buf body = {0}, path = {0};
    gemtext_page(p, &o, &body);
    add_gemtext(&own, p->path, &body);
    for (size_t i = 1; i < p->doc->n_sections; i++) {
        if (!path_slug_is_safe(p->doc->sections[i].slug))
            continue; /* never linked either: see path_section */
        render_gemtext_section(p->doc, i, &o, &body);
        buf_puts(&body, "=> ");
        path_put_link(&body, p->path);
        buf_printf(&body, " Up: %s\n", page_title(p));
        buf_clear(&path);
        path_section(&path, p->doc, p->doc->sections[i].slug);
        add_gemtext(&sections, path.data, &body);
    }
    buf_free(&body);
    buf_free(&path);
}

/* A rendered gophermap without its final ".\r\n", to add items to. */
static void gophermap_reopen(struct buf *menu)
{
    if (menu->len >= 3 && memcmp(menu->data + menu->len - 3, ".\r\n", 3) == 0)
        menu->len -= 3;
}

static void gopher_item(struct buf *out, const struct render_opts *o,
                        char type, const char *label, const char *selector)
{
    gophermap_item(out, type, label, selector, o->gopher_host,
                   o->gopher_port);
}

/* The page's menu: whole when it has one section, else its first
 * section (as a section's menu is) and an item for each of the others. */
static void gopher_page(const struct one_page *p, const struct render_opts *o,
                        struct buf *out)
{
    const struct doc *doc = p->doc;
    if (doc->n_sections < 2) {
        render_gophermap_all(doc, o, out);
        gophermap_reopen(out);
        gophermap_info(out, "", o);
        gopher_item(out, o, '1', "Home", PATH_HOME);
        gophermap_end(out);
        return;
    }
    gophermap_info(out, page_title(p), o);
    gophermap_info(out, "", o);
    render_gophermap_section(doc, 0, o, out);
    gophermap_reopen(out);
    gophermap_info(out, "", o);
    gophermap_info(out, "Sections", o);
    struct buf sel = {0};
    for (size_t i = 1; i < doc->n_sections; i++) {
        const struct section *sec = &doc->sections[i];
        buf_clear(&sel);
        path_section(&sel, doc, sec->slug);
        gopher_item(out, o, '1', sec->title && *sec->title ? sec->title
                                                            : sec->slug,
                    sel.data);
    }
    buf_free(&sel);
    gophermap_end(out);
}

/* Each section's menu (with a link up to the page) and text. */
static void add_gopher_sections(const struct one_page *p,
                                const struct render_opts *o)
{
    const struct doc *doc = p->doc;
    struct buf body = {0}, path = {0};
    for (size_t i = 0; doc->n_sections > 1 && i < doc->n_sections; i++) {
        const struct section *sec = &doc->sections[i];
        if (!path_slug_is_safe(sec->slug))
            continue;
        if (i > 0) {
            render_gophermap_section(doc, i, o, &body);
            gophermap_reopen(&body);
            gopher_item(&body, o, '1', page_title(p), p->path);
            gophermap_end(&body);
            buf_clear(&path);
            path_section(&path, doc, sec->slug);
            add_typed(&p->out->later[T_GOPHER], path.data, NULL, body.data,
                      body.len);
            buf_clear(&body);
        }
        render_text_section(doc, i, o, 1, &body);
        buf_clear(&path);
        path_section_text_of(&path, doc, sec->slug);
        add_typed(&p->out->later[T_GOPHER], path.data, NULL, body.data,
                  body.len);
        buf_clear(&body);
    }
    buf_free(&body);
    buf_free(&path);
}

static void add_gopher_page(const struct one_page *p, const char *html)
{
    struct render_opts o = page_opts(&p->s->content.opts, p);
    struct buf body = {0};
    gopher_page(p, &o, &body);
    struct route_table *t = &p->out->own[T_GOPHER];
    add_typed(t, p->path, NULL, body.data, body.len);
    if (html)
        add_typed(t, html, NULL, body.data, body.len);
    buf_free(&body);
    add_gopher_sections(p, &o);
}

/* Spartan's redirect of a page's .html form: "3 PATH". */
static void add_spartan_redirect(struct route_table *t, const char *html,
                                 const char *path)
{
    struct buf b = {0};
    buf_printf(&b, "%d %s\r\n", SPARTAN_REDIRECT, path);
    route_add(t, html, &b);
}

/* The page on every protocol: its route, its sections' routes (into
 * the render's later tables), and its .html form's redirect. */
static void add_page_routes(const struct one_page *p, const char *html,
                            bool with_gopher)
{
    struct site *s = p->s;
    struct page_render *r = p->out;
    struct gemtext_routes g = {&r->own[T_GEMINI], s->gemtext_header,
                               &s->content.opts, GEMINI_SUCCESS};
    add_gemtext_page(p, &g, &r->later[T_GEMINI]);
    if (html)
        add_redirect(s, &r->own[T_GEMINI], html, p->path);
    if (s->spartan_header) {
        struct gemtext_routes sg = {&r->own[T_SPARTAN], s->spartan_header,
                                    &s->spartan_opts, SPARTAN_SUCCESS};
        add_gemtext_page(p, &sg, &r->later[T_SPARTAN]);
        if (html)
            add_spartan_redirect(&r->own[T_SPARTAN], html, p->path);
    }
    if (with_gopher)
        add_gopher_page(p, html);
}

/* Whether D's render reads nothing but its own file (and what the
 * render context holds): no Liquid markup in it (Liquid reads site.*,
 * includes, data, the clock), no layout addition drawn from the site
 * (theme_reads_site), and no author card beside it (`author_profile`:
 * the card comes from the configuration and the data). */
static bool self_contained(const struct jekyll_doc *d)
{
    return d->source && !strstr(d->source, "{{") &&
           !strstr(d->source, "{%") && !theme_reads_site(d->page) &&
           !value_truthy(value_hash_get(d->page, "author_profile"));
}

/* One page rendered: loaded with the site's values for Liquid, its model
 * built with its route as the base of its sections' routes, its routes
 * and diagnostics into a new render. */
static struct page_render *render_page(struct site *s,
                                       const struct config *view,
                                       const struct jekyll_doc *d, char *path,
                                       bool with_gopher)
{
    struct page_render *r = xcalloc(1, sizeof *r);
    atomic_init(&r->refs, 1);
    r->doc_path = xstrdup(d->path);
    r->page = value_retain(d->page);
    r->self_contained = self_contained(d);
    struct diags *diags = &r->diags;
    char *html;
    split_html(path, &html);
    const struct jekyll_site *js = s->content.jekyll;
    char *shown = path_join(js->root, d->path);
    struct page page;
    struct doc doc;
    if (site_doc_page(js, d, shown, view, &page, diags) == 0) {
        /* What its layout adds to the visible content (theme.h). */
        struct theme_site ts = {view->site.vars, js->root,
                                s->cfg->server.max_file_bytes, diags, NULL,
                                NULL};
        theme_apply(&page, d->page, &ts);
        /* Its relative links are read against its own web URL, as a
         * browser reads them there. */
        struct config here = *s->cfg;
        char *web = site_web_url(js, d->url);
        if (web)
            here.site.url = web;
        doc_build_at(&page, &here, path, &doc, diags);
        free(web);
        doc.base = xstrdup(path);
        site_route_links(s, &doc, d->url);
        site_search_add_page(&r->search, &doc, &page);
        struct one_page p = {
            s, &doc, &page, path, r,
            value_truthy(value_hash_get(d->page, "author_profile"))};
        add_page_routes(&p, html, with_gopher);
        doc_free(&doc);
    }
    page_free(&page);
    free(html);
    free(shown);
    return r;
}

/* The route of a document once the site is built: a page's, or a static
 * file's (added after the pages, yet linked to from them); NULL for none. */
static char *future_route(const struct site *s, const struct jekyll_doc *d)
{
    if (d->kind == JEKYLL_STATIC)
        return d->output ? site_static_route(d->url) : NULL;
    return servable(&s->content, d) ? route_of(d->url) : NULL;
}

/* The routes every page and static file will have, before any is
 * rendered: the links between them are resolved against this set.
 * ROUTES[k] gets the route of page k (NULL when it is not a page served),
 * computed once for the known set and the rendering. */
static void know_routes(struct site *s, char **routes)
{
    const struct jekyll_site *js = s->content.jekyll;
    s->known = xcalloc(js->n_docs + 1, sizeof *s->known);
    for (size_t k = 0; k < js->n_docs; k++) {
        const struct jekyll_doc *d = &js->docs[k];
        char *path = future_route(s, d);
        if (!path)
            continue;
        if (d->kind != JEKYLL_STATIC)
            routes[k] = xstrdup(path);
        char *html = NULL;
        if (d->kind != JEKYLL_STATIC) /* a file keeps its name */
            split_html(path, &html);
        free(html);
        s->known[s->n_known++] = path;
    }
}

static void forget_routes(struct site *s)
{
    for (size_t i = 0; i < s->n_known; i++)
        free(s->known[i]);
    free(s->known);
    s->known = NULL;
    s->n_known = 0;
}

/* --- keeping the previous build's renders --- */

static void put_field(struct buf *b, const char *s)
{
    buf_puts(b, s ? s : "-");
    buf_putc(b, '\0');
}

/* What a page's render reads besides its own file and the configuration
 * (the capsule passes a previous build only when its configuration files
 * are unchanged), as text: the headers its routes start with, whether
 * gopher is built, the home page (its sections and their anchors are
 * link targets), and every document's kind, path and URL (the routes a
 * link may lead to, and the order in which routes are added). */
static void render_context(const struct site *s, bool with_gopher,
                           struct buf *b)
{
    const struct jekyll_site *js = s->content.jekyll;
    const struct doc *home = &s->content.doc;
    put_field(b, js->config_text ? js->config_text : "");
    put_field(b, s->gemtext_header);
    put_field(b, s->spartan_header);
    put_field(b, with_gopher ? "gopher" : "no gopher");
    put_field(b, s->content.page_path);
    for (size_t i = 0; i < home->n_sections; i++) {
        put_field(b, home->sections[i].slug);
        for (size_t j = 0; j < home->sections[i].n_anchors; j++)
            put_field(b, home->sections[i].anchors[j]);
        put_field(b, "#");
    }
    for (size_t i = 0; i < js->n_docs; i++) {
        const struct jekyll_doc *d = &js->docs[i];
        buf_printf(b, "%d%d%d", (int)d->kind, d->output, d->markdown);
        put_field(b, d->path);
        put_field(b, d->url);
    }
}

static int render_path_cmp(const void *a, const void *b)
{
    const struct page_render *x = *(struct page_render *const *)a;
    const struct page_render *y = *(struct page_render *const *)b;
    return strcmp(x->doc_path, y->doc_path);
}

/* The rule: a page's routes and diagnostics are copied from the previous
 * build when nothing its render reads changed: the configuration
 * unchanged (checked by the capsule), the render context the same (the
 * set of documents and their URLs, the home page's sections, the
 * headers), the model holding the very page value it was rendered from
 * (its file unchanged: jekyll_opts.prev), and its render self-contained
 * (no Liquid, no layout addition drawn from the site). Everything else
 * (the home page, indexes, feeds, pages whose Liquid reads site.posts) is
 * rendered again. */
static struct page_render *may_keep(const struct site *prev,
                                    const struct jekyll_doc *d)
{
    if (!prev || !prev->n_renders)
        return NULL;
    struct page_render key = {.doc_path = d->path}, *k = &key;
    struct page_render **hit = bsearch(&k, prev->renders, prev->n_renders,
                                       sizeof *prev->renders,
                                       render_path_cmp);
    struct page_render *r = hit ? *hit : NULL;
    if (!r || !r->self_contained || r->page != d->page)
        return NULL;
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

/* The diagnostics rendering a page gave, as if it were rendered now. */
static void copy_diags(const struct diags *from, struct diags *to)
{
    for (size_t i = 0; to && i < from->n; i++)
        diags_add(to, from->items[i].level, from->items[i].file,
                  from->items[i].line, "%s", from->items[i].msg);
}

/* R's routes into the site's tables (its own now, its sections' into
 * LATER), borrowing their bytes; R is kept with the site. */
static void add_render(struct site *s, struct page_render *r,
                       struct route_table later[N_TABLES],
                       struct diags *diags)
{
    struct route_table *tables[N_TABLES] = {&s->gemini, &s->spartan,
                                            &s->gopher};
    for (int t = 0; t < N_TABLES; t++) {
        for (size_t i = 0; i < r->own[t].n; i++)
            route_add_borrowed(tables[t], &r->own[t].items[i]);
        for (size_t i = 0; i < r->later[t].n; i++)
            route_add_borrowed(&later[t], &r->later[t].items[i]);
    }
    copy_diags(&r->diags, diags);
    search_index_merge(&s->search, &r->search);
    s->renders[s->n_renders++] = r;
}

/* Moves FROM's routes (borrowed ones stay borrowed) to the end of TO. */
static void append_routes(struct route_table *to, struct route_table *from)
{
    for (size_t i = 0; i < from->n; i++) {
        route_add_borrowed(to, &from->items[i]);
        to->items[to->n - 1].borrowed = from->items[i].borrowed;
        free(from->items[i].path);
    }
    free(from->items);
    *from = (struct route_table){0};
}

/* Every page and collection item with output, at its URL (Gemini) and
 * selector (Gopher), split into sections as the home page is; each page's
 * sections after every page. Added before capsuled's own routes: the site's URLs
 * win over the home page's section paths (the first route added wins). */
void site_build_pages(struct site *s, bool with_gopher,
                      const struct site *prev, struct diags *diags)
{
    const struct jekyll_site *js = s->content.jekyll;
    if (!js)
        return;
    struct config view = *s->cfg;
    view.site.vars = jekyll_site_vars(s->cfg, js);
    struct buf context = {0};
    render_context(s, with_gopher, &context);
    s->render_context_len = context.len;
    s->render_context = buf_detach(&context);
    if (prev && (prev->render_context_len != s->render_context_len ||
                 memcmp(prev->render_context, s->render_context,
                        s->render_context_len) != 0))
        prev = NULL;
    /* Backwards: of documents sharing a URL, Jekyll keeps the one it
     * writes last, and the first route added wins. */
    char **routes = xcalloc(js->n_docs + 1, sizeof *routes);
    know_routes(s, routes);
    s->renders = xcalloc(js->n_docs + 1, sizeof *s->renders);
    struct route_table later[N_TABLES] = {{0}};
    for (size_t k = js->n_docs; k-- > 0;) {
        const struct jekyll_doc *d = &js->docs[k];
        char *path = routes[k];
        struct page_render *r = path ? may_keep(prev, d) : NULL;
        s->n_renders_kept += r != NULL;
        if (path && !r)
            r = render_page(s, &view, d, path, with_gopher);
        if (r)
            add_render(s, r, later, diags);
        free(path);
    }
    append_routes(&s->gemini, &later[T_GEMINI]);
    append_routes(&s->spartan, &later[T_SPARTAN]);
    append_routes(&s->gopher, &later[T_GOPHER]);
    if (s->n_renders)
        qsort(s->renders, s->n_renders, sizeof *s->renders, render_path_cmp);
    free(routes);
    forget_routes(s);
    value_release(view.site.vars);
}

void site_pages_free(struct site *s)
{
    for (size_t i = 0; i < s->n_renders; i++)
        render_unref(s->renders[i]);
    free(s->renders);
    free(s->render_context);
    s->renders = NULL;
    s->render_context = NULL;
    s->n_renders = 0;
}
