/*
 * test_kernels.c - the loops users write, as differential workloads (suite
 * "diff").
 *
 * The random differential test (test_diff.c) rarely lands where the inline
 * paths branch: a write exactly at the end of a hot page's dirty range, a
 * fill that grows a never-read page downward, a typed value that straddles
 * two pages. These workloads are the shapes of bench/vm_kernels.c: fill
 * (8/16/32-bit, ascending and descending) of a fresh buffer, read-back,
 * copy, read-modify-write of packed struct fields that straddle pages, a
 * strided walk over the resident pages, random typed access inside a
 * working set that fits, a linked-list walk, typed pointers (VM_PTR), and
 * 8-byte, whole-page and straddling (bounced) locks. Each one runs:
 *  - against a plain array that mirrors the pool (every read compared; the
 *    backend equals it after the final flush);
 *  - against the naive policy model (tc_model.c): every access feeds it the
 *    pages it touches, in order, and misses, write-backs and the slot of
 *    every page must agree after each access;
 * for every policy, VM_CLEAN_FIRST off and on, pages of 16 and 64 bytes and
 * 1 to 8 of them. Wrapped RAM pointers are mixed in (they never touch the
 * pager).
 *
 * every_path runs the same workloads, prints how often each path of the
 * core was taken (vm_stats()->path, VM_CONFIG_PATHS) and fails if any path
 * was never taken.
 */
#include "tc.h"
#include "tc_model.h"
#include "vm_ptr.h"

#include <stdlib.h>
#include <string.h>

#define POOL 16384u

static const uint16_t k_sizes[2] = {16, 64};
static const uint8_t k_counts[5] = {1, 2, 3, 4, 8};
static const char *const pol_names[5] = {"?", "fifo", "lru", "clock", "sieve"};

VM_PTR_DECLARE(k_u16p, uint16_t);
VM_PTR_DECLARE(k_u32p, uint32_t);

struct kstate {
    struct tc *t;
    struct vm *vm;
    struct model m;
    uint8_t ref[POOL];
    unsigned ps, pc;
    struct tc_rng rng;
    const char *kernel;
    unsigned long step;
    char name[64];
    uint8_t ram[64]; /* a RAM buffer reached through wrapped addresses */
    uint8_t ram_ref[64];
};

static void agree(struct kstate *k)
{
    const struct vm_stats *st = vm_stats(k->vm);
    unsigned i;
    k->step++;
    TC_ASSERT_MSG(st->misses == k->m.misses, "%s %s step %lu: %lu misses, model %lu", k->name,
                  k->kernel, k->step, (unsigned long)st->misses, k->m.misses);
    TC_ASSERT_MSG(st->writebacks == k->m.writebacks,
                  "%s %s step %lu: %lu write-backs, model %lu", k->name, k->kernel, k->step,
                  (unsigned long)st->writebacks, k->m.writebacks);
    for (i = 0; i < k->m.n; i++)
        if (k->m.page[i] != VM_NO_PAGE)
            TC_ASSERT_MSG(vm_slot_of(k->vm, k->m.page[i]) == (int)i,
                          "%s %s step %lu: page %lu in slot %d, model slot %u", k->name,
                          k->kernel, k->step, (unsigned long)k->m.page[i],
                          vm_slot_of(k->vm, k->m.page[i]), i);
}

/* Typed access of w bytes at a: the pager, the mirror and the model. */
static void get(struct kstate *k, vm_addr_t a, unsigned w)
{
    uint8_t x8 = 0;
    uint16_t x16 = 0;
    uint32_t x32 = 0, got = 0;
    int rc;
    model_touch_range(&k->m, a, w, k->ps, 0);
    if (w == 1) { rc = vm_get8(k->vm, a, &x8); memcpy(&got, &x8, 1); }
    else if (w == 2) { rc = vm_get16(k->vm, a, &x16); memcpy(&got, &x16, 2); }
    else { rc = vm_get32(k->vm, a, &x32); memcpy(&got, &x32, 4); }
    TC_ASSERT_MSG(rc == VM_OK, "%s %s: get%u at %lu: %s", k->name, k->kernel, 8 * w,
                  (unsigned long)a, tc_err_name(rc));
    TC_ASSERT_MSG(memcmp(&got, k->ref + a, w) == 0, "%s %s step %lu: get%u at %lu differs",
                  k->name, k->kernel, k->step, 8 * w, (unsigned long)a);
    agree(k);
}

