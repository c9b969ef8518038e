/* News: the dated list items of the page's news section, as a gemsub page
 * (Gemini's subscription convention) and as an Atom 1.0 feed.
 *
 * Items are numbered from the oldest (the last one in page order is 1), so
 * adding an item on top, as people do, keeps every existing URL and feed
 * id where it was. */
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "capsuled/utf8.h"
#include "layout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* --- dates --- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads 1 or 2 digits in [lo, hi]. */
static bool read_number(const char **p, int lo, int hi, int *value)
{
    const char *s = *p;
    if (!is_digit(s[0]))
        return false;
    int v = s[0] - '0';
    size_t n = 1;
    if (is_digit(s[1])) {
        v = v * 10 + (s[1] - '0');
        n = 2;
    }
    if (v < lo || v > hi)
        return false;
    *value = v;
    *p = s + n;
    return true;
}

static void put_two(char *at, int v)
{
    at[0] = (char)('0' + v / 10 % 10);
    at[1] = (char)('0' + v % 10);
}

static bool is_date_sep(char c)
{
    return c == '.' || c == '-' || c == '/';
}

/* Emphasis or brackets the model may have left around a date. */
static bool is_wrapper(char c)
{
    return c == '*' || c == '_' || c == '[' || c == ']' || c == '(' ||
           c == ')';
}

static const char *skip_blanks(const char *s)
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
static bool ends_date(const char *s)
{
    return *s == '\0' || *s == ':' || *s == ',' || *s == '-' || *s == ' ' ||
           strncmp(s, "\xE2\x80\x93", 3) == 0 ||
           strncmp(s, "\xE2\x80\x94", 3) == 0 ||
           strncmp(s, "\xC2\xA0", 2) == 0;
}

/* Parses a month-precision date at the start of text ("2025.10",
 * "2025-10-01", "2025/10/01", "*2025.10*"); the day, when missing, is 01.
 * Year-only dates ("2022 – 2023") are not news. */
static bool parse_news_date(const char *text, char date[11], const char **rest)
{
    const char *p = skip_blanks(text);
    while (is_wrapper(*p))
        p++;
    for (int i = 0; i < 4; i++)
        if (!is_digit(p[i]))
            return false;
    int year = atoi(p) /* stops at the separator */, month, day = 1;
    char sep = p[4];
    p += 4;
    if (!is_date_sep(sep))
        return false;
    p++;
    if (!read_number(&p, 1, 12, &month))
        return false;
    if (*p == sep && is_digit(p[1])) {
        p++;
        if (!read_number(&p, 1, 31, &day))
            return false;
    }
    while (is_wrapper(*p))
        p++;
    if (!ends_date(p))
        return false;
    put_two(date, year / 100);
    put_two(date + 2, year % 100);
    date[4] = '-';
    put_two(date + 5, month);
    date[7] = '-';
    put_two(date + 8, day);
    date[10] = '\0';
    *rest = p;
    return true;
}

/* --- titles --- */

/* Leading symbols and emoji ("🌻🎉 Our paper…") decorate the list, not the
 * title a feed reader shows; letters of any script (CJK included) stay. */
