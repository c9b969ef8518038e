"""Shared helpers for the integration tests: TAP output, a temporary capsule,
a capsuled process on free ports, and Gemini/Gopher clients over real
sockets. Python 3 standard library only."""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

CAPSULED = os.environ.get("CAPSULED", "capsuled")
SOURCE_ROOT = os.environ.get(
    "CAPSULED_SOURCE_ROOT",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEFAULT_CAPSULE = os.path.join(SOURCE_ROOT, "capsule")


class Tap:
    """TAP producer: every check prints one ok/not ok line."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            if detail is not None:
                for line in str(detail).splitlines()[:20]:
                    print("#   " + line, flush=True)
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def todo(self, cond, name, why, detail=None):
        """A known gap owned elsewhere: reported, not counted as a failure."""
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            print("not ok %d - %s # TODO %s" % (self.n, name, why), flush=True)
            if detail is not None:
                print("#   " + str(detail), flush=True)
        return cond

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why), flush=True)

    def run(self, name, fn, *args):
        """Runs a group of checks; an exception fails the group, not the file."""
        try:
            fn(*args)
        except Exception as e:  # report and carry on with the next group
            import traceback
            self.ok(False, "%s raised %s" % (name, type(e).__name__),
                    traceback.format_exc())

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def finger_section(finger):
    """The finger: section of capsule.yaml for write_config's finger."""
    if finger is None:
        return ""
    keys = dict(finger) if isinstance(finger, dict) else {"port": finger}
    port = keys.pop("port")
    text = 'finger:\n  enabled: true\n  listen: ["127.0.0.1:%d", "[::1]:%d"]\n' % (
        port, port)
    for k, v in keys.items():
        text += "  %s: %s\n" % (k, v)
    return text


def finger(port, query, host="127.0.0.1", timeout=5, raw=None):
    """The whole answer to one finger query (CRLF added unless raw); what
    came before a reset when the server resets the connection."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        chunks = []
        try:
            s.sendall(raw if raw is not None else query.encode() + b"\r\n")
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


def spartan_section(spartan):
    """The spartan: section of capsule.yaml for write_config's spartan."""
    if spartan is None:
        return ""
    keys = dict(spartan) if isinstance(spartan, dict) else {"port": spartan}
    port = keys.pop("port")
    text = ('spartan:\n  enabled: true\n  port: %d\n'
            '  listen: ["127.0.0.1:%d", "[::1]:%d"]\n' % (port, port, port))
    for k, v in keys.items():
        text += "  %s: %s\n" % (k, v)
    return text


def spartan(port, path="/", data=b"", host="127.0.0.1", name="localhost",
            timeout=5, raw=None):
    """The whole response to one Spartan request ("NAME PATH LENGTH" CRLF,
    then data; raw bytes as they are when given): what came before a reset
    when the server resets the connection."""
    if raw is None:
        raw = ("%s %s %d\r\n" % (name, path, len(data))).encode() + data
    with socket.create_connection((host, port), timeout=timeout) as s:
        chunks = []
        try:
            s.sendall(raw)
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


class Capsule:
    """A temporary copy of the default capsule with its own capsule.yaml."""

    def __init__(self, page_source=None):
        self.dir = tempfile.mkdtemp(prefix="capsuled-test-")
        os.chmod(self.dir, 0o755)
        self.capsule = os.path.join(self.dir, "capsule")
        os.mkdir(self.capsule)
        src = page_source or os.path.join(DEFAULT_CAPSULE, "about.md")
        self.page = os.path.join(self.capsule, "about.md")
        shutil.copyfile(src, self.page)
        os.chmod(self.page, 0o644)
        self.certs = os.path.join(self.dir, "certs")
        self.gemini_port = free_port()
        self.gopher_port = free_port()

    def write_config(self, deadline=2, max_connections=64, workers=2,
                     extra_server="", gemini=None, extra_top="",
                     access_log="-", anonymize=False, max_per_client=None,
                     finger=None, spartan=None):
        """max_per_client: None leaves the server's default (64); tests
        that open more connections at once from 127.0.0.1 set it (0 = no
        per-client cap). finger: None leaves finger off; a port enables it
        on 127.0.0.1 and ::1 there (a dict adds other finger keys, e.g.
        {"port": p, "ascii": "true"}). spartan: the same for spartan
        (the port is also spartan.port)."""
        if gemini is None:
            gemini = """gemini:
  host: localhost
  aliases: []
  port: %(gp)d
  listen: ["127.0.0.1:%(gp)d", "[::1]:%(gp)d"]
  cert: %(crt)s
  key: %(key)s
""" % {"gp": self.gemini_port,
       "crt": yaml_str(os.path.join(self.certs, "localhost.crt")),
       "key": yaml_str(os.path.join(self.certs, "localhost.key"))}
        text = """title: "Zhangqiang Ming"
description: "Ph.D. candidate in computer architecture, HUST"
lang: en
url: "https://zhangqiangming.github.io/"
page: about.md
favicon: "\U0001F393"
source: true
author:
  name: "Zhangqiang Ming"
  bio: "Ph.D. candidate in Computer Architecture at HUST"
robots: |
  User-agent: *
  Disallow: /search
%(extra_top)s
%(finger)s
%(spartan)s
%(gemini)s
gopher:
  host: localhost
  port: %(op)d
  listen: ["127.0.0.1:%(op)d", "[::1]:%(op)d"]
  width: 70
  admin: "admin@example.org"

server:
  workers: %(workers)d
  max_connections: %(maxc)d
%(per_client)s  deadline: %(deadline)s
  access_log: %(log)s
  anonymize: %(anon)s
%(extra_server)s
""" % {"gemini": gemini, "op": self.gopher_port, "workers": workers,
       "maxc": max_connections, "deadline": deadline,
       "per_client": "" if max_per_client is None else
       "  max_per_client: %d\n" % max_per_client,
       "extra_server": extra_server, "extra_top": extra_top,
       "finger": finger_section(finger),
       "spartan": spartan_section(spartan),
       "log": yaml_str(access_log), "anon": "true" if anonymize else "false"}
        path = os.path.join(self.capsule, "capsule.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


SANITIZER_MARKS = ("runtime error:", "AddressSanitizer", "LeakSanitizer",
                   "UndefinedBehaviorSanitizer")
ALL_SERVERS = []


class Server:
    """capsuled serve DIR in the foreground, stderr collected by a thread."""

    def __init__(self, capsule_dir, args=None, preexec_fn=None, prefix=None,
                 env=None):
        """preexec_fn runs in the child before exec (e.g. to set limits);
        prefix: a command that execs capsuled (systemd-socket-activate);
        env: the environment, when not this one."""
        ALL_SERVERS.append(self)
        if env is None or "STATE_DIRECTORY" not in env:
            # Generated certificates go to the test's own state directory,
            # beside the capsule, never to the machine's.
            env = dict(env or os.environ, STATE_DIRECTORY=os.path.join(
                os.path.dirname(os.path.abspath(capsule_dir)), "state"))
        self.proc = subprocess.Popen(
            (prefix or []) + [CAPSULED, "serve"] + (args or []) +
            [capsule_dir],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=preexec_fn, env=env)
        self.stdout_lines = []
        self.stderr_lines = []
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.t_out = threading.Thread(target=self._pump, args=(
            self.proc.stdout, self.stdout_lines, True), daemon=True)
        self.t_err = threading.Thread(target=self._pump, args=(
            self.proc.stderr, self.stderr_lines, False), daemon=True)
        self.t_out.start()
        self.t_err.start()

    def _pump(self, stream, into, marks_ready):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.lock:
                into.append(line)
            if marks_ready and line.startswith("gopher://"):
                self.ready.set()
        if marks_ready:
            self.ready.set()

    @property
    def pid(self):
        return self.proc.pid

    def wait_ready(self, timeout=15):
        self.ready.wait(timeout)
        return self.proc.poll() is None and any(
            l.startswith("gopher://") for l in self.stdout())

    def stdout(self):
        with self.lock:
            return list(self.stdout_lines)

    def stderr(self):
        with self.lock:
            return list(self.stderr_lines)

    def wait_stderr(self, needle, timeout=5):
        end = time.time() + timeout
        while time.time() < end:
            if any(needle in l for l in self.stderr()):
                return True
            time.sleep(0.05)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10, sig=None):
        """SIGTERM (or sig); returns the exit status (None if it had to be
        killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        self.t_out.join(2)
        self.t_err.join(2)
        return self.proc.returncode


def start_server(capsule, timeout=15):
    srv = Server(capsule.capsule)
    if not srv.wait_ready(timeout):
        rc = srv.stop()
        raise RuntimeError("capsuled did not start (status %r):\n%s" %
                           (rc, "\n".join(srv.stderr()[-30:])))
    return srv


# ---- clients -----------------------------------------------------------------

def tls_context(max_version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if max_version is not None:
        ctx.maximum_version = max_version
    return ctx


def tls_connect(port, sni="localhost", host="127.0.0.1", timeout=5,
                ctx=None, session=None, source=None):
    """source: the local address to connect from (e.g. "127.0.0.2")."""
    raw = socket.create_connection((host, port), timeout=timeout,
                                   source_address=(source, 0) if source
                                   else None)
    ctx = ctx or tls_context()
    return ctx.wrap_socket(raw, server_hostname=sni,
                           suppress_ragged_eofs=False, session=session)


def read_all_tls(s):
    """Reads to the end; returns (data, clean) where clean means the server
    sent close_notify (an unexpected EOF raises SSLEOFError instead)."""
    chunks = []
    while True:
        try:
            b = s.recv(65536)
        except ssl.SSLEOFError:
            return b"".join(chunks), False
        except (ConnectionResetError, socket.timeout, ssl.SSLError, OSError):
            return b"".join(chunks), False
        if not b:
            return b"".join(chunks), True
        chunks.append(b)


class GeminiResponse:
    def __init__(self, raw, clean, tls_version=None, session=None,
                 reused=False):
        self.raw = raw
        self.clean = clean
        self.tls_version = tls_version
        self.session = session
        self.reused = reused
        head, sep, body = raw.partition(b"\r\n")
        self.header = head.decode("utf-8", "replace") if sep else None
        self.body = body
        parts = (self.header or "").split(" ", 1)
        self.status = parts[0]
        self.meta = parts[1] if len(parts) > 1 else ""

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def gemini(port, request, sni="localhost", host="127.0.0.1", timeout=5,
           ctx=None, session=None, source=None):
    """One Gemini request; request is str (CRLF added) or raw bytes."""
    if isinstance(request, str):
        request = request.encode("utf-8") + b"\r\n"
    with tls_connect(port, sni, host, timeout, ctx, session, source) as s:
        s.sendall(request)
        raw, clean = read_all_tls(s)
        return GeminiResponse(raw, clean, s.version(), s.session,
                              s.session_reused)


def gemini_until(port, url, want, sni="localhost", seconds=5):
    """Requests url until the answer is a 20 whose page holds want (a live
    reload is due), or seconds pass; returns the last response."""
    end = time.time() + seconds
    while True:
        r = gemini(port, url, sni=sni)
        if (r.status == "20" and want in r.text) or time.time() > end:
            return r
        time.sleep(0.1)


def gemini_url(port, path="/", host="localhost"):
    return "gemini://%s:%d%s" % (host, port, path)


def gopher(port, selector, host="127.0.0.1", timeout=5, raw=None,
           source=None):
    """One Gopher request; returns (bytes, seconds). source: as for
    tls_connect."""
    t0 = time.time()
    with socket.create_connection((host, port), timeout=timeout,
                                  source_address=(source, 0) if source
                                  else None) as s:
        s.sendall(raw if raw is not None else selector.encode("utf-8") + b"\r\n")
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks), time.time() - t0


def closed_after(sock, limit):
    """Seconds until the peer closes sock (EOF or reset), None if it stays
    open for limit seconds."""
    t0 = time.time()
    sock.settimeout(limit)
    try:
        while True:
            b = sock.recv(4096)
            if not b:
                return time.time() - t0
    except socket.timeout:
        return None
    except (ConnectionResetError, ssl.SSLError, OSError):
        return time.time() - t0


def sanitized(pid):
    """True when the server runs under AddressSanitizer: its allocator keeps
    freed memory in quarantine and costs time, which some checks allow for."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            return "libasan" in f.read()
    except OSError:
        return False


def write_atomically(path, text):
    """As an editor saves: a new file renamed over the old one, so the
    server never reads it half-written."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def rss_kib(pid):
    return int(proc_status(pid)["VmRSS"].split()[0])


def sanitizer_reports():
    lines = []
    for srv in ALL_SERVERS:
        found = [l for l in srv.stderr() if any(m in l for m in
                                                SANITIZER_MARKS)]
        if getattr(srv, "chrooted", False):
            # Inside a chroot there is no /proc, which LeakSanitizer needs
            # to stop the threads at exit: it gives up, which is no finding.
            found = [l for l in found if "LeakSanitizer has encountered a "
                     "fatal error" not in l and "HINT: LeakSanitizer" not in l]
        lines += found
    return lines


def main_guard(fn):
    """Runs fn(tap) and exits with the TAP status; never hangs the suite."""
    tap = Tap()
    try:
        fn(tap)
    except Exception:
        import traceback
        tap.ok(False, "test file raised", traceback.format_exc())
    for srv in ALL_SERVERS:
        srv.stop()
    reports = sanitizer_reports()
    tap.ok(not reports, "no sanitizer reports from any server",
           "\n".join(reports[:20]))
    sys.exit(tap.done())