static void set(struct kstate *k, vm_addr_t a, unsigned w, uint32_t v)
{
    int rc;
    model_touch_range(&k->m, a, w, k->ps, 1);
    if (w == 1) { uint8_t x = (uint8_t)v; rc = vm_set8(k->vm, a, x); memcpy(k->ref + a, &x, 1); }
    else if (w == 2) { uint16_t x = (uint16_t)v; rc = vm_set16(k->vm, a, x); memcpy(k->ref + a, &x, 2); }
    else { rc = vm_set32(k->vm, a, v); memcpy(k->ref + a, &v, 4); }
    TC_ASSERT_MSG(rc == VM_OK, "%s %s: set%u at %lu: %s", k->name, k->kernel, 8 * w,
                  (unsigned long)a, tc_err_name(rc));
    agree(k);
}

static uint32_t rnd(struct kstate *k) { return (uint32_t)tc_rng_next(&k->rng); }

/* Fill [a, a+n) with w-byte values, ascending or descending. */
static void k_fill(struct kstate *k, vm_addr_t a, vm_addr_t n, unsigned w, int down)
{
    vm_addr_t i;
    for (i = 0; i + w <= n; i += w)
        set(k, down ? a + n - w - i : a + i, w, rnd(k));
}

static void k_read(struct kstate *k, vm_addr_t a, vm_addr_t n, unsigned w)
{
    vm_addr_t i;
    for (i = 0; i + w <= n; i += w)
        get(k, a + i, w);
}

static void k_copy(struct kstate *k, vm_addr_t dst, vm_addr_t src, vm_addr_t n, unsigned w)
{
    vm_addr_t i;
    for (i = 0; i + w <= n; i += w) {
        uint32_t v = 0;
        get(k, src + i, w);
        memcpy(&v, k->ref + src + i, w);
        set(k, dst + i, w, v);
    }
}

/* Packed records {u8 tag; u16 a; u32 b} every 7 bytes from a page end - 3:
 * many fields straddle a page boundary. */
static void k_struct(struct kstate *k, vm_addr_t a, unsigned records)
{
    unsigned r;
    for (r = 0; r < records; r++) {
        vm_addr_t p = a + 7u * r;
        uint32_t b = 0;
        uint16_t f = 0;
        get(k, p + 3, 4);
        memcpy(&b, k->ref + p + 3, 4);
        set(k, p + 3, 4, b + 1u);
        get(k, p + 1, 2);
        memcpy(&f, k->ref + p + 1, 2);
        set(k, p + 1, 2, (uint16_t)(f ^ 0x5A5Au));
        get(k, p, 1);
        set(k, p, 1, (uint8_t)(k->ref[p] + 1u));
    }
}

/* Byte j of every page of [a, a + pages) in turn, for every j (a stride of
 * one page): reads, then read-modify-writes. */
static void k_stride(struct kstate *k, vm_addr_t a, unsigned pages, unsigned step)
{
    unsigned j, p;
    for (j = 0; j < k->ps; j += step)
        for (p = 0; p < pages; p++) {
            vm_addr_t x = a + (vm_addr_t)p * k->ps + j;
            get(k, x, 1);
            if (j % (2u * step) == 0)
                set(k, x, 1, (uint8_t)(k->ref[x] + 3u));
        }
}

/* Random typed reads and writes inside [a, a+n) (unaligned: some straddle). */
static void k_random(struct kstate *k, vm_addr_t a, vm_addr_t n, unsigned ops)
{
    unsigned i;
    for (i = 0; i < ops; i++) {
        unsigned w = 1u << tc_rng_below(&k->rng, 3);
        vm_addr_t x = a + tc_rng_below(&k->rng, (uint32_t)(n - w + 1u));
        if (tc_rng_chance(&k->rng, 1, 3))
            set(k, x, w, rnd(k));
        else
            get(k, x, w);
    }
}

