"""Live reload of a whole Jekyll site (issue 9, point 4), over real
sockets: a post added to a running site is served at its URL in the next
requests, a removed page is gone, an edit in _includes/ or a new file in
_data/ rebuilds, a page added in a new folder is found, a broken new post
is left out with its file:line in the log, a broken _config.yml keeps the
last good snapshot, and what is written to _site/, .git/ or an excluded
folder, or an editor's swap file, rebuilds nothing. Without inotify (the
user's instances used up), stat polling of the site's directories finds
a new post too."""

import os
import re
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

FIXTURES = os.path.join(ct.SOURCE_ROOT, "tests", "sites")
SECONDS = 10  # a reload is due well within this, even under load


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ct.write_atomically(path, text)


def reloads(srv):
    return sum("content reloaded" in l for l in srv.stderr())


def wait_reloads(srv, more_than, seconds=SECONDS):
    end = time.time() + seconds
    while time.time() < end:
        if reloads(srv) > more_than:
            return True
        time.sleep(0.05)
    return False


def gemini_status_until(port, path, status, seconds=SECONDS):
    end = time.time() + seconds
    while True:
        r = ct.gemini(port, ct.gemini_url(port, path))
        if r.status == status or time.time() > end:
            return r
        time.sleep(0.1)


# A user of its own for the polling server, whose inotify instances a
# helper holds (as test_reload.py does for a capsule).
POLL_UID = 47814


def hog_inotify():
    """A child, as POLL_UID, holding every inotify instance that user may
    have; its pid."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            import ctypes
            os.close(r)
            os.setgroups([])
            os.setgid(POLL_UID)
            os.setuid(POLL_UID)
            libc = ctypes.CDLL(None, use_errno=True)
            while libc.inotify_init1(0) >= 0:
                pass
            os.write(w, b"1")
            os.close(w)
            time.sleep(3600)
        finally:
            os._exit(0)
    os.close(w)
    os.read(r, 1)
    os.close(r)
    return pid


def as_poll_user():
    os.setgroups([])
    os.setgid(POLL_UID)
    os.setuid(POLL_UID)


class Site:
    """The several-md fixture copied beside a capsule.yaml holding only
    capsuled's own keys, served (polling: as POLL_UID, without inotify)."""

    def __init__(self, polling=False):
        self.hog = None
        self.how = " (stat polling)" if polling else ""
        self.cap = ct.Capsule()
        self.root = os.path.join(self.cap.dir, "site")
        shutil.copytree(os.path.join(FIXTURES, "several-md"), self.root)
        # An excluded folder (_config.yml's `exclude`) already there.
        os.makedirs(os.path.join(self.root, "vendor", "bundle"))
        with open(os.path.join(self.root, "capsule.yaml"), "w") as f:
            f.write("""gemini:
  port: %(gp)d
  listen: ["127.0.0.1:%(gp)d"]
  cert: %(crt)s
  key: %(key)s
gopher:
  port: %(op)d
  listen: ["127.0.0.1:%(op)d"]
server:
  workers: 1
""" % {"gp": self.cap.gemini_port, "op": self.cap.gopher_port,
       "crt": ct.yaml_str(os.path.join(self.cap.certs, "localhost.crt")),
       "key": ct.yaml_str(os.path.join(self.cap.certs, "localhost.key"))})
        self.port = self.cap.gemini_port
        if polling:
            self.hog = hog_inotify()
            os.chown(self.cap.dir, POLL_UID, POLL_UID)
        self.srv = ct.Server(self.root,
                             preexec_fn=as_poll_user if polling else None)
        if not self.srv.wait_ready():
            raise RuntimeError("capsuled did not start:\n" +
                               "\n".join(self.srv.stderr()[-20:]))

    def path(self, rel):
        return os.path.join(self.root, rel)

    def get(self, path, want):
        return ct.gemini_until(self.port, ct.gemini_url(self.port, path),
                               want, seconds=SECONDS)

    def close(self):
        self.srv.stop()
        if self.hog:
            os.kill(self.hog, signal.SIGKILL)
            os.waitpid(self.hog, 0)
        self.cap.cleanup()


