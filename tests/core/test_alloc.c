/*
 * test_alloc.c - the allocator inside the pool (suite "unit").
 *
 * A reference first-fit allocator over a sorted list of blocks predicts
 * every vm_alloc address exactly; vm_realloc is checked for staying in place
 * when it can and for keeping the data; vm_heap_stats is compared after every
 * step; every live block's contents are checked so that overlaps show; and
 * alloc/free must never call the backend.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

#define A(x) (((x) + (VM_ALLOC_ALIGN - 1u)) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u))
#define MAXB 512

struct rblock {
    vm_addr_t addr, size; /* size: as asked */
    uint8_t tag;
};

struct rheap {
    vm_addr_t start, end;
    unsigned cap, n;
    struct rblock b[MAXB]; /* sorted by addr */
    vm_addr_t used, peak;
};

static vm_addr_t ref_fit(const struct rheap *h, vm_addr_t size, int skip)
{
    vm_addr_t at = h->start, r = A(size);
    unsigned i;
    if (size == 0)
        return VM_NULL;
    for (i = 0; i < h->n; i++) {
        if ((int)i == skip)
            continue;
        if (h->b[i].addr >= at && h->b[i].addr - at >= r)
            return at;
        at = h->b[i].addr + A(h->b[i].size);
    }
    return h->end > at && h->end - at >= r ? at : VM_NULL;
}

static vm_addr_t ref_largest(const struct rheap *h)
{
    vm_addr_t at = h->start, best = 0;
    unsigned i;
    for (i = 0; i < h->n; i++) {
        if (h->b[i].addr - at > best)
            best = h->b[i].addr - at;
        at = h->b[i].addr + A(h->b[i].size);
    }
    if (h->end > at && h->end - at > best)
        best = h->end - at;
    return best & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u);
}

static void ref_insert(struct rheap *h, vm_addr_t addr, vm_addr_t size, uint8_t tag)
{
    unsigned i = 0;
    while (i < h->n && h->b[i].addr < addr)
        i++;
    memmove(&h->b[i + 1], &h->b[i], (h->n - i) * sizeof h->b[0]);
    h->b[i].addr = addr;
    h->b[i].size = size;
    h->b[i].tag = tag;
    h->n++;
    h->used += A(size);
    if (h->used > h->peak)
        h->peak = h->used;
}

static void ref_remove(struct rheap *h, unsigned i)
{
    h->used -= A(h->b[i].size);
    memmove(&h->b[i], &h->b[i + 1], (h->n - i - 1u) * sizeof h->b[0]);
    h->n--;
}

static void expect_stats(struct tc *t, const struct rheap *h, const char *when)
{
    struct vm_heap_stats st;
    vm_heap_stats(&t->vm, &st);
    TC_ASSERT_MSG(st.used == h->used, "%s: used %lu, want %lu", when, (unsigned long)st.used,
                  (unsigned long)h->used);
    TC_ASSERT_MSG(st.peak == h->peak, "%s: peak %lu, want %lu", when, (unsigned long)st.peak,
                  (unsigned long)h->peak);
    TC_ASSERT_MSG(st.free == (h->end - h->start) - h->used, "%s: free %lu, want %lu", when,
                  (unsigned long)st.free, (unsigned long)((h->end - h->start) - h->used));
    TC_ASSERT_MSG(st.blocks == h->n, "%s: blocks %u, want %u", when, st.blocks, h->n);
    TC_ASSERT_EQ(st.blocks_max, h->cap);
    if (h->n < h->cap)
        TC_ASSERT_MSG(st.largest_free == ref_largest(h), "%s: largest_free %lu, want %lu", when,
                      (unsigned long)st.largest_free, (unsigned long)ref_largest(h));
    else /* a full table: nothing would succeed (or the gap is reported) */
        TC_ASSERT(st.largest_free == 0 || st.largest_free == ref_largest(h));
}

static uint8_t pat(uint8_t tag, vm_addr_t i) { return (uint8_t)(tag * 31u + i * 7u + 1u); }

static void fill(struct tc *t, vm_addr_t addr, vm_addr_t size, uint8_t tag)
{
    static uint8_t buf[8192];
    vm_addr_t i;
    TC_ASSERT_LE(size, sizeof buf);
    for (i = 0; i < size; i++)
        buf[i] = pat(tag, i);
    TC_ASSERT_EQ(vm_write(&t->vm, addr, buf, size), VM_OK);
}

