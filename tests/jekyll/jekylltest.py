"""The Jekyll comparison: a site built by the real Jekyll (plugins off) and
the same page rendered by capsuled, compared by what a visitor sees. Every
word and every link of Jekyll's content area must reach the capsule, and no
string that Jekyll hides may appear in it. Python 3 standard library only."""

import collections
import hashlib
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from capsuletest import CAPSULED, SOURCE_ROOT, Tap  # noqa: E402,F401

# Jekyll's build as the issue fixes it: safe mode, plugins off, and no
# .jekyll-cache written into the source (the corpus is read-only).
OVERRIDE = "plugins: []\ndisable_disk_cache: true\n"
# Files of a case folder that describe the case and are not part of the site.
EXPECTATION_FILES = ("hidden.txt", "shown.txt", "page.txt")
BUILD_TIMEOUT = 180


def jekyll_path():
    return shutil.which("jekyll")


def tree_hash(root, skip=()):
    """Hash of every file under root (names and bytes), the cache key."""
    h = hashlib.sha256(OVERRIDE.encode())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in ("_site", ".jekyll-cache", ".git"))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if rel in skip:
                continue
            h.update(rel.encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
            h.update(b"\0")
    return h.hexdigest()[:16]


def cache_dir():
    d = os.environ.get("JEKYLL_CACHE_DIR")
    if not d:
        d = os.path.join(tempfile.gettempdir(), "capsuled-jekyll-cache")
    os.makedirs(d, exist_ok=True)
    return d


def jekyll_build(name, src, skip=()):
    """Builds src with Jekyll into the cache, keyed by the hash of its
    files, and returns the _site directory (a cached one when the files are
    unchanged). Raises RuntimeError with Jekyll's output on a failed build."""
    src = os.path.realpath(src)  # safe mode refuses includes reached by a symlink
    site = os.path.join(cache_dir(), "%s-%s" % (name, tree_hash(src, skip)))
    if os.path.isdir(site):
        return site
    if os.path.exists(site + ".failed"):  # a failed build is cached too
        with open(site + ".failed") as f:
            raise RuntimeError(f.read())
    work = tempfile.mkdtemp(prefix="jekyll-", dir=cache_dir())
    try:
        override = os.path.join(work, "override.yml")
        with open(override, "w") as f:
            f.write(OVERRIDE)
        env = dict(os.environ, JEKYLL_NO_BUNDLER_REQUIRE="true")
        out = os.path.join(work, "_site")
        p = subprocess.run(
            ["jekyll", "build", "--safe", "--quiet", "-s", src, "-d", out,
             "--config", "%s,%s" % (os.path.join(src, "_config.yml"),
                                    override)],
            cwd=src, env=env, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT)
        if p.returncode != 0:
            msg = "jekyll build failed:\n" + p.stdout + p.stderr
            with open(site + ".failed", "w") as f:
                f.write(msg)
            raise RuntimeError(msg)
        for old in os.listdir(cache_dir()):  # this case's earlier builds
            if re.fullmatch(re.escape(name) + r"-[0-9a-f]{16}(\.failed)?", old):
                shutil.rmtree(os.path.join(cache_dir(), old), ignore_errors=True)
                if old.endswith(".failed"):
                    os.unlink(os.path.join(cache_dir(), old))
        os.rename(out, site)
        return site
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Visible(html.parser.HTMLParser):
    """Text and hrefs of a page outside script/style/nav/header/footer,
    remembering for each element where its text starts, so that the content
    area can be cut out afterwards."""

    # Not what a visitor reads: code, chrome, and controls (a sidebar's
    # "Follow" button).
    DROPPED = {"script", "style", "nav", "header", "footer", "template",
               "button"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input",
            "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []     # text pieces, in order
        self.links = []      # (chunk index, href)
        self.stack = []      # (tag, attrs, chunk index at open, dropped)
        self.areas = []      # (tag, class list, start, end) of closed elements
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.VOID:
            if tag in ("br", "hr", "img"):
                self.chunks.append(" ")
            return
        drop = tag in self.DROPPED
        self.dropping += drop
        self.stack.append((tag, a, len(self.chunks), drop))
        if tag == "a" and a.get("href") is not None and not self.dropping:
            self.links.append((len(self.chunks), a["href"]))
        self.chunks.append(" ")  # block and inline tags alike split words

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                break
        else:
            return  # a stray close tag
        while len(self.stack) > i:
            t, a, start, drop = self.stack.pop()
            self.dropping -= drop
            self.areas.append((t, (a.get("class") or "").split(), start,
                               len(self.chunks)))
        self.chunks.append(" ")

    def handle_data(self, data):
        if not self.dropping:
            self.chunks.append(data)

    def close(self):
        super().close()
        while self.stack:
            self.handle_endtag(self.stack[-1][0])


def content_area(page_html):
    """(text, hrefs) of what a visitor reads: the first element of class
    page__content or post, else <article>, <main>, <body>, else the file."""
    p = _Visible()
    p.feed(page_html)
    p.close()
    areas = sorted(p.areas, key=lambda a: a[2])  # document order of opening
    start, end = 0, len(p.chunks)
    for want in (lambda t, c: "page__content" in c or "post" in c,
                 lambda t, c: t == "article", lambda t, c: t == "main",
                 lambda t, c: t == "body"):
        hit = next((a for a in areas if want(a[0], a[1])), None)
        if hit:
            start, end = hit[2], hit[3]
            break
    text = "".join(p.chunks[start:end])
    hrefs = [h for i, h in p.links if start <= i < end]
    return text, hrefs


def words(text):
    """The words of a text: runs of letters and digits, case folded."""
    return [w.casefold() for w in re.findall(r"\w+", text)]


def word_recall(jekyll_text, capsule_text):
    """Share of Jekyll's words (counted with repeats) found in the capsule,
    and the missing ones."""
    want = collections.Counter(words(jekyll_text))
    have = collections.Counter(words(capsule_text))
    total = sum(want.values())
    if total == 0:
        return 1.0, []
    found = sum(min(n, have[w]) for w, n in want.items())
    missing = sorted(w for w, n in want.items() if have[w] < n)
    return found / total, missing


def _norm_url(u):
    return urllib.parse.unquote(u.strip()).rstrip("/")


def link_reaches(href, capsule_text, capsule_urls):
    """A link reaches the capsule as a => (or gopher) link to its URL, or
    as its URL written in the text. A relative link counts when a capsule
    URL ends with its path (it was resolved against the site's url)."""
    want = _norm_url(href)
    if not want:
        return True
    for u in capsule_urls:
        got = _norm_url(u)
        if got == want or (not re.match(r"[a-z][a-z0-9+.-]*:", want)
                           and got.endswith(want)):
            return True
    return want in urllib.parse.unquote(capsule_text)


def is_url(href):
    """Whether a browser would follow href somewhere: kramdown keeps "to be
    appear in CVPR2022" as an href, which is a note, not a URL. With spaces,
    only a scheme or a path from the site's root makes one."""
    if not re.search(r"\s", href):
        return True
    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|/", href))


def page_links(hrefs):
    """The links a visitor can follow elsewhere: not in-page anchors (#x),
    javascript: or destinations that are no URL."""
    return [h.strip() for h in hrefs
            if h.strip() and not h.strip().startswith("#")
            and not h.strip().lower().startswith("javascript:")
            and is_url(h.strip())]


def link_recall(hrefs, capsule_text):
    urls = re.findall(r"^=>\s*(\S+)", capsule_text, re.M)
    want = page_links(hrefs)
    if not want:
        return 1.0, []
    missing = [h for h in want if not link_reaches(h, capsule_text, urls)]
    return (len(want) - len(missing)) / len(want), missing


def capsuled_render(target, to):
    p = subprocess.run([CAPSULED, "render", "--to", to, target],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("capsuled render --to %s %s: status %d\n%s" % (
            to, target, p.returncode, p.stderr.decode("utf-8", "replace")))
    return p.stdout.decode("utf-8", "replace")


def compare(tap, name, jekyll_html, target, need=1.0, hidden=(), shown=()):
    """One page through both: word and link recall in gemtext and in text
    (the lower of the two counts), hidden strings absent, shown strings
    present. need=None reports the figures without failing on them."""
    jtext, hrefs = content_area(jekyll_html)
    outs = {to: capsuled_render(target, to) for to in ("gemtext", "text")}
    figures = {}
    for to, out in outs.items():
        wr, wmiss = word_recall(jtext, out)
        lr, lmiss = link_recall(hrefs, out)
        figures[to] = (wr, lr)
        detail = "missing words: %s\nmissing links: %s" % (
            " ".join(wmiss[:40]), " ".join(lmiss[:20]))
        label = "%s %s: word recall %.3f, link recall %.3f (%d words, %d links)" % (
            name, to, wr, lr, len(words(jtext)), len(page_links(hrefs)))
        if need is None:
            tap.ok(True, label)
            if wr < 1.0 or lr < 1.0:
                print("#   " + detail.replace("\n", "\n#   "), flush=True)
        else:
            tap.ok(wr >= need and lr >= need, label, detail)
    # Wrapped lines (text) are still the same text: spaces collapsed.
    flat = {to: " ".join(out.split()) for to, out in outs.items()}
    for s in hidden:
        leaked = [to for to, out in outs.items()
                  if s in out or " ".join(s.split()) in flat[to]]
        tap.ok(not leaked, "%s: hidden %r absent" % (name, s),
               "appears in " + ", ".join(leaked))
    for s in shown:
        lacking = [to for to in outs if " ".join(s.split()) not in flat[to]]
        tap.ok(not lacking, "%s: shown %r present" % (name, s),
               "missing in " + ", ".join(lacking))
    return figures


def read_lines(path):
    """Non-empty lines of an expectation file (missing file: none)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [ln.rstrip("\n") for ln in f if ln.strip()]
