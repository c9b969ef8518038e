/* News: the section of the page that is the news, its dated list items
 * with their dates, titles and numbers, and their order by date (see
 * include/capsuled/news.h). Decided once per model; the gemtext and
 * gophermap pages, the feeds and the route table read the result.
 *
 * The feed is the items newest first, each with its route and summary;
 * news_merge_posts adds a site's posts to it (the site layer finds them),
 * so every feed, the .plan and the latest news read one list.
 *
 * Items are numbered from the oldest (the last one in page order is 1), so
 * adding an item on top, as people do, keeps every existing URL and feed
 * id where it was. */
#include "capsuled/news.h"
#include "capsuled/buf.h"
#include "capsuled/paths.h"
#include "capsuled/url.h"
#include "capsuled/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* --- dates --- */

static bool S_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads 1 or 2 digits in [lo, hi]. */
static bool S_read_number(const char **p, int lo, int hi, int *value)
{
    const char *s = *p;
    if (!S_is_digit(s[0]))
        return false;
    int v = s[0] - '0';
    size_t n = 1;
    if (S_is_digit(s[1])) {
        v = v * 10 + (s[1] - '0');
        n = 2;
    }
    if (v < lo || v > hi)
        return false;
    *value = v;
    *p = s + n;
    return true;
}

static void S_put_two(char *at, int v)
{
    at[0] = (char)('0' + v / 10 % 10);
    at[1] = (char)('0' + v % 10);
}

static bool S_is_date_sep(char c)
{
    return c == '.' || c == '-' || c == '/';
}

/* Emphasis or brackets the model may have left around a date. */
static bool S_is_wrapper(char c)
{
    return c == '*' || c == '_' || c == '[' || c == ']' || c == '(' ||
           c == ')';
}

static const char *S_skip_blanks(const char *s)
{
    for (;;) {
        if (*s == ' ')
            s++;
        else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
            s += 2; /* no-break space, as left by &nbsp; */
        else
            return s;
    }
}

/* What may follow a date: end, ':' ',' '-' '–' '—', a space or an NBSP. */
static bool S_ends_date(const char *s)
{
    return *s == '\0' || *s == ':' || *s == ',' || *s == '-' || *s == ' ' ||
           strncmp(s, "\xE2\x80\x93", 3) == 0 ||
           strncmp(s, "\xE2\x80\x94", 3) == 0 ||
           strncmp(s, "\xC2\xA0", 2) == 0;
}

static void S_put_date(char date[11], int year, int month, int day)
{
    S_put_two(date, year / 100);
    S_put_two(date + 2, year % 100);
    date[4] = '-';
    S_put_two(date + 5, month);
    date[7] = '-';
    S_put_two(date + 8, day);
    date[10] = '\0';
}

/* Parses a month-precision date at the start of text ("2025.10",
 * "2025-10-01", "2025/10/01", "*2025.10*"); the day, when missing, is 01.
 * Year-only dates ("2022 – 2023") are not news. */
static bool S_parse_date(const char *text, char date[11], const char **rest)
{
    const char *p = S_skip_blanks(text);
    while (S_is_wrapper(*p))
        p++;
    for (int i = 0; i < 4; i++)
        if (!S_is_digit(p[i]))
            return false;
    int year = atoi(p) /* stops at the separator */, month, day = 1;
    char sep = p[4];
    p += 4;
    if (!S_is_date_sep(sep))
        return false;
    p++;
    if (!S_read_number(&p, 1, 12, &month))
        return false;
    if (*p == sep && S_is_digit(p[1])) {
        p++;
        if (!S_read_number(&p, 1, 31, &day))
            return false;
    }
    while (S_is_wrapper(*p))
        p++;
    if (!S_ends_date(p))
        return false;
    S_put_date(date, year, month, day);
    *rest = p;
    return true;
}

/* --- titles --- */

/* Leading symbols and emoji ("🌻🎉 Our paper…") decorate the list, not the
 * title a feed reader shows; letters of any script (CJK included) stay. */