static void expect_fill(struct tc *t, vm_addr_t addr, vm_addr_t size, uint8_t tag)
{
    static uint8_t buf[8192];
    vm_addr_t i;
    TC_ASSERT_EQ(vm_read(&t->vm, buf, addr, size), VM_OK);
    for (i = 0; i < size; i++)
        TC_ASSERT_MSG(buf[i] == pat(tag, i), "block %lu (+%lu): byte %lu overwritten",
                      (unsigned long)addr, (unsigned long)size, (unsigned long)i);
}

static struct tc *mk_heap(vm_addr_t pool, uint16_t blocks)
{
    struct tc_geom g;
    memset(&g, 0, sizeof g);
    g.page_size = 256;
    g.page_count = 4;
    g.pool_size = pool;
    g.heap_blocks = blocks;
    g.fill_seed = 6;
    return tc_new(&g);
}

static void ref_init(struct rheap *h, struct tc *t, unsigned cap)
{
    memset(h, 0, sizeof *h);
    h->start = VM_ALLOC_ALIGN;
    h->end = vm_pool_size(&t->vm);
    h->cap = cap;
}

/* A random workload of alloc, free and realloc against the reference. */
START_TEST(alloc_random_workload)
{
    static struct rheap h;
    struct tc *t;
    struct tc_rng r;
    unsigned long step, steps = tc_scaled(6000, 600);
    unsigned cap = _i == 0 ? 64 : 300;
    vm_addr_t pool = _i == 0 ? 65536 : 200000 + 3;
    uint8_t tag = 0;

    t = mk_heap(pool, (uint16_t)cap);
    t->log_events = 0;
    ref_init(&h, t, cap);
    tc_rng_seed(&r, tc_seed(0xA110Cull) + (uint64_t)_i);
    for (step = 0; step < steps; step++) {
        uint32_t c = tc_rng_below(&r, 100);
        char when[64];
        snprintf(when, sizeof when, "step %lu", step);
        if (c < 50 || h.n == 0) {
            vm_addr_t size = tc_rng_chance(&r, 1, 4) ? tc_rng_range(&r, 1, 16)
                                                     : tc_rng_range(&r, 1, _i == 0 ? 3000 : 8000);
            vm_addr_t want = h.n < h.cap ? ref_fit(&h, size, -1) : VM_NULL, got;
            unsigned calls = t->n_calls;
            got = vm_alloc(&t->vm, size);
            TC_ASSERT_EQ(t->n_calls, calls); /* no backend call */
            TC_ASSERT_MSG(got == want, "%s: vm_alloc(%lu) = %lu, first fit says %lu", when,
                          (unsigned long)size, (unsigned long)got, (unsigned long)want);
            if (got != VM_NULL) {
                TC_ASSERT_EQ(got % VM_ALLOC_ALIGN, 0);
                ref_insert(&h, got, size, ++tag);
                fill(t, got, size, tag);
            }
        } else if (c < 80) {
            unsigned i = tc_rng_below(&r, h.n);
            unsigned calls;
            if (tc_rng_chance(&r, 1, 8))
                expect_fill(t, h.b[i].addr, h.b[i].size, h.b[i].tag);
            calls = t->n_calls;
            TC_ASSERT_EQ(vm_free(&t->vm, h.b[i].addr), VM_OK);
            TC_ASSERT_EQ(t->n_calls, calls);
            ref_remove(&h, i);
        } else {
            unsigned i = tc_rng_below(&r, h.n);
            struct rblock old = h.b[i];
            vm_addr_t size = tc_rng_range(&r, 1, _i == 0 ? 3000 : 8000), got;
            vm_addr_t next = i + 1u < h.n ? h.b[i + 1].addr : h.end;
            int in_place = old.addr + A(size) <= next;
            got = vm_realloc(&t->vm, old.addr, size);
            if (got == VM_NULL) {
                TC_ASSERT_MSG(!in_place, "%s: realloc could stay in place but failed", when);
                TC_ASSERT_MSG(ref_fit(&h, size, -1) == VM_NULL || h.n == h.cap,
                              "%s: realloc(%lu) failed with room at %lu", when,
                              (unsigned long)size, (unsigned long)ref_fit(&h, size, -1));
            } else {
                if (in_place)
                    TC_ASSERT_MSG(got == old.addr, "%s: realloc moved a block that fit", when);
                TC_ASSERT_EQ(got % VM_ALLOC_ALIGN, 0);
                vm_addr_t both = h.used + A(size); /* a move may hold both copies */
                struct vm_heap_stats st;
                ref_remove(&h, i);
                ref_insert(&h, got, size, old.tag);
                vm_heap_stats(&t->vm, &st);
                if (got != old.addr && st.peak > h.peak) {
                    TC_ASSERT_MSG(st.peak <= both, "%s: peak %lu after a move, at most %lu",
                                  when, (unsigned long)st.peak, (unsigned long)both);
                    h.peak = st.peak;
                }
                expect_fill(t, got, size < old.size ? size : old.size, old.tag);
                /* Refill so the whole block has the pattern. */
                fill(t, got, size, old.tag);
            }
        }
        /* Blocks inside the heap, sorted, not overlapping. */
        {
            unsigned k;
            for (k = 0; k < h.n; k++) {
                TC_ASSERT_GE(h.b[k].addr, h.start);
                TC_ASSERT_LE(h.b[k].addr + h.b[k].size, h.end);
                if (k > 0)
                    TC_ASSERT_LE(h.b[k - 1].addr + A(h.b[k - 1].size), h.b[k].addr);
            }
        }
        expect_stats(t, &h, when);
        if (step % 500u == 0u) {
            unsigned k;
            for (k = 0; k < h.n; k++)
                expect_fill(t, h.b[k].addr, h.b[k].size, h.b[k].tag);
        }
        TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    }
    {
        unsigned k;
        for (k = 0; k < h.n; k++)
            expect_fill(t, h.b[k].addr, h.b[k].size, h.b[k].tag);
        while (h.n > 0) {
            TC_ASSERT_EQ(vm_free(&t->vm, h.b[0].addr), VM_OK);
            ref_remove(&h, 0);
        }
    }
    expect_stats(t, &h, "end");
    {
        /* Everything coalesced: one allocation of the whole heap fits. */
        vm_addr_t all = (h.end - h.start) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u);
        TC_ASSERT_EQ(vm_alloc(&t->vm, all), h.start);
    }
    tc_free(t);
}
END_TEST

