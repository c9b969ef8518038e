/* What a theme's layout adds to a page: al-folio's about layout (subtitle,
 * profile, news with its limit, latest posts, selected papers, contact
 * note; the heading level; the line numbers of the content), the single
 * and talk layouts (venue lines, the citation's elsif chain, the Direct
 * Link), other layouts left alone, and hostile values (quotes, lists
 * where text is expected, a missing bibliography). */
#include "capsuled/page.h"
#include "capsuled/theme.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct config cfg;
static struct diags diags;
static struct page pg;
static char root[512];

static void load(const char *text)
{
    page_free(&pg);
    diags_free(&diags);
    CHECK(page_load("about.md", text, strlen(text), &cfg, &pg, &diags) == 0);
}

/* A news or post document as Liquid's site.news holds it. */
static struct value *doc(const char *date, const char *title,
                         const char *content, bool inline_)
{
    struct value *d = value_hash();
    value_hash_set(d, "date", 4, value_date(date, strlen(date)));
    if (title)
        value_hash_set(d, "title", 5, value_cstring(title));
    value_hash_set(d, "content", 7, value_cstring(content));
    value_hash_set(d, "url", 3, value_cstring("/news/x/"));
    value_hash_set(d, "inline", 6, value_bool(inline_));
    return d;
}

static struct value *folio_site(void)
{
    struct value *site = value_hash(), *news = value_array();
    value_array_push(news, doc("2023-01-02", NULL, "Oldest item.", true));
    value_array_push(news, doc("2023-06-01", "Middle", "x", false));
    value_array_push(news, doc("2024-02-03", NULL, "Newest\nitem.", true));
    value_hash_set(site, "news", 4, news);
    struct value *ann = value_hash();
    value_hash_set(ann, "enabled", 7, value_bool(true));
    value_hash_set(ann, "limit", 5, value_int(2));
    value_hash_set(site, "announcements", 13, ann);
    value_hash_set(site, "contact_note", 12, value_cstring("Ring twice."));
    struct value *scholar = value_hash();
    value_hash_set(scholar, "bibliography", 12, value_cstring("papers.bib"));
    /* al-folio's setting: relative to the site, despite the slash */
    value_hash_set(scholar, "source", 6, value_cstring("/_bibliography/"));
    value_hash_set(site, "scholar", 7, scholar);
    return site;
}

static char **files;
static size_t n_files;

/* theme_apply over SITE read beneath DIR, the files read collected. */
static bool apply(const struct value *vars, const struct value *site,
                  const char *dir)
{
    struct theme_site ts = {site, dir, 0, &diags, &files, &n_files};
    return theme_apply(&pg, vars, &ts);
}

static void free_files(void)
{
    for (size_t i = 0; i < n_files; i++)
        free(files[i]);
    free(files);
    files = NULL;
    n_files = 0;
}

/* The site beneath root: papers.bib and the profile image. */
static void write_site(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/theme-test-XXXXXX",
             tmp && *tmp ? tmp : P_tmpdir);
    CHECK(mkdtemp(root) != NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/_bibliography", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/assets", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/assets/img", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/assets/img/a\"b.jpg", root);
    fclose(fopen(path, "w"));
    snprintf(path, sizeof path, "%s/_bibliography/papers.bib", root);
    FILE *f = fopen(path, "w");
    fputs("@article{a, title={Chosen Paper}, author={Ann Lee}, year={2024},\n"
          "  selected={true}, html={https://example.org/a}}\n"
          "@article{b, title={Other Paper}, author={Ann Lee}, year={2020}}\n",
          f);
    fclose(f);
}

static void test_about(void)
{
    struct value *site = folio_site();
    load("---\nlayout: about\nsubtitle: \"Line one\\nline \\\"two\\\"\"\n"
         "profile:\n  image: \"a\\\"b.jpg\"\n  more_info: <p>Room 1</p>\n"
         "news: true\nselected_papers: true\nsocial: true\n---\n\nHello.\n");
    int line = pg.body_line;
    CHECK(apply(NULL, site, root));
    CHECK(pg.body_line == line - 4); /* two blocks, each with a blank line */
    const char *b = pg.body;
    CHECK_CONTAINS(b, "<p class=\"desc\">Line one line \"two\"</p>\n\n");
    CHECK_CONTAINS(b, "alt=\"a&quot;b.jpg\""); /* the site has it */
    CHECK_CONTAINS(b, "<div class=\"more-info\"><p>Room 1</p></div>");
    CHECK(strstr(b, "<div class=\"profile\">") < strstr(b, "Hello."));
    CHECK_CONTAINS(b, "## news\n\n- 2024-02-03: Newest item.\n"
                      "- 2023-06-01: [Middle](/news/x/)\n");
    CHECK(strstr(b, "Oldest") == NULL); /* announcements.limit: 2 */
    CHECK_CONTAINS(b, "## selected publications");
    CHECK_CONTAINS(b, "Chosen Paper");
    CHECK(strstr(b, "Other Paper") == NULL);
    CHECK_CONTAINS(b, "## contact\n\n<div class=\"contact-note\">Ring twice.");
    CHECK(strstr(b, "## news") < strstr(b, "## selected publications"));
    CHECK(n_files == 1); /* papers.bib, for a reload to watch */
    if (n_files == 1) {
        CHECK_CONTAINS(files[0], "/_bibliography/papers.bib");
        CHECK(strncmp(files[0], root, strlen(root)) == 0 &&
              strstr(files[0], "//") == NULL);
    }
    free_files();
    value_release(site);
}

