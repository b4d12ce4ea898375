/*
 * test_fram.c - the MB85RC256V I2C FRAM backend (the manual's porting
 * example): the bytes the driver sends, the model's timing, a missing chip,
 * and the core pager over driver + model against a reference array.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "be_diff.h"
#include "vm_fram.h"
#include "vm_fram_model.h"

struct rig {
    struct vm_simclock clk;
    struct vm_fram_model chip;
    struct vm_fram drv;
    const struct vm_backend *be;
};

static struct rig *rig_new(uint8_t addr, uint32_t hz, uint8_t max_xfer)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    vm_fram_model_init(&r->chip, &r->clk, 0x50, hz);
    r->be = vm_fram_begin(&r->drv, vm_fram_model_i2c, &r->chip, addr, max_xfer);
    return r;
}

START_TEST(read_write_split_and_timed)
{
    struct rig *r = rig_new(0x50, 100000, 0);
    uint8_t out[100], in[100];
    for (unsigned i = 0; i < sizeof out; i++) out[i] = (uint8_t)(i * 7 + 1);
    ck_assert_uint_eq(r->be->size, 32768);
    ck_assert_int_eq(r->be->write(r->be->ctx, 32760, out, sizeof out), VM_OK);
    /* 100 bytes in transactions of at most 30 data bytes: 4 of them. */
    ck_assert_uint_eq(r->chip.transactions, 4);
    /* The address counter wraps at the end of the array. */
    ck_assert_uint_eq(r->chip.mem[32767], out[7]);
    ck_assert_uint_eq(r->chip.mem[0], out[8]);
    /* Each write: START, address byte, 2 address bytes, data, STOP;
     * 9 SCL periods a byte, one per condition, at 100 kHz (10 us). */
    uint64_t bits = 3 * (9 * (3 + 30) + 2) + (9 * (3 + 10) + 2);
    ck_assert_uint_eq(vm_simclock_now(&r->clk), bits * 10000);
    uint64_t t0 = vm_simclock_now(&r->clk);
    ck_assert_int_eq(r->be->read(r->be->ctx, 32760, in, sizeof in), VM_OK);
    ck_assert_mem_eq(in, out, sizeof in);
    /* Each read: START, address, 2 bytes, repeated START, address, data, STOP. */
    bits = 3 * (9 * (3 + 1 + 30) + 3) + (9 * (3 + 1 + 10) + 3);
    ck_assert_uint_eq(vm_simclock_now(&r->clk) - t0, bits * 10000);
    free(r);
}
END_TEST

START_TEST(missing_chip_is_nodev)
{
    struct rig *r = rig_new(0x51, 400000, 16);
    uint8_t b[4] = {0};
    ck_assert_int_eq(r->be->read(r->be->ctx, 0, b, sizeof b), VM_ERR_NODEV);
    ck_assert_int_eq(r->be->write(r->be->ctx, 0, b, sizeof b), VM_ERR_NODEV);
    ck_assert_uint_eq(r->chip.nacks, 2);
    ck_assert_uint_eq(r->chip.transactions, 0);
    free(r);
}
END_TEST

static void dump(void *ctx, uint8_t *dst, vm_addr_t n) { memcpy(dst, ((struct rig *)ctx)->chip.mem, n); }
static void no_faults(void *ctx, unsigned op) { (void)ctx, (void)op; }
static void faults_off(void *ctx) { (void)ctx; }

START_TEST(pager_over_fram)
{
    struct rig *r = rig_new(0x50, 400000, (uint8_t)(_i ? 7 : 0));
    struct be_diff_opts o;
    struct be_diff_result res;
    memset(&o, 0, sizeof o);
    o.be = r->be;
    o.pool = 32768;
    o.page_size = _i ? 128 : 64;
    o.pages = 4;
    o.ops = 3000;
    o.seed = 17 + (uint64_t)_i;
    o.fault = no_faults;
    o.faults_off = faults_off;
    o.dump = dump;
    o.ctx = r;
    be_diff_run(&o, &res);
    ck_assert_uint_eq(res.errors, 0);
    ck_assert_uint_eq(res.wrong, 0);
    ck_assert_uint_eq(res.check_failed, 0);
    ck_assert_int_eq(res.final_flush, VM_OK);
    ck_assert(res.final_match && res.reload_match);
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fram");
    TCase *tc = tcase_create("fram");
    tcase_add_test(tc, read_write_split_and_timed);
    tcase_add_test(tc, missing_chip_is_nodev);
    tcase_add_loop_test(tc, pager_over_fram, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
