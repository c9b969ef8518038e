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
 * A Jekyll site's directories are watched whole (capsuled/sitedirs.h):
 * any entry of theirs written, added or removed matters, but an editor's
 * swap and backup files, so a new post or page is noticed with no stat
 * of any file.
 *
 * When inotify is not available (no instance or watch left under the
 * user's limits, a directory that cannot be watched), the caller polls the
 * files with stat instead. */
#include "server.h"

#include "capsuled/sitedirs.h"

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

/* One watched directory and the names in it that matter; when whole, all
 * of them but editors' own and the folders NAMES lists (left out). */
struct watched {
    int wd;
    char *dir;
    char **names;
    size_t n_names;
    bool whole;
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

/* Watches DIR: its entry, NULL when inotify was given up. Two spellings
 * of one directory get the same descriptor from the kernel, and share an
 * entry. */
static struct watched *watch_dir(struct watch *w, const char *dir)
{
    int wd = inotify_add_watch(w->fd, dir, DIR_EVENTS);
    if (wd < 0) {
        int err = errno;
        give_up(w, dir, err);
        return NULL;
    }
    struct watched *d = by_wd(w, wd);
    if (!d) {
        w->dirs = xrealloc(w->dirs, (w->n_dirs + 1) * sizeof *w->dirs);
        d = &w->dirs[w->n_dirs++];
        *d = (struct watched){.wd = wd, .dir = xstrdup(dir)};
    }
    return d;
}

/* The whole directory spelled DIR, when there is one: its files need no
 * watch of their own. */
static struct watched *whole_by_name(struct watch *w, const char *dir)
{
    for (size_t i = 0; i < w->n_dirs; i++)
        if (w->dirs[i].whole && strcmp(w->dirs[i].dir, dir) == 0)
            return &w->dirs[i];
    return NULL;
}

/* A directory of the snapshot removed since (a folder of pages deleted):
 * its parent's event has asked for the build that forgets it, so it is
 * passed over rather than costing inotify. */
static bool vanished(const char *dir)
{
    struct stat st;
    return stat(dir, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

static bool vanished_site_dir(const struct capsule *c, const char *dir)
{
    const char *p;
    for (size_t i = 0; (p = capsule_dir_path(c, i)); i++)
        if (strcmp(p, dir) == 0)
            return vanished(dir);
    return false;
}

/* Watches path's directory for path's name. */
static int watch_name(struct watch *w, const struct capsule *c,
                      const char *path)
{
    char *d_copy = xstrdup(path), *b_copy = xstrdup(path);
    const char *dir = dirname(d_copy), *name = basename(b_copy);
    struct watched *d = whole_by_name(w, dir);
    bool skip = !d && vanished_site_dir(c, dir);
    /* The kernel may give a whole directory's descriptor for another
     * spelling of it: its names are those left out, never a file's. */
    if (!d && !skip && (d = watch_dir(w, dir)) && !d->whole)
        add_name(d, name);
    free(d_copy);
    free(b_copy);
    return d || skip ? 0 : -1;
}

/* Where a file of the snapshot really is, when that is elsewhere (a page
 * symlinked from another folder); NULL when it is where it is named. A
 * file of a whole directory is elsewhere only when it is a symlink itself:
 * one lstat instead of resolving each folder of its path. */
static char *real_elsewhere(struct watch *w, const char *path)
{
    char *d_copy = xstrdup(path);
    bool in_whole = whole_by_name(w, dirname(d_copy)) != NULL;
    free(d_copy);
    struct stat st;
    if (in_whole && (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode)))
        return NULL;
    char *real = realpath(path, NULL);
    if (real && strcmp(real, path) == 0) {
        free(real);
        return NULL;
    }
    return real;
}

/* The folders left out of a whole directory: their names, which matter
 * not, are its names. */
static void note_skipped(struct watch *w, const struct capsule *c)
{
    const char *path;
    for (size_t i = 0; (path = capsule_skipped_path(c, i)); i++) {
        char *d_copy = xstrdup(path), *b_copy = xstrdup(path);
        struct watched *d = whole_by_name(w, dirname(d_copy));
        if (d)
            add_name(d, basename(b_copy));
        free(d_copy);
        free(b_copy);
    }
}

static int watch_whole_dirs(struct watch *w, const struct capsule *c)
{
    const char *dir;
    for (size_t i = 0; (dir = capsule_dir_path(c, i)); i++) {
        if (vanished(dir))
            continue;
        struct watched *d = watch_dir(w, dir);
        if (!d)
            return -1;
        d->whole = true;
    }
    note_skipped(w, c);
    return 0;
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
    int rc = watch_whole_dirs(w, c);
    for (size_t i = 0; rc == 0 && (path = capsule_file_path(c, i)); i++) {
        rc = watch_name(w, c, path);
        /* A page symlinked from elsewhere changes where it really is. */
        char *real = rc == 0 ? real_elsewhere(w, path) : NULL;
        if (real)
            rc = watch_name(w, c, real);
        free(real);
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
    bool listed = false;
    for (size_t i = 0; !listed && i < d->n_names; i++)
        listed = strcmp(d->names[i], ev->name) == 0;
    bool known = any_name || (d->whole ? !listed &&
                                             !site_dirs_ignored_name(ev->name)
                                       : listed);
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
