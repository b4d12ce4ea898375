/*
 * test_regress.c - the original library's bugs (github.com/rhelmus/virtmem, virtmem/src/base_alloc.cpp; items
 * 1-7), each measured and asserted (suite "regress"). The original figures
 * are in the comments; the asserts state what this pager must do instead.
 * Teensy settings: 4 x 1024-byte pages.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

static struct tc *teensy(vm_addr_t pool, uint8_t policy)
{
    struct tc_geom g;
    struct tc *t;
    memset(&g, 0, sizeof g);
    g.page_size = 1024;
    g.page_count = 4;
    g.pool_size = pool;
    g.policy = policy;
    g.heap_blocks = 256;
    g.fill_seed = 11;
    t = tc_new(&g);
    t->log_events = 0;
    tc_clear_logs(t);
    return t;
}

/* 1. Reverse scans: the original loaded 8192 pages (8 MiB) to read 8 KiB
 * backwards and wrote back 8 MiB to write it. Aligned pages: 8 loads. */
START_TEST(item1_reverse_scan)
{
    struct tc *t = teensy(128 * 1024, _i + 1);
    const struct vm_stats *st = vm_stats(&t->vm);
    vm_addr_t base = 16384, i;
    uint8_t v;
    for (i = 8192; i-- > 0;) {
        TC_ASSERT_EQ(vm_get8(&t->vm, base + i, &v), VM_OK);
        TC_ASSERT_EQ(v, t->mem[base + i]);
    }
    TC_ASSERT_EQ(st->loads, 8);
    TC_ASSERT_EQ(st->bytes_read, 8192);
    vm_stats_reset(&t->vm);
    TC_ASSERT_EQ(vm_invalidate(&t->vm), VM_OK);
    for (i = 8192; i-- > 0;)
        TC_ASSERT_EQ(vm_set8(&t->vm, base + i, (uint8_t)(i ^ 0x5A)), VM_OK);
    TC_ASSERT_EQ(vm_flush(&t->vm), VM_OK);
    TC_ASSERT_EQ(st->bytes_written, 8192);
    TC_ASSERT_EQ(st->writebacks, 8);
    TC_ASSERT_LE(st->bytes_read, 8192);
    for (i = 0; i < 8192; i++)
        TC_ASSERT_EQ(t->mem[base + i], (uint8_t)(i ^ 0x5A));
    tc_free(t);
}
END_TEST

/* 2. The clean-victim rule was MRU on one slot: alternating read-only
 * between 2 regions with 4 slots missed on every access (2000 loads).
 * Here: 2 misses. */
START_TEST(item2_alternating_regions)
{
    struct tc *t = teensy(128 * 1024, _i % 4 + 1);
    const struct vm_stats *st;
    uint8_t buf[32];
    unsigned k;
    if (_i >= 4) {
        t->cfg.flags = VM_CLEAN_FIRST;
        TC_ASSERT_EQ(vm_init(&t->vm, &t->cfg), VM_OK);
    }
    st = vm_stats(&t->vm);
    for (k = 0; k < 1000; k++) {
        TC_ASSERT_EQ(vm_read(&t->vm, buf, 3000, 32), VM_OK);
        TC_ASSERT_EQ(vm_read(&t->vm, buf, 70000, 32), VM_OK);
    }
    TC_ASSERT_EQ(st->misses, 2);
    TC_ASSERT_EQ(st->loads, 2);
    TC_ASSERT_EQ(vm_stats(&t->vm)->hits, 1998);
    tc_free(t);
}
END_TEST

/* 3. Writes fetched first and wrote back whole pages. Here a 1-byte change
 * writes back 1 byte and a full overwrite fetches nothing. */
START_TEST(item3_write_traffic)
{
    struct tc *t = teensy(64 * 1024, VM_POLICY_CLOCK);
    const struct vm_stats *st = vm_stats(&t->vm);
    uint8_t v, page[1024];
    TC_ASSERT_EQ(vm_get8(&t->vm, 2048 + 17, &v), VM_OK);
    TC_ASSERT_EQ(vm_set8(&t->vm, 2048 + 17, (uint8_t)~v), VM_OK);
    TC_ASSERT_EQ(vm_flush(&t->vm), VM_OK);
    TC_ASSERT_EQ(st->bytes_written, 1);
    TC_ASSERT_EQ(t->ram.writes, 1);
    vm_stats_reset(&t->vm);
    tc_clear_logs(t);
    memset(page, 0xB7, sizeof page);
    TC_ASSERT_EQ(vm_write(&t->vm, 8192, page, sizeof page), VM_OK);
    TC_ASSERT_EQ(vm_flush(&t->vm), VM_OK);
    TC_ASSERT_EQ(st->bytes_read, 0);
    TC_ASSERT_EQ(t->ram.reads, 0);
    TC_ASSERT_EQ(st->bytes_written, 1024);
    ck_assert_mem_eq(t->mem + 8192, page, 1024);
    tc_free(t);
}
END_TEST

