/* URLs (RFC 3986, IRIs welcome): splitting one into its parts, percent
 * escapes both ways, resolution against a base, and the origin a URL of
 * ours starts with. The one place that knows what each part may hold, in
 * the manner of gmid's iri.c. */
#include "capsuled/url.h"
#include "capsuled/utf8.h"

#include <string.h>
#include <strings.h>

/* --- characters --- */

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

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme_char(char c, bool first)
{
    return is_alpha(c) ||
           (!first && (is_digit(c) || c == '+' || c == '-' || c == '.'));
}

static bool is_unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static bool is_sub_delim(char c)
{
    return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* What url_escape turns into "%XX" besides controls and stray bytes. */
static bool never_in_url(unsigned char c)
{
    return c <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' ||
           c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' ||
           c == '}';
}

static void put_escape(struct buf *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = {'%', hex[c >> 4], hex[c & 15]};
    buf_put(out, e, 3);
}

/* --- parsing --- */

static size_t scheme_length(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_scheme_char(s[i], i == 0))
        i++;
    return i > 0 && i < len && s[i] == ':' ? i : 0;
}

/* An IPv6 (or IPv4-mapped) literal: hex digits, ':' and '.'; the address
 * itself is judged by whoever connects to it. */
static bool ip_literal_ok(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (hex_value(s[i]) < 0 && s[i] != ':' && s[i] != '.')
            return false;
    return true;
}

/* *DIGIT up to 65535; "" means none (RFC 3986 allows "host:"). */
static bool parse_port(const char *s, size_t len, int *port)
{
    *port = -1;
    long value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        value = value * 10 + (s[i] - '0');
        if (value > 65535)
            return false;
    }
    if (len > 0)
        *port = (int)value;
    return true;
}

/* "[" literal "]" starting at s[i], the authority ending at end: sets the
 * host (brackets left out) and *host_end past the ']'. */
static bool parse_ip_literal(const char *s, size_t i, size_t end,
                             struct url *u, size_t *host_end)
{
    const char *close = memchr(s + i, ']', end - i);
    u->ip_literal = true;
    u->host_off = i + 1;
    u->host_len = close ? (size_t)(close - s) - u->host_off : end - i - 1;
    if (!close || !ip_literal_ok(s + u->host_off, u->host_len))
        return false;
    *host_end = (size_t)(close - s) + 1;
    return *host_end == end || s[*host_end] == ':';
}

/* [ userinfo "@" ] host [ ":" port ], within s[off, off + len). */
static bool parse_authority(const char *s, size_t off, size_t len,
                            struct url *u)
{
    size_t end = off + len, i = off, host_end;
    for (size_t k = off; k < end; k++)
        if (s[k] == '@') {
            u->has_userinfo = true;
            i = k + 1; /* the last '@': a userinfo cannot hold one */
        }
    if (i < end && s[i] == '[') {
        if (!parse_ip_literal(s, i, end, u, &host_end))
            return false;
    } else {
        const char *colon = memchr(s + i, ':', end - i);
        host_end = colon ? (size_t)(colon - s) : end;
        u->host_off = i;
        u->host_len = host_end - i;
    }
    return host_end == end ||
           parse_port(s + host_end + 1, end - host_end - 1, &u->port);
}

/* path [ "?" query ] [ "#" fragment ], from s[i] to the end. */
static void parse_path_on(const char *s, size_t len, size_t i, struct url *u)
{
    u->path_off = i;
    while (i < len && s[i] != '?' && s[i] != '#')
        i++;
    u->path_len = i - u->path_off;
    if (i < len && s[i] == '?') {
        u->has_query = true;
        u->query_off = ++i;
        while (i < len && s[i] != '#')
            i++;
        u->query_len = i - u->query_off;
    }
    if (i < len && s[i] == '#') {
        u->has_fragment = true;
        u->frag_off = i + 1;
        u->frag_len = len - i - 1;
    }
}

bool url_parse(const char *s, size_t len, struct url *u)
{
    memset(u, 0, sizeof *u);
    u->port = -1;
    size_t i = u->scheme_len = scheme_length(s, len);
    i += i > 0; /* the ':' */
    bool ok = true;
    if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
        u->has_authority = true;
        u->auth_off = i += 2;
        while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        u->auth_len = i - u->auth_off;
        ok = parse_authority(s, u->auth_off, u->auth_len, u);
    }
    parse_path_on(s, len, i, u);
    return ok;
}

bool url_has_scheme(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncasecmp(url, scheme, n) == 0 && url[n] == ':';
}

/* --- escapes --- */

/* The byte "%XX" at s[i] stands for, or -1 when it is no escape. */
static int escaped_byte(const char *s, size_t len, size_t i)
{
    if (s[i] != '%' || i + 2 >= len)
        return -1;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

long url_decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (s[i] == '%') {
            if ((c = escaped_byte(s, len, i)) < 0)
                return -1;
            i += 2;
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return utf8_is_line_text(out, n) ? (long)n : -1;
}

void url_decode_loose(struct buf *out, const char *s, size_t len)
{
    buf_puts(out, "");
    for (size_t i = 0; i < len; i++) {
        int c = escaped_byte(s, len, i);
        if (c > 0) {
            buf_putc(out, (char)c);
            i += 2;
        } else {
            buf_putc(out, s[i]);
        }
    }
}

void url_encode_path(struct buf *out, const char *path, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = path[i];
        if (is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' ||
            c == '/')
            buf_putc(out, c);
        else
            put_escape(out, (unsigned char)c);
    }
}

