/* A Jekyll site as a reader browses it (src/site/pages.c, nav.c): a page
 * with several sections split beneath its URL, one with one section whole,
 * collection indexes where the site has no page, the navigation on the
 * home page, and where the site's own links lead. */
#include "capsuled/capsule.h"
#include "capsuled/site.h"
#include "site_fixture.h"
#include "test.h"

#include <sys/stat.h>

static const char *const FILES[][2] = {
    {"_config.yml",
     "title: Site\nurl: \"https://example.org\"\nbaseurl: \"/me\"\n"
     "collections:\n  talks:\n    output: true\n"
     "  publications:\n    output: true\n"},
    {"capsule.yaml", "gemini:\n  host: example.org\n"},
    {"index.md",
     "---\ntitle: Home\n---\nSee [my CV](/cv/), [its talks](cv/#talks),\n"
     "[teaching](/#-teaching-notes), [the web CV](https://example.org/me/cv/),\n"
     "[a file](/files/paper.pdf) and [nothing](/missing/).\n\n"
     "# \xf0\x9f\x8e\x93 Teaching Notes\n\nNotes.\n\n# Other\n\nMore.\n"},
    {"cv.md",
     "---\ntitle: CV\npermalink: /cv/\n---\nIntro of the CV.\n\n"
     "# Education\n\nA school.\n\n# Talks\n\nSome talks, [home](/), "
     "[my teaching](/#-teaching-notes).\n"},
    {"one.md", "---\ntitle: One\n---\nJust one [CV](../cv/) section.\n"},
    {"publications.md",
     "---\ntitle: Publications\npermalink: /publications/\n---\nPapers.\n"},
    {"_talks/a.md", "---\ntitle: Old talk\ndate: 2020-01-02\n---\nOld.\n"},
    {"_talks/b.md", "---\ntitle: New talk\ndate: 2024-05-06\n---\nNew.\n"},
    {"notes/deep.md",
     "---\ntitle: Deep\n---\nBack to [the CV](../cv/), see [a picture](pic.png).\n"},
    {"_publications/p.md", "---\ntitle: A paper\n---\nPaper.\n"},
};
enum { N_FILES = sizeof FILES / sizeof FILES[0] };

static char dir[64];

/* The shared fixture's directory, its page made a static file of the
 * site (no front matter) and its capsule.yaml replaced. */
static void make_site(void)
{
    fixture_make(dir);
    char path[512];
    const char *subs[] = {"_talks", "_publications", "notes"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subs[i]);
        mkdir(path, 0755);
    }
    for (size_t i = 0; i < N_FILES; i++)
        fixture_write(dir, FILES[i][0], FILES[i][1]);
}

static void remove_site(void)
{
    char path[512];
    for (size_t i = 0; i < N_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i][0]);
        unlink(path);
    }
    const char *subs[] = {"_talks", "_publications", "notes"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subs[i]);
        rmdir(path);
    }
    fixture_remove(dir);
}

/* The body of a route, "" when there is none. */
static const char *body(const struct route_table *t, const char *path)
{
    const struct route *r = route_find(t, path);
    return r ? r->data : "";
}

#define HAS(t, path, text) CHECK(strstr(body(t, path), text) != NULL)
#define HASNT(t, path, text) CHECK(strstr(body(t, path), text) == NULL)

static void test_sections(const struct site *s)
{
    const struct route_table *g = &s->gemini, *o = &s->gopher;
    HAS(g, "/cv/", "# CV\n");
    HAS(g, "/cv/", "Intro of the CV.");
    HAS(g, "/cv/", "=> /cv/education/ Education\n");
    HAS(g, "/cv/", "=> /cv/talks/ Talks\n");
    HASNT(g, "/cv/", "A school.");
    HAS(g, "/cv/education/", "A school.");
    /* "/#id" on another page names the home page's section. */
    HAS(g, "/cv/talks/", "=> /teaching-notes/ my teaching\n");
    HAS(g, "/cv/education/", "=> / Home\n");
    HAS(g, "/cv/education/", "=> /cv/ Up: CV\n");
    HAS(g, "/cv/talks/", "=> /cv/education/ Previous: Education\n");
    HAS(o, "/cv/", "1Education\t/cv/education/\t");
    HAS(o, "/cv/education/", "0This section as text\t/cv/education.txt\t");
    CHECK(route_find(o, "/cv/education.txt") != NULL);
    CHECK(route_find(o, "/cv/talks/") != NULL);
    /* One section: whole, with a link home, no section routes. */
    HAS(g, "/one", "Just one CV section.");
    HAS(g, "/one", "=> / Home\n");
    CHECK(route_find(g, "/one/home/") == NULL);
}

static void test_indexes(const struct site *s)
{
    const struct route_table *g = &s->gemini;
    const char *talks = body(g, "/talks/");
    /* Items at /:collection/:path.html, served without the suffix. */
    const char *new_talk = strstr(talks, "=> /talks/b 2024-05-06 New talk\n");
    const char *old_talk = strstr(talks, "=> /talks/a 2020-01-02 Old talk\n");
    CHECK(new_talk && old_talk && new_talk < old_talk); /* newest first */
    HAS(&s->gopher, "/talks/", "12024-05-06 New talk\t/talks/b\t");
    /* The site's own /publications/ page wins over the index. */
    HAS(g, "/publications/", "Papers.");
    HASNT(g, "/publications/", "A paper");
}

static void test_nav_and_links(const struct site *s)
{
    const struct route_table *g = &s->gemini;
    const char *home = body(g, "/");
    const char *pages = strstr(home, "## Pages\n");
    CHECK(pages != NULL);
    pages = pages ? pages : "";
    CHECK(strstr(pages, "=> /cv/ CV\n") != NULL);
    CHECK(strstr(pages, "=> /publications/ Publications\n") != NULL);
    CHECK(strstr(pages, "=> /talks/ talks\n") != NULL);
    CHECK(strstr(pages, "=> /teaching-notes/") == NULL); /* under Sections */
    HAS(g, "/", "=> /cv/ my CV\n");
    HAS(g, "/", "=> /cv/ its talks\n"); /* an anchor of another page */
    HAS(g, "/", "=> /teaching-notes/ teaching\n");
    HAS(g, "/", "=> /cv/ the web CV\n");
    HAS(g, "/", "=> https://example.org/me/files/paper.pdf a file\n");
    HAS(g, "/", "=> https://example.org/me/missing/ nothing\n");
    HAS(g, "/one", "=> /cv/ CV\n"); /* relative to the page's URL */
    HAS(g, "/cv/talks/", "=> / home\n");
    /* Relative links read against the page's own web URL. */
    HAS(g, "/notes/deep", "=> /cv/ the CV\n");
    HAS(g, "/notes/deep", "=> https://example.org/me/notes/pic.png a picture\n");
    HAS(&s->gopher, "/", "1my CV\t/cv/\t");
}

int main(void)
{
    make_site();
    struct capsule *c = fixture_load(dir);
    CHECK(c != NULL);
    if (c) {
        test_sections(c->sites[0]);
        test_indexes(c->sites[0]);
        test_nav_and_links(c->sites[0]);
        capsule_unref(c);
    }
    remove_site();
    return test_done();
}