START_TEST(alloc_errors_and_table_full)
{
    struct tc *t = mk_heap(4096, 4);
    struct vm_heap_stats st;
    vm_addr_t p[5];
    unsigned i;
    for (i = 0; i < 4; i++) {
        p[i] = vm_alloc(&t->vm, 10);
        TC_ASSERT_NE(p[i], VM_NULL);
    }
    TC_ASSERT_EQ(vm_alloc(&t->vm, 10), VM_NULL); /* the table is full */
    TC_ASSERT_EQ(vm_alloc(&t->vm, 1), VM_NULL);
    vm_heap_stats(&t->vm, &st);
    TC_ASSERT_EQ(st.blocks, 4);
    TC_ASSERT_EQ(st.blocks_max, 4);
    TC_ASSERT_EQ(st.used, 4 * A(10));
    /* Bad frees change nothing. */
    TC_ASSERT_EQ(vm_free(&t->vm, p[1] + 4), VM_ERR_INVAL);
    TC_ASSERT_EQ(vm_free(&t->vm, 3000), VM_ERR_INVAL);
    TC_ASSERT_EQ(vm_free(&t->vm, VM_NULL), VM_OK);
    TC_ASSERT_EQ(vm_free(&t->vm, p[1]), VM_OK);
    TC_ASSERT_EQ(vm_free(&t->vm, p[1]), VM_ERR_INVAL); /* double free */
    p[4] = vm_alloc(&t->vm, 8);
    TC_ASSERT_EQ(p[4], p[1]); /* first fit reuses the hole */
    /* Too big for the heap, or for any gap. */
    TC_ASSERT_EQ(vm_realloc(&t->vm, p[0], 5000), VM_NULL);
    TC_ASSERT_EQ(vm_free(&t->vm, p[0]), VM_OK); /* still live after the failure */
    TC_ASSERT_EQ(vm_alloc(&t->vm, 4096), VM_NULL);
    TC_ASSERT_EQ(vm_alloc(&t->vm, 0xFFFFFFF0u), VM_NULL);
    vm_heap_stats(&t->vm, &st);
    TC_ASSERT_EQ(st.blocks, 3);
    TC_ASSERT_EQ(st.peak, 4 * A(10));
    vm_stats_reset(&t->vm);
    vm_heap_stats(&t->vm, &st);
    TC_ASSERT(st.peak == 0 || st.peak == st.used);
    TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    TC_ASSERT_EQ(t->ram.reads + t->ram.writes, 0);
    tc_free(t);
}
END_TEST

