/* The Jekyll site model: slugs, URL templates and permalink styles, the
 * EntryFilter, dates, CSV, the configuration's merge and defaults, and a
 * fixture site loaded whole (pages, posts, collections, data, the site
 * value, the home page). */
#include "test.h"

#include "capsuled/buf.h"
#include "capsuled/jekyll.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *fixture(const char *name)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    struct buf p = {0};
    buf_printf(&p, "%s/tests/sites/%s", root ? root : ".", name);
    return buf_detach(&p);
}

static void test_slugify(void)
{
    char *s = jekyll_slugify("Hello, World!", "default", false);
    CHECK_STR(s, "hello-world");
    free(s);
    s = jekyll_slugify("The _config file.", "pretty", true);
    CHECK_STR(s, "The-_config-file.");
    free(s);
    s = jekyll_slugify("--a  b--", "raw", false);
    CHECK_STR(s, "-a-b-"); /* one hyphen off each end */
    free(s);
}

static struct value *vars2(const char *k1, const char *v1, const char *k2,
                           const char *v2)
{
    struct value *h = value_hash();
    value_hash_set(h, k1, strlen(k1), value_cstring(v1));
    if (k2)
        value_hash_set(h, k2, strlen(k2), value_cstring(v2));
    return h;
}

static void test_urls(void)
{
    struct value *v = vars2("path", "/_pages", "basename", "about");
    char *u = jekyll_url("/:path/:basename/", v, false);
    CHECK_STR(u, "/_pages/about/");
    free(u);
    u = jekyll_url("/:title/:nothing", v, false);
    CHECK_STR(u, "/:title/:nothing"); /* a page keeps what it lacks */
    free(u);
    CHECK(jekyll_url("/:title/", v, true) == NULL); /* a document fails */
    value_release(v);
    v = vars2("title", "a b", "collection", "talks");
    u = jekyll_url("//:collection/../:title_x", v, true);
    CHECK(u == NULL);
    free(u);
    u = jekyll_url("//:collection/./:title_", v, true);
    CHECK_STR(u, "/talks/a%20b_");
    free(u);
    value_release(v);
    CHECK_STR(jekyll_permalink_style("pretty"),
              "/:categories/:year/:month/:day/:title/");
    CHECK_STR(jekyll_permalink_style("/:title/"), "/:title/");
}

static struct value *config_of(const char *yaml)
{
    const char *names[] = {"_config.yml"};
    const char *texts[] = {yaml};
    struct value *cfg = NULL;
    struct diags d = {0};
    CHECK(jekyll_config_from(names, texts, 1, &cfg, &d) == 0);
    diags_free(&d);
    return cfg;
}

static void test_config(void)
{
    struct value *c = config_of("collections: [news]\nexclude: [docs]\n"
                                "permalink: pretty\nfuture: true\n");
    CHECK_STR(value_text(value_path_get(c, "collections.posts.permalink")),
              "/:categories/:year/:month/:day/:title/");
    CHECK(value_bool_of(value_path_get(c, "collections.posts.output")));
    CHECK(value_path_get(c, "collections.news") != NULL);
    CHECK_STR(value_text(value_path_get(c, "exclude.0")), "docs");
    CHECK_STR(value_text(value_path_get(c, "exclude.1")), ".sass-cache");
    CHECK_STR(value_text(value_path_get(c, "markdown_ext")),
              "markdown,mkdown,mkdn,mkd,md");
    CHECK(value_bool_of(value_hash_get(c, "future")));
    CHECK_STR(value_text(value_path_get(c, "kramdown.input")), "GFM");
    value_release(c);
    const char *names[] = {"_config.yml", "capsule.yaml"};
    const char *texts[] = {"title: A\nauthor: {name: X, bio: Y}\n",
                           "author: {name: Z}\n"};
    struct diags d = {0};
    CHECK(jekyll_config_from(names, texts, 2, &c, &d) == 0);
    CHECK_STR(value_text(value_path_get(c, "author.name")), "Z");
    CHECK_STR(value_text(value_path_get(c, "author.bio")), "Y");
    value_release(c);
    texts[1] = "a: [\n";
    CHECK(jekyll_config_from(names, texts, 2, &c, &d) < 0);
    CHECK(d.n == 1 && strstr(d.items[0].msg, "YAML"));
    value_release(c);
    diags_free(&d);
}

