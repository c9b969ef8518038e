/* Reading content files: beneath the capsule directory through openat2
 * with RESOLVE_BENEATH (the same check made with realpath where the kernel
 * has no openat2), never blocking, only regular files, never past a cap.
 * The why: a capsule directory is edited by people and tools the server
 * trusts with its content only, so a symlink in it to /etc/shadow, a FIFO
 * or /dev/zero must give an error, not a secret, a hang or an OOM. */
#include "capsuled/file.h"

#include "capsuled/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

/* O_NONBLOCK: opening a FIFO must not wait for a writer, nor a device for
 * its line; reading a regular file ignores it. */
#define READ_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

enum file_mode file_mode_of(const char *name)
{
    if (name[0] == '/')
        return FILE_NAMED;
    for (const char *s = name; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return FILE_NAMED;
        s += n;
        s += *s == '/';
    }
    return FILE_BENEATH;
}

static char *join(const char *dir, const char *name)
{
    struct buf b = {0};
    size_t n = strlen(dir);
    buf_printf(&b, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
    return buf_detach(&b);
}

/* --- beneath the capsule directory --- */

static int openat2_beneath(int dirfd, const char *name)
{
    struct open_how how = {
        .flags = READ_FLAGS,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);
}

/* Where ROOT/NAME really is, when that is inside ROOT: the real path, with
 * *rest pointing at its part below the real ROOT. Returns 0, EXDEV when it
 * is outside, or realpath's errno. */
static int resolve_inside(const char *root, const char *name, char **real,
                          const char **rest)
{
    char *real_root = realpath(root, NULL);
    int err = real_root ? 0 : errno;
    *real = NULL;
    if (!err) {
        char *path = join(root, name);
        *real = realpath(path, NULL);
        err = *real ? 0 : errno;
        free(path);
    }
    if (!err) {
        size_t n = strcmp(real_root, "/") == 0 ? 0 : strlen(real_root);
        if (strncmp(*real, real_root, n) == 0 && (*real)[n] == '/')
            *rest = *real + n + 1;
        else
            err = EXDEV;
    }
    free(real_root);
    if (err) {
        free(*real);
        *real = NULL;
    }
    return err;
}

/* RESOLVE_BENEATH refuses every absolute symlink, also one that names a
 * file of the capsule by its full path (`ln -s "$PWD/pages/a.md" about.md`).
 * Such a link is resolved here, and when it lands inside the capsule, the
 * remainder is opened beneath it again: a change in between meets the same
 * check. */
static int reopen_absolute_link(int dirfd, const char *root, const char *name)
{
    char *real;
    const char *rest;
    int fd = -1;
    if (resolve_inside(root, name, &real, &rest) == 0) {
        fd = openat2_beneath(dirfd, rest);
        int saved = errno;
        free(real);
        errno = saved;
    } else {
        errno = EXDEV; /* a link out, or dangling: outside either way */
    }
    return fd;
}

/* The path /proc gives for fd equals want; true when /proc cannot tell
 * (inside a chroot), since the realpath check came first. */
static bool proc_agrees(int fd, const char *want)
{
    char link[64], got[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, got, sizeof got - 1);
    if (n < 0)
        return true;
    got[n] = '\0';
    return strcmp(got, want) == 0;
}

/* Without openat2 (Linux < 5.6, or a seccomp filter that denies it): the
 * real path must lie inside the real root; it is opened without following
 * a last symlink, and /proc, where present, confirms what was opened. */
static int open_by_realpath(const char *root, const char *name)
{
    char *real;
    const char *rest;
    int err = resolve_inside(root, name, &real, &rest);
    if (err) {
        errno = err;
        return -1;
    }
    int fd = open(real, READ_FLAGS | O_NOFOLLOW);
    if (fd >= 0 && !proc_agrees(fd, real)) {
        close(fd);
        fd = -1;
        errno = EXDEV;
    }
    free(real);
    return fd;
}

int file_open_beneath(int dirfd, const char *root, const char *name,
                      bool use_openat2)
{
    if (use_openat2) {
        int fd = openat2_beneath(dirfd, name);
        if (fd >= 0)
            return fd;
        if (errno == EXDEV)
            return reopen_absolute_link(dirfd, root, name);
        if (errno != ENOSYS && errno != EPERM)
            return -1;
    }
    return open_by_realpath(root, name);
}

/* --- opening by mode --- */

static int open_beneath_root(const char *root, const char *name)
{
    int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return -1;
    int fd = file_open_beneath(dirfd, root, name, true);
    int saved = errno;
    close(dirfd);
    errno = saved;
    return fd;
}

/* A named path is looked at before it is opened, so that a device named by
 * mistake is not even opened (opening some has effects); the open itself
 * refuses a last symlink (ELOOP) and fstat checks again after it. */
static int open_named(const char *path, enum file_mode mode, bool *symlink,
                      bool *irregular)
{
    struct stat st;
    int rc = mode == FILE_NAMED ? lstat(path, &st) : stat(path, &st);
    if (rc == 0 && S_ISLNK(st.st_mode)) {
        *symlink = true;
        return -1;
    }
    if (rc == 0 && !S_ISREG(st.st_mode)) {
        *irregular = true;
        return -1;
    }
    int fd = open(path, READ_FLAGS | (mode == FILE_NAMED ? O_NOFOLLOW : 0));
    *symlink = fd < 0 && errno == ELOOP && mode == FILE_NAMED;
    return fd;
}

static int fail(struct file_content *out, enum file_status status, int err)
{
    free(out->data);
    *out = (struct file_content){.status = status, .err = err};
    return -1;
}

static int open_by_mode(const char *root, const char *name,
                        enum file_mode mode, struct file_content *out)
{
    if (mode == FILE_BENEATH) {
        int fd = open_beneath_root(root, name);
        if (fd < 0)
            fail(out, errno == EXDEV ? FILE_OUTSIDE : FILE_ERRNO, errno);
        return fd;
    }
    char *path = name[0] == '/' ? xstrdup(name) : join(root, name);
    bool symlink = false, irregular = false;
    int fd = open_named(path, mode, &symlink, &irregular);
    int err = errno;
    free(path);
    if (fd < 0)
        fail(out, symlink     ? FILE_SYMLINK
                  : irregular ? FILE_NOT_REGULAR
                  : err == ENXIO ? FILE_NOT_REGULAR /* a socket */
                              : FILE_ERRNO,
             err);
    return fd;
}

/* --- reading --- */

/* Reads to the end, never more than max_bytes + 1 bytes: a file that grows
 * while it is read is refused, not followed. size_hint is fstat's size. */
static int read_capped(int fd, size_t size_hint, size_t max_bytes,
                       struct file_content *out)
{
    size_t cap = size_hint + 1, len = 0; /* one more: to see the end */
    char *data = xmalloc(cap + 1);
    for (;;) {
        if (len == cap) {
            if (cap > max_bytes)
                break;
            cap = cap > max_bytes / 2 ? max_bytes + 1 : cap * 2;
            data = xrealloc(data, cap + 1);
        }
        ssize_t n = read(fd, data + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(data);
            return fail(out, FILE_ERRNO, errno);
        }
        if (n == 0)
            break;
        bool short_read = (size_t)n < cap - len;
        len += (size_t)n;
        /* Asked for one byte more than fstat said and got its size
         * exactly: the end, without a read to see it (a file that grew
         * would have filled the byte; a short read of less goes on). */
        if (short_read && len == size_hint)
            break;
    }
    data[len] = '\0';
    *out = (struct file_content){.data = data, .len = len};
    return len > max_bytes ? fail(out, FILE_TOO_LARGE, 0) : 0;
}

static int read_regular(int fd, size_t max_bytes, struct file_content *out)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return fail(out, FILE_ERRNO, errno);
    if (!S_ISREG(st.st_mode))
        return fail(out, FILE_NOT_REGULAR, 0);
    if ((uintmax_t)st.st_size > max_bytes)
        return fail(out, FILE_TOO_LARGE, 0);
    return read_capped(fd, (size_t)st.st_size, max_bytes, out);
}

