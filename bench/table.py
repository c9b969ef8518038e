#!/usr/bin/env python3
"""Summarise capsule-bench result lines (key=value) as a table, with the
ratios of one server (the subject) against the others measured in the same
run.

usage: table.py --subject LABEL [--ref LABEL]... RESULTS-FILE

Ratios are subject/reference: for requests/s above 1 is better; for
latency and CPU per request below 1 is better.
"""
import argparse
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


def ratio(a, b):
    if b != b or a != a or b <= 0 or a < 0:
        return "   -  "
    return f"{a / b:6.2f}"


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
    print(f"ratios {args.subject}/reference (req/s: >1 better; p99 and CPU: <1 better)")
    print(f"{'mode':<14}{'clients':>7}  {'reference':<12}{'req/s':>8}{'p99':>8}{'CPU':>8}")
    for (mode, clients), rs in groups.items():
        by = {r["label"]: r for r in rs}
        s = by.get(args.subject)
        for ref in args.ref:
            b = by.get(ref)
            if not s or not b:
                print(f"{mode:<14}{clients:>7}  {ref:<12}  (missing {args.subject if not s else ref})")
                continue
            print(f"{mode:<14}{clients:>7}  {ref:<12}"
                  f"  {ratio(num(s, 'rps'), num(b, 'rps'))}"
                  f"  {ratio(num(s, 'p99_us'), num(b, 'p99_us'))}"
                  f"  {ratio(num(s, 'server_cpu_us_per_req'), num(b, 'server_cpu_us_per_req'))}")


if __name__ == "__main__":
    main()
