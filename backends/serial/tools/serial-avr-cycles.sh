#!/usr/bin/env bash
# serial-avr-cycles.sh - the board's CPU cycles for the serial protocol on a
# simulated ATmega328P at 16 MHz (method: tools/serial_avr_cycles.c).
# Prints "key value" lines; x10 keys are tenths of a cycle. Exit 77 when
# avr-gcc or simavr is missing (scripts/deps.sh installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
for tool in avr-gcc simavr; do
  command -v "$tool" >/dev/null || { echo "serial-avr-cycles: $tool not found" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
avr-gcc -mmcu=atmega328p -DF_CPU=16000000UL -std=c99 -Os -Wall -Wextra \
  -ffunction-sections -fdata-sections -Wl,--gc-sections \
  -I"$root/backends/serial" -I"$root/backends/bus" -I"$root/core" -I"$root/target" \
  "$@" "$here/serial_avr_cycles.c" "$root/backends/serial/vm_serial.c" \
  "$root/backends/serial/vm_serial_proto.c" -o "$tmp/fw.elf"
avr-size "$tmp/fw.elf" >&2
timeout 60 simavr -m atmega328p -f 16000000 "$tmp/fw.elf" >"$tmp/out.txt" 2>&1 || true
clean=$(sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\.$//' "$tmp/out.txt" | grep -v -e '^$' -e '^Loaded ')
printf '%s\n' "$clean"
printf '%s\n' "$clean" | grep -q '^ops=[0-9]* PASS$'
