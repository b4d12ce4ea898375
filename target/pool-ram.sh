#!/usr/bin/env bash
# pool-ram.sh - the RAM each pool costs on an ATmega328P, from the compiler.
#
# Compiles target/pool_ram_probe.cpp with avr-g++ (-mmcu=atmega328p -Os,
# against the stand-in Arduino headers and the library's flat source
# layout) and reads sizeof each pool class, each C pool macro's
# VM_*_POOL_RAM_COST and their parts from the symbol sizes (avr-nm -S).
# Prints a Markdown table (4 pages of 64 bytes).
#
# Usage: target/pool-ram.sh                 print the table
#        target/pool-ram.sh --update FILE   rewrite FILE between the markers
#        target/pool-ram.sh --check FILE    exit 1 if FILE's table differs
# Markers: <!-- pool-ram:begin --> and <!-- pool-ram:end --> (scripts/md-splice.sh).
# Exit 77 when avr-g++ is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mode=print file=
case "${1:-}" in
  --update|--check) mode=${1#--}; file=${2:?"pool-ram: $1 needs a file"} ;;
  "") ;;
  *) echo "pool-ram: unknown argument '$1' (use --update FILE or --check FILE)" >&2; exit 2 ;;
esac
for t in avr-g++ avr-nm; do
  command -v "$t" >/dev/null || { echo "pool-ram: SKIP: $t not found (scripts/deps.sh installs it)" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/arduino/make-library.sh" "$tmp/lib" 2>/dev/null
avr-g++ -mmcu=atmega328p -Os -std=gnu++11 -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
  -I"$root/arduino/stubs" -I"$tmp/lib/vmem/src" -c "$here/pool_ram_probe.cpp" -o "$tmp/probe.o"
declare -A sz
while read -r _ size _ name; do
  [[ $name == probe_* ]] && sz[${name#probe_}]=$((16#$size))
done < <(avr-nm -S "$tmp/probe.o")
for k in cls_ram cls_sram cls_sd cls_serial c_ram c_sram c_sd c_serial pages slots heap vm \
         dev_ram dev_sram dev_sd dev_serial glue_spi glue_uart; do
  [ -n "${sz[$k]:-}" ] || { echo "pool-ram: no figure for $k" >&2; exit 1; }
done
ver=$(avr-gcc -dumpversion)

row() { # row LABEL CLASS C DRIVER: one line; the last two columns are differences
  local parts=$((sz[pages] + sz[slots] + sz[heap] + sz[vm]))
  echo "| $1 | $2 | $3 | ${sz[pages]} | ${sz[slots]} | ${sz[heap]} | ${sz[vm]} | $4 | $(($3 - parts - $4)) | $(($2 - $3)) |"
}

table() {
  echo "ATmega328P, avr-g++ $ver \`-Os\`, default options, 4 pages of 64 bytes, allocator table of 8 blocks. Bytes of static RAM."
  echo
  echo "| pool | C++ class (\`sizeof\`) | C macro (\`VM_*_POOL_RAM_COST\`) | page buffers | slots | allocator table | \`struct vm_pool\` | driver struct | pool's own fields | C++ extra (Arduino glue, padding) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  row "\`RamPool<1024, 64, 4>\` / \`VM_RAM_POOL(p, 1024, 64, 4)\` (own fields: the 1024-byte pool)" \
      "${sz[cls_ram]}" "${sz[c_ram]}" "${sz[dev_ram]}"
  row "\`SramPool<64, 4>\` / \`VM_SRAM_POOL\`" "${sz[cls_sram]}" "${sz[c_sram]}" "${sz[dev_sram]}"
  row "\`SdPool<64, 4>\` / \`VM_SD_POOL\`" "${sz[cls_sd]}" "${sz[c_sd]}" "${sz[dev_sd]}"
  row "\`SerialPool<64, 4>\` / \`VM_SERIAL_POOL\`" "${sz[cls_serial]}" "${sz[c_serial]}" "${sz[dev_serial]}"
  echo
  echo "\`struct vm_pool\` is the pager (\`struct vm\`) and the pool's buffer pointers. The SD driver's struct holds its 512-byte block buffer, through which the file system is also read. The C++ classes add the Arduino SPI glue (\`struct vm_arduino_spi\`, ${sz[glue_spi]} bytes, and the bus pointer) or Stream glue (\`struct vm_arduino_uart\`, ${sz[glue_uart]} bytes, the port and baud)."
}

case $mode in
  print) table ;;
  update|check)
    table >"$tmp/table.md"
    HOW="target/pool-ram.sh --update" "$root/scripts/md-splice.sh" pool-ram "$mode" "$tmp/table.md" "$file"
    ;;
esac
