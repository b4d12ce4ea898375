#!/usr/bin/env bash
# sd_fat.sh - the SD pool as a file on a FAT card, checked with the file
# system's own tools (dosfstools, mtools).
#
# Usage: sd_fat.sh SD_POOL_RUN [WORKDIR]
# For FAT16 and FAT32 images made with mkfs.fat: a user file (USER.DAT,
# random bytes) is put beside a 1 MiB pool file (RAMFILE.VM) with mcopy; a
# random workload runs on the pool through the SD driver and the card model
# (sd_pool_run); afterwards mtype must give the user file back byte for
# byte, the pool file must hold what the workload wrote, and fsck.fat -n
# must find nothing to fix. Then: a missing file is a clear error and
# --create makes a contiguous one that fsck.fat accepts and mdir lists; a
# fragmented file is refused; a partitioned card (MBR) works too.
# SD_FAT_TYPES="16" limits the run to some FAT types (default "16 32").
# Exit 77 (skipped) when mkfs.fat, mcopy or fsck.fat is missing.
set -euo pipefail
run=${1:?usage: sd_fat.sh SD_POOL_RUN [WORKDIR]}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
for t in mkfs.fat mcopy mtype mdir mdel fsck.fat; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not found (scripts/deps.sh installs dosfstools and mtools)"; exit 77; }
done
export MTOOLS_SKIP_CHECK=1
fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fail=1; fi
}
fsck_clean() { # fsck_clean IMAGE [OFFSET-OPTS]: fsck.fat -n finds nothing
  local out
  out=$(fsck.fat -n "$@" 2>&1) || { echo "$out"; return 1; }
  echo "$out" | sed 's/^/    /'
  ! echo "$out" | grep -qiE 'free cluster summary|differ|lost|corrupt|wrong|invalid'
}

head -c 100000 /dev/urandom >"$work/user.dat"
head -c 1048576 /dev/zero >"$work/pool.bin"

for fat in ${SD_FAT_TYPES:-16 32}; do
  img="$work/fat$fat.img"
  rm -f "$img"
  # FAT32 needs at least 65525 clusters: 40 MiB of 512-byte clusters.
  if [ "$fat" = 16 ]; then mb=8; else mb=40; fi
  mkfs.fat -C -F "$fat" -s 1 -n VMEM "$img" $((mb * 1024)) >/dev/null
  mcopy -i "$img" "$work/user.dat" ::USER.DAT
  mcopy -i "$img" "$work/pool.bin" ::RAMFILE.VM
  echo "== FAT$fat: workload on RAMFILE.VM beside USER.DAT"
  check "FAT$fat workload" "$run" "$img" ramfile.vm --ops 3000 --seed $fat --expect "$work/expect$fat.bin"
  mdir -i "$img" :: | sed 's/^/    /'
  check "FAT$fat: USER.DAT byte-identical after the workload (mtype)" \
    cmp <(mtype -i "$img" ::USER.DAT) "$work/user.dat"
  mcopy -n -i "$img" ::RAMFILE.VM "$work/back$fat.bin"
  check "FAT$fat: RAMFILE.VM holds what the workload wrote" cmp "$work/back$fat.bin" "$work/expect$fat.bin"
  check "FAT$fat: fsck.fat -n clean" fsck_clean "$img"

  echo "== FAT$fat: missing file, then --create"
  set +e; out=$("$run" "$img" swap.vm --ops 10 2>&1); rc=$?; set -e
  echo "    $out"
  check "FAT$fat: a missing file fails start with a clear error" \
    test "$rc" = 3 -a -n "$(echo "$out" | grep 'not found')"
  check "FAT$fat: --create makes SWAP.VM and runs" "$run" "$img" swap.vm --create --size 300000 --ops 1000
  check "FAT$fat: mdir lists SWAP.VM with 300000 bytes" \
    bash -c "mdir -i '$img' ::SWAP.VM | grep -E 'SWAP +VM +300 ?000'"
  check "FAT$fat: USER.DAT still identical" cmp <(mtype -i "$img" ::USER.DAT) "$work/user.dat"
  check "FAT$fat: fsck.fat -n clean after create" fsck_clean "$img"
  check "FAT$fat: the created file is found again" "$run" "$img" SWAP.VM --ops 100

  echo "== FAT$fat: a fragmented file is refused"
  head -c 20000 /dev/zero >"$work/a.bin"
  mcopy -i "$img" "$work/a.bin" ::A.BIN
  mcopy -i "$img" "$work/a.bin" ::B.BIN
  mdel -i "$img" ::A.BIN
  # FAT32: clear FSInfo's next-free hint, so mcopy fills A.BIN's hole first.
  if [ "$fat" = 32 ]; then
    printf '\xff\xff\xff\xff' | dd of="$img" bs=1 seek=$((512 + 492)) conv=notrunc status=none
  fi
  head -c 60000 /dev/zero >"$work/frag.bin"
  mcopy -i "$img" "$work/frag.bin" ::FRAG.VM
  set +e; out=$("$run" "$img" frag.vm --ops 10 2>&1); rc=$?; set -e
  echo "    $out"
  check "FAT$fat: FRAG.VM is refused as fragmented" \
    test "$rc" = 3 -a -n "$(echo "$out" | grep fragmented)"
  set +e; out=$("$run" "$img" ramfile.vm --size 2000000 --ops 10 2>&1); rc=$?; set -e
  check "FAT$fat: a pool larger than the file is refused" \
    test "$rc" = 3 -a -n "$(echo "$out" | grep smaller)"
  check "FAT$fat: fsck.fat -n clean at the end" fsck_clean "$img"
done

echo "== a partitioned card: MBR, FAT16 partition at sector 2048"
part="$work/part.fs"
rm -f "$part"
mkfs.fat -C -F 16 -s 1 "$part" 8192 >/dev/null
mcopy -i "$part" "$work/user.dat" ::USER.DAT
mcopy -i "$part" "$work/pool.bin" ::RAMFILE.VM
python3 - "$work/part.img" "$part" <<'PY'
import struct, sys
out, fs = sys.argv[1], open(sys.argv[2], 'rb').read()
mbr = bytearray(512)
mbr[446:462] = struct.pack('<BBBBBBBBII', 0, 0, 0, 0, 0x06, 0, 0, 0, 2048, len(fs) // 512)
mbr[510:512] = b'\x55\xaa'
open(out, 'wb').write(bytes(mbr) + bytes(2047 * 512) + fs)
PY
check "MBR: workload on the partition's RAMFILE.VM" "$run" "$work/part.img" RAMFILE.VM --ops 1000
dd if="$work/part.img" of="$part" bs=512 skip=2048 status=none
check "MBR: USER.DAT identical" cmp <(mtype -i "$part" ::USER.DAT) "$work/user.dat"
check "MBR: fsck.fat -n clean" fsck_clean "$part"

[ "$fail" = 0 ] && echo PASS || echo FAIL
exit "$fail"
