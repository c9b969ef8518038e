/* The Gopher selector handler: the selector parser on its own, then
 * gopher_respond against a loaded capsule. Menus built from the request
 * (search results, error items) must be valid gophermaps. */
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

static void check_request(const struct gopher_request *req)
{
    switch (req->kind) {
    case GOPHER_BAD:
    case GOPHER_HTTP:
        return;
    case GOPHER_URL:
        if (!memchr(req->url, '\0', sizeof req->url))
            fuzz_fail("URL: target unterminated", "", 0);
        return;
    case GOPHER_SELECTOR:
        break;
    default:
        fuzz_fail("gopher_parse gave an unknown kind", "", 0);
    }
    size_t n = strnlen(req->path, sizeof req->path);
    if (n == sizeof req->path || req->path[0] != '/')
        fuzz_fail("parsed path not a terminated absolute path", req->path, n);
    if (!utf8_valid(req->path, n) || strstr(req->path, "/../") ||
        strstr(req->path, "/./"))
        fuzz_fail("parsed path not normalised UTF-8", req->path, n);
    if (req->has_terms && !memchr(req->terms, '\0', sizeof req->terms))
        fuzz_fail("search terms unterminated", "", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct gopher_request req;
    gopher_parse(line, size, &req);
    check_request(&req);

    struct response r;
    gopher_respond(cap, line, size, &r);
    if (!r.data || !r.len)
        fuzz_fail("empty gopher response", "", 0);
    /* Anything answered from owned bytes but the URL: page is a menu built
     * for this request; GOPHER_ERROR is always an error menu. */
    bool built_menu = r.data == r.owned.data && req.kind != GOPHER_URL;
    if (built_menu || r.status == GOPHER_ERROR)
        check_gophermap(r.data, r.len);
    else if (req.kind == GOPHER_URL && !utf8_valid(r.data, r.len))
        fuzz_fail("URL: page is not UTF-8", r.data, r.len);
    if (!memchr(r.target, '\0', sizeof r.target))
        fuzz_fail("log target unterminated", "", 0);
    response_free(&r);
    return 0;
}
