/* Sections: blocks grouped at every heading of the page's top level,
 * named with unique slugs, given the anchors that point into them; then
 * section links resolved against those anchors. */
#include "doc_internal.h"
#include "capsuled/paths.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int top_level(const struct doc *d)
{
    bool h2 = false;
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (d->blocks[i].type != BLOCK_HEADING)
            continue;
        if (d->blocks[i].level == 1)
            return 1;
        h2 = h2 || d->blocks[i].level == 2;
    }
    return h2 ? 2 : 0;
}

static bool starts_section(const struct doc *d, size_t i, int top)
{
    return top && d->blocks[i].type == BLOCK_HEADING &&
           d->blocks[i].level == top;
}

static struct section *new_section(struct doc *d, size_t *cap, size_t first)
{
    struct section *s = PUSH(d->sections, d->n_sections, *cap);
    memset(s, 0, sizeof *s);
    s->first = first;
    return s;
}

/* Slugs in use, and for each repeated base the next suffix to try, so a
 * page of a thousand "News" headings does not count up from 2 each time. */
struct slugger {
    struct strmap taken, next;
    char **bases;
    size_t n_bases, cap_bases;
};

/* base, or base-2, base-3, …: the first one not taken; takes base. */
static char *unique_slug(struct slugger *sl, char *base)
{
    char *slug = base;
    if (doc_strmap_get(&sl->taken, base, NULL)) {
        size_t k = 2;
        const char *key = base;
        if (!doc_strmap_get(&sl->next, base, &k))
            key = *PUSH(sl->bases, sl->n_bases, sl->cap_bases) = xstrdup(base);
        struct buf b = {0};
        do {
            buf_clear(&b);
            buf_printf(&b, "%s-%zu", base, k++);
        } while (doc_strmap_get(&sl->taken, b.data, NULL));
        /* A known base keeps its stored key: only its count changes. */
        doc_strmap_put(&sl->next, key, k);
        free(base);
        slug = buf_detach(&b);
    }
    doc_strmap_put(&sl->taken, slug, 0);
    return slug;
}

static void slugger_free(struct slugger *sl)
{
    for (size_t i = 0; i < sl->n_bases; i++)
        free(sl->bases[i]);
    free(sl->bases);
    doc_strmap_free(&sl->taken);
    doc_strmap_free(&sl->next);
}

/* A slug that can be a path (paths.h) for a name that cannot: slugified
 * as heading text is, cut to PATH_SLUG_MAX bytes at a character boundary,
 * "section" when nothing is left. */
static char *path_safe_slug(const char *name)
{
    char *slug = doc_slugify(name);
    size_t n = strlen(slug);
    if (n > PATH_SLUG_MAX) {
        n = PATH_SLUG_MAX;
        while (n > 0 && ((unsigned char)slug[n] & 0xC0) == 0x80)
            n--; /* not inside a character */
        while (n > 0 && slug[n - 1] == '-')
            n--;
        slug[n] = '\0';
    }
    if (!slug[0]) {
        free(slug);
        slug = xstrdup("section");
    }
    return slug;
}

/* Bytes of s to quote in a message: all of it, or about 60 bytes cut at a
 * character boundary (a heading may be any length). */
static int quoted_length(const char *s, bool *cut)
{
    size_t n = strlen(s);
    *cut = n > 64;
    if (!*cut)
        return (int)n;
    n = 60;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static void report_unsafe(struct walker *w, const struct block *h,
                          bool given, const char *name, const char *slug)
{
    bool cut;
    int n = quoted_length(name, &cut);
    doc_report(w, DIAG_WARNING, h->line,
               "heading %s '%.*s%s' is not a safe path%s; served as /%s/",
               given ? "id" : "slug", n, name, cut ? "…" : "",
               strlen(name) > PATH_SLUG_MAX ? " (too long)" : "", slug);
}

/* The section's slug is its path: an id (or a heading text) that cannot be
 * one is served under a safe slug, reported, and kept as an anchor so that
 * links to it follow. */
static void name_section(struct walker *w, struct section *s,
                         struct slugger *sl)
{
    const struct block *h = &w->out.doc->blocks[s->first];
    char *id = w->out.explicit_ids[s->first];
    bool given = id && id[0];
    char *name = given ? xstrdup(id) : doc_slugify(h->text);
    if (!name[0]) {
        free(name);
        name = xstrdup("section");
    }
    bool safe = path_slug_is_safe(name);
    s->slug = unique_slug(sl, safe ? xstrdup(name) : path_safe_slug(name));
    if (!safe) {
        report_unsafe(w, h, given, name, s->slug);
        doc_add_anchor(w, name, s->first);
        name = NULL;
    }
    free(name);
    s->title = xstrdup(h->text);
    s->plain_title = doc_plain_title(h->text);
}

static void split_sections(struct walker *w, int top)
{
    struct doc *d = w->out.doc;
    size_t cap = 0;
    struct slugger sl = {0};
    size_t first_start = d->n_blocks;
    for (size_t i = 0; i < d->n_blocks; i++)
        if (starts_section(d, i, top)) {
            first_start = i;
            break;
        }
    if (first_start > 0 || d->n_blocks == 0) {
        struct section *home = new_section(d, &cap, 0);
        home->count = first_start;
        home->slug = xstrdup("home");
        home->title = xstrdup("");
        home->plain_title = xstrdup("");
        doc_strmap_put(&sl.taken, home->slug, 0);
    }
    for (size_t i = first_start; i < d->n_blocks; i++) {
        if (starts_section(d, i, top)) {
            struct section *s = new_section(d, &cap, i);
            name_section(w, s, &sl);
        }
        d->sections[d->n_sections - 1].count++;
    }
    slugger_free(&sl);
}

static size_t *section_of_blocks(const struct doc *d)
{
    size_t *of = xmalloc((d->n_blocks + 1) * sizeof *of);
    for (size_t s = 0; s < d->n_sections; s++)
        for (size_t i = 0; i < d->sections[s].count; i++)
            of[d->sections[s].first + i] = s;
    return of;
}

static void add_section_anchor(struct doc *d, struct strmap *ids, size_t s,
                               const char *id)
{
    if (!id || !id[0] || doc_strmap_get(ids, id, NULL))
        return;
    struct section *sec = &d->sections[s];
    sec->anchors = xrealloc(sec->anchors,
                            (sec->n_anchors + 1) * sizeof *sec->anchors);
    char *copy = xstrdup(id);
    sec->anchors[sec->n_anchors++] = copy;
    doc_strmap_put(ids, copy, s);
}

/* The ids Jekyll's kramdown gives the headings without one of their own
 * ("🔥 News" → "-news", a repeat "-news-1"), so that the site's own
 * links to them ("/#-news") find their section. Repeats are counted in a
 * map: a page of thousands of headings stays linear. */
static void add_gfm_ids(struct walker *w, struct strmap *ids, size_t *of)
{
    struct doc *d = w->out.doc;
    char **seen = xcalloc(d->n_blocks + 1, sizeof *seen);
    struct strmap count = {0}; /* id -> headings that gave it so far */
    size_t n = 0;
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (d->blocks[i].type != BLOCK_HEADING || w->out.explicit_ids[i])
            continue;
        char *id = doc_gfm_id(d->blocks[i].text);
        size_t repeats = 0;
        doc_strmap_get(&count, id, &repeats);
        doc_strmap_put(&count, id, repeats + 1);
        seen[n++] = id;
        if (repeats == 0) {
            add_section_anchor(d, ids, of[i], id);
            continue;
        }
        struct buf b = {0};
        buf_printf(&b, "%s-%zu", id, repeats);
        add_section_anchor(d, ids, of[i], b.data);
        buf_free(&b);
    }
    doc_strmap_free(&count);
    for (size_t j = 0; j < n; j++)
        free(seen[j]);
    free(seen);
}

