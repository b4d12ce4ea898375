/*
 * test_opt.c - the optimum and the naive reference simulators.
 * vmt_opt_misses (Mattson OPT stack, one pass for all page counts) is
 * checked against an exhaustive search on small random traces and against
 * a direct Belady simulation on generated workloads; the naive LRU, FIFO,
 * CLOCK and SIEVE are checked on textbook sequences.
 */
#include "tt_util.h"
#include "vmt_naive.h"

/* Writes a trace of page touches (one 1-byte read per id, page size 16,
 * id = INV for an invalidate) as a binary file. */
#define INV 0xffff
static const char *ids_trace(const char *name, const unsigned *ids, size_t n)
{
    char err[600];
    const char *p = tt_path(name);
    struct vmt_writer *w = vmt_writer_open(p, "binary", 1 << 16, NULL, err, sizeof err);
    size_t i;
    ck_assert_msg(w != NULL, "%s", err);
    for (i = 0; i < n; i++) {
        struct vmt_op op;
        memset(&op, 0, sizeof op);
        op.kind = ids[i] == INV ? VMT_INVALIDATE : VMT_READ;
        op.addr = (uint64_t)ids[i] * 16 + 3;
        op.len = 1;
        ck_assert_int_eq(vmt_writer_put(w, &op), 0);
    }
    ck_assert_msg(vmt_writer_close(w, err, sizeof err) == 0, "%s", err);
    return p;
}

