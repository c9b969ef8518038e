/* The event loop: N workers, each with its own epoll, its own SO_REUSEPORT
 * listeners and its own connections, so nothing mutable is shared on the
 * hot path except the connection counter and the snapshot's reference
 * count. A connection is a small state machine:
 *
 *   HANDSHAKE (TLS only) → READ (until the line end) → WRITE (the response)
 *   → SHUTDOWN (close_notify) → LINGER (drain until the peer closes) → close
 *
 * Every state has a deadline kept in a per-worker list sorted by time, so the
 * epoll timeout is the head's deadline and expiry is a walk from the head.
 * server.deadline bounds the handshake plus the request; while the response
 * is written it bounds only the time the peer takes no byte of it. */
#include "server.h"

#include "capsuled/buf.h"

#include <openssl/err.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum {
    REQ_CAP = 1026,           /* 1024 bytes of URL or selector plus CRLF */
    LINGER_MS = 1000,         /* draining the peer after our last byte */
    LINGER_MAX_BYTES = 65536, /* ...but not forever */
    WRITE_CHUNK = 65536,
    ACK_DELAY_MS = 200,       /* the longest a peer may delay its ACK */
    ACCEPT_BATCH = 64,
    EXPIRE_BATCH = 64, /* closes per turn of the loop */
    MAX_EVENTS = 64,
};

/* EPOLLRDHUP: a peer that closes mid-hello must not look like one still
 * sending (see hello.c). */
static const uint32_t READ_EVENTS = EPOLLIN | EPOLLRDHUP;
static const uint64_t TAG_WAKE = ~0ull;
static const uint64_t TAG_LISTENER = 1ull << 63;

enum conn_state { C_HELLO, C_HANDSHAKE, C_READ, C_WRITE, C_SHUTDOWN, C_LINGER };

/* What a step of the state machine needs next. */
enum step { STEP_NEXT, STEP_WAIT_READ, STEP_WAIT_WRITE, STEP_CLOSE };

struct conn {
    struct conn *prev, *next; /* the worker's deadline list */
    long long deadline_ms;
    long long start_us;
    int fd;
    uint32_t events; /* current epoll interest */
    enum proto proto;
    enum conn_state state;
    bool responded, logged;
    bool peer_done;       /* epoll saw the peer's FIN, hangup or error */
    bool low_water;       /* SO_RCVLOWAT raised while awaiting the hello */
    bool client_counted;  /* holds a slot of client in srv->peers */
    struct peer_key client;
    SSL *ssl;             /* created once the ClientHello is in */
    struct tls_set *tls;  /* kept while ssl lives (its SNI callback) */
    char *req;            /* allocated when the request begins */
    size_t req_len;
    size_t overflow;      /* bytes drained while lingering */
    struct capsule *snap; /* held until the response is written */
    struct response resp;
    size_t sent;
    uint64_t taken_seen;  /* bytes_taken() at the last look */
    long long idle_from_ms; /* the peer took nothing since about then */
    struct sockaddr_storage peer;
};

struct worker {
    struct server *srv;
    pthread_t thread;
    int epfd;
    int reserve_fd; /* closed to make room when accept hits EMFILE */
    struct listener *ls;
    size_t n_ls;
    unsigned gen;
    struct capsule *snap;
    struct tls_set *tls;
    struct conn *head, *tail;
    size_t n_conns;
    bool stopping;
    bool started;
    long long stop_at_ms;
    long long accept_paused_until_ms; /* 0 = accepting */
};

/* ---- time -------------------------------------------------------------- */

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long now_ms(void)
{
    return now_us() / 1000;
}

/* ---- the deadline list --------------------------------------------------- */

static void timer_unlink(struct worker *w, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (w->head == c)
        w->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else if (w->tail == c)
        w->tail = c->prev;
    c->prev = c->next = NULL;
}

/* Deadlines are nearly always the latest yet, so inserting from the tail
 * is O(1) in practice; a reload that shortens the deadline costs a walk. */
static void timer_set(struct worker *w, struct conn *c, long long deadline)
{
    timer_unlink(w, c);
    c->deadline_ms = deadline;
    struct conn *after = w->tail;
    while (after && after->deadline_ms > deadline)
        after = after->prev;
    c->prev = after;
    c->next = after ? after->next : w->head;
    if (c->next)
        c->next->prev = c;
    else
        w->tail = c;
    if (after)
        after->next = c;
    else
        w->head = c;
}

