/*
 * test_policy.c - replacement policies, exactly (suite "unit").
 *
 * Small independent models of FIFO, LRU, CLOCK and SIEVE, written from the
 * documented semantics, run beside the pager on random single-byte vm_get8
 * traces; after every step the miss count, the write-back count and the
 * slot of every resident page must agree. The model and the semantics it is
 * written from are in tc_model.h.
 * A lock that the pager counts as a touch (stats) is a touch in the model.
 *
 * VM_CLEAN_FIRST on its own: traces with writes, so that victims are dirty,
 * against the model's own clean-first rule (it never calls the core's).
 *
 * vm_next_victim is checked against what the next miss really evicts, over
 * random traces with writes, locks and VM_CLEAN_FIRST.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

#include "tc_model.h"

static void compare(const struct tc *t, const struct model *m, unsigned long step,
                    const char *what)
{
    unsigned i;
    struct tc_walk w;
    unsigned resident = 0;
    TC_ASSERT_MSG(vm_stats(&t->vm)->misses == m->misses,
                  "%s step %lu: %lu misses, model %lu", what, step,
                  (unsigned long)vm_stats(&t->vm)->misses, m->misses);
    TC_ASSERT_MSG(vm_stats(&t->vm)->writebacks == m->writebacks,
                  "%s step %lu: %lu write-backs, model %lu", what, step,
                  (unsigned long)vm_stats(&t->vm)->writebacks, m->writebacks);
    /* Every slot's page: each step up to 254 slots; past that (a check
     * costs slots squared) every 32nd step. The counts above are checked at
     * every step: a wrong victim changes them soon after. */
    if (m->n > 254u && step % 32u != 31u)
        return;
    for (i = 0; i < m->n; i++) {
        if (m->page[i] == VM_NO_PAGE)
            continue;
        resident++;
        TC_ASSERT_MSG(vm_slot_of(&t->vm, m->page[i]) == (int)i,
                      "%s step %lu: page %lu in slot %d, model slot %u", what, step,
                      (unsigned long)m->page[i], vm_slot_of(&t->vm, m->page[i]), i);
    }
    tc_walk(t, &w);
    for (i = 0; i < w.n; i++)
        resident -= w.s[i].base != VM_NO_PAGE;
    TC_ASSERT_MSG(resident == 0, "%s step %lu: resident page count differs", what, step);
}

/* Page counts: the 8-bit slot index's limit (254), and past it where the
 * build's slot index is 16 bits (VM_CONFIG_SLOT_BITS). */
static const unsigned geo_counts[] = {1, 2, 3, 4, 8, 16, 254,
#if VM_PAGE_COUNT_MAX >= 1000u
                                      255, 1000
#endif
};
#define GEO_N ((int)(sizeof geo_counts / sizeof geo_counts[0]))

/* A fixture of pc pages of 16 bytes over a pool of `pool` bytes. */
static struct tc *new16(int policy, unsigned pc, int clean, vm_addr_t pool, uint64_t fill)
{
    struct tc_geom g;
    struct tc *t;
    memset(&g, 0, sizeof g);
    g.page_size = 16;
    g.page_count = (vm_slot_t)pc;
    g.pool_size = pool;
    g.policy = (uint8_t)policy;
    g.flags = clean ? VM_CLEAN_FIRST : 0;
    g.fill_seed = fill;
    t = tc_new(&g);
    t->log_events = 0;
    return t;
}