static bool S_is_decoration(unsigned cp)
{
    return (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
           cp == 0xFE0F || cp == 0x200D || cp == 0x20E3 ||
           (cp >= 0xE0020 && cp <= 0xE007F) || (cp >= 0x2000 && cp <= 0x200B) ||
           cp == 0xA0 || cp == 0x3000;
}

static bool S_is_title_sep(unsigned cp)
{
    return cp == ' ' || cp == ':' || cp == ',' || cp == '-' || cp == 0x2013 ||
           cp == 0x2014 || cp == '*' || cp == '_' || cp == ')' || cp == ']';
}

static const char *S_skip_title_lead(const char *s)
{
    for (;;) {
        unsigned cp;
        size_t n = utf8_decode(s, strlen(s), &cp);
        if (n == 0 || !(S_is_title_sep(cp) || S_is_decoration(cp)))
            return s;
        s += n;
    }
}

/* The rest of the item, runs of white space (line breaks too) as one space. */
static char *S_make_title(const char *rest)
{
    struct buf b = {0};
    bool space = false;
    for (const char *p = S_skip_title_lead(rest); *p; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t') {
            space = true;
            continue;
        }
        if (space && b.len)
            buf_putc(&b, ' ');
        space = false;
        buf_putc(&b, *p);
    }
    if (b.len == 0)
        buf_puts(&b, "News");
    return buf_detach(&b);
}

/* --- the news section --- */

