/* The capsule's URLs: which slugs can be a path, the path of every route,
 * and the links and URLs written for them. */
#include "capsuled/paths.h"
#include "test.h"

static struct buf b;

static const char *got(void)
{
    return b.data ? b.data : "";
}

static void test_slug_is_safe(void)
{
    CHECK(path_slug_is_safe("about-me"));
    CHECK(path_slug_is_safe("a_b.c~d"));
    CHECK(path_slug_is_safe("\xc3\xbc" "ber"));
    CHECK(path_slug_is_safe("..."));
    CHECK(path_slug_is_safe("a:b@c!$&'()*+,;="));
    CHECK(!path_slug_is_safe(NULL));
    CHECK(!path_slug_is_safe(""));
    CHECK(!path_slug_is_safe("."));
    CHECK(!path_slug_is_safe(".."));
    CHECK(!path_slug_is_safe("a/b"));
    CHECK(!path_slug_is_safe("x%20y"));
    CHECK(!path_slug_is_safe("a?b"));
    CHECK(!path_slug_is_safe("a#b"));
    CHECK(!path_slug_is_safe("a\\b"));
    CHECK(!path_slug_is_safe("a b"));
    CHECK(!path_slug_is_safe("a\tb"));
    CHECK(!path_slug_is_safe("a\x7f"));
    char long_slug[PATH_SLUG_MAX + 2];
    memset(long_slug, 'a', sizeof long_slug);
    long_slug[PATH_SLUG_MAX] = '\0';
    CHECK(path_slug_is_safe(long_slug));
    long_slug[PATH_SLUG_MAX] = 'a';
    long_slug[PATH_SLUG_MAX + 1] = '\0';
    CHECK(!path_slug_is_safe(long_slug));
}

static void test_routes(void)
{
    struct section secs[2] = {{.slug = "home"}, {.slug = "about-me"}};
    struct doc d = {.sections = secs, .n_sections = 2};
    buf_clear(&b);
    path_section(&b, &d, "home");
    CHECK_STR(got(), "/");
    buf_clear(&b);
    path_section(&b, &d, "about-me");
    CHECK_STR(got(), "/about-me/");
    buf_clear(&b);
    path_section(&b, &d, "a/b"); /* never a route: never a link either */
    CHECK_STR(got(), "/");
    buf_clear(&b);
    path_section_page(&b, "home");
    CHECK_STR(got(), "/home/");
    buf_clear(&b);
    path_section_text(&b, "about-me");
    CHECK_STR(got(), "/about-me.txt");
    buf_clear(&b);
    path_section_text_of(&b, &d, "about-me");
    CHECK_STR(got(), "/about-me.txt");
    /* A page's sections live beneath its own route. */
    d.base = "/cv/";
    buf_clear(&b);
    path_section(&b, &d, "home");
    CHECK_STR(got(), "/cv/");
    buf_clear(&b);
    path_section(&b, &d, "about-me");
    CHECK_STR(got(), "/cv/about-me/");
    buf_clear(&b);
    path_section(&b, &d, "a/b");
    CHECK_STR(got(), "/cv/");
    buf_clear(&b);
    path_section_text_of(&b, &d, "about-me");
    CHECK_STR(got(), "/cv/about-me.txt");
    d.base = "/notes/page"; /* an .html permalink served without it */
    buf_clear(&b);
    path_section(&b, &d, "about-me");
    CHECK_STR(got(), "/notes/page/about-me/");
    d.base = NULL;
    buf_clear(&b);
    path_news_item(&b, 12);
    CHECK_STR(got(), "/news/12/");
    CHECK_STR(PATH_NEWS, "/news/");
    CHECK_STR(PATH_SEARCH, "/search");
}

static void test_links(void)
{
    buf_clear(&b);
    path_put_link(&b, "/\xc3\xbc" "ber/");
    CHECK_STR(got(), "/%C3%BCber/");
    buf_clear(&b);
    path_put_link(&b, "/a-b/");
    CHECK_STR(got(), "/a-b/");
    buf_clear(&b);
    path_gemini_url(&b, "example.org", 1965, "/news/1/");
    CHECK_STR(got(), "gemini://example.org/news/1/");
    buf_clear(&b);
    path_gemini_url(&b, "::1", 1966, "/\xc3\xbc/");
    CHECK_STR(got(), "gemini://[::1]:1966/%C3%BC/");
    buf_clear(&b);
    path_gemini_url(&b, NULL, 0, "/");
    CHECK_STR(got(), "gemini://localhost/");
    buf_clear(&b);
    path_spartan_url(&b, "example.org", 300, "/news/1/");
    CHECK_STR(got(), "spartan://example.org/news/1/");
    buf_clear(&b);
    path_spartan_url(&b, "::1", 3000, "/a b/");
    CHECK_STR(got(), "spartan://[::1]:3000/a%20b/");
    buf_clear(&b);
    path_spartan_url(&b, "", -1, "/");
    CHECK_STR(got(), "spartan://localhost/");
    buf_clear(&b);
    path_gopher_url(&b, "gopher.example.org", 70, '1', "/research/");
    CHECK_STR(got(), "gopher://gopher.example.org:70/1/research/");
    buf_clear(&b);
    path_gopher_url(&b, "2001:db8::1", 7070, '0', "/a b.txt");
    CHECK_STR(got(), "gopher://[2001:db8::1]:7070/0/a%20b.txt");
    buf_clear(&b);
    path_gopher_url(&b, "", -1, '1', "/");
    CHECK_STR(got(), "gopher://localhost:70/1/");
}

int main(void)
{
    test_slug_is_safe();
    test_routes();
    test_links();
    buf_free(&b);
    return test_done();
}
