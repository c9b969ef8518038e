/* The server shell's private interfaces: listeners, TLS contexts,
 * certificates, the access log, privileges and the worker loop. Everything
 * that parses or renders lives in the core (capsule.h); this is I/O only. */
#ifndef CAPSULED_SERVER_H
#define CAPSULED_SERVER_H

#include "capsuled/capsule.h"
#include "capsuled/config.h"
#include "capsuled/proto.h"
#include "peer.h"
#include "ratelimit.h"

#include <openssl/ssl.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* ---- ev_epoll.c --------------------------------------------------------- */

/* What a descriptor registered with a worker's event set is. */
enum ev_kind { EV_WAKE, EV_LISTENER, EV_CONN };

/* The first member of everything registered (a listener, a connection):
 * a ready event's pointer leads here, and kind says what it is. */
struct ev_source {
    enum ev_kind kind;
};

/* What a descriptor waits for: EV_READ also reports the peer's FIN. */
enum ev_want { EV_NONE, EV_READ, EV_WRITE };

/* One ready descriptor. hangup: the peer closed its side, hung up, or the
 * socket has an error. */
struct ev_ready {
    struct ev_source *src;
    bool hangup;
};

/* A new event set (-1, errno set, on failure). */
int ev_open(void);
/* Registers fd (ev_watch) or changes what it waits for (ev_rewatch);
 * -1 with errno set on failure. Closing fd unregisters it. */
int ev_watch(int set, int fd, enum ev_want want, struct ev_source *src);
int ev_rewatch(int set, int fd, enum ev_want want, struct ev_source *src);
void ev_unwatch(int set, int fd);
/* Waits up to timeout_ms (-1: no limit) for at most max ready
 * descriptors; their number, or -1 with errno set. */
int ev_wait(int set, struct ev_ready *out, int max, int timeout_ms);

/* ---- deadline.c ------------------------------------------------------- */

/* The monotonic clock, in milliseconds and microseconds. */
long long mono_ms(void);
long long mono_us(void);

/* A deadline, kept inside what it times (a connection). */
struct deadline {
    struct deadline *prev, *next;
    long long at_ms;
};

/* A worker's deadlines, soonest first. */
struct deadlines {
    struct deadline *head, *tail;
};

/* (Re)places d in the list, due at at_ms. */
void deadline_set(struct deadlines *l, struct deadline *d, long long at_ms);
/* Takes d out of the list (nothing when it is not in it). */
void deadline_clear(struct deadlines *l, struct deadline *d);

/* ---- listen.c ---------------------------------------------------------- */

enum proto { PROTO_GEMINI, PROTO_GOPHER, PROTO_FINGER, PROTO_SPARTAN };

/* "gemini", "gopher", "finger" or "spartan", for logs and messages. */
const char *proto_name(enum proto p);

/* One bound, listening, non-blocking SO_REUSEPORT socket. */
struct listener {
    struct ev_source src; /* EV_LISTENER */
    int fd;
    enum proto proto;
};

/* Opens one socket per address that spec resolves to ("*" and "" give both
 * 0.0.0.0 and ::). Appends to *out (grown with xrealloc). Returns -1 with
 * errno set when an address cannot be bound. first: the first worker's
 * sockets, which also check that no other process listens there. */
int listen_open(const struct cfg_listen *spec, enum proto proto, bool first,
                struct listener **out, size_t *n);
/* "[::1]:1965" or "127.0.0.1:1965" for messages. */
void listen_describe(const struct cfg_listen *spec, char *out, size_t size);

/* ---- inherit.c --------------------------------------------------------- */

/* A listening socket this process did not bind (systemd's, or taken over
 * from the instance it replaces), and what it serves. */
struct inherited {
    int fd;
    enum proto proto;
};

/* Checks that fd is a listening TCP socket and makes it non-blocking and
 * close-on-exec; -1 with errno set when it is not. */
int inherit_check(int fd);
/* The local port of socket fd (-1 when it has none). */
int inherit_port(int fd);
/* "[::1]:1965" or "127.0.0.1:7070": fd's local address, for messages. */
void inherit_describe(int fd, char *out, size_t size);
/* Appends a duplicate of each socket to *out (grown with xrealloc), as
 * one worker's listeners; -1 with errno set when one cannot be made. */
int inherit_dup(const struct inherited *socks, size_t n,
                struct listener **out, size_t *n_out);
/* Closes the sockets and frees the array. */
void inherit_close(struct inherited *socks, size_t n);

/* ---- activate.c -------------------------------------------------------- */

/* Whether systemd passed listening sockets to this process (LISTEN_PID is
 * it, LISTEN_FDS is set). */