/* _i: policy (4) x clean-first (2) x page count (GEO_N); with_locks as given. */
static void run_exact(int i, int with_locks)
{
    int policy = i % 4 + 1, clean = (i / 4) % 2;
    unsigned pc = geo_counts[i / 8];
    struct tc *t;
    struct model m;
    struct tc_rng r;
    struct vm_lock lks[4];
    vm_addr_t lk_page[4];
    int lk_live[4] = {0, 0, 0, 0};
    unsigned long step, steps = tc_scaled(pc > 500u ? 8u * pc : 4000u, 400);
    unsigned npages = pc * 3u + 2u;
    vm_addr_t pool = 16u * (npages > 1024u ? npages : 1024u), last = 0;
    char what[64];

    snprintf(what, sizeof what, "%s%s pc %u%s", vm_policy_name((unsigned)policy),
             clean ? "+clean" : "", pc, with_locks ? " locks" : "");
    t = new16(policy, pc, clean, pool, 3);
    model_init(&m, policy, pc, clean);
    tc_rng_seed(&r, tc_seed(0xC0FFEEull) + (uint64_t)i * 7919u + (uint64_t)with_locks);

    for (step = 0; step < steps; step++) {
        vm_addr_t a, page;
        uint32_t c = tc_rng_below(&r, 100);
        uint8_t v;
        int rc, want;
        if (with_locks && c < 6) {
            /* Take or release a lock on some page. */
            unsigned k = tc_rng_below(&r, 4);
            if (lk_live[k]) {
                vm_count_t before = vm_stats(&t->vm)->hits + vm_stats(&t->vm)->misses;
                int s = model_find(&m, lk_page[k]);
                TC_ASSERT_EQ(vm_unlock(&t->vm, &lks[k]), VM_OK);
                TC_ASSERT_MSG(vm_stats(&t->vm)->hits + vm_stats(&t->vm)->misses == before,
                              "%s: vm_unlock counted a touch", what);
                TC_ASSERT_GE(s, 0);
                m.locks[s]--;
                lk_live[k] = 0;
            } else {
                vm_count_t before = vm_stats(&t->vm)->hits + vm_stats(&t->vm)->misses;
                vm_count_t after;
                a = 16u * tc_rng_below(&r, npages) + tc_rng_below(&r, 16);
                page = a & ~(vm_addr_t)15u;
                rc = vm_lock(&t->vm, a, 1, VM_LOCK_RO, &lks[k]);
                after = vm_stats(&t->vm)->hits + vm_stats(&t->vm)->misses;
                if (rc == VM_OK) {
                    int s;
                    TC_ASSERT_MSG(after == before + 1u || (after == before &&
                                  model_find(&m, page) >= 0),
                                  "%s: a lock must touch its page once", what);
                    if (after == before + 1u) {
                        int was_resident = model_find(&m, page) >= 0;
                        TC_ASSERT_EQ(model_touch(&m, page, 0), was_resident ? 0 : 1);
                    }
                    s = model_find(&m, page);
                    TC_ASSERT_GE(s, 0);
                    m.locks[s]++;
                    lk_page[k] = page;
                    lk_live[k] = 1;
                } else {
                    TC_ASSERT_MSG(rc == VM_ERR_BUSY, "%s: lock: %s", what, tc_err_name(rc));
                    TC_ASSERT_EQ(model_find(&m, page), -1);
                    TC_ASSERT_EQ(model_peek_victim(&m), -1);
                    TC_ASSERT_LE(after - before, 1);
                    m.misses += (unsigned long)(after - before); /* a failed touch */
                }
            }
            compare(t, &m, step, what);
            continue;
        }
        if (c < 25)
            a = last + tc_rng_below(&r, 3); /* often the same page again */
        else if (c < 75)
            a = tc_rng_below(&r, 16u * (pc + 1u));
        else
            a = tc_rng_below(&r, 16u * npages);
        if (a >= pool)
            a = 0;
        last = a;
        page = a & ~(vm_addr_t)15u;
        want = model_touch(&m, page, 0);
        rc = vm_get8(&t->vm, a, &v);
        if (want < 0) {
            TC_ASSERT_MSG(rc == VM_ERR_BUSY, "%s step %lu: all locked, got %s", what, step,
                          tc_err_name(rc));
        } else {
            TC_ASSERT_MSG(rc == VM_OK, "%s step %lu: %s", what, step, tc_err_name(rc));
            TC_ASSERT_EQ(v, t->mem[a]);
        }
        compare(t, &m, step, what);
    }
    {
        unsigned k;
        for (k = 0; k < 4; k++)
            if (lk_live[k])
                TC_ASSERT_EQ(vm_unlock(&t->vm, &lks[k]), VM_OK);
    }
    TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    tc_free(t);
}

