/* tls-floor: the least a TLS server can do per Gemini request, as a floor
 * to measure real servers against. Accept, handshake, read up to the first
 * LF, write a fixed page (header line included, taken from a file), send
 * close_notify, close. No parsing, no logging, no timeouts.
 *
 * Same threading model as capsuled, so that the comparison is about the
 * work per request and not the architecture: one thread per core, each with
 * its own epoll instance and its own SO_REUSEPORT listening socket, all
 * sockets and TLS objects non-blocking. Session tickets are on, so resumed
 * handshakes can be measured too. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static SSL_CTX *ctx;
static char *page;
static size_t page_len;
static struct sockaddr_storage addr;
static socklen_t addrlen;

enum state { S_HANDSHAKE, S_READ, S_WRITE, S_SHUTDOWN };

struct conn {
    int fd;
    SSL *ssl;
    enum state state;
    size_t sent;
};

static void die(const char *what)
{
    fprintf(stderr, "tls-floor: %s: %s\n", what, strerror(errno));
    ERR_print_errors_fp(stderr);
    exit(1);
}

static void conn_close(struct conn *c)
{
    SSL_free(c->ssl);
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

static bool would_block(struct conn *c, int ret)
{
    int e = SSL_get_error(c->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return true;
    ERR_clear_error();
    return false;
}

/* Runs the connection as far as the socket allows. Returns false when it is
 * finished (closed and freed). */
static bool conn_step(struct conn *c)
{
    int r;
    if (c->state == S_HANDSHAKE) {
        r = SSL_accept(c->ssl);
        if (r != 1)
            return would_block(c, r) ? true : (conn_close(c), false);
        c->state = S_READ;
    }
    while (c->state == S_READ) {
        char buf[1100];
        size_t n = 0;
        r = SSL_read_ex(c->ssl, buf, sizeof buf, &n);
        if (r != 1)
            return would_block(c, r) ? true : (conn_close(c), false);
        if (memchr(buf, '\n', n))
            c->state = S_WRITE;
    }
    while (c->state == S_WRITE) {
        size_t n = 0;
        r = SSL_write_ex(c->ssl, page + c->sent, page_len - c->sent, &n);
        if (r != 1)
            return would_block(c, r) ? true : (conn_close(c), false);
        c->sent += n;
        if (c->sent == page_len)
            c->state = S_SHUTDOWN;
    }
    r = SSL_shutdown(c->ssl); /* sends close_notify; no need to wait for the peer's */
    if (r < 0 && would_block(c, r))
        return true;
    conn_close(c);
    return false;
}

static int listen_socket(void)
{
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, addrlen) < 0)
        die("bind");
    if (listen(fd, 4096) < 0)
        die("listen");
    return fd;
}

static void accept_all(int ep, int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or out of descriptors: try on the next event */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        c->ssl = SSL_new(ctx);
        SSL_set_fd(c->ssl, fd);
        SSL_set_accept_state(c->ssl);
        /* Edge-triggered on both directions: each event re-runs the state
         * machine until OpenSSL wants more, so interest never changes. */
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP,
                                 .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        conn_step(c);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    int lfd = listen_socket();
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL)
                accept_all(ep, lfd);
            else
                conn_step(evs[i].data.ptr);
        }
    }
    return NULL;
}

static void load_page(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    size_t cap = 1 << 16;
    page = malloc(cap);
    size_t n;
    while ((n = fread(page + page_len, 1, cap - page_len, f)) > 0) {
        page_len += n;
        if (page_len == cap)
            page = realloc(page, cap *= 2);
    }
    fclose(f);
}

static void setup_tls(const char *cert, const char *key)
{
    ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        exit(1);
    }
    static const unsigned char sid_ctx[] = "tls-floor";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
    /* The TLS choices capsuled makes for its contexts (src/server/tls.c),
     * so that the floor differs from it only in the work around TLS: one
     * ticket per handshake, AES-128-GCM/SHA-256 first by the server's
     * preference, read-ahead, buffers released when idle. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
                                  "TLS_CHACHA20_POLY1305_SHA256:"
                                  "TLS_AES_256_GCM_SHA384");
    SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                 "ECDHE-RSA-AES128-GCM-SHA256:DEFAULT");
    SSL_CTX_set_read_ahead(ctx, 1);
}

static void resolve(const char *arg)
{
    char host[256];
    const char *colon = strrchr(arg, ':');
    if (!colon || (size_t)(colon - arg) >= sizeof host) {
        fprintf(stderr, "tls-floor: address must be HOST:PORT\n");
        exit(2);
    }
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
        fprintf(stderr, "tls-floor: cannot resolve %s\n", arg);
        exit(2);
    }
    memcpy(&addr, res->ai_addr, res->ai_addrlen);
    addrlen = res->ai_addrlen;
    freeaddrinfo(res);
}

int main(int argc, char **argv)
{
    int threads = 0;
    if (argc == 7 && strcmp(argv[1], "-t") == 0) {
        threads = atoi(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc != 5) {
        fprintf(stderr, "usage: tls-floor [-t THREADS] HOST:PORT CERT.pem KEY.pem PAGE\n"
                        "  PAGE is sent as is to every request, header line included\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    resolve(argv[1]);
    setup_tls(argv[2], argv[3]);
    load_page(argv[4]);
    if (threads <= 0)
        threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads <= 0)
        threads = 1;
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    fprintf(stderr, "tls-floor: %d threads on %s\n", threads, argv[1]);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return 0;
}
