/* What site.c shares with the other files of src/site that fill its route
 * tables (pages.c: a Jekyll site's pages, items and indexes). Not a
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

/* Adds PATH with B's bytes (taken; B is left empty). The first route added
 * for a path wins once the table is sealed. */
void route_add(struct route_table *t, const char *path, struct buf *b);
/* A gemtext page: G's header, then BODY (emptied). */
void add_gemtext(const struct gemtext_routes *g, const char *path,
                 struct buf *body);
/* HEADER (may be NULL) and the body, as they are. */
void add_typed(struct route_table *t, const char *path, const char *header,
               const char *body, size_t len);
/* "A/B", one '/' between them. */
char *path_join(const char *a, const char *b);
/* Liquid's `site` in a Jekyll site: the configuration's values with the
 * site's over them. */
struct value *jekyll_site_vars(const struct config *cfg,
                               const struct jekyll_site *js);

/* Every page and collection item of the content's Jekyll site (none when
 * it is not one) into the tables (pages.c). Called before site.c adds its
 * own routes: the site's URLs win over the home page's section paths. */
void site_build_pages(struct site *s, bool with_gopher, struct diags *diags);

#endif
