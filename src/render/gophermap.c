/* The document model as gophermaps (RFC 1436 menus): every line is
 * type + display string, TAB, selector, TAB, host, TAB, port, CRLF, and a
 * menu ends with a lone ".". Text goes out as 'i' lines laid out like the
 * plain-text rendering; links become items after their block, the way
 * Geomyidae and Gophernicus menus look in lynx, sacc and bombadillo. */
#include "capsuled/mime.h"
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "capsuled/url.h"
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_GOPHER_PORT 70

#ifndef CAPSULED_VERSION
#define CAPSULED_VERSION "0.1.0"
#endif

static bool nonempty(const char *s)
{
    return s && *s;
}

/* --- lines --- */

void gophermap_item(struct buf *out, char type, const char *label,
                    const char *selector, const char *host, int port)
{
    /* A type must be one printable character, or the line means nothing. */
    buf_putc(out, type > ' ' && type < 0x7F ? type : '3');
    layout_put_clean(out, label ? label : "", label ? strlen(label) : 0);
    buf_putc(out, '\t');
    layout_put_clean(out, selector ? selector : "",
                     selector ? strlen(selector) : 0);
    buf_putc(out, '\t');
    layout_put_clean(out, host ? host : "", host ? strlen(host) : 0);
    buf_printf(out, "\t%d\r\n", port > 0 && port <= 65535 ? port : 0);
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define INFO_TAIL "\t" GOPHERMAP_DUMMY_SELECTOR "\t" GOPHERMAP_DUMMY_HOST \
                  "\t" STRINGIFY(GOPHERMAP_DUMMY_PORT) "\r\n"

static void info_line(struct buf *out, const char *text, size_t len)
{
    buf_putc(out, 'i');
    layout_put_clean(out, text, len);
    buf_put(out, INFO_TAIL, sizeof INFO_TAIL - 1);
}

static void emit_info(const char *line, size_t len, void *out)
{
    info_line(out, line, len);
}

void gophermap_info(struct buf *out, const char *text,
                    const struct render_opts *o)
{
    const char *t = text ? text : "";
    wrap_text(t, strlen(t), o ? o->width : 0, emit_info, out);
}

void gophermap_end(struct buf *out)
{
    buf_puts(out, ".\r\n");
}

/* --- links --- */

struct gmap {
    const struct doc *d;
    const struct render_opts *o;
    struct buf *out;
    struct layout_flow flow;
};

static const char *our_host(const struct render_opts *o)
{
    return nonempty(o->gopher_host) ? o->gopher_host : "localhost";
}

static int our_port(const struct render_opts *o)
{
    return o->gopher_port > 0 ? o->gopher_port : DEFAULT_GOPHER_PORT;
}

/* An item on this server. */
static void menu_item(struct buf *out, const struct render_opts *o, char type,
                      const char *label, const char *selector)
{
    gophermap_item(out, type, label, selector, our_host(o), our_port(o));
}

static void our_item(struct gmap *g, char type, const char *label,
                     const char *selector)
{
    menu_item(g->out, g->o, type, label, selector);
}

struct gopher_url {
    char *host;
    int port;
    char type;
    char *selector;
};

/* RFC 4266: gopher://host[:port][/T[selector]]; "[v6]" hosts keep no
 * brackets in a menu line. Returns false when it is not a usable one. */
static bool parse_gopher_url(const char *url, struct gopher_url *g)
{
    size_t len = strlen(url);
    struct url u;
    if (!url_has_scheme(url, "gopher") || !url_parse(url, len, &u) ||
        !u.has_authority || u.host_len == 0 || u.port == 0)
        return false;
    g->port = u.port > 0 ? u.port : DEFAULT_GOPHER_PORT;
    /* Type and selector are what follows the authority: a '?' is part of
     * the selector here, only a '#' ends it. */
    const char *rest = url + u.path_off;
    size_t rest_len = (u.has_fragment ? u.frag_off - 1 : len) - u.path_off;
    g->type = rest_len >= 2 && rest[0] == '/' ? rest[1] : '1';
    struct buf sel = {0};
    if (rest_len >= 2 && rest[0] == '/')
        url_decode_loose(&sel, rest + 2, rest_len - 2);
    else
        buf_puts(&sel, "");
    g->host = xstrndup(url + u.host_off, u.host_len);
    g->selector = buf_detach(&sel);
    return true;
}

/* The item type of a path of this capsule: a menu for a page ("/cv/",
 * "/about", "/about.html"), else what the file's extension says (a static
 * file of the site: '9', 'I', 'g' or '0'). */
static char own_path_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (!dot || strcmp(dot, ".html") == 0)
        return '1';
    return mime_gopher_type(mime_type(path));
}

static void external_item(struct gmap *g, const char *label, const char *url)
{
    if (url[0] == '/' && url[1] != '/') { /* a path of this capsule */
        struct buf path = {0};
        url_decode_loose(&path, url, strcspn(url, "?#"));
        our_item(g, own_path_type(path.data), label, path.data);
        buf_free(&path);
        return;
    }
    struct gopher_url gu;
    if (parse_gopher_url(url, &gu)) {
        gophermap_item(g->out, gu.type, label, gu.selector, gu.host, gu.port);
        free(gu.host);
        free(gu.selector);
        return;
    }
    /* The URL: convention: clients open it in the right program, and our
     * server answers the selector with a page that points there. */
    struct buf sel = {0};
    buf_puts(&sel, "URL:");
    buf_puts(&sel, url);
    our_item(g, 'h', label, sel.data);
    buf_free(&sel);
}

