"""Every link capsuled writes resolves, on every protocol: a real server
serves a page whose headings carry ids that cannot be paths ({#a/b},
{#x%20y}), and a crawler follows every local link from the root, over
Gemini (=> lines, relative or gemini:// on this host and port, 3x
redirects) and over Gopher (menu lines of types 0, 1 and 7 on this host and
port, and the gopher:// URLs of this host in the plain-text pages). No link
may answer 51 (or any 4x/5x) in Gemini, or a type-3 error in Gopher. And
`capsuled check` names each id it had to change."""

import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

# urljoin resolves only the schemes it knows as hierarchical.
for _scheme in ("gemini", "gopher"):
    for _known in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
        if _scheme not in _known:
            _known.append(_scheme)

PAGE = """---
title: Crawl
---
Intro: see [the odd one](#a/b), [the second](#x%20y), [Uber](#über-uns)
and [the sub part](#c/d).

# Odd one {#a/b}

Odd body.

# Two {#x%20y}

Two body: back to [the odd one](#a/b), on to [Uber](#über-uns).

## Sub part {#c/d}

Nested.

# Über uns

Umlauts in the slug.

# News

- 2024-03-01 Third item
- 2024-02-01 Second item
- 2024-01-01 First item
"""

MAX_REQUESTS = 400  # the capsule has a few dozen routes: never crawl forever


def gemini_links(base, body):
    """Absolute URLs of the => lines of a gemtext body."""
    out = []
    for line in body.split("\n"):
        if line.startswith("=>"):
            parts = line[2:].strip().split(None, 1)
            if parts:
                out.append(urllib.parse.urljoin(base, parts[0]))
    return out


def is_ours(url, host, port):
    u = urllib.parse.urlsplit(url)
    return u.hostname == host and u.port == port


def crawl_gemini(tap, port):
    root = ct.gemini_url(port, "/")
    seen, queue, bad, pages = {root}, [root], [], 0
    while queue and len(seen) <= MAX_REQUESTS:
        url = queue.pop(0)
        r = ct.gemini(port, url)
        if not r.status[:1] in ("1", "2", "3"):
            bad.append("%s -> %s %s" % (url, r.status, r.meta))
            continue
        found = []
        if r.status.startswith("3"):
            found = [urllib.parse.urljoin(url, r.meta)]
        elif r.status == "20" and r.meta.startswith("text/gemini"):
            pages += 1
            found = gemini_links(url, r.text)
        for link in found:
            if (urllib.parse.urlsplit(link).scheme == "gemini" and
                    is_ours(link, "localhost", port) and link not in seen):
                seen.add(link)
                queue.append(link)
    tap.ok(not bad, "gemini: every local link from the root resolves "
           "(%d URLs, %d pages)" % (len(seen), pages), "\n".join(bad))
    tap.ok(pages >= 8, "gemini: the crawl reached the sections and news",
           sorted(seen))
    return seen


def menu_lines(menu):
    """(type, label, selector, host, port) of the lines of a gophermap."""
    out = []
    for line in menu.split(b"\r\n"):
        if not line or line == b".":
            continue
        f = line[1:].split(b"\t")
        if len(f) >= 4:
            out.append((chr(line[0]), f[0].decode("utf-8", "replace"),
                        f[1], f[2].decode("utf-8", "replace"),
                        f[3].decode("utf-8", "replace")))
    return out


def text_gopher_links(text, port):
    """(type, selector) of the gopher:// URLs of our host in a text page."""
    out = []
    prefix = "gopher://localhost:%d/" % port
    for word in text.decode("utf-8", "replace").split():
        if word.startswith(prefix) and len(word) > len(prefix):
            rest = word[len(prefix):]
            sel = urllib.parse.unquote_to_bytes(rest[1:])
            out.append((rest[0], sel))
    return out


def fetch_gopher(port, item_type, selector):
    """The answer to a selector, with a search term for type 7."""
    raw = selector + (b"\tone" if item_type == "7" else b"") + b"\r\n"
    data, _ = ct.gopher(port, None, raw=raw)
    return data


def crawl_gopher(tap, port):
    seen, queue, bad, menus = {("1", b"")}, [("1", b"")], [], 0
    texts_linked = 0
    while queue and len(seen) <= MAX_REQUESTS:
        item_type, sel = queue.pop(0)
        data = fetch_gopher(port, item_type, sel)
        lines = menu_lines(data) if item_type in "17" else []
        if data.startswith(b"3") or (item_type in "17" and (
                not lines or lines[0][0] == "3")):
            bad.append("%s %r -> %r" % (item_type, sel, data[:80]))
            continue
        found = [(t, s) for t, _, s, h, p in lines
                 if t in "017" and h == "localhost" and p == str(port)]
        if item_type == "0":
            found = text_gopher_links(data, port)
            texts_linked += len(found)
        menus += item_type == "1"
        for link in found:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    tap.ok(not bad, "gopher: every local item from the root resolves "
           "(%d items, %d menus)" % (len(seen), menus), "\n".join(bad))
    tap.ok(menus >= 6 and any(t == "0" for t, _ in seen),
           "gopher: the crawl reached menus and text", sorted(seen))
    tap.ok(texts_linked, "gopher: the text pages' gopher:// links were "
           "followed too", sorted(seen))


def check_reports(tap, cap):
    proc = subprocess.run([ct.CAPSULED, "check", cap.capsule],
                          capture_output=True, timeout=60)
    out = proc.stdout.decode("utf-8", "replace")
    tap.ok("about.md:7: warning: heading id 'a/b' is not a safe path; "
           "served as /a-b/" in out, "check names the id 'a/b' and its path",
           out)
    tap.ok("about.md:11: warning: heading id 'x%20y' is not a safe path; "
           "served as /x-20y/" in out, "check names the id 'x%20y' and its "
           "path", out)
    tap.eq(proc.returncode, 0, "check: a changed id is a warning (exit 0)")


def main(tap):
    fd, page = tempfile.mkstemp(suffix=".md")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(PAGE)
    cap = ct.Capsule(page_source=page)
    os.unlink(page)
    cap.write_config()
    srv = ct.start_server(cap)
    try:
        tap.run("check", check_reports, tap, cap)
        tap.run("gemini crawl", crawl_gemini, tap, cap.gemini_port)
        tap.run("gopher crawl", crawl_gopher, tap, cap.gopher_port)
    finally:
        tap.eq(srv.stop(), 0, "SIGTERM after the crawl: exit status 0")
        cap.cleanup()


if __name__ == "__main__":
    ct.main_guard(main)
