#include <stdio.h>
/*
 * test_bus.c - the simulated SPI bus: platform SCK choice, the time charged
 * per byte / transaction / CS edge, routing, counters and the recorder.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "simbus_log.h"
#include "vm_simbus.h"

/* A device that answers MOSI + 1 and counts what it sees. */
struct echo {
    int selects, deselects, bytes, idle_bytes;
};
static void echo_select(void *ctx, struct vm_simbus *bus, int on)
{
    struct echo *e = ctx;
    (void)bus;
    if (on) e->selects++; else e->deselects++;
}
static uint8_t echo_exchange(void *ctx, struct vm_simbus *bus, uint8_t mosi)
{
    struct echo *e = ctx;
    (void)bus;
    e->bytes++;
    return (uint8_t)(mosi + 1u);
}
static void echo_idle(void *ctx, struct vm_simbus *bus, uint8_t mosi)
{
    struct echo *e = ctx;
    (void)bus;
    (void)mosi;
    e->idle_bytes++;
}
static struct vm_spi_model echo_model(struct echo *e)
{
    struct vm_spi_model m = {echo_select, echo_exchange, echo_idle, e, NULL, NULL, NULL};
    return m;
}

START_TEST(test_platform_sck)
{
    const struct vm_platform *avr = vm_platform_find("atmega328p");
    const struct vm_platform *t3 = vm_platform_find("teensy32");
    ck_assert_ptr_nonnull(avr);
    ck_assert_ptr_nonnull(t3);
    ck_assert_ptr_nonnull(vm_platform_find("due"));
    ck_assert_ptr_null(vm_platform_find("pdp11"));
    /* AVR: F_CPU / 2^k, never above the request */
    ck_assert_uint_eq(vm_platform_sck(avr, 20000000u), 8000000u);
    ck_assert_uint_eq(vm_platform_sck(avr, 8000000u), 8000000u);
    ck_assert_uint_eq(vm_platform_sck(avr, 5000000u), 4000000u);
    ck_assert_uint_eq(vm_platform_sck(avr, 400000u), 250000u);
    /* Teensy: F_BUS / n */
    ck_assert_uint_eq(vm_platform_sck(t3, 50000000u), 24000000u);
    ck_assert_uint_eq(vm_platform_sck(t3, 20000000u), 16000000u);
    ck_assert_uint_eq(vm_platform_sck(t3, 400000u), 400000u);
    /* The atmega328p profile's cost table is the one measured on a
     * simulated atmega328p (target/cpu-costs.sh writes both files), and no
     * profile ships a zero for a path. */
    {
        static const char *const names[] = {
            "fast_get8", "fast_get16", "fast_get32", "fast_set8", "fast_set16", "fast_set32",
            "slow_hit", "slow_set", "read_byte", "write_byte", "lock", "unlock",
            "lock_bounce", "unlock_bounce", "miss", "writeback"};
        const uint32_t *tab = (const uint32_t *)&avr->cost;
        const char *path = getenv("VM_CPU_COSTS");
        FILE *f = path ? fopen(path, "r") : NULL;
        char key[96];
        unsigned long v, seen = 0;
        const struct vm_platform *p;
        ck_assert_uint_eq(sizeof avr->cost, sizeof names / sizeof names[0] * sizeof(uint32_t));
        ck_assert_msg(f != NULL, "VM_CPU_COSTS names no readable file");
        while (fscanf(f, "%95s", key) == 1) {
            if (key[0] == '#') {
                int c;
                while ((c = fgetc(f)) != EOF && c != '\n') {}
                continue;
            }
            if (fscanf(f, "%lu", &v) != 1) break;
            for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
                char want[96];
                snprintf(want, sizeof want, "atmega328p.cycles.%s", names[i]);
                if (!strcmp(key, want)) {
                    ck_assert_msg(tab[i] == v, "%s: profile %lu, measured %lu", names[i],
                                  (unsigned long)tab[i], v);
                    seen++;
                }
            }
        }
        fclose(f);
        ck_assert_uint_eq(seen, sizeof names / sizeof names[0]);
        for (p = vm_platforms; p->name; p++) {
            tab = (const uint32_t *)&p->cost;
            for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
                ck_assert_msg(tab[i] > 0, "%s ships a zero for %s", p->name, names[i]);
            ck_assert_uint_gt(p->serial_rx_byte, 0);
            ck_assert_uint_gt(p->serial_request, 0);
        }
    }
    /* The CPU clock is a setting: a Teensy 3.2 at 144 MHz has F_BUS 48 MHz,
     * at 120 MHz 60 MHz; the Uno has no other clock. */
    {
        struct vm_platform at;
        ck_assert_int_eq(vm_platform_at(t3, 144000000u, &at), 0);
        ck_assert_uint_eq(at.cpu_hz, 144000000u);
        ck_assert_uint_eq(vm_platform_sck(&at, 50000000u), 24000000u);
        ck_assert_int_eq(vm_platform_at(t3, 120000000u, &at), 0);
        ck_assert_uint_eq(vm_platform_sck(&at, 50000000u), 30000000u);
        ck_assert_int_eq(vm_platform_at(t3, 100000000u, &at), -1);
        ck_assert_int_eq(vm_platform_at(avr, 20000000u, &at), -1);
        ck_assert_int_eq(vm_platform_at(avr, 0u, &at), 0);
        ck_assert_uint_eq(at.cpu_hz, 16000000u);
        /* 1/100 cycles to ns: 5402 hundredths at 16 MHz = 3376 ns */
        ck_assert_uint_eq(vm_cpu_cc_ns(5402u, 16000000u), 3376u);
    }
    ck_assert_ptr_nonnull(avr->source);
}
END_TEST