/* ---- snapshot and TLS set, refreshed when the reload thread swapped ------ */

static void worker_refresh(struct worker *w)
{
    struct server *srv = w->srv;
    if (atomic_load_explicit(&srv->gen, memory_order_acquire) == w->gen)
        return;
    pthread_mutex_lock(&srv->lock);
    struct capsule *c = capsule_ref(srv->current);
    struct tls_set *t = tls_set_ref(srv->tls);
    w->gen = atomic_load_explicit(&srv->gen, memory_order_relaxed);
    pthread_mutex_unlock(&srv->lock);
    capsule_unref(w->snap);
    tls_set_unref(w->tls);
    w->snap = c;
    w->tls = t;
}

static int deadline_ms_of(const struct worker *w)
{
    int ms = w->snap->cfg.server.deadline_ms;
    return ms > 0 ? ms : 10000;
}

/* ---- opening and closing ------------------------------------------------- */

static void conn_want(struct worker *w, struct conn *c, uint32_t events)
{
    if (c->events == events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = events;
}

static void log_request(struct conn *c)
{
    if (!c->responded || c->logged)
        return;
    c->logged = true;
    log_access((const struct sockaddr *)&c->peer, c->proto, c->resp.target,
               c->resp.status, c->sent, now_us() - c->start_us);
}

static void release_response(struct conn *c)
{
    response_free(&c->resp);
    memset(&c->resp, 0, sizeof c->resp);
    capsule_unref(c->snap);
    c->snap = NULL;
}

static void release_tls(struct conn *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    tls_set_unref(c->tls);
    c->tls = NULL;
}

/* A closing connection whose handshake finished still gets its
 * close_notify, best effort (the socket may be full or gone). */
static void send_close_notify(struct conn *c)
{
    if (c->ssl && SSL_is_init_finished(c->ssl)) {
        ERR_clear_error();
        SSL_shutdown(c->ssl);
        ERR_clear_error();
    }
}

/* Gives back what admit() counted. Every close goes through here (or,
 * before the connection exists, through accept_one's failure path). */
static void release_slots(struct server *srv, const struct conn *c)
{
    if (c->client_counted)
        peer_release(srv->peers, &c->client);
    atomic_fetch_sub_explicit(&srv->connections, 1, memory_order_relaxed);
}

static void conn_close(struct worker *w, struct conn *c)
{
    log_request(c);
    release_response(c);
    release_tls(c);
    free(c->req);
    timer_unlink(w, c);
    close(c->fd); /* also removes it from the epoll set */
    release_slots(w->srv, c);
    free(c);
    w->n_conns--;
}

/* A TLS failure (not a would-block) means no close_notify may be sent. */
static enum step ssl_step(struct conn *c, int rc)
{
    int err = SSL_get_error(c->ssl, rc);
    if (err == SSL_ERROR_WANT_READ)
        return STEP_WAIT_READ;
    if (err == SSL_ERROR_WANT_WRITE)
        return STEP_WAIT_WRITE;
    if (err != SSL_ERROR_ZERO_RETURN)
        SSL_set_quiet_shutdown(c->ssl, 1);
    ERR_clear_error();
    return STEP_CLOSE;
}

/* ---- the states ---------------------------------------------------------- */

static enum step do_hello(struct conn *c)
{
    switch (hello_await(c->fd, c->peer_done, &c->low_water)) {
    case HELLO_READY:
        c->state = C_HANDSHAKE;
        return STEP_NEXT;
    case HELLO_WAIT:
        return STEP_WAIT_READ;
    case HELLO_PLAIN: /* no answer is possible: FIN, then drain */
        c->state = C_SHUTDOWN;
        return STEP_NEXT;
    case HELLO_GONE:
        break;
    }
    return STEP_CLOSE;
}

static enum step do_handshake(struct worker *w, struct conn *c)
{
    if (!c->ssl) {
        c->tls = tls_set_ref(w->tls);
        c->ssl = tls_new_conn(c->tls, c->fd);
        if (!c->ssl)
            return STEP_CLOSE;
    }
    ERR_clear_error();
    int rc = SSL_accept(c->ssl);
    if (rc == 1) {
        c->state = C_READ;
        return STEP_NEXT;
    }
    return ssl_step(c, rc);
}

static const char *find_crlf(const char *p, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (p[i] == '\n' && p[i - 1] == '\r')
            return p + i - 1;
    return NULL;
}

static void respond(struct worker *w, struct conn *c, size_t line_len)
{
    worker_refresh(w);
    c->snap = capsule_ref(w->snap);
    if (c->proto == PROTO_GEMINI) {
        const char *sni =
            SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
        gemini_respond(c->snap, sni, c->req, line_len, &c->resp);
    } else {
        gopher_respond(c->snap, c->req, line_len, &c->resp);
    }
    if (!c->resp.data && c->resp.owned.data) {
        c->resp.data = c->resp.owned.data;
        c->resp.len = c->resp.owned.len;
    }
    c->responded = true;
    free(c->req);
    c->req = NULL;
    c->state = C_WRITE;
    c->sent = 0;
    /* From here the timer is the write-idle one (see write_moving): a
     * client that never reads is freed after one more deadline. */
    c->idle_from_ms = now_ms();
    timer_set(w, c, c->idle_from_ms + deadline_ms_of(w));
}

/* Gemini: the request ends at CRLF only; a full buffer without one is an
 * over-long request, answered 59 by gemini_respond (len > 1024). */
static enum step read_gemini(struct worker *w, struct conn *c)
{
    while (c->req_len < REQ_CAP) {
        ERR_clear_error();
        int n = SSL_read(c->ssl, c->req + c->req_len,
                         (int)(REQ_CAP - c->req_len));
        if (n <= 0)
            return ssl_step(c, n);
        size_t from = c->req_len ? c->req_len - 1 : 0;
        c->req_len += (size_t)n;
        const char *end = find_crlf(c->req + from, c->req_len - from);
        if (end) {
            respond(w, c, (size_t)(end - c->req));
            return STEP_NEXT;
        }
    }
    respond(w, c, c->req_len);
    return STEP_NEXT;
}

static size_t gopher_line_len(const char *p, const char *lf)
{
    size_t len = (size_t)(lf - p);
    return len && p[len - 1] == '\r' ? len - 1 : len;
}

/* Gopher: CRLF or LF ends the line. A buffer full without a line end
 * holds more than GOPHER_REQUEST_MAX bytes: handed over whole, it is
 * answered at once with gopher_respond's "Request too long" error (never
 * as the selector it starts with), and the rest of it is drained by the
 * linger. */
static enum step read_gopher(struct worker *w, struct conn *c)
{
    while (c->req_len < REQ_CAP) {
        char *dst = c->req + c->req_len;
        ssize_t n = recv(c->fd, dst, REQ_CAP - c->req_len, 0);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? STEP_WAIT_READ
                                                     : STEP_CLOSE;
        if (n == 0) {
            /* A client that half-closes after its selector still gets an
             * answer; one that sent nothing does not. */
            if (c->req_len == 0)
                return STEP_CLOSE;
            respond(w, c, c->req_len);
            return STEP_NEXT;
        }
        c->req_len += (size_t)n;
        const char *lf = memchr(dst, '\n', (size_t)n);
        if (lf) {
            respond(w, c, gopher_line_len(c->req, lf));
            return STEP_NEXT;
        }
    }
    respond(w, c, c->req_len);
    return STEP_NEXT;
}

static enum step do_read(struct worker *w, struct conn *c)
{
    if (!c->req)
        c->req = xmalloc(REQ_CAP);
    return c->proto == PROTO_GEMINI ? read_gemini(w, c) : read_gopher(w, c);
}

/* Bytes the peer has taken from c's socket: what was handed to the kernel
 * (over TLS, what the socket BIO wrote, parts of records included) less
 * what still waits in the send queue, unsent or unacknowledged. */
static uint64_t bytes_taken(const struct conn *c)
{
    uint64_t out = c->ssl ? BIO_number_written(SSL_get_wbio(c->ssl))
                          : c->sent;
    int queued = 0;
    if (ioctl(c->fd, SIOCOUTQ, &queued) < 0 || queued < 0 ||
        (uint64_t)queued > out)
        queued = 0;
    return out - (uint64_t)queued;
}

/* The deadline covers the handshake and the request; a response is cut
 * only when the peer took nothing for a whole deadline, however long a
 * slow but steady reader needs. Progress is looked at only when a write
 * blocks and when the timer runs out, never per chunk. True (and the
 * count updated) when the peer took bytes since the last look. */
static bool peer_took_more(struct conn *c)
{
    uint64_t taken = bytes_taken(c);
    if (taken == c->taken_seen)
        return false;
    c->taken_seen = taken;
    return true;
}

/* When the peer last took bytes, seen from a timer that ran out: no later
 * than the acknowledgement of the last data the kernel sent, one round
 * trip (and a delayed ACK) after it. A peer that stopped reading is then
 * closed about a deadline after it stopped, not when the bytes in flight
 * at that moment were first noticed. */
static long long last_taken_ms(const struct conn *c, long long now)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return now;
    long long at = now - (long long)ti.tcpi_last_data_sent +
                   ti.tcpi_rtt / 1000 + ACK_DELAY_MS;
    return at < now ? at : now;
}