static bool is_decoration(unsigned cp)
{
    return (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
           cp == 0xFE0F || cp == 0x200D || cp == 0x20E3 ||
           (cp >= 0xE0020 && cp <= 0xE007F) || (cp >= 0x2000 && cp <= 0x200B) ||
           cp == 0xA0 || cp == 0x3000;
}

static bool is_title_sep(unsigned cp)
{
    return cp == ' ' || cp == ':' || cp == ',' || cp == '-' || cp == 0x2013 ||
           cp == 0x2014 || cp == '*' || cp == '_' || cp == ')' || cp == ']';
}

static const char *skip_title_lead(const char *s)
{
    for (;;) {
        unsigned cp;
        size_t n = utf8_decode(s, strlen(s), &cp);
        if (n == 0 || !(is_title_sep(cp) || is_decoration(cp)))
            return s;
        s += n;
    }
}

/* The rest of the item, runs of white space (line breaks too) as one space. */
static char *make_title(const char *rest)
{
    struct buf b = {0};
    bool space = false;
    for (const char *p = skip_title_lead(rest); *p; p++) {
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

static bool contains_nocase(const char *hay, const char *needle)
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

static bool is_named_news(const struct section *s)
{
    return contains_nocase(s->slug, "news") ||
           contains_nocase(s->slug, "updates") ||
           contains_nocase(s->plain_title, "news") ||
           contains_nocase(s->plain_title, "updates");
}

static bool is_dated_item(const struct block *b, char date[11],
                          const char **rest)
{
    return b->type == BLOCK_ITEM && b->text &&
           parse_news_date(b->text, date, rest);
}

static bool mostly_dated(const struct doc *d, const struct section *s)
{
    size_t items = 0, dated = 0;
    for (size_t i = s->first; i < s->first + s->count && i < d->n_blocks; i++) {
        char date[11];
        const char *rest;
        items += d->blocks[i].type == BLOCK_ITEM;
        dated += is_dated_item(&d->blocks[i], date, &rest);
    }
    return dated > 0 && dated * 2 >= items;
}

size_t news_section_index(const struct doc *d)
{
    for (size_t i = 0; i < d->n_sections; i++)
        if (is_named_news(&d->sections[i]))
            return i;
    for (size_t i = 0; i < d->n_sections; i++)
        if (mostly_dated(d, &d->sections[i]))
            return i;
    return (size_t)-1;
}

size_t news_collect(const struct doc *d, struct news_item **out)
{
    *out = NULL;
    size_t si = news_section_index(d);
    if (si == (size_t)-1)
        return 0;
    const struct section *s = &d->sections[si];
    size_t n = 0;
    struct news_item *items = NULL;
    for (size_t i = s->first; i < s->first + s->count && i < d->n_blocks; i++) {
        char date[11];
        const char *rest;
        if (!is_dated_item(&d->blocks[i], date, &rest))
            continue;
        items = xrealloc(items, (n + 1) * sizeof *items);
        memcpy(items[n].date, date, sizeof date);
        items[n].title = make_title(rest);
        items[n].block = i;
        items[n].section = si;
        n++;
    }
    *out = items;
    return n;
}

size_t news_item_number(size_t n_items, size_t i)
{
    return i < n_items ? n_items - i : 0;
}

void news_free(struct news_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i].title);
    free(items);
}

size_t news_newest(const struct news_item *items, size_t n, size_t *idx,
                   size_t max)
{
    size_t shown = 0;
    while (shown < max && shown < n) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < n; i++) {
            bool taken = false;
            for (size_t k = 0; k < shown; k++)
                taken |= idx[k] == i;
            if (!taken && (best == (size_t)-1 ||
                           strcmp(items[i].date, items[best].date) > 0))
                best = i;
        }
        idx[shown++] = best;
    }
    return shown;
}

/* --- gemsub --- */

static void put_item_url(struct buf *out, const struct render_opts *o,
                         size_t n, size_t i)
{
    struct buf path = {0};
    path_news_item(&path, news_item_number(n, i));
    path_gemini_url(out, o->gemini_host, o->gemini_port, path.data);
    buf_free(&path);
}

/* One entry line per item, "=> URL YYYY-MM-DD title": the date followed by
 * a space is what subscribing clients (Lagrange) look for. */
void render_gemsub(const struct doc *d, const struct news_item *items,
                   size_t n, const struct render_opts *o, struct buf *out)
{
    (void)d;
    const char *title = render_site_title(o);
    buf_puts(out, "# ");
    layout_put_clean(out, title, strlen(title));
    buf_puts(out, " — News\n\n");
    for (size_t i = 0; i < n; i++) {
        buf_puts(out, "=> ");
        put_item_url(out, o, n, i);
        buf_printf(out, " %s ", items[i].date);
        layout_put_clean(out, items[i].title, strlen(items[i].title));
        buf_putc(out, '\n');
    }
    /* Undated links: a reader finds a way on, feed parsers skip them. */
    buf_puts(out, "\n=> " PATH_ATOM " Atom feed\n=> " PATH_HOME " Home\n");
}

