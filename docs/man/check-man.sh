#!/bin/bash
# check-man.sh TOOL PAGE: the man page is current with the tool's --help:
# every option --help lists appears in the page, and so do its usage lines.
set -eu -o pipefail
tool=$1 page=$2
help=$("$tool" --help 2>&1)
# The page as text: groff escapes for '-' undone, font changes dropped.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page")
missing=0 n=0
for opt in $(grep -o -- '--[a-z][a-z0-9-]*' <<< "$help" | sort -u); do
    n=$((n + 1))
    grep -q -- "$opt" <<< "$text" || { echo "$page: $opt (in --help) is missing"; missing=1; }
done
first=$(head -n 1 <<< "$help" | sed 's/^usage: //I')
grep -qF -- "$first" <<< "$text" || { echo "$page: usage line '$first' is missing"; missing=1; }
echo "$(basename "$page"): $n options of --help all present" >&2
[ $missing = 0 ] || echo "regenerate: ninja -C BUILD (the pages are built from --help)"
exit $missing
