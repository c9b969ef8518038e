/* Search over a site: the index of its sections (every page and item the
 * snapshot serves, the home page first), the terms of a query, which
 * sections hold them, and the results ranked and bounded. Only decides;
 * writing the pages is the renderers' (search.h). */
#include "capsuled/search.h"
#include "capsuled/buf.h"
#include "capsuled/paths.h"

#include <stdlib.h>
#include <string.h>

/* What a match is worth: a title holding every term counts as much as
 * TITLE_SCORE matching lines; lines count up to LINES_COUNTED. */
enum { TITLE_SCORE = 8, LINES_COUNTED = 20 };

/* --- the index --- */

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static char *folded_copy(const char *s, size_t len)
{
    char *f = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        f[i] = (char)fold((unsigned char)s[i]);
    f[len] = '\0';
    return f;
}

/* The text a section shows, one line a line: its blocks but the heading
 * (which is its title). */
static void section_text(const struct doc *d, const struct section *sec,
                         struct buf *out)
{
    for (size_t b = sec->first; b < sec->first + sec->count && b < d->n_blocks;
         b++) {
        const struct block *blk = &d->blocks[b];
        if ((blk->type == BLOCK_HEADING && b == sec->first) || !blk->text ||
            !*blk->text)
            continue;
        buf_puts(out, blk->text);
        buf_putc(out, '\n');
    }
}

/* A section by its title; an untitled one by its slug, but the home
 * page's opening text (before any heading) as "Home". */
static const char *section_label(const struct doc *d, size_t si)
{
    const struct section *sec = &d->sections[si];
    if (sec->title && *sec->title)
        return sec->title;
    return si > 0 && sec->slug && *sec->slug ? sec->slug : "Home";
}

/* "Page" for a page's first section, "Page: Section" for the others
 * (*title_at: where "Section" starts); a home page's sections (TITLE
 * NULL) by their own label. */
static char *entry_label(const struct doc *d, size_t si, const char *title,
                         size_t *title_at)
{
    struct buf b = {0};
    buf_puts(&b, "");
    if (title && si > 0)
        buf_printf(&b, "%s: ", title);
    *title_at = b.len;
    buf_puts(&b, title && si == 0 ? title : section_label(d, si));
    return buf_detach(&b);
}

/* Room for MORE entries: exactly that in a page's own index (a site keeps
 * thousands of them, most of one to three sections), doubling in the
 * site's index that they are merged into. */
static void reserve_entries(struct search_index *ix, size_t more)
{
    if (ix->cap - ix->n >= more)
        return;
    size_t cap = ix->cap * 2;
    if (cap < ix->n + more)
        cap = ix->n + more;
    ix->entries = xrealloc(ix->entries, cap * sizeof *ix->entries);
    ix->cap = cap;
}

static void add_entry(struct search_index *ix, const struct doc *d,
                      size_t si, const char *title)
{
    reserve_entries(ix, 1);
    struct buf route = {0}, text = {0};
    path_section(&route, d, d->sections[si].slug);
    section_text(d, &d->sections[si], &text);
    buf_puts(&text, "");
    struct search_entry *e = &ix->entries[ix->n++];
    e->route = buf_detach(&route);
    e->label = entry_label(d, si, title, &e->title_at);
    e->len = text.len;
    /* The text and its folded copy in one exact block: thousands of these
     * live as long as the snapshot. */
    e->text = xmalloc(2 * (text.len + 1));
    memcpy(e->text, text.data, text.len + 1);
    e->folded = e->text + text.len + 1;
    for (size_t i = 0; i <= text.len; i++)
        e->folded[i] = (char)fold((unsigned char)text.data[i]);
    buf_free(&text);
    e->doc = ix->n_docs;
    e->borrowed = false;
}

/* Where ROUTE is, or goes, in the sorted routes; *found when it is. */
static size_t route_slot(const struct search_index *ix, const char *route,
                         bool *found)
{
    size_t lo = 0, hi = ix->n_routes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->routes[mid], route);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* Claims the document's route; false when an earlier one holds it. */
