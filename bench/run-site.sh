#!/bin/bash
# Site benchmark: a generated Jekyll site (bench/gen-site.py: 1,000 posts,
# 200 pages, 5 collections of 200 items, a 10,000-row data file), loaded
# cold by capsuled (`capsuled export`: every page read, rendered and
# written) next to `jekyll build` of the same site in the same run; then
# how long a one-file edit takes to reach a Gemini reader of a running
# server, and its memory per route served. See bench/README.md.
#
# usage: bench/run-site.sh   (environment: ROUNDS=3 SCALE=1 BUILD=build-bench)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
SCALE=${SCALE:-1}

build_targets capsuled
make_tmp
site=$tmp/site
python3 "$bench_dir/gen-site.py" "$site" "$SCALE"
echo "plugins: []" >"$tmp/noplugins.yml"

# seconds CMD...: wall time of one run, output discarded.
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

jekyll_build() {
    JEKYLL_NO_BUNDLER_REQUIRE=true jekyll build --safe -s "$site" -d "$tmp/jekyll-out" \
        --config "$site/_config.yml,$tmp/noplugins.yml"
}

capsuled_export() {
    rm -rf "$tmp/capsule-out"
    "$BUILD/capsuled" export "$site" "$tmp/capsule-out"
}

for r in $(seq "$ROUNDS"); do
    j=$(seconds jekyll_build)
    c=$(seconds capsuled_export)
    printf 'cold round=%s jekyll_s=%.3f capsuled_s=%.3f ratio=%.1f\n' \
        "$r" "$j" "$c" "$(echo "$j / $c" | bc -l)"
done | tee "$tmp/cold.txt"
echo "pages jekyll=$(find "$tmp/jekyll-out" -type f | wc -l)" \
     "capsuled=$(find "$tmp/capsule-out" -type f | wc -l)"

# A running server: its ports and a certificate in a capsule.yaml laid over
# the site's _config.yml.
port=$(free_port)
make_cert "$tmp"
cat >"$site/capsule.yaml" <<YAML
gemini:
  port: $port
  listen: ["127.0.0.1:$port"]
  cert: $tmp/cert.pem
  key: $tmp/key.pem
gopher:
  enabled: false
server:
  workers: 0
YAML
start_bg "$tmp/serve.log" "$BUILD/capsuled" serve "$site"
pid=$last_pid
wait_port "$port" 120 || { cat "$tmp/serve.log"; exit 1; }
python3 "$bench_dir/site-reload.py" 127.0.0.1 "$port" \
    "gemini://localhost:$port/" "$site/index.md" 10
rss_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
routes=$(find "$tmp/capsule-out" -type f | wc -l)
printf 'memory rss_kb=%s routes=%s kb_per_route=%.1f\n' "$rss_kb" "$routes" \
    "$(echo "$rss_kb / $routes" | bc -l)"
