"""What a theme's layout adds to the home page, served over real sockets:
the fixture tests/sites/folio-about (al-folio's `about` layout with
subtitle, profile, news, latest posts, selected papers and the contact
note) over Gemini and Gopher, and the corpus site 11_aengusng8 (skipped
when ../shared/corpus is absent), whose home page must show every entry
of _bibliography/papers.bib marked selected={true}: its title and links,
the .bib file being the reference (Jekyll cannot build the site without
jekyll-scholar)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

FIXTURE = os.path.join(ct.SOURCE_ROOT, "tests", "sites", "folio-about")
SINGLE = os.path.join(ct.SOURCE_ROOT, "tests", "sites", "pages-single")
CORPUS_SITE = os.path.join(os.path.dirname(ct.SOURCE_ROOT), "shared",
                           "corpus", "sites",
                           "11_aengusng8__aengusng8.github.io")


def serve(cap, source):
    """A copy of the site SOURCE with a capsule.yaml of capsuled's own
    keys (ports, certificate), served; returns the server and the copy."""
    site = os.path.join(cap.dir, "site")
    shutil.copytree(source, site)
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
    return srv, site


def in_order(text, parts):
    """Whether every part occurs in TEXT, each after the one before."""
    at = 0
    for p in parts:
        at = text.find(p, at)
        if at < 0:
            return False
        at += len(p)
    return True


def section(cap, slug):
    return ct.gemini(cap.gemini_port,
                     ct.gemini_url(cap.gemini_port, "/%s/" % slug)).text


def fixture_gemini(tap, cap):
    """The home page keeps the capsule's shape (card, first section,
    section menu, latest news): what the layout adds before the content is
    in the first section, what it adds after is one section each, in the
    layout's order, linked from the menu."""
    body = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port)).text
    tap.ok(in_order(body, ["Ada Example",
                           "Lecturer in Applied Examples",
                           "=> https://uni.example.org/ Applied Examples",
                           "Room 42, Example Hall",
                           "1 Sample Street, Exampleton",
                           "I study how examples are made"]),
           "the subtitle (with its link) and the profile's more_info "
           "come before the page's content", body)
    tap.ok("prof_pic.jpg" not in body,
           "a profile image the site does not have is not linked", body)
    tap.ok(in_order(body, ["## Sections", "=> /news/ news",
                           "=> /latest-posts/ latest posts",
                           "=> /selected-publications/ selected publications",
                           "=> /contact/ contact"]),
           "the home page links the layout's parts in the layout's order",
           body)
    latest = body[body.find("## Latest news"):]
    tap.ok(in_order(latest, ["2024-05-20 Gave a talk at the Example "
                             "Colloquium",
                             "2024-03-01 Our workshop on worked examples"]),
           "the home page's latest news: the _news items, newest first, "
           "with their dates", body)
    tap.ok("2024-01-15" not in body and "Started a new course" not in body,
           "announcements.limit: 2 leaves the oldest item out", body)
    tap.ok(body.count("=> https://github.com/ada-example GitHub") == 1,
           "social links are the card's, shown once", body)
    item = ct.gemini(cap.gemini_port,
                     ct.gemini_url(cap.gemini_port, "/news/1/")).text
    tap.ok("=> /news/announcement_2/" in item,
           "a news item that is not inline links to its page", item)
    posts = section(cap, "latest-posts")
    tap.ok("2024-02-10" in posts and "Notes on choosing examples" in posts,
           "latest_posts: the newest post with its date", posts)
    papers = section(cap, "selected-publications")
    tap.ok(in_order(papers, ["Counter-Examples at Scale",
                             "=> https://arxiv.org/abs/2401.01234",
                             "=> https://papers.example.org/"
                             "counter-examples.pdf",
                             "=> https://github.com/ada-example/counter",
                             "Worked Examples and Their Readers",
                             "=> https://doi.org/10.1234/joe.2022.7",
                             "=> https://joe.example.org/2022/7"]),
           "selected papers: each selected entry's title and links, in the "
           "scholar order (year, descending)", papers)
    tap.ok("A Note Nobody Selected" not in papers,
           "an entry without selected={true} is not shown", papers)
    contact = section(cap, "contact")
    tap.ok("Write to me about office hours" in contact and
           "=> https://ada.example.org/office/" in contact,
           "social: true adds the contact note with its link", contact)


