/* The finger query handler: the query parser on its own, then
 * finger_respond against the unit tests' fixture capsule with finger
 * enabled (so the card, sections and .plan are in its table). Every
 * answer is UTF-8 lines each ending in CRLF; a refusal is one line of
 * printable ASCII. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "fuzz_common.h"
#include "site_fixture.h"

static struct capsule *cap;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[64], yaml[sizeof FIXTURE_YAML + 64];
    fixture_make(dir);
    snprintf(yaml, sizeof yaml, "%sfinger:\n  enabled: true\n", FIXTURE_YAML);
    fixture_write(dir, "capsule.yaml", yaml);
    cap = fixture_load(dir);
    fixture_remove(dir);
    if (!cap || !cap->n_sites || !cap->sites[0]->finger.n) {
        fprintf(stderr, "fuzz: no capsule with finger answers\n");
        exit(1);
    }
    return 0;
}

static void check_request(const struct finger_request *req)
{
    if (req->kind != FINGER_NAME)
        return;
    size_t n = strnlen(req->name, sizeof req->name);
    if (n == 0 || n == sizeof req->name)
        fuzz_fail("finger name empty or unterminated", req->name, n);
    for (size_t i = 0; i < n; i++)
        if (req->name[i] == '@' || (req->name[i] >= 'A' && req->name[i] <= 'Z'))
            fuzz_fail("finger name holds '@' or upper case", req->name, n);
    if (!utf8_is_line_text(req->name, n))
        fuzz_fail("finger name not UTF-8 line text", req->name, n);
}

static void check_lines(const char *s, size_t len)
{
    if (len < 2 || s[len - 2] != '\r' || s[len - 1] != '\n')
        fuzz_fail("finger answer does not end in CRLF", s, len);
    for (size_t i = 0; i < len; i++)
        if ((s[i] == '\n') != (i > 0 && s[i - 1] == '\r') ||
            (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
            fuzz_fail("finger answer has a bare CR or LF", s, len);
    if (!utf8_valid(s, len) || memchr(s, '\0', len))
        fuzz_fail("finger answer not UTF-8 without NUL", s, len);
}

static void check_refusal(const char *s, size_t len)
{
    if (len < 10 || memcmp(s, "finger: ", 8) != 0)
        fuzz_fail("finger refusal without its prefix", s, len);
    for (size_t i = 0; i + 2 < len; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            fuzz_fail("finger refusal not one printable line", s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct finger_request req;
    finger_parse(line, size, &req);
    check_request(&req);

    struct response r;
    finger_respond(cap, line, size, &r);
    if (!r.data || !r.len)
        fuzz_fail("empty finger answer", "", 0);
    check_lines(r.data, r.len);
    if (r.status != FINGER_SERVED)
        check_refusal(r.data, r.len);
    if (!memchr(r.target, '\0', sizeof r.target))
        fuzz_fail("log target unterminated", "", 0);
    response_free(&r);
    return 0;
}
