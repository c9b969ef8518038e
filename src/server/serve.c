/* `capsuled serve [--takeover] [CAPSULE-DIR]`: read the configuration,
 * make sure every Gemini host has a certificate (generated ones in the
 * state directory), bind (or take systemd's sockets, or the running
 * instance's with --takeover), drop privileges, and only then load the
 * content, as the user the server runs as; confine, start the workers,
 * tell the service manager (sd_notify) and a predecessor that it serves,
 * then spend the main thread on signals, on the capsule's files and on a
 * successor asking for the sockets.
 *
 * Content is built on a thread of its own (job.c): cmark cannot be
 * interrupted and is quadratic on some inputs, so the main thread only
 * starts a build, keeps taking signals, and swaps the snapshot in once it
 * is done, or stops waiting after server.build_timeout and goes on serving
 * the last good one. SIGTERM stops the server at once whatever a build is
 * doing; the build is left behind. */
#include "cli.h"
#include "server.h"

#include "capsuled/buf.h"
#include "capsuled/site.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum {
    TICK_MS = 250,        /* longest wait for a signal; the stat polling pace */
    SETTLE_MS = 10,       /* after an inotify event, before building: the
                             events of one save come within it (a rename
                             follows its write by microseconds); more push
                             it back. A reload keeps what did not change,
                             so a checkout that outlasts it costs a second,
                             mostly kept, build */
    RETRY_MS = 1000,      /* after a failed rebuild, before trying again */
    STOP_GRACE_MS = 2000, /* for responses in flight at SIGTERM */
};

/* Signals only the main thread takes, besides SIGINT, SIGTERM, SIGHUP and
 * SIGUSR1: inotify has events (watch.c), a build has ended (job.c). */
#define SIG_WATCH SIGIO
#define SIG_BUILT SIGUSR2

/* One snapshot build, on its own thread. */
struct build {
    struct job *job;
    char *path;             /* what capsule_load is given */
    struct capsule *prev;   /* the live snapshot when it began: what is
                               unchanged is kept from it (capsule_reload) */
    atomic_size_t host;     /* the host whose site is being built */
    struct capsule *result; /* NULL: failed, the reasons in diags */
    struct diags diags;
    long long started_ms;
    long long seen_ms;      /* the change it builds was first seen then */
    long long ended_ms;     /* set by the build's thread, read after join */
    long long cpu_ms;       /* the build thread's CPU time, the same way */
    uint64_t files_before; /* the live snapshot's files' state at start */
    bool abandoned;        /* ran past build_timeout: result discarded */
    bool for_hup;          /* certificates are reloaded after it */
    bool for_reload;       /* READY=1 follows its end (RELOADING=1 sent) */
};

struct serve {
    struct server srv;
    struct config boot;  /* read before the first build: listeners,
                            certificates, user, chroot */
    char *load_path;     /* what capsule_load is given (changes on chroot) */
    char *state_dir;     /* generated certificates; NULL: none can be named */
    bool taking_over;    /* serve --takeover */
    int predecessor;     /* --takeover: told once this instance serves */
    struct takeover takeover; /* for a successor */
    struct capsule *cur; /* main thread's reference to the live snapshot */
    /* Replaced snapshots the workers may still hold: freed (and their
     * memory given back) once the main thread's reference is the last. */
    struct capsule **retired;
    size_t n_retired;
    char *last_failure; /* diags of the last failed rebuild, said once */
    bool chrooted;
    struct watch watch;
    struct build *build; /* in flight (perhaps abandoned), or NULL */
    bool told_waiting;   /* said that a change waits for it */
    /* What asks for the next build. */
    bool force_build, certs_after_build; /* SIGHUP */
    bool reloading; /* RELOADING=1 sent; READY=1 after the next build */
    long long settle_at;    /* an inotify event: build then (0: none) */
    long long seen_at;      /* the first event not built yet (0: none) */
    uint64_t settle_state;  /* the files' state at that event */
    bool settled;           /* ...found again after the pause: the state
                               the build about to start begins from */
    bool failing;           /* the last build failed: retry now and then */
    bool unsettled;         /* a file was being written: wait for stable */
    uint64_t polled;        /* the files' state at the last poll... */
    long long polled_at;    /* ...taken then */
    uint64_t given_up;      /* the files' state a build gave up on */
    long long next_retry;
};

