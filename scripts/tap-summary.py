#!/usr/bin/env python3
"""Sums TAP test points over meson test logs (and plain TAP files given as
--tap FILE) and prints 'N passed, N failed'. Every failed point is printed
first, with its test's name, so a CI log says what failed.

Exits 1 when anything failed, so the test command's status tells the truth."""
import json
import sys


def count(log_path):
    passed = failed = skipped = 0
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            test = json.loads(line)
            ok = bad = 0
            for out in (test.get("stdout") or "").splitlines():
                if out.startswith("ok "):
                    if "# SKIP" in out.upper():
                        skipped += 1
                    else:
                        ok += 1
                elif out.startswith("not ok "):
                    if "# TODO" in out.upper():
                        skipped += 1
                    else:
                        bad += 1
                        print(f"{test.get('name')}: {out}")
            if test.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
                bad = 1  # crashed, timed out or exited non-zero without a TAP failure
                print(f"{log_path}: {test.get('name')}: {test.get('result')}")
            passed += ok
            failed += bad
    return passed, failed, skipped


def count_tap_file(tap_path):
    """Plain TAP lines, e.g. the fuzz run's; a missing file is one failure."""
    try:
        with open(tap_path, encoding="utf-8") as tap:
            lines = tap.read().splitlines()
    except OSError as err:
        print(f"{tap_path}: {err.strerror}", file=sys.stderr)
        return 0, 1, 0
    passed = failed = skipped = 0
    for out in lines:
        if out.startswith("ok "):
            if "# SKIP" in out.upper():
                skipped += 1
            else:
                passed += 1
        elif out.startswith("not ok "):
            if "# TODO" in out.upper():
                skipped += 1
            else:
                failed += 1
                print(f"{tap_path}: {out}")
    return passed, failed, skipped


def main():
    totals = [0, 0, 0]
    args = sys.argv[1:]
    while args:
        path = args.pop(0)
        if path == "--tap" and args:
            counts = count_tap_file(args.pop(0))
        else:
            counts = count(path)
        for i, n in enumerate(counts):
            totals[i] += n
    passed, failed, skipped = totals
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
