/*
 * pathcost.c - the pager's CPU cost per core path, measured on the target,
 * for vmsim's per-platform cost tables (target/cpu-costs.sh runs it and
 * writes backends/bus/vm_cpu_costs.h; docs/fidelity.md explains the use).
 *
 * Targets and cycle sources:
 *   AVR (atmega328p, 16 MHz) under simavr: CPU cycles (target/dt_ticks.h).
 *   Cortex-M4 (mps2-an386) under qemu-system-arm -icount shift=0:
 *     INSTRUCTIONS (target/dt_ticks.h); cpu-costs.sh multiplies them by a
 *     CPI (documented there and in docs/fidelity.md) to get cycles.
 *
 * Method (as target/cycles.c): each figure times a loop of N iterations and
 * subtracts the same loop with the body replaced by the address arithmetic
 * and a store to a volatile sink; a compiler barrier in every iteration keeps
 * the pager's state out of registers, so a figure is one call in the middle
 * of real code. Figures are per call, in hundredths ("key value" lines, the
 * value in units of 1/100 cycle or instruction):
 *   fast_get8/16/32  vm_getN served inline from the hot page
 *   fast_set8/16/32  vm_setN served inline (hot page, already dirty)
 *   slow_hit         vm_read of 1 byte from a resident page that is not hot
 *                    (lookup, policy update): the cost of one touch through
 *                    the slow path, call included
 *   read_byte        extra cost per byte of vm_read inside a resident page
 *   write_byte       extra cost per byte of vm_write inside a resident page
 *   slow_set         vm_write of 1 byte to a resident, not hot page
 *   lock, unlock     vm_lock (RO, 8 bytes, resident page) and vm_unlock
 *   lock_bounce      vm_lock (RO) of a range straddling two resident pages,
 *                    fixed part (the per-byte copy is read_byte)
 *   unlock_bounce    vm_unlock of an RW bounced lock, fixed part
 *   miss             a vm_get8 that misses with a clean victim, less the
 *                    vm_ram backend read: the pager's own work on a miss
 *   writeback        vm_flush of one page holding one dirty byte, less the
 *                    vm_ram backend write: the pager's own work per write-back
 *   bench_loop       not the pager's: the original benchmark's own byte loop
 *                    (github.com/rhelmus/virtmem, benchmark/benchmark.h:
 *                    for (VPtrNum j = 0; j < bufsize; ++j) buf[j] = (char)j,
 *                    a 32-bit index) with the pager access replaced by a
 *                    store to RAM, per byte: what the program spends around
 *                    each access. virtmem_bench's loop_cycles takes it by CPU
 *                    name (docs/trace-format.md).
 * Output over the UART, then "ops=<n> PASS".
 */
#include <stdint.h>
#include <string.h>

#include "dt_platform.h"
#include "dt_ticks.h"
#include "vm.h"
#include "vm_ram.h"

#define BARRIER() __asm__ __volatile__("" ::: "memory")
#define NOINLINE __attribute__((noinline, noclone))

#define PAGE 32u
#define SLOTS 2u
#define POOL 768u
#if defined(__AVR__)
#define N 64u      /* 1-cycle timer: 64 iterations give 1/64 cycle */
#define N_LOCK 64u /* held locks (struct vm_lock each: RAM is 2 KB) */
#else
#define N 4096u     /* 40-instruction ticks: 4096 iterations give 1/100 */
#define N_LOCK 250u /* a page holds at most 255 locks */
#endif

static uint32_t measurements;

/* "key value": value = ticks * DT_TICK_UNITS * 100 / n, never below 0. */
static void report(const char *key, int32_t ticks, uint32_t n)
{
    uint32_t v = ticks > 0 ? (uint32_t)(((uint64_t)(uint32_t)ticks * DT_TICK_UNITS * 100u + n / 2u) / n) : 0u;
    dt_put_str(key);
    dt_putc(' ');
    dt_put_u32(v);
    dt_putc('\n');
    measurements++;
}

/* ---------------------------------------------------------------- the pager */
static uint8_t backing[POOL];
static uint32_t pages[PAGE * SLOTS / 4u];
static struct vm_slot slots[SLOTS];
static uint32_t bounce[PAGE / 4u];
static uint8_t buf[PAGE];
static struct vm vm;
static struct vm_ram ram;
static volatile uint8_t sink;

static void setup(void)
{
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vm_ram_init(&ram, backing, POOL);
    cfg.backend = &ram.backend;
    cfg.page_size = PAGE;
    cfg.page_count = SLOTS;
    cfg.policy = VM_DEFAULT_POLICY;
    cfg.pages = pages;
    cfg.pages_size = sizeof pages;
    cfg.slots = slots;
    cfg.slot_count = SLOTS;
#if VM_CONFIG_BOUNCE
    cfg.bounce = bounce;
    cfg.bounce_size = sizeof bounce;
#endif
    vm_init(&vm, &cfg);
}

