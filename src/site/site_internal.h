/* What the files of src/site share: routes.c (the tables and their
 * helpers, a leaf), and the files that fill them for site.c (pages.c: a
 * Jekyll site's pages, items and indexes; nav.c). Not a
 * public interface: the site's own is capsuled/site.h. */
#ifndef CAPSULED_SITE_INTERNAL_H
#define CAPSULED_SITE_INTERNAL_H

#include "capsuled/site.h"

/* Where a gemtext route table is filled: the table, the success header
 * of a gemtext page, how pages are rendered (the dialect), and the
 * protocol's success status for the other types. */
struct gemtext_routes {
    struct route_table *t;
    const char *header;
    const struct render_opts *o;
    int success;
};

/* --- routes.c: the route tables and what fills them --- */

/* Sorts the table and drops later duplicates: the first route added for a
 * path wins. */
void route_seal(struct route_table *t);
void route_table_free(struct route_table *t);
/* Adds PATH with B's bytes (taken; B is left empty). The first route added
 * for a path wins once the table is sealed. */
void route_add(struct route_table *t, const char *path, struct buf *b);
/* A gemtext page: G's header, then BODY (emptied). */
void add_gemtext(const struct gemtext_routes *g, const char *path,
                 struct buf *body);
/* A route of another table, its bytes borrowed (R's stay R's owner's). */
void route_add_borrowed(struct route_table *t, const struct route *r);
/* HEADER (may be NULL) and the body, as they are. */
void add_typed(struct route_table *t, const char *path, const char *header,
               const char *body, size_t len);
/* "A/B", one '/' between them. */
char *path_join(const char *a, const char *b);
/* Liquid's `site` in a Jekyll site: the configuration's values with the
 * site's over them. */
struct value *jekyll_site_vars(const struct config *cfg,
                               const struct jekyll_site *js);

/* Loads the page of D, a document of JS (see page_load_in): from the
 * bytes the model kept, so that it is read once. SHOWN names it. */
int site_doc_page(const struct jekyll_site *js, const struct jekyll_doc *d,
                  const char *shown, const struct config *cfg,
                  struct page *out, struct diags *diags);

/* --- the files that fill the tables for site.c --- */

/* Adds a page or item of the site, modelled as D (its base its route), to
 * the search index IX under its title (sitesearch.c): its render's own
 * index, merged into the site's as the render is added (pages.c). */
void site_search_add_page(struct search_index *ix, const struct doc *d,
                          const struct page *page);

/* Every page and collection item of the content's Jekyll site (none when
 * it is not one) into the tables (pages.c). Called before site.c adds its
 * own routes: the site's URLs win over the home page's section paths.
 * PREV (or NULL): the previous build, whose renders are kept where they
 * may be. */
void site_build_pages(struct site *s, bool with_gopher,
                      const struct site *prev, struct diags *diags);
void site_pages_free(struct site *s);

/* The site's navigation and its collections' indexes (nav.c), once the
 * pages are added: s->nav, and the home page's options pointing at it. */
void site_build_nav(struct site *s, bool with_gopher);
void site_nav_free(struct site *s);
/* The route of the capsule a link of the site leads to ("/publications/",
 * "/#-news", the site's url or baseurl in front): a page's route, a
 * section of the home page, or NULL when the capsule has none. Not
 * const: it keeps an index of the routes (s->route_index) while the site
 * is built, which site_build_nav frees. */
char *site_local_route(struct site *s, const char *url);
/* The site's web URL for PATH: `url` and `baseurl` in front. NULL when
 * the site names no `url`. */
char *site_web_url(const struct jekyll_site *js, const char *path);
/* Every link of D (a document of the site at PAGE_URL, Jekyll's URL) to
 * a route of the capsule where it has one (link.route), else to the
 * site's web URL; a relative link is read against PAGE_URL. */
void site_route_links(struct site *s, struct doc *d,
                      const char *page_url);

#endif