static bool claim_route(struct search_index *ix, const char *route)
{
    bool found;
    size_t at = route_slot(ix, route, &found);
    if (found)
        return false;
    ix->routes = xrealloc(ix->routes, (ix->n_routes + 1) * sizeof *ix->routes);
    memmove(ix->routes + at + 1, ix->routes + at,
            (ix->n_routes - at) * sizeof *ix->routes);
    ix->routes[at] = xstrdup(route);
    ix->n_routes++;
    return true;
}

void search_index_add(struct search_index *ix, const struct doc *d,
                      const char *title)
{
    if (!claim_route(ix, path_doc_base(d)))
        return;
    reserve_entries(ix, d->n_sections);
    for (size_t si = 0; si < d->n_sections; si++)
        add_entry(ix, d, si, title);
    ix->n_docs++;
}

void search_index_merge(struct search_index *ix,
                        const struct search_index *from)
{
    if (from->n_routes != 1 || !claim_route(ix, from->routes[0]))
        return;
    reserve_entries(ix, from->n);
    for (size_t i = 0; i < from->n; i++) {
        const struct search_entry *f = &from->entries[i];
        struct search_entry *e = &ix->entries[ix->n++];
        *e = *f;
        e->doc = ix->n_docs;
        e->borrowed = true;
    }
    ix->n_docs++;
}

void search_index_free(struct search_index *ix)
{
    for (size_t i = 0; i < ix->n; i++) {
        if (ix->entries[i].borrowed)
            continue;
        free(ix->entries[i].route);
        free(ix->entries[i].label);
        free(ix->entries[i].text); /* and folded, in the same block */
    }
    for (size_t i = 0; i < ix->n_routes; i++)
        free(ix->routes[i]);
    free(ix->routes);
    free(ix->entries);
    memset(ix, 0, sizeof *ix);
}

/* --- a query --- */

struct terms {
    char *start[SEARCH_TERMS_MAX]; /* folded copies */
    size_t len[SEARCH_TERMS_MAX];
    size_t n;
};

static void split_terms(const char *query, struct terms *t)
{
    t->n = 0;
    const char *q = query;
    while (*q && t->n < SEARCH_TERMS_MAX) {
        while (*q == ' ')
            q++;
        const char *start = q;
        while (*q && *q != ' ')
            q++;
        if (q > start) {
            t->len[t->n] = (size_t)(q - start);
            t->start[t->n] = folded_copy(start, t->len[t->n]);
            t->n++;
        }
    }
}

static void free_terms(struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->start[i]);
}

bool search_has_terms(const char *query)
{
    struct terms t;
    split_terms(query, &t);
    free_terms(&t);
    return t.n > 0;
}

/* Whether the folded HAY holds every term. */
static bool holds_all(const char *hay, size_t len, const struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (!memmem(hay, len, t->start[i], t->len[i]))
            return false;
    return t->n > 0;
}

static bool title_matches(const char *label, const struct terms *t)
{
    char *f = folded_copy(label, strlen(label));
    bool hit = holds_all(f, strlen(f), t);
    free(f);
    return hit;
}

