/* Readiness for a service manager, the sd_notify(3) protocol done directly:
 * datagrams of KEY=VALUE lines to the AF_UNIX socket NOTIFY_SOCKET names (a
 * path, or an abstract name written with a leading '@'). The socket is
 * connected at start-up, before the privileges are dropped and Landlock is
 * entered, so that later messages need neither. Without NOTIFY_SOCKET every
 * call does nothing. */
#include "server.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

static int notify_fd = -1;

static int notify_address(const char *name, struct sockaddr_un *sa,
                          socklen_t *len)
{
    size_t n = strlen(name);
    if ((name[0] != '/' && name[0] != '@') || n >= sizeof sa->sun_path) {
        errno = EINVAL;
        return -1;
    }
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    memcpy(sa->sun_path, name, n);
    if (name[0] == '@')
        sa->sun_path[0] = '\0'; /* abstract: no trailing NUL counted */
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
                       (name[0] == '/'));
    return 0;
}

void notify_open(void)
{
    const char *name = getenv("NOTIFY_SOCKET");
    if (!name || !*name)
        return;
    struct sockaddr_un sa;
    socklen_t len;
    int fd = -1;
    if (notify_address(name, &sa, &len) < 0 ||
        (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&sa, len) < 0) {
        log_msg("NOTIFY_SOCKET %s: %s; no readiness messages", name,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    notify_fd = fd;
    unsetenv("NOTIFY_SOCKET");
}

void notify(const char *fmt, ...)
{
    if (notify_fd < 0)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof msg &&
        send(notify_fd, msg, (size_t)n, MSG_NOSIGNAL) < 0)
        log_msg("NOTIFY_SOCKET: %s", strerror(errno));
}

void notify_reloading(void)
{
    notify("RELOADING=1\nMONOTONIC_USEC=%lld", mono_us());
}

void notify_close(void)
{
    if (notify_fd >= 0)
        close(notify_fd);
    notify_fd = -1;
}
