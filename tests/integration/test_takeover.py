"""`capsuled serve --takeover DIR`: a new instance takes the listening
sockets of the one serving the same configuration, which then stops
accepting, finishes its requests and exits by itself. 16 clients in a
closed loop (real TLS Gemini and Gopher requests) run across two takeovers
in a row, and none of their requests may fail. A plain second `serve` on
the busy ports still fails with a clear error, and --takeover with nothing
to take over fails too."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

CLIENTS = 16


def note(msg):
    print("# " + msg, flush=True)


class Load:
    """CLIENTS threads, each sending its next request as soon as the last
    one is answered, alternating Gemini and Gopher."""

    def __init__(self, cap):
        self.cap = cap
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = []
        self.threads = [threading.Thread(target=self.client, args=(i,),
                                         daemon=True) for i in range(CLIENTS)]

    def one(self, i, n):
        if (i + n) % 2 == 0:
            r = ct.gemini(self.cap.gemini_port,
                          ct.gemini_url(self.cap.gemini_port), timeout=10)
            return r.status == "20" and r.clean and "Zhangqiang" in r.text, \
                r.header
        body, _ = ct.gopher(self.cap.gopher_port, "/", timeout=10)
        return body.endswith(b".\r\n") and b"Zhangqiang" in body, body[-40:]

    def client(self, i):
        n = 0
        while not self.stop.is_set():
            try:
                good, what = self.one(i, n)
            except Exception as e:  # a reset, a refusal, a timeout
                good, what = False, repr(e)
            with self.lock:
                if good:
                    self.ok += 1
                else:
                    self.failed.append(what)
            n += 1

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def count(self):
        with self.lock:
            return self.ok


def served(srv):
    """Requests in a server's access log (its stderr)."""
    return sum(1 for l in srv.stderr() if " gemini " in l or " gopher " in l)


def take_over(tap, cap, old, load, n):
    before = load.count()
    t0 = time.time()
    new = ct.Server(cap.capsule, args=["--takeover"])
    tap.ok(new.wait_ready(30), "takeover %d: the new instance serves" % n,
           new.stderr()[-10:])
    t1 = time.time()
    try:
        old.proc.wait(30)
    except Exception:
        pass
    note("takeover %d: the new instance served %.2f s after it started, "
         "the old one had exited %.2f s later" % (n, t1 - t0,
                                                  time.time() - t1))
    tap.eq(old.proc.poll(), 0, "takeover %d: the old one exits by itself, "
           "status 0" % n)
    tap.ok(old.wait_stderr("takeover: the new instance serves", 1),
           "takeover %d: the old one says why it stops" % n,
           old.stderr()[-5:])
    time.sleep(1.5)
    tap.ok(load.count() > before + CLIENTS,
           "takeover %d: the clients are answered after it (%d requests "
           "since)" % (n, load.count() - before))
    return new


def busy_ports(tap, cap):
    plain = ct.Server(cap.capsule)
    rc = plain.proc.wait(30)
    plain.stop()
    err = "\n".join(plain.stderr())
    tap.ok(rc == 1 and "cannot listen on 127.0.0.1:%d (gemini): Address "
           "already in use" % cap.gemini_port in err,
           "a plain second serve on the busy ports fails clearly",
           "status %r\n%s" % (rc, err))


def closed_loop(tap):
    cap = ct.Capsule()
    cap.write_config(max_per_client=0)
    srvs = [ct.start_server(cap)]
    load = Load(cap)
    try:
        load.start()
        time.sleep(1.5)
        for n in (1, 2):
            srvs.append(take_over(tap, cap, srvs[-1], load, n))
        busy_ports(tap, cap)
        load.finish()
        total = load.count() + len(load.failed)
        note("%d clients, %d requests across 2 takeovers, %d failed; "
             "served by each instance: %s" % (
                 CLIENTS, total, len(load.failed),
                 ", ".join(str(served(s)) for s in srvs)))
        tap.eq(len(load.failed), 0, "no request failed across the "
               "takeovers (%d requests)" % total)
        if load.failed:
            note("failures: %r" % load.failed[:5])
        tap.ok(all(served(s) > 0 for s in srvs),
               "each of the three instances served requests")
        tap.eq(srvs[-1].stop(), 0, "the last instance stops on SIGTERM")
    finally:
        load.finish()
        for s in srvs:
            s.stop()
        cap.cleanup()


def nothing_to_take(tap):
    cap = ct.Capsule()
    try:
        cap.write_config()
        srv = ct.Server(cap.capsule, args=["--takeover"])
        rc = srv.proc.wait(30)
        srv.stop()
        err = "\n".join(srv.stderr())
        tap.ok(rc == 1 and "--takeover: no instance serving this "
               "configuration answers" in err,
               "--takeover with no instance running: status 1, says so",
               "status %r\n%s" % (rc, err))
    finally:
        cap.cleanup()


def failed_successor(tap):
    """A new instance that fails after it got the sockets (its page is
    gone) leaves the old one serving, and findable by the next."""
    cap = ct.Capsule()
    cap.write_config()
    old = ct.start_server(cap)
    try:
        hidden = cap.page + ".away"
        os.rename(cap.page, hidden)
        new = ct.Server(cap.capsule, args=["--takeover"])
        rc = new.proc.wait(60)
        new.stop()
        tap.ok(rc == 2 and old.wait_stderr("the new instance went away "
                                           "before serving; still serving"),
               "a successor that fails: it exits 2, the old one says it "
               "goes on", "status %r\n%s" % (rc, old.stderr()[-5:]))
        body, _ = ct.gopher(cap.gopher_port, "/")
        tap.ok(b"Zhangqiang" in body, "the old one still serves")
        os.rename(hidden, cap.page)
        new = ct.Server(cap.capsule, args=["--takeover"])
        tap.ok(new.wait_ready(30) and old.proc.wait(30) == 0,
               "the next takeover finds it", new.stderr()[-5:])
        new.stop()
    finally:
        old.stop()
        cap.cleanup()


def main(tap):
    tap.run("nothing to take over", nothing_to_take, tap)
    tap.run("failed successor", failed_successor, tap)
    tap.run("closed loop", closed_loop, tap)


if __name__ == "__main__":
    ct.main_guard(main)