/* The start of the character holding byte I of S (not before FROM). */
static size_t char_start(const char *s, size_t i, size_t from)
{
    while (i > from && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* A cut at I of S moved to the nearest space within a word's length
 * (forward when FORWARD), so the window neither starts nor ends inside a
 * word; I itself when there is none. */
static size_t at_space(const char *s, size_t i, size_t lo, size_t hi,
                       bool forward)
{
    for (size_t k = 0; k < 16; k++) {
        size_t j = forward ? i + k : i - k;
        if (j <= lo || j >= hi)
            break;
        if (s[j] == ' ')
            return forward ? j + 1 : j;
    }
    return i;
}

/* Keeps the line [AT, END) of E as R's next line to show: whole when
 * short, else SEARCH_LINE_SHOWN bytes from a little before the first
 * term's first match (so the reader sees why it matched). */
static void show_line(const struct search_entry *e, size_t at, size_t end,
                      const struct terms *t, struct search_result *r)
{
    size_t start = at, stop = end, k = r->n_lines++;
    if (end - at > SEARCH_LINE_SHOWN) {
        const char *m = memmem(e->folded + at, end - at, t->start[0],
                               t->len[0]);
        size_t hit = m ? (size_t)(m - e->folded) : at;
        if (hit - at > SEARCH_LINE_SHOWN / 3)
            start = at_space(e->text, char_start(e->text,
                             hit - SEARCH_LINE_SHOWN / 6, at), at, hit, true);
        if (end - start > SEARCH_LINE_SHOWN)
            stop = at_space(e->text, char_start(e->text,
                            start + SEARCH_LINE_SHOWN, start), start, end,
                            false);
    }
    r->line[k] = e->text + start;
    r->line_len[k] = stop - start;
    r->line_cut[k] = (unsigned char)((start > at ? SEARCH_CUT_BEFORE : 0) |
                                     (stop < end ? SEARCH_CUT_AFTER : 0));
}

/* Scores entry E: its title, then each line holding every term (the first
 * SEARCH_LINES_MAX kept to show). False when nothing of it matches. A
 * section lacking a term anywhere is passed over with one memmem a term. */
static bool score_entry(const struct search_entry *e, const struct terms *t,
                        struct search_result *r)
{
    *r = (struct search_result){.entry = e};
    bool title = title_matches(e->label + e->title_at, t);
    if (!title && !holds_all(e->folded, e->len, t))
        return false;
    unsigned lines = 0;
    for (size_t at = 0; at < e->len && lines < LINES_COUNTED;) {
        const char *nl = memchr(e->folded + at, '\n', e->len - at);
        size_t end = nl ? (size_t)(nl - e->folded) : e->len;
        if (holds_all(e->folded + at, end - at, t)) {
            if (r->n_lines < SEARCH_LINES_MAX)
                show_line(e, at, end, t, r);
            lines++;
        }
        at = end + 1;
    }
    r->score = (title ? TITLE_SCORE : 0) + lines;
    return r->score > 0;
}

/* Best first; on a tie, the order the site was indexed in. */
static int by_score(const void *a, const void *b)
{
    const struct search_result *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Keeps R when it ranks among the best SEARCH_RESULTS_MAX so far: the
 * list stays sorted, so the work a query does is bounded by the index,
 * not by how many sections match. */
static void keep(struct search *out, const struct search_result *r)
{
    out->matched++;
    if (out->n == SEARCH_RESULTS_MAX &&
        by_score(r, &out->results[out->n - 1]) > 0)
        return;
    size_t at = out->n < SEARCH_RESULTS_MAX ? out->n++ : out->n - 1;
    while (at > 0 && by_score(r, &out->results[at - 1]) < 0) {
        out->results[at] = out->results[at - 1];
        at--;
    }
    out->results[at] = *r;
}

void search_run(const struct search_index *ix, const char *query,
                struct search *out)
{
    memset(out, 0, sizeof *out);
    out->results = xcalloc(SEARCH_RESULTS_MAX, sizeof *out->results);
    struct terms t;
    split_terms(query, &t);
    size_t budget = SEARCH_SCAN_MAX;
    for (size_t i = 0; i < ix->n && t.n; i++) {
        const struct search_entry *e = &ix->entries[i];
        size_t cost = (e->len + 1) * t.n;
        if (cost > budget) {
            out->cut = true;
            break;
        }
        budget -= cost;
        struct search_result r;
        if (score_entry(e, &t, &r))
            keep(out, &r);
    }
    free_terms(&t);
}

void search_free(struct search *s)
{
    free(s->results);
    memset(s, 0, sizeof *s);
}