static void test_filter(void)
{
    struct value *c = config_of("include: [_pages, .htaccess]\n"
                                "exclude: [docs, \"*.tmp\", vendor/]\n");
    CHECK(jekyll_filtered(c, "", "_config.yml", false));
    CHECK(!jekyll_filtered(c, "", "_pages", true));
    CHECK(!jekyll_filtered(c, "", ".htaccess", false));
    CHECK(jekyll_filtered(c, "", ".git", true));
    CHECK(jekyll_filtered(c, "", "#notes.md", false));
    CHECK(jekyll_filtered(c, "", "notes.md~", false));
    CHECK(jekyll_filtered(c, "", "docs", true));
    CHECK(jekyll_filtered(c, "", "docs-old.md", false)); /* a prefix */
    CHECK(jekyll_filtered(c, "sub", "a.tmp", false));
    CHECK(jekyll_filtered(c, "", "vendor", true));
    CHECK(!jekyll_filtered(c, "", "vendor", false));
    CHECK(!jekyll_filtered(c, "", "about.md", false));
    value_release(c);
}

static void test_dates(void)
{
    int64_t t;
    CHECK(jekyll_parse_date("2024-01-02", 0, &t) && t == 1704153600);
    CHECK(jekyll_parse_date("2024-01-02 01:00:00 +0100", 0, &t) &&
          t == 1704153600);
    CHECK(jekyll_parse_date("2024-01-02T00:00:00Z", 3600, &t) &&
          t == 1704153600);
    CHECK(jekyll_parse_date("2024-01-02", 3600, &t) && t == 1704150000);
    CHECK(!jekyll_parse_date("2023-02-29", 0, &t));
    CHECK(!jekyll_parse_date("yesterday", 0, &t));
}

static void test_csv(void)
{
    const char *text = "name,year\r\n\"Smith, J.\",2020\nDoe,\n\"a\"\"b\",1";
    struct value *v = jekyll_csv(text, strlen(text), ',');
    CHECK(value_len(v) == 3);
    CHECK_STR(value_text(value_path_get(v, "0.name")), "Smith, J.");
    CHECK_STR(value_text(value_path_get(v, "0.year")), "2020");
    CHECK(value_kind(value_path_get(v, "1.year")) == VALUE_NIL);
    CHECK_STR(value_text(value_path_get(v, "2.name")), "a\"b");
    value_release(v);
}

static const struct jekyll_doc *find(const struct jekyll_site *s,
                                     const char *path)
{
    for (size_t i = 0; i < s->n_docs; i++)
        if (strcmp(s->docs[i].path, path) == 0)
            return &s->docs[i];
    return NULL;
}

static void test_site(void)
{
    char *root = fixture("several-md");
    struct jekyll_site s;
    struct diags d = {0};
    /* 2025-01-01: the 2199 post is in the future. */
    struct jekyll_opts o = {.now = 1735689600};
    CHECK(jekyll_load(root, &o, &s, &d) == 0);
    const struct jekyll_doc *home = jekyll_home(&s, &d);
    CHECK(home && strcmp(home->path, "_pages/about.md") == 0);
    CHECK(find(&s, "README.md") == NULL); /* excluded */
    const struct jekyll_doc *c = find(&s, "CONTRIBUTING.md");
    CHECK(c && c->kind == JEKYLL_STATIC);
    CHECK(find(&s, "_pages/hidden.md") == NULL);
    CHECK(find(&s, "_posts/2199-01-01-future.md") == NULL);
    CHECK(find(&s, "_posts/undated.md") == NULL);
    CHECK(find(&s, "_drafts/a-draft.md") == NULL);
    const struct jekyll_doc *p = find(&s, "_posts/2021-01-02-hello-world.md");
    CHECK(p && strcmp(p->url, "/blog/2021/hello-world/") == 0);
    CHECK_STR(value_text(value_path_get(p->page, "categories.1")), "misc");
    CHECK_STR(value_text(value_path_get(p->page, "excerpt")),
              "The first post.");
    CHECK_STR(value_text(value_path_get(p->page, "date")),
              "2021-01-02 00:00:00 +0000");
    CHECK_STR(value_text(value_path_get(p->page, "id")),
              "/blog/2021/hello-world");
    const struct jekyll_doc *n = find(&s, "_news/announcement_1.md");
    CHECK(n && strcmp(n->url, "/news/announcement_1/") == 0 && n->output);
    CHECK_STR(value_text(value_path_get(n->page, "layout")), "post");
    CHECK_STR(value_text(value_path_get(s.site, "posts.0.title")), "Second");
    CHECK_STR(value_text(value_path_get(s.site, "news.1.url")),
              "/news/announcement_2/");
    CHECK_STR(value_text(value_path_get(s.site, "data.socials.github_username")),
              "grace");
    CHECK_STR(value_text(value_path_get(s.site, "data.nested.list.name")),
              "nested");
    CHECK_STR(value_text(value_path_get(s.site, "data.table.0.name")),
              "Smith, J.");
    CHECK_STR(value_text(value_path_get(s.site, "collections.0.label")),
              "posts");
    CHECK_STR(value_text(value_path_get(s.site, "first_name")), "Grace");
    CHECK_STR(value_text(value_path_get(s.site, "time")),
              "2025-01-01 00:00:00 +0000");
    CHECK(d.n == 0);
    char *dest = jekyll_destination(find(&s, "_pages/cv.md"));
    CHECK_STR(dest, "cv/index.html");
    free(dest);
    jekyll_free(&s);
    diags_free(&d);
    free(root);
}

