#!/bin/sh
# The serve command: installs what is missing, builds, and serves the capsule
# (default: the capsule/ directory) in the foreground. On first start capsuled
# generates a self-signed certificate in certs/ (where capsule/capsule.yaml
# names it) and prints its fingerprint.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec ./build/capsuled serve "${1:-capsule}"
