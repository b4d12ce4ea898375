#!/bin/bash
# render-figures.sh - renders the manual's figures: live-view screenshots with
# vmsim's offscreen view, and sweep heat maps with vmbench --svg.
#
# Usage: render-figures.sh VMSIM VMBENCH SRCDIR [OUTDIR]
# Reads SRCDIR/scenarios/figures/figures.txt (format in its header) and
# writes each file to OUTDIR (default SRCDIR/docs/manual/figures). Run it
# through `ninja -C BUILD manual-figures`; tests/docs/test_figures.sh renders
# into a scratch folder and compares.
set -eu -o pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: render-figures.sh VMSIM VMBENCH SRCDIR [OUTDIR]" >&2
    exit 2
fi
vmsim=$(realpath "$1")
vmbench=$(realpath "$2")
src=$(realpath "$3")
out=${4:-$src/docs/manual/figures}
mkdir -p "$out"
out=$(realpath "$out")
list=$src/scenarios/figures/figures.txt
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
n=0
lineno=0
while read -r file tool rest; do
    lineno=$((lineno + 1))
    case "$file" in ''|'#'*) continue ;; esac
    case "$tool" in
    vmsim)
        read -r scen at size _ <<< "$rest"
        if [ -z "${size:-}" ]; then
            echo "$list:$lineno: expected FILE vmsim SCENARIO AT SIZE" >&2
            exit 1
        fi
        atarg=()
        [ "$at" != - ] && atarg=(--at "$at")
        # --no-save, and a scratch working folder: vmsim leaves no report behind.
        (cd "$out" && "$vmsim" --no-save --view-size "$size" --screenshot "$out/$file" \
            "${atarg[@]}" "$src/scenarios/figures/$scen" >/dev/null)
        ;;
    vmbench)
        # Relative paths, from the source tree, so the SVG names the workload
        # the same way on every machine.
        read -r -a args <<< "$rest"
        (cd "$src" && "$vmbench" "${args[@]}" --svg "$out/$file" --quiet)
        echo "vmbench: sweep written to $out/$file" >&2
        ;;
    *)
        echo "$list:$lineno: unknown tool '$tool' (vmsim or vmbench)" >&2
        exit 1
        ;;
    esac
    n=$((n + 1))
done < "$list"
echo "render-figures: $n figures in $out"
