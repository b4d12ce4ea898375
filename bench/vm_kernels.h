/*
 * vm_kernels.h - the loops users write, shared by the programs that measure
 * their per-access cost: bench/vm_kernels.c (x86-64 under callgrind,
 * bench/kernels.sh) and target/kernels_avr.c (atmega328p under simavr,
 * target/avr-kernels.sh). Include it in one file of a program, and link
 * bench/vm_kernels_vptr.cpp (the vptr kernels' C++ loops) with it.
 *
 * Geometry (vm_kernels_geometry.h: the desktop's, or the atmega328p's when
 * built for the AVR; the C++ loops use the same constants): PC pages of PS
 * bytes over a POOL-byte vm_ram pool. "buffer" kernels (fill, read, copy,
 * bench) walk a BUF-byte block from vm_alloc, as the original library's
 * benchmark does: misses are included, one per page. "resident" kernels
 * work inside RES bytes (PC pages) that stay in the buffers.
 *
 * Kernels (8/16/32 = access width):
 *   fill8/16/32     ascending vm_setN over the fresh buffer
 *   read8/16/32     ascending vm_getN over it
 *   copy8/16/32     b[i] = a[i] between the buffer's two halves
 *   bench           the original's loop: write the buffer, then read it
 *   struct          read-modify-write of a 16-bit and a 32-bit field of
 *                   12-byte structs, some straddling a page boundary
 *   stride8/32      a walk that moves to the next resident page at every
 *                   access (stride = page + 4)
 *   random8/32      uniform random reads and writes (1 in 4) in the
 *                   resident set (a 16-bit xorshift generator is part of the loop)
 *   list            a linked list of 8-byte nodes in random order
 *   ptr8/ptr32      fill then read through VM_PTR typed pointers
 *   lock8           vm_lock (RO) + one read + vm_unlock of 8 bytes
 *   lockpage        the same of a whole page
 * and the same loops through the C++ wrapper (vm.hpp), as a sketch writes
 * them:
 *   vptr8/vptr32    ptr8/ptr32 through vmem::VPtr<uintN_t> p[i]
 *   vptr-copy8      copy8 as d[i] = s[i] through VPtr<uint8_t>
 *   vptr-struct     struct through VPtr<S>'s member proxies (p.member())
 * with VPtr bound to this pager at its constant address (vmem::Fixed, the
 * form for speed), and each again through plain VPtr<T>, whose pager is
 * bound at run time (the default instance): vptr8-default, vptr32-default,
 * vptr-copy8-default, vptr-struct-default.
 * Their loops are C++, in bench/vm_kernels_vptr.cpp; this file gives them
 * their pager, addresses and counts, like the C kernels.
 *
 * A program has both groups unless it defines VM_KERNELS_C or
 * VM_KERNELS_VPTR to 0 first: on the atmega328p they take two firmwares,
 * as together they do not fit its 32 KB of flash (target/avr-kernels.sh).
 */
#ifndef VM_KERNELS_H
#define VM_KERNELS_H

#include <string.h>

#include "vm.h"
#include "vm_ptr.h"
#include "vm_ram.h"
#include "vm_kernels_vptr.h"

#include "vm_kernels_geometry.h"

#ifndef VM_KERNELS_C
#define VM_KERNELS_C 1 /* the C kernels: fill8 to lockpage */
#endif
#ifndef VM_KERNELS_VPTR
#define VM_KERNELS_VPTR 1 /* the C++ ones: vptr8 to vptr-struct */
#endif

VM_PTR_DECLARE(u8p, uint8_t);
VM_PTR_DECLARE(u32p, uint32_t);

/* The pager, at a constant address (not static: the vptr kernels' fixed
 * binding names it, vm_kernels_vptr.h). */
struct vm vmk_vm;
static struct vm_ram ram;
static uint32_t page_buf[PS * PC / 4];
static struct vm_slot slots[PC];
static uint8_t bounce[PS];
static struct vm_block heap[8];
static vm_addr_t buf, res;
static volatile uint32_t sink;
static int failed;

