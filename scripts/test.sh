#!/usr/bin/env bash
# Runs every test suite, from a fresh Debian 12 machine (as root) onwards:
# installs the Debian packages, builds, runs the Meson suites (unit, diff,
# regress, model, sim, ptr, target, ...), the ASan/UBSan build's suites, the
# core's suites under valgrind, and the cross-compiles of the core.
# Ends with a line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

export CK_DEFAULT_TIMEOUT=0
passed=0 failed=0
declare -a failures=()

count() { # count TESTLOG LABEL: add one meson test run's results
  local log="$1" p f
  [ -f "$log" ] || return 0
  p=$(grep -c '"result": "\(OK\|EXPECTEDFAIL\)"' "$log" || true)
  f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log" || true)
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" -eq 0 ] || failures+=("$2")
}

step() { echo; echo "== $*"; }

step "build (debugoptimized, -Wall -Wextra)"
[ -d build ] || meson setup build -Dwarning_level=2 >/dev/null
meson compile -C build
step "meson test: all suites"
meson test -C build --print-errorlogs --num-processes 2 || true
count build/meson-logs/testlog.json "default build"

step "ASan/UBSan build"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite target || true
count build-asan/meson-logs/testlog.json "ASan/UBSan"

step "valgrind: the core's suites"
meson test -C build --setup valgrind --print-errorlogs --num-processes 2 --suite unit --suite regress --suite diff || true
count build/meson-logs/testlog-valgrind.json "valgrind"

step "cross-compiles of the core (-std=c99 -pedantic -Wall -Wextra -Werror)"
cross_ok=1
for t in "avr-gcc -mmcu=atmega328p" "arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb" "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb"; do
  for f in core/*.c; do
    if ! $t -Os -std=c99 -pedantic -Wall -Wextra -Werror -c "$f" -o /dev/null; then
      cross_ok=0; echo "cross-compile failed: $t $f"
    fi
  done
done
if [ $cross_ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("cross-compile"); fi

step "Meson cross builds (cross/*.ini, -Werror): core, drivers, on-target firmware"
for ini in cross/*.ini; do
  name=$(basename "$ini" .ini)
  dir=build-cross-$name
  if { [ -d "$dir" ] || meson setup "$dir" --cross-file "$ini" -Dwerror=true >/dev/null; } && meson compile -C "$dir" >/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("cross build $name")
  fi
done
# The atmega2560 build's own tests run its firmware in simavr.
meson test -C build-cross-avr-atmega2560 --print-errorlogs || true
count build-cross-avr-atmega2560/meson-logs/testlog.json "atmega2560 cross build"

echo
[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