/* Bytes from url[i] on that url_escape keeps as they are. */
static size_t kept_run(const char *url, size_t len, size_t i)
{
    size_t start = i;
    while (i < len) {
        unsigned char c = (unsigned char)url[i];
        unsigned cp;
        size_t n = c >= 0x80 ? utf8_decode(url + i, len - i, &cp) : 1;
        if (n == 0 || never_in_url(c))
            break;
        i += n;
    }
    return i - start;
}

void url_escape(struct buf *out, const char *url, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t run = kept_run(url, len, i);
        buf_put(out, url + i, run); /* links are mostly kept whole */
        i += run;
        if (i < len)
            put_escape(out, (unsigned char)url[i++]); /* one byte at a time */
    }
}

/* --- resolution --- */

/* RFC 3986 5.2.4, appending the result to out. */
static void remove_dot_segments(const char *p, size_t n, struct buf *out)
{
    size_t start = out->len, i = 0;
    while (i < n) {
        if (n - i >= 3 && !memcmp(p + i, "../", 3)) {
            i += 3;
        } else if (n - i >= 2 && !memcmp(p + i, "./", 2)) {
            i += 2;
        } else if (n - i >= 3 && !memcmp(p + i, "/./", 3)) {
            i += 2;
        } else if (n - i == 2 && !memcmp(p + i, "/.", 2)) {
            buf_putc(out, '/');
            i += 2;
        } else if ((n - i >= 4 && !memcmp(p + i, "/../", 4)) ||
                   (n - i == 3 && !memcmp(p + i, "/..", 3))) {
            bool last = n - i == 3;
            i += 3;
            while (out->len > start && out->data[out->len - 1] != '/')
                out->len--;
            if (out->len > start)
                out->len--;
            out->data[out->len] = '\0';
            if (last)
                buf_putc(out, '/');
        } else if ((n - i == 1 && p[i] == '.') ||
                   (n - i == 2 && !memcmp(p + i, "..", 2))) {
            i = n;
        } else {
            size_t j = i + (p[i] == '/' ? 1 : 0);
            while (j < n && p[j] != '/')
                j++;
            buf_put(out, p + i, j - i);
            i = j;
        }
    }
}

/* Appends the base's path merged with a relative path (RFC 3986 5.2.3). */
static void merge_paths(const char *b, const struct url *bu, const char *r,
                        size_t rlen, struct buf *tmp)
{
    if (bu->has_authority && bu->path_len == 0) {
        buf_putc(tmp, '/');
    } else {
        const char *bp = b + bu->path_off;
        size_t keep = bu->path_len;
        while (keep > 0 && bp[keep - 1] != '/')
            keep--;
        buf_put(tmp, bp, keep);
    }
    buf_put(tmp, r, rlen);
}

static void put_query(struct buf *out, const char *s, const struct url *u)
{
    if (u->has_query) {
        buf_putc(out, '?');
        buf_put(out, s + u->query_off, u->query_len);
    }
}

/* The path and query of the target: RFC 3986 5.2.2 after the authority. */
static void put_target_path(struct buf *out, const char *base,
                            const struct url *b, const char *ref,
                            const struct url *r)
{
    if (r->scheme_len || r->has_authority) {
        remove_dot_segments(ref + r->path_off, r->path_len, out);
        put_query(out, ref, r);
    } else if (r->path_len == 0) {
        buf_put(out, base + b->path_off, b->path_len);
        put_query(out, r->has_query ? ref : base, r->has_query ? r : b);
    } else {
        struct buf tmp = {0};
        if (ref[r->path_off] == '/')
            buf_put(&tmp, ref + r->path_off, r->path_len);
        else
            merge_paths(base, b, ref + r->path_off, r->path_len, &tmp);
        remove_dot_segments(tmp.data, tmp.len, out);
        buf_free(&tmp);
        put_query(out, ref, r);
    }
}

char *url_resolve(const char *base, const char *ref)
{
    struct url b, r;
    url_parse(base, strlen(base), &b);
    url_parse(ref, strlen(ref), &r);
    struct buf out = {0};
    if (r.scheme_len)
        buf_put(&out, ref, r.scheme_len + 1);
    else
        buf_put(&out, base, b.scheme_len + 1);
    bool own = r.scheme_len || r.has_authority;
    const struct url *au = own ? &r : &b;
    if (au->has_authority) {
        buf_puts(&out, "//");
        buf_put(&out, (own ? ref : base) + au->auth_off, au->auth_len);
    }
    put_target_path(&out, base, &b, ref, &r);
    if (r.has_fragment) {
        buf_putc(&out, '#');
        buf_put(&out, ref + r.frag_off, r.frag_len);
    }
    return buf_detach(&out);
}

char *url_document(const char *url, bool root_only)
{
    struct url u;
    url_parse(url, strlen(url), &u);
    struct buf out = {0};
    buf_put(&out, url, u.path_off);
    if (root_only || u.path_len == 0)
        buf_putc(&out, '/');
    else
        buf_put(&out, url + u.path_off, u.path_len);
    if (!root_only)
        put_query(&out, url, &u);
    return buf_detach(&out);
}

/* --- our own URLs --- */

void url_put_origin(struct buf *out, const char *scheme, const char *host,
                    int port, int default_port)
{
    bool ipv6 = strchr(host, ':') != NULL;
    buf_puts(out, scheme);
    buf_puts(out, ipv6 ? "://[" : "://");
    url_escape(out, host, strlen(host));
    buf_puts(out, ipv6 ? "]" : "");
    if (port != default_port)
        buf_printf(out, ":%d", port);
}
