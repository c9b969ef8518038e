/* What a theme's layout adds to a page's content (see capsuled/theme.h):
 * al-folio's about layout written out as the Markdown and HTML its
 * includes produce, so the page's usual model (doc, news, renderers) reads
 * it as it reads the rest of the page. */
#include "capsuled/theme.h"

#include "capsuled/file.h"
#include "capsuled/scholar.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdlib.h>
#include <string.h>

static const char *S_text(const struct value *v)
{
    const char *t = value_kind(v) == VALUE_STRING ? value_text(v) : NULL;
    return t && *t ? t : NULL;
}

/* HTML or Markdown text on one line: the layout's values (a multi-line
 * subtitle, more_info's address lines) stay inside one block. */
static void S_put_oneline(struct buf *out, const char *s)
{
    for (; *s; s++)
        buf_putc(out, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

static bool S_flag(const struct value *page, const char *key)
{
    return value_truthy(value_hash_get(page, key));
}

/* --- before the content --- */

/* An attribute value, quoted: what would end it is escaped. */
static void S_put_attr(struct buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '"': buf_puts(out, "&quot;"); break;
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '\n': buf_putc(out, ' '); break;
        default: buf_putc(out, *s);
        }
    }
}

/* The layout's figure: the image under assets/img/, its file name as alt
 * text (al-folio's `alt=page.profile.image`). */
static void S_put_image(struct buf *out, const char *image)
{
    buf_puts(out, "<img src=\"/assets/img/");
    S_put_attr(out, image);
    buf_puts(out, "\" alt=\"");
    S_put_attr(out, image);
    buf_puts(out, "\">");
}

/* Whether the site has the file assets/img/IMAGE (beneath ROOT): the
 * capsule links an image only where the link leads somewhere. */
