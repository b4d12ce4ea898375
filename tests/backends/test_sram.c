/*
 * test_sram.c - 23LC1024 / 23LC512 / 23K256: the bytes the driver puts on
 * the wire, the model's instruction set and address wrap in every mode, the
 * simulated time of a read, multi-chip splitting, speed warnings, faults,
 * and the core pager running over driver + model against a reference array.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "be_diff.h"
#include "simbus_log.h"
#include "vm_simbus.h"
#include "vm_sram.h"
#include "vm_sram_model.h"

/* A bus with up to 4 chips of one part on CS 0..3, and a recorder. */
struct rig {
    struct vm_simclock clk;
    struct vm_simbus bus;
    struct vm_sram_model chip[4];
    unsigned chips;
    struct vm_sram sr;
    char text[4096];
    struct vm_simbus_log log;
};

static struct rig *rig_new(unsigned part, unsigned chips, const struct vm_platform *p)
{
    struct rig *r = calloc(1, sizeof *r);
    unsigned i;
    vm_simbus_init(&r->bus, &r->clk, p);
    r->chips = chips;
    for (i = 0; i < chips; i++) {
        struct vm_spi_model m;
        ck_assert_int_eq(vm_sram_model_init(&r->chip[i], part, 0xFF), 0);
        m = vm_sram_model_spi(&r->chip[i]);
        vm_simbus_attach(&r->bus, (uint8_t)i, &m);
    }
    r->log.buf = r->text;
    r->log.cap = sizeof r->text;
    return r;
}

static int rig_begin(struct rig *r, unsigned part, uint32_t hz, uint8_t flags)
{
    struct vm_sram_config cfg;
    unsigned i;
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &r->bus.spi;
    cfg.part = (uint8_t)part;
    cfg.chips = (uint8_t)r->chips;
    for (i = 0; i < r->chips; i++) cfg.cs[i] = (uint8_t)i;
    cfg.clock_hz = hz;
    cfg.flags = flags;
    return vm_sram_begin(&r->sr, &cfg);
}

static void rig_free(struct rig *r)
{
    unsigned i;
    for (i = 0; i < r->chips; i++) vm_sram_model_free(&r->chip[i]);
    free(r);
}

static void record(struct rig *r)
{
    vm_simbus_log_clear(&r->log);
    vm_simbus_set_trace(&r->bus, vm_simbus_log_fn, &r->log);
}

/* Raw transaction on cs: tx out, rx in. */
static void xact(struct rig *r, uint8_t cs, const uint8_t *tx, uint8_t *rx, size_t n)
{
    r->bus.spi.select(r->bus.spi.ctx, cs, 1);
    r->bus.spi.transfer(r->bus.spi.ctx, tx, rx, n);
    r->bus.spi.select(r->bus.spi.ctx, cs, 0);
}

static uint8_t rdmr(struct rig *r)
{
    uint8_t tx[2] = {VM_SRAM_RDMR, 0xFF}, rx[2];
    xact(r, 0, tx, rx, 2);
    return rx[1];
}

static void wrmr(struct rig *r, uint8_t mode)
{
    uint8_t tx[2] = {VM_SRAM_WRMR, mode};
    xact(r, 0, tx, NULL, 2);
}

START_TEST(test_wire_bytes)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 1, NULL);
    uint8_t buf[5] = {0xDE, 0xAD, 0xBE, 0xEF, 0x42}, in[5];
    record(r);
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 0, 0), VM_OK);
    ck_assert_str_eq(r->text, "S0 01 40 U0 ");
    record(r);
    ck_assert_int_eq(vm_sram_write(&r->sr, 0x012345, buf, 5), VM_OK);
    ck_assert_str_eq(r->text, "S0 02 01 23 45 DE AD BE EF 42 U0 ");
    record(r);
    ck_assert_int_eq(vm_sram_read(&r->sr, 0x012345, in, 5), VM_OK);
    ck_assert_str_eq(r->text, "S0 03 01 23 45 FF FF FF FF FF U0 ");
    ck_assert_mem_eq(in, buf, 5);
    ck_assert_uint_eq(r->sr.be.size, 131072u);
    /* the driver asked for the part's 20 MHz: no overspeed */
    ck_assert_uint_eq(r->bus.sck_hz, 20000000u);
    ck_assert_uint_eq(r->chip[0].overspeed, 0);
    rig_free(r);

    /* 64 KiB part: 16-bit addresses; VERIFY adds RDMR after each transfer */
    r = rig_new(VM_SRAM_23LC512, 1, NULL);
    record(r);
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC512, 0, VM_SRAM_VERIFY), VM_OK);
    ck_assert_str_eq(r->text, "S0 01 40 U0 S0 05 FF U0 ");
    record(r);
    ck_assert_int_eq(vm_sram_read(&r->sr, 0xABCD, in, 2), VM_OK);
    ck_assert_str_eq(r->text, "S0 03 AB CD FF FF U0 S0 05 FF U0 ");
    ck_assert_int_eq(vm_sram_read(&r->sr, 0xFFFF, in, 2), VM_ERR_RANGE);
    rig_free(r);
}
END_TEST