#define OK(call)                                                               \
    do {                                                                       \
        if ((call) != VM_OK) failed = 1;                                       \
    } while (0)

/* A fresh pager over POOL zeroed bytes at store, and the two blocks. */
static int setup(uint8_t *store, unsigned policy)
{
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(store, 0, POOL);
    vm_ram_init(&ram, store, POOL);
    cfg.backend = &ram.backend;
    cfg.page_size = PS;
    cfg.page_count = PC;
    cfg.policy = (uint8_t)policy;
    cfg.pages = page_buf;
    cfg.pages_size = sizeof page_buf;
    cfg.slots = slots;
    cfg.slot_count = PC;
    cfg.bounce = bounce;
    cfg.bounce_size = sizeof bounce;
    cfg.heap = heap;
    cfg.heap_blocks = 8;
    if (vm_init(&vmk_vm, &cfg)) return -1;
#if VM_KERNELS_VPTR
    vmk_vptr_bind(&vmk_vm);
#endif
    buf = vm_alloc(&vmk_vm, BUF);
    res = vm_alloc(&vmk_vm, RES + PS); /* then aligned to a page below */
    if (!buf || !res) return -1;
    res = (res + PS - 1u) & ~(vm_addr_t)(PS - 1u);
    return 0;
}

/* The resident set: loaded and dirty, so the resident kernels measure hits. */
static void warm(void)
{
    vm_addr_t i;
    for (i = 0; i < RES; i += 4) OK(vm_set32(&vmk_vm, res + i, i * 2654435761u));
}

struct kernel {
    const char *name;
    unsigned long n; /* accesses per rep */
    void (*run)(void);
    void (*prep)(void);
};