START_TEST(policy_exact)
{
    run_exact(_i, 0);
}
END_TEST

START_TEST(policy_exact_with_locks)
{
    run_exact(_i, 1);
}
END_TEST

/* VM_CLEAN_FIRST with dirty pages. _i: policy (4) x flag off/on (2) x page
 * count (4). Random 8/16/32-bit reads and writes inside pages (a third
 * writes) over a few more pages than slots; after every step the pager and
 * the model (tc_model.c, its own clean-first rule) agree on misses,
 * write-backs and slots, and every read returns the mirrored bytes. With the
 * flag on, the rule must have changed victims, as often as the core counts
 * VM_PATH_CLEAN_VICTIM; with it off, never. */
START_TEST(clean_first_dirty)
{
    static const uint8_t counts[4] = {4, 5, 8, 16};
    int policy = _i % 4 + 1, clean = (_i / 4) % 2;
    unsigned pc = counts[_i / 8], npages = pc + pc / 2u + 1u;
    vm_addr_t pool = 16u * 64u;
    struct tc *t;
    static struct model m;
    struct tc_rng r;
    uint8_t *ref;
    unsigned long step, steps = tc_scaled(20000, 2000);
    char what[64];

    snprintf(what, sizeof what, "clean-first %s%s pc %u", vm_policy_name((unsigned)policy),
             clean ? "+clean" : "", pc);
    t = new16(policy, pc, clean, pool, 5);
    ref = malloc(pool);
    ck_assert_ptr_nonnull(ref);
    memcpy(ref, t->mem, pool);
    model_init(&m, policy, pc, clean);
    tc_rng_seed(&r, tc_seed(0xC1EAull) + (uint64_t)_i);
    for (step = 0; step < steps; step++) {
        unsigned w = 1u << tc_rng_below(&r, 3);
        vm_addr_t a = 16u * tc_rng_below(&r, npages) + tc_rng_below(&r, 16u - w + 1u);
        int write = tc_rng_chance(&r, 1, 3), rc;
        uint32_t v = (uint32_t)tc_rng_next(&r), got = 0;
        model_touch(&m, a & ~(vm_addr_t)15u, write);
        if (write) {
            if (w == 1) rc = vm_set8(&t->vm, a, (uint8_t)v);
            else if (w == 2) rc = vm_set16(&t->vm, a, (uint16_t)v);
            else rc = vm_set32(&t->vm, a, v);
            TC_ASSERT_EQ(rc, VM_OK);
            if (w == 1) { uint8_t x = (uint8_t)v; memcpy(ref + a, &x, 1); }
            else if (w == 2) { uint16_t x = (uint16_t)v; memcpy(ref + a, &x, 2); }
            else memcpy(ref + a, &v, 4);
        } else {
            uint8_t x8 = 0;
            uint16_t x16 = 0;
            if (w == 1) { rc = vm_get8(&t->vm, a, &x8); memcpy(&got, &x8, 1); }
            else if (w == 2) { rc = vm_get16(&t->vm, a, &x16); memcpy(&got, &x16, 2); }
            else rc = vm_get32(&t->vm, a, &got);
            TC_ASSERT_EQ(rc, VM_OK);
            TC_ASSERT_MSG(memcmp(&got, ref + a, w) == 0, "%s step %lu: read at %lu differs",
                          what, step, (unsigned long)a);
        }
        compare(t, &m, step, what);
    }
    if (clean)
        TC_ASSERT_MSG(m.clean_picks > 0, "%s: no dirty victim was ever spared", what);
    else
        TC_ASSERT_EQ(m.clean_picks, 0);
#if VM_CONFIG_PATHS
    TC_ASSERT_EQ(vm_stats(&t->vm)->path[VM_PATH_CLEAN_VICTIM], m.clean_picks);
#endif
    TC_ASSERT_EQ(vm_flush(&t->vm), VM_OK);
    model_flush(&m);
    compare(t, &m, step, what);
    TC_ASSERT_MSG(memcmp(t->mem, ref, pool) == 0, "%s: backend differs after flush", what);
    if (getenv("VM_TEST_VERBOSE") != NULL)
        printf("%-32s misses %lu write-backs %lu clean picks %lu\n", what, m.misses,
               m.writebacks, m.clean_picks);
    free(ref);
    tc_free(t);
}
END_TEST

