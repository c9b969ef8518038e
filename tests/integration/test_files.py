"""Content files (issue 13, D1 and D3), against a real `capsuled serve`:
what sits in the capsule directory must not publish a file from outside it,
block the server or exhaust its memory.

- a page symlinked to a secret outside the capsule (a 0600 file standing in
  for /etc/shadow), or to /proc/self/environ, is refused at start, and when
  it appears later the last good page stays: the secret is never served at
  /, /source.md or over gopher;
- a page named in capsule.yaml by its real path outside the capsule is
  served when the server's user may read it, never through a symlink, and
  a root-only one never (that needs the first load after the privilege
  drop, which is another change: reported as TODO until then);
- a FIFO as the page stops neither start-up (an error, at once) nor a
  running server (it keeps serving, SIGTERM still stops it);
- a page symlinked to /dev/zero is refused without the memory growing;
- a page over server.max_file_bytes is a `check` error and keeps the last
  good snapshot; a larger cap loads it;
- symlinks that stay inside the capsule keep working."""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

SECRET = "root:$6$Shadow-marker-5c1e9:19700:0:99999:7:::"
ENV_MARKER = "Environ-marker-8d2b"
OUTSIDE = "outside the capsule directory"


def write_secret(cap, mode=0o600, name="shadow"):
    """A file beside the capsule directory, outside it."""
    path = os.path.join(cap.dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Secret\n\n%s\n" % SECRET)
    os.chmod(path, mode)
    return path


def replace_page(cap, make):
    """Removes about.md and lets make(path) put something in its place."""
    if os.path.lexists(cap.page):
        os.unlink(cap.page)
    make(cap.page)


def restore_page(cap):
    replace_page(cap, lambda p: shutil.copyfile(
        os.path.join(ct.DEFAULT_CAPSULE, "about.md"), p))
    os.chmod(cap.page, 0o644)


def set_page_key(cap, value):
    path = os.path.join(cap.capsule, "capsule.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("page: about.md", "page: " + ct.yaml_str(value)))


def served(cap, needle=None):
    """Where the page is served (gemini / and /source.md, gopher / and
    /source.md): the places whose answer holds needle (bytes), by default
    the secret or the marker every server has in its environment."""
    needles = [needle] if needle else [SECRET.encode(), ENV_MARKER.encode()]
    found = []
    for path in ("/", "/source.md"):
        try:
            raw = ct.gemini(cap.gemini_port,
                            ct.gemini_url(cap.gemini_port, path)).raw
        except OSError:
            continue
        if any(n in raw for n in needles):
            found.append("gemini " + path)
    for sel in ("/", "/source.md"):
        try:
            raw, _ = ct.gopher(cap.gopher_port, sel)
        except OSError:
            continue
        if any(n in raw for n in needles):
            found.append("gopher " + sel)
    return found


def is_serving(srv):
    """Up and past its start: it printed its URLs. The ready event alone
    also fires when stdout closes, before an exiting server is reaped."""
    return srv.proc.poll() is None and any(
        l.startswith("gopher://") for l in srv.stdout())


def launch(cap, seconds=10, rss_cap_kib=None):
    """Starts the server and waits until it serves, exits or seconds pass
    (then it hangs). With rss_cap_kib, a server whose memory passes that is
    killed at once (so a failing run cannot take the machine's memory);
    returns (server, peak RSS in KiB)."""
    srv = ct.Server(cap.capsule)
    end = time.time() + seconds
    peak = 0
    while (time.time() < end and srv.proc.poll() is None and
           not srv.ready.is_set()):
        if rss_cap_kib:
            try:
                peak = max(peak, ct.rss_kib(srv.pid))
            except (OSError, KeyError, ValueError):
                pass
            if peak > rss_cap_kib:
                srv.proc.kill()
                break
        time.sleep(0.02)
    return srv, peak


def refused_at_start(tap, cap, what, needles, leak=None, seconds=10,
                     rss_cap_kib=None):
    """The server must exit promptly with an error whose line names the
    page and holds every needle; if it serves instead, what it leaks."""
    t0 = time.time()
    srv, peak = launch(cap, seconds, rss_cap_kib)
    serving = is_serving(srv)
    leaked = served(cap, leak) if (serving and leak) else []
    if not serving:
        # The reader thread marks the end of the server's output as soon
        # as stderr closes, which can come just before the exit status.
        try:
            srv.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
    hung = srv.proc.poll() is None and not serving
    rc = srv.stop(timeout=3)
    took = time.time() - t0
    tap.ok(not serving and not hung and rc not in (0, None),
           "%s: the start is refused (exit %r after %.1f s%s)" %
           (what, rc, took, ", hung" if hung else
            ", serving" if serving else ""))
    lines = [l for l in srv.stderr() if "about.md" in l and
             all(n in l for n in needles)]
    tap.ok(bool(lines), "%s: the error names the page and says %s" %
           (what, " / ".join(needles)), "\n".join(srv.stderr()[-5:]))
    if leak is not None:
        tap.eq(leaked, [], "%s: the secret is never served" % what)
    return srv, peak


def wait_lines(srv, needle, n, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if sum(1 for l in srv.stderr() if needle in l) >= n:
            return True
        time.sleep(0.05)
    return False


def count_lines(srv, needle):
    return sum(1 for l in srv.stderr() if needle in l)


# ---- D1: files outside the capsule -------------------------------------------


def secret_symlink_at_start(tap):
    """The review's reproduction: about.md -> a root-only file outside."""
    cap = ct.Capsule()
    cap.write_config()
    try:
        secret = write_secret(cap, 0o600)
        replace_page(cap, lambda p: os.symlink(secret, p))
        refused_at_start(tap, cap, "symlink to a 0600 secret at start",
                         [OUTSIDE], SECRET.encode())
        replace_page(cap, lambda p: os.symlink("../shadow", p))
        refused_at_start(tap, cap, "relative symlink ../shadow at start",
                         [OUTSIDE], SECRET.encode())
    finally:
        cap.cleanup()


def environ_symlink_at_start(tap):
    cap = ct.Capsule()
    cap.write_config()
    try:
        replace_page(cap, lambda p: os.symlink("/proc/self/environ", p))
        refused_at_start(tap, cap, "symlink to /proc/self/environ",
                         [OUTSIDE], ENV_MARKER.encode())
    finally:
        cap.cleanup()


def secret_symlink_after_start(tap):
    """Landlock off and the secret readable by the server's user: only the
    open beneath the capsule stands between the link and the secret."""
    cap = ct.Capsule()
    cap.write_config(extra_server="  landlock: false\n")
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        secret = write_secret(cap, 0o644)
        for how, target in (("absolute", secret), ("relative", "../shadow"),
                            ("/proc/self/environ", "/proc/self/environ")):
            # A good page in between: the server logs a failure only when
            # it differs from the last one.
            reloads = count_lines(srv, "content reloaded")
            restore_page(cap)
            wait_lines(srv, "content reloaded", reloads + 1, 5)
            failures = count_lines(srv, OUTSIDE)
            replace_page(cap, lambda path: os.symlink(target, path))
            logged = wait_lines(srv, OUTSIDE, failures + 1, 5)
            leaked = set()
            for _ in range(5):  # a few reload intervals
                leaked.update(served(cap))
                time.sleep(0.2)
            tap.ok(logged and any("rebuild failed" in l for l in srv.stderr()),
                   "after start, %s symlink out: the rebuild fails, saying "
                   "'%s'" % (how, OUTSIDE), "\n".join(srv.stderr()[-4:]))
            tap.eq(sorted(leaked), [],
                   "after start, %s symlink out: the secret is never served"
                   % how)
            r = ct.gemini(p, ct.gemini_url(p))
            tap.ok(r.status == "20" and "Zhangqiang Ming" in r.text,
                   "after start, %s symlink out: the last good page is "
                   "still served" % how)
    finally:
        srv.stop()
        cap.cleanup()


def symlinks_inside(tap):
    """Symlinks that stay in the capsule work, by relative or absolute
    path, at start and on reload."""
    cap = ct.Capsule()
    cap.write_config()
    pages = os.path.join(cap.capsule, "pages")
    os.mkdir(pages)
    os.chmod(pages, 0o755)
    real = os.path.join(pages, "real.md")
    os.rename(cap.page, real)
    with open(real, "a", encoding="utf-8") as f:
        f.write("\n\n# Linked\n\nReached through a symlink inside.\n")
    os.symlink("pages/real.md", cap.page)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        r = ct.gemini(p, ct.gemini_url(p, "/linked/"))
        tap.ok(r.status == "20" and "symlink inside" in r.text,
               "about.md -> pages/real.md: served at start")
        other = os.path.join(pages, "other.md")
        with open(real, encoding="utf-8") as f:
            text = f.read()
        with open(other, "w", encoding="utf-8") as f:
            f.write(text + "\n\n# Absolute\n\nThrough an absolute link.\n")
        os.chmod(other, 0o644)
        replace_page(cap, lambda path: os.symlink(other, path))
        r = ct.gemini_until(p, ct.gemini_url(p, "/absolute/"),
                            "absolute link")
        tap.ok(r.status == "20" and "absolute link" in r.text,
               "about.md -> an absolute path inside the capsule: picked up "
               "by the reload")
    finally:
        srv.stop()
        cap.cleanup()


def named_outside(tap):
    """page: names a file outside the capsule by its real path: served
    when the server's user may read it, never through a symlink."""
    cap = ct.Capsule()
    cap.write_config()
    with open(cap.page, encoding="utf-8") as f:
        text = f.read()
    elsewhere = os.path.join(cap.dir, "elsewhere.md")
    with open(elsewhere, "w", encoding="utf-8") as f:
        f.write(text + "\n\n# Elsewhere\n\nKept outside the capsule.\n")
    os.chmod(elsewhere, 0o644)
    try:
        for how, value in (("absolute", elsewhere),
                           ("relative", "../elsewhere.md")):
            cap.write_config()
            set_page_key(cap, value)
            srv = ct.start_server(cap)
            p = cap.gemini_port
            r = ct.gemini(p, ct.gemini_url(p, "/elsewhere/"))
            tap.ok(r.status == "20" and "Kept outside" in r.text,
                   "page: %s path outside the capsule is served" % how)
            srv.stop()
        secret = write_secret(cap, 0o644)
        link = os.path.join(cap.dir, "link.md")
        os.symlink(secret, link)
        cap.write_config()
        set_page_key(cap, link)
        srv, _ = launch(cap)
        serving = is_serving(srv)
        leaked = served(cap) if serving else []
        srv.stop(timeout=3)
        tap.ok(not serving and leaked == [] and
               any("link.md" in l and "symlink" in l for l in srv.stderr()),
               "page: naming a symlink outside the capsule is refused",
               "\n".join(srv.stderr()[-4:]))
    finally:
        cap.cleanup()


def named_root_only(tap):
    """page: /abs/secret, owned by root with mode 0600, and the server
    dropping to nobody: the page is read as the user the server runs as,
    so it is never served."""
    if os.geteuid() != 0:
        tap.skip("page: a root-only file", "not running as root")
        return
    cap = ct.Capsule()
    cap.write_config(extra_server="  user: nobody\n  group: nogroup\n")
    try:
        secret = write_secret(cap, 0o600)
        os.chown(secret, 0, 0)
        set_page_key(cap, secret)
        srv, _ = launch(cap)
        serving = is_serving(srv)
        leaked = served(cap) if serving else []
        srv.stop(timeout=3)
        tap.ok(leaked == [] and not serving and
               srv.wait_stderr("Permission denied", 1),
               "page: /abs/secret (root, 0600) is not served by a server "
               "that drops to nobody: the start is refused (%s)" %
               ("serving" if serving else "start refused"),
               "\n".join(srv.stderr()[-4:] + leaked))
    finally:
        cap.cleanup()


# ---- D3: FIFOs, devices, sizes -----------------------------------------------


def fifo_at_start(tap):
    cap = ct.Capsule()
    cap.write_config()
    try:
        replace_page(cap, os.mkfifo)
        refused_at_start(tap, cap, "FIFO as the page at start",
                         ["not a regular file"], seconds=5)
    finally:
        cap.cleanup()


def fifo_after_start(tap):
    cap = ct.Capsule()
    cap.write_config()
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        failures = count_lines(srv, "not a regular file")
        replace_page(cap, os.mkfifo)
        tap.ok(wait_lines(srv, "not a regular file", failures + 1, 5),
               "FIFO after start: the rebuild fails, saying 'not a regular "
               "file'", "\n".join(srv.stderr()[-4:]))
        time.sleep(0.6)  # more reload attempts
        r = ct.gemini(p, ct.gemini_url(p))
        tap.ok(r.status == "20" and "Zhangqiang Ming" in r.text,
               "FIFO after start: the last good page is still served")
        t0 = time.time()
        rc = srv.stop(timeout=3)
        took = time.time() - t0
        tap.ok(rc == 0, "FIFO after start: SIGTERM stops the server (exit "
               "%r after %.1f s)" % (rc, took))
    finally:
        srv.stop()
        cap.cleanup()


def dev_zero(tap):
    """Landlock off, so that nothing but the check itself refuses it. A
    server that reads it anyway is killed at 256 MiB over its start."""
    cap = ct.Capsule()
    cap.write_config(extra_server="  landlock: false\n")
    try:
        replace_page(cap, lambda p: os.symlink("/dev/zero", p))
        limit = 256 * 1024
        _, peak = refused_at_start(tap, cap, "symlink to /dev/zero at start",
                                   [OUTSIDE], rss_cap_kib=limit)
        tap.ok(peak < limit, "symlink to /dev/zero at start: RSS stays small "
               "(%d KiB at most; killed at %d)" % (peak, limit))
        restore_page(cap)
        srv = ct.start_server(cap)
        base = ct.rss_kib(srv.pid)
        failures = count_lines(srv, OUTSIDE)
        replace_page(cap, lambda p: os.symlink("/dev/zero", p))
        peak = base
        end = time.time() + 3
        while time.time() < end and srv.proc.poll() is None:
            peak = max(peak, ct.rss_kib(srv.pid))
            if peak - base > 256 * 1024:
                srv.proc.kill()
                break
            time.sleep(0.02)
        tap.ok(count_lines(srv, OUTSIDE) > failures,
               "symlink to /dev/zero after start: refused as outside the "
               "capsule", "\n".join(srv.stderr()[-4:]))
        tap.ok(peak - base < 64 * 1024,
               "symlink to /dev/zero after start: RSS stays small (%d KiB "
               "at start, %d KiB at most after)" % (base, peak))
        srv.stop(timeout=3)
    finally:
        cap.cleanup()


def big_page(path, size):
    line = "Plain paragraph text for the size cap test, nothing else.\n\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write("# About\n\n" + line * (size // len(line) + 1))
    os.chmod(path, 0o644)


def check(cap):
    r = subprocess.run([ct.CAPSULED, "check", cap.capsule],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def size_cap(tap):
    cap = ct.Capsule()
    cap.write_config()
    srv = ct.start_server(cap)
    p = cap.gemini_port
    cap_msg = "larger than server.max_file_bytes (16777216 bytes)"
    try:
        failures = count_lines(srv, cap_msg)
        tmp = cap.page + ".tmp"
        big_page(tmp, 17 * 1024 * 1024)
        os.rename(tmp, cap.page)
        tap.ok(wait_lines(srv, cap_msg, failures + 1, 30),
               "17 MiB page after start: the rebuild fails, saying '%s'" %
               cap_msg, "\n".join(srv.stderr()[-4:]))
        r = ct.gemini(p, ct.gemini_url(p))
        tap.ok(r.status == "20" and "Zhangqiang Ming" in r.text,
               "17 MiB page after start: the last good page is still served")
        srv.stop()
        rc, out = check(cap)
        tap.ok(rc == 2 and "about.md: error: " + cap_msg in out,
               "17 MiB page: check reports the cap (exit %d)" % rc, out[-400:])
        cap.write_config(extra_server="  max_file_bytes: 20000000\n")
        rc, out = check(cap)
        tap.ok(rc in (0, 1) and "max_file_bytes" not in out,
               "17 MiB page with max_file_bytes 20000000: check loads it "
               "(exit %d)" % rc, out[-400:])
    finally:
        srv.stop()
        cap.cleanup()


def main(tap):
    # Every server started from here has it in /proc/self/environ.
    os.environ["CAPSULED_TEST_MARKER"] = ENV_MARKER
    tap.run("secret symlink at start", secret_symlink_at_start, tap)
    tap.run("environ symlink", environ_symlink_at_start, tap)
    tap.run("secret symlink after start", secret_symlink_after_start, tap)
    tap.run("symlinks inside", symlinks_inside, tap)
    tap.run("named outside", named_outside, tap)
    tap.run("named root-only", named_root_only, tap)
    tap.run("fifo at start", fifo_at_start, tap)
    tap.run("fifo after start", fifo_after_start, tap)
    tap.run("dev zero", dev_zero, tap)
    tap.run("size cap", size_cap, tap)


if __name__ == "__main__":
    ct.main_guard(main)
