/*
 * test_traffic.c - what the pager reads from and writes to the backend
 * (suite "unit"): only dirty pages and only their dirty bytes are written
 * back; writes that grow a range and write-only locks fetch nothing; flush
 * goes in address order and includes locked pages; a failed write-back keeps
 * the page dirty; a failed read installs nothing.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

static struct tc *T;

static void teardown(void)
{
    if (T != NULL) {
        ck_assert_int_eq(vm_check(&T->vm), VM_OK);
        tc_free(T);
        T = NULL;
    }
}

static struct tc *mk(uint16_t ps, uint8_t pc, vm_addr_t pool, uint8_t policy)
{
    struct tc_geom g;
    memset(&g, 0, sizeof g);
    g.page_size = ps;
    g.page_count = pc;
    g.pool_size = pool;
    g.policy = policy;
    g.fill_seed = 1234;
    T = tc_new(&g);
    tc_clear_logs(T);
    return T;
}

static unsigned write_calls(void)
{
    unsigned i, n = 0;
    for (i = 0; i < T->n_calls; i++)
        n += T->calls[i].write;
    return n;
}

START_TEST(only_dirty_pages_written)
{
    uint8_t v;
    unsigned i;
    mk(64, 4, 4096, _i + 1);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(vm_get8(&T->vm, 64u * i * 3u, &v), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 64 * 3 + 7, 1), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 64 * 9 + 60, 2), VM_OK);
    tc_clear_logs(T);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->n_calls, 2);
    ck_assert_uint_eq(T->calls[0].write, 1);
    ck_assert_uint_eq(T->calls[0].addr, 64 * 3 + 7);
    ck_assert_uint_eq(T->calls[0].len, 1);
    ck_assert_uint_eq(T->calls[1].addr, 64 * 9 + 60);
    ck_assert_uint_eq(T->calls[1].len, 1);
    /* A second flush has nothing to do. */
    tc_clear_logs(T);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->n_calls, 0);
    /* Evicting clean pages writes nothing. */
    for (i = 0; i < 8; i++)
        ck_assert_int_eq(vm_get8(&T->vm, 2048u + 64u * i, &v), VM_OK);
    ck_assert_uint_eq(write_calls(), 0);
}
END_TEST

START_TEST(one_byte_of_a_kib_page)
{
    uint8_t v;
    const struct vm_stats *st;
    mk(1024, 4, 64 * 1024, VM_POLICY_LRU);
    st = vm_stats(&T->vm);
    ck_assert_int_eq(vm_get8(&T->vm, 5000, &v), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 5000, (uint8_t)(v + 1)), VM_OK);
    tc_clear_logs(T);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->n_calls, 1);
    ck_assert_uint_eq(T->calls[0].addr, 5000);
    ck_assert_uint_eq(T->calls[0].len, 1);
    ck_assert_uint_eq(st->bytes_written, 1);
    ck_assert_uint_eq(T->mem[5000], (uint8_t)(v + 1));
    /* By eviction as well: one byte. */
    ck_assert_int_eq(vm_set8(&T->vm, 4100, 9), VM_OK);
    tc_clear_logs(T);
    ck_assert_int_eq(vm_get8(&T->vm, 10000, &v), VM_OK);
    ck_assert_int_eq(vm_get8(&T->vm, 20000, &v), VM_OK);
    ck_assert_int_eq(vm_get8(&T->vm, 30000, &v), VM_OK);
    ck_assert_int_eq(vm_get8(&T->vm, 40000, &v), VM_OK); /* LRU: evicts page 4096 */
    ck_assert_int_eq(vm_slot_of(&T->vm, 4096), -1);
    ck_assert_uint_eq(write_calls(), 1);
    ck_assert_uint_eq(st->bytes_written, 2);
    ck_assert_uint_eq(T->mem[4100], 9);
    /* Two changes: one write of the range between them. */
    ck_assert_int_eq(vm_set8(&T->vm, 10010, 1), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 10020, 2), VM_OK);
    tc_clear_logs(T);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->n_calls, 1);
    ck_assert_uint_eq(T->calls[0].addr, 10010);
    ck_assert_uint_eq(T->calls[0].len, 11);
}
END_TEST

