"""Privileges, tested as root (skipped otherwise): after start every thread
of the server runs as the configured user and group with no capabilities
and no_new_privs; with chroot on it sees only the capsule directory, holds
no descriptor that leads out of it, and cannot read a file outside even
through a symlink; the content is first read after the drop, so a page only
root may read is never published; a symlink out of the capsule is refused in
every mode (chroot, Landlock, neither); bad user settings stop the start.

test_gemini.py checks the main thread's ids, NoNewPrivs, /proc/PID/root and
that serving and reloading go on after the drop; this file adds what those
checks leave out, through the same helpers."""

import ctypes
import errno
import grp
import os
import pwd
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

SECRET = "Outside-the-jail marker 7f3a"
OUTSIDE = "outside the capsule directory"


def target_ids():
    return pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid


def thread_statuses(pid):
    """/proc status of every thread: the ids are per thread in the kernel,
    so a thread started before the drop could keep root."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        out[int(tid)] = ct.proc_status(int(tid))
    return out


def credentials(tap, srv, what):
    uid, gid = target_ids()
    threads = thread_statuses(srv.pid)
    tap.ok(len(threads) >= 2, "%s: the workers are running (%d threads)" %
           (what, len(threads)))
    bad = {}
    for tid, st in threads.items():
        problems = []
        if st["Uid"].split() != [str(uid)] * 4:
            problems.append("Uid " + st["Uid"])
        if st["Gid"].split() != [str(gid)] * 4:
            problems.append("Gid " + st["Gid"])
        if st.get("Groups", "").split() not in ([], [str(gid)]):
            problems.append("Groups " + st.get("Groups", ""))
        for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb", "CapBnd"):
            if int(st.get(cap, "0"), 16) != 0:
                problems.append("%s %s" % (cap, st[cap]))
        if st.get("NoNewPrivs") != "1":
            problems.append("NoNewPrivs " + st.get("NoNewPrivs", "?"))
        if problems:
            bad[tid] = problems
    tap.ok(not bad, "%s: every thread runs as nobody:nogroup (%d:%d), no "
           "supplementary groups, no capabilities (inheritable, permitted, "
           "effective, ambient, bounding), no_new_privs" % (what, uid, gid),
           bad)


def page_shows(port, path, needle, timeout):
    r = ct.gemini_until(port, ct.gemini_url(port, path), needle,
                        seconds=timeout)
    return r.status == "20" and needle in r.text


def count_lines(srv, needle):
    return sum(1 for l in srv.stderr() if needle in l)


def wait_lines(srv, needle, n, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if count_lines(srv, needle) >= n:
            return True
        time.sleep(0.05)
    return False


def write_secret(cap):
    """A page outside the capsule directory that nobody may read."""
    path = os.path.join(cap.dir, "secret.md")
    with open(cap.page, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n\n# Outside\n\n%s\n" % SECRET)
    os.chmod(path, 0o644)
    return path


def point_page_at(cap, target):
    """Replaces the profile with a symlink, as a careless or hostile edit
    of the capsule directory might."""
    keep = cap.page + ".keep"
    if not os.path.exists(keep):
        os.rename(cap.page, keep)
    else:
        os.unlink(cap.page)
    os.symlink(target, cap.page)


def restore_page(cap, extra):
    keep = cap.page + ".keep"
    os.unlink(cap.page)
    with open(keep, encoding="utf-8") as f:
        text = f.read()
    with open(cap.page, "w", encoding="utf-8") as f:
        f.write(text + extra)
    os.chmod(cap.page, 0o644)


def refused_link(tap, cap, srv, what):
    """The page made a symlink to a readable file outside the capsule: the
    rebuild fails saying why, and the last good page stays."""
    p = cap.gemini_port
    secret = write_secret(cap)
    failures = count_lines(srv, "rebuild failed")
    point_page_at(cap, secret)
    # "rebuild failed" and its reasons are separate log writes
    tap.ok(wait_lines(srv, "rebuild failed", failures + 1, 5) and
           srv.wait_stderr(OUTSIDE, 2),
           "%s: a symlink out of the capsule is refused ('%s')" %
           (what, OUTSIDE), "\n".join(srv.stderr()[-5:]))
    time.sleep(0.6)  # a few more reload intervals
    r = ct.gemini(p, ct.gemini_url(p))
    tap.ok(r.status == "20" and "Zhangqiang Ming" in r.text and
           SECRET not in r.text and
           ct.gemini(p, ct.gemini_url(p, "/outside/")).status != "20",
           "%s: the last good page is still served, the outside one never"
           % what)


def dropped(tap):
    """Without chroot or Landlock: ids and capabilities, and a symlink out
    of the capsule is refused all the same (the load opens the page
    beneath the capsule directory)."""
    cap = ct.Capsule()
    cap.write_config(extra_server="  user: nobody\n  group: nogroup\n"
                     "  landlock: false\n")
    srv = ct.start_server(cap)
    try:
        credentials(tap, srv, "dropped")
        refused_link(tap, cap, srv, "without chroot or Landlock")
    finally:
        srv.stop()
        cap.cleanup()


def outside_descriptors(pid, inside):
    """Descriptors naming a path that is not in the capsule directory (or
    /dev/null): a directory among them would be a way out of a chroot."""
    out = []
    fd_dir = "/proc/%d/fd" % pid
    for name in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if not target.startswith("/") or target == "/dev/null":
            continue  # socket:[...], pipe:[...], anon_inode:[...]
        if target != inside and not target.startswith(inside + "/"):
            out.append("%s -> %s" % (name, target))
    return out


def jailed(tap):
    cap = ct.Capsule()
    cap.write_config(extra_server="  user: nobody\n  group: nogroup\n"
                     "  chroot: true\n")
    srv = ct.start_server(cap)
    srv.chrooted = True
    p = cap.gemini_port
    inside = os.path.realpath(cap.capsule)
    proc_root = "/proc/%d/root" % srv.pid
    try:
        credentials(tap, srv, "chroot")
        tap.eq(os.readlink("/proc/%d/cwd" % srv.pid), inside,
               "chroot: the working directory is the capsule (its /)")
        tap.eq(outside_descriptors(srv.pid, inside), [],
               "chroot: no open descriptor leads outside the capsule")
        secret = write_secret(cap)
        tap.ok(os.path.exists(os.path.join(proc_root, "about.md")) and
               not os.path.exists(os.path.join(proc_root, "etc/passwd")) and
               not os.path.exists(os.path.join(proc_root, "secret.md")),
               "chroot: through /proc/PID/root the server sees the capsule "
               "and not /etc or the file beside the capsule")

        for how, target in (("absolute", secret),
                            ("relative", os.path.join("..", "secret.md"))):
            failures = count_lines(srv, "rebuild failed")
            refusals = count_lines(srv, OUTSIDE)
            point_page_at(cap, target)
            tap.ok(wait_lines(srv, "rebuild failed", failures + 1, 5) and
                   count_lines(srv, OUTSIDE) > refusals,
                   "chroot: the %s symlink out of the capsule is refused "
                   "('%s')" % (how, OUTSIDE), "\n".join(srv.stderr()[-5:]))
            r = ct.gemini(p, ct.gemini_url(p))
            tap.ok(r.status == "20" and "Zhangqiang Ming" in r.text and
                   SECRET not in r.text and
                   ct.gemini(p, ct.gemini_url(p, "/outside/")).status != "20",
                   "chroot: %s symlink: the last good page is still served, "
                   "the outside one never" % how)
            # A good page in between: the server reports a failure only
            # when it differs from the last one.
            heading = "Back Inside %s" % how.title()
            restore_page(cap, "\n\n# %s\n\nA plain file again.\n" % heading)
            tap.ok(page_shows(p, "/back-inside-%s/" % how, "plain file", 5),
                   "chroot: a plain page again is picked up by the next "
                   "reload")
        credentials(tap, srv, "chroot, after the reloads")
    finally:
        srv.stop()
        cap.cleanup()


def landlocked(tap):
    """Landlock, on by default: after start the server reads only its
    capsule and certificates and writes only its log and certificates.
    Every path it needs keeps working (reload, SIGHUP with a regenerated
    certificate, SIGUSR1 after rotation); a symlink out is refused."""
    cap = ct.Capsule()
    logs = os.path.join(cap.dir, "logs")
    os.mkdir(logs)
    os.chmod(logs, 0o777)
    log = os.path.join(logs, "access.log")
    cap.write_config(access_log=log)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        if any("landlock: not available" in l for l in srv.stderr()):
            tap.skip("landlock", "this kernel has no Landlock")
            return
        tap.ok(srv.wait_stderr("landlock (ABI", 2),
               "landlock: the domain is entered and logged",
               "\n".join(srv.stderr()[-5:]))
        refused_link(tap, cap, srv, "landlock")
        restore_page(cap, "\n\n# Back Inside\n\nA plain file again.\n")
        tap.ok(page_shows(p, "/back-inside/", "plain file", 5),
               "landlock: a plain page again is picked up by the next reload")
        landlocked_files(tap, cap, srv, log)
    finally:
        srv.stop()
        cap.cleanup()


def landlocked_files(tap, cap, srv, log):
    p = cap.gemini_port
    os.rename(log, log + ".1")
    srv.signal(signal.SIGUSR1)
    time.sleep(0.3)
    ct.gemini(p, ct.gemini_url(p, "/after-rotation"))
    end = time.time() + 5
    while time.time() < end and not (
            os.path.exists(log) and "/after-rotation" in open(log).read()):
        time.sleep(0.1)
    tap.ok(os.path.exists(log) and "/after-rotation" in open(log).read(),
           "landlock: SIGUSR1 after rotation creates the log anew")
    crt = os.path.join(cap.certs, "localhost.crt")
    key = os.path.join(cap.certs, "localhost.key")
    before = open(crt, "rb").read()
    # Made by root at start; the server runs as nobody when the test is
    # root, and only Landlock is to be tested here.
    os.chmod(cap.certs, 0o777)
    os.unlink(crt)
    os.unlink(key)
    reloads = count_lines(srv, "certificates reloaded")
    srv.signal(signal.SIGHUP)
    tap.ok(wait_lines(srv, "certificates reloaded", reloads + 1, 10) and
           os.path.exists(crt) and open(crt, "rb").read() != before,
           "landlock: SIGHUP regenerates a deleted certificate",
           "\n".join(srv.stderr()[-5:]))
    tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
           "landlock: served with the new certificate")


# Landlock's system calls (the same number on every architecture).
LL_CREATE_RULESET, LL_ADD_RULE, LL_RESTRICT_SELF = 444, 445, 446
LL_VERSION = 1  # landlock_create_ruleset's flag that asks for the ABI


def bpf(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)


def seccomp_program(nr, err, only_flags):
    """seccomp BPF: system call nr fails with err; with only_flags set, only
    the calls whose third argument (low half, little-endian) is that."""
    ld_abs, jeq, ret = 0x20, 0x15, 0x06
    fail = bpf(ret, 0x00050000 | err)  # SECCOMP_RET_ERRNO
    allow = bpf(ret, 0x7fff0000)       # SECCOMP_RET_ALLOW
    if only_flags is None:
        return [bpf(ld_abs, 0), bpf(jeq, nr, 0, 1), fail, allow]
    return [bpf(ld_abs, 0), bpf(jeq, nr, 0, 3), bpf(ld_abs, 32),
            bpf(jeq, only_flags, 0, 1), fail, allow]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def failing_syscall(nr, err, only_flags=None):
    """A preexec_fn: in the server, the kernel answers system call nr with
    err (a fault injected through seccomp, as a kernel without Landlock, or
    one refusing it, would answer)."""
    def install():
        code = b"".join(seccomp_program(nr, err, only_flags))
        buf = ctypes.create_string_buffer(code, len(code))
        prog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
        libc = ctypes.CDLL(None, use_errno=True)
        if (libc.prctl(38, 1, 0, 0, 0) != 0 or  # PR_SET_NO_NEW_PRIVS
                libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0):
            os._exit(99)  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    return install


def landlock_missing(tap, err, why):
    """A kernel without Landlock: logged, and serving goes on."""
    cap = ct.Capsule()
    cap.write_config()
    srv = ct.Server(cap.capsule, preexec_fn=failing_syscall(
        LL_CREATE_RULESET, err, LL_VERSION))
    what = "landlock %s" % why
    try:
        tap.ok(srv.wait_ready(15) and
               srv.wait_stderr("landlock: not available (%s); serving "
                               "without it" % os.strerror(err), 2),
               "%s: logged as not available, and serving" % what,
               "\n".join(srv.stderr()[-5:]))
        p = cap.gemini_port
        tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
               "%s: the page is served" % what)
    finally:
        srv.stop()
        cap.cleanup()


def landlock_refused(tap, nr, err, only_flags, needle, why):
    """Landlock present but failing: the start stops with status 1 and
    says why; nothing is served unconfined."""
    cap = ct.Capsule()
    cap.write_config()
    srv = ct.Server(cap.capsule, preexec_fn=failing_syscall(nr, err,
                                                            only_flags))
    what = "landlock fails (%s)" % why
    try:
        try:
            srv.proc.wait(15)
        except Exception:
            pass
        rc = srv.stop()
        log = srv.stderr()
        tap.ok(rc == 1 and not srv.stdout() and
               not any("serving with" in l for l in log),
               "%s: the server stops with status 1 (%r) before serving" %
               (what, rc), "\n".join(log[-5:]))
        tap.ok(any(needle in l for l in log) and
               any("not serving unconfined" in l for l in log),
               "%s: says why ('%s')" % (what, needle), "\n".join(log[-5:]))
    finally:
        srv.stop()
        cap.cleanup()


def landlock_faults(tap):
    if not os.path.exists("/proc/self/status") or "Seccomp:" not in open(
            "/proc/self/status").read():
        tap.skip("landlock faults", "no seccomp to inject them")
        return
    landlock_missing(tap, errno.ENOSYS, "not built in (ENOSYS)")
    landlock_missing(tap, errno.EOPNOTSUPP, "off at boot (EOPNOTSUPP)")
    refusals = (
        (LL_CREATE_RULESET, errno.EPERM, LL_VERSION,
         "cannot ask the kernel for its ABI", "the ABI query, EPERM"),
        (LL_CREATE_RULESET, errno.ENOMEM, 0,
         "cannot create a ruleset", "the ruleset, ENOMEM"),
        (LL_ADD_RULE, errno.ENOMEM, None,
         "landlock: cannot allow", "a rule, ENOMEM"),
        (LL_RESTRICT_SELF, errno.E2BIG, None,
         "cannot enter the domain", "the domain, E2BIG"),
    )
    for nr, err, flags, needle, why in refusals:
        landlock_refused(tap, nr, err, flags, needle, why)


def jailed_certs(tap):
    """Under chroot, certificates kept inside the capsule (named relative
    to capsule.yaml) are still re-read on SIGHUP."""
    cap = ct.Capsule()
    p = cap.gemini_port
    gemini = ("gemini:\n  host: localhost\n  port: %d\n"
              "  listen: [\"127.0.0.1:%d\"]\n"
              "  cert: certs/inside.crt\n  key: certs/inside.key\n" % (p, p))
    cap.write_config(gemini=gemini, extra_server="  chroot: true\n")
    srv = ct.start_server(cap)
    srv.chrooted = True  # no /proc for LeakSanitizer at exit
    try:
        reloads = count_lines(srv, "certificates reloaded")
        srv.signal(signal.SIGHUP)
        tap.ok(wait_lines(srv, "certificates reloaded", reloads + 1, 5),
               "chroot: SIGHUP re-reads certificates kept inside the capsule",
               "\n".join(srv.stderr()[-4:]))
        tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
               "chroot: served after the certificate reload")
    finally:
        srv.stop()
        cap.cleanup()


def root_only_page(tap, where):
    """The content is first read once privileges are dropped: a page only
    root may read (named by its path outside the capsule, or the capsule's
    own about.md) is never published; the start fails and says why."""
    cap = ct.Capsule()
    cfg = cap.write_config(extra_server="  user: nobody\n  group: nogroup\n")
    if where == "outside":
        page = write_secret(cap)
        with open(cfg, encoding="utf-8") as f:
            text = f.read()
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(text.replace("page: about.md", "page: " +
                                 ct.yaml_str(page)))
    else:
        page = cap.page
        with open(page, "a", encoding="utf-8") as f:
            f.write("\n\n# Outside\n\n%s\n" % SECRET)
    os.chown(page, 0, 0)
    os.chmod(page, 0o600)
    srv = ct.Server(cap.capsule)
    what = "a page only root may read (%s the capsule)" % where
    try:
        served = []
        if srv.wait_ready(15):
            p, o = cap.gemini_port, cap.gopher_port
            for path in ("/", "/source.md", "/outside/"):
                if SECRET in ct.gemini(p, ct.gemini_url(p, path)).text:
                    served.append("gemini " + path)
            for sel in ("/", "/outside.txt", "/source.md"):
                if SECRET.encode() in ct.gopher(o, sel)[0]:
                    served.append("gopher " + sel)
        tap.eq(served, [], "%s: never served" % what)
        rc = srv.stop()
        tap.ok(rc == 2 and any("cannot read" in l and "Permission denied" in l
                               for l in srv.stderr()),
               "%s: the start fails (status %r) and says why" % (what, rc),
               "\n".join(srv.stderr()[-5:]))
    finally:
        srv.stop()
        cap.cleanup()


def refused_start(tap, user, needle, what):
    cap = ct.Capsule()
    cap.write_config(extra_server="  user: %s\n" % user)
    srv = ct.Server(cap.capsule)
    try:
        srv.proc.wait(15)
    except Exception:
        pass
    rc = srv.stop()
    tap.ok(rc not in (0, None), "%s: the server does not start (%r)" %
           (what, rc))
    tap.ok(any(needle in l for l in srv.stderr()),
           "%s: says why" % what, "\n".join(srv.stderr()[-5:]))
    cap.cleanup()


def main(tap):
    # Landlock needs no root.
    tap.run("landlock", landlocked, tap)
    tap.run("landlock faults", landlock_faults, tap)
    if os.geteuid() != 0:
        tap.skip("privileges", "not running as root")
        return
    try:
        target_ids()
    except KeyError:
        tap.skip("privileges", "no user nobody or group nogroup")
        return
    tap.run("dropped", dropped, tap)
    tap.run("root-only page outside", root_only_page, tap, "outside")
    tap.run("root-only page inside", root_only_page, tap, "inside")
    tap.run("chroot", jailed, tap)
    tap.run("chroot certificates", jailed_certs, tap)
    tap.run("user root", refused_start, tap, "root", "refusing to run as root",
            "server.user root")
    tap.run("unknown user", refused_start, tap, "no-such-user-xq",
            "no user 'no-such-user-xq'", "an unknown server.user")


if __name__ == "__main__":
    ct.main_guard(main)
