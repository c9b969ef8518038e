/* Search over the document model: which sections and lines a query
 * matches, decided in content; the renderers only write the result
 * (render_gemtext_search, render_gophermap_search). The query is split at
 * spaces and a line matches when it holds every term (ASCII case folded;
 * other bytes must match exactly). */
#ifndef CAPSULED_SEARCH_H
#define CAPSULED_SEARCH_H

#include "capsuled/doc.h"

#include <stdbool.h>
#include <stddef.h>

/* One hit, in the order the results show them: a section (line NULL) or
 * one of its matching lines (at most a few per section). */
struct search_hit {
    size_t section;   /* index into the doc's sections */
    const char *line; /* into the block's text, not NUL-terminated; NULL:
                         the section itself */
    size_t len;
};

struct search {
    struct search_hit *hits;
    size_t n, cap;
    size_t sections; /* sections counted as hit: 0 means "No matches." */
};

/* Searches every line of every section of d. The hits point into d. */
void search_run(const struct doc *d, const char *query, struct search *out);
void search_free(struct search *s);
/* True when the query holds at least one term. */
bool search_has_terms(const char *query);

#endif
