"""HAProxy (Debian's haproxy) in front of two capsuled instances, with the
configuration shipped in contrib/haproxy/haproxy.cfg (its addresses
replaced by free ports): both instances serve the same capsule with the
same certificate, a client from 127.0.0.2 is found in an instance's
access log, the health checks (PROXY v2 LOCAL) pass, Gopher goes through
too, and under load from closed-loop clients one instance killed with
SIGKILL loses at most the requests in flight at the kill while the other
serves on."""

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

CONTRIB = os.path.join(ct.SOURCE_ROOT, "contrib", "haproxy", "haproxy.cfg")
CLIENTS = 8


def instance_config(cap, gemini_port, gopher_port, public_gemini,
                    public_gopher, certs):
    gemini = """gemini:
  host: localhost
  port: %d
  listen: ["127.0.0.1:%d"]
  cert: %s
  key: %s
  proxy_protocol: true
""" % (public_gemini, gemini_port,
       ct.yaml_str(os.path.join(certs, "localhost.crt")),
       ct.yaml_str(os.path.join(certs, "localhost.key")))
    cap.gopher_port = gopher_port
    path = cap.write_config(gemini=gemini, max_per_client=0, workers=2)
    with open(path) as f:
        text = f.read()
    text = text.replace("  listen: [\"127.0.0.1:%d\", \"[::1]:%d\"]\n  width"
                        % (gopher_port, gopher_port),
                        "  listen: [\"127.0.0.1:%d\"]\n  proxy_protocol: true\n"
                        "  width" % gopher_port)
    text = text.replace("  port: %d\n  listen: [\"127.0.0.1:%d\"]\n  proxy"
                        % (gopher_port, gopher_port),
                        "  port: %d\n  listen: [\"127.0.0.1:%d\"]\n  proxy"
                        % (public_gopher, gopher_port))
    with open(path, "w") as f:
        f.write(text)


