#!/usr/bin/env python3
"""Summarise capsule-bench result lines (key=value) as a table, with the
ratios of one server (the subject) against the others measured in the same
run.

usage: table.py --subject LABEL [--ref LABEL]... RESULTS-FILE

Ratios are subject/reference: for requests/s above 1 is better; for
latency and CPU per request below 1 is better.

With several rounds (the script repeats each configuration, servers taking
turns), the i-th run of the subject is paired with the i-th run of each
reference, measured next to it in time; the ratio shown is the median of
those pairs, with their range, so one burst of background load moves one
pair, not the verdict.
"""
import argparse
import statistics
from collections import OrderedDict


def parse(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "label=" not in line or "rps=" not in line:
                continue
            kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
            rows.append(kv)
    return rows


def num(row, key):
    try:
        return float(row.get(key, "nan"))
    except ValueError:
        return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--subject", required=True)
    ap.add_argument("--ref", action="append", default=[])
    ap.add_argument("--ignore-mode", action="store_true",
                    help="compare across modes (gopher against http)")
    ap.add_argument("results")
    args = ap.parse_args()
    rows = parse(args.results)
    groups = OrderedDict()
    for r in rows:
        mode = "any" if args.ignore_mode else r["mode"]
        groups.setdefault((mode, r["clients"]), []).append(r)

    print(f"{'mode':<14}{'clients':>7}  {'server':<12}{'req/s':>9}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}{'CPU µs/req':>11}{'errors':>8}")
    for (mode, clients), rs in groups.items():
        for r in rs:
            cpu = num(r, "server_cpu_us_per_req")
            print(f"{r['mode']:<14}{clients:>7}  {r['label']:<12}{num(r, 'rps'):9.0f}"
                  f"{num(r, 'p50_us') / 1000:9.2f}{num(r, 'p99_us') / 1000:9.2f}"
                  f"{num(r, 'max_us') / 1000:9.2f}"
                  f"{cpu if cpu >= 0 else float('nan'):11.0f}{r['errors']:>8}")
    if not args.ref:
        return
    print()
    print(f"ratios {args.subject}/reference (req/s: >1 better; p99 and CPU: <1 better)"
          "; median of paired rounds [range]")
    print(f"{'mode':<14}{'clients':>7}  {'reference':<12}{'rounds':>6}"
          f"{'req/s':>20}{'p99':>20}{'CPU':>20}")
    for (mode, clients), rs in groups.items():
        by = OrderedDict()
        for r in rs:
            by.setdefault(r["label"], []).append(r)
        subj = by.get(args.subject, [])
        for ref in args.ref:
            refs = by.get(ref, [])
            pairs = list(zip(subj, refs))
            if not pairs:
                print(f"{mode:<14}{clients:>7}  {ref:<12}  (missing {args.subject if not subj else ref})")
                continue
            cols = [paired(pairs, key) for key in
                    ("rps", "p99_us", "server_cpu_us_per_req")]
            print(f"{mode:<14}{clients:>7}  {ref:<12}{len(pairs):>6}"
                  + "".join(f"{c:>20}" for c in cols))


def paired(pairs, key):
    """Median of subject/reference over the pairs, with the range."""
    rs = []
    for s, b in pairs:
        a, c = num(s, key), num(b, key)
        if a == a and c == c and c > 0 and a >= 0:
            rs.append(a / c)
    if not rs:
        return "-"
    if len(rs) == 1:
        return f"{rs[0]:.2f}"
    return f"{statistics.median(rs):.2f} [{min(rs):.2f}-{max(rs):.2f}]"


if __name__ == "__main__":
    main()
