#!/bin/sh
# Runs the libFuzzer targets for SECONDS each, two at a time, and reports per
# target the executions, exec/s, coverage and whether it crashed.
#
#   sh tests/fuzz/run.sh SECONDS [TARGET...]     (default: every target)
#
# Builds build-fuzz (clang, ASan + UBSan, -Dfuzz=true) when it is missing.
# New corpus entries go to fuzz-out/corpus/TARGET, crash inputs to
# fuzz-out/crashes/TARGET/, full logs to fuzz-out/logs/TARGET.log, and one
# TAP line per target to fuzz-out/tap.txt. Exits 1 when any target crashed,
# leaked, timed out or broke an output invariant.
# Environment: FUZZ_BUILD (build dir), FUZZ_OUT (output dir), FUZZ_JOBS
# (targets at once, default 2), FUZZ_MARKDOWN_SEEDS (more directories of
# profiles to start the Markdown targets from, read in place), FUZZ_SEED
# (libFuzzer's -seed: the same mutations on every run, so a finding of the
# test command's short run reproduces; unset, a new seed each run).
set -eu
cd "$(dirname "$0")/../.."

all_targets="gemini gopher finger spartan page gemtext gophermap config yaml bibtex proxy liquid filters"
[ $# -ge 1 ] || { echo "usage: $0 SECONDS [TARGET...]" >&2; exit 2; }
seconds=$1
shift
targets=${*:-$all_targets}
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-fuzz-out}
jobs=${FUZZ_JOBS:-2}

case $seconds in
'' | *[!0-9]*) echo "$0: SECONDS must be a whole number" >&2; exit 2 ;;
esac
for t in $targets; do
    case " $all_targets " in
    *" $t "*) ;;
    *) echo "$0: unknown target $t (have: $all_targets)" >&2; exit 2 ;;
    esac
done

# No stale results: a run that stops early leaves no tap.txt to be read.
rm -f "$out/tap.txt"
if ! command -v clang >/dev/null 2>&1; then
    echo "$0: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
exes=""
for t in $targets; do exes="$exes tests/fuzz/fuzz_$t"; done
# shellcheck disable=SC2086
ninja -C "$build" $exes >/dev/null

# Seeds: the test inputs kept here, plus the default capsule's profile and
# config for the targets that read those formats.
seeds_of() {
    case $1 in
    gemini | gopher | finger | spartan | proxy) echo "tests/fuzz/corpus/$1" ;;
    page | gemtext | gophermap)
        echo "tests/fuzz/corpus/markdown capsule ${FUZZ_MARKDOWN_SEEDS:-}" ;;
    config) echo "tests/fuzz/corpus/config capsule" ;;
    yaml) echo "tests/fuzz/corpus/yaml tests/fuzz/corpus/config" ;;
    bibtex) echo "tests/fuzz/corpus/bibtex" ;;
    liquid) echo "tests/fuzz/corpus/liquid tests/liquid/cases capsule" ;;
    filters) echo "tests/fuzz/corpus/filters" ;;
    esac
}
dict_of() {
    case $1 in
    gemini | gopher | finger | spartan | proxy) echo "tests/fuzz/$1.dict" ;;
    page | gemtext | gophermap) echo "tests/fuzz/markdown.dict" ;;
    config | yaml) echo "tests/fuzz/yaml.dict" ;;
    bibtex) echo "tests/fuzz/bibtex.dict" ;;
    liquid) echo "tests/fuzz/liquid.dict" ;;
    filters) echo "tests/fuzz/filters.dict" ;;
    esac
}
# The YAML loaders run within the memory the issue allows a YAML document
# (aliases must not multiply it): 256 MB, of which AddressSanitizer's
# quarantine of freed blocks (256 MB by default) may hold 64. The page
# target reads front matter with the same loader, and also runs Liquid to
# its full limits (a million loop iterations, 4 MiB of output), whose small
# blocks ASan's allocator keeps as RSS long after they are freed: 1 GB. The
# renderers keep more room.
rss_of() {
    case $1 in
    config | yaml) echo 256 ;;
    page) echo 1024 ;;
    *) echo 2048 ;;
    esac
}
quarantine_of() {
    case $1 in
    config | page | yaml) echo 64 ;;
    *) echo 256 ;;
    esac
}

# The seconds one input may take before it counts as a hang: 10, but 60
# for the targets that run Liquid, where a 10 KB page may rightly loop
# into hundreds of KB (4 MiB at most) that the instrumented renderers then
# take seconds over.
timeout_of() {
    case $1 in
    page | gemtext | gophermap | liquid) echo 60 ;;
    *) echo 10 ;;
    esac
}

mkdir -p "$out/logs"
run_target() {
    t=$1
    mkdir -p "$out/corpus/$t" "$out/crashes/$t"
    log="$out/logs/$t.log"
    rc=0
    # shellcheck disable=SC2046
    ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb="$(quarantine_of "$t")" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
        -rss_limit_mb="$(rss_of "$t")" -timeout="$(timeout_of "$t")" -detect_leaks=1 -print_final_stats=1 \
        -dict="$(dict_of "$t")" -artifact_prefix="$out/crashes/$t/" \
        ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
        "$out/corpus/$t" $(seeds_of "$t") >"$log" 2>&1 || rc=$?
    echo "$rc" >"$out/logs/$t.rc"
}

# Two (FUZZ_JOBS) at a time: start a batch, wait for all of it.
set --
for t in $targets; do
    set -- "$@" "$t"
    if [ $# -ge "$jobs" ]; then
        for b in "$@"; do run_target "$b" & done
        wait
        set --
    fi
done
for b in "$@"; do run_target "$b" & done
wait

# Figures from libFuzzer's final stats and its last status line.
final_stat() { sed -n "s/^stat::$2: *//p" "$out/logs/$1.log" | tail -n 1; }
last_cov() {
    grep -E '^#[0-9]+.*cov: ' "$out/logs/$1.log" | tail -n 1 |
        sed -n "s/.* $2: \([0-9]*\).*/\1/p"
}
finding() {
    grep -m 1 -E 'invariant broken:|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:' \
        "$out/logs/$1.log" | cut -c 1-160
}

failed=0
n=0
: >"$out/tap.txt"
printf '%-10s %12s %8s %7s %7s  %s\n' target execs exec/s cov ft result
for t in $targets; do
    n=$((n + 1))
    rc=$(cat "$out/logs/$t.rc")
    execs=$(final_stat "$t" number_of_executed_units)
    rate=$(final_stat "$t" average_exec_per_sec)
    cov=$(last_cov "$t" cov)
    ft=$(last_cov "$t" ft)
    if [ "$rc" = 0 ]; then
        result=ok
        echo "ok $n - fuzz $t: ${execs:-?} execs, ${rate:-?}/s, cov ${cov:-?}, ft ${ft:-?}" \
            >>"$out/tap.txt"
    else
        result="CRASHED (exit $rc): $(finding "$t")"
        failed=1
        echo "not ok $n - fuzz $t: crashed after ${execs:-?} execs (exit $rc), see $out/logs/$t.log and $out/crashes/$t/" \
            >>"$out/tap.txt"
    fi
    printf '%-10s %12s %8s %7s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "$result"
done
echo "1..$n" >>"$out/tap.txt"
exit $failed
