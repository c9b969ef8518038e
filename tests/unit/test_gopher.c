/* Gopher: selector parsing (issue 4 items 1-4) and every menu and file
 * through gopher_respond on a fixture capsule. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "site_fixture.h"
#include "test.h"

static struct gopher_request req;

static enum gopher_kind parse_n(const char *line, size_t len)
{
    gopher_parse(line, len, &req);
    return req.kind;
}

static enum gopher_kind parse(const char *line)
{
    return parse_n(line, strlen(line));
}

static void test_parse(void)
{
    CHECK(parse("") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/");
    CHECK(parse("/") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/");
    CHECK(parse("caps.txt") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/caps.txt");
    CHECK(parse("/about-me/") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/about-me/");
    CHECK(parse("../../etc/passwd") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/etc/passwd");
    CHECK(parse("/a/./b/../c") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/a/c");

    CHECK(parse("/search\tcomputer architecture") == GOPHER_SELECTOR);
    CHECK_STR(req.path, "/search");
    CHECK(req.has_terms);
    CHECK_STR(req.terms, "computer architecture");
    CHECK(parse("/search\twuhan\t+") == GOPHER_SELECTOR);
    CHECK_STR(req.terms, "wuhan");
    CHECK(parse("/search") == GOPHER_SELECTOR);
    CHECK(!req.has_terms);

    CHECK(parse("URL:https://example.com/") == GOPHER_URL);
    CHECK_STR(req.url, "https://example.com/");
    CHECK(parse("/URL:gemini://example.com/") == GOPHER_URL);
    CHECK_STR(req.url, "gemini://example.com/");

    CHECK(parse("GET / HTTP/1.1") == GOPHER_HTTP);
    CHECK(parse("HEAD /x HTTP/1.0") == GOPHER_HTTP);
    CHECK(parse("GET /") == GOPHER_SELECTOR); /* a selector, oddly named */

    CHECK(parse_n("/a\0b", 4) == GOPHER_BAD);
    CHECK(parse("/\xff") == GOPHER_BAD);
    CHECK(parse("/\xc3") == GOPHER_BAD);
    CHECK(parse("/a\rb") == GOPHER_BAD);
    CHECK(parse("/search\ta\x01") == GOPHER_BAD);

    char sel[300];
    memset(sel, 'a', sizeof sel);
    sel[0] = '/';
    CHECK(parse_n(sel, 255) == GOPHER_SELECTOR);
    CHECK(parse_n(sel, 256) == GOPHER_BAD);
}

/* --- responses --- */

static struct capsule *cap;
static struct response resp;

static const char *get_n(const char *line, size_t len)
{
    response_free(&resp);
    gopher_respond(cap, line, len, &resp);
    static char copy[65536];
    size_t n = resp.len < sizeof copy - 1 ? resp.len : sizeof copy - 1;
    memcpy(copy, resp.data, n);
    copy[n] = '\0';
    return copy;
}

static const char *get(const char *line)
{
    return get_n(line, strlen(line));
}

/* RFC 1436: every line CRLF-terminated with four TAB-separated fields
 * (type+label, selector, host, port), and a lone "." at the end. */
static bool menu_well_formed(const char *m)
{
    size_t n = strlen(m);
    if (n < 3 || strcmp(m + n - 3, ".\r\n") != 0)
        return false;
    const char *line = m;
    while (line < m + n - 3) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            return false;
        int tabs = 0;
        for (const char *p = line; p < end; p++) {
            tabs += *p == '\t';
            if (*p == '\n' || *p == '\r')
                return false;
        }
        if (tabs != 3)
            return false;
        line = end + 2;
    }
    return true;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_menus(void)
{
    const char *r = get("");
    CHECK(resp.status == GOPHER_SERVED);
    CHECK(menu_well_formed(r));
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    CHECK_CONTAINS(r, "\t/research-interests/\tgopher.example.org\t7070\r\n");
    CHECK_STR(get("/"), r);

    r = get("/about-me/");
    CHECK(menu_well_formed(r));
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    CHECK_STR(get("/about-me"), r); /* no redirects in gopher */
    CHECK_STR(resp.target, "/about-me");

    r = get("/about-me.txt");
    CHECK(resp.status == GOPHER_SERVED);
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    CHECK(strstr(r, "\t") == NULL);

    r = get("/news/");
    CHECK(menu_well_formed(r));
    CHECK_CONTAINS(r, "ICDE2026");
    CHECK_CONTAINS(r, "Travel award");
    CHECK_CONTAINS(r, "\t/news.txt\tgopher.example.org\t7070\r\n");
}

static void test_files(void)
{
    const char *r = get("caps.txt");
    CHECK(starts(r, "CAPS\r\n\r\nCapsVersion=1\r\nExpireCapsAfter=3600\r\n"));
    CHECK_CONTAINS(r, "\r\nPathDelimeter=/\r\n");
    CHECK_CONTAINS(r, "\r\nPathIdentity=.\r\n");
    CHECK_CONTAINS(r, "\r\nPathParent=..\r\n");
    CHECK_CONTAINS(r, "\r\nPathParentDouble=FALSE\r\n");
    CHECK_CONTAINS(r, "\r\nPathKeepPreDelimeter=FALSE\r\n");
    CHECK_CONTAINS(r, "\r\nServerSoftware=capsuled\r\n");
    CHECK_CONTAINS(r, "\r\nServerVersion=");
    CHECK_CONTAINS(r, "\r\nServerArchitecture=Linux\r\n");
    CHECK_CONTAINS(r, "\r\nServerDescription=A capsule for tests\r\n");
    CHECK_CONTAINS(r, "\r\nServerDefaultEncoding=UTF-8\r\n");
    CHECK_CONTAINS(r, "\r\nServerAdmin=admin@example.org\r\n");
    CHECK_STR(get("/caps.txt"), r);

    CHECK_STR(get("/robots.txt"), "User-agent: *\nDisallow: /search\n");
    CHECK_STR(get("/source.md"), FIXTURE_PAGE);
}

