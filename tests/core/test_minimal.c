/*
 * test_minimal.c - the core built with every option off and one fixed
 * policy (suite "unit"): it must compile and still keep data right.
 * Built with -DVM_CONFIG_POLICY=VM_POLICY_LRU and VM_CONFIG_STATS, EVENTS,
 * WALK, CHECK, ALLOC, BOUNCE, WRAP, STRERROR, HINTS all 0 (tests/core/
 * meson.build), so it uses none of tc.h: a random differential loop over a
 * byte array with the access functions, in-page locks and bulk helpers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_ram.h"

#if VM_CONFIG_STATS || VM_CONFIG_EVENTS || VM_CONFIG_WALK || VM_CONFIG_CHECK || \
    VM_CONFIG_ALLOC || VM_CONFIG_BOUNCE || VM_CONFIG_WRAP || VM_CONFIG_STRERROR || \
    VM_CONFIG_HINTS || VM_CONFIG_POLICY != VM_POLICY_LRU
#error "test_minimal.c is meant for the minimal configuration"
#endif

#define POOL 5000u
#define PS 64u
#define PC 3u

static uint8_t mem[POOL], ref[POOL];
static uint32_t pages[PS * PC / 4];
static struct vm_slot slots[PC];

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

static void setup(struct vm *vm, struct vm_ram *ram, uint8_t policy)
{
    struct vm_config c;
    unsigned i;
    for (i = 0; i < POOL; i++)
        mem[i] = ref[i] = (uint8_t)(i * 5u + 1u);
    vm_ram_init(ram, mem, POOL);
    memset(&c, 0, sizeof c);
    c.backend = &ram->backend;
    c.page_size = PS;
    c.page_count = PC;
    c.policy = policy;
    c.pages = pages;
    c.pages_size = sizeof pages;
    c.slots = slots;
    c.slot_count = PC;
    ck_assert_int_eq(vm_init(vm, &c), VM_OK);
    ck_assert_uint_eq(vm_policy(vm), VM_POLICY_LRU);
}

#define REQUIRE(c)                                                             \
    do {                                                                       \
        if (!(c))                                                              \
            ck_abort_msg("step %lu: %s", step, #c);                            \
    } while (0)

START_TEST(minimal_differential)
{
    struct vm vm;
    struct vm_ram ram;
    static uint8_t buf[400];
    unsigned long step;
    setup(&vm, &ram, 0);
    for (step = 0; step < 60000ul; step++) {
        uint32_t op = rnd(9), n = 1 + rnd(300), a = rnd(POOL - n + 1), b = rnd(POOL - n + 1);
        uint32_t i;
        switch (op) {
        case 0:
            REQUIRE(vm_read(&vm, buf, a, n) == VM_OK);
            REQUIRE(memcmp(buf, ref + a, n) == 0);
            break;
        case 1:
            for (i = 0; i < n; i++)
                buf[i] = (uint8_t)rnd(256);
            REQUIRE(vm_write(&vm, a, buf, n) == VM_OK);
            memcpy(ref + a, buf, n);
            break;
        case 2: {
            uint8_t v8;
            uint32_t v32, w = (uint32_t)rnd(1u << 30);
            REQUIRE(vm_get8(&vm, a, &v8) == VM_OK && v8 == ref[a]);
            if (a + 4u <= POOL) {
                REQUIRE(vm_set32(&vm, a, w) == VM_OK);
                memcpy(ref + a, &w, 4);
                REQUIRE(vm_get32(&vm, a, &v32) == VM_OK && v32 == w);
            }
            break;
        }
        case 3: {
            struct vm_lock lk;
            unsigned mode = 1u + rnd(3);
            REQUIRE(vm_lock(&vm, a, n, mode, &lk) == VM_OK);
            REQUIRE(lk.len == (n < PS - a % PS ? n : PS - a % PS)); /* trimmed: no bounce */
            if (mode != VM_LOCK_WO)
                REQUIRE(memcmp(lk.ptr, ref + a, lk.len) == 0);
            if (mode != VM_LOCK_RO) {
                memset(lk.ptr, (int)rnd(256), lk.len);
                memcpy(ref + a, lk.ptr, lk.len);
            }
            REQUIRE(vm_unlock(&vm, &lk) == VM_OK);
            break;
        }
        case 4: {
            int c = (int)rnd(256);
            REQUIRE(vm_memset(&vm, a, c, n) == VM_OK);
            memset(ref + a, c, n);
            break;
        }
        case 5:
            REQUIRE(vm_memmove(&vm, b, a, n) == VM_OK);
            memmove(ref + b, ref + a, n);
            break;
        case 6: {
            int cmp = 0, want = memcmp(ref + a, ref + b, n);
            REQUIRE(vm_memcmp(&vm, a, b, n, &cmp) == VM_OK);
            REQUIRE((cmp > 0) == (want > 0) && (cmp < 0) == (want < 0));
            break;
        }
        case 7:
            if (rnd(20) == 0)
                REQUIRE((rnd(2) ? vm_flush(&vm) : vm_invalidate(&vm)) == VM_OK);
            break;
        default: {
            /* Overlapping moves. */
            uint32_t d = 1 + rnd(n);
            if (a + d + n <= POOL) {
                REQUIRE(vm_memmove(&vm, a + d, a, n) == VM_OK);
                memmove(ref + a + d, ref + a, n);
            }
            break;
        }
        }
    }
    ck_assert_int_eq(vm_flush(&vm), VM_OK);
    ck_assert_mem_eq(mem, ref, POOL);
}
END_TEST