START_TEST(realloc_in_place_and_moving)
{
    struct tc *t = mk_heap(8192, 16);
    vm_addr_t a, b, c, a2;
    unsigned calls;
    a = vm_alloc(&t->vm, 100);
    b = vm_alloc(&t->vm, 100);
    TC_ASSERT_EQ(a, VM_ALLOC_ALIGN);
    TC_ASSERT_EQ(b, a + A(100));
    fill(t, a, 100, 1);
    fill(t, b, 100, 2);
    /* Shrink in place; grow back in place into the freed tail. */
    calls = t->n_calls;
    TC_ASSERT_EQ(vm_realloc(&t->vm, a, 40), a);
    TC_ASSERT_EQ(vm_realloc(&t->vm, a, 100), a);
    TC_ASSERT_EQ(t->n_calls, calls); /* in place: no data moved */
    /* Grow past the neighbour: moves, data kept. */
    a2 = vm_realloc(&t->vm, a, 300);
    TC_ASSERT_NE(a2, VM_NULL);
    TC_ASSERT_NE(a2, a);
    TC_ASSERT_GE(a2, b + A(100));
    expect_fill(t, a2, 40, 1);
    /* Free b: the block after the gap grows into it in place. */
    c = vm_alloc(&t->vm, 16);
    TC_ASSERT_EQ(c, a); /* first fit: the hole a left */
    TC_ASSERT_EQ(vm_free(&t->vm, b), VM_OK);
    TC_ASSERT_EQ(vm_realloc(&t->vm, c, 16 + 100), c);
    expect_fill(t, a2, 40, 1);
    TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    tc_free(t);
}
END_TEST

START_TEST(heap_bounds_config)
{
    struct tc_geom g;
    struct tc *t;
    int rc;
    vm_addr_t p;
    struct vm_heap_stats st;
    memset(&g, 0, sizeof g);
    g.page_size = 64;
    g.page_count = 2;
    g.pool_size = 8192;
    t = tc_new(&g);
    t->cfg.heap_start = 1001; /* rounded up to the alignment */
    t->cfg.heap_end = 3000;
    rc = vm_init(&t->vm, &t->cfg);
    TC_ASSERT_EQ(rc, VM_OK);
    p = vm_alloc(&t->vm, 10);
    TC_ASSERT_EQ(p, A(1001));
    vm_heap_stats(&t->vm, &st);
    TC_ASSERT_EQ(st.free + st.used, 3000 - A(1001));
    TC_ASSERT_EQ(vm_alloc(&t->vm, 3000 - A(1001)), VM_NULL);
    p = vm_alloc(&t->vm, 3000 - A(1001) - A(10));
    TC_ASSERT_EQ(p, A(1001) + A(10));
    TC_ASSERT_EQ(vm_alloc(&t->vm, 1), VM_NULL);
    /* No table: every alloc fails. */
    t->cfg.heap = NULL;
    t->cfg.heap_blocks = 0;
    t->cfg.heap_start = 0;
    t->cfg.heap_end = 0;
    TC_ASSERT_EQ(vm_init(&t->vm, &t->cfg), VM_OK);
    TC_ASSERT_EQ(vm_alloc(&t->vm, 1), VM_NULL);
    tc_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-alloc");
    TCase *tc = tcase_create("alloc");

    tcase_add_loop_test(tc, alloc_random_workload, 0, 2);
    tcase_add_test(tc, alloc_errors_and_table_full);
    tcase_add_test(tc, realloc_in_place_and_moving);
    tcase_add_test(tc, heap_bounds_config);
    suite_add_tcase(s, tc);

    return tc_run(s);
}