static void test_about_level_and_flags(void)
{
    struct value *site = folio_site();
    load("---\nlayout: about\nnews: true\n---\n# Bio\n\nText.\n");
    CHECK(apply(NULL, site, root));
    CHECK_CONTAINS(pg.body, "\n# news\n"); /* the page splits at # */
    load("---\nlayout: about\nprofile:\n  image: none.jpg\n---\nText.\n");
    CHECK(!apply(NULL, site, root)); /* an image the site lacks */
    load("---\nlayout: about\nprofile:\n  image: ../../etc/passwd\n---\nT\n");
    CHECK(!apply(NULL, site, root));
    load("---\nlayout: about\nnews: false\nsocial: false\n---\nText.\n");
    CHECK(!apply(NULL, site, root));
    CHECK_STR(pg.body, "Text.\n");
    load("---\nlayout: page\nnews: true\n---\nText.\n");
    CHECK(!apply(NULL, site, root));
    value_release(site);
}

/* Whether a diagnostic of LEVEL says NEEDLE. */
static bool said(enum diag_level level, const char *needle)
{
    for (size_t i = 0; i < diags.n; i++)
        if (diags.items[i].level == level &&
            strstr(diags.items[i].msg, needle))
            return true;
    return false;
}

static void test_about_newer(void)
{
    /* al-folio since 0.11: the switches are hashes in the page's front
     * matter, and their limits win over the site's. */
    struct value *site = folio_site(), *posts = value_array();
    value_array_push(posts, doc("2024-05-01", "New post", "x", false));
    value_array_push(posts, doc("2023-05-01", "Old post", "x", false));
    value_hash_set(site, "posts", 5, posts);
    load("---\nlayout: about\nannouncements:\n  enabled: true\n  limit: 1\n"
         "latest_posts:\n  enabled: true\n  limit: 1\n---\nText.\n");
    CHECK(apply(NULL, site, root));
    CHECK_CONTAINS(pg.body, "## news\n\n- 2024-02-03: Newest item.\n\n");
    CHECK_CONTAINS(pg.body, "## latest posts\n\n- 2024-05-01: [New post]");
    CHECK(strstr(pg.body, "Old post") == NULL);
    CHECK(strstr(pg.body, "Middle") == NULL);
    load("---\nlayout: about\nnews: true\nannouncements:\n  enabled: false\n"
         "latest_posts:\n  enabled: false\n---\nText.\n");
    CHECK(!apply(NULL, site, root));
    value_release(site);
}

static void test_about_hostile(void)
{
    struct value *site = value_hash();
    value_hash_set(site, "news", 4, value_cstring("not a list"));
    value_hash_set(site, "contact_note", 12, value_array());
    /* A list where text belongs, no bibliography: nothing crashes, the
     * missing file is reported. */
    load("---\nlayout: about\nsubtitle: [a, b]\nprofile: text\nnews: true\n"
         "selected_papers: true\nsocial: true\n---\nText.\n");
    size_t before = diags.n;
    CHECK(apply(NULL, site, "/nonexistent-theme-test"));
    CHECK_CONTAINS(pg.body, "No news so far...");
    CHECK(strstr(pg.body, "## contact") == NULL);
    CHECK(diags.n > before);
    CHECK(said(DIAG_WARNING, "no entry has selected={true}"));
    load("---\nlayout: about\nnews: true\n---\n"); /* no body at all */
    CHECK(apply(NULL, site, root));
    CHECK_CONTAINS(pg.body, "## news\n\nNo news so far...\n");
    CHECK(said(DIAG_NOTE, "layout about (al-folio)"));
    value_release(site);
}

static void test_single(void)
{
    load("---\nlayout: single\nvenue: Journal\ndate: 2021-06-15\n"
         "citation: 'Lee, A. <i>J</i>.'\npaperurl: https://p.example/a.pdf\n"
         "bibtexurl: https://p.example/a.bib\nlink: 'https://l.example/\"x'\n"
         "---\nText.\n");
    CHECK(apply(NULL, NULL, root));
    static const char venue[] = "<p>Published in <i>Journal</i>, 2021</p>\n\n";
    CHECK(strncmp(pg.body, venue, sizeof venue - 1) == 0);
    CHECK_CONTAINS(pg.body, "<p>Recommended citation: Lee, A. <i>J</i>.<br />"
                            "<a href=\"https://p.example/a.pdf\">Download "
                            "Paper</a> | <a href=\"https://p.example/a.bib\">"
                            "Download Bibtex</a></p>");
    CHECK_CONTAINS(pg.body, "<a href=\"https://l.example/%22x\">Direct Link");
    /* Without a citation the chain shows paper and bibtex only together,
     * and a paper link alone not at all. */
    load("---\nlayout: single\npaperurl: https://p.example/a.pdf\n---\nT\n");
    CHECK(!apply(NULL, NULL, root));
    load("---\nlayout: single\npaperurl: P\nslidesurl: S\nbibtexurl: B\n"
         "---\nT\n");
    CHECK(apply(NULL, NULL, root));
    CHECK_CONTAINS(pg.body, "\"S\">Download Slides</a> | <a href=\"B\">");
    CHECK(strstr(pg.body, "Download Paper") == NULL);
}