/* --- Atom --- */

static bool xml_allowed(unsigned cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
}

/* Character data or an attribute value: the five specials escaped, what
 * XML 1.0 forbids dropped, invalid UTF-8 as U+FFFD. */
static void put_xml(struct buf *out, const char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        unsigned cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            buf_puts(out, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        switch (cp) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        default:
            if (xml_allowed(cp))
                buf_put(out, s + i, n);
        }
        i += n;
    }
}

static void put_xml_buf(struct buf *out, struct buf *tmp)
{
    put_xml(out, tmp->data ? tmp->data : "");
    buf_clear(tmp);
}

static bool looks_like_iso_date(const char *s)
{
    if (!s || strlen(s) < 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
            return false;
    return true;
}

/* Newest item date; with no items, the page's date or the epoch (Atom
 * requires an updated element). */
static void feed_updated(const struct news_item *items, size_t n,
                         const struct render_opts *o, char date[11])
{
    size_t idx;
    if (news_newest(items, n, &idx, 1) == 1) {
        memcpy(date, items[idx].date, 11);
    } else if (o->page && looks_like_iso_date(o->page->date)) {
        memcpy(date, o->page->date, 10);
        date[10] = '\0';
    } else {
        memcpy(date, "1970-01-01", 11);
    }
}

static void put_feed_head(const struct news_item *items, size_t n,
                          const struct render_opts *o, struct buf *out)
{
    struct buf tmp = {0};
    char updated[11];
    feed_updated(items, n, o, updated);
    const char *title = render_site_title(o);
    const char *author = o->cfg && o->cfg->site.author_name &&
                                 *o->cfg->site.author_name
                             ? o->cfg->site.author_name
                             : title;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>");
    path_gemini_url(&tmp, o->gemini_host, o->gemini_port, PATH_HOME);
    put_xml_buf(out, &tmp);
    buf_puts(out, "</id>\n  <title>");
    put_xml(out, title);
    buf_puts(out, " — News</title>\n");
    buf_printf(out, "  <updated>%sT00:00:00Z</updated>\n  <author><name>",
               updated);
    put_xml(out, author);
    buf_puts(out, "</name></author>\n  <link rel=\"self\" href=\"");
    path_gemini_url(&tmp, o->gemini_host, o->gemini_port, PATH_ATOM);
    put_xml_buf(out, &tmp);
    buf_puts(out, "\"/>\n  <link rel=\"alternate\" href=\"");
    path_gemini_url(&tmp, o->gemini_host, o->gemini_port, PATH_NEWS);
    put_xml_buf(out, &tmp);
    buf_puts(out, "\"/>\n");
    buf_free(&tmp);
}

static void put_entry(const struct doc *d, const struct news_item *items,
                      size_t n, size_t i, const struct render_opts *o,
                      struct buf *out)
{
    struct buf url = {0};
    put_item_url(&url, o, n, i);
    buf_puts(out, "  <entry>\n    <id>");
    put_xml(out, url.data);
    buf_puts(out, "</id>\n    <title>");
    put_xml(out, items[i].title);
    buf_printf(out, "</title>\n    <updated>%sT00:00:00Z</updated>\n",
               items[i].date);
    buf_puts(out, "    <link rel=\"alternate\" href=\"");
    put_xml(out, url.data);
    buf_puts(out, "\"/>\n    <summary type=\"text\">");
    if (items[i].block < d->n_blocks && d->blocks[items[i].block].text)
        put_xml(out, d->blocks[items[i].block].text);
    else
        put_xml(out, items[i].title);
    buf_puts(out, "</summary>\n  </entry>\n");
    buf_free(&url);
}

void render_atom(const struct doc *d, const struct news_item *items,
                 size_t n, const struct render_opts *o, struct buf *out)
{
    put_feed_head(items, n, o, out);
    for (size_t i = 0; i < n; i++)
        put_entry(d, items, n, i, o, out);
    buf_puts(out, "</feed>\n");
}
