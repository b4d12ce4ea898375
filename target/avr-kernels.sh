#!/usr/bin/env bash
# avr-kernels.sh - cycles per access of the loops users write (bench/vm_kernels.h)
# on a simulated atmega328p at 16 MHz, as a Markdown table.
#
# Builds target/kernels_avr.c (method and geometry in its header comment) with
# -Os twice: the defaults (one hot set: two pages served inline) and
# -DVM_CONFIG_HOT_SETS=2 (four), runs each under simavr and prints one row per
# kernel. Each build is two firmwares: the C kernels, then the C++ VPtr ones
# (their loops in bench/vm_kernels_vptr.cpp, avr-g++ -fno-exceptions
# -fno-rtti, through a vmem::Fixed binding and through the default one); all
# of them together overflow the atmega328p's 32 KB of flash.
# Cycles are deterministic: a fresh run gives the same table.
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
  -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "avr-kernels: unknown argument '$1'" >&2; exit 2 ;;
esac
. "$here/avr-common.sh" avr-kernels
run() { # name extra-flags...
  local name=$1; shift
  # Two firmwares (the C kernels and the C++ ones do not fit 32 KB of flash
  # together); the C++ loops get the same flags as the pager they call.
  avr_run "$name-c" "$here/kernels_avr.c" 120 "$@" -DVM_KERNELS_VPTR=0
  avr-g++ "${avr_cxx_flags[@]}" "$@" -c "$root/bench/vm_kernels_vptr.cpp" -o "$tmp/$name-vptr.o"
  avr_run "$name-vptr" "$here/kernels_avr.c" 120 "$@" -DVM_KERNELS_C=0 "$tmp/$name-vptr.o"
  cat "$tmp/$name-c.txt" "$tmp/$name-vptr.txt" | awk '!/^#/ && !/^ops=/ && NF == 2' >"$tmp/$name.rows"
}
run default
run sets2 -DVM_CONFIG_HOT_SETS=2
{
  echo "Cycles per access on an atmega328p at 16 MHz (simavr; avr-gcc $(avr-gcc -dumpversion) -Os; default policy;"
  echo "4 pages of 64 B, a 256-byte buffer and a 256-byte resident set; the loop's own work included)."
  echo "\`target/avr-kernels.sh\` prints it; \`target/kernels_avr.c\` gives the method; \`bench/vm_kernels.h\` has the loops."
  echo "The vptr rows are four of these loops written with the C++ wrapper, \`vmem::VPtr<T, Fast>\` (\`p[i]\`, \`p.member()\`;"
  echo "avr-g++ \`-Os -fno-exceptions -fno-rtti\`; \`bench/vm_kernels_vptr.cpp\`), on the same pager: vptr8 and vptr32"
  echo "are ptr8 and ptr32, vptr-copy8 is copy8, vptr-struct is struct. \`Fast\` is \`VMEM_FIXED(pager)\`, the binding to"
  echo "write for speed (the pager at its link-time address, as the C loops reach it); the -default rows are the same"
  echo "loops through plain \`VPtr<T>\`, whose pager is bound at run time (\`vmem::pool()\`) and reached through a pointer."
  echo
  echo "| kernel | cycles per access | with \`VM_CONFIG_HOT_SETS=2\` |"
  echo "|---|---:|---:|"
  join <(awk '{print NR, $0}' "$tmp/default.rows" | sort -k1,1) <(awk '{print NR, $0}' "$tmp/sets2.rows" | sort -k1,1) |
    sort -n | awk '$2 != $4 { exit 1 } { printf "| %s | %s | %s |\n", $2, $3, $5 }'
} >"$tmp/table.md"
[ "$mode" = print ] && { cat "$tmp/table.md"; exit 0; }
HOW="target/avr-kernels.sh --update" "$root/scripts/md-splice.sh" avr-kernels "$mode" "$tmp/table.md" "$@"
