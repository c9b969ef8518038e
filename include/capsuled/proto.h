/* The protocols' front ends (Gemini, Gopher, Finger, Spartan): their status
 * codes by name, the request
 * parsers (pure, exposed for tests and fuzzers) and the answer to one
 * request line, looked up in a capsule snapshot. The server moves the
 * bytes; everything a response says is decided here. */
#ifndef CAPSULED_PROTO_H
#define CAPSULED_PROTO_H

#include "capsuled/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct capsule; /* the snapshot answered from (capsule.h) */

/* --- status codes --- */

/* The Gemini status codes capsuled sends: the two digits that open the
 * response header line. */
enum gemini_status {
    GEMINI_INPUT = 10,              /* search: ask for the terms */
    GEMINI_SUCCESS = 20,
    GEMINI_REDIRECT_PERMANENT = 31, /* a directory named without its '/' */
    GEMINI_SLOW_DOWN = 44,          /* over server.rate_limit */
    GEMINI_NOT_FOUND = 51,
    GEMINI_PROXY_REFUSED = 53,      /* another scheme, host or port */
    GEMINI_BAD_REQUEST = 59,
};

/* Gopher has no status line: a failure is a menu holding one error item
 * (type '3'). The status logged for a gopher answer is that type's number,
 * or 0 when the selector was served. */
enum gopher_status {
    GOPHER_SERVED = 0,
    GOPHER_ERROR = 3,
};

/* Finger has no status either: the status logged for a finger answer. */
enum finger_status {
    FINGER_SERVED = 0,
    FINGER_UNKNOWN = 1, /* no section of that name */
    FINGER_REFUSED = 2, /* forwarding (user@host1@host2) */
    FINGER_BAD = 3,     /* control bytes, invalid UTF-8, too long */
    FINGER_SLOW_DOWN = 4, /* over server.rate_limit */
};

/* Spartan's status is one digit, the first character of the response. */
enum spartan_status {
    SPARTAN_SUCCESS = 2,      /* "2 MIME-TYPE" and the body */
    SPARTAN_REDIRECT = 3,     /* "3 /PATH/": a directory without its '/' */
    SPARTAN_CLIENT_ERROR = 4, /* "4 MESSAGE": bad, refused or not found */
    SPARTAN_SERVER_ERROR = 5, /* "5 MESSAGE": nothing to serve */
};

/* The item types the protocol code writes into its own menus. */
enum gopher_item {
    GOPHER_ITEM_ERROR = '3',
    GOPHER_ITEM_SEARCH = '7',
};

/* --- requests --- */

enum { GEMINI_URL_MAX = 1024, GOPHER_SELECTOR_MAX = 255 };

struct gemini_request {
    char host[256];   /* lower case, no brackets, trailing dot removed */
    int port;         /* -1 when absent */
    char path[GEMINI_URL_MAX + 2];  /* decoded, empty segments collapsed */
    bool has_query;
    char query[GEMINI_URL_MAX + 1]; /* decoded */
};

/* Parses a request line (CRLF excluded). Returns 0 when it is a well formed
 * gemini:// URL, GEMINI_BAD_REQUEST when malformed (too long, not UTF-8,
 * control bytes, relative, userinfo, fragment, bad escapes, a "." or ".."
 * path segment, escaped or not),
 * GEMINI_PROXY_REFUSED for another scheme. The host and port are not
 * checked against the configuration here. */
int gemini_parse(const char *line, size_t len, struct gemini_request *req);

enum gopher_kind {
    GOPHER_BAD,      /* too long, NUL or control bytes, invalid UTF-8 */
    GOPHER_SELECTOR, /* path (normalised) and terms */
    GOPHER_URL,      /* "URL:…": url holds what follows */
    GOPHER_HTTP,     /* a stray HTTP request line */
};

struct gopher_request {
    enum gopher_kind kind;
    char path[GOPHER_SELECTOR_MAX + 3];
    char url[GOPHER_SELECTOR_MAX + 1];
    bool has_terms;
    char terms[1025];
};

void gopher_parse(const char *line, size_t len, struct gopher_request *req);

/* The longest finger query line, CRLF excluded (RFC 1288 sets none; a
 * longer one is closed unanswered by the server), and the longest name. */
enum { FINGER_REQUEST_MAX = 1024, FINGER_NAME_MAX = 255 };

enum finger_kind {
    FINGER_INVALID, /* too long, control bytes, invalid UTF-8 */
    FINGER_CARD,    /* "" or "/W": the person's card */
    FINGER_NAME,    /* a name: a section's slug, or "plan" */
    FINGER_FORWARD, /* any '@': forwarding, refused */
};

struct finger_request {
    enum finger_kind kind;
    bool verbose;                   /* "/W" came first */
    char name[FINGER_NAME_MAX + 1]; /* FINGER_NAME: lower case */
};

