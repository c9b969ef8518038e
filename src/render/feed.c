/* News as a gemsub page (Gemini's subscription convention) and as an
 * Atom 1.0 feed. Which items are news, their dates, titles and numbers
 * were decided with the content (capsuled/news.h); this file only writes
 * them out, entry by entry of the merged feed (the News section's items
 * and the site's posts, newest first). */
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "capsuled/utf8.h"
#include "layout.h"

#include <stdbool.h>
#include <string.h>

/* --- gemsub --- */

/* An absolute URL of ours, in the scheme of the dialect. */
static void put_own_url(struct buf *out, const struct render_opts *o,
                        const char *path)
{
    if (o->dialect == GEMTEXT_SPARTAN)
        path_spartan_url(out, o->spartan_host, o->spartan_port, path);
    else
        path_gemini_url(out, o->gemini_host, o->gemini_port, path);
}

/* A gemsub entry's link: absolute for Gemini, as subscribing clients
 * have always been given it; relative for Spartan, whose links name paths
 * on the server that sent the page. */
static void put_entry_link(struct buf *out, const struct render_opts *o,
                           const struct news_entry *e)
{
    if (o->dialect != GEMTEXT_SPARTAN)
        put_own_url(out, o, e->link);
    else
        path_put_link(out, e->link);
}

/* One entry line per entry of the feed (the News section's items and the
 * site's posts, newest first), "=> URL YYYY-MM-DD title": the date
 * followed by a space is what subscribing clients (Lagrange) look for. */
void render_gemsub(const struct doc *d, const struct render_opts *o,
                   struct buf *out)
{
    (void)d;
    const struct news *news = layout_news(o);
    const char *title = render_site_title(o);
    buf_puts(out, "# ");
    layout_put_clean(out, title, strlen(title));
    buf_puts(out, " — News\n\n");
    for (size_t i = 0; i < news->n_feed; i++) {
        const struct news_entry *e = &news->feed[i];
        buf_puts(out, "=> ");
        put_entry_link(out, o, e);
        buf_printf(out, " %s ", e->date);
        layout_put_clean(out, e->title, strlen(e->title));
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
/* Printable ASCII that XML takes as it is. */
static bool xml_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' &&
           c != '"';
}

static void put_xml(struct buf *out, const char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && xml_plain((unsigned char)s[run]))
            run++;
        if (run > i) { /* most text goes out in one piece */
            buf_put(out, s + i, run - i);
            i = run;
            continue;
        }
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

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
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
static void feed_updated(const struct news *news, const struct render_opts *o,
                         char date[11])
{
    if (news->n_feed > 0) {
        memcpy(date, news->feed[0].date, 11);
    } else if (o->page && looks_like_iso_date(o->page->date)) {
        memcpy(date, o->page->date, 10);
        date[10] = '\0';
    } else {
        memcpy(date, "1970-01-01", 11);
    }
}

static void put_feed_head(const struct news *news,
                          const struct render_opts *o, struct buf *out)
{
    struct buf tmp = {0};
    char updated[11];
    feed_updated(news, o, updated);
    const char *title = render_site_title(o);
    const char *author = o->cfg && o->cfg->site.author_name &&
                                 *o->cfg->site.author_name
                             ? o->cfg->site.author_name
                             : title;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>");
    put_own_url(&tmp, o, PATH_HOME);
    put_xml_buf(out, &tmp);
    buf_puts(out, "</id>\n  <title>");
    put_xml(out, title);
    buf_puts(out, " — News</title>\n");
    buf_printf(out, "  <updated>%sT00:00:00Z</updated>\n  <author><name>",
               updated);
    put_xml(out, author);
    buf_puts(out, "</name></author>\n  <link rel=\"self\" href=\"");
    put_own_url(&tmp, o, PATH_ATOM);
    put_xml_buf(out, &tmp);
    buf_puts(out, "\"/>\n  <link rel=\"alternate\" href=\"");
    put_own_url(&tmp, o, PATH_NEWS);
    put_xml_buf(out, &tmp);
    buf_puts(out, "\"/>\n");
    buf_free(&tmp);
}

static void put_entry(const struct news_entry *e,
                      const struct render_opts *o, struct buf *out)
{
    struct buf url = {0};
    put_own_url(&url, o, e->link);
    buf_puts(out, "  <entry>\n    <id>");
    put_xml(out, url.data);
    buf_puts(out, "</id>\n    <title>");
    put_xml(out, e->title);
    buf_printf(out, "</title>\n    <updated>%sT00:00:00Z</updated>\n",
               e->date);
    buf_puts(out, "    <link rel=\"alternate\" href=\"");
    put_xml(out, url.data);
    buf_puts(out, "\"/>\n    <summary type=\"text\">");
    put_xml(out, e->summary);
    buf_puts(out, "</summary>\n  </entry>\n");
    buf_free(&url);
}

void render_atom(const struct doc *d, const struct render_opts *o,
                 struct buf *out)
{
    (void)d;
    const struct news *news = layout_news(o);
    put_feed_head(news, o, out);
    for (size_t i = 0; i < news->n_feed; i++)
        put_entry(&news->feed[i], o, out);
    buf_puts(out, "</feed>\n");
}
