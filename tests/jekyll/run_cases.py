"""The project's Jekyll fixtures: each folder of cases/ is a tiny Jekyll site
with its expectations (README.md there says how to add one). Each is built by
the real Jekyll (cached by the hash of its files) and rendered by capsuled;
recall must be 1.0 and no hidden string may leak. Skips without jekyll."""

import os
import sys

import jekylltest as jt

CASES = os.path.join(jt.HERE, "cases")


def served_file(site, case):
    """Jekyll's page for the case: the one named in page.txt (a path in
    _site), else the home page."""
    names = jt.read_lines(os.path.join(case, "page.txt"))
    return os.path.join(site, names[0] if names else "index.html")


def run_case(tap, name):
    case = os.path.join(CASES, name)
    skip = set(jt.EXPECTATION_FILES)
    site = jt.jekyll_build(name, case, skip)
    with open(served_file(site, case), encoding="utf-8") as f:
        page = f.read()
    jt.compare(tap, name, page, case,
               hidden=jt.read_lines(os.path.join(case, "hidden.txt")),
               shown=jt.read_lines(os.path.join(case, "shown.txt")))


def main():
    tap = jt.Tap()
    names = sorted(n for n in os.listdir(CASES)
                   if os.path.isdir(os.path.join(CASES, n)))
    only = sys.argv[1:]
    if only:
        names = [n for n in names if n in only]
    if not jt.jekyll_path():
        for n in names:
            tap.skip(n, "jekyll is not installed")
        return tap.done()
    for n in names:
        tap.run(n, run_case, tap, n)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
