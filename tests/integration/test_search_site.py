"""Search over a whole Jekyll site, over real sockets: the fixture
tests/sites/search served as it is (its capsule.yaml adds only the
listeners), searched over Gemini, Gopher and Spartan. A word only one
section of another page holds, one only a post holds and one only a
collection item holds are each found, and each result's link answers
there with the word in it; a post written while serving is found after
the reload, a removed item no longer; the best matches come first (a post whose
title holds the word before the home page's line); case is folded. Then a
generated site with more matching pages than the results show: the
results stop at the bound and say how many more matched. Last, each
corpus site (skipped when ../shared/corpus is absent): every link the
results of a few common words give answers 20."""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

FIXTURE = os.path.join(ct.SOURCE_ROOT, "tests", "sites", "search")
CORPUS = os.path.join(os.path.dirname(ct.SOURCE_ROOT), "shared", "corpus",
                      "sites")
CORPUS_WORDS = ["publications", "research", "university", "paper", "award"]
RESULTS_MAX = 40  # SEARCH_RESULTS_MAX in include/capsuled/search.h
GEMINI_LINK = re.compile(r"^=> (\S+) (.*)$", re.M)

# word: (the route its result links to, the result's label)
ONLY_THERE = {
    "zyxquartz": ("/teaching/office-hours/", "Teaching: Office hours"),
    "marzipanic": ("/2024/02/03/harbour-notes", "Harbour notes"),
    "quillowbrook": ("/projects/engine/", "Analytical engine"),
}


def site_capsule(src, spartan_port):
    """A copy of the Jekyll site SRC with a capsule.yaml of listeners
    only (Spartan on too): no `page`, so the home page is Jekyll's."""
    cap = ct.Capsule()
    shutil.rmtree(cap.capsule)
    shutil.copytree(src, cap.capsule,
                    ignore=shutil.ignore_patterns(".git", "_site"))
    path = cap.write_config(spartan=spartan_port)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[text.index("spartan:"):])
    return cap


def gemini_search(cap, query):
    return ct.gemini(cap.gemini_port,
                     ct.gemini_url(cap.gemini_port, "/search?" + query))


def result_links(text):
    """(route, label) of each result: the links before "Search again"."""
    body = re.split(r"\n=[>:] /search ", text)[0]
    return GEMINI_LINK.findall(body)


def gopher_items(menu):
    """(type, label, selector) of each line of a gophermap."""
    out = []
    for line in menu.decode("utf-8", "replace").split("\r\n"):
        if line and line != ".":
            f = line[1:].split("\t")
            out.append((line[0], f[0], f[1] if len(f) > 1 else ""))
    return out


def check_gemini(tap, cap):
    for word, (route, label) in ONLY_THERE.items():
        r = gemini_search(cap, word)
        links = result_links(r.text)
        tap.eq((r.status, links), ("20", [(route, label)]),
               "gemini search %s: one result, on the page that has it" % word)
        page = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port,
                                                        route))
        tap.ok(page.status == "20" and word in page.text,
               "gemini: the result's link %s answers with the word" % route,
               page.status + " " + page.text[:300])
    r = gemini_search(cap, "ZYXQUARTZ")
    tap.eq(result_links(r.text)[:1], [ONLY_THERE["zyxquartz"]],
           "gemini search: ASCII case folded")
    r = gemini_search(cap, "harbour")
    tap.eq(result_links(r.text), [("/2024/02/03/harbour-notes",
                                   "Harbour notes"), ("/", "Home")],
           "gemini search: a title holding the word ranks before a line "
           "of the home page (its untitled opening labelled Home)")
    tap.ok("> I build small capsules by the harbour." in r.text,
           "gemini search: the home page's matching line is shown", r.text)
    r = gemini_search(cap, "nowhere-at-all")
    tap.ok("No matches." in r.text and not result_links(r.text),
           "gemini search: no match", r.text)


def check_gopher(tap, cap):
    for word, (route, label) in ONLY_THERE.items():
        menu, _ = ct.gopher(cap.gopher_port, "/search\t" + word)
        items = [i for i in gopher_items(menu) if i[0] == "1"
                 and i[1] != "Home"]
        tap.eq(items, [("1", label, route)],
               "gopher search %s: one result, a menu item" % word)
        page, _ = ct.gopher(cap.gopher_port, route)
        tap.ok(word.encode() in page and not page.startswith(b"3"),
               "gopher: the result's selector %s answers with the word"
               % route, page[:300])


def check_spartan(tap, cap, port):
    for word, (route, label) in ONLY_THERE.items():
        got = ct.spartan(port, "/search", word.encode())
        head, _, body = got.partition(b"\r\n")
        links = result_links(body.decode("utf-8", "replace"))
        tap.eq((head[:1], links), (b"2", [(route, label)]),
               "spartan search %s: one result" % word)
        page = ct.spartan(port, route)
        tap.ok(page.startswith(b"2 ") and word.encode() in page,
               "spartan: the result's link %s answers with the word" % route,
               page[:300])


