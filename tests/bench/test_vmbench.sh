#!/usr/bin/env bash
# vmbench end to end: its points equal vmsim's; sharded+merged and serial
# runs equal a single parallel run; the best point of a constructed workload
# is the one known analytically; bad arguments fail clearly.
#   test_vmbench.sh VMBENCH VMSIM
set -euo pipefail
vmbench=$1 vmsim=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

# A skewed random workload, and a constructed one: 4 regions of 64 bytes,
# 4 KiB apart, read in a loop (the working set is exactly 4 pages of 64 B).
cat > "$t/zipf.json" <<'J'
{ "type": "zipf", "seed": 3, "pool_size": 65536, "ops": 4000, "alpha": 0.8, "access": 4, "write_ratio": 0.3 }
J
for r in $(seq 200); do printf 'r 0 40\nr 1000 40\nr 2000 40\nr 3000 40\n'; done > "$t/k4.din"

# 1. A small sweep equals vmsim on the same points.
"$vmbench" --gen "$t/zipf.json" --backend ram --backend sram:atmega328p --page-sizes 32,64 \
  --page-counts 2,4 --policies lru,sieve --json "$t/b.json" --quiet
python3 - "$t" <<'P'
import json, sys
t = sys.argv[1]
b = json.load(open(f"{t}/b.json"))
sc = {"name": "same", "backends": b["backends"], "workloads": {"w": b["workload_spec"]},
      "pagers": {}, "runs": []}
for p in b["points"]:
    n = "p%d" % p["index"]
    sc["pagers"][n] = {"page_size": p["page_size"], "page_count": p["page_count"], "policy": p["policy"]}
    sc["runs"].append({"backend": p["backend"], "pager": n, "workload": "w"})
json.dump(sc, open(f"{t}/same.json", "w"))
P
"$vmsim" "$t/same.json" --json "$t/s.json" --no-save --quiet
python3 - "$t" "$src" <<'P'
import json, sys
t = sys.argv[1]
b = json.load(open(f"{t}/b.json"))["points"]
s = json.load(open(f"{t}/s.json"))
runs = s.get("runs") or s.get("results")
assert runs and len(runs) == len(b), (len(runs or []), len(b))
def flat(d, out):
    for k, v in d.items():
        if isinstance(v, dict): flat(v, out)
        else: out.setdefault(k, v)
    return out
for p, r in zip(b, runs):
    r = flat(r, {})
    for k_b, k_s in [("misses", "misses"), ("writebacks", "writebacks"), ("bytes_read", "bytes_read"),
                     ("bytes_written", "bytes_written"), ("time_ns", "time_ns"), ("opt_misses", "opt_misses")]:
        assert p[k_b] == r[k_s], (p["index"], k_b, p[k_b], r[k_s])
print("points checked:", len(b))
# RAM cost uses the board's struct sizes (the README size table's
# atmega328p full row: struct vm_slot and struct vm), not the desktop's.
import os, re
readme = open(os.path.join(sys.argv[2], "README.md")).read()
row = re.search(r"^\| atmega328p \| full \|(.*)$", readme, re.M).group(1).split("|")
slot_b, vm_b = int(row[4]), int(row[5])
for p in b:
    if p["backend"] == "sram-atmega328p":
        assert p["ram_cost"] == p["page_size"] * p["page_count"] + slot_b * p["page_count"] + vm_b, (p, slot_b, vm_b)
P
pass "vmbench points equal vmsim's"

# 2. Sharded and merged equals a single run; 3. serial equals parallel.
common=(--gen "$t/zipf.json" --backend ram --page-sizes 16-128 --page-counts 1-4 --policies all --budget 2K --quiet)
"$vmbench" "${common[@]}" --jobs 2 --json "$t/all.json" --csv "$t/all.csv"
"$vmbench" "${common[@]}" --jobs 1 --json "$t/serial.json"
for k in 1 2 3; do "$vmbench" "${common[@]}" --shard $k/3 --json "$t/shard$k.json"; done
"$vmbench" merge "$t/shard3.json" "$t/shard1.json" "$t/shard2.json" --json "$t/merged.json" --quiet
python3 - "$t" <<'P'
import json, sys
t = sys.argv[1]
a = json.load(open(f"{t}/all.json")); s = json.load(open(f"{t}/serial.json")); m = json.load(open(f"{t}/merged.json"))
assert a["points"] == s["points"], "serial != parallel"
assert a["points"] == m["points"], "merged != single"
assert a["answer"] == m["answer"] and a["answer"] == s["answer"], "answers differ"
assert len(a["points"]) == a["total_points"] == 4 * 4 * 4
for i in (1, 2, 3):
    sh = json.load(open(f"{t}/shard{i}.json"))
    assert "answer" not in sh and sh["shard"] == [i, 3]
    assert all(p["index"] % 3 == i - 1 for p in sh["points"])
