/* The Gemini request handler: the request-line parser on its own, then
 * gemini_respond against a loaded capsule, without and with SNI. Every
 * answer must have a well formed header; search results are gemtext built
 * from the request, so they must keep the gemtext invariants. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "fuzz_capsule.h"

static struct capsule *cap;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cap = fuzz_capsule();
    return 0;
}

static void check_request(int status, const struct gemini_request *req)
{
    if (status != 0 && status != GEMINI_PROXY_REFUSED &&
        status != GEMINI_BAD_REQUEST) {
        char msg[64];
        snprintf(msg, sizeof msg, "gemini_parse returned %d", status);
        fuzz_fail(msg, "", 0);
    }
    if (status != 0)
        return;
    size_t n = strnlen(req->path, sizeof req->path);
    if (n == sizeof req->path || req->path[0] != '/')
        fuzz_fail("parsed path not a terminated absolute path", req->path,
                  n);
    if (!utf8_valid(req->path, n) || strstr(req->path, "/../") ||
        strstr(req->path, "/./"))
        fuzz_fail("parsed path not normalised UTF-8", req->path, n);
    /* Dot segments are refused (59), never resolved into a path. */
    if ((n >= 2 && strcmp(req->path + n - 2, "/.") == 0) ||
        (n >= 3 && strcmp(req->path + n - 3, "/..") == 0))
        fuzz_fail("parsed path ends in a dot segment", req->path, n);
    if (strnlen(req->host, sizeof req->host) == sizeof req->host ||
        !req->host[0])
        fuzz_fail("parsed host empty or unterminated", req->host, 0);
    for (const char *h = req->host; *h; h++)
        if (*h >= 'A' && *h <= 'Z')
            fuzz_fail("parsed host not lower case", req->host,
                      strlen(req->host));
}

/* "NN META\r\n": status 10..69, a META of printable bytes (UTF-8 allowed)
 * of at most 1024 bytes; only a 20 carries a body. */
static void check_response(const struct response *r)
{
    const char *s = r->data;
    size_t len = r->len;
    if (!s || len < 5)
        fuzz_fail("response shorter than a header", s ? s : "", len);
    const char *cr = memchr(s, '\r', len);
    if (!cr || cr + 1 >= s + len || cr[1] != '\n')
        fuzz_fail("header line without CRLF", s, len);
    size_t head = (size_t)(cr - s);
    if (s[0] < '1' || s[0] > '6' || s[1] < '0' || s[1] > '9' || s[2] != ' ')
        fuzz_fail("header does not start with a status and a space", s, len);
    if (r->status != (s[0] - '0') * 10 + (s[1] - '0'))
        fuzz_fail("logged status differs from the header", s, len);
    if (head - 3 > 1024 || !utf8_valid(s, head))
        fuzz_fail("header META too long or not UTF-8", s, len);
    for (size_t i = 0; i < head; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            fuzz_fail("control byte in the header", s, len);
    const char *body = cr + 2;
    size_t body_len = len - head - 2;
    if (s[0] != '2' && body_len)
        fuzz_fail("a body after a non-success header", s, len);
    if (s[0] == '3' && memchr(s + 3, ' ', head - 3))
        fuzz_fail("redirect URL with a space", s, len);
    if (s[0] == '2' && starts_with(s + 3, head - 3, "text/gemini"))
        check_gemtext(body, body_len);
    if (!memchr(r->target, '\0', sizeof r->target))
        fuzz_fail("log target unterminated", "", 0);
}

static void respond(const char *sni, const char *line, size_t len)
{
    struct response r;
    gemini_respond(cap, sni, line, len, &r);
    check_response(&r);
    response_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct gemini_request req;
    check_request(gemini_parse(line, size, &req), &req);
    respond(NULL, line, size);
    respond(cap->cfg.gemini.hosts[0].name, line, size);
    return 0;
}
