/* One host's site: its loaded content and every response pre-rendered into
 * sorted route tables, plus the path rule that the Gemini, Spartan and
 * Gopher front ends share (Finger's table is keyed by names) (their parsers
 * and responses are capsuled/proto.h's).
 * Everything here is immutable once built, so worker threads read it
 * without locks. */
#ifndef CAPSULED_SITE_H
#define CAPSULED_SITE_H

#include "capsuled/buf.h"
#include "capsuled/config.h"
#include "capsuled/diag.h"
#include "capsuled/doc.h"
#include "capsuled/jekyll.h"
#include "capsuled/news.h"
#include "capsuled/page.h"
#include "capsuled/render.h"

#include <stdbool.h>
#include <stddef.h>

/* Content of one host, loaded but not rendered: what `render` and `check`
 * need as much as the server does. */
struct site_content {
    char *page_path;
    /* The Jekyll site the page belongs to, when the host's directory is
     * one (a _config.yml) and no `page` is named: the page is its home
     * page, and Liquid's `site` its site value. NULL otherwise. */
    struct jekyll_site *jekyll;
    struct page page;
    struct doc doc;
    struct news news;         /* decided once from doc */
    struct card card;         /* from Liquid's site (the config, the data) */
    struct render_opts opts;  /* opts.news points at news */
};

/* Loads the page of gemini host HOST_INDEX, read beneath the host's
 * capsule directory (or PAGE_PATH as given, when not NULL: a file named on
 * the command line), builds the model and collects the news. In a Jekyll
 * site without a `page` named, the page is the one Jekyll writes to
 * index.html (a note says which and why); none is an error. -1 when the
 * page cannot be read or its front matter is broken (reasons in diags). */
int site_content_load(const struct config *cfg, size_t host_index,
                      const char *page_path, struct site_content *out,
                      struct diags *diags);
void site_content_free(struct site_content *sc);
/* Documents of a Jekyll site by URL (select.c). Whether two URLs name
 * one document ("/about.html", "/about/" and "/about" do). */
bool site_url_same(const char *a, const char *b);
/* The document at URL (the one Jekyll writes last there), or NULL. */
const struct jekyll_doc *site_find_doc(const struct jekyll_site *js,
                                       const char *url);
/* Loads D as the server does (the site's values for Liquid) and builds
 * its model; -1 (page freed) when it cannot be read. */
int site_load_doc(const struct config *cfg, const struct jekyll_site *js,
                  const struct jekyll_doc *d, struct page *page,
                  struct doc *doc, struct diags *diags);
/* Makes C (loaded from a Jekyll site) the page or item at URL, shown as
 * the server shows it (no card, no news); the home page stays as loaded.
 * -1 (an error in diags, C unchanged) when the site has none there. */
int site_content_select(struct site_content *c, const struct config *cfg,
                        const char *url, struct diags *diags);
/* The page file of gemini host HOST_INDEX, resolved against the config dir. */
char *site_page_path(const struct config *cfg, size_t host_index);

struct route_index;

/* A pre-rendered response: full bytes, header line included. */
struct route {
    char *path; /* normalised: "/", "/about-me/", "/atom.xml" */
    char *data;
    size_t len;
    bool borrowed; /* data is held by the site (a static file's bytes,
                      shared by the tables): not freed with the route */
};

struct route_table {
    struct route *items; /* sorted by path once built */
    size_t n, cap;
};

struct page_render; /* pages.c */

const struct route *route_find(const struct route_table *t, const char *path);