/* A write that blocks after the peer took bytes: it is taking them now. */
static enum step write_blocked(struct worker *w, struct conn *c, enum step s)
{
    if (s != STEP_CLOSE && peer_took_more(c)) {
        c->idle_from_ms = now_ms();
        timer_set(w, c, c->idle_from_ms + deadline_ms_of(w));
    }
    return s;
}

/* The write timer ran out: whether c is still moving (then re-armed for a
 * deadline after its last progress). The peer may have taken bytes since
 * the last look without epoll reporting room: it waits until a third of the
 * send buffer is free, which a slow reader may take longer than a deadline
 * to make. */
static bool write_moving(struct worker *w, struct conn *c, long long now)
{
    if (peer_took_more(c)) {
        long long at = last_taken_ms(c, now);
        if (at > c->idle_from_ms)
            c->idle_from_ms = at;
    }
    long long end = c->idle_from_ms + deadline_ms_of(w);
    if (end <= now)
        return false;
    timer_set(w, c, end);
    return true;
}

static enum step do_write(struct worker *w, struct conn *c)
{
    while (c->sent < c->resp.len) {
        size_t left = c->resp.len - c->sent;
        size_t chunk = left < WRITE_CHUNK ? left : WRITE_CHUNK;
        const char *p = c->resp.data + c->sent;
        if (c->ssl) {
            ERR_clear_error();
            int n = SSL_write(c->ssl, p, (int)chunk);
            if (n <= 0)
                return write_blocked(w, c, ssl_step(c, n));
            c->sent += (size_t)n;
        } else {
            ssize_t n = send(c->fd, p, chunk, MSG_NOSIGNAL);
            if (n < 0)
                return errno == EAGAIN || errno == EINTR
                           ? write_blocked(w, c, STEP_WAIT_WRITE)
                           : STEP_CLOSE;
            c->sent += (size_t)n;
        }
    }
    log_request(c);
    release_response(c);
    c->state = C_SHUTDOWN;
    return STEP_NEXT;
}