/* 4. Coalescing never happened: alloc/free of 100..19900 B in a 128 KiB
 * pool left 150 of 199 allocations failing and a 60 KB allocation failed
 * with nothing live. Here: all succeed. */
START_TEST(item4_coalescing)
{
    struct tc *t = teensy(128 * 1024, VM_POLICY_LRU);
    struct vm_heap_stats hs;
    vm_addr_t size, p;
    unsigned fails = 0;
    for (size = 100; size <= 19900; size += 100) {
        p = vm_alloc(&t->vm, size);
        fails += p == VM_NULL;
        if (p != VM_NULL)
            TC_ASSERT_EQ(vm_free(&t->vm, p), VM_OK);
    }
    TC_ASSERT_EQ(fails, 0);
    vm_heap_stats(&t->vm, &hs);
    TC_ASSERT_EQ(hs.blocks, 0);
    TC_ASSERT_EQ(hs.used, 0);
    p = vm_alloc(&t->vm, 60u * 1024u);
    TC_ASSERT_NE(p, VM_NULL);
    TC_ASSERT_EQ(vm_free(&t->vm, p), VM_OK);
    /* The same sizes all live at once, then freed in a scattered order. */
    {
        vm_addr_t ps[199];
        unsigned i, n = 0;
        for (size = 100; size <= 4000; size += 100)
            ps[n++] = vm_alloc(&t->vm, size);
        for (i = 0; i < n; i++)
            TC_ASSERT_NE(ps[i], VM_NULL);
        for (i = 0; i < n; i += 2)
            TC_ASSERT_EQ(vm_free(&t->vm, ps[i]), VM_OK);
        for (i = 1; i < n; i += 2)
            TC_ASSERT_EQ(vm_free(&t->vm, ps[i]), VM_OK);
        vm_heap_stats(&t->vm, &hs);
        TC_ASSERT_EQ(hs.largest_free, (128u * 1024u - VM_ALLOC_ALIGN));
        TC_ASSERT_NE(vm_alloc(&t->vm, 120u * 1024u), VM_NULL);
    }
    tc_free(t);
}
END_TEST

/* 5. Heap metadata lived in the pool: every malloc/free could swap. Here
 * alloc and free make zero backend calls and touch no page. */
START_TEST(item5_heap_metadata_traffic)
{
    struct tc *t = teensy(128 * 1024, VM_POLICY_FIFO);
    const struct vm_stats *st = vm_stats(&t->vm);
    vm_addr_t p[64];
    unsigned i, round;
    for (round = 0; round < 20; round++) {
        for (i = 0; i < 64; i++)
            p[i] = vm_alloc(&t->vm, 100u + 37u * i + round);
        for (i = 0; i < 64; i += 3)
            TC_ASSERT_EQ(vm_free(&t->vm, p[i]), VM_OK);
        for (i = 1; i < 64; i += 3)
            TC_ASSERT_NE(p[i] = vm_realloc(&t->vm, p[i], 50), VM_NULL); /* shrink */
        for (i = 0; i < 64; i++)
            if (i % 3 != 0)
                TC_ASSERT_EQ(vm_free(&t->vm, p[i]), VM_OK);
    }
    TC_ASSERT_EQ(t->ram.reads, 0);
    TC_ASSERT_EQ(t->ram.writes, 0);
    TC_ASSERT_EQ(st->hits + st->misses, 0);
    tc_free(t);
}
END_TEST

/* 6. Locking every big page broke normal access (pages[-1]), and a T
 * larger than a page overflowed it. Here: VM_ERR_BUSY, nothing breaks, and
 * big structs are copied whole. */
struct big {
    uint32_t head;
    uint8_t body[2900];
    uint32_t tail;
};

