"""capsuled as a daemon: the command line (--version, --help, help
COMMAND), systemd socket activation through systemd-socket-activate, the
sd_notify readiness messages, the state directory that generated
certificates go to, and the restart that gives malloc huge pages."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

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


ACTIVATE = shutil.which("systemd-socket-activate")


def activated(cap, fdnames=None, ports=None):
    """capsuled serve under systemd-socket-activate, one -l per port
    (default: the capsule's Gemini and Gopher ports, on 127.0.0.1). As
    systemd does, it starts capsuled on the first connection, which waits
    in the accept queue meanwhile."""
    ports = ports or [cap.gemini_port, cap.gopher_port]
    prefix = [ACTIVATE]
    for p in ports:
        prefix += ["-l", "127.0.0.1:%d" % p]
    if fdnames:
        prefix.append("--fdname=" + fdnames)
    srv = ct.Server(cap.capsule, prefix=prefix)
    srv.wait_stderr("as %d." % (2 + len(ports)), 10)  # all bound
    return srv


def serves_both(tap, cap, what, url_port=None):
    """The first request starts capsuled: it is given time for that."""
    r = ct.gemini(cap.gemini_port, ct.gemini_url(url_port or cap.gemini_port),
                  timeout=30)
    tap.ok(r.status == "20" and "Zhangqiang" in r.text,
           "%s: gemini answered over the passed socket" % what,
           r.header)
    body, _ = ct.gopher(cap.gopher_port, "/")
    tap.ok(body.startswith(b"i") and b"Zhangqiang" in body,
           "%s: gopher answered over the passed socket" % what, body[:200])
    if shutil.which("curl"):
        r = subprocess.run(["curl", "-sS", "--max-time", "10",
                            "gopher://127.0.0.1:%d/1/" % cap.gopher_port],
                           capture_output=True, timeout=30)
        tap.ok(r.returncode == 0 and b"Zhangqiang" in r.stdout,
               "%s: curl reads the gopher menu" % what, r.stderr)


def bindable_v6(port):
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", port))
        return True
    except OSError:
        return False


def activation(tap, fdnames, gemini_port=None):
    """gemini_port: the port the configuration lists for gemini, when not
    the one systemd listens on (then only the names can tell)."""
    cap = ct.Capsule()
    srv = None
    try:
        listen_port = cap.gemini_port
        if gemini_port:
            cap.gemini_port = gemini_port
        cap.write_config()
        cap.gemini_port = listen_port
        what = "names %s" % fdnames if fdnames else "no names"
        if gemini_port:
            what += ", other ports configured"
        srv = activated(cap, fdnames)
        serves_both(tap, cap, what, gemini_port)
        tap.ok(srv.wait_ready(), "%s: started" % what, srv.stderr()[-10:])
        err = srv.stderr()
        tap.ok(any("socket activation: gemini on 127.0.0.1:%d" % listen_port
                   in l for l in err) and
               any("socket activation: gopher on 127.0.0.1:%d" %
                   cap.gopher_port in l for l in err),
               "%s: each socket's protocol logged" % what, err)
        tap.ok(bindable_v6(cap.gopher_port),
               "%s: the configured [::1] address is not bound: only the "
               "passed sockets are served" % what)
        rc = srv.stop()
        tap.eq(rc, 0, "%s: SIGTERM stops it, status 0" % what)
    finally:
        if srv:
            srv.stop()
        cap.cleanup()


def refused(cap, fdnames=None, ports=None):
    """Starts capsuled under systemd-socket-activate with a connection and
    waits for it to exit; its status and stderr."""
    srv = activated(cap, fdnames, ports)
    try:
        with socket.create_connection(("127.0.0.1", cap.gemini_port), 5):
            rc = srv.proc.wait(30)
    except (OSError, subprocess.TimeoutExpired):
        rc = None
    srv.stop()
    return rc, "\n".join(srv.stderr())


def activation_refused(tap):
    """A socket on a port no protocol is configured for, unnamed: capsuled
    does not guess, and says which socket and what to do."""
    cap = ct.Capsule()
    try:
        cap.write_config()
        stray = ct.free_port()
        rc, err = refused(cap, ports=[cap.gemini_port, stray])
        tap.ok(rc != 0 and "socket 4 (127.0.0.1:%d) has no configured "
               "protocol's port" % stray in err and
               "FileDescriptorName=" in err,
               "an unmatched unnamed socket: refuses to start, says why",
               "status %r\n%s" % (rc, err))
        rc, err = refused(cap, fdnames="gemini:finger")
        tap.ok(rc != 0 and "is named finger, but finger is not enabled" in err,
               "a socket named for a disabled protocol: refused", err)
    finally:
        cap.cleanup()


class NotifySocket:
    """A service manager's end of NOTIFY_SOCKET: an AF_UNIX datagram
    socket, at a path or (abstract) at a name written '@name'."""

    def __init__(self, abstract):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            self.name = "@capsuled-test-%d-%d" % (os.getpid(), time.time_ns())
            self.sock.bind("\0" + self.name[1:])
        else:
            self.dir = tempfile.mkdtemp(prefix="capsuled-notify-")
            self.name = os.path.join(self.dir, "notify")
            self.sock.bind(self.name)
            os.chmod(self.dir, 0o755)
            os.chmod(self.name, 0o777)  # as systemd's, for the dropped user
        self.abstract = abstract

    def next(self, timeout=15):
        """The next message as a dict, None after timeout seconds."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        return dict(l.split("=", 1) for l in data.split("\n") if "=" in l)

    def close(self):
        self.sock.close()
        if not self.abstract:
            shutil.rmtree(self.dir, ignore_errors=True)


def notify(tap, abstract):
    kind = "abstract" if abstract else "path"
    cap = ct.Capsule()
    ns = NotifySocket(abstract)
    srv = None
    try:
        cap.write_config()
        env = dict(os.environ, NOTIFY_SOCKET=ns.name)
        srv = ct.Server(cap.capsule, env=env)
        m = ns.next()
        ready_out = srv.wait_ready()
        tap.ok(m is not None and m.get("READY") == "1" and ready_out,
               "%s: READY=1 once serving" % kind, m)
        r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port))
        tap.eq(r.status, "20", "%s: serving when READY=1 came" % kind)
        t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
        srv.signal(signal.SIGHUP)
        m = ns.next()
        t1 = time.clock_gettime(time.CLOCK_MONOTONIC)
        usec = int(m.get("MONOTONIC_USEC", "0")) / 1e6 if m else 0
        tap.ok(m is not None and m.get("RELOADING") == "1" and
               t0 <= usec <= t1,
               "%s: SIGHUP: RELOADING=1 with MONOTONIC_USEC of the "
               "monotonic clock" % kind, m)
        m = ns.next()
        tap.ok(m is not None and m.get("READY") == "1" and
               srv.wait_stderr("content reloaded"),
               "%s: READY=1 once the reload is done" % kind, m)
        srv.signal(signal.SIGTERM)
        m = ns.next()
        tap.ok(m is not None and m.get("STOPPING") == "1",
               "%s: SIGTERM: STOPPING=1" % kind, m)
        tap.eq(srv.stop(), 0, "%s: then exits 0" % kind)
    finally:
        if srv:
            srv.stop()
        ns.close()
        cap.cleanup()