static bool S_has_image(const char *root, const char *image)
{
    int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return false;
    struct buf name = {0};
    buf_printf(&name, "assets/img/%s", image);
    int fd = file_open_beneath(dir, root, name.data, true);
    buf_free(&name);
    close(dir);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* The profile: its image (the layout's figure, alt = the file name) when
 * the site has it, and the lines under it (`more_info` in al-folio,
 * `address` in older copies), one HTML block. */
static void S_profile(const struct value *profile, const char *root,
                      struct buf *out)
{
    const char *image = S_text(value_hash_get(profile, "image"));
    if (image && !S_has_image(root, image))
        image = NULL;
    const char *info = S_text(value_hash_get(profile, "more_info"));
    if (!info)
        info = S_text(value_hash_get(profile, "address"));
    if (!image && !info)
        return;
    buf_puts(out, "<div class=\"profile\">");
    if (image)
        S_put_image(out, image);
    if (info) {
        buf_puts(out, "<div class=\"more-info\">");
        S_put_oneline(out, info);
        buf_puts(out, "</div>");
    }
    buf_puts(out, "</div>\n\n");
}

void theme_about_before(const struct value *page, const char *root,
                        struct buf *out)
{
    const char *subtitle = S_text(value_hash_get(page, "subtitle"));
    if (subtitle) {
        buf_puts(out, "<p class=\"desc\">");
        S_put_oneline(out, subtitle);
        buf_puts(out, "</p>\n\n");
    }
    const struct value *profile = value_hash_get(page, "profile");
    if (value_kind(profile) == VALUE_HASH)
        S_profile(profile, root, out);
}

/* --- after the content --- */

/* A document's date as YYYY-MM-DD (the news model reads it so), or "". */
static void S_put_date(struct buf *out, const struct value *doc)
{
    const char *d = value_text(value_hash_get(doc, "date"));
    if (d && strlen(d) >= 10 && d[4] == '-' && d[7] == '-')
        buf_put(out, d, 10);
}

/* One list item of news.liquid: the date, then the item's own content
 * when `inline`, else its title linking to its page. */
static void S_news_item(const struct value *item, struct buf *out)
{
    buf_puts(out, "- ");
    S_put_date(out, item);
    buf_puts(out, ": ");
    const char *content = S_text(value_hash_get(item, "content"));
    const char *title = S_text(value_hash_get(item, "title"));
    const char *url = S_text(value_hash_get(item, "url"));
    if (S_flag(item, "inline") && content)
        S_put_oneline(out, content);
    else if (title && url)
        buf_printf(out, "[%s](%s)", title, url);
    else if (title)
        buf_puts(out, title);
    buf_putc(out, '\n');
}

/* How many items a list shows: the setting's integer, else all. */
static size_t S_limit(const struct value *v, size_t all)
{
    if (value_kind(v) != VALUE_INT || value_int_of(v) <= 0)
        return all;
    size_t n = (size_t)value_int_of(v);
    return n < all ? n : all;
}

/* A layout switch: `true`, or a hash whose `enabled` is true (al-folio
 * since 0.11 writes `announcements: {enabled: true, limit: 5}` and
 * `latest_posts: {enabled: true}` in the page's front matter). */
static bool S_enabled(const struct value *v)
{
    if (value_kind(v) == VALUE_HASH)
        return value_truthy(value_hash_get(v, "enabled"));
    return value_truthy(v);
}

/* The first of the settings that is set: the page's hash, the site's. */
static const struct value *S_setting(const struct value *page,
                                     const struct value *site,
                                     const char *hash, const char *key)
{
    const struct value *v = value_hash_get(value_hash_get(page, hash), key);
    return v ? v : value_hash_get(value_hash_get(site, hash), key);
}

/* Whether the layout shows the news: the page's `announcements` (newer
 * al-folio), else its `news: true` unless the site turns announcements
 * off. */
static bool S_shows_news(const struct value *page, const struct value *site)
{
    const struct value *ann = value_hash_get(page, "announcements");
    if (ann)
        return S_enabled(ann);
    const struct value *site_ann = value_hash_get(site, "announcements");
    if (value_kind(site_ann) == VALUE_HASH && !S_enabled(site_ann))
        return false;
    return S_flag(page, "news");
}

/* news.liquid: `site.news | reverse`, the latest announcements.limit
 * (the page's, the site's, or news_limit in older al-folio) items. */
static void S_news(const struct value *page, const struct value *site,
                   const char *heading, struct buf *out)
{
    const struct value *news = value_hash_get(site, "news");
    size_t all = value_kind(news) == VALUE_ARRAY ? value_len(news) : 0;
    const struct value *limit = S_setting(page, site, "announcements",
                                          "limit");
    if (!limit)
        limit = value_hash_get(site, "news_limit");
    size_t n = S_limit(limit, all);
    buf_printf(out, "\n%s news\n\n", heading);
    if (all == 0)
        buf_puts(out, "No news so far...\n");
    for (size_t i = 0; i < n; i++)
        S_news_item(value_array_at(news, all - 1 - i), out);
}

/* latest_posts.liquid: the newest site.posts (already newest first), as
 * many as latest_posts.limit (the page's, else the site's) says. */
static void S_latest_posts(const struct value *page, const struct value *site,
                           const char *heading, struct buf *out)
{
    const struct value *posts = value_hash_get(site, "posts");
    size_t all = value_kind(posts) == VALUE_ARRAY ? value_len(posts) : 0;
    if (all == 0)
        return;
    size_t n = S_limit(S_setting(page, site, "latest_posts", "limit"), all);
    buf_printf(out, "\n%s latest posts\n\n", heading);
    for (size_t i = 0; i < n; i++)
        S_news_item(value_array_at(posts, i), out);
}

/* selected_papers.liquid: jekyll-scholar's selected entries of papers.bib,
 * as HTML the page's HTML interpretation reads. */
static void S_selected_papers(const char *heading, const struct theme_site *ts,
                              struct buf *out)
{
    static const char args[] = "-f papers -q @*[selected=true]*";
    struct scholar *s = scholar_new(ts->root, ts->site, ts->max_bytes,
                                    ts->diags);
    struct buf html = {0};
    scholar_tag(s, "bibliography", 12, args, sizeof args - 1, &html);
    char *bib = scholar_file(s, "papers");
    scholar_free(s);
    if (!html.data || !strstr(html.data, "<li"))
        diags_add(ts->diags, DIAG_WARNING, bib, 0,
                  "no entry has selected={true}: the selected publications "
                  "of the about layout (selected_papers: true) stay empty");
    if (ts->files) { /* so that editing the .bib shows, as a page does */
        size_t n = *ts->n_files + 1;
        *ts->files = xrealloc(*ts->files, n * sizeof **ts->files);
        (*ts->files)[n - 1] = bib;
        *ts->n_files = n;
    } else {
        free(bib);
    }
    buf_printf(out, "\n%s selected publications\n\n", heading);
    if (html.len) {
        buf_puts(out, "<div class=\"publications\">\n");
        buf_put(out, html.data, html.len);
        buf_puts(out, "\n</div>\n");
    }
    buf_free(&html);
}

/* social.liquid: the links are the card's; what the card lacks is the
 * note under them. */
static void S_contact_note(const struct value *site, const char *heading,
                           struct buf *out)
{
    const char *note = S_text(value_hash_get(site, "contact_note"));
    if (!note)
        return;
    buf_printf(out, "\n%s contact\n\n<div class=\"contact-note\">", heading);
    S_put_oneline(out, note);
    buf_puts(out, "</div>\n");
}

void theme_about_after(const struct value *page, const char *heading,
                       const struct theme_site *ts, struct buf *out)
{
    if (S_shows_news(page, ts->site))
        S_news(page, ts->site, heading, out);
    if (S_enabled(value_hash_get(page, "latest_posts")))
        S_latest_posts(page, ts->site, heading, out);
    if (S_flag(page, "selected_papers"))
        S_selected_papers(heading, ts, out);
    if (S_flag(page, "social"))
        S_contact_note(ts->site, heading, out);
}

/* --- the page --- */

/* "#" when the body has a level-1 ATX heading (its sections are split
 * there), else "##", so the layout's parts become sections of their own. */
static const char *S_heading(const char *body)
{
    for (const char *line = body; line; line = strchr(line, '\n')) {
        line += *line == '\n';
        const char *p = line;
        while (*p == ' ' && p - line < 3)
            p++;
        if (p[0] == '#' && (p[1] == ' ' || p[1] == '\t'))
            return "#";
    }
    return "##";
}

static int S_count_lines(const struct buf *b)
{
    int n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

/* Which of the layouts capsuled knows LAYOUT is: 'a' al-folio's about,
 * 's' minimal-mistakes' single or academicpages' talk, 'h'
 * minimal-mistakes' home, 0 another. */
static char S_known(const char *layout)
{
    if (!layout)
        return 0;
    if (strcmp(layout, "about") == 0)
        return 'a';
    if (strcmp(layout, "single") == 0 || strcmp(layout, "talk") == 0)
        return 's';
    if (strcmp(layout, "home") == 0)
        return 'h';
    return 0;
}

static void S_before(char kind, const char *layout, const struct value *vars,
                     const struct theme_site *ts, struct buf *out)
{
    if (kind == 'a')
        theme_about_before(vars, ts->root, out);
    else if (kind == 's')
        theme_single_before(layout, vars, out);
}

static void S_after(char kind, const char *layout, const struct value *vars,
                    const char *content, const struct theme_site *ts,
                    struct buf *out)
{
    if (kind == 'a')
        theme_about_after(vars, S_heading(content), ts, out);
    else if (kind == 'h')
        theme_home_after(ts->site, S_heading(content), out);
    else
        theme_single_after(layout, vars, out);
}

/* PAGE's body becomes BODY, whose first BEFORE lines the layout added. */
static void S_replace_body(struct page *page, struct buf *body, int before)
{
    free(page->body);
    page->body_len = body->len;
    page->body = buf_detach(body);
    page->body_line -= before;
}

bool theme_reads_site(const struct value *vars)
{
    char kind = S_known(value_text(value_hash_get(vars, "layout")));
    return kind == 'a' || kind == 'h';
}

bool theme_apply(struct page *page, const struct value *vars,
                 const struct theme_site *ts)
{
    if (!vars)
        vars = page->vars;
    const char *layout = value_text(value_hash_get(vars, "layout"));
    char kind = S_known(layout);
    if (!kind)
        return false;
    struct buf body = {0};
    S_before(kind, layout, vars, ts, &body);
    int before = S_count_lines(&body);
    buf_put(&body, page->body, page->body_len);
    if (body.len && body.data[body.len - 1] != '\n')
        buf_putc(&body, '\n');
    size_t content_end = body.len;
    S_after(kind, layout, vars, page->body, ts, &body);
    if (before == 0 && body.len <= content_end) {
        buf_free(&body); /* nothing to add: the page stays as it was */
        return false;
    }
    if (kind == 'a')
        diags_add(ts->diags, DIAG_NOTE, page->path, 0,
                  "layout about (al-folio): its subtitle, profile, news, "
                  "latest posts, selected papers and contact note, as "
                  "flagged, are added from knowledge of the theme");
    S_replace_body(page, &body, before);
    return true;
}