static enum step do_shutdown(struct worker *w, struct conn *c)
{
    if (c->ssl) {
        ERR_clear_error();
        int rc = SSL_shutdown(c->ssl);
        if (rc < 0 && SSL_get_error(c->ssl, rc) == SSL_ERROR_WANT_WRITE)
            return STEP_WAIT_WRITE;
        ERR_clear_error();
        release_tls(c);
    }
    /* Our FIN tells the client the response is complete; waiting for its
     * own close keeps unread request bytes from turning our close into a
     * reset that could destroy the response in flight. */
    shutdown(c->fd, SHUT_WR);
    c->state = C_LINGER;
    timer_set(w, c, now_ms() + LINGER_MS);
    return STEP_NEXT;
}

static enum step do_linger(struct conn *c)
{
    char scratch[4096];
    for (;;) {
        ssize_t n = recv(c->fd, scratch, sizeof scratch, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return STEP_WAIT_READ;
        if (n <= 0)
            return STEP_CLOSE;
        c->overflow += (size_t)n;
        if (c->overflow > LINGER_MAX_BYTES)
            return STEP_CLOSE;
    }
}

static enum step conn_run_state(struct worker *w, struct conn *c)
{
    switch (c->state) {
    case C_HELLO:
        return do_hello(c);
    case C_HANDSHAKE:
        return do_handshake(w, c);
    case C_READ:
        return do_read(w, c);
    case C_WRITE:
        return do_write(w, c);
    case C_SHUTDOWN:
        return do_shutdown(w, c);
    case C_LINGER:
        return do_linger(c);
    }
    return STEP_CLOSE;
}

static void conn_step(struct worker *w, struct conn *c)
{
    for (;;) {
        enum step s = conn_run_state(w, c);
        if (s == STEP_NEXT)
            continue;
        if (s == STEP_CLOSE) {
            if (c->state != C_LINGER)
                send_close_notify(c);
            conn_close(w, c);
        } else {
            conn_want(w, c, s == STEP_WAIT_READ ? READ_EVENTS : EPOLLOUT);
        }
        return;
    }
}

/* ---- accepting ------------------------------------------------------------ */

static bool over_cap(struct worker *w)
{
    int max = w->snap->cfg.server.max_connections;
    if (w->srv->fd_cap > 0 && (max <= 0 || w->srv->fd_cap < max))
        max = w->srv->fd_cap;
    int before = atomic_fetch_add_explicit(&w->srv->connections, 1,
                                           memory_order_relaxed);
    if (max > 0 && before >= max) {
        atomic_fetch_sub_explicit(&w->srv->connections, 1,
                                  memory_order_relaxed);
        return true;
    }
    return false;
}

/* One client may hold max_per_client connections, so that a single
 * address cannot take every slot of the total cap. The count is keyed by
 * the socket's peer. Behind a PROXY-protocol listener the peer is the
 * proxy: the slot would be taken only once the header is read, keyed by the
 * address it names, and a client over its cap closed then. */
static bool over_client_cap(struct worker *w, struct conn *c)
{
    int max = w->snap->cfg.server.max_per_client;
    if (max <= 0 ||
        !peer_key_of((const struct sockaddr *)&c->peer, &c->client))
        return false;
    c->client_counted = peer_take(w->srv->peers, &c->client, max);
    return !c->client_counted;
}

/* Counts c in the total and in its client's slots; false (nothing counted)
 * when either cap is reached. */
static bool admit(struct worker *w, struct conn *c)
{
    if (over_cap(w))
        return false;
    if (over_client_cap(w, c)) {
        atomic_fetch_sub_explicit(&w->srv->connections, 1,
                                  memory_order_relaxed);
        return false;
    }
    return true;
}

/* Over a cap, the connection is accepted and closed at once: the client
 * sees an orderly close, and the listener's queue is drained rather than
 * left reporting the same connection. */
static void accept_one(struct worker *w, int fd, enum proto proto,
                       const struct sockaddr_storage *peer)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->peer = *peer;
    if (!admit(w, c)) {
        close(fd);
        free(c);
        return;
    }
    c->fd = fd;
    c->proto = proto;
    c->state = proto == PROTO_GEMINI ? C_HELLO : C_READ;
    c->start_us = now_us();
    c->events = READ_EVENTS;
    struct epoll_event ev = {.events = READ_EVENTS, .data.ptr = c};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        release_slots(w->srv, c);
        free(c);
        return;
    }
    w->n_conns++;
    timer_set(w, c, c->start_us / 1000 + deadline_ms_of(w));
    /* A gopher client usually sent its selector with the handshake's last
     * ACK: reading now saves a trip through epoll. (TLS waits for epoll and
     * then for a whole ClientHello, so a silent or trickling client never
     * costs an SSL object.) */
    if (proto == PROTO_GOPHER)
        conn_step(w, c);
}

