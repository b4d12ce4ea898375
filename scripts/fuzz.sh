#!/usr/bin/env bash
# Fuzzes the parsers and the serial engines (fuzz/*.c) with libFuzzer under
# ASan/UBSan, for a chosen time or number of executions per target.
#
#   scripts/fuzz.sh [--time SECONDS | --runs N] [--max-len BYTES] [--nice N] [TARGET...]
#
# Targets (default: all): scenario, trace-json, trace-binary, trace-lackey,
# trace-din, trace-txt, serial-host, serial-host-crc, serial-board.
# Builds build-fuzz/ with clang (-fsanitize=fuzzer, address, undefined), then
# runs each target niced (default 19), one after another, starting from its seeds (the
# shipped scenarios and traces, fuzz/corpus/TARGET, fuzz/crashes/TARGET) and
# out/fuzz/TARGET/corpus, which it grows and keeps between runs. Crashes,
# leaks and hangs (an input running over 10 s) land in
# out/fuzz/TARGET/artifacts/. Prints, and appends to out/fuzz/summary.txt,
# one line per target: executions, corpus size, crashes, hangs, seconds.
# A crash becomes a regression input: copy it into fuzz/crashes/TARGET/,
# where the `fuzz` meson suite replays it in every CI run.
# Exit 1 if any target crashed or hung.
set -euo pipefail
cd "$(dirname "$0")/.."

time_s=60 runs= max_len=8192 nice=19
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_s="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --max-len) max_len="$2"; shift 2 ;;
    --nice) nice="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
command -v clang >/dev/null || { echo "fuzz.sh: needs clang (scripts/deps.sh installs it)" >&2; exit 2; }

if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link -Dtests=disabled -Dsdl=disabled >/dev/null
fi
# one compile at a time when several runs start together
flock build-fuzz/.fuzz-compile.lock meson compile -C build-fuzz >/dev/null

# name<TAB>binary<TAB>seed paths, from the build's fuzz-seeds suite
list=$(meson introspect build-fuzz --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if any(s.split(":")[-1] == "fuzz-seeds" for s in t["suite"]):
        print(t["name"][len("fuzz-"):], t["cmd"][0], *t["cmd"][1:], sep="\t")')

[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cut -f1 <<<"$list")
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p out/fuzz
bad=0
printf '%-16s %12s %8s %8s %6s %8s\n' target executions corpus crashes hangs seconds
for t in "${targets[@]}"; do
  line=$(awk -F'\t' -v t="$t" '$1 == t' <<<"$list")
  [ -n "$line" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  IFS=$'\t' read -r -a f <<<"$line"
  exe=${f[1]}
  dir=out/fuzz/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  rm -rf "$dir/seeds"; mkdir -p "$dir/seeds"
  for s in "${f[@]:2}"; do
    find "$s" -type f -print0 | while IFS= read -r -d '' file; do
      cp "$file" "$dir/seeds/$(echo "$file" | md5sum | cut -c1-12)-$(basename "$file")"
    done
  done
  limit=(-max_total_time="$time_s")
  [ -z "$runs" ] || limit=(-runs="$runs")
  before=$(ls "$dir/artifacts" | wc -l)
  start=$(date +%s)
  nice -n "$nice" "$exe" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" "$dir/seeds" \
    >"$dir/log" 2>&1 || true
  secs=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  corpus=$(ls "$dir/corpus" | wc -l)
  crashes=$(ls "$dir/artifacts" | grep -c -E '^(crash|leak|oom)-' || true)
  hangs=$(ls "$dir/artifacts" | grep -c '^timeout-' || true)
  if [ "$(ls "$dir/artifacts" | wc -l)" -gt "$before" ] || grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|fuzz: ' "$dir/log"; then
    bad=1
  fi
  row=$(printf '%-16s %12s %8s %8s %6s %8s' "$t" "${execs:-?}" "$corpus" "$crashes" "$hangs" "$secs")
  echo "$row"
  echo "$(date -u +%FT%TZ) $row ($exe ${limit[*]})" >>out/fuzz/summary.txt
done
[ $bad = 0 ] || { echo "fuzz.sh: crashes or hangs: see out/fuzz/*/artifacts and out/fuzz/*/log" >&2; exit 1; }
