/* A host's site: load the content once and pre-render every response into
 * a sorted table, so that lookups never touch the model again (search,
 * the other dynamic answer, is sitesearch.c's). */
#include "capsuled/site.h"
#include "gemlog.h"
#include "site_internal.h"
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/theme.h"
#include "capsuled/url.h"

#include <stdlib.h>
#include <string.h>

static const char *page_name(const struct config *cfg)
{
    return cfg->site.page && *cfg->site.page ? cfg->site.page : "about.md";
}

/* The capsule directory the host's page is read beneath. */
static const char *page_root(const struct config *cfg, size_t host_index)
{
    const char *dir = cfg->dir && *cfg->dir ? cfg->dir : ".";
    const char *root = host_index < cfg->gemini.n_hosts
                           ? cfg->gemini.hosts[host_index].root
                           : NULL;
    /* config_load has already resolved roots against its directory. */
    return root && *root ? root : dir;
}

char *site_page_path(const struct config *cfg, size_t host_index)
{
    const char *page = page_name(cfg);
    if (page[0] == '/')
        return xstrdup(page);
    return path_join(page_root(cfg, host_index), page);
}

/* --- a Jekyll site's home page --- */

/* Why Jekyll writes HOME to index.html, for `check`. */
static void note_home(const struct site_content *out,
                      const struct jekyll_doc *home, struct diags *diags)
{
    const char *permalink = value_text(value_hash_get(home->page,
                                                      "permalink"));
    diags_add(diags, DIAG_NOTE, out->page_path, 0,
              "home page: Jekyll writes it to index.html (%s%s%s)",
              permalink ? "permalink " : "URL ",
              permalink ? permalink : home->url,
              permalink ? "" : ", from its path");
}

/* Loads the Jekyll site at ROOT and points out->page_path at its home
 * page; *name gets the page's path beneath ROOT. -1 when the site has
 * none (README.md, LICENSE and excluded files never are). */
static int find_jekyll_home(const struct config *cfg, const char *root,
                            const struct jekyll_site *prev,
                            struct site_content *out,
                            const struct jekyll_doc **found,
                            struct diags *diags)
{
    struct jekyll_opts opts = {.max_bytes = cfg->server.max_file_bytes,
                               .prev = prev};
    out->jekyll = xcalloc(1, sizeof *out->jekyll);
    if (jekyll_load(root, &opts, out->jekyll, diags) < 0)
        return -1;
    jekyll_conflicts(out->jekyll, diags);
    const struct jekyll_doc *home = jekyll_home(out->jekyll, diags);
    if (!home) {
        diags_add(diags, DIAG_ERROR, root, 0,
                  "no home page: no page of this Jekyll site has the URL / "
                  "(give one `permalink: /`, or name the page in "
                  "capsule.yaml's `page`)");
        return -1;
    }
    free(out->page_path);
    out->page_path = path_join(root, home->path);
    *found = home;
    note_home(out, home, diags);
    return 0;
}


/* Liquid's `page` of the document at PATH (front matter with the site's
 * defaults), for the layout's additions; NULL when none is. */
static const struct value *jekyll_doc_vars(const struct jekyll_site *js,
                                           const char *path)
{
    for (size_t i = 0; i < js->n_docs; i++)
        if (strcmp(js->docs[i].path, path) == 0)
            return js->docs[i].page;
    return NULL;
}

/* A page given by the caller (`render FILE`) is read as given; the
 * configured one beneath its host's directory (see page_load_in); in a
 * Jekyll site, its home page, with the site's values for Liquid. */
static int load_page(const struct config *cfg, size_t host_index,
                     const char *page_path, const struct jekyll_site *prev,
                     struct site_content *out, struct diags *diags)
{
    if (page_path) {
        card_build(cfg->site.vars, &out->card);
        return page_load_file(page_path, cfg, &out->page, diags);
    }
    const char *root = page_root(cfg, host_index), *name = page_name(cfg);
    if (cfg->site.page_named || !jekyll_is_site(root)) {
        card_build(cfg->site.vars, &out->card);
        return page_load_in(root, name, out->page_path, cfg, &out->page,
                            diags);
    }
    const struct jekyll_doc *home;
    if (find_jekyll_home(cfg, root, prev, out, &home, diags) < 0)
        return -1;
    struct config view = *cfg;
    view.site.vars = jekyll_site_vars(cfg, out->jekyll);
    card_build(view.site.vars, &out->card);
    int rc = site_doc_page(out->jekyll, home, out->page_path, &view,
                           &out->page, diags);
    struct theme_site ts = {view.site.vars, root, cfg->server.max_file_bytes,
                            diags, &out->jekyll->files, &out->jekyll->n_files};
    if (rc == 0)
        theme_apply(&out->page, jekyll_doc_vars(out->jekyll, home->path),
                    &ts);
    value_release(view.site.vars);
    return rc;
}

