/* URL references (RFC 3986): parsing, resolution against a base, the page
 * address a fragment link is compared with, and escaping for output. */
#include "doc_internal.h"

#include <string.h>
#include <strings.h>

static bool is_scheme_char(char c, bool first)
{
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return first ? alpha
                 : alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
                       c == '.';
}

void uri_parse(const char *s, struct uri *u)
{
    size_t n = strlen(s), i = 0;
    memset(u, 0, sizeof *u);
    while (i < n && is_scheme_char(s[i], i == 0))
        i++;
    if (i > 0 && i < n && s[i] == ':')
        u->scheme_len = i++;
    else
        i = 0;
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
        u->has_auth = true;
        u->auth_off = i += 2;
        while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        u->auth_len = i - u->auth_off;
    }
    u->path_off = i;
    while (i < n && s[i] != '?' && s[i] != '#')
        i++;
    u->path_len = i - u->path_off;
    if (i < n && s[i] == '?') {
        u->has_query = true;
        u->query_off = ++i;
        while (i < n && s[i] != '#')
            i++;
        u->query_len = i - u->query_off;
    }
    if (i < n && s[i] == '#') {
        u->has_frag = true;
        u->frag_off = i + 1;
        u->frag_len = n - i - 1;
    }
}

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
            i += 1;
            buf_putc(out, '/');
            i += 1;
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
static void merge_paths(const char *b, const struct uri *bu, const char *r,
                        size_t rlen, struct buf *tmp)
{
    if (bu->has_auth && bu->path_len == 0) {
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

/* Resolves ref against base (both NUL-terminated); base must be absolute. */
char *resolve_reference(const char *base, const char *ref)
{
    struct uri b, r;
    uri_parse(base, &b);
    uri_parse(ref, &r);
    struct buf out = {0}, tmp = {0};
    if (r.scheme_len) {
        buf_put(&out, ref, r.scheme_len + 1);
    } else {
        buf_put(&out, base, b.scheme_len + 1);
    }
    const char *auth_src = r.scheme_len || r.has_auth ? ref : base;
    const struct uri *au = r.scheme_len || r.has_auth ? &r : &b;
    if (au->has_auth) {
        buf_puts(&out, "//");
        buf_put(&out, auth_src + au->auth_off, au->auth_len);
    }
    if (r.scheme_len || r.has_auth) {
        remove_dot_segments(ref + r.path_off, r.path_len, &out);
        if (r.has_query) {
            buf_putc(&out, '?');
            buf_put(&out, ref + r.query_off, r.query_len);
        }
    } else if (r.path_len == 0) {
        buf_put(&out, base + b.path_off, b.path_len);
        const char *q = r.has_query ? ref : base;
        const struct uri *qu = r.has_query ? &r : &b;
        if (qu->has_query) {
            buf_putc(&out, '?');
            buf_put(&out, q + qu->query_off, qu->query_len);
        }
    } else {
        if (ref[r.path_off] == '/')
            buf_put(&tmp, ref + r.path_off, r.path_len);
        else
            merge_paths(base, &b, ref + r.path_off, r.path_len, &tmp);
        remove_dot_segments(tmp.data, tmp.len, &out);
        if (r.has_query) {
            buf_putc(&out, '?');
            buf_put(&out, ref + r.query_off, r.query_len);
        }
    }
    if (r.has_frag) {
        buf_putc(&out, '#');
        buf_put(&out, ref + r.frag_off, r.frag_len);
    }
    buf_free(&tmp);
    return buf_detach(&out);
}

/* scheme://authority/path?query without the fragment, an empty path as "/",
 * for comparing a link with the page's own address. */
char *page_address(const char *url, bool root_only)
{
    struct uri u;
    uri_parse(url, &u);
    struct buf out = {0};
    buf_put(&out, url, u.path_off);
    if (root_only || u.path_len == 0)
        buf_putc(&out, '/');
    else
        buf_put(&out, url + u.path_off, u.path_len);
    if (!root_only && u.has_query) {
        buf_putc(&out, '?');
        buf_put(&out, url + u.query_off, u.query_len);
    }
    return buf_detach(&out);
}

/* Spaces, controls and a few characters no URL may hold are escaped, so
 * every renderer can write the URL as one token. */
char *escape_url(const char *url)
{
    struct buf out = {0};
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' ||
            *p == '\\' || *p == '^' || *p == '`' || *p == '{' || *p == '|' ||
            *p == '}')
            buf_printf(&out, "%%%02X", *p);
        else
            buf_putc(&out, (char)*p);
    }
    return buf_detach(&out);
}

bool has_scheme(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    if (strncasecmp(url, scheme, n) != 0)
        return false;
    return url[n] == ':';
}
