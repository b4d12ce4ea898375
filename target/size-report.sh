#!/usr/bin/env bash
# size-report.sh - code, static RAM and stack of the pager core on small targets.
#
# Compiles the core (every core/vm*.c except vm_pool.c) for the atmega328p (avr-gcc) and Cortex-M0+/M4
# (arm-none-eabi-gcc, newlib-nano), each with -std=c99 -pedantic -Wall -Wextra
# -Werror -Os, in three configurations, and prints a Markdown table:
#   code        .text the core adds to a linked firmware (target/size_probe.c,
#               which keeps every public function and the typed accessors'
#               slow paths, linked with and without the core; libc/libgcc helpers it
#               pulls in included; on ARM read-only data is included too)
#   static RAM  .data + .bss it adds (on AVR, .data also costs as much flash)
#   stack       deepest path through the direct call graph from any public
#               function or out-of-line path of an inline one (vm__get_slow, vm__lock ...): -fstack-usage frames plus return addresses, walked
#               over the linked disassembly (target/stack_walk.py)
#   vm_slot     sizeof(struct vm_slot): RAM per page besides the page itself
#   vm          sizeof(struct vm)
#   4 x 64 B    VM_RAM_COST(64, 4): pages + slots + struct vm
#
# Usage: target/size-report.sh               print the table
#        target/size-report.sh --update FILE  rewrite FILE between the size-table markers (scripts/md-splice.sh)
#        target/size-report.sh --check FILE   exit 1 if FILE's table differs
# Exit 77 if a cross compiler is missing (used by the `target` test suite).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

mode=print file=
case "${1:-}" in
  --update|--check) mode=${1#--}; file=${2:?"size-report: $1 needs a file"} ;;
  "") ;;
  *) echo "size-report: unknown argument '$1' (use --update FILE or --check FILE)" >&2; exit 2 ;;
esac

for tool in avr-gcc avr-objdump avr-size avr-nm arm-none-eabi-gcc arm-none-eabi-objdump \
            arm-none-eabi-size arm-none-eabi-nm python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "size-report: SKIP: $tool not found (scripts/deps.sh installs it)" >&2
    exit 77
  fi
done

core_src=()
for f in "$root"/core/vm*.c; do
  [ "${f##*/}" = vm_pool.c ] && continue  # the pool layer
  [ -f "$f" ] && core_src+=("${f##*/}")
done
[ "${#core_src[@]}" -gt 0 ] || { echo "size-report: no core/vm*.c sources in $root/core" >&2; exit 1; }

std=(-std=c99 -pedantic -Wall -Wextra -Werror -Os -ffunction-sections -fdata-sections)

