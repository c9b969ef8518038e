/* URLs (RFC 3986; IRIs, with UTF-8 beyond ASCII, welcome): one module
 * answers every question about one. Its parts, the scheme it names, its
 * percent-escapes both ways, its resolution against a base, and the
 * "scheme://host:port" it starts with. Pure functions over strings: the
 * request parsers, the document model and the renderers all ask here. */
#ifndef CAPSULED_URL_H
#define CAPSULED_URL_H

#include "capsuled/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* A URL or relative reference split into its parts, as offsets into the
 * string it was parsed from (nothing is copied or decoded):
 *
 *   scheme ":" [ "//" [ userinfo "@" ] host [ ":" port ] ] path
 *          [ "?" query ] [ "#" fragment ]
 */
struct url {
    size_t scheme_len;         /* 0: none, a relative reference */
    bool has_authority;        /* "//" follows the scheme (or starts) */
    size_t auth_off, auth_len; /* the whole authority, userinfo and port in */
    bool has_userinfo;         /* "user@" before the host */
    size_t host_off, host_len; /* an IP literal without its brackets */
    bool ip_literal;           /* the host was written "[…]" */
    int port;                  /* 0..65535; -1: none, or "host:" alone */
    size_t path_off, path_len; /* may be empty */
    bool has_query;
    size_t query_off, query_len; /* after the '?' */
    bool has_fragment;
    size_t frag_off, frag_len;   /* after the '#' */
};

/* Splits s[0..len) at the first ':', "//", '/', '?' and '#' that the
 * generic syntax gives a meaning, and the authority into userinfo, host and
 * port. Every part is filled whatever comes; false when the authority
 * cannot be read: a '[' without its ']', anything but ":port" after the
 * ']', a literal holding more than hex digits, ':' and '.', or a port that
 * is not digits or above 65535. Host characters are not judged here. */
bool url_parse(const char *s, size_t len, struct url *u);

/* True when url starts with the scheme name (ASCII case ignored) and a ':'.
 * The one contract for every caller: scheme is a bare name, "gopher", not
 * "gopher://". */
bool url_has_scheme(const char *url, const char *scheme);

/* Percent-decodes s[0..len) into out (cap bytes, NUL added), the strict
 * way a request must be read: -1 for a '%' not followed by two hex digits,
 * for a result that is not valid UTF-8 or holds a control byte (so %00 and
 * %0A never reach a path), or that does not fit. Else the decoded length.
 * "%2F" becomes '/': decode after splitting, never before. */
long url_decode(const char *s, size_t len, char *out, size_t cap);

/* Percent-decodes s[0..len) onto out for display: a '%' not followed by
 * two hex digits, and "%00", are kept as written. */
void url_decode_loose(struct buf *out, const char *s, size_t len);

/* Appends a path as a URL carries it (gmid's encode_path): unreserved
 * characters, sub-delims, ':', '@' and '/' as they are; every other byte,
 * '%', '?', '#', spaces and all of UTF-8 among them, as "%XX". */
void url_encode_path(struct buf *out, const char *path, size_t len);

/* Appends a URL written by someone else so that it stays one token in any
 * format: controls, spaces, DEL, "<>\^`{|} and bytes that are not UTF-8
 * become "%XX"; everything else (escapes, '%', IRI characters) is kept. It
 * is idempotent: escaping twice changes nothing more. */
void url_escape(struct buf *out, const char *url, size_t len);

/* Resolves ref against base (RFC 3986 section 5.2, dot segments removed);
 * base must be absolute. A new string. */
char *url_resolve(const char *base, const char *ref);

/* The address of the document url names, for comparing two links: the
 * fragment left out and an empty path written "/"; with root_only, the
 * path and query are "/" whatever they were. A new string. */
char *url_document(const char *url, bool root_only);

/* Appends "scheme://host", with ":port" unless port is default_port (pass
 * 0 to always write it). An IPv6 literal gets its brackets; a host that
 * would not stay one token is escaped as url_escape does. */
void url_put_origin(struct buf *out, const char *scheme, const char *host,
                    int port, int default_port);

#endif