static void log_diags(const struct diags *d)
{
    struct buf b = {0};
    diags_format(d, &b);
    char *save = NULL;
    for (char *line = b.data ? strtok_r(b.data, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save))
        log_msg("%s", line);
    buf_free(&b);
}

/* ---- start-up ------------------------------------------------------------ */

/* Started as root, a generated pair belongs to the user the server runs
 * as, so that SIGHUP can still read the key after the drop. */
static void give_to_server_user(const struct config *cfg,
                                const struct cfg_host *h)
{
    uid_t uid;
    gid_t gid;
    if (geteuid() != 0 || priv_target_ids(cfg, &uid, &gid) < 0)
        return;
    if (chown(h->key_file, uid, gid) < 0 || chown(h->cert_file, uid, gid) < 0)
        log_msg("%s: cannot hand the certificate to uid %d: %s", h->name,
                (int)uid, strerror(errno));
}

/* Hosts without a configured certificate get theirs generated in the
 * state directory, which is made when one needs it. */
static int place_certificates(struct serve *s, struct config *cfg)
{
    if (config_certs_placed(cfg))
        return 0;
    if (!s->state_dir) {
        log_msg("no state directory for the generated certificates (HOME "
                "is not set): set STATE_DIRECTORY, or gemini.cert and "
                "gemini.key");
        return -1;
    }
    config_place_certs(cfg, s->state_dir);
    return 0;
}

static int make_state_dir(const struct serve *s)
{
    if (state_dir_make(s->state_dir) < 0) {
        log_msg("state directory %s: %s", s->state_dir, strerror(errno));
        return -1;
    }
    log_msg("state directory %s", s->state_dir);
    return 0;
}

static int ensure_certificates(const struct config *cfg)
{
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++) {
        bool generated = false;
        const struct cfg_host *h = &cfg->gemini.hosts[i];
        if (cert_ensure(h, &generated) < 0)
            return -1;
        if (generated) {
            log_msg("generated a self-signed certificate for %s: %s",
                    h->name, h->cert_file);
            give_to_server_user(cfg, h);
        }
    }
    return 0;
}

static int open_listeners(const struct cfg_listen *specs, size_t n,
                          enum proto proto, bool first, struct listener **ls,
                          size_t *nls)
{
    for (size_t i = 0; i < n; i++) {
        if (listen_open(&specs[i], proto, first, ls, nls) < 0) {
            char where[300];
            listen_describe(&specs[i], where, sizeof where);
            log_msg("cannot listen on %s (%s): %s", where,
                    proto_name(proto),
                    strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Bit (1 << proto): a protocol whose sockets come from elsewhere. */
static unsigned proto_bit(enum proto p)
{
    return 1u << p;
}

/* One worker's sockets: duplicates of the inherited ones, and its own
 * SO_REUSEPORT sockets for every enabled protocol not in skip. */
static int worker_sockets(const struct config *cfg, bool first,
                          const struct inherited *socks, size_t n_socks,
                          unsigned skip, struct listener **ls, size_t *n)
{
    if (inherit_dup(socks, n_socks, ls, n) < 0) {
        log_msg("cannot share the inherited sockets: %s", strerror(errno));
        return -1;
    }
    const struct {
        bool on;
        const struct cfg_listen *specs;
        size_t n;
        enum proto p;
    } all[] = {
        {cfg->gemini.enabled, cfg->gemini.listen, cfg->gemini.n_listen,
         PROTO_GEMINI},
        {cfg->gopher.enabled, cfg->gopher.listen, cfg->gopher.n_listen,
         PROTO_GOPHER},
        {cfg->finger.enabled, cfg->finger.listen, cfg->finger.n_listen,
         PROTO_FINGER},
        {cfg->spartan.enabled, cfg->spartan.listen, cfg->spartan.n_listen,
         PROTO_SPARTAN},
    };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i].on && !(skip & proto_bit(all[i].p)) &&
            open_listeners(all[i].specs, all[i].n, all[i].p, first, ls, n) <
                0)
            return -1;
    return 0;
}

/* Every worker gets its sockets for every address: its own (SO_REUSEPORT)
 * or duplicates of the inherited ones. */
static int bind_all(struct server *srv, const struct config *cfg,
                    const struct inherited *socks, size_t n_socks,
                    unsigned skip)
{
    for (size_t w = 0; w < srv->n_workers; w++) {
        struct listener *ls = NULL;
        size_t n = 0;
        if (worker_sockets(cfg, w == 0, socks, n_socks, skip, &ls, &n) < 0) {
            for (size_t i = 0; i < n; i++)
                close(ls[i].fd);
            free(ls);
            return -1;
        }
        if (server_add_listeners(srv, w, ls, n) < 0)
            return -1;
    }
    return 0;
}

static void log_inherited(const char *how, const struct inherited *socks,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char where[80];
        inherit_describe(socks[i].fd, where, sizeof where);
        log_msg("%s: %s on %s", how, proto_name(socks[i].proto), where);
    }
}

/* Sockets taken over for a protocol this configuration does not enable
 * are closed; protocols it enables that came without sockets are bound. */
static unsigned keep_enabled(const struct config *cfg,
                             struct inherited *socks, size_t *n)
{
    unsigned got = 0;
    unsigned on = (cfg->gemini.enabled ? proto_bit(PROTO_GEMINI) : 0) |
                  (cfg->gopher.enabled ? proto_bit(PROTO_GOPHER) : 0) |
                  (cfg->finger.enabled ? proto_bit(PROTO_FINGER) : 0) |
                  (cfg->spartan.enabled ? proto_bit(PROTO_SPARTAN) : 0);
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        if (on & proto_bit(socks[i].proto)) {
            got |= proto_bit(socks[i].proto);
            socks[kept++] = socks[i];
        } else {
            log_msg("takeover: %s is not enabled here; its socket is closed",
                    proto_name(socks[i].proto));
            close(socks[i].fd);
        }
    }
    *n = kept;
    return got;
}