# name|prefix|cpu flags|link flags|stack bytes of a call into a function without
# a .su entry (libgcc/libc): its return address
targets=(
  "atmega328p|avr-|-mmcu=atmega328p||2"
  "cortex-m0plus|arm-none-eabi-|-mcpu=cortex-m0plus -mthumb --specs=nano.specs|--specs=nosys.specs|0"
  "cortex-m4|arm-none-eabi-|-mcpu=cortex-m4 -mthumb --specs=nano.specs|--specs=nosys.specs|0"
)
small="-DVM_CONFIG_SLOT_STATS=0 -DVM_CONFIG_EVENTS=0 -DVM_CONFIG_STRERROR=0 -DVM_CONFIG_HINTS=0 -DVM_CONFIG_POLICY=VM_POLICY_SIEVE"
minimal="$small -DVM_CONFIG_WALK=0 -DVM_CONFIG_CHECK=0 -DVM_CONFIG_ALLOC=0 -DVM_CONFIG_BOUNCE=0 -DVM_CONFIG_WRAP=0 -DVM_CONFIG_STATS=0 -DVM_CONFIG_BULK=0"
configs=("full|" "small|$small" "minimal|$minimal")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Berkeley text and data+bss of an ELF.
text_ram() { "$1size" -B "$2" | awk 'NR == 2 { print $1, $2 + $3 }'; }
# Symbol size (decimal) from nm -S output.
sym_size() {
  local hex
  hex=$("$1nm" -S "$2" | awk -v s="$3" '$4 == s { print $2 }')
  [ -n "$hex" ] || { echo "size-report: no symbol $3 in $2" >&2; return 1; }
  echo $((16#$hex))
}

# measure TARGET CONFIG: prints one line
# "name|config|code|ram|stack|flags|path|slot|vm|cost|warned|cbstack|cbpath".
# A core file that does not compile warning-free is built again without
# -Werror so the row still has figures; warned=1 marks it and fails the run.
measure() {
  local t=$1 c=$2 name prefix cpu link ret cname cdefs d
  IFS='|' read -r name prefix cpu link ret <<<"$t"
  IFS='|' read -r cname cdefs <<<"$c"
  d="$tmp/$name-$cname"; mkdir -p "$d"
  # shellcheck disable=SC2086
  local cflags=($cpu "${std[@]}" $cdefs -I"$root/core")
  local objs=() f warned=0
  for f in "${core_src[@]}"; do
    if ! "${prefix}gcc" "${cflags[@]}" -fstack-usage -c "$root/core/$f" -o "$d/${f%.c}.o" 2>"$d/warn.txt"; then
      echo "size-report: $name/$cname: core/$f does not compile with -Werror:" >&2
      cat "$d/warn.txt" >&2
      warned=1
      "${prefix}gcc" "${cflags[@]}" -Wno-error -fstack-usage -c "$root/core/$f" -o "$d/${f%.c}.o" 2>/dev/null
    fi
    objs+=("$d/${f%.c}.o")
  done
  # shellcheck disable=SC2086
  "${prefix}gcc" "${cflags[@]}" -DVM_PROBE_CORE "$here/size_probe.c" "${objs[@]}" $link \
      -Wl,--gc-sections -o "$d/with.elf"
  # shellcheck disable=SC2086
  "${prefix}gcc" "${cflags[@]}" "$here/size_probe.c" $link -Wl,--gc-sections -o "$d/without.elf"
  "${prefix}gcc" "${cflags[@]}" -DVM_PROBE_SIZES -c "$here/size_probe.c" -o "$d/sizes.o"
  local w wo
  read -r -a w <<<"$(text_ram "$prefix" "$d/with.elf")"
  read -r -a wo <<<"$(text_ram "$prefix" "$d/without.elf")"
  "${prefix}objdump" -d --no-show-raw-insn "$d/with.elf" >"$d/with.dis"
  local entries=()
  mapfile -t entries < <("${prefix}nm" --defined-only "$d/with.elf" |
                         awk '$2 == "T" && $3 ~ /^vm_/ && ($3 !~ /^vm__/ || $3 ~ /^vm__([gs]et_slow|lock|unlock)$/) { print "--entry=" $3 }' | sort)
  local st sbytes sflags spath cbytes cflags_ cpath
  st=$(python3 "$here/stack_walk.py" --disasm "$d/with.dis" --ret "$ret" "${entries[@]}" "$d"/*.su)
  { read -r sbytes sflags spath; read -r cbytes cflags_ cpath; } <<<"$st"
  echo "$name|$cname|$((w[0] - wo[0]))|$((w[1] - wo[1]))|$sbytes|$sflags|$spath|$(sym_size "$prefix" "$d/sizes.o" vm_probe_slot)|$(sym_size "$prefix" "$d/sizes.o" vm_probe_vm)|$(sym_size "$prefix" "$d/sizes.o" vm_probe_cost_4x64)|$warned|$cbytes|$cpath"
}

# Targets run in parallel (one job per target; the machine is shared).
pids=()
for t in "${targets[@]}"; do
  n=${t%%|*}
  ( set -e; for c in "${configs[@]}"; do measure "$t" "$c"; done ) >"$tmp/$n.rows" 2>"$tmp/$n.err" &
  pids+=($!)
done
fail=0
for i in "${!pids[@]}"; do
  n=${targets[$i]%%|*}
  if ! wait "${pids[$i]}"; then
    echo "size-report: build for $n failed:" >&2
    fail=1
  fi
  cat "$tmp/$n.err" >&2
done
[ "$fail" = 0 ] || exit 1
warned=$(cut -d'|' -f11 "$tmp"/*.rows | grep -c '^1$' || true)

ver_avr=$(avr-gcc -dumpversion)
ver_arm=$(arm-none-eabi-gcc -dumpversion)

table() {
  echo "Core only (${core_src[*]}), \`-std=c99 -pedantic -Os\`, avr-gcc $ver_avr, arm-none-eabi-gcc $ver_arm (newlib-nano). Bytes."
  echo
  echo "| Target | Config | Code (text) | Static RAM (data+bss) | Stack, deepest path | Stack at a callback | struct vm_slot | struct vm | RAM for 4 x 64 B pages |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  local t n rows=()
  for t in "${targets[@]}"; do
    n=${t%%|*}
    mapfile -t -O "${#rows[@]}" rows <"$tmp/$n.rows"
  done
  local r name cname code ram sb sf sp slot vm cost w cb cp note
  for r in "${rows[@]}"; do
    IFS='|' read -r name cname code ram sb sf sp slot vm cost w cb cp <<<"$r"
    note=
    [[ $sf == *i* ]] && note+=" + callback"
    [[ $sf == *d* ]] && note+=" + dynamic"
    [[ $sf == *r* ]] && note+=" (recursive!)"
    [ "$w" = 1 ] && cname+=" (**warnings: not -Werror clean**)"
    echo "| $name | $cname | $code | $ram | $sb$note | $cb + callback | $slot | $vm | $cost |"
  done
  echo
  echo "Code: every public function the config links and the typed accessors' out-of-line paths (target/size_probe.c)."
  echo "Configs: **full** = vm_config.h defaults (all policies at run time, stats, events, walk, check, allocator, bulk helpers, bounce, wrap, 16 hints, strerror except on AVR);"
  echo "**small** = \`$small\`;"
  echo "**minimal** = small plus \`${minimal#"$small "}\`."
  echo "Stack: \`-fstack-usage\` frames (saved registers and, on AVR, the return address included) along the deepest direct call path from a public \`vm_\` function or the out-of-line path of an inline one (\`vm__get_slow\`, \`vm__set_slow\`, \`vm__lock\`, \`vm__unlock\`); libc/libgcc helpers count as a return address. \"At a callback\": the deepest path ending in a call through a pointer (backend, event or walk callback), whose own stack comes on top. Deepest paths (full / small / minimal):"
  echo
  local last=
  for r in "${rows[@]}"; do
    IFS='|' read -r name cname code ram sb sf sp slot vm cost w cb cp <<<"$r"
    if [ "$name" != "$last" ]; then
      [ -z "$last" ] || echo
      printf -- '- %s: `%s`' "$name" "${sp//>/ > }"
      last=$name
    else
      printf ' / `%s`' "${sp//>/ > }"
    fi
  done
  echo
}

status=0
if [ "$warned" != 0 ]; then
  echo "size-report: $warned configuration(s) of the core are not warning-free under -Werror (figures built without it)" >&2
  status=1
fi

case $mode in
  print) table ;;
  update|check)
    table >"$tmp/table.md"
    HOW="target/size-report.sh --update" "$root/scripts/md-splice.sh" size-table "$mode" "$tmp/table.md" "$file" || exit $?
    ;;
esac
exit "$status"