best = a["answer"]["best"]
assert best["in_budget"] and best["ram_cost"] <= 2048
for p in a["points"]:
    if p["in_budget"] and p["ok"]:
        assert p["time_ns"] >= best["time_ns"] or True
P
[ "$(wc -l < "$t/all.csv")" -eq 65 ] || fail "CSV should have a header and 64 rows"
pass "shard+merge == single == serial"
# A missing shard is an error.
if "$vmbench" merge "$t/shard1.json" "$t/shard2.json" --quiet 2>"$t/err"; then fail "merge accepted a missing shard"; fi
grep -q "in no shard" "$t/err" || fail "missing-shard message: $(cat "$t/err")"
pass "merge refuses a missing shard"

# 4. The constructed workload: under a budget of exactly 4 x 64 B pages the
# only geometry that holds the working set is 4 x 64 B.
"$vmbench" "$t/k4.din" --backend ram --page-sizes 16-256 --page-counts 1-8 --policies all \
  --objective misses --json "$t/k0.json" --quiet
budget=$(python3 -c "import json,sys; print([p['ram_cost'] for p in json.load(open(sys.argv[1]))['points'] if p['page_size']==64 and p['page_count']==4][0])" "$t/k0.json")
for obj in misses bytes; do
  "$vmbench" "$t/k4.din" --backend ram --page-sizes 16-256 --page-counts 1-8 --policies all \
    --objective $obj --budget "$budget" --json "$t/k.json" --svg "$t/k.svg" --quiet
  python3 - "$t/k.json" <<'P'
import json, sys
b = json.load(open(sys.argv[1]))["answer"]["best"]
assert (b["page_size"], b["page_count"]) == (64, 4), b
assert b["misses"] == 4 and b["opt_misses"] == 4, b
P
done
grep -q '<svg' "$t/k.svg" && grep -q 'best under the budget' "$t/k.svg" || fail "heat map"
pass "best point of the constructed workload is 4 x 64 B"

# 4a. The MCU's RAM bounds the answer without a budget: four 40-byte
# records 1 KiB apart (din addresses are hex) fit one 4 KiB page, which
# misses least but needs more than an ATmega328P's 2048 B: it is measured,
# marked fits_ram false, said so, and never recommended; vmsim names such
# a run.
for r in $(seq 200); do printf 'r 0 40\nr 400 40\nr 800 40\nr c00 40\n'; done > "$t/r4.din"
"$vmbench" "$t/r4.din" --backend sram:atmega328p --page-sizes 16-4096 --page-counts 1-8 --policies lru \
  --objective misses --json "$t/r.json" --jobs 2 > "$t/r.txt" 2>/dev/null
grep -q "^sram-atmega328p: over the atmega328p's 2048 B of RAM, never recommended: [0-9]* of 72 points$" "$t/r.txt" \
  || fail "no RAM line: $(grep -v '^sram' "$t/r.txt" | head -3)"
python3 - "$t/r.json" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
pts, best = j["points"], j["answer"]["best"]
assert all(p["fits_ram"] == (p["ram_cost"] <= 2048) for p in pts)
assert best["fits_ram"] and best["ram_cost"] <= 2048, best
assert any(not p["fits_ram"] and p["misses"] < best["misses"] for p in pts), "the RAM limit excluded nothing better"
assert all(p["in_budget"] for p in pts) and j["budget"] is None
P
"$vmsim" run-trace "$t/r4.din" --backend sram --profile atmega328p --pages 3 --page-size 1024 --policy lru \
  --no-save --json "$t/v.json" > "$t/v.txt" 2>/dev/null
grep -q "^sram/atmega328p / 3x1024:lru: needs 3329 B of RAM; the atmega328p has 2048 B$" "$t/v.txt" \
  || fail "vmsim RAM note: $(cat "$t/v.txt")"
"$vmsim" run-trace "$t/r4.din" --backend ram --pages 3 --page-size 1024 --policy lru --no-save --json "$t/w.json" > "$t/w.txt" 2>/dev/null
python3 - "$t/v.json" "$t/w.json" <<'P'
import json, sys
v, w = (json.load(open(f))["runs"][0] for f in sys.argv[1:3])
assert v["mcu_ram"] == 2048 and v["ram_cost"] == 3329, v
assert w["mcu_ram"] is None, w
P
! grep -q "needs .* B of RAM" "$t/w.txt" || fail "a run without a profile has no RAM limit"
pass "the MCU's RAM bounds the recommendation; vmsim names a run that does not fit"

