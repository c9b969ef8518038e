/* Search over the document model: the terms of a query, which lines hold
 * them all, and the list of hits the result pages show, in order. Only
 * decides; writing the pages is the renderers' (search.h). */
#include "capsuled/search.h"
#include "capsuled/buf.h"

#include <stdlib.h>
#include <string.h>

enum { SEARCH_TERMS_MAX = 16, SEARCH_LINES_PER_SECTION = 3 };

struct terms {
    const char *start[SEARCH_TERMS_MAX];
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
            t->start[t->n] = start;
            t->len[t->n] = (size_t)(q - start);
            t->n++;
        }
    }
}

bool search_has_terms(const char *query)
{
    struct terms t;
    split_terms(query, &t);
    return t.n > 0;
}

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool contains_folded(const char *hay, size_t hay_len, const char *needle,
                            size_t needle_len)
{
    if (needle_len > hay_len)
        return false;
    for (size_t i = 0; i + needle_len <= hay_len; i++) {
        size_t k = 0;
        while (k < needle_len &&
               fold((unsigned char)hay[i + k]) == fold((unsigned char)needle[k]))
            k++;
        if (k == needle_len)
            return true;
    }
    return false;
}

static bool line_matches(const char *line, size_t len, const struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (!contains_folded(line, len, t->start[i], t->len[i]))
            return false;
    return t->n > 0;
}

static void add_hit(struct search *out, size_t section, const char *line,
                    size_t len)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->hits = xrealloc(out->hits, out->cap * sizeof *out->hits);
    }
    out->hits[out->n++] = (struct search_hit){section, line, len};
}

/* The hits of one section: the section itself before its first matching
 * line (unless its title matched), then up to SEARCH_LINES_PER_SECTION
 * lines; a section whose title alone matched is added after the walk. */
static void search_section(const struct doc *d, size_t si,
                           const struct terms *t, struct search *out)
{
    const struct section *sec = &d->sections[si];
    bool section_hit = sec->title &&
                       line_matches(sec->title, strlen(sec->title), t);
    size_t shown = 0;
    for (size_t b = sec->first; b < sec->first + sec->count &&
                                b < d->n_blocks; b++) {
        const struct block *blk = &d->blocks[b];
        if (blk->type == BLOCK_HEADING && b == sec->first)
            continue; /* the title, shown as the link */
        const char *line = blk->text ? blk->text : "";
        while (*line) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            if (line_matches(line, len, t)) {
                if (!section_hit) {
                    add_hit(out, si, NULL, 0);
                    section_hit = true;
                    out->sections++;
                }
                if (shown++ < SEARCH_LINES_PER_SECTION)
                    add_hit(out, si, line, len);
            }
            line += len + (nl ? 1 : 0);
        }
    }
    if (section_hit && shown == 0) {
        add_hit(out, si, NULL, 0);
        out->sections++;
    }
}

void search_run(const struct doc *d, const char *query, struct search *out)
{
    memset(out, 0, sizeof *out);
    struct terms t;
    split_terms(query, &t);
    for (size_t si = 0; si < d->n_sections; si++)
        search_section(d, si, &t, out);
}

void search_free(struct search *s)
{
    free(s->hits);
    memset(s, 0, sizeof *s);
}
