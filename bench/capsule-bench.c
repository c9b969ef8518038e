/* capsule-bench: a closed-loop load generator for connection-per-request
 * protocols (Gemini over TLS, Gopher, HTTP/1.0 without keep-alive).
 *
 * N clients, spread over a few threads that each drive many non-blocking
 * sockets through one epoll instance, each client doing one request per
 * connection back to back for D seconds. Reports requests/s, latency
 * percentiles, errors and the server's CPU time per request, read from
 * /proc before and after the run, so that servers measured in the same run
 * can be compared by ratio. It can also hold thousands of idle connections
 * open during the run, to show what they cost the server. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_GEMINI, MODE_GOPHER, MODE_HTTP };

struct options {
    enum mode mode;
    const char *host;
    int port;
    int clients;
    double duration;
    int threads;
    bool resume;
    const char *request;      /* URL, selector or path */
    const char *sni;
    long expect_bytes;        /* -1: any size */
    const char *expect_prefix;
    double timeout;           /* per request, seconds */
    int idle;                 /* idle connections held during the run */
    pid_t pids[16];
    int n_pids;
    const char *names[8];
    int n_names;
    const char *label;
    bool proxy_v2;            /* open each connection with a PROXY v2 header */
};

static struct options opt = {
    .mode = MODE_GEMINI, .host = "127.0.0.1", .port = 1965, .clients = 16,
    .duration = 10, .threads = 0, .expect_bytes = -1, .timeout = 10,
};

static struct sockaddr_storage server_addr;
static socklen_t server_addrlen;
static SSL_CTX *client_ctx;
static char request_bytes[2048];
static size_t request_len;

/* ---- time ---- */

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- per-thread state ---- */

enum conn_state { C_CONNECTING, C_HANDSHAKE, C_WRITING, C_READING };

struct client {
    int fd;
    enum conn_state state;
    SSL *ssl;
    SSL_SESSION *session; /* kept between requests with --resume */
    int64_t started;
    size_t sent;
    long received;
    char head[64];        /* first bytes of the response, for checking */
    size_t head_len;
};

struct latencies {
    uint32_t *us;
    size_t n, cap;
};

struct worker {
    pthread_t thread;
    int epfd;
    struct client *clients;
    int n_clients;
    int64_t end_at;
    /* results */
    struct latencies lat;
    long long bytes;
    long errors_connect, errors_tls, errors_io, errors_check, errors_timeout;
    long resumed;
    long full;
};

static void lat_add(struct latencies *l, uint32_t v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 65536;
        l->us = realloc(l->us, l->cap * sizeof *l->us);
        if (!l->us) {
            perror("realloc");
            exit(1);
        }
    }
    l->us[l->n++] = v;
}

/* ---- connections ---- */

/* PROXY v2, PROXY command, TCP over IPv4: 127.0.0.1:40000 → 127.0.0.1:1965,
 * what HAProxy's send-proxy-v2 writes before the client's bytes. */
static const unsigned char proxy_v2_header[28] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
    0x21, 0x11, 0x00, 0x0c, 127, 0, 0, 1, 127, 0, 0, 1, 0x9c, 0x40, 0x07, 0xad};

/* Once connected, before anything else: the whole header in one send (an
 * empty socket buffer always takes 28 bytes). */
static bool send_proxy_header(const struct client *c)
{
    if (!opt.proxy_v2)
        return true;
    ssize_t n = send(c->fd, proxy_v2_header, sizeof proxy_v2_header,
                     MSG_NOSIGNAL);
    return n == (ssize_t)sizeof proxy_v2_header;
}

