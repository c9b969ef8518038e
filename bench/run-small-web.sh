#!/bin/bash
# The plain-TCP protocols side by side: capsuled's Finger and Spartan
# against its own Gopher and against nginx serving the same bytes over
# HTTP/1.0 without keep-alive (the reference), in one run with the same
# number of clients. All three are one request line per connection, the
# answer, then close: they should cost the same. By default each serves
# the same section (publications): gopher as text (/SLUG.txt), finger by
# name (SLUG), spartan as its gemtext page (/SLUG/). See bench/README.md.
#
# usage: bench/run-small-web.sh   (environment: DURATION=10 CLIENTS=16
#        SECTION=publications ROUNDS=1 BUILD=build-bench
#        RESULTS=file to keep the lines)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16}
ROUNDS=${ROUNDS:-1}
SECTION=${SECTION:-publications}

enter_private_net "$@"
bench_setup bench/capsule-bench

# --- capsuled: the benchmark capsule, with finger and spartan on too ---
gport=$(free_port)
hport=$(free_port)
fport=$(free_port)
sport=$(free_port)
make_capsule "$tmp/capsule" "$gport" "$hport" "$tmp/cert.pem" "$tmp/key.pem"
cat >>"$tmp/capsule/capsule.yaml" <<EOF

finger:
  enabled: true
  listen: ["127.0.0.1:$fport"]

spartan:
  enabled: true
  host: localhost
  port: $sport
  listen: ["127.0.0.1:$sport"]
EOF
start_bg "$tmp/capsuled.log" "$BUILD/capsuled" serve "$tmp/capsule"
capsuled_pid=$last_pid

# Each protocol's request (capsule-bench's gopher mode sends a line and
# CRLF and reads to EOF: what finger and spartan clients do too).
gopher_req="/$SECTION.txt"
finger_req="$SECTION"
spartan_req="localhost /$SECTION/ 0"
for p in "$hport" "$fport" "$sport"; do
    wait_port "$p" 10 || capsuled_failed
done
python3 "$bench_dir/fetch.py" gopher 127.0.0.1 "$hport" "$gopher_req" \
    >"$tmp/gopher-page" 2>/dev/null || capsuled_failed
python3 "$bench_dir/fetch.py" gopher 127.0.0.1 "$fport" "$finger_req" \
    >"$tmp/finger-page" 2>/dev/null || capsuled_failed
python3 "$bench_dir/fetch.py" gopher 127.0.0.1 "$sport" "$spartan_req" \
    >"$tmp/spartan-page" 2>/dev/null || capsuled_failed
head -c 2 "$tmp/spartan-page" | grep -q '^2 ' ||
    { echo "spartan did not serve /$SECTION/" >&2; exit 1; }
size() { stat -c %s "$1"; }

# --- nginx, the reference: the gopher text's bytes ---
ng_pid=""
ng_port=$(free_port)
mkdir -p "$tmp/root"
cp "$tmp/gopher-page" "$tmp/root/page"
chmod -R a+rX "$tmp/root"
if command -v nginx >/dev/null; then
    mkdir -p "$tmp/nginx"
    cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_timeout 0;
    sendfile on;
    client_body_temp_path $tmp/nginx;
    proxy_temp_path $tmp/nginx;
    fastcgi_temp_path $tmp/nginx;
    uwsgi_temp_path $tmp/nginx;
    scgi_temp_path $tmp/nginx;
    default_type text/plain;
    server {
        listen 127.0.0.1:$ng_port reuseport;
        root $tmp/root;
    }
}
EOF
    start_bg "$tmp/nginx.log" nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx"
    ng_pid=$last_pid
    wait_port "$ng_port" 5 && python3 "$bench_dir/fetch.py" http 127.0.0.1 "$ng_port" /page \
        >"$tmp/ng-page" 2>/dev/null || { echo "nginx did not serve" >&2; ng_pid=""; }
else
    echo "note: nginx not installed (apt-get install nginx-light)" >&2
fi

echo "section '$SECTION': gopher $gopher_req $(size "$tmp/gopher-page") bytes," \
     "finger '$finger_req' $(size "$tmp/finger-page") bytes," \
     "spartan /$SECTION/ $(size "$tmp/spartan-page") bytes;" \
     "$(nproc) cores; ${DURATION}s per run, $CLIENTS clients"

bench() { # bench LABEL MODE PORT PID REQUEST BYTES
    "$bench_bin/capsule-bench" -m "$2" -c "$CLIENTS" -d "$DURATION" -u "$5" \
        -b "$6" -p "$4" -l "$1" "127.0.0.1:$3" >>"$results"
}

# The servers take turns within each round, so background load falls on
# all of them alike.
for round in $(seq "$ROUNDS"); do
    bench gopher gopher "$hport" "$capsuled_pid" "$gopher_req" "$(size "$tmp/gopher-page")"
    bench finger gopher "$fport" "$capsuled_pid" "$finger_req" "$(size "$tmp/finger-page")"
    bench spartan gopher "$sport" "$capsuled_pid" "$spartan_req" "$(size "$tmp/spartan-page")"
    [ -n "$ng_pid" ] && bench nginx http "$ng_port" "$ng_pid" /page "$(size "$tmp/ng-page")"
done

echo
python3 "$bench_dir/table.py" --ignore-mode --subject finger --ref gopher --ref nginx "$results"
echo
python3 "$bench_dir/table.py" --ignore-mode --subject spartan --ref gopher --ref nginx "$results" |
    sed -n '/^ratios/,$p'
[ -n "${RESULTS:-}" ] && echo "raw results: $results"
exit 0
