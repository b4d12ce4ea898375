#!/usr/bin/env bash
# check-examples.sh - build every example sketch for an atmega328p (Uno) the
# way the Arduino builder would, against the stand-in Arduino core in
# arduino/stubs/, from the generated library layout (make-library.sh).
#
# Usage: arduino/check-examples.sh WORKDIR [MCU [SKETCH...]]  (default: all)
# Each sketch is compiled as C++ (avr-g++ -std=gnu++11 -Os, as the Arduino
# AVR core does), every src/*.c with avr-gcc -std=gnu11 and src/*.cpp with
# avr-g++, then linked with the stand-in core and checked against the
# board's memory: flash <= 32256 bytes (the Uno's, bootloader excluded),
# static RAM (data + bss) <= 2048 - 256 (a minimum left for the stack).
# Sketches, the glue and the stand-in must compile warning-free (-Werror).
# Prints one line per sketch with its sizes. Exit 77 if avr-g++ is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: check-examples.sh WORKDIR [MCU]}
mcu=${2:-atmega328p}
shift $(( $# < 2 ? $# : 2 ))
only=" $* "
flash_max=32256
ram_max=$((2048 - 256))
if [ "$mcu" != atmega328p ]; then flash_max=253952; ram_max=$((8192 - 512)); fi

for tool in avr-gcc avr-g++ avr-size; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (scripts/deps.sh installs it)"; exit 77; }
done
mkdir -p "$work"
"$here/make-library.sh" "$work/lib" 2>&1
lib="$work/lib/vmem"
obj="$work/obj-$mcu"
rm -rf "$obj"
mkdir -p "$obj"

common=(-mmcu="$mcu" -DF_CPU=16000000UL -DARDUINO=10819 -DARDUINO_ARCH_AVR -Os -g
        -ffunction-sections -fdata-sections -Wall -Wextra -I"$here/stubs" -I"$lib/src")
cxx=(avr-g++ "${common[@]}" -std=gnu++11 -fno-exceptions -fno-threadsafe-statics -fpermissive)
cc=(avr-gcc "${common[@]}" -std=gnu11)

# The library and the stand-in core, once.
libobjs=()
for f in "$lib"/src/*.c; do
  o="$obj/$(basename "$f").o"
  "${cc[@]}" -c "$f" -o "$o"
  libobjs+=("$o")
done
for f in "$lib"/src/*.cpp "$here/stubs/arduino_stub.cpp"; do
  o="$obj/$(basename "$f").o"
  "${cxx[@]}" -Werror -c "$f" -o "$o"
  libobjs+=("$o")
done

status=0
for d in "$lib"/examples/*/; do
  name=$(basename "$d")
  ino="$d/$name.ino"
  [ -f "$ino" ] || continue
  [ "$only" = "  " ] || [[ $only == *" $name "* ]] || continue
  elf="$obj/$name.elf"
  # The Arduino builder prepends #include <Arduino.h>; the sketches do too.
  if ! "${cxx[@]}" -Werror -x c++ -include Arduino.h -c "$ino" -o "$obj/$name.o"; then
    echo "FAIL $name: does not compile"
    status=1
    continue
  fi
  if ! avr-gcc -mmcu="$mcu" -Os -Wl,--gc-sections "$obj/$name.o" "${libobjs[@]}" -o "$elf"; then
    echo "FAIL $name: does not link"
    status=1
    continue
  fi
  read -r text data bss _ < <(avr-size -B "$elf" | awk 'NR == 2')
  flash=$((text + data)) ram=$((data + bss))
  verdict=ok
  if [ "$flash" -gt "$flash_max" ] || [ "$ram" -gt "$ram_max" ]; then verdict=FAIL; status=1; fi
  echo "$verdict $name ($mcu): flash $flash/$flash_max B, static RAM $ram/$ram_max B"
done
exit "$status"