static int open_socket(void)
{
    int fd = socket(server_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&server_addr, server_addrlen) < 0 &&
        errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void client_close(struct worker *w, struct client *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
}

static void client_start(struct worker *w, struct client *c)
{
    c->started = now_us();
    c->sent = 0;
    c->received = 0;
    c->head_len = 0;
    c->fd = open_socket();
    if (c->fd < 0) {
        w->errors_connect++;
        return;
    }
    c->state = C_CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static bool response_ok(const struct client *c)
{
    if (opt.expect_bytes >= 0 && c->received != opt.expect_bytes)
        return false;
    if (opt.expect_prefix) {
        size_t n = strlen(opt.expect_prefix);
        if (c->head_len < n || memcmp(c->head, opt.expect_prefix, n) != 0)
            return false;
    }
    if (opt.mode == MODE_HTTP && !opt.expect_prefix)
        return c->head_len >= 12 && memcmp(c->head + 9, "200", 3) == 0;
    return true;
}

static void client_finish(struct worker *w, struct client *c)
{
    int64_t t = now_us();
    if (c->ssl)
        /* The server's close_notify ended the response. Marking the
         * connection as shut down (without answering: the server has gone)
         * keeps OpenSSL from flagging the session as not resumable. */
        SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    if (opt.resume && c->ssl) {
        /* With TLS 1.3 the tickets arrive after the handshake, so the
         * session worth keeping is the one current at the end. */
        SSL_SESSION *s = SSL_get1_session(c->ssl);
        if (s) {
            if (c->session)
                SSL_SESSION_free(c->session);
            c->session = s;
        }
    }
    if (c->ssl) {
        if (SSL_session_reused(c->ssl))
            w->resumed++;
        else
            w->full++;
    }
    client_close(w, c);
    if (t > w->end_at)
        return; /* finished after the end: not counted */
    if (!response_ok(c)) {
        w->errors_check++;
        return;
    }
    w->bytes += c->received;
    lat_add(&w->lat, (uint32_t)(t - c->started));
}

static void client_fail(struct worker *w, struct client *c, long *counter)
{
    if (now_us() <= w->end_at)
        (*counter)++;
    client_close(w, c);
}

static void note_head(struct client *c, const char *data, ssize_t n)
{
    size_t room = sizeof c->head - c->head_len;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(c->head + c->head_len, data, take);
    c->head_len += take;
}

/* Plain TCP: write the request, read to EOF. Returns false when the
 * connection is done (finished or failed). */
static bool step_plain(struct worker *w, struct client *c)
{
    if (c->state == C_CONNECTING) {
        if (!send_proxy_header(c)) {
            client_fail(w, c, &w->errors_connect);
            return false;
        }
        c->state = C_WRITING;
    }
    while (c->state == C_WRITING) {
        ssize_t n = send(c->fd, request_bytes + c->sent, request_len - c->sent,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN)
                return true;
            client_fail(w, c, errno == ECONNREFUSED ? &w->errors_connect : &w->errors_io);
            return false;
        }
        c->sent += (size_t)n;
        if (c->sent == request_len)
            c->state = C_READING;
    }
    char buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            note_head(c, buf, n);
            c->received += n;
            continue;
        }
        if (n == 0) {
            client_finish(w, c);
            return false;
        }
        if (errno == EAGAIN)
            return true;
        client_fail(w, c, errno == ECONNREFUSED ? &w->errors_connect : &w->errors_io);
        return false;
    }
}

