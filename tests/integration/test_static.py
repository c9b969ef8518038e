"""A Jekyll site's static files, against a real `capsuled serve` of the
fixture tests/sites/static-files: the CV PDF, a PNG, a GIF, a BibTeX and a
text file fetched over Gemini (with their MIME type) and over Gopher,
byte-exact (two over Spartan); a file over server.max_file_bytes and an excluded one refused
(and the first named by `check`); links to them reach them inside the
capsule (TODO until internal links are rewritten). Then `capsuled export`
(the tree it writes), `capsuled render --page`, and what `capsuled check`
reports on tests/sites/check-losses. A static file replaced while serving
is served anew."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

FIXTURE = os.path.join(ct.SOURCE_ROOT, "tests", "sites", "static-files")
# Path in the site → the Gemini header's meta.
SERVED = {
    "/files/cv.pdf": "application/pdf",
    "/images/me.png": "image/png",
    "/images/anim.gif": "image/gif",
    "/files/refs.bib": "application/x-bibtex",
    "/assets/notes.txt": "text/plain; charset=utf-8",
}
CAP = 32 * 1024  # server.max_file_bytes: files/big.bin (48 KiB) is over


def site_copy(cap):
    """The fixture beside the test capsule, with a capsule.yaml holding
    capsuled's own keys only."""
    site = os.path.join(cap.dir, "site")
    shutil.copytree(FIXTURE, site)
    cap.spartan_port = ct.free_port()
    with open(os.path.join(site, "capsule.yaml"), "w") as f:
        f.write("""gemini:
  port: %(gp)d
  listen: ["127.0.0.1:%(gp)d"]
  cert: %(crt)s
  key: %(key)s
gopher:
  port: %(op)d
  listen: ["127.0.0.1:%(op)d"]
spartan:
  enabled: true
  port: %(sp)d
  listen: ["127.0.0.1:%(sp)d"]
server:
  workers: 1
  max_file_bytes: %(cap)d
""" % {"gp": cap.gemini_port, "op": cap.gopher_port, "cap": CAP,
       "sp": cap.spartan_port,
       "crt": ct.yaml_str(os.path.join(cap.certs, "localhost.crt")),
       "key": ct.yaml_str(os.path.join(cap.certs, "localhost.key"))})
    return site


def original(path):
    with open(os.path.join(FIXTURE, path.lstrip("/")), "rb") as f:
        return f.read()


def gemini_files(tap, cap):
    for path, meta in sorted(SERVED.items()):
        r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port, path))
        tap.eq(r.header, "20 " + meta, "gemini %s: 20 with its type" % path)
        tap.ok(r.body == original(path), "gemini %s: the file's bytes, "
               "exactly" % path, "%d bytes, want %d" % (
                   len(r.body), len(original(path))))


def gopher_files(tap, cap):
    for path in sorted(SERVED):
        body = ct.gopher(cap.gopher_port, path)[0]
        tap.ok(body == original(path), "gopher %s: the file's bytes, "
               "exactly" % path, body[:200])


def spartan_files(tap, cap):
    for path in ("/files/cv.pdf", "/images/me.png"):
        got = ct.spartan(cap.spartan_port, path)
        want = ("2 %s\r\n" % SERVED[path]).encode() + original(path)
        tap.ok(got == want, "spartan %s: 2 with its type, the bytes "
               "exactly" % path, got[:120])


def replaced(tap, cap, site):
    """A static file replaced while serving: the next requests get the
    new bytes (they are read into the snapshot, which reload rebuilds)."""
    new = original("/files/cv.pdf").replace(b"Count 0", b"Count 1")
    tmp = os.path.join(site, "files", ".cv.pdf.tmp")
    with open(tmp, "wb") as f:
        f.write(new)
    os.rename(tmp, os.path.join(site, "files", "cv.pdf"))
    url = ct.gemini_url(cap.gemini_port, "/files/cv.pdf")
    end = time.time() + 10
    while True:
        r = ct.gemini(cap.gemini_port, url)
        if r.body == new or time.time() > end:
            break
        time.sleep(0.1)
    tap.ok(r.body == new, "a replaced static file is served anew over "
           "Gemini", r.body[:80])
    tap.ok(ct.gopher(cap.gopher_port, "/files/cv.pdf")[0] == new,
           "and over Gopher")


