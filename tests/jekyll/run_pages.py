"""Every page, not only the home page: for each page and item Jekyll writes
(plugins off, cached) that capsuled serves, the words of Jekyll's content
area must reach the capsule's page (its gemtext as `capsuled export` writes
it, with the section pages it lists). The issue's bar: word recall of at
least 0.98 on every page of the reference sites, 1.0 on the project's
fixture sites (tests/sites/)."""

import os
import sys
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


def check_words(tap, site, name, built, out, fixture):
    need = 1.0 if fixture else 0.98
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


if __name__ == "__main__":
    sys.exit(rl.run_all("pages", check_words))
