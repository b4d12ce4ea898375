/*
 * test_vmavr_spi.c - vmavr's SPI peripheral timing model (vmavr/vmavr_spi.h)
 * against the ATmega328P datasheet (Atmel-7810D, 11/2016), section 19:
 *   Table 19-5: SCK = f_osc / {4, 16, 64, 128} for SPR1:SPR0 = 0..3 with
 *               SPI2X = 0, / {2, 8, 32, 64} with SPI2X = 1;
 *   19.5.2:     SPIF is set when a transfer completes (8 SCK periods after
 *               the SPDR write), cleared by reading SPSR with SPIF set and
 *               then accessing SPDR; WCOL is set by a write to SPDR during
 *               a transfer.
 * The test prints the cycles per byte it checks, one line per divider.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmavr_spi.h"

/* Table 19-5, written out independently of the model: SPI2X, SPR1, SPR0 and
 * the divider. */
static const struct {
    unsigned spi2x, spr;
    unsigned divider;
} table_19_5[8] = {
    {0, 0, 4}, {0, 1, 16}, {0, 2, 64}, {0, 3, 128},
    {1, 0, 2}, {1, 1, 8},  {1, 2, 32}, {1, 3, 64},
};

struct wire {
    uint8_t miso;
    uint8_t last_mosi;
    uint64_t last_cycle;
    unsigned last_div;
    unsigned n;
};

static uint8_t wire_exchange(void *ctx, uint8_t mosi, uint64_t cycle, unsigned divider)
{
    struct wire *w = ctx;
    w->last_mosi = mosi;
    w->last_cycle = cycle;
    w->last_div = divider;
    w->n++;
    return w->miso;
}

static void setup_master(struct vmavr_spi *s, struct wire *w, unsigned spi2x, unsigned spr)
{
    vmavr_spi_init(s, wire_exchange, w);
    vmavr_spi_write_spcr(s, (uint8_t)(AVR_SPCR_SPE | AVR_SPCR_MSTR | spr), 0);
    vmavr_spi_write_spsr(s, spi2x ? AVR_SPSR_SPI2X : 0, 0);
}

START_TEST(divider_table)
{
    for (int i = 0; i < 8; i++) {
        uint8_t spcr = (uint8_t)(AVR_SPCR_SPE | AVR_SPCR_MSTR | table_19_5[i].spr);
        uint8_t spsr = table_19_5[i].spi2x ? AVR_SPSR_SPI2X : 0;
        ck_assert_uint_eq(vmavr_spi_divider(spcr, spsr), table_19_5[i].divider);
        ck_assert_uint_eq(vmavr_spi_byte_cycles(spcr, spsr), 8u * table_19_5[i].divider);
    }
}
END_TEST

/* SPIF rises exactly 8 x divider cycles after the SPDR write, for every
 * divider, and the received byte appears with it. */
START_TEST(spif_timing)
{
    printf("divider  SCK@16MHz      cycles/byte  datasheet 8 x f_osc/SCK\n");
    for (int i = 0; i < 8; i++) {
        struct vmavr_spi s;
        struct wire w = {0x5A, 0, 0, 0, 0};
        unsigned d = table_19_5[i].divider;
        uint64_t t0 = 1000 + 7u * (uint64_t)i;
        setup_master(&s, &w, table_19_5[i].spi2x, table_19_5[i].spr);
        vmavr_spi_write_spdr(&s, 0xC3, t0);
        ck_assert_uint_eq(w.n, 1);
        ck_assert_uint_eq(w.last_mosi, 0xC3);
        ck_assert_uint_eq(w.last_cycle, t0);
        ck_assert_uint_eq(w.last_div, d);
        /* one cycle early: the transfer is still running */
        ck_assert_uint_eq(vmavr_spi_read_spsr(&s, t0 + 8u * d - 1u) & AVR_SPSR_SPIF, 0);
        ck_assert_uint_ne(vmavr_spi_read_spdr(&s, t0 + 8u * d - 1u), 0x5A);
        /* on time */
        uint64_t first = 0;
        for (uint64_t c = t0; c <= t0 + 8u * d + 1u; c++) {
            if (vmavr_spi_read_spsr(&s, c) & AVR_SPSR_SPIF) {
                first = c;
                break;
            }
        }
        ck_assert_uint_eq(first - t0, 8u * d);
        ck_assert_uint_eq(vmavr_spi_read_spdr(&s, first), 0x5A);
        /* SPSR read with SPIF set, then the SPDR access: SPIF clear */
        ck_assert_uint_eq(vmavr_spi_read_spsr(&s, first + 1) & AVR_SPSR_SPIF, 0);
        printf("f/%-3u    %8.3f MHz   %6u       %6u\n", d, 16.0 / d, (unsigned)(first - t0), 8u * d);
    }
}
END_TEST

