/* The snapshot: path normalisation, route tables, loading failures,
 * reference counting, change detection, and the default capsule. */
#include "capsuled/capsule.h"
#include "capsuled/site.h"
#include "site_fixture.h"
#include "test.h"

#include <sys/stat.h>

static const char *norm(const char *in)
{
    static char out[256];
    if (!site_normalize_path(in, strlen(in), out, sizeof out))
        return "(too long)";
    return out;
}

static void test_normalize(void)
{
    CHECK_STR(norm(""), "/");
    CHECK_STR(norm("/"), "/");
    CHECK_STR(norm("//"), "/");
    CHECK_STR(norm("a"), "/a");
    CHECK_STR(norm("a/"), "/a/");
    CHECK_STR(norm("/a/b"), "/a/b");
    CHECK_STR(norm("/a/b/"), "/a/b/");
    CHECK_STR(norm("/a/./b"), "/a/b");
    CHECK_STR(norm("/a/../b"), "/b");
    CHECK_STR(norm("/../../a"), "/a");
    CHECK_STR(norm("../.."), "/");
    CHECK_STR(norm("/a/b/.."), "/a/");
    CHECK_STR(norm("/a/b/."), "/a/b/");
    CHECK_STR(norm("/a/..."), "/a/...");
    CHECK_STR(norm("/a/.b"), "/a/.b");
    CHECK_STR(norm("/a//b///c"), "/a/b/c");
    char small[4];
    CHECK(!site_normalize_path("/abcdef", 7, small, sizeof small));
    CHECK(site_normalize_path("/ab", 3, small, sizeof small));
    CHECK_STR(small, "/ab");
}

static void test_load_failures(void)
{
    char dir[64];
    fixture_make(dir);
    struct diags d = {0};
    /* a page that is not there */
    fixture_write(dir, "capsule.yaml", "page: missing.md\n");
    CHECK(capsule_load(dir, &d) == NULL);
    CHECK(diags_count(&d, DIAG_ERROR) > 0);
    diags_free(&d);
    /* a broken config */
    fixture_write(dir, "capsule.yaml", "gemini: [unclosed\n");
    CHECK(capsule_load(dir, &d) == NULL);
    CHECK(diags_count(&d, DIAG_ERROR) > 0);
    diags_free(&d);
    fixture_remove(dir);
}