static bool S_contains_nocase(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && (p[i] | 0x20) == needle[i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static bool S_is_named_news(const struct section *s)
{
    return S_contains_nocase(s->slug, "news") ||
           S_contains_nocase(s->slug, "updates") ||
           S_contains_nocase(s->plain_title, "news") ||
           S_contains_nocase(s->plain_title, "updates");
}

static bool S_is_dated_item(const struct block *b, char date[11],
                            const char **rest)
{
    return b->type == BLOCK_ITEM && b->text &&
           S_parse_date(b->text, date, rest);
}

/* The blocks of a section, bounded by the model's. */
static size_t S_section_end(const struct doc *d, const struct section *s)
{
    size_t end = s->first + s->count;
    return end < d->n_blocks ? end : d->n_blocks;
}

static bool S_mostly_dated(const struct doc *d, const struct section *s)
{
    size_t items = 0, dated = 0;
    for (size_t i = s->first; i < S_section_end(d, s); i++) {
        char date[11];
        const char *rest;
        items += d->blocks[i].type == BLOCK_ITEM;
        dated += S_is_dated_item(&d->blocks[i], date, &rest);
    }
    return dated > 0 && dated * 2 >= items;
}

static size_t S_news_section(const struct doc *d)
{
    for (size_t i = 0; i < d->n_sections; i++)
        if (S_is_named_news(&d->sections[i]))
            return i;
    for (size_t i = 0; i < d->n_sections; i++)
        if (S_mostly_dated(d, &d->sections[i]))
            return i;
    return NEWS_NONE;
}

/* --- the items --- */

static void S_collect(const struct doc *d, const struct section *s,
                      struct news *out)
{
    size_t cap = 0;
    for (size_t i = s->first; i < S_section_end(d, s); i++) {
        char date[11];
        const char *rest;
        if (!S_is_dated_item(&d->blocks[i], date, &rest))
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->items = xrealloc(out->items, cap * sizeof *out->items);
        }
        struct news_item *it = &out->items[out->n++];
        memcpy(it->date, date, sizeof date);
        it->title = S_make_title(rest);
        it->block = i;
    }
    for (size_t i = 0; i < out->n; i++)
        out->items[i].number = out->n - i;
}

/* Newer dates first; among equal dates the item higher on the page. */
static int S_newer_first(const void *a, const void *b)
{
    const struct news_item *x = *(const struct news_item *const *)a;
    const struct news_item *y = *(const struct news_item *const *)b;
    int c = strcmp(y->date, x->date);
    return c ? c : (x > y) - (x < y);
}

/* n->n > 0 */
static void S_order_by_date(struct news *n)
{
    const struct news_item **order = xmalloc(n->n * sizeof *order);
    for (size_t i = 0; i < n->n; i++)
        order[i] = &n->items[i];
    qsort(order, n->n, sizeof *order, S_newer_first);
    n->by_date = xmalloc(n->n * sizeof *n->by_date);
    for (size_t i = 0; i < n->n; i++)
        n->by_date[i] = (size_t)(order[i] - n->items);
    free(order);
}

/* --- the feed --- */

static void S_feed_item(const struct doc *d, struct news *n, size_t item,
                        struct news_entry *e)
{
    const struct news_item *it = &n->items[item];
    struct buf link = {0};
    path_news_item(&link, it->number);
    memcpy(e->date, it->date, sizeof e->date);
    e->title = xstrdup(it->title);
    e->link = buf_detach(&link);
    const char *text = d->blocks[it->block].text;
    e->summary = xstrdup(text && *text ? text : it->title);
    e->item = item;
    e->gopher = false;
}

/* The section's items, newest first: the feed of a page without posts. */
static void S_feed_items(const struct doc *d, struct news *n)
{
    n->feed = xcalloc(n->n ? n->n : 1, sizeof *n->feed);
    for (size_t i = 0; i < n->n; i++)
        S_feed_item(d, n, n->by_date[i], &n->feed[i]);
    n->n_feed = n->n;
}

void news_build(const struct doc *d, struct news *out)
{
    memset(out, 0, sizeof *out);
    out->section = S_news_section(d);
    if (out->section == NEWS_NONE)
        return;
    S_collect(d, &d->sections[out->section], out);
    if (out->n > 0)
        S_order_by_date(out);
    S_feed_items(d, out);
}

/* --- posts merged in --- */

/* The path of a link's URL: after "scheme://host" when it has one, before
 * its query or fragment, percent-escapes decoded. NULL when none. */
static char *S_link_path(const char *url)
{
    const char *p = strstr(url, "://");
    if (p && p != url + strcspn(url, ":/?#"))
        p = NULL; /* "://" in the path or query, not after a scheme */
    if (p) {
        p = strchr(p + 3, '/');
        if (!p)
            return xstrdup("/");
    } else if (url[0] == '/') {
        p = url;
    } else {
        return NULL;
    }
    size_t n = strcspn(p, "?#");
    char *out = xmalloc(n + 1);
    long len = url_decode(p, n, out, n + 1);
    if (len < 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

/* PATH names ROUTE: the same, or its .html, index.html or slashless form
 * (a route "/a/b/" or "/a/b", as the site serves them). */
static bool S_names_route(const char *path, const char *route)
{
    size_t r = strlen(route), p = strlen(path);
    if (r == 0)
        return false;
    if (p < r - (r > 1 && route[r - 1] == '/'))
        return false;
    if (strncmp(path, route, r) == 0)
        return path[r] == '\0' || strcmp(path + r, ".html") == 0 ||
               (route[r - 1] == '/' && strcmp(path + r, "index.html") == 0);
    /* "/a/b" for the route "/a/b/" */
    return route[r - 1] == '/' && p == r - 1 && strncmp(path, route, p) == 0;
}

static bool S_block_links_to(const struct block *b, const char *route)
{
    for (size_t i = 0; i < b->n_links; i++) {
        char *path = b->links[i].url ? S_link_path(b->links[i].url) : NULL;
        bool same = path && S_names_route(path, route);
        free(path);
        if (same)
            return true;
    }
    return false;
}

static char *S_text_or(const char *text, const char *fallback)
{
    return xstrdup(text && *text ? text : fallback);
}

static void S_feed_post(const struct news_post *p, struct news_entry *e)
{
    memcpy(e->date, p->date, sizeof e->date);
    e->date[10] = '\0';
    /* Cleaned as the section's titles are: no leading emoji or dashes. */
    e->title = S_make_title(p->title ? p->title : "");
    e->link = xstrdup(p->link);
    e->summary = S_text_or(p->summary, e->title);
    e->item = NEWS_NONE;
    e->gopher = p->gopher;
}

/* Newer first; among equal dates posts first, then in the order given
 * (entries hold their position in the list being sorted). */
static int S_entry_newer_first(const void *a, const void *b)
{
    const struct news_entry *x = *(const struct news_entry *const *)a;
    const struct news_entry *y = *(const struct news_entry *const *)b;
    int c = strcmp(y->date, x->date);
    if (c)
        return c;
    bool xp = x->item == NEWS_NONE, yp = y->item == NEWS_NONE;
    if (xp != yp)
        return xp ? -1 : 1;
    return (x > y) - (x < y);
}

static void S_entry_free(struct news_entry *e)
{
    free(e->title);
    free(e->link);
    free(e->summary);
}

/* The post that the feed's entry E, an item of the section, repeats (the
 * same date, a link to it), or NEWS_NONE. */
static size_t S_repeated_post(const struct doc *d, const struct news *n,
                              const struct news_entry *e,
                              const struct news_post *posts, size_t n_posts)
{
    const struct block *b = &d->blocks[n->items[e->item].block];
    for (size_t i = 0; i < n_posts; i++)
        if (strncmp(posts[i].date, e->date, 10) == 0 && posts[i].link &&
            S_block_links_to(b, posts[i].link))
            return i;
    return NEWS_NONE;
}

/* The entries of the feed and the posts, in one array, repeats dropped. */
static struct news_entry *S_gather(const struct doc *d, struct news *n,
                                   const struct news_post *posts,
                                   size_t n_posts, size_t *count)
{
    struct news_entry *all = xcalloc(n->n_feed + n_posts + 1, sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < n_posts; i++)
        S_feed_post(&posts[i], &all[k++]);
    for (size_t i = 0; i < n->n_feed; i++) {
        size_t p = S_repeated_post(d, n, &n->feed[i], posts, n_posts);
        if (p == NEWS_NONE) {
            all[k++] = n->feed[i];
            continue;
        }
        /* One entry, the post's, worded as the News section words it:
         * that line is what the page's readers see ("Second post is
         * out."), the post's own title heads the post. */
        free(all[p].title);
        all[p].title = n->feed[i].title;
        n->feed[i].title = NULL;
        S_entry_free(&n->feed[i]);
    }
    *count = k;
    return all;
}

void news_merge_posts(struct news *n, const struct doc *d,
                      const struct news_post *posts, size_t n_posts)
{
    if (n_posts == 0)
        return;
    size_t count;
    struct news_entry *all = S_gather(d, n, posts, n_posts, &count);
    struct news_entry **order = xmalloc(count * sizeof *order);
    for (size_t i = 0; i < count; i++)
        order[i] = &all[i];
    qsort(order, count, sizeof *order, S_entry_newer_first);
    free(n->feed);
    n->feed = xmalloc(count * sizeof *n->feed);
    for (size_t i = 0; i < count; i++)
        n->feed[i] = *order[i];
    n->n_feed = count;
    free(order);
    free(all);
}

static int S_block_cmp(const void *key, const void *item)
{
    size_t block = *(const size_t *)key;
    size_t at = ((const struct news_item *)item)->block;
    return (block > at) - (block < at);
}

/* Items are in page order, so their blocks are sorted. */
const struct news_item *news_at_block(const struct news *n, size_t block)
{
    if (!n || n->n == 0)
        return NULL;
    return bsearch(&block, n->items, n->n, sizeof *n->items, S_block_cmp);
}

void news_free(struct news *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->items[i].title);
    for (size_t i = 0; i < n->n_feed; i++)
        S_entry_free(&n->feed[i]);
    free(n->feed);
    free(n->items);
    free(n->by_date);
    memset(n, 0, sizeof *n);
    n->section = NEWS_NONE;
}
