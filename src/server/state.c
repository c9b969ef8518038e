/* The state directory: what capsuled writes for itself, kept out of the
 * site (Jekyll would publish a key there, and `git add .` commit it):
 * generated certificates and keys, and the takeover socket. systemd names
 * it in $STATE_DIRECTORY (StateDirectory=); otherwise the XDG base
 * directory specification's $XDG_STATE_HOME/capsuled, by default
 * ~/.local/state/capsuled, and /var/lib/capsuled for root, as the
 * Filesystem Hierarchy Standard places a daemon's state. */
#include "server.h"

#include "capsuled/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool set(const char *v)
{
    return v && *v;
}

/* systemd gives several directories, colon-separated, when a unit has
 * several: the first is this one. */
static char *first_of(const char *list)
{
    return xstrndup(list, strcspn(list, ":"));
}

char *state_dir_path(void)
{
    const char *systemd = getenv("STATE_DIRECTORY");
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    struct buf b = {0};
    if (set(systemd))
        return first_of(systemd);
    if (geteuid() == 0)
        return xstrdup("/var/lib/capsuled");
    if (set(xdg) && xdg[0] == '/')
        buf_printf(&b, "%s/capsuled", xdg);
    else if (set(home))
        buf_printf(&b, "%s/.local/state/capsuled", home);
    else
        return NULL;
    return buf_detach(&b);
}

int state_dir_make(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            rc = -1;
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    struct stat st;
    if (rc == 0 && stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        rc = -1;
    }
    return rc;
}
