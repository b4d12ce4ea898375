#!/usr/bin/env bash
# sketch_vmavr.sh - an example sketch built for an Uno (avr-g++, the
# stand-in Arduino core, ARDUINO_STUB_LOOPS=1 so it ends) and run cycle by
# cycle under vmavr, wired to the device model it needs:
#   demo, sd  an SD card on pin 9 (PB1) / 4 (PD4) holding a FAT16 image made
#             with mkfs.fat and mcopy (USER.DAT, and RAMFILE.VM for demo;
#             sd creates it); afterwards mtype must return USER.DAT byte for
#             byte, RAMFILE.VM must hold the demonstration's bytes and
#             fsck.fat -n must be clean;
#   sram      a 23LC1024 on pin 9 (PB1);
#   serial    the serial host on USART0 (the sketch's console text is printed).
# The sketch's Serial output must show its results.
#
# Usage: sketch_vmavr.sh VMAVR SKETCH WORKDIR
# Exit 77 when avr-g++, vmavr, dosfstools or mtools is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vmavr=${1:?usage: sketch_vmavr.sh VMAVR SKETCH WORKDIR}
name=${2:?usage: sketch_vmavr.sh VMAVR SKETCH WORKDIR}
work=${3:?usage: sketch_vmavr.sh VMAVR SKETCH WORKDIR}
for t in avr-gcc avr-g++ mkfs.fat mcopy mtype fsck.fat; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not found (scripts/deps.sh installs it)"; exit 77; }
done
[ -x "$vmavr" ] || { echo "SKIP: $vmavr not built (needs libsimavr-dev)"; exit 77; }
export MTOOLS_SKIP_CHECK=1
rm -rf "$work"; mkdir -p "$work"
"$root/arduino/make-library.sh" "$work/lib" 2>/dev/null
src=$work/lib/vmem/src
flags=(-mmcu=atmega328p -DF_CPU=16000000UL -DARDUINO=10819 -DARDUINO_ARCH_AVR -DARDUINO_STUB_LOOPS=1
       -Os -ffunction-sections -fdata-sections -Wall -Wextra -I"$root/arduino/stubs" -I"$src")
objs=()
for f in "$src"/*.c; do avr-gcc "${flags[@]}" -std=gnu11 -c "$f" -o "$work/$(basename "$f").o"; objs+=("$work/$(basename "$f").o"); done
for f in "$src"/*.cpp "$root/arduino/stubs/arduino_stub.cpp"; do
  avr-g++ "${flags[@]}" -std=gnu++11 -fno-exceptions -fno-threadsafe-statics -c "$f" -o "$work/$(basename "$f").o"
  objs+=("$work/$(basename "$f").o")
done
avr-g++ "${flags[@]}" -std=gnu++11 -fno-exceptions -fno-threadsafe-statics -x c++ -include Arduino.h \
  -c "$root/examples/$name/$name.ino" -o "$work/$name.o"
avr-gcc -mmcu=atmega328p -Os -Wl,--gc-sections "$work/$name.o" "${objs[@]}" -o "$work/$name.elf"

img=$work/card.img
case $name in
  demo|sd)
    pin=PB1; [ "$name" = sd ] && pin=PD4
    mkfs.fat -C -F 16 -s 1 -n VMEM "$img" 8192 >/dev/null
    head -c 50000 /dev/urandom >"$work/user.dat"
    mcopy -i "$img" "$work/user.dat" ::USER.DAT
    if [ "$name" = demo ]; then
      head -c 1048576 /dev/zero >"$work/ramfile.vm"
      mcopy -i "$img" "$work/ramfile.vm" ::RAMFILE.VM
    fi
    dev=(--sd "cs=$pin,kind=sdhc,image=$img") ;;
  sram) dev=(--sram cs=PB1) ;;
  serial) dev=(--serial) ;;
  *) echo "sketch_vmavr: unknown sketch $name" >&2; exit 2 ;;
esac
fail=0
out=$("$vmavr" "$work/$name.elf" "${dev[@]}" --max-seconds 60 2>"$work/report.txt") || fail=1
echo "$out"
grep -E "simulated|cycles|exited" "$work/report.txt" | head -3 || true
case $name in
  demo) want=("str\[0\], str\[1\], str\[999\] = ABA" "ms->x = 5, ms->y = 15" "pool error: 0") ;;
  sd) want=("str\[1\] = B" "ms->x = 5, ms->y = 15") ;;
  sram) want=("str\[0..1\] = AB" "ms->x = 5, ms->y = 15") ;;
  serial) want=("demo done") ;;
esac
for w in "${want[@]}"; do
  if echo "$out" | grep -q -- "$w"; then echo "ok: output has '$w'"; else echo "FAILED: no '$w' in the output"; fail=1; fi
done
if [ "$name" = demo ] || [ "$name" = sd ]; then
  if cmp <(mtype -i "$img" ::USER.DAT) "$work/user.dat"; then echo "ok: USER.DAT is byte-identical (mtype)"
  else echo "FAILED: USER.DAT changed"; fail=1; fi
  mcopy -n -i "$img" ::RAMFILE.VM "$work/back.vm"
  if python3 -c "import sys; d=open(sys.argv[1],'rb').read(); sys.exit(0 if len(d)==1048576 and d[4:1004]==b'AB'+b'A'*998 else 1)" "$work/back.vm"
  then echo "ok: RAMFILE.VM holds the demonstration's bytes"; else echo "FAILED: RAMFILE.VM"; fail=1; fi
  if fsck.fat -n "$img" >"$work/fsck.txt" 2>&1; then echo "ok: fsck.fat -n: $(tail -1 "$work/fsck.txt")"
  else cat "$work/fsck.txt"; echo "FAILED: fsck.fat -n"; fail=1; fi
fi
[ "$fail" = 0 ] && echo PASS || echo FAIL
exit "$fail"
