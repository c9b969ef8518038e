"""The PROXY protocol over real sockets (gemini.proxy_protocol,
gopher.proxy_protocol, finger.proxy_protocol): v1 and v2 headers written by
hand before TLS, a selector or a finger query; the client they name in the
access log (anonymised too), LOCAL and UNKNOWN served as the proxy itself,
a header trickled a byte at a time, and the refusals: no header, a
malformed one, one over 4 KiB, one that never ends (the deadline). The
per-client cap and the rate limit count the client the header names, not
the proxy."""

import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(src, dst="127.0.0.1", sport=40000, dport=1965):
    fam = "TCP6" if ":" in src else "TCP4"
    if fam == "TCP6" and ":" not in dst:
        dst = "::1"
    return ("PROXY %s %s %s %d %d\r\n" % (fam, src, dst, sport,
                                          dport)).encode()


def v2(src=None, dst="127.0.0.1", sport=40000, dport=1965, tlv=b"",
       local=False):
    """A v2 header: PROXY from src (IPv4 or IPv6), or LOCAL."""
    if local:
        return SIG + b"\x20\x00" + struct.pack("!H", 0)
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    if fam == socket.AF_INET6 and ":" not in dst:
        dst = "::1"
    body = (socket.inet_pton(fam, src) + socket.inet_pton(fam, dst) +
            struct.pack("!HH", sport, dport) + tlv)
    famb = b"\x21" if fam == socket.AF_INET6 else b"\x11"
    return SIG + b"\x21" + famb + struct.pack("!H", len(body)) + body


