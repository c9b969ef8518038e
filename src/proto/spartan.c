/* Spartan requests (spartan.mozz.us): parse "HOST PATH CONTENT-LENGTH"
 * CRLF and the data after it, pick the host's site, answer from its
 * pre-rendered Spartan table (the Gemini pages in the Spartan dialect);
 * search is the one route that takes data, and the one rendered per
 * request. Every refusal is one "4 …" line built here. */
#include "capsuled/capsule.h"
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/search.h"
#include "capsuled/site.h"
#include "capsuled/url.h"
#include "capsuled/utf8.h"

#include <string.h>
#include <strings.h>

/* --- the request line --- */

static const char *find_crlf(const char *p, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (p[i] == '\n' && p[i - 1] == '\r')
            return p + i - 1;
    return NULL;
}

/* The next field: up to the next space (or the end), never empty. */
static bool next_field(const char *line, size_t len, size_t *at,
                       const char **field, size_t *field_len)
{
    size_t from = *at;
    const char *sp = memchr(line + from, ' ', len - from);
    size_t to = sp ? (size_t)(sp - line) : len;
    if (to == from)
        return false;
    *field = line + from;
    *field_len = to - from;
    *at = sp ? to + 1 : len;
    return true;
}

static enum spartan_error parse_host(const char *s, size_t len,
                                     struct spartan_request *req)
{
    if (len >= sizeof req->host)
        return SPARTAN_BAD_REQUEST;
    for (size_t i = 0; i < len; i++)
        req->host[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a')
                                                  : s[i];
    req->host[len] = '\0';
    return SPARTAN_OK;
}

/* An absolute path, percent-decoded then normalised. A query has no place
 * in it: Spartan clients send it as data. */
static enum spartan_error parse_path(const char *s, size_t len,
                                     struct spartan_request *req)
{
    char decoded[SPARTAN_REQUEST_MAX + 1];
    if (s[0] != '/' || memchr(s, '?', len) || memchr(s, '#', len))
        return SPARTAN_BAD_REQUEST;
    long n = url_decode(s, len, decoded, sizeof decoded);
    if (n < 0 || !site_normalize_path(decoded, (size_t)n, req->path,
                                      sizeof req->path))
        return SPARTAN_BAD_REQUEST;
    return SPARTAN_OK;
}

/* Decimal digits only; past SPARTAN_UPLOAD_MAX the value no longer
 * matters (and cannot overflow). */
static enum spartan_error parse_length(const char *s, size_t len,
                                       struct spartan_request *req)
{
    size_t v = 0;
    bool large = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return SPARTAN_BAD_LENGTH;
        v = v * 10 + (size_t)(s[i] - '0');
        large |= v > SPARTAN_UPLOAD_MAX;
        if (large)
            v = SPARTAN_UPLOAD_MAX + 1;
    }
    req->content_length = v;
    return large ? SPARTAN_TOO_LARGE : SPARTAN_OK;
}

enum spartan_error spartan_parse(const char *line, size_t len,
                                 struct spartan_request *req)
{
    memset(req, 0, sizeof *req);
    req->path[0] = '/';
    if (len > SPARTAN_REQUEST_MAX || !utf8_is_line_text(line, len))
        return SPARTAN_BAD_REQUEST;
    const char *host, *path, *length;
    size_t host_len, path_len, length_len, at = 0;
    if (!next_field(line, len, &at, &host, &host_len) ||
        !next_field(line, len, &at, &path, &path_len) ||
        !next_field(line, len, &at, &length, &length_len) ||
        length + length_len != line + len) /* a fourth field, or a space */
        return SPARTAN_BAD_REQUEST;
    enum spartan_error e = parse_host(host, host_len, req);
    if (e == SPARTAN_OK)
        e = parse_path(path, path_len, req);
    return e == SPARTAN_OK ? parse_length(length, length_len, req) : e;
}

/* --- how much to read --- */

static bool is_search(const struct spartan_request *req)
{
    return strcmp(req->path, PATH_SEARCH) == 0;
}

size_t spartan_request_size(const char *buf, size_t len)
{
    size_t scan = len < SPARTAN_REQUEST_MAX + 2 ? len : SPARTAN_REQUEST_MAX + 2;
    const char *crlf = find_crlf(buf, scan);
    if (!crlf)
        return len >= SPARTAN_REQUEST_MAX + 2 ? len : 0;
    size_t line = (size_t)(crlf - buf);
    struct spartan_request req;
    size_t need = line + 2;
    if (spartan_parse(buf, line, &req) == SPARTAN_OK && is_search(&req))
        need += req.content_length;
    return len >= need ? need : 0;
}

/* --- responses --- */

/* The log gets printable ASCII only: anything else becomes '?'. */
static void set_target(struct response *out, const char *a, size_t a_len,
                       const char *b)
{
    size_t n = 0, cap = sizeof out->target - 1;
    for (size_t i = 0; i < a_len && n < cap; i++)
        out->target[n++] = (a[i] > 0x20 && a[i] < 0x7f) ? a[i] : '?';
    for (; b && *b && n < cap; b++)
        out->target[n++] = (*b > 0x20 && *b < 0x7f) ? *b : '?';
    out->target[n] = '\0';
}

static void respond_line(struct response *out, enum spartan_status status,
                         const char *meta)
{
    buf_printf(&out->owned, "%d %s\r\n", (int)status, meta);
    response_own(out, status);
}