struct site {
    const struct config *cfg;
    size_t host_index;
    struct site_content content;
    char *lang;          /* front matter lang, else site.lang; may be NULL */
    char *gemtext_header; /* "20 text/gemini; charset=utf-8; lang=en\r\n" */
    struct route_table gemini;
    struct route_table gopher;   /* empty unless built with gopher */
    struct route_table finger;   /* with gopher and finger.enabled: the
                                    card under "", sections under their
                                    slugs, the .plan under "plan" */
    struct route_table spartan;  /* with spartan.enabled: the gemini
                                    pages in the Spartan dialect, the
                                    search prompt under /search */
    char *spartan_header;        /* "2 text/gemini; charset=utf-8; …" */
    struct render_opts spartan_opts; /* content.opts, Spartan dialect */
    char **statics;              /* the static files' bytes the routes
                                    borrow (static.c) */
    size_t n_statics;
    struct nav_link *nav;        /* a Jekyll site's navigation */
    size_t n_nav;
    /* While the site is built: the routes of its pages, known before
     * they are rendered so that links between them resolve. */
    char **known;
    size_t n_known;
    struct search_index search;  /* every page and item served, the
                                    home page first (search.h) */
    struct route_index *route_index; /* which routes exist (nav.c): the
                                        tables and `known`, by hash */
    char *http_reply;            /* answer to HTTP on the gopher port */
    size_t http_reply_len;
    /* A Jekyll site's pages as rendered (pages.c), by document path: the
     * route tables borrow their bytes, and the next build keeps those
     * that nothing it changed can have changed (see site_rebuild). */
    struct page_render **renders;
    size_t n_renders;
    size_t n_renders_kept;       /* of them, taken from the previous build */
    /* What every page's render reads besides its own file, as text: a
     * previous build's renders are kept only when it is the same. */
    char *render_context;
    size_t render_context_len;
};

/* Builds a site and pre-renders its responses (the gopher ones, and the
 * finger ones when finger is enabled, too when with_gopher; the spartan
 * ones when spartan is enabled). NULL when its content cannot be loaded. */
struct site *site_build(const struct config *cfg, size_t host_index,
                        bool with_gopher, struct diags *diags);
/* The same, keeping what is unchanged from PREV (the previous build of
 * the same host with the same configuration, still alive and left
 * unchanged; NULL: none): the documents of its Jekyll model whose files
 * did not change (see jekyll_opts.prev), and the routes and diagnostics
 * of the pages whose render read nothing that changed (pages.c says the
 * rule). The result is what site_build gives, byte for byte. */
struct site *site_rebuild(const struct config *cfg, size_t host_index,
                          bool with_gopher, const struct site *prev,
                          struct diags *diags);
void site_free(struct site *s);

/* A Jekyll site's static files (static.c), each at the route of its URL,
 * in the Gemini table (and the Gopher one when WITH_GOPHER, the Spartan
 * one when enabled): after the pages, so a page's URL wins. A file over
 * server.max_file_bytes, or unreadable, is a warning. */
void site_add_static(struct site *s, bool with_gopher, struct diags *diags);
void site_static_free(struct site *s);
/* The route a static file's URL is served at (decoded, normalised), or
 * NULL for a URL capsuled keeps for itself (robots.txt, atom.xml, …). */
char *site_static_route(const char *url);

/* Search results pages over every page and item of the site, without
 * header line (sitesearch.c; the rules: search.h). */
void site_search_gemini(const struct site *s, const char *query,
                        struct buf *out);
void site_search_gopher(const struct site *s, const char *query,
                        struct buf *out);
void site_search_spartan(const struct site *s, const char *query,
                         struct buf *out);

/* What `capsuled check` reports about Finger and Spartan (served.c), from
 * the default host's content: notes on what each serves when enabled,
 * warnings for a section no finger name reaches and for listeners that
 * two protocols share. */
void site_check_served(const struct config *cfg, const struct site_content *c,
                       struct diags *diags);

/* What `capsuled check` reports about a Jekyll site (check.c), from the
 * default host's content: pages Jekyll does not publish and why, missing
 * includes, sections Liquid left empty, links to pages of the site's URL
 * that it does not have, static files too large to serve. */
void site_check_jekyll(const struct config *cfg,
                       const struct site_content *c, struct diags *diags);

/* Resolves dot segments of an already decoded path, never above the root;
 * empty segments collapse, "" becomes "/", a trailing '/' (or a final "."
 * or "..") is kept as '/'. out (cap ≥ len + 2) gets a path starting '/'.
 * False when the result does not fit. */
bool site_normalize_path(const char *in, size_t len, char *out, size_t cap);

#endif
