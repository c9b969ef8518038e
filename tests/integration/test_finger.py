"""Finger (RFC 1288) over real TCP sockets: the card for an empty query and
/W, a section by its slug in any case, the .plan, one-line refusals for an
unknown name and for forwarding, CRLF line ends within the gopher width,
over-long and unterminated queries closed unanswered, the access log, the
IPv6 listener and the ASCII fold."""

import os
import re
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

WIDTH = 70  # gopher.width of capsuletest's config


def crlf_lines(tap, got, name, ascii_only=False):
    """Every line ends in CRLF, no bare LF, none wider than the width but
    a link's reference line ("  [n] label: URL": a URL is never broken)."""
    tap.ok(got.endswith(b"\r\n") and b"\n" not in got.replace(b"\r\n", b""),
           "%s: every line ends in CRLF" % name, got[-60:])
    lines = got.decode("utf-8").split("\r\n")[:-1]
    wide = [l for l in lines
            if len(l) > WIDTH and not re.match(r"  \[\d+\] ", l)]
    tap.ok(not wide, "%s: no line wider than %d" % (name, WIDTH), wide[:2])
    if ascii_only:
        tap.ok(all(b < 0x80 for b in got), "%s: ASCII only" % name)


def queries(tap, port):
    card = ct.finger(port, "")
    tap.ok(card.startswith(b"Zhangqiang Ming\r\n"), "empty query: the card",
           card[:80])
    tap.ok(b"Ph.D. candidate in Computer Architecture at HUST\r\n" in card,
           "card: the bio")
    tap.ok(b"  publications: " in card and b"  news: " in card,
           "card: the list of sections")
    crlf_lines(tap, card, "card")
    tap.eq(ct.finger(port, "/W"), card, "/W: the card")
    tap.eq(ct.finger(port, "/W "), card, "'/W ': the card")

    pubs = ct.finger(port, "publications")
    tap.ok(b"Publications\r\n" in pubs and b"SSFusion" in pubs,
           "publications: the section's text", pubs[:120])
    crlf_lines(tap, pubs, "publications")
    tap.eq(ct.finger(port, "PUBLICATIONS"), pubs, "slugs: any case")
    tap.eq(ct.finger(port, "/W publications"), pubs, "/W publications")
    tap.eq(ct.finger(port, None, raw=b"publications\n"), pubs,
           "a bare LF ends the query too")

    plan = ct.finger(port, "plan")
    tap.ok(plan.startswith(b"Plan\r\n====\r\n2025-10-01  Our paper SSFusion"),
           "plan: the latest news, newest first", plan[:120])
    crlf_lines(tap, plan, "plan")


def refusals(tap, port):
    got = ct.finger(port, "nobody")
    tap.eq(got, b"finger: nobody: no such section\r\n", "unknown name: one line")
    for q in ("news@example.org", "@example.org", "a@b@c"):
        got = ct.finger(port, q)
        tap.eq(got, b"finger: forwarding is refused\r\n",
               "%s: forwarding refused" % q)
    got = ct.finger(port, None, raw=b"news\x01\r\n")
    tap.eq(got, b"finger: bad query\r\n", "control byte: one line")


def closed(tap, port, deadline):
    got = ct.finger(port, None, raw=b"a" * 1025 + b"\r\n")
    tap.eq(got, b"", "1025-byte query: closed unanswered")
    got = ct.finger(port, None, raw=b"a" * 1024 + b"\r\n")
    tap.eq(got, b"finger: bad query\r\n",
           "1024-byte query: answered (a name that long is none)")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"news")
        took = ct.closed_after(s, deadline + 3)
    tap.ok(took is not None and took < deadline + 1.5,
           "no line end: closed by the deadline (%r s)" % took)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"news")
        s.shutdown(socket.SHUT_WR)
        got = s.recv(100)
    tap.eq(got, b"", "half-closed without a line end: closed unanswered")


def access_log(tap, srv, port):
    ct.finger(port, "plan")
    tap.ok(srv.wait_stderr(" finger plan "), "access log: finger lines")
    lines = [l for l in srv.stderr() if " finger plan " in l]
    tap.ok(lines and re.search(r" finger plan 0 \d+ \d+us$", lines[-1]),
           "access log: target, status, bytes, micros", lines[-1:])
    ct.finger(port, "")
    tap.ok(srv.wait_stderr(" finger - 0 "), "access log: empty query as '-'")


def ipv6(tap, port):
    try:
        got = ct.finger(port, "plan", host="::1")
    except OSError:
        tap.skip("IPv6 listener", "no IPv6 loopback")
        return
    tap.ok(got.startswith(b"Plan\r\n"), "IPv6 listener answers")


def ascii_fold(tap):
    cap = ct.Capsule()
    port = ct.free_port()
    cap.write_config(finger={"port": port, "ascii": "true"})
    srv = ct.start_server(cap)
    try:
        card = ct.finger(port, "")
        crlf_lines(tap, card, "ascii card", ascii_only=True)
        news = ct.finger(port, "news")
        crlf_lines(tap, news, "ascii news", ascii_only=True)
        tap.ok(news.startswith(b"? News\r\n"), "ascii: an emoji becomes '?'",
               news[:40])
    finally:
        srv.stop()
        cap.cleanup()


def main(tap):
    cap = ct.Capsule()
    deadline = 1.5
    port = ct.free_port()
    cap.write_config(deadline=deadline, finger=port)
    srv = ct.start_server(cap)
    try:
        tap.run("queries", queries, tap, port)
        tap.run("refusals", refusals, tap, port)
        tap.run("closed", closed, tap, port, deadline)
        tap.run("access log", access_log, tap, srv, port)
        tap.run("ipv6", ipv6, tap, port)
    finally:
        tap.eq(srv.stop(sig=signal.SIGINT), 0, "SIGINT: exit status 0")
        cap.cleanup()
    tap.run("ascii", ascii_fold, tap)


if __name__ == "__main__":
    ct.main_guard(main)