static void test_errors(void)
{
    const char *r = get("/nope");
    CHECK(resp.status == GOPHER_ERROR);
    CHECK_STR(r, "3Not found: /nope\t\tnull.host\t1\r\n.\r\n");
    CHECK(menu_well_formed(r));

    r = get("../../etc/passwd");
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));
    CHECK(strstr(r, "root:") == NULL);

    r = get_n("/about-me/\0", 11);
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));
    r = get("/\xff\xfe");
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));
    CHECK(strstr(resp.target, "\xff") == NULL);

    char big[10240];
    memset(big, 'x', sizeof big);
    r = get_n(big, sizeof big);
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));
    CHECK(strlen(resp.target) < sizeof resp.target);
    /* a long unknown selector is cut in the error line */
    r = get_n(big, 255);
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(strlen(r) < 200);
}

static void test_search(void)
{
    const char *r = get("/search\tarchitecture");
    CHECK(resp.status == GOPHER_SERVED);
    CHECK(menu_well_formed(r));
    CHECK(starts(r, "iSearch: architecture\t"));
    CHECK_CONTAINS(r, "1About Me\t/\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(r, "\t/research-interests/\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    CHECK_CONTAINS(r, "7Search again\t/search\tgopher.example.org\t7070\r\n");

    /* A line just over the limit reached the server cut at its buffer:
     * an error, never a search for what it starts with. At the limit it
     * is served. */
    char line[GOPHER_REQUEST_MAX + 8];
    memset(line, ' ', sizeof line);
    memcpy(line, "/search\tarchitecture", 20);
    r = get_n(line, GOPHER_REQUEST_MAX);
    CHECK(resp.status == GOPHER_SERVED);
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    r = get_n(line, GOPHER_REQUEST_MAX + 1);
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));
    CHECK(starts(r, "3Request too long\t"));
    CHECK(strstr(r, "ARCHITECTURE") == NULL);

    r = get("/search\txyzzy");
    CHECK(menu_well_formed(r));
    CHECK_CONTAINS(r, "iNo matches.\t");

    r = get("/search");
    CHECK(menu_well_formed(r));
    CHECK_CONTAINS(r, "\t/search\tgopher.example.org\t7070\r\n");
    r = get("search\t");
    CHECK(menu_well_formed(r));
    CHECK(starts(r, "7"));
}

static void test_url_and_http(void)
{
    const char *r = get("URL:https://example.com/?a=1&b=\"2\"");
    CHECK(resp.status == GOPHER_ERROR); /* a quote cannot be part of a URL */
    r = get("URL:https://example.com/?a=1&b=2");
    CHECK(resp.status == GOPHER_SERVED);
    CHECK(starts(r, "<!DOCTYPE html>"));
    CHECK_CONTAINS(r, "content=\"1; url=https://example.com/?a=1&amp;b=2\"");
    CHECK_CONTAINS(r, "<a href=\"https://example.com/?a=1&amp;b=2\">");
    CHECK(strstr(r, "<script") == NULL);
    get("URL:gemini://example.org/");
    CHECK(resp.status == GOPHER_SERVED);
    get("URL:mailto:someone@example.org");
    CHECK(resp.status == GOPHER_SERVED);
    get("URL:HTTP://EXAMPLE.COM/");
    CHECK(resp.status == GOPHER_SERVED);

    r = get("URL:javascript:alert(1)");
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));
    get("URL:file:///etc/passwd");
    CHECK(resp.status == GOPHER_ERROR);
    get("URL:data:text/html,<script>alert(1)</script>");
    CHECK(resp.status == GOPHER_ERROR);
    get("URL:https://");
    CHECK(resp.status == GOPHER_ERROR);
    r = get("URL:https://x/<script>");
    CHECK(resp.status == GOPHER_ERROR);
    CHECK(menu_well_formed(r));

    r = get("GET / HTTP/1.1");
    CHECK(starts(r, "HTTP/1.0 200 OK\r\n"));
    CHECK_CONTAINS(r, "Content-Type: text/plain; charset=utf-8\r\n");
    CHECK_CONTAINS(r, "Connection: close\r\n");
    CHECK_CONTAINS(r, "gopher://gopher.example.org:7070/");
    const char *body = strstr(r, "\r\n\r\n");
    const char *cl = strstr(r, "Content-Length: ");
    CHECK(body && cl && (size_t)atoi(cl + 16) == strlen(body + 4));
}

int main(void)
{
    test_parse();

    char dir[64];
    fixture_make(dir);
    cap = fixture_load(dir);
    CHECK(cap != NULL);
    if (cap) {
        test_menus();
        test_files();
        test_errors();
        test_search();
        test_url_and_http();
        response_free(&resp);
        capsule_unref(cap);
    }
    fixture_remove(dir);
    return test_done();
}
