/* Spartan: request line parsing (three fields, absolute path, decimal
 * content length, the limits), how much of a request to wait for, and
 * every answer through spartan_respond on the fixture capsule: pages in
 * the Spartan dialect, redirects, search by upload, refused uploads and
 * requests cut short. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "site_fixture.h"
#include "test.h"

static struct spartan_request req;

static enum spartan_error parse_n(const char *line, size_t len)
{
    return spartan_parse(line, len, &req);
}

static enum spartan_error parse(const char *line)
{
    return parse_n(line, strlen(line));
}

static void test_parse(void)
{
    CHECK(parse("example.org / 0") == SPARTAN_OK);
    CHECK_STR(req.host, "example.org");
    CHECK_STR(req.path, "/");
    CHECK(req.content_length == 0);
    CHECK(parse("Example.ORG /a/../news/%C3%BC 12") == SPARTAN_OK);
    CHECK_STR(req.host, "example.org");
    CHECK_STR(req.path, "/news/\xC3\xBC");
    CHECK(req.content_length == 12);
    CHECK(parse("h /x 0001024") == SPARTAN_OK && req.content_length == 1024);
    CHECK(parse("h /%2e%2e/%2E%2E/ 0") == SPARTAN_OK);
    CHECK_STR(req.path, "/");

    CHECK(parse("") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h / ") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h /") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h  / 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h / 0 ") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h / 0 x") == SPARTAN_BAD_REQUEST);
    CHECK(parse(" / 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h news 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h /search?x 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h /a#b 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h /%00 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h /%zz 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse("h\t/ 0") == SPARTAN_BAD_REQUEST);
    CHECK(parse_n("h / 0\0", 6) == SPARTAN_BAD_REQUEST);
    CHECK(parse("h /\xff 0") == SPARTAN_BAD_REQUEST);

    CHECK(parse("h / -1") == SPARTAN_BAD_LENGTH);
    CHECK(parse("h / +1") == SPARTAN_BAD_LENGTH);
    CHECK(parse("h / 1x") == SPARTAN_BAD_LENGTH);
    CHECK(parse("h / 0x10") == SPARTAN_BAD_LENGTH);
    CHECK(parse("h / 1025") == SPARTAN_TOO_LARGE);
    CHECK(parse("h / 99999999999999999999999999") == SPARTAN_TOO_LARGE);

    char big[SPARTAN_REQUEST_MAX + 8];
    memset(big, 'a', sizeof big);
    memcpy(big, "h /", 3);
    memcpy(big + SPARTAN_REQUEST_MAX - 2, " 0", 2);
    CHECK(parse_n(big, SPARTAN_REQUEST_MAX) == SPARTAN_OK);
    memcpy(big + SPARTAN_REQUEST_MAX - 1, " 0", 2);
    CHECK(parse_n(big, SPARTAN_REQUEST_MAX + 1) == SPARTAN_BAD_REQUEST);
}

static size_t size_of(const char *buf)
{
    return spartan_request_size(buf, strlen(buf));
}

static void test_request_size(void)
{
    CHECK(size_of("") == 0);
    CHECK(size_of("h / 0") == 0);
    CHECK(size_of("h / 0\r") == 0);
    CHECK(size_of("h / 0\n") == 0); /* CRLF only */
    CHECK(size_of("h / 0\r\n") == 7);
    CHECK(size_of("h / 0\r\nmore") == 7);
    /* An upload elsewhere is refused without waiting for it. */
    CHECK(size_of("h /news/ 5\r\n") == 12);
    CHECK(size_of("h / bad\r\n") == 9);
    CHECK(size_of("h /search 2000\r\n") == 16);
    /* Search waits for its data, and no more. */
    CHECK(size_of("h /search 5\r\n") == 0);
    CHECK(size_of("h /search 5\r\nabcd") == 0);
    CHECK(size_of("h /search 5\r\nabcde") == 18);
    CHECK(size_of("h /search 5\r\nabcdefgh") == 18);
    CHECK(size_of("h /a/../search 1\r\nx") == 19);
    char big[SPARTAN_REQUEST_MAX + 2];
    memset(big, 'a', sizeof big);
    CHECK(spartan_request_size(big, SPARTAN_REQUEST_MAX + 1) == 0);
    CHECK(spartan_request_size(big, sizeof big) == sizeof big);
}

static struct capsule *cap;
static struct response resp;
static char text[65536];

static const char *get_n(const char *buf, size_t len)
{
    response_free(&resp);
    spartan_respond(cap, buf, len, &resp);
    size_t n = resp.len < sizeof text - 1 ? resp.len : sizeof text - 1;
    memcpy(text, resp.data ? resp.data : "", n);
    text[n] = '\0';
    return text;
}

