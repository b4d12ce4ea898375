#!/bin/sh
# avr_compile.sh SRCROOT BUILDDIR - compiles the C++ demo (examples/ram/
# ram.ino, through vm_ram.hpp) with avr-g++ -std=c++11 -Os -fno-exceptions
# -fno-rtti and the C demo with avr-gcc -std=c99 -Os, for the atmega328p,
# against the Arduino.h stand-in in arduino/stubs. Compile only: the demo's
# 16 KiB RAM pool does not fit the 328p's 2 KiB, so nothing is linked. Also
# compiles the wrapper's other templates (test_avr.cpp). Exit 77 (skip) when
# the AVR toolchain is absent.
set -eu
root=$1
out=${2:-.}/avr
command -v avr-g++ >/dev/null 2>&1 || { echo "avr-g++ not found: skipped"; exit 77; }
command -v avr-gcc >/dev/null 2>&1 || { echo "avr-gcc not found: skipped"; exit 77; }
stubs=$root/arduino/stubs
[ -f "$stubs/Arduino.h" ] || { echo "arduino/stubs/Arduino.h not found: skipped"; exit 77; }
mkdir -p "$out"
flags="-mmcu=atmega328p -Os -Wall -Wextra -Werror -I$root/core -I$root/backends/ram -I$stubs"
set -x
avr-g++ $flags -std=c++11 -fno-exceptions -fno-rtti -x c++ -c "$root/examples/ram/ram.ino" -o "$out/demo_ino.o"
avr-g++ $flags -std=c++11 -fno-exceptions -fno-rtti -c "$root/tests/ptr/test_avr.cpp" -o "$out/test_avr.o"
avr-gcc $flags -std=c99 -pedantic -c "$root/examples/ram/ram.c" -o "$out/demo_c.o"
avr-size "$out/demo_ino.o" "$out/test_avr.o" "$out/demo_c.o"