def refused(tap, cap, srv):
    for path, why in (("/files/big.bin", "over server.max_file_bytes"),
                      ("/private/secret.txt", "excluded by _config.yml")):
        r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port, path))
        tap.eq(r.status, "51", "gemini %s: not found (%s)" % (path, why))
        body = ct.gopher(cap.gopher_port, path)[0]
        tap.ok(body.startswith(b"3") and original(path)[:64] not in body,
               "gopher %s: an error item (%s)" % (path, why), body[:200])
    tap.ok(srv.wait_stderr("note", 2) and any(
        "capsuled check" in l for l in srv.stderr()),
        "start-up points at `capsuled check` for the findings",
        "\n".join(srv.stderr()))


def links_reach(tap, cap):
    """Every link of the home page to a file of the site is answered by
    the capsule: its target is a route that serves the file."""
    r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port))
    targets = [l.split()[1] for l in r.text.splitlines()
               if l.startswith("=> ")]
    for path in sorted(SERVED):
        linked = [t for t in targets if t.endswith(path)]
        tap.ok(linked, "the home page links %s" % path, r.text)
        for t in linked[:1]:
            url = t if "://" in t else ct.gemini_url(cap.gemini_port, t)
            inside = url.startswith("gemini://localhost:%d/"
                                    % cap.gemini_port)
            got = ct.gemini(cap.gemini_port, url) if inside else None
            tap.todo(inside and got.body == original(path),
                     "the link to %s reaches it inside the capsule" % path,
                     "internal links are rewritten by the pages branch",
                     t)


def check_names_big(tap, site):
    p = subprocess.run([ct.CAPSULED, "check", site], capture_output=True,
                       text=True, timeout=60)
    want = "%s/files/big.bin: warning: not served: larger than " \
           "server.max_file_bytes (%d bytes)" % (site, CAP)
    tap.ok(want in p.stdout, "check names the file too large to serve",
           p.stdout + p.stderr)


def serve(tap):
    cap = ct.Capsule()
    try:
        site = site_copy(cap)
        srv = ct.Server(site)
        tap.ok(srv.wait_ready(), "capsuled serves the site",
               "\n".join(srv.stderr()))
        gemini_files(tap, cap)
        gopher_files(tap, cap)
        spartan_files(tap, cap)
        refused(tap, cap, srv)
        links_reach(tap, cap)
        replaced(tap, cap, site)
        srv.stop()
        check_names_big(tap, site)
    finally:
        cap.cleanup()


EXPORTED = {
    "index.gmi", "gophermap", "about/index.gmi", "about/gophermap",
    "about.html", "files/cv.pdf",
    "files/refs.bib", "images/me.png", "images/anim.gif", "assets/notes.txt",
    "atom.xml", "news/index.gmi", "news/gophermap", "robots.txt",
}


