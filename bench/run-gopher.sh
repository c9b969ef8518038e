#!/bin/bash
# Gopher benchmark: capsuled's gopher port against Gophernicus (one process
# per connection, as under inetd), pygopherd, and nginx serving the same
# bytes over HTTP/1.0 without keep-alive (the reference), in one run with
# the same number of clients on the same content size. See bench/README.md.
#
# usage: bench/run-gopher.sh   (environment: DURATION=10 CLIENTS=16
#        SELECTOR= (capsuled's selector; default the root menu)
#        ROUNDS=1 BUILD=build-bench RESULTS=file to keep the lines)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16}
ROUNDS=${ROUNDS:-1}
SELECTOR=${SELECTOR:-}

enter_private_net "$@"
bench_setup bench/capsule-bench

# --- capsuled, and the page every server will send ---
start_capsuled
wait_port "$hport" 10 &&
    python3 "$bench_dir/fetch.py" gopher 127.0.0.1 "$hport" "$SELECTOR" \
        >"$tmp/page" 2>/dev/null || capsuled_failed
page_bytes=$(stat -c %s "$tmp/page")
mkdir -p "$tmp/root"
cp "$tmp/page" "$tmp/root/page"
chmod -R a+rX "$tmp/root"

# --- Gophernicus, one process per connection (inetd style) ---
# socat's nofork makes the forked child exec gophernicus on the socket itself,
# as inetd does: one fork+exec per connection and no relay process. It runs
# as nobody, which Gophernicus insists on. -nm: without it, Gophernicus keeps
# per-client hit counters in SysV shared memory (kept between runs) and,
# past its limits, sleeps a second per request: a policy for abusive
# clients, not a cost of serving, and it would make runs depend on history.
gn_pid=""
gn_port=$(free_port)
if command -v gophernicus >/dev/null && command -v socat >/dev/null; then
    start_bg "$tmp/gophernicus.log" setpriv --reuid=nobody --regid=nogroup --clear-groups \
        socat "TCP-LISTEN:$gn_port,bind=127.0.0.1,fork,reuseaddr,backlog=4096" \
        "EXEC:$(command -v gophernicus) -h localhost -p $gn_port -r $tmp/root -nv -nu -ns -nm -nx -no,nofork"
    gn_pid=$last_pid
    wait_port "$gn_port" 5 && python3 "$bench_dir/fetch.py" gopher 127.0.0.1 "$gn_port" /page \
        >"$tmp/gn-page" 2>/dev/null || { echo "gophernicus did not serve" >&2; gn_pid=""; }
else
    echo "note: gophernicus or socat missing (apt-get install gophernicus socat)" >&2
fi

# --- pygopherd ---
py_pid=""
py_port=$(free_port)
if command -v pygopherd >/dev/null; then
    sed -e "s|^port = .*|port = $py_port|" \
        -e "s|^# interface = .*|interface = 127.0.0.1|" \
        -e "s|^pidfile = .*|pidfile = $tmp/pygopherd.pid|" \
        -e "s|^usechroot = .*|usechroot = no|" \
        -e "s|^root = .*|root = $tmp/root|" \
        -e "s|^logmethod = .*|logmethod = none|" \
        /etc/pygopherd/pygopherd.conf >"$tmp/pygopherd.conf"
    start_bg "$tmp/pygopherd.log" pygopherd "$tmp/pygopherd.conf"
    py_pid=$last_pid
    wait_port "$py_port" 15 && python3 "$bench_dir/fetch.py" gopher 127.0.0.1 "$py_port" /page \
        >"$tmp/py-page" 2>/dev/null || { echo "pygopherd did not serve" >&2; py_pid=""; }
else
    echo "note: pygopherd not installed (apt-get install pygopherd)" >&2
fi

# --- nginx, the reference ---
ng_pid=""
ng_port=$(free_port)
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

# Every peer must send the same bytes (nginx: after its header).
check_same() { # check_same LABEL FILE
    [ -f "$2" ] || return 0
    if ! tail -c "$page_bytes" "$2" | cmp -s - "$tmp/page"; then
        echo "warning: $1 does not send the same page ($(stat -c %s "$2") bytes)" >&2
    fi
}
[ -n "$gn_pid" ] && check_same gophernicus "$tmp/gn-page"
[ -n "$py_pid" ] && check_same pygopherd "$tmp/py-page"
[ -n "$ng_pid" ] && check_same nginx "$tmp/ng-page"

echo "page: $page_bytes bytes (capsuled selector '${SELECTOR}'); $(nproc) cores; ${DURATION}s per run, $CLIENTS clients"

bench() { # bench LABEL MODE PORT PID REQUEST BYTES [ARGS...]
    local label=$1 mode=$2 port=$3 pid=$4 request=$5 bytes=$6
    shift 6
    "$bench_bin/capsule-bench" -m "$mode" -c "$CLIENTS" -d "$DURATION" -u "$request" \
        -b "$bytes" -p "$pid" -l "$label" "$@" "127.0.0.1:$port" >>"$results"
}

# Gophernicus and pygopherd cannot sustain the load for long: give them a
# longer timeout, so a slow answer counts as latency and not as an error.
for round in $(seq "$ROUNDS"); do
    bench capsuled gopher "$hport" "$capsuled_pid" "$SELECTOR" "$page_bytes"
    [ -n "$ng_pid" ] && bench nginx http "$ng_port" "$ng_pid" /page "$(stat -c %s "$tmp/ng-page")"
    [ -n "$gn_pid" ] && bench gophernicus gopher "$gn_port" "$gn_pid" /page "$(stat -c %s "$tmp/gn-page")" --timeout 30
    [ -n "$py_pid" ] && bench pygopherd gopher "$py_port" "$py_pid" /page "$(stat -c %s "$tmp/py-page")" --timeout 30
done

echo
python3 "$bench_dir/table.py" --ignore-mode --subject capsuled --ref nginx "$results"
[ -n "${RESULTS:-}" ] && echo "raw results: $results"
exit 0
