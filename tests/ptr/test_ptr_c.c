/*
 * test_ptr_c.c - the C typed pointers (core/vm_ptr.h), suite "ptr".
 *
 * Differential: random operations through the typed interface (element
 * get/set of 1, 2, 4, 6, 8 and 16-byte types at unaligned addresses, member
 * get/set, array read/write, fill, move, arithmetic) against a plain array
 * that mirrors the pool, swept over page geometries. After the run the
 * backend's bytes, once flushed, must equal the array. Also: errors are
 * returned and leave the output alone, faults never corrupt what a typed
 * read returns, and wrapped pointers mix with virtual ones in typed access
 * and in the bulk helpers, both directions.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_ptr.h"
#include "vm_ram.h"
#include "vm_wrap.h"

/* Check's ck_assert_* report every success through a pipe, which costs far
 * more than the operation under test: hot loops use these, which call Check
 * only on failure. */
#define REQ(expr)                                                              \
    do {                                                                       \
        if (!(expr))                                                           \
            ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #expr);      \
    } while (0)
#define REQ_EQ(a, b)                                                           \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            ck_abort_msg("%s:%d: %s is %lld, want %lld", __FILE__, __LINE__, #a, \
                         a_, b_);                                              \
    } while (0)

#define POOL 8192u
#define MAX_PAGE 1024u
#define MAX_COUNT 8u

/* Element types without padding, so that whole-struct copies are exact. */
struct rec {
    int16_t a;
    uint8_t b;
    uint8_t c[3];
};
struct big {
    uint32_t k;
    uint8_t name[12];
};

VM_PTR_DECLARE(u8p, uint8_t);
VM_PTR_DECLARE(i16p, int16_t);
VM_PTR_DECLARE(u32p, uint32_t);
VM_PTR_DECLARE(u64p, uint64_t);
VM_PTR_DECLARE(recp, struct rec);
VM_PTR_DECLARE(bigp, struct big);
VM_PTR_DECLARE(cptr, char);

static struct vm vm;
static struct vm_ram ram;
static struct vm_wrap wrap; /* around ram: seeded faults */
static uint8_t mem[POOL];
static uint8_t ref[POOL];
static uint32_t pages[MAX_PAGE * MAX_COUNT / 4];
static struct vm_slot slots[MAX_COUNT];
static uint8_t bounce[MAX_PAGE];
static struct vm_block heap[16];

struct geom {
    uint16_t page_size;
    uint8_t page_count;
};
static const struct geom geoms[] = {
    {16, 2}, {16, 5}, {64, 3}, {64, 8}, {256, 2}, {1024, 4},
};
#define NGEOM ((int)(sizeof geoms / sizeof geoms[0]))

/* Operations per run: 20000 times VM_TEST_SCALE percent (valgrind: 20). */
static long ops(void)
{
    const char *e = getenv("VM_TEST_SCALE");
    long pct = e ? strtol(e, NULL, 10) : 100;
    return 20000L * (pct > 0 ? pct : 100) / 100;
}

static uint32_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
/* Uniform-ish in [0, n), n > 0. */
static uint32_t below(uint32_t n) { return rnd() % n; }

static void setup_geom(int g)
{
    struct vm_config cfg;
    uint32_t i;
    rng = 0x9E3779B9u ^ (uint32_t)g * 7919u;
    for (i = 0; i < POOL; i++)
        mem[i] = ref[i] = (uint8_t)rnd();
    vm_ram_init(&ram, mem, POOL);
    vm_wrap_init(&wrap, &ram.backend);
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = &wrap.backend;
    cfg.page_size = geoms[g].page_size;
    cfg.page_count = geoms[g].page_count;
    cfg.pages = pages;
    cfg.pages_size = sizeof pages;
    cfg.slots = slots;
    cfg.slot_count = MAX_COUNT;
    cfg.bounce = bounce;
    cfg.bounce_size = sizeof bounce;
    cfg.heap = heap;
    cfg.heap_blocks = 16;
    REQ_EQ(vm_init(&vm, &cfg), VM_OK);
}

