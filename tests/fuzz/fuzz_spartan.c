/* The Spartan request handler: the input is what a client sent (request
 * line, CRLF, data). spartan_parse on the line, spartan_request_size on
 * the whole, then spartan_respond against the unit tests' fixture capsule
 * with spartan enabled. A parsed request has a lower-case host, an
 * absolute normalised path and at most 1 KiB of announced data; a request
 * is whole at the size given, and bytes after it change nothing; every
 * response is "D META" CRLF with D from 2 to 5, META one line of UTF-8, a
 * body only after 2 (gemtext pages keep the gemtext rules, with "=:"
 * only for search), a redirect an absolute path. */
#include "capsuled/capsule.h"
#include "capsuled/paths.h"
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
    snprintf(yaml, sizeof yaml, "%sspartan:\n  enabled: true\n",
             FIXTURE_YAML);
    fixture_write(dir, "capsule.yaml", yaml);
    cap = fixture_load(dir);
    fixture_remove(dir);
    if (!cap || !cap->n_sites || !cap->sites[0]->spartan.n) {
        fprintf(stderr, "fuzz: no capsule with spartan pages\n");
        exit(1);
    }
    return 0;
}

static void check_request(const char *line, size_t len)
{
    struct spartan_request req;
    if (spartan_parse(line, len, &req) != SPARTAN_OK)
        return;
    const char *p = req.path;
    size_t n = strnlen(p, sizeof req.path);
    if (n == 0 || n == sizeof req.path || p[0] != '/')
        fuzz_fail("parsed path not absolute or unterminated", p, n);
    if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
        fuzz_fail("parsed path not normalised", p, n);
    for (const char *h = req.host; *h; h++)
        if ((*h >= 'A' && *h <= 'Z') || *h == ' ')
            fuzz_fail("parsed host upper case or with a space", req.host,
                      strlen(req.host));
    if (req.content_length > SPARTAN_UPLOAD_MAX)
        fuzz_fail("content length over the upload limit", line, len);
}

/* "=:" input lines lead to search and nowhere else. */
static void check_input_lines(const char *s, size_t len)
{
    for (const char *p = s, *end = s + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (starts_with(p, n, "=:") &&
            !starts_with(p, n, "=: " PATH_SEARCH " "))
            fuzz_fail("an input line to anything but search", s, len);
        p += n + 1;
    }
}

static void check_response(const struct response *r)
{
    const char *s = r->data;
    size_t len = r->len;
    if (!s || len < 4)
        fuzz_fail("response shorter than a header", s ? s : "", len);
    const char *cr = memchr(s, '\r', len);
    if (!cr || cr + 1 >= s + len || cr[1] != '\n')
        fuzz_fail("header line without CRLF", s, len);
    size_t head = (size_t)(cr - s);
    if (s[0] < '2' || s[0] > '5' || s[1] != ' ' || head < 3)
        fuzz_fail("header is not a status 2-5, a space and a META", s, len);
    if (r->status != s[0] - '0')
        fuzz_fail("logged status differs from the header", s, len);
    if (head - 2 > 1024 || !utf8_is_line_text(s, head))
        fuzz_fail("header META too long or not one line of UTF-8", s, len);
    size_t body_len = len - head - 2;
    if (s[0] != '2' && body_len)
        fuzz_fail("a body after a non-success header", s, len);
    if (s[0] == '3' && (s[2] != '/' || memchr(s + 2, ' ', head - 2)))
        fuzz_fail("redirect to no absolute path", s, len);
    if (s[0] == '2' && starts_with(s + 2, head - 2, "text/gemini")) {
        check_gemtext(cr + 2, body_len);
        check_input_lines(cr + 2, body_len);
    }
    if (!memchr(r->target, '\0', sizeof r->target))
        fuzz_fail("log target unterminated", "", 0);
}

static bool same_response(const struct response *a, const struct response *b)
{
    return a->status == b->status && a->len == b->len &&
           memcmp(a->data, b->data, a->len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    const char *lf = memchr(buf, '\n', size);
    size_t line = lf && lf > buf && lf[-1] == '\r' ? (size_t)(lf - buf) - 1
                                                   : size;
    check_request(buf, line);

    size_t whole = spartan_request_size(buf, size);
    if (whole > size)
        fuzz_fail("request size past what came", buf, size);
    struct response r;
    spartan_respond(cap, buf, size, &r);
    check_response(&r);
    if (whole) {
        if (spartan_request_size(buf, whole) != whole)
            fuzz_fail("a whole request is not whole on its own", buf, size);
        struct response first;
        spartan_respond(cap, buf, whole, &first);
        if (!same_response(&first, &r))
            fuzz_fail("bytes after a whole request changed the answer",
                      buf, size);
        response_free(&first);
    }
    response_free(&r);
    return 0;
}
