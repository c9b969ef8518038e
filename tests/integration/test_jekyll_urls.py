"""The site model against Jekyll itself: for each fixture site of
tests/sites/ (and each corpus site that builds with plugins off, skipped
when ../shared/corpus/ is absent), the files `jekyll build --safe` writes to
_site are exactly the files `capsuled list` says the site has. Jekyll's
_site is cached in the build directory, keyed by the site's contents, so a
run without changes does not call Jekyll. Also: the home page each site's
list marks, and `check` naming it."""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

FIXTURES = os.path.join(ct.SOURCE_ROOT, "tests", "sites")
CORPUS = os.path.join(os.path.dirname(ct.SOURCE_ROOT), "shared", "corpus",
                      "sites")
CACHE = os.path.join(os.environ.get("CAPSULED_BUILD_ROOT",
                                    tempfile.gettempdir()), "jekyll-sites")
# The home page each fixture must get, as Jekyll writes it to index.html.
HOMES = {
    "readme-first": "_pages/about.md",
    "several-md": "_pages/about.md",
    "conflict": "index.md",
    "folio-about": "_pages/about.md",
    "pages-single": "_pages/about.md",
}


def digest(tree):
    h = hashlib.sha256()
    for top, dirs, files in sorted(os.walk(tree)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            h.update(os.path.relpath(path, tree).encode())
            if not os.path.islink(path):
                with open(path, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()[:16]


def jekyll_files(site):
    """The files Jekyll writes for SITE (copied first: Jekyll may write
    caches beside the sources), from the cache when the site is unchanged;
    None when Jekyll cannot build it."""
    key = os.path.join(CACHE, "%s-%s" % (os.path.basename(site),
                                         digest(site)))
    listing = key + ".files"
    if not os.path.exists(listing):
        os.makedirs(CACHE, exist_ok=True)
        work = tempfile.mkdtemp()
        try:
            src = os.path.join(work, "src")
            shutil.copytree(site, src, symlinks=True)
            override = os.path.join(work, "noplugins.yml")
            with open(override, "w") as f:
                f.write("plugins: []\n")
            out = os.path.join(work, "_site")
            env = dict(os.environ, JEKYLL_NO_BUNDLER_REQUIRE="true")
            rc = subprocess.run(
                ["jekyll", "build", "--safe", "-q", "-d", out, "--config",
                 "_config.yml," + override], cwd=src, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=300).returncode
            files = []
            for top, _, names in os.walk(out):
                for name in names:
                    files.append(os.path.relpath(os.path.join(top, name), out))
            with open(listing, "w") as f:
                f.write("failed\n" if rc else "".join(
                    sorted(p + "\n" for p in files)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    with open(listing) as f:
        lines = f.read().splitlines()
    if lines == ["failed"]:
        return None
    # A Sass page's source map is a by-product of the converter.
    return {p for p in lines if not p.endswith(".css.map")}


def capsuled_list(site):
    p = subprocess.run([ct.CAPSULED, "list", site], capture_output=True,
                       text=True, timeout=60)
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    return p.returncode, rows, p.stderr


def destination(url, kind):
    """The file under _site a URL is written to (Page#destination)."""
    path = urllib.parse.unquote(url).lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    if not kind.startswith("static") and "." not in path.rsplit("/", 1)[-1]:
        return path + ".html"
    return path


def compare(tap, site, want_home=None):
    name = os.path.basename(site)
    want = jekyll_files(site)
    if want is None:
        tap.skip("%s: the URLs Jekyll writes" % name,
                 "jekyll cannot build it with plugins off")
        return
    rc, rows, err = capsuled_list(site)
    tap.eq(rc, 0, "%s: capsuled list exits 0" % name)
    got = {destination(r[0], r[1]) for r in rows if len(r) == 3}
    tap.ok(got == want, "%s: capsuled list has the %d files Jekyll writes"
           % (name, len(want)),
           "missing: %s\nextra: %s" % (sorted(want - got)[:10],
                                       sorted(got - want)[:10]))
    homes = [r[2] for r in rows if len(r) == 3 and r[1].endswith(" home")]
    if want_home:
        tap.eq(homes, [want_home], "%s: the home page is %s" % (name,
                                                                want_home))
    else:
        tap.eq(len(homes), 1 if "index.html" in want else 0,
               "%s: one home page exactly when Jekyll writes index.html"
               % name)


def check_names_home(tap):
    site = os.path.join(FIXTURES, "conflict")
    p = subprocess.run([ct.CAPSULED, "check", site], capture_output=True,
                       text=True, timeout=60)
    tap.ok("index.md" in p.stdout and "home page" in p.stdout,
           "check names the home page and why", p.stdout)
    tap.ok("conflict" in p.stdout and "_pages/about.md" in p.stdout,
           "check warns of the conflict over /", p.stdout)
    tap.ok("conflict: _pages/old-post.md, _posts/2012-08-14-blog-post-1.md"
           in p.stdout, "check warns of a page and a post sharing a URL",
           p.stdout)


def readme_never_home(tap):
    work = tempfile.mkdtemp()
    try:
        site = os.path.join(work, "s")
        shutil.copytree(os.path.join(FIXTURES, "readme-first"), site)
        os.remove(os.path.join(site, "_pages", "about.md"))
        rc, rows, _ = capsuled_list(site)
        tap.ok(not [r for r in rows if r[1].endswith(" home")],
               "no page at /: no home page (README.md is not one)", rows)
        p = subprocess.run([ct.CAPSULED, "render", site],
                           capture_output=True, text=True, timeout=60)
        tap.ok(p.returncode == 2 and "home page" in p.stderr and
               "academic home pages" not in p.stdout,
               "render without a home page fails and says so, without "
               "showing the README", p.stdout + p.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_home(tap):
    site = os.path.join(FIXTURES, "several-md")
    p = subprocess.run([ct.CAPSULED, "render", site], capture_output=True,
                       text=True, timeout=60)
    tap.ok(p.returncode == 0 and "Hello, I am Grace." in p.stdout and
           "al-folio-shaped" not in p.stdout,
           "render SITE renders _pages/about.md, not README.md",
           p.stdout + p.stderr)


def pages_served(tap, cap):
    """Every page and collection item with output at its URL and selector;
    capsuled's own paths (the news feed) stay its own."""
    def gem(path):
        return ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port,
                                                        path))
    r = gem("/cv/")
    tap.ok(r.status == "20" and "My CV." in r.text, "gemini /cv/ is _pages/cv.md",
           r.text)
    r = gem("/blog/2021/hello-world/")
    tap.ok(r.status == "20" and "The first post." in r.text,
           "gemini serves a post at its permalink", r.text)
    r = gem("/news/announcement_2/")
    tap.ok(r.status == "20" and "Another one." in r.text,
           "gemini serves a collection item at its URL", r.text)
    r = gem("/news/")
    tap.ok(r.status == "20" and "Subscribe" not in r.text and
           "=> /atom.xml Atom feed" in r.text and
           "/news/announcement_2/ " in r.text,
           "/news/ stays the gemsub feed, the news items in it", r.text)
    tap.eq(gem("/hidden/").status, "51", "an unpublished page is not served")
    tap.eq(gem("/blog/2199/future/").status, "51",
           "a future post is not served")
    r = gem("/map")
    tap.ok(r.status == "20" and "Where I have been." in r.text,
           "a .html permalink is served without its suffix", r.text)
    r = gem("/map.html")
    tap.eq((r.status, r.meta), ("31", ct.gemini_url(cap.gemini_port, "/map")),
           "its .html form redirects there")
    menu = ct.gopher(cap.gopher_port, "/map.html")[0]
    tap.ok(b"Where I have been." in menu, "gopher serves the .html form",
           menu)
    menu = ct.gopher(cap.gopher_port, "/projects/2_project/")[0]
    tap.ok(b"Another project." in menu, "gopher serves an item at its "
           "selector", menu)


def serve_site(tap):
    """A Jekyll site served as it is, with a capsule.yaml holding only
    capsuled's own keys: the home page, the card from _config.yml and
    _data/socials.yml, Liquid reading the site value, and live reload of a
    data file."""
    cap = ct.Capsule()
    try:
        site = os.path.join(cap.dir, "site")
        shutil.copytree(os.path.join(FIXTURES, "several-md"), site)
        with open(os.path.join(site, "capsule.yaml"), "w") as f:
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
""" % {"gp": cap.gemini_port, "op": cap.gopher_port,
       "crt": ct.yaml_str(os.path.join(cap.certs, "localhost.crt")),
       "key": ct.yaml_str(os.path.join(cap.certs, "localhost.key"))})
        srv = ct.Server(site)
        srv.wait_ready()
        body = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port)).text
        tap.ok("Hello, I am Grace." in body and "al-folio-shaped" not in body,
               "gemini / is the site's home page", body)
        tap.ok(body.startswith("# about\nGrace Example\n"),
               "the card names the person under a page titled 'about' "
               "(al-folio's first_name, last_name)", body)
        tap.ok("=> mailto:grace@example.org Email: grace@example.org" in body and
               "=> https://github.com/grace GitHub" in body,
               "the card has the email as mailto: and the socials' links",
               body)
        tap.ok("My handle is grace;" in body, "Liquid reads site.data", body)
        tap.todo("my latest post is Second." in body,
                 "Liquid reads site.posts.first (newest first)",
                 "`first` is the Liquid interpreter's (issue 10)")
        menu = ct.gopher(cap.gopher_port, "/")[0].decode("utf-8", "replace")
        tap.ok("Hello, I am Grace." in menu and "mailto:grace@example.org"
               in menu, "gopher / is the home page with its card", menu)
        pages_served(tap, cap)
        ct.write_atomically(os.path.join(site, "_data", "socials.yml"),
                            "email: grace@example.org\n"
                            "github_username: hopper\n")
        body = ct.gemini_until(cap.gemini_port,
                               ct.gemini_url(cap.gemini_port),
                               "My handle is hopper", seconds=10).text
        tap.ok("My handle is hopper" in body and
               "https://github.com/hopper" in body,
               "editing _data/socials.yml shows in the next request", body)
        ct.write_atomically(os.path.join(site, "_pages", "cv.md"),
                            "---\npermalink: /cv/\ntitle: cv\n---\n"
                            "My CV, revised.\n")
        r = ct.gemini_until(cap.gemini_port,
                            ct.gemini_url(cap.gemini_port, "/cv/"),
                            "My CV, revised.", seconds=10)
        tap.ok("My CV, revised." in r.text,
               "editing another page of the site shows at its URL", r.text)
        srv.stop()
    finally:
        cap.cleanup()


def main(tap):
    if not shutil.which("jekyll"):
        tap.skip("jekyll comparisons", "jekyll is not installed")
    else:
        for name in sorted(os.listdir(FIXTURES)):
            tap.run(name, compare, tap, os.path.join(FIXTURES, name),
                    HOMES.get(name))
        if os.path.isdir(CORPUS):
            for name in sorted(os.listdir(CORPUS)):
                tap.run(name, compare, tap, os.path.join(CORPUS, name))
        else:
            tap.skip("corpus sites", "../shared/corpus is absent")
    tap.run("home", render_home, tap)
    tap.run("readme", readme_never_home, tap)
    tap.run("check", check_names_home, tap)
    tap.run("serve", serve_site, tap)


ct.main_guard(main)
