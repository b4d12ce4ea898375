/*
 * test_policy.c - replacement policies, exactly (suite "unit").
 *
 * Small independent models of FIFO, LRU, CLOCK and SIEVE, written from the
 * documented semantics, run beside the pager on random single-byte vm_get8
 * traces; after every step the miss count and the slot of every resident
 * page must agree. Documented semantics:
 *  - an empty slot (lowest index first) is used before any eviction;
 *  - loading a page does not set its reference/visited bit; a hit sets it;
 *  - FIFO evicts the oldest load, LRU the least recently touched page;
 *  - CLOCK: the circle is slot order; from the hand, a set bit is cleared
 *    and passed, the first clear one is the victim; the new page goes into
 *    its slot and the hand moves to the slot after it;
 *  - SIEVE: a queue in load order, new pages at the head; the hand starts at
 *    the tail and moves toward the head, clearing and passing visited pages;
 *    it evicts the first unvisited one and stays at the next page toward the
 *    head (wrapping to the tail past the head);
 *  - locked slots are skipped by every policy without changing their bits.
 * A lock that the pager counts as a touch (stats) is a touch in the model.
 *
 * vm_next_victim is checked against what the next miss really evicts, over
 * random traces with writes, locks and VM_CLEAN_FIRST.
 */
#include "tc.h"

#include <string.h>

#define MAXS 254

struct model {
    int policy;
    unsigned n;
    vm_addr_t page[MAXS]; /* VM_NO_PAGE: empty */
    int ref[MAXS];
    int locks[MAXS];
    unsigned long stamp[MAXS]; /* FIFO: load time; LRU: last touch */
    unsigned long now;
    unsigned hand;  /* CLOCK */
    int q[MAXS];    /* SIEVE: slots from the tail (oldest) to the head */
    unsigned qn;
    int shand;      /* SIEVE: slot at the hand, or -1 for the tail */
    unsigned long misses;
};

static void model_init(struct model *m, int policy, unsigned n)
{
    unsigned i;
    memset(m, 0, sizeof *m);
    m->policy = policy;
    m->n = n;
    m->shand = -1;
    for (i = 0; i < n; i++)
        m->page[i] = VM_NO_PAGE;
}

static int model_find(const struct model *m, vm_addr_t page)
{
    unsigned i;
    for (i = 0; i < m->n; i++)
        if (m->page[i] == page)
            return (int)i;
    return -1;
}

static int sieve_pos(const struct model *m, int slot)
{
    unsigned p;
    for (p = 0; p < m->qn; p++)
        if (m->q[p] == slot)
            return (int)p;
    return -1;
}

/* The victim the policy picks now (updating bits and hands as it goes), or
 * -1 when every slot is locked. */
static int model_victim(struct model *m)
{
    unsigned i, k;
    int best = -1;
    switch (m->policy) {
    case VM_POLICY_FIFO:
    case VM_POLICY_LRU:
        for (i = 0; i < m->n; i++)
            if (m->locks[i] == 0 && (best < 0 || m->stamp[i] < m->stamp[best]))
                best = (int)i;
        return best;
    case VM_POLICY_CLOCK: {
        unsigned start = m->hand;
        for (k = 0; k < 2u * m->n + 1u; k++) {
            i = m->hand;
            if (m->locks[i] == 0) {
                if (!m->ref[i]) {
                    m->hand = (i + 1u) % m->n;
                    return (int)i;
                }
                m->ref[i] = 0;
            }
            m->hand = (i + 1u) % m->n;
        }
        m->hand = start; /* every slot locked: a failed miss moves nothing */
        return -1;
    }
    default: { /* SIEVE */
        int p = m->shand >= 0 ? sieve_pos(m, m->shand) : 0;
        TC_ASSERT_GE(p, 0);
        for (k = 0; k < 2u * m->qn + 1u; k++) {
            int s = m->q[p];
            if (m->locks[s] == 0) {
                if (!m->ref[s]) {
                    m->shand = (unsigned)p + 1u < m->qn ? m->q[p + 1] : -1;
                    return s;
                }
                m->ref[s] = 0;
            }
            p = (unsigned)p + 1u < m->qn ? p + 1 : 0;
        }
        return -1;
    }
    }
}

