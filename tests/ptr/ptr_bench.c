/*
 * ptr_bench.c - instructions per element access, C side. Not a test: run it
 * under callgrind (ptr_bench.sh) as `ptr_bench_c MODE N` and take
 * (Ir(N) - Ir(0)) / N. Every mode does N one-byte accesses to a resident
 * page (the hot page), index i & 63 inside one 64-byte page:
 *   raw-get / raw-set    vm_get8 / vm_set8 (the untyped accessors)
 *   typed-get / typed-set  u8p_get / u8p_set (vm_ptr.h)
 *   typed32-get / typed32-set  u32p_get / u32p_set, 4-byte elements
 *   ram-get / ram-set    a plain RAM array (the loop's own cost)
 * The sum is printed so that nothing is optimised away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_ptr.h"
#include "vm_ram.h"

VM_PTR_DECLARE(u8p, uint8_t);
VM_PTR_DECLARE(u32p, uint32_t);

#define POOL 4096u
static uint8_t mem[POOL];
static struct vm_ram ram;
VM_STORAGE(static, bench, 64, 4);
static struct vm vm;
static uint8_t plain[64];

#define NOINLINE __attribute__((noinline))

static NOINLINE uint32_t raw_get(struct vm *v, vm_addr_t base, long n)
{
    uint32_t s = 0;
    long i;
    for (i = 0; i < n; i++) {
        uint8_t x = 0;
        vm_get8(v, base + (vm_addr_t)(i & 63), &x);
        s += x;
    }
    return s;
}
static NOINLINE uint32_t raw_set(struct vm *v, vm_addr_t base, long n)
{
    long i;
    for (i = 0; i < n; i++)
        vm_set8(v, base + (vm_addr_t)(i & 63), (uint8_t)i);
    return 0;
}
static NOINLINE uint32_t typed_get(struct vm *v, u8p p, long n)
{
    uint32_t s = 0;
    long i;
    for (i = 0; i < n; i++) {
        uint8_t x = 0;
        u8p_get(v, p, (vm_addr_t)(i & 63), &x);
        s += x;
    }
    return s;
}
static NOINLINE uint32_t typed_set(struct vm *v, u8p p, long n)
{
    long i;
    for (i = 0; i < n; i++)
        u8p_set(v, p, (vm_addr_t)(i & 63), (uint8_t)i);
    return 0;
}
static NOINLINE uint32_t typed32_get(struct vm *v, u32p p, long n)
{
    uint32_t s = 0;
    long i;
    for (i = 0; i < n; i++) {
        uint32_t x = 0;
        u32p_get(v, p, (vm_addr_t)(i & 15), &x);
        s += x;
    }
    return s;
}
static NOINLINE uint32_t typed32_set(struct vm *v, u32p p, long n)
{
    long i;
    for (i = 0; i < n; i++)
        u32p_set(v, p, (vm_addr_t)(i & 15), (uint32_t)i);
    return 0;
}
static NOINLINE uint32_t ram_get(volatile uint8_t *p, long n)
{
    uint32_t s = 0;
    long i;
    for (i = 0; i < n; i++)
        s += p[i & 63];
    return s;
}
static NOINLINE uint32_t ram_set(volatile uint8_t *p, long n)
{
    long i;
    for (i = 0; i < n; i++)
        p[i & 63] = (uint8_t)i;
    return 0;
}

int main(int argc, char **argv)
{
    struct vm_config cfg;
    const char *mode;
    long n;
    uint32_t s = 0;
    vm_addr_t base = 1024;
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODE N (MODE: raw-get raw-set typed-get typed-set "
                        "typed32-get typed32-set ram-get ram-set)\n", argv[0]);
        return 2;
    }
    mode = argv[1];
    n = strtol(argv[2], NULL, 10);
    memset(&cfg, 0, sizeof cfg);
    vm_ram_init(&ram, mem, POOL);
    cfg.backend = &ram.backend;
    cfg.page_size = 64;
    cfg.page_count = 4;
    cfg.pages = bench_pages;
    cfg.pages_size = sizeof bench_pages;
    cfg.slots = bench_slots;
    cfg.slot_count = 4;
    if (vm_init(&vm, &cfg) != VM_OK)
        return 1;
    /* Make the page resident, fully valid and dirty: the hot page for both
     * reads and writes. */
    if (vm_memset(&vm, base, 1, 64) != VM_OK || vm_set8(&vm, base, 1) != VM_OK)
        return 1;
    if (!strcmp(mode, "raw-get"))
        s = raw_get(&vm, base, n);
    else if (!strcmp(mode, "raw-set"))
        s = raw_set(&vm, base, n);
    else if (!strcmp(mode, "typed-get"))
        s = typed_get(&vm, u8p_at(base), n);
    else if (!strcmp(mode, "typed-set"))
        s = typed_set(&vm, u8p_at(base), n);
    else if (!strcmp(mode, "typed32-get"))
        s = typed32_get(&vm, u32p_at(base), n);
    else if (!strcmp(mode, "typed32-set"))
        s = typed32_set(&vm, u32p_at(base), n);
    else if (!strcmp(mode, "ram-get"))
        s = ram_get(plain, n);
    else if (!strcmp(mode, "ram-set"))
        s = ram_set(plain, n);
    else {
        fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], mode);
        return 2;
    }
    printf("%s %ld sum %lu misses %lu\n", mode, n, (unsigned long)s,
           (unsigned long)vm_stats(&vm)->misses);
    return 0;
}