def no_cert_config(cap):
    """capsule.yaml without gemini.cert and gemini.key."""
    cap.write_config(gemini="""gemini:
  host: localhost
  port: %d
  listen: ["127.0.0.1:%d"]
""" % (cap.gemini_port, cap.gemini_port))


def files_under(top):
    return sorted(os.path.relpath(os.path.join(d, f), top)
                  for d, _, fs in os.walk(top) for f in fs)


def as_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def state_directory(tap, how):
    """how: "systemd" ($STATE_DIRECTORY), "xdg" ($XDG_STATE_HOME) or "home"
    (~/.local/state); the last two as an unprivileged user, since root's is
    /var/lib/capsuled."""
    cap = ct.Capsule()
    srv = None
    try:
        no_cert_config(cap)
        before = files_under(cap.capsule)
        base = os.path.join(cap.dir, how)
        os.mkdir(base)
        os.chmod(base, 0o777)
        env = {k: v for k, v in os.environ.items()
               if k not in ("STATE_DIRECTORY", "XDG_STATE_HOME", "HOME")}
        env["STATE_DIRECTORY"] = ""  # set but empty: not systemd's
        if how == "systemd":
            env["STATE_DIRECTORY"] = base + ":" + os.path.join(cap.dir, "b")
            want = base
        elif how == "xdg":
            env["XDG_STATE_HOME"] = base
            want = os.path.join(base, "capsuled")
        else:
            env["HOME"] = base
            want = os.path.join(base, ".local", "state", "capsuled")
        srv = ct.Server(cap.capsule, env=env,
                        preexec_fn=None if how == "systemd" else as_nobody)
        ok = srv.wait_ready()
        tap.ok(ok, "%s: started" % how, srv.stderr()[-10:])
        crt = os.path.join(want, "localhost.crt")
        tap.ok(os.path.isfile(crt) and
               os.path.isfile(os.path.join(want, "localhost.key")),
               "%s: certificate and key generated in %s" % (how, want),
               files_under(cap.dir))
        err = "\n".join(srv.stderr())
        tap.ok("state directory %s" % want in err and
               "generated a self-signed certificate for localhost: %s" % crt
               in err, "%s: the start-up message names it" % how, err)
        tap.eq(files_under(cap.capsule), before,
               "%s: nothing written inside the site" % how)
        r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port))
        tap.eq(r.status, "20", "%s: served with it" % how)
        srv.stop()
        first = open(crt, "rb").read()
        srv = ct.Server(cap.capsule, env=env,
                        preexec_fn=None if how == "systemd" else as_nobody)
        srv.wait_ready()
        tap.ok(open(crt, "rb").read() == first and
               not any("generated a self-signed" in l for l in srv.stderr()),
               "%s: the next start keeps it" % how)
    finally:
        if srv:
            srv.stop()
        cap.cleanup()