def raw_conn(port, header, trickle=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if trickle:
        for i in range(len(header)):
            s.sendall(header[i:i + 1])
            time.sleep(0.01)
    else:
        s.sendall(header)
    return s


def gemini_via(port, header, path="/", trickle=False):
    """A Gemini request over TLS after the header; None when the server
    closed the connection instead of answering."""
    s = raw_conn(port, header, trickle)
    try:
        t = ct.tls_context().wrap_socket(s, server_hostname="localhost")
        t.sendall((ct.gemini_url(port, path) + "\r\n").encode())
        raw, clean = ct.read_all_tls(t)
        t.close()
        return ct.GeminiResponse(raw, clean)
    except (OSError, ConnectionError):
        s.close()
        return None


def plain_via(port, header, line):
    """Header then one line (gopher or finger); the whole answer, b"" when
    closed unanswered."""
    with raw_conn(port, header) as s:
        chunks = []
        try:
            s.sendall(line)
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
    return b"".join(chunks)


def log_has(srv, addr, what, timeout=3):
    pat = re.compile(r"Z %s (gemini|gopher|finger) \S*%s" %
                     (re.escape(addr), re.escape(what)))
    end = time.time() + timeout
    while time.time() < end:
        if any(pat.search(l) for l in srv.stderr()):
            return True
        time.sleep(0.05)
    return False


def headers(tap, srv, cap):
    gp, op = cap.gemini_port, cap.gopher_port
    r = gemini_via(gp, v1("192.0.2.7"), "/v1")
    tap.ok(r is not None and r.status == "51", "gemini after a v1 header",
           r and r.header)
    tap.ok(log_has(srv, "192.0.2.7", "/v1"), "v1: the client in the log",
           "\n".join(srv.stderr()[-5:]))
    r = gemini_via(gp, v2("198.51.100.9", tlv=b"\x04\x00\x03abc"), "/")
    tap.ok(r is not None and r.status == "20", "gemini after a v2 header "
           "with a TLV", r and r.header)
    tap.ok(log_has(srv, "198.51.100.9", "localhost/"), "v2: the client in "
           "the log")
    got = plain_via(op, v2("2001:db8::7", dport=70), b"/robots.txt\r\n")
    tap.ok(b"Disallow" in got, "gopher after a v2 IPv6 header", got[:80])
    tap.ok(log_has(srv, "2001:db8::7", "/robots.txt"), "v2 IPv6: the client "
           "in the log")
    got = plain_via(op, v1("203.0.113.5"), b"/caps.txt\r\n")
    tap.ok(b"CAPS" in got, "gopher after a v1 header", got[:80])
    got = plain_via(cap.finger_port, v1("203.0.113.6"), b"plan\r\n")
    tap.ok(len(got) > 0, "finger after a v1 header", got[:80])
    tap.ok(log_has(srv, "203.0.113.6", "plan"), "finger: the client in the "
           "log")


def local(tap, srv, cap):
    r = gemini_via(cap.gemini_port, v2(local=True), "/local")
    tap.ok(r is not None and r.status == "51", "v2 LOCAL (health check) "
           "served", r and r.header)
    tap.ok(log_has(srv, "127.0.0.1", "/local"), "LOCAL: logged as the proxy")
    got = plain_via(cap.gopher_port, b"PROXY UNKNOWN\r\n", b"/unknown\r\n")
    tap.ok(got.startswith(b"3"), "v1 UNKNOWN served", got[:80])
    tap.ok(log_has(srv, "127.0.0.1", "/unknown"), "UNKNOWN: logged as the "
           "proxy")
    r = gemini_via(cap.gemini_port, v2("192.0.2.44"), "/slow",
                   trickle=True)
    tap.ok(r is not None and r.status == "51", "a header trickled a byte at "
           "a time", r and r.header)


def refusals(tap, cap, deadline):
    gp, op = cap.gemini_port, cap.gopher_port
    tap.ok(gemini_via(gp, b"") is None, "gemini without a header: closed")
    tap.eq(plain_via(op, b"", b"/\r\n"), b"", "gopher without a header: "
           "closed unanswered")
    tap.eq(plain_via(op, b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", b"/\r\n"),
           b"", "malformed v1: closed")
    big = v2("192.0.2.1", tlv=b"\x04" + struct.pack("!H", 4100) + b"x" * 4100)
    tap.eq(plain_via(op, big, b"/\r\n"), b"", "v2 over 4 KiB: closed")
    tap.eq(plain_via(op, SIG + b"\x31\x11\x00\x0c" + b"\0" * 12, b"/\r\n"),
           b"", "v2 of version 3: closed")
    s = raw_conn(op, b"PROXY TCP4 192.0.2.")
    t = ct.closed_after(s, deadline + 3)
    s.close()
    tap.ok(t is not None and t < deadline + 2, "a header that never ends: "
           "closed by the deadline", t)


def per_client_cap(tap, cap):
    """max_per_client 2: a third connection from the header's client is
    closed at once; another client behind the same proxy is served."""
    op = cap.gopher_port
    held = [raw_conn(op, v1("192.0.2.50")) for _ in range(2)]
    time.sleep(0.3)
    third = raw_conn(op, v1("192.0.2.50"))
    t = ct.closed_after(third, 1.5)
    third.close()
    tap.ok(t is not None and t < 1, "third connection of one client behind "
           "the proxy: closed at once", t)
    got = plain_via(op, v1("192.0.2.51"), b"/robots.txt\r\n")
    tap.ok(b"Disallow" in got, "another client behind the same proxy: "
           "served", got[:80])
    for s in held:
        s.close()


def rate_limited(tap, cap):
    """server.rate_limit 3/s counts the header's client: one slowed, another
    behind the same proxy served."""
    op = cap.gopher_port
    got = [plain_via(op, v1("192.0.2.60"), b"/robots.txt\r\n")
           for _ in range(10)]
    slowed = [g for g in got if g.startswith(b"3Too many requests")]
    tap.ok(len(slowed) >= 3, "one client behind the proxy over the rate "
           "limit: slowed (%d of 10)" % len(slowed), got[-1][:60])
    got = plain_via(op, v1("192.0.2.61"), b"/robots.txt\r\n")
    tap.ok(b"Disallow" in got, "another client behind the same proxy: "
           "not slowed", got[:60])


def anonymised(tap):
    cap = ct.Capsule()
    cap.finger_port = ct.free_port()
    cap.write_config(anonymize=True)
    path = os.path.join(cap.capsule, "capsule.yaml")
    with open(path) as f:
        text = f.read()
    text = text.replace("  admin:", "  proxy_protocol: true\n  admin:")
    with open(path, "w") as f:
        f.write(text)
    srv = ct.start_server(cap)
    try:
        plain_via(cap.gopher_port, v1("192.0.2.77"), b"/anon\r\n")
        plain_via(cap.gopher_port, v1("2001:db8:5:6::1"), b"/anon6\r\n")
        tap.ok(log_has(srv, "192.0.2.0", "/anon"), "anonymised: the header's "
               "client cut to its /24", "\n".join(srv.stderr()[-4:]))
        tap.ok(log_has(srv, "2001:db8:5::", "/anon6"), "anonymised: an IPv6 "
               "client cut to its /48", "\n".join(srv.stderr()[-4:]))
    finally:
        srv.stop()
        cap.cleanup()


def proxied_config(cap, deadline):
    gemini = """gemini:
  host: localhost
  port: %(gp)d
  listen: ["127.0.0.1:%(gp)d"]
  cert: %(crt)s
  key: %(key)s
  proxy_protocol: true
""" % {"gp": cap.gemini_port,
       "crt": ct.yaml_str(os.path.join(cap.certs, "localhost.crt")),
       "key": ct.yaml_str(os.path.join(cap.certs, "localhost.key"))}
    path = cap.write_config(deadline=deadline, gemini=gemini,
                            max_per_client=2,
                            extra_server="  rate_limit: 3\n  rate_burst: 3\n",
                            finger={"port": cap.finger_port,
                                    "proxy_protocol": "true"})
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("  admin:", "  proxy_protocol: true\n  admin:"))


def main(tap):
    deadline = 2
    cap = ct.Capsule()
    cap.finger_port = ct.free_port()
    proxied_config(cap, deadline)
    srv = ct.start_server(cap)
    try:
        tap.run("headers", headers, tap, srv, cap)
        tap.run("local", local, tap, srv, cap)
        tap.run("refusals", refusals, tap, cap, deadline)
        tap.run("per-client cap", per_client_cap, tap, cap)
        tap.run("rate limit", rate_limited, tap, cap)
        tap.ok(srv.proc.poll() is None, "server still running")
    finally:
        srv.stop()
        cap.cleanup()
    tap.run("anonymised", anonymised, tap)


if __name__ == "__main__":
    ct.main_guard(main)