static void touches_of(const char *path, uint32_t page_size, uint64_t **t, size_t *n)
{
    char err[600];
    struct vmt_source *s = vmt_open(path, NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_msg(vmt_naive_touches(s, page_size, t, n, err, sizeof err) == 0, "%s", err);
    vmt_close(s);
}

START_TEST(textbook_sequences)
{
    /* Belady's anomaly string: FIFO 9 misses with 3 frames, 10 with 4. */
    static const unsigned seq[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
    uint64_t *t, m[2];
    size_t n;
    uint32_t counts[2] = {3, 4};
    char err[600];
    struct vmt_source *s;
    touches_of(ids_trace("anomaly.vmt", seq, 12), 16, &t, &n);
    ck_assert_uint_eq(n, 12);
    ck_assert_uint_eq(vmt_naive_fifo(t, n, 3), 9);
    ck_assert_uint_eq(vmt_naive_fifo(t, n, 4), 10);
    ck_assert_uint_eq(vmt_naive_lru(t, n, 3), 10);
    ck_assert_uint_eq(vmt_naive_lru(t, n, 4), 8);
    ck_assert_uint_eq(vmt_naive_belady(t, n, 3), 7);
    ck_assert_uint_eq(vmt_naive_belady(t, n, 4), 6);
    ck_assert_uint_eq(vmt_naive_opt_exhaustive(t, n, 3), 7);
    ck_assert_uint_eq(vmt_naive_opt_exhaustive(t, n, 4), 6);
    /* CLOCK, 3 frames: as FIFO until 1 and 2 hit and get second chances, so 5 goes
     * instead of 1, and then 1 and 2 go for 4 and 5: 10 misses. */
    ck_assert_uint_eq(vmt_naive_clock(t, n, 3), 10);
    s = vmt_open(tt_path("anomaly.vmt"), NULL, NULL, err, sizeof err);
    ck_assert_int_eq(vmt_opt_misses(s, 16, counts, 2, m, err, sizeof err), 0);
    ck_assert_uint_eq(m[0], 7);
    ck_assert_uint_eq(m[1], 6);
    vmt_close(s);
    free(t);
}
END_TEST

START_TEST(sieve_keeps_visited)
{
    /* SIEVE, 3 frames: 1 2 3, hit 1, then 4 evicts 2 (1 is visited: the hand clears it and
     * moves on), 1 hits again, 5 evicts 3 (hand moved past 2's place), 1 hits. */
    static const unsigned seq[] = {1, 2, 3, 1, 4, 1, 5, 1, 2};
    uint64_t *t;
    size_t n;
    touches_of(ids_trace("sieve.vmt", seq, 9), 16, &t, &n);
    ck_assert_uint_eq(vmt_naive_sieve(t, n, 3), 6); /* 1 2 3 4 5 miss, 2 misses */
    ck_assert_uint_eq(vmt_naive_fifo(t, n, 3), 7); /* FIFO evicts 1 at 4 */
    free(t);
}
END_TEST

START_TEST(invalidate_restarts_cold)
{
    static const unsigned seq[] = {1, 2, 1, 2, INV, 1, 2, 1};
    uint64_t *t, m[1];
    uint32_t c = 4;
    size_t n;
    char err[600];
    struct vmt_source *s;
    touches_of(ids_trace("inv.vmt", seq, 8), 16, &t, &n);
    ck_assert_uint_eq(vmt_naive_lru(t, n, 4), 4);
    ck_assert_uint_eq(vmt_naive_belady(t, n, 4), 4);
    s = vmt_open(tt_path("inv.vmt"), NULL, NULL, err, sizeof err);
    ck_assert_int_eq(vmt_opt_misses(s, 16, &c, 1, m, err, sizeof err), 0);
    ck_assert_uint_eq(m[0], 4);
    vmt_close(s);
    free(t);
}
END_TEST

/* OPT (stack, all counts in one pass) == exhaustive search, small random traces. */
START_TEST(opt_vs_exhaustive)
{
    unsigned ids[14], r;
    char err[600];
    srand(100 + (unsigned)_i);
    for (r = 0; r < 40; r++) {
        uint32_t counts[4] = {1, 2, 3, 4};
        uint64_t m[4], *t;
        size_t n, k, len = 8 + (size_t)rand() % 6;
        unsigned distinct = 3 + (unsigned)rand() % 4;
        struct vmt_source *s;
        for (k = 0; k < len; k++) ids[k] = (rand() % 13 == 0) ? INV : (unsigned)rand() % distinct;
        ids_trace("small.vmt", ids, len);
        s = vmt_open(tt_path("small.vmt"), NULL, NULL, err, sizeof err);
        ck_assert_msg(vmt_opt_misses(s, 16, counts, 4, m, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(vmt_naive_touches(s, 16, &t, &n, err, sizeof err) == 0, "%s", err);
        for (k = 0; k < 4; k++) {
            uint64_t ex = vmt_naive_opt_exhaustive(t, n, counts[k]);
            ck_assert_msg(m[k] == ex, "round %u, %u frames: stack OPT %llu, exhaustive %llu", r, counts[k],
                          (unsigned long long)m[k], (unsigned long long)ex);
            ck_assert_uint_eq(vmt_naive_belady(t, n, counts[k]), ex);
        }
        free(t);
        vmt_close(s);
    }
}
END_TEST

/* Workloads with multi-page ops, memcpy (both directions), memset, locks,
 * regions and invalidates, at several page sizes and counts: stack OPT ==
 * direct Belady, and OPT <= every online policy, non-increasing in frames. */
static const char *const opt_specs[] = {
    "{\"type\": \"zipf\", \"pool_size\": 32768, \"access\": 24, \"ops\": 1500, \"seed\": 5}",
    "{\"type\": \"working_set\", \"pool_size\": 32768, \"access\": 8, \"ops\": 1500, \"set_size\": 1024, \"shift_every\": 200}",
    "{\"type\": \"hash_table\", \"pool_size\": 32768, \"buckets\": 32, \"records\": 200, \"lookups\": 150}",
    "{\"type\": \"image_filter\", \"width\": 48, \"height\": 16}",
    "{\"type\": \"virtmem_bench\", \"size\": 700, \"reps\": 1, \"chunk\": 64, \"pool_size\": 1024}",
    "{\"pool_size\": 8192, \"allocations\": [{\"id\": 1, \"size\": 1000}, {\"id\": 2, \"size\": 500}], \"ops\": ["
    " {\"op\": \"memset\", \"region\": 1, \"addr\": 0, \"len\": 1000, \"value\": 1},"
    " {\"op\": \"memcpy\", \"region\": 2, \"addr\": 10, \"src_region\": 1, \"src\": 100, \"len\": 400},"
    " {\"op\": \"memcpy\", \"addr\": 300, \"src\": 100, \"len\": 900},"
    " {\"op\": \"memcpy\", \"addr\": 100, \"src\": 300, \"len\": 900},"
    " {\"op\": \"lock\", \"addr\": 5000, \"len\": 300, \"mode\": \"rw\"}, {\"op\": \"unlock\"},"
    " {\"op\": \"read\", \"addr\": 7000, \"len\": 1000}, {\"op\": \"invalidate\"},"
    " {\"op\": \"free\", \"id\": 1}, {\"op\": \"alloc\", \"id\": 3, \"size\": 200},"
    " {\"op\": \"write\", \"region\": 3, \"addr\": 0, \"len\": 200}, {\"op\": \"read\", \"region\": 2, \"addr\": 0, \"len\": 500},"
    " {\"op\": \"memcpy\", \"region\": 3, \"addr\": 0, \"src_region\": 2, \"src\": 0, \"len\": 200}]}",
};

START_TEST(opt_vs_belady)
{
    static const uint32_t sizes[] = {16, 64, 256, 1024};
    uint32_t counts[] = {1, 2, 3, 4, 6, 8, 16, 32};
    const size_t nc = sizeof counts / sizeof counts[0];
    char err[600], name[32];
    struct vmt_source *s;
    size_t z;
    snprintf(name, sizeof name, "opt%d.json", _i);
    s = vmt_open(tt_write_str(name, opt_specs[_i]), NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    for (z = 0; z < 4; z++) {
        uint64_t m[8], *t;
        size_t n, k;
        ck_assert_msg(vmt_opt_misses(s, sizes[z], counts, nc, m, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(vmt_naive_touches(s, sizes[z], &t, &n, err, sizeof err) == 0, "%s", err);
        for (k = 0; k < nc; k++) {
            uint64_t b = vmt_naive_belady(t, n, counts[k]);
            ck_assert_msg(m[k] == b, "page size %u, %u frames: stack OPT %llu, Belady %llu", sizes[z], counts[k],
                          (unsigned long long)m[k], (unsigned long long)b);
            ck_assert_uint_le(m[k], vmt_naive_lru(t, n, counts[k]));
            ck_assert_uint_le(m[k], vmt_naive_fifo(t, n, counts[k]));
            ck_assert_uint_le(m[k], vmt_naive_clock(t, n, counts[k]));
            ck_assert_uint_le(m[k], vmt_naive_sieve(t, n, counts[k]));
            if (k) ck_assert_uint_le(m[k], m[k - 1]);
            /* LRU is a stack algorithm too: never worse with more frames. */
            if (k) ck_assert_uint_le(vmt_naive_lru(t, n, counts[k]), vmt_naive_lru(t, n, counts[k - 1]));
        }
        free(t);
    }
    vmt_close(s);
}
END_TEST

struct cap {
    uint64_t *t;
    size_t *n;
};

static void fn(void *ctx, uint64_t p)
{
    struct cap *c = ctx;
    if (*c->n < 16) c->t[(*c->n)++] = p;
}

START_TEST(memcpy_touch_order)
{
    /* Overlapping move up: from the end, source page then destination page per chunk. */
    struct vmt_op op;
    uint64_t got[16];
    size_t n = 0;
    struct cap c = {got, &n};
    memset(&op, 0, sizeof op);
    op.kind = VMT_MEMCPY;
    op.src = 10;
    op.addr = 20;
    op.len = 30; /* src [10,40) dst [20,50), pages of 16 */
    ck_assert_int_eq(vmt_touches(NULL, &op, 16, fn, &c), 0);
    /* chunks from the end: [32..40)->[42..50) s2 d3 (c=min(8,2)=2: [38,40)->[48,50)), ... */
    ck_assert_uint_ge(n, 4);
    ck_assert_uint_eq(got[0], 2);
    ck_assert_uint_eq(got[1], 3);
    ck_assert_uint_eq(got[n - 2], 0);
    ck_assert_uint_eq(got[n - 1], 1);
    n = 0;
    op.src = 20;
    op.addr = 10; /* down: forward */
    ck_assert_int_eq(vmt_touches(NULL, &op, 16, fn, &c), 0);
    ck_assert_uint_eq(got[0], 1);
    ck_assert_uint_eq(got[1], 0);
}
END_TEST

START_TEST(opt_errors)
{
    char err[600];
    uint32_t c = 0;
    uint64_t m;
    static const unsigned seq[] = {1, 2};
    struct vmt_source *s = vmt_open(ids_trace("e.vmt", seq, 2), NULL, NULL, err, sizeof err);
    ck_assert_int_lt(vmt_opt_misses(s, 16, &c, 1, &m, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "page count 0"));
    c = 2;
    ck_assert_int_lt(vmt_opt_misses(s, 24, &c, 1, &m, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "not a power of two"));
    vmt_close(s);
    /* A region that is not live cannot be resolved. */
    s = vmt_open(tt_write_str("bad-region.json", "{\"pool_size\": 256, \"allocations\": [{\"id\": 1, \"size\": 100}],"
                              " \"ops\": [{\"op\": \"free\", \"id\": 1}, {\"op\": \"alloc\", \"id\": 1, \"size\": 1000}]}"),
                 NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(vmt_opt_misses(s, 16, &c, 1, &m, err, sizeof err), 0); /* nothing touches it */
    vmt_close(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vmtrace optimum");
    TCase *tc = tcase_create("opt");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, textbook_sequences);
    tcase_add_test(tc, sieve_keeps_visited);
    tcase_add_test(tc, invalidate_restarts_cold);
    tcase_add_loop_test(tc, opt_vs_exhaustive, 0, 5);
    tcase_add_loop_test(tc, opt_vs_belady, 0, (int)(sizeof opt_specs / sizeof opt_specs[0]));
    tcase_add_test(tc, memcpy_touch_order);
    tcase_add_test(tc, opt_errors);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
