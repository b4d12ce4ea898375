#!/usr/bin/env bash
# simavr-run.sh - run an AVR firmware under simavr and judge its UART output.
#
# Usage: simavr-run.sh MCU FIRMWARE.elf TIMEOUT_S [-- COMPILER ARGS...]
#        simavr-run.sh --skip "reason"        (exit 77: a tool is missing)
# With "-- COMPILER ARGS...", that command builds FIRMWARE.elf first (so a
# core that does not compile for the target fails this test, not the build
# of every other test); a missing compiler or simavr skips (exit 77).
# Prints the firmware's UART output (simavr's colour codes and its '.' for
# end of line removed) and exits 0 only if a line "ops=<n> PASS" appeared,
# 1 otherwise (a FAIL line, a crash, or a timeout). The firmware must end by
# sleeping with interrupts off (target/dt_platform.h: dt_exit), which makes
# simavr stop.
set -uo pipefail

if [ "${1:-}" = --skip ]; then
  echo "SKIP: ${2:-a required tool is missing}"
  exit 77
fi
usage="usage: simavr-run.sh MCU FIRMWARE.elf TIMEOUT_S [-- COMPILER ARGS...]"
mcu=${1:?$usage}
fw=${2:?$usage}
limit=${3:?$usage}
shift 3
if ! command -v simavr >/dev/null; then
  echo "SKIP: simavr not found (scripts/deps.sh installs it)"
  exit 77
fi
if [ "${1:-}" = -- ]; then
  shift
  if ! command -v "${1:?simavr-run: no compiler after --}" >/dev/null; then
    echo "SKIP: $1 not found (scripts/deps.sh installs it)"
    exit 77
  fi
  rm -f "$fw"
  echo "simavr-run: building $fw"
  "$@" || { echo "simavr-run: building $fw failed" >&2; exit 1; }
fi
[ -f "$fw" ] || { echo "simavr-run: $fw: no such firmware" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout "$limit" simavr -m "$mcu" -f 16000000 "$fw" >"$out" 2>&1
rc=$?
# simavr prints each UART line in colour, with '.' for the newline.
clean=$(sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\.$//' "$out" | grep -v -e '^$' -e '^Loaded ')
printf '%s\n' "$clean"
if [ "$rc" = 124 ]; then
  echo "simavr-run: $fw did not stop within ${limit}s" >&2
  exit 1
fi
if printf '%s\n' "$clean" | grep -Eq '^ops=[0-9]+ PASS$'; then
  exit 0
fi
echo "simavr-run: no 'ops=<n> PASS' line from $fw (simavr exit $rc)" >&2
exit 1