/* The hand-worked CLOCK and SIEVE examples, so that a model error cannot
 * hide a policy error. 3 slots, 16-byte pages, pages named by number. */
static void touch_seq(struct tc *t, const unsigned *pages, unsigned n)
{
    unsigned i;
    uint8_t v;
    for (i = 0; i < n; i++)
        TC_ASSERT_EQ(vm_get8(&t->vm, 16u * pages[i], &v), VM_OK);
}

static struct tc *mk3(int policy)
{
    struct tc_geom g;
    memset(&g, 0, sizeof g);
    g.page_size = 16;
    g.page_count = 3;
    g.pool_size = 1024;
    g.policy = (uint8_t)policy;
    return tc_new(&g);
}

START_TEST(clock_worked_example)
{
    struct tc *t = mk3(VM_POLICY_CLOCK);
    /* Load 1,2,3 into slots 0,1,2 (bits clear); hit 1 and 2. */
    static const unsigned a[] = {1, 2, 3, 1, 2};
    static const unsigned b[] = {4};
    touch_seq(t, a, 5);
    /* Miss 4: hand 0: slot0 ref -> clear, slot1 ref -> clear, slot2 clear:
     * victim slot2 (page 3); hand -> 0. */
    touch_seq(t, b, 1);
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 4), 2);
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 3), -1);
    /* Miss 5: hand 0, slot0 clear now: victim page 1. */
    TC_ASSERT_EQ(vm_next_victim(&t->vm), 0);
    {
        static const unsigned c[] = {5};
        touch_seq(t, c, 1);
    }
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 5), 0);
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 1), -1);
    TC_ASSERT_EQ(vm_next_victim(&t->vm), 1);
    tc_free(t);
}
END_TEST

START_TEST(sieve_worked_example)
{
    struct tc *t = mk3(VM_POLICY_SIEVE);
    /* Queue tail->head: 1,2,3; visit 1 and 3. */
    static const unsigned a[] = {1, 2, 3, 1, 3};
    touch_seq(t, a, 5);
    /* Miss 4: hand at tail (1): visited -> clear, pass; 2 unvisited: evict
     * page 2 (slot 1); hand stays at 3. Queue: 1,3,4. */
    TC_ASSERT_EQ(vm_next_victim(&t->vm), 1);
    {
        static const unsigned b[] = {4};
        touch_seq(t, b, 1);
    }
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 4), 1);
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 2), -1);
    /* Miss 5: hand at 3 (visited): clear, pass; 4 unvisited: evict page 4
     * (slot 1), even though page 1 is older and now unvisited. */
    TC_ASSERT_EQ(vm_next_victim(&t->vm), 1);
    {
        static const unsigned c[] = {5};
        touch_seq(t, c, 1);
    }
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 5), 1);
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 1), 0);
    TC_ASSERT_EQ(vm_slot_of(&t->vm, 16 * 3), 2);
    /* The hand passed the head: next time from the tail: page 1 (slot 0). */
    TC_ASSERT_EQ(vm_next_victim(&t->vm), 0);
    tc_free(t);
}
END_TEST

/* vm_next_victim and vm_walk's next_victim flag name the slot the next miss
 * really uses: random traces with writes, locks, VM_CLEAN_FIRST. */
