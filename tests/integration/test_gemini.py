"""Gemini over real TLS sockets: request rules, routes, TLS behaviour, SNI,
certificates, live reload, SIGHUP, deadlines, the connection cap, the
access log, SIGTERM and (as root) the privilege drop."""

import os
import re
import signal
import socket
import ssl
import stat
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

GEMTEXT = "text/gemini; charset=utf-8; lang=en"
LAGRANGE_GEMSUB = re.compile(r"^=>\s*(\S+)\s+(\d{4}-[01]\d-[0-3]\d)([^0-9].*)")


def request_rules(tap, port):
    url = ct.gemini_url(port)
    home = ct.gemini(port, url)
    tap.eq(home.status, "20", "home: 20")
    tap.eq(home.meta, GEMTEXT, "home: meta has charset and lang")

    # Length: 1024 bytes of URL are fine, 1025 are not.
    base = url + "?"
    ok_len = base + "a" * (1024 - len(base))
    tap.ok(ct.gemini(port, ok_len).status != "59", "1024-byte URL accepted")
    tap.eq(ct.gemini(port, ok_len + "a").status, "59", "1025-byte URL: 59")
    tap.eq(ct.gemini(port, b"gemini://" + b"x" * 3000).status, "59",
           "3000 bytes without CRLF: 59")

    # An LF alone does not end the request: no answer before the deadline.
    with ct.tls_connect(port) as s:
        s.sendall(url.encode() + b"\n")
        s.settimeout(0.7)
        try:
            early = s.recv(100)
        except socket.timeout:
            early = None
        tap.ok(early is None, "LF alone: no response yet", repr(early))

    tap.eq(ct.gemini(port, ct.gemini_url(port, "/", "LOCALHOST")).status,
           "20", "host is case-insensitive")
    tap.eq(ct.gemini(port, ct.gemini_url(port, "/", "localhost.")).status,
           "20", "trailing dot allowed")
    tap.eq(ct.gemini(port, "gemini://example.org:%d/" % port).status, "53",
           "another host: 53")
    tap.eq(ct.gemini(port, "gemini://localhost:1/").status, "53",
           "another port: 53")
    tap.eq(ct.gemini(port, "gemini://localhost/").status, "53",
           "absent port means 1965, not ours: 53")
    tap.eq(ct.gemini(port, "https://localhost:%d/" % port).status, "53",
           "another scheme: 53")
    tap.eq(ct.gemini(port, "gemini://user@localhost:%d/" % port).status,
           "59", "userinfo: 59")
    tap.eq(ct.gemini(port, url + "#frag").status, "59", "fragment: 59")
    tap.eq(ct.gemini(port, url.encode() + b"\xff\xfe\r\n").status, "59",
           "invalid UTF-8: 59")
    tap.eq(ct.gemini(port, url.encode() + b"\x01\r\n").status, "59",
           "control byte: 59")
    tap.eq(ct.gemini(port, "").status, "59", "empty request: 59")
    tap.eq(ct.gemini(port, "/").status, "59", "relative URL: 59")

    no_slash = ct.gemini(port, "gemini://localhost:%d" % port)
    tap.eq((no_slash.status, no_slash.body), ("20", home.body),
           "empty path is the home page")
    # Dot segments are refused, not resolved (gemini-diagnostics).
    tap.eq(ct.gemini(port, url + "a/../").status, "59", "a/../: 59")
    tap.eq(ct.gemini(port, url + "../../../").status, "59", "../../../: 59")
    tap.eq(ct.gemini(port, url + "../../etc/passwd").status, "59",
           "../../etc/passwd: 59")
    tap.eq(ct.gemini(port, url + "a/./b").status, "59", "a/./b: 59")
    tap.eq(ct.gemini(port, url + "%2e%2e/%2E%2E/etc/passwd").status, "59",
           "escaped dot segments: 59")
    tap.eq(ct.gemini(port, url + "%73earch").status, "10",
           "path is percent-decoded")