/* Read one value of the kernel's width into its v, add it to its checksum s. */
#define GET_SUM(bits, addr)                                                    \
    do {                                                                       \
        OK(vm_get##bits(&vmk_vm, (addr), &v));                                 \
        s += v;                                                                \
    } while (0)

#define FILL(bits)                                                             \
    static void fill##bits(void)                                               \
    {                                                                          \
        vm_addr_t i;                                                           \
        for (i = 0; i < BUF; i += bits / 8)                                    \
            OK(vm_set##bits(&vmk_vm, buf + i, (uint##bits##_t)i));             \
    }
FILL(8) /* also the preparation of the kernels that read the buffer */

#if VM_KERNELS_C
/* copy8/16/32 and read8/16/32: the buffer kernels that read it. */
#define BUFFER(bits)                                                           \
    static void copy##bits(void)                                               \
    {                                                                          \
        vm_addr_t i;                                                           \
        uint##bits##_t v;                                                      \
        for (i = 0; i < BUF / 2; i += bits / 8) {                              \
            OK(vm_get##bits(&vmk_vm, buf + i, &v));                            \
            OK(vm_set##bits(&vmk_vm, buf + BUF / 2 + i, v));                   \
        }                                                                      \
    }                                                                          \
    static void read##bits(void)                                               \
    {                                                                          \
        vm_addr_t i;                                                           \
        uint32_t s = 0;                                                        \
        uint##bits##_t v;                                                      \
        for (i = 0; i < BUF; i += bits / 8) {                                  \
            GET_SUM(bits, buf + i);                                            \
        }                                                                      \
        sink = s;                                                              \
    }
BUFFER(8)
FILL(16)
BUFFER(16)
FILL(32)
BUFFER(32)

static void bench(void)
{
    fill8();
    read8();
}

/* 12-byte structs {u16 a; u16 pad; u32 b; u32 c} from res + 2, NSTRUCT of
 * them over the resident set: some straddle a page boundary. */
static void structs(void)
{
    unsigned k;
    for (k = 0; k < NSTRUCT; k++) {
        vm_addr_t p = res + 2u + 12u * k;
        uint16_t a;
        uint32_t b;
        OK(vm_get16(&vmk_vm, p, &a));
        OK(vm_set16(&vmk_vm, p, (uint16_t)(a + 1u)));
        OK(vm_get32(&vmk_vm, p + 4u, &b));
        OK(vm_set32(&vmk_vm, p + 4u, b + a));
    }
}

static uint32_t rng = 1;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* The random kernels' generator: a 16-bit xorshift (shifts 7, 9, 8; period
 * 65535: J. R. Metcalf, "16-bit xorshift pseudorandom numbers in Z80
 * assembly", and G. Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14),
 * 2003), the kind a firmware loop uses: on an AVR a 32-bit xorshift's
 * shifts by 13, 17 and 5 compile to bit loops (about 295 cycles per
 * number), more than the access the kernel measures. */
static uint16_t rng16 = 1;
static uint16_t rnd16(void)
{
    rng16 ^= (uint16_t)(rng16 << 7);
    rng16 ^= (uint16_t)(rng16 >> 9);
    rng16 ^= (uint16_t)(rng16 << 8);
    return rng16;
}

/* stride8/32 and random8/32: a resident kernel per access width. */
#define RESIDENT(bits)                                                         \
    static void stride##bits(void)                                             \
    {                                                                          \
        unsigned k;                                                            \
        vm_addr_t off = 0;                                                     \
        uint##bits##_t v;                                                      \
        uint32_t s = 0;                                                        \
        for (k = 0; k < NSTRIDE; k++) {                                        \
            GET_SUM(bits, res + off);                                          \
            off += PS + 4u;                                                    \
            if (off >= RES) off -= RES;                                        \
        }                                                                      \
        sink = s;                                                              \
    }                                                                          \
    static void random##bits(void)                                             \
    {                                                                          \
        unsigned k;                                                            \
        uint##bits##_t v;                                                      \
        for (k = 0; k < NRAND; k++) {                                          \
            uint16_t r = rnd16();                                              \
            vm_addr_t a = res + ((r >> 2) % RES & ~(vm_addr_t)(bits / 8u - 1u)); \
            if ((r & 3u) == 0) OK(vm_set##bits(&vmk_vm, a, (uint##bits##_t)r)); \
            else {                                                             \
                OK(vm_get##bits(&vmk_vm, a, &v));                              \
                sink = v;                                                      \
            }                                                                  \
        }                                                                      \
    }
RESIDENT(8)
RESIDENT(32)

/* A list of RES/8 nodes {u32 next; u32 value} in a random cyclic order. */
#define NNODE (RES / 8u)
static void list_prep(void)
{
    static uint16_t order[NNODE];
    unsigned k;
    rng = 1; /* the same order whichever kernels ran before */
    for (k = 0; k < NNODE; k++) order[k] = (uint16_t)k;
    for (k = NNODE - 1u; k > 0; k--) {
        unsigned j = rnd() % (k + 1u);
        uint16_t t = order[k];
        order[k] = order[j];
        order[j] = t;
    }
    for (k = 0; k < NNODE; k++) {
        vm_addr_t node = res + 8u * order[k];
        OK(vm_set32(&vmk_vm, node, res + 8u * order[(k + 1u) % NNODE]));
        OK(vm_set32(&vmk_vm, node + 4u, k));
    }
}

static void list(void)
{
    vm_addr_t p = res;
    uint32_t s = 0, v;
    unsigned k;
    for (k = 0; k < NNODE; k++) {
        OK(vm_get32(&vmk_vm, p + 4u, &v));
        s += v;
        OK(vm_get32(&vmk_vm, p, &p));
    }
    sink = s;
}

static void ptr8(void)
{
    u8p p = u8p_at(res);
    uint32_t i, s = 0;
    uint8_t v;
    for (i = 0; i < NPTR; i++) OK(u8p_set(&vmk_vm, p, i, (uint8_t)i));
    for (i = 0; i < NPTR; i++) {
        OK(u8p_get(&vmk_vm, p, i, &v));
        s += v;
    }
    sink = s;
}

static void ptr32(void)
{
    u32p p = u32p_at(res);
    uint32_t i, s = 0, v = 0;
    for (i = 0; i < NPTR / 4u; i++) OK(u32p_set(&vmk_vm, p, i, i));
    for (i = 0; i < NPTR / 4u; i++) {
        OK(u32p_get(&vmk_vm, p, i, &v));
        s += v;
    }
    sink = s;
}

/* lock8 and lockpage: vm_lock (RO) + one read + vm_unlock of n bytes. */
#define LOCK(name, n)                                                          \
    static void name(void)                                                     \
    {                                                                          \
        unsigned k;                                                            \
        struct vm_lock lk;                                                     \
        for (k = 0; k < NLOCK; k++) {                                          \
            OK(vm_lock(&vmk_vm, res + (k * (n)) % RES, n, VM_LOCK_RO, &lk));   \
            sink = ((const uint8_t *)lk.ptr)[0];                               \
            OK(vm_unlock(&vmk_vm, &lk));                                       \
        }                                                                      \
    }
LOCK(lock8, 8u)
LOCK(lockpage, PS)
#endif /* VM_KERNELS_C */

#if VM_KERNELS_VPTR
/* The C++ kernels (vm_kernels_vptr.cpp) on this pager and geometry: each
 * call, then the check of the errors it recorded. */
#define VPTR(name, call)                                                       \
    static void name(void)                                                     \
    {                                                                          \
        call;                                                                  \
        if (vmk_vptr_error() != VM_OK) failed = 1;                             \
    }
VPTR(vptr8, sink = vmk_vptr8(res))
VPTR(vptr32, sink = vmk_vptr32(res))
VPTR(vptr_copy8, vmk_vptr_copy8(buf + BUF / 2, buf))
VPTR(vptr_struct, vmk_vptr_struct(res + 2u))
VPTR(vptr8_default, sink = vmk_vptr8_default(res))
VPTR(vptr32_default, sink = vmk_vptr32_default(res))
VPTR(vptr_copy8_default, vmk_vptr_copy8_default(buf + BUF / 2, buf))
VPTR(vptr_struct_default, vmk_vptr_struct_default(res + 2u))
#endif /* VM_KERNELS_VPTR */

static const struct kernel kernels[] = {
#if VM_KERNELS_C
    {"fill8", BUF, fill8, NULL},          {"fill16", BUF / 2, fill16, NULL},
    {"fill32", BUF / 4, fill32, NULL},    {"read8", BUF, read8, fill8},
    {"read16", BUF / 2, read16, fill8},   {"read32", BUF / 4, read32, fill8},
    {"copy8", BUF, copy8, fill8},         {"copy16", BUF / 2, copy16, fill8},
    {"copy32", BUF / 4, copy32, fill8},   {"bench", 2 * BUF, bench, NULL},
    {"struct", 4 * NSTRUCT, structs, warm}, {"stride8", NSTRIDE, stride8, warm},
    {"stride32", NSTRIDE, stride32, warm}, {"random8", NRAND, random8, warm},
    {"random32", NRAND, random32, warm},  {"list", 2 * NNODE, list, list_prep},
    {"ptr8", 2 * NPTR, ptr8, warm},       {"ptr32", NPTR / 2, ptr32, warm},
    {"lock8", NLOCK, lock8, warm},        {"lockpage", NLOCK, lockpage, warm},
#endif
#if VM_KERNELS_VPTR
    {"vptr8", 2 * NPTR, vptr8, warm},     {"vptr32", NPTR / 2, vptr32, warm},
    {"vptr-copy8", BUF, vptr_copy8, fill8}, {"vptr-struct", 4 * NSTRUCT, vptr_struct, warm},
    {"vptr8-default", 2 * NPTR, vptr8_default, warm},
    {"vptr32-default", NPTR / 2, vptr32_default, warm},
    {"vptr-copy8-default", BUF, vptr_copy8_default, fill8},
    {"vptr-struct-default", 4 * NSTRUCT, vptr_struct_default, warm},
#endif
};
#define NK (sizeof kernels / sizeof kernels[0])

#endif /* VM_KERNELS_H */
