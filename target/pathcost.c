/*
 * pathcost.c - the pager's CPU cost per core path, measured on the target,
 * for vmsim's per-platform cost tables (target/cpu-costs.sh runs it and
 * writes backends/bus/vm_cpu_costs.h; docs/fidelity.md explains the use).
 *
 * Targets and cycle sources:
 *   AVR (atmega328p, 16 MHz) under simavr: Timer1 at clk/1, extended to 32
 *     bits by its overflow interrupt. simavr counts every instruction's
 *     cycles as the ATmega328P datasheet gives them, so these are cycles.
 *   Cortex-M4 (mps2-an386) under qemu-system-arm -icount shift=0: every
 *     instruction advances the virtual clock by 1 ns, and SysTick counts
 *     that clock at the board's 25 MHz, so 40 instructions per tick. These
 *     are INSTRUCTIONS; cpu-costs.sh multiplies by a CPI (documented there
 *     and in docs/fidelity.md) to get cycles.
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
 * Output over the UART, then "ops=<n> PASS".
 */
#include <stdint.h>
#include <string.h>

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

/* ---------------------------------------------------------------- platform */
#if defined(__AVR__)
#include "dt_platform.h"
#define UNIT_NAME "cycles"
static volatile uint16_t timer_overflows;
ISR(TIMER1_OVF_vect) { timer_overflows++; }
static void timer_init(void)
{
    TCCR1A = 0;
    TCCR1B = (uint8_t)(1u << CS10);
    TIMSK1 = (uint8_t)(1u << TOIE1);
    sei();
}
static uint32_t ticks_now(void)
{
    uint8_t sreg = SREG;
    uint16_t t, o;
    cli();
    t = TCNT1;
    o = timer_overflows;
    if ((TIFR1 & (1u << TOV1)) && t < 0x8000u) o++;
    SREG = sreg;
    return ((uint32_t)o << 16) | t;
}
#define TICK_UNITS 1u /* cycles per timer tick */
static void out_init(void) { dt_init(); }
static void out_c(char c) { dt_putc(c); }
static void out_exit(void) { dt_exit(0); }
#define STR(s) DT_STR(s)
#define STRC(p) dt_strc(p)
#elif defined(__arm__)
#define UNIT_NAME "instructions"
/* SysTick (ARMv7-M ARM B3.3), clocked from the CPU clock (CLKSOURCE = 1),
 * which QEMU's mps2 boards run at 25 MHz of virtual time. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
static volatile uint32_t systick_wraps;
void SysTick_Handler(void);
void SysTick_Handler(void) { systick_wraps++; }
static void timer_init(void)
{
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt, CPU clock */
}
static uint32_t ticks_now(void)
{
    uint32_t w, v;
    __asm__ __volatile__("cpsid i" ::: "memory");
    w = systick_wraps;
    v = SYST_CVR;
    if ((SCB_ICSR & (1u << 26)) && v > 0x800000u) w++; /* wrap not yet served */
    __asm__ __volatile__("cpsie i" ::: "memory");
    return (w << 24) + (0xFFFFFFu - v);
}
/* -icount shift=0: 1 instruction = 1 ns; SysTick at 25 MHz = 40 ns a tick */
#define TICK_UNITS 40u
/* CMSDK APB UART0 (ARM DDI 0479C, section 4.2) at 0x40004000. */
#define UART_DATA (*(volatile uint32_t *)0x40004000u)
#define UART_STATE (*(volatile uint32_t *)0x40004004u)
#define UART_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART_BAUDDIV (*(volatile uint32_t *)0x40004010u)
static void out_init(void)
{
    UART_BAUDDIV = 16u;
    UART_CTRL = 1u; /* TX enable */
}
static void out_c(char c)
{
    while (UART_STATE & 1u) {
    }
    UART_DATA = (uint8_t)c;
}
static void out_exit(void)
{
    /* Semihosting SYS_EXIT (0x18), ADP_Stopped_ApplicationExit. */
    register uint32_t r0 __asm__("r0") = 0x18u;
    register uint32_t r1 __asm__("r1") = 0x20026u;
    __asm__ __volatile__("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
}
#define STR(s) (s)
#define STRC(p) (*(p))
#else
#error "pathcost.c runs on a target: build it with avr-gcc or arm-none-eabi-gcc (target/cpu-costs.sh)"
#endif

/* ---------------------------------------------------------------- output */
static void put_str(const char *s)
{
    char c;
    while ((c = STRC(s++)) != 0)
        out_c(c);
}

static void put_u32(uint32_t v)
{
    char d[11];
    uint8_t n = 0;
    do {
        d[n++] = (char)('0' + (uint8_t)(v % 10u));
        v /= 10u;
    } while (v);
    while (n)
        out_c(d[--n]);
}

static uint32_t measurements;

/* "key value": value = ticks * TICK_UNITS * 100 / n, never below 0. */
static void report(const char *key, int32_t ticks, uint32_t n)
{
    uint32_t v = ticks > 0 ? (uint32_t)(((uint64_t)(uint32_t)ticks * TICK_UNITS * 100u + n / 2u) / n) : 0u;
    put_str(key);
    out_c(' ');
    put_u32(v);
    out_c('\n');
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
        t0 = ticks_now();                                                      \
        for (i = 0; i < n; i++) {                                              \
            BARRIER();                                                         \
            body;                                                              \
            step;                                                              \
        }                                                                      \
        return ticks_now() - t0;                                               \
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
    uint32_t t0 = ticks_now();
    for (i = 0; i < n; i++) {
        BARRIER();
        vm_lock(&vm, at, len, mode, &held[i]);
    }
    return ticks_now() - t0;
}

static NOINLINE uint32_t unlock_n(uint16_t n)
{
    uint16_t i;
    uint32_t t0 = ticks_now();
    for (i = 0; i < n; i++) {
        BARRIER();
        vm_unlock(&vm, &held[i]);
    }
    return ticks_now() - t0;
}

static NOINLINE uint32_t empty_n(uint16_t n)
{
    uint16_t i;
    uint32_t t0 = ticks_now();
    for (i = 0; i < n; i++) {
        BARRIER();
        sink = (uint8_t)i;
    }
    return ticks_now() - t0;
}

/* One lock and unlock at a time (a bounced lock is exclusive). */
static NOINLINE void bounce_costs(int32_t *lk, int32_t *ul, uint16_t n)
{
    uint16_t i;
    uint32_t tl = 0, tu = 0, t0;
    for (i = 0; i < n; i++) {
        BARRIER();
        t0 = ticks_now();
        vm_lock(&vm, PAGE / 2u, PAGE, i & 1u ? VM_LOCK_RW : VM_LOCK_RO, &held[0]);
        tl += ticks_now() - t0;
        t0 = ticks_now();
        vm_unlock(&vm, &held[0]);
        tu += ticks_now() - t0;
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
        t0 = ticks_now();
        vm_flush(&vm);
        t += ticks_now() - t0;
    }
    return t;
}

static NOINLINE uint32_t stamp_n(uint16_t n)
{
    uint16_t i;
    uint32_t t = 0, t0;
    for (i = 0; i < n; i++) {
        BARRIER();
        t0 = ticks_now();
        t += ticks_now() - t0;
    }
    return t;
}

int main(void)
{
    int32_t none, r1, r32, w1, w32, lk, ul, stamp;
    uint16_t i;
    out_init();
    timer_init();
    for (i = 0; i < POOL; i++)
        backing[i] = (uint8_t)(i * 7u);
    put_str(STR("# pager cost per call in 1/100 " UNIT_NAME "\n"));

    warm();
    none = (int32_t)none_in(N);
    report(STR("fast_get8"), (int32_t)get8_in(N) - none, N);
    report(STR("fast_get16"), (int32_t)get16_in(N) - none, N);
    report(STR("fast_get32"), (int32_t)get32_in(N) - none, N);
    report(STR("fast_set8"), (int32_t)set8_in(N) - none, N);
    report(STR("fast_set16"), (int32_t)set16_in(N) - none, N);
    report(STR("fast_set32"), (int32_t)set32_in(N) - none, N);

    none = (int32_t)none_alt(N);
    r1 = (int32_t)read1_alt(N) - none;
    r32 = (int32_t)read32_alt(N) - none;
    w1 = (int32_t)write1_alt(N) - none;
    w32 = (int32_t)write32_alt(N) - none;
    report(STR("slow_hit"), r1, N);
    report(STR("read_byte"), r32 - r1, N * (PAGE - 1u));
    report(STR("slow_set"), w1, N);
    report(STR("write_byte"), w32 - w1, N * (PAGE - 1u));

    /* Locks on the resident page 0, N at once (counts up to 255), then
     * their unlocks. */
    none = (int32_t)empty_n(N_LOCK);
    lk = (int32_t)lock_n(N_LOCK, 8u, 8u, VM_LOCK_RO) - none;
    ul = (int32_t)unlock_n(N_LOCK) - none;
    report(STR("lock"), lk, N_LOCK);
    report(STR("unlock"), ul, N_LOCK);

    /* Bounced locks: PAGE bytes from the middle of page 0 into page 1. The
     * fixed part is the time less PAGE bytes of copy (read_byte). */
    stamp = (int32_t)stamp_n(N_LOCK);
    bounce_costs(&lk, &ul, N_LOCK);
    lk -= stamp;
    ul -= stamp;
    lk -= (int32_t)((int64_t)(r32 - r1) * PAGE * N_LOCK / ((PAGE - 1u) * N));
    /* RW every other lock: half the unlocks copy PAGE bytes back */
    ul -= (int32_t)((int64_t)(w32 - w1) * PAGE * N_LOCK / ((PAGE - 1u) * N) / 2);
    report(STR("lock_bounce"), lk, N_LOCK);
    report(STR("unlock_bounce"), ul, N_LOCK);

    /* Misses: a stride over 24 pages with 2 slots, clean victims. */
    setup();
    get8_stride(N); /* every slot full and clean */
    none = (int32_t)none_stride(N);
    {
        int32_t g = (int32_t)get8_stride(N) - none;
        int32_t rd = (int32_t)ramread_stride(N) - none;
        report(STR("miss"), g - rd, N);
    }
    /* Write-backs: one dirty byte in the hot page, flushed. */
    warm();
    vm_flush(&vm);
    {
        int32_t f = (int32_t)flush_n(N) - (int32_t)stamp_n(N);
        int32_t wr = (int32_t)ramwrite1_stride(N) - none;
        report(STR("writeback"), f - wr, N);
    }
    put_str(STR("ops="));
    put_u32(measurements);
    put_str(STR(" PASS\n"));
    out_exit();
    return 0;
}
