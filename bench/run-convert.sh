#!/bin/bash
# Conversion benchmark: load + convert time per format (median of repeated
# runs) for the seed profile and for 1 MB and 10 MB synthetic profiles, and
# the growth from 1 MB to 10 MB (about 10 means linear). See bench/README.md.
#
# usage: bench/run-convert.sh   (environment: RUNS=5 SECONDS_MIN=1
#        BUILD=build-bench)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
SECONDS_MIN=${SECONDS_MIN:-1}

build_targets bench/convert-bench
make_tmp
python3 "$bench_dir/gen-profile.py" 1M >"$tmp/synthetic-1M.md"
python3 "$bench_dir/gen-profile.py" 10M >"$tmp/synthetic-10M.md"

cd "$tmp"
cp "$src_root/capsule/about.md" seed-about.md
# bounded: a converter that hangs must not hold the run forever
timeout 900 "$bench_bin/convert-bench" --config "$src_root/capsule" --runs "$RUNS" \
    --seconds "$SECONDS_MIN" seed-about.md synthetic-1M.md synthetic-10M.md | tee results.txt

echo
echo "growth 10 MB / 1 MB (10 = linear):"
python3 - results.txt <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("convert "):
        kv = dict(p.split("=", 1) for p in line.split()[1:])
        rows[kv["file"]] = kv
a, b = rows.get("synthetic-1M.md"), rows.get("synthetic-10M.md")
if a and b:
    for f in ["load+doc", "gemtext", "gophermap", "text", "gemsub", "atom"]:
        x, y = float(a[f + "_us"]), float(b[f + "_us"])
        print(f"  {f:<10} {y / x:6.2f}" if x > 0 else f"  {f:<10}   -")
EOF