bool activation_present(void);
/* Takes the passed sockets and tells which protocol each serves (its name
 * in LISTEN_FDNAMES, else its port among cfg's listen addresses); removes
 * LISTEN_* from the environment. -1 (logged) when a socket is no listening
 * TCP socket or fits no enabled protocol, or fits several. */
int activation_take(const struct config *cfg, struct inherited **out,
                    size_t *n);

/* ---- takeover.c -------------------------------------------------------- */

struct server;

/* The serving side of `serve --takeover`: a UNIX socket a successor
 * connects to, and the successor being handed the sockets. */
struct takeover {
    int listen_fd; /* -1: none */
    int peer_fd;   /* a successor that has the sockets, until it is ready */
    char *path;    /* of the socket, removed at close */
};

/* STATE_DIR/takeover-HASH, HASH naming the configuration at load_path
 * (its real path): each instance's socket is PREFIX-PID.sock. NULL when
 * too long for a UNIX socket's name. */
char *takeover_path(const char *state_dir, const char *load_path);
/* Listens at PREFIX-PID.sock, mode 0600; -1 logged. Call before dropping
 * privileges. */
int takeover_listen(struct takeover *t, const char *prefix);
/* The main thread's turn: hands every listening socket of srv to a
 * successor that connected (root or this user only); true once it said it
 * serves: this instance stops accepting, finishes and exits. */
bool takeover_poll(struct takeover *t, const struct server *srv);
void takeover_close(struct takeover *t);
/* The successor's side: connects to the instance listening at a
 * PREFIX-*.sock (removing those nobody listens on) and receives its
 * sockets (*conn kept for takeover_ready). -1 (logged) when none answers. */
int takeover_take(const char *prefix, struct inherited **out, size_t *n,
                  int *conn);
/* Tells the old instance this one serves, and closes conn. */
void takeover_ready(int conn);

/* ---- cert.c ------------------------------------------------------------ */

/* Certificate and key paths come resolved against the config's directory
 * (config_load does that). */
/* Makes sure host h has a certificate and key, generating a self-signed
 * ECDSA P-256 certificate (and a key, unless one exists) when either file
 * is missing. Returns -1 with a logged message on failure. */
int cert_ensure(const struct cfg_host *h, bool *generated);
/* "AB:CD:..." SHA-256 of the certificate in DER form (what TOFU clients
 * show). out must hold 96 bytes. Returns -1 when the file cannot be read. */
int cert_fingerprint(const char *cert_file, char *out, size_t size);

/* ---- tls.c ------------------------------------------------------------- */

/* One SSL_CTX per gemini host, plus the names each answers to, for SNI.
 * Reference counted: a reload builds a new set; connections in flight keep
 * the one they started with. */
struct tls_set {
    atomic_int refs;
    SSL_CTX **ctx;
    struct cfg_host *hosts; /* borrowed names only: copies of the strings */
    size_t n;
};

/* Builds the set for every gemini host of cfg. NULL (and a message on
 * stderr) when a certificate or key cannot be loaded. */
struct tls_set *tls_set_new(const struct config *cfg);
struct tls_set *tls_set_ref(struct tls_set *s);
void tls_set_unref(struct tls_set *s);
/* A server SSL for a new connection on fd: hosts[0]'s context until the
 * SNI callback picks another. app_data is left for the caller. */
SSL *tls_new_conn(struct tls_set *s, int fd);

/* ---- hello.c ----------------------------------------------------------- */

enum hello { HELLO_READY, HELLO_WAIT, HELLO_PLAIN, HELLO_GONE };

/* Whether a new TLS connection's first record is all in the receive buffer
 * (READY: hand the socket to OpenSSL), still coming (WAIT: epoll reports fd
 * readable only once it is, through SO_RCVLOWAT), PLAIN: what came is no
 * TLS at all, or GONE: the peer left before sending a byte. peer_done: epoll saw the peer's FIN, so nothing
 * more will come. *raised tracks the low-water mark, reset before READY. */
enum hello hello_await(int fd, bool peer_done, bool *raised);

/* ---- proxied.c --------------------------------------------------------- */

/* Whether cfg has the listeners of proto expect a PROXY protocol header
 * (gemini.proxy_protocol, gopher.proxy_protocol, finger.proxy_protocol). */
bool proxy_expected(const struct config *cfg, enum proto proto);

enum proxy_in { PROXY_IN_WAIT, PROXY_IN_DONE, PROXY_IN_CLOSE };

/* Reads the PROXY header a connection on fd must start with, leaving the
 * bytes after it. WAIT: not whole yet; CLOSE: none, an invalid one, or the
 * peer left; DONE: *peer is the client it names (kept for LOCAL, a health
 * check). peer_done: the peer's FIN was seen, nothing more will come. */
enum proxy_in proxy_read(int fd, bool peer_done, struct sockaddr_storage *peer);

