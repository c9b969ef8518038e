/* The gemlog of a Jekyll site (src/site/gemlog.c): which posts and news
 * items join the feed, at which route, with which date, title and summary;
 * on the fixture tests/sites/gemlog and on small sites written here. */
#include "../../src/site/gemlog.h"
#include "capsuled/buf.h"
#include "capsuled/liquid.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check_route(const char *url, const char *want)
{
    char *got = gemlog_route(url);
    if (want)
        CHECK_STR(got ? got : "(null)", want);
    else
        CHECK(got == NULL);
    free(got);
}

static void test_routes(void)
{
    check_route("/blog/2024/03/01/second/", "/blog/2024/03/01/second/");
    check_route("/notes/a.html", "/notes/a");
    check_route("/a%20b/", "/a b/");
    check_route("/dir/index.html", "/dir/index");
    check_route("/.html", "/.html");
    /* capsuled's own paths, dot segments, what is not a path: not routes. */
    check_route("/news/", NULL);
    check_route("/atom.xml", NULL);
    check_route("/", NULL);
    check_route("/a/%2e%2e/b/", NULL);
    check_route("/a/%2E/b", NULL);
    check_route("/a/..", NULL);
    check_route("/a%00b/", NULL);
    check_route("relative/", NULL);
    check_route("", NULL);
}

/* The feed as "date link title" lines, newest first. */
static char *feed_lines(const struct news *n)
{
    struct buf b = {0};
    for (size_t i = 0; i < n->n_feed; i++)
        buf_printf(&b, "%s %s %s\n", n->feed[i].date, n->feed[i].link,
                   n->feed[i].title);
    return buf_detach(&b);
}

/* The site at DIR merged into the news of the page MD. */
static char *merged(const char *dir, const char *md, struct news *news)
{
    struct jekyll_site s;
    struct diags d = {0};
    struct jekyll_opts opts = {.now = 1735689600}; /* 2025-01-01 */
    CHECK(jekyll_load(dir, &opts, &s, &d) == 0);
    struct doc doc;
    doc_build_markdown(md, strlen(md), &doc);
    news_build(&doc, news);
    gemlog_merge(&s, &doc, news);
    char *lines = feed_lines(news);
    doc_free(&doc);
    jekyll_free(&s);
    diags_free(&d);
    return lines;
}

static const char FIXTURE_NEWS[] =
    "# News\n\n"
    "- 2024-03-01: [Second post](/blog/2024/03/01/second/) is out.\n"
    "- 2024-02-10: Won the engine award.\n";

static void test_fixture(void)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    struct buf dir = {0};
    buf_printf(&dir, "%s/tests/sites/gemlog", root ? root : ".");
    struct news news;
    char *got = merged(dir.data, FIXTURE_NEWS, &news);
    CHECK_STR(got, "2024-03-01 /blog/2024/03/01/second/ Second post is out.\n"
                   "2024-02-20 /news/talk/ Talk at GemCon\n"
                   "2024-02-10 /news/1/ Won the engine award.\n"
                   "2023-09-01 /news/paper/ Our paper was accepted at ICML.\n"
                   "2023-06-15 /blog/2023/06/15/first/ First post\n"
                   "2022-05-04 /blog/2022/05/04/older/ An older post in HTML\n");
    if (news.n_feed == 6) {
        CHECK_STR(news.feed[0].summary,
                  "Engines, again: the excerpt of the second post.");
        CHECK_STR(news.feed[3].summary, "🎉 Our paper was accepted at ICML.");
        CHECK_STR(news.feed[5].summary, "Written in HTML.");
        CHECK(news.feed[0].gopher && !news.feed[2].gopher);
    }
    free(got);
    news_free(&news);
    buf_free(&dir);
}

/* --- small sites --- */