START_TEST(sequential_writes_fetch_nothing)
{
    uint32_t i;
    struct vm_lock lk;
    uint8_t chunk[100];
    mk(64, 4, 8192, _i + 1);
    /* Byte by byte from a page start, across 16 pages and evictions. */
    for (i = 0; i < 1024; i++)
        ck_assert_int_eq(vm_set8(&T->vm, 1024 + i, (uint8_t)i), VM_OK);
    /* Typed writes. */
    for (i = 0; i < 256; i += 4)
        ck_assert_int_eq(vm_set32(&T->vm, 3072 + i, i * 0x01010101u), VM_OK);
    for (i = 0; i < 128; i += 2)
        ck_assert_int_eq(vm_set16(&T->vm, 3584 + i, (uint16_t)i), VM_OK);
    /* Chunks that grow the written range. */
    memset(chunk, 0x3C, sizeof chunk);
    for (i = 0; i < 10; i++)
        ck_assert_int_eq(vm_write(&T->vm, 4096 + 100 * i, chunk, 100), VM_OK);
    /* Downward from a page end grows the range too. */
    for (i = 0; i < 128; i++)
        ck_assert_int_eq(vm_set8(&T->vm, 6143 - i, 0x5A), VM_OK);
    /* Write-only locks, anywhere in a page. */
    ck_assert_int_eq(vm_lock(&T->vm, 7000, 20, VM_LOCK_WO, &lk), VM_OK);
    memset(lk.ptr, 0x66, 20);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_int_eq(vm_lock(&T->vm, 7232 - 5, 10, VM_LOCK_WO, &lk), VM_OK); /* bounced */
    ck_assert_uint_eq(lk.len, 10);
    memset(lk.ptr, 0x67, 10);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_int_eq(vm_memset(&T->vm, 7300, 0x68, 300), VM_OK);
    ck_assert_uint_eq(T->ram.reads, 0);
    ck_assert_uint_eq(vm_stats(&T->vm)->bytes_read, 0);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->ram.reads, 0);
    for (i = 0; i < 1024; i++)
        ck_assert_uint_eq(T->mem[1024 + i], (uint8_t)i);
    ck_assert_uint_eq(T->mem[4096 + 999], 0x3C);
    ck_assert_uint_eq(T->mem[6016], 0x5A);
    ck_assert_uint_eq(T->mem[7019], 0x66);
    ck_assert_uint_eq(T->mem[7230], 0x67);
    ck_assert_uint_eq(T->mem[7599], 0x68);
}
END_TEST

START_TEST(gap_is_filled_on_read)
{
    uint8_t buf[64];
    const struct vm_stats *st;
    mk(64, 2, 4096, VM_POLICY_CLOCK);
    st = vm_stats(&T->vm);
    ck_assert_int_eq(vm_set8(&T->vm, 200, 0xAB), VM_OK);
    ck_assert_uint_eq(T->ram.reads, 0);
    T->n_ev = 0;
    ck_assert_int_eq(vm_read(&T->vm, buf, 192, 64), VM_OK);
    ck_assert_uint_ge(T->ram.reads, 1);
    ck_assert_uint_ge(st->fills, 1);
    ck_assert_uint_ge(tc_count_events(T, VM_EV_FILL), 1);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_LOAD), 0);
    ck_assert_mem_eq(buf, T->mem + 192, 8);
    ck_assert_uint_eq(buf[8], 0xAB);
    ck_assert_mem_eq(buf + 9, T->mem + 201, 55);
    /* A write that leaves a gap in the valid range keeps the data right. */
    ck_assert_int_eq(vm_set8(&T->vm, 1030, 1), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 1080, 2), VM_OK);
    ck_assert_int_eq(vm_read(&T->vm, buf, 1024, 64), VM_OK);
    ck_assert_uint_eq(buf[6], 1);
    ck_assert_uint_eq(buf[56], 2);
    ck_assert_mem_eq(buf + 7, T->mem + 1031, 49);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[1030], 1);
    ck_assert_uint_eq(T->mem[1080], 2);
}
END_TEST

/* Flush writes back in address order, locked pages included. */
static void wb_order(void *ctx, const struct vm_event *ev)
{
    struct tc *t = ctx;
    if (t->n_ev < TC_EVENTS_MAX)
        t->ev[t->n_ev++] = *ev;
}

