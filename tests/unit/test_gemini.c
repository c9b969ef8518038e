/* Gemini: the request-line rules (spec and issue 3 item 3) on the pure
 * parser, then every route through gemini_respond on a fixture capsule. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "site_fixture.h"
#include "test.h"

#include <sys/stat.h>

static struct gemini_request req;

static int parse(const char *line)
{
    return gemini_parse(line, strlen(line), &req);
}

static void test_parse_accepts(void)
{
    CHECK(parse("gemini://example.org/") == 0);
    CHECK_STR(req.host, "example.org");
    CHECK_STR(req.path, "/");
    CHECK(req.port == -1);
    CHECK(!req.has_query);

    CHECK(parse("GEMINI://Example.ORG./About-Me/") == 0);
    CHECK_STR(req.host, "example.org");
    CHECK_STR(req.path, "/About-Me/");

    CHECK(parse("gemini://example.org") == 0);
    CHECK_STR(req.path, "/");
    CHECK(parse("gemini://example.org:1965/x") == 0);
    CHECK(req.port == 1965);
    CHECK(parse("gemini://example.org:/x") == 0);
    CHECK(req.port == -1);

    CHECK(parse("gemini://[::1]:1965/") == 0);
    CHECK_STR(req.host, "::1");
    CHECK(req.port == 1965);
    CHECK(parse("gemini://[::FFFF:127.0.0.1]/") == 0);
    CHECK_STR(req.host, "::ffff:127.0.0.1");
}

static void test_parse_rejects(void)
{
    CHECK(parse("") == GEMINI_BAD_REQUEST);
    CHECK(parse("/about-me/") == GEMINI_BAD_REQUEST);
    CHECK(parse("example.org/") == GEMINI_BAD_REQUEST);
    CHECK(parse("//example.org/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini:example.org/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini:/example.org/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://user@example.org/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/#frag") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/a b") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/a\tb") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/\x7f") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/\xff") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/\xc3") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/\xed\xa0\x80") ==
          GEMINI_BAD_REQUEST); /* surrogate */
    CHECK(gemini_parse("gemini://example.org/\0x", 22, &req) ==
          GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://:1965/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini:///") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org:http/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org:99999/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://[::1/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://[zz::1]/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://[::1]x/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/%4") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/%zz") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/%00") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/%0A") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/%C3") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/search?%zz") == GEMINI_BAD_REQUEST);
    /* other schemes are for a proxy, which this is not */
    CHECK(parse("https://example.org/") == GEMINI_PROXY_REFUSED);
    CHECK(parse("gopher://example.org/") == GEMINI_PROXY_REFUSED);
    CHECK(parse("geminix://example.org/") == GEMINI_PROXY_REFUSED);
}

static void test_parse_length(void)
{
    char line[1100];
    strcpy(line, "gemini://example.org/");
    size_t n = strlen(line);
    memset(line + n, 'a', sizeof line - n);
    CHECK(gemini_parse(line, 1024, &req) == 0);
    CHECK(strlen(req.path) == 1024 - n + 1);
    CHECK(gemini_parse(line, 1025, &req) == GEMINI_BAD_REQUEST);
    CHECK(gemini_parse(line, 1099, &req) == GEMINI_BAD_REQUEST);
}

static void test_parse_paths(void)
{
    /* Dot segments are refused, not resolved: clients send normalised
     * URLs (gemini-diagnostics expects 59). */
    CHECK(parse("gemini://example.org/a/../../b") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/../../../etc/passwd") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/%2e%2e/%2E%2E/etc/passwd") ==
          GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/.%2e/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/a/./b/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/a/%2E/b/") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/a/..") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/a/b/.") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/..") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/.") == GEMINI_BAD_REQUEST);
    CHECK(parse("gemini://example.org/./?q") == GEMINI_BAD_REQUEST);
    /* Names that only start or end with dots are no dot segments. */
    CHECK(parse("gemini://example.org/.well-known/a..b/...") == 0);
    CHECK_STR(req.path, "/.well-known/a..b/...");
    CHECK(parse("gemini://example.org/search?../..") == 0);
    CHECK_STR(req.query, "../..");
    CHECK(parse("gemini://example.org//a//b") == 0);
    CHECK_STR(req.path, "/a/b");
    CHECK(parse("gemini://example.org/%41bout") == 0);
    CHECK_STR(req.path, "/About");
    CHECK(parse("gemini://example.org/caf%C3%A9/") == 0);
    CHECK_STR(req.path, "/caf\xc3\xa9/");
    CHECK(parse("gemini://example.org/caf\xc3\xa9/") == 0);
    CHECK_STR(req.path, "/caf\xc3\xa9/");
    CHECK(parse("gemini://example.org/search?a%20b+c") == 0);
    CHECK_STR(req.path, "/search");
    CHECK(req.has_query);
    CHECK_STR(req.query, "a b+c");
    CHECK(parse("gemini://example.org/search?") == 0);
    CHECK(req.has_query);
    CHECK_STR(req.query, "");
}

/* --- routes --- */

