#!/bin/bash
# test_figures.sh - the committed figures of the manual and the README are
# current: renders them again into a scratch folder and compares them byte for
# byte (vmsim's offscreen view and vmbench's SVG are deterministic).
# Usage: test_figures.sh RENDER-SCRIPT VMSIM VMBENCH SRCDIR
set -eu -o pipefail
render=$1 vmsim=$2 vmbench=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$render" "$vmsim" "$vmbench" "$src" "$tmp" 2>/dev/null
bad=0 n=0
while read -r rel; do
    n=$((n + 1))
    if ! cmp -s "$tmp/$rel" "$src/$rel"; then
        echo "$rel is stale or missing: run 'ninja -C BUILD update-docs' (or manual-figures) and commit it"
        bad=1
    fi
done < <(cd "$tmp" && find . -type f | sed 's|^\./||' | sort)
for f in "$src"/docs/manual/figures/* "$src"/docs/img/*; do
    rel=${f#"$src"/}
    [ -e "$tmp/$rel" ] || { echo "$rel: not in scenarios/figures/figures.txt"; bad=1; }
done
# The list, for the record: file, tool, scenario or workload.
grep -v '^#' "$src/scenarios/figures/figures.txt" | awk 'NF { w = $3; for (i = 3; i <= NF; i++) if ($i ~ /\.json$/) { w = $i; break } print "  " $1 " <- " $2 " " w }'
echo "figures: $n rendered and compared"
exit $bad