static int take_over(struct serve *s, const struct config *cfg)
{
    char *path = s->state_dir ? takeover_path(s->state_dir, s->load_path)
                              : NULL;
    struct inherited *socks = NULL;
    size_t n = 0;
    int rc = -1;
    if (!path)
        log_msg("--takeover: no state directory to find the instance in");
    else if (takeover_take(path, &socks, &n, &s->predecessor) == 0) {
        log_inherited("takeover", socks, n);
        unsigned got = keep_enabled(cfg, socks, &n);
        rc = bind_all(&s->srv, cfg, socks, n, got);
        inherit_close(socks, n);
    }
    free(path);
    return rc;
}

/* The listening sockets: the predecessor's with --takeover; under socket
 * activation systemd's, and nothing is bound; else bound here. */
static int open_sockets(struct serve *s, const struct config *cfg)
{
    struct server *srv = &s->srv;
    if (s->taking_over)
        return take_over(s, cfg);
    if (!activation_present())
        return bind_all(srv, cfg, NULL, 0, 0);
    struct inherited *socks = NULL;
    size_t n = 0;
    if (activation_take(cfg, &socks, &n) < 0)
        return -1;
    log_inherited("socket activation", socks, n);
    int rc = bind_all(srv, cfg, socks, n, ~0u);
    inherit_close(socks, n);
    return rc;
}

/* Each connection is a descriptor: the soft limit (often 1024) would cap
 * the server below max_connections, so take what the hard limit allows. */
static void raise_fd_limit(const struct config *cfg)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (cfg->server.max_connections > 0 &&
        rl.rlim_cur < (rlim_t)cfg->server.max_connections + 64)
        log_msg("descriptor limit %llu is below max_connections %d",
                (unsigned long long)rl.rlim_cur, cfg->server.max_connections);
}