static void link_item(const struct link *l, void *ctx)
{
    struct gmap *g = ctx;
    const char *label = nonempty(l->label) ? l->label
                        : nonempty(l->url) ? l->url
                                           : l->section;
    if (nonempty(l->route)) {
        our_item(g, own_path_type(l->route), label, l->route);
        return;
    }
    if (nonempty(l->url)) {
        external_item(g, label, l->url);
        return;
    }
    struct buf sel = {0};
    path_section(&sel, g->d, l->section);
    our_item(g, '1', label, sel.data);
    buf_free(&sel);
}

/* --- menus --- */

static void gmap_line(const char *line, size_t len, void *ctx)
{
    info_line(((struct gmap *)ctx)->out, line, len);
}

static void gmap_start(struct gmap *g, const struct doc *d,
                       const struct render_opts *o, struct buf *out)
{
    memset(g, 0, sizeof *g);
    g->d = d;
    g->o = o;
    g->out = out;
    g->flow = (struct layout_flow){
        .width = o->width, .line = gmap_line, .link = link_item, .ctx = g};
}

/* A heading the page itself does not have ("Sections"), set off alike. */
static void gmap_heading(struct gmap *g, const char *text)
{
    info_line(g->out, "", 0);
    layout_flow_heading(&g->flow, text, 2);
    layout_heading_done(&g->flow.state);
}

static void gmap_section_items(struct gmap *g)
{
    if (g->d->n_sections < 2)
        return;
    gmap_heading(g, "Sections");
    struct buf sel = {0}, label = {0};
    for (size_t i = 1; i < g->d->n_sections; i++) {
        const struct section *s = &g->d->sections[i];
        const char *title = nonempty(s->title) ? s->title : s->slug;
        buf_clear(&sel);
        path_section(&sel, g->d, s->slug);
        our_item(g, '1', title, sel.data);
        buf_clear(&sel);
        path_section_text_of(&sel, g->d, s->slug);
        buf_clear(&label);
        buf_puts(&label, title);
        buf_puts(&label, " (text)");
        our_item(g, '0', label.data, sel.data);
    }
    buf_free(&sel);
    buf_free(&label);
}

/* The site's navigation: its pages and collections. */
static void gmap_nav(struct gmap *g)
{
    if (g->o->n_nav == 0)
        return;
    gmap_heading(g, "Pages");
    for (size_t i = 0; i < g->o->n_nav; i++)
        our_item(g, '1', g->o->nav[i].label, g->o->nav[i].path);
}

static void gmap_latest_news(struct gmap *g)
{
    if (!layout_latest_news(g->o, 0))
        return;
    gmap_heading(g, "Latest news");
    struct buf first = {0};
    const struct news_entry *it;
    for (size_t i = 0; (it = layout_latest_news(g->o, i)) != NULL; i++) {
        buf_clear(&first);
        buf_printf(&first, "%s ", it->date);
        if (it->gopher) { /* a post: a menu of its own */
            buf_puts(&first, it->title);
            our_item(g, '1', first.data, it->link);
            continue;
        }
        layout_flow_wrapped(&g->flow, it->title, first.data,
                            "           "); /* under the title, past the date */
    }
    buf_free(&first);
    our_item(g, '1', "All news", PATH_NEWS);
}

void render_gophermap_home(const struct doc *d, const struct render_opts *o,
                           struct buf *out)
{
    struct gmap g;
    gmap_start(&g, d, o, out);
    layout_flow_card(&g.flow, o);
    g.flow.state.demote_h1 = true;
    layout_flow_section(&g.flow, d, 0);
    g.flow.state.demote_h1 = false;
    gmap_section_items(&g);
    gmap_nav(&g);
    gmap_latest_news(&g);
    info_line(out, "", 0);
    our_item(&g, '7', "Search the profile", PATH_SEARCH);
    gophermap_end(out);
}

void render_gophermap_section(const struct doc *d, size_t section,
                              const struct render_opts *o, struct buf *out)
{
    struct gmap g;
    gmap_start(&g, d, o, out);
    if (section < d->n_sections) {
        layout_flow_section(&g.flow, d, section);
        info_line(out, "", 0);
        struct buf sel = {0};
        path_section_text_of(&sel, d, d->sections[section].slug);
        our_item(&g, '0', "This section as text", sel.data);
        buf_free(&sel);
    }
    our_item(&g, '1', "Home", PATH_HOME);
    gophermap_end(out);
}

void render_gophermap_all(const struct doc *d, const struct render_opts *o,
                          struct buf *out)
{
    struct gmap g;
    gmap_start(&g, d, o, out);
    layout_flow_card(&g.flow, o);
    for (size_t i = 0; i < d->n_sections; i++)
        layout_flow_section(&g.flow, d, i);
    gophermap_end(out);
}