START_TEST(flush_in_address_order)
{
    struct tc_rng r;
    vm_addr_t pages[8];
    struct vm_lock lk;
    unsigned i, n = 0, locked = 0;
    vm_addr_t last = 0;
    int first = 1;
    mk(64, 8, 64 * 1024, _i + 1);
    (void)wb_order;
    tc_rng_seed(&r, 4242 + (uint64_t)_i);
    for (i = 0; i < 8; i++) {
        unsigned j;
        int dup;
        do {
            pages[i] = 64u * tc_rng_below(&r, 1024);
            dup = 0;
            for (j = 0; j < i; j++)
                dup |= pages[j] == pages[i];
        } while (dup);
    }
    /* Dirty them in random order; lock one of them. */
    for (i = 0; i < 8; i++) {
        if (i == 3) {
            ck_assert_int_eq(vm_lock(&T->vm, pages[i] + 8, 4, VM_LOCK_RW, &lk), VM_OK);
            memset(lk.ptr, 0xD1, 4);
            locked = pages[i];
        } else if (i != 6) {
            ck_assert_int_eq(vm_set8(&T->vm, pages[i] + 1, 0xD0), VM_OK);
        } else {
            uint8_t v;
            ck_assert_int_eq(vm_get8(&T->vm, pages[i], &v), VM_OK); /* clean */
        }
    }
    T->n_ev = 0;
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    for (i = 0; i < T->n_ev; i++) {
        const struct vm_event *e = &T->ev[i];
        if (e->type != VM_EV_WRITEBACK)
            continue;
        if (!first)
            ck_assert_msg(e->addr > last, "write-back of %lu after %lu", (unsigned long)e->addr,
                          (unsigned long)last);
        first = 0;
        last = e->addr;
        n++;
    }
    ck_assert_uint_eq(n, 7);
    ck_assert_uint_eq(T->mem[locked + 8], 0xD1);
    ck_assert_uint_eq(T->mem[pages[0] + 1], 0xD0);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
}
END_TEST

START_TEST(failed_writeback_keeps_dirty)
{
    struct tc_walk w;
    uint8_t v;
    int s, rc;
    const struct vm_stats *st;
    mk(64, 3, 4096, _i + 1);
    st = vm_stats(&T->vm);
    ck_assert_int_eq(vm_set8(&T->vm, 100, 0x11), VM_OK);  /* page 64 */
    ck_assert_int_eq(vm_set8(&T->vm, 300, 0x22), VM_OK);  /* page 256 */
    ck_assert_int_eq(vm_set8(&T->vm, 700, 0x33), VM_OK);  /* page 640 */
    T->fail_writes = 1;
    T->fail_lo = 256;
    T->fail_hi = 320;
    T->n_ev = 0;
    /* Flush goes on past the failed page and reports the error. */
    rc = vm_flush(&T->vm);
    ck_assert_int_eq(rc, VM_ERR_IO);
    ck_assert_uint_eq(T->mem[100], 0x11);
    ck_assert_uint_eq(T->mem[700], 0x33);
    ck_assert_uint_ne(T->mem[300], 0x22);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_ERROR), 1);
    ck_assert_uint_eq(st->errors, 1);
    s = vm_slot_of(&T->vm, 256);
    ck_assert_int_ge(s, 0);
    tc_walk(T, &w);
    ck_assert_uint_lt(w.s[s].dlo, w.s[s].dhi);
    ck_assert_uint_eq(w.s[s].dlo, 300 - 256);
    /* Misses that pick it as the victim fail; nothing is lost. */
    {
        unsigned k, io = 0;
        for (k = 0; k < 8; k++) {
            rc = vm_get8(&T->vm, 1024u + 64u * k, &v);
            ck_assert_msg(rc == VM_OK || rc == VM_ERR_IO, "miss: %s", tc_err_name(rc));
            io += rc == VM_ERR_IO;
            ck_assert_int_ge(vm_slot_of(&T->vm, 256), 0); /* it cannot leave */
        }
        ck_assert_uint_ge(io, 1);
    }
    ck_assert_int_eq(vm_get8(&T->vm, 300, &v), VM_OK);
    ck_assert_uint_eq(v, 0x22);
    /* vm_invalidate keeps it too. */
    ck_assert_int_eq(vm_invalidate(&T->vm), VM_ERR_IO);
    ck_assert_int_ge(vm_slot_of(&T->vm, 256), 0);
    T->fail_writes = 0;
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[300], 0x22);
    tc_walk(T, &w);
    ck_assert_uint_eq(w.s[s].dlo, w.s[s].dhi);
}
END_TEST