/* Pages 0 and 1 resident and dirty; page 0 hot. */
static void warm(void)
{
    uint8_t v, i;
    setup();
    vm_write(&vm, PAGE, buf, PAGE);
    vm_write(&vm, 0, buf, PAGE);
    for (i = 0; i < 4u; i++) {
        vm_set8(&vm, i, 0);
        vm_get8(&vm, i, &v);
    }
}

/* Timed loops. `a` walks inside page 0 (hits) or alternates pages 0 and 1
 * (slow hits) or strides over the pool (misses). */
#define LOOP(name, step, body)                                                 \
    static NOINLINE uint32_t name(uint16_t n)                                  \
    {                                                                          \
        uint16_t i;                                                            \
        uint32_t t0;                                                           \
        vm_addr_t a = 0;                                                       \
        uint8_t v = 0;                                                         \
        (void)v;                                                               \
        t0 = dt_ticks();                                                      \
        for (i = 0; i < n; i++) {                                              \
            BARRIER();                                                         \
            body;                                                              \
            step;                                                              \
        }                                                                      \
        return dt_ticks() - t0;                                               \
    }
#define IN_PAGE a = (a + 1u) & (PAGE - 1u)
#define ALT a ^= PAGE
#define STRIDE                                                                 \
    do {                                                                       \
        a += PAGE;                                                             \
        if (a >= POOL) a -= POOL;                                              \
    } while (0)

LOOP(none_in, IN_PAGE, sink = (uint8_t)a)
LOOP(get8_in, IN_PAGE, vm_get8(&vm, a, &v); sink = v)
LOOP(get16_in, IN_PAGE, { uint16_t w; vm_get16(&vm, a & ~(vm_addr_t)3u, &w); sink = (uint8_t)w; })
LOOP(get32_in, IN_PAGE, { uint32_t w; vm_get32(&vm, a & ~(vm_addr_t)3u, &w); sink = (uint8_t)w; })
LOOP(set8_in, IN_PAGE, vm_set8(&vm, a, (uint8_t)a); sink = (uint8_t)a)
LOOP(set16_in, IN_PAGE, vm_set16(&vm, a & ~(vm_addr_t)3u, (uint16_t)a); sink = (uint8_t)a)
LOOP(set32_in, IN_PAGE, vm_set32(&vm, a & ~(vm_addr_t)3u, (uint32_t)a); sink = (uint8_t)a)
LOOP(none_alt, ALT, sink = (uint8_t)a)
LOOP(read1_alt, ALT, vm_read(&vm, buf, a, 1); sink = buf[0])
LOOP(read32_alt, ALT, vm_read(&vm, buf, a, PAGE); sink = buf[0])
LOOP(write1_alt, ALT, vm_write(&vm, a, buf, 1); sink = (uint8_t)a)
LOOP(write32_alt, ALT, vm_write(&vm, a, buf, PAGE); sink = (uint8_t)a)
LOOP(none_stride, STRIDE, sink = (uint8_t)a)
LOOP(get8_stride, STRIDE, vm_get8(&vm, a, &v); sink = v)
LOOP(ramread_stride, STRIDE, ram.backend.read(ram.backend.ctx, a, buf, PAGE); sink = (uint8_t)a)
LOOP(ramwrite1_stride, STRIDE, ram.backend.write(ram.backend.ctx, a, buf, 1); sink = (uint8_t)a)

static struct vm_lock held[N_LOCK];

static NOINLINE uint32_t lock_n(uint16_t n, vm_addr_t at, uint16_t len, uint8_t mode)
{
    uint16_t i;
    uint32_t t0 = dt_ticks();
    for (i = 0; i < n; i++) {
        BARRIER();
        vm_lock(&vm, at, len, mode, &held[i]);
    }
    return dt_ticks() - t0;
}

static NOINLINE uint32_t unlock_n(uint16_t n)
{
    uint16_t i;
    uint32_t t0 = dt_ticks();
    for (i = 0; i < n; i++) {
        BARRIER();
        vm_unlock(&vm, &held[i]);
    }
    return dt_ticks() - t0;
}

static NOINLINE uint32_t bench_loop_n(uint32_t n)
{
    uint32_t j, t0 = dt_ticks();
    for (j = 0; j < n; j++) {
        BARRIER();
        buf[j & (PAGE - 1u)] = (uint8_t)j;
    }
    return dt_ticks() - t0;
}

static NOINLINE uint32_t empty_n(uint16_t n)
{
    uint16_t i;
    uint32_t t0 = dt_ticks();
    for (i = 0; i < n; i++) {
        BARRIER();
        sink = (uint8_t)i;
    }
    return dt_ticks() - t0;
}