static bool tls_would_block(struct client *c, int ret)
{
    int e = SSL_get_error(c->ssl, ret);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static bool step_tls(struct worker *w, struct client *c)
{
    if (c->state == C_CONNECTING) {
        if (!send_proxy_header(c)) {
            client_fail(w, c, &w->errors_connect);
            return false;
        }
        c->ssl = SSL_new(client_ctx);
        SSL_set_fd(c->ssl, c->fd);
        SSL_set_tlsext_host_name(c->ssl, opt.sni);
        if (opt.resume && c->session)
            SSL_set_session(c->ssl, c->session);
        SSL_set_connect_state(c->ssl);
        c->state = C_HANDSHAKE;
    }
    if (c->state == C_HANDSHAKE) {
        int r = SSL_do_handshake(c->ssl);
        if (r != 1) {
            if (tls_would_block(c, r))
                return true;
            ERR_clear_error();
            client_fail(w, c, &w->errors_tls);
            return false;
        }
        c->state = C_WRITING;
    }
    while (c->state == C_WRITING) {
        size_t n = 0;
        int r = SSL_write_ex(c->ssl, request_bytes + c->sent, request_len - c->sent, &n);
        if (r != 1) {
            if (tls_would_block(c, r))
                return true;
            ERR_clear_error();
            client_fail(w, c, &w->errors_io);
            return false;
        }
        c->sent += n;
        if (c->sent == request_len)
            c->state = C_READING;
    }
    char buf[65536];
    for (;;) {
        size_t n = 0;
        int r = SSL_read_ex(c->ssl, buf, sizeof buf, &n);
        if (r == 1) {
            note_head(c, buf, (ssize_t)n);
            c->received += (long)n;
            continue;
        }
        int e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return true;
        ERR_clear_error();
        /* close_notify, or a bare EOF: the response is whatever arrived,
         * and response_ok() judges it. */
        if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {
            client_finish(w, c);
            return false;
        }
        client_fail(w, c, &w->errors_io);
        return false;
    }
}

static void client_step(struct worker *w, struct client *c)
{
    bool alive = opt.mode == MODE_GEMINI ? step_tls(w, c) : step_plain(w, c);
    if (!alive && now_us() < w->end_at)
        client_start(w, c);
}

/* Requests stuck past the timeout are failed and restarted, so a server that
 * drops a connection without closing it cannot stall a client for the run. */
static void reap_timeouts(struct worker *w, int64_t t)
{
    int64_t limit = (int64_t)(opt.timeout * 1e6);
    for (int i = 0; i < w->n_clients; i++) {
        struct client *c = &w->clients[i];
        if (c->fd >= 0 && t - c->started > limit) {
            client_fail(w, c, &w->errors_timeout);
            if (t < w->end_at)
                client_start(w, c);
        }
    }
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->n_clients; i++)
        client_start(w, &w->clients[i]);
    struct epoll_event evs[256];
    int64_t last_reap = now_us();
    for (;;) {
        int64_t t = now_us();
        if (t >= w->end_at)
            break;
        int wait_ms = (int)((w->end_at - t) / 1000) + 1;
        if (wait_ms > 100)
            wait_ms = 100;
        int n = epoll_wait(w->epfd, evs, 256, wait_ms);
        for (int i = 0; i < n; i++) {
            struct client *c = evs[i].data.ptr;
            if (c->fd >= 0)
                client_step(w, c);
        }
        /* A failed connect leaves a client without a socket; retry it. */
        t = now_us();
        for (int i = 0; i < w->n_clients && t < w->end_at; i++)
            if (w->clients[i].fd < 0)
                client_start(w, &w->clients[i]);
        if (t - last_reap > 100000) {
            reap_timeouts(w, t);
            last_reap = t;
        }
    }
    for (int i = 0; i < w->n_clients; i++) {
        client_close(w, &w->clients[i]);
        if (w->clients[i].session)
            SSL_SESSION_free(w->clients[i].session);
    }
    return NULL;
}

/* ---- server CPU and memory from /proc ---- */

struct proc_stat {
    pid_t pid, ppid;
    char comm[64];
    unsigned long long self, children; /* clock ticks */
};

static bool read_proc_stat(pid_t pid, struct proc_stat *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm may hold spaces and parentheses: it ends at the last ')'. */
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close)
        return false;
    size_t clen = (size_t)(close - open - 1);
    if (clen >= sizeof out->comm)
        clen = sizeof out->comm - 1;
    memcpy(out->comm, open + 1, clen);
    out->comm[clen] = '\0';
    char state;
    int ppid;
    unsigned long long ut, st, cut, cst;
    /* fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime */
    if (sscanf(close + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
               &state, &ppid, &ut, &st, &cut, &cst) != 6)
        return false;
    out->pid = pid;
    out->ppid = ppid;
    out->self = ut + st;
    out->children = cut + cst;
    return true;
}

