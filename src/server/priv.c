/* Dropping root. Ports below 1024 need root to bind; nothing after that
 * does, so once the listeners are open and the keys are loaded the process
 * becomes an unprivileged user for good (and, if asked, sees only the
 * capsule directory). */
#include "server.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int priv_target_ids(const struct config *cfg, uid_t *uid, gid_t *gid)
{
    const char *user = cfg->server.user && *cfg->server.user
                           ? cfg->server.user
                           : "nobody";
    const char *group = cfg->server.group && *cfg->server.group
                            ? cfg->server.group
                            : "nogroup";
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        log_msg("privileges: no user '%s'", user);
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    struct group *gr = getgrnam(group);
    if (gr)
        *gid = gr->gr_gid;
    else if (cfg->server.group && *cfg->server.group)
        log_msg("privileges: no group '%s'; using %s's primary group", group,
                user);
    if (*uid == 0) {
        log_msg("privileges: refusing to run as root ('%s')", user);
        return -1;
    }
    return 0;
}

static int enter_chroot(const char *dir)
{
    if (chroot(dir) < 0 || chdir("/") < 0) {
        log_msg("privileges: chroot %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* The bounding set caps what any later execve could gain. no_new_privs
 * already rules that out, so a container that denies CAP_SETPCAP only gets
 * a warning. Per thread: this runs before the workers exist. */
static void drop_bounding_set(void)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            log_msg("privileges: cannot empty the capability bounding set: "
                    "%s", strerror(errno));
            return;
        }
    }
}

int priv_drop(const struct config *cfg, const char *chroot_dir)
{
    if (geteuid() != 0)
        return 0;
    uid_t uid;
    gid_t gid;
    /* Names are resolved before a chroot hides /etc. */
    if (priv_target_ids(cfg, &uid, &gid) < 0)
        return -1;
    if (chroot_dir && enter_chroot(chroot_dir) < 0)
        return -1;
    drop_bounding_set();
    if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
        setresuid(uid, uid, uid) < 0) {
        log_msg("privileges: cannot switch to uid %d gid %d: %s", (int)uid,
                (int)gid, strerror(errno));
        return -1;
    }
    /* Paranoia: a kernel or libc that silently kept root must not go on. */
    if (setuid(0) == 0 || geteuid() == 0) {
        log_msg("privileges: still root after dropping");
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        log_msg("privileges: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    log_msg("privileges dropped to uid %d gid %d%s%s", (int)uid, (int)gid,
            chroot_dir ? ", chroot " : "", chroot_dir ? chroot_dir : "");
    return 0;
}
