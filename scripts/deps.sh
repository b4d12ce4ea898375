#!/usr/bin/env bash
# Installs every Debian package the build, the tools and the tests need.
# Safe to run again; does nothing when all are present. Needs root.
set -euo pipefail
pkgs=(
  meson ninja-build pkg-config gcc g++ clang
  check libcjson-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core
  valgrind xvfb xauth imagemagick help2man
  gcc-avr binutils-avr avr-libc simavr libsimavr-dev libelf-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  dosfstools mtools
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
