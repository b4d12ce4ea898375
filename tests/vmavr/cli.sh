#!/usr/bin/env bash
# cli.sh VMAVR - vmavr's command line: --help, and bad input refused with
# exit 2 and a message naming the problem, before anything runs.
set -uo pipefail
vmavr=${1:?usage: cli.sh VMAVR}
fail=0
expect() { # expect CODE PATTERN ARGS...
  local code=$1 pat=$2; shift 2
  local out rc
  out=$("$vmavr" "$@" 2>&1); rc=$?
  if [ "$rc" != "$code" ] || ! grep -qi -- "$pat" <<<"$out"; then
    echo "FAIL: vmavr $* -> exit $rc (want $code), output: $out"; fail=1
  else
    echo "ok: vmavr $* -> $rc"
  fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "not an elf" >"$tmp/bad.elf"
expect 0 'usage: vmavr' --help
expect 0 '^vmavr ' --version
expect 2 'no firmware given'
expect 2 'no such file' "$tmp/missing.elf"
expect 2 'not an AVR ELF' "$tmp/bad.elf"
expect 2 'unknown option --bogus' "$tmp/bad.elf" --bogus
expect 2 'cs=PZ9: expected a pin' "$tmp/bad.elf" --sram cs=PZ9
expect 2 'needs cs=PIN' "$tmp/bad.elf" --sd card=typical
expect 2 'part=23x: expected' "$tmp/bad.elf" --sram cs=PB2,part=23x
expect 2 'already another device' "$tmp/bad.elf" --sram cs=PB2 --sd cs=PB2
expect 2 'f-cpu 16Q' "$tmp/bad.elf" --f-cpu 16Q
expect 2 'unknown link profile' "$tmp/bad.elf" --serial=link=nope
exit $fail
