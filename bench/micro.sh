#!/usr/bin/env bash
# Per-access instruction counts of the core, measured with callgrind.
# Each loop runs at two lengths; the difference divided by the extra count is
# the cost of one access (setup and exit cancel out). Instruction counts are
# repeatable whatever else the machine is doing.
#   bench/micro.sh [BUILD_DIR] [--json]
set -euo pipefail
build=${1:-build}
json=${2:-}
exe="$build/bench/vm_micro"
[ -x "$exe" ] || { echo "micro.sh: $exe not built (ninja -C $build)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "micro.sh: valgrind not installed" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ir() { # ir LOOP N POLICY PS PC -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$exe" "$@" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$tmp/cg"
}
per() { # per LOOP POLICY PS PC N1 N2
  local a b
  a=$(ir "$1" "$5" "$2" "$3" "$4"); b=$(ir "$1" "$6" "$2" "$3" "$4")
  awk -v a="$a" -v b="$b" -v n1="$5" -v n2="$6" 'BEGIN {printf "%.2f", (b - a) / (n2 - n1)}'
}

rows=()
for policy in fifo lru clock sieve; do
  g8=$(per get8 $policy 1024 4 100000 200000)
  s8=$(per set8 $policy 1024 4 100000 200000)
  g32=$(per get32 $policy 1024 4 100000 200000)
  s32=$(per set32 $policy 1024 4 100000 200000)
  lr=$(per lockread $policy 1024 4 1048576 2097152)
  lw=$(per lockwrite $policy 1024 4 1048576 2097152)
  ms=$(per miss $policy 64 4 20000 40000)
  rows+=("$policy $g8 $s8 $g32 $s32 $lr $lw $ms")
done
if [ "$json" = "--json" ]; then
  printf '['
  sep=''
  for r in "${rows[@]}"; do
    set -- $r
    printf '%s{"policy":"%s","get8":%s,"set8":%s,"get32":%s,"set32":%s,"lockread_per_byte":%s,"lockwrite_per_byte":%s,"miss_64B":%s}' \
      "$sep" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8"
    sep=','
  done
  printf ']\n'
else
  echo "Instructions per access (callgrind, x86-64, $(${CC:-cc} --version | head -1))"
  printf '%-7s %7s %7s %7s %7s %14s %15s %12s\n' policy get8 set8 get32 set32 "lockread/byte" "lockwrite/byte" "miss(64 B)"
  for r in "${rows[@]}"; do
    set -- $r
    printf '%-7s %7s %7s %7s %7s %14s %15s %12s\n' "$@"
  done
  echo "get8/set8/get32/set32: hits on a resident page through the typed accessors (target <= 25; original ~150)."
  echo "lockread/lockwrite: sequential, one 1 KiB page per lock, misses included (target <= 10)."
fi
