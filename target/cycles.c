/*
 * cycles.c - CPU cycles of the pager's accesses on an AVR (atmega328p, 16 MHz),
 * measured on the target (in simavr, which counts instruction cycles).
 *
 * Method. Each figure times a loop of N iterations by reading a 32-bit
 * cycle counter (target/dt_ticks.h) before and after, and subtracts the same loop with
 * the access replaced by nothing but the address computation and a store to
 * a volatile sink. Every iteration has a compiler barrier, so nothing of the
 * pager's state stays in registers across iterations: this is the cost of
 * one access in the middle of real code, not of a hoisted loop.
 *
 * Figures (cycles per access, after the baseline is subtracted):
 *   hit_get8      vm_get8 on the hot page (the inline fast path)
 *   hit_set8      vm_set8 on the hot, dirty page (the inline fast path)
 *   hit_get16, hit_get32  vm_get16 / vm_get32 on the hot page (inline)
 *   lock_unlock_ro8  vm_lock (RO, 8 bytes, resident page) + one read through
 *                 the pointer + vm_unlock: the price of switching to plain
 *                 pointer access for a run of bytes
 *   lock_unlock_rw8  the same with VM_LOCK_RW and one write through the
 *                 pointer (the page is hot and dirty): a read-modify-write
 *                 of a run of bytes
 *   hit_slow_get8 vm_get8 alternating between two resident pages, so every
 *                 access goes through vm_read's slow path (lookup, policy)
 *   array_get8    a plain RAM array read, for comparison
 *   hit_get8_tight, hit_set8_tight: the same without the barrier, so the
 *                 compiler may keep the pager's fields in registers, as in a
 *                 tight loop of user code
 *   miss_get8     vm_get8 that misses every time (a cycle over more pages
 *                 than there are slots), clean victims: includes the vm_ram
 *                 backend reading a whole page (memcpy)
 *   miss_set8     vm_set8 that misses every time: the victim has one dirty
 *                 byte to write back; the new page is not fetched
 *   ram_read      one vm_ram backend read of a page, alone
 *   miss_get8_core = miss_get8 - ram_read: the pager's own cost of a miss
 * Misses are measured per policy and page size (32 and 64 B, 2 slots).
 *
 * Output over the UART, one "key value" per line, then "ops=<n> PASS"
 * (FAIL when an inline hit of hit_get8 was not counted in stats.hits).
 */
#include "dt_platform.h"
#include "dt_ticks.h"
#include "vm.h"
#include "vm_ram.h"

#if !defined(__AVR__)
#error "cycles.c measures AVR cycles: build it with avr-gcc"
#endif

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define MCU_NAME STRINGIFY(__AVR_DEVICE_NAME__) /* avr-gcc defines it, unquoted */

#define POOL 768u
#define SLOTS 2u
#define MAXPAGE 64u
#define N_HIT 256u
#define N_MISS 16u
#define N_SLOW 64u

static uint8_t backing[POOL];
static uint8_t plain[64];
static uint32_t pages[MAXPAGE * SLOTS / 4u] DT_ALIGN4;
static struct vm_slot slots[SLOTS];
static uint8_t scratch[MAXPAGE];
static struct vm vm;
static struct vm_ram ram;
static volatile uint8_t sink;
static uint32_t measurements;
static int miscounted; /* an inline hit was not counted in stats.hits */

#define BARRIER() __asm__ __volatile__("" ::: "memory")
/* Every timed loop is its own function, never inlined or specialised into
 * its caller, so each figure's code does not depend on the others. */
#define NOINLINE __attribute__((noinline, noclone))

/* "key value" with value = total / n, to one decimal. */
static void report(const char *key, const char *suffix, int32_t total, uint16_t n)
{
    uint32_t t10;
    dt_put_str(key);
    dt_put_str(suffix);
    dt_putc(' ');
    if (total < 0) {
        dt_putc('-');
        total = -total;
    }
    t10 = ((uint32_t)total * 10u + n / 2u) / n;
    dt_put_u32(t10 / 10u);
    dt_putc('.');
    dt_put_u32(t10 % 10u);
    dt_putc('\n');
    measurements++;
}

static int setup(uint16_t page_size, uint8_t policy)
{
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vm_ram_init(&ram, backing, POOL);
    cfg.backend = &ram.backend;
    cfg.page_size = page_size;
    cfg.page_count = SLOTS;
    cfg.policy = policy;
    cfg.pages = pages;
    cfg.pages_size = sizeof pages;
    cfg.slots = slots;
    cfg.slot_count = SLOTS;
    return vm_init(&vm, &cfg);
}

/* One timed loop per body, all of the same shape, so that the difference
 * between a body's loop and loop_none is the body alone. Addresses: base +
 * (i & 31) when stride is 0 (hits), else (i * stride) % POOL (misses). */
