"""server.rate_limit over real sockets: a client sending a burst is slowed
(Gemini 44 with the seconds to wait, a Gopher type-3 line) while another
client at a steady pace below the limit, at the same time, never is; the
slowed client is served again once it waits as told; a limit of 0 never
slows anyone."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

RATE, BURST = 5, 5


def flood(port, n, statuses):
    for _ in range(n):
        try:
            statuses.append(ct.gemini(port, ct.gemini_url(port, "/robots.txt")))
        except OSError as e:
            statuses.append(e)


def burst_and_steady(tap, cap):
    port = cap.gemini_port
    flooded = []
    t = threading.Thread(target=flood, args=(port, 40, flooded))
    t.start()
    steady = []
    start = time.time()
    while t.is_alive() or time.time() - start < 3:
        steady.append(ct.gemini(port, ct.gemini_url(port, "/"),
                                source="127.0.0.2"))
        time.sleep(0.4)  # 2.5 requests a second, half the limit
    t.join()
    codes = [getattr(r, "status", repr(r)) for r in flooded]
    slowed = [r for r in flooded if getattr(r, "status", "") == "44"]
    tap.ok(codes[:BURST] == ["20"] * BURST, "the burst allowance served",
           codes[:BURST])
    tap.ok(len(slowed) >= 15, "a burst of 40 is slowed: %d answered 44" %
           len(slowed), codes)
    tap.ok(all(r.meta.isdigit() and 1 <= int(r.meta) <= 2 for r in slowed),
           "44's meta is the seconds to wait",
           [r.meta for r in slowed[:3]])
    tap.ok(all(r.body == b"" for r in slowed), "44 has no body")
    tap.ok(len(steady) >= 6 and all(r.status == "20" for r in steady),
           "a steady client at half the limit is never slowed (%d requests)"
           % len(steady), [r.status for r in steady])
    time.sleep(int(slowed[-1].meta) if slowed else 1)
    r = ct.gemini(port, ct.gemini_url(port, "/robots.txt"))
    tap.eq(r.status, "20", "served again after waiting as told")


def gopher_slowed(tap, cap):
    answers = [ct.gopher(cap.gopher_port, "/robots.txt", source="127.0.0.3")[0]
               for _ in range(RATE + BURST + 5)]
    refused = [a for a in answers if a.startswith(b"3Too many requests")]
    tap.ok(len(refused) >= 3, "gopher burst: type-3 error lines (%d)" %
           len(refused), answers[-1][:80])
    tap.ok(all(a.endswith(b".\r\n") for a in refused),
           "the error is a whole menu")
    tap.ok(answers[0].startswith(b"User-agent"), "gopher burst: the first "
           "served", answers[0][:40])


def log_status(tap, srv):
    tap.ok(srv.wait_stderr(" gemini localhost/robots.txt 44 ") or
           any(" 44 " in l for l in srv.stderr()), "slowed requests logged "
           "with status 44")


def off_by_default(tap):
    cap = ct.Capsule()
    cap.write_config()
    srv = ct.start_server(cap)
    try:
        codes = [ct.gemini(cap.gemini_port,
                           ct.gemini_url(cap.gemini_port, "/robots.txt")).status
                 for _ in range(30)]
        tap.ok(all(c == "20" for c in codes), "no limit by default: 30 at "
               "once served", codes)
    finally:
        srv.stop()
        cap.cleanup()


def main(tap):
    cap = ct.Capsule()
    cap.write_config(extra_server="  rate_limit: %d\n  rate_burst: %d\n" %
                     (RATE, BURST))
    srv = ct.start_server(cap)
    try:
        tap.run("burst and steady", burst_and_steady, tap, cap)
        tap.run("gopher", gopher_slowed, tap, cap)
        tap.run("log", log_status, tap, srv)
    finally:
        srv.stop()
        cap.cleanup()
    tap.run("off by default", off_by_default, tap)


if __name__ == "__main__":
    ct.main_guard(main)
