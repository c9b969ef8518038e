#!/bin/bash
# Gemini benchmark: capsuled against tls-floor (the OpenSSL floor) and Molly
# Brown, in one run, on the same page and the same ECDSA P-256 certificate,
# with 16 and 64 clients, full handshakes and resumed sessions; then the
# idle-connection check. See bench/README.md.
#
# usage: bench/run-gemini.sh   (environment: DURATION=10 IDLE=10000
#        CLIENTS="16 64" ROUNDS=1 BUILD=build-bench RESULTS=file to keep
#        the lines)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10}
IDLE=${IDLE:-10000}
CLIENTS=${CLIENTS:-16 64}
ROUNDS=${ROUNDS:-1}

enter_private_net "$@"
# 10,000 idle connections need descriptors on both sides.
bench_setup bench/capsule-bench bench/tls-floor

# --- capsuled, and the page every server will send ---
start_capsuled
wait_port "$gport" 10 &&
    python3 "$bench_dir/fetch.py" gemini 127.0.0.1 "$gport" \
        "gemini://localhost:$gport/" >"$tmp/page" 2>/dev/null &&
    head -c 3 "$tmp/page" | grep -q '^20 ' || capsuled_failed
page_bytes=$(stat -c %s "$tmp/page")
# The body, without capsuled's header line, for Molly Brown to serve.
mkdir -p "$tmp/docroot"
tail -c +"$(( $(head -n 1 "$tmp/page" | wc -c) + 1 ))" "$tmp/page" >"$tmp/docroot/index.gmi"
body_bytes=$(stat -c %s "$tmp/docroot/index.gmi")

# --- tls-floor ---
fport=$(free_port)
start_bg "$tmp/tls-floor.log" "$bench_bin/tls-floor" "127.0.0.1:$fport" \
    "$tmp/cert.pem" "$tmp/key.pem" "$tmp/page"
floor_pid=$last_pid
wait_port "$fport" 5 || { echo "tls-floor did not start" >&2; exit 1; }

# --- Molly Brown ---
molly_pid=""
mport=$(free_port)
if command -v molly-brown >/dev/null; then
    cat >"$tmp/molly.conf" <<EOF
Port = $mport
Hostname = "localhost"
CertPath = "$tmp/cert.pem"
KeyPath = "$tmp/key.pem"
DocBase = "$tmp/docroot/"
AccessLog = "$tmp/molly-access.log"
ErrorLog = "$tmp/molly-error.log"
EOF
    chmod -R a+rX "$tmp/docroot"
    start_bg "$tmp/molly.log" molly-brown -c "$tmp/molly.conf"
    molly_pid=$last_pid
    if wait_port "$mport" 5; then
        python3 "$bench_dir/fetch.py" gemini 127.0.0.1 "$mport" \
            "gemini://localhost:$mport/" >"$tmp/molly-page"
    else
        echo "molly-brown did not start" >&2
        molly_pid=""
    fi
else
    echo "note: molly-brown not installed (apt-get install molly-brown)" >&2
fi

echo "page: $page_bytes bytes ($body_bytes body); $(nproc) cores; ${DURATION}s per run; $ROUNDS round(s)"

bench() { # bench LABEL PORT PID EXPECT_BYTES CLIENTS [ARGS...]
    local label=$1 port=$2 pid=$3 bytes=$4 clients=$5
    shift 5
    "$bench_bin/capsule-bench" -m gemini -c "$clients" -d "$DURATION" \
        -u "gemini://localhost:$port/" -b "$bytes" -p "$pid" -l "$label" "$@" \
        "127.0.0.1:$port" >>"$results"
}

for round in $(seq "$ROUNDS"); do
    for clients in $CLIENTS; do
        for resume in "" "--resume"; do
            # Servers take turns within each configuration, so a burst of
            # background load hits them alike rather than one configuration.
            bench capsuled "$gport" "$capsuled_pid" "$page_bytes" "$clients" $resume
            bench tls-floor "$fport" "$floor_pid" "$page_bytes" "$clients" $resume
            [ -n "$molly_pid" ] && bench molly "$mport" "$molly_pid" "$(stat -c %s "$tmp/molly-page")" "$clients" $resume
        done
    done
done

echo
python3 "$bench_dir/table.py" --subject capsuled --ref tls-floor --ref molly "$results"

# --- idle connections ---
idle_check() { # idle_check LABEL PORT PID BYTES
    local label=$1 port=$2 pid=$3 bytes=$4 out
    out=$tmp/idle-$label.txt
    "$bench_bin/capsule-bench" -m gemini -c 16 -d "$DURATION" -u "gemini://localhost:$port/" \
        -b "$bytes" -p "$pid" -l "$label" "127.0.0.1:$port" >"$out"
    "$bench_bin/capsule-bench" -m gemini -c 16 -d "$DURATION" -u "gemini://localhost:$port/" \
        -b "$bytes" -p "$pid" -l "$label" -i "$IDLE" "127.0.0.1:$port" >>"$out"
    cat "$out" >>"$results"
    local p99_0 p99_1
    p99_0=$(head -n 1 "$out" | tr ' ' '\n' | sed -n 's/^p99_us=//p')
    p99_1=$(kv "$out" p99_us)
    printf '%-10s %6s idle: opened %s, still open at end %s; RSS %s -> %s KiB = %s B/connection; p99 %.2f ms without, %.2f ms with (16 clients)\n' \
        "$label" "$IDLE" "$(kv "$out" idle_open)" "$(kv "$out" idle_alive_at_end)" \
        "$(kv "$out" rss_before_kib)" "$(kv "$out" rss_idle_kib)" \
        "$(kv "$out" rss_per_idle_conn_b)" "$(awk "BEGIN{print $p99_0/1000}")" "$(awk "BEGIN{print $p99_1/1000}")"
}

if [ "$IDLE" -gt 0 ]; then
    echo
    echo "idle connections (TCP only, no TLS data sent):"
    idle_check capsuled "$gport" "$capsuled_pid" "$page_bytes"
    idle_check tls-floor "$fport" "$floor_pid" "$page_bytes"
fi
[ -n "${RESULTS:-}" ] && echo "raw results: $results"
exit 0