/* Every id a link may name: section slugs, then ids met in the text and
 * given to headings, then the slugs of H2/H3 sub-headings. */
static void collect_anchors(struct walker *w, int top, struct strmap *ids)
{
    struct doc *d = w->out.doc;
    size_t *of = section_of_blocks(d);
    for (size_t s = 0; s < d->n_sections; s++)
        doc_strmap_put(ids, d->sections[s].slug, s);
    const struct anchor_rec *a = w->out.anchors;
    for (size_t i = 0; i < w->out.n_anchors && d->n_blocks; i++)
        add_section_anchor(d, ids, of[a[i].block], a[i].id);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < d->n_blocks; i++) {
            if (d->blocks[i].type != BLOCK_HEADING || starts_section(d, i, top))
                continue;
            if (pass == 0) {
                add_section_anchor(d, ids, of[i], w->out.explicit_ids[i]);
            } else if (d->blocks[i].level <= 3) {
                /* H4-H6 are styled paragraphs in these templates: their
                 * text makes no useful anchor. */
                char *slug = doc_slugify(d->blocks[i].text);
                add_section_anchor(d, ids, of[i], slug);
                free(slug);
            }
        }
    }
    add_gfm_ids(w, ids, of);
    free(of);
}

/* Section links learn their section's slug, or go (with a warning) when
 * the page has no such anchor; a dropped link's label is text again. */
static void resolve_section_links(struct walker *w, struct strmap *ids)
{
    struct doc *d = w->out.doc;
    for (size_t i = 0; i < w->out.n_section_links; i++) {
        struct block *b = &d->blocks[w->out.section_links[i].block];
        struct link *l = &b->links[w->out.section_links[i].link];
        size_t s;
        char *slug = NULL;
        bool found = doc_strmap_get(ids, l->section, &s);
        if (!found) {
            slug = doc_slugify(l->section);
            found = doc_strmap_get(ids, slug, &s);
        }
        free(slug);
        if (!found) {
            doc_report(w, DIAG_WARNING, b->line,
                       "link to unknown anchor #%s dropped", l->section);
            if (!doc_only_separators(l->label, strlen(l->label)))
                w->out.residual_plain[w->out.section_links[i].block] = false;
            free(l->section);
            l->section = NULL;
            continue;
        }
        free(l->section);
        l->section = xstrdup(d->sections[s].slug);
        if (!l->label[0]) {
            free(l->label);
            l->label = xstrdup(d->sections[s].title);
        }
    }
    for (size_t i = 0; i < d->n_blocks; i++) {
        doc_links_compact(&d->blocks[i]);
        d->blocks[i].only_links = d->blocks[i].n_links > 0 &&
                                  w->out.residual_plain[i];
    }
}

void doc_build_sections(struct walker *w)
{
    int top = top_level(w->out.doc);
    split_sections(w, top);
    struct strmap ids = {0};
    collect_anchors(w, top, &ids);
    resolve_section_links(w, &ids);
    doc_strmap_free(&ids);
}

const struct section *doc_find_section(const struct doc *d, const char *slug)
{
    for (size_t i = 0; i < d->n_sections; i++)
        if (!strcmp(d->sections[i].slug, slug))
            return &d->sections[i];
    return NULL;
}
