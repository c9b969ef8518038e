#!/bin/bash
# Site benchmark: a generated Jekyll site (bench/gen-site.py: 1,000 posts,
# 200 pages, 5 collections of 200 items, a 10,000-row data file), loaded
# cold by capsuled next to `jekyll build` of the same site in the same run:
# the load as the server does it (bench/site-load: the model and every
# page rendered, nothing written) and `capsuled export` (the same, every
# route written to disk). Wall and CPU time (user + system) of each: on a
# machine others share, the CPU ratio is the one their load does not move.
# Then how long a one-post edit takes to reach a Gemini reader of a running
# server, and its memory per route served. See bench/README.md.
#
# usage: bench/run-site.sh   (environment: ROUNDS=3 SCALE=1 BUILD=build-bench
#                             EDITS=10)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
SCALE=${SCALE:-1}
EDITS=${EDITS:-10}

build_targets capsuled bench/site-load
make_tmp
site=$tmp/site
python3 "$bench_dir/gen-site.py" "$site" "$SCALE"
echo "plugins: []" >"$tmp/noplugins.yml"

# timed CMD...: "WALL CPU" (seconds) of one run, output discarded.
timed() {
    /usr/bin/time -f "%e %U %S" -o "$tmp/time.txt" "$@" >/dev/null 2>&1
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$tmp/time.txt"
}

jekyll_build=(env JEKYLL_NO_BUNDLER_REQUIRE=true jekyll build --safe -s "$site"
              -d "$tmp/jekyll-out" --config "$site/_config.yml,$tmp/noplugins.yml")
capsuled_export=("$BUILD/capsuled" export "$site" "$tmp/capsule-out")

# ratio A B: A / B with one decimal.
ratio() { printf '%.1f' "$(echo "$1 / $2" | bc -l)"; }

for r in $(seq "$ROUNDS"); do
    read -r jw jc < <(timed "${jekyll_build[@]}")
    read -r lw lc < <(timed "$bench_bin/site-load" "$site" 1)
    rm -rf "$tmp/capsule-out"
    read -r ew ec < <(timed "${capsuled_export[@]}")
    printf 'cold round=%s jekyll_wall_s=%s jekyll_cpu_s=%s ' "$r" "$jw" "$jc"
    printf 'load_wall_s=%s load_cpu_s=%s export_wall_s=%s export_cpu_s=%s ' \
        "$lw" "$lc" "$ew" "$ec"
    printf 'ratio_load_wall=%s ratio_load_cpu=%s ratio_export_wall=%s ratio_export_cpu=%s\n' \
        "$(ratio "$jw" "$lw")" "$(ratio "$jc" "$lc")" \
        "$(ratio "$jw" "$ew")" "$(ratio "$jc" "$ec")"
done | tee "$tmp/cold.txt"
"$bench_bin/site-load" "$site" 5 | tail -1
echo "files jekyll=$(find "$tmp/jekyll-out" -type f | wc -l)" \
     "capsuled=$(find "$tmp/capsule-out" -type f | wc -l)"
# One post, edited: in process first (capsule_reload over the previous
# snapshot, the server's build alone), then through a running server.
post=_posts/2001-06-25-post-500.md
[ "$SCALE" = 1 ] || post=$(cd "$site" && ls _posts/*.md | head -1)
"$bench_bin/site-load" "$site" 5 "$post" | grep '^reload'

# A running server: its ports and a certificate in a capsule.yaml laid over
# the site's _config.yml. It may run as nobody (started as root): the
# temporary directory is made readable.
chmod -R a+rX "$tmp"
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
# The post's URL as capsuled lists it (a .html permalink is served
# without the suffix).
url=$("$BUILD/capsuled" list "$site" | awk -v p="$post" '$NF == p { print $1 }')
url=${url%.html}
python3 "$bench_dir/site-reload.py" 127.0.0.1 "$port" \
    "gemini://localhost:$port$url" "$site/$post" "$EDITS"
# What the delay is made of: each reload's build, wall and CPU (the log's
# "content reloaded (built in W ms, C ms of CPU; ...)"), medians.
# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
builds=$(grep -o 'built in [0-9]* ms, [0-9]* ms of CPU' "$tmp/serve.log" || true)
if [ -n "$builds" ]; then
    printf 'builds n=%s median_wall_ms=%s median_cpu_ms=%s\n' \
        "$(echo "$builds" | wc -l)" \
        "$(echo "$builds" | awk '{ print $3 }' | median)" \
        "$(echo "$builds" | awk '{ print $5 }' | median)"
fi
rss_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
routes=$(find "$tmp/capsule-out" -type f | wc -l)
printf 'memory rss_kb=%s routes=%s kb_per_route=%.1f\n' "$rss_kb" "$routes" \
    "$(echo "$rss_kb / $routes" | bc -l)"
