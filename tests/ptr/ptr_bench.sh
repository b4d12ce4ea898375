#!/bin/sh
# ptr_bench.sh BUILDDIR [N] - instructions per one-byte access on a resident
# page, C typed pointers and C++ VPtr next to the untyped vm_get8/vm_set8,
# measured with callgrind as (Ir(loop N) - Ir(loop 0)) / N. Each figure
# includes the loop's own instructions (the ram-* rows show that part).
set -eu
b=${1:?usage: ptr_bench.sh BUILDDIR [N]}/tests/ptr
n=${2:-100000}
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 1; }
ir() { # program mode count -> total Ir
    f=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$f" "$1" "$2" "$3" >/dev/null 2>&1
    awk '/^summary:/ {print $2}' "$f"
    rm -f "$f"
}
printf '%-12s %12s\n' mode 'Ir/access'
for m in ram-get raw-get typed-get typed32-get ram-set raw-set typed-set typed32-set; do
    a=$(ir "$b/ptr_bench_c" $m 0); z=$(ir "$b/ptr_bench_c" $m "$n")
    awk -v m=$m -v a=$a -v z=$z -v n=$n 'BEGIN { printf "%-12s %12.2f\n", m, (z - a) / n }'
done
if [ -x "$b/ptr_bench_cpp" ]; then
    for m in cpp-get cpp-set cpp-walk; do
        a=$(ir "$b/ptr_bench_cpp" $m 0); z=$(ir "$b/ptr_bench_cpp" $m "$n")
        awk -v m=$m -v a=$a -v z=$z -v n=$n 'BEGIN { printf "%-12s %12.2f\n", m, (z - a) / n }'
    done
fi
