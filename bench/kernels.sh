#!/usr/bin/env bash
# kernels.sh - instructions per access of the loops users write (bench/vm_kernels.c),
# on x86-64 under callgrind. Each kernel runs at 2 and 4 repetitions; the
# difference in instructions over the difference in accesses is the cost of
# one access (setup, warm-up and exit cancel out; misses of the "buffer"
# kernels are included, one per 512-byte page).
#   bench/kernels.sh [--core ROOT] [--policy P] [--markdown]
# --core ROOT measures the core of another checkout (e.g. an older commit's
# worktree) with the same kernel source, compiler and flags (gcc -O2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
core_root=$root policy=sieve md=0
while [ $# -gt 0 ]; do
  case $1 in
    --core) core_root=$(cd "${2:?--core needs a directory}" && pwd); shift 2 ;;
    --policy) policy=${2:?--policy needs a name}; shift 2 ;;
    --markdown) md=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kernels.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "kernels.sh: valgrind not installed" >&2; exit 77; }
cc=${CC:-cc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# The RAM backend: in backends/ram/, or in core/ in trees before it moved.
ram=$(find "$core_root/backends/ram" "$core_root/core" -name vm_ram.c 2>/dev/null | head -1)
inc=(-I"$core_root/core")
[ -n "$ram" ] && inc+=(-I"$(dirname "$ram")")
srcs=()
for f in "$core_root"/core/vm*.c; do [ "${f##*/}" != vm_ram.c ] && srcs+=("$f"); done
"$cc" -O2 -std=c99 "${inc[@]}" "$here/vm_kernels.c" "${srcs[@]}" ${ram:+"$ram"} -o "$tmp/k"
"$tmp/k" --check >/dev/null || { echo "kernels.sh: kernels fail their own check" >&2; exit 1; }

ir() { valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$tmp/k" "$1" "$2" "$policy" >/dev/null 2>&1
       awk '/^summary:/ {print $2}' "$tmp/cg"; }
rev=$(git -C "$core_root" log -1 --format=%h 2>/dev/null || echo unknown)
if [ $md = 1 ]; then
  echo "| kernel | instructions per access |"
  echo "|---|---:|"
else
  echo "Instructions per access, x86-64 ($("$cc" --version | head -1), -O2), core at $rev, policy $policy, 4 x 512 B pages"
fi
"$tmp/k" --list | while read -r name n; do
  a=$(ir "$name" 2); b=$(ir "$name" 4)
  v=$(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / (2 * n) }')
  if [ $md = 1 ]; then echo "| $name | $v |"; else printf '%-10s %8s\n' "$name" "$v"; fi
done