def section_links(home_text):
    return re.findall(r"^=>\s*(/[a-z0-9-]+/)\s+(.*)$", home_text, re.M)


def routes(tap, port, capsule):
    url = ct.gemini_url(port)
    home = ct.gemini(port, url)
    text = home.text
    tap.ok("Zhangqiang Ming" in text, "home: author name")
    tap.ok(text.startswith("# "), "home: starts with a heading")
    sections = [(p, l) for p, l in section_links(text)
                if p not in ("/news/",)]
    tap.ok(len(sections) >= 3, "home: a menu of sections",
           "\n".join(text.splitlines()[:40]))
    for path, label in sections:
        r = ct.gemini(port, ct.gemini_url(port, path))
        tap.eq((r.status, r.meta), ("20", GEMTEXT), "section %s: 20" % path)
        tap.ok(len(r.body) > 0, "section %s: has content" % path)
        bare = ct.gemini(port, ct.gemini_url(port, path.rstrip("/")))
        tap.ok(bare.status == "31" and bare.meta.endswith(
            ("localhost:%d%s" % (port, path), " " + path)) or
            bare.meta == path,
            "%s without slash: 31 to %s" % (path.rstrip("/"), path),
            bare.header)

    news = ct.gemini(port, ct.gemini_url(port, "/news/"))
    tap.eq(news.status, "20", "/news/: 20")
    lines = news.text.splitlines()
    tap.ok(lines and lines[0].startswith("# "), "/news/: gemsub title")
    tap.ok(any(LAGRANGE_GEMSUB.match(l) for l in lines),
           "/news/: entries Lagrange's parser matches", news.text[:400])

    atom = ct.gemini(port, ct.gemini_url(port, "/atom.xml"))
    tap.eq(atom.status, "20", "/atom.xml: 20")
    tap.ok(atom.meta.startswith("application/atom+xml"), "/atom.xml: mime",
           atom.meta)
    try:
        root = ET.fromstring(atom.body)
        tap.ok(root.tag.endswith("feed"), "/atom.xml: well-formed feed")
    except ET.ParseError as e:
        tap.ok(False, "/atom.xml: well-formed feed", e)

    robots = ct.gemini(port, ct.gemini_url(port, "/robots.txt"))
    tap.eq((robots.status, robots.meta.split(";")[0]), ("20", "text/plain"),
           "/robots.txt: text/plain")
    tap.ok("Disallow: /search" in robots.text, "/robots.txt: configured rules")
    fav = ct.gemini(port, ct.gemini_url(port, "/favicon.txt"))
    tap.eq((fav.status, fav.text.strip()), ("20", "\U0001F393"),
           "/favicon.txt: the configured emoji")

    search = ct.gemini(port, ct.gemini_url(port, "/search"))
    tap.eq(search.status, "10", "/search: 10")
    tap.ok("Search" in search.meta, "/search: prompt", search.meta)
    found = ct.gemini(port, ct.gemini_url(port, "/search?HUST"))
    tap.eq((found.status, found.meta), ("20", GEMTEXT), "/search?HUST: 20")
    tap.ok("HUST" in found.text and "=>" in found.text,
           "/search?HUST: matching lines with links", found.text[:300])

    src = ct.gemini(port, ct.gemini_url(port, "/source.md"))
    tap.eq(src.status, "20", "/source.md: 20")
    tap.ok(src.meta.startswith("text/markdown"), "/source.md: text/markdown")
    with open(capsule.page, "rb") as f:
        tap.ok(src.body == f.read(), "/source.md: the Markdown byte for byte")

    tap.eq(ct.gemini(port, ct.gemini_url(port, "/no-such-page/")).status,
           "51", "unknown path: 51")