static struct capsule *cap;
static struct response resp;

static const char *get_sni(const char *sni, const char *line)
{
    response_free(&resp);
    gemini_respond(cap, sni, line, strlen(line), &resp);
    /* responses are not NUL-terminated in general: copy for the checks */
    static char copy[65536];
    size_t n = resp.len < sizeof copy - 1 ? resp.len : sizeof copy - 1;
    memcpy(copy, resp.data, n);
    copy[n] = '\0';
    return copy;
}

static const char *get(const char *line)
{
    return get_sni(NULL, line);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_routes(void)
{
    const char *r = get("gemini://example.org/");
    CHECK(resp.status == GEMINI_SUCCESS);
    CHECK(starts(r, "20 text/gemini; charset=utf-8; lang=en\r\n"));
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    CHECK_CONTAINS(r, "=> /research-interests/");
    CHECK_CONTAINS(r, "=> /news/");
    CHECK_STR(resp.target, "example.org/");
    CHECK_STR(get("gemini://example.org"), r);

    r = get("gemini://example.org/about-me/");
    CHECK(resp.status == GEMINI_SUCCESS);
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.");
    CHECK_STR(resp.target, "example.org/about-me/");

    r = get("gemini://example.org/about-me");
    CHECK(resp.status == GEMINI_REDIRECT_PERMANENT);
    CHECK_STR(r, "31 gemini://example.org/about-me/\r\n");
    r = get("gemini://example.org/news");
    CHECK_STR(r, "31 gemini://example.org/news/\r\n");

    r = get("gemini://example.org/news/");
    CHECK(starts(r, "20 text/gemini"));
    CHECK_CONTAINS(r, " 2025-10-01 ");
    /* numbered from the oldest, so numbers stay put as news is added */
    r = get("gemini://example.org/news/2/");
    CHECK(resp.status == GEMINI_SUCCESS);
    CHECK_CONTAINS(r, "ICDE2026");
    CHECK_CONTAINS(r, "=> /news/ ");
    CHECK(count_of(r, "=> /news/ ") == 1);
    r = get("gemini://example.org/news/1/");
    CHECK_CONTAINS(r, "Travel award");
    get("gemini://example.org/news/0/");
    CHECK(resp.status == GEMINI_NOT_FOUND);
    get("gemini://example.org/news/3/");
    CHECK(resp.status == GEMINI_NOT_FOUND);

    r = get("gemini://example.org/atom.xml");
    CHECK(starts(r, "20 application/atom+xml\r\n<?xml"));
    r = get("gemini://example.org/robots.txt");
    CHECK_STR(r, "20 text/plain; charset=utf-8\r\nUser-agent: *\nDisallow: /search\n");
    r = get("gemini://example.org/favicon.txt");
    CHECK_STR(r, "20 text/plain; charset=utf-8\r\n\xF0\x9F\x8E\x93");
    r = get("gemini://example.org/source.md");
    CHECK(starts(r, "20 text/markdown; charset=utf-8\r\n"));
    CHECK_STR(strstr(r, "\r\n") + 2, FIXTURE_PAGE);

    CHECK_STR(get("gemini://example.org/nope"), "51 Not found\r\n");
    CHECK(resp.status == GEMINI_NOT_FOUND);
    CHECK_STR(get("gemini://example.org/about-me/x"), "51 Not found\r\n");
    /* a query means nothing outside /search */
    r = get("gemini://example.org/about-me/?q");
    CHECK(resp.status == GEMINI_SUCCESS);
}

static void test_hosts(void)
{
    get("gemini://alias.example.org/");
    CHECK(resp.status == GEMINI_SUCCESS);
    get("gemini://ALIAS.example.org./about-me/");
    CHECK(resp.status == GEMINI_SUCCESS);
    CHECK_STR(get("gemini://other.org/"), "53 Proxy request refused\r\n");
    CHECK(resp.status == GEMINI_PROXY_REFUSED);
    get("gemini://example.org:1966/");
    CHECK(resp.status == GEMINI_PROXY_REFUSED);
    get("gemini://example.org:1965/");
    CHECK(resp.status == GEMINI_SUCCESS);
    get("gemini://[::1]/");
    CHECK(resp.status == GEMINI_PROXY_REFUSED);
    get("https://example.org/");
    CHECK(resp.status == GEMINI_PROXY_REFUSED);
    /* SNI: the URL picks the site; a different SNI is a proxy request */
    get_sni("example.org", "gemini://example.org/");
    CHECK(resp.status == GEMINI_SUCCESS);
    get_sni("Example.Org.", "gemini://example.org/");
    CHECK(resp.status == GEMINI_SUCCESS);
    get_sni("alias.example.org", "gemini://example.org/");
    CHECK(resp.status == GEMINI_PROXY_REFUSED);
    get_sni("", "gemini://example.org/");
    CHECK(resp.status == GEMINI_SUCCESS);
    /* a redirect keeps the host the client used */
    CHECK_STR(get("gemini://alias.example.org/news"),
              "31 gemini://alias.example.org/news/\r\n");
}

static void test_bad_requests(void)
{
    CHECK_STR(get(""), "59 Bad request\r\n");
    CHECK(resp.status == GEMINI_BAD_REQUEST);
    get("gemini://example.org/\x01");
    CHECK(resp.status == GEMINI_BAD_REQUEST);
    CHECK_STR(resp.target, "gemini://example.org/?");
    get("gemini://example.org/\xc3\x28");
    CHECK(resp.status == GEMINI_BAD_REQUEST);
    char big[2048];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "gemini://example.org/", 21);
    get(big);
    CHECK(resp.status == GEMINI_BAD_REQUEST);
    CHECK(strlen(resp.target) < sizeof resp.target);
}

