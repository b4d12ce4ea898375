#!/usr/bin/env bash
# sketch_sd.sh - run an SD example sketch on the host (sketch_host.cpp) on a
# card made the way a user makes one: mkfs.fat, then mcopy of a user file
# (USER.DAT) and, with --pool-file, of a 1 MiB RAMFILE.VM (else the sketch
# must create it). Afterwards the user file must come back byte for byte
# (mtype), RAMFILE.VM must be 1 MiB and hold the demonstration's bytes
# ('A' x 1000 with 'B' at index 1, at pool address 4), and fsck.fat -n must
# find nothing to fix.
#
# With --missing, the card has no RAMFILE.VM and the sketch does not create
# it: start() must fail with VM_FAT_ERR_NOFILE (-33), the sketch must go on
# without crashing and print that error, and the card image must come back
# byte for byte unchanged.
#
# Usage: sketch_sd.sh SKETCH_EXE WORKDIR [--pool-file | --missing]
# Exit 77 (skipped) when dosfstools or mtools is missing.
set -euo pipefail
exe=${1:?usage: sketch_sd.sh SKETCH_EXE WORKDIR [--pool-file]}
work=${2:?usage: sketch_sd.sh SKETCH_EXE WORKDIR [--pool-file]}
for t in mkfs.fat mcopy mtype mdir fsck.fat; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not found (scripts/deps.sh installs dosfstools and mtools)"; exit 77; }
done
export MTOOLS_SKIP_CHECK=1
rm -rf "$work"
mkdir -p "$work"
img=$work/card.img
mkfs.fat -C -F 16 -s 1 -n VMEM "$img" 8192 >/dev/null
head -c 50000 /dev/urandom >"$work/user.dat"
mcopy -i "$img" "$work/user.dat" ::USER.DAT
if [ "${3:-}" = --pool-file ]; then
  head -c 1048576 /dev/zero >"$work/ramfile.vm"
  mcopy -i "$img" "$work/ramfile.vm" ::RAMFILE.VM
fi
fail=0
if [ "${3:-}" = --missing ]; then
  before=$(md5sum <"$img")
  set +e; out=$("$exe" "$img" 2>&1); set -e
  echo "$out" | grep -E "pool error|str\[" || true
  if echo "$out" | grep -q "pool error: -33"; then echo "ok: start() failed with -33 (no pool file) and the sketch went on"
  else echo "FAILED: no 'pool error: -33'"; fail=1; fi
  if [ "$(md5sum <"$img")" = "$before" ]; then echo "ok: the card is byte for byte unchanged"
  else echo "FAILED: the card changed"; fail=1; fi
  [ "$fail" = 0 ] && echo "PASS (card)" || echo "FAIL (card)"
  exit "$fail"
fi
"$exe" "$img" || fail=1
echo "--- the card afterwards"
mdir -i "$img" :: | sed 's/^/    /'
if cmp <(mtype -i "$img" ::USER.DAT) "$work/user.dat"; then
  echo "ok: USER.DAT is byte-identical (mtype)"
else
  echo "FAILED: USER.DAT changed"; fail=1
fi
mcopy -n -i "$img" ::RAMFILE.VM "$work/back.vm"
if python3 - "$work/back.vm" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
want = b'A' + b'B' + b'A' * 998
sys.exit(0 if len(d) == 1048576 and d[4:1004] == want else 1)
PY
then echo "ok: RAMFILE.VM is 1 MiB and holds the demonstration's bytes (mcopy)"
else echo "FAILED: RAMFILE.VM"; fail=1
fi
if out=$(fsck.fat -n "$img" 2>&1); then
  echo "$out" | sed 's/^/    /'
  echo "ok: fsck.fat -n finds nothing to fix"
else
  echo "$out"; echo "FAILED: fsck.fat -n"; fail=1
fi
[ "$fail" = 0 ] && echo "PASS (card)" || echo "FAIL (card)"
exit "$fail"