def tls_behaviour(tap, port):
    url = ct.gemini_url(port)
    r = ct.gemini(port, url)
    tap.ok(r.tls_version in ("TLSv1.2", "TLSv1.3"), "TLS 1.2 or later",
           r.tls_version)
    tap.eq(r.tls_version, "TLSv1.3", "TLS 1.3 preferred")
    tap.ok(r.clean, "close_notify received (no unexpected EOF)")
    r12 = ct.gemini(port, url, ctx=ct.tls_context(ssl.TLSVersion.TLSv1_2))
    tap.eq((r12.tls_version, r12.status, r12.clean), ("TLSv1.2", "20", True),
           "TLS 1.2 client served, with close_notify")
    try:
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        old = ct.tls_context(ssl.TLSVersion.TLSv1_1)
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.set_ciphers("ALL:@SECLEVEL=0")
        ct.gemini(port, url, ctx=old)
        tap.ok(False, "TLS 1.1 refused")
    except (ssl.SSLError, OSError):
        tap.ok(True, "TLS 1.1 refused")
    # Resumption: tickets (1.3) and the session cache (1.2).
    for ver in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
        ctx = ct.tls_context(ver)
        first = ct.gemini(port, url, ctx=ctx)
        again = ct.gemini(port, url, ctx=ctx, session=first.session)
        tap.ok(again.reused and again.status == "20",
               "%s session resumed" % ver.name)
    # unwrap() completes the bidirectional close.
    with ct.tls_connect(port) as s:
        s.sendall(url.encode() + b"\r\n")
        data = b""
        while True:
            try:
                b = s.recv(65536)
            except ssl.SSLEOFError:
                b = None
            if not b:
                break
            data += b
        tap.ok(b is not None and data.startswith(b"20 "),
               "response then close_notify")


def certificates(tap, capsule, srv, port):
    key = os.path.join(capsule.certs, "localhost.key")
    crt = os.path.join(capsule.certs, "localhost.crt")
    tap.ok(os.path.exists(crt) and os.path.exists(key),
           "certificate and key generated")
    tap.eq(stat.S_IMODE(os.stat(key).st_mode), 0o600, "key mode 0600")
    dec = ssl._ssl._test_decode_cert(crt)
    tap.ok(("DNS", "localhost") in dec.get("subjectAltName", ()),
           "SAN holds the host name", dec.get("subjectAltName"))
    tap.ok(((("commonName", "localhost"),),) == dec.get("subject"),
           "CN is the host name", dec.get("subject"))
    after = ssl.cert_time_to_seconds(dec["notAfter"])
    tap.ok(after - time.time() > 10 * 365.2 * 86400, "valid for 10+ years",
           dec["notAfter"])
    with ct.tls_connect(port) as s:
        der = s.getpeercert(binary_form=True)
        cipher = s.cipher()
    import hashlib
    fp = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
    out = "\n".join(srv.stdout())
    tap.ok(fp in out, "printed fingerprint matches the served certificate",
           out)
    tap.ok("gemini://localhost:%d/" % port in out, "URL printed")
    tap.ok(cipher is not None, "cipher negotiated")


