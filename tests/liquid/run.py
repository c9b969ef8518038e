#!/usr/bin/env python3
"""Differential tests of capsuled's Liquid against Jekyll's (ruby-liquid,
with Jekyll's tags and filters when the jekyll gem is there).

Every cases/NAME.liquid is rendered by both, with cases/NAME.yml (when
present) as its variables, and the outputs must be equal byte for byte.
Includes come from tests/liquid/_includes/. A case where Jekyll stops with
an error (an unknown tag, an include loop) cannot be compared: its
expected capsuled output is cases/NAME.out, and the error is printed as a
note. To add a case, drop a NAME.liquid (and NAME.yml) in cases/.

Skips when ruby-liquid or jekyll is not installed. Usage: run.py LIQUID_RUN"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import capsuletest  # noqa: E402

CASES = os.path.join(HERE, "cases")


def have_ruby_liquid():
    try:
        return subprocess.run(["ruby", "-rliquid", "-rjekyll", "-e", "1"],
                              capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ruby_outputs(paths):
    r = subprocess.run(["ruby", os.path.join(HERE, "ruby_render.rb")] + paths,
                       capture_output=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode("utf-8", "replace"))
    return json.loads(r.stdout.decode("utf-8"))


def ours(liquid_run, path):
    data = path[:-len(".liquid")] + ".yml"
    args = [liquid_run, path] + ([data] if os.path.exists(data) else [])
    args += ["--root", HERE]
    r = subprocess.run(args, capture_output=True, timeout=60)
    return r.stdout.decode("utf-8", "replace"), r.returncode


def main():
    tap = capsuletest.Tap()
    liquid_run = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LIQUID_RUN")
    names = sorted(f for f in os.listdir(CASES) if f.endswith(".liquid"))
    if not have_ruby_liquid():
        for name in names:
            tap.skip(name, "ruby-liquid or jekyll is not installed")
        return tap.done()
    paths = [os.path.join(CASES, n) for n in names]
    theirs = ruby_outputs(paths)
    for name, path in zip(names, paths):
        case = name[:-len(".liquid")]
        got, rc = ours(liquid_run, path)
        want = theirs.get(case)
        expect_file = path[:-len(".liquid")] + ".out"
        if isinstance(want, dict):
            print("# %s: Jekyll stops: %s" % (case, want.get("error", "")))
            if not os.path.exists(expect_file):
                tap.ok(False, case, "Jekyll stops on it and there is no %s.out"
                       % case)
                continue
            with open(expect_file, encoding="utf-8") as f:
                want = f.read()
        tap.ok(rc == 0 and got == want, case,
               "capsuled: %r\njekyll:   %r" % (got, want))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