/* How long a worker stops accepting when it cannot even shed: long enough
 * not to spin on a listener that stays readable, short enough that nobody
 * notices once a descriptor is free again. */
#define ACCEPT_PAUSE_MS 10

static void set_listeners_interest(struct worker *w, uint32_t events)
{
    for (size_t i = 0; i < w->n_ls; i++) {
        struct epoll_event ev = {.events = events,
                                 .data.u64 = TAG_LISTENER | i};
        if (w->ls[i].fd >= 0)
            epoll_ctl(w->epfd, EPOLL_CTL_MOD, w->ls[i].fd, &ev);
    }
}

static void pause_accepting(struct worker *w)
{
    w->accept_paused_until_ms = now_ms() + ACCEPT_PAUSE_MS;
    set_listeners_interest(w, 0);
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
    set_listeners_interest(w, EPOLLIN);
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

static void accept_ready(struct worker *w, size_t li)
{
    worker_refresh(w);
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(w->ls[li].fd, (struct sockaddr *)&peer, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                shed_one(w, w->ls[li].fd);
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return;
        }
        accept_one(w, fd, w->ls[li].proto, &peer);
    }
}

/* ---- the worker ------------------------------------------------------------ */

static void close_listeners(struct worker *w)
{
    for (size_t i = 0; i < w->n_ls; i++)
        if (w->ls[i].fd >= 0) {
            close(w->ls[i].fd);
            w->ls[i].fd = -1;
        }
}

