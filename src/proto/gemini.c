/* Gemini requests: parse the URL line, pick the host's site, answer from its
 * pre-rendered table (search is the only route rendered per request). */
#include "capsuled/capsule.h"
#include "capsuled/site.h"
#include "capsuled/utf8.h"

#include <stdio.h>
#include <string.h>

static const char RESP_BAD[] = "59 Bad request\r\n";
static const char RESP_PROXY[] = "53 Proxy request refused\r\n";
static const char RESP_NOT_FOUND[] = "51 Not found\r\n";
static const char RESP_SEARCH[] = "10 Search the profile\r\n";

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

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

/* Percent-decodes in[0..len) into out (cap > len). The decoded bytes must
 * again be valid UTF-8 without control bytes (a %00 or %0A smuggled in is a
 * bad request, not a path). Returns the decoded length or -1. */
static long percent_decode(const char *in, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7f)
            return -1;
    }
    return utf8_valid(out, n) ? (long)n : -1;
}

/* A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) before ':'.
 * Returns its length, or 0 when the line does not start with one. */
static size_t scheme_length(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] != ':') {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' ||
                             c == '.'));
        if (!ok)
            return 0;
        i++;
    }
    return (i > 0 && i < len) ? i : 0;
}

static int parse_port(const char *s, size_t len)
{
    if (len == 0)
        return -1; /* "host:" is allowed by RFC 3986 and means the default */
    int port = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -2;
        port = port * 10 + (s[i] - '0');
        if (port > 65535)
            return -2;
    }
    return port;
}

static bool ipv6_literal_ok(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!(hex_value(c) >= 0 || c == ':' || c == '.'))
            return false;
    }
    return true;
}

/* authority = host [ ":" port ], no userinfo. */
static int parse_authority(const char *a, size_t len, struct gemini_request *req)
{
    if (memchr(a, '@', len))
        return 59;
    const char *host = a;
    size_t host_len;
    const char *rest;
    if (len > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', len);
        if (!close)
            return 59;
        host = a + 1;
        host_len = (size_t)(close - host);
        if (!ipv6_literal_ok(host, host_len))
            return 59;
        rest = close + 1;
        if (rest < a + len && *rest != ':')
            return 59;
    } else {
        const char *colon = memchr(a, ':', len);
        host_len = colon ? (size_t)(colon - a) : len;
        rest = a + host_len;
    }
    req->port = -1;
    if (rest < a + len) { /* ":port" */
        int port = parse_port(rest + 1, (size_t)(a + len - rest - 1));
        if (port == -2)
            return 59;
        req->port = port;
    }
    if (host_len > 0 && host[host_len - 1] == '.' && host == a)
        host_len--; /* the fully qualified form names the same host */
    if (host_len == 0 || host_len >= sizeof req->host)
        return 59;
    char decoded[sizeof req->host];
    long n = percent_decode(host, host_len, decoded, sizeof decoded);
    if (n <= 0)
        return 59;
    for (long i = 0; i < n; i++)
        req->host[i] = ascii_lower(decoded[i]);
    req->host[n] = '\0';
    return 0;
}

int gemini_parse(const char *line, size_t len, struct gemini_request *req)
{
    memset(req, 0, sizeof *req);
    req->port = -1;
    if (len == 0 || len > GEMINI_URL_MAX || !line_is_clean(line, len))
        return 59;
    if (memchr(line, '#', len))
        return 59;
    size_t scheme = scheme_length(line, len);
    if (scheme == 0)
        return 59; /* relative reference */
    if (scheme != 6 || strncasecmp(line, "gemini", 6) != 0)
        return 53;
    const char *p = line + scheme + 1, *end = line + len;
    if (end - p < 2 || p[0] != '/' || p[1] != '/')
        return 59;
    p += 2;
    const char *auth_end = p;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?')
        auth_end++;
    int status = parse_authority(p, (size_t)(auth_end - p), req);
    if (status)
        return status;
    const char *query = memchr(auth_end, '?', (size_t)(end - auth_end));
    const char *path_end = query ? query : end;
    char decoded[GEMINI_URL_MAX + 1];
    long n = percent_decode(auth_end, (size_t)(path_end - auth_end), decoded,
                            sizeof decoded);
    if (n < 0 || !site_normalize_path(decoded, (size_t)n, req->path,
                                      sizeof req->path))
        return 59;
    if (query) {
        req->has_query = true;
        if (percent_decode(query + 1, (size_t)(end - query - 1), req->query,
                           sizeof req->query) < 0)
            return 59;
    }
    return 0;
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

static void respond_static(struct response *out, const char *text, int status)
{
    out->data = text;
    out->len = strlen(text);
    out->status = status;
}

static void respond_owned(struct response *out, int status)
{
    out->data = out->owned.data;
    out->len = out->owned.len;
    out->status = status;
}

static void redirect(const struct config *cfg, const struct gemini_request *req,
                     struct response *out)
{
    bool v6 = strchr(req->host, ':') != NULL;
    buf_printf(&out->owned, "31 gemini://%s%s%s", v6 ? "[" : "", req->host,
               v6 ? "]" : "");
    if (cfg->gemini.port != 1965 && cfg->gemini.port > 0)
        buf_printf(&out->owned, ":%d", cfg->gemini.port);
    buf_printf(&out->owned, "%s/\r\n", req->path);
    respond_owned(out, 31);
}

static void search(const struct site *s, const struct gemini_request *req,
                   struct response *out)
{
    if (!req->has_query || !site_query_has_terms(req->query)) {
        respond_static(out, RESP_SEARCH, 10);
        return;
    }
    buf_puts(&out->owned, s->gemtext_header);
    site_search_gemini(s, req->query, &out->owned);
    respond_owned(out, 20);
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
        respond_static(out, status == 53 ? RESP_PROXY : RESP_BAD, status);
        return;
    }
    long host = find_host(&c->cfg, req.host);
    /* A URL without a port means 1965, whatever port we listen on: a
     * capsule published on another port only answers URLs that say so. */
    int port = req.port < 0 ? 1965 : req.port;
    bool port_ok = port == c->cfg.gemini.port;
    if (host < 0 || (size_t)host >= c->n_sites || !port_ok ||
        !sni_matches(sni, req.host)) {
        respond_static(out, RESP_PROXY, 53);
        return;
    }
    const struct site *s = c->sites[host];
    if (strcmp(req.path, "/search") == 0) {
        search(s, &req, out);
        return;
    }
    const struct route *r = route_find(&s->gemini, req.path);
    if (r) {
        out->data = r->data;
        out->len = r->len;
        out->status = 20;
        return;
    }
    if (is_directory_without_slash(s, req.path)) {
        redirect(&c->cfg, &req, out);
        return;
    }
    respond_static(out, RESP_NOT_FOUND, 51);
}
