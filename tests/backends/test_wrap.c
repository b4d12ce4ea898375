/*
 * test_wrap.c - the counting and fault-injecting layer (backends/wrap):
 * counts of calls and bytes, range refusals before any draw, seeded faults
 * that repeat from their seed, garbage on a failed read, a torn write's
 * first half, the hook ahead of every call, and the same fault stream as a
 * plain reference injector written here from vm_wrap.h's contract (the
 * injector the vm_ram backend had before the layer took it over: a run's
 * faults did not change when they moved).
 */
#include <check.h>
#include <string.h>

#include "vm_ram.h"
#include "vm_wrap.h"

#define POOL 4096u

static uint8_t mem_a[POOL], mem_b[POOL];

static void hook(void *ctx, int call)
{
    unsigned *seen = ctx;
    seen[call]++;
}

START_TEST(counts)
{
    struct vm_ram ram;
    struct vm_wrap w;
    uint8_t buf[64];
    unsigned seen[3] = {0, 0, 0};
    memset(mem_a, 0x11, sizeof mem_a);
    vm_ram_init(&ram, mem_a, POOL);
    vm_wrap_init(&w, &ram.backend);
    w.before = hook;
    w.before_ctx = seen;
    ck_assert_uint_eq(w.backend.size, POOL);
    memset(buf, 0x22, sizeof buf);
    ck_assert_int_eq(w.backend.write(w.backend.ctx, 100, buf, 64), VM_OK);
    ck_assert_int_eq(w.backend.read(w.backend.ctx, 0, buf, 32), VM_OK);
    ck_assert_int_eq(w.backend.read(w.backend.ctx, POOL - 8, buf, 16), VM_ERR_RANGE);
    ck_assert_int_eq(w.backend.write(w.backend.ctx, POOL + 1, buf, 0), VM_ERR_RANGE);
    ck_assert_int_eq(w.backend.sync(w.backend.ctx), VM_OK);
    ck_assert_uint_eq(w.n.reads, 2);
    ck_assert_uint_eq(w.n.writes, 2);
    ck_assert_uint_eq(w.n.syncs, 1);
    ck_assert_uint_eq(w.n.read_asked, 48);
    ck_assert_uint_eq(w.n.write_asked, 64);
    ck_assert_uint_eq(w.n.bytes_read, 32);
    ck_assert_uint_eq(w.n.bytes_written, 64);
    ck_assert_uint_eq(w.n.errors, 2);
    ck_assert_uint_eq(w.n.faults, 0);
    ck_assert_uint_eq(seen[VM_WRAP_READ], 2);
    ck_assert_uint_eq(seen[VM_WRAP_WRITE], 2);
    ck_assert_uint_eq(seen[VM_WRAP_SYNC], 1);
    ck_assert_uint_eq(mem_a[100], 0x22);
    ck_assert_uint_eq(mem_a[163], 0x22);
    ck_assert_uint_eq(mem_a[164], 0x11);
    ck_assert_uint_eq(ram.reads, 1); /* refused calls never reach the device */
    ck_assert_uint_eq(ram.writes, 1);
}
END_TEST

START_TEST(failed_read_and_torn_write)
{
    struct vm_ram ram;
    struct vm_wrap w;
    uint8_t buf[16];
    memset(mem_a, 0, sizeof mem_a);
    vm_ram_init(&ram, mem_a, POOL);
    vm_wrap_init(&w, &ram.backend);
    vm_wrap_faults(&w, 99, 65535, 65535); /* every draw below 65535 fails */
    memset(buf, 0x5C, sizeof buf);
    int rc = w.backend.write(w.backend.ctx, 10, buf, 16);
    ck_assert_int_eq(rc, VM_ERR_IO);
    ck_assert_uint_eq(mem_a[10], 0x5C);
    ck_assert_uint_eq(mem_a[17], 0x5C);
    ck_assert_uint_eq(mem_a[18], 0); /* only the first half arrived */
    memset(buf, 0, sizeof buf);
    rc = w.backend.read(w.backend.ctx, 10, buf, 16);
    ck_assert_int_eq(rc, VM_ERR_IO);
    ck_assert_uint_eq(buf[0], 0xA5);
    ck_assert_uint_eq(buf[15], 0xA5);
    ck_assert_uint_eq(w.n.faults, 2);
    ck_assert_uint_eq(w.n.errors, 2);
    ck_assert_uint_eq(w.n.bytes_read + w.n.bytes_written, 0);
    vm_wrap_faults(&w, 0, 65535, 65535); /* seed 0: off */
    ck_assert_int_eq(w.backend.read(w.backend.ctx, 10, buf, 16), VM_OK);
    ck_assert_uint_eq(w.n.faults, 2);
}
END_TEST

