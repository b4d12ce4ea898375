/*
 * ptr_avr_cycles.cpp - cycles per one-byte access on an atmega328p (in
 * simavr), typed pointers next to the untyped accessors. Not a test: built
 * and run by ptr_avr_cycles.sh, which prints the "key value" lines.
 *
 * Method: Timer1 counts CPU cycles (clk/1, overflows counted by interrupt).
 * Each figure is a loop of N accesses to the hot page (index i & 31) minus
 * the same loop with the access replaced by a store of the index to a
 * volatile sink, divided by N. "_b" loops put a compiler barrier in every
 * iteration (the pager's fields are reloaded each time, as in the middle of
 * real code); the others let the compiler keep them in registers.
 *   raw_get / raw_set      vm_get8 / vm_set8
 *   typed_get / typed_set  u8p_get / u8p_set (vm_ptr.h)
 *   cpp_get / cpp_set      p[i] on a vmem::VPtr<uint8_t> (vm.hpp), the default
 *                          instance: its pager bound at run time
 *   fixed_get / fixed_set  p[i] on a VPtr<uint8_t, Fast>, Fast = VMEM_FIXED(vm):
 *                          the pager at its link-time address, as the C calls
 *                          reach it
 */
#include "dt_platform.h"
#include "vm.hpp"
#include "vm_ram.h"

#if !defined(__AVR__)
#error "ptr_avr_cycles.cpp measures AVR cycles: build it with avr-g++"
#endif

VM_PTR_DECLARE(u8p, uint8_t);

#define N 256u
#define BASE 64u

static uint8_t backing[256];
static uint32_t pages[2 * 32 / 4] DT_ALIGN4;
static struct vm_slot slots[2];
static struct vm vm;
static struct vm_ram ram;
typedef VMEM_FIXED(vm) Fast;
static volatile uint8_t sink;
static volatile uint16_t overflows;
static uint16_t lines;

ISR(TIMER1_OVF_vect) { overflows++; }

static uint32_t now()
{
    uint8_t sreg = SREG;
    cli();
    uint16_t t = TCNT1, o = overflows;
    if ((TIFR1 & (1u << TOV1)) && t < 0x8000u)
        o++;
    SREG = sreg;
    return (static_cast<uint32_t>(o) << 16) | t;
}

