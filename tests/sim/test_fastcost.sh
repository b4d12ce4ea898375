#!/usr/bin/env bash
# The fast path is the same timing: every scenario in scenarios/ and a
# vmbench sweep over every backend type, run with the byte-exact device
# models (--exact) and with the default fast path, must give identical
# reports: misses, write-backs, bytes, simulated ns, every counter of every
# run and phase. No bound is allowed: the comparison is byte for byte.
# The reports do not say which path ran (they are the same); that the fast
# path is taken where a device has one is checked by a counter in
# tests/sim/test_replay.c (fast_path_taken_and_exact,
# periodic_link_fast_and_exact): ram, sram and serial over an FTDI-style
# link, without faults, price each call shape once; serial over a
# free-running bridge tick (uno-8u2) or USB frames (cdc) prices each call
# shape once per phase against that period; sd answers the card's token and
# busy polls and its data blocks in closed form on the bus. Any device with
# injected faults keeps the byte-exact models: those rows compare the exact
# path with itself.
#   test_fastcost.sh VMSIM VMBENCH SCENARIO_DIR
set -euo pipefail
vmsim=$1 vmbench=$2 scen=$3
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

n=0
for s in "$scen"/*.json; do
  name=$(basename "$s" .json)
  rc=0; "$vmsim" "$s" --exact --quiet --no-save --jobs 2 --json "$t/$name.exact.json" || rc=$?
  rf=0; "$vmsim" "$s" --quiet --no-save --jobs 2 --json "$t/$name.fast.json" || rf=$?
  [ "$rc" = "$rf" ] || fail "$name: exit $rc with --exact, $rf fast"
  cmp -s "$t/$name.exact.json" "$t/$name.fast.json" ||
    { diff "$t/$name.exact.json" "$t/$name.fast.json" | head -20; fail "$name: fast and exact reports differ"; }
  runs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$t/$name.exact.json")
  n=$((n + runs))
done
[ "$n" -gt 0 ] || fail "no scenario runs found in $scen"
pass "every scenario ($n runs): fast == exact, byte for byte"

# A sweep over every backend type and both SRAM platforms, with partial
# write-backs (writes), page sizes from 16 to 512 and every policy.
cat > "$t/zipf.json" <<'J'
{ "type": "zipf", "seed": 11, "pool_size": 200000, "ops": 6000, "alpha": 0.9, "access": 4, "write_ratio": 0.3 }
J
args=(--gen "$t/zipf.json" --backend ram --backend sram:atmega328p --backend sram:teensy32,chip=23k256
      --backend sd:teensy32 --backend sd:atmega328p,access=stream,card=slow-worn
      --backend serial:atmega328p,link=ftdi-1ms --backend serial:teensy32,link=ftdi-16ms
      --backend serial:atmega328p,link=uno-8u2 --backend serial:teensy32,link=cdc
      --page-sizes 16,64,512 --page-counts 1,3,8 --quiet --jobs 2)
"$vmbench" "${args[@]}" --exact --json "$t/b.exact.json"
"$vmbench" "${args[@]}" --json "$t/b.fast.json"
cmp -s "$t/b.exact.json" "$t/b.fast.json" ||
  { diff "$t/b.exact.json" "$t/b.fast.json" | head -20; fail "vmbench sweep: fast and exact differ"; }
python3 - "$t/b.fast.json" <<'P'
import json, sys
b = json.load(open(sys.argv[1]))
pts = b["points"]
assert len(pts) == 9 * 3 * 3 * 4 and all(p["ok"] for p in pts), len(pts)
# the SRAM pool spans chips: some calls cross a chip edge (priced at their address)
assert any(p["time_ns"] > 0 for p in pts if p["backend"].startswith("sram-teensy32"))
P
pass "vmbench sweep (324 points, 9 backends): fast == exact, byte for byte"