def haproxy_config(tap, work, ports):
    """contrib's file with its addresses on free ports; every address it
    holds must be found, so the test and the example cannot drift."""
    with open(CONTRIB) as f:
        text = f.read()
    subs = [("bind :1965", "bind 127.0.0.1:%d" % ports["gemini"]),
            ("bind :70", "bind 127.0.0.1:%d" % ports["gopher"]),
            ("127.0.0.1:11965", "127.0.0.1:%d" % ports["g1"]),
            ("127.0.0.1:21965", "127.0.0.1:%d" % ports["g2"]),
            ("127.0.0.1:17070", "127.0.0.1:%d" % ports["o1"]),
            ("127.0.0.1:27070", "127.0.0.1:%d" % ports["o2"]),
            # Not root's daemon here: no chroot or user, logs to stderr.
            ("    log /dev/log local0\n", "    log stderr format raw local0\n"),
            ("    chroot /var/lib/haproxy\n", ""),
            ("    user haproxy\n", ""), ("    group haproxy\n", "")]
    missing = [a for a, _ in subs if a not in text]
    tap.ok(not missing, "contrib/haproxy/haproxy.cfg holds the addresses "
           "the test moves", missing)
    for a, b in subs:
        text = text.replace(a, b)
    path = os.path.join(work, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(text)
    check = subprocess.run(["haproxy", "-c", "-f", path],
                           capture_output=True, text=True)
    tap.ok(check.returncode == 0, "haproxy -c accepts it", check.stderr)
    return path


def start_haproxy(path):
    proc = subprocess.Popen(["haproxy", "-db", "-f", path],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    threading.Thread(target=lambda: [lines.append(l.decode("utf-8", "replace"))
                                     for l in iter(proc.stdout.readline, b"")],
                     daemon=True).start()
    return proc, lines


def cert_digest(port):
    with ct.tls_connect(port) as s:
        return hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()


def wait_served(port, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if ct.gemini(port, ct.gemini_url(port, "/robots.txt")).status == "20":
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def through(tap, port, gopher_port, servers):
    digests = {cert_digest(port) for _ in range(8)}
    tap.eq(len(digests), 1, "one certificate whichever instance answers")
    r = ct.gemini(port, ct.gemini_url(port, "/from-two"), source="127.0.0.2")
    tap.eq(r.status, "51", "a request from 127.0.0.2 through HAProxy")
    pat = re.compile(r"Z 127\.0\.0\.2 gemini \S*/from-two 51 ")
    end = time.time() + 3
    found = False
    while not found and time.time() < end:
        found = any(pat.search(l) for s in servers for l in s.stderr())
        time.sleep(0.05)
    tap.ok(found, "the instance logs 127.0.0.2, the client behind HAProxy",
           "\n".join(servers[0].stderr()[-3:] + servers[1].stderr()[-3:]))
    got, _ = ct.gopher(gopher_port, "/robots.txt")
    tap.ok(got.startswith(b"User-agent"), "gopher through HAProxy", got[:60])
    served = [sum(1 for l in s.stderr() if " gemini " in l) for s in servers]
    tap.ok(all(n > 0 for n in served), "both instances answer requests",
           served)


class Load:
    """CLIENTS threads in a closed loop, each a full handshake per request;
    every request's start, end and outcome recorded."""

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.done = []  # (start, end, good, what)
        self.stop = False

    def one(self):
        t0 = time.time()
        try:
            r = ct.gemini(self.port, ct.gemini_url(self.port, "/"), timeout=10)
            good, what = r.status == "20" and r.clean, r.header
        except OSError as e:
            good, what = False, e
        with self.lock:
            self.done.append((t0, time.time(), good, repr(what)[:80]))

    def loop(self):
        while not self.stop:
            self.one()


def kill(srv):
    """SIGKILL, and the moment the process is gone: its sockets stay open
    (and take connections) until the kernel has torn it down."""
    signaled = time.time()
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    return signaled, time.time()


def failover(tap, port, servers):
    load = Load(port)
    threads = [threading.Thread(target=load.loop) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(2)
    signaled, gone = kill(servers[1])
    time.sleep(4)
    load.stop = True
    for t in threads:
        t.join(15)
    done = list(load.done)
    in_flight = [d for d in done if d[0] < gone and d[1] > signaled]
    failed = [d for d in done if not d[2]]
    before = sum(1 for d in done if d[2] and d[1] <= signaled)
    after = sum(1 for d in done if d[2] and d[0] >= gone)
    print("# failover: %d clients, %d served before the kill, %d after, %d "
          "failed, %d in flight during the kill (%.0f ms from SIGKILL to "
          "the process gone)" % (CLIENTS, before, after, len(failed),
                                 len(in_flight), (gone - signaled) * 1000),
          flush=True)
    tap.ok(before > 0 and after > 0, "requests served before and after the "
           "SIGKILL (%d, %d)" % (before, after))
    stray = [d for d in failed if d not in in_flight]
    tap.ok(not stray and len(failed) <= len(in_flight),
           "failures (%d) are requests in flight during the kill (%d)" %
           (len(failed), len(in_flight)),
           ["%+.3f s %s" % (d[0] - signaled, d[3]) for d in failed[:8]])
    tail = [ct.gemini(port, ct.gemini_url(port, "/")).status for _ in range(6)]
    tap.eq(tail, ["20"] * 6, "after the kill every request is served")


def main(tap):
    if not shutil.which("haproxy"):
        tap.skip("haproxy", "haproxy is not installed (apt-get install haproxy)")
        return
    work = ct.Capsule()
    ports = {k: ct.free_port() for k in ("gemini", "gopher", "g1", "g2",
                                         "o1", "o2")}
    caps, servers, hap = [], [], None
    try:
        for gp, op in ((ports["g1"], ports["o1"]), (ports["g2"], ports["o2"])):
            cap = ct.Capsule()
            instance_config(cap, gp, op, ports["gemini"], ports["gopher"],
                            work.certs)
            caps.append(cap)
            servers.append(ct.start_server(cap))  # the first makes the key
        path = haproxy_config(tap, work.dir, ports)
        hap, hap_out = start_haproxy(path)
        tap.ok(wait_served(ports["gemini"]), "HAProxy serves",
               "\n".join(hap_out[-10:]))
        time.sleep(2.5)  # both servers seen up by the health checks
        down = [l for l in hap_out if " is DOWN" in l]
        tap.ok(not down, "health checks (PROXY v2 LOCAL) pass", down[:4])
        tap.run("through", through, tap, ports["gemini"], ports["gopher"],
                servers)
        tap.run("failover", failover, tap, ports["gemini"], servers)
        tap.ok(any("capsuled2" in l and "DOWN" in l for l in hap_out),
               "HAProxy saw the killed instance go down",
               "\n".join(hap_out[-5:]))
    finally:
        if hap:
            hap.terminate()
            hap.wait(10)
        for s in servers:
            s.stop()
        for c in caps + [work]:
            c.cleanup()


if __name__ == "__main__":
    ct.main_guard(main)
