#!/bin/sh
# ptr_avr_cycles.sh - cycles per one-byte access on the hot page on a
# simulated atmega328p: vm_get8/vm_set8, the C typed pointers and the C++
# VPtr, built with avr-gcc/avr-g++ -Os, run under simavr through
# target/simavr-run.sh. Two builds: the default (the C++ element proxy is
# always inlined) and -DVMEM_INLINE=inline (the compiler chooses; at -Os it
# keeps the proxy out of line). Prints "build.key cycles" lines.
# Usage: tests/ptr/ptr_avr_cycles.sh   (from anywhere; exit 77 if a tool is missing)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
for t in avr-gcc avr-g++ simavr; do
    command -v $t >/dev/null 2>&1 || { echo "$t not found: skipped"; exit 77; }
done
[ -x "$root/target/simavr-run.sh" ] || { echo "target/simavr-run.sh not found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common="-mmcu=atmega328p -DF_CPU=16000000UL -Os -Wall -Wextra -ffunction-sections -fdata-sections -I$root/core -I$root/target -DVM_CONFIG_STRERROR=0"
for f in "$root"/core/vm*.c; do
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
echo "# cycles per 1-byte access on the hot page, atmega328p (simavr), avr-g++ $(avr-g++ -dumpversion) -Os"
echo "# _b: compiler barrier every iteration; no suffix: tight loop"
run default
run outofline -DVMEM_INLINE=inline
