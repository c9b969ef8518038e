#!/bin/bash
# Liquid benchmark: one page whose `for` walks 10,000 items of data
# (links, a condition on forloop, a filter), and the same over 1,000 items
# (growth 10 = linear). Prints the time of one parse+render (mean of RUNS
# renders) through tests/tools/liquid_run. The goal (issue 10): 10,000
# items in at most 50 ms. See bench/README.md.
#
# usage: bench/run-liquid.sh   (environment: RUNS=20 BUILD=build-bench)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-20}

build_targets tests/liquid_run
make_tmp
for n in 1000 10000; do
    python3 - "$n" >"$tmp/items-$n.yml" <<'EOF_PY'
import sys
print("items:")
for i in range(int(sys.argv[1])):
    print('  - {title: "Paper %d on things", year: %d, url: "/p/%d", tags: [a, b]}'
          % (i, 2000 + i % 25, i))
EOF_PY
done
cat >"$tmp/page.liquid" <<'EOF_T'
{% for p in items %}- [{{ p.title | upcase }}]({{ p.url }}) ({{ p.year }}){% if forloop.last %} end{% endif %}
{% endfor %}
EOF_T
for n in 1000 10000; do
    printf '%6d items: ' "$n"
    timeout 300 "$BUILD/tests/liquid_run" "$tmp/page.liquid" "$tmp/items-$n.yml" \
        --repeat "$RUNS" 2>&1 >/dev/null | sed 's/^liquid_run: //'
done