def sni(tap):
    cap = ct.Capsule()
    p = cap.gemini_port
    other = os.path.join(cap.dir, "other")
    os.mkdir(other)
    with open(os.path.join(other, "about.md"), "w") as f:
        f.write("---\ntitle: Other\n---\n# Other host\n\nThis is the other "
                "capsule, a second host.\n\n# More\n\nText.\n")
    gemini = """gemini:
  host: localhost
  port: %d
  listen: ["127.0.0.1:%d"]
  cert: %s
  key: %s
  hosts:
    - name: other.test
      aliases: [alias.test]
      root: %s
      cert: %s
      key: %s
""" % (p, p, ct.yaml_str(os.path.join(cap.certs, "a.crt")),
       ct.yaml_str(os.path.join(cap.certs, "a.key")), ct.yaml_str(other),
       ct.yaml_str(os.path.join(cap.certs, "b.crt")),
       ct.yaml_str(os.path.join(cap.certs, "b.key")))
    cap.write_config(gemini=gemini)
    srv = ct.start_server(cap)
    try:
        def cert_of(name):
            with ct.tls_connect(p, sni=name) as s:
                return s.getpeercert(binary_form=True)
        a, b, c, none = (cert_of("localhost"), cert_of("other.test"),
                         cert_of("ALIAS.test."), cert_of(None))
        tap.ok(a != b, "SNI: two hosts, two certificates")
        tap.eq(c, b, "SNI: alias (any case, trailing dot) picks its host")
        tap.eq(none, a, "no SNI: the default host")
        tap.eq(cert_of("unknown.test"), a, "unknown SNI: the default host")
        dec = ssl._ssl._test_decode_cert(os.path.join(cap.certs, "b.crt"))
        tap.ok(("DNS", "alias.test") in dec.get("subjectAltName", ()),
               "generated SAN holds the aliases", dec.get("subjectAltName"))
        r = ct.gemini(p, "gemini://other.test:%d/" % p, sni="other.test")
        tap.ok(r.status == "20" and "other capsule" in r.text,
               "other host serves its own capsule", r.raw[:200])
        r = ct.gemini(p, "gemini://other.test:%d/" % p, sni="localhost")
        tap.ok(r.status in ("20", "53"), "host from URL with another SNI: "
               "answered (%s)" % r.status)
        tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
               "default host still served")
        own_site_keys(tap, cap, srv, other)
    finally:
        srv.stop()
        cap.cleanup()


def own_site_keys(tap, cap, srv, other):
    """A host whose directory has its own capsule.yaml takes its site keys
    from there; the default host keeps the main file's."""
    p = cap.gemini_port
    with open(os.path.join(other, "capsule.yaml"), "w") as f:
        f.write('title: "Other Capsule"\nlang: de\nfavicon: "\U0001F98A"\n'
                'author:\n  name: "Ada Other"\n  bio: "Keeps the other '
                'capsule"\n')
    home = "gemini://other.test:%d/" % p
    r = ct.gemini_until(p, home, "Keeps the other capsule", sni="other.test")
    tap.ok("Keeps the other capsule" in r.text and "HUST" not in r.text,
           "own capsule.yaml: the other host's header card has its own bio "
           "(noticed without a restart)", r.text[:200])
    tap.ok("lang=de" in r.header, "own capsule.yaml: its language", r.header)
    fav = ct.gemini(p, "gemini://other.test:%d/favicon.txt" % p,
                    sni="other.test")
    tap.eq(fav.text.strip(), "\U0001F98A", "own capsule.yaml: its favicon")
    main = ct.gemini(p, ct.gemini_url(p))
    tap.ok("Keeps the other" not in main.text and "lang=en" in main.header,
           "the default host keeps the main capsule.yaml's keys", main.header)
    with open(os.path.join(other, "capsule.yaml"), "a") as f:
        f.write("lang: [not, a, string]\n")
    tap.ok(srv.wait_stderr("other/capsule.yaml:7: error: lang", 5),
           "an error in the host's own file names its file and line",
           "\n".join(srv.stderr()[-3:]))
    r = ct.gemini(p, home, sni="other.test")
    tap.ok("Keeps the other capsule" in r.text and "lang=de" in r.header,
           "...and the last good snapshot is served")


def live_edit(tap, capsule, srv, port):
    url = ct.gemini_url(port)
    marker = "Live edit marker %d" % os.getpid()
    with open(capsule.page, "a", encoding="utf-8") as f:
        f.write("\n\n# Live Edit\n\n%s\n" % marker)
    end = time.time() + 5
    seen = False
    while time.time() < end and not seen:
        r = ct.gemini(port, url)
        seen = marker in r.text or "Live Edit" in r.text
        if not seen:
            time.sleep(0.1)
    tap.ok(seen, "a live edit shows on a later request (within 5 s)")
    r = ct.gemini(port, ct.gemini_url(port, "/live-edit/"))
    tap.ok(r.status == "20" and marker in r.text, "the new section is served",
           r.raw[:200])

    # A broken config keeps the last good snapshot.
    cfg = os.path.join(capsule.capsule, "capsule.yaml")
    with open(cfg, encoding="utf-8") as f:
        good = f.read()
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(good + "\nserver: [this is: not, a mapping\n")
    time.sleep(1.0)
    r = ct.gemini(port, url)
    tap.ok(r.status == "20" and "Live Edit" in r.text,
           "broken config: last good snapshot still served")
    tap.ok(srv.wait_stderr("still serving the last good snapshot", 1),
           "broken config: the reason is logged")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(good)