/* Parses a finger query line (RFC 1288's {Q1}: [/W][ ]name, CRLF excluded):
 * "/W" and the spaces around the name are dropped, the name lower-cased
 * (slugs match case-insensitively). */
void finger_parse(const char *line, size_t len, struct finger_request *req);

/* Spartan: "HOST SP PATH SP CONTENT-LENGTH" CRLF, then that many bytes of
 * data. The longest request line (CRLF excluded), the largest upload, and
 * so the most a whole request may hold. */
enum {
    SPARTAN_REQUEST_MAX = 1024,
    SPARTAN_UPLOAD_MAX = 1024,
    SPARTAN_BUFFER_MAX = SPARTAN_REQUEST_MAX + 2 + SPARTAN_UPLOAD_MAX,
};

/* What is wrong with a Spartan request line, each answered "4 …". */
enum spartan_error {
    SPARTAN_OK = 0,
    SPARTAN_BAD_REQUEST, /* not three fields, control bytes, invalid UTF-8,
                            no host, a path not absolute or with a query */
    SPARTAN_BAD_LENGTH,  /* the content length is not a decimal number */
    SPARTAN_TOO_LARGE,   /* a content length over SPARTAN_UPLOAD_MAX */
};

struct spartan_request {
    char host[256];                    /* lower case, as sent */
    char path[SPARTAN_REQUEST_MAX + 2]; /* decoded and normalised */
    size_t content_length;
};

/* Parses a request line (CRLF excluded). */
enum spartan_error spartan_parse(const char *line, size_t len,
                                 struct spartan_request *req);

/* How many of the len bytes received make the whole request: the line,
 * its CRLF and the data it announces when that data will be read (an
 * upload to search), or 0 while more is to come. A request answered
 * without its data (an upload refused, a bad line) is whole at its CRLF;
 * SPARTAN_REQUEST_MAX + 2 bytes without a CRLF are whole as they are (a
 * line too long, answered 4). */
size_t spartan_request_size(const char *buf, size_t len);

/* --- responses --- */

/* A response: either bytes owned by the snapshot (data/len point into it) or
 * bytes built for this request (kept in owned). The header line is included.
 * status and target are for the access log. */
struct response {
    const char *data;
    size_t len;
    struct buf owned;
    int status;       /* enum gemini_status, gopher_status,
                         finger_status or spartan_status */
    char target[256]; /* host and path as requested, for the log */
};
void response_free(struct response *r);
/* Points the response at the bytes built in owned, with this status. */
void response_own(struct response *r, int status);

/* Gemini: line is the request as received, CRLF excluded (len ≤ 1024 is not
 * assumed: longer → GEMINI_BAD_REQUEST). sni is the server name the client
 * sent, or NULL. */
void gemini_respond(const struct capsule *c, const char *sni,
                    const char *line, size_t len, struct response *out);

/* The longest gopher request line, CRLF excluded: selector, TAB, terms. */
enum { GOPHER_REQUEST_MAX = 1024 };

/* Gopher: line is the selector line as received, CRLF or LF excluded
 * (longer than GOPHER_REQUEST_MAX → a "Request too long" error item, never
 * the selector it starts with). Also answers a stray HTTP request line
 * ("GET / HTTP/1.1") with a short HTTP response saying this is a gopher
 * server. */
void gopher_respond(const struct capsule *c, const char *line, size_t len,
                    struct response *out);

/* Finger: line is the query as received, CRLF or LF excluded. Answers the
 * pre-rendered card, section or plan of sites[0], or one line saying why
 * not ("finger: NAME: no such section", forwarding refused). */
void finger_respond(const struct capsule *c, const char *line, size_t len,
                    struct response *out);

/* The answers to a client over server.rate_limit, which may ask again in
 * seconds (≥ 1): Gemini "44 SECONDS", a Gopher menu of one error item, a
 * Finger line. line is the request (logged as the target). */
void gemini_slow_down(const char *line, size_t len, int seconds,
                      struct response *out);
void gopher_slow_down(const char *line, size_t len, int seconds,
                      struct response *out);
void finger_slow_down(const char *line, size_t len, int seconds,
                      struct response *out);

/* Spartan: buf holds the request as received (len ≤ SPARTAN_BUFFER_MAX
 * is not assumed): its line, CRLF and data. Answers from the site the host
 * names (sites[0] for any other host): a page, "3 /PATH/" for a directory
 * without its '/', search results for data sent to the search page. A
 * request cut short (no CRLF, or less data than announced: the deadline
 * or the client's close came first), a bad line, an upload to anything
 * but search, or a route that does not exist answer "4 …". */
void spartan_respond(const struct capsule *c, const char *buf, size_t len,
                     struct response *out);

#endif
