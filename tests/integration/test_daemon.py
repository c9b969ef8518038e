"""capsuled as a daemon: the command line (--version, --help, help
COMMAND), systemd socket activation through systemd-socket-activate, the
sd_notify readiness messages, and the state directory that generated
certificates go to."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402


def run(*args, env=None):
    return subprocess.run([ct.CAPSULED] + list(args), capture_output=True,
                          text=True, timeout=30, env=env)


def command_line(tap):
    with open(os.path.join(ct.SOURCE_ROOT, "meson.build")) as f:
        version = f.read().split("version : '", 1)[1].split("'", 1)[0]
    r = run("--version")
    tap.eq((r.returncode, r.stdout), (0, "capsuled %s\n" % version),
           "--version prints the project's version")
    r = run("--help")
    tap.ok(r.returncode == 0 and all(
        "capsuled %s" % c in r.stdout for c in
        ("serve", "render", "check", "export", "help", "--version")),
        "--help lists every command on stdout", r.stdout)
    for cmd in ("serve", "render", "check", "export"):
        r = run("help", cmd)
        r2 = run(cmd, "--help")
        tap.ok(r.returncode == 0 and r.stdout.startswith(
            "usage: capsuled %s" % cmd) and len(r.stdout.splitlines()) > 2,
            "help %s: its usage and what it does" % cmd, r.stdout + r.stderr)
        tap.eq((r2.returncode, r2.stdout), (0, r.stdout),
               "%s --help is help %s" % (cmd, cmd))
    r = run("help", "nope")
    tap.ok(r.returncode == 2 and "unknown command 'nope'" in r.stderr and
           not r.stdout, "help of an unknown command: status 2, on stderr",
           r.stderr)
    r = run()
    tap.ok(r.returncode == 2 and r.stderr.startswith("usage:"),
           "no command: usage on stderr, status 2")


def main(tap):
    tap.run("command line", command_line, tap)


if __name__ == "__main__":
    ct.main_guard(main)
