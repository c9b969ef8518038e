"""Gopher over real TCP sockets: menus byte for byte against the snapshot
(as `capsuled export` writes it), selectors, search, caps.txt, URL: pages,
errors, HTTP on the gopher port, hostile input, deadlines, live edits."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402


def export(capsule):
    out = os.path.join(capsule.dir, "export")
    subprocess.run([ct.CAPSULED, "export", capsule.capsule, out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=30)
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def same_as_snapshot(tap, got, path, name):
    """The export writes the snapshot's bytes; when it lacks a file the
    comparison is skipped rather than guessed."""
    if not os.path.exists(path):
        tap.skip(name, "export wrote no %s" % os.path.basename(path))
        return
    tap.ok(got == read(path), name)


def menu_items(menu):
    """(type, label, selector, host, port) for every line but the final '.'."""
    items = []
    for line in menu.split(b"\r\n"):
        if line == b"." or not line:
            continue
        f = line[1:].split(b"\t")
        items.append((chr(line[0]), f[0].decode("utf-8", "replace"),
                      f[1].decode("utf-8", "replace") if len(f) > 1 else None,
                      f[2].decode() if len(f) > 2 else None,
                      f[3].decode() if len(f) > 3 else None))
    return items


def well_formed_menu(tap, menu, name):
    tap.ok(menu.endswith(b".\r\n"), "%s: ends with '.' CRLF" % name,
           menu[-40:])
    body = menu[:-3] if menu.endswith(b".\r\n") else menu
    lines = body.split(b"\r\n")
    tap.ok(lines[-1] == b"", "%s: every line ends with CRLF" % name)
    bad = [l for l in lines[:-1] if l.count(b"\t") != 3 or b"\n" in l]
    tap.ok(not bad, "%s: every line has four TAB-separated fields" % name,
           b"\n".join(bad[:3]))


def menus(tap, capsule, port, out):
    root, _ = ct.gopher(port, "")
    same_as_snapshot(tap, root, os.path.join(out, "gophermap"),
                     "root menu: byte for byte the snapshot's")
    well_formed_menu(tap, root, "root menu")
    slash, _ = ct.gopher(port, "/")
    tap.eq(slash, root, "'/' is the root menu")
    lf, _ = ct.gopher(port, None, raw=b"/\n")
    tap.eq(lf, root, "selector ended by LF alone")

    items = menu_items(root)
    ours = [i for i in items if i[3] == "localhost" and i[4] == str(
        capsule.gopher_port)]
    tap.ok(any(i[0] == "1" for i in ours) and any(i[0] == "0" for i in ours),
           "root menu: type 1 and type 0 items for the sections")
    tap.ok(any(i[0] == "7" for i in ours), "root menu: a search item")
    infos = set((i[2], i[3], i[4]) for i in items if i[0] == "i")
    tap.eq(len(infos), 1, "info lines share one dummy selector/host/port")

    for typ, label, sel, host, p in ours:
        if typ == "1" and sel not in ("/", ""):
            got, _ = ct.gopher(port, sel)
            same_as_snapshot(tap, got,
                             os.path.join(out, sel.strip("/"), "gophermap"),
                             "menu %s: byte for byte the snapshot's" % sel)
            well_formed_menu(tap, got, "menu %s" % sel)
        elif typ == "0":
            got, _ = ct.gopher(port, sel)
            same_as_snapshot(tap, got, os.path.join(out, sel.lstrip("/")),
                             "text %s: byte for byte the snapshot's" % sel)
            tap.ok(not re.search(rb"(^|\r?\n)\.\r?\n(?!$)", got[:-3]),
                   "text %s: no lone '.' line inside" % sel)


def specials(tap, port):
    found, _ = ct.gopher(port, "/search\tHUST")
    items = menu_items(found)
    tap.ok(any("HUST" in i[1] for i in items), "type 7 search: matching lines",
           found[:300])
    well_formed_menu(tap, found, "search results")

    caps, _ = ct.gopher(port, "caps.txt")
    lines = caps.decode("utf-8", "replace").splitlines()
    tap.ok(lines and lines[0] == "CAPS", "caps.txt: starts with CAPS")
    keys = [l.split("=", 1)[0] for l in lines if "=" in l and
            not l.startswith("#")]
    tap.ok(keys and keys[0] == "CapsVersion", "caps.txt: CapsVersion first")
    for kv in ("CapsVersion=1", "PathDelimeter=/",
               "ServerDefaultEncoding=UTF-8", "ServerAdmin=admin@example.org"):
        tap.ok(kv in lines, "caps.txt: %s" % kv)
    tap.ok(any(l.startswith("ServerSoftware=") for l in lines),
           "caps.txt: ServerSoftware")

    robots, _ = ct.gopher(port, "robots.txt")
    tap.ok(b"User-agent" in robots, "robots.txt served")

    page, _ = ct.gopher(port, "URL:https://example.org/a?b=c")
    text = page.decode("utf-8", "replace")
    tap.ok("<html" in text.lower() and "https://example.org/a?b=c" in text and
           "refresh" in text.lower(), "URL: an HTML page refreshing to it",
           text[:300])
    tap.ok("<script" not in text.lower(), "URL: no scripts")
    js, _ = ct.gopher(port, "URL:javascript:alert(1)")
    tap.ok(is_error_menu(js) and b"refresh" not in js.lower(),
           "URL:javascript: refused with an error line", js[:200])

    unknown, _ = ct.gopher(port, "/no/such/selector")
    items = menu_items(unknown)
    tap.ok(items and items[0][0] == "3", "unknown selector: a type 3 line",
           unknown[:200])
    tap.ok(unknown.endswith(b".\r\n"), "unknown selector: menu ends with '.'")

    http, _ = ct.gopher(port, None,
                        raw=b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    tap.ok(http.startswith(b"HTTP/1.") and b"gopher://" in http,
           "HTTP GET: a short HTTP answer naming the gopher URL", http[:300])


def is_error_menu(data):
    items = menu_items(data)
    return bool(items) and items[0][0] == "3" and data.endswith(b".\r\n")


def hostile(tap, port, deadline):
    got, _ = ct.gopher(port, "../../etc/passwd")
    tap.ok(b"root:" not in got and is_error_menu(got),
           "../../etc/passwd: error menu, no file", got[:200])
    got, _ = ct.gopher(port, "/../../../")
    tap.ok(b"root:" not in got, "dot segments stay in the capsule")
    got, _ = ct.gopher(port, None, raw=b"/ab\x00cd\r\n")
    tap.ok(is_error_menu(got), "NUL byte: error menu", got[:200])
    got, _ = ct.gopher(port, None, raw=b"/\xff\xfe\xfd\r\n")
    tap.ok(is_error_menu(got), "invalid UTF-8: error menu", got[:200])
    got, _ = ct.gopher(port, "/" + "a" * 300)
    tap.ok(is_error_menu(got), "300-byte selector: error menu", got[:200])

    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        t0 = time.time()
        try:
            s.sendall(b"A" * 10240)
        except OSError:
            pass
        data = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        except (ConnectionResetError, socket.timeout):
            pass
        took = time.time() - t0
    tap.ok(is_error_menu(data) and took < deadline,
           "10 KB without a line end: error, then closed (%.2fs)" % took,
           data[:200])

    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        t = ct.closed_after(s, deadline + 3)
    tap.ok(t is not None and deadline - 0.3 <= t <= deadline + 1.5,
           "nothing sent: closed at the deadline (%.2fs)" % (t or -1))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"/partial")
        t = ct.closed_after(s, deadline + 3)
    tap.ok(t is not None and t <= deadline + 1.5,
           "a selector never ended: closed at the deadline")
    # Flooding bytes forever does not keep the connection.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        t0 = time.time()
        sent = 0
        try:
            while time.time() - t0 < deadline + 3:
                s.sendall(b"x" * 4096)
                sent += 4096
                time.sleep(0.01)
        except OSError:
            pass
        tap.ok(time.time() - t0 < deadline + 3,
               "an endless selector is cut off (%d bytes)" % sent)
    root, _ = ct.gopher(port, "/")
    tap.ok(root.endswith(b".\r\n"), "still serving after hostile clients")


def long_lines(tap, port):
    """A request line is at most 1,024 bytes before its CRLF. A longer one
    reaches the server cut at its buffer: it gets a type-3 error and the
    connection ends, never an answer to the part that fit (here a search
    for HUST)."""
    start = "/search\tHUST"
    at_limit = start + " " * (1024 - len(start))
    for name, line in (("1,030-byte", start + " " * 1014 + "zzzz"),
                       ("1,025-byte", at_limit + " ")):
        got, took = ct.gopher(port, line)
        tap.ok(is_error_menu(got) and got.startswith(b"3Request too long")
               and b"HUST" not in got and took < 1.0,
               "a %s request line: a type-3 'Request too long', then "
               "closed (%.2f s)" % (name, took), got[:200])
    for name, raw in (("CRLF", b"\r\n"), ("LF", b"\n")):
        got, _ = ct.gopher(port, None, raw=at_limit.encode() + raw)
        items = menu_items(got)
        tap.ok(items and items[0][0] != "3" and
               any("HUST" in i[1] for i in items[1:]),
               "a request line of exactly 1,024 bytes (then %s) is served"
               % name, got[:200])


def live_edit(tap, capsule, port):
    with open(capsule.page, "a", encoding="utf-8") as f:
        f.write("\n\n# Gopher Edit\n\nA line added while serving.\n")
    end = time.time() + 5
    seen = False
    while time.time() < end and not seen:
        root, _ = ct.gopher(port, "/")
        seen = b"Gopher Edit" in root
        if not seen:
            time.sleep(0.1)
    tap.ok(seen, "a live edit shows in the root menu")
    sec, _ = ct.gopher(port, "/gopher-edit/")
    tap.ok(b"A line added while serving." in sec, "the new section's menu")


def access_log(tap, srv, port):
    ct.gopher(port, "caps.txt")
    tap.ok(srv.wait_stderr(" gopher "), "access log: gopher lines")
    lines = [l for l in srv.stderr() if " gopher " in l and "caps.txt" in l]
    tap.ok(lines and re.search(r" gopher \S*caps\.txt \d+ \d+ \d+us$",
                               lines[-1]),
           "access log: target, status, bytes, micros", lines[-1:])


def ipv6(tap, port):
    try:
        got, _ = ct.gopher(port, "/", host="::1")
    except OSError:
        tap.skip("IPv6 listener", "no IPv6 loopback")
        return
    tap.ok(got.endswith(b".\r\n"), "IPv6 listener serves the root menu")


def main(tap):
    cap = ct.Capsule()
    deadline = 1.5
    cap.write_config(deadline=deadline)
    out = export(cap)
    srv = ct.start_server(cap)
    port = cap.gopher_port
    try:
        tap.run("menus", menus, tap, cap, port, out)
        tap.run("specials", specials, tap, port)
        tap.run("hostile", hostile, tap, port, deadline)
        tap.run("long lines", long_lines, tap, port)
        tap.run("ipv6", ipv6, tap, port)
        tap.run("access log", access_log, tap, srv, port)
        tap.run("live edit", live_edit, tap, cap, port)
    finally:
        tap.eq(srv.stop(sig=signal.SIGINT), 0, "SIGINT: exit status 0")
        cap.cleanup()


if __name__ == "__main__":
    ct.main_guard(main)