ANALYZE = shutil.which("systemd-analyze")
UNITS = os.path.join(ct.SOURCE_ROOT, "contrib", "systemd")


def unit_keys(path):
    keys = {}
    with open(path) as f:
        for line in f:
            k, sep, v = line.strip().partition("=")
            if sep and not k.startswith("#"):
                keys.setdefault(k, []).append(v)
    return keys


def units(tap):
    """The unit files: what the daemon relies on is there, and
    systemd-analyze verify finds nothing (it needs no systemd as PID 1).
    ExecStart= is pointed at the binary under test, which verify checks."""
    svc = unit_keys(os.path.join(UNITS, "capsuled.service"))
    for k, v in (("Type", "notify"), ("DynamicUser", "yes"),
                 ("StateDirectory", "capsuled"), ("ProtectSystem", "strict"),
                 ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"),
                 ("CapabilityBoundingSet", "")):
        tap.eq(svc.get(k), [v], "capsuled.service: %s=%s" % (k, v))
    tap.ok("AF_UNIX" in svc.get("RestrictAddressFamilies", [""])[0],
           "capsuled.service: AF_UNIX allowed (the notify socket)")
    sock = unit_keys(os.path.join(UNITS, "capsuled.socket"))
    tap.eq(sock.get("ListenStream"), ["1965", "70"],
           "capsuled.socket: the Gemini and Gopher ports")
    if not ANALYZE:
        tap.skip("systemd-analyze verify", "no systemd-analyze")
        return
    tmp = tempfile.mkdtemp(prefix="capsuled-units-")
    try:
        for name in ("capsuled.service", "capsuled.socket"):
            with open(os.path.join(UNITS, name)) as f:
                text = f.read().replace("/usr/bin/capsuled",
                                        os.path.abspath(ct.CAPSULED))
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        # Documentation= is checked with man, against the project's pages.
        for sec, page in (("8", "capsuled.8"), ("5", "capsule.yaml.5")):
            os.makedirs(os.path.join(tmp, "man", "man" + sec))
            shutil.copy(os.path.join(ct.SOURCE_ROOT, "man", page),
                        os.path.join(tmp, "man", "man" + sec))
        man = ["--man=yes"] if shutil.which("man") else ["--man=no"]
        r = subprocess.run(
            [ANALYZE, "verify"] + man +
            [os.path.join(tmp, "capsuled.service"),
             os.path.join(tmp, "capsuled.socket")],
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, MANPATH=os.path.join(tmp, "man")))
        tap.ok(r.returncode == 0 and not r.stdout.strip() and
               not r.stderr.strip(), "systemd-analyze verify%s: clean" %
               (", Documentation= pages included" if man == ["--man=yes"]
                else ""), r.stdout + r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def environ_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return dict(e.split(b"=", 1) for e in f.read().split(b"\0")
                    if b"=" in e)


def thp_offered():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            line = f.read()
    except OSError:
        return False
    return "[always]" in line or "[madvise]" in line


def huge_pages(tap):
    """capsuled serve starts itself again with glibc's malloc asking for
    transparent huge pages, keeping its pid; a user's own setting of the
    tunable stands."""
    cap = ct.Capsule()
    cap.write_config()
    try:
        srv = ct.start_server(cap)
        try:
            env = environ_of(srv.pid)
            tunables = env.get(b"GLIBC_TUNABLES", b"")
            if ct.sanitized(srv.pid):
                tap.eq(tunables, b"",
                       "under AddressSanitizer: started once, as it was")
            else:
                tap.eq(tunables, b"glibc.malloc.hugetlb=1",
                       "restarted with glibc.malloc.hugetlb=1, same pid")
                reply = ct.gemini(cap.gemini_port,
                                  ct.gemini_url(cap.gemini_port))
                tap.ok(reply.header.startswith("20 "),
                       "and serves", reply.header)
        finally:
            srv.stop()
        own = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.hugetlb=0")
        srv = ct.Server(cap.capsule, env=own)
        try:
            tap.ok(srv.wait_ready(15), "starts with the user's tunable")
            tap.eq(environ_of(srv.pid).get(b"GLIBC_TUNABLES"),
                   b"glibc.malloc.hugetlb=0", "the user's setting stands")
        finally:
            srv.stop()
    finally:
        cap.cleanup()


def main(tap):
    tap.run("command line", command_line, tap)
    tap.run("units", units, tap)
    if not ACTIVATE:
        tap.skip("socket activation", "no systemd-socket-activate")
    else:
        tap.run("activation by names", activation, tap, "gemini:gopher")
        tap.run("activation by ports", activation, tap, None)
        tap.run("activation by names, ports elsewhere", activation, tap,
                "gemini:gopher", ct.free_port())
        tap.run("activation refused", activation_refused, tap)
    tap.run("state directory, systemd", state_directory, tap, "systemd")
    if os.geteuid() == 0:
        tap.run("state directory, XDG", state_directory, tap, "xdg")
        tap.run("state directory, home", state_directory, tap, "home")
    else:
        tap.skip("state directory as another user", "not root")
    if thp_offered():
        tap.run("huge pages", huge_pages, tap)
    else:
        tap.skip("huge pages", "the kernel offers no transparent huge pages")
    tap.run("notify, path", notify, tap, False)
    tap.run("notify, abstract", notify, tap, True)


if __name__ == "__main__":
    ct.main_guard(main)
