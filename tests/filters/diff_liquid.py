"""Liquid's standard filters against ruby-liquid: every case
tests/liquid/cases/filter_NAME.liquid ({{ … | filter }} outputs) with
filter_NAME.yml (its variables), the layout of the Liquid differential
tests. Ruby renders each with Liquid 5.4 alone, filter_eval with
capsuled's filters and no interpreter; the outputs must be equal. TAP,
one point per case."""

import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from capsuletest import Tap, SOURCE_ROOT  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def have_ruby_liquid():
    try:
        return subprocess.run(["ruby", "-rliquid", "-e", "1"],
                              capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def main():
    tap = Tap()
    driver = sys.argv[1]
    if not have_ruby_liquid():
        print("1..0 # SKIP ruby-liquid is not installed")
        return
    pages = sorted(glob.glob(os.path.join(
        SOURCE_ROOT, "tests", "liquid", "cases", "filter_*.liquid")))
    ruby = subprocess.run(
        ["ruby", os.path.join(HERE, "liquid_render.rb")] + pages,
        capture_output=True, text=True, check=True)
    want = json.loads(ruby.stdout)
    for page in pages:
        name = os.path.basename(page)[:-len(".liquid")]
        data = page[:-len(".liquid")] + ".yml"
        got = subprocess.run([driver, page, data], capture_output=True,
                             check=True).stdout.decode("utf-8", "replace")
        tap.ok(got == want[page], name,
               "ruby:     %r\ncapsuled: %r" % (want[page], got))
    tap.ok(len(pages) >= 40, "at least 40 Liquid filter cases (%d)" % len(pages))
    print("1..%d" % tap.n)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