/* The reference injector over mem_a: xorshift32 (13, 17, 5), a call fails
 * when the draw's top 16 bits are below its chance; a failed read leaves
 * 0xA5 in the buffer, a failed write lands its first len / 2 bytes. */
struct ref_inj {
    uint32_t rng;
    uint16_t read_fail, write_fail;
    unsigned faults;
};

static int ref_fails(struct ref_inj *f, uint16_t chance)
{
    uint32_t x = f->rng;
    if (!x || !chance) return 0;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    f->rng = x;
    if ((uint16_t)(x >> 16) >= chance) return 0;
    f->faults++;
    return 1;
}

static int ref_read(struct ref_inj *f, vm_addr_t a, uint8_t *buf, size_t n)
{
    if (ref_fails(f, f->read_fail)) {
        memset(buf, 0xA5, n);
        return VM_ERR_IO;
    }
    memcpy(buf, mem_a + a, n);
    return VM_OK;
}

static int ref_write(struct ref_inj *f, vm_addr_t a, const uint8_t *buf, size_t n)
{
    if (ref_fails(f, f->write_fail)) {
        memcpy(mem_a + a, buf, n / 2u);
        return VM_ERR_IO;
    }
    memcpy(mem_a + a, buf, n);
    return VM_OK;
}

/* The same seed and chances give the same failures, the same bytes and the
 * same memory as the reference injector. */
START_TEST(same_stream_as_reference)
{
    struct ref_inj ra = {0, 9000, 14000, 0};
    struct vm_ram rb;
    struct vm_wrap w;
    uint8_t x[64], y[64];
    uint32_t s = 12345u + (uint32_t)_i;
    unsigned k;
    memset(mem_a, 0, sizeof mem_a);
    memset(mem_b, 0, sizeof mem_b);
    ra.rng = s;
    vm_ram_init(&rb, mem_b, POOL);
    vm_wrap_init(&w, &rb.backend);
    vm_wrap_faults(&w, s, 9000, 14000);
    for (k = 0; k < 2000; k++) {
        uint32_t r = k * 2654435761u;
        vm_addr_t a = (r >> 8) % (POOL - 64);
        size_t n = 1 + (r >> 3) % 64;
        if (r & 1) {
            memset(x, (int)k, n);
            ck_assert_int_eq(ref_write(&ra, a, x, n), w.backend.write(w.backend.ctx, a, x, n));
        } else {
            int ea = ref_read(&ra, a, x, n);
            int eb = w.backend.read(w.backend.ctx, a, y, n);
            ck_assert_int_eq(ea, eb);
            ck_assert_mem_eq(x, y, n);
        }
    }
    ck_assert_mem_eq(mem_a, mem_b, POOL);
    ck_assert_uint_eq(ra.faults, w.n.faults);
    ck_assert_uint_gt(w.n.faults, 100);
}
END_TEST

START_TEST(chance)
{
    ck_assert_uint_eq(vm_wrap_chance(-1), 0);
    ck_assert_uint_eq(vm_wrap_chance(0), 0);
    ck_assert_uint_eq(vm_wrap_chance(0.25), 16384);
    ck_assert_uint_eq(vm_wrap_chance(1), 65535);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wrap");
    TCase *tc = tcase_create("wrap");
    tcase_add_test(tc, counts);
    tcase_add_test(tc, failed_read_and_torn_write);
    tcase_add_loop_test(tc, same_stream_as_reference, 0, 8);
    tcase_add_test(tc, chance);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