static void write_file(const char *dir, const char *name, const char *text)
{
    struct buf p = {0};
    buf_printf(&p, "%s/%s", dir, name);
    FILE *f = fopen(p.data, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    buf_free(&p);
}

static const char *const FILES[] = {
    "_config.yml", "index.md", "_posts/2024-05-01-a.md",
    "_posts/2024-05-02-b.md", "_posts/2024-05-03-c.txt", "_news/quiet.md",
    "_news/late.md", "_talks/t.md",
};

static void make_dirs(const char *dir)
{
    const char *subs[] = {"_posts", "_news", "_talks"};
    for (size_t i = 0; i < 3; i++) {
        struct buf p = {0};
        buf_printf(&p, "%s/%s", dir, subs[i]);
        mkdir(p.data, 0755);
        buf_free(&p);
    }
}

static void remove_site(const char *dir)
{
    for (size_t i = 0; i < sizeof FILES / sizeof *FILES; i++) {
        struct buf p = {0};
        buf_printf(&p, "%s/%s", dir, FILES[i]);
        unlink(p.data);
        buf_free(&p);
    }
    const char *subs[] = {"_posts", "_news", "_talks", ""};
    for (size_t i = 0; i < 4; i++) {
        struct buf p = {0};
        buf_printf(&p, "%s/%s", dir, subs[i]);
        rmdir(p.data);
        buf_free(&p);
    }
}

/* Two posts at one URL (the one Jekyll writes last is served, and is the
 * entry), a file Jekyll does not convert, news items without output, a
 * collection that is not news, a date in its own offset. */
static void test_small_site(void)
{
    const char *tmp = getenv("TMPDIR");
    struct buf tpl = {0};
    buf_printf(&tpl, "%s/test_gemlog.XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    char *dir = tpl.data;
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        buf_free(&tpl);
        return;
    }
    make_dirs(dir);
    write_file(dir, "_config.yml",
               "collections:\n  news:\n    output: false\n"
               "  talks:\n    output: true\n");
    write_file(dir, "index.md", "---\npermalink: /\n---\nhome\n");
    write_file(dir, "_posts/2024-05-01-a.md",
               "---\ntitle: Older at one URL\npermalink: /same/\n---\nA.\n");
    write_file(dir, "_posts/2024-05-02-b.md",
               "---\ntitle: Kept at one URL\npermalink: /same/\n"
               "date: 2024-05-02 23:30:00 -0500\n---\nB.\n");
    write_file(dir, "_posts/2024-05-03-c.txt", "---\ntitle: Text\n---\nC.\n");
    write_file(dir, "_news/quiet.md", "---\ntitle: No output\n---\nQ.\n");
    write_file(dir, "_talks/t.md", "---\ntitle: A talk\n---\nT.\n");
    struct news news;
    char *got = merged(dir, "Hello.\n", &news);
    /* The date in the post's own offset (-0500), not UTC's 2024-05-03. */
    CHECK_STR(got, "2024-05-02 /same/ Kept at one URL\n");
    free(got);
    news_free(&news);

    /* A news collection with output: its items, titled by their text when
     * inline (al-folio: the first paragraph), else by their title. */
    write_file(dir, "_config.yml", "collections:\n  news:\n    output: true\n");
    write_file(dir, "_news/late.md",
               "---\ndate: 2024-06-01\ninline: true\ntitle: Ignored\n---\n"
               "The **inline** text.\n\nA second paragraph.\n");
    got = merged(dir, "Hello.\n", &news);
    /* An undated item is dated as Jekyll dates it: site.time. Items are
     * at /news/NAME.html, served without the suffix. */
    CHECK_STR(got, "2025-01-01 /news/quiet No output\n"
                   "2024-06-01 /news/late The inline text.\n"
                   "2024-05-02 /same/ Kept at one URL\n");
    free(got);
    news_free(&news);
    remove_site(dir);
    buf_free(&tpl);
}

/* What the Markdown build makes of MD: its blocks' texts joined by
 * spaces, each line end a space (the long way gemlog_plain_text skips
 * for text that reads as written). */
static char *built_text(const char *md)
{
    struct doc doc;
    doc_build_markdown(md, strlen(md), &doc);
    struct buf b = {0};
    for (size_t i = 0; i < doc.n_blocks; i++) {
        const char *t = doc.blocks[i].text;
        if (!t || !*t)
            continue;
        if (b.len)
            buf_putc(&b, ' ');
        for (; *t; t++)
            buf_putc(&b, *t == '\n' ? ' ' : *t);
    }
    doc_free(&doc);
    return buf_detach(&b);
}

/* Titles and excerpts taken as written read as the Markdown build reads
 * them; those it would change still go through it. */
static void test_plain_text(void)
{
    const char *texts[] = {
        "Post 500", "news 0", "Hello, world.", "Version 2.0 is out.",
        "State-of-the-art models. Fast, small.\n\n", "A 1. B", "x",
        "Mr. Smith went to Washington\n",
        /* not taken as written: */
        "Two  spaces", "Wait...", "A -- B", "1. First", "- item",
        "Trailing ", " Leading", "{{ 'x' }} y", "*em* text", "a_b_c",
        "Line\nbreak", "Title\n===", "Tom & Jerry", "", "2024 review",
    };
    struct value *scope = value_hash();
    bool same = true;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *fast = gemlog_plain_text(texts[i], scope, 64);
        size_t len;
        char *resolved = liquid_render(texts[i], strlen(texts[i]), scope, &len);
        char *slow = built_text(resolved);
        if (strcmp(fast, slow) != 0) {
            same = false;
            printf("# [%s]: [%s] vs [%s]\n", texts[i], fast, slow);
        }
        free(fast);
        free(slow);
        free(resolved);
    }
    CHECK(same);
    char *t = gemlog_plain_text("Post 500\n", scope, 1);
    CHECK_STR(t, "Post 500");
    free(t);
    value_release(scope);
}

int main(void)
{
    test_routes();
    test_plain_text();
    test_fixture();
    test_small_site();
    return test_done();
}
