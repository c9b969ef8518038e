#!/bin/sh
# The test command: installs what is missing, builds capsuled twice (plain,
# and with AddressSanitizer + UndefinedBehaviorSanitizer), runs every test in
# both builds and ends with one line "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh test

run_suite() { # build-dir, extra meson options...
    dir=$1
    shift
    [ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null
    ninja -C "$dir" >/dev/null
    meson test -C "$dir" --print-errorlogs --num-processes 1 || true
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-san -Db_sanitize=address,undefined -Db_lundef=false

# A short fuzz run (60 s a target, two at a time) when clang is there; its
# TAP lines (one per target) join the summary. A fixed seed makes it the
# same run each time, a regression check whose findings reproduce; longer
# runs with new seeds are tests/fuzz/run.sh's own use (tests/fuzz/README.md).
fuzz_tap=""
if command -v clang >/dev/null 2>&1; then
    FUZZ_SEED=${FUZZ_SEED:-1} sh tests/fuzz/run.sh 60 || true
    fuzz_tap="--tap fuzz-out/tap.txt"
fi

# Every TAP test point counts: each CHECK of the unit tests and each check of
# the integration tests. A test program that crashed or timed out counts as
# one failure more.
# shellcheck disable=SC2086
python3 scripts/tap-summary.py build/meson-logs/testlog.json \
    build-san/meson-logs/testlog.json $fuzz_tap
