/* Landlock. Once the listeners are bound and the keys loaded, capsuled
 * needs the filesystem only to re-read its capsule (live reload), its
 * certificates (SIGHUP) and to append to its access log, and the network
 * only through the sockets it already holds. A Landlock domain holds the
 * process to exactly that: a flaw in a parser could not read the rest of
 * the machine, open a connection, or signal another process.
 *
 * Landlock needs no privileges and is inherited by the worker threads
 * started after it. A kernel without it is logged, and serving goes on; a
 * kernel with it that refuses the domain (or any rule the domain needs)
 * stops the start, as gmid's sandbox does: never serve unconfined by
 * surprise. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rights newer than the headers of Debian 12 (Linux 6.1). */
#define FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
#define NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)        /* ABI 6 */

/* struct landlock_ruleset_attr as of ABI 6; older kernels get the prefix
 * they know. */
struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

static const uint64_t READ = LANDLOCK_ACCESS_FS_READ_FILE |
                             LANDLOCK_ACCESS_FS_READ_DIR;
/* Certificates are written beside their target and renamed over it. */
static const uint64_t REPLACE_FILES = LANDLOCK_ACCESS_FS_WRITE_FILE |
                                      LANDLOCK_ACCESS_FS_MAKE_REG |
                                      LANDLOCK_ACCESS_FS_REMOVE_FILE;
/* A rotated log is reopened under its old name: appended or created. */
static const uint64_t APPEND_FILES = LANDLOCK_ACCESS_FS_WRITE_FILE |
                                     LANDLOCK_ACCESS_FS_MAKE_REG;
/* The rights a rule on a file, not a directory, may carry. */
static const uint64_t FILE_RIGHTS = LANDLOCK_ACCESS_FS_EXECUTE |
                                    LANDLOCK_ACCESS_FS_WRITE_FILE |
                                    LANDLOCK_ACCESS_FS_READ_FILE |
                                    FS_TRUNCATE | FS_IOCTL_DEV;

struct ruleset {
    int fd;
    uint64_t handled;
    size_t n_rules;
};

static long ll_create(const struct ruleset_attr *attr, size_t size,
                      uint32_t flags)
{
    return syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

static uint64_t fs_rights_of(long abi)
{
    uint64_t r = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
    if (abi >= 2)
        r |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        r |= FS_TRUNCATE;
    if (abi >= 5)
        r |= FS_IOCTL_DEV;
    return r;
}

/* Everything this kernel can deny is denied unless a rule allows it. */
static int ruleset_open(long abi, struct ruleset *rs)
{
    struct ruleset_attr attr = {.handled_access_fs = fs_rights_of(abi)};
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 4) {
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
        size += sizeof attr.handled_access_net;
    }
    if (abi >= 6) {
        attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
        size += sizeof attr.scoped;
    }
    rs->handled = attr.handled_access_fs;
    rs->n_rules = 0;
    rs->fd = (int)ll_create(&attr, size, 0);
    return rs->fd < 0 ? -1 : 0;
}

/* A path this process cannot reach needs no rule: one that does not exist
 * (yet), where a file created later is refused, which a reload reports
 * like any unreadable file; one behind a directory the server's user may
 * not search, which it could not open without Landlock either. */
static bool unreachable(int err)
{
    return err == ENOENT || err == ENOTDIR || err == EACCES ||
           err == ELOOP || err == ENAMETOOLONG;
}

static int add_rule(struct ruleset *rs, int fd, uint64_t rights)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rights &= FILE_RIGHTS;
    struct landlock_path_beneath_attr pb = {
        .allowed_access = rights & rs->handled,
        .parent_fd = fd,
    };
    return (int)syscall(SYS_landlock_add_rule, rs->fd,
                        LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}

