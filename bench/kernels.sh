#!/usr/bin/env bash
# kernels.sh - instructions per access of the loops users write (bench/vm_kernels.c),
# on x86-64 under callgrind. Each kernel runs at 2 and 4 repetitions; the
# difference in instructions over the difference in accesses is the cost of
# one access (setup, warm-up and exit cancel out; misses of the "buffer"
# kernels are included, one per 512-byte page).
#   bench/kernels.sh [--core ROOT] [--policy P] [--markdown]
#   bench/kernels.sh --update FILE...   rewrite FILE's table (README.md)
#   bench/kernels.sh --check FILE...    exit 1 if FILE's table is stale (test x86-kernels)
# --core ROOT measures the core of another checkout (e.g. an older commit's
# worktree) with the same kernel source, compilers and flags (gcc -O2; g++ -O2
# -fno-exceptions -fno-rtti for the vptr kernels, bench/vm_kernels_vptr.cpp).
# --update/--check keep the table and its summary between the markers
# <!-- x86-kernels:begin/end --> (scripts/md-splice.sh), for this tree's core
# and the default policy; callgrind counts are deterministic.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
core_root=$root policy=sieve md=0 mode=print
while [ $# -gt 0 ]; do
  case $1 in
    --core) core_root=$(cd "${2:?--core needs a directory}" && pwd); shift 2 ;;
    --policy) policy=${2:?--policy needs a name}; shift 2 ;;
    --markdown) md=1; shift ;;
    --update|--check) mode=${1#--}; shift
      [ $# -ge 1 ] || { echo "kernels.sh: --$mode needs a file" >&2; exit 2; }
      break ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kernels.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "kernels.sh: valgrind not installed" >&2; exit 77; }
cc=${CC:-cc} cxx=${CXX:-c++}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# The RAM backend: in backends/ram/, or in core/ in trees before it moved.
ram=$(find "$core_root/backends/ram" "$core_root/core" -name vm_ram.c 2>/dev/null | head -1)
inc=(-I"$core_root/core")
[ -n "$ram" ] && inc+=(-I"$(dirname "$ram")")
srcs=()
for f in "$core_root"/core/vm*.c; do [ "${f##*/}" != vm_ram.c ] && srcs+=("$f"); done
# The vptr kernels' C++ loops (vm_kernels_vptr.cpp), as on a board: no
# exceptions, no RTTI; linked by the C compiler (they need no C++ library).
"$cxx" -O2 -std=c++11 -fno-exceptions -fno-rtti "${inc[@]}" -I"$here" -c "$here/vm_kernels_vptr.cpp" -o "$tmp/vptr.o"
"$cc" -O2 -std=c99 "${inc[@]}" "$here/vm_kernels.c" "${srcs[@]}" ${ram:+"$ram"} "$tmp/vptr.o" -o "$tmp/k"
"$tmp/k" --check >/dev/null || { echo "kernels.sh: kernels fail their own check" >&2; exit 1; }

ir() { valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$tmp/k" "$1" "$2" "$policy" >/dev/null 2>&1
       awk '/^summary:/ {print $2}' "$tmp/cg"; }
# One line per kernel: name, instructions per access.
"$tmp/k" --list | while read -r name n; do
  a=$(ir "$name" 2); b=$(ir "$name" 4)
  awk -v k="$name" -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%s %.1f\n", k, (b - a) / (2 * n) }'
done >"$tmp/ipa"

ccv=$("$cc" --version | head -1)
if [ "$mode" = print ]; then
  if [ $md = 1 ]; then
    echo "| kernel | instructions per access |"
    echo "|---|---:|"
    awk '{ printf "| %s | %s |\n", $1, $2 }' "$tmp/ipa"
  else
    rev=$(git -C "$core_root" log -1 --format=%h 2>/dev/null || echo unknown)
    echo "Instructions per access, x86-64 ($ccv, -O2), core at $rev, policy $policy, 4 x 512 B pages"
    awk '{ printf "%-12s %8s\n", $1, $2 }' "$tmp/ipa"
  fi
  exit 0
fi
# The README's block: the table, then its best, worst and what is over the
# target (<= 25 per access; <= 20 for the original's benchmark loop).
{
  echo "Instructions per access on x86-64 (callgrind; $ccv, \`-O2\`; policy $policy; 4 pages of 512 B,"
  echo "a 130048-byte buffer and a 2 KiB resident set; the loop's own work included, and the buffer"
  echo "kernels' one miss per 512 B page). \`bench/kernels.sh\` prints it; \`bench/vm_kernels.h\` has the loops."
  echo "The vptr rows are four of these loops written with the C++ wrapper, \`vmem::VPtr<T, Fast>\` (\`p[i]\`, \`p.member()\`;"
  echo "\`-fno-exceptions -fno-rtti\`; \`bench/vm_kernels_vptr.cpp\`), on the same pager: vptr8 and vptr32 are"
  echo "ptr8 and ptr32, vptr-copy8 is copy8, vptr-struct is struct. \`Fast\` is \`VMEM_FIXED(pager)\`, the binding to write"
  echo "for speed (the pager at its link-time address, as the C loops reach it); the -default rows are the same loops"
  echo "through plain \`VPtr<T>\`, whose pager is bound at run time (\`vmem::pool()\`) and reached through a pointer."
  echo
  echo "| kernel | instructions per access |"
  echo "|---|---:|"
  awk '{ printf "| %s | %s |\n", $1, $2 }' "$tmp/ipa"
  echo
  awk '
    { v[$1] = $2; if (best == "" || $2 + 0 < v[best] + 0) best = $1; if (worst == "" || $2 + 0 > v[worst] + 0) worst = $1
      if ($1 != "bench" && $2 + 0 > 25) over = over (over == "" ? "" : ", ") $1 " " $2 }
    END {
      printf "- Best: %s, %s. Worst: %s, %s.\n", best, v[best], worst, v[worst]
      printf "- Over the target of 25: %s.\n", over == "" ? "none" : over
      printf "- The original'"'"'s benchmark loop (`bench`, write then read): %s, against a target of 20 (the original library: ~152).\n", v["bench"]
    }' "$tmp/ipa"
} >"$tmp/block.md"
HOW="bench/kernels.sh --update" "$root/scripts/md-splice.sh" x86-kernels "$mode" "$tmp/block.md" "$@"