/* The running conversion gives vm_cpu_cc_ns at every step: random steps
 * (small ones, as between two backend calls, and huge ones, past the
 * one-multiply range), at every profile's clocks and at awkward ones, while
 * cc / hz stays within 10^12 (vm_cpu_cc_ns's own range: no overflow). */
START_TEST(test_cpu_ns_running)
{
    uint32_t hz[16] = {1u, 3u, 7u, 1000000u, 999999937u, 4294967295u, 4294967291u, 2147483648u};
    unsigned nhz = 8;
    for (const struct vm_platform *p = vm_platforms; p->name && nhz < 16; p++) hz[nhz++] = p->cpu_hz;
    uint64_t rng = 88172645463325252ull;
    for (unsigned h = 0; h < nhz; h++) {
        struct vm_cpu_ns c;
        uint64_t cc = 0;
        vm_cpu_ns_init(&c, hz[h]);
        ck_assert_uint_eq(vm_cpu_ns_at(&c, 0), 0);
        for (unsigned i = 0; i < 20000; i++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            uint64_t step;
            switch (rng >> 61) {
            case 0: step = 0; break;
            case 1: step = VM_CPU_NS_STEP_MAX - (rng & 3u) + 1u; break; /* at the edge */
            case 2: step = rng >> 20; break;                            /* huge */
            default: step = rng >> (40 + (rng & 15u)); break;           /* a miss or so */
            }
            if ((cc + step) / hz[h] > 1000000000000ull) { /* past vm_cpu_cc_ns's range: restart */
                cc = 0;
                vm_cpu_ns_init(&c, hz[h]);
                continue;
            }
            cc += step;
            ck_assert_uint_eq(vm_cpu_ns_at(&c, cc), vm_cpu_cc_ns(cc, hz[h]));
        }
    }
}
END_TEST

START_TEST(test_time_per_byte_and_edge)
{
    struct vm_simclock clk = {0};
    struct vm_simbus bus;
    struct echo e = {0, 0, 0, 0};
    struct vm_spi_model m = echo_model(&e);
    const struct vm_platform *avr = vm_platform_find("atmega328p");
    uint8_t tx[10], rx[10];
    uint64_t t0, expect;
    unsigned i;

    vm_simbus_init(&bus, &clk, avr);
    vm_simbus_attach(&bus, 2, &m);
    bus.spi.set_clock(bus.spi.ctx, 8000000u);
    ck_assert_uint_eq(bus.sck_hz, 8000000u);
    for (i = 0; i < 10; i++) tx[i] = (uint8_t)i;
    clk.ns = 1000; /* long after the last deselect */
    t0 = clk.ns;
    bus.spi.select(bus.spi.ctx, 2, 1);
    bus.spi.transfer(bus.spi.ctx, tx, rx, 10);
    bus.spi.select(bus.spi.ctx, 2, 0);
    /* per transaction 60, CS setup 25, 10 x (600 + 1000), CS hold 50 */
    expect = 60u + VM_SIMBUS_CS_SETUP_NS + 10u * (600u + 1000u) + VM_SIMBUS_CS_HOLD_NS;
    ck_assert_uint_eq(clk.ns - t0, expect);
    for (i = 0; i < 10; i++) ck_assert_uint_eq(rx[i], i + 1u);
    ck_assert_uint_eq(e.selects, 1);
    ck_assert_uint_eq(e.deselects, 1);
    ck_assert_uint_eq(e.bytes, 10);
    ck_assert_uint_eq(bus.bytes, 10);
    ck_assert_uint_eq(bus.transactions, 1);
    ck_assert_uint_eq(bus.wire_ns, 10000u);
    ck_assert_uint_eq(bus.cpu_ns, 60u + 6000u);
    /* a new transaction right away waits out tCSD */
    t0 = clk.ns;
    bus.spi.select(bus.spi.ctx, 2, 1);
    ck_assert_uint_eq(clk.ns - t0, VM_SIMBUS_CS_DISABLE_NS + 60u + VM_SIMBUS_CS_SETUP_NS);
    /* selecting an already selected CS is not an edge */
    t0 = clk.ns;
    bus.spi.select(bus.spi.ctx, 2, 1);
    ck_assert_uint_eq(clk.ns, t0);
    ck_assert_uint_eq(bus.transactions, 2);
    bus.spi.select(bus.spi.ctx, 2, 0);
    /* millis follows the clock */
    clk.ns = 12345678901ull;
    ck_assert_uint_eq(bus.spi.millis(bus.spi.ctx), 12345u);
}
END_TEST