static size_t worker_count(const struct config *cfg)
{
    if (cfg->server.workers > 0)
        return (size_t)cfg->server.workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* In a chroot the capsule directory is "/", and the config file keeps its
 * own name when one was given instead of a directory. */
static char *path_inside_chroot(const char *load_path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (strncmp(load_path, dir, n) == 0 && load_path[n] == '/')
        return xstrdup(load_path + n);
    return xstrdup("/");
}

static int drop_privileges(struct serve *s)
{
    const struct config *cfg = &s->boot;
    char *root = NULL;
    if (cfg->server.chroot && geteuid() == 0) {
        root = realpath(cfg->dir && *cfg->dir ? cfg->dir : ".", NULL);
        if (!root) {
            log_msg("chroot: %s: %s", cfg->dir, strerror(errno));
            return -1;
        }
    }
    int rc = priv_drop(cfg, root);
    if (rc == 0 && root) {
        char *abs = realpath(s->load_path, NULL);
        char *inside = path_inside_chroot(abs ? abs : s->load_path, root);
        free(abs);
        free(s->load_path);
        s->load_path = inside;
        s->chrooted = true;
    }
    free(root);
    return rc;
}

static void print_urls(const struct config *cfg)
{
    if (cfg->gemini.enabled) {
        for (size_t i = 0; i < cfg->gemini.n_hosts; i++) {
            const struct cfg_host *h = &cfg->gemini.hosts[i];
            char fp[128] = "(unreadable)";
            cert_fingerprint(h->cert_file, fp, sizeof fp);
            printf("gemini://%s:%d/\n  certificate SHA-256 %s\n", h->name,
                   cfg->gemini.port, fp);
        }
    }
    if (cfg->gopher.enabled)
        printf("gopher://%s:%d/\n", cfg->gopher.host, cfg->gopher.port);
    if (cfg->finger.enabled && cfg->finger.n_listen)
        printf("finger @%s (port %d)\n", cfg->gopher.host,
               cfg->finger.listen[0].port);
    if (cfg->spartan.enabled)
        printf("spartan://%s:%d/\n", cfg->spartan.host, cfg->spartan.port);
    fflush(stdout);
}

/* ---- builds ----------------------------------------------------------------- */

static void build_run(void *arg)
{
    struct build *b = arg;
    b->result = capsule_reload(b->path, b->prev, &b->diags, &b->host);
    b->ended_ms = mono_ms();
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) == 0)
        b->cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000LL +
                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static void build_free(struct build *b)
{
    capsule_unref(b->result);
    capsule_unref(b->prev);
    diags_free(&b->diags);
    free(b->path);
    free(b);
}

/* Starts a build of the capsule; s->build stays NULL when no thread can be
 * started (logged). */
static void start_build(struct serve *s, long long now)
{
    struct build *b = xcalloc(1, sizeof *b);
    b->path = xstrdup(s->load_path);
    b->prev = capsule_ref(s->cur);
    atomic_init(&b->host, 0);
    b->started_ms = now;
    b->seen_ms = s->seen_at ? s->seen_at : now;
    s->seen_at = 0;
    /* Just taken when an event's pause ended: not stat'ed again. */
    b->files_before = !s->cur ? 0
                      : s->settled ? s->settle_state
                                   : capsule_files_state(s->cur);
    s->settled = false;
    b->for_hup = s->certs_after_build;
    b->for_reload = s->reloading;
    b->job = job_start(build_run, b, SIG_BUILT);
    if (!b->job) {
        log_msg("cannot start a build: %s", strerror(errno));
        build_free(b);
        s->failing = true;
        s->next_retry = now + RETRY_MS;
        return;
    }
    s->force_build = s->certs_after_build = s->reloading = false;
    s->settle_at = 0;
    s->told_waiting = false;
    s->build = b;
}

/* The page of the host the build was at: the one that is slow. */
static void say_too_slow(const struct config *cfg, struct build *b,
                         const char *then)
{
    char *page = site_page_path(cfg, atomic_load(&b->host));
    log_msg("%s: build took longer than server.build_timeout (%g s); %s",
            page, cfg->server.build_timeout_ms / 1000.0, then);
    free(page);
}

/* ---- reloads --------------------------------------------------------------- */

static bool same_listen(const struct cfg_listen *a, size_t na,
                        const struct cfg_listen *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].port != b[i].port ||
            strcmp(a[i].addr ? a[i].addr : "", b[i].addr ? b[i].addr : ""))
            return false;
    return true;
}

static void note_unapplied(const struct config *old, const struct config *new)
{
    if (!same_listen(old->gemini.listen, old->gemini.n_listen,
                     new->gemini.listen, new->gemini.n_listen) ||
        !same_listen(old->gopher.listen, old->gopher.n_listen,
                     new->gopher.listen, new->gopher.n_listen) ||
        !same_listen(old->finger.listen, old->finger.n_listen,
                     new->finger.listen, new->finger.n_listen) ||
        !same_listen(old->spartan.listen, old->spartan.n_listen,
                     new->spartan.listen, new->spartan.n_listen) ||
        old->gemini.enabled != new->gemini.enabled ||
        old->gopher.enabled != new->gopher.enabled ||
        old->finger.enabled != new->finger.enabled ||
        old->spartan.enabled != new->spartan.enabled)
        log_msg("listen addresses changed: restart to apply");
    if (old->server.workers != new->server.workers)
        log_msg("worker count changed: restart to apply");
    if (strcmp(old->server.access_log ? old->server.access_log : "-",
               new->server.access_log ? new->server.access_log : "-"))
        log_msg("access log path changed: restart to apply");
    if (old->server.chroot != new->server.chroot ||
        old->server.landlock != new->server.landlock ||
        strcmp(old->server.user ? old->server.user : "",
               new->server.user ? new->server.user : ""))
        log_msg("privilege settings changed: restart to apply");
}