START_TEST(test_power_up_and_mode_register)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 1, NULL);
    uint8_t tx[1] = {VM_SRAM_RSTIO};
    ck_assert_uint_eq(rdmr(r), VM_SRAM_MODE_SEQ); /* Microchip model: SEQMODE */
    wrmr(r, 0xBF); /* bits 5:0 are not stored */
    ck_assert_uint_eq(rdmr(r), 0x80);
    xact(r, 0, tx, NULL, 1); /* RSTIO in SPI mode: no effect */
    ck_assert_uint_eq(rdmr(r), 0x80);
    rig_free(r);
    r = rig_new(VM_SRAM_23K256, 1, NULL);
    ck_assert_uint_eq(rdmr(r), VM_SRAM_MODE_BYTE); /* 23K256: byte mode default */
    wrmr(r, 0x41); /* sequential + HOLD disable bit kept */
    ck_assert_uint_eq(rdmr(r), 0x41);
    rig_free(r);
    /* a configured power-up mode */
    r = calloc(1, sizeof *r);
    ck_assert_int_eq(vm_sram_model_init(&r->chip[0], VM_SRAM_23LC1024, VM_SRAM_MODE_PAGE), 0);
    ck_assert_uint_eq(r->chip[0].mode, VM_SRAM_MODE_PAGE);
    vm_sram_model_free(&r->chip[0]);
    free(r);
}
END_TEST

START_TEST(test_dual_quad_leave_spi)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 1, NULL);
    uint8_t edio[1] = {0x3B}, rst[1] = {0xFF};
    xact(r, 0, edio, NULL, 1);
    ck_assert_uint_eq(rdmr(r), 0xFF); /* no longer answers SPI */
    xact(r, 0, rst, NULL, 1);          /* RSTIO brings it back */
    ck_assert_uint_eq(rdmr(r), VM_SRAM_MODE_SEQ);
    rig_free(r);
}
END_TEST

/* Write n bytes from tx at addr in one command, with a 3-byte address. */
static void raw_write(struct rig *r, uint32_t addr, const uint8_t *d, size_t n)
{
    uint8_t buf[64];
    buf[0] = VM_SRAM_WRITE;
    buf[1] = (uint8_t)(addr >> 16);
    buf[2] = (uint8_t)(addr >> 8);
    buf[3] = (uint8_t)addr;
    memcpy(buf + 4, d, n);
    xact(r, 0, buf, NULL, n + 4);
}

static void raw_read(struct rig *r, uint32_t addr, uint8_t *d, size_t n, uint8_t dummy)
{
    uint8_t tx[64], rx[64];
    memset(tx, dummy, sizeof tx);
    tx[0] = VM_SRAM_READ;
    tx[1] = (uint8_t)(addr >> 16);
    tx[2] = (uint8_t)(addr >> 8);
    tx[3] = (uint8_t)addr;
    xact(r, 0, tx, rx, n + 4);
    memcpy(d, rx + 4, n);
}

