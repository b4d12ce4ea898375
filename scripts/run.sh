#!/usr/bin/env bash
# Builds everything and runs the main job, from a fresh Debian 12 machine (as
# root) onwards: installs the Debian packages, builds, and runs
# `vmsim scenarios/matrix.json` (headless when there is no display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
exec build/sim/vmsim "${@:-scenarios/matrix.json}"
