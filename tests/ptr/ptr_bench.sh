#!/bin/sh
# ptr_bench.sh BUILDDIR [N] - instructions per one-byte access on a resident
# page, C typed pointers and C++ VPtr next to the untyped vm_get8/vm_set8,
# measured with callgrind as (Ir(loop N) - Ir(loop 0)) / N. Each figure
# includes the loop's own instructions (the ram-* rows show that part).
# Usage: tests/ptr/ptr_bench.sh BUILDDIR [N]        print the figures
#        tests/ptr/ptr_bench.sh --update BUILDDIR FILE...
#        tests/ptr/ptr_bench.sh --check BUILDDIR FILE...
# --update rewrites FILE's table (between <!-- ptr-bench:begin/end -->, in
# docs/pointers.md) and --check exits 1 if it is stale (test ptr-bench-doc);
# both use N = 20000: the counts are whole instructions per access, so any N
# rounds to the same table. Exit 77 if valgrind is missing.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=print
case "${1:-}" in
    --update|--check) mode=${1#--}; shift
        [ $# -ge 2 ] || { echo "ptr_bench: --$mode needs BUILDDIR and a file" >&2; exit 2; } ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
b=${1:?usage: ptr_bench.sh BUILDDIR [N]}/tests/ptr
shift
if [ "$mode" = print ]; then n=${1:-100000}; else n=20000; fi
command -v valgrind >/dev/null || { echo "valgrind not found: skipped" >&2; exit 77; }
ir() { # program mode count -> total Ir
    f=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$f" "$1" "$2" "$3" >/dev/null 2>&1
    awk '/^summary:/ {print $2}' "$f"
    rm -f "$f"
}
out=$(mktemp)
trap 'rm -f "$out" "$out.md"' EXIT
{
printf '%-12s %12s\n' mode 'Ir/access'
for m in ram-get raw-get typed-get typed32-get ram-set raw-set typed-set typed32-set; do
    a=$(ir "$b/ptr_bench_c" $m 0); z=$(ir "$b/ptr_bench_c" $m "$n")
    awk -v m=$m -v a=$a -v z=$z -v n=$n 'BEGIN { printf "%-12s %12.2f\n", m, (z - a) / n }'
done
if [ -x "$b/ptr_bench_cpp" ]; then
    for m in cpp-get cpp-set cpp-walk fixed-get fixed-set; do
        a=$(ir "$b/ptr_bench_cpp" $m 0); z=$(ir "$b/ptr_bench_cpp" $m "$n")
        awk -v m=$m -v a=$a -v z=$z -v n=$n 'BEGIN { printf "%-12s %12.2f\n", m, (z - a) / n }'
    done
fi
} >"$out"
[ "$mode" = print ] && { cat "$out"; exit 0; }
awk '
    NR > 1 { v[$1] = sprintf("%.0f", $2) }
    function row(label, r, w) { printf "| %s | %s | %s |\n", label, r == "" ? "" : v[r], v[w] }
    END {
        print "| Access | read | write |"
        print "|---|---|---|"
        row("plain RAM array (loop only)", "ram-get", "ram-set")
        row("`vm_get8` / `vm_set8` (untyped)", "raw-get", "raw-set")
        row("`u8p_get` / `u8p_set` (C typed)", "typed-get", "typed-set")
        row("`u32p_get` / `u32p_set` (4-byte element)", "typed32-get", "typed32-set")
        row("`p[i]` (C++ `VPtr<uint8_t>`)", "cpp-get", "cpp-set")
        row("`p[i]` (C++ `VPtr<uint8_t, Fast>`, `Fast` = `VMEM_FIXED(store)`)", "fixed-get", "fixed-set")
        printf "| %s | | %s |\n", "`*q++ = v` (C++ pointer walk)", v["cpp-walk"]
    }' "$out" >"$out.md"
HOW="tests/ptr/ptr_bench.sh --update BUILDDIR" "$root/scripts/md-splice.sh" ptr-bench "$mode" "$out.md" "$@"