/* Like model_victim, without changing anything. */
static int model_peek_victim(const struct model *m)
{
    struct model c = *m;
    unsigned i;
    for (i = 0; i < m->n; i++)
        if (m->page[i] == VM_NO_PAGE)
            return (int)i;
    return model_victim(&c);
}

/* One touch of page. Returns 0 on a hit, 1 on a miss, -1 when busy. */
static int model_touch(struct model *m, vm_addr_t page)
{
    int s = model_find(m, page);
    unsigned i;
    if (s >= 0) {
        m->ref[s] = 1;
        if (m->policy == VM_POLICY_LRU)
            m->stamp[s] = ++m->now;
        return 0;
    }
    for (i = 0; i < m->n && s < 0; i++)
        if (m->page[i] == VM_NO_PAGE)
            s = (int)i;
    if (s < 0) {
        s = model_victim(m);
        if (s < 0) {
            m->misses++; /* a touch of a page not resident, even if it fails */
            return -1;
        }
        if (m->policy == VM_POLICY_SIEVE) {
            int p = sieve_pos(m, s);
            memmove(&m->q[p], &m->q[p + 1], (m->qn - (unsigned)p - 1u) * sizeof m->q[0]);
            m->qn--;
        }
    }
    m->misses++;
    m->page[s] = page;
    m->ref[s] = 0;
    m->stamp[s] = ++m->now;
    if (m->policy == VM_POLICY_SIEVE)
        m->q[m->qn++] = s;
    return 1;
}

static void compare(const struct tc *t, const struct model *m, unsigned long step,
                    const char *what)
{
    unsigned i;
    struct tc_walk w;
    unsigned resident = 0;
    TC_ASSERT_MSG(vm_stats(&t->vm)->misses == m->misses,
                  "%s step %lu: %lu misses, model %lu", what, step,
                  (unsigned long)vm_stats(&t->vm)->misses, m->misses);
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

static const uint8_t geo_counts[7] = {1, 2, 3, 4, 8, 16, 254};

/* _i: policy (4) x clean-first (2) x page count (7); with_locks as given. */
static void run_exact(int i, int with_locks)
{
    int policy = i % 4 + 1, clean = (i / 4) % 2;
    unsigned pc = geo_counts[i / 8];
    struct tc_geom g;
    struct tc *t;
    struct model m;
    struct tc_rng r;
    struct vm_lock lks[4];
    vm_addr_t lk_page[4];
    int lk_live[4] = {0, 0, 0, 0};
    unsigned long step, steps = tc_scaled(4000, 400);
    unsigned npages = pc * 3u + 2u;
    vm_addr_t last = 0;
    char what[64];

    snprintf(what, sizeof what, "%s%s pc %u%s", vm_policy_name((unsigned)policy),
             clean ? "+clean" : "", pc, with_locks ? " locks" : "");
    memset(&g, 0, sizeof g);
    g.page_size = 16;
    g.page_count = (uint8_t)pc;
    g.pool_size = 16u * 1024u;
    g.policy = (uint8_t)policy;
    g.flags = clean ? VM_CLEAN_FIRST : 0;
    g.fill_seed = 3;
    t = tc_new(&g);
    t->log_events = 0;
    model_init(&m, policy, pc);
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
                        TC_ASSERT_EQ(model_touch(&m, page), was_resident ? 0 : 1);
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
        if (a >= 16u * 1024u)
            a = 0;
        last = a;
        page = a & ~(vm_addr_t)15u;
        want = model_touch(&m, page);
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
    g.page_count = (uint8_t)pc;
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
    SRunner *sr;
    int failed;

    tc = tcase_create("exact");
    tcase_add_loop_test(tc, policy_exact, 0, 56);
    tcase_add_loop_test(tc, policy_exact_with_locks, 0, 56);
    tcase_add_test(tc, clock_worked_example);
    tcase_add_test(tc, sieve_worked_example);
    suite_add_tcase(s, tc);

    tc = tcase_create("victim");
    tcase_add_loop_test(tc, next_victim_is_real, 0, 16);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