def sighup_in_flight(tap, srv, port):
    url = ct.gemini_url(port)
    s = ct.tls_connect(port)
    srv.signal(signal.SIGHUP)
    tap.ok(srv.wait_stderr("certificates reloaded", 1),
           "SIGHUP: certificates reloaded", "\n".join(srv.stderr()[-5:]))
    s.sendall(url.encode() + b"\r\n")
    raw, clean = ct.read_all_tls(s)
    s.close()
    tap.ok(raw.startswith(b"20 ") and clean,
           "SIGHUP: the connection in flight gets its 20", raw[:80])
    tap.eq(ct.gemini(port, url).status, "20", "SIGHUP: new connections served")


def deadline(tap, port, seconds):
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    t = ct.closed_after(raw, seconds + 3)
    raw.close()
    tap.ok(t is not None and seconds - 0.3 <= t <= seconds + 1.5,
           "silent TCP client closed at the deadline (%.2fs)" % (t or -1))
    s = ct.tls_connect(port)
    t = ct.closed_after(s, seconds + 3)
    s.close()
    tap.ok(t is not None and t <= seconds + 1.5,
           "TLS client that sends no request closed at the deadline")
    # Not TLS at all: the handshake fails and the connection goes at once.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n" + bytes(range(256)))
        t = ct.closed_after(raw, seconds + 3)
    tap.ok(t is not None and t < 0.5,
           "garbage instead of a ClientHello: closed at once")
    # Others are served meanwhile.
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
    t0 = time.time()
    r = ct.gemini(port, ct.gemini_url(port))
    tap.ok(r.status == "20" and time.time() - t0 < 1,
           "idle clients do not hold others up")
    for c in idle:
        c.close()


def connection_cap(tap):
    cap = ct.Capsule()
    cap.write_config(max_connections=5, deadline=3, workers=2)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        idle = [socket.create_connection(("127.0.0.1", p)) for _ in range(5)]
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", p))
        t = ct.closed_after(extra, 2)
        extra.close()
        tap.ok(t is not None and t < 0.5,
               "over the cap: closed at once (%.3fs)" % (t or -1))
        gopher_extra = socket.create_connection(("127.0.0.1",
                                                 cap.gopher_port))
        t = ct.closed_after(gopher_extra, 2)
        gopher_extra.close()
        tap.ok(t is not None and t < 0.5,
               "the cap counts both protocols: gopher closed at once")
        for c in idle:
            c.close()
        time.sleep(0.3)
        tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
               "under the cap again: served")
        got, _ = ct.gopher(cap.gopher_port, "/")
        tap.ok(got.endswith(b".\r\n"), "under the cap again: gopher served")
    finally:
        srv.stop()
        cap.cleanup()


def idle_memory(tap):
    """Connections that never send a byte must stay cheap: the issue's
    bound is 32 KiB each; measured from the server's RSS."""
    n = 1000
    cap = ct.Capsule()
    # All from 127.0.0.1: no per-client cap.
    cap.write_config(max_connections=n + 50, deadline=30, max_per_client=0)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    conns = []
    try:
        for _ in range(20):
            ct.gemini(p, ct.gemini_url(p))
        time.sleep(0.3)
        before = ct.rss_kib(srv.pid)
        conns = [socket.create_connection(("127.0.0.1", p))
                 for _ in range(n)]
        time.sleep(1.0)
        per = (ct.rss_kib(srv.pid) - before) / n
        tap.ok(per <= 32, "%d idle connections: %.2f KiB each (<= 32)" %
               (n, per))
        t0 = time.time()
        r = ct.gemini(p, ct.gemini_url(p))
        tap.ok(r.status == "20" and time.time() - t0 < 1,
               "served while %d connections idle (%.1f ms)" %
               (n, (time.time() - t0) * 1000))
    finally:
        for c in conns:
            c.close()
        srv.stop()
        cap.cleanup()


