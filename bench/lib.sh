# Shared helpers for the benchmark scripts (sourced, not run).
# Every server started through start_bg is killed on exit; every wait is
# bounded in time.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src_root=$(dirname "$bench_dir")
BUILD=${BUILD:-$src_root/build-bench}
bench_bin=$BUILD/bench

started_pids=()
tmp=""

cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${started_pids[@]}"; do
        # bounded: SIGTERM, then SIGKILL after 3 s
        for _ in $(seq 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    [ -n "$tmp" ] && rm -rf "$tmp"
}

make_tmp() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/capsule-bench.XXXXXX")
    chmod 755 "$tmp"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

# Runs the rest of the script in a private network namespace when possible
# (root): only its loopback exists there, so servers that cannot be told to
# bind 127.0.0.1 (Molly Brown binds every address) are still unreachable from
# outside, and nothing else on the machine can take the ports.
enter_private_net() {
    if [ -z "${CAPSULE_BENCH_NETNS:-}" ] && [ "$(id -u)" = 0 ] &&
       unshare -n true 2>/dev/null; then
        exec unshare -n -- env CAPSULE_BENCH_NETNS=1 bash "$0" "$@"
    fi
    if [ -n "${CAPSULE_BENCH_NETNS:-}" ]; then
        ip link set lo up
    else
        echo "note: no private network namespace (not root?): peers may bind all addresses" >&2
    fi
}

build_targets() {
    if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" "$src_root" >/dev/null
    fi
    ninja -C "$BUILD" "$@" >/dev/null || {
        echo "build failed: ninja -C $BUILD $*" >&2
        return 1
    }
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT [SECONDS]: true once something accepts on 127.0.0.1:PORT.
wait_port() {
    local port=$1 tries=$(( ${2:-10} * 10 ))
    for _ in $(seq "$tries"); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# start_bg LOGFILE CMD...: starts CMD in the background; its pid in $last_pid.
start_bg() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    last_pid=$!
    started_pids+=("$last_pid")
}

stop_pid() {
    kill "$1" 2>/dev/null || true
    for _ in $(seq 30); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null || true
}

make_cert() { # make_cert DIR: ECDSA P-256, SAN localhost
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$1/key.pem" -out "$1/cert.pem" -days 3650 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost >/dev/null 2>&1
    chmod 600 "$1/key.pem"
}

# The site part of the default capsule.yaml (everything before the
# protocol sections), so a benchmark capsule describes the same person.
site_yaml() {
    awk '/^(gemini|gopher|server):/ { exit } { print }' "$src_root/capsule/capsule.yaml"
}

# make_capsule DIR GEMINI_PORT GOPHER_PORT CERT KEY: a capsule serving the
# default profile on free loopback ports, with a connection cap and deadline
# high enough for the idle-connection test, and no per-client cap: every
# load generator connects from 127.0.0.1.
make_capsule() {
    local dir=$1
    mkdir -p "$dir"
    cp "$src_root/capsule/about.md" "$dir/about.md"
    {
        site_yaml
        cat <<EOF
gemini:
  host: localhost
  port: $2
  listen: ["127.0.0.1:$2"]
  cert: $4
  key: $5

gopher:
  host: localhost
  port: $3
  listen: ["127.0.0.1:$3"]
  width: 70

server:
  workers: 0
  max_connections: 30000
  max_per_client: 0
  deadline: 300
  access_log: "$dir/access.log"
EOF
    } >"$dir/capsule.yaml"
    chmod -R a+rX "$dir"
    # Started as root, capsuled drops to nobody: let it write its log then.
    touch "$dir/access.log"
    chown nobody "$dir/access.log" 2>/dev/null || true
}

# kv FILE KEY: the value of KEY in the last key=value line of FILE.
kv() {
    tail -n 1 "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# The start both server benchmarks share: descriptors for many connections,
# the programs built, a temporary directory, the results file, a certificate.
bench_setup() { # bench_setup BUILD-TARGET...
    ulimit -Hn 65536 2>/dev/null || true
    ulimit -Sn "$(ulimit -Hn)"
    build_targets capsuled "$@"
    make_tmp
    results=${RESULTS:-$tmp/results.txt}
    : >"$results"
    make_cert "$tmp"
}

# Serves the default capsule on free ports with the benchmark certificate;
# sets gport (gemini), hport (gopher) and capsuled_pid.
start_capsuled() {
    gport=$(free_port)
    hport=$(free_port)
    make_capsule "$tmp/capsule" "$gport" "$hport" "$tmp/cert.pem" "$tmp/key.pem"
    start_bg "$tmp/capsuled.log" "$BUILD/capsuled" serve "$tmp/capsule"
    capsuled_pid=$last_pid
}

capsuled_failed() {
    echo "capsuled did not serve (log: $(tail -n 3 "$tmp/capsuled.log" | tr '\n' ' '))" >&2
    exit 1
}
