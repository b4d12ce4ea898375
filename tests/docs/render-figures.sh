#!/bin/bash
# render-figures.sh - renders the figures of the manual and the README:
# live-view screenshots with vmsim's offscreen view, and sweep heat maps with
# vmbench --svg.
#
# Usage: render-figures.sh VMSIM VMBENCH SRCDIR [OUTROOT]
# Reads SRCDIR/scenarios/figures/figures.txt (format in its header) and
# writes each file under OUTROOT (default SRCDIR, i.e. in place): a bare name
# to OUTROOT/docs/manual/figures/, a path with a slash to OUTROOT/PATH. Run it
# through `ninja -C BUILD manual-figures` (or update-docs);
# tests/docs/test_figures.sh renders into a scratch folder and compares.
set -eu -o pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: render-figures.sh VMSIM VMBENCH SRCDIR [OUTROOT]" >&2
    exit 2
fi
vmsim=$(realpath "$1")
vmbench=$(realpath "$2")
src=$(realpath "$3")
root=${4:-$src}
mkdir -p "$root"
root=$(realpath "$root")
list=$src/scenarios/figures/figures.txt
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
n=0
lineno=0
while read -r file tool rest; do
    lineno=$((lineno + 1))
    case "$file" in ''|'#'*) continue ;; esac
    case "$file" in
    */*) dest=$root/$file ;;
    *) dest=$root/docs/manual/figures/$file ;;
    esac
    mkdir -p "$(dirname "$dest")"
    out=$(dirname "$dest")
    case "$tool" in
    vmsim)
        read -r scen at size _ <<< "$rest"
        if [ -z "${size:-}" ]; then
            echo "$list:$lineno: expected FILE vmsim SCENARIO AT SIZE" >&2
            exit 1
        fi
        atarg=()
        [ "$at" != - ] && atarg=(--at "$at")
        case "$scen" in */*) scen=$src/$scen ;; *) scen=$src/scenarios/figures/$scen ;; esac
        # --no-save, and a scratch working folder: vmsim leaves no report behind.
        (cd "$out" && "$vmsim" --no-save --view-size "$size" --screenshot "$dest" \
            "${atarg[@]}" "$scen" >/dev/null)
        ;;
    vmbench)
        # Relative paths, from the source tree, so the SVG names the workload
        # the same way on every machine.
        read -r -a args <<< "$rest"
        (cd "$src" && "$vmbench" "${args[@]}" --svg "$dest" --quiet)
        echo "vmbench: sweep written to $dest" >&2
        ;;
    *)
        echo "$list:$lineno: unknown tool '$tool' (vmsim or vmbench)" >&2
        exit 1
        ;;
    esac
    n=$((n + 1))
done < "$list"
echo "render-figures: $n figures under $root"