/* ---- confine.c --------------------------------------------------------- */

/* Enters a Landlock domain that allows only what serving c needs from now
 * on: reading its capsule files and certificates, replacing certificates,
 * appending to the access log; no new TCP listeners or connections, no
 * signals to other processes. Logs what it did. Returns 0 once in the
 * domain, and when the kernel lacks Landlock (ENOSYS, EOPNOTSUPP; logged);
 * -1 (logged) when the kernel could not be asked, or the ruleset, a rule
 * for a path the server needs, or the domain could not be made: the caller
 * must not serve then. Call before any thread starts: threads started
 * later inherit the domain. */
int confine(const struct capsule *c);

/* ---- job.c ------------------------------------------------------------- */

struct job;

/* Runs fn(arg) on a thread of its own. When fn returns, wake_sig (0: none)
 * is sent to the thread that called job_start. NULL (errno set) when no
 * thread could be started. A job never joined is left running at exit;
 * arg must then stay allocated, which job.c makes no leak. */
struct job *job_start(void (*fn)(void *), void *arg, int wake_sig);
/* Whether fn has returned. */
bool job_done(struct job *j);
/* Waits up to ms milliseconds for fn to return; true when it has. */
bool job_wait(struct job *j, long long ms);
/* Joins a job whose fn has returned and frees it (not its arg). */
void job_join(struct job *j);

/* ---- watch.c ----------------------------------------------------------- */

/* inotify on the directories of a snapshot's files. fd < 0: not available
 * (logged once), and the caller polls with stat instead. */
struct watch {
    int fd;
    struct watched *dirs;
    size_t n_dirs;
    bool stale; /* a watched directory went away: sync again */
};

/* Opens the inotify instance; events raise SIGIO in this process. */
void watch_init(struct watch *w);
bool watch_active(const struct watch *w);
/* Watches the directories of every file c was built from (and of the files
 * symlinks among them lead to), and no others. Gives up inotify (logged)
 * when one cannot be watched. */
void watch_sync(struct watch *w, const struct capsule *c);
/* Reads the pending events without blocking: true when one says a file of
 * the snapshot (any file of the directories, with any_name) was written and
 * closed, moved in, deleted, re-linked or changed attributes, or events
 * were lost. */
bool watch_read(struct watch *w, bool any_name);
void watch_close(struct watch *w);

/* ---- log.c ------------------------------------------------------------- */

/* Opens the access log (NULL or "-" = stderr). Returns -1 on failure. */
int log_open(const char *path);
/* Reopens the same file (after rotation): SIGUSR1. */
void log_reopen(void);
void log_set_anonymize(bool on);
/* One access-log line, written with a single write(2). */
void log_access(const struct sockaddr *peer, enum proto proto,
                const char *target, int status, size_t bytes,
                long long micros);
/* Server messages to stderr, timestamped. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_close(void);

/* ---- notify.c ---------------------------------------------------------- */

/* Connects to the service manager's NOTIFY_SOCKET, when set (a failure is
 * logged, and the messages are then skipped). Call before dropping
 * privileges. */
void notify_open(void);
/* Sends one message ("READY=1", "STOPPING=1"); nothing without a socket. */
void notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with the monotonic clock's MONOTONIC_USEC. */
void notify_reloading(void);
void notify_close(void);

/* ---- state.c ----------------------------------------------------------- */

/* The state directory: $STATE_DIRECTORY (its first), /var/lib/capsuled as
 * root, else $XDG_STATE_HOME/capsuled or ~/.local/state/capsuled. NULL when
 * none can be named (no HOME). */
char *state_dir_path(void);
/* Creates it and its parents (0755); -1 with errno set on failure. */
int state_dir_make(const char *path);

/* ---- priv.c ------------------------------------------------------------ */

/* When running as root: optional chroot to chroot_dir (NULL = none), then
 * setgroups/setgid/setuid to cfg's user and group, then no_new_privs.
 * Not root: does nothing and returns 0. Returns -1 on failure. */
int priv_drop(const struct config *cfg, const char *chroot_dir);
/* The user and group priv_drop switches to (logged failure: -1). */
int priv_target_ids(const struct config *cfg, uid_t *uid, gid_t *gid);

/* ---- server.c ---------------------------------------------------------- */

struct worker;

/* State shared by the workers and the reload (main) thread. The snapshot
 * and the TLS set are swapped under lock; workers notice through gen and
 * take references, so the hot path only reads one atomic. */
struct server {
    pthread_mutex_t lock;
    struct capsule *current; /* under lock */
    struct tls_set *tls;     /* under lock */
    atomic_uint gen;         /* bumped after every swap */