struct proc_table {
    struct proc_stat *p;
    size_t n;
};

static void proc_table_load(struct proc_table *t)
{
    t->p = NULL;
    t->n = 0;
    DIR *dir = opendir("/proc");
    if (!dir)
        return;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (end == de->d_name || *end != '\0')
            continue;
        if (t->n == cap) {
            cap = cap ? cap * 2 : 512;
            t->p = realloc(t->p, cap * sizeof *t->p);
        }
        if (read_proc_stat((pid_t)pid, &t->p[t->n]))
            t->n++;
    }
    closedir(dir);
}

static bool is_descendant(const struct proc_table *t, pid_t pid, pid_t root)
{
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        if (pid == root)
            return true;
        pid_t parent = 0;
        for (size_t i = 0; i < t->n; i++)
            if (t->p[i].pid == pid)
                parent = t->p[i].ppid;
        pid = parent;
    }
    return false;
}

static bool is_root(const struct proc_table *t, const struct proc_stat *p)
{
    for (int i = 0; i < opt.n_pids; i++)
        if (p->pid == opt.pids[i])
            return true;
    for (int i = 0; i < opt.n_names; i++) {
        if (strcmp(p->comm, opt.names[i]) != 0)
            continue;
        /* A process whose parent matches the same name is counted in its
         * parent's tree already. */
        for (size_t j = 0; j < t->n; j++)
            if (t->p[j].pid == p->ppid && strcmp(t->p[j].comm, opt.names[i]) == 0)
                return false;
        return true;
    }
    return false;
}

/* CPU ticks of every watched process tree: each root's own time plus the
 * time of its reaped children (cutime+cstime), plus the own time of every
 * live descendant. A child that exits and is reaped moves its time from the
 * second sum into its parent's cutime, so the total stays continuous. */