/* Back-to-back bytes, each sent as soon as SPIF is seen: n bytes take
 * n x 8 x divider cycles plus the polling, never less. */
START_TEST(back_to_back)
{
    struct vmavr_spi s;
    struct wire w = {0x00, 0, 0, 0, 0};
    setup_master(&s, &w, 1, 0); /* f/2 */
    uint64_t c = 0;
    for (int n = 0; n < 100; n++) {
        vmavr_spi_write_spdr(&s, (uint8_t)n, c);
        c++;
        while (!(vmavr_spi_read_spsr(&s, c) & AVR_SPSR_SPIF))
            c += 3; /* in + sbrs + rjmp */
        (void)vmavr_spi_read_spdr(&s, c);
        c++;
    }
    ck_assert_uint_eq(s.bytes, 100);
    ck_assert_uint_eq(s.busy_cycles, 100u * 16u);
    ck_assert_uint_ge(c, 100u * 16u);
    ck_assert_uint_eq(s.collisions, 0);
}
END_TEST

START_TEST(write_collision)
{
    struct vmavr_spi s;
    struct wire w = {0xFF, 0, 0, 0, 0};
    setup_master(&s, &w, 0, 0); /* f/4: 32 cycles */
    vmavr_spi_write_spdr(&s, 0x11, 0);
    vmavr_spi_write_spdr(&s, 0x22, 10); /* during the transfer: ignored */
    ck_assert_uint_eq(w.n, 1);
    ck_assert_uint_eq(w.last_mosi, 0x11);
    ck_assert_uint_eq(s.collisions, 1);
    uint8_t sr = vmavr_spi_read_spsr(&s, 11);
    ck_assert_uint_eq(sr & AVR_SPSR_WCOL, AVR_SPSR_WCOL);
    ck_assert_uint_eq(sr & AVR_SPSR_SPIF, 0);
    /* the transfer still ends on time */
    ck_assert_uint_eq(vmavr_spi_read_spsr(&s, 32) & AVR_SPSR_SPIF, AVR_SPSR_SPIF);
    (void)vmavr_spi_read_spdr(&s, 33);
    ck_assert_uint_eq(vmavr_spi_read_spsr(&s, 34) & (AVR_SPSR_SPIF | AVR_SPSR_WCOL), 0);
}
END_TEST

START_TEST(disabled_or_slave)
{
    struct vmavr_spi s;
    struct wire w = {0xFF, 0, 0, 0, 0};
    vmavr_spi_init(&s, wire_exchange, &w);
    vmavr_spi_write_spdr(&s, 0x11, 0); /* SPE clear */
    vmavr_spi_write_spcr(&s, AVR_SPCR_SPE, 1); /* slave */
    vmavr_spi_write_spdr(&s, 0x11, 2);
    ck_assert_uint_eq(w.n, 0);
    ck_assert_uint_eq(s.ignored, 2);
    ck_assert_uint_eq(vmavr_spi_read_spsr(&s, 1000) & AVR_SPSR_SPIF, 0);
}
END_TEST

/* Only SPI2X is writable in SPSR; SPIF is not set by a write. */
START_TEST(spsr_write)
{
    struct vmavr_spi s;
    struct wire w = {0xFF, 0, 0, 0, 0};
    setup_master(&s, &w, 0, 0);
    vmavr_spi_write_spsr(&s, 0xFF, 1);
    ck_assert_uint_eq(vmavr_spi_read_spsr(&s, 2), AVR_SPSR_SPI2X);
}
END_TEST

START_TEST(lsb_first)
{
    struct vmavr_spi s;
    struct wire w = {0x01, 0, 0, 0, 0}; /* device sends 0000 0001 */
    vmavr_spi_init(&s, wire_exchange, &w);
    vmavr_spi_write_spcr(&s, AVR_SPCR_SPE | AVR_SPCR_MSTR | AVR_SPCR_DORD, 0);
    vmavr_spi_write_spdr(&s, 0x01, 0); /* LSB first: 1000 0000 on the wire */
    ck_assert_uint_eq(w.last_mosi, 0x80);
    ck_assert_uint_eq(vmavr_spi_read_spdr(&s, 100), 0x80);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("avr_spi");
    TCase *tc = tcase_create("datasheet");
    tcase_add_test(tc, divider_table);
    tcase_add_test(tc, spif_timing);
    tcase_add_test(tc, back_to_back);
    tcase_add_test(tc, write_collision);
    tcase_add_test(tc, disabled_or_slave);
    tcase_add_test(tc, spsr_write);
    tcase_add_test(tc, lsb_first);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