/* -1 (logged) when a path the server needs gets no rule. */
static int allow(struct ruleset *rs, const char *path, uint64_t rights)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0 && unreachable(errno))
        return 0;
    int rc = fd < 0 ? -1 : add_rule(rs, fd, rights);
    if (rc < 0)
        log_msg("landlock: cannot allow %s: %s", path, strerror(errno));
    else
        rs->n_rules++;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The directory holding path, and the one holding the file it resolves to:
 * a certificate, log or configuration file given on the command line may
 * be a symlink. A page symlinked out of the capsule never gets here (the
 * load refuses it, see capsuled/file.h), so for pages both are inside. */
static int allow_dir_of(struct ruleset *rs, const char *path,
                        uint64_t rights)
{
    if (!path || !*path)
        return 0;
    char *copy = xstrdup(path);
    int rc = allow(rs, dirname(copy), rights);
    free(copy);
    char *real = realpath(path, NULL);
    if (real) {
        rc |= allow(rs, dirname(real), rights);
        free(real);
    }
    return rc;
}

static int allow_hosts(struct ruleset *rs, const struct config *cfg)
{
    int rc = 0;
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++) {
        const struct cfg_host *h = &cfg->gemini.hosts[i];
        if (h->root && *h->root)
            rc |= allow(rs, h->root, READ);
        if (cfg->gemini.enabled) {
            rc |= allow_dir_of(rs, h->cert_file, READ | REPLACE_FILES);
            rc |= allow_dir_of(rs, h->key_file, READ | REPLACE_FILES);
        }
    }
    return rc;
}

/* Every path serving c needs; -1 when one of them got no rule (each such
 * path logged). */
static int allow_capsule(struct ruleset *rs, const struct capsule *c)
{
    const struct config *cfg = &c->cfg;
    int rc = allow(rs, cfg->dir && *cfg->dir ? cfg->dir : ".", READ);
    rc |= allow_hosts(rs, cfg);
    for (size_t i = 0; i < c->n_files; i++)
        rc |= allow_dir_of(rs, capsule_file_path(c, i), READ);
    const char *log = cfg->server.access_log;
    if (log && *log && strcmp(log, "-") != 0)
        rc |= allow_dir_of(rs, log, APPEND_FILES);
    /* The workers' reserve descriptor, reopened after each use. */
    rc |= allow(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE);
#if defined(__SANITIZE_ADDRESS__)
    /* LeakSanitizer reads the process's own maps and threads at exit. */
    char self[64];
    snprintf(self, sizeof self, "/proc/%d", (int)getpid());
    rc |= allow(rs, self, READ);
#endif
    return rc;
}

/* Without privileges, a domain may only be entered under no_new_privs
 * (set already when root was dropped). */
static int enter(const struct ruleset *rs)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
        syscall(SYS_landlock_restrict_self, rs->fd, 0) == 0)
        return 0;
    log_msg("landlock: cannot enter the domain: %s", strerror(errno));
    return -1;
}

/* The kernel's Landlock ABI, or 0 when it has no Landlock: built without
 * it (ENOSYS) or booted with it off (EOPNOTSUPP), logged. Any other
 * failure to ask is a failure like the others: -1, logged. */
static long landlock_abi(void)
{
    long abi = ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi >= 1)
        return abi;
    int err = errno;
    if (err == ENOSYS || err == EOPNOTSUPP) {
        log_msg("landlock: not available (%s); serving without it",
                strerror(err));
        return 0;
    }
    log_msg("landlock: cannot ask the kernel for its ABI: %s", strerror(err));
    return -1;
}

int confine(const struct capsule *c)
{
    long abi = landlock_abi();
    if (abi <= 0)
        return (int)abi;
    struct ruleset rs;
    if (ruleset_open(abi, &rs) < 0) {
        log_msg("landlock: cannot create a ruleset: %s", strerror(errno));
        return -1;
    }
    int rc = allow_capsule(&rs, c) < 0 ? -1 : enter(&rs);
    close(rs.fd);
    if (rc == 0)
        log_msg("landlock (ABI %ld): files limited to %zu paths (capsule, "
                "certificates, log)%s", abi, rs.n_rules,
                abi >= 4 ? "; no new TCP connections or listeners" : "");
    return rc;
}
