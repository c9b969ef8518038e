/* Listening sockets. Every worker opens its own set with SO_REUSEPORT, so
 * the kernel spreads new connections over the workers and no accept lock or
 * shared queue exists between threads. */
#include "server.h"

#include "capsuled/buf.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { LISTEN_BACKLOG = 1024 };

static bool is_any_address(const char *addr)
{
    return !addr || !*addr || strcmp(addr, "*") == 0;
}

void listen_describe(const struct cfg_listen *spec, char *out, size_t size)
{
    const char *addr = is_any_address(spec->addr) ? "*" : spec->addr;
    if (strchr(addr, ':'))
        snprintf(out, size, "[%s]:%d", addr, spec->port);
    else
        snprintf(out, size, "%s:%d", addr, spec->port);
}

static int set_flag(int fd, int level, int name)
{
    int one = 1;
    return setsockopt(fd, level, name, &one, sizeof one);
}

/* SO_REUSEPORT would let a second server (same user) share the port in
 * silence; a plain bind first tells that the address is really free. */
static int probe_free(const struct sockaddr *sa, socklen_t len)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (sa->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int rc = bind(fd, sa, len);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* One socket bound to one resolved address. v6 sockets are V6ONLY so that
 * "0.0.0.0" and "::" can both be listened on, as two explicit sockets. */
static int open_one(const struct sockaddr *sa, socklen_t len, bool first)
{
    if (first && probe_free(sa, len) < 0)
        return -1;
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    IPPROTO_TCP);
    if (fd < 0)
        return -1;
    if (set_flag(fd, SOL_SOCKET, SO_REUSEADDR) < 0 ||
        set_flag(fd, SOL_SOCKET, SO_REUSEPORT) < 0 ||
        (sa->sa_family == AF_INET6 &&
         set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY) < 0) ||
        bind(fd, sa, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* Responses are written whole and then the socket is closed: Nagle
     * would only delay the last segment. */
    set_flag(fd, IPPROTO_TCP, TCP_NODELAY);
    return fd;
}

static void append(struct listener **out, size_t *n, int fd, enum proto p)
{
    *out = xrealloc(*out, (*n + 1) * sizeof **out);
    (*out)[(*n)++] = (struct listener){.src.kind = EV_LISTENER, .fd = fd,
                                       .proto = p};
}

static int open_any(const struct cfg_listen *spec, enum proto proto,
                    bool first, struct listener **out, size_t *n)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)spec->port),
                             .sin_addr.s_addr = htonl(INADDR_ANY)};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6,
                              .sin6_port = htons((uint16_t)spec->port),
                              .sin6_addr = in6addr_any};
    int fd4 = open_one((struct sockaddr *)&v4, sizeof v4, first);
    if (fd4 < 0)
        return -1;
    append(out, n, fd4, proto);
    /* A host without IPv6 still serves IPv4. */
    int fd6 = open_one((struct sockaddr *)&v6, sizeof v6, first);
    if (fd6 >= 0)
        append(out, n, fd6, proto);
    else if (errno != EAFNOSUPPORT && errno != EADDRNOTAVAIL)
        return -1;
    return 0;
}

static int open_named(const struct cfg_listen *spec, enum proto proto,
                      bool first, struct listener **out, size_t *n)
{
    char port[16];
    snprintf(port, sizeof port, "%d", spec->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(spec->addr, port, &hints, &res);
    if (rc != 0) {
        errno = EADDRNOTAVAIL;
        return -1;
    }
    int opened = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = open_one(ai->ai_addr, ai->ai_addrlen, first);
        if (fd < 0) {
            int saved = errno;
            freeaddrinfo(res);
            errno = saved;
            return -1;
        }
        append(out, n, fd, proto);
        opened++;
    }
    freeaddrinfo(res);
    return opened ? 0 : -1;
}

int listen_open(const struct cfg_listen *spec, enum proto proto, bool first,
                struct listener **out, size_t *n)
{
    if (spec->port <= 0 || spec->port > 65535) {
        errno = EINVAL;
        return -1;
    }
    if (is_any_address(spec->addr))
        return open_any(spec, proto, first, out, n);
    return open_named(spec, proto, first, out, n);
}

const char *proto_name(enum proto p)
{
    switch (p) {
    case PROTO_GEMINI:
        return "gemini";
    case PROTO_GOPHER:
        return "gopher";
    case PROTO_FINGER:
        return "finger";
    case PROTO_SPARTAN:
        return "spartan";
    }
    return "?";
}
