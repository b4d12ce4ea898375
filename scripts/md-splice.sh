#!/bin/sh
# md-splice.sh - keep a generated Markdown table between two HTML comment
# markers, `<!-- NAME:begin -->` and `<!-- NAME:end -->`, in each FILE.
# The measuring scripts (target/avr-cycles.sh, target/avr-kernels.sh,
# target/size-report.sh, target/pool-ram.sh, bench/kernels.sh, tests/ptr/ptr_bench.sh,
# tests/ptr/ptr_avr_cycles.sh) print their table to a file and call this.
# Usage: scripts/md-splice.sh NAME update|check TABLE FILE...
#   update  rewrite each FILE's text between the markers with TABLE
#   check   exit 1, with a diff, if a FILE's text differs from TABLE
#   HOW     (environment) the command, up to the file, that rewrites the table
# Exit 2 if a FILE lacks the markers or the arguments are wrong.
set -eu
[ $# -ge 4 ] || { echo "md-splice: usage: md-splice.sh NAME update|check TABLE FILE..." >&2; exit 2; }
name=$1 mode=$2 table=$3
shift 3
case $mode in update|check) ;; *) echo "md-splice: mode must be update or check, not '$mode'" >&2; exit 2 ;; esac
[ -r "$table" ] || { echo "md-splice: cannot read table $table" >&2; exit 2; }
begin="<!-- $name:begin -->"
end="<!-- $name:end -->"
new=$(mktemp)
trap 'rm -f "$new"' EXIT
rc=0
for f in "$@"; do
    grep -qxF "$begin" "$f" && grep -qxF "$end" "$f" ||
        { echo "md-splice: $f has no $begin ... $end markers" >&2; exit 2; }
    awk -v b="$begin" -v e="$end" -v t="$table" '
        $0 == b { print; while ((getline l < t) > 0) print l; skip = 1; next }
        $0 == e { skip = 0 }
        !skip { print }' "$f" >"$new"
    if [ "$mode" = update ]; then
        cmp -s "$f" "$new" || { cp "$new" "$f"; echo "$name: updated the table in $f" >&2; }
    elif ! diff -u "$f" "$new"; then
        echo "$name: $f's table is stale: rerun ${HOW:-the script that measures it, with --update,} $f" >&2
        rc=1
    fi
done
exit $rc
