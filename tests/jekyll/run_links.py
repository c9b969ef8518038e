"""Links carried: every link a web visitor can follow from a page of a site
to another page or file of the same site must lead, in the capsule, to the
route that serves that page or file. For each page Jekyll writes (plugins
off, cached like the other comparisons) and capsuled serves, the links of
Jekyll's content area are resolved as a browser resolves them (against the
page's own URL under the site's baseurl); each one that reaches a file
Jekyll wrote must be a => line of the page as `capsuled export` writes it
(or of one of its section pages). Links to other sites, in-page anchors
and links Jekyll's own _site cannot answer (dead on the web too) are left
out. The project's fixture sites must carry every link, the reference
sites beside the project (skipped when absent) 98% of them."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import jekylltest as jt

FIXTURES = os.path.join(jt.SOURCE_ROOT, "tests", "sites")
LINK_LINE = re.compile(r"^=>\s*(\S+)", re.M)
# The web origin pages are resolved under; any will do, it is cut off again.
ORIGIN = "https://site.invalid"


def corpus_root():
    d = os.environ.get("CAPSULED_CORPUS")
    return d or os.path.join(os.path.dirname(jt.SOURCE_ROOT), "shared",
                             "corpus", "sites")


def config_value(site, key):
    """A top-level scalar of _config.yml, read the simple way these tests
    need (url, baseurl), without a YAML library."""
    with open(os.path.join(site, "_config.yml"), encoding="utf-8",
              errors="replace") as f:
        for line in f:
            m = re.match(r"%s\s*:\s*(.*?)\s*(#.*)?$" % key, line)
            if m:
                return m.group(1).strip("\"'")
    return ""


def served_pages(site):
    """(URL, kind) of every page, item and post capsuled serves."""
    p = subprocess.run([jt.CAPSULED, "list", site], capture_output=True,
                       text=True, timeout=120)
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    return [(r[0], r[1]) for r in rows
            if len(r) == 3 and not r[1].startswith("static")]


def web_file(built, route):
    """The file of Jekyll's _site that answers ROUTE, as a web server finds
    it, or None."""
    path = urllib.parse.unquote(route).lstrip("/")
    for cand in ((path + "index.html",) if path == "" or path.endswith("/")
                 else (path, path + ".html", path + "/index.html")):
        full = os.path.join(built, cand)
        if os.path.isfile(full):
            return cand
    return None


def capsule_route(written):
    """The capsule route of a file of _site: a page without its .html (the
    .html form redirects there), an index.html as its directory."""
    if written.endswith("index.html"):
        return "/" + written[:-len("index.html")]
    if written.endswith(".html"):
        return "/" + written[:-len(".html")]
    return "/" + written


def export_file(out, url):
    """The gemtext file `capsuled export` writes for a page's URL."""
    path = urllib.parse.unquote(url).lstrip("/")
    if path.endswith(".html"):
        path = path[:-len(".html")]
    return os.path.join(out, path, "index.gmi")


def section_base(url):
    """The route a page's section pages are beneath."""
    base = urllib.parse.unquote(url)
    if base.endswith(".html"):
        base = base[:-len(".html")] + "/"
    return base


def capsule_links(out, url):
    """The => targets of a page and of the section pages it lists."""
    main = export_file(out, url)
    if not os.path.exists(main):
        return None
    with open(main, encoding="utf-8") as f:
        text = f.read()
    links = LINK_LINE.findall(text)
    base = section_base(url)
    for target in list(links):
        target = urllib.parse.unquote(target)
        if target.startswith(base) and target != base:
            sub = os.path.join(out, target.lstrip("/"), "index.gmi")
            if os.path.exists(sub):
                with open(sub, encoding="utf-8") as f:
                    links += LINK_LINE.findall(f.read())
    return {urllib.parse.unquote(u) for u in links}


def local_target(href, page_url, site_url, baseurl):
    """The site path (beneath baseurl) a link leads to, or None for a link
    elsewhere or to a place on the same page."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if site_url and href.startswith(site_url.rstrip("/") + "/"):
        href = href[len(site_url.rstrip("/")):]
    full = urllib.parse.urljoin(ORIGIN + baseurl + page_url, href)
    parts = urllib.parse.urlsplit(full)
    if ORIGIN != "%s://%s" % (parts.scheme, parts.netloc) or parts.fragment:
        return None
    path = parts.path
    if baseurl and not (path + "/").startswith(baseurl.rstrip("/") + "/"):
        return None
    return path[len(baseurl.rstrip("/")):] or "/"


def check_page(built, out, url, kind, site_url, baseurl):
    """(links checked, links missing) of one page."""
    written = web_file(built, url)
    have = capsule_links(out, url)
    if written is None or have is None or not written.endswith(".html"):
        return 0, []
    with open(os.path.join(built, written), encoding="utf-8",
              errors="replace") as f:
        _, hrefs = jt.content_area(f.read())
    checked, missing = 0, []
    for href in jt.page_links(hrefs):
        target = local_target(href, url, site_url, baseurl)
        reached = target and web_file(built, target)
        if not reached:
            continue
        checked += 1
        route = capsule_route(reached)
        if route not in have and route + ".html" not in have:
            missing.append("%s: %s (want %s)" % (url, href, route))
    return checked, missing


def check_links(tap, site, name, built, out, fixture):
    site_url = config_value(site, "url")
    baseurl = config_value(site, "baseurl").rstrip("/")
    checked, missing = 0, []
    for url, kind in served_pages(site):
        c, m = check_page(built, out, url, kind, site_url, baseurl)
        checked += c
        missing += m
    label = "%s: %d of %d local links lead to their capsule route" % (
        name, checked - len(missing), checked)
    for m in missing[:20]:
        print("#   missing %s" % m, flush=True)
    if checked == 0:
        tap.skip(label, "its pages' content areas link nowhere local")
    elif fixture:
        tap.ok(not missing, label)
    else:  # other people's sites: the bar for real sites
        tap.ok(len(missing) <= 0.02 * checked, label + " (at least 98%)")


def run_on_site(tap, site, name, check, fixture):
    """CHECK(tap, site, name, built, out, fixture) with Jekyll's _site of
    SITE (BUILT) and capsuled's export of it (OUT)."""
    try:
        built = jt.jekyll_build(name, site)
    except RuntimeError:
        tap.skip(name, "Jekyll cannot build it with plugins off")
        return
    out = tempfile.mkdtemp(prefix="capsuled-export-")
    try:
        p = subprocess.run([jt.CAPSULED, "export", site, out],
                           capture_output=True, text=True, timeout=300)
        tap.eq(p.returncode, 0, "%s: capsuled export exits 0" % name)
        check(tap, site, name, built, out, fixture)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run_all(what, check):
    """CHECK on every fixture site, then on every reference site."""
    tap = jt.Tap()
    if not jt.jekyll_path():
        tap.skip(what, "jekyll is not installed")
        return tap.done()
    for name in sorted(os.listdir(FIXTURES)):
        tap.run(name, run_on_site, tap, os.path.join(FIXTURES, name), name,
                check, True)
    root = corpus_root()
    if not os.path.isdir(root):
        tap.skip("corpus", "no corpus at %s" % root)
        return tap.done()
    for name in sorted(os.listdir(root)):
        if os.path.exists(os.path.join(root, name, "_config.yml")):
            tap.run(name, run_on_site, tap, os.path.join(root, name), name,
                    check, False)
    return tap.done()


if __name__ == "__main__":
    sys.exit(run_all("links", check_links))