static void check_pool(void)
{
    static uint8_t back[POOL];
    REQ_EQ(vm_check(&vm), VM_OK);
    REQ_EQ(vm_read(&vm, back, 0, POOL), VM_OK);
    ck_assert_msg(memcmp(back, ref, POOL) == 0, "pool read differs from reference");
    REQ_EQ(vm_flush(&vm), VM_OK);
    ck_assert_msg(memcmp(mem, ref, POOL) == 0, "backend differs from reference after flush");
}

/* A base address and element index with [base + i*size, +size) in the pool. */
static void pick(uint32_t size, vm_addr_t *base, vm_addr_t *i)
{
    vm_addr_t b = below(POOL - size + 1u);
    vm_addr_t room = (POOL - b) / size; /* >= 1 */
    vm_addr_t k = below(room < 64u ? room : 64u);
    *base = b;
    *i = k;
}

/* Each typed get/set, checked against ref. T's pointer type is P. */
#define DIFF_GET(P, T)                                                         \
    do {                                                                       \
        vm_addr_t b, i;                                                        \
        T v, want;                                                             \
        pick(sizeof(T), &b, &i);                                               \
        REQ_EQ(P##_get(&vm, P##_at(b), i, &v), VM_OK);               \
        memcpy(&want, ref + b + i * sizeof(T), sizeof(T));                     \
        if (memcmp(&v, &want, sizeof(T)) != 0)                                 \
        ck_abort_msg(#P "_get at %lu[%lu] differs", (unsigned long)b,          \
                     (unsigned long)i);                                        \
    } while (0)
#define DIFF_SET(P, T)                                                         \
    do {                                                                       \
        vm_addr_t b, i;                                                        \
        T v;                                                                   \
        unsigned k;                                                            \
        pick(sizeof(T), &b, &i);                                               \
        for (k = 0; k < sizeof(T); k++)                                        \
            ((uint8_t *)&v)[k] = (uint8_t)rnd();                               \
        REQ_EQ(P##_set(&vm, P##_at(b), i, v), VM_OK);                \
        memcpy(ref + b + i * sizeof(T), &v, sizeof(T));                        \
    } while (0)

static void op_member(void)
{
    vm_addr_t b, i;
    int which = (int)below(6);
    if (which < 4) {
        struct rec want;
        recp p;
        pick(sizeof(struct rec), &b, &i);
        p = recp_add(recp_at(b), (int32_t)i);
        memcpy(&want, ref + p.addr, sizeof want);
        if (which == 0) {
            int16_t a;
            REQ_EQ(VM_PTR_GET_MEMBER(&vm, recp, p, a, &a), VM_OK);
            REQ_EQ(a, want.a);
        } else if (which == 1) {
            uint8_t c1;
            REQ_EQ(VM_PTR_GET_MEMBER(&vm, recp, p, c[1], &c1), VM_OK);
            REQ_EQ(c1, want.c[1]);
        } else if (which == 2) {
            int16_t a = (int16_t)rnd();
            REQ_EQ(VM_PTR_SET_MEMBER(&vm, recp, p, a, a), VM_OK);
            memcpy(ref + VM_PTR_MEMBER_ADDR(recp, p, a), &a, sizeof a);
        } else {
            uint8_t c2 = (uint8_t)rnd();
            REQ_EQ(VM_PTR_SET_MEMBER(&vm, recp, p, c[2], c2), VM_OK);
            ref[VM_PTR_MEMBER_ADDR(recp, p, c[2])] = c2;
        }
    } else {
        bigp p;
        pick(sizeof(struct big), &b, &i);
        p = bigp_add(bigp_at(b), (int32_t)i);
        if (which == 4) {
            uint32_t k = rnd();
            REQ_EQ(VM_PTR_SET_MEMBER(&vm, bigp, p, k, k), VM_OK);
            memcpy(ref + p.addr, &k, 4);
        } else {
            uint32_t k, want;
            REQ_EQ(VM_PTR_GET_MEMBER(&vm, bigp, p, k, &k), VM_OK);
            memcpy(&want, ref + p.addr, 4);
            REQ_EQ(k, want);
        }
    }
}

static void op_bulk(void)
{
    static uint8_t buf[600];
    int which = (int)below(4);
    vm_addr_t b = below(POOL - 2u);
    vm_addr_t n = 1u + below((POOL - b) / 2u < 300u ? (POOL - b) / 2u : 300u);
    i16p p = i16p_at(b);
    if (which == 0) { /* read n elements */
        REQ_EQ(i16p_read(&vm, p, 0, (int16_t *)(void *)buf, n), VM_OK);
        REQ(memcmp(buf, ref + b, n * 2u) == 0);
    } else if (which == 1) {
        vm_addr_t k;
        for (k = 0; k < n * 2u; k++)
            buf[k] = (uint8_t)rnd();
        REQ_EQ(i16p_write(&vm, p, 0, (const int16_t *)(const void *)buf, n), VM_OK);
        memcpy(ref + b, buf, n * 2u);
    } else if (which == 2) {
        int c = (int)below(256);
        REQ_EQ(i16p_fill(&vm, p, c, n), VM_OK);
        memset(ref + b, c, n * 2u);
    } else { /* move n elements to an overlapping or distant place */
        vm_addr_t d = below(POOL - n * 2u + 1u);
        REQ_EQ(i16p_move(&vm, i16p_at(d), p, n), VM_OK);
        memmove(ref + d, ref + b, n * 2u);
    }
}

static void op_arith(void)
{
    vm_addr_t b = below(POOL);
    int32_t k = (int32_t)below(1000) - 500;
    u32p p = u32p_at(b), q = u32p_add(p, k);
    recp r = recp_at(b), s = recp_add(r, k);
    REQ_EQ(u32p_diff(q, p), k);
    REQ_EQ(u32p_diff(p, q), -k);
    REQ_EQ(recp_diff(s, r), k);
    REQ_EQ(q.addr, (vm_addr_t)(b + (vm_addr_t)k * 4u));
    REQ_EQ(u32p_cmp(p, q), k == 0 ? 0 : (q.addr > p.addr ? -1 : 1));
    REQ_EQ(u32p_eq(u32p_add(q, -k), p), 1);
    REQ_EQ(VM_PTR_CAST(u8p, q).addr, q.addr);
}

START_TEST(diff_typed)
{
    long n, nops = ops();
    setup_geom(_i);
    for (n = 0; n < nops; n++) {
        switch (below(16)) {
        case 0: DIFF_GET(u8p, uint8_t); break;
        case 1: DIFF_SET(u8p, uint8_t); break;
        case 2: DIFF_GET(i16p, int16_t); break;
        case 3: DIFF_SET(i16p, int16_t); break;
        case 4: DIFF_GET(u32p, uint32_t); break;
        case 5: DIFF_SET(u32p, uint32_t); break;
        case 6: DIFF_GET(u64p, uint64_t); break;
        case 7: DIFF_SET(u64p, uint64_t); break;
        case 8: DIFF_GET(recp, struct rec); break;
        case 9: DIFF_SET(recp, struct rec); break;
        case 10: DIFF_GET(bigp, struct big); break;
        case 11: DIFF_SET(bigp, struct big); break;
        case 12: op_member(); break;
        case 13: op_bulk(); break;
        case 14: op_arith(); break;
        default: /* a run of sequential byte writes then reads: the hot path */
        {
            vm_addr_t b = below(POOL - 64u), k;
            u8p p = u8p_at(b);
            for (k = 0; k < 64; k++) {
                REQ_EQ(u8p_set(&vm, p, k, (uint8_t)(k ^ b)), VM_OK);
                ref[b + k] = (uint8_t)(k ^ b);
            }
            for (k = 0; k < 64; k++) {
                uint8_t v;
                REQ_EQ(u8p_get(&vm, p, k, &v), VM_OK);
                REQ_EQ(v, ref[b + k]);
            }
        }
        }
        if (n % 1000 == 999)
            REQ_EQ(vm_check(&vm), VM_OK);
    }
    check_pool();
}
END_TEST

/* Errors are returned, and a failed read leaves the output as it was. */
START_TEST(errors)
{
    uint16_t v16 = 0xBEEF;
    uint32_t v32 = 0xDEADBEEFu;
    uint8_t v8 = 0x5A;
    struct big bg;
    setup_geom(0);
    REQ_EQ(u8p_get(&vm, u8p_at(POOL), 0, &v8), VM_ERR_RANGE);
    REQ_EQ(v8, 0x5A);
    REQ_EQ(i16p_get(&vm, i16p_at(POOL - 1u), 0, (int16_t *)&v16), VM_ERR_RANGE);
    REQ_EQ(v16, 0xBEEF);
    REQ_EQ(u32p_get(&vm, u32p_at(0), POOL / 4u, &v32), VM_ERR_RANGE);
    REQ_EQ(v32, 0xDEADBEEFu);
    REQ_EQ(u32p_set(&vm, u32p_at(POOL - 2u), 0, 1u), VM_ERR_RANGE);
    REQ_EQ(bigp_get(&vm, bigp_at(POOL - 8u), 0, &bg), VM_ERR_RANGE);
    REQ_EQ(VM_PTR_SET_MEMBER(&vm, bigp, bigp_at(POOL - 4u), name[3], 7), VM_ERR_RANGE);
    REQ_EQ(u8p_fill(&vm, u8p_at(POOL - 4u), 0, 5), VM_ERR_RANGE);
    /* Nothing in range was touched by the failed calls. */
    check_pool();
}
END_TEST

/* With a faulty backend, typed reads either fail or return the true value. */
START_TEST(faults)
{
    long n, nops = ops();
    int fails = 0;
    setup_geom(_i);
    vm_wrap_faults(&wrap, 12345u + (uint32_t)_i, 3000, 3000);
    for (n = 0; n < nops; n++) {
        vm_addr_t b = below(POOL - 8u);
        int e;
        if (below(2)) {
            uint8_t v = (uint8_t)rnd();
            e = u8p_set(&vm, u8p_at(b), 0, v);
            if (e == VM_OK)
                ref[b] = v;
        } else if (below(2)) {
            uint32_t v = 0x12345678u, want;
            e = u32p_get(&vm, u32p_at(b), 0, &v);
            memcpy(&want, ref + b, 4);
            if (e == VM_OK)
                REQ_EQ(v, want);
            else
                REQ_EQ(v, 0x12345678u);
        } else {
            uint64_t v, want;
            e = u64p_get(&vm, u64p_at(b), 0, &v);
            memcpy(&want, ref + b, 8);
            if (e == VM_OK)
                REQ(v == want);
        }
        if (e != VM_OK) {
            ck_assert_int_lt(e, 0);
            fails++;
        }
    }
    ck_assert_int_gt(fails, 0);
    vm_wrap_faults(&wrap, 0, 0, 0);
    check_pool();
}
END_TEST

/* Allocation, null, and the example from docs/pointers.md. */
START_TEST(alloc_and_members)
{
    recp r;
    cptr s;
    char c;
    int16_t a;
    setup_geom(2);
    REQ(recp_is_null(recp_null()));
    r = recp_alloc(&vm, 10);
    REQ(!recp_is_null(r));
    s = cptr_alloc(&vm, 100);
    REQ(!cptr_is_null(s));
    REQ(recp_is_null(recp_alloc(&vm, 0xFFFFFFFFu / 3u)));
    REQ(recp_is_null(recp_alloc(&vm, POOL)));
    REQ_EQ(cptr_fill(&vm, s, 'A', 99), VM_OK);
    REQ_EQ(cptr_set(&vm, s, 99, '\0'), VM_OK);
    REQ_EQ(cptr_set(&vm, s, 1, 'B'), VM_OK);
    {
        vm_addr_t len;
        REQ_EQ(vm_strlen(&vm, s.addr, &len), VM_OK);
        REQ_EQ(len, 99);
    }
    REQ_EQ(cptr_get(&vm, s, 1, &c), VM_OK);
    REQ_EQ(c, 'B');
    REQ_EQ(VM_PTR_SET_MEMBER(&vm, recp, recp_add(r, 9), a, -5), VM_OK);
    REQ_EQ(VM_PTR_GET_MEMBER(&vm, recp, recp_add(r, 9), a, &a), VM_OK);
    REQ_EQ(a, -5);
    REQ_EQ(recp_free(&vm, r), VM_OK);
    REQ_EQ(cptr_free(&vm, s), VM_OK);
    REQ_EQ(cptr_free(&vm, cptr_null()), VM_OK);
    REQ_EQ(vm_check(&vm), VM_OK);
}
END_TEST

/* Typed locks give a T* into the page. */
START_TEST(typed_lock)
{
    struct vm_lock lk;
    u32p p = u32p_at(64);
    uint32_t *d, v;
    setup_geom(3);
    REQ_EQ(u32p_lock(&vm, p, 4, VM_LOCK_RW, &lk), VM_OK);
    REQ_EQ(lk.len, 16);
    d = (uint32_t *)lk.ptr;
    d[2] = 0xCAFEF00Du;
    REQ_EQ(vm_unlock(&vm, &lk), VM_OK);
    memcpy(ref + 64 + 8, &d[2], 4);
    REQ_EQ(u32p_get(&vm, p, 2, &v), VM_OK);
    REQ_EQ(v, 0xCAFEF00Du);
    check_pool();
}
END_TEST

#if VM_CONFIG_WRAP
/* Wrapped RAM pointers through the typed interface and the bulk helpers,
 * copied to and from virtual memory. */
START_TEST(wrapped)
{
    static uint8_t ramb[2048];
    static uint8_t want[2048];
    uint32_t k;
    u8p w;
    u32p w32;
    uint32_t v32;
    int cmp;
    vm_addr_t len;
    setup_geom(_i);
    vm_set_wrap_base(&vm, ramb);
    for (k = 0; k < sizeof ramb; k++)
        ramb[k] = want[k] = (uint8_t)rnd();
    w = u8p_wrap(&vm, ramb);
    REQ(u8p_is_wrapped(w));
    REQ(!u8p_is_wrapped(u8p_at(5)));
    ck_assert_ptr_eq(u8p_unwrap(&vm, u8p_add(w, 10)), ramb + 10);
    REQ(u8p_is_null(u8p_wrap(&vm, NULL)));

    /* Typed get/set through a wrapped pointer reach the RAM directly. */
    w32 = VM_PTR_CAST(u32p, u8p_add(w, 3)); /* unaligned on purpose */
    REQ_EQ(u32p_set(&vm, w32, 5, 0x01020304u), VM_OK);
    v32 = 0x01020304u;
    memcpy(want + 3 + 20, &v32, 4);
    REQ(memcmp(ramb, want, sizeof ramb) == 0);
    REQ_EQ(u32p_get(&vm, w32, 7, &v32), VM_OK);
    REQ(memcmp(&v32, want + 3 + 28, 4) == 0);
    REQ_EQ(VM_PTR_SET_MEMBER(&vm, recp, VM_PTR_CAST(recp, w), b, 0x77), VM_OK);
    REQ_EQ(ramb[2], 0x77);
    want[2] = 0x77;

    /* Bulk: RAM -> virtual across pages, at an odd offset. */
    REQ_EQ(vm_memmove(&vm, 1001, w.addr + 17u, 1500), VM_OK);
    memcpy(ref + 1001, want + 17, 1500);
    /* virtual -> RAM */
    REQ_EQ(vm_memmove(&vm, w.addr + 3u, 4000, 2000), VM_OK);
    memcpy(want + 3, ref + 4000, 2000);
    REQ(memcmp(ramb, want, sizeof ramb) == 0);
    /* Typed moves both ways. */
    REQ_EQ(i16p_move(&vm, i16p_at(7000), VM_PTR_CAST(i16p, w), 300), VM_OK);
    memcpy(ref + 7000, want, 600);
    REQ_EQ(i16p_move(&vm, VM_PTR_CAST(i16p, u8p_add(w, 1000)), i16p_at(10), 400), VM_OK);
    memcpy(want + 1000, ref + 10, 800);
    REQ(memcmp(ramb, want, sizeof ramb) == 0);
    /* Compare, fill, string helpers across the two kinds. */
    REQ_EQ(vm_memcmp(&vm, 7000, w.addr, 600, &cmp), VM_OK);
    REQ_EQ(cmp, 0);
    REQ_EQ(vm_memset(&vm, w.addr + 100u, 'x', 50), VM_OK);
    memset(want + 100, 'x', 50);
    ramb[150] = 0;
    want[150] = 0;
    REQ_EQ(vm_strlen(&vm, w.addr + 100u, &len), VM_OK);
    REQ_EQ(len, 50);
    REQ_EQ(vm_strncpy(&vm, 5000, w.addr + 100u, 60), VM_OK);
    memcpy(ref + 5000, want + 100, 51);
    memset(ref + 5051, 0, 9);
    REQ_EQ(vm_strcmp(&vm, 5000, w.addr + 100u, &cmp), VM_OK);
    REQ_EQ(cmp, 0);
    REQ(memcmp(ramb, want, sizeof ramb) == 0);
    /* Wrapped to wrapped, overlapping both ways; vm_read/vm_write, a lock and
     * vm_memcmp_ram on wrapped addresses. */
    REQ_EQ(vm_memmove(&vm, w.addr + 10u, w.addr, 500), VM_OK);
    memmove(want + 10, want, 500);
    REQ_EQ(vm_memmove(&vm, w.addr + 600u, w.addr + 650u, 700), VM_OK);
    memmove(want + 600, want + 650, 700);
    REQ(memcmp(ramb, want, sizeof ramb) == 0);
    {
        uint8_t tmp[64];
        struct vm_lock lk;
        REQ_EQ(vm_read(&vm, tmp, w.addr + 1900u, 64), VM_OK);
        REQ(memcmp(tmp, want + 1900, 64) == 0);
        memset(tmp, 0xEE, 64);
        REQ_EQ(vm_write(&vm, w.addr + 1950u, tmp, 64), VM_OK);
        memset(want + 1950, 0xEE, 64);
        REQ_EQ(vm_memcmp_ram(&vm, w.addr + 1950u, tmp, 64, &cmp), VM_OK);
        REQ_EQ(cmp, 0);
        REQ_EQ(u8p_lock(&vm, u8p_add(w, 40), 100, VM_LOCK_RW, &lk), VM_OK);
        REQ(lk.ptr == (void *)(ramb + 40));
        REQ_EQ(lk.len, 100);
        ((uint8_t *)lk.ptr)[99] = 0x42;
        want[139] = 0x42;
        REQ_EQ(vm_unlock(&vm, &lk), VM_OK);
    }
    REQ(memcmp(ramb, want, sizeof ramb) == 0);
    check_pool();
}
END_TEST
#endif

static Suite *suite(void)
{
    Suite *s = suite_create("ptr_c");
    TCase *tc = tcase_create("typed");
    tcase_add_loop_test(tc, diff_typed, 0, NGEOM);
    tcase_add_loop_test(tc, faults, 0, NGEOM);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, alloc_and_members);
    tcase_add_test(tc, typed_lock);
#if VM_CONFIG_WRAP
    tcase_add_loop_test(tc, wrapped, 0, NGEOM);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
