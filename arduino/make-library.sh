#!/usr/bin/env bash
# make-library.sh - lay the repository out as an Arduino / PlatformIO library.
#
# Usage: arduino/make-library.sh [OUTDIR]     (default: out/arduino)
# Creates OUTDIR/vmem/ with library.properties and library.json (version from
# meson.build), src/ (the portable core, the portable drivers, vm_bus.h, the
# Arduino glue and vmem.h; all flat, as the Arduino builder wants) and
# examples/<name>/ for every sketch folder under examples/ (its .ino, .h,
# .hpp and .cpp files; .c files there are desktop versions and stay out). Copy or
# zip OUTDIR/vmem into the Arduino libraries folder, or point PlatformIO's
# lib_deps at it. Compile-time options (core/vm_config.h) go in
# platformio.ini's build_flags, e.g. -DVM_CONFIG_STRERROR=0; with the Arduino
# IDE, edit src/vm_config.h's defaults.
# Desktop-only files (device models, the simulated bus, host tools) are left
# out. Set VMEM_URL to the project's home page for the metadata.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$root/out/arduino}
lib="$out/vmem"

version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$root/meson.build" | head -1)
[ -n "$version" ] || { echo "make-library: no version: '...' in $root/meson.build" >&2; exit 1; }
url=${VMEM_URL:-https://example.invalid/vmem}

# The portable sources: everything here must build with avr-gcc and no OS.
portable=(
  core/vm.h core/vm_config.h core/vm_internal.h core/vm_ptr.h core/vm.hpp core/vm_pool.h
  core/vm.c core/vm_bulk.c core/vm_alloc.c
  backends/ram/vm_ram.h backends/ram/vm_ram.c backends/ram/vm_ram_pool.h backends/ram/vm_ram_pool.c
  backends/ram/vm_ram.hpp
  backends/bus/vm_bus.h
  backends/sram/vm_sram.h backends/sram/vm_sram.c
  backends/sram/vm_sram_pool.h backends/sram/vm_sram_pool.c
  backends/sd/vm_sd.h backends/sd/vm_sd.c backends/sd/vm_sd_crc.c
  backends/sd/vm_fat.h backends/sd/vm_fat.c backends/sd/vm_sd_file.h backends/sd/vm_sd_file.c
  backends/sd/vm_sd_pool.h backends/sd/vm_sd_pool.c
  backends/serial/vm_serial.h backends/serial/vm_serial.c
  backends/serial/vm_serial_proto.h backends/serial/vm_serial_proto.c
  backends/serial/vm_serial_pool.h backends/serial/vm_serial_pool.c
  arduino/vm_arduino.h arduino/vm_arduino.cpp arduino/vm_arduino_pools.h arduino/vmem.h
  core/vm_pool.hpp
)
# Core files added later (core/vm_*.c) come along automatically.
for f in "$root"/core/vm*.c; do
  rel=core/${f##*/}
  [[ " ${portable[*]} " == *" $rel "* ]] || portable+=("$rel")
done

missing=()
for f in "${portable[@]}"; do [ -f "$root/$f" ] || missing+=("$f"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "make-library: missing portable source(s): ${missing[*]}" >&2
  exit 1
fi

rm -rf "$lib"
mkdir -p "$lib/src" "$lib/examples"
for f in "${portable[@]}"; do
  base=${f##*/}
  if [ -e "$lib/src/$base" ]; then
    echo "make-library: two sources named $base (src/ is flat)" >&2
    exit 1
  fi
  cp "$root/$f" "$lib/src/$base"
done
for t in library.properties library.json; do
  sed -e "s|@VERSION@|$version|g" -e "s|@URL@|$url|g" "$here/$t.in" >"$lib/$t"
done
n=0
for d in "$root"/examples/*/; do
  name=$(basename "$d")
  [ -f "$d/$name.ino" ] || continue
  mkdir -p "$lib/examples/$name"
  # Sketch files only: a .c file next to a sketch here is a desktop version
  # of it (with its own main), which the Arduino builder would link in.
  for f in "$d"/*; do
    case $f in *.ino|*.h|*.hpp|*.cpp) cp "$f" "$lib/examples/$name/" ;; esac
  done
  n=$((n + 1))
done
echo "make-library: $lib (version $version, ${#portable[@]} sources, $n examples)" >&2