def access_log(tap, srv, port):
    ct.gemini(port, ct.gemini_url(port, "/robots.txt"))
    tap.ok(srv.wait_stderr("/robots.txt"), "access log line on stderr")
    line = [l for l in srv.stderr() if "/robots.txt" in l][-1]
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z) (\S+) gemini "
                 r"(\S+) (\d+) (\d+) (\d+)us$", line)
    tap.ok(m is not None, "access log format: time addr proto target "
           "status bytes micros", line)
    if m:
        tap.eq((m.group(3), m.group(5)), ("127.0.0.1", "20"),
               "access log: address and status")


def access_log_file(tap):
    cap = ct.Capsule()
    log = os.path.join(cap.dir, "access.log")
    cap.write_config(access_log=log, anonymize=True)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        ct.gemini(p, ct.gemini_url(p, "/first"))
        time.sleep(0.2)
        with open(log) as f:
            text = f.read()
        tap.ok("/first" in text, "access log file written")
        tap.ok(" 127.0.0.0 " in text, "anonymised IPv4 (last octet 0)", text)
        try:
            r6 = ct.gemini(p, ct.gemini_url(p, "/six"), host="::1")
            time.sleep(0.2)
            with open(log) as f:
                tap.ok(re.search(r" ::(0)? gemini|  ?:: gemini", f.read())
                       is not None or r6.status != "20",
                       "anonymised IPv6 (/48)")
        except OSError:
            tap.skip("anonymised IPv6", "no IPv6 loopback")
        os.rename(log, log + ".1")
        if os.geteuid() == 0:
            # Running as nobody, the server cannot create a file in a root
            # directory: rotation tools create it for the service user.
            open(log, "w").close()
            os.chown(log, 65534, 65534)
        srv.signal(signal.SIGUSR1)
        time.sleep(0.3)
        ct.gemini(p, ct.gemini_url(p, "/second"))
        time.sleep(0.2)
        tap.ok(os.path.exists(log) and "/second" in open(log).read(),
               "SIGUSR1 reopens the log file")
    finally:
        srv.stop()
        cap.cleanup()


def sigterm(tap):
    cap = ct.Capsule()
    cap.write_config(deadline=5)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    s = ct.tls_connect(p)
    srv.signal(signal.SIGTERM)
    time.sleep(0.3)
    s.sendall(ct.gemini_url(p).encode() + b"\r\n")
    raw, clean = ct.read_all_tls(s)
    s.close()
    tap.ok(raw.startswith(b"20 "), "SIGTERM: the request in flight finishes")
    try:
        srv.proc.wait(5)
    except Exception:
        pass
    tap.eq(srv.proc.returncode, 0, "SIGTERM: exit status 0")
    try:
        socket.create_connection(("127.0.0.1", p), timeout=1).close()
        tap.ok(False, "SIGTERM: no longer accepting")
    except OSError:
        tap.ok(True, "SIGTERM: no longer accepting")
    srv.stop()
    cap.cleanup()


