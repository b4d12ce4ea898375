/*
 * test_faults.c - faults end to end: the core pager runs a randomised
 * read / write / lock / flush / invalidate workload against a reference
 * array over a driver + device model while faults come and go. Whatever
 * happens, the pager reports errors, never shows wrong data, keeps dirty
 * data dirty (the backend matches the reference after a final flush with
 * faults off) and its invariants hold.
 *
 * SRAM has no CRC or status, so only faults the driver can detect are
 * injected: a chip that stops answering (MISO stuck at 0xFF or 0x00), which
 * VM_SRAM_VERIFY catches. Wire bit flips on SRAM are undetectable by design
 * (test_sram.c shows them going through). SD runs with CRC on (CMD59), so
 * wire corruption is injected too, with dead cards, lost and error tokens,
 * and CRC-error / write-error data responses.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "be_diff.h"
#include "vm_sd.h"
#include "vm_sd_model.h"
#include "vm_simbus.h"
#include "vm_sram.h"
#include "vm_sram_model.h"

struct srig {
    struct vm_simclock clk;
    struct vm_simbus bus;
    struct vm_sram_model chip[2];
    struct vm_sram sr;
};

static void s_fault(void *ctx, unsigned op)
{
    struct srig *r = ctx;
    unsigned w = op % 40u;
    vm_sram_model_set_fault(&r->chip[1], w < 3u ? VM_SRAM_FAULT_STUCK_FF : VM_SRAM_FAULT_NONE);
    vm_sram_model_set_fault(&r->chip[0],
                            (w >= 20u && w < 23u) ? VM_SRAM_FAULT_STUCK_00 : VM_SRAM_FAULT_NONE);
}
static void s_off(void *ctx)
{
    struct srig *r = ctx;
    vm_sram_model_set_fault(&r->chip[0], VM_SRAM_FAULT_NONE);
    vm_sram_model_set_fault(&r->chip[1], VM_SRAM_FAULT_NONE);
}
static void s_dump(void *ctx, uint8_t *dst, vm_addr_t n)
{
    struct srig *r = ctx;
    memcpy(dst, r->chip[0].mem, n < 131072u ? n : 131072u);
    if (n > 131072u) memcpy(dst + 131072u, r->chip[1].mem, n - 131072u);
}

static const uint16_t s_pages[] = {64, 512};
START_TEST(test_sram_chip_absent)
{
    struct srig *r = calloc(1, sizeof *r);
    struct vm_sram_config cfg;
    struct be_diff_opts o;
    struct be_diff_result res;
    unsigned i;
    vm_simbus_init(&r->bus, &r->clk, vm_platform_find("atmega328p"));
    for (i = 0; i < 2; i++) {
        struct vm_spi_model m;
        ck_assert_int_eq(vm_sram_model_init(&r->chip[i], VM_SRAM_23LC1024, 0xFF), 0);
        m = vm_sram_model_spi(&r->chip[i]);
        vm_simbus_attach(&r->bus, (uint8_t)(4 + i), &m);
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &r->bus.spi;
    cfg.part = VM_SRAM_23LC1024;
    cfg.chips = 2;
    cfg.cs[0] = 4;
    cfg.cs[1] = 5;
    cfg.flags = VM_SRAM_VERIFY;
    ck_assert_int_eq(vm_sram_begin(&r->sr, &cfg), VM_OK);
    memset(&o, 0, sizeof o);
    o.be = vm_sram_backend(&r->sr);
    o.pool = o.be->size;
    o.page_size = s_pages[_i];
    o.pages = 4;
    o.ops = 2500;
    o.seed = 901u + (unsigned)_i;
    o.fault = s_fault;
    o.faults_off = s_off;
    o.dump = s_dump;
    o.ctx = r;
    be_diff_run(&o, &res);
    ck_assert_uint_gt(res.errors, 10);
    ck_assert_uint_eq(res.err_seen[-VM_ERR_NODEV], res.errors);
    ck_assert_uint_eq(res.wrong, 0);
    ck_assert_uint_eq(res.check_failed, 0);
    ck_assert_int_eq(res.final_flush, VM_OK);
    ck_assert(res.final_match);
    ck_assert(res.reload_match);
    for (i = 0; i < 2; i++) vm_sram_model_free(&r->chip[i]);
    free(r);
}
END_TEST

struct sdrig {
    struct vm_simclock clk;
    struct vm_simbus bus;
    struct vm_sd_model card;
    struct vm_sd sd;
};

static void d_off(void *ctx)
{
    struct sdrig *r = ctx;
    r->card.flip_ppm = 0;
    r->card.read_error_ppm = r->card.no_token_ppm = 0;
    r->card.write_crc_ppm = r->card.write_error_ppm = 0;
    r->card.stuck_busy = 0;
    vm_sd_model_set_dead(&r->card, 0);
}
static void d_fault(void *ctx, unsigned op)
{
    struct sdrig *r = ctx;
    unsigned w = op % 50u;
    d_off(r);
    if (w < 12u) {
        r->card.flip_ppm = 200;
        r->card.read_error_ppm = 30000;
        r->card.no_token_ppm = 5000;
        r->card.write_crc_ppm = 30000;
        r->card.write_error_ppm = 30000;
    }
    if (op % 300u == 20u) vm_sd_model_set_dead(&r->card, 1);
    if (op % 300u == 150u) r->card.stuck_busy = 1;
}
static void d_dump(void *ctx, uint8_t *dst, vm_addr_t n)
{
    struct sdrig *r = ctx;
    memcpy(dst, r->card.mem + (size_t)r->sd.first_block * 512u, n);
}

static const uint16_t d_pages[] = {128, 1024};
START_TEST(test_sd_faults_crc_on)
{
    struct sdrig *r = calloc(1, sizeof *r);
    struct vm_spi_model m;
    struct vm_sd_config cfg;
    struct be_diff_opts o;
    struct be_diff_result res;
    vm_simbus_init(&r->bus, &r->clk, vm_platform_find("teensy32"));
    ck_assert_int_eq(vm_sd_model_init(&r->card, VM_SD_TYPE_SDHC, 300, NULL, 4242), 0);
    m = vm_sd_model_spi(&r->card);
    vm_simbus_attach(&r->bus, 1, &m);
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &r->bus.spi;
    cfg.cs = 1;
    cfg.flags = VM_SD_CRC;
    cfg.first_block = 20;
    cfg.block_count = 128;
    ck_assert_int_eq(vm_sd_begin(&r->sd, &cfg), VM_OK);
    memset(&o, 0, sizeof o);
    o.be = vm_sd_backend(&r->sd);
    o.pool = o.be->size;
    o.page_size = d_pages[_i];
    o.pages = 4;
    o.ops = 900;
    o.seed = 31u + (unsigned)_i;
    o.fault = d_fault;
    o.faults_off = d_off;
    o.dump = d_dump;
    o.ctx = r;
    be_diff_run(&o, &res);
    ck_assert_uint_gt(res.errors, 10);
    ck_assert_uint_gt(res.err_seen[-VM_ERR_TIMEOUT], 0);
    ck_assert_uint_gt(res.err_seen[-VM_ERR_IO], 0);
    ck_assert_uint_gt(res.err_seen[-VM_ERR_CORRUPT], 0);
    ck_assert_uint_gt(r->card.flips, 0);
    ck_assert_uint_eq(res.wrong, 0);
    ck_assert_uint_eq(res.check_failed, 0);
    ck_assert_int_eq(res.final_flush, VM_OK);
    ck_assert(res.final_match);
    ck_assert(res.reload_match);
    /* the card outside the pool was never touched */
    {
        static const uint8_t zero[20 * 512];
        ck_assert_mem_eq(r->card.mem, zero, sizeof zero);
    }
    vm_sd_model_free(&r->card);
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    SRunner *sr;
    int failed;
    tcase_add_loop_test(tc, test_sram_chip_absent, 0, 2);
    tcase_add_loop_test(tc, test_sd_faults_crc_on, 0, 2);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
