#!/usr/bin/env bash
# sweep-speed.sh - vmbench sweep time, before and after, measured side by
# side in one run (the machine's load hits both alike): the README sweep
# (6 page sizes x 8 page counts x 4 policies = 192 points, 1 M-op Zipf) on
# sram:atmega328p and on ram, with --jobs 1 and --jobs 2; also `vmsim bench`
# replay speed on one trace. Reports wall and CPU seconds (user + sys), and
# checks that both builds give the same misses and bytes (simulated ns too,
# unless the clock's costs changed between them).
# Prints the load average before and after (the machine may be shared) and
# how much of the --jobs 1 wall time --jobs 2 takes.
#
#   bench/sweep-speed.sh BEFORE_BUILD AFTER_BUILD [OPS]
# e.g. bench/sweep-speed.sh /path/to/old/build build        (OPS: 1000000)
set -euo pipefail
before=$1 after=$2 ops=${3:-1000000}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cat > "$t/z.json" <<J
{"type":"zipf","seed":7,"pool_size":131072,"ops":$ops,"alpha":0.9,"access":4,"write_ratio":0.3}
J
sweep=(--gen "$t/z.json" --page-sizes 16-512 --page-counts 1,2,3,4,6,8,12,16 --quiet)

measure() { # measure LABEL OUT CMD...: prints "LABEL wall_s cpu_s peak_rss_kb"
  local label=$1 out=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$t/time" "$@" >"$out" 2>/dev/null
  read -r wall usr sys rss < "$t/time"
  printf '%-34s %8.2f %8.2f %9d\n' "$label" "$wall" "$(echo "$usr + $sys" | bc)" "$rss"
  echo "$wall" > "$t/wall-${label// /_}"
}
ratio() { # ratio LABEL_J2 LABEL_J1: wall time of --jobs 2 over --jobs 1
  printf '  %s: --jobs 2 takes %.2fx the --jobs 1 wall time\n' "$1" \
    "$(echo "$(cat "$t/wall-${1// /_}_--jobs_2") / $(cat "$t/wall-${1// /_}_--jobs_1")" | bc -l)"
}
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"; }

same() { # same A.json B.json: identical misses and bytes per point; simulated ns compared
  python3 - "$1" "$2" <<'P'
import json, sys
a, b = (json.load(open(f))["points"] for f in sys.argv[1:3])
keys = ("misses", "opt_misses", "writebacks", "bytes_read", "bytes_written")
assert len(a) == len(b)
for p, q in zip(a, b):
    for k in keys:
        assert p[k] == q[k], (p["index"], k, p[k], q[k])
nd = sum(p["time_ns"] != q["time_ns"] for p, q in zip(a, b))
print("  same misses and bytes at all %d points; simulated ns %s" % (len(a),
      "the same" if not nd else "differ at %d points (the clock's platform costs changed "
      "between the builds; tests/sim/test_fastcost.sh checks fast == exact)" % nd))
P
}

echo "vmbench README sweep, $ops ops, 192 points: before = $before, after = $after"
load
printf '%-34s %8s %8s %9s\n' "run" "wall s" "cpu s" "rss KB"
for be in sram:atmega328p ram; do
  for j in 1 2; do
    measure "before $be --jobs $j" /dev/null "$before/bench/vmbench" "${sweep[@]}" --backend "$be" --jobs "$j" --json "$t/before-$be-$j.json"
    measure "after  $be --jobs $j" /dev/null "$after/bench/vmbench" "${sweep[@]}" --backend "$be" --jobs "$j" --json "$t/after-$be-$j.json"
    same "$t/before-$be-$j.json" "$t/after-$be-$j.json"
  done
  ratio "after  $be"
done
load

echo "vmsim bench (replay speed, ram backend, $ops-op trace, pages 4 and 16, lru and sieve):"
"$after/sim/vmsim" gen "$t/z.json" "$t/z.vmt" >/dev/null
for b in before after; do
  dir=$before; [ $b = after ] && dir=$after
  echo "  $b:"
  "$dir/sim/vmsim" bench "$t/z.vmt" --pages 4,16 --policy lru,sieve | tail -n +3 | sed 's/^/    /'
done