static void report_failure(struct serve *s, const struct diags *d)
{
    struct buf b = {0};
    diags_format(d, &b);
    if (!s->last_failure || strcmp(s->last_failure, b.data ? b.data : "")) {
        log_msg("rebuild failed; still serving the last good snapshot:");
        log_diags(d);
        free(s->last_failure);
        s->last_failure = xstrdup(b.data ? b.data : "");
    }
    buf_free(&b);
}

/* Free memory the process may keep beyond what is in use: the next build
 * needs about a snapshot's worth again, and memory given back must be
 * faulted in anew by it (on a site of thousands of pages that doubled the
 * time from an edit to its reader). */
enum { KEEP_FREE_SLACK = 16 * 1024 * 1024 };

/* Memory freed in the builder's or the workers' arenas stays with the
 * process unless given back: a big snapshot replaced by a small one would
 * keep its size for good. Given back when more is free than in use (and a
 * margin): a snapshot replaced by one of its size is not. */
static void give_memory_back(void)
{
    struct mallinfo2 mi = mallinfo2();
    if (mi.fordblks > mi.uordblks + KEEP_FREE_SLACK)
        malloc_trim(0);
}

/* glibc raises its mmap and trim thresholds each time a large block is
 * freed (up to 32 MiB and twice that), after which a big snapshot's memory
 * stays at the top of the builder's arena, where malloc_trim does not
 * reach. Fixed thresholds keep big blocks mapped on their own; an arena's
 * top is trimmed on its own only past the slack the next build reuses
 * (give_memory_back trims the rest when a snapshot shrinks). */