static void test_conflict(void)
{
    char *root = fixture("conflict");
    struct jekyll_site s;
    struct diags d = {0};
    CHECK(jekyll_load(root, NULL, &s, &d) == 0);
    const struct jekyll_doc *home = jekyll_home(&s, &d);
    CHECK(home && strcmp(home->path, "index.md") == 0);
    CHECK(d.n == 1 && strstr(d.items[0].msg, "conflict"));
    jekyll_conflicts(&s, &d);
    CHECK(d.n == 2 && strstr(d.items[1].msg, "blog-post-1") &&
          strstr(d.items[1].msg, "2012/08/blog-post-1/index.html"));
    const struct jekyll_doc *t = find(&s, "_talks/2012-03-01-talk-1.md");
    CHECK(t && !t->output);
    const struct jekyll_doc *b = find(&s, "blog/_posts/2013-02-03-nested.md");
    CHECK(b && strcmp(b->url, "/blog/travel/2013/02/nested/") == 0);
    const struct jekyll_doc *f = find(&s, "_portfolio/sheet.pdf");
    CHECK(f && f->kind == JEKYLL_STATIC &&
          strcmp(f->url, "/portfolio/sheet.pdf") == 0);
    jekyll_free(&s);
    diags_free(&d);
    free(root);
}

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

static void link_in(const char *dir, const char *target, const char *name)
{
    struct buf p = {0};
    buf_printf(&p, "%s/%s", dir, name);
    CHECK(symlink(target, p.data) == 0);
    buf_free(&p);
}

/* Links to the root, to a parent and out of the site: each folder is
 * read once (two links to the root would otherwise make the walk
 * exponential), and nothing outside is read. */
static void test_symlink_loops(void)
{
    const char *tmp = getenv("TMPDIR");
    struct buf tpl = {0};
    buf_printf(&tpl, "%s/test_jekyll.XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    char *dir = tpl.data;
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        buf_free(&tpl);
        return;
    }
    write_file(dir, "_config.yml", "title: loops\n");
    write_file(dir, "index.md", "---\n---\nhome\n");
    link_in(dir, ".", "a");
    link_in(dir, ".", "b");
    link_in(dir, "/etc", "etc");
    struct buf sub = {0};
    buf_printf(&sub, "%s/_data", dir);
    mkdir(sub.data, 0755);
    link_in(sub.data, "..", "up");
    struct jekyll_site s;
    struct diags d = {0};
    CHECK(jekyll_load(dir, NULL, &s, &d) == 0);
    CHECK(s.n_docs == 1 && strcmp(s.docs[0].path, "index.md") == 0);
    jekyll_free(&s);
    diags_free(&d);
    const char *names[] = {"a", "b", "etc", "_data/up", "_data",
                           "index.md", "_config.yml"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        buf_clear(&sub);
        buf_printf(&sub, "%s/%s", dir, names[i]);
        if (unlink(sub.data) != 0)
            rmdir(sub.data);
    }
    rmdir(dir);
    buf_free(&sub);
    buf_free(&tpl);
}

int main(void)
{
    test_symlink_loops();
    test_slugify();
    test_urls();
    test_config();
    test_filter();
    test_dates();
    test_csv();
    test_site();
    test_conflict();
    return test_done();
}
