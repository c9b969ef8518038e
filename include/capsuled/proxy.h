/* The PROXY protocol (HAProxy's, versions 1 and 2): the header a load
 * balancer sends before the client's bytes, naming the client it speaks
 * for. The parser is pure and incremental: it is handed the bytes received
 * so far (the first of the connection), and says whether they are a whole
 * header, the start of one, or none. */
#ifndef CAPSULED_PROXY_H
#define CAPSULED_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The longest header accepted (v2 with TLVs; a v1 line is at most 107). */
enum { PROXY_MAX = 4096, PROXY_V1_MAX = 107, PROXY_V2_FIXED = 16 };

enum proxy_result {
    PROXY_MORE,    /* a valid start: more bytes are needed */
    PROXY_DONE,    /* a whole header: see struct proxy_header */
    PROXY_INVALID, /* no PROXY header, or a malformed or oversized one */
};

/* A parsed header. local: no client address in it (v2 LOCAL, a health
 * check; v1 UNKNOWN; v2 AF_UNSPEC or AF_UNIX): the connection is the
 * proxy's own and keeps its real peer. Otherwise src is the client
 * (AF_INET or AF_INET6, port in network order) and dst what it connected
 * to. consumed: the header's length, client bytes follow it. */
struct proxy_header {
    size_t consumed;
    bool local;
    int version; /* 1 or 2 */
    struct sockaddr_storage src, dst;
};

/* Parses the first len bytes of a connection. PROXY_MORE only while len <
 * PROXY_MAX; PROXY_DONE fills *out with consumed ≤ len. The same bytes give
 * the same answer however they were split across calls. */
enum proxy_result proxy_parse(const unsigned char *p, size_t len,
                              struct proxy_header *out);

#endif