/* A linked list of 4-byte nodes {u16 next offset; u16 value} in a random
 * order over [a, a + 4*nodes): built, then walked summing values. */
static void k_list(struct kstate *k, vm_addr_t a, unsigned nodes)
{
    unsigned i, *perm = malloc(nodes * sizeof *perm);
    vm_addr_t cur;
    ck_assert_ptr_nonnull(perm);
    for (i = 0; i < nodes; i++)
        perm[i] = i;
    for (i = nodes - 1u; i > 0; i--) {
        unsigned j = tc_rng_below(&k->rng, i + 1u), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (i = 0; i < nodes; i++) {
        vm_addr_t node = a + 4u * perm[i];
        set(k, node, 2, i + 1u < nodes ? 4u * perm[i + 1u] : 0xFFFFu);
        set(k, node + 2, 2, i);
    }
    cur = a + 4u * perm[0];
    for (i = 0; i < nodes; i++) {
        uint16_t next;
        get(k, cur + 2, 2);
        get(k, cur, 2);
        memcpy(&next, k->ref + cur, 2);
        if (next == 0xFFFFu)
            break;
        cur = a + next;
    }
    TC_ASSERT_EQ(i, nodes - 1u);
    free(perm);
}

/* Typed pointers: sum a u16 array and scale a u32 array in place. */
static void k_ptr(struct kstate *k, vm_addr_t a, unsigned n)
{
    k_u16p p = k_u16p_at(a);
    k_u32p q = k_u32p_at(a + 2u * n + 1u); /* unaligned: some straddle */
    unsigned i;
    for (i = 0; i < n; i++) {
        uint16_t v;
        uint32_t w, want;
        model_touch_range(&k->m, a + 2u * i, 2, k->ps, 0);
        TC_ASSERT_EQ(k_u16p_get(k->vm, p, i, &v), VM_OK);
        TC_ASSERT(memcmp(&v, k->ref + a + 2u * i, 2) == 0);
        agree(k);
        model_touch_range(&k->m, a + 2u * i, 2, k->ps, 1);
        v = (uint16_t)(v + i);
        TC_ASSERT_EQ(k_u16p_set(k->vm, p, i, v), VM_OK);
        memcpy(k->ref + a + 2u * i, &v, 2);
        agree(k);
        model_touch_range(&k->m, q.addr + 4u * i, 4, k->ps, 0);
        TC_ASSERT_EQ(k_u32p_get(k->vm, q, i, &w), VM_OK);
        memcpy(&want, k->ref + q.addr + 4u * i, 4);
        TC_ASSERT_EQ(w, want);
        agree(k);
        model_touch_range(&k->m, q.addr + 4u * i, 4, k->ps, 1);
        w = w * 3u + 1u;
        TC_ASSERT_EQ(k_u32p_set(k->vm, q, i, w), VM_OK);
        memcpy(k->ref + q.addr + 4u * i, &w, 4);
        agree(k);
    }
}

/* Lock len bytes at a (mode), change them when writable, unlock. A range
 * that straddles goes through the bounce buffer: read at the lock (RO/RW),
 * written through the pages at the unlock (WO/RW). */
static void k_lock(struct kstate *k, vm_addr_t a, unsigned len, unsigned mode)
{
    struct vm_lock lk;
    int rc, bounced = (a & (k->ps - 1u)) + len > k->ps;
    unsigned i, n;
    if (!bounced || (mode & VM_LOCK_RO))
        model_touch_range(&k->m, a, bounced ? len : 1u, k->ps, !bounced && (mode & VM_LOCK_WO));
    rc = vm_lock(k->vm, a, len, mode, &lk);
    TC_ASSERT_MSG(rc == VM_OK, "%s %s: lock %lu+%u: %s", k->name, k->kernel, (unsigned long)a,
                  len, tc_err_name(rc));
    n = (unsigned)lk.len;
    TC_ASSERT_EQ(n, len);
    agree(k);
    if (mode & VM_LOCK_RO)
        TC_ASSERT(memcmp(lk.ptr, k->ref + a, n) == 0);
    if (mode & VM_LOCK_WO)
        for (i = 0; i < n; i++) {
            uint8_t *b = (uint8_t *)lk.ptr + i;
            *b = (mode & VM_LOCK_RO) ? (uint8_t)(*b + 1u) : (uint8_t)rnd(k);
            k->ref[a + i] = *b;
        }
    if (bounced && (mode & VM_LOCK_WO))
        model_touch_range(&k->m, a, len, k->ps, 1);
    TC_ASSERT_EQ(vm_unlock(k->vm, &lk), VM_OK);
    agree(k);
}

/* Wrapped addresses: typed access and a lock of the RAM buffer; the pager
 * is not touched (the model is not fed). */
static void k_wrapped(struct kstate *k)
{
    vm_addr_t w = vm_wrap(k->vm, k->ram);
    struct vm_lock lk;
    unsigned i;
    uint8_t v;
    TC_ASSERT(w != VM_NULL);
    for (i = 0; i < sizeof k->ram; i++) {
        TC_ASSERT_EQ(vm_set8(k->vm, w + i, (uint8_t)(i * 7u)), VM_OK);
        k->ram_ref[i] = (uint8_t)(i * 7u);
    }
    for (i = 0; i < sizeof k->ram; i++) {
        TC_ASSERT_EQ(vm_get8(k->vm, w + i, &v), VM_OK);
        TC_ASSERT_EQ(v, k->ram_ref[i]);
    }
    TC_ASSERT_EQ(vm_lock(k->vm, w + 8, 8, VM_LOCK_RW, &lk), VM_OK);
    ((uint8_t *)lk.ptr)[0] ^= 0xFFu;
    k->ram_ref[8] ^= 0xFFu;
    TC_ASSERT_EQ(vm_unlock(k->vm, &lk), VM_OK);
    TC_ASSERT(memcmp(k->ram, k->ram_ref, sizeof k->ram) == 0);
    agree(k);
}

/* Every kernel on one configuration; path counts added to paths[]. */
static void run_kernels(int policy, unsigned ps, unsigned pc, int clean, unsigned long *paths)
{
    static struct kstate ks;
    struct kstate *k = &ks;
    struct tc_geom g;
    vm_addr_t ws = (vm_addr_t)ps * pc, big = (vm_addr_t)ps * (pc + 2u);
    unsigned i;

    memset(k, 0, sizeof *k);
    k->ps = ps;
    k->pc = pc;
    snprintf(k->name, sizeof k->name, "%s%s ps %u pc %u", pol_names[policy],
             clean ? "+clean" : "", ps, pc);
    memset(&g, 0, sizeof g);
    g.pool_size = POOL;
    g.page_size = (uint16_t)ps;
    g.page_count = (vm_slot_t)pc;
    g.policy = (uint8_t)policy;
    g.flags = clean ? VM_CLEAN_FIRST : 0;
    g.bounce_size = 16;
    g.fill_seed = 11u + ps + pc;
    g.no_events = !clean; /* an observer keeps locks out of line: half with one */
    k->t = tc_new(&g);
    k->vm = &k->t->vm;
    k->t->log_events = 0;
    vm_set_wrap_base(k->vm, k->ram);
    memcpy(k->ref, k->t->mem, POOL);
    model_init(&k->m, policy, pc, clean);
    tc_rng_seed(&k->rng, tc_seed(0x4B45524Eull) + (uint64_t)policy * 131u + ps * 7u + pc + (uint64_t)clean * 977u);

    /* Regions 2 KiB apart, each fresh (never read) when first written. */
    k->kernel = "fill8";     k_fill(k, 0, big, 1, 0);
    k->kernel = "read8";     k_read(k, 0, big, 1);
    k->kernel = "fill16";    k_fill(k, 2048, big, 2, 0);
    k->kernel = "read16";    k_read(k, 2048, big, 2);
    k->kernel = "fill32";    k_fill(k, 4096, big, 4, 0);
    k->kernel = "read32";    k_read(k, 4096, big, 4);
    k->kernel = "fill8-down"; k_fill(k, 6144, big, 1, 1);
    k->kernel = "fill32-down"; k_fill(k, 6144 + 1024, ws, 4, 1);
    k->kernel = "copy8";     k_copy(k, 8192, 0, big, 1);
    k->kernel = "copy16";    k_copy(k, 8192 + 1024, 2048, ws, 2);
    k->kernel = "copy32";    k_copy(k, 8192, 4096, big, 4);
    k->kernel = "struct";    k_struct(k, 10240 + ps - 3u, (unsigned)(big / 7u));
    k->kernel = "stride";    k_stride(k, 0, pc, 1);
    k->kernel = "stride4";   k_stride(k, 12288, pc, 4);
    k->kernel = "random";    k_random(k, 4096, ws, 3000);
    k->kernel = "random-big"; k_random(k, 0, POOL, 1500);
    k->kernel = "list";      k_list(k, 12288, (unsigned)(ws / 4u));
    k->kernel = "vm_ptr";    k_ptr(k, 14336, (unsigned)(ws / 8u) + 4u);
    k->kernel = "lock8";
    for (i = 0; i < 3u * pc; i++)
        k_lock(k, (vm_addr_t)ps * (i % (pc + 1u)) + 8u * (i % (ps / 8u)), 8, i % 3u + 1u);
    k->kernel = "lockpage";
    for (i = 0; i < 2u * pc; i++)
        k_lock(k, 2048 + (vm_addr_t)ps * i, ps, i % 2u ? VM_LOCK_RW : VM_LOCK_RO);
    k->kernel = "lock-resident"; /* read-only locks of a read set: inline when hot */
    k_read(k, 4096, ws, 4);
    for (i = 0; i < 16u * pc; i++) {
        unsigned len = 1u + (unsigned)tc_rng_below(&k->rng, 8);
        k_lock(k, 4096 + (vm_addr_t)tc_rng_below(&k->rng, (uint32_t)(ws - len + 1u)), len,
               i % 4u ? VM_LOCK_RO : VM_LOCK_RW);
    }
    k->kernel = "lock-bounce";
    for (i = 0; i < pc + 1u; i++)
        k_lock(k, (vm_addr_t)ps * (i + 1u) - 4u, 8, i % 3u + 1u);
    k->kernel = "wrapped";   k_wrapped(k);
    k->kernel = "bench";     /* the original library's loop: write all, read all */
    k_fill(k, 0, big, 1, 0);
    k_read(k, 0, big, 1);

    k->kernel = "final";
    TC_ASSERT_EQ(vm_flush(k->vm), VM_OK);
    model_flush(&k->m);
    agree(k);
    TC_ASSERT_EQ(vm_check(k->vm), VM_OK);
    TC_ASSERT_MSG(memcmp(k->t->mem, k->ref, POOL) == 0, "%s: backend differs from the mirror",
                  k->name);
    TC_ASSERT_GT(k->step, 1000u);
    if (clean && pc >= 4)
        TC_ASSERT_MSG(k->m.clean_picks > 0, "%s: VM_CLEAN_FIRST never spared a dirty page",
                      k->name);
#if VM_CONFIG_PATHS
    TC_ASSERT_EQ(vm_stats(k->vm)->path[VM_PATH_CLEAN_VICTIM], k->m.clean_picks);
    for (i = 0; i < VM_PATH_COUNT; i++)
        paths[i] += (unsigned long)vm_stats(k->vm)->path[i];
#else
    (void)paths;
#endif
    if (getenv("VM_TEST_VERBOSE") != NULL)
        printf("%-28s accesses %lu misses %lu write-backs %lu clean picks %lu\n", k->name,
               k->step, k->m.misses, k->m.writebacks, k->m.clean_picks);
    tc_free(k->t);
}

/* _i: policy (4) x VM_CLEAN_FIRST (2) x page size (2) x page count (5). */
START_TEST(kernels_exact)
{
    unsigned long paths[VM_PATH_COUNT];
    int policy = _i % 4 + 1, clean = (_i / 4) % 2;
    unsigned ps = k_sizes[(_i / 8) % 2], pc = k_counts[_i / 16];
    memset(paths, 0, sizeof paths);
    run_kernels(policy, ps, pc, clean, paths);
}
END_TEST

/* Pages 64 KiB apart share the low half of their address: the inline page
 * test of a 16-bit-int MCU (VM__INT16) compares the high halves too. Values
 * of each width at x, x + 64 KiB and x + 128 KiB, written then read back
 * in turn (each access leaves another of the three pages hot). */
START_TEST(far_pages)
{
    static const vm_addr_t offs[3] = {0x40u, 0x1000u, 0xFFC0u};
    struct tc_geom g;
    struct tc *t;
    unsigned i, r, k;
    memset(&g, 0, sizeof g);
    g.pool_size = 0x30000u;
    g.page_size = 64;
    g.page_count = 2;
    g.policy = VM_POLICY_FIFO;
    t = tc_new(&g);
    for (i = 0; i < 3; i++)
        for (r = 0; r < 2; r++)
            for (k = 0; k < 3; k++) {
                vm_addr_t a = offs[i] + 0x10000u * k;
                uint8_t v8;
                uint16_t v16;
                uint32_t v32;
                if (r == 0) {
                    TC_ASSERT_EQ(vm_set8(&t->vm, a, (uint8_t)(k + 1u)), VM_OK);
                    TC_ASSERT_EQ(vm_set16(&t->vm, a + 2u, (uint16_t)(0x100u * (k + 1u))), VM_OK);
                    TC_ASSERT_EQ(vm_set32(&t->vm, a + 4u, 0x10000ul * (k + 1u)), VM_OK);
                    continue;
                }
                TC_ASSERT_EQ(vm_get8(&t->vm, a, &v8), VM_OK);
                TC_ASSERT_EQ(v8, k + 1u);
                TC_ASSERT_EQ(vm_get16(&t->vm, a + 2u, &v16), VM_OK);
                TC_ASSERT_EQ(v16, 0x100u * (k + 1u));
                TC_ASSERT_EQ(vm_get32(&t->vm, a + 4u, &v32), VM_OK);
                TC_ASSERT_EQ(v32, 0x10000ul * (k + 1u));
            }
    TC_CHECK(t);
    tc_free(t);
}
END_TEST

/* Whether this build has path p: the inline lock exists on 64-bit hosts
 * only (VM__LOCK_INLINE), unlike the MCUs' form that core-kernels-hot1avr
 * builds; the short path wherever VM__SHORT holds (vm.h: with hints). */
static int path_built(unsigned p)
{
#if !VM__LOCK_INLINE
    if (p == VM_PATH_LOCK_HOT || p == VM_PATH_UNLOCK_HOT) return 0;
#endif
#if !VM__SHORT
    if (p == VM_PATH_SHORT) return 0;
#endif
    (void)p;
    return 1;
}

START_TEST(every_path)
{
#if VM_CONFIG_PATHS
    unsigned long paths[VM_PATH_COUNT];
    unsigned p, missing = 0;
    int policy, clean;
    memset(paths, 0, sizeof paths);
    for (policy = VM_POLICY_FIFO; policy <= VM_POLICY_SIEVE; policy++)
        for (clean = 0; clean < 2; clean++) {
            run_kernels(policy, 64, 4, clean, paths);
            run_kernels(policy, 16, 2, clean, paths);
        }
    printf("paths taken by the kernel workloads (every policy, VM_CLEAN_FIRST off/on, 4x64 and 2x16):\n");
    for (p = 0; p < VM_PATH_COUNT; p++)
        printf("  %-14s %10lu\n", vm_path_name(p), paths[p]);
    fflush(stdout);
    for (p = 0; p < VM_PATH_COUNT; p++)
        if (paths[p] == 0 && path_built(p)) {
            fprintf(stderr, "path %s was never taken\n", vm_path_name(p));
            missing++;
        }
    TC_ASSERT_EQ(missing, 0);
#else
    ck_abort_msg("built without VM_CONFIG_PATHS: the path counts cannot be checked");
#endif
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("kernels");
    tcase_add_loop_test(tc, kernels_exact, 0, 4 * 2 * 2 * 5);
    suite_add_tcase(s, tc);
    tc = tcase_create("far");
    tcase_add_test(tc, far_pages);
    suite_add_tcase(s, tc);
    tc = tcase_create("paths");
    tcase_add_test(tc, every_path);
    suite_add_tcase(s, tc);
    return tc_run(s);
}
