/* `capsuled serve --takeover`: a new instance takes the listening sockets
 * of the one serving the same configuration, as HAProxy's seamless reload
 * and nginx's binary upgrade hand theirs over. Every instance listens on a
 * UNIX socket in the state directory, named after its configuration's
 * path. A successor connects, gets every listening socket with SCM_RIGHTS,
 * builds its content and starts its workers, and says so with one byte;
 * only then does the old instance stop accepting, finish what it has in
 * flight and exit. The sockets never close, so a connection waiting in an
 * accept queue is never lost: the queue moves with its socket. A successor
 * that fails before it serves closes the connection, and the old instance
 * goes on as before, still to be found: each instance's socket has its
 * process id in its name (takeover-HASH-PID.sock), and a successor tries
 * every one of its configuration's, removing those nobody listens on.
 *
 * Messages are SOCK_SEQPACKET datagrams: a flag byte ('+' more follow, '.'
 * the last), then one byte per socket passed with it ('g' gemini, 'o'
 * gopher, 'f' finger, 's' spartan), at most BATCH sockets a message (the kernel takes
 * SCM_MAX_FD, 253). The successor answers 'R' once serving. */
#include "server.h"

#include "capsuled/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum {
    BATCH = 200,
    TAKE_TIMEOUT_MS = 10000, /* for the old instance to answer */
};

/* FNV-1a: names the socket after the configuration's real path. */
static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Room for "-PID.sock" after the prefix. */
enum { SUFFIX_MAX = 20 };