#define DEFINE_LOOP(name, body) DEFINE_LOOP_B(name, body, BARRIER())
#define DEFINE_LOOP_B(name, body, barrier)                                     \
    static NOINLINE uint32_t name(vm_addr_t base, uint16_t stride, uint16_t n) \
    {                                                                          \
        uint16_t i;                                                            \
        uint32_t t0;                                                           \
        vm_addr_t a = base;                                                    \
        uint8_t v = 0;                                                         \
        (void)v;                                                               \
        t0 = dt_ticks();                                                     \
        for (i = 0; i < n; i++) {                                              \
            barrier;                                                           \
            body;                                                              \
            if (stride) {                                                      \
                a += stride;                                                   \
                if (a >= POOL) a -= POOL;                                      \
            } else {                                                           \
                a = base + ((i + 1u) & 31u);                                   \
            }                                                                  \
        }                                                                      \
        return dt_ticks() - t0;                                              \
    }

DEFINE_LOOP(loop_none, sink = (uint8_t)a)
DEFINE_LOOP(loop_get8, vm_get8(&vm, a, &v); sink = v)
DEFINE_LOOP(loop_set8, vm_set8(&vm, a, (uint8_t)a); sink = (uint8_t)a)
DEFINE_LOOP(loop_array, sink = plain[(uint8_t)a & 63u])
/* a & ~3 keeps 16/32-bit values inside the 32-byte page */
DEFINE_LOOP(loop_get16, { uint16_t w; vm_get16(&vm, a & ~(vm_addr_t)3u, &w); sink = (uint8_t)w; })
DEFINE_LOOP(loop_get32, { uint32_t w; vm_get32(&vm, a & ~(vm_addr_t)3u, &w); sink = (uint8_t)w; })
/* A lock and unlock of 8 bytes of the resident hot page, then one byte
 * through the pointer. */
DEFINE_LOOP(loop_lock, {
    struct vm_lock lk;
    vm_lock(&vm, a & ~(vm_addr_t)7u, 8, VM_LOCK_RO, &lk);
    sink = ((const uint8_t *)lk.ptr)[0];
    vm_unlock(&vm, &lk);
})
DEFINE_LOOP(loop_lock_rw, {
    struct vm_lock lk;
    vm_lock(&vm, a & ~(vm_addr_t)7u, 8, VM_LOCK_RW, &lk);
    ((uint8_t *)lk.ptr)[0] = (uint8_t)a;
    vm_unlock(&vm, &lk);
})
/* Without the barrier: the compiler may keep the hot page in registers, as
 * in a tight loop of user code. */
DEFINE_LOOP_B(loop_none_tight, sink = (uint8_t)a, (void)0)
DEFINE_LOOP_B(loop_get8_tight, vm_get8(&vm, a, &v); sink = v, (void)0)
DEFINE_LOOP_B(loop_set8_tight, vm_set8(&vm, a, (uint8_t)a); sink = (uint8_t)a, (void)0)
DEFINE_LOOP(loop_ram_read, ram.backend.read(ram.backend.ctx, a, scratch, stride); sink = (uint8_t)a)

typedef uint32_t (*loop_fn)(vm_addr_t base, uint16_t stride, uint16_t n);

/* Cycles of n iterations of loop minus the same of loop_none. */
static NOINLINE int32_t net(loop_fn loop, vm_addr_t base, uint16_t stride, uint16_t n)
{
    uint32_t body = loop(base, stride, n);
    uint32_t none = loop_none(base, stride, n);
    return (int32_t)body - (int32_t)none;
}