/* One lock and unlock at a time (a bounced lock is exclusive). */
static NOINLINE void bounce_costs(int32_t *lk, int32_t *ul, uint16_t n)
{
    uint16_t i;
    uint32_t tl = 0, tu = 0, t0;
    for (i = 0; i < n; i++) {
        BARRIER();
        t0 = dt_ticks();
        vm_lock(&vm, PAGE / 2u, PAGE, i & 1u ? VM_LOCK_RW : VM_LOCK_RO, &held[0]);
        tl += dt_ticks() - t0;
        t0 = dt_ticks();
        vm_unlock(&vm, &held[0]);
        tu += dt_ticks() - t0;
    }
    *lk = (int32_t)tl;
    *ul = (int32_t)tu;
}

static NOINLINE uint32_t flush_n(uint16_t n)
{
    uint16_t i;
    uint32_t t = 0, t0;
    for (i = 0; i < n; i++) {
        BARRIER();
        vm_set8(&vm, (vm_addr_t)(i & (PAGE - 1u)), (uint8_t)i);
        t0 = dt_ticks();
        vm_flush(&vm);
        t += dt_ticks() - t0;
    }
    return t;
}

static NOINLINE uint32_t stamp_n(uint16_t n)
{
    uint16_t i;
    uint32_t t = 0, t0;
    for (i = 0; i < n; i++) {
        BARRIER();
        t0 = dt_ticks();
        t += dt_ticks() - t0;
    }
    return t;
}

int main(void)
{
    int32_t none, r1, r32, w1, w32, lk, ul, stamp;
    uint16_t i;
    dt_init();
    dt_ticks_init();
    for (i = 0; i < POOL; i++)
        backing[i] = (uint8_t)(i * 7u);
    dt_put_str(DT_STR("# pager cost per call in 1/100 " DT_TICK_UNIT "\n"));

    warm();
    none = (int32_t)none_in(N);
    report(DT_STR("fast_get8"), (int32_t)get8_in(N) - none, N);
    report(DT_STR("fast_get16"), (int32_t)get16_in(N) - none, N);
    report(DT_STR("fast_get32"), (int32_t)get32_in(N) - none, N);
    report(DT_STR("fast_set8"), (int32_t)set8_in(N) - none, N);
    report(DT_STR("fast_set16"), (int32_t)set16_in(N) - none, N);
    report(DT_STR("fast_set32"), (int32_t)set32_in(N) - none, N);

    none = (int32_t)none_alt(N);
    r1 = (int32_t)read1_alt(N) - none;
    r32 = (int32_t)read32_alt(N) - none;
    w1 = (int32_t)write1_alt(N) - none;
    w32 = (int32_t)write32_alt(N) - none;
    report(DT_STR("slow_hit"), r1, N);
    report(DT_STR("read_byte"), r32 - r1, N * (PAGE - 1u));
    report(DT_STR("slow_set"), w1, N);
    report(DT_STR("write_byte"), w32 - w1, N * (PAGE - 1u));

    /* Locks on the resident page 0, N at once (counts up to 255), then
     * their unlocks. */
    none = (int32_t)empty_n(N_LOCK);
    lk = (int32_t)lock_n(N_LOCK, 8u, 8u, VM_LOCK_RO) - none;
    ul = (int32_t)unlock_n(N_LOCK) - none;
    report(DT_STR("lock"), lk, N_LOCK);
    report(DT_STR("unlock"), ul, N_LOCK);

    /* Bounced locks: PAGE bytes from the middle of page 0 into page 1. The
     * fixed part is the time less PAGE bytes of copy (read_byte). */
    stamp = (int32_t)stamp_n(N_LOCK);
    bounce_costs(&lk, &ul, N_LOCK);
    lk -= stamp;
    ul -= stamp;
    lk -= (int32_t)((int64_t)(r32 - r1) * PAGE * N_LOCK / ((PAGE - 1u) * N));
    /* RW every other lock: half the unlocks copy PAGE bytes back */
    ul -= (int32_t)((int64_t)(w32 - w1) * PAGE * N_LOCK / ((PAGE - 1u) * N) / 2);
    report(DT_STR("lock_bounce"), lk, N_LOCK);
    report(DT_STR("unlock_bounce"), ul, N_LOCK);

    /* Misses: a stride over 24 pages with 2 slots, clean victims. */
    setup();
    get8_stride(N); /* every slot full and clean */
    none = (int32_t)none_stride(N);
    {
        int32_t g = (int32_t)get8_stride(N) - none;
        int32_t rd = (int32_t)ramread_stride(N) - none;
        report(DT_STR("miss"), g - rd, N);
    }
    /* Write-backs: one dirty byte in the hot page, flushed. */
    warm();
    vm_flush(&vm);
    {
        int32_t f = (int32_t)flush_n(N) - (int32_t)stamp_n(N);
        int32_t wr = (int32_t)ramwrite1_stride(N) - none;
        report(DT_STR("writeback"), f - wr, N);
    }
    {
        int32_t t = (int32_t)bench_loop_n(16u * N) - (int32_t)stamp_n(1u);
        report(DT_STR("bench_loop"), t, 16u * N);
    }
    dt_put_str(DT_STR("ops="));
    dt_put_u32(measurements);
    dt_put_str(DT_STR(" PASS\n"));
    dt_exit(0);
    return 0;
}