static void begin_stop(struct worker *w, int grace_ms)
{
    w->stopping = true;
    w->stop_at_ms = now_ms() + grace_ms;
    close_listeners(w);
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->srv->wake_fd, NULL);
}

/* Connections opened together expire together: a slowloris wave can put
 * thousands at the head at once. Closing them in batches, with the ready
 * events of other clients served in between (the next epoll_wait has a zero
 * timeout while the head is due), keeps their latency flat. */
static void expire(struct worker *w, long long now)
{
    for (int n = 0; n < EXPIRE_BATCH && w->head &&
                    (w->head->deadline_ms <= now ||
                     (w->stopping && w->stop_at_ms <= now));
         n++) {
        struct conn *c = w->head;
        bool grace_over = w->stopping && w->stop_at_ms <= now;
        bool writing = c->state == C_WRITE ||
                       (c->state == C_SHUTDOWN && c->ssl); /* close_notify */
        if (writing && !grace_over && write_moving(w, c, now))
            continue; /* still reading, if slowly: moved down the list */
        if (c->state != C_LINGER)
            send_close_notify(c);
        conn_close(w, c);
    }
}

static int next_timeout(const struct worker *w, long long now)
{
    long long at = w->head ? w->head->deadline_ms : -1;
    if (w->stopping && (at < 0 || w->stop_at_ms < at))
        at = w->stop_at_ms;
    if (w->accept_paused_until_ms && (at < 0 || w->accept_paused_until_ms < at))
        at = w->accept_paused_until_ms;
    if (at < 0)
        return -1;
    return at <= now ? 0 : (int)(at - now);
}

static void dispatch(struct worker *w, const struct epoll_event *ev)
{
    uint64_t tag = ev->data.u64;
    if (tag == TAG_WAKE) {
        if (!w->stopping)
            begin_stop(w, w->srv->grace_ms);
    } else if (tag & TAG_LISTENER) {
        if (!w->stopping)
            accept_ready(w, (size_t)(tag & ~TAG_LISTENER));
    } else {
        struct conn *c = ev->data.ptr;
        if (ev->events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            c->peer_done = true;
        conn_step(w, c);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event evs[MAX_EVENTS];
    while (!(w->stopping && w->n_conns == 0)) {
        int n = epoll_wait(w->epfd, evs, MAX_EVENTS,
                           next_timeout(w, now_ms()));
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; i++)
            dispatch(w, &evs[i]);
        long long now = now_ms();
        expire(w, now);
        resume_accepting_when_due(w, now);
    }
    while (w->head)
        conn_close(w, w->head);
    return NULL;
}

/* ---- the server ------------------------------------------------------------ */

int server_init(struct server *srv, size_t n_workers, struct capsule *first,
                struct tls_set *tls)
{
    pthread_mutex_init(&srv->lock, NULL);
    srv->current = first;
    srv->tls = tls;
    atomic_init(&srv->gen, 1);
    atomic_init(&srv->connections, 0);
    srv->peers = peer_table_new();
    atomic_init(&srv->stopping, false);
    srv->grace_ms = 2000;
    srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    srv->n_workers = n_workers;
    srv->workers = xcalloc(n_workers, sizeof *srv->workers);
    for (size_t i = 0; i < n_workers; i++)
        srv->workers[i].epfd = srv->workers[i].reserve_fd = -1;
    for (size_t i = 0; i < n_workers; i++) {
        struct worker *w = &srv->workers[i];
        w->srv = srv;
        if (srv->wake_fd < 0)
            return -1;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_WAKE};
        if (w->epfd < 0 ||
            epoll_ctl(w->epfd, EPOLL_CTL_ADD, srv->wake_fd, &ev) < 0)
            return -1;
    }
    return 0;
}

