/* The gemlog of a Jekyll site: `_posts` and the items of a `news`
 * collection (al-folio's `_news`) become entries of the news feed, beside
 * the home page's News section (capsuled/news.h decides the order and the
 * repeats). Each entry links to the route the site serves the document
 * at, so the gemsub page, Atom, the Gopher news menu and the .plan lead to
 * the post itself. */
#include "gemlog.h"
#include "capsuled/buf.h"
#include "capsuled/page.h"
#include "capsuled/paths.h"
#include "capsuled/strset.h"
#include "capsuled/url.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- which documents --- */

/* A collection whose items are news: al-folio's `_news`, AcadHomepage
 * forks' `_news`. */
static bool is_news_collection(const char *name)
{
    return name && strcmp(name, "news") == 0;
}

static bool is_html_path(const char *path)
{
    const char *ext = strrchr(path, '.');
    return ext && (strcmp(ext, ".html") == 0 || strcmp(ext, ".htm") == 0);
}

/* A post or news item the capsule serves at its URL (the documents
 * pages.c serves). */
static bool is_gemlog_doc(const struct jekyll_doc *d)
{
    bool dated = d->kind == JEKYLL_POST ||
                 (d->kind == JEKYLL_ITEM && is_news_collection(d->collection));
    return dated && d->output && (d->markdown || is_html_path(d->path));
}

/* --- its route --- */

/* Jekyll's URLs are sanitised (a leading '/', no "..", no "//"), but an
 * escaped dot segment would normalise elsewhere: such a URL is left out. */
static bool has_dot_segment(const char *path)
{
    return strstr(path, "/./") || strstr(path, "/../") ||
           (strlen(path) >= 2 && strcmp(path + strlen(path) - 2, "/.") == 0) ||
           (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0);
}

char *gemlog_route(const char *url)
{
    size_t n = strlen(url);
    char *path = xmalloc(n + 1);
    long len = url_decode(url, n, path, n + 1);
    if (len <= 0 || path[0] != '/' || has_dot_segment(path) ||
        memchr(path, '\0', (size_t)len)) {
        free(path);
        return NULL;
    }
    path[len] = '\0';
    if (len > 6 && strcmp(path + len - 5, ".html") == 0 && path[len - 6] != '/')
        path[len - 5] = '\0'; /* served without its suffix (site.c) */
    if (path_is_reserved(path)) {
        free(path);
        return NULL;
    }
    return path;
}

/* --- its date, title and summary --- */

static bool looks_like_date(const char *s)
{
    if (!s || strlen(s) < 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

/* The date Jekyll shows: the page's date as Jekyll formatted it (in the
 * document's own offset), else the time in UTC. */
static void doc_date(const struct jekyll_doc *d, char date[11])
{
    const char *text = value_text(value_hash_get(d->page, "date"));
    if (looks_like_date(text)) {
        memcpy(date, text, 10);
        date[10] = '\0';
        return;
    }
    time_t t = (time_t)d->time;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, 11, "%Y-%m-%d", &tm);
}

/* Whether MD reads as it is written: one line of words (ASCII letters
 * and digits, a letter first, single spaces, ',' '.' '-' never doubled),
 * nothing that Liquid, Markdown, kramdown's typography or HTML would
 * change; its length without the final line ends in *LEN. Most titles and
 * excerpts are, and a whole Markdown build each is a tenth of a cold load
 * of a site with a thousand posts. */
static bool is_plain_prose(const char *md, size_t *len)
{
    size_t n = strlen(md);
    while (n > 0 && md[n - 1] == '\n')
        n--;
    if (n == 0 || md[n - 1] == ' ' ||
        !((md[0] >= 'a' && md[0] <= 'z') || (md[0] >= 'A' && md[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = md[i];
        bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == ',';
        bool single = (c == ' ' || c == '.' || c == '-') && md[i + 1] != c;
        if (!word && !single)
            return false;
    }
    *len = n;
    return true;
}

char *gemlog_plain_text(const char *md, const struct value *scope,
                        size_t max_blocks)
{
    size_t len;
    if (max_blocks > 0 && is_plain_prose(md, &len))
        return xstrndup(md, len);
    char *resolved = liquid_render(md, strlen(md), scope, &len);
    struct doc doc;
    doc_build_markdown(resolved, len, &doc);
    free(resolved);
    struct buf b = {0};
    for (size_t i = 0; i < doc.n_blocks && max_blocks > 0; i++) {
        const char *t = doc.blocks[i].text;
        if (!t || !*t)
            continue;
        if (b.len)
            buf_putc(&b, ' ');
        for (; *t; t++)
            buf_putc(&b, *t == '\n' ? ' ' : *t);
        max_blocks--;
    }
    doc_free(&doc);
    return buf_detach(&b);
}

/* al-folio shows an `inline: true` news item by its text, not its title
 * (which Jekyll makes from the file name: "Award2025"). */
static char *doc_title(const struct jekyll_doc *d, const struct value *scope)
{
    const char *title = value_text(value_hash_get(d->page, "title"));
    bool inline_item = d->kind == JEKYLL_ITEM &&
                       value_truthy(value_hash_get(d->page, "inline"));
    if (title && *title && !inline_item)
        return gemlog_plain_text(title, scope, 1);
    const char *content = value_text(value_hash_get(d->page, "content"));
    return gemlog_plain_text(content ? content : "", scope, 1);
}

static char *doc_summary(const struct jekyll_doc *d, const struct value *scope)
{
    const char *excerpt = value_text(value_hash_get(d->page, "excerpt"));
    if (!excerpt)
        excerpt = value_text(value_hash_get(d->page, "description"));
    return excerpt ? gemlog_plain_text(excerpt, scope, 64) : NULL;
}

/* --- the entries --- */

/* Liquid's scope of a document's excerpt: site and page. */
static struct value *doc_scope(const struct jekyll_site *js,
                               const struct jekyll_doc *d)
{
    struct value *scope = value_hash();
    value_hash_set(scope, "site", 4, value_retain(js->site));
    value_hash_set(scope, "page", 4, value_retain(d->page));
    return scope;
}

/* posts[n] from D, unless it is not served or another document has its
 * route (the one Jekyll writes last, met first here, is what is served):
 * SEEN holds the routes taken. */
static bool make_post(const struct jekyll_site *js, const struct jekyll_doc *d,
                      struct news_post *posts, size_t n, struct strset *seen)
{
    char *link = is_gemlog_doc(d) ? gemlog_route(d->url) : NULL;
    if (!link || !strset_add(seen, link)) {
        free(link);
        return false;
    }
    struct news_post *p = &posts[n];
    struct value *scope = doc_scope(js, d);
    doc_date(d, p->date);
    p->link = link;
    p->title = doc_title(d, scope);
    p->summary = doc_summary(d, scope);
    p->gopher = true;
    value_release(scope);
    return true;
}

static void free_post(struct news_post *p)
{
    free((char *)p->link);
    free((char *)p->title);
    free((char *)p->summary);
}

void gemlog_merge(const struct jekyll_site *js, const struct doc *d,
                  struct news *news)
{
    struct news_post *posts = xcalloc(js->n_docs + 1, sizeof *posts);
    size_t n = 0;
    struct strset seen = {0};
    /* Newest first among equal dates, as site.posts lists them. */
    for (size_t i = js->n_docs; i-- > 0;)
        n += make_post(js, &js->docs[i], posts, n, &seen);
    strset_free(&seen);
    news_merge_posts(news, d, posts, n);
    for (size_t i = 0; i < n; i++)
        free_post(&posts[i]);
    free(posts);
}