def fixture_check(tap):
    """`check` says the layout's parts are added, and warns when the
    selected papers would stay empty."""
    p = subprocess.run([ct.CAPSULED, "check", FIXTURE], capture_output=True,
                       text=True, timeout=60)
    tap.ok(p.returncode == 0 and "_pages/about.md: note: layout about "
           "(al-folio)" in p.stdout, "check notes the about layout", p.stdout)
    work = tempfile.mkdtemp()
    try:
        site = os.path.join(work, "s")
        shutil.copytree(FIXTURE, site)
        bib = os.path.join(site, "_bibliography", "papers.bib")
        with open(bib, encoding="utf-8") as f:
            text = f.read().replace("selected={true}", "selected={false}")
        with open(bib, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.run([ct.CAPSULED, "check", site], capture_output=True,
                           text=True, timeout=60)
        tap.ok("_bibliography/papers.bib: warning: no entry has "
               "selected={true}" in p.stdout,
               "check warns when no paper is selected", p.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fixture_render(tap):
    """`capsuled render DIR` prints the whole home page: everything the
    layout adds, in its order."""
    out = subprocess.run([ct.CAPSULED, "render", FIXTURE],
                         capture_output=True, text=True, timeout=60).stdout
    tap.ok(in_order(out, ["Lecturer in Applied Examples", "Room 42",
                          "I study how examples are made", "## news",
                          "2024-05-20", "2024-03-01", "## latest posts",
                          "## selected publications",
                          "Counter-Examples at Scale",
                          "Worked Examples and Their Readers",
                          "## contact", "office hours"]),
           "render: the whole page in the layout's order", out)


def fixture_gopher(tap, cap):
    menu = ct.gopher(cap.gopher_port, "/")[0].decode("utf-8", "replace")
    tap.ok(in_order(menu, ["Lecturer in Applied Examples",
                           "Room 42, Example Hall",
                           "I study how examples are made"]),
           "gopher /: subtitle and profile before the content", menu)
    papers = ct.gopher(cap.gopher_port, "/selected-publications.txt")[0]
    papers = papers.decode("utf-8", "replace")
    tap.ok("Counter-Examples at Scale" in papers and
           "Worked Examples and Their Readers" in papers and
           "https://doi.org/10.1234/joe.2022.7" in papers,
           "gopher: the selected papers' section, titles and links", papers)


def dead_links(cap, limit=200):
    """Follows every local => link from / over Gemini (3x redirects too);
    returns the paths that did not answer 20 or 3x."""
    seen, todo, dead = {"/"}, ["/"], []
    while todo and len(seen) < limit:
        path = todo.pop()
        r = ct.gemini(cap.gemini_port, ct.gemini_url(cap.gemini_port, path))
        if r.status.startswith("1"):
            continue  # /search asks for its input
        if r.status.startswith("3"):
            targets = [r.meta]
        elif r.status == "20":
            targets = [line[3:].split(" ", 1)[0]
                       for line in r.text.split("\n")
                       if line.startswith("=> ")]
            if not r.meta.startswith("text/gemini"):
                targets = []
        else:
            dead.append(path)
            continue
        for t in targets:
            full = urllib.parse.urljoin(path, t)
            if full.startswith("/") and "?" not in full and full not in seen:
                seen.add(full)
                todo.append(full)
    return dead


def fixture_reload(tap, cap, site):
    """Editing the bibliography shows in the next request, as editing a
    page does."""
    bib = os.path.join(site, "_bibliography", "papers.bib")
    with open(bib, encoding="utf-8") as f:
        text = f.read()
    text = text.replace("html={https://notes.example.org/1}",
                        "html={https://notes.example.org/1},\n"
                        "  selected={true}")
    ct.write_atomically(bib, text)
    r = ct.gemini_until(cap.gemini_port,
                        ct.gemini_url(cap.gemini_port,
                                      "/selected-publications/"),
                        "A Note Nobody Selected", seconds=10)
    tap.ok("A Note Nobody Selected" in r.text and
           "=> https://notes.example.org/1" in r.text,
           "an entry marked selected in papers.bib shows without restart",
           r.text)


def fixture(tap):
    cap = ct.Capsule()
    try:
        srv, site = serve(cap, FIXTURE)
        fixture_gemini(tap, cap)
        fixture_gopher(tap, cap)
        dead = dead_links(cap)
        tap.ok(dead == [], "a crawl from / over Gemini finds no dead local "
               "link (news items, posts, sections)", dead)
        fixture_reload(tap, cap, site)
        srv.stop()
    finally:
        cap.cleanup()


def single_items(tap):
    """academicpages' single and talk layouts: each collection item served
    at its URL carries the venue line, the citation, its download links
    and the Direct Link, over Gemini and Gopher."""
    cap = ct.Capsule()
    try:
        srv, _ = serve(cap, SINGLE)
        pub = section(cap, "publications/swr")
        tap.ok(in_order(pub, ["Published in Journal of Sampling, 2021",
                              "We revisit an old question about urns.",
                              "Recommended citation: Sample, Lin. (2021). "
                              "\"Sampling Without Replacement, Revisited.\"",
                              "=> https://papers.example.org/swr.pdf "
                              "Download Paper",
                              "=> https://papers.example.org/swr-slides.pdf "
                              "Download Slides"]),
               "a publication: venue line, content, citation, downloads",
               pub)
        tap.ok("&quot;" not in pub and "<i>" not in pub,
               "the citation's HTML is read, not shown", pub)
        urns = section(cap, "publications/urns")
        tap.ok("Published in Urn Letters, 2019" in urns and
               "Download Paper" not in urns,
               "a paper link without a citation is not shown, as the "
               "layout's elsif chain has it", urns)
        talk = section(cap, "talks/colloquium")
        tap.ok(in_order(talk, ["Date: March 04, 2022",
                               "Invited talk at Example Colloquium, "
                               "Exampleton", "An hour on urns.",
                               "=> https://colloquium.example.org/2022 "
                               "Direct Link"]),
               "a talk: date, type, venue and location, the Direct Link",
               talk)
        course = section(cap, "teaching/stats101")
        tap.ok("Undergraduate course, Example University, Department of "
               "Statistics, 2020" in course, "a course: type, venue, year",
               course)
        menu = ct.gopher(cap.gopher_port, "/publications/swr/")[0]
        menu = menu.decode("utf-8", "replace")
        tap.ok("Published in Journal of Sampling, 2021" in menu and
               "https://papers.example.org/swr.pdf" in menu,
               "gopher: the publication with its venue and links", menu)
        dead = dead_links(cap)
        tap.ok(dead == [], "a crawl from / finds no dead local link", dead)
        home = ct.gemini(cap.gemini_port,
                         ct.gemini_url(cap.gemini_port)).text
        tap.ok("I study samples." in home and "Published in" not in home,
               "a page without venue or citation gains nothing", home)
        srv.stop()
    finally:
        cap.cleanup()


def bib_entries(path):
    """The entries of a .bib file as dicts of lower-case field names to
    values, braces and quotes around values removed (enough for the
    corpus file: one field a line)."""
    entries, cur = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if re.match(r"\s*@\w+\s*\{", line):
                cur = {}
                entries.append(cur)
                continue
            m = re.match(r"\s*(\w+)\s*=\s*(.*?),?\s*$", line)
            if cur is not None and m:
                value = m.group(2).strip()
                if value[:1] in "{\"" and value[-1:] in "}\"":
                    value = value[1:-1]
                cur[m.group(1).lower()] = value
    return entries


LINKS = {"arxiv": "https://arxiv.org/abs/", "doi": "https://doi.org/",
         "pdf": "/assets/pdf/", "html": "", "code": "", "website": "",
         "supp": "/assets/pdf/", "poster": "/assets/pdf/",
         "slides": "/assets/pdf/"}


def expected_links(entry):
    for key, prefix in LINKS.items():
        value = entry.get(key)
        if value:
            yield value if "://" in value else prefix + value


def corpus(tap):
    if not os.path.isdir(CORPUS_SITE):
        tap.skip("corpus al-folio site", "../shared/corpus is absent")
        return
    cap = ct.Capsule()
    try:
        srv, site = serve(cap, CORPUS_SITE)
        home = ct.gemini(cap.gemini_port,
                         ct.gemini_url(cap.gemini_port)).text
        tap.ok("=> /selected-publications/ selected publications" in home,
               "the home page links its selected publications", home)
        body = section(cap, "selected-publications")
        entries = [e for e in bib_entries(os.path.join(
            site, "_bibliography", "papers.bib"))
            if e.get("selected") == "true"]
        tap.ok(len(entries) > 0, "the corpus .bib has selected entries")
        for e in entries:
            title = re.sub(r"[{}]", "", e.get("title", ""))
            tap.ok(title in body, "selected: '%s'" % title, body)
            for link in expected_links(e):
                tap.ok(link in body, "with its link %s" % link, body)
        srv.stop()
    finally:
        cap.cleanup()


def main(tap):
    tap.run("fixture", fixture, tap)
    tap.run("render", fixture_render, tap)
    tap.run("check", fixture_check, tap)
    tap.run("single", single_items, tap)
    tap.run("corpus", corpus, tap)


ct.main_guard(main)
