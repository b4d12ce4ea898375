#!/usr/bin/env bash
# avr-kernels.sh - cycles per access of the loops users write (bench/vm_kernels.h)
# on a simulated atmega328p at 16 MHz, as a Markdown table.
#
# Builds target/kernels_avr.c (method and geometry in its header comment) with
# avr-gcc -Os twice: the defaults (one hot set: two pages served inline) and
# -DVM_CONFIG_HOT_SETS=2 (four), runs each under simavr and prints one row per
# kernel. Cycles are deterministic: a fresh run gives the same table.
# Usage: target/avr-kernels.sh                   print the table
#        target/avr-kernels.sh --update FILE...   rewrite it between the markers
#        target/avr-kernels.sh --check FILE...    exit 1 if a FILE's table differs
# Exit 77 if avr-gcc or simavr is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mode=print
case "${1:-}" in
  --update|--check) mode=${1#--}; shift; [ $# -gt 0 ] || { echo "avr-kernels: --$mode needs a file" >&2; exit 2; } ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "avr-kernels: unknown argument '$1'" >&2; exit 2 ;;
esac
. "$here/avr-common.sh" avr-kernels
run() { # name extra-flags...
  local name=$1; shift
  avr_run "$name" "$here/kernels_avr.c" 120 "$@"
  awk '!/^#/ && !/^ops=/ && NF == 2' "$tmp/$name.txt" >"$tmp/$name.rows"
}
run default
run sets2 -DVM_CONFIG_HOT_SETS=2
{
  echo "Cycles per access on an atmega328p at 16 MHz (simavr; avr-gcc $(avr-gcc -dumpversion) -Os; default policy;"
  echo "4 pages of 64 B, a 256-byte buffer and a 256-byte resident set; the loop's own work included)."
  echo "\`target/avr-kernels.sh\` prints it; \`target/kernels_avr.c\` gives the method."
  echo
  echo "| kernel | cycles per access | with \`VM_CONFIG_HOT_SETS=2\` |"
  echo "|---|---:|---:|"
  join <(awk '{print NR, $0}' "$tmp/default.rows" | sort -k1,1) <(awk '{print NR, $0}' "$tmp/sets2.rows" | sort -k1,1) |
    sort -n | awk '$2 != $4 { exit 1 } { printf "| %s | %s | %s |\n", $2, $3, $5 }'
} >"$tmp/table.md"
[ "$mode" = print ] && { cat "$tmp/table.md"; exit 0; }
HOW="target/avr-kernels.sh --update" "$root/scripts/md-splice.sh" avr-kernels "$mode" "$tmp/table.md" "$@"
