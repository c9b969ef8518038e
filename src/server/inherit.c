/* Listening sockets this process did not bind: passed by systemd (socket
 * activation) or taken over from the instance it replaces. They are checked
 * to be listening TCP sockets, and every worker gets a duplicate of each:
 * systemd passes one socket per address rather than one per worker, and
 * each worker closes its own descriptors when it stops. */
#include "server.h"

#include "capsuled/buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int inherit_check(int fd)
{
    int listening = 0, type = 0;
    socklen_t len = sizeof listening, tlen = sizeof type;
    struct sockaddr_storage ss;
    socklen_t slen = sizeof ss;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &slen) < 0)
        return -1;
    if (!listening || type != SOCK_STREAM ||
        (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
        errno = ENOTSOCK;
        return -1;
    }
    /* As listen.c sets on its own sockets: accepted ones inherit it. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

int inherit_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

void inherit_describe(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[64] = "?";
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
        ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
                  sizeof host);
    else if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
                  sizeof host);
    snprintf(out, size, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host,
             inherit_port(fd));
}

int inherit_dup(const struct inherited *socks, size_t n,
                struct listener **out, size_t *n_out)
{
    for (size_t i = 0; i < n; i++) {
        int fd = fcntl(socks[i].fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            return -1;
        *out = xrealloc(*out, (*n_out + 1) * sizeof **out);
        (*out)[(*n_out)++] = (struct listener){
            .src.kind = EV_LISTENER, .fd = fd, .proto = socks[i].proto};
    }
    return 0;
}

void inherit_close(struct inherited *socks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        close(socks[i].fd);
    free(socks);
}
