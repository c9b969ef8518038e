/* minimal-mistakes' `single` layout as academicpages uses it, and
 * academicpages' `talk` layout (see capsuled/theme.h): the venue and date
 * lines of the page's header, the recommended citation with its download
 * links, and the Direct Link, written as the layout writes them. */
#include "capsuled/theme.h"

#include <string.h>

static const char *S_text(const struct value *page, const char *key)
{
    const struct value *v = value_hash_get(page, key);
    enum value_kind k = value_kind(v);
    const char *t = k == VALUE_STRING || k == VALUE_DATE || k == VALUE_INT
                        ? value_text(v)
                        : NULL;
    return t && *t ? t : NULL;
}

/* A value inside one HTML block: its line breaks become spaces. */
static void S_put_oneline(struct buf *out, const char *s)
{
    for (; *s; s++)
        buf_putc(out, *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* Liquid's `truncate: N` over one line of text: at most N characters,
 * the last three of them "..." when the text is longer (UTF-8 counted by
 * characters); line breaks become spaces. */
static void S_put_truncated(struct buf *out, const char *s, size_t n)
{
    size_t chars = 0, len = strlen(s), cut = len;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (chars == n - 3)
            cut = i;
        if (++chars > n)
            break;
    }
    if (chars <= n)
        cut = len;
    for (size_t i = 0; i < cut; i++)
        buf_putc(out, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
    if (cut < len)
        buf_puts(out, "...");
}

/* The date's year, as `date: "%Y"` prints it; false without a date. */
static bool S_put_year(struct buf *out, const char *date)
{
    if (!date || strlen(date) < 4)
        return false;
    buf_put(out, date, 4);
    return true;
}

/* `date: "%B %d, %Y"`: "October 01, 2009". */
static void S_put_long_date(struct buf *out, const char *date)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int month = strlen(date) >= 10 && date[4] == '-' && date[7] == '-'
                    ? (date[5] - '0') * 10 + (date[6] - '0')
                    : 0;
    if (month < 1 || month > 12) {
        buf_puts(out, date);
        return;
    }
    buf_printf(out, "%s %.2s, %.4s", months[month - 1], date + 8, date);
}

/* --- before the content --- */

/* single.html's header: "TYPE, VENUE, YEAR" for teaching, else
 * "Published in VENUE, YEAR" when the item has a venue and a date. */
static void S_single_header(const struct value *page, struct buf *out)
{
    const char *venue = S_text(page, "venue"), *date = S_text(page, "date");
    const char *collection = S_text(page, "collection");
    if (collection && strcmp(collection, "teaching") == 0) {
        const char *type = S_text(page, "type");
        buf_printf(out, "<p>%s, <i>%s</i>, ", type ? type : "",
                   venue ? venue : "");
        if (!S_put_year(out, date))
            buf_puts(out, "1900");
        buf_puts(out, "</p>\n\n");
    } else if (venue && date) {
        buf_printf(out, "<p>Published in <i>%s</i>, ", venue);
        S_put_year(out, date);
        buf_puts(out, "</p>\n\n");
    }
}

/* talk.html's header: "Date: …", then "TYPE at VENUE, LOCATION". */
static void S_talk_header(const struct value *page, struct buf *out)
{
    const char *date = S_text(page, "modified");
    if (!date)
        date = S_text(page, "date");
    if (date) {
        buf_puts(out, "<p>Date: ");
        S_put_long_date(out, date);
        buf_puts(out, "</p>\n\n");
    }
    const char *type = S_text(page, "talk_type");
    if (type) {
        const char *venue = S_text(page, "venue");
        const char *location = S_text(page, "location");
        buf_printf(out, "<p>%s at %s, %s</p>\n\n", type, venue ? venue : "",
                   location ? location : "");
    }
}

void theme_single_before(const char *layout, const struct value *page,
                         struct buf *out)
{
    if (strcmp(layout, "talk") == 0)
        S_talk_header(page, out);
    else
        S_single_header(page, out);
}

/* --- after the content --- */

/* A URL inside a quoted attribute: a quote would end it. */
static void S_put_url(struct buf *out, const char *url)
{
    for (; *url; url++) {
        if (*url == '"')
            buf_puts(out, "%22");
        else if (*url != '\n' && *url != '\r')
            buf_putc(out, *url);
    }
}

static void S_put_download(struct buf *out, bool *first, const char *url,
                           const char *label)
{
    buf_puts(out, *first ? "" : " | ");
    buf_puts(out, "<a href=\"");
    S_put_url(out, url);
    buf_printf(out, "\">Download %s</a>", label);
    *first = false;
}

/* single.html's chain of `elsif`s over citation, paperurl, slidesurl and
 * bibtexurl: with a citation every link it has; without one, slides and
 * bibtex, else paper and bibtex, else slides, else bibtex (a paper link
 * alone is not shown). */
static void S_citation(const struct value *page, struct buf *out)
{
    const char *cite = S_text(page, "citation");
    const char *paper = S_text(page, "paperurl");
    const char *slides = S_text(page, "slidesurl");
    const char *bibtex = S_text(page, "bibtexurl");
    if (!cite) {
        paper = slides && bibtex ? NULL : bibtex ? paper : NULL;
        slides = slides && (bibtex || !paper) ? slides : NULL;
    }
    if (!cite && !paper && !slides && !bibtex)
        return;
    bool first = true;
    buf_puts(out, "\n<p>");
    if (cite) {
        buf_puts(out, "Recommended citation: ");
        S_put_oneline(out, cite);
        buf_puts(out, paper || slides || bibtex ? "<br />" : "");
    }
    if (paper)
        S_put_download(out, &first, paper, "Paper");
    if (slides)
        S_put_download(out, &first, slides, "Slides");
    if (bibtex)
        S_put_download(out, &first, bibtex, "Bibtex");
    buf_puts(out, "</p>\n");
}

void theme_single_after(const char *layout, const struct value *page,
                        struct buf *out)
{
    if (strcmp(layout, "talk") != 0)
        S_citation(page, out);
    const char *link = S_text(page, "link");
    if (link) {
        buf_puts(out, "\n<div><a href=\"");
        S_put_url(out, link);
        buf_puts(out, "\">Direct Link</a></div>\n");
    }
}

/* --- minimal-mistakes' home layout --- */

/* A label of _data/ui-text.yml in the site's locale ("en-GB", else its
 * language "en"), else FALLBACK, as the theme's `| default:` has it. */
static const char *S_ui_text(const struct value *site, const char *key,
                             const char *fallback)
{
    const struct value *ui = value_path_get(site, "data.ui-text");
    const char *locale = S_text(site, "locale");
    const struct value *labels = value_hash_get(ui, locale ? locale : "en");
    if (!labels && locale)
        labels = value_hash_getn(ui, locale, strcspn(locale, "-_"));
    const char *label = S_text(labels, key);
    return label ? label : fallback;
}

/* archive-single.html (list): the title linking to the post, then the
 * excerpt as plain text cut at 160 characters (`truncate: 160`). */
static void S_archive_item(const struct value *post, struct buf *out)
{
    const char *title = S_text(post, "title");
    const char *url = S_text(post, "url");
    buf_puts(out, "- ");
    if (title && url) {
        buf_printf(out, "[%s](", title);
        S_put_url(out, url);
        buf_puts(out, ")");
    } else if (title) {
        buf_puts(out, title);
    }
    const char *excerpt = S_text(post, "excerpt");
    while (excerpt && (*excerpt == '\n' || *excerpt == ' '))
        excerpt++; /* what markdownify leaves out of the paragraph */
    if (excerpt && *excerpt) {
        buf_puts(out, "\\\n  "); /* a hard break: the excerpt on its line */
        S_put_truncated(out, excerpt, 160);
    }
    buf_putc(out, '\n');
}

void theme_home_after(const struct value *site, const char *heading,
                      struct buf *out)
{
    const struct value *posts = value_hash_get(site, "posts");
    size_t n = value_kind(posts) == VALUE_ARRAY ? value_len(posts) : 0;
    const struct value *per_page = value_hash_get(site, "paginate");
    if (value_kind(per_page) == VALUE_INT && value_int_of(per_page) > 0 &&
        (size_t)value_int_of(per_page) < n)
        n = (size_t)value_int_of(per_page); /* jekyll-paginate's first page */
    buf_printf(out, "\n%s %s\n\n", heading,
               S_ui_text(site, "recent_posts", "Recent Posts"));
    for (size_t i = 0; i < n; i++)
        S_archive_item(value_array_at(posts, i), out);
}
