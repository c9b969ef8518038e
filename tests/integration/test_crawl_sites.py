"""A Jekyll site as a reader browses it: a real server serves each of the
project's fixture sites (tests/sites/) and each corpus site (skipped when
../shared/corpus/ is absent), and a crawler follows every local link from
the root over Gemini and over Gopher (test_crawl.py's rules: => lines and
3x redirects; menu items of types 0, 1 and 7 on this host and port, and
the gopher:// URLs of the text pages). No local link may be dead (4x/5x
in Gemini, a type-3 error in Gopher); every page of the site with several
sections has its sections' routes beneath its own."""

import os
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402
import test_crawl as tc  # noqa: E402

FIXTURES = os.path.join(ct.SOURCE_ROOT, "tests", "sites")
CORPUS = os.path.join(os.path.dirname(ct.SOURCE_ROOT), "shared", "corpus",
                      "sites")
MAX_REQUESTS = 3000  # the largest corpus site has a few hundred routes


def site_capsule(src):
    """A copy of the Jekyll site SRC with a capsule.yaml that adds only
    the listeners (no `page`: the home page is found as Jekyll finds it)."""
    cap = ct.Capsule()
    shutil.rmtree(cap.capsule)
    shutil.copytree(src, cap.capsule, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "_site"))
    path = cap.write_config()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[text.index("gemini:"):])
    return cap


def crawl_gemini(port):
    """(URLs seen, pages read, dead links as "url -> status")."""
    root = ct.gemini_url(port, "/")
    seen, queue, bad, pages = {root}, [root], [], 0
    while queue and len(seen) <= MAX_REQUESTS:
        url = queue.pop(0)
        r = ct.gemini(port, url)
        if r.status[:1] not in ("1", "2", "3"):
            bad.append("%s -> %s %s" % (url, r.status, r.meta))
            continue
        found = []
        if r.status.startswith("3"):
            found = [urllib.parse.urljoin(url, r.meta)]
        elif r.status == "20" and r.meta.startswith("text/gemini"):
            pages += 1
            found = tc.gemini_links(url, r.text)
        for link in found:
            link = urllib.parse.urldefrag(link)[0]
            if (urllib.parse.urlsplit(link).scheme == "gemini" and
                    tc.is_ours(link, "localhost", port) and
                    link not in seen):
                seen.add(link)
                queue.append(link)
    return seen, pages, bad


def crawl_gopher(port):
    """(items seen, menus read, dead items)."""
    seen, queue, bad, menus = {("1", b"")}, [("1", b"")], [], 0
    while queue and len(seen) <= MAX_REQUESTS:
        item_type, sel = queue.pop(0)
        data = tc.fetch_gopher(port, item_type, sel)
        lines = tc.menu_lines(data) if item_type in "17" else []
        if data.startswith(b"3") or (item_type in "17" and (
                not lines or lines[0][0] == "3")):
            bad.append("%s %r -> %r" % (item_type, sel, data[:80]))
            continue
        found = [(t, s) for t, _, s, h, p in lines
                 if t in "017" and h == "localhost" and p == str(port)]
        if item_type == "0":
            found = tc.text_gopher_links(data, port)
        menus += item_type == "1"
        for link in found:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return seen, menus, bad


def crawl_site(tap, name, src):
    cap = site_capsule(src)
    srv = ct.start_server(cap)
    try:
        seen, pages, bad = crawl_gemini(cap.gemini_port)
        tap.ok(not bad, "%s: gemini: every local link from the root "
               "resolves (%d URLs, %d pages)" % (name, len(seen), pages),
               "\n".join(bad[:40]))
        tap.ok(pages > 1, "%s: gemini: the crawl left the home page" % name,
               sorted(seen)[:40])
        items, menus, bad = crawl_gopher(cap.gopher_port)
        tap.ok(not bad, "%s: gopher: every local item from the root "
               "resolves (%d items, %d menus)" % (name, len(items), menus),
               "\n".join(bad[:40]))
        tap.ok(menus > 1, "%s: gopher: the crawl left the home menu" % name,
               sorted(items)[:40])
    finally:
        tap.eq(srv.stop(), 0, "%s: SIGTERM after the crawl: exit status 0"
               % name)
        cap.cleanup()


def main(tap):
    for name in sorted(os.listdir(FIXTURES)):
        tap.run(name, crawl_site, tap, name, os.path.join(FIXTURES, name))
    if os.path.isdir(CORPUS):
        for name in sorted(os.listdir(CORPUS)):
            tap.run(name, crawl_site, tap, name, os.path.join(CORPUS, name))
    else:
        tap.skip("corpus sites", "../shared/corpus is absent")


if __name__ == "__main__":
    ct.main_guard(main)
