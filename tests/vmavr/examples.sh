#!/usr/bin/env bash
# examples.sh VMAVR SRCDIR BUILDDIR - every example in examples/ whose source
# has a line "vmavr: ARGS" is built for the atmega328p with avr-gcc -Os
# (the core, the drivers and target/vmavr_board.h on the include path;
# a line "vmavr-cflags: FLAGS" adds flags) and run under vmavr with ARGS;
# each must exit 0. Prints each run's output. Skips (77) without avr-gcc.
set -uo pipefail
vmavr=${1:?usage: examples.sh VMAVR SRCDIR BUILDDIR}
src=${2:?usage: examples.sh VMAVR SRCDIR BUILDDIR}
out=${3:?usage: examples.sh VMAVR SRCDIR BUILDDIR}/examples-avr
command -v avr-gcc >/dev/null || { echo "SKIP: avr-gcc not found (scripts/deps.sh installs it)"; exit 77; }
mkdir -p "$out"
inc=()
for d in core backends/ram backends/bus backends/sram backends/sd backends/serial target; do inc+=(-I"$src/$d"); done
drivers=("$src"/core/vm*.c "$src/backends/ram/vm_ram.c" "$src/backends/sram/vm_sram.c" "$src/backends/sd/vm_sd.c"
         "$src/backends/sd/vm_sd_crc.c" "$src/backends/serial/vm_serial.c"
         "$src/backends/serial/vm_serial_proto.c")
n=0 failed=0
while IFS= read -r f; do
  args=$(sed -n 's/^.*vmavr: \(.*\)$/\1/p' "$f" | head -1)
  flags=$(sed -n 's/^.*vmavr-cflags: \(.*\)$/\1/p' "$f" | head -1)
  name=$(basename "$f" .c)
  n=$((n + 1))
  # shellcheck disable=SC2086
  if ! avr-gcc -mmcu=atmega328p -DF_CPU=16000000UL -std=c99 -Wall -Wextra -Werror -Os \
      -ffunction-sections -fdata-sections -Wl,--gc-sections -DVM_CONFIG_STRERROR=0 \
      "${inc[@]}" $flags "$f" "${drivers[@]}" -o "$out/$name.elf"; then
    echo "FAIL: $f does not build for the atmega328p"; failed=$((failed + 1)); continue
  fi
  echo "\$ vmavr $name.elf --mcu atmega328p --f-cpu 16M $args"
  # shellcheck disable=SC2086
  "$vmavr" "$out/$name.elf" --mcu atmega328p --f-cpu 16M $args
  rc=$?
  if [ $rc != 0 ]; then echo "FAIL: $f exited with $rc under vmavr"; failed=$((failed + 1)); fi
done < <(grep -l -r --include='*.c' -E '^.*vmavr: ' "$src/examples" | sort)
[ $n -gt 0 ] || { echo "no example has a 'vmavr:' line"; exit 1; }
echo "$n examples run under vmavr, $failed failed"
[ $failed = 0 ]
