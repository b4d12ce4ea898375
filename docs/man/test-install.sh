#!/bin/bash
# test-install.sh BUILDDIR CC: `meson install` into a staging folder, then
# check the tree (the tools, their man pages, the headers, the static
# library, vmem.pc, the scenarios), build a small program against
# `pkg-config vmem` and run it, and run the installed tools.
set -eu -o pipefail
build=$1 cc=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
    'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["prefix"], o["bindir"], o["libdir"], o["includedir"], o["datadir"], o["mandir"], o.get("b_sanitize", "none"))')
read -r pre bindir libdir incdir datadir mandir sanitize <<< "$prefix"
# A sanitizer build installs an instrumented library: link with the same runtime.
san=()
[ "$sanitize" = none ] || san=(-fsanitize="$sanitize")
root=$stage$pre
echo "installed tree (under $pre):"
(cd "$root" && find . -type f | sed 's|^\./||' | sort | grep -v '^share/vmem/scenarios/' ; \
    echo "share/vmem/scenarios/: $(find share/vmem/scenarios -type f | wc -l) files")
bad=0
need() { [ -e "$root/$1" ] || { echo "missing: $1"; bad=1; }; }
for t in vmsim vmbench vmtrace vmserve vmserve-ping; do
    need "$bindir/$t"
    need "$mandir/man1/$t.1"
done
# vmavr is built (and installed) when libsimavr is found.
if [ -x "$build/vmavr/vmavr" ]; then need "$bindir/vmavr"; need "$mandir/man1/vmavr.1"; fi
for h in vm.h vm_config.h vm_ram.h vm_ptr.h; do need "$incdir/vmem/$h"; done
need "$libdir/libvmcore.a"
need "$libdir/libvmram.a"
need "$libdir/pkgconfig/vmem.pc"
need "$datadir/vmem/scenarios/matrix.json"
need "$datadir/vmem/scenarios/workloads/zipf.json"
[ $bad = 0 ] || exit 1

# A program built against the installed library, found by pkg-config.
export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_PATH=$root/$libdir/pkgconfig PKG_CONFIG_LIBDIR=
cat > "$stage/hello.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <vm.h>
#include <vm_ram.h>

VM_STORAGE(static, cache, 64, 4);
static uint8_t store[4096];

int main(void)
{
    struct vm vm;
    struct vm_ram ram;
    struct vm_config cfg;
    char back[6] = "";
    memset(&cfg, 0, sizeof cfg);
    vm_ram_init(&ram, store, sizeof store);
    cfg.backend = &ram.backend;
    cfg.page_size = 64;
    cfg.pages = cache_pages;
    cfg.pages_size = sizeof cache_pages;
    cfg.slots = cache_slots;
    cfg.slot_count = 4;
    if (vm_init(&vm, &cfg) != VM_OK || vm_write(&vm, 1000, "hello", 6) != VM_OK ||
        vm_flush(&vm) != VM_OK || vm_read(&vm, back, 1000, 6) != VM_OK)
        return 1;
    printf("%s from the installed vmem, %s in the backing store\n", back,
           memcmp(store + 1000, "hello", 6) == 0 ? "and" : "NOT");
    return 0;
}
C
flags=$(pkg-config --cflags --libs vmem)
echo "pkg-config --cflags --libs vmem: $flags" | sed "s|$stage||g"
$cc -std=c99 -Wall -Wextra -Werror "${san[@]}" "$stage/hello.c" $flags -o "$stage/hello"
out=$("$stage/hello")
echo "$out"
[ "$out" = "hello from the installed vmem, and in the backing store" ]

# The installed tools run, and find the installed scenarios.
"$root/$bindir/vmsim" --help >/dev/null
(cd "$stage" && "$root/$bindir/vmsim" --no-save "$root/$datadir/vmem/scenarios/matrix.json" | tail -n 1 | grep -q '^wall time')
echo "install: tree, pkg-config program and installed vmsim all OK"