START_TEST(item6_all_locked_and_big_structs)
{
    struct tc *t = teensy(64 * 1024, _i + 1);
    struct vm_lock lk[4], x;
    static struct big b, c;
    uint8_t v;
    unsigned i;
    for (i = 0; i < 4; i++) {
        TC_ASSERT_EQ(vm_lock(&t->vm, 1024u * i * 2u, 1024, VM_LOCK_RW, &lk[i]), VM_OK);
        TC_ASSERT_EQ(lk[i].len, 1024);
        memset(lk[i].ptr, (int)i + 1, 1024);
    }
    TC_ASSERT_EQ(vm_get8(&t->vm, 1024 * 9, &v), VM_ERR_BUSY);
    TC_ASSERT_EQ(vm_set8(&t->vm, 1024 * 9, 1), VM_ERR_BUSY);
    TC_ASSERT_EQ(vm_lock(&t->vm, 1024 * 9, 4, VM_LOCK_RO, &x), VM_ERR_BUSY);
    TC_ASSERT_EQ(VM_GET(&t->vm, 1024 * 11, &b), VM_ERR_BUSY);
    TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    TC_ASSERT_EQ(vm_get8(&t->vm, 1024 * 2 + 5, &v), VM_OK); /* a locked page */
    TC_ASSERT_EQ(v, 2);
    for (i = 0; i < 4; i++)
        TC_ASSERT_EQ(vm_unlock(&t->vm, &lk[i]), VM_OK);
    TC_ASSERT_EQ(vm_get8(&t->vm, 1024 * 9, &v), VM_OK);
    TC_ASSERT_EQ(v, t->mem[1024 * 9]);

    /* A struct of about 3 pages at an odd address. */
    b.head = 0x01234567u;
    for (i = 0; i < sizeof b.body; i++)
        b.body[i] = (uint8_t)(i * 13u);
    b.tail = 0x89ABCDEFu;
    TC_ASSERT_EQ(VM_SET(&t->vm, 30001, &b), VM_OK);
    memset(&c, 0, sizeof c);
    TC_ASSERT_EQ(VM_GET(&t->vm, 30001, &c), VM_OK);
    ck_assert_mem_eq(&b, &c, sizeof b);
    {
        uint32_t tail = 0;
        TC_ASSERT_EQ(VM_GET_MEMBER(&t->vm, 30001, struct big, tail, &tail), VM_OK);
        TC_ASSERT_EQ(tail, 0x89ABCDEFu);
    }
    TC_ASSERT_EQ(vm_flush(&t->vm), VM_OK);
    ck_assert_mem_eq(t->mem + 30001, &b, sizeof b);
    /* Bigger than the whole cache (4 KiB): still whole. */
    {
        static uint8_t huge[10000], back[10000];
        for (i = 0; i < sizeof huge; i++)
            huge[i] = (uint8_t)(i * 7u + 3u);
        TC_ASSERT_EQ(vm_write(&t->vm, 40003, huge, sizeof huge), VM_OK);
        TC_ASSERT_EQ(vm_read(&t->vm, back, 40003, sizeof back), VM_OK);
        ck_assert_mem_eq(huge, back, sizeof huge);
    }
    TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    tc_free(t);
}
END_TEST

/* 7. makeFittingLock took a big page for every lock (a 32-byte lock cost a
 * 1 KiB page). Here a small lock uses the one page it lies in, and evicts at
 * most one page to get it. */
START_TEST(item7_small_lock_one_slot)
{
    struct tc *t = teensy(64 * 1024, _i + 1);
    const struct vm_stats *st = vm_stats(&t->vm);
    struct tc_walk w;
    struct vm_lock lk;
    uint8_t v;
    unsigned k, resident = 0, i;
    /* Empty cache: one slot. */
    TC_ASSERT_EQ(vm_lock(&t->vm, 5000, 32, VM_LOCK_RW, &lk), VM_OK);
    TC_ASSERT_EQ(lk.len, 32);
    tc_walk(t, &w);
    for (k = 0; k < w.n; k++)
        resident += w.s[k].base != VM_NO_PAGE;
    TC_ASSERT_EQ(resident, 1);
    TC_ASSERT_EQ(st->loads, 1);
    TC_ASSERT_EQ(st->bytes_read, 1024);
    TC_ASSERT_EQ(vm_unlock(&t->vm, &lk), VM_OK);
    /* Full cache: one eviction, one load; the others stay. */
    for (i = 0; i < 3; i++)
        TC_ASSERT_EQ(vm_get8(&t->vm, 10000u + 1024u * i * 2u, &v), VM_OK);
    vm_stats_reset(&t->vm);
    TC_ASSERT_EQ(vm_lock(&t->vm, 40000, 32, VM_LOCK_RO, &lk), VM_OK);
    TC_ASSERT_EQ(st->loads, 1);
    TC_ASSERT_EQ(st->evictions, 1);
    resident = 0;
    tc_walk(t, &w);
    for (k = 0; k < w.n; k++)
        resident += w.s[k].base != VM_NO_PAGE;
    TC_ASSERT_EQ(resident, 4);
    TC_ASSERT_EQ(vm_unlock(&t->vm, &lk), VM_OK);
    /* A lock on a resident page: no load, no eviction. */
    vm_stats_reset(&t->vm);
    TC_ASSERT_EQ(vm_lock(&t->vm, 40100, 32, VM_LOCK_RO, &lk), VM_OK);
    TC_ASSERT_EQ(st->loads, 0);
    TC_ASSERT_EQ(st->evictions, 0);
    TC_ASSERT_EQ(vm_unlock(&t->vm, &lk), VM_OK);
    tc_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("regress");
    TCase *tc = tcase_create("virtmem");

    tcase_add_loop_test(tc, item1_reverse_scan, 0, 4);
    tcase_add_loop_test(tc, item2_alternating_regions, 0, 8);
    tcase_add_test(tc, item3_write_traffic);
    tcase_add_test(tc, item4_coalescing);
    tcase_add_test(tc, item5_heap_metadata_traffic);
    tcase_add_loop_test(tc, item6_all_locked_and_big_structs, 0, 4);
    tcase_add_loop_test(tc, item7_small_lock_one_slot, 0, 4);
    suite_add_tcase(s, tc);

    return tc_run(s);
}