static const char *get(const char *buf)
{
    return get_n(buf, strlen(buf));
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

#define HEADER "2 text/gemini; charset=utf-8; lang=en\r\n"

static void test_pages(void)
{
    const char *r = get("example.org / 0\r\n");
    CHECK(resp.status == SPARTAN_SUCCESS);
    CHECK(starts(r, HEADER "# Test Person\n"));
    CHECK_CONTAINS(r, "\n=> /news/ News\n");
    CHECK_CONTAINS(r, "\n=: /search Search\n");
    CHECK(strstr(r, "=> /search") == NULL);
    CHECK(strstr(r, "gemini://") == NULL);
    CHECK_STR(resp.target, "example.org/");

    r = get("example.org /news/ 0\r\n");
    CHECK(starts(r, HEADER "# Test Person — News\n"));
    CHECK_CONTAINS(r, "\n=> /news/2/ 2025-10-01 Paper accepted at ICDE2026.\n");
    r = get("example.org /news/1/ 0\r\n");
    CHECK_CONTAINS(r, "Travel award for HPDC2025.");
    r = get("example.org /atom.xml 0\r\n");
    CHECK(starts(r, "2 application/atom+xml\r\n"));
    CHECK_CONTAINS(r, "<id>spartan://example.org:3000/news/2/</id>");
    r = get("example.org /robots.txt 0\r\n");
    CHECK(starts(r, "2 text/plain; charset=utf-8\r\nUser-agent: *\n"));
    /* Any other host, or none we know, is the default one's. */
    CHECK_STR(get("alias.example.org /research-interests/ 0\r\n"),
              get("elsewhere /research-interests/ 0\r\n"));
    CHECK_CONTAINS(text, "Storage for AI, Z\xC3\xBCrich\n");
}

static void test_redirects_and_errors(void)
{
    CHECK_STR(get("example.org /news 0\r\n"), "3 /news/\r\n");
    CHECK(resp.status == SPARTAN_REDIRECT);
    CHECK_STR(get("example.org /research-interests 0\r\n"),
              "3 /research-interests/\r\n");
    CHECK_STR(get("example.org /nothing 0\r\n"), "4 Not found\r\n");
    CHECK(resp.status == SPARTAN_CLIENT_ERROR);
    CHECK_STR(get("example.org / x\r\n"), "4 Bad content length\r\n");
    CHECK_STR(get("example.org /search 1025\r\n"),
              "4 Upload too large (1024 bytes at most)\r\n");
    CHECK_STR(get("gemini://example.org/\r\n"), "4 Bad request\r\n");
    CHECK_STR(resp.target, "gemini://example.org/");
    CHECK_STR(get("example.org / 0\x01\r\n"), "4 Bad request\r\n");
    CHECK_STR(resp.target, "example.org?/?0?");
    CHECK_STR(get("example.org /news/ 3\r\nabc"),
              "4 Uploads are taken by /search only\r\n");
    CHECK_STR(get("example.org / 1\r\n"),
              "4 Uploads are taken by /search only\r\n");
    /* Cut short: by the client's close or by the deadline. */
    CHECK_STR(get("example.org / 0"), "4 Request cut short\r\n");
    CHECK_STR(get(""), "4 Request cut short\r\n");
    CHECK_STR(get("example.org /search 9\r\nabc"), "4 Upload cut short\r\n");
    char big[SPARTAN_REQUEST_MAX + 2];
    memset(big, 'a', sizeof big);
    CHECK_STR(get_n(big, sizeof big), "4 Request too long\r\n");
}

static void test_search(void)
{
    const char *r = get("example.org /search 0\r\n");
    CHECK_STR(r, HEADER "# Search\n\n=: /search Search the profile\n\n"
                        "=> / Home\n");
    CHECK(resp.status == SPARTAN_SUCCESS);
    CHECK_STR(get("example.org /search 2\r\n\r\n"), r); /* no terms */
    r = get("example.org /search 12\r\narchitecture");
    CHECK(starts(r, HEADER "# Search: architecture\n"));
    CHECK_CONTAINS(r, "=> /research-interests/ Research Interests\n");
    CHECK_CONTAINS(r, "\n=: /search Search again\n");
    CHECK_STR(get("example.org /search 14\r\narchitecture\r\nIGNORED"), r);
    r = get("example.org /search 6\r\nZ\xC3\xBCrich");
    CHECK_CONTAINS(r, "> Storage for AI, Z\xC3\xBCrich\n");
    r = get("example.org /search 4\r\nnope");
    CHECK_CONTAINS(r, "No matches.");
    CHECK_STR(get("example.org /search 3\r\na\nb"),
              "4 Search terms must be one line of UTF-8 text\r\n");
    CHECK_STR(get("example.org /search 1\r\n\xff"),
              "4 Search terms must be one line of UTF-8 text\r\n");
    CHECK_STR(get_n("example.org /search 1\r\n\0", 24),
              "4 Search terms must be one line of UTF-8 text\r\n");
}

static struct capsule *load_with(const char *dir, const char *yaml_tail)
{
    char yaml[sizeof FIXTURE_YAML + 128];
    snprintf(yaml, sizeof yaml, "%s%s", FIXTURE_YAML, yaml_tail);
    fixture_write(dir, "capsule.yaml", yaml);
    return fixture_load(dir);
}

int main(void)
{
    test_parse();
    test_request_size();

    char dir[64];
    fixture_make(dir);
    cap = load_with(dir, "spartan:\n  enabled: true\n");
    CHECK(cap != NULL);
    if (cap) {
        test_pages();
        test_redirects_and_errors();
        test_search();
        capsule_unref(cap);
    }
    /* Off: nothing is built, and a request says so. */
    cap = load_with(dir, "");
    CHECK(cap != NULL);
    if (cap) {
        CHECK(cap->sites[0]->spartan.n == 0);
        CHECK_STR(get("example.org / 0\r\n"), "5 Nothing to serve\r\n");
        CHECK(resp.status == SPARTAN_SERVER_ERROR);
        capsule_unref(cap);
    }
    response_free(&resp);
    fixture_remove(dir);
    return test_done();
}
