"""A Jekyll site's gemlog over real sockets: the fixture tests/sites/gemlog
(_posts, a `news` collection and a News section, one of whose items
repeats a post) served as it is; the gemsub feed, Atom (through xmllint
when installed), the Gopher news menu, the Finger .plan and the home
page's latest news carry the posts, the news items and the section's items
together, newest first, each dated and linking to a route that answers,
the repeat once. Then the al-folio corpus site 11_aengusng8 (skipped when
absent): its _news items are in the feeds although its home page sets
`news: false`."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

FIXTURE = os.path.join(ct.SOURCE_ROOT, "tests", "sites", "gemlog")
CORPUS = os.path.join(os.path.dirname(ct.SOURCE_ROOT), "shared", "corpus",
                      "sites")
ALFOLIO = "11_aengusng8__aengusng8.github.io"

# The fixture's feed, newest first: (date, route, title). The second post,
# which the News section repeats, in the section's words.
FEED = [
    ("2024-03-01", "/blog/2024/03/01/second/", "Second post is out."),
    ("2024-02-20", "/news/talk/", "Talk at GemCon"),
    ("2024-02-10", "/news/2/", "Won the engine award."),
    ("2023-12-05", "/news/1/", "Joined the analytical lab."),
    ("2023-09-01", "/news/paper/", "Our paper was accepted at ICML."),
    ("2023-06-15", "/blog/2023/06/15/first/", "First post"),
    ("2022-05-04", "/blog/2022/05/04/older/", "An older post in HTML"),
]
ENTRY = re.compile(r"^=> gemini://localhost:\d+(\S+) (\d{4}-\d\d-\d\d) (.*)$")


def serve_copy(cap, source, finger_port):
    """A copy of the site SOURCE with a capsule.yaml of capsuled's own
    keys (ports, certificates, finger on); its server, started."""
    site = os.path.join(cap.dir, "site")
    shutil.copytree(source, site, ignore=shutil.ignore_patterns(".git",
                                                                "_site"))
    with open(os.path.join(site, "capsule.yaml"), "w") as f:
        f.write("""gemini:
  port: %(gp)d
  listen: ["127.0.0.1:%(gp)d"]
  cert: %(crt)s
  key: %(key)s
gopher:
  port: %(op)d
  listen: ["127.0.0.1:%(op)d"]
finger:
  enabled: true
  listen: ["127.0.0.1:%(fp)d"]
server:
  workers: 1