static void free_jekyll(struct site_content *out)
{
    if (out->jekyll)
        jekyll_free(out->jekyll);
    free(out->jekyll);
    out->jekyll = NULL;
}

/* site_content_load, keeping what it can of PREV (the previous load of
 * the host's Jekyll site, or NULL): see jekyll_opts.prev. */
static int content_load(const struct config *cfg, size_t host_index,
                        const char *page_path, const struct jekyll_site *prev,
                        struct site_content *out, struct diags *diags)
{
    memset(out, 0, sizeof *out);
    out->page_path = page_path ? xstrdup(page_path)
                               : site_page_path(cfg, host_index);
    if (load_page(cfg, host_index, page_path, prev, out, diags) < 0) {
        free_jekyll(out);
        card_free(&out->card);
        page_free(&out->page);
        free(out->page_path);
        memset(out, 0, sizeof *out);
        return -1;
    }
    doc_build(&out->page, cfg, &out->doc, diags);
    news_build(&out->doc, &out->news);
    if (out->jekyll) /* its posts and news items join the feed */
        gemlog_merge(out->jekyll, &out->doc, &out->news);
    const char *host = host_index < cfg->gemini.n_hosts
                           ? cfg->gemini.hosts[host_index].name
                           : NULL;
    out->opts = (struct render_opts){
        .cfg = cfg,
        .page = &out->page,
        .gemini_host = host && *host ? host : "localhost",
        .gemini_port = cfg->gemini.port > 0 ? cfg->gemini.port : 1965,
        .gopher_host = cfg->gopher.host && *cfg->gopher.host
                           ? cfg->gopher.host
                           : "localhost",
        .gopher_port = cfg->gopher.port > 0 ? cfg->gopher.port : 70,
        .width = cfg->gopher.width > 0 ? cfg->gopher.width : 70,
        .news = &out->news,
        .card = &out->card,
    };
    return 0;
}

int site_content_load(const struct config *cfg, size_t host_index,
                      const char *page_path, struct site_content *out,
                      struct diags *diags)
{
    return content_load(cfg, host_index, page_path, NULL, out, diags);
}

void site_content_free(struct site_content *sc)
{
    free_jekyll(sc);
    card_free(&sc->card);
    news_free(&sc->news);
    doc_free(&sc->doc);
    page_free(&sc->page);
    free(sc->page_path);
    memset(sc, 0, sizeof *sc);
}

/* --- pre-rendering --- */

