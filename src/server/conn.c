/* A connection: a small state machine over one socket, stepped by its
 * worker whenever the socket is ready and timed by a deadline in the
 * worker's list.
 *
 *   [PROXY (behind a load balancer: its header, naming the client)]
 *   → HELLO (TLS only: the whole ClientHello in) → HANDSHAKE (TLS only)
 *   → READ (until the line end) → WRITE (the response)
 *   → SHUTDOWN (close_notify) → LINGER (drain until the peer closes) → close
 *
 * server.deadline bounds the handshake plus the request; while the response
 * is written it bounds only the time the peer takes no byte of it. */
#include "server.h"

#include "capsuled/buf.h"

#include <openssl/err.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum {
    REQ_CAP = 1026,           /* 1024 bytes of URL or selector plus CRLF */
    LINGER_MS = 1000,         /* draining the peer after our last byte */
    LINGER_MAX_BYTES = 65536, /* ...but not forever */
    WRITE_CHUNK = 65536,
    ACK_DELAY_MS = 200,       /* the longest a peer may delay its ACK */
};

enum conn_state { C_PROXY, C_HELLO, C_HANDSHAKE, C_READ, C_WRITE, C_SHUTDOWN, C_LINGER };

/* What a step of the state machine needs next. */
enum step { STEP_NEXT, STEP_WAIT_READ, STEP_WAIT_WRITE, STEP_CLOSE };