static void fix_malloc_thresholds(void)
{
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

/* The main thread's reference to a replaced snapshot is kept until the
 * workers have let theirs go, so the moment it is freed is known here. */
static void retire(struct serve *s, struct capsule *old)
{
    s->retired = xrealloc(s->retired, (s->n_retired + 1) * sizeof *s->retired);
    s->retired[s->n_retired++] = old;
}

static void release_retired(struct serve *s)
{
    size_t kept = 0;
    bool freed = false;
    for (size_t i = 0; i < s->n_retired; i++) {
        if (capsule_unshared(s->retired[i])) {
            capsule_unref(s->retired[i]);
            freed = true;
        } else {
            s->retired[kept++] = s->retired[i];
        }
    }
    s->n_retired = kept;
    if (freed)
        give_memory_back();
}

static void swap_in(struct serve *s, struct build *b)
{
    struct capsule *c = b->result;
    b->result = NULL;
    free(s->last_failure);
    s->last_failure = NULL;
    s->failing = s->unsettled = false;
    s->given_up = 0;
    note_unapplied(&s->cur->cfg, &c->cfg);
    log_set_anonymize(c->cfg.server.anonymize);
    if (diags_count(&b->diags, DIAG_WARNING))
        log_diags(&b->diags);
    retire(s, s->cur);
    s->cur = c;
    server_swap(&s->srv, capsule_ref(c), NULL);
    watch_sync(&s->watch, c);
    long long live = mono_ms();
    log_msg("content reloaded (built in %lld ms, %lld ms of CPU; live %lld "
            "ms after it began, %lld ms after the change was seen)",
            b->ended_ms - b->started_ms, b->cpu_ms, live - b->started_ms,
            live - b->seen_ms);
}

/* SIGHUP: connections in flight keep the TLS contexts they were accepted
 * with. */
static void reload_certificates(struct serve *s)
{
    const struct config *cfg = &s->cur->cfg;
    if (!cfg->gemini.enabled)
        return;
    if (!s->chrooted && ensure_certificates(cfg) < 0)
        return;
    struct tls_set *t = tls_set_new(cfg);
    if (!t) {
        log_msg("certificates not reloaded; keeping the current ones");
        return;
    }
    server_swap(&s->srv, NULL, t);
    log_msg("certificates reloaded");
}

/* A build that ended: its snapshot goes live unless it failed, was given
 * up on, or read a file that changed meanwhile (a half-written page). */
static void finish_build(struct serve *s, long long now)
{
    struct build *b = s->build;
    s->build = NULL;
    job_join(b->job);
    if (b->abandoned) {
        log_msg("the abandoned build ended after %.1f s; its result is "
                "discarded", (now - b->started_ms) / 1000.0);
    } else if (!b->result) {
        report_failure(s, &b->diags);
        s->failing = true;
        s->next_retry = now + RETRY_MS;
    } else if (capsule_changed(b->result)) {
        log_msg("a file changed while it was read; building again once it "
                "is written");
        s->unsettled = true;
    } else if (place_certificates(s, &b->result->cfg) < 0) {
        log_msg("still serving the last good snapshot");
    } else {
        swap_in(s, b);
    }
    if (b->for_hup)
        reload_certificates(s);
    if (b->for_reload)
        notify("READY=1");
    build_free(b);
    give_memory_back();
}

static void check_build_time(struct serve *s, long long now)
{
    struct build *b = s->build;
    const struct config *cfg = &s->cur->cfg;
    if (!b->abandoned && now - b->started_ms >= cfg->server.build_timeout_ms) {
        b->abandoned = true;
        s->given_up = b->files_before;
        say_too_slow(cfg, b, "still serving the last good snapshot");
        if (b->for_hup)
            reload_certificates(s);
        if (b->for_reload)
            notify("READY=1");
        b->for_hup = b->for_reload = false;
    }
}

/* ---- when to build ------------------------------------------------------------ */

/* Stat polling: a change, and the files unchanged for one interval since
 * (a file being written changes size or mtime within it). */
static bool polled_change(struct serve *s, long long now)
{
    if (now - s->polled_at < TICK_MS)
        return false;
    s->polled_at = now;
    if (!capsule_changed(s->cur)) {
        s->polled = 0;
        return false;
    }
    uint64_t state = capsule_files_state(s->cur);
    bool stable = state == s->polled;
    s->polled = state;
    if (!stable)
        return false;
    if (s->failing)
        return now >= s->next_retry;
    return state != s->given_up;
}

/* An inotify event is followed by a short pause: a file written again
 * within it (no event: it is being written) waits for its own event, or
 * for stat polling to find it stable. */
static bool settled_event(struct serve *s, long long now)
{
    if (now < s->settle_at)
        return false;
    s->settle_at = 0;
    if (capsule_files_state(s->cur) == s->settle_state)
        return s->settled = true;
    s->unsettled = true;
    return false;
}

static bool build_due(struct serve *s, long long now)
{
    if (s->force_build)
        return true;
    if (s->settle_at)
        return settled_event(s, now);
    /* With inotify, stat is needed only when a build could not use what
     * it read; without it, always. */
    if (watch_active(&s->watch) && !s->failing && !s->unsettled)
        return false;
    return polled_change(s, now);
}

static void read_events(struct serve *s, long long now)
{
    if (!watch_read(&s->watch, s->failing || s->unsettled))
        return;
    if (!s->seen_at)
        s->seen_at = now;
    s->settle_at = now + SETTLE_MS;
    s->settle_state = capsule_files_state(s->cur);
    if (s->watch.stale)
        watch_sync(&s->watch, s->cur);
}

/* At most one build runs: a change while an abandoned one still does waits
 * for it to end. */
static void say_waiting(struct serve *s)
{
    if (s->told_waiting || !s->build->abandoned ||
        !(s->force_build || s->settle_at ||
          capsule_files_state(s->cur) != s->build->files_before))
        return;
    s->told_waiting = true;
    log_msg("a change waits for the abandoned build to end");
}

static void step(struct serve *s)
{
    long long now = mono_ms();
    release_retired(s);
    read_events(s, now);
    if (s->build && job_done(s->build->job))
        finish_build(s, now);
    if (s->build) {
        check_build_time(s, now);
        say_waiting(s);
    } else if (build_due(s, now)) {
        start_build(s, now);
    }
}

/* How long the main thread may sleep: until the next poll, the end of an
 * event's pause, or the build's time limit. */
static long long next_wake_ms(const struct serve *s)
{
    long long now = mono_ms(), wait = TICK_MS;
    /* An event's pause ends only matter once no build runs. */
    if (s->settle_at && !s->build && s->settle_at - now < wait)
        wait = s->settle_at - now;
    if (s->build && !s->build->abandoned) {
        long long end = s->build->started_ms +
                        s->cur->cfg.server.build_timeout_ms;
        if (end - now < wait)
            wait = end - now;
    }
    return wait > 0 ? wait : 0;
}

/* ---- the main thread --------------------------------------------------------- */

static void block_signals(sigset_t *set)
{
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIG_WATCH,
                        SIG_BUILT};
    sigemptyset(set);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaddset(set, sigs[i]);
    /* Blocked before any thread starts, so only this thread takes them. */
    pthread_sigmask(SIG_BLOCK, set, NULL);
    /* A shell starting us in the background hands down SIGINT ignored,
     * and an ignored signal is dropped before sigtimedwait can see it. */
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
}

