#!/bin/sh
# Installs what building, serving and testing capsuled need on Debian 12,
# skipping packages that are already there. Usage: scripts/deps.sh [build|test]
set -eu

build_pkgs="build-essential meson ninja-build pkg-config libssl-dev libyaml-dev libcmark-dev openssl"
# Real clients the integration tests drive, and tools the tests use.
test_pkgs="python3 tmux amfora lynx curl sacc bombadillo libxml2-utils clang libclang-rt-14-dev jekyll systemd man-db haproxy finger iproute2 ruby-liquid"

want="$build_pkgs"
[ "${1:-build}" = test ] && want="$want $test_pkgs"

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