/* --- the site's own menus --- */

/* An item leading to a section, labelled as the model names it. */
static void section_item(struct buf *out, const struct doc *d,
                         const struct render_opts *o,
                         const struct section *sec)
{
    struct buf sel = {0};
    path_section(&sel, d, sec->slug);
    menu_item(out, o, '1', layout_section_label(sec), sel.data);
    buf_free(&sel);
}

/* The news section from the news menu: a section whose page would be
 * /news/ (the menu itself) is linked as its text. */
static void news_section_item(struct buf *out, const struct doc *d,
                              const struct render_opts *o,
                              const struct section *sec)
{
    struct buf sel = {0}, label = {0};
    path_section(&sel, d, sec->slug);
    if (strcmp(sel.data, PATH_NEWS) != 0) {
        buf_free(&sel);
        section_item(out, d, o, sec);
        return;
    }
    buf_clear(&sel);
    path_section_text(&sel, sec->slug);
    buf_printf(&label, "%s (text)", layout_section_label(sec));
    menu_item(out, o, '0', label.data, sel.data);
    buf_free(&sel);
    buf_free(&label);
}

void render_gophermap_news(const struct doc *d, const struct render_opts *o,
                           struct buf *out)
{
    const struct news *news = layout_news(o);
    struct buf line = {0};
    gophermap_info(out, "News", o);
    gophermap_info(out, "", o);
    for (size_t i = 0; i < news->n_feed; i++) {
        const struct news_entry *e = &news->feed[i];
        buf_clear(&line);
        buf_printf(&line, "%s  %s", e->date, e->title);
        if (e->gopher) /* a post: a menu of its own */
            menu_item(out, o, '1', line.data, e->link);
        else
            gophermap_info(out, line.data, o);
    }
    if (news->n_feed == 0)
        gophermap_info(out, "No news yet.", o);
    gophermap_info(out, "", o);
    if (news->n)
        news_section_item(out, d, o, &d->sections[news->section]);
    menu_item(out, o, '1', "Home", PATH_HOME);
    gophermap_end(out);
    buf_free(&line);
}

/* A matching section: a blank line, its item, its lines indented. */
static void search_result_lines(struct buf *out, const struct render_opts *o,
                                const struct search_result *r)
{
    gophermap_info(out, "", o);
    menu_item(out, o, '1', r->entry->label, r->entry->route);
    struct buf text = {0};
    for (size_t k = 0; k < r->n_lines; k++) {
        buf_clear(&text);
        buf_puts(&text, "  ");
        layout_search_line(&text, r, k);
        gophermap_info(out, text.data, o);
    }
    buf_free(&text);
}

void render_gophermap_search(const struct render_opts *o, const char *query,
                             const struct search *hits, struct buf *out)
{
    struct buf head = {0};
    buf_printf(&head, "Search: %s", query);
    gophermap_info(out, head.data, o);
    for (size_t i = 0; i < hits->n; i++)
        search_result_lines(out, o, &hits->results[i]);
    if (hits->matched == 0)
        gophermap_info(out, "No matches.", o);
    buf_clear(&head);
    if (hits->matched > hits->n)
        buf_printf(&head, "%zu more matches not shown: add a term.",
                   hits->matched - hits->n);
    if (hits->cut)
        buf_printf(&head, "%sThe search stopped before the end of the site.",
                   head.len ? " " : "");
    if (head.len) {
        gophermap_info(out, "", o);
        gophermap_info(out, head.data, o);
    }
    buf_free(&head);
    gophermap_info(out, "", o);
    menu_item(out, o, '7', "Search again", PATH_SEARCH);
    menu_item(out, o, '1', "Home", PATH_HOME);
    gophermap_end(out);
}

/* --- caps.txt --- */

/* Values from the config go on one caps.txt line each. */
static void caps_value(struct buf *out, const char *key, const char *value)
{
    buf_printf(out, "%s=", key);
    for (const char *v = value ? value : ""; *v; v++)
        buf_putc(out, (*v == '\n' || *v == '\r' || *v == '\t') ? ' ' : *v);
    buf_puts(out, "\r\n");
}

void render_gopher_caps(const struct render_opts *o, struct buf *out)
{
    const struct config *cfg = o->cfg;
    buf_puts(out, "CAPS\r\n\r\nCapsVersion=1\r\nExpireCapsAfter=3600\r\n\r\n"
                  "PathDelimeter=/\r\nPathIdentity=.\r\nPathParent=..\r\n"
                  "PathParentDouble=FALSE\r\nPathKeepPreDelimeter=FALSE\r\n"
                  "\r\nServerSoftware=capsuled\r\n"
                  "ServerVersion=" CAPSULED_VERSION "\r\n"
                  "ServerArchitecture=Linux\r\n");
    caps_value(out, "ServerDescription", cfg ? cfg->site.description : NULL);
    buf_puts(out, "ServerGeolocationString=\r\n"
                  "ServerDefaultEncoding=UTF-8\r\n");
    caps_value(out, "ServerAdmin", cfg ? cfg->gopher.admin : NULL);
}
