#!/bin/bash
# render-figures.sh - renders the manual's figures with vmsim's offscreen view.
#
# Usage: render-figures.sh VMSIM SRCDIR [OUTDIR]
# Reads SRCDIR/scenarios/figures/figures.txt (file, scenario, --at or '-' for
# the end, WIDTHxHEIGHT) and writes each PNG to OUTDIR (default
# SRCDIR/docs/manual/figures). Run through `ninja -C BUILD manual-figures`.
set -eu -o pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: render-figures.sh VMSIM SRCDIR [OUTDIR]" >&2
    exit 2
fi
vmsim=$(realpath "$1")
src=$(realpath "$2")
out=${3:-$src/docs/manual/figures}
mkdir -p "$out"
out=$(realpath "$out")
list=$src/scenarios/figures/figures.txt
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
n=0
lineno=0
while read -r file scen at size rest; do
    lineno=$((lineno + 1))
    case "$file" in ''|'#'*) continue ;; esac
    if [ -z "$size" ]; then
        echo "$list:$lineno: expected FILE SCENARIO AT SIZE" >&2
        exit 1
    fi
    atarg=()
    [ "$at" != - ] && atarg=(--at "$at")
    # vmsim saves no report here: --no-save, and it runs in a scratch folder.
    (cd "$out" && "$vmsim" --no-save --view-size "$size" --screenshot "$out/$file" \
        "${atarg[@]}" "$src/scenarios/figures/$scen" >/dev/null)
    n=$((n + 1))
done < "$list"
echo "render-figures: $n figures in $out"
