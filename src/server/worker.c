/* The workers: N threads, each with its own event set, its own
 * SO_REUSEPORT listeners and its own connections, so nothing mutable is
 * shared on the hot path except the connection counts and the snapshot's
 * reference count. A worker waits for events until its nearest deadline,
 * dispatches each by the kind of what is ready (the wake eventfd, a
 * listener, a connection: conn.c), then expires the connections due. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

enum {
    ACCEPT_BATCH = 64,
    EXPIRE_BATCH = 64, /* closes per turn of the loop */
    MAX_EVENTS = 64,
    /* How long a worker stops accepting when it cannot even shed: long
     * enough not to spin on a listener that stays readable, short enough
     * that nobody notices once a descriptor is free again. */
    ACCEPT_PAUSE_MS = 10,
};

/* Every worker's source for the server's wake eventfd. */
static struct ev_source wake_source = {EV_WAKE};

/* ---- accepting ------------------------------------------------------------ */

static void set_listeners_interest(struct worker *w, enum ev_want want)
{
    for (size_t i = 0; i < w->n_ls; i++)
        if (w->ls[i].fd >= 0)
            ev_rewatch(w->ev, w->ls[i].fd, want, &w->ls[i].src);
}

static void pause_accepting(struct worker *w)
{
    w->accept_paused_until_ms = mono_ms() + ACCEPT_PAUSE_MS;
    set_listeners_interest(w, EV_NONE);
}

/* Also takes the reserve descriptor back as soon as one is free: without
 * it this worker's own accept queue (SO_REUSEPORT) could not be shed. */
static void resume_accepting_when_due(struct worker *w, long long now)
{
    if (w->reserve_fd < 0)
        w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (!w->accept_paused_until_ms || now < w->accept_paused_until_ms ||
        w->stopping)
        return;
    w->accept_paused_until_ms = 0;
    set_listeners_interest(w, EV_READ);
}

/* Out of descriptors: accept with the reserve one and close at once, so
 * the listener stops reporting the same pending connection forever. The
 * descriptor limit is per process, so another worker may take the freed
 * slot first; then this worker pauses accepting instead of spinning. */
static void shed_one(struct worker *w, int lfd)
{
    if (w->reserve_fd >= 0) {
        close(w->reserve_fd);
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0)
            close(fd);
        w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && w->reserve_fd >= 0)
            return;
    }
    pause_accepting(w);
}

/* Over a cap, the connection is accepted and closed at once: the client
 * sees an orderly close, and the listener's queue is drained rather than
 * left reporting the same connection. */
static void accept_one(struct worker *w, int fd, enum proto proto,
                       const struct sockaddr_storage *peer)
{
    const struct config *cfg = &w->view.snap->cfg;
    bool proxied = proxy_expected(cfg, proto); /* the client comes later */
    struct slot slot;
    if (!admit(w->srv, &cfg->server, proxied ? NULL : peer, &slot)) {
        close(fd);
        return;
    }
    conn_open(w, fd, proto, proxied, peer, &slot);
}

static void accept_ready(struct worker *w, const struct listener *l)
{
    view_refresh(&w->view, w->srv);
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                shed_one(w, l->fd);
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return;
        }
        accept_one(w, fd, l->proto, &peer);
    }
}

/* ---- the loop --------------------------------------------------------------- */

/* Unwatched first: a socket another process (a successor that took it
 * over) or another worker (a duplicate) still holds stays open, and would
 * stay in this event set, ready, after the close. */
static void close_listeners(struct worker *w)
{
    for (size_t i = 0; i < w->n_ls; i++)
        if (w->ls[i].fd >= 0) {
            if (w->ev >= 0)
                ev_unwatch(w->ev, w->ls[i].fd);
            close(w->ls[i].fd);
            w->ls[i].fd = -1;
        }
}

static void begin_stop(struct worker *w)
{
    w->stopping = true;
    w->stop_at_ms = mono_ms() + w->srv->grace_ms;
    close_listeners(w);
    ev_unwatch(w->ev, w->srv->wake_fd);
}

/* Connections opened together expire together: a slowloris wave can put
 * thousands at the head at once. Closing them in batches, with the ready
 * events of other clients served in between (the next wait has a zero
 * timeout while the head is due), keeps their latency flat. */
static void expire(struct worker *w, long long now)
{
    bool grace_over = w->stopping && w->stop_at_ms <= now;
    for (int n = 0; n < EXPIRE_BATCH && w->deadlines.head &&
                    (w->deadlines.head->at_ms <= now || grace_over);
         n++)
        conn_timed_out(w, w->deadlines.head, now, grace_over);
}

static int next_timeout(const struct worker *w, long long now)
{
    long long at = w->deadlines.head ? w->deadlines.head->at_ms : -1;
    if (w->stopping && (at < 0 || w->stop_at_ms < at))
        at = w->stop_at_ms;
    if (w->accept_paused_until_ms && (at < 0 || w->accept_paused_until_ms < at))
        at = w->accept_paused_until_ms;
    if (at < 0)
        return -1;
    return at <= now ? 0 : (int)(at - now);
}

static void dispatch(struct worker *w, const struct ev_ready *ev)
{
    switch (ev->src->kind) {
    case EV_WAKE:
        if (!w->stopping)
            begin_stop(w);
        break;
    case EV_LISTENER:
        if (!w->stopping)
            accept_ready(w, (const struct listener *)ev->src);
        break;
    case EV_CONN:
        conn_ready(w, ev->src, ev->hangup);
        break;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct ev_ready evs[MAX_EVENTS];
    while (!(w->stopping && w->n_conns == 0)) {
        int n = ev_wait(w->ev, evs, MAX_EVENTS, next_timeout(w, mono_ms()));
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; i++)
            dispatch(w, &evs[i]);
        long long now = mono_ms();
        expire(w, now);
        resume_accepting_when_due(w, now);
    }
    conn_close_all(w);
    return NULL;
}

/* ---- what the server calls ---------------------------------------------------- */

int worker_init(struct worker *w, struct server *srv)
{
    w->srv = srv;
    w->ev = ev_open();
    w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (w->ev < 0 || ev_watch(w->ev, srv->wake_fd, EV_READ, &wake_source) < 0)
        return -1;
    return 0;
}

int worker_listen(struct worker *w, struct listener *ls, size_t n)
{
    w->ls = ls;
    w->n_ls = n;
    for (size_t j = 0; j < n; j++)
        if (ev_watch(w->ev, ls[j].fd, EV_READ, &ls[j].src) < 0)
            return -1;
    return 0;
}

int worker_start(struct worker *w)
{
    view_refresh(&w->view, w->srv);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
        return -1;
    w->started = true;
    return 0;
}

void worker_free(struct worker *w)
{
    close_listeners(w);
    free(w->ls);
    view_release(&w->view);
    if (w->ev >= 0)
        close(w->ev);
    if (w->reserve_fd >= 0)
        close(w->reserve_fd);
}
