/* Gemini requests: parse the URL line, pick the host's site, answer from its
 * pre-rendered table (search is the only route rendered per request). */
#include "capsuled/capsule.h"
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/search.h"
#include "capsuled/site.h"
#include "capsuled/url.h"
#include "capsuled/utf8.h"

#include <stdio.h>
#include <string.h>

static const char PROXY_REFUSED[] = "Proxy request refused";

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Control bytes, DEL and spaces have no place in a URL; bytes ≥ 0x80 are
 * allowed (IRIs) as long as the whole line is valid UTF-8. */
static bool line_is_clean(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f)
            return false;
    }
    return utf8_valid(s, len);
}

/* The host of the request: no userinfo, lower case, a final dot (the fully
 * qualified form of the same name) dropped, percent-escapes decoded. */
static int request_host(const char *line, const struct url *u,
                        struct gemini_request *req)
{
    if (u->has_userinfo)
        return GEMINI_BAD_REQUEST;
    size_t len = u->host_len;
    if (len > 0 && !u->ip_literal && line[u->host_off + len - 1] == '.')
        len--;
    if (len == 0 || len >= sizeof req->host)
        return GEMINI_BAD_REQUEST;
    char decoded[sizeof req->host];
    long n = url_decode(line + u->host_off, len, decoded, sizeof decoded);
    if (n <= 0)
        return GEMINI_BAD_REQUEST;
    for (long i = 0; i < n; i++)
        req->host[i] = ascii_lower(decoded[i]);
    req->host[n] = '\0';
    req->port = u->port;
    return 0;
}

/* Whether a decoded path holds a "." or ".." segment ("/../", "/a/./b",
 * "/a/.." and their escaped forms, decoded by now). Clients send
 * normalised URLs; one that does not is refused rather than resolved, as
 * the community's gemini-diagnostics expects. */
static bool has_dot_segment(const char *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && p[end] != '/')
            end++;
        size_t n = end - i;
        if ((n == 1 && p[i] == '.') ||
            (n == 2 && p[i] == '.' && p[i + 1] == '.'))
            return true;
        i = end + 1;
    }
    return false;
}

/* The path, decoded then normalised (empty segments collapse; dot segments
 * are refused), and the query, decoded. */
static int request_path(const char *line, const struct url *u,
                        struct gemini_request *req)
{
    char decoded[GEMINI_URL_MAX + 1];
    long n = url_decode(line + u->path_off, u->path_len, decoded,
                        sizeof decoded);
    if (n < 0 || has_dot_segment(decoded, (size_t)n) ||
        !site_normalize_path(decoded, (size_t)n, req->path,
                                      sizeof req->path))
        return GEMINI_BAD_REQUEST;
    req->has_query = u->has_query;
    if (u->has_query && url_decode(line + u->query_off, u->query_len,
                                   req->query, sizeof req->query) < 0)
        return GEMINI_BAD_REQUEST;
    return 0;
}

int gemini_parse(const char *line, size_t len, struct gemini_request *req)
{
    memset(req, 0, sizeof *req);
    req->port = -1;
    if (len == 0 || len > GEMINI_URL_MAX || !line_is_clean(line, len))
        return GEMINI_BAD_REQUEST;
    if (memchr(line, '#', len))
        return GEMINI_BAD_REQUEST;
    struct url u;
    bool authority_ok = url_parse(line, len, &u);
    if (u.scheme_len == 0)
        return GEMINI_BAD_REQUEST; /* relative reference */
    if (!url_has_scheme(line, "gemini"))
        return GEMINI_PROXY_REFUSED;
    if (!u.has_authority || !authority_ok)
        return GEMINI_BAD_REQUEST;
    int status = request_host(line, &u, req);
    return status ? status : request_path(line, &u, req);
}

/* Index of the configured host the URL names, or -1. */
static long find_host(const struct config *cfg, const char *host)
{
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++) {
        const struct cfg_host *h = &cfg->gemini.hosts[i];
        if (h->name && strcasecmp(h->name, host) == 0)
            return (long)i;
        for (size_t k = 0; k < h->n_aliases; k++)
            if (h->aliases[k] && strcasecmp(h->aliases[k], host) == 0)
                return (long)i;
    }
    return -1;
}

static bool sni_matches(const char *sni, const char *host)
{
    if (!sni || !*sni)
        return true; /* no SNI (old client, IP literal): the URL decides */
    size_t n = strlen(sni);
    if (sni[n - 1] == '.')
        n--;
    return strlen(host) == n && strncasecmp(sni, host, n) == 0;
}