static const char *parse_problem(enum spartan_error e)
{
    switch (e) {
    case SPARTAN_BAD_LENGTH:
        return "Bad content length";
    case SPARTAN_TOO_LARGE:
        return "Upload too large (1024 bytes at most)";
    case SPARTAN_OK:
    case SPARTAN_BAD_REQUEST:
        break;
    }
    return "Bad request";
}

/* The site of the host named: a gemini host's name or alias, else the
 * default host's (Spartan has no proxying to refuse). */
static const struct site *pick_site(const struct capsule *c,
                                    const char *host)
{
    const struct cfg_gemini *g = &c->cfg.gemini;
    for (size_t i = 0; i < g->n_hosts && i < c->n_sites; i++) {
        const struct cfg_host *h = &g->hosts[i];
        bool named = h->name && strcasecmp(h->name, host) == 0;
        for (size_t k = 0; k < h->n_aliases && !named; k++)
            named = h->aliases[k] && strcasecmp(h->aliases[k], host) == 0;
        if (named)
            return c->sites[i];
    }
    return c->n_sites ? c->sites[0] : NULL;
}

/* The terms of a search, sent as data: one line of UTF-8 text (a final
 * line end dropped). */
static bool search_terms(const char *data, size_t len, char *out, size_t cap)
{
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len >= cap || !utf8_is_line_text(data, len))
        return false;
    memcpy(out, data, len);
    out[len] = '\0';
    return true;
}

static void search(const struct site *s, const struct spartan_request *req,
                   const char *data, size_t data_len, struct response *out)
{
    char query[SPARTAN_UPLOAD_MAX + 1];
    if (data_len < req->content_length) {
        respond_line(out, SPARTAN_CLIENT_ERROR, "Upload cut short");
        return;
    }
    if (!search_terms(data, req->content_length, query, sizeof query)) {
        respond_line(out, SPARTAN_CLIENT_ERROR,
                     "Search terms must be one line of UTF-8 text");
        return;
    }
    const struct route *prompt = route_find(&s->spartan, PATH_SEARCH);
    if (!search_has_terms(query) && prompt) {
        out->data = prompt->data;
        out->len = prompt->len;
        out->status = SPARTAN_SUCCESS;
        return;
    }
    buf_puts(&out->owned, s->spartan_header);
    site_search_spartan(s, query, &out->owned);
    response_own(out, SPARTAN_SUCCESS);
}

/* "3 /PATH/": the path was decoded, so it is encoded again. */
static void redirect(const char *path, struct response *out)
{
    buf_printf(&out->owned, "%d ", SPARTAN_REDIRECT);
    url_encode_path(&out->owned, path, strlen(path));
    buf_puts(&out->owned, "/\r\n");
    response_own(out, SPARTAN_REDIRECT);
}

static bool is_directory_without_slash(const struct site *s, const char *path)
{
    size_t n = strlen(path);
    if (n < 2 || path[n - 1] == '/' || n + 2 > SPARTAN_REQUEST_MAX + 2)
        return false;
    char with_slash[SPARTAN_REQUEST_MAX + 3];
    memcpy(with_slash, path, n);
    memcpy(with_slash + n, "/", 2);
    return route_find(&s->spartan, with_slash) != NULL;
}

static void serve(const struct site *s, const struct spartan_request *req,
                  const char *data, size_t data_len, struct response *out)
{
    if (is_search(req) && req->content_length > 0) {
        search(s, req, data, data_len, out);
        return;
    }
    if (req->content_length > 0) {
        respond_line(out, SPARTAN_CLIENT_ERROR,
                     "Uploads are taken by /search only");
        return;
    }
    const struct route *r = route_find(&s->spartan, req->path);
    if (r) {
        out->data = r->data;
        out->len = r->len;
        out->status = SPARTAN_SUCCESS;
    } else if (is_directory_without_slash(s, req->path)) {
        redirect(req->path, out);
    } else {
        respond_line(out, SPARTAN_CLIENT_ERROR, "Not found");
    }
}

void spartan_respond(const struct capsule *c, const char *buf, size_t len,
                     struct response *out)
{
    memset(out, 0, sizeof *out);
    size_t scan = len < SPARTAN_REQUEST_MAX + 2 ? len : SPARTAN_REQUEST_MAX + 2;
    const char *crlf = find_crlf(buf, scan);
    if (!crlf) {
        set_target(out, buf, len, NULL);
        respond_line(out, SPARTAN_CLIENT_ERROR,
                     len > SPARTAN_REQUEST_MAX ? "Request too long"
                                               : "Request cut short");
        return;
    }
    size_t line = (size_t)(crlf - buf);
    struct spartan_request req;
    enum spartan_error e = spartan_parse(buf, line, &req);
    if (e != SPARTAN_OK) {
        set_target(out, buf, line, NULL); /* what came, made printable */
        respond_line(out, SPARTAN_CLIENT_ERROR, parse_problem(e));
        return;
    }
    set_target(out, req.host, strlen(req.host), req.path);
    const struct site *s = pick_site(c, req.host);
    if (!s || s->spartan.n == 0) {
        respond_line(out, SPARTAN_SERVER_ERROR, "Nothing to serve");
        return;
    }
    serve(s, &req, buf + line + 2, len - line - 2, out);
}
