/* Watching the files a snapshot was built from, with inotify.
 *
 * The watches are on the directories holding the files, not on the files:
 * editors save by writing another file and renaming it over the old one,
 * and a watch on the old file would be lost with it. A directory reports,
 * for the names of interest, a file closed after writing, one moved in,
 * created or deleted, and a change of attributes: the moments a file is
 * whole, never the middle of a rewrite. The events are read without
 * blocking; SIGIO says there are some (the main thread waits for signals).
 *
 * When inotify is not available (no instance or watch left under the
 * user's limits, a directory that cannot be watched), the caller polls the
 * files with stat instead. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_EVENTS                                                          \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | \
     IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* One watched directory and the names in it that matter. */
struct watched {
    int wd;
    char *dir;
    char **names;
    size_t n_names;
};

static void watched_free(struct watched *d)
{
    free(d->dir);
    for (size_t i = 0; i < d->n_names; i++)
        free(d->names[i]);
    free(d->names);
}

static void forget_all(struct watch *w)
{
    for (size_t i = 0; i < w->n_dirs; i++)
        watched_free(&w->dirs[i]);
    free(w->dirs);
    w->dirs = NULL;
    w->n_dirs = 0;
}

static void give_up(struct watch *w, const char *what, int err)
{
    log_msg("watching the capsule by polling its files (inotify: %s%s%s)",
            what ? what : "", what ? ": " : "", strerror(err));
    forget_all(w);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

void watch_init(struct watch *w)
{
    *w = (struct watch){.fd = -1};
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        give_up(w, NULL, errno);
        return;
    }
    /* SIGIO to this process, which only the main thread takes. */
    if (fcntl(fd, F_SETOWN, getpid()) < 0 ||
        fcntl(fd, F_SETFL, O_NONBLOCK | O_ASYNC) < 0) {
        int err = errno;
        close(fd);
        give_up(w, NULL, err);
        return;
    }
    w->fd = fd;
}

bool watch_active(const struct watch *w)
{
    return w->fd >= 0;
}

static struct watched *by_wd(struct watch *w, int wd)
{
    for (size_t i = 0; i < w->n_dirs; i++)
        if (w->dirs[i].wd == wd)
            return &w->dirs[i];
    return NULL;
}

static void add_name(struct watched *d, const char *name)
{
    for (size_t i = 0; i < d->n_names; i++)
        if (strcmp(d->names[i], name) == 0)
            return;
    d->names = xrealloc(d->names, (d->n_names + 1) * sizeof *d->names);
    d->names[d->n_names++] = xstrdup(name);
}

/* Watches path's directory for path's name. Two spellings of one directory
 * get the same descriptor from the kernel, and share an entry. */
static int watch_name(struct watch *w, const char *path)
{
    char *d_copy = xstrdup(path), *b_copy = xstrdup(path);
    const char *dir = dirname(d_copy), *name = basename(b_copy);
    int wd = inotify_add_watch(w->fd, dir, DIR_EVENTS);
    if (wd < 0) {
        int err = errno;
        give_up(w, dir, err);
    } else {
        struct watched *d = by_wd(w, wd);
        if (!d) {
            w->dirs = xrealloc(w->dirs, (w->n_dirs + 1) * sizeof *w->dirs);
            d = &w->dirs[w->n_dirs++];
            *d = (struct watched){.wd = wd, .dir = xstrdup(dir)};
        }
        add_name(d, name);
    }
    free(d_copy);
    free(b_copy);
    return wd < 0 ? -1 : 0;
}

/* Directories watched before but needed no more. */
static void drop_unused(struct watch *w, struct watched *old, size_t n_old)
{
    for (size_t i = 0; i < n_old; i++) {
        if (w->fd >= 0 && !by_wd(w, old[i].wd))
            inotify_rm_watch(w->fd, old[i].wd);
        watched_free(&old[i]);
    }
    free(old);
}

void watch_sync(struct watch *w, const struct capsule *c)
{
    if (w->fd < 0)
        return;
    struct watched *old = w->dirs;
    size_t n_old = w->n_dirs;
    w->dirs = NULL;
    w->n_dirs = 0;
    w->stale = false;
    const char *path;
    for (size_t i = 0; (path = capsule_file_path(c, i)); i++) {
        if (watch_name(w, path) < 0)
            break;
        /* A page symlinked from elsewhere changes where it really is. */
        char *real = realpath(path, NULL);
        int rc = real && strcmp(real, path) ? watch_name(w, real) : 0;
        free(real);
        if (rc < 0)
            break;
    }
    drop_unused(w, old, n_old);
}

/* A regular file just created is being written: its IN_CLOSE_WRITE will
 * say when it is whole. A link to an existing file is whole at once. */
static bool created_empty(const struct watched *d, const char *name)
{
    char *path = xmalloc(strlen(d->dir) + strlen(name) + 2);
    strcpy(path, d->dir);
    strcat(path, "/");
    strcat(path, name);
    struct stat st;
    bool writing = lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
                   st.st_nlink == 1;
    free(path);
    return writing;
}

static bool matters(struct watch *w, const struct inotify_event *ev,
                    bool any_name)
{
    if (ev->mask & IN_Q_OVERFLOW)
        return true;
    struct watched *d = by_wd(w, ev->wd);
    if (!d)
        return false;
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        w->stale = true; /* the directory itself went away */
        return true;
    }
    if (!ev->len)
        return false;
    bool known = any_name;
    for (size_t i = 0; !known && i < d->n_names; i++)
        known = strcmp(d->names[i], ev->name) == 0;
    if (known && (ev->mask & IN_CREATE) && created_empty(d, ev->name))
        return false;
    return known;
}

bool watch_read(struct watch *w, bool any_name)
{
    if (w->fd < 0)
        return false;
    bool seen = false;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            seen |= matters(w, ev, any_name);
            p += sizeof *ev + ev->len;
        }
    }
    return seen;
}

void watch_close(struct watch *w)
{
    forget_all(w);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}