def new_post(tap, site):
    write(site.path("_posts/2023-05-06-fresh-news.md"),
          "---\ntitle: Fresh news\n---\nA post written while serving.\n")
    r = site.get("/blog/2023/fresh-news/", "A post written while serving.")
    tap.ok(r.status == "20" and "A post written while serving." in r.text,
           "a new post file is served at its URL" + site.how,
           (r.status, r.text))
    blog = site.get("/blog/2022/second/", "")
    tap.eq(blog.status, "20", "the other posts are still served" + site.how)


def removed_page(tap, site):
    tap.eq(ct.gemini(site.port, ct.gemini_url(site.port, "/cv/")).status,
           "20", "the CV page is served before it is removed" + site.how)
    os.unlink(site.path("_pages/cv.md"))
    r = gemini_status_until(site.port, "/cv/", "51")
    tap.eq(r.status, "51", "a removed page is gone (51) without a restart" +
           site.how)


def includes_and_data(tap, site):
    before = reloads(site.srv)
    write(site.path("_includes/footer.html"), "<p>A footer.</p>\n")
    tap.ok(wait_reloads(site.srv, before),
           "a file added to a new _includes/ folder rebuilds the site")
    before = reloads(site.srv)
    with open(site.path("_includes/footer.html"), "a") as f:
        f.write("<p>More of it.</p>\n")
    tap.ok(wait_reloads(site.srv, before),
           "an edit in place inside _includes/ rebuilds the site")
    # A new data file, and the home page reading it.
    write(site.path("_data/extra/motto.yml"), "text: Always be shipping\n")
    about = open(site.path("_pages/about.md")).read()
    write(site.path("_pages/about.md"),
          about + "\nMotto: {{ site.data.extra.motto.text }}.\n")
    r = site.get("/", "Motto: Always be shipping.")
    tap.ok("Motto: Always be shipping." in r.text,
           "a new file in a new _data/ folder reaches site.data", r.text)
    write(site.path("_data/extra/motto.yml"), "text: Ship less\n")
    r = site.get("/", "Motto: Ship less.")
    tap.ok("Motto: Ship less." in r.text,
           "an edit of a nested data file shows on the home page", r.text)


def confined(tap, site):
    """The reloads here happen inside the Landlock domain (where the
    kernel has it): the rules cover the whole site, new folders too."""
    log = site.srv.stderr()
    if any("landlock: not available" in l for l in log):
        tap.skip("reloads inside the Landlock domain", "no Landlock here")
        return
    tap.ok(any("landlock (ABI" in l for l in log),
           "the site is served inside a Landlock domain", "\n".join(log[:10]))


def new_folder(tap, site):
    write(site.path("talks/index.md"),
          "---\ntitle: Talks\n---\nWhere I spoke.\n")
    r = site.get("/talks/", "Where I spoke.")
    tap.ok(r.status == "20" and "Where I spoke." in r.text,
           "a page in a folder created while serving is served", r.text)
    write(site.path("talks/2024.md"),
          "---\ntitle: Talks 2024\n---\nTalks of this year.\n")
    r = site.get("/talks/2024/", "Talks of this year.")
    tap.ok(r.status == "20" and "Talks of this year." in r.text,
           "a second page in that folder is served too", r.text)
    shutil.rmtree(site.path("talks"))
    r = gemini_status_until(site.port, "/talks/2024/", "51")
    tap.eq(r.status, "51", "a folder of pages removed: its pages are gone")
    tap.ok(not any("polling" in l for l in site.srv.stderr()),
           "and the server keeps watching with inotify",
           "\n".join(site.srv.stderr()[-5:]))