    atomic_int connections; /* open connections, process-wide */
    struct peer_table *peers; /* open connections per client */
    struct rate_table *rates; /* requests per client (server.rate_limit) */
    int fd_cap;             /* connections the descriptor limit leaves
                               room for (0 = no limit); set by server_start */
    int wake_fd;  /* eventfd: readable once stopping */
    int grace_ms; /* for connections in flight when stopping */

    struct worker *workers;
    size_t n_workers;
};

/* Creates the workers' event sets; takes over the references. grace_ms:
 * how long server_stop lets connections in flight finish. */
int server_init(struct server *srv, size_t n_workers, struct capsule *first,
                struct tls_set *tls, int grace_ms);
/* Hands worker i its listeners (the array is taken over). */
int server_add_listeners(struct server *srv, size_t i, struct listener *ls,
                         size_t n);
int server_start(struct server *srv);
/* Stops accepting, lets connections in flight finish within grace_ms, joins
 * the workers and frees everything. */
void server_stop(struct server *srv);

/* ---- publish.c --------------------------------------------------------- */

/* Publishes a new snapshot and/or TLS set (NULL = keep). Takes over the
 * caller's references. */
void server_swap(struct server *srv, struct capsule *c, struct tls_set *tls);

/* A worker's references to what was published last it looked. */
struct view {
    unsigned gen;
    struct capsule *snap;
    struct tls_set *tls;
};

/* Takes new references when a swap happened since v was refreshed: one
 * atomic load when none did. */
void view_refresh(struct view *v, struct server *srv);
void view_release(struct view *v);

/* ---- admit.c ----------------------------------------------------------- */

/* The slots a connection holds: one of the total, and one of its client's
 * when the client is counted. */
struct slot {
    struct peer_key client;
    bool client_counted;
};

/* Counts a connection from peer in the total (server.max_connections,
 * bounded by srv->fd_cap) and in its client's (server.max_per_client);
 * false, nothing counted, when either cap is reached. peer NULL: the
 * client is not known yet (behind a PROXY header): admit_client later. */
bool admit(struct server *srv, const struct cfg_server *cfg,
           const struct sockaddr_storage *peer, struct slot *slot);
/* Counts an admitted connection in its client's cap once the client is
 * known; false (the connection is to be closed) when the cap is reached. */
bool admit_client(struct server *srv, const struct cfg_server *cfg,
                  const struct sockaddr_storage *peer, struct slot *slot);
/* Gives back what admit counted. */
void admit_release(struct server *srv, const struct slot *slot);
/* Connections the descriptor limit leaves room for (0: no limit), once
 * n_workers workers hold their descriptors. */
int admit_fd_cap(size_t n_workers);

/* ---- throttle.c -------------------------------------------------------- */

/* Counts a request of peer against server.rate_limit; over it, fills *out
 * with the protocol's refusal for the request line and returns true. */
bool throttle(struct server *srv, const struct cfg_server *cfg,
              enum proto proto, const struct sockaddr_storage *peer,
              const char *line, size_t len, struct response *out);

/* ---- worker.c ---------------------------------------------------------- */

/* One thread: its own event set, listeners and connections. */
struct worker {
    struct server *srv;
    pthread_t thread;
    bool started;
    int ev;         /* the event set */
    int reserve_fd; /* closed to make room when accept hits EMFILE */
    struct listener *ls;
    size_t n_ls;
    struct view view;
    struct deadlines deadlines; /* of its connections */
    size_t n_conns;
    bool stopping;
    long long stop_at_ms;
    long long accept_paused_until_ms; /* 0 = accepting */
};

/* The worker's event set, its reserve descriptor and the wake eventfd. */
int worker_init(struct worker *w, struct server *srv);
/* Registers the worker's listeners (the array is taken over). */
int worker_listen(struct worker *w, struct listener *ls, size_t n);
int worker_start(struct worker *w);
/* Closes what the worker holds (once its thread has ended). */
void worker_free(struct worker *w);

/* ---- conn.c ------------------------------------------------------------ */

/* Takes over an accepted connection (fd, and the slots admit counted) and
 * registers it with w's event set. proxied: it starts with a PROXY header,
 * whose client is then counted (admit_client). */
void conn_open(struct worker *w, int fd, enum proto proto, bool proxied,
               const struct sockaddr_storage *peer, const struct slot *slot);
/* src (an EV_CONN) is ready: steps it as far as it can go. */
void conn_ready(struct worker *w, struct ev_source *src, bool hangup);
/* d, a connection's deadline, is due: a response still being taken goes
 * on (d moves down the list) unless grace_over; anything else is closed. */
void conn_timed_out(struct worker *w, struct deadline *d, long long now,
                    bool grace_over);
/* Closes every connection of w, without a word to the peers. */
void conn_close_all(struct worker *w);

#endif
