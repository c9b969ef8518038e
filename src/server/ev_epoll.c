/* The event backend: epoll behind the few calls the workers make, in the
 * way redis keeps ae_epoll.c under ae.c. Everything registered starts with
 * a struct ev_source, so a ready event hands back that pointer and the
 * worker dispatches on its kind. */
#include "server.h"

#include <sys/epoll.h>

enum { WAIT_MAX = 64 };

/* EPOLLRDHUP: a peer that closes mid-hello must not look like one still
 * sending (see hello.c). */
static uint32_t epoll_events_of(enum ev_want want)
{
    switch (want) {
    case EV_READ:
        return EPOLLIN | EPOLLRDHUP;
    case EV_WRITE:
        return EPOLLOUT;
    case EV_NONE:
        break;
    }
    return 0;
}

int ev_open(void)
{
    return epoll_create1(EPOLL_CLOEXEC);
}

static int control(int set, int op, int fd, enum ev_want want,
                   struct ev_source *src)
{
    struct epoll_event ev = {.events = epoll_events_of(want), .data.ptr = src};
    return epoll_ctl(set, op, fd, &ev);
}

int ev_watch(int set, int fd, enum ev_want want, struct ev_source *src)
{
    return control(set, EPOLL_CTL_ADD, fd, want, src);
}

int ev_rewatch(int set, int fd, enum ev_want want, struct ev_source *src)
{
    return control(set, EPOLL_CTL_MOD, fd, want, src);
}

void ev_unwatch(int set, int fd)
{
    epoll_ctl(set, EPOLL_CTL_DEL, fd, NULL);
}

int ev_wait(int set, struct ev_ready *out, int max, int timeout_ms)
{
    struct epoll_event evs[WAIT_MAX];
    int n = epoll_wait(set, evs, max < WAIT_MAX ? max : WAIT_MAX, timeout_ms);
    for (int i = 0; i < n; i++) {
        out[i].src = evs[i].data.ptr;
        out[i].hangup = evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    }
    return n;
}
