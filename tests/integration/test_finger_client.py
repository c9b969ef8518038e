"""Finger with the real client: Debian's `finger` asks port 79 and has no
option for another, so capsuled listens there (root), in a private network
namespace of its own (`unshare -n`, loopback only) so that no other
process on the machine can hold or see the port. `finger @localhost` shows
the card, `finger publications@localhost` the publications, `finger
plan@localhost` the .plan, an unknown name the one-line refusal; with
finger.ascii the client shows no `M-` escapes. Skipped without root,
unshare, ip or the finger client."""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

NETNS_MARK = "CAPSULED_TEST_NETNS"


def missing():
    """Why this test cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root (port 79)"
    for prog in ("unshare", "ip", "finger"):
        if not shutil.which(prog):
            return "%s not installed" % prog
    return None


def enter_private_net():
    """Re-runs this file in a new network namespace (once); inside it,
    brings the loopback up."""
    if not os.environ.get(NETNS_MARK):
        env = dict(os.environ, **{NETNS_MARK: "1"})
        os.execvpe("unshare", ["unshare", "-n", "--", sys.executable,
                               os.path.abspath(__file__)], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def finger(query):
    r = subprocess.run(["finger", query], capture_output=True, timeout=30)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def serve(cap, ascii_fold=False):
    keys = {"port": 79}
    if ascii_fold:
        keys["ascii"] = "true"
    cap.write_config(finger=keys)
    return ct.start_server(cap)


def utf8_answers(tap):
    cap = ct.Capsule()
    srv = serve(cap)
    try:
        rc, out = finger("@localhost")
        tap.eq(rc, 0, "finger @localhost: exit status 0")
        tap.ok("Zhangqiang Ming" in out and
               "Ph.D. candidate in Computer Architecture at HUST" in out,
               "finger @localhost: the card", out[:300])
        tap.ok("publications: " in out and "news: " in out,
               "finger @localhost: the list of sections")
        rc, out = finger("publications@localhost")
        tap.ok(rc == 0 and "Publications" in out and "SSFusion" in out,
               "finger publications@localhost: the publications", out[:300])
        rc, out = finger("plan@localhost")
        tap.ok("Plan" in out and "2025-10-01  Our paper SSFusion" in out,
               "finger plan@localhost: the .plan", out[:300])
        rc, out = finger("news@localhost")
        tap.ok("M-^" in out, "utf-8: the client escapes an emoji's bytes "
               "as M-^ (what finger.ascii is for)", out[:120])
        rc, out = finger("nobody@localhost")
        tap.ok("finger: nobody: no such section" in out,
               "finger nobody@localhost: the refusal", out[:300])
        tap.ok(srv.wait_stderr(" finger publications 0 "),
               "the access log names the query")
    finally:
        srv.stop()
        cap.cleanup()


def ascii_answers(tap):
    cap = ct.Capsule()
    srv = serve(cap, ascii_fold=True)
    try:
        rc, out = finger("news@localhost")
        tap.ok(rc == 0 and "News" in out and "SSFusion" in out,
               "ascii: finger news@localhost", out[:200])
        tap.ok("M-" not in out, "ascii: no M- escapes in the client",
               [l for l in out.splitlines() if "M-" in l][:3])
    finally:
        srv.stop()
        cap.cleanup()


def main(tap):
    why = missing()
    if why:
        tap.skip("the finger client on port 79", why)
        return
    tap.run("utf-8", utf8_answers, tap)
    tap.run("ascii", ascii_answers, tap)


if __name__ == "__main__":
    if missing() is None:
        enter_private_net()
    ct.main_guard(main)