START_TEST(minimal_errors)
{
    struct vm vm;
    struct vm_ram ram;
    struct vm_lock lk[PC], x;
    uint8_t v;
    unsigned i;
    setup(&vm, &ram, 0);
    ck_assert_int_eq(vm_read(&vm, &v, POOL, 1), VM_ERR_RANGE);
    for (i = 0; i < PC; i++)
        ck_assert_int_eq(vm_lock(&vm, PS * i, 4, VM_LOCK_RO, &lk[i]), VM_OK);
    ck_assert_int_eq(vm_get8(&vm, 4000, &v), VM_ERR_BUSY);
    ck_assert_int_eq(vm_lock(&vm, 4000, 1, VM_LOCK_RO, &x), VM_ERR_BUSY);
    for (i = 0; i < PC; i++)
        ck_assert_int_eq(vm_unlock(&vm, &lk[i]), VM_OK);
    ck_assert_int_eq(vm_unlock(&vm, &lk[0]), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_get8(&vm, 4000, &v), VM_OK);
    ck_assert_uint_eq(v, mem[4000]);
    ck_assert_str_eq(vm_policy_name(VM_POLICY_LRU), "lru");
}
END_TEST

/* vm_config.h: a fixed VM_CONFIG_POLICY links only that policy; a
 * vm_config.policy naming another one is refused, 0 and the fixed one work. */
START_TEST(fixed_policy_refuses_others)
{
    struct vm vm;
    struct vm_ram ram;
    struct vm_config c;
    setup(&vm, &ram, 0);
    memset(&c, 0, sizeof c);
    c.backend = &ram.backend;
    c.page_size = PS;
    c.page_count = PC;
    c.policy = VM_POLICY_FIFO;
    c.pages = pages;
    c.pages_size = sizeof pages;
    c.slots = slots;
    c.slot_count = PC;
    ck_assert_int_eq(vm_init(&vm, &c), VM_ERR_INVAL);
    c.policy = VM_POLICY_LRU;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_policy(&vm), VM_POLICY_LRU);
    c.policy = 0;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_policy(&vm), VM_POLICY_LRU);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-minimal");
    TCase *tc = tcase_create("minimal");
    SRunner *sr;
    int failed, run;

    tcase_add_test(tc, minimal_differential);
    tcase_add_test(tc, minimal_errors);
    tcase_add_test(tc, fixed_policy_refuses_others);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    run = srunner_ntests_run(sr);
    srunner_free(sr);
    /* A selection (CK_RUN_CASE) that runs nothing fails, as tc_run does. */
    return failed == 0 && run > 0 ? 0 : 1;
}
