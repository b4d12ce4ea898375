#!/bin/bash
# VM_STORAGE refuses, at compile time (name_slots gets a negative size), more pages than
# the build's slot index allows: 254 with VM_CONFIG_SLOT_BITS=8 (AVR's
# default), 65534 with 16. Usage: storage_limit.sh SRC_ROOT CC [CC args...]
set -u
src=$1; shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/s.c" <<'C'
#include "vm.h"
VM_STORAGE(static, big, 16, PAGES);
int main(void) { return (int)(sizeof big_slots / sizeof big_slots[0] + sizeof big_pages) == 0; }
C
fail=0
# bits pages expect(ok|refused)
while read -r bits pages want; do
  if "$@" -std=c99 -pedantic -Wall -Wextra -Werror -DVM_CONFIG_SLOT_BITS="$bits" -DPAGES="$pages" \
       -I"$src/core" -c "$tmp/s.c" -o "$tmp/s.o" 2>"$tmp/err"; then got=ok; else got=refused; fi
  if [ "$got" != "$want" ]; then
    echo "FAIL: $bits-bit slot index, $pages pages: $got, expected $want"; cat "$tmp/err"; fail=1
  elif [ "$got" = refused ] && ! grep -q "big_slots.*negative" "$tmp/err"; then
    echo "FAIL: $bits-bit, $pages pages: refused for another reason:"; cat "$tmp/err"; fail=1
  else
    echo "ok: $bits-bit slot index, $pages pages: $got"
  fi
done <<'T'
8 254 ok
8 255 refused
8 1000 refused
16 255 ok
16 1000 ok
16 65534 ok
16 65535 refused
T
exit $fail
