/* Finger: query parsing (RFC 1288's [/W] name, forwarding, bad bytes) and
 * every answer through finger_respond on the fixture capsule, in UTF-8
 * and folded to ASCII. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "site_fixture.h"
#include "test.h"

static struct finger_request req;

static enum finger_kind parse_n(const char *line, size_t len)
{
    finger_parse(line, len, &req);
    return req.kind;
}

static enum finger_kind parse(const char *line)
{
    return parse_n(line, strlen(line));
}

static void test_parse(void)
{
    CHECK(parse("") == FINGER_CARD && !req.verbose);
    CHECK(parse("/W") == FINGER_CARD && req.verbose);
    CHECK(parse("/w ") == FINGER_CARD && req.verbose);
    CHECK(parse("  ") == FINGER_CARD);
    CHECK(parse("news") == FINGER_NAME);
    CHECK_STR(req.name, "news");
    CHECK(parse("/W Publications") == FINGER_NAME && req.verbose);
    CHECK_STR(req.name, "publications");
    CHECK(parse("/Wplan") == FINGER_NAME);
    CHECK_STR(req.name, "plan");
    CHECK(parse(" news  ") == FINGER_NAME);
    CHECK_STR(req.name, "news");

    CHECK(parse("@host") == FINGER_FORWARD);
    CHECK(parse("news@host1@host2") == FINGER_FORWARD);
    CHECK(parse("/W user@host") == FINGER_FORWARD);

    CHECK(parse_n("a\0b", 3) == FINGER_INVALID);
    CHECK(parse("a\rb") == FINGER_INVALID);
    CHECK(parse("\xff") == FINGER_INVALID);
    CHECK(parse("\xc3") == FINGER_INVALID);
    char big[FINGER_REQUEST_MAX + 2];
    memset(big, 'a', sizeof big);
    CHECK(parse_n(big, FINGER_NAME_MAX) == FINGER_NAME);
    CHECK(parse_n(big, FINGER_NAME_MAX + 1) == FINGER_INVALID);
    CHECK(parse_n(big, sizeof big) == FINGER_INVALID);
}

static struct capsule *cap;
static struct response resp;
static char text[65536];

static const char *get(const char *line)
{
    response_free(&resp);
    finger_respond(cap, line, strlen(line), &resp);
    size_t n = resp.len < sizeof text - 1 ? resp.len : sizeof text - 1;
    memcpy(text, resp.data ? resp.data : "", n);
    text[n] = '\0';
    return text;
}

/* Every line ends in CRLF, no bare LF or CR, none wider than 70 bytes
 * when folded (70 columns otherwise). */
static bool crlf_lines(const char *s, size_t max_bytes)
{
    size_t col = 0;
    for (; *s; s++) {
        if (*s == '\r') {
            if (s[1] != '\n')
                return false;
            s++;
            col = 0;
        } else if (*s == '\n') {
            return false;
        } else if (++col > max_bytes) {
            return false;
        }
    }
    return col == 0;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ascii_only(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

static void test_answers(void)
{
    const char *r = get("");
    CHECK(resp.status == FINGER_SERVED);
    CHECK(starts(r, "Test Person\r\n===========\r\nTester\r\n\r\nAbout Me\r\n"));
    CHECK_CONTAINS(r, "I study computer ARCHITECTURE in Wuhan.\r\n");
    CHECK_CONTAINS(r, "  news: News\r\n");
    CHECK_CONTAINS(r, "  research-interests: Research Interests\r\n");
    CHECK(strstr(r, "  about-me:") == NULL); /* the card shows it */
    CHECK(crlf_lines(r, 300));
    CHECK_STR(get("/W"), r);
    CHECK_STR(resp.target, "/W");

    r = get("NEWS");
    CHECK(resp.status == FINGER_SERVED);
    CHECK_CONTAINS(r, "Paper accepted at ICDE2026.\r\n");
    CHECK(crlf_lines(r, 300));
    r = get("research-interests");
    CHECK_CONTAINS(r, "Storage for AI, Z\xC3\xBCrich\r\n");

    r = get("plan");
    CHECK(resp.status == FINGER_SERVED);
    CHECK_CONTAINS(r, "Plan\r\n====\r\n2025-10-01  Paper accepted at ICDE2026.\r\n"
                      "2025-07-01  Travel award for HPDC2025.\r\n");

    CHECK_STR(get("nobody"), "finger: nobody: no such section\r\n");
    CHECK(resp.status == FINGER_UNKNOWN);
    CHECK_STR(get("news@elsewhere@there"), "finger: forwarding is refused\r\n");
    CHECK(resp.status == FINGER_REFUSED);
    CHECK_STR(get("a\x01"), "finger: bad query\r\n");
    CHECK(resp.status == FINGER_BAD);
    CHECK_STR(resp.target, "a?");
}

static void test_ascii(void)
{
    const char *r = get("research-interests");
    CHECK(ascii_only(r));
    CHECK_CONTAINS(r, "Storage for AI, Z?rich\r\n");
    CHECK(crlf_lines(r, 70));
    CHECK(ascii_only(get("")) && crlf_lines(text, 70));
}

/* kramdown's typography (curly quotes, dashes, the ellipsis) folds back to
 * the ASCII it was typed as, not to '?'. */
static void test_ascii_typography(void)
{
    const char *r = get("notes");
    CHECK(ascii_only(r));
    CHECK_CONTAINS(r, "It's \"quoted\" - and - dashes. done");
}

static struct capsule *load_with(const char *dir, const char *finger_yaml)
{
    char yaml[sizeof FIXTURE_YAML + 128];
    snprintf(yaml, sizeof yaml, "%s%s", FIXTURE_YAML, finger_yaml);
    fixture_write(dir, "capsule.yaml", yaml);
    return fixture_load(dir);
}

int main(void)
{
    test_parse();

    char dir[64];
    fixture_make(dir);
    cap = load_with(dir, "finger:\n  enabled: true\n");
    CHECK(cap != NULL);
    if (cap) {
        test_answers();
        capsule_unref(cap);
    }
    cap = load_with(dir, "finger:\n  enabled: true\n  ascii: true\n");
    CHECK(cap != NULL);
    if (cap) {
        test_ascii();
        capsule_unref(cap);
    }
    fixture_write(dir, "about.md",
                  "# About\n\nHi.\n\n# Notes\n\n"
                  "It's \"quoted\" -- and --- dashes... done\n");
    cap = load_with(dir, "finger:\n  enabled: true\n  ascii: true\n");
    CHECK(cap != NULL);
    if (cap) {
        test_ascii_typography();
        capsule_unref(cap);
    }
    response_free(&resp);
    fixture_remove(dir);
    return test_done();
}
