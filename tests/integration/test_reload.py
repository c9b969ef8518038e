"""Live reload under stress: content is built on a thread of its own,
bounded by server.build_timeout, so a page cmark is slow on (repeated
`![[]()`, CVE-2023-22486 in libcmark 0.30.2) neither delays the start nor
SIGTERM nor the requests."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

# About 374 KB: builds in several seconds here with libcmark 0.30.2, far
# beyond the one-second limit the tests set (0.30.3 and later are fast:
# then the time checks are skipped).
SLOW_PAGE = "# About\n\nSlow page.\n\n" + "![[]()" * 62000 + "\n"
SLOW_LIMIT = "  build_timeout: 1\n"


def note(msg):
    print("# " + msg, flush=True)


def sanitized(pid):
    try:
        with open("/proc/%d/maps" % pid) as f:
            return "libasan" in f.read()
    except OSError:
        return False


def write_atomically(path, text):
    """As an editor saves: a new file renamed over the old one."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def slow_build_seconds():
    """How long `capsuled check` takes on the slow page, up to about 3 s:
    the checks below need it well over their one-second limit."""
    cap = ct.Capsule()
    try:
        cap.write_config(extra_server="  build_timeout: 3\n")
        write_atomically(cap.page, SLOW_PAGE)
        t0 = time.time()
        subprocess.run([ct.CAPSULED, "check", cap.capsule],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=600)
        return time.time() - t0
    finally:
        cap.cleanup()


def exit_within(srv, seconds):
    """(status, seconds taken), status None when still running."""
    t0 = time.time()
    try:
        srv.proc.wait(seconds)
    except subprocess.TimeoutExpired:
        return None, time.time() - t0
    return srv.proc.returncode, time.time() - t0


# ---- D5: a slow build ---------------------------------------------------------

def slow_at_start(tap):
    """The first build is bounded too: the server says which page and
    exits 2 instead of starting a minute later."""
    cap = ct.Capsule()
    cap.write_config(extra_server=SLOW_LIMIT)
    write_atomically(cap.page, SLOW_PAGE)
    srv = ct.Server(cap.capsule)
    try:
        rc, took = exit_within(srv, 6)
        tap.ok(rc == 2 and took < 4,
               "slow page at start: exit status 2 soon after build_timeout "
               "(%r after %.1f s)" % (rc, took))
        tap.ok(srv.wait_stderr("about.md: build took longer than "
                               "server.build_timeout (1 s)", 2),
               "slow page at start: the page and the limit are named",
               "\n".join(srv.stderr()[-4:]))
    finally:
        srv.stop()
        cap.cleanup()


def sigterm_during_first_build(tap):
    """SIGTERM while the first build runs stops the server at once."""
    cap = ct.Capsule()
    cap.write_config(extra_server="  build_timeout: 600\n")
    write_atomically(cap.page, SLOW_PAGE)
    srv = ct.Server(cap.capsule)
    try:
        time.sleep(1.0)
        tap.ok(srv.proc.poll() is None, "slow first build: still building "
               "after a second")
        srv.signal(signal.SIGTERM)
        rc, took = exit_within(srv, 10)
        tap.ok(rc == 0 and took < 1.5,
               "SIGTERM during the first build: stopped at once (%r after "
               "%.1f s)" % (rc, took))
    finally:
        srv.stop()
        cap.cleanup()


def latency(port, n):
    """The slowest of n requests for / and whether every one was the good
    page."""
    worst, good = 0.0, True
    for _ in range(n):
        t0 = time.time()
        r = ct.gemini(port, ct.gemini_url(port))
        worst = max(worst, time.time() - t0)
        good &= r.status == "20" and "Zhangqiang Ming" in r.text
    return worst, good


def slow_after_start(tap):
    """A slow page saved while serving: the last good page keeps being
    served at the usual pace, the time limit is logged, and SIGTERM does
    not wait for the build."""
    cap = ct.Capsule()
    cap.write_config(extra_server=SLOW_LIMIT)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        before, _ = latency(p, 5)
        write_atomically(cap.page, SLOW_PAGE)
        time.sleep(0.3)  # the build has started
        during, good = latency(p, 20)
        limit = 1.0 if sanitized(srv.pid) else 0.5
        tap.ok(good, "slow page while serving: the last good page is served "
               "during the build")
        tap.ok(during < max(limit, 4 * before),
               "slow page while serving: requests are answered at the usual "
               "pace (slowest %.3f s during the build, %.3f s before)" %
               (during, before))
        tap.ok(srv.wait_stderr("about.md: build took longer than "
                               "server.build_timeout (1 s); still serving "
                               "the last good snapshot", 3),
               "slow page while serving: build_timeout is logged",
               "\n".join(srv.stderr()[-4:]))
        r = ct.gemini(p, ct.gemini_url(p, "/source.md"))
        tap.ok(r.status == "20" and "![[]()" not in r.text,
               "slow page while serving: the abandoned build is not served")
        srv.signal(signal.SIGTERM)
        rc, took = exit_within(srv, 10)
        tap.ok(rc == 0 and took < 2.5,
               "SIGTERM during a later build: stopped within 2 s (%r after "
               "%.1f s)" % (rc, took))
    finally:
        srv.stop()
        cap.cleanup()


def slow_check(tap):
    """`capsuled check` bounds each page's build the same way."""
    cap = ct.Capsule()
    cap.write_config(extra_server=SLOW_LIMIT)
    write_atomically(cap.page, SLOW_PAGE)
    try:
        t0 = time.time()
        r = subprocess.run([ct.CAPSULED, "check", cap.capsule],
                           capture_output=True, text=True, timeout=120)
        took = time.time() - t0
        tap.ok(r.returncode == 1 and took < 4,
               "check, slow page: exit status 1 soon after build_timeout "
               "(%r after %.1f s)" % (r.returncode, took))
        tap.ok("about.md: error: build took longer than server.build_timeout"
               " (1 s)" in r.stdout, "check, slow page: reported as an "
               "error of the page", r.stdout[-300:])
        tap.ok(not any(m in r.stderr for m in ct.SANITIZER_MARKS),
               "check, slow page: the build left behind is no finding at "
               "exit", r.stderr[-500:])
    finally:
        cap.cleanup()


def main(tap):
    slow = slow_build_seconds()
    note("the slow page takes %.1f s to check with a 3 s limit" % slow)
    if slow < 2.5:
        tap.skip("slow builds", "this libcmark is not slow on the page "
                 "(%.1f s)" % slow)
    else:
        tap.run("slow at start", slow_at_start, tap)
        tap.run("sigterm during the first build",
                sigterm_during_first_build, tap)
        tap.run("slow after start", slow_after_start, tap)
        tap.run("slow check", slow_check, tap)


if __name__ == "__main__":
    ct.main_guard(main)