START_TEST(test_wrap_modes)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 1, NULL);
    uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8}, in[8];
    uint8_t *mem = r->chip[0].mem;

    /* sequential: crosses pages, wraps from 0x1FFFF to 0 */
    wrmr(r, VM_SRAM_MODE_SEQ);
    raw_write(r, 0x1FFFE, d, 4);
    ck_assert_uint_eq(mem[0x1FFFE], 1);
    ck_assert_uint_eq(mem[0x1FFFF], 2);
    ck_assert_uint_eq(mem[0], 3);
    ck_assert_uint_eq(mem[1], 4);
    raw_read(r, 0x1FFFF, in, 3, 0xFF);
    ck_assert_uint_eq(in[0], 2);
    ck_assert_uint_eq(in[1], 3);
    ck_assert_uint_eq(in[2], 4);
    raw_write(r, 0x1E, d, 4); /* crosses the page at 0x20 */
    ck_assert_uint_eq(mem[0x20], 3);

    /* page: wraps inside the 32-byte page */
    memset(mem, 0, 256);
    wrmr(r, VM_SRAM_MODE_PAGE);
    raw_write(r, 0x3E, d, 4);
    ck_assert_uint_eq(mem[0x3E], 1);
    ck_assert_uint_eq(mem[0x3F], 2);
    ck_assert_uint_eq(mem[0x20], 3);
    ck_assert_uint_eq(mem[0x21], 4);
    ck_assert_uint_eq(mem[0x40], 0);
    raw_read(r, 0x3F, in, 3, 0xFF);
    ck_assert_uint_eq(in[0], 2);
    ck_assert_uint_eq(in[1], 3);
    /* page mode at the top of the array: stays in the last page */
    raw_write(r, 0x1FFFF, d, 2);
    ck_assert_uint_eq(mem[0x1FFFF], 1);
    ck_assert_uint_eq(mem[0x1FFE0], 2);

    /* byte: the counter does not move; every byte hits the same cell */
    memset(mem, 0, 256);
    wrmr(r, VM_SRAM_MODE_BYTE);
    raw_write(r, 0x10, d, 3);
    ck_assert_uint_eq(mem[0x10], 3);
    ck_assert_uint_eq(mem[0x11], 0);
    raw_read(r, 0x10, in, 3, 0xFF);
    ck_assert_uint_eq(in[0], 3);
    ck_assert_uint_eq(in[2], 3);

    /* the 24-bit address is masked to 17 bits */
    wrmr(r, VM_SRAM_MODE_SEQ);
    raw_write(r, 0xFE0005, d, 1);
    ck_assert_uint_eq(mem[0x00005], 1);
    raw_write(r, 0xFF0007, d + 1, 1); /* A16 = 1 */
    ck_assert_uint_eq(mem[0x10007], 2);

    /* MOSI during READ data is ignored (SRAM_23LC sends the old buffer) */
    memset(mem + 0x100, 0x5A, 8);
    raw_read(r, 0x100, in, 8, 0x00);
    ck_assert_uint_eq(in[7], 0x5A);
    ck_assert_uint_eq(mem[0x104], 0x5A);
    rig_free(r);
}
END_TEST

START_TEST(test_small_part_masks)
{
    struct rig *r = rig_new(VM_SRAM_23K256, 1, NULL);
    uint8_t w[5] = {VM_SRAM_WRITE, 0xFF, 0xFF, 0x11, 0x22};
    uint8_t *mem = r->chip[0].mem;
    wrmr(r, VM_SRAM_MODE_SEQ);
    /* 16-bit address, 15 bits used: 0xFFFF is 0x7FFF, then wraps to 0 */
    xact(r, 0, w, NULL, 5);
    ck_assert_uint_eq(mem[0x7FFF], 0x11);
    ck_assert_uint_eq(mem[0], 0x22);
    rig_free(r);
    r = rig_new(VM_SRAM_23LC512, 1, NULL);
    mem = r->chip[0].mem;
    xact(r, 0, w, NULL, 5);
    ck_assert_uint_eq(mem[0xFFFF], 0x11);
    ck_assert_uint_eq(mem[0], 0x22);
    rig_free(r);
}
END_TEST

/* N-byte read at f: CS setup + (4 + N) bytes of 8 bit times + CS hold, plus
 * the profile's per-transaction and per-byte CPU cost. */
static const uint32_t read_hz[] = {4000000u, 8000000u, 12000000u, 20000000u};
START_TEST(test_read_time_formula)
{
    const struct vm_platform *plats[3];
    unsigned p;
    plats[0] = NULL;
    plats[1] = vm_platform_find("atmega328p");
    plats[2] = vm_platform_find("teensy32");
    for (p = 0; p < 3; p++) {
        static const size_t sizes[] = {1, 32, 1000};
        unsigned k;
        struct rig *r = rig_new(VM_SRAM_23LC1024, 1, plats[p]);
        static uint8_t buf[1000];
        ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, read_hz[_i], 0), VM_OK);
        for (k = 0; k < 3; k++) {
            uint32_t f = r->bus.sck_hz;
            uint64_t per_byte = (8000000000ull + f - 1u) / f;
            uint64_t expect, t0;
            size_t n = sizes[k];
            if (plats[p]) per_byte += plats[p]->byte_ns;
            expect = VM_SIMBUS_CS_SETUP_NS + (4u + n) * per_byte + VM_SIMBUS_CS_HOLD_NS;
            if (plats[p]) expect += plats[p]->xfer_ns;
            r->clk.ns += 1000; /* well past tCSD */
            t0 = r->clk.ns;
            ck_assert_int_eq(vm_sram_read(&r->sr, 100, buf, n), VM_OK);
            ck_assert_uint_eq(r->clk.ns - t0, expect);
            if (p == 0) ck_assert_uint_eq(f, read_hz[_i]);
        }
        rig_free(r);
    }
}
END_TEST