START_TEST(test_routing_and_idle_clocks)
{
    struct vm_simclock clk = {0};
    struct vm_simbus bus;
    struct echo a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
    struct vm_spi_model ma = echo_model(&a), mb = echo_model(&b);
    uint8_t rx[4];
    vm_simbus_init(&bus, &clk, NULL);
    ck_assert_int_eq(vm_simbus_attach(&bus, VM_SIMBUS_MAX_CS, &ma), -1);
    vm_simbus_attach(&bus, 0, &ma);
    vm_simbus_attach(&bus, 1, &mb);
    /* nobody selected: MISO floats high, both see idle clocks */
    bus.spi.transfer(bus.spi.ctx, NULL, rx, 4);
    ck_assert_uint_eq(rx[0], 0xFF);
    ck_assert_int_eq(a.idle_bytes, 4);
    ck_assert_int_eq(b.idle_bytes, 4);
    bus.spi.select(bus.spi.ctx, 1, 1);
    bus.spi.transfer(bus.spi.ctx, NULL, rx, 2); /* tx NULL sends 0xFF */
    ck_assert_uint_eq(rx[0], 0x00);
    ck_assert_int_eq(b.bytes, 2);
    ck_assert_int_eq(a.bytes, 0);
    ck_assert_int_eq(a.idle_bytes, 6);
    ck_assert_uint_eq(bus.contention, 0);
    bus.spi.select(bus.spi.ctx, 0, 1);
    bus.spi.transfer(bus.spi.ctx, NULL, rx, 1);
    ck_assert_uint_eq(bus.contention, 1);
}
END_TEST

START_TEST(test_recorder)
{
    struct vm_simclock clk = {0};
    struct vm_simbus bus;
    struct echo e = {0, 0, 0, 0};
    struct vm_spi_model m = echo_model(&e);
    char text[128];
    struct vm_simbus_log log = {text, sizeof text, 0, 0};
    uint8_t tx[2] = {0x12, 0xAB};
    vm_simbus_init(&bus, &clk, NULL);
    vm_simbus_attach(&bus, 3, &m);
    vm_simbus_set_trace(&bus, vm_simbus_log_fn, &log);
    bus.spi.select(bus.spi.ctx, 3, 1);
    bus.spi.transfer(bus.spi.ctx, tx, NULL, 2);
    bus.spi.select(bus.spi.ctx, 3, 0);
    ck_assert_str_eq(text, "S3 12 AB U3 ");
    vm_simbus_log_clear(&log);
    log.miso = 1;
    bus.spi.select(bus.spi.ctx, 3, 1);
    bus.spi.transfer(bus.spi.ctx, tx, NULL, 1);
    ck_assert_str_eq(text, "S3 12/13 ");
    /* truncation is silent and keeps the string terminated */
    log.cap = 6;
    vm_simbus_log_clear(&log);
    bus.spi.transfer(bus.spi.ctx, tx, NULL, 2);
    ck_assert_uint_eq(strlen(text), 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("bus");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, test_platform_sck);
    tcase_add_test(tc, test_time_per_byte_and_edge);
    tcase_add_test(tc, test_cpu_ns_running);
    tcase_add_test(tc, test_routing_and_idle_clocks);
    tcase_add_test(tc, test_recorder);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