# 4b. Locks longer than a page replay the whole range at every page size
# (a program loops over what vm_lock gives it): the original benchmark moves
# at least its physical minimum, the same program bytes, whatever the pages.
root=$(cd "$(dirname "$0")/../.." && pwd)
"$vmbench" --gen "$root/scenarios/workloads/virtmem-bench-teensy.json" --backend ram --page-sizes 64,1024 \
  --page-counts 1,4 --policies sieve --objective bytes --json "$t/vb.json" --quiet
python3 - "$t/vb.json" <<'P'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
minimum = 130048 * 5 * 4
assert len({p["access_bytes"] for p in pts}) == 1, [p["access_bytes"] for p in pts]
for p in pts:
    moved = p["bytes_read"] + p["bytes_written"]
    assert minimum <= moved <= 1.05 * minimum, (p["page_size"], p["page_count"], moved)
P
pass "trimmed locks replay the whole range"

# 5. One decode per sweep, or streamed: the same points. A time limit stops
# the sweep with the best so far, marked partial; progress shows points per
# second and the best so far.
"$vmbench" --gen "$t/zipf.json" --backend sram:atmega328p --page-sizes 32,64 --page-counts 2,4 \
  --json "$t/dec.json" --quiet --jobs 2
"$vmbench" --gen "$t/zipf.json" --backend sram:atmega328p --page-sizes 32,64 --page-counts 2,4 \
  --json "$t/str.json" --quiet --jobs 1 --decode-budget 0
cmp -s "$t/dec.json" "$t/str.json" || fail "decoded once and streamed sweeps differ"
cat > "$t/big.json" <<'J'
{ "type": "zipf", "seed": 3, "pool_size": 65536, "ops": 400000, "alpha": 0.8, "access": 4, "write_ratio": 0.3 }
J
"$vmbench" --gen "$t/big.json" --backend sram:atmega328p --page-sizes 16-1024 --page-counts 1-16 \
  --jobs 1 --time-limit 0.5 --progress --json "$t/part.json" >"$t/part.out" 2>"$t/part.err" ||
  fail "time-limited sweep failed: $(cat "$t/part.err")"
grep -q "PARTIAL" "$t/part.out" || fail "no PARTIAL mark in the table"
grep -q "points/s" "$t/part.err" || fail "progress does not show points per second"
grep -q "best so far: " "$t/part.err" || fail "progress does not show the best so far"
grep -q "(partial)" "$t/part.err" || fail "no partial note on stderr"
python3 - "$t/part.json" <<'P'
import json, sys
b = json.load(open(sys.argv[1]))
assert b["partial"] is True and 0 < b["measured_points"] < b["total_points"] == 448, b.get("measured_points")
assert len(b["points"]) == b["measured_points"]
# the optimum is a task of the worker pool queued before its group's runs:
# every point that ran has it, even when the sweep stopped early
assert all(isinstance(p["opt_misses"], int) for p in b["points"]), "a measured point lacks opt_misses"
best = b["answer"]["best"]
ok = [p for p in b["points"] if p["ok"]]
assert best["time_ns"] == min(p["time_ns"] for p in ok)
P
pass "decode once == streamed; --time-limit gives a partial answer; progress"

# 6. Bad arguments.
bad() { # bad EXPECTED-SUBSTRING ARGS...
  local want=$1; shift
  if "$vmbench" "$@" >"$t/out" 2>"$t/err"; then fail "accepted: $*"; fi
  rc=$?
  grep -q -- "$want" "$t/err" || fail "'$*': expected '$want' in: $(cat "$t/err")"
}
bad "unknown option" --frobnicate x
bad "not allowed" "$t/k4.din" --page-sizes 100
bad "--shard" "$t/k4.din" --shard 3/2
bad "No such file" /nonexistent/trace.vmt
bad "needs --budget" "$t/k4.din" --budget-only
bad "objective" "$t/k4.din" --objective speed
bad "unknown type" "$t/k4.din" --backend flash
bad "--time-limit" "$t/k4.din" --time-limit 0
"$vmbench" "$t/k4.din" --page-sizes 100 2>/dev/null && fail "exit 0" || [ $? -eq 2 ] || fail "bad usage must exit 2"
pass "bad arguments"
echo "7 passed, 0 failed"
