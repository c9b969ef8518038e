#!/bin/bash
# Several instances behind HAProxy: two capsuled instances behind HAProxy
# (contrib/haproxy/haproxy.cfg, TCP mode, PROXY v2) against one capsuled
# instance served directly, in one run, on the same page and certificate,
# with 16 and 64 clients and full handshakes. Reported: req/s, capsuled's
# CPU per request (both instances summed behind the proxy) and HAProxy's
# own CPU per request apart. See bench/README.md.
#
# usage: bench/run-haproxy.sh   (environment: DURATION=10 CLIENTS="16 64"
#        ROUNDS=1 BUILD=build-bench RESULTS=file to keep the lines)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16 64}
ROUNDS=${ROUNDS:-1}

command -v haproxy >/dev/null || {
    echo "haproxy is not installed (apt-get install haproxy)" >&2
    exit 1
}
enter_private_net "$@"
bench_setup bench/capsule-bench

# --- one instance, direct ---
start_capsuled
wait_port "$gport" 10 &&
    python3 "$bench_dir/fetch.py" gemini 127.0.0.1 "$gport" \
        "gemini://localhost:$gport/" >"$tmp/page" 2>/dev/null &&
    head -c 3 "$tmp/page" | grep -q '^20 ' || capsuled_failed
page_bytes=$(stat -c %s "$tmp/page")

# --- two instances expecting the PROXY protocol, the same certificate ---
pub_g=$(free_port)
pub_o=$(free_port)
inst_pids=()
declare -A port_of
for i in 1 2; do
    port_of[g$i]=$(free_port)
    port_of[o$i]=$(free_port)
    dir=$tmp/instance$i
    make_capsule "$dir" "${port_of[g$i]}" "${port_of[o$i]}" "$tmp/cert.pem" "$tmp/key.pem"
    # Public ports are HAProxy's; the listeners expect its PROXY header.
    sed -i -e "s/^  port: ${port_of[g$i]}\$/  port: $pub_g/" \
        -e "s/^  port: ${port_of[o$i]}\$/  port: $pub_o/" \
        -e '/^  key: /a\  proxy_protocol: true' \
        -e '/^  width: /a\  proxy_protocol: true' "$dir/capsule.yaml"
    start_bg "$tmp/instance$i.log" "$BUILD/capsuled" serve "$dir"
    inst_pids+=("$last_pid")
    wait_port "${port_of[g$i]}" 10 || capsuled_failed
done

# --- HAProxy with the shipped configuration, its addresses moved ---
# Not a system daemon here: no chroot, user or syslog (nothing listens on
# /dev/log in the namespace; HAProxy's log would only cost it time).
sed -e "s/bind :1965/bind 127.0.0.1:$pub_g/" -e "s/bind :70/bind 127.0.0.1:$pub_o/" \
    -e "s/127.0.0.1:11965/127.0.0.1:${port_of[g1]}/" \
    -e "s/127.0.0.1:21965/127.0.0.1:${port_of[g2]}/" \
    -e "s/127.0.0.1:17070/127.0.0.1:${port_of[o1]}/" \
    -e "s/127.0.0.1:27070/127.0.0.1:${port_of[o2]}/" \
    -e '/^    log \/dev\/log/d' -e '/^    chroot /d' -e '/^    user /d' \
    -e '/^    group /d' -e '/^    log global/d' -e '/^    option tcplog/d' \
    "$src_root/contrib/haproxy/haproxy.cfg" >"$tmp/haproxy.cfg"
haproxy -c -q -f "$tmp/haproxy.cfg" || { echo "haproxy -c failed" >&2; exit 1; }
start_bg "$tmp/haproxy.log" haproxy -db -f "$tmp/haproxy.cfg"
haproxy_pid=$last_pid
wait_port "$pub_g" 5 || { echo "haproxy did not start" >&2; exit 1; }
python3 "$bench_dir/fetch.py" gemini 127.0.0.1 "$pub_g" \
    "gemini://localhost:$pub_g/" >"$tmp/page-proxied" 2>/dev/null
cmp -s "$tmp/page" "$tmp/page-proxied" || {
    echo "the page through HAProxy differs from the direct one" >&2
    exit 1
}
sleep 3 # the health checks see both instances up

echo "page: $page_bytes bytes; $(nproc) cores; ${DURATION}s per run; $ROUNDS round(s); full handshakes"

clk_tck=$(getconf CLK_TCK)
cpu_ticks() { # utime+stime of a process, all its threads (and reaped children)
    awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"
}

bench() { # bench LABEL PORT CLIENTS PID... [-- CAPSULE-BENCH-ARGS...]
    local label=$1 port=$2 clients=$3
    shift 3
    local args=() p
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=(-p "$1"); shift; done
    [ $# -gt 0 ] && shift
    "$bench_bin/capsule-bench" -m gemini -c "$clients" -d "$DURATION" \
        -u "gemini://localhost:$port/" -b "$page_bytes" "${args[@]}" "$@" \
        -l "$label" "127.0.0.1:$port" >>"$results"
}

: >"$tmp/haproxy-cpu.txt"
for round in $(seq "$ROUNDS"); do
    for clients in $CLIENTS; do
        bench direct "$gport" "$clients" "$capsuled_pid"
        # One instance taking the PROXY header from the load generator
        # itself: the protocol's own cost, without HAProxy on the cores.
        bench proxied-1 "${port_of[g1]}" "$clients" "${inst_pids[0]}" -- --proxy-v2 \
            -u "gemini://localhost:$pub_g/"
        before=$(cpu_ticks "$haproxy_pid")
        bench haproxy-2 "$pub_g" "$clients" "${inst_pids[@]}"
        after=$(cpu_ticks "$haproxy_pid")
        requests=$(kv "$results" requests)
        awk -v c="$clients" -v t=$((after - before)) -v hz="$clk_tck" -v n="$requests" \
            'BEGIN { printf "%s %.0f\n", c, n ? t * 1e6 / hz / n : -1 }' \
            >>"$tmp/haproxy-cpu.txt"
    done
done

echo
echo "direct: one instance, no proxy; haproxy-2: two instances behind HAProxy, CPU"
echo "µs/req summed over both; proxied-1: one instance, a PROXY v2 header sent by"
echo "the load generator (no HAProxy)"
grep -v 'label=proxied-1 ' "$results" >"$tmp/results-haproxy"
python3 "$bench_dir/table.py" --subject haproxy-2 --ref direct "$tmp/results-haproxy"
echo
grep -v 'label=haproxy-2 ' "$results" >"$tmp/results-proxied"
python3 "$bench_dir/table.py" --subject proxied-1 --ref direct "$tmp/results-proxied" |
    sed -n '/^ratios/,$p'
echo
echo "HAProxy's own CPU per request (not in the figures above):"
awk '{ printf "  %3s clients: %s µs/req\n", $1, $2 }' "$tmp/haproxy-cpu.txt"
[ -n "${RESULTS:-}" ] && echo "raw results: $results"
exit 0