static void test_search(void)
{
    CHECK_STR(get("gemini://example.org/search"), "10 Search the profile\r\n");
    CHECK(resp.status == GEMINI_INPUT);
    get("gemini://example.org/search?");
    CHECK(resp.status == GEMINI_INPUT);
    get("gemini://example.org/search?%20%20");
    CHECK(resp.status == GEMINI_INPUT);

    const char *r = get("gemini://example.org/search?architecture");
    CHECK(resp.status == GEMINI_SUCCESS);
    CHECK(starts(r, "20 text/gemini; charset=utf-8; lang=en\r\n"));
    CHECK_CONTAINS(r, "# Search: architecture\n");
    CHECK_CONTAINS(r, "=> / About Me\n"); /* the first section is home */
    CHECK_CONTAINS(r, "> I study computer ARCHITECTURE in Wuhan.\n");
    CHECK_CONTAINS(r, "=> /research-interests/ ");
    CHECK_CONTAINS(r, "> Computer Architecture\n");
    CHECK(strstr(r, "No matches.") == NULL);

    r = get("gemini://example.org/search?computer%20wuhan");
    CHECK_CONTAINS(r, "> I study computer ARCHITECTURE in Wuhan.\n");
    CHECK(strstr(r, "> Computer Architecture") == NULL);

    r = get("gemini://example.org/search?Z%C3%BCrich");
    CHECK_CONTAINS(r, "Z\xc3\xbcrich");
    CHECK_CONTAINS(r, "=> /research-interests/ ");
    r = get("gemini://example.org/search?Z\xc3\xbcrich");
    CHECK_CONTAINS(r, "=> /research-interests/ ");
    /* non-ASCII letters are matched exactly, not folded */
    r = get("gemini://example.org/search?Z%C3%9Crich");
    CHECK_CONTAINS(r, "No matches.");

    r = get("gemini://example.org/search?xyzzy");
    CHECK_CONTAINS(r, "# Search: xyzzy\n");
    CHECK_CONTAINS(r, "No matches.");
    /* a section title alone is a match */
    r = get("gemini://example.org/search?interests");
    CHECK_CONTAINS(r, "=> /research-interests/ ");
}

/* Two hosts, each with its own capsule directory: the URL host picks. */
static void test_virtual_hosts(void)
{
    char dir[64], other[128], path[192];
    fixture_make(dir);
    snprintf(other, sizeof other, "%s/other", dir);
    mkdir(other, 0755);
    fixture_write(other, "about.md", "# Second Site\n\nHello from the second host.\n");
    struct buf yaml = {0};
    const char *at = strstr(FIXTURE_YAML, "  port: 1965\n");
    buf_put(&yaml, FIXTURE_YAML, (size_t)(at - FIXTURE_YAML));
    buf_puts(&yaml, "  hosts:\n    - name: second.example\n      root: other\n");
    buf_puts(&yaml, at);
    fixture_write(dir, "capsule.yaml", yaml.data);
    buf_free(&yaml);

    struct capsule *saved = cap;
    cap = fixture_load(dir);
    CHECK(cap && cap->n_sites == 2);
    if (cap) {
        const char *r = get("gemini://second.example/");
        CHECK(resp.status == GEMINI_SUCCESS);
        CHECK_CONTAINS(r, "Hello from the second host.");
        r = get("gemini://example.org/about-me/");
        CHECK_CONTAINS(r, "I study computer ARCHITECTURE");
        get_sni("second.example", "gemini://example.org/");
        CHECK(resp.status == GEMINI_PROXY_REFUSED);
        get_sni("second.example", "gemini://SECOND.example./");
        CHECK(resp.status == GEMINI_SUCCESS);
        response_free(&resp);
        capsule_unref(cap);
    }
    cap = saved;
    snprintf(path, sizeof path, "%s/about.md", other);
    unlink(path);
    rmdir(other);
    fixture_remove(dir);
}

int main(void)
{
    test_parse_accepts();
    test_parse_rejects();
    test_parse_length();
    test_parse_paths();

    char dir[64];
    fixture_make(dir);
    cap = fixture_load(dir);
    CHECK(cap != NULL);
    if (cap) {
        test_routes();
        test_hosts();
        test_bad_requests();
        test_search();
        response_free(&resp);
        capsule_unref(cap);
    }
    fixture_remove(dir);
    test_virtual_hosts();
    return test_done();
}