static void hits(void)
{
    uint16_t i;
    uint8_t v;
    setup(32, VM_DEFAULT_POLICY);
    /* Make page 0 hot and dirty: touches until the fast path serves it. */
    for (i = 0; i < 4u; i++) {
        vm_set8(&vm, (vm_addr_t)i, 0);
        vm_get8(&vm, (vm_addr_t)i, &v);
    }
    vm_write(&vm, 0, plain, 32);
    for (i = 0; i < 4u; i++)
        vm_set8(&vm, (vm_addr_t)i, 0);
#if VM_CONFIG_STATS
    /* Every inline hit counts (on 16-bit-int MCUs through an 8-bit count
     * that carries into stats.hits once in 256: N_HIT >= 256 crosses it). */
    {
        vm_count_t h0 = vm_stats(&vm)->hits;
        report(DT_STR("hit_get8"), DT_STR(""), net(loop_get8, 0, 0, N_HIT), N_HIT);
        if (vm_stats(&vm)->hits - h0 != N_HIT) miscounted = 1;
    }
#else
    report(DT_STR("hit_get8"), DT_STR(""), net(loop_get8, 0, 0, N_HIT), N_HIT);
#endif
    report(DT_STR("hit_set8"), DT_STR(""), net(loop_set8, 0, 0, N_HIT), N_HIT);
    report(DT_STR("array_get8"), DT_STR(""), net(loop_array, 0, 0, N_HIT), N_HIT);
    report(DT_STR("hit_get16"), DT_STR(""), net(loop_get16, 0, 0, N_HIT), N_HIT);
    report(DT_STR("hit_get32"), DT_STR(""), net(loop_get32, 0, 0, N_HIT), N_HIT);
    report(DT_STR("lock_unlock_ro8"), DT_STR(""), net(loop_lock, 0, 0, N_SLOW), N_SLOW);
    report(DT_STR("lock_unlock_rw8"), DT_STR(""), net(loop_lock_rw, 0, 0, N_SLOW), N_SLOW);
    {
        int32_t none = (int32_t)loop_none_tight(0, 0, N_HIT);
        report(DT_STR("hit_get8_tight"), DT_STR(""), (int32_t)loop_get8_tight(0, 0, N_HIT) - none, N_HIT);
        report(DT_STR("hit_set8_tight"), DT_STR(""), (int32_t)loop_set8_tight(0, 0, N_HIT) - none, N_HIT);
    }
    /* Two resident pages, alternating: stride 32 over a 64-byte cycle. */
    vm_get8(&vm, 32, &v);
    {
        uint32_t body, none;
        uint16_t j;
        vm_addr_t a;
        body = dt_ticks();
        for (j = 0, a = 0; j < N_SLOW; j++) {
            BARRIER();
            vm_get8(&vm, a, &v);
            sink = v;
            a ^= 32u;
        }
        body = dt_ticks() - body;
        none = dt_ticks();
        for (j = 0, a = 0; j < N_SLOW; j++) {
            BARRIER();
            sink = (uint8_t)a;
            a ^= 32u;
        }
        none = dt_ticks() - none;
        report(DT_STR("hit_slow_get8"), DT_STR(""), (int32_t)body - (int32_t)none, N_SLOW);
    }
}

static const char *policy_name(uint8_t p)
{
    switch (p) {
    case VM_POLICY_FIFO: return DT_STR("_fifo");
    case VM_POLICY_LRU: return DT_STR("_lru");
    case VM_POLICY_CLOCK: return DT_STR("_clock");
    default: return DT_STR("_sieve");
    }
}

static void misses(uint16_t ps)
{
    uint8_t p;
    int32_t rd = 0;
    const char *sfx = ps == 32u ? DT_STR("_32") : DT_STR("_64");
    setup(ps, VM_DEFAULT_POLICY);
    rd = net(loop_ram_read, 0, ps, N_MISS);
    report(DT_STR("ram_read"), sfx, rd, N_MISS);
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++) {
        int32_t g, s;
        if (!VM_HAS_POLICY(p)) continue;
        /* Clean misses: a cycle over POOL/ps pages with 2 slots. */
        setup(ps, p);
        loop_get8(0, ps, N_MISS); /* fill the slots first */
        g = net(loop_get8, 0, ps, N_MISS);
        /* Write misses: every victim holds one dirty byte. */
        setup(ps, p);
        loop_set8(0, ps, N_MISS);
        s = net(loop_set8, 0, ps, N_MISS);
        dt_put_str(DT_STR("# policy"));
        dt_put_str(policy_name(p));
        dt_put_str(sfx);
        dt_putc('\n');
        report(DT_STR("miss_get8"), sfx, g, N_MISS);
        report(DT_STR("miss_get8_core"), sfx, g - rd, N_MISS);
        report(DT_STR("miss_set8"), sfx, s, N_MISS);
        if (VM_CONFIG_POLICY != VM_POLICY_RUNTIME) break;
    }
}

int main(void)
{
    uint16_t i;
    dt_init();
    dt_ticks_init();
    for (i = 0; i < sizeof plain; i++)
        plain[i] = (uint8_t)i;
    for (i = 0; i < POOL; i++)
        backing[i] = (uint8_t)(i * 7u);
    dt_put_str(DT_STR("# cycles per access, " MCU_NAME ", 16 MHz; stats="));
    dt_put_u32(VM_CONFIG_STATS);
    dt_put_str(DT_STR(" policy_config="));
    dt_put_u32(VM_CONFIG_POLICY);
    dt_putc('\n');
    hits();
    misses(32);
    misses(64);
    dt_put_str(DT_STR("ops="));
    dt_put_u32(measurements);
    dt_put_str(miscounted ? DT_STR(" FAIL\n") : DT_STR(" PASS\n"));
    dt_exit(0);
    return 0;
}
