# avr-common.sh - the AVR measuring setup that target/avr-cycles.sh,
# target/avr-kernels.sh and target/cpu-costs.sh share; sourced, not run.
#
# The caller sets here (this folder) and root (the repository) first, then
# sources this file with its own name as the argument (for messages). It
# exits 77 if avr-gcc or simavr is missing, and gives:
#   $tmp            a temporary folder, removed on exit
#   pager_src       the pager's sources and vm_ram, as every build compiles them
#   avr_flags       avr-gcc flags: atmega328p at 16 MHz, C99 -pedantic, warnings
#                   as errors, -Os with unused sections dropped, VM_CONFIG_STRERROR=0
#                   (its strings would take RAM)
#   avr_cxx_flags   the same for avr-g++: C++11, no exceptions, no RTTI (as
#                   the sketches build); compile with -c and link the object
#                   into avr_run's firmware by naming it among its FLAGS
#   avr_run NAME FIRMWARE.c SECONDS [FLAGS...]
#                   build FIRMWARE.c with the pager (and FLAGS) into $tmp/NAME.elf,
#                   run it under simavr (target/simavr-run.sh) and keep its output
#                   in $tmp/NAME.txt; exit 1 with that output if it fails
#   core_rev        prints the last commit that changed core/ (stable across
#                   unrelated commits), for the headers of generated files
avr_script=$1
for tool in avr-gcc simavr; do
  command -v "$tool" >/dev/null ||
    { echo "$avr_script: SKIP: $tool not found (scripts/deps.sh installs it)" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pager_src=()
for f in "$root"/core/vm*.c; do pager_src+=("$f"); done
pager_src+=("$root/backends/ram/vm_ram.c")
avr_flags=(-mmcu=atmega328p -DF_CPU=16000000UL -std=c99 -pedantic -Wall -Wextra -Werror -Os
           -ffunction-sections -fdata-sections -Wl,--gc-sections
           -I"$root/core" -I"$root/backends/ram" -I"$root/bench" -I"$here" -DVM_CONFIG_STRERROR=0)
avr_cxx_flags=("${avr_flags[@]/#-std=c99/-std=c++11}" -fno-exceptions -fno-rtti)

avr_run() { # name firmware.c seconds [flags...]
  local name=$1 src=$2 secs=$3; shift 3
  avr-gcc "${avr_flags[@]}" "$@" "$src" "${pager_src[@]}" -o "$tmp/$name.elf"
  if ! "$here/simavr-run.sh" atmega328p "$tmp/$name.elf" "$secs" >"$tmp/$name.txt"; then
    cat "$tmp/$name.txt" >&2
    echo "$avr_script: the $name firmware did not finish" >&2
    exit 1
  fi
}

core_rev() {
  local rev
  rev=$(git -C "$root" log -1 --format=%h -- core 2>/dev/null || true)
  [ -n "$rev" ] || rev=unknown
  if [ "$rev" != unknown ] && ! git -C "$root" diff --quiet HEAD -- core 2>/dev/null; then
    rev="$rev + uncommitted changes in core/"
  fi
  echo "$rev"
}