START_TEST(test_multi_chip_split)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 3, NULL);
    uint8_t d[100], in[100];
    unsigned i;
    for (i = 0; i < 100; i++) d[i] = (uint8_t)(i * 7 + 1);
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 0, VM_SRAM_VERIFY), VM_OK);
    ck_assert_uint_eq(vm_sram_backend(&r->sr)->size, 3u * 131072u);
    record(r);
    ck_assert_int_eq(vm_sram_write(&r->sr, 131072u - 2u, d, 4), VM_OK);
    ck_assert_str_eq(r->text, "S0 02 01 FF FE 01 08 U0 S0 05 FF U0 "
                              "S1 02 00 00 00 0F 16 U1 S1 05 FF U1 ");
    ck_assert_int_eq(vm_sram_write(&r->sr, 2u * 131072u - 50u, d, 100), VM_OK);
    ck_assert_mem_eq(r->chip[1].mem + 131072u - 50u, d, 50);
    ck_assert_mem_eq(r->chip[2].mem, d + 50, 50);
    ck_assert_int_eq(vm_sram_read(&r->sr, 2u * 131072u - 50u, in, 100), VM_OK);
    ck_assert_mem_eq(in, d, 100);
    ck_assert_int_eq(vm_sram_read(&r->sr, 3u * 131072u - 1u, in, 2), VM_ERR_RANGE);
    rig_free(r);
}
END_TEST

START_TEST(test_bad_config)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 2, NULL);
    struct vm_sram_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &r->bus.spi;
    cfg.chips = 0;
    ck_assert_int_eq(vm_sram_begin(&r->sr, &cfg), VM_ERR_INVAL);
    cfg.chips = 2; /* both on CS 0 */
    ck_assert_int_eq(vm_sram_begin(&r->sr, &cfg), VM_ERR_INVAL);
    cfg.cs[1] = 1;
    cfg.part = 7;
    ck_assert_int_eq(vm_sram_begin(&r->sr, &cfg), VM_ERR_INVAL);
    cfg.part = VM_SRAM_23LC1024;
    ck_assert_int_eq(vm_sram_begin(&r->sr, &cfg), VM_OK);
    ck_assert_int_eq(vm_sram_begin(&r->sr, NULL), VM_ERR_INVAL);
    rig_free(r);
}
END_TEST

START_TEST(test_overspeed)
{
    /* serialram on Teensy 3 clocks at F_BUS/2 = 24 MHz, above the 20 MHz
     * rating (23LC1024 datasheet DS20005142, p.1): counted as a warning ... */
    struct rig *r = rig_new(VM_SRAM_23LC1024, 1, vm_platform_find("teensy32"));
    uint8_t d[4] = {1, 2, 3, 4}, in[4];
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 24000000u, VM_SRAM_VERIFY), VM_OK);
    ck_assert_uint_eq(r->bus.sck_hz, 24000000u);
    ck_assert_uint_gt(r->chip[0].overspeed, 0);
    ck_assert_int_eq(vm_sram_write(&r->sr, 0, d, 4), VM_OK);
    ck_assert_int_eq(vm_sram_read(&r->sr, 0, in, 4), VM_OK);
    ck_assert_mem_eq(in, d, 4);
    /* ... and an error in strict mode: the chip refuses, VERIFY sees it */
    r->chip[0].strict = 1;
    ck_assert_int_eq(vm_sram_read(&r->sr, 0, in, 4), VM_ERR_NODEV);
    rig_free(r);
    /* asking for 20 MHz on Teensy gives F_BUS/3 = 16 MHz: no warning */
    r = rig_new(VM_SRAM_23LC1024, 1, vm_platform_find("teensy32"));
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 0, 0), VM_OK);
    ck_assert_uint_eq(r->bus.sck_hz, 16000000u);
    ck_assert_int_eq(vm_sram_read(&r->sr, 0, in, 4), VM_OK);
    ck_assert_uint_eq(r->chip[0].overspeed, 0);
    rig_free(r);
}
END_TEST

