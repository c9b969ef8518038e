/* Search over the whole site: the index filled as the snapshot is built
 * (the home page by site.c, each page and item by pages.c as it is
 * rendered, or kept from the previous build), and the results pages each
 * protocol answers with, rendered per request from the index alone. */
#include "capsuled/paths.h"
#include "capsuled/search.h"
#include "site_internal.h"

void site_search_add_page(struct search_index *ix, const struct doc *d,
                          const struct page *page)
{
    const char *title = page->title && *page->title ? page->title
                                                    : path_doc_base(d);
    search_index_add(ix, d, title);
}

/* One query's results page: gemtext in O's dialect, or a gophermap. */
static void results_page(const struct site *s, const char *query,
                         const struct render_opts *o, bool gophermap,
                         struct buf *out)
{
    struct search hits;
    search_run(&s->search, query, &hits);
    if (gophermap)
        render_gophermap_search(o, query, &hits, out);
    else
        render_gemtext_search(o, query, &hits, out);
    search_free(&hits);
}

void site_search_gemini(const struct site *s, const char *query,
                        struct buf *out)
{
    results_page(s, query, &s->content.opts, false, out);
}

void site_search_gopher(const struct site *s, const char *query,
                        struct buf *out)
{
    results_page(s, query, &s->content.opts, true, out);
}

void site_search_spartan(const struct site *s, const char *query,
                         struct buf *out)
{
    results_page(s, query, &s->spartan_opts, false, out);
}