static void test_single_vars(void)
{
    /* The layout comes from Liquid's page (the site's defaults), not only
     * the front matter. */
    load("---\ntitle: Course\n---\nT\n");
    struct value *vars = value_hash();
    value_hash_set(vars, "layout", 6, value_cstring("single"));
    value_hash_set(vars, "collection", 10, value_cstring("teaching"));
    value_hash_set(vars, "type", 4, value_cstring("Seminar"));
    value_hash_set(vars, "venue", 5, value_cstring("Uni"));
    value_hash_set(vars, "date", 4, value_date("2020-09-01", 10));
    CHECK(apply(vars, NULL, root));
    CHECK_CONTAINS(pg.body, "<p>Seminar, <i>Uni</i>, 2020</p>");
    value_hash_set(vars, "layout", 6, value_cstring("talk"));
    value_hash_set(vars, "talk_type", 9, value_cstring("Keynote"));
    value_hash_set(vars, "location", 8, value_cstring("Town"));
    load("---\ntitle: Talk\n---\nT\n");
    CHECK(apply(vars, NULL, root));
    CHECK_CONTAINS(pg.body, "<p>Date: September 01, 2020</p>\n\n"
                            "<p>Keynote at Uni, Town</p>");
    value_release(vars);
}

static void test_home(void)
{
    struct value *site = value_hash(), *posts = value_array();
    for (int i = 3; i > 0; i--) {
        struct value *p = value_hash();
        char title[16];
        snprintf(title, sizeof title, "Post %d", i);
        value_hash_set(p, "title", 5, value_cstring(title));
        value_hash_set(p, "url", 3, value_cstring("/p/"));
        /* 158 characters, each "é" one character in two bytes */
        struct buf e = {0};
        buf_puts(&e, "\n");
        for (int k = 0; k < 79; k++)
            buf_puts(&e, i == 1 ? "é " : "ab");
        value_hash_set(p, "excerpt", 7, value_string(e.data, e.len));
        buf_free(&e);
        value_array_push(posts, p);
    }
    value_hash_set(site, "posts", 5, posts);
    value_hash_set(site, "paginate", 8, value_int(2));
    value_hash_set(site, "locale", 6, value_cstring("fr-CH"));
    struct value *ui = value_hash(), *fr = value_hash();
    value_hash_set(fr, "recent_posts", 12, value_cstring("Posts récents"));
    value_hash_set(ui, "fr", 2, fr);
    struct value *data = value_hash();
    value_hash_set(data, "ui-text", 7, ui);
    value_hash_set(site, "data", 4, data);
    load("---\nlayout: home\n---\nWelcome.\n");
    CHECK(apply(NULL, site, root));
    CHECK_CONTAINS(pg.body, "## Posts récents\n\n- [Post 3](/p/)\\\n  abab");
    CHECK(strstr(pg.body, "Post 1") == NULL); /* paginate: 2 */
    CHECK(strstr(pg.body, "...") == NULL);    /* 158 characters fit */
    value_hash_set(site, "paginate", 8, value_nil());
    load("---\nlayout: home\n---\nWelcome.\n");
    CHECK(apply(NULL, site, root));
    CHECK_CONTAINS(pg.body, "- [Post 1](/p/)"); /* the characters fit */
    CHECK(strstr(pg.body, "...") == NULL);
    value_release(site);
}

static void test_truncate(void)
{
    struct value *site = value_hash(), *posts = value_array();
    struct value *p = value_hash();
    struct buf e = {0};
    for (int k = 0; k < 100; k++)
        buf_puts(&e, "é");
    buf_puts(&e, "0123456789012345678901234567890123456789012345678901234567890");
    value_hash_set(p, "excerpt", 7, value_string(e.data, e.len));
    value_hash_set(p, "title", 5, value_cstring("T"));
    value_array_push(posts, p);
    value_hash_set(site, "posts", 5, posts);
    load("---\nlayout: home\n---\nW\n");
    CHECK(apply(NULL, site, root));
    /* 161 characters: 157 kept, then "..." (as Liquid's truncate: 160) */
    CHECK_CONTAINS(pg.body, "é012345678901234567890123456789012345678901234"
                            "567890123456...\n");
    CHECK_CONTAINS(pg.body, "Recent Posts"); /* no ui-text: the default */
    buf_free(&e);
    value_release(site);
}

int main(void)
{
    write_site();
    test_about();
    test_about_level_and_flags();
    test_about_newer();
    test_about_hostile();
    test_single();
    test_single_vars();
    test_home();
    test_truncate();
    page_free(&pg);
    diags_free(&diags);
    free_files();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    return test_done();
}