static void test_snapshot(void)
{
    char dir[64];
    fixture_make(dir);
    struct capsule *c = fixture_load(dir);
    CHECK(c != NULL);
    if (!c) {
        fixture_remove(dir);
        return;
    }
    CHECK(c->n_sites == 1);
    CHECK(c->n_files == 2);
    CHECK(!capsule_changed(c));

    const struct site *s = c->sites[0];
    bool sorted = true;
    for (size_t i = 1; i < s->gemini.n; i++)
        sorted &= strcmp(s->gemini.items[i - 1].path, s->gemini.items[i].path) < 0;
    CHECK(sorted);
    const char *want[] = {"/", "/about-me/", "/news/", "/news/1/", "/news/2/",
                          "/research-interests/", "/atom.xml", "/robots.txt",
                          "/favicon.txt", "/source.md"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        CHECK(route_find(&s->gemini, want[i]) != NULL);
    CHECK(s->gemini.n == sizeof want / sizeof *want);
    const char *want_gopher[] = {"/", "/about-me/", "/about-me.txt", "/news/",
                                 "/news.txt", "/caps.txt", "/robots.txt",
                                 "/source.md"};
    for (size_t i = 0; i < sizeof want_gopher / sizeof *want_gopher; i++)
        CHECK(route_find(&s->gopher, want_gopher[i]) != NULL);
    CHECK(route_find(&s->gemini, "/nope") == NULL);
    CHECK(route_find(&s->gemini, "") == NULL);

    /* references: the snapshot outlives the loader's reference */
    CHECK(capsule_ref(c) == c);
    CHECK(c->refs == 2);
    capsule_unref(c);
    CHECK(c->refs == 1);

    /* a changed page, a changed config, a vanished file */
    fixture_write(dir, "about.md", "# Changed\n\nNew text.\n");
    CHECK(capsule_changed(c));
    struct capsule *c2 = fixture_load(dir);
    CHECK(c2 && !capsule_changed(c2));
    if (c2) {
        fixture_write(dir, "capsule.yaml", "title: \"Other\"\n");
        CHECK(capsule_changed(c2));
        capsule_unref(c2);
    }
    capsule_unref(c);

    c = fixture_load(dir);
    CHECK(c && !capsule_changed(c));
    char path[512];
    snprintf(path, sizeof path, "%s/about.md", dir);
    unlink(path);
    CHECK(c && capsule_changed(c));
    capsule_unref(c);
    fixture_remove(dir);
}

static void test_no_config(void)
{
    /* a directory without capsule.yaml serves about.md with defaults, and
     * notices when a capsule.yaml appears */
    char dir[64];
    fixture_make(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/capsule.yaml", dir);
    unlink(path);
    struct capsule *c = fixture_load(dir);
    CHECK(c != NULL);
    if (c) {
        CHECK(!capsule_changed(c));
        fixture_write(dir, "capsule.yaml", "title: \"New\"\n");
        CHECK(capsule_changed(c));
        capsule_unref(c);
    }
    fixture_remove(dir);
}

static void test_default_capsule(void)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    if (!root) {
        printf("# CAPSULED_SOURCE_ROOT unset: default capsule skipped\n");
        return;
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/capsule", root);
    struct capsule *c = fixture_load(dir);
    CHECK(c != NULL);
    if (!c)
        return;
    const struct site *s = c->sites[0];
    const char *slugs[] = {"about-me", "research-interests", "news",
                           "publications", "honors-and-awards", "educations",
                           "invited-talks", "internships"};
    char path[128];
    for (size_t i = 0; i < sizeof slugs / sizeof *slugs; i++) {
        snprintf(path, sizeof path, "/%s/", slugs[i]);
        CHECK(route_find(&s->gemini, path) != NULL);
        CHECK(route_find(&s->gopher, path) != NULL);
        snprintf(path, sizeof path, "/%s.txt", slugs[i]);
        CHECK(route_find(&s->gopher, path) != NULL);
    }
    CHECK(s->content.news.n >= 5);
    CHECK(route_find(&s->gemini, "/news/5/") != NULL);
    CHECK_STR(s->gemtext_header, "20 text/gemini; charset=utf-8; lang=en\r\n");

    struct buf b = {0};
    site_search_gemini(s, "hpdc2025", &b);
    CHECK_CONTAINS(b.data, "=> /news/ ");
    CHECK_CONTAINS(b.data, "> ");
    buf_free(&b);
    capsule_unref(c);
}

/* The route a static file is served at, and URLs naming one document. */
static void test_static_urls(void)
{
    char *r = site_static_route("/files/cv.pdf");
    CHECK_STR(r, "/files/cv.pdf");
    free(r);
    r = site_static_route("/files/my%20cv.pdf");
    CHECK_STR(r, "/files/my cv.pdf"); /* routes hold decoded paths */
    free(r);
    /* Never asked for by a request, which is normalised first. */
    CHECK(site_static_route("/a/../b.png") == NULL);
    CHECK(site_static_route("/a//b.png") == NULL);
    CHECK(site_static_route("/a/..") == NULL);
    CHECK(site_static_route("/robots.txt") == NULL); /* capsuled's own */
    CHECK(site_static_route("/atom.xml") == NULL);
    CHECK(site_static_route("/dir/") == NULL);
    CHECK(site_static_route("") == NULL);
    CHECK(site_url_same("/about.html", "/about"));
    CHECK(site_url_same("/about/", "/about"));
    CHECK(site_url_same("about", "/about/"));
    CHECK(site_url_same("/a%20b/", "/a b"));
    CHECK(site_url_same("/", "/index.html"));
    CHECK(site_url_same("/cv/index.html", "/cv/"));
    CHECK(!site_url_same("/about/", "/about-me/"));
}

int main(void)
{
    test_normalize();
    test_static_urls();
    test_load_failures();
    test_snapshot();
    test_no_config();
    test_default_capsule();
    return test_done();
}