def check_reload(tap, cap):
    """A post written while serving is found once the site reloads, and
    the page it replaced no longer is."""
    ct.write_atomically(os.path.join(cap.capsule, "_posts",
                                     "2024-05-06-new-post.md"),
                        "---\ntitle: New post\n---\n\nA word: "
                        "brindlewick.\n")
    url = ct.gemini_url(cap.gemini_port, "/search?brindlewick")
    r = ct.gemini_until(cap.gemini_port, url, "=> /2024/05/06/new-post ",
                        seconds=10)
    tap.eq(result_links(r.text), [("/2024/05/06/new-post", "New post")],
           "reload: a new post is searchable")
    os.remove(os.path.join(cap.capsule, "_projects", "engine.md"))
    r = ct.gemini_until(cap.gemini_port, ct.gemini_url(
        cap.gemini_port, "/search?quillowbrook"), "No matches.", seconds=10)
    tap.ok("No matches." in r.text,
           "reload: a removed item is no longer found", r.text)


def fixture(tap):
    port = ct.free_port()
    cap = site_capsule(FIXTURE, port)
    try:
        srv = ct.Server(cap.capsule)
        srv.wait_ready()
        check_gemini(tap, cap)
        check_gopher(tap, cap)
        check_spartan(tap, cap, port)
        check_reload(tap, cap)
        srv.stop()
    finally:
        cap.cleanup()


def generated_site(root, pages):
    """A site of PAGES pages, each holding the word "tidepool"."""
    os.makedirs(os.path.join(root, "_pages"))
    with open(os.path.join(root, "_config.yml"), "w") as f:
        f.write("title: Many pages\ninclude: [_pages]\n")
    with open(os.path.join(root, "index.md"), "w") as f:
        f.write("---\npermalink: /\n---\n\nThe home page.\n")
    for i in range(pages):
        with open(os.path.join(root, "_pages", "p%03d.md" % i), "w") as f:
            f.write("---\ntitle: Page %d\npermalink: /p%03d/\n---\n\n"
                    "Notes from the tidepool, number %d.\n" % (i, i, i))


def bounded(tap):
    pages = RESULTS_MAX + 20
    src = tempfile.mkdtemp(prefix="capsuled-search-")
    os.chmod(src, 0o755)  # the server reads it as nobody when root
    generated_site(src, pages)
    cap = site_capsule(src, ct.free_port())
    try:
        srv = ct.Server(cap.capsule)
        if not srv.wait_ready(60):
            tap.ok(False, "bounded: the generated site is served",
                   "\n".join(srv.stderr()[-10:]))
            return
        r = gemini_search(cap, "tidepool")
        links = result_links(r.text)
        tap.eq(len(links), RESULTS_MAX,
               "bounded: %d of %d matching pages shown" % (RESULTS_MAX, pages))
        tap.ok("\n20 more matches not shown" in r.text,
               "bounded: the results say how many more matched",
               r.text[-300:])
        dead = [route for route, _ in links if ct.gemini(
            cap.gemini_port, ct.gemini_url(cap.gemini_port, route)).status
            != "20"]
        tap.eq(dead, [], "bounded: every link shown answers")
        menu, _ = ct.gopher(cap.gopher_port, "/search\ttidepool")
        items = [i for i in gopher_items(menu) if i[0] == "1"
                 and i[2] != "/"]
        tap.ok(len(items) == RESULTS_MAX and b"20 more matches" in menu,
               "bounded: the Gopher results too", menu[-300:])
        srv.stop()
    finally:
        cap.cleanup()
        shutil.rmtree(src, ignore_errors=True)


def corpus_site(tap, name):
    cap = site_capsule(os.path.join(CORPUS, name), ct.free_port())
    try:
        srv = ct.Server(cap.capsule)
        if not srv.wait_ready(60):
            tap.ok(False, "corpus %s: served" % name,
                   "\n".join(srv.stderr()[-10:]))
            return
        links = set()
        for word in CORPUS_WORDS:
            links |= {route for route, _ in
                      result_links(gemini_search(cap, word).text)}
        dead = [route for route in sorted(links) if ct.gemini(
            cap.gemini_port, ct.gemini_url(cap.gemini_port, route)).status
            != "20"]
        tap.ok(links and not dead, "corpus %s: %d result links, each answers"
               % (name, len(links)), dead)
        srv.stop()
    finally:
        cap.cleanup()


def corpus(tap):
    if not os.path.isdir(CORPUS):
        tap.skip("corpus sites", "../shared/corpus is absent")
        return
    for name in sorted(os.listdir(CORPUS)):
        corpus_site(tap, name)


def main(tap):
    tap.run("fixture", fixture, tap)
    tap.run("bounded", bounded, tap)
    tap.run("corpus", corpus, tap)


if __name__ == "__main__":
    ct.main_guard(main)