""" % {"gp": cap.gemini_port, "op": cap.gopher_port, "fp": finger_port,
       "crt": ct.yaml_str(os.path.join(cap.certs, "localhost.crt")),
       "key": ct.yaml_str(os.path.join(cap.certs, "localhost.key"))})
    srv = ct.Server(site)
    srv.wait_ready()
    return srv


def gem(cap, path):
    return ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port, path))


def entries(gemsub):
    """The gemsub entries: (date, path, title) per dated link line."""
    out = []
    for line in gemsub.splitlines():
        m = ENTRY.match(line)
        if m:
            out.append((m.group(2), m.group(1), m.group(3)))
    return out


def xmllint(tap, xml, name):
    if not shutil.which("xmllint"):
        tap.skip(name + " (xmllint)", "xmllint is not installed")
        return
    with tempfile.NamedTemporaryFile("wb", suffix=".xml") as f:
        f.write(xml)
        f.flush()
        p = subprocess.run(["xmllint", "--noout", f.name],
                           capture_output=True, text=True)
    tap.ok(p.returncode == 0, name + ": xmllint finds the feed well-formed",
           p.stderr)


def check_gemsub(tap, cap):
    r = gem(cap, "/news/")
    got = entries(r.text)
    tap.ok(r.status == "20" and got == FEED,
           "gemsub: posts, news items and the section's items, newest "
           "first, each dated, the repeated post once", got or r.text)
    dead = [path for _, path, _ in got if gem(cap, path).status != "20"]
    tap.ok(got and not dead, "gemsub: every entry's link answers 20", dead)
    post = gem(cap, "/blog/2024/03/01/second/").text
    tap.ok("Below the fold of the second post." in post,
           "the post's own route serves the whole post", post)


def check_atom(tap, cap):
    r = gem(cap, "/atom.xml")
    body = r.body
    text = body.decode("utf-8", "replace")
    ids = re.findall(r"<entry>\s*<id>gemini://localhost:\d+(\S+?)</id>", text)
    tap.ok(r.status == "20" and ids == [p for _, p, _ in FEED],
           "atom: the same entries in the same order", ids or text)
    tap.ok("<summary type=\"text\">Engines, again: the excerpt of the second "
           "post.</summary>" in text and "Below the fold" not in text,
           "atom: a post's summary is its excerpt (excerpt_separator)", text)
    tap.ok("<updated>2024-03-01T00:00:00Z</updated>\n  <author>" in text,
           "atom: the feed is updated as of its newest entry", text)
    tap.ok("Never shown" not in text and "Not yet" not in text and
           "A draft" not in text,
           "atom: no unpublished, future or draft post", text)
    xmllint(tap, body, "atom")


def check_gopher(tap, cap):
    menu = ct.gopher(cap.gopher_port, "/news/")[0].decode("utf-8", "replace")
    lines = menu.split("\r\n")
    post = [l for l in lines if l.startswith("12024-03-01  Second post is out.\t"
                                             "/blog/2024/03/01/second/\t")]
    info = [l for l in lines if l.startswith("i2024-02-10  Won the engine")]
    dates = re.findall(r"^[1i](\d{4}-\d\d-\d\d)  ", menu, re.M)
    tap.ok(post and info and dates == [d for d, _, _ in FEED],
           "gopher /news/: the same entries, posts as menus of their own",
           menu)
    tap.ok("0News (text)\t/news.txt\t" in menu,
           "gopher /news/: the News section, whose menu it hides, linked "
           "as its text", menu)
    home = ct.gopher(cap.gopher_port, "/")[0].decode("utf-8", "replace")
    tap.ok("\r\n12024-03-01 Second post is out.\t/blog/2024/03/01/second/\t" in home
           and "\r\n12024-02-20 Talk at GemCon\t/news/talk/\t" in home,
           "gopher /: the latest news link to the post and the item", home)
    sub = ct.gopher(cap.gopher_port, "/blog/2024/03/01/second/")[0]
    tap.ok(b"Below the fold of the second post." in sub,
           "gopher: the post's selector answers", sub)


def check_plan_and_home(tap, cap, finger_port):
    plan = ct.finger(finger_port, "plan").decode("utf-8", "replace")
    dates = re.findall(r"^(\d{4}-\d\d-\d\d)  ", plan, re.M)
    tap.ok(dates == ["2024-03-01", "2024-02-20", "2024-02-10"] and
           "Second post" in plan and "Talk at GemCon" in plan,
           "finger plan: the three latest of the merged feed", plan)
    home = gem(cap, "/").text
    latest = home.split("## Latest news", 1)[-1]
    tap.ok("=> /blog/2024/03/01/second/ 2024-03-01 Second post is out." in latest and
           "=> /news/talk/ 2024-02-20 Talk at GemCon" in latest,
           "home: the latest news link to the post and the item", home)


def fixture(tap):
    cap = ct.Capsule()
    finger_port = ct.free_port()
    try:
        srv = serve_copy(cap, FIXTURE, finger_port)
        check_gemsub(tap, cap)
        check_atom(tap, cap)
        check_gopher(tap, cap)
        check_plan_and_home(tap, cap, finger_port)
        srv.stop()
    finally:
        cap.cleanup()


def alfolio(tap):
    source = os.path.join(CORPUS, ALFOLIO)
    if not os.path.isdir(source):
        tap.skip("al-folio corpus site", "../shared/corpus is absent")
        return
    cap = ct.Capsule()
    try:
        srv = serve_copy(cap, source, ct.free_port())
        got = entries(gem(cap, "/news/").text)
        news = [e for e in got if e[1].startswith("/news/") and
                not re.match(r"/news/\d+/$", e[1])]
        tap.ok([(d, p) for d, p, _ in news] ==
               [("2025-10-06", "/news/award2025/"),
                ("2025-09-18", "/news/neurips2025/"),
                ("2025-06-26", "/news/iccv2025/")],
               "al-folio: its _news items are in the gemsub feed, newest "
               "first (its home page sets news: false)", got)
        tap.ok(news and news[0][2].startswith("I am honored to receive"),
               "al-folio: an inline item is titled by its text", got)
        r = gem(cap, "/atom.xml")
        tap.ok(b"/news/award2025/</id>" in r.raw,
               "al-folio: and in the Atom feed", r.raw[:400])
        xmllint(tap, r.body, "al-folio atom")
        tap.ok(all(gem(cap, p).status == "20" for _, p, _ in got),
               "al-folio: every entry's link answers 20", got)
        srv.stop()
    finally:
        cap.cleanup()


def main(tap):
    tap.run("fixture", fixture, tap)
    tap.run("al-folio", alfolio, tap)


ct.main_guard(main)
