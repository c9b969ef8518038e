/* Listeners behind a load balancer: every connection starts with a PROXY
 * protocol header (v1 or v2, include/capsuled/proxy.h) naming the client.
 * It is read before anything else looks at the bytes (the TLS hello check
 * would close a v1 line as plain text), within the connection's deadline,
 * and exactly: the client's own bytes stay in the socket. The header is
 * peeked at until it is whole, then taken off. */
#include "server.h"

#include "capsuled/proxy.h"

#include <errno.h>

bool proxy_expected(const struct config *cfg, enum proto proto)
{
    switch (proto) {
    case PROTO_GEMINI:
        return cfg->gemini.proxy_protocol;
    case PROTO_GOPHER:
        return cfg->gopher.proxy_protocol;
    case PROTO_FINGER:
        return cfg->finger.proxy_protocol;
    case PROTO_SPARTAN:
        return cfg->spartan.proxy_protocol;
    }
    return false;
}

/* Takes the header's bytes, already in the buffer, off the socket. */
static bool consume(int fd, size_t len)
{
    unsigned char scratch[PROXY_MAX];
    ssize_t n;
    do
        n = recv(fd, scratch, len, 0);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)len;
}

enum proxy_in proxy_read(int fd, bool peer_done, struct sockaddr_storage *peer)
{
    unsigned char buf[PROXY_MAX];
    ssize_t got = recv(fd, buf, sizeof buf, MSG_PEEK);
    if (got < 0)
        return errno == EAGAIN || errno == EINTR ? PROXY_IN_WAIT
                                                 : PROXY_IN_CLOSE;
    if (got == 0)
        return PROXY_IN_CLOSE;
    struct proxy_header h;
    switch (proxy_parse(buf, (size_t)got, &h)) {
    case PROXY_MORE: /* a peer that stopped sending mid-header is done */
        return peer_done ? PROXY_IN_CLOSE : PROXY_IN_WAIT;
    case PROXY_INVALID:
        return PROXY_IN_CLOSE;
    case PROXY_DONE:
        break;
    }
    if (!consume(fd, h.consumed))
        return PROXY_IN_CLOSE;
    if (!h.local) /* LOCAL: a health check, the proxy's own connection */
        *peer = h.src;
    return PROXY_IN_DONE;
}