/* The log gets printable ASCII only: anything else becomes '?'. */
static void set_target(struct response *out, const char *host,
                       const char *path)
{
    size_t n = 0, cap = sizeof out->target - 1;
    for (const char *parts[2] = {host, path}, **p = parts; p < parts + 2; p++)
        for (const char *s = *p; *s && n < cap; s++)
            out->target[n++] = (*s > 0x20 && *s < 0x7f) ? *s : '?';
    out->target[n] = '\0';
}

/* A header line without a body: the status and its meta text. */
static void respond_header(struct response *out, enum gemini_status status,
                           const char *meta)
{
    buf_printf(&out->owned, "%d %s\r\n", (int)status, meta);
    response_own(out, status);
}

/* To the path with its '/': the path was decoded, so it is encoded again. */
static void redirect(const struct config *cfg, const struct gemini_request *req,
                     struct response *out)
{
    int port = cfg->gemini.port > 0 ? cfg->gemini.port : 1965;
    buf_printf(&out->owned, "%d ", GEMINI_REDIRECT_PERMANENT);
    url_put_origin(&out->owned, "gemini", req->host, port, 1965);
    url_encode_path(&out->owned, req->path, strlen(req->path));
    buf_puts(&out->owned, "/\r\n");
    response_own(out, GEMINI_REDIRECT_PERMANENT);
}

static void search(const struct site *s, const struct gemini_request *req,
                   struct response *out)
{
    if (!req->has_query || !search_has_terms(req->query)) {
        respond_header(out, GEMINI_INPUT, "Search the profile");
        return;
    }
    buf_puts(&out->owned, s->gemtext_header);
    site_search_gemini(s, req->query, &out->owned);
    response_own(out, GEMINI_SUCCESS);
}

/* A path without its trailing slash that names a directory route. */
static bool is_directory_without_slash(const struct site *s, const char *path)
{
    size_t n = strlen(path);
    if (n < 2 || path[n - 1] == '/' || n + 2 > GEMINI_URL_MAX + 2)
        return false;
    char with_slash[GEMINI_URL_MAX + 3];
    memcpy(with_slash, path, n);
    with_slash[n] = '/';
    with_slash[n + 1] = '\0';
    return route_find(&s->gemini, with_slash) != NULL;
}

void gemini_respond(const struct capsule *c, const char *sni,
                    const char *line, size_t len, struct response *out)
{
    memset(out, 0, sizeof *out);
    struct gemini_request req;
    int status = gemini_parse(line, len, &req);
    set_target(out, req.host, req.path);
    if (status) {
        /* Nothing parsed to log: log what came, made printable. */
        char raw[sizeof out->target];
        size_t n = len < sizeof raw - 1 ? len : sizeof raw - 1;
        memcpy(raw, line, n);
        raw[n] = '\0';
        set_target(out, "", raw);
        if (status == GEMINI_PROXY_REFUSED)
            respond_header(out, status, PROXY_REFUSED);
        else
            respond_header(out, GEMINI_BAD_REQUEST, "Bad request");
        return;
    }
    long host = find_host(&c->cfg, req.host);
    /* A URL without a port means 1965, whatever port we listen on: a
     * capsule published on another port only answers URLs that say so. */
    int port = req.port < 0 ? 1965 : req.port;
    bool port_ok = port == c->cfg.gemini.port;
    if (host < 0 || (size_t)host >= c->n_sites || !port_ok ||
        !sni_matches(sni, req.host)) {
        respond_header(out, GEMINI_PROXY_REFUSED, PROXY_REFUSED);
        return;
    }
    const struct site *s = c->sites[host];
    if (strcmp(req.path, PATH_SEARCH) == 0) {
        search(s, &req, out);
        return;
    }
    const struct route *r = route_find(&s->gemini, req.path);
    if (r) {
        out->data = r->data;
        out->len = r->len;
        out->status = GEMINI_SUCCESS;
        return;
    }
    if (is_directory_without_slash(s, req.path)) {
        redirect(&c->cfg, &req, out);
        return;
    }
    respond_header(out, GEMINI_NOT_FOUND, "Not found");
}

void gemini_slow_down(const char *line, size_t len, int seconds,
                      struct response *out)
{
    memset(out, 0, sizeof *out);
    char target[sizeof out->target];
    size_t n = len < sizeof target - 1 ? len : sizeof target - 1;
    memcpy(target, line, n);
    target[n] = '\0';
    set_target(out, "", target);
    buf_printf(&out->owned, "%d %d\r\n", (int)GEMINI_SLOW_DOWN,
               seconds > 0 ? seconds : 1);
    response_own(out, GEMINI_SLOW_DOWN);
}