int file_read(const char *root, const char *name, enum file_mode mode,
              size_t max_bytes, struct file_content *out)
{
    *out = (struct file_content){0};
    if (max_bytes == 0)
        max_bytes = FILE_MAX_BYTES_DEFAULT;
    int fd = open_by_mode(root && *root ? root : ".", name, mode, out);
    if (fd < 0)
        return -1;
    int rc = read_regular(fd, max_bytes, out);
    close(fd);
    return rc;
}

struct timespec file_load_start(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec -= 10 * 1000 * 1000;
    if (t.tv_nsec < 0) {
        t.tv_nsec += 1000 * 1000 * 1000;
        t.tv_sec--;
    }
    return t;
}

int file_read_at(int dirfd, const char *root, const char *name,
                 size_t max_bytes, struct file_content *out)
{
    *out = (struct file_content){0};
    if (max_bytes == 0)
        max_bytes = FILE_MAX_BYTES_DEFAULT;
    int fd = file_open_beneath(dirfd, root, name, true);
    if (fd < 0)
        return fail(out, errno == EXDEV ? FILE_OUTSIDE : FILE_ERRNO, errno);
    int rc = read_regular(fd, max_bytes, out);
    close(fd);
    return rc;
}

void file_report(const struct file_content *f, const char *shown,
                 size_t max_bytes, struct diags *diags)
{
    if (max_bytes == 0)
        max_bytes = FILE_MAX_BYTES_DEFAULT;
    switch (f->status) {
    case FILE_OK:
        return;
    case FILE_OUTSIDE:
        diags_add(diags, DIAG_ERROR, shown, 0, "outside the capsule "
                  "directory (a symlink or '..' leads out of it); name a "
                  "file elsewhere by its real path in capsule.yaml");
        return;
    case FILE_SYMLINK:
        diags_add(diags, DIAG_ERROR, shown, 0, "is a symlink; a file outside "
                  "the capsule directory is named by its real path");
        return;
    case FILE_NOT_REGULAR:
        diags_add(diags, DIAG_ERROR, shown, 0, "not a regular file");
        return;
    case FILE_TOO_LARGE:
        diags_add(diags, DIAG_ERROR, shown, 0, "larger than "
                  "server.max_file_bytes (%zu bytes)", max_bytes);
        return;
    case FILE_ERRNO:
        break;
    }
    diags_add(diags, DIAG_ERROR, shown, 0, "cannot read: %s", strerror(f->err));
}

void file_content_free(struct file_content *f)
{
    free(f->data);
    *f = (struct file_content){0};
}