struct conn {
    struct ev_source src;     /* EV_CONN; first, see conn_ready */
    struct deadline deadline; /* in the worker's list */
    long long start_us;
    int fd;
    enum ev_want want; /* what the event set waits for */
    enum proto proto;
    enum conn_state state;
    bool responded, logged;
    bool peer_done;       /* the event set saw the peer's FIN, hangup or error */
    bool low_water;       /* SO_RCVLOWAT raised while awaiting the hello */
    struct slot slot;     /* what admit counted */
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

_Static_assert(offsetof(struct conn, src) == 0,
               "an event's pointer is the connection's");

static struct conn *conn_of_deadline(struct deadline *d)
{
    return (struct conn *)((char *)d - offsetof(struct conn, deadline));
}

static void set_deadline(struct worker *w, struct conn *c, long long at_ms)
{
    deadline_set(&w->deadlines, &c->deadline, at_ms);
}

static int deadline_ms_of(const struct worker *w)
{
    int ms = w->view.snap->cfg.server.deadline_ms;
    return ms > 0 ? ms : 10000;
}

/* ---- opening and closing ------------------------------------------------- */

static void conn_want(struct worker *w, struct conn *c, enum ev_want want)
{
    if (c->want == want)
        return;
    if (ev_rewatch(w->ev, c->fd, want, &c->src) == 0)
        c->want = want;
}

static void log_request(struct conn *c)
{
    if (!c->responded || c->logged)
        return;
    c->logged = true;
    log_access((const struct sockaddr *)&c->peer, c->proto, c->resp.target,
               c->resp.status, c->sent, mono_us() - c->start_us);
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

static void conn_close(struct worker *w, struct conn *c)
{
    log_request(c);
    release_response(c);
    release_tls(c);
    free(c->req);
    deadline_clear(&w->deadlines, &c->deadline);
    close(c->fd); /* also removes it from the event set */
    admit_release(w->srv, &c->slot); /* what admit counted */
    free(c);
    w->n_conns--;
}

/* A connection closed before its linger gets its close_notify first. */
static void conn_end(struct worker *w, struct conn *c)
{
    if (c->state != C_LINGER)
        send_close_notify(c);
    conn_close(w, c);
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

/* The PROXY header: the client it names becomes the connection's peer (for
 * the log, the per-client cap and the rate limit), counted now. */
static enum step do_proxy(struct worker *w, struct conn *c)
{
    switch (proxy_read(c->fd, c->peer_done, &c->peer)) {
    case PROXY_IN_WAIT:
        return STEP_WAIT_READ;
    case PROXY_IN_CLOSE:
        return STEP_CLOSE;
    case PROXY_IN_DONE:
        break;
    }
    if (!admit_client(w->srv, &w->view.snap->cfg.server, &c->peer, &c->slot))
        return STEP_CLOSE;
    c->state = c->proto == PROTO_GEMINI ? C_HELLO : C_READ;
    return STEP_NEXT;
}

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
        c->tls = tls_set_ref(w->view.tls);
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
    view_refresh(&w->view, w->srv);
    c->snap = capsule_ref(w->view.snap);
    if (throttle(w->srv, &c->snap->cfg.server, c->proto, &c->peer, c->req,
                 line_len, &c->resp)) {
        /* over server.rate_limit: the refusal is the response */
    } else if (c->proto == PROTO_GEMINI) {
        const char *sni =
            SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
        gemini_respond(c->snap, sni, c->req, line_len, &c->resp);
    } else if (c->proto == PROTO_FINGER) {
        finger_respond(c->snap, c->req, line_len, &c->resp);
    } else if (c->proto == PROTO_SPARTAN) {
        spartan_respond(c->snap, c->req, line_len, &c->resp); /* and data */
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
    c->idle_from_ms = mono_ms();
    set_deadline(w, c, c->idle_from_ms + deadline_ms_of(w));
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

/* Gopher and finger: CRLF or LF ends the line. A buffer full without a
 * line end holds more than GOPHER_REQUEST_MAX bytes: handed over whole, it
 * is answered at once with gopher_respond's "Request too long" error
 * (never as the selector it starts with), and the rest of it is drained by
 * the linger. Finger closes such a query (and one cut by the client's
 * close) unanswered, as RFC 1288 servers do with what is no query. */
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
            if (c->req_len == 0 || c->proto == PROTO_FINGER)
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
    if (c->proto == PROTO_FINGER)
        return STEP_CLOSE;
    respond(w, c, c->req_len);
    return STEP_NEXT;
}

/* Spartan: the request is whole when spartan_request_size says so (its
 * line, plus the data of an upload to search). One cut short by the
 * client's close, or by the deadline (conn_timed_out), is answered "4"
 * by spartan_respond all the same. */
static enum step read_spartan(struct worker *w, struct conn *c)
{
    for (;;) {
        size_t size = spartan_request_size(c->req, c->req_len);
        if (size || c->req_len == SPARTAN_BUFFER_MAX) {
            respond(w, c, size ? size : c->req_len);
            return STEP_NEXT;
        }
        ssize_t n = recv(c->fd, c->req + c->req_len,
                         SPARTAN_BUFFER_MAX - c->req_len, 0);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? STEP_WAIT_READ
                                                     : STEP_CLOSE;
        if (n == 0) {
            if (c->req_len == 0)
                return STEP_CLOSE;
            respond(w, c, c->req_len);
            return STEP_NEXT;
        }
        c->req_len += (size_t)n;
    }
}

static enum step do_read(struct worker *w, struct conn *c)
{
    if (!c->req)
        c->req = xmalloc(c->proto == PROTO_SPARTAN ? SPARTAN_BUFFER_MAX
                                                   : REQ_CAP);
    if (c->proto == PROTO_SPARTAN)
        return read_spartan(w, c);
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
        c->idle_from_ms = mono_ms();
        set_deadline(w, c, c->idle_from_ms + deadline_ms_of(w));
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
    set_deadline(w, c, end);
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
    set_deadline(w, c, mono_ms() + LINGER_MS);
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
    case C_PROXY:
        return do_proxy(w, c);
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
        if (s == STEP_CLOSE)
            conn_end(w, c);
        else
            conn_want(w, c, s == STEP_WAIT_READ ? EV_READ : EV_WRITE);
        return;
    }
}


/* ---- what the worker calls ---------------------------------------------- */

static struct conn *conn_new(int fd, enum proto proto, bool proxied,
                             const struct sockaddr_storage *peer,
                             const struct slot *slot)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->src.kind = EV_CONN;
    c->peer = *peer;
    c->slot = *slot;
    c->fd = fd;
    c->proto = proto;
    c->state = proxied ? C_PROXY : proto == PROTO_GEMINI ? C_HELLO : C_READ;
    c->start_us = mono_us();
    c->want = EV_READ;
    return c;
}

void conn_open(struct worker *w, int fd, enum proto proto, bool proxied,
               const struct sockaddr_storage *peer, const struct slot *slot)
{
    struct conn *c = conn_new(fd, proto, proxied, peer, slot);
    if (ev_watch(w->ev, fd, EV_READ, &c->src) < 0) {
        close(fd);
        admit_release(w->srv, &c->slot);
        free(c);
        return;
    }
    w->n_conns++;
    set_deadline(w, c, c->start_us / 1000 + deadline_ms_of(w));
    /* A gopher or finger client usually sent its selector with the handshake's last
     * ACK: reading now saves a trip through the event set. (TLS waits for
     * an event and then for a whole ClientHello, so a silent or trickling
     * client never costs an SSL object.) A proxy sends its header at once. */
    if (proto != PROTO_GEMINI || proxied)
        conn_step(w, c);
}

void conn_ready(struct worker *w, struct ev_source *src, bool hangup)
{
    struct conn *c = (struct conn *)src;
    if (hangup)
        c->peer_done = true;
    conn_step(w, c);
}

void conn_timed_out(struct worker *w, struct deadline *d, long long now,
                    bool grace_over)
{
    struct conn *c = conn_of_deadline(d);
    bool writing = c->state == C_WRITE ||
                   (c->state == C_SHUTDOWN && c->ssl); /* close_notify */
    if (writing && !grace_over && write_moving(w, c, now))
        return; /* still reading, if slowly: moved down the list */
    if (c->proto == PROTO_SPARTAN && c->state == C_READ && c->req_len &&
        !grace_over) {
        /* Spartan answers "4" to a request (or its data) that did not
         * arrive by the deadline; respond() re-arms the deadline. */
        respond(w, c, c->req_len);
        conn_step(w, c);
        return;
    }
    conn_end(w, c);
}

void conn_close_all(struct worker *w)
{
    while (w->deadlines.head)
        conn_close(w, conn_of_deadline(w->deadlines.head));
}
