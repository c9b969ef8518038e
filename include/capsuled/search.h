/* Search over a whole site: an index of every section of every page and
 * item served (its title and text, with the route it is read at), built
 * once with the snapshot, and the ranked results of a query, decided in
 * content; the renderers only write them (render_gemtext_search,
 * render_gophermap_search). The query is split at spaces (at most
 * SEARCH_TERMS_MAX terms); a section matches when a line of its text, or
 * its title, holds every term (ASCII case folded; other bytes must match
 * exactly). The best matches come first: a title holding every term, then
 * more matching lines, then the order the site was indexed in (the home
 * page first). Work is bounded (the text read per query, SEARCH_SCAN_MAX)
 * and so are the results (SEARCH_RESULTS_MAX sections, SEARCH_LINES_MAX
 * lines each). */
#ifndef CAPSULED_SEARCH_H
#define CAPSULED_SEARCH_H

#include "capsuled/doc.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    SEARCH_TERMS_MAX = 16,
    SEARCH_RESULTS_MAX = 40,
    SEARCH_LINES_MAX = 3,
    SEARCH_SCAN_MAX = 64 << 20, /* bytes compared per query, over terms */
    SEARCH_LINE_SHOWN = 240,    /* bytes of a matching line shown */
};

/* One section of one document: where it is read, what it is called, and
 * its text, one line a '\n'-ended line. */
struct search_entry {
    char *route;  /* Gemini path and Gopher selector */
    char *label;  /* "Section", or "Page: Section" on another page */
    size_t title_at; /* where in label its own title starts (the
                        section's, or the page's for its first one) */
    char *text;
    char *folded; /* text, ASCII lower-cased: the same offsets; it lives in
                     text's block, freed with it */
    size_t len;
    size_t doc;   /* which document added it (in the order added) */
    bool borrowed; /* its strings are another index's (search_index_merge) */
};

struct search_index {
    struct search_entry *entries;
    size_t n, cap;
    size_t n_docs;
    char **routes; /* the documents' own routes, sorted: one each */
    size_t n_routes;
};

/* Adds every section of D, read at the routes path_section gives it (D's
 * base, or "/" for the home page), labelled by TITLE (the page's title,
 * NULL for the home page, whose sections go by their own). A document at
 * a route an earlier one was added at is left out: the first one added
 * is the one served there. */
void search_index_add(struct search_index *ix, const struct doc *d,
                      const char *title);
/* Adds the one document FROM holds (an index it alone was added to) as
 * search_index_add would have added it to IX: its entries borrowed, so
 * FROM must outlive IX's use of them. */
void search_index_merge(struct search_index *ix,
                        const struct search_index *from);
void search_index_free(struct search_index *ix);

/* One matching section: its entry, its score and its first matching
 * lines (into the entry's text, not NUL-terminated). A line longer than
 * SEARCH_LINE_SHOWN is shown as a window of it around the first term's
 * first match, cut at characters: SEARCH_CUT_BEFORE and _AFTER say
 * which ends were cut (for an ellipsis there). */
enum { SEARCH_CUT_BEFORE = 1, SEARCH_CUT_AFTER = 2 };
struct search_result {
    const struct search_entry *entry;
    unsigned score;
    size_t n_lines;
    const char *line[SEARCH_LINES_MAX];
    size_t line_len[SEARCH_LINES_MAX];
    unsigned char line_cut[SEARCH_LINES_MAX];
};

struct search {
    struct search_result *results; /* best first, at most RESULTS_MAX */
    size_t n;
    size_t matched;   /* sections that matched, shown or not */
    bool cut;         /* SEARCH_SCAN_MAX reached: not every page was read */
};

/* Runs QUERY over IX. The results point into IX. */
void search_run(const struct search_index *ix, const char *query,
                struct search *out);
void search_free(struct search *s);
/* True when the query holds at least one term. */
bool search_has_terms(const char *query);

#endif