def privileges(tap):
    if os.geteuid() != 0:
        tap.skip("privilege drop", "not running as root")
        return
    cap = ct.Capsule()
    cap.write_config(extra_server="  user: nobody\n  group: nogroup\n")
    os.makedirs(cap.certs, exist_ok=True)
    srv = ct.start_server(cap)
    p = cap.gemini_port
    try:
        st = ct.proc_status(srv.pid)
        uids = st["Uid"].split()
        gids = st["Gid"].split()
        tap.ok(all(u == "65534" for u in uids), "runs as nobody", st["Uid"])
        tap.ok(all(g == gids[0] for g in gids) and gids[0] != "0",
               "runs as the configured group", st["Gid"])
        tap.eq(st.get("Groups", ""), gids[0], "no supplementary groups")
        tap.eq(st.get("NoNewPrivs"), "1", "NoNewPrivs set")
        tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
               "serves after dropping privileges")
        with open(cap.page, "a") as f:
            f.write("\n\n# Dropped\n\nStill reloads as nobody.\n")
        url = ct.gemini_url(p, "/dropped/")
        ok = ct.gemini_until(p, url, "").status == "20"
        tap.ok(ok, "live reload works after dropping privileges")
    finally:
        srv.stop()
        cap.cleanup()
    chrooted(tap)


def chrooted(tap):
    cap = ct.Capsule()
    cap.write_config(extra_server="  chroot: true\n")
    srv = ct.start_server(cap)
    srv.chrooted = True
    p = cap.gemini_port
    try:
        root = os.readlink("/proc/%d/root" % srv.pid)
        tap.eq(root, os.path.realpath(cap.capsule),
               "chroot: the capsule directory is the root")
        tap.eq(ct.proc_status(srv.pid)["Uid"].split()[0], "65534",
               "chroot: runs as nobody")
        tap.eq(ct.gemini(p, ct.gemini_url(p)).status, "20",
               "chroot: serves (certificates loaded before)")
        with open(cap.page, "a") as f:
            f.write("\n\n# Jailed\n\nReloaded inside the chroot.\n")
        url = ct.gemini_url(p, "/jailed/")
        ok = ct.gemini_until(p, url, "").status == "20"
        tap.ok(ok, "chroot: live reload reads the capsule inside")
    finally:
        srv.stop()
        cap.cleanup()


def startup_errors(tap, capsule):
    # The address is taken by the running server: a second one must not
    # quietly share it through SO_REUSEPORT.
    second = ct.Server(capsule.capsule)
    try:
        second.proc.wait(10)
    except Exception:
        pass
    rc = second.stop()
    tap.ok(rc not in (0, None), "port in use: start fails (%r)" % rc)
    tap.ok(any("cannot listen" in l for l in second.stderr()),
           "port in use: says which address", second.stderr()[-3:])

    bad = ct.Capsule()
    path = bad.write_config()
    with open(path, "a") as f:
        f.write("\nserver:\n  deadline: soon\n")
    srv = ct.Server(bad.capsule)
    try:
        srv.proc.wait(10)
    except Exception:
        pass
    rc = srv.stop()
    tap.eq(rc, 2, "config error: exit status 2")
    tap.ok(any("capsule.yaml:" in l for l in srv.stderr()),
           "config error: file and line printed", srv.stderr()[-3:])
    bad.cleanup()


def main(tap):
    cap = ct.Capsule()
    cap.write_config(deadline=1.5)
    srv = ct.start_server(cap)
    port = cap.gemini_port
    try:
        tap.run("certificates", certificates, tap, cap, srv, port)
        tap.run("request rules", request_rules, tap, port)
        tap.run("routes", routes, tap, port, cap)
        tap.run("tls", tls_behaviour, tap, port)
        tap.run("access log", access_log, tap, srv, port)
        tap.run("deadline", deadline, tap, port, 1.5)
        tap.run("sighup", sighup_in_flight, tap, srv, port)
        tap.run("live edit", live_edit, tap, cap, srv, port)
        tap.run("startup errors", startup_errors, tap, cap)
    finally:
        rc = srv.stop()
        tap.eq(rc, 0, "SIGTERM after the run: exit status 0")
        cap.cleanup()
    tap.run("sni", sni, tap)
    tap.run("cap", connection_cap, tap)
    tap.run("idle memory", idle_memory, tap)
    tap.run("access log file", access_log_file, tap)
    tap.run("sigterm", sigterm, tap)
    tap.run("privileges", privileges, tap)


if __name__ == "__main__":
    ct.main_guard(main)
