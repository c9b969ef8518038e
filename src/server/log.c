/* The access log and server messages. Each line is formatted in a local
 * buffer, its control bytes escaped, and written with one write(2), so
 * lines from different workers never interleave. Reopening swaps the file under the same descriptor
 * number with dup2, so writers never see a closed descriptor. */
#include "server.h"

#include "capsuled/buf.h"
#include "capsuled/utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = STDERR_FILENO;
static char *log_path; /* NULL when logging to stderr */
static atomic_bool anonymize;

static int open_log_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int log_open(const char *path)
{
    if (!path || !*path || strcmp(path, "-") == 0)
        return 0;
    int fd = open_log_file(path);
    if (fd < 0)
        return -1;
    log_path = xstrdup(path);
    log_fd = fd;
    return 0;
}

void log_reopen(void)
{
    if (!log_path)
        return;
    int fd = open_log_file(log_path);
    if (fd < 0) {
        log_msg("access log: cannot reopen %s: %s", log_path, strerror(errno));
        return;
    }
    dup2(fd, log_fd);
    close(fd);
}

void log_close(void)
{
    if (log_path) {
        close(log_fd);
        log_fd = STDERR_FILENO;
        free(log_path);
        log_path = NULL;
    }
}

void log_set_anonymize(bool on)
{
    atomic_store(&anonymize, on);
}

static void write_line(int fd, const char *line, size_t len)
{
    /* Short writes to a log are not retried: a line is one write. */
    ssize_t rc = write(fd, line, len);
    (void)rc;
}

/* 2025-01-31T12:34:56.789Z */
static size_t format_time(char *out, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    int m = snprintf(out + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
    return n + (m > 0 ? (size_t)m : 0);
}

/* Anonymised, the client's key (peer_key_of, as the caps and the rate limit
 * see it) cut to its network: IPv4 keeps its /24, IPv6 its /48, enough to
 * see networks, not people. */
static void format_peer(const struct sockaddr *sa, char *out, size_t size)
{
    struct peer_key key;
    if (!peer_key_of(sa, &key)) {
        snprintf(out, size, "-");
    } else if (atomic_load(&anonymize)) {
        key = peer_key_network(key);
        peer_key_format(&key, out, size);
    } else if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)size);
    } else {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  out, (socklen_t)size);
    }
}

void log_access(const struct sockaddr *peer, enum proto proto,
                const char *target, int status, size_t bytes,
                long long micros)
{
    char when[40], addr[INET6_ADDRSTRLEN], what[300], line[512];
    format_time(when, sizeof when);
    format_peer(peer, addr, sizeof addr);
    /* The target is client-controlled: one field of one line. */
    if (!target || !*target)
        target = "-";
    utf8_escape_controls(what, sizeof what, target, strlen(target), true);
    int n = snprintf(line, sizeof line, "%s %s %s %s %d %zu %lldus\n", when,
                     addr, proto_name(proto), what,
                     status, bytes, micros);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    write_line(log_fd, line, (size_t)n);
}

/* Messages carry file names and values from the capsule's files: control
 * bytes are escaped, so a message stays one line and sends nothing to the
 * terminal (ESC) or to whoever reads the log. */
void log_msg(const char *fmt, ...)
{
    char msg[2048], line[2048];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = m < 0 ? 0 : (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;
    size_t n = format_time(line, sizeof line);
    n += (size_t)snprintf(line + n, sizeof line - n, " capsuled: ");
    n += utf8_escape_controls(line + n, sizeof line - n - 1, msg, len, false);
    line[n++] = '\n';
    write_line(STDERR_FILENO, line, n);
}
