#!/bin/sh
# ptr_avr_cycles.sh - cycles per one-byte access on the hot page on a
# simulated atmega328p: vm_get8/vm_set8, the C typed pointers and the C++
# VPtr, built with avr-gcc/avr-g++ -Os, run under simavr through
# target/simavr-run.sh. Two builds: the default (the C++ element proxy is
# always inlined) and -DVMEM_INLINE=inline (the compiler chooses; at -Os it
# keeps the proxy out of line). Prints "build.key cycles" lines, or keeps
# the table of docs/pointers.md (between <!-- ptr-avr-cycles:begin/end -->)
# up to date; cycles are deterministic, so test ptr-avr-cycles-doc checks it.
# Usage: tests/ptr/ptr_avr_cycles.sh                  print the figures
#        tests/ptr/ptr_avr_cycles.sh --update FILE... rewrite FILE's table
#        tests/ptr/ptr_avr_cycles.sh --check FILE...  exit 1 if it is stale
# (from anywhere; exit 77 if a tool is missing)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=print
case "${1:-}" in
    --update|--check) mode=${1#--}; shift
        [ $# -gt 0 ] || { echo "ptr_avr_cycles: --$mode needs a file" >&2; exit 2; } ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "ptr_avr_cycles: unknown argument '$1'" >&2; exit 2 ;;
esac
for t in avr-gcc avr-g++ simavr; do
    command -v $t >/dev/null 2>&1 || { echo "$t not found: skipped"; exit 77; }
done
[ -x "$root/target/simavr-run.sh" ] || { echo "target/simavr-run.sh not found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common="-mmcu=atmega328p -DF_CPU=16000000UL -Os -Wall -Wextra -ffunction-sections -fdata-sections -I$root/core -I$root/backends/ram -I$root/target -DVM_CONFIG_STRERROR=0"
for f in "$root"/core/vm*.c "$root/backends/ram/vm_ram.c"; do
    avr-gcc $common -std=c99 -c "$f" -o "$tmp/$(basename "$f" .c).o"
done
run() { # name extra-flags
    name=$1
    shift
    avr-g++ $common -std=c++11 -fno-exceptions -fno-rtti "$@" -c "$root/tests/ptr/ptr_avr_cycles.cpp" -o "$tmp/$name.o"
    avr-g++ -mmcu=atmega328p -Wl,--gc-sections "$tmp/$name.o" "$tmp"/vm*.o -o "$tmp/$name.elf"
    "$root/target/simavr-run.sh" atmega328p "$tmp/$name.elf" 60 >"$tmp/$name.txt" || { cat "$tmp/$name.txt"; exit 1; }
    awk -v n="$name" 'NF == 2 && $1 !~ /^#/ && $1 !~ /^ops=/ { print n "." $1, $2 }' "$tmp/$name.txt"
}
{
echo "# cycles per 1-byte access on the hot page, atmega328p (simavr), avr-g++ $(avr-g++ -dumpversion) -Os"
echo "# _b: compiler barrier every iteration; no suffix: tight loop"
run default
run outofline -DVMEM_INLINE=inline
} >"$tmp/figures"
[ "$mode" = print ] && { cat "$tmp/figures"; exit 0; }
# The table: read and write, each "barrier / tight", rounded to a cycle.
awk '
    $1 !~ /^#/ { v[$1] = sprintf("%.0f", $2) }
    function row(label, b, g, s) {
        printf "| %s | %s / %s | %s / %s |\n", label, v[b "." g "_get_b"], v[b "." g "_get"],
               v[b "." s "_set_b"], v[b "." s "_set"]
    }
    END {
        print "| Access | read (barrier / tight) | write (barrier / tight) |"
        print "|---|---|---|"
        row("`vm_get8` / `vm_set8`", "default", "raw", "raw")
        row("`u8p_get` / `u8p_set` (C typed)", "default", "typed", "typed")
        row("`p[i]` (C++ `VPtr<uint8_t>`, default: proxy always inlined)", "default", "cpp", "cpp")
        row("`p[i]` (C++ `VPtr<uint8_t, Fast>`, `Fast` = `VMEM_FIXED(vm)`)", "default", "fixed", "fixed")
        row("`p[i]` with `-DVMEM_INLINE=inline` (proxy out of line at `-Os`)", "outofline", "cpp", "cpp")
    }' "$tmp/figures" >"$tmp/table.md"
HOW="tests/ptr/ptr_avr_cycles.sh --update" "$root/scripts/md-splice.sh" ptr-avr-cycles "$mode" "$tmp/table.md" "$@"
