"""Every page, not only the home page: for each page and item Jekyll writes
(plugins off, cached) that capsuled serves, the words of Jekyll's content
area must reach the capsule's page (its gemtext as `capsuled export` writes
it, with the section pages it lists). The issue's bar: word recall of at
least 0.98 on every page of the reference sites, 1.0 on the project's
fixture sites (tests/sites/)."""

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import jekylltest as jt
import run_links as rl


def capsule_text(out, url):
    """The text of a page's gemtext file and of the section pages it lists,
    or None when export wrote none."""
    main = rl.export_file(out, url)
    if not os.path.exists(main):
        return None
    with open(main, encoding="utf-8") as f:
        text = f.read()
    base = rl.section_base(url)
    for target in rl.LINK_LINE.findall(text):
        target = urllib.parse.unquote(target)
        if target.startswith(base) and target != base:
            sub = os.path.join(out, target.lstrip("/"), "index.gmi")
            if os.path.exists(sub):
                with open(sub, encoding="utf-8") as f:
                    text += "\n" + f.read()
    return text


def page_recall(built, out, url):
    """(recall, words, missing) of one page, or None when either side has
    no such page."""
    written = rl.web_file(built, url)
    have = capsule_text(out, url)
    if written is None or have is None or not written.endswith(".html"):
        return None
    with open(os.path.join(built, written), encoding="utf-8",
              errors="replace") as f:
        text, _ = jt.content_area(f.read())
    recall, missing = jt.word_recall(text, have)
    return recall, len(jt.words(text)), missing


def check_site(tap, site, name, need):
    try:
        built = jt.jekyll_build(name, site)
    except RuntimeError:
        tap.skip(name, "Jekyll cannot build it with plugins off")
        return
    out = tempfile.mkdtemp(prefix="capsuled-pages-")
    try:
        p = subprocess.run([jt.CAPSULED, "export", site, out],
                           capture_output=True, text=True, timeout=300)
        tap.eq(p.returncode, 0, "%s: capsuled export exits 0" % name)
        low, n, worst = [], 0, 1.0
        for url, _ in rl.served_pages(site):
            r = page_recall(built, out, url)
            if r is None or r[1] == 0:
                continue
            n += 1
            worst = min(worst, r[0])
            if r[0] < need:
                low.append("%s: %.3f of %d words, missing %s"
                           % (url, r[0], r[1], " ".join(r[2][:12])))
        for line in low[:20]:
            print("#   %s" % line, flush=True)
        label = "%s: %d pages, each with word recall >= %.2f (lowest %.3f)" % (
            name, n, need, worst)
        if n == 0:
            tap.skip(label, "no page with words")
        else:
            tap.ok(not low, label)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    tap = jt.Tap()
    if not jt.jekyll_path():
        tap.skip("pages", "jekyll is not installed")
        return tap.done()
    for name in sorted(os.listdir(rl.FIXTURES)):
        tap.run(name, check_site, tap, os.path.join(rl.FIXTURES, name), name,
                1.0)
    root = rl.corpus_root()
    if not os.path.isdir(root):
        tap.skip("corpus", "no corpus at %s" % root)
        return tap.done()
    for name in sorted(os.listdir(root)):
        if os.path.exists(os.path.join(root, name, "_config.yml")):
            tap.run(name, check_site, tap, os.path.join(root, name), name,
                    0.98)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
