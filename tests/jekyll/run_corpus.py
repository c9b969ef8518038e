"""The Jekyll comparison over the reference sites (the corpus folder beside
the project, skipped when absent): each site Jekyll builds with plugins off
is built (cached) and its home page compared with capsuled's rendering of
the page's source file. Reports word and link recall per site; it does not
fail on low recall yet (the site model that picks the page comes later),
only on a broken build or render."""

import os
import re
import sys

import jekylltest as jt


def corpus_sites():
    d = os.environ.get("CAPSULED_CORPUS")
    if not d:
        d = os.path.join(os.path.dirname(jt.SOURCE_ROOT), "shared", "corpus",
                         "sites")
    return d


def home_source(site):
    """The source file of the page Jekyll serves at /: a page in the root or
    _pages whose front matter says permalink: /, else index.md/index.html."""
    for sub in ("", "_pages"):
        d = os.path.join(site, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if not (name.endswith(".md") or name.endswith(".html")):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                head = f.read(4096)
            m = re.match(r"---\s*\n(.*?)\n---", head, re.S)
            if m and re.search(r"^permalink:\s*[\"']?/[\"']?\s*$",
                               m.group(1), re.M):
                return path
    for name in ("index.md", "index.markdown", "index.html"):
        if os.path.exists(os.path.join(site, name)):
            return os.path.join(site, name)
    return None


def build_error(log):
    """Jekyll's one-line reason (the Liquid exception) from its output."""
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    for line in log.splitlines():
        if "Exception:" in line or "Error:" in line:
            line = line.strip()
            return re.sub(r" in /\S+/", " in ", line)[:120]
    return "status not 0"


# Markup a reader should never meet: Liquid, kramdown's {: …} lists, Markdown
# link syntax, HTML tags (``` fences are fine: they hold code and tables).
LEFTOVERS = [("Liquid", r"\{[{%]"), ("kramdown {:", r"\{:"),
             ("Markdown ](", r"\]\("), ("HTML tag", r"</?[a-zA-Z][a-zA-Z0-9]*[\s>/]")]


def report_leftovers(label, out):
    """Reports (as a TAP comment, not a failure yet) the markup left in the
    capsule's page."""
    found = []
    for what, rx in LEFTOVERS:
        hits = re.findall(rx, out)
        if hits:
            found.append("%s %d" % (what, len(hits)))
    print("# %s leftovers: %s" % (label, ", ".join(found) or "none"),
          flush=True)


def run_site(tap, root, name):
    src = os.path.join(root, name)
    page = home_source(src)
    if not page:
        tap.skip(name, "no source file for /")
        return
    label = "%s (%s)" % (name, os.path.relpath(page, src))
    report_leftovers(label, jt.capsuled_render(page, "gemtext"))
    try:
        built = jt.jekyll_build(name, src)
    except RuntimeError as e:
        tap.skip(name, "Jekyll cannot build it with plugins off: %s"
                 % build_error(str(e)))
        return
    with open(os.path.join(built, "index.html"), encoding="utf-8") as f:
        served = f.read()
    jt.compare(tap, label, served, page, need=None)


def main():
    tap = jt.Tap()
    root = corpus_sites()
    if not os.path.isdir(root):
        tap.skip("corpus", "no corpus at %s" % root)
        return tap.done()
    if not jt.jekyll_path():
        tap.skip("corpus", "jekyll is not installed")
        return tap.done()
    for name in sorted(os.listdir(root)):
        if os.path.exists(os.path.join(root, name, "_config.yml")):
            tap.run(name, run_site, tap, root, name)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
