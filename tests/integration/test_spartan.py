"""Spartan over real TCP sockets, with a Python Spartan client: the Gemini
pages in the Spartan dialect (byte for byte the Gemini bodies but for the
"=:" search lines), redirects, search by upload, uploads refused
everywhere else, the limits (request line, content length, 1 KiB of
data), requests and data cut short by the deadline or the client's close
answered "4" and closed, the access log, the IPv6 listener, a live
reload, the per-client cap shared with the other protocols, what
`capsuled check` says, and a crawl from / that follows every => and =:
line and finds no dead link (on the default capsule, and on a page whose
ids cannot be paths)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402
from test_crawl import PAGE as ODD_PAGE  # noqa: E402

for _known in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
    if "spartan" not in _known:
        _known.append("spartan")

HEADER = b"2 text/gemini; charset=utf-8; lang=en\r\n"
MAX_REQUESTS = 400


def split(resp):
    """(status line without CRLF, body) of a response."""
    head, _, body = resp.partition(b"\r\n")
    return head.decode("utf-8", "replace"), body


def gemini_body(cap, path):
    r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port, path))
    return r.raw.partition(b"\r\n")[2]


def as_spartan(gemtext):
    """A Gemini page as the Spartan dialect writes it."""
    return re.sub(rb"(?m)^=> /search ", b"=: /search ", gemtext)


def pages(tap, cap, port):
    home = ct.spartan(port, "/")
    tap.ok(home.startswith(HEADER + b"# Zhangqiang Ming\n"), "/: a gemtext page",
           home[:80])
    body = split(home)[1]
    tap.ok(b"\n=: /search Search\n" in body and b"=> /search" not in body,
           "/: search is an input line")
    tap.eq(body, as_spartan(gemini_body(cap, "/")),
           "/: the Gemini home page but for its search line")
    for path in ("/publications/", "/news/1/"):
        got = split(ct.spartan(port, path))
        tap.eq(got, (HEADER[:-2].decode(), gemini_body(cap, path)),
               "%s: the Gemini page" % path)
    feed = split(ct.spartan(port, "/news/"))[1]
    tap.ok(re.search(rb"\n=> /news/\d+/ \d{4}-\d\d-\d\d ", feed) and
           b"gemini://" not in feed, "/news/: relative gemsub links",
           feed[:200])
    atom = ct.spartan(port, "/atom.xml")
    tap.ok(atom.startswith(b"2 application/atom+xml\r\n") and
           (b"<id>spartan://localhost:%d/</id>" % port) in atom,
           "/atom.xml: spartan:// URLs", atom[:300])
    tap.eq(ct.spartan(port, "/robots.txt"),
           b"2 text/plain; charset=utf-8\r\nUser-agent: *\nDisallow: /search\n",
           "/robots.txt")
    tap.eq(ct.spartan(port, "/publications/", name="elsewhere.example"),
           ct.spartan(port, "/publications/"), "another host: the default one")


def redirects_and_missing(tap, port):
    tap.eq(ct.spartan(port, "/publications"), b"3 /publications/\r\n",
           "/publications: 3 to /publications/")
    tap.eq(ct.spartan(port, "/news"), b"3 /news/\r\n", "/news: 3 to /news/")
    tap.eq(ct.spartan(port, "/nothing/here"), b"4 Not found\r\n",
           "unknown path: 4 Not found")
    tap.eq(ct.spartan(port, "/a/../publications/"),
           ct.spartan(port, "/publications/"), "dot segments resolved")


def search(tap, cap, port):
    prompt = ct.spartan(port, "/search")
    tap.eq(prompt, HEADER + b"# Search\n\n=: /search Search the profile\n\n"
           b"=> / Home\n", "/search without data: the input line")
    got = ct.spartan(port, "/search", b"SSFusion")
    g = ct.gemini(cap.gemini_port,
                  ct.gemini_url(cap.gemini_port, "/search?SSFusion"))
    tap.ok(got.startswith(HEADER + b"# Search: SSFusion\n") and
           b"ICDE2026" in got, "search by upload: results", got[:200])
    tap.eq(split(got)[1], as_spartan(g.raw.partition(b"\r\n")[2]),
           "search: Gemini's results but for the input line")
    tap.eq(ct.spartan(port, "/search", "Zhangqiang\r\n".encode()),
           ct.spartan(port, "/search", b"Zhangqiang"),
           "search: a final line end dropped")
    data = b"x" * 1024
    got = ct.spartan(port, "/search", data)
    tap.ok(got.startswith(HEADER) and b"No matches." in got,
           "search: 1024 bytes of data taken")
    tap.eq(ct.spartan(port, "/search", b"a\nb"),
           b"4 Search terms must be one line of UTF-8 text\r\n",
           "search: two lines refused")
    tap.eq(ct.spartan(port, "/search", b"\xff\xfe"),
           b"4 Search terms must be one line of UTF-8 text\r\n",
           "search: invalid UTF-8 refused")


def refused_uploads(tap, port):
    for path in ("/", "/publications/", "/robots.txt", "/nothing"):
        tap.eq(ct.spartan(port, path, b"hello"),
               b"4 Uploads are taken by /search only\r\n",
               "upload to %s: refused" % path)
    got = ct.spartan(port, "/search", b"y" * 1025)
    tap.eq(got, b"4 Upload too large (1024 bytes at most)\r\n",
           "1025 bytes to /search: too large")
    got = ct.spartan(port, None, raw=b"localhost /search 99999999999999\r\n")
    tap.eq(got, b"4 Upload too large (1024 bytes at most)\r\n",
           "a huge content length: too large")


def limits(tap, port):
    for raw, name in ((b"localhost / -1\r\n", "negative"),
                      (b"localhost / 1e3\r\n", "not decimal"),
                      (b"localhost / \r\n", "empty")):
        tap.eq(ct.spartan(port, None, raw=raw), b"4 Bad content length\r\n"
               if name != "empty" else b"4 Bad request\r\n",
               "content length %s: 4" % name)
    for raw, name in ((b"localhost /\r\n", "two fields"),
                      (b"localhost  / 0\r\n", "two spaces"),
                      (b"localhost publications 0\r\n", "relative path"),
                      (b"localhost /search?x 0\r\n", "a query in the path"),
                      (b"gemini://localhost/\r\n", "a Gemini request"),
                      (b"localhost /\x01 0\r\n", "a control byte")):
        tap.eq(ct.spartan(port, None, raw=raw), b"4 Bad request\r\n",
               "%s: 4 Bad request" % name)
    line = b"localhost /" + b"a" * 1010 + b" 0"
    tap.eq(len(line), 1023, "(a 1023-byte line)")
    tap.eq(ct.spartan(port, None, raw=line + b"0\r\n"), b"4 Not found\r\n",
           "1024-byte request line: answered")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"localhost /" + b"a" * 1100)
        got = s.recv(100)
        took = ct.closed_after(s, 5)
    tap.eq(got, b"4 Request too long\r\n", "1025 bytes without CRLF: 4")
    tap.ok(took is not None and took < 2.5,
           "...and closed (%r s)" % took)


def closes(tap, port, deadline):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"localhost /search 10\r\nabc")
        t0 = time.time()
        got = s.recv(100)
        took = ct.closed_after(s, deadline + 3)
        at = time.time() - t0
    tap.eq(got, b"4 Upload cut short\r\n", "data late: 4 at the deadline")
    tap.ok(took is not None and at < deadline + 1.5,
           "data late: closed by the deadline (%.2f s)" % at)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"localhost /publi")
        got = s.recv(100)
        tap.eq(got, b"4 Request cut short\r\n", "line late: 4 at the deadline")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        took = ct.closed_after(s, deadline + 3)
    tap.ok(took is not None and took < deadline + 1.5,
           "nothing sent: closed by the deadline (%r s)" % took)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"localhost /search 10\r\nabc")
        s.shutdown(socket.SHUT_WR)
        t0 = time.time()
        got = s.recv(100)
        at = time.time() - t0
    tap.ok(got == b"4 Upload cut short\r\n" and at < deadline / 2,
           "half-closed with data missing: 4 at once (%.2f s)" % at, got)
    got = ct.spartan(port, None, raw=b"localhost /publications/ 0\r\n")
    tap.ok(got.startswith(HEADER), "a request in one piece: served")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        for b in (b"localhost ", b"/search 8\r", b"\nSSF", b"usion"):
            s.sendall(b)
            time.sleep(0.05)
        got = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    tap.ok(got.startswith(HEADER + b"# Search: SSFusion\n"),
           "a request in pieces: served", got[:80])


def access_log(tap, srv, port):
    ct.spartan(port, "/publications/")
    tap.ok(srv.wait_stderr(" spartan localhost/publications/ 2 "),
           "access log: spartan lines")
    lines = [l for l in srv.stderr() if " spartan localhost/publications/ " in l]
    tap.ok(lines and re.search(r" spartan localhost/publications/ 2 \d+ \d+us$",
                               lines[-1]),
           "access log: target, status, bytes, micros", lines[-1:])
    ct.spartan(port, "/nothing", b"abc")
    tap.ok(srv.wait_stderr(" spartan localhost/nothing 4 "),
           "access log: a refusal's status")


def ipv6(tap, port):
    try:
        got = ct.spartan(port, "/", host="::1")
    except OSError:
        tap.skip("IPv6 listener", "no IPv6 loopback")
        return
    tap.ok(got.startswith(HEADER), "IPv6 listener answers")


def reload(tap, cap, port):
    with open(cap.page, encoding="utf-8") as f:
        text = f.read()
    ct.write_atomically(cap.page, text + "\n# Spartan Reload\n\nFresh words.\n")
    got = b""
    for _ in range(100):
        got = ct.spartan(port, "/spartan-reload/")
        if got.startswith(HEADER):
            break
        time.sleep(0.1)
    tap.ok(got.startswith(HEADER) and b"Fresh words." in got,
           "reload: a new section served", got[:80])
    ct.write_atomically(cap.page, text)


def links(base, body):
    """(URL, is an input line) of the => and =: lines of a gemtext body."""
    out = []
    for line in body.decode("utf-8").split("\n"):
        if line.startswith("=>") or line.startswith("=:"):
            parts = line[2:].strip().split(None, 1)
            if parts:
                out.append((urllib.parse.urljoin(base, parts[0]),
                            line.startswith("=:")))
    return out


def fetch(port, url, data):
    u = urllib.parse.urlsplit(url)
    return ct.spartan(port, u.path or "/", data)


def crawl(tap, port, name):
    root = "spartan://localhost:%d/" % port
    seen, queue, bad, n_input = {(root, False)}, [(root, False)], [], 0
    while queue and len(seen) <= MAX_REQUESTS:
        url, is_input = queue.pop(0)
        got = fetch(port, url, b"news" if is_input else b"")
        status, body = split(got)
        if status.startswith("3 "):
            target = urllib.parse.urljoin(url, status[2:])
            if (target, False) not in seen:
                seen.add((target, False))
                queue.append((target, False))
            continue
        if not status.startswith("2 "):
            bad.append("%s -> %s" % (url, status))
            continue
        n_input += is_input
        if not status.startswith("2 text/gemini"):
            continue
        for link in links(url, body):
            u = urllib.parse.urlsplit(link[0])
            if u.scheme == "spartan" and u.hostname == "localhost" and \
                    u.port == port and link not in seen:
                seen.add(link)
                queue.append(link)
    tap.ok(not bad, "%s: no dead link among %d" % (name, len(seen)), bad[:5])
    tap.ok(len(seen) > 10 and n_input > 0,
           "%s: %d links crawled, %d input lines sent data" %
           (name, len(seen), n_input))


def shared_cap(tap):
    """server.max_per_client counts spartan connections with the others:
    two idle ones (a spartan, a gopher) fill a cap of 2, so a third, on
    either port, is closed at once unanswered; once one goes, spartan
    serves again."""
    cap = ct.Capsule()
    port = ct.free_port()
    cap.write_config(spartan=port, max_per_client=2, deadline=5)
    srv = ct.start_server(cap)
    idle = []
    try:
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        idle.append(socket.create_connection(("127.0.0.1", cap.gopher_port),
                                             timeout=5))
        time.sleep(0.3)
        t0 = time.time()
        got = ct.spartan(port, "/")
        tap.ok(got == b"" and time.time() - t0 < 1,
               "cap full: a spartan request closed at once", got[:40])
        idle.pop().close()
        got = b""
        for _ in range(20):
            got = ct.spartan(port, "/")
            if got:
                break
            time.sleep(0.1)
        tap.ok(got.startswith(HEADER), "a slot back: spartan serves again")
    finally:
        for s in idle:
            s.close()
        srv.stop()
        cap.cleanup()


def check_reports(tap):
    """capsuled check says what Finger and Spartan serve, and which
    section no finger name reaches, and which listeners collide."""
    cap = ct.Capsule()
    with open(cap.page, "a", encoding="utf-8") as f:
        f.write("\n# Plan\n\nHidden.\n\n# Mail {#me@home}\n\nAt.\n")
    port = ct.free_port()
    cap.write_config(spartan=port, finger={"port": cap.gopher_port})
    try:
        r = subprocess.run([ct.CAPSULED, "check", cap.capsule],
                           capture_output=True, text=True, timeout=60)
        out = r.stdout
        tap.ok(re.search(r"capsule\.yaml: note: spartan: serves the Gemini "
                         r"pages \(\d+ sections, \d+ news items\) at "
                         r"spartan://localhost:%d/" % port, out),
               "check: what spartan serves", out[-600:])
        tap.ok(re.search(r"note: finger: serves the card \(finger @localhost\)"
                         r", the \.plan and \d+ sections by name: about-me, ",
                         out), "check: what finger serves")
        tap.ok("warning: finger: section 'plan' cannot be fingered: 'plan' "
               "answers the latest news" in out, "check: a section named plan")
        tap.ok("warning: finger: section 'me@home' cannot be fingered" in out,
               "check: a section name with '@'")
        tap.ok("warning: gopher.listen and finger.listen both bind port %d "
               "(127.0.0.1): the server cannot start" % cap.gopher_port in out,
               "check: listeners two protocols share")
        tap.eq(r.returncode, 0, "check: warnings only, exit status 0")
    finally:
        cap.cleanup()


def crawl_odd_page(tap):
    cap = ct.Capsule()
    with open(cap.page, "w", encoding="utf-8") as f:
        f.write(ODD_PAGE)
    port = ct.free_port()
    cap.write_config(spartan=port)
    srv = ct.start_server(cap)
    try:
        crawl(tap, port, "crawl (ids that are no paths)")
    finally:
        srv.stop()
        cap.cleanup()


def main(tap):
    cap = ct.Capsule()
    deadline = 1.5
    port = ct.free_port()
    cap.write_config(deadline=deadline, spartan=port)
    srv = ct.start_server(cap)
    try:
        tap.ok(("spartan://localhost:%d/" % port) in "".join(srv.stdout()),
               "the start names the spartan URL")
        tap.run("pages", pages, tap, cap, port)
        tap.run("redirects", redirects_and_missing, tap, port)
        tap.run("search", search, tap, cap, port)
        tap.run("refused uploads", refused_uploads, tap, port)
        tap.run("limits", limits, tap, port)
        tap.run("closes", closes, tap, port, deadline)
        tap.run("access log", access_log, tap, srv, port)
        tap.run("ipv6", ipv6, tap, port)
        tap.run("crawl", crawl, tap, port, "crawl (default capsule)")
        tap.run("reload", reload, tap, cap, port)
    finally:
        tap.eq(srv.stop(sig=signal.SIGINT), 0, "SIGINT: exit status 0")
        cap.cleanup()
    tap.run("crawl odd page", crawl_odd_page, tap)
    tap.run("check", check_reports, tap)
    tap.run("shared cap", shared_cap, tap)


if __name__ == "__main__":
    ct.main_guard(main)