/* The next signal, or 0 after ms milliseconds. */
static int next_signal(const sigset_t *set, long long ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    return sigtimedwait(set, NULL, &t);
}

static bool is_stop(int sig)
{
    if (sig != SIGINT && sig != SIGTERM)
        return false;
    log_msg("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    notify("STOPPING=1");
    return true;
}

static void run_until_stopped(struct serve *s, const sigset_t *set)
{
    for (;;) {
        int sig = next_signal(set, next_wake_ms(s));
        if (is_stop(sig))
            return;
        if (sig == SIGHUP) {
            log_msg("SIGHUP: reloading configuration and certificates");
            notify_reloading();
            s->force_build = s->reloading = true;
            s->certs_after_build = true;
            if (s->build && s->build->abandoned) {
                reload_certificates(s); /* not after that build */
                s->certs_after_build = false;
            }
        } else if (sig == SIGUSR1) {
            log_reopen();
        }
        step(s);
        if (takeover_poll(&s->takeover, &s->srv)) {
            log_msg("takeover: the new instance serves; finishing the "
                    "requests in flight");
            notify("STOPPING=1");
            return;
        }
    }
}

static int usage(void)
{
    fputs("usage: capsuled serve [--takeover] [CAPSULE-DIR]\n", stderr);
    return 2;
}

/* Warnings and errors in full; notes (empty links, repairs made) only
 * counted, since `capsuled check` is where a writer reads them. */
static void print_first_diags(const struct diags *d, const char *path)
{
    struct buf b = {0};
    diags_format_min(d, DIAG_WARNING, &b);
    if (b.len)
        fputs(b.data, stderr);
    size_t notes = d->n - diags_count(d, DIAG_WARNING);
    if (notes)
        fprintf(stderr, "%zu note%s about the content: capsuled check %s\n",
                notes, notes == 1 ? "" : "s", path);
    buf_free(&b);
}

/* The configuration alone, read before binding: the content is read only
 * once privileges are dropped. */
static int read_boot_config(struct serve *s)
{
    struct diags d = {0};
    int rc = config_load(s->load_path, &s->boot, &d);
    if (rc < 0)
        print_first_diags(&d, s->load_path);
    diags_free(&d);
    return rc;
}

/* Waits for the first build, within build_timeout. 0 when it has ended;
 * 2 when it took too long (said); -1 when told to stop meanwhile. */
static int await_first_build(struct serve *s, const sigset_t *set)
{
    const struct config *cfg = &s->boot;
    long long end = s->build->started_ms + cfg->server.build_timeout_ms;
    while (!job_done(s->build->job)) {
        long long left = end - mono_ms();
        if (left <= 0) {
            s->build->abandoned = true;
            say_too_slow(cfg, s->build, "not starting");
            return 2;
        }
        int sig = next_signal(set, left < TICK_MS ? left : TICK_MS);
        if (is_stop(sig))
            return -1;
        if (sig == SIGUSR1)
            log_reopen();
    }
    return 0;
}

/* The first content, built as the user the server runs as. 0 with s->cur
 * set; 2 when it failed or took too long; -1 when told to stop. */
static int first_build(struct serve *s, const sigset_t *set)
{
    start_build(s, mono_ms());
    if (!s->build)
        return 2;
    int rc = await_first_build(s, set);
    if (rc != 0)
        return rc;
    struct build *b = s->build;
    s->build = NULL;
    job_join(b->job);
    print_first_diags(&b->diags, s->load_path);
    if (b->result && place_certificates(s, &b->result->cfg) < 0) {
        capsule_unref(b->result);
        b->result = NULL;
    }
    s->cur = b->result;
    b->result = NULL;
    build_free(b);
    return s->cur ? 0 : 2;
}

/* The first snapshot goes live: watched, confined, then served. 0 serving,
 * else the exit status. */
static int go_live(struct serve *s)
{
    log_set_anonymize(s->cur->cfg.server.anonymize);
    server_swap(&s->srv, capsule_ref(s->cur), NULL);
    /* Before Landlock, which allows reading only what the snapshot has. */
    watch_init(&s->watch);
    watch_sync(&s->watch, s->cur);
    /* A chroot already hides the rest of the filesystem. */
    if (s->cur->cfg.server.landlock && !s->chrooted && confine(s->cur) < 0) {
        log_msg("landlock: not serving unconfined (server.landlock: false "
                "serves without it)");
        return 1;
    }
    if (server_start(&s->srv) < 0) {
        log_msg("cannot start the workers: %s", strerror(errno));
        return 1;
    }
    log_msg("serving with %zu worker%s", s->srv.n_workers,
            s->srv.n_workers == 1 ? "" : "s");
    print_urls(&s->cur->cfg);
    notify("READY=1\nSTATUS=serving with %zu worker%s", s->srv.n_workers,
           s->srv.n_workers == 1 ? "" : "s");
    if (s->predecessor >= 0) {
        takeover_ready(s->predecessor);
        s->predecessor = -1;
        log_msg("takeover: serving; the old instance stops accepting");
    }
    return 0;
}

/* A later `serve --takeover` finds this instance on a socket in the state
 * directory (made as root, before the privileges are dropped). */
static void listen_for_successor(struct serve *s)
{
    char *path = s->state_dir ? takeover_path(s->state_dir, s->load_path)
                              : NULL;
    if (path)
        takeover_listen(&s->takeover, path);
    free(path);
}

/* 0 serving, -1 stopped by a signal before serving, else the exit status. */
static int start(struct serve *s, const sigset_t *set)
{
    struct config *cfg = &s->boot;
    if (log_open(cfg->server.access_log) < 0) {
        log_msg("cannot open the access log %s: %s", cfg->server.access_log,
                strerror(errno));
        return 1;
    }
    log_set_anonymize(cfg->server.anonymize);
    notify_open();
    raise_fd_limit(cfg);
    bool need_dir = !config_certs_placed(cfg) || s->taking_over;
    if (place_certificates(s, cfg) < 0 ||
        (s->state_dir && make_state_dir(s) < 0 && need_dir))
        return 1;
    struct tls_set *tls = NULL;
    if (cfg->gemini.enabled) {
        if (ensure_certificates(cfg) < 0 || !(tls = tls_set_new(cfg)))
            return 1;
    }
    size_t n_workers = worker_count(cfg);
    if (server_init(&s->srv, n_workers, NULL, tls, STOP_GRACE_MS) < 0) {
        /* server_init took the reference; server_stop releases it */
        log_msg("cannot create the event loop: %s", strerror(errno));
        return 1;
    }
    if (open_sockets(s, cfg) < 0)
        return 1;
    listen_for_successor(s);
    if (drop_privileges(s) < 0)
        return 1;
    int rc = first_build(s, set);
    return rc != 0 ? rc : go_live(s);
}

/* A build still running is left behind: the process exits without it. */
static void finish(struct serve *s)
{
    if (s->build && job_done(s->build->job)) {
        job_join(s->build->job);
        build_free(s->build);
    }
    for (size_t i = 0; i < s->n_retired; i++)
        capsule_unref(s->retired[i]);
    free(s->retired);
    capsule_unref(s->cur);
    watch_close(&s->watch);
    config_free(&s->boot);
    free(s->load_path);
    free(s->state_dir);
    takeover_close(&s->takeover);
    if (s->predecessor >= 0)
        close(s->predecessor);
    free(s->last_failure);
    notify_close();
    log_close();
}

int cli_serve(int argc, char **argv)
{
    struct serve s = {.watch.fd = -1, .predecessor = -1,
                      .takeover = {-1, -1, NULL}};
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--takeover") == 0)
            s.taking_over = true;
        else if (argv[i][0] == '-' || dir)
            return usage();
        else
            dir = argv[i];
    }
    fix_malloc_thresholds();
    s.load_path = xstrdup(dir ? dir : "capsule");
    s.state_dir = state_dir_path();
    sigset_t set;
    block_signals(&set);
    if (read_boot_config(&s) < 0) {
        config_free(&s.boot);
        free(s.load_path);
        free(s.state_dir);
        return 2;
    }
    int rc = start(&s, &set);
    if (rc == 0)
        run_until_stopped(&s, &set);
    if (s.srv.workers)
        server_stop(&s.srv);
    finish(&s);
    return rc < 0 ? 0 : rc;
}