START_TEST(test_faults)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 1, NULL);
    uint8_t d[16], in[16];
    unsigned i;
    for (i = 0; i < 16; i++) d[i] = (uint8_t)(0x30 + i);
    /* absent chip at begin */
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_STUCK_FF);
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 0, VM_SRAM_VERIFY), VM_ERR_NODEV);
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_NONE);
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 0, VM_SRAM_VERIFY), VM_OK);
    ck_assert_int_eq(vm_sram_write(&r->sr, 64, d, 16), VM_OK);
    /* stuck MISO: VERIFY turns it into an error, both polarities */
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_STUCK_00);
    ck_assert_int_eq(vm_sram_read(&r->sr, 64, in, 16), VM_ERR_NODEV);
    ck_assert_int_eq(vm_sram_write(&r->sr, 64, in, 16), VM_ERR_NODEV);
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_STUCK_FF);
    ck_assert_int_eq(vm_sram_read(&r->sr, 64, in, 16), VM_ERR_NODEV);
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_NONE);
    ck_assert_int_eq(vm_sram_read(&r->sr, 64, in, 16), VM_OK);
    ck_assert_mem_eq(in, d, 16);
    /* without VERIFY an absent chip reads as 0xFF: undetectable */
    r->sr.flags = 0;
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_STUCK_FF);
    ck_assert_int_eq(vm_sram_read(&r->sr, 64, in, 16), VM_OK);
    ck_assert_uint_eq(in[0], 0xFF);
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_NONE);
    /* wire bit flips are seeded, counted, and not detectable by SRAM */
    vm_sram_model_set_flips(&r->chip[0], 200000u, 42);
    ck_assert_int_eq(vm_sram_read(&r->sr, 64, in, 16), VM_OK);
    ck_assert_uint_gt(r->chip[0].flips, 0);
    ck_assert_int_ne(memcmp(in, d, 16), 0);
    rig_free(r);
}
END_TEST

static void sram_dump(void *ctx, uint8_t *dst, vm_addr_t n)
{
    struct rig *r = ctx;
    vm_addr_t off = 0;
    unsigned i;
    for (i = 0; i < r->chips && off < n; i++) {
        vm_addr_t k = n - off < r->chip[i].size ? n - off : r->chip[i].size;
        memcpy(dst + off, r->chip[i].mem, k);
        off += k;
    }
}
static void sram_off(void *ctx)
{
    struct rig *r = ctx;
    unsigned i;
    for (i = 0; i < r->chips; i++) vm_sram_model_set_fault(&r->chip[i], VM_SRAM_FAULT_NONE);
}

/* The pager over two 23LC1024 chips (a pool that crosses the chip
 * boundary), page sizes swept, no faults: it must match exactly. */
static const uint16_t diff_pages[] = {32, 128, 1024};
START_TEST(test_pager_differential)
{
    struct rig *r = rig_new(VM_SRAM_23LC1024, 2, vm_platform_find("atmega328p"));
    struct be_diff_opts o;
    struct be_diff_result res;
    ck_assert_int_eq(rig_begin(r, VM_SRAM_23LC1024, 0, VM_SRAM_VERIFY), VM_OK);
    memset(&o, 0, sizeof o);
    o.be = vm_sram_backend(&r->sr);
    o.pool = o.be->size;
    o.page_size = diff_pages[_i];
    o.pages = 4;
    o.ops = 1500;
    o.seed = 1234u + (unsigned)_i;
    o.faults_off = sram_off;
    o.dump = sram_dump;
    o.ctx = r;
    be_diff_run(&o, &res);
    ck_assert_uint_eq(res.errors, 0);
    ck_assert_uint_eq(res.wrong, 0);
    ck_assert_uint_eq(res.check_failed, 0);
    ck_assert_int_eq(res.final_flush, VM_OK);
    ck_assert(res.final_match);
    ck_assert(res.reload_match);
    ck_assert_uint_eq(r->chip[0].overspeed + r->chip[1].overspeed, 0);
    rig_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sram");
    TCase *tc = tcase_create("sram");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, test_wire_bytes);
    tcase_add_test(tc, test_power_up_and_mode_register);
    tcase_add_test(tc, test_dual_quad_leave_spi);
    tcase_add_test(tc, test_wrap_modes);
    tcase_add_test(tc, test_small_part_masks);
    tcase_add_loop_test(tc, test_read_time_formula, 0, 4);
    tcase_add_test(tc, test_multi_chip_split);
    tcase_add_test(tc, test_bad_config);
    tcase_add_test(tc, test_overspeed);
    tcase_add_test(tc, test_faults);
    tcase_add_loop_test(tc, test_pager_differential, 0, 3);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
