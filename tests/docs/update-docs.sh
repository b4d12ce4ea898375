#!/bin/bash
# update-docs.sh - regenerates everything the docs tests compare: the figures
# (render-figures.sh) and the expected outputs of the commands and runnable
# examples shown in the manual and the README, and of the command-line tests
# in tests/cli (check_manual.py --update).
# Run it as `ninja -C BUILD update-docs` after a change that moves a reported
# figure, then review `git diff` and commit. The size table has its own
# command: target/size-report.sh --update README.md.
# Usage: update-docs.sh RENDER VMSIM VMBENCH SRCDIR CHECK_MANUAL BUILDDIR [CHECK ARGS...]
set -eu -o pipefail
render=$1 vmsim=$2 vmbench=$3 src=$4 check=$5 build=$6
shift 6
"$render" "$vmsim" "$vmbench" "$src"
python3 "$check" --src "$src" --build "$build" --update --only code --only commands "$@" >/dev/null || true
python3 "$check" --src "$src" --build "$build" --update --only commands --timeout 300 README.md \
    $(cd "$src" && ls tests/cli/*.md) >/dev/null || true
# What still differs after the update (a command that fails, a changed exit code):
python3 "$check" --src "$src" --build "$build" --only code --only commands "$@" | tail -n 1
python3 "$check" --src "$src" --build "$build" --only commands --timeout 300 README.md \
    $(cd "$src" && ls tests/cli/*.md) | tail -n 1
git -C "$src" status --short -- docs README.md tests/cli 2>/dev/null || true
