#!/usr/bin/env bash
# vmsim_image.sh - vmsim on an SD card image: a scenario names a FAT image
# (mkfs.fat + mcopy) and a pool file on it. The run must pass with every
# read checked; the image file must not change; a missing pool file, a
# fragmented one and a bad name must stop vmsim before any work with exit
# status 2 and a message naming the image and the file.
# Usage: vmsim_image.sh VMSIM WORKDIR. Exit 77 without dosfstools/mtools.
set -euo pipefail
vmsim=$(realpath "${1:?usage: vmsim_image.sh VMSIM WORKDIR}")
work=${2:?usage: vmsim_image.sh VMSIM WORKDIR}
for t in mkfs.fat mcopy mdel; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not found (scripts/deps.sh installs dosfstools and mtools)"; exit 77; }
done
export MTOOLS_SKIP_CHECK=1
rm -rf "$work"; mkdir -p "$work"
cd "$work"
mkfs.fat -C -F 16 -s 1 card.img 8192 >/dev/null
head -c 50000 /dev/urandom >user.dat
head -c 262144 /dev/zero >pool.vm
head -c 20000 /dev/zero >small
mcopy -i card.img user.dat ::USER.DAT
mcopy -i card.img pool.vm ::RAMFILE.VM
mcopy -i card.img small ::A.BIN
mcopy -i card.img small ::B.BIN
mdel -i card.img ::A.BIN
mcopy -i card.img pool.vm ::FRAG.VM
sum=$(md5sum <card.img)
scenario() { # scenario NAME POOL_FILE
  cat >"$1.json" <<JSON
{"name": "sd-image", "verify": true,
 "backends": {"sd": {"type": "sd", "profile": "atmega328p", "sdhc": true,
                     "image": "card.img", "pool_file": "$2"}},
 "pagers": {"p": {"page_size": 64, "page_count": 4}},
 "workloads": {"w": {"generator": {"type": "uniform", "seed": 3, "pool_size": 131072,
                                   "ops": 3000, "access": 4, "write_ratio": 0.4}}},
 "matrix": "all"}
JSON
}
fail=0
scenario good ramfile.vm
if "$vmsim" --no-save good.json; then echo "ok: the run on RAMFILE.VM passes"; else echo "FAILED: run"; fail=1; fi
[ "$(md5sum <card.img)" = "$sum" ] && echo "ok: the image file is unchanged" || { echo "FAILED: image changed"; fail=1; }
for case in "missing:SWAP.VM:not found" "fragmented:FRAG.VM:fragmented" "badname:bad name.x:8.3" \
            "noimage:RAMFILE.VM:cannot open"; do
  IFS=: read -r what file want <<<"$case"
  scenario "$what" "$file"
  [ "$what" = noimage ] && sed -i 's/card.img/no-such.img/' "$what.json"
  set +e; out=$("$vmsim" --no-save "$what.json" 2>&1); rc=$?; set -e
  echo "    $(echo "$out" | grep -m1 -E "$want" || echo "$out" | tail -2)"
  if [ "$rc" = 2 ] && echo "$out" | grep -q "$want"; then echo "ok: $what pool file: exit 2, says '$want'"
  else echo "FAILED: $what pool file (exit $rc)"; fail=1; fi
done
[ "$fail" = 0 ] && echo PASS || echo FAIL
exit "$fail"
