#!/usr/bin/env bash
# spi-timing.sh VMAVR SRCDIR - SPI cycles per byte per divider, measured by
# vmavr on target/spitime.c (atmega328p, 16 MHz), against the ATmega328P
# datasheet: Table 19-5 gives the divider d for SPI2X:SPR1:SPR0 and a byte
# takes 8 SCK periods, 8 x d CPU cycles (19.5.2). Each phase sends 32 bytes
# with a polled loop, so cycles = 32 x 8 x d + the loop's own cycles, which
# must be the same at every divider. USART0's byte time is checked too:
# 100 bytes at UBRR 16 with U2X take 100 x 1360 cycles (10 bits of 8 x 17
# cycles, section 20, Table 20-1), less up to one frame (the loop ends when
# the last byte enters the transmit buffer). Prints the table; exit 0 only if every
# row matches. Skips (77) without avr-gcc.
set -uo pipefail
vmavr=${1:?usage: spi-timing.sh VMAVR SRCDIR}
src=${2:?usage: spi-timing.sh VMAVR SRCDIR}
command -v avr-gcc >/dev/null || { echo "SKIP: avr-gcc not found (scripts/deps.sh installs it)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
avr-gcc -mmcu=atmega328p -DF_CPU=16000000UL -std=c99 -Os -Wall -Wextra -Werror \
  -I"$src/core" -I"$src/backends/bus" -I"$src/target" "$src/target/spitime.c" -o "$tmp/spitime.elf" || exit 1
"$vmavr" "$tmp/spitime.elf" --mcu atmega328p --f-cpu 16M --phases "$tmp/p.csv" -q >/dev/null || exit 1
awk -F, '
  NR == 1 || $1 == "(total)" { next }
  $1 == "uart" { u = $2 / 100
    printf "uart    100 bytes 8N1 at UBRR 16, U2X: %d cycles = %.2f a byte; datasheet 10 x 8 x 17 = 1360\n", $2, u
    if (u < 1346 || u > 1364) bad = bad " uart"  # 99 to 100 frames: the loop ends with the last byte still buffered
    next }
  { name = $1; d = name; sub(/^div/, "", d); x = (d ~ /x$/); sub(/x$/, "", d)
    wire = 32 * 8 * d; extra = $2 - wire
    printf "%-7s SPI2X=%d f/%-3d SCK %6.3f MHz  %6d cycles / 32 bytes = %8.3f a byte; datasheet 8 x %-3d = %4d, + loop %.3f\n",
           name, x, d, 16 / d, $2, $2 / 32, d, 8 * d, extra / 32
    n++
    if (n == 1) first = extra
    if (extra != first || extra < 0 || extra > 16 * 32) bad = bad " " name }
  END { if (n != 8) { print "expected 8 phases, got " n; exit 1 }
        if (bad != "") { print "cycles off the datasheet formula:" bad; exit 1 }
        print "all 8 dividers: 8 x divider cycles a byte, loop share " first / 32 " cycles a byte at each" }' "$tmp/p.csv"