START_TEST(failed_eviction_fails_the_miss)
{
    uint8_t v;
    unsigned i;
    mk(64, 2, 4096, _i + 1);
    ck_assert_int_eq(vm_set8(&T->vm, 10, 1), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 80, 2), VM_OK);
    T->fail_writes = 1;
    T->fail_lo = 0;
    T->fail_hi = 4096;
    T->n_ev = 0;
    ck_assert_int_eq(vm_get8(&T->vm, 1000, &v), VM_ERR_IO);
    ck_assert_int_eq(vm_slot_of(&T->vm, 1000), -1);
    ck_assert_int_ge(vm_slot_of(&T->vm, 0), 0);
    ck_assert_int_ge(vm_slot_of(&T->vm, 64), 0);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_EVICT), 0);
    for (i = 0; i < 5; i++)
        ck_assert_int_eq(vm_set8(&T->vm, 2000 + i, 3), VM_ERR_IO);
    T->fail_writes = 0;
    ck_assert_int_eq(vm_get8(&T->vm, 10, &v), VM_OK);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(vm_get8(&T->vm, 80, &v), VM_OK);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(vm_get8(&T->vm, 1000, &v), VM_OK);
    ck_assert_uint_eq(v, T->mem[1000]);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[10], 1);
    ck_assert_uint_eq(T->mem[80], 2);
}
END_TEST

START_TEST(failed_read_installs_nothing)
{
    uint8_t v, buf[40];
    struct vm_lock lk;
    struct tc_walk w;
    unsigned k;
    mk(64, 4, 4096, _i + 1);
    T->fail_reads = 1;
    T->fail_lo = 512;
    T->fail_hi = 576;
    ck_assert_int_eq(vm_get8(&T->vm, 520, &v), VM_ERR_IO);
    ck_assert_int_eq(vm_read(&T->vm, buf, 500, 40), VM_ERR_IO);
    ck_assert_int_eq(vm_lock(&T->vm, 530, 4, VM_LOCK_RO, &lk), VM_ERR_IO);
    ck_assert_int_eq(vm_lock(&T->vm, 530, 4, VM_LOCK_RW, &lk), VM_ERR_IO);
    ck_assert_int_eq(vm_slot_of(&T->vm, 512), -1);
    tc_walk(T, &w);
    for (k = 0; k < w.n; k++) {
        ck_assert_uint_ne(w.s[k].base, 512);
        ck_assert_uint_eq(w.s[k].locks, 0);
    }
    ck_assert_uint_eq(vm_stats(&T->vm)->loads, 1); /* page 448 of the vm_read */
    ck_assert_uint_eq(vm_stats(&T->vm)->locks, 0);
    /* A write-only lock needs no read. */
    ck_assert_int_eq(vm_lock(&T->vm, 530, 4, VM_LOCK_WO, &lk), VM_OK);
    memset(lk.ptr, 0x44, 4);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    /* A failed fill keeps the written bytes. */
    ck_assert_int_eq(vm_get8(&T->vm, 520, &v), VM_ERR_IO);
    ck_assert_int_eq(vm_get8(&T->vm, 531, &v), VM_OK);
    ck_assert_uint_eq(v, 0x44);
    T->fail_reads = 0;
    ck_assert_int_eq(vm_read(&T->vm, buf, 512, 40), VM_OK);
    ck_assert_mem_eq(buf, T->mem + 512, 18);
    ck_assert_uint_eq(buf[18], 0x44);
    ck_assert_uint_eq(buf[21], 0x44);
    ck_assert_mem_eq(buf + 22, T->mem + 534, 18);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-traffic");
    TCase *tc = tcase_create("traffic");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_loop_test(tc, only_dirty_pages_written, 0, 4);
    tcase_add_test(tc, one_byte_of_a_kib_page);
    tcase_add_loop_test(tc, sequential_writes_fetch_nothing, 0, 4);
    tcase_add_test(tc, gap_is_filled_on_read);
    tcase_add_loop_test(tc, flush_in_address_order, 0, 4);
    tcase_add_loop_test(tc, failed_writeback_keeps_dirty, 0, 4);
    tcase_add_loop_test(tc, failed_eviction_fails_the_miss, 0, 4);
    tcase_add_loop_test(tc, failed_read_installs_nothing, 0, 4);
    suite_add_tcase(s, tc);

    return tc_run(s);
}