def export(tap):
    work = tempfile.mkdtemp()
    try:
        out = os.path.join(work, "out")
        p = subprocess.run([ct.CAPSULED, "export", FIXTURE, out],
                           capture_output=True, text=True, timeout=60)
        tap.eq(p.returncode, 0, "export exits 0")
        files = set()
        for top, _, names in os.walk(out):
            files |= {os.path.relpath(os.path.join(top, n), out)
                      for n in names}
        tap.ok(EXPORTED <= files, "export writes the pages, the .html form, "
               "the static files and the feeds", sorted(EXPORTED - files))
        tap.ok(not any(f.startswith("private/") for f in files),
               "export leaves out the excluded folder", sorted(files))
        for path in sorted(SERVED):
            with open(os.path.join(out, path.lstrip("/")), "rb") as f:
                tap.ok(f.read() == original(path), "export writes %s "
                       "byte-exact" % path)
        # A directory of the site may share the page's name: the page is
        # its URL's directory index.
        with open(os.path.join(out, "about/index.gmi"), encoding="utf-8") as f:
            tap.ok("About Ada, as a page" in f.read(),
                   "export writes the page at its URL without .html, as "
                   "that directory's index")
        with open(os.path.join(out, "about.html"), encoding="utf-8") as f:
            tap.eq(f.read(), "=> /about Moved here\n",
                   "export writes the .html form as a link to the page")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_page(tap):
    def render(*args):
        return subprocess.run([ct.CAPSULED, "render"] + list(args),
                              capture_output=True, text=True, timeout=60)
    home = render(FIXTURE)
    tap.ok(home.returncode == 0 and home.stdout.startswith("# Ada Static"),
           "render SITE prints the home page, as before", home.stdout)
    for url in ("/about.html", "/about", "/about/"):
        p = render("--page", url, FIXTURE)
        tap.ok(p.returncode == 0 and p.stdout.startswith("# About\n") and
               "About Ada" in p.stdout, "render --page %s prints that page"
               % url, p.stdout + p.stderr)
    p = render("--to", "gophermap", "--page", "/about.html", FIXTURE)
    tap.ok(p.returncode == 0 and p.stdout.startswith("iAbout\t"),
           "render --page goes with --to", p.stdout)
    p = render("--page", "/nowhere/", FIXTURE)
    tap.ok(p.returncode == 2 and "no page or item at /nowhere/" in p.stderr,
           "render --page of a URL the site lacks: exit 2, why", p.stderr)


LOSSES = os.path.join(ct.SOURCE_ROOT, "tests", "sites", "check-losses")
CHECK_LINES = [
    "_posts/2199-01-01-future.md:1: note: not published: dated in the "
    "future (future: false)",
    "_posts/undated.md:1: note: not published: a post's file name starts "
    "with its date (YYYY-MM-DD-title.md)",
    "_pages/hidden.md:1: note: not published: published: false",
    "old-home.md:1: note: not published: excluded by _config.yml's exclude "
    "(or a name Jekyll skips)",
    "_pages/cv.md:5: warning: link to /teaching/: the site has no page or "
    "file there",
    "index.md:7: warning: link to /missing/: the site has no page or file "
    "there",
    "index.md:7: warning: link to /thesis.pdf: the site has no page or file "
    "there",
    "index.md:10: error: Liquid Exception: Could not locate the included "
    "file 'missing.html' in any of [\"_includes\"]. Ensure it exists in one "
    "of those directories and, if it is a symlink, does not point outside "
    "your site source.",
    "index.md:18: warning: section 'Projects' is empty: everything under it "
    "is Liquid that left nothing, so readers see the heading alone",
]


def check_losses(tap):
    p = subprocess.run([ct.CAPSULED, "check", LOSSES], capture_output=True,
                       text=True, timeout=60)
    # Jekyll stops on a missing include: an error, as it is there.
    tap.eq(p.returncode, 1, "check exits 1 (the missing include)")
    for line in CHECK_LINES:
        tap.ok(LOSSES + "/" + line in p.stdout.splitlines(),
               "check: %s" % line.split(": ", 2)[-1][:60], p.stdout)
    tap.ok("/cv/" not in p.stdout and "projects.html'" not in
           p.stdout and "'Contact'" not in p.stdout and "'About'" not in
           p.stdout and "'News'" not in p.stdout,
           "check says nothing of the link, include and sections "
           "that are there (News lists the posts)", p.stdout)


def main(tap):
    tap.run("serve", serve, tap)
    tap.run("export", export, tap)
    tap.run("render", render_page, tap)
    tap.run("check", check_losses, tap)


ct.main_guard(main)
