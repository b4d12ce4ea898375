#!/usr/bin/env bash
# serial-avr-cycles.sh - the board's CPU cycles for the serial protocol on a
# simulated ATmega328P at 16 MHz (method: tools/serial_avr_cycles.c).
# Prints "key value" lines; x10 keys are tenths of a cycle. Exit 77 when
# avr-gcc or simavr is missing (scripts/deps.sh installs them).
# Usage: serial-avr-cycles.sh [--check] [avr-gcc flags...]
#   --check  also exit 1 unless SERIAL_CPU_AVR in backends/platform/vm_platform.c
#            holds these figures (1/100 cycles: per byte received, per byte
#            sent, and read_16 less 16 received bytes per request)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
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
[ $check = 1 ] || exit 0
want=$(printf '%s\n' "$clean" | awk '{ v[$1] = $2 } END {
  printf ".serial_rx_byte = %du, .serial_tx_byte = %du, .serial_request = %du",
    v["per_byte_read_x10"] * 10, v["per_byte_write_x10"] * 10,
    int((v["read_16"] * 10 - 16 * v["per_byte_read_x10"] + 5) / 10) * 100 }')
if ! grep -qF "#define SERIAL_CPU_AVR $want" "$root/backends/platform/vm_platform.c"; then
  echo "serial-avr-cycles: SERIAL_CPU_AVR in backends/platform/vm_platform.c is stale; measured: $want" >&2
  exit 1
fi
echo "SERIAL_CPU_AVR matches"