START_TEST(next_victim_is_real)
{
    int policy = _i % 4 + 1, clean = (_i / 4) % 2;
    unsigned pc = (_i / 8) ? 6u : 2u;
    struct tc_geom g;
    struct tc *t;
    struct tc_rng r;
    struct vm_lock lks[3];
    int lk_live[3] = {0, 0, 0};
    unsigned long step, steps = tc_scaled(5000, 500), checked = 0;

    memset(&g, 0, sizeof g);
    g.page_size = 32;
    g.page_count = (vm_slot_t)pc;
    g.pool_size = 32u * 40u;
    g.policy = (uint8_t)policy;
    g.flags = clean ? VM_CLEAN_FIRST : 0;
    g.fill_seed = 8;
    t = tc_new(&g);
    t->log_events = 0;
    tc_rng_seed(&r, tc_seed(0xFEEDull) + (uint64_t)_i);
    for (step = 0; step < steps; step++) {
        uint32_t c = tc_rng_below(&r, 100);
        vm_addr_t a = 32u * tc_rng_below(&r, c < 50 ? pc + 2u : 40u) + tc_rng_below(&r, 32);
        int before = vm_slot_of(&t->vm, a), victim = vm_next_victim(&t->vm), rc;
        struct tc_walk w;
        unsigned k, flagged = 0;
        tc_walk(t, &w);
        for (k = 0; k < w.n; k++)
            if (w.s[k].next_victim) {
                flagged++;
                TC_ASSERT_EQ((int)k, victim);
            }
        TC_ASSERT_EQ(flagged, victim >= 0 ? 1u : 0u);
        if (victim >= 0)
            TC_ASSERT_EQ(w.s[victim].locks, 0);
        if (c < 8) {
            k = tc_rng_below(&r, 3);
            if (lk_live[k]) {
                TC_ASSERT_EQ(vm_unlock(&t->vm, &lks[k]), VM_OK);
                lk_live[k] = 0;
                continue;
            }
            rc = vm_lock(&t->vm, a, 1, c < 4 ? VM_LOCK_RW : VM_LOCK_RO, &lks[k]);
            lk_live[k] = rc == VM_OK;
        } else if (c < 45) {
            rc = vm_set8(&t->vm, a, (uint8_t)step);
        } else {
            uint8_t v;
            rc = vm_get8(&t->vm, a, &v);
        }
        if (before >= 0) {
            TC_ASSERT_EQ(rc, VM_OK);
            continue;
        }
        if (victim < 0) {
            TC_ASSERT_EQ(rc, VM_ERR_BUSY);
            continue;
        }
        TC_ASSERT_EQ(rc, VM_OK);
        TC_ASSERT_MSG(vm_slot_of(&t->vm, a) == victim,
                      "%s%s step %lu: miss went to slot %d, vm_next_victim said %d",
                      vm_policy_name((unsigned)policy), clean ? "+clean" : "", step,
                      vm_slot_of(&t->vm, a), victim);
        checked++;
    }
    TC_ASSERT_GT(checked, steps / 10u);
    for (step = 0; step < 3; step++)
        if (lk_live[step])
            TC_ASSERT_EQ(vm_unlock(&t->vm, &lks[step]), VM_OK);
    TC_ASSERT_EQ(vm_check(&t->vm), VM_OK);
    tc_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-policy");
    TCase *tc;

    tc = tcase_create("exact");
    tcase_add_loop_test(tc, policy_exact, 0, 8 * GEO_N);
    tcase_add_loop_test(tc, policy_exact_with_locks, 0, 8 * GEO_N);
    tcase_add_test(tc, clock_worked_example);
    tcase_add_test(tc, sieve_worked_example);
    suite_add_tcase(s, tc);

    tc = tcase_create("clean-first");
    tcase_add_loop_test(tc, clean_first_dirty, 0, 32);
    suite_add_tcase(s, tc);

    tc = tcase_create("victim");
    tcase_add_loop_test(tc, next_victim_is_real, 0, 16);
    suite_add_tcase(s, tc);

    return tc_run(s);
}