int worker_add_listeners(struct server *srv, size_t i, struct listener *ls,
                         size_t n)
{
    struct worker *w = &srv->workers[i];
    w->ls = ls;
    w->n_ls = n;
    for (size_t j = 0; j < n; j++) {
        struct epoll_event ev = {.events = EPOLLIN,
                                 .data.u64 = TAG_LISTENER | j};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ls[j].fd, &ev) < 0)
            return -1;
    }
    return 0;
}

/* Descriptors kept free beyond the connections: the reserves, a reload's
 * file reads, the log reopened, the accept that refuses one over the cap. */
#define SPARE_FDS 8

/* /proc lists them at once; without it (a chroot) probe each number. */
static int count_open_fds(int limit)
{
    int open_fds = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (dir) {
        while (readdir(dir))
            open_fds++;
        closedir(dir);
        return open_fds - 3; /* ".", ".." and the directory's own */
    }
    for (int fd = 0; fd < limit; fd++)
        open_fds += fcntl(fd, F_GETFD) != -1;
    return open_fds;
}

/* A cap below the descriptor limit, so that a connection over it is still
 * accepted and closed at once (clean refusal) rather than left in the
 * queue by an accept failing with EMFILE. */
static int descriptor_cap(size_t n_workers)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > INT_MAX)
        return 0;
    int limit = (int)rl.rlim_cur;
    int room = limit - count_open_fds(limit < 1 << 20 ? limit : 1 << 20) -
               SPARE_FDS - (int)n_workers;
    return room > 1 ? room : 1;
}

int server_start(struct server *srv)
{
    srv->fd_cap = descriptor_cap(srv->n_workers);
    for (size_t i = 0; i < srv->n_workers; i++) {
        struct worker *w = &srv->workers[i];
        worker_refresh(w);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            return -1;
        w->started = true;
    }
    return 0;
}

void server_swap(struct server *srv, struct capsule *c, struct tls_set *tls)
{
    pthread_mutex_lock(&srv->lock);
    struct capsule *old_c = NULL;
    struct tls_set *old_t = NULL;
    if (c) {
        old_c = srv->current;
        srv->current = c;
    }
    if (tls) {
        old_t = srv->tls;
        srv->tls = tls;
    }
    atomic_fetch_add_explicit(&srv->gen, 1, memory_order_release);
    pthread_mutex_unlock(&srv->lock);
    capsule_unref(old_c);
    tls_set_unref(old_t);
}

struct capsule *server_current(struct server *srv)
{
    pthread_mutex_lock(&srv->lock);
    struct capsule *c = capsule_ref(srv->current);
    pthread_mutex_unlock(&srv->lock);
    return c;
}

static void free_worker(struct worker *w)
{
    close_listeners(w);
    free(w->ls);
    capsule_unref(w->snap);
    tls_set_unref(w->tls);
    if (w->epfd >= 0)
        close(w->epfd);
    if (w->reserve_fd >= 0)
        close(w->reserve_fd);
}

void server_stop(struct server *srv)
{
    atomic_store(&srv->stopping, true);
    uint64_t one = 1;
    ssize_t rc = write(srv->wake_fd, &one, sizeof one);
    (void)rc;
    for (size_t i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].started)
            pthread_join(srv->workers[i].thread, NULL);
    for (size_t i = 0; i < srv->n_workers; i++)
        free_worker(&srv->workers[i]);
    free(srv->workers);
    capsule_unref(srv->current);
    tls_set_unref(srv->tls);
    peer_table_free(srv->peers);
    if (srv->wake_fd >= 0)
        close(srv->wake_fd);
    pthread_mutex_destroy(&srv->lock);
}