static unsigned long long server_cpu_ticks(int *found)
{
    struct proc_table t;
    proc_table_load(&t);
    unsigned long long sum = 0;
    *found = 0;
    pid_t roots[64];
    int n_roots = 0;
    for (size_t i = 0; i < t.n && n_roots < 64; i++) {
        if (is_root(&t, &t.p[i])) {
            roots[n_roots++] = t.p[i].pid;
            sum += t.p[i].self + t.p[i].children;
        }
    }
    for (size_t i = 0; i < t.n; i++) {
        bool root = false;
        for (int r = 0; r < n_roots; r++)
            root |= t.p[i].pid == roots[r];
        if (root)
            continue;
        for (int r = 0; r < n_roots; r++) {
            if (is_descendant(&t, t.p[i].ppid, roots[r])) {
                sum += t.p[i].self + t.p[i].children;
                break;
            }
        }
    }
    *found = n_roots;
    free(t.p);
    return sum;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static long watched_rss_kib(void)
{
    long sum = 0;
    for (int i = 0; i < opt.n_pids; i++) {
        long k = rss_kib(opt.pids[i]);
        if (k > 0)
            sum += k;
    }
    return opt.n_pids ? sum : -1;
}

/* ---- idle connections ---- */

struct idle_set {
    int *fds;
    int n;
};

/* Opens n TCP connections that never send a byte, and waits (bounded) until
 * the handshakes complete. */
static void idle_open(struct idle_set *s, int n)
{
    s->fds = calloc((size_t)n, sizeof *s->fds);
    s->n = 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int pending = 0;
    for (int i = 0; i < n; i++) {
        int fd = open_socket();
        if (fd < 0)
            break;
        s->fds[s->n++] = fd;
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        pending++;
        /* Pace the SYNs a little so the listen backlog is not overrun. */
        if (i % 256 == 255)
            usleep(2000);
    }
    int64_t give_up = now_us() + 20000000;
    struct epoll_event evs[512];
    while (pending > 0 && now_us() < give_up) {
        int k = epoll_wait(ep, evs, 512, 100);
        pending -= k > 0 ? k : 0;
    }
    close(ep);
}

/* Connections still open (not closed or reset by the server). */
static int idle_alive(const struct idle_set *s)
{
    int alive = 0;
    for (int i = 0; i < s->n; i++) {
        char c;
        ssize_t r = recv(s->fds[i], &c, 1, MSG_PEEK | MSG_DONTWAIT);
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(s->fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
        if (r < 0 && errno == EAGAIN && err == 0)
            alive++;
    }
    return alive;
}

static void idle_close(struct idle_set *s)
{
    for (int i = 0; i < s->n; i++)
        close(s->fds[i]);
    free(s->fds);
}

/* ---- set-up ---- */

static void usage(FILE *f)
{
    fprintf(f,
"usage: capsule-bench [options] HOST:PORT\n"
"  -m, --mode MODE        gemini (TLS), gopher or http (plain TCP)  [gemini]\n"
"  -c, --clients N        concurrent clients                        [16]\n"
"  -d, --duration S       seconds of load                           [10]\n"
"  -t, --threads N        client threads (default: online cores, at most N)\n"
"  -r, --resume           gemini: resume TLS sessions (tickets)\n"
"  -u, --request STR      gemini URL, gopher selector or http path\n"
"      --sni NAME         TLS server name                           [localhost]\n"
"  -b, --expect-bytes N   every response must be exactly N bytes\n"
"  -x, --expect-prefix S  every response must start with S (gemini: \"20 \")\n"
"      --timeout S        per-request timeout                       [10]\n"
"  -p, --pid PID          server process tree to measure CPU of (repeatable)\n"
"  -n, --name NAME        ... or every process tree whose name is NAME\n"
"  -i, --idle N           hold N idle TCP connections open during the run\n"
"  -l, --label STR        label printed with the results\n"
"      --proxy-v2         send a PROXY v2 header first (127.0.0.1 as the client)\n");
}

static void parse_target(const char *arg)
{
    const char *colon = strrchr(arg, ':');
    if (!colon) {
        fprintf(stderr, "capsule-bench: target must be HOST:PORT\n");
        exit(2);
    }
    static char host[256];
    size_t n = (size_t)(colon - arg);
    if (n >= sizeof host)
        n = sizeof host - 1;
    memcpy(host, arg, n);
    host[n] = '\0';
    if (host[0] == '[' && n > 1 && host[n - 1] == ']') {
        memmove(host, host + 1, n - 2);
        host[n - 2] = '\0';
    }
    opt.host = host;
    opt.port = atoi(colon + 1);
}

static void parse_args(int argc, char **argv)
{
    static const struct option longs[] = {
        {"mode", 1, 0, 'm'}, {"clients", 1, 0, 'c'}, {"duration", 1, 0, 'd'},
        {"threads", 1, 0, 't'}, {"resume", 0, 0, 'r'}, {"request", 1, 0, 'u'},
        {"sni", 1, 0, 'S'}, {"expect-bytes", 1, 0, 'b'},
        {"expect-prefix", 1, 0, 'x'}, {"timeout", 1, 0, 'T'}, {"pid", 1, 0, 'p'},
        {"name", 1, 0, 'n'}, {"idle", 1, 0, 'i'}, {"label", 1, 0, 'l'},
        {"proxy-v2", 0, 0, 'P'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "m:c:d:t:ru:b:x:p:n:i:l:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'm':
            if (!strcmp(optarg, "gemini")) opt.mode = MODE_GEMINI;
            else if (!strcmp(optarg, "gopher")) opt.mode = MODE_GOPHER;
            else if (!strcmp(optarg, "http")) opt.mode = MODE_HTTP;
            else { usage(stderr); exit(2); }
            break;
        case 'c': opt.clients = atoi(optarg); break;
        case 'd': opt.duration = atof(optarg); break;
        case 't': opt.threads = atoi(optarg); break;
        case 'r': opt.resume = true; break;
        case 'u': opt.request = optarg; break;
        case 'S': opt.sni = optarg; break;
        case 'b': opt.expect_bytes = atol(optarg); break;
        case 'x': opt.expect_prefix = optarg; break;
        case 'T': opt.timeout = atof(optarg); break;
        case 'p':
            if (opt.n_pids < 16) opt.pids[opt.n_pids++] = (pid_t)atoi(optarg);
            break;
        case 'n':
            if (opt.n_names < 8) opt.names[opt.n_names++] = optarg;
            break;
        case 'i': opt.idle = atoi(optarg); break;
        case 'l': opt.label = optarg; break;
        case 'P': opt.proxy_v2 = true; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        exit(2);
    }
    parse_target(argv[optind]);
    if (opt.clients < 1 || opt.duration <= 0) {
        fprintf(stderr, "capsule-bench: clients and duration must be positive\n");
        exit(2);
    }
}

static void resolve_target(void)
{
    char port[16];
    snprintf(port, sizeof port, "%d", opt.port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    int e = getaddrinfo(opt.host, port, &hints, &res);
    if (e) {
        fprintf(stderr, "capsule-bench: %s: %s\n", opt.host, gai_strerror(e));
        exit(2);
    }
    memcpy(&server_addr, res->ai_addr, res->ai_addrlen);
    server_addrlen = res->ai_addrlen;
    freeaddrinfo(res);
}

static void build_request(void)
{
    const char *r = opt.request;
    int n;
    switch (opt.mode) {
    case MODE_GEMINI:
        if (!opt.sni)
            opt.sni = "localhost";
        if (!opt.expect_prefix)
            opt.expect_prefix = "20 ";
        if (r)
            n = snprintf(request_bytes, sizeof request_bytes, "%s\r\n", r);
        else if (opt.port == 1965)
            n = snprintf(request_bytes, sizeof request_bytes, "gemini://%s/\r\n", opt.sni);
        else
            n = snprintf(request_bytes, sizeof request_bytes, "gemini://%s:%d/\r\n",
                         opt.sni, opt.port);
        break;
    case MODE_GOPHER:
        n = snprintf(request_bytes, sizeof request_bytes, "%s\r\n", r ? r : "");
        break;
    default:
        n = snprintf(request_bytes, sizeof request_bytes,
                     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: capsule-bench\r\n\r\n",
                     r ? r : "/", opt.host);
        break;
    }
    if (n < 0 || (size_t)n >= sizeof request_bytes) {
        fprintf(stderr, "capsule-bench: request too long\n");
        exit(2);
    }
    request_len = (size_t)n;
}

static void setup_tls(void)
{
    client_ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(client_ctx, TLS1_2_VERSION);
    /* Gemini certificates are self-signed and trusted on first use: the
     * load generator checks nothing, as a TOFU client's fast path would. */
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(client_ctx, SSL_MODE_AUTO_RETRY);
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t want = (rlim_t)opt.idle + (rlim_t)opt.clients * 2 + 256;
        if (rl.rlim_cur < want) {
            rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t percentile(const uint32_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    resolve_target();
    build_request();
    raise_fd_limit();
    if (opt.mode == MODE_GEMINI)
        setup_tls();

    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = opt.threads > 0 ? opt.threads : (int)(nproc > 0 ? nproc : 1);
    if (nthreads > opt.clients)
        nthreads = opt.clients;

    struct idle_set idle = {0};
    long rss_before = watched_rss_kib(), rss_idle = -1;
    if (opt.idle > 0) {
        idle_open(&idle, opt.idle);
        usleep(1000000); /* let the server accept them all */
        rss_idle = watched_rss_kib();
    }

    struct worker *w = calloc((size_t)nthreads, sizeof *w);
    int found = 0;
    unsigned long long ticks0 = server_cpu_ticks(&found);
    int64_t t0 = now_us();
    int64_t end_at = t0 + (int64_t)(opt.duration * 1e6);
    for (int i = 0; i < nthreads; i++) {
        w[i].n_clients = opt.clients / nthreads + (i < opt.clients % nthreads);
        w[i].clients = calloc((size_t)w[i].n_clients, sizeof *w[i].clients);
        for (int j = 0; j < w[i].n_clients; j++)
            w[i].clients[j].fd = -1;
        w[i].epfd = epoll_create1(EPOLL_CLOEXEC);
        w[i].end_at = end_at;
        pthread_create(&w[i].thread, NULL, worker_run, &w[i]);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(w[i].thread, NULL);
    double elapsed = (double)(now_us() - t0) / 1e6;
    unsigned long long ticks1 = server_cpu_ticks(&found);

    int idle_left = opt.idle > 0 ? idle_alive(&idle) : 0;
    long rss_after = watched_rss_kib();
    if (opt.idle > 0)
        idle_close(&idle);

    struct latencies all = {0};
    long long bytes = 0;
    long e_conn = 0, e_tls = 0, e_io = 0, e_check = 0, e_timeout = 0, resumed = 0, full = 0;
    for (int i = 0; i < nthreads; i++) {
        for (size_t j = 0; j < w[i].lat.n; j++)
            lat_add(&all, w[i].lat.us[j]);
        bytes += w[i].bytes;
        e_conn += w[i].errors_connect;
        e_tls += w[i].errors_tls;
        e_io += w[i].errors_io;
        e_check += w[i].errors_check;
        e_timeout += w[i].errors_timeout;
        resumed += w[i].resumed;
        full += w[i].full;
        free(w[i].lat.us);
        free(w[i].clients);
        close(w[i].epfd);
    }
    free(w);
    if (all.n > 0)
        qsort(all.us, all.n, sizeof *all.us, cmp_u32);
    double span = opt.duration < elapsed ? opt.duration : elapsed;
    double rps = (double)all.n / span;
    long errors = e_conn + e_tls + e_io + e_check + e_timeout;
    double cpu_us = -1;
    if (opt.n_pids + opt.n_names > 0 && all.n > 0 && found > 0) {
        double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK);
        cpu_us = (double)(ticks1 - ticks0) * tick_us / (double)all.n;
    }
    static const char *mode_names[] = {"gemini", "gopher", "http"};
    printf("label=%s mode=%s%s clients=%d duration=%.1f requests=%zu rps=%.1f "
           "p50_us=%u p99_us=%u max_us=%u errors=%ld err_connect=%ld err_tls=%ld "
           "err_io=%ld err_check=%ld err_timeout=%ld bytes=%lld bytes_per_req=%lld "
           "resumed=%ld full=%ld server_cpu_us_per_req=%.1f",
           opt.label ? opt.label : "-", mode_names[opt.mode],
           opt.resume ? "-resume" : "", opt.clients, span, all.n, rps,
           percentile(all.us, all.n, 0.50), percentile(all.us, all.n, 0.99),
           all.n ? all.us[all.n - 1] : 0, errors, e_conn, e_tls, e_io, e_check,
           e_timeout, bytes, all.n ? bytes / (long long)all.n : 0, resumed, full, cpu_us);
    if (opt.idle > 0)
        printf(" idle=%d idle_open=%d idle_alive_at_end=%d rss_before_kib=%ld "
               "rss_idle_kib=%ld rss_after_kib=%ld rss_per_idle_conn_b=%.0f",
               opt.idle, idle.n, idle_left, rss_before, rss_idle, rss_after,
               idle.n && rss_before > 0 ? (double)(rss_idle - rss_before) * 1024.0 / idle.n : -1.0);
    printf("\n");
    fprintf(stderr, "# %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %ld errors, "
            "%.0f µs server CPU/request\n",
            opt.label ? opt.label : mode_names[opt.mode], rps,
            percentile(all.us, all.n, 0.50) / 1000.0, percentile(all.us, all.n, 0.99) / 1000.0,
            (all.n ? all.us[all.n - 1] : 0) / 1000.0, errors, cpu_us);
    free(all.us);
    SSL_CTX_free(client_ctx);
    return all.n > 0 ? 0 : 1;
}
