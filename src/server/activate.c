/* systemd socket activation, the protocol itself (sd_listen_fds(3)): when
 * LISTEN_PID is this process, LISTEN_FDS sockets start at descriptor 3, and
 * LISTEN_FDNAMES may name them (colon-separated, FileDescriptorName=). A
 * socket named after a protocol serves it; an unnamed one (or one named
 * otherwise) serves the protocol whose configured listen addresses have its
 * port. A socket that fits no protocol, or more than one, stops the start:
 * serving it as a guess would answer TLS on the Gopher port. */
#include "server.h"

#include "capsuled/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FIRST_FD = 3, MAX_FDS = 256 };

bool activation_present(void)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    return pid && fds && strtol(pid, NULL, 10) == (long)getpid();
}

/* The name LISTEN_FDNAMES gives socket i, copied into out ("" when none). */
static void name_of(const char *names, size_t i, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t k = 0; names && k < i; k++) {
        names = strchr(names, ':');
        if (names)
            names++;
    }
    if (!names)
        return;
    size_t n = strcspn(names, ":");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), names);
}

static bool name_to_proto(const char *name, enum proto *p)
{
    static const enum proto all[] = {PROTO_GEMINI, PROTO_GOPHER,
                                     PROTO_FINGER, PROTO_SPARTAN};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcmp(name, proto_name(all[i])) == 0) {
            *p = all[i];
            return true;
        }
    return false;
}

static bool enabled(const struct config *cfg, enum proto p)
{
    return p == PROTO_GEMINI   ? cfg->gemini.enabled
           : p == PROTO_GOPHER ? cfg->gopher.enabled
           : p == PROTO_FINGER ? cfg->finger.enabled
                               : cfg->spartan.enabled;
}

static bool has_port(const struct cfg_listen *l, size_t n, int port)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].port == port)
            return true;
    return false;
}

/* The enabled protocols whose listen addresses have port: how many. */
static int match_port(const struct config *cfg, int port, enum proto *p)
{
    int found = 0;
    if (cfg->gemini.enabled &&
        has_port(cfg->gemini.listen, cfg->gemini.n_listen, port))
        found++, *p = PROTO_GEMINI;
    if (cfg->gopher.enabled &&
        has_port(cfg->gopher.listen, cfg->gopher.n_listen, port))
        found++, *p = PROTO_GOPHER;
    if (cfg->finger.enabled &&
        has_port(cfg->finger.listen, cfg->finger.n_listen, port))
        found++, *p = PROTO_FINGER;
    if (cfg->spartan.enabled &&
        has_port(cfg->spartan.listen, cfg->spartan.n_listen, port))
        found++, *p = PROTO_SPARTAN;
    return found;
}

/* Which protocol socket fd serves; -1 (logged) when that cannot be told. */
static int classify(const struct config *cfg, int fd, const char *name,
                    enum proto *p)
{
    char where[80];
    inherit_describe(fd, where, sizeof where);
    if (name_to_proto(name, p)) {
        if (enabled(cfg, *p))
            return 0;
        log_msg("socket activation: socket %d (%s) is named %s, but %s is "
                "not enabled in the configuration", fd, where, name, name);
        return -1;
    }
    int n = match_port(cfg, inherit_port(fd), p);
    if (n == 1)
        return 0;
    log_msg("socket activation: socket %d (%s%s%s) %s; name it gemini, "
            "gopher, finger or spartan (FileDescriptorName=)", fd, where,
            *name ? ", named " : "", name,
            n ? "has a port that several protocols listen on"
              : "has no configured protocol's port");
    return -1;
}

/* Warns about an enabled protocol that got no socket: it is not served. */
static void note_missing(const struct config *cfg,
                         const struct inherited *s, size_t n)
{
    static const enum proto all[] = {PROTO_GEMINI, PROTO_GOPHER,
                                     PROTO_FINGER, PROTO_SPARTAN};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) {
        bool got = false;
        for (size_t i = 0; i < n; i++)
            got |= s[i].proto == all[k];
        if (enabled(cfg, all[k]) && !got)
            log_msg("socket activation: no socket for %s, which is not "
                    "served", proto_name(all[k]));
    }
}

/* LISTEN_* are for this process only: not for anything it starts. */
static void forget_environment(void)
{
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
}

int activation_take(const struct config *cfg, struct inherited **out,
                    size_t *n_out)
{
    long n = strtol(getenv("LISTEN_FDS"), NULL, 10);
    char *names = getenv("LISTEN_FDNAMES") ? xstrdup(getenv("LISTEN_FDNAMES"))
                                           : NULL;
    forget_environment();
    *out = NULL;
    *n_out = 0;
    int rc = n > 0 && n <= MAX_FDS ? 0 : -1;
    if (rc < 0)
        log_msg("socket activation: LISTEN_FDS=%ld is not a number of "
                "sockets", n);
    struct inherited *s = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s);
    for (long i = 0; rc == 0 && i < n; i++) {
        char name[64];
        int fd = FIRST_FD + (int)i;
        name_of(names, (size_t)i, name, sizeof name);
        s[i].fd = fd;
        if (inherit_check(fd) < 0) {
            log_msg("socket activation: descriptor %d is not a listening "
                    "TCP socket: %s", fd, strerror(errno));
            rc = -1;
        } else {
            rc = classify(cfg, fd, name, &s[i].proto);
        }
    }
    free(names);
    if (rc < 0) {
        free(s);
        return -1;
    }
    note_missing(cfg, s, (size_t)n);
    *out = s;
    *n_out = (size_t)n;
    return 0;
}