static void put_str(const char *flash)
{
    char c;
    while ((c = dt_strc(flash++)) != 0)
        dt_putc(c);
}
static void put_u32(uint32_t v)
{
    char d[11];
    uint8_t n = 0;
    do {
        d[n++] = static_cast<char>('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        dt_putc(d[--n]);
}
static void report(const char *key, int32_t total)
{
    put_str(key);
    dt_putc(' ');
    if (total < 0) {
        dt_putc('-');
        total = -total;
    }
    uint32_t t10 = (static_cast<uint32_t>(total) * 10u + N / 2u) / N;
    put_u32(t10 / 10u);
    dt_putc('.');
    put_u32(t10 % 10u);
    dt_putc('\n');
    lines++;
}

#define BARRIER() __asm__ __volatile__("" ::: "memory")
#define LOOP(name, barrier, body)                                              \
    static __attribute__((noinline)) uint32_t name(u8p p, vmem::VPtr<uint8_t> vp, \
                                                   vmem::VPtr<uint8_t, Fast> fp) \
    {                                                                          \
        uint8_t v = 0;                                                         \
        (void)p;                                                               \
        (void)vp;                                                              \
        (void)fp;                                                              \
        (void)v;                                                               \
        uint32_t t0 = now();                                                   \
        for (uint16_t i = 0; i < N; i++) {                                     \
            uint8_t idx = static_cast<uint8_t>(i & 31u);                       \
            barrier;                                                           \
            body;                                                              \
        }                                                                      \
        return now() - t0;                                                     \
    }

LOOP(none_b, BARRIER(), sink = idx)
LOOP(raw_get_b, BARRIER(), vm_get8(&vm, BASE + idx, &v); sink = v)
LOOP(typed_get_b, BARRIER(), u8p_get(&vm, p, idx, &v); sink = v)
LOOP(cpp_get_b, BARRIER(), sink = vp[idx])
LOOP(fixed_get_b, BARRIER(), sink = fp[idx])
LOOP(raw_set_b, BARRIER(), vm_set8(&vm, BASE + idx, idx); sink = idx)
LOOP(typed_set_b, BARRIER(), u8p_set(&vm, p, idx, idx); sink = idx)
LOOP(cpp_set_b, BARRIER(), vp[idx] = idx; sink = idx)
LOOP(fixed_set_b, BARRIER(), fp[idx] = idx; sink = idx)
LOOP(none, (void)0, sink = idx)
LOOP(raw_get, (void)0, vm_get8(&vm, BASE + idx, &v); sink = v)
LOOP(typed_get, (void)0, u8p_get(&vm, p, idx, &v); sink = v)
LOOP(cpp_get, (void)0, sink = vp[idx])
LOOP(fixed_get, (void)0, sink = fp[idx])
LOOP(raw_set, (void)0, vm_set8(&vm, BASE + idx, idx); sink = idx)
LOOP(typed_set, (void)0, u8p_set(&vm, p, idx, idx); sink = idx)
LOOP(cpp_set, (void)0, vp[idx] = idx; sink = idx)
LOOP(fixed_set, (void)0, fp[idx] = idx; sink = idx)

int main()
{
    dt_init();
    TCCR1A = 0;
    TCCR1B = static_cast<uint8_t>(1u << CS10);
    TIMSK1 = static_cast<uint8_t>(1u << TOIE1);
    sei();

    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vm_ram_init(&ram, backing, sizeof backing);
    cfg.backend = &ram.backend;
    cfg.page_size = 32;
    cfg.page_count = 2;
    cfg.pages = pages;
    cfg.pages_size = sizeof pages;
    cfg.slots = slots;
    cfg.slot_count = 2;
    if (vm_init(&vm, &cfg) != VM_OK) {
        put_str(DT_STR("FAIL vm_init\n"));
        dt_exit(1);
    }
    vmem::pool().bind(&vm);
    /* The page at BASE: resident, fully valid and dirty, so both the read
     * and the write fast paths serve it. */
    vm_memset(&vm, BASE, 1, 32);
    vm_set8(&vm, BASE, 1);
    vm_stats_reset(&vm);
    u8p p = u8p_at(BASE);
    vmem::VPtr<uint8_t> vp = vmem::VPtr<uint8_t>::at(BASE);
    vmem::VPtr<uint8_t, Fast> fp = vmem::VPtr<uint8_t, Fast>::at(BASE);

    put_str(DT_STR("# cycles per 1-byte access on the hot page, atmega328p, avr-g++ -Os\n"));
    /* Each loop less the empty one; sfx "_b": the barrier loops. */
#define REPORT(name, base) report(DT_STR(#name), static_cast<int32_t>(name(p, vp, fp)) - (base))
#define REPORT_ALL(sfx, base)                                                  \
    do {                                                                       \
        int32_t base0 = static_cast<int32_t>(base(p, vp, fp));                 \
        REPORT(raw_get##sfx, base0);                                           \
        REPORT(typed_get##sfx, base0);                                         \
        REPORT(cpp_get##sfx, base0);                                           \
        REPORT(fixed_get##sfx, base0);                                         \
        REPORT(raw_set##sfx, base0);                                           \
        REPORT(typed_set##sfx, base0);                                         \
        REPORT(cpp_set##sfx, base0);                                           \
        REPORT(fixed_set##sfx, base0);                                         \
    } while (0)
    REPORT_ALL(_b, none_b);
    REPORT_ALL(, none);
    /* Every access above was a hit of the one page, and no error. */
    if (vm_stats(&vm)->misses != 0 || !vmem::pool().ok()) {
        put_str(DT_STR("FAIL misses or errors\n"));
        dt_exit(1);
    }
    put_str(DT_STR("ops="));
    put_u32(lines);
    put_str(DT_STR(" PASS\n"));
    dt_exit(0);
    return 0;
}