char *takeover_path(const char *state_dir, const char *load_path)
{
    char *real = realpath(load_path, NULL);
    struct buf b = {0};
    buf_printf(&b, "%s/takeover-%016llx", state_dir,
               fnv1a(real ? real : load_path));
    free(real);
    if (b.len + SUFFIX_MAX >= sizeof ((struct sockaddr_un *)0)->sun_path) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static socklen_t unix_address(const char *path, struct sockaddr_un *sa)
{
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    snprintf(sa->sun_path, sizeof sa->sun_path, "%s", path);
    return (socklen_t)sizeof *sa;
}

/* ---- the instance serving: hands its sockets over -------------------- */

int takeover_listen(struct takeover *t, const char *prefix)
{
    char path[sizeof ((struct sockaddr_un *)0)->sun_path];
    snprintf(path, sizeof path, "%s-%ld.sock", prefix, (long)getpid());
    struct sockaddr_un sa;
    socklen_t len = unix_address(path, &sa);
    t->listen_fd = t->peer_fd = -1;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    unlink(path); /* left by a process that had this id before */
    mode_t old = umask(0077);
    int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, len);
    umask(old);
    if (rc < 0 || listen(fd, 4) < 0) {
        log_msg("takeover socket %s: %s; serve --takeover cannot replace "
                "this instance", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    t->listen_fd = fd;
    t->path = xstrdup(path);
    return 0;
}

/* Only root or this process's own user may take its sockets. */
static bool trusted_peer(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return false;
    return cred.uid == 0 || cred.uid == geteuid();
}

static char proto_code(enum proto p)
{
    return p == PROTO_GEMINI   ? 'g'
           : p == PROTO_GOPHER ? 'o'
           : p == PROTO_SPARTAN ? 's'
                               : 'f';
}

/* Every distinct listening socket of every worker (duplicates of one
 * socket, as under socket activation, count once). */
static size_t gather(const struct server *srv, struct inherited **out)
{
    size_t n = 0;
    ino_t *seen = NULL;
    *out = NULL;
    for (size_t w = 0; w < srv->n_workers; w++) {
        const struct worker *wk = &srv->workers[w];
        for (size_t i = 0; i < wk->n_ls; i++) {
            struct stat st;
            if (wk->ls[i].fd < 0 || fstat(wk->ls[i].fd, &st) < 0)
                continue;
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= seen[k] == st.st_ino;
            if (dup)
                continue;
            seen = xrealloc(seen, (n + 1) * sizeof *seen);
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            seen[n] = st.st_ino;
            (*out)[n++] = (struct inherited){wk->ls[i].fd, wk->ls[i].proto};
        }
    }
    free(seen);
    return n;
}

static int send_batch(int fd, const struct inherited *s, size_t n, bool last)
{
    char data[1 + BATCH];
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * BATCH)];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    data[0] = last ? '.' : '+';
    struct msghdr m = {.msg_iov = &(struct iovec){data, 1 + n},
                       .msg_iovlen = 1};
    if (n) {
        m.msg_control = ctl.buf;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        for (size_t i = 0; i < n; i++) {
            data[1 + i] = proto_code(s[i].proto);
            memcpy(CMSG_DATA(c) + i * sizeof(int), &s[i].fd, sizeof(int));
        }
    }
    return sendmsg(fd, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int hand_over(int fd, const struct server *srv)
{
    struct inherited *s;
    size_t n = gather(srv, &s), sent = 0;
    int rc = 0;
    do {
        size_t k = n - sent < BATCH ? n - sent : BATCH;
        rc = send_batch(fd, s + sent, k, sent + k == n);
        sent += k;
    } while (rc == 0 && sent < n);
    free(s);
    if (rc == 0)
        log_msg("takeover: %zu listening sockets handed to a new instance; "
                "serving until it is ready", n);
    return rc;
}

/* A successor that connected gets the sockets; the connection then waits
 * for its 'R'. */
static void accept_successor(struct takeover *t, const struct server *srv)
{
    int fd = accept4(t->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (t->peer_fd >= 0 || !trusted_peer(fd)) {
        log_msg("takeover: %s", t->peer_fd >= 0 ? "a takeover is already "
                "under way; refused another" : "refused a process of "
                "another user");
        close(fd);
        return;
    }
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (hand_over(fd, srv) < 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
        log_msg("takeover: cannot hand the sockets over: %s",
                strerror(errno));
        close(fd);
        return;
    }
    t->peer_fd = fd;
}

bool takeover_poll(struct takeover *t, const struct server *srv)
{
    if (t->listen_fd >= 0)
        accept_successor(t, srv);
    if (t->peer_fd < 0)
        return false;
    char c;
    ssize_t n = recv(t->peer_fd, &c, 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return false;
    close(t->peer_fd);
    t->peer_fd = -1;
    if (n == 1 && c == 'R') {
        /* Found no more: a later successor must not wait on this one. */
        close(t->listen_fd);
        t->listen_fd = -1;
        return true;
    }
    log_msg("takeover: the new instance went away before serving; "
            "still serving");
    return false;
}

/* The socket file goes with the instance where it still may (before the
 * privileges were dropped, or as the same user); else the next successor
 * removes it, finding nobody listening. */
void takeover_close(struct takeover *t)
{
    if (t->path)
        unlink(t->path);
    free(t->path);
    t->path = NULL;
    if (t->listen_fd >= 0)
        close(t->listen_fd);
    if (t->peer_fd >= 0)
        close(t->peer_fd);
    t->listen_fd = t->peer_fd = -1;
}

/* ---- the new instance: takes them ----------------------------------- */

static int connect_to(const char *path)
{
    struct sockaddr_un sa;
    socklen_t len = unix_address(path, &sa);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* The first instance of the configuration that answers; sockets nobody
 * listens on are removed. -1 with errno set when none answers. */
static int find_instance(const char *prefix, char *found, size_t size)
{
    char *dir_path = xstrdup(prefix);
    char *slash = strrchr(dir_path, '/');
    const char *base = slash ? slash + 1 : prefix;
    if (slash)
        *slash = '\0';
    DIR *d = opendir(slash ? dir_path : ".");
    int fd = -1;
    errno = ENOENT;
    for (struct dirent *e; d && fd < 0 && (e = readdir(d));) {
        size_t n = strlen(base), len = strlen(e->d_name);
        if (strncmp(e->d_name, base, n) != 0 || e->d_name[n] != '-' ||
            len < 5 || strcmp(e->d_name + len - 5, ".sock") != 0)
            continue;
        snprintf(found, size, "%s/%s", slash ? dir_path : ".", e->d_name);
        fd = connect_to(found);
        if (fd < 0 && errno == ECONNREFUSED)
            unlink(found);
    }
    int saved = errno;
    if (d)
        closedir(d);
    free(dir_path);
    errno = saved;
    return fd;
}

static bool code_proto(char c, enum proto *p)
{
    *p = c == 'g'   ? PROTO_GEMINI
         : c == 'o' ? PROTO_GOPHER
         : c == 's' ? PROTO_SPARTAN
                    : PROTO_FINGER;
    return c == 'g' || c == 'o' || c == 'f' || c == 's';
}

/* One message: appends its sockets; 1 when it was the last, 0 when more
 * follow, -1 on failure (errno set). */
static int receive_batch(int fd, struct inherited **out, size_t *n)
{
    char data[1 + BATCH];
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * BATCH)];
    } ctl;
    struct msghdr m = {.msg_iov = &(struct iovec){data, sizeof data},
                       .msg_iovlen = 1, .msg_control = ctl.buf,
                       .msg_controllen = sizeof ctl.buf};
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, TAKE_TIMEOUT_MS) != 1) {
        errno = ETIMEDOUT;
        return -1;
    }
    ssize_t got = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
    if (got < 1) {
        errno = got == 0 ? ECONNRESET : errno;
        return -1;
    }
    size_t k = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            struct inherited s = {-1, PROTO_GEMINI};
            memcpy(&s.fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            bool known = i + 1 < (size_t)got && code_proto(data[1 + i], &s.proto);
            if (!known || inherit_check(s.fd) < 0) {
                close(s.fd);
                continue;
            }
            *out = xrealloc(*out, (*n + 1) * sizeof **out);
            (*out)[(*n)++] = s;
        }
    }
    if ((m.msg_flags & MSG_CTRUNC) || k != (size_t)got - 1) {
        errno = EPROTO;
        return -1;
    }
    return data[0] == '.' ? 1 : 0;
}

int takeover_take(const char *prefix, struct inherited **out, size_t *n,
                  int *conn)
{
    char path[sizeof ((struct sockaddr_un *)0)->sun_path];
    *out = NULL;
    *n = 0;
    *conn = find_instance(prefix, path, sizeof path);
    if (*conn < 0) {
        log_msg("--takeover: no instance serving this configuration answers "
                "at %s-*.sock", prefix);
        return -1;
    }
    int rc;
    while ((rc = receive_batch(*conn, out, n)) == 0)
        ;
    if (rc < 0 || *n == 0) {
        log_msg("--takeover: receiving the sockets from %s: %s", path,
                rc < 0 ? strerror(errno) : "none came");
        inherit_close(*out, *n);
        *out = NULL;
        *n = 0;
        close(*conn);
        *conn = -1;
        return -1;
    }
    return 0;
}

void takeover_ready(int conn)
{
    if (conn < 0)
        return;
    if (send(conn, "R", 1, MSG_NOSIGNAL) != 1)
        log_msg("takeover: cannot tell the old instance: %s",
                strerror(errno));
    close(conn);
}
