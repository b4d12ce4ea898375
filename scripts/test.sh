#!/usr/bin/env bash
# Runs every test suite, from a fresh Debian 12 machine (as root) onwards:
# installs the Debian packages, builds, runs the Meson suites (unit, diff,
# regress, model, sim, ptr, target, ...), the ASan/UBSan build's suites, the
# core's suites under valgrind, and the cross-compiles of the core.
# Compile lines are kept in build logs (shown only when a build fails).
# Ends with a table of what the total adds up, then the line
# "N passed, N failed, N skipped, N expected failures": skipped tests and
# expected failures are counted apart, never as passes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

export CK_DEFAULT_TIMEOUT=0
passed=0 failed=0 skipped=0 xfail=0
declare -a failures=() rows=()

row() { # row LABEL PASSED FAILED SKIPPED XFAIL: one line of the summary table
  rows+=("$(printf '%-44s %5d passed %4d failed %4d skipped %4d expected failures' "$@")")
  passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4)); xfail=$((xfail + $5))
  [ "$3" -eq 0 ] || failures+=("$1")
}

count() { # count TESTLOG LABEL: add one meson test run's results
  local log="$1" p f s x
  if [ ! -f "$log" ]; then row "$2 (no test log)" 0 1 0 0; return 0; fi
  p=$(grep -c '"result": "OK"' "$log" || true)
  x=$(grep -c '"result": "EXPECTEDFAIL"' "$log" || true)
  s=$(grep -c '"result": "SKIP"' "$log" || true)
  f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log" || true)
  row "$2" "$p" "$f" "$s" "$x"
}

quiet() { # quiet LOG CMD...: run CMD with its output in LOG, shown if it fails
  local log="$1"; shift
  if "$@" >"$log" 2>&1; then return 0; fi
  tail -n 40 "$log"; echo "(full log: $log)"; return 1
}

step() { echo; echo "== $*"; }

step "build (debugoptimized, -Wall -Wextra)"
[ -d build ] || meson setup build -Dwarning_level=2 >/dev/null
quiet build/compile.log meson compile -C build
step "meson test: all suites"
rm -f build/meson-logs/testlog.json
meson test -C build --print-errorlogs --num-processes 2 || true
count build/meson-logs/testlog.json "default build: meson test, all suites"

step "ASan/UBSan build"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
quiet build-asan/compile.log meson compile -C build-asan
rm -f build-asan/meson-logs/testlog.json
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 --no-suite target --no-suite sweep || true
count build-asan/meson-logs/testlog.json "ASan/UBSan build: meson test (no target, no sweep)"

step "valgrind: the core's suites"
rm -f build/meson-logs/testlog-valgrind.json
meson test -C build --setup valgrind --print-errorlogs --num-processes 2 --suite unit --suite regress --suite diff || true
count build/meson-logs/testlog-valgrind.json "valgrind: suites unit, regress, diff"

step "cross-compiles of the core (-std=c99 -pedantic -Wall -Wextra -Werror)"
cross_ok=1
for t in "avr-gcc -mmcu=atmega328p" "arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb" "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb"; do
  for f in core/*.c; do
    if ! $t -Os -std=c99 -pedantic -Wall -Wextra -Werror -c "$f" -o /dev/null; then
      cross_ok=0; echo "cross-compile failed: $t $f"
    fi
  done
done
if [ $cross_ok = 1 ]; then row "cross-compiles of core/*.c (3 targets)" 1 0 0 0; else row "cross-compiles of core/*.c (3 targets)" 0 1 0 0; fi

step "Meson cross builds (cross/*.ini, -Werror): core, drivers, on-target firmware"
for ini in cross/*.ini; do
  name=$(basename "$ini" .ini)
  dir=build-cross-$name
  if { [ -d "$dir" ] || meson setup "$dir" --cross-file "$ini" -Dwerror=true >/dev/null; } &&
      quiet "$dir/compile.log" meson compile -C "$dir"; then
    row "Meson cross build $name" 1 0 0 0
  else
    row "Meson cross build $name" 0 1 0 0
  fi
done
# The atmega2560 build's own tests run its firmware in simavr.
rm -f build-cross-avr-atmega2560/meson-logs/testlog.json
meson test -C build-cross-avr-atmega2560 --print-errorlogs || true
count build-cross-avr-atmega2560/meson-logs/testlog.json "atmega2560 cross build: meson test (simavr)"

step "summary: what the total adds up"
printf '%s\n' "${rows[@]}"
[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped, $xfail expected failures"
[ "$failed" -eq 0 ]
