#!/usr/bin/env bash
# run-firmware.sh VMAVR ELF [VMAVR ARGS...] -- COMPILER ARGS...
# A compiler argument containing '*' is a file pattern (core/vm*.c: the
# core's sources, whatever files it is split into). Builds ELF with the compiler command, then runs it under vmavr with the
# given arguments; passes when the firmware exits 0. Skips (77) when the
# compiler is missing. The firmware is built by the test, not by the build,
# so a core that does not compile for AVR fails these tests only.
set -uo pipefail
vmavr=${1:?usage: run-firmware.sh VMAVR ELF [ARGS...] -- COMPILER ARGS...}
elf=${2:?usage: run-firmware.sh VMAVR ELF [ARGS...] -- COMPILER ARGS...}
shift 2
args=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
[ "${1:-}" = -- ] || { echo "run-firmware: no -- before the compiler" >&2; exit 1; }
shift
command -v "${1:?run-firmware: no compiler}" >/dev/null || { echo "SKIP: $1 not found (scripts/deps.sh installs it)"; exit 77; }
cc=()
for a in "$@"; do
  if [[ $a == *'*'* ]]; then
    mapfile -t files < <(compgen -G "$a" | sort)
    [ ${#files[@]} -gt 0 ] || { echo "run-firmware: no file matches $a" >&2; exit 1; }
    cc+=("${files[@]}")
  else
    cc+=("$a")
  fi
done
mkdir -p "$(dirname "$elf")"
"${cc[@]}" -o "$elf" || { echo "run-firmware: building $elf failed" >&2; exit 1; }
echo "\$ vmavr $(basename "$elf") ${args[*]}"
"$vmavr" "$elf" "${args[@]}"
rc=$?
[ $rc = 0 ] || echo "run-firmware: $(basename "$elf") exited with $rc under vmavr" >&2
exit $rc