def broken_post(tap, site):
    write(site.path("_posts/2023-07-08-broken.md"),
          "---\ntitle: [unclosed\n---\nNever served.\n")
    named = re.compile(r"_posts/2023-07-08-broken\.md:\d+: warning: YAML")
    end = time.time() + SECONDS
    while time.time() < end and not any(named.search(l)
                                        for l in site.srv.stderr()):
        time.sleep(0.05)
    found = any(named.search(l) for l in site.srv.stderr())
    tap.ok(found, "a broken new post is named with file:line in the log",
           "\n".join(site.srv.stderr()[-10:]))
    r = ct.gemini(site.port, ct.gemini_url(site.port, "/blog/2022/second/"))
    tap.eq(r.status, "20", "the rest of the site is still served")
    os.unlink(site.path("_posts/2023-07-08-broken.md"))


def broken_config(tap, site):
    good = open(site.path("_config.yml")).read()
    write(site.path("_config.yml"), good + "title: [unclosed\n")
    found = site.srv.wait_stderr("rebuild failed; still serving", SECONDS)
    tap.ok(found and any("_config.yml:" in l for l in site.srv.stderr()),
           "a broken _config.yml: the rebuild fails, named file:line",
           "\n".join(site.srv.stderr()[-10:]))
    r = ct.gemini(site.port, ct.gemini_url(site.port, "/"))
    tap.ok(r.status == "20" and "Hello, I am Grace." in r.text,
           "the last good snapshot is still served", r.text)
    write(site.path("_config.yml"), good.replace("title: Blank",
                                                 "title: Mended"))
    r = site.get("/blog/2022/second/", "")
    before = reloads(site.srv)
    write(site.path("_posts/2023-09-10-after.md"),
          "---\ntitle: After\n---\nServed after the mend.\n")
    r = site.get("/blog/2023/after/", "Served after the mend.")
    tap.ok("Served after the mend." in r.text and reloads(site.srv) > before,
           "once mended, changes are served again", r.text)


def quiet_writes(tap, site):
    """Nothing Jekyll does not read rebuilds: the destination (created,
    then written), .git (the same), an excluded folder, editors' swap and
    backup files."""
    time.sleep(0.5)  # earlier changes settled
    before = reloads(site.srv)
    os.makedirs(site.path("_site/blog"), exist_ok=True)
    for i in range(20):
        write(site.path("_site/blog/page%d.html" % i), "<p>%d</p>\n" % i)
    os.makedirs(site.path(".git/objects"), exist_ok=True)
    write(site.path(".git/index"), "index\n")
    write(site.path("vendor/bundle/gem.rb"), "# a gem\n")
    # Written in place, as editors write them.
    for name in (".about.md.swp", "about.md~", "#about.md#"):
        with open(site.path("_pages/" + name), "w") as f:
            f.write("scratch\n")
    time.sleep(1.5)
    tap.eq(reloads(site.srv) - before, 0,
           "writes to _site/, .git/, an excluded folder and editors' "
           "files rebuild nothing")


def polled(tap):
    if os.geteuid() != 0:
        tap.skip("stat polling of the site", "needs root to switch users")
        return
    site = Site(polling=True)
    try:
        tap.ok(site.srv.wait_stderr("watching the capsule by polling", 2),
               "without inotify the server polls, and says so")
        new_post(tap, site)
        removed_page(tap, site)
    finally:
        site.close()


def main(tap):
    tap.run("polled", polled, tap)
    site = Site()
    try:
        tap.run("confined", confined, tap, site)
        tap.run("new post", new_post, tap, site)
        tap.run("removed page", removed_page, tap, site)
        tap.run("includes and data", includes_and_data, tap, site)
        tap.run("new folder", new_folder, tap, site)
        tap.run("broken post", broken_post, tap, site)
        tap.run("broken config", broken_config, tap, site)
        tap.run("quiet writes", quiet_writes, tap, site)
    finally:
        site.close()


ct.main_guard(main)