/* A language tag goes into a header line: only tag characters pass. */
static char *clean_lang(const char *lang)
{
    if (!lang || !*lang)
        return NULL;
    struct buf b = {0};
    for (const char *s = lang; *s && b.len < 35; s++) {
        char c = *s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-')
            buf_putc(&b, c);
    }
    if (b.len == 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}


/* A route of another type than gemtext: its success header with the MIME
 * type META, then the body. */
static void add_other_type(const struct gemtext_routes *g, const char *path,
                           const char *meta, const char *body, size_t len)
{
    struct buf header = {0};
    buf_printf(&header, "%d %s\r\n", g->success, meta);
    add_typed(g->t, path, header.data, body, len);
    buf_free(&header);
}

static void add_news_pages(const struct gemtext_routes *g,
                           const struct site_content *c)
{
    struct buf body = {0}, path = {0};
    /* Added before the sections: when the news section's slug is "news",
     * /news/ stays the feed that clients subscribe to (the first route added
     * for a path wins); its items are on /news/N/. */
    render_gemsub(&c->doc, g->o, &body);
    add_gemtext(g, PATH_NEWS, &body);
    for (size_t i = 0; i < c->news.n; i++) {
        render_gemtext_news_item(&c->doc, g->o, &c->news.items[i], &body);
        buf_clear(&path);
        path_news_item(&path, c->news.items[i].number);
        add_gemtext(g, path.data, &body);
    }
    buf_free(&body);
    buf_free(&path);
}

static void add_metadata(const struct gemtext_routes *g, const struct site *s)
{
    const struct site_content *c = &s->content;
    const struct cfg_site *cs = &s->cfg->site;
    const char *robots = cs->robots ? cs->robots : "";
    add_other_type(g, PATH_ROBOTS, "text/plain; charset=utf-8", robots,
                   strlen(robots));
    if (cs->favicon && *cs->favicon)
        add_other_type(g, PATH_FAVICON, "text/plain; charset=utf-8",
                       cs->favicon, strlen(cs->favicon));
    if (cs->serve_source && c->page.source)
        add_other_type(g, PATH_SOURCE, "text/markdown; charset=utf-8",
                       c->page.source, c->page.source_len);
}

/* The gemtext pages and what goes with them, in one dialect: Gemini's
 * table, and Spartan's. */
static void build_gemtext_routes(const struct gemtext_routes *g,
                                 const struct site *s)
{
    const struct site_content *c = &s->content;
    struct buf body = {0}, path = {0};
    render_gemtext_home(&c->doc, g->o, &body);
    add_gemtext(g, PATH_HOME, &body);
    add_news_pages(g, c);
    for (size_t i = 0; i < c->doc.n_sections; i++) {
        const struct section *sec = &c->doc.sections[i];
        if (!path_slug_is_safe(sec->slug))
            continue; /* never linked either: see path_section */
        render_gemtext_section(&c->doc, i, g->o, &body);
        buf_clear(&path);
        path_section_page(&path, sec->slug);
        add_gemtext(g, path.data, &body);
    }
    render_atom(&c->doc, g->o, &body);
    add_other_type(g, PATH_ATOM, "application/atom+xml", body.data, body.len);
    add_metadata(g, s);
    buf_free(&body);
    buf_free(&path);
}

static void build_gemini_routes(struct site *s)
{
    struct gemtext_routes g = {&s->gemini, s->gemtext_header,
                               &s->content.opts, GEMINI_SUCCESS};
    build_gemtext_routes(&g, s);
    route_seal(&s->gemini);
}

/* The same pages in the Spartan dialect, under the Spartan success
 * header, plus the search page a request without data gets. */
static void build_spartan_routes(struct site *s)
{
    struct gemtext_routes g = {&s->spartan, s->spartan_header,
                               &s->spartan_opts, SPARTAN_SUCCESS};
    build_gemtext_routes(&g, s);
    struct buf body = {0};
    render_gemtext_search_prompt(&s->spartan_opts, &body);
    add_gemtext(&g, PATH_SEARCH, &body);
    buf_free(&body);
    route_seal(&s->spartan);
}

static void build_gopher_routes(struct site *s)
{
    const struct site_content *c = &s->content;
    const struct cfg_site *cs = &s->cfg->site;
    struct buf body = {0}, path = {0};
    render_gophermap_home(&c->doc, &c->opts, &body);
    add_typed(&s->gopher, PATH_HOME, NULL, body.data, body.len);
    /* Before the sections, as over Gemini: a section whose slug is "news"
     * stays readable as /news.txt, and /news/ is the news menu. */
    buf_clear(&body);
    render_gophermap_news(&c->doc, &c->opts, &body);
    add_typed(&s->gopher, PATH_NEWS, NULL, body.data, body.len);
    for (size_t i = 0; i < c->doc.n_sections; i++) {
        const struct section *sec = &c->doc.sections[i];
        if (!path_slug_is_safe(sec->slug))
            continue; /* never linked either: see path_section */
        buf_clear(&body);
        render_gophermap_section(&c->doc, i, &c->opts, &body);
        buf_clear(&path);
        path_section_page(&path, sec->slug);
        add_typed(&s->gopher, path.data, NULL, body.data, body.len);
        buf_clear(&body);
        render_text_section(&c->doc, i, &c->opts, 1, &body);
        buf_clear(&path);
        path_section_text(&path, sec->slug);
        add_typed(&s->gopher, path.data, NULL, body.data, body.len);
    }
    buf_clear(&body);
    render_gopher_caps(&c->opts, &body);
    add_typed(&s->gopher, PATH_CAPS, NULL, body.data, body.len);
    const char *robots = cs->robots ? cs->robots : "";
    add_typed(&s->gopher, PATH_ROBOTS, NULL, robots, strlen(robots));
    if (cs->serve_source && c->page.source)
        add_typed(&s->gopher, PATH_SOURCE, NULL, c->page.source,
                  c->page.source_len);
    route_seal(&s->gopher);
    buf_free(&body);
    buf_free(&path);
}

/* A finger name as finger_parse leaves it: lower case. */
static char *finger_name(const char *slug)
{
    char *name = xstrdup(slug);
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return name;
}

/* Finger names are the slugs (lower-cased); "plan" is added first, so a
 * section of that slug does not hide the .plan. */
static void build_finger_routes(struct site *s)
{
    const struct site_content *c = &s->content;
    struct buf body = {0};
    render_finger_card(&c->doc, &c->opts, &body);
    add_typed(&s->finger, "", NULL, body.data, body.len);
    buf_clear(&body);
    render_finger_plan(&c->doc, &c->opts, &body);
    add_typed(&s->finger, "plan", NULL, body.data, body.len);
    for (size_t i = 0; i < c->doc.n_sections; i++) {
        const struct section *sec = &c->doc.sections[i];
        if (!path_slug_is_safe(sec->slug))
            continue;
        buf_clear(&body);
        render_finger_section(&c->doc, i, &c->opts, &body);
        char *name = finger_name(sec->slug);
        add_typed(&s->finger, name, NULL, body.data, body.len);
        free(name);
    }
    route_seal(&s->finger);
    buf_free(&body);
}

static void build_http_reply(struct site *s)
{
    const struct render_opts *o = &s->content.opts;
    struct buf body = {0}, b = {0};
    buf_puts(&body, "This is a Gopher server, not a web server.\r\n"
                    "Open it with a Gopher client (lynx, curl, sacc, "
                    "bombadillo):\r\n\r\n    ");
    url_put_origin(&body, "gopher", o->gopher_host, o->gopher_port, 0);
    buf_puts(&body, PATH_HOME "\r\n");
    buf_printf(&b,
               "HTTP/1.0 200 OK\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Length: %zu\r\n"
               "Connection: close\r\n\r\n",
               body.len);
    buf_put(&b, body.data, body.len);
    buf_free(&body);
    s->http_reply_len = b.len;
    s->http_reply = buf_detach(&b);
}

/* "STATUS text/gemini; charset=utf-8[; lang=LANG]" CRLF. */
static char *gemtext_header(int status, const char *lang)
{
    struct buf h = {0};
    buf_printf(&h, "%d text/gemini; charset=utf-8", status);
    if (lang)
        buf_printf(&h, "; lang=%s", lang);
    buf_puts(&h, "\r\n");
    return buf_detach(&h);
}

/* The content's options in the Spartan dialect: the default host is
 * spartan.host, a virtual host its own name. */
static struct render_opts spartan_opts(const struct config *cfg,
                                       size_t host_index,
                                       const struct render_opts *gemini)
{
    struct render_opts o = *gemini;
    o.dialect = GEMTEXT_SPARTAN;
    o.spartan_host = host_index == 0 && cfg->spartan.host && *cfg->spartan.host
                         ? cfg->spartan.host
                         : gemini->gemini_host;
    o.spartan_port = cfg->spartan.port;
    return o;
}

struct site *site_build(const struct config *cfg, size_t host_index,
                        bool with_gopher, struct diags *diags)
{
    return site_rebuild(cfg, host_index, with_gopher, NULL, diags);
}

struct site *site_rebuild(const struct config *cfg, size_t host_index,
                          bool with_gopher, const struct site *prev,
                          struct diags *diags)
{
    struct site *s = xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->host_index = host_index;
    const struct jekyll_site *prev_js = prev ? prev->content.jekyll : NULL;
    if (content_load(cfg, host_index, NULL, prev_js, &s->content, diags) <
        0) {
        free(s);
        return NULL;
    }
    s->lang = clean_lang(s->content.page.lang);
    if (!s->lang)
        s->lang = clean_lang(cfg->site.lang);
    s->gemtext_header = gemtext_header(GEMINI_SUCCESS, s->lang);
    if (cfg->spartan.enabled) {
        s->spartan_header = gemtext_header(SPARTAN_SUCCESS, s->lang);
        s->spartan_opts = spartan_opts(cfg, host_index, &s->content.opts);
    }
    search_index_add(&s->search, &s->content.doc, NULL);
    site_build_pages(s, with_gopher, prev, diags);
    site_add_static(s, with_gopher, diags);
    site_build_nav(s, with_gopher);
    build_gemini_routes(s);
    if (cfg->spartan.enabled)
        build_spartan_routes(s);
    if (with_gopher)
        build_gopher_routes(s);
    if (with_gopher && cfg->finger.enabled)
        build_finger_routes(s);
    build_http_reply(s);
    return s;
}

void site_free(struct site *s)
{
    if (!s)
        return;
    route_table_free(&s->gemini);
    route_table_free(&s->gopher);
    route_table_free(&s->finger);
    route_table_free(&s->spartan);
    site_static_free(s);
    search_index_free(&s->search);
    free(s->spartan_header);
    site_pages_free(s); /* after the tables, which borrow their bytes */
    site_content_free(&s->content);
    site_nav_free(s);
    free(s->lang);
    free(s->gemtext_header);
    free(s->http_reply);
    free(s);
}
