"""Jekyll's filters against Jekyll 4.3: the fixture sites tests/filters/site/
and site_tz/ (site.timezone set; one .html page per case, no layout) are
built once each by `jekyll build --safe` on a machine in UTC; filter_eval
renders each page with its site's _config.yml as `site`; each output must
equal Jekyll's. With a second driver, liquid_run (the interpreter), each
page is rendered through it too, with {page: front matter, site: config}
as its variables. TAP, one point per page and driver.

Usage: diff_jekyll.py FILTER_EVAL [LIQUID_RUN]"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from capsuletest import Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SITES = [os.path.join(HERE, "site"), os.path.join(HERE, "site_tz")]


def build(site, dest):
    env = dict(os.environ, TZ="UTC", JEKYLL_ENV="production")
    subprocess.run(["jekyll", "build", "--safe", "--quiet", "-s", site,
                    "-d", dest], check=True, env=env,
                   capture_output=True, text=True)


def text_of(html):
    """markdownify goes through cmark, not kramdown: its pages compare
    their text and tags' names, not attributes or indentation."""
    html = re.sub(r"<(/?\w+)[^>]*>", r"<\1>", html)
    return re.sub(r"\s+", " ", html).strip()


def indented(text):
    return "".join("  " + line + "\n" for line in text.splitlines())


def through_interpreter(liquid_run, page, config, tmp):
    """The page's body rendered by liquid_run, its front matter as `page`
    and the site's config as `site`."""
    with open(page, encoding="utf-8") as f:
        text = f.read()
    stop = text.index("\n---\n", 4)
    with open(config, encoding="utf-8") as f:
        site = f.read()
    template = os.path.join(tmp, "page.liquid")
    data = os.path.join(tmp, "page.yml")
    with open(template, "w", encoding="utf-8") as f:
        f.write(text[stop + 5:])
    with open(data, "w", encoding="utf-8") as f:
        f.write("page:\n" + indented(text[4:stop]) + "site:\n" + indented(site))
    return subprocess.run([liquid_run, template, data, "--root", tmp],
                          capture_output=True,
                          check=True).stdout.decode("utf-8", "replace")


def compare(tap, drivers, site, dest):
    """One test point per page of site and driver; returns the pages."""
    driver, liquid_run = drivers
    pages = sorted(glob.glob(os.path.join(site, "*.html")))
    config = os.path.join(site, "_config.yml")
    for page in pages:
        name = os.path.basename(page)
        with open(os.path.join(dest, name), encoding="utf-8",
                  newline="") as f:
            want = f.read()
        outputs = [("", subprocess.run(
            [driver, "--site", config, page], capture_output=True,
            check=True).stdout.decode("utf-8", "replace"))]
        if liquid_run:
            outputs.append((" (interpreter)", through_interpreter(
                liquid_run, page, config, dest)))
        for label, got in outputs:
            if name.startswith("markdownify"):
                got, want = text_of(got), text_of(want)
            tap.ok(got == want, name[:-5] + label,
                   "jekyll:   %r\ncapsuled: %r" % (want, got))
    return len(pages)


def main():
    tap = Tap()
    drivers = (sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    if shutil.which("jekyll") is None:
        print("1..0 # SKIP jekyll is not installed")
        return
    tmp = tempfile.mkdtemp(prefix="capsuled-jekyll-filters-")
    total = 0
    try:
        for site in SITES:
            dest = os.path.join(tmp, os.path.basename(site))
            build(site, dest)
            total += compare(tap, drivers, site, dest)
        tap.ok(total >= 30, "at least 30 Jekyll filter cases (%d)" % total)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % tap.n)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
