/*
 * test_diff.c - randomised differential test of the pager (suite "diff").
 *
 * Millions of random operations run against the pager and against a plain
 * byte array (the model). Every read-like result is compared with the model;
 * vm_check runs after every step; each case ends by releasing every lock,
 * flushing with faults off and comparing the backend's memory with the model
 * byte for byte.
 *
 * The sweep (tcase_add_loop_test): policy (one tcase each) x VM_CLEAN_FIRST
 * x page size {16,64,256,1024} x page count {1,2,4,16} x RAM faults off/on.
 *
 * Failure rules (vm.h "Errors"): a failed read, lock or compare changes
 * nothing; a failed mutating op has done a prefix of its range (a suffix for
 * an overlapping vm_memmove to a higher address): the test turns faults off,
 * reads the range back, checks that shape and takes what it read as the new
 * model. VM_ERR_BUSY is accepted only where vm.h documents it (every slot
 * locked while a page must be loaded, the bounce buffer in use), and required
 * where nothing else can happen.
 *
 * Scale: 2,000,000 operations by default, times VM_TEST_SCALE percent, times
 * VM_TEST_SOAK. Reproduce a failure with the printed VM_TEST_SEED,
 * CK_RUN_CASE and VM_DIFF_CASE.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_TOTAL_OPS 2000000ul
#define DIFF_CASES_PER_POLICY 64
#define DIFF_CASES (4 * DIFF_CASES_PER_POLICY)
#define DIFF_LOCKS 8
#define DIFF_FAULT_CHANCE 1200u /* per backend call, in 1/65536 */

static const uint16_t page_sizes[4] = {16, 64, 256, 1024};
static const uint8_t page_counts[4] = {1, 2, 4, 16};
static const char *const policy_names[5] = {"?", "fifo", "lru", "clock", "sieve"};

/* One lock the test holds. */
struct dlock {
    int live;
    int bounced; /* a straddling range held in the bounce buffer */
    unsigned mode;
    struct vm_lock lk;
};

struct dstate {
    struct tc *t;
    struct vm *vm;
    uint8_t *ref;   /* the model: what the pool must hold */
    vm_addr_t pool;
    uint16_t ps;
    uint8_t pc;
    int faults;     /* this case injects faults */
    int faults_on;  /* injection currently enabled */
    struct tc_rng rng;
    struct dlock locks[DIFF_LOCKS];
    vm_addr_t focus;
    size_t max_len;
    uint8_t *buf, *buf2, *nv;
    unsigned long step;
    uint64_t base_seed;
    int case_index;
    char casename[64];
    const char *op;
    unsigned long busy_seen, fail_seen, busy_bounce_pages;
    unsigned bounce_mode; /* OR of the modes of the live bounced locks' range */
};

#define DFAIL(d, ...)                                                          \
    do {                                                                       \
        char m_[600];                                                          \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                  \
        fprintf(stderr,                                                        \
                "diff failure: case %s step %lu op %s: %s\n"                   \
                "  reproduce: VM_TEST_SEED=0x%llx CK_RUN_CASE=%s "             \
                "VM_DIFF_CASE=%d <test_diff>\n",                               \
                (d)->casename, (d)->step, (d)->op, m_,                         \
                (unsigned long long)(d)->base_seed,                            \
                policy_names[vm_policy((d)->vm)], (d)->case_index);               \
        ck_abort_msg("case %s seed 0x%llx step %lu op %s: %s", (d)->casename,  \
                     (unsigned long long)(d)->base_seed, (d)->step, (d)->op,   \
                     m_);                                                      \
    } while (0)

/* ---------------------------------------------------------------- helpers */

static void faults_set(struct dstate *d, int on)
{
    if (on && d->faults)
        vm_wrap_faults(&d->t->wrap, (uint32_t)tc_rng_next(&d->rng) | 1u,
                       DIFF_FAULT_CHANCE, DIFF_FAULT_CHANCE);
    else
        vm_wrap_faults(&d->t->wrap, 0, 0, 0);
    d->faults_on = on && d->faults;
}

static uint8_t rand_byte(struct dstate *d)
{
    /* Zero one time in 16, so that strings are short. */
    uint8_t b = (uint8_t)tc_rng_next(&d->rng);
    return tc_rng_chance(&d->rng, 1, 16) ? 0 : (uint8_t)(b | 1u);
}

static void rand_fill(struct dstate *d, uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = rand_byte(d);
}

static int overlap(vm_addr_t a, size_t an, vm_addr_t b, size_t bn)
{
    return a < b + bn && b < a + an;
}

static vm_addr_t page_of(const struct dstate *d, vm_addr_t a)
{
    return a & ~(vm_addr_t)(d->ps - 1u);
}

static int straddles(const struct dstate *d, vm_addr_t a, size_t n)
{
    return page_of(d, a) != page_of(d, a + (vm_addr_t)n - 1u);
}

/* Distinct slots held by the test's in-page locks. */
static unsigned locked_slots(const struct dstate *d)
{
    unsigned i, j, n = 0;
    for (i = 0; i < DIFF_LOCKS; i++) {
        const struct dlock *l = &d->locks[i];
        int dup = 0;
        if (!l->live || l->bounced)
            continue;
        for (j = 0; j < i; j++) {
            const struct dlock *m = &d->locks[j];
            if (m->live && !m->bounced && page_of(d, m->lk.addr) == page_of(d, l->lk.addr))
                dup = 1;
        }
        n += !dup;
    }
    return n;
}

/* Live in-page locks of the test on the page at base. */
static unsigned page_locked(const struct dstate *d, vm_addr_t base)
{
    unsigned i, n = 0;
    for (i = 0; i < DIFF_LOCKS; i++)
        n += d->locks[i].live && !d->locks[i].bounced && page_of(d, d->locks[i].lk.addr) == base;
    return n;
}

static int resident(const struct dstate *d, vm_addr_t a, size_t n)
{
    vm_addr_t p;
    if (n == 0)
        return 1;
    for (p = page_of(d, a); p < a + n; p += d->ps)
        if (vm_slot_of(d->vm, p) < 0)
            return 0;
    return 1;
}

static const struct dlock *bounce_lock(const struct dstate *d)
{
    unsigned i;
    for (i = 0; i < DIFF_LOCKS; i++)
        if (d->locks[i].live && d->locks[i].bounced)
            return &d->locks[i];
    return NULL;
}

static int overlaps_bounce(const struct dstate *d, vm_addr_t a, size_t n)
{
    const struct dlock *b = bounce_lock(d);
    return b != NULL && n > 0 && overlap(a, n, b->lk.addr, b->lk.len);
}

/* A mutation may not touch a range held by a read-only bounced lock (its
 * bounce copy would be discarded by vm_unlock). */
static int ro_bounced(const struct dstate *d, vm_addr_t a, size_t n)
{
    const struct dlock *b = bounce_lock(d);
    return b != NULL && n > 0 && d->bounce_mode == VM_LOCK_RO && overlap(a, n, b->lk.addr, b->lk.len);
}

/* Whether VM_ERR_BUSY is documented for an access that holds `hold` pages at
 * once (1: vm_read/vm_write; 2: the two-range bulk helpers) over the ranges
 * given. bulk: the op goes through locks (an in-page lock that overlaps the
 * bounced range is VM_ERR_BUSY). */
static int busy_ok(const struct dstate *d, vm_addr_t a, size_t an, vm_addr_t b, size_t bn,
                   unsigned hold, int bulk)
{
    unsigned ls = locked_slots(d);
    if (bulk && (overlaps_bounce(d, a, an) || overlaps_bounce(d, b, bn)))
        return 1;
    (void)hold; /* the core stages a chunk through the stack rather than
                 * needing two free slots: BUSY only when every slot is held */
    if (ls < (unsigned)d->pc)
        return 0;
    return !resident(d, a, an) || !resident(d, b, bn);
}

/* Check rc against what is allowed. busy: VM_ERR_BUSY is documented here. */
static int accept(struct dstate *d, int rc, int busy)
{
    if (rc == VM_OK)
        return 1;
    if (rc == VM_ERR_BUSY && busy) {
        d->busy_seen++;
        return 0;
    }
    if (tc_is_backend_err(rc) && d->faults_on) {
        d->fail_seen++;
        return 0;
    }
    DFAIL(d, "unexpected %s (%d)", tc_err_name(rc), rc);
    return 0;
}

/* The pool's bytes [a, a+n) as the pager sees them now, faults off. */
static void read_back(struct dstate *d, vm_addr_t a, size_t n, uint8_t *out)
{
    int rc;
    unsigned i;
    faults_set(d, 0);
    rc = vm_read(d->vm, out, a, n);
    if (rc == VM_ERR_BUSY) {
        /* Every slot is locked: look without changing state. */
        tc_peek(d->t, a, n, out);
        for (i = 0; i < DIFF_LOCKS; i++) {
            const struct dlock *l = &d->locks[i];
            vm_addr_t lo, hi, x;
            if (!l->live || !l->bounced)
                continue;
            lo = l->lk.addr > a ? l->lk.addr : a;
            hi = l->lk.addr + (vm_addr_t)l->lk.len;
            if (hi > a + n)
                hi = a + (vm_addr_t)n;
            for (x = lo; x < hi; x++)
                out[x - a] = ((const uint8_t *)l->lk.ptr)[x - l->lk.addr];
        }
    } else if (rc != VM_OK) {
        DFAIL(d, "read-back of [%lu,+%lu) with faults off: %s", (unsigned long)a,
              (unsigned long)n, tc_err_name(rc));
    }
}

/* After a failed mutation of [a, a+n) meant to store nv: the pool holds a
 * prefix (suffix when backward) of nv and the old bytes elsewhere. Adopt it. */
static void settle(struct dstate *d, vm_addr_t a, size_t n, const uint8_t *nv, int backward)
{
    uint8_t *r = d->buf2;
    const uint8_t *old = d->ref + a;
    size_t i, k;
    read_back(d, a, n, r);
    for (i = 0; i < n; i++)
        if (r[i] != old[i] && r[i] != nv[i])
            DFAIL(d, "after failure, byte %lu of [%lu,+%lu) is 0x%02x: neither old 0x%02x "
                  "nor new 0x%02x", (unsigned long)i, (unsigned long)a, (unsigned long)n,
                  r[i], old[i], nv[i]);
    if (!backward) {
        for (k = 0; k < n && r[k] == nv[k]; k++)
            ;
        for (i = k; i < n; i++)
            if (r[i] != old[i])
                DFAIL(d, "after failure, [%lu,+%lu) is not a done prefix: byte %lu new "
                      "after old byte %lu", (unsigned long)a, (unsigned long)n,
                      (unsigned long)i, (unsigned long)k);
    } else {
        for (k = n; k > 0 && r[k - 1] == nv[k - 1]; k--)
            ;
        for (i = 0; i < k; i++)
            if (r[i] != old[i])
                DFAIL(d, "after failure of a backward move, [%lu,+%lu) is not a done "
                      "suffix: byte %lu new before old byte %lu", (unsigned long)a,
                      (unsigned long)n, (unsigned long)i, (unsigned long)k - 1);
    }
    memcpy(d->ref + a, r, n);
    faults_set(d, 1);
}

/* Apply a mutation's outcome to the model. */
static void mutated(struct dstate *d, int rc, vm_addr_t a, size_t n, const uint8_t *nv,
                    int backward)
{
    if (rc == VM_OK)
        memmove(d->ref + a, nv, n);
    else if (n > 0)
        settle(d, a, n, nv, backward);
}

static void expect_same(struct dstate *d, const uint8_t *got, vm_addr_t a, size_t n)
{
    size_t i;
    if (memcmp(got, d->ref + a, n) == 0)
        return;
    for (i = 0; i < n && got[i] == d->ref[a + i]; i++)
        ;
    DFAIL(d, "read [%lu,+%lu): byte at %lu is 0x%02x, model has 0x%02x", (unsigned long)a,
          (unsigned long)n, (unsigned long)(a + i), got[i], d->ref[a + i]);
}

static size_t gen_len(struct dstate *d)
{
    uint32_t c = tc_rng_below(&d->rng, 100);
    size_t n;
    if (c < 45)
        n = tc_rng_range(&d->rng, 1, 8);
    else if (c < 80)
        n = tc_rng_range(&d->rng, 1, d->ps);
    else if (c < 96)
        n = tc_rng_range(&d->rng, d->ps, 2u * d->ps + d->ps / 2u);
    else
        n = tc_rng_range(&d->rng, 1, (uint32_t)d->max_len);
    if (n > d->max_len)
        n = d->max_len;
    return n;
}

/* An address with a + n <= pool. */
static vm_addr_t gen_addr(struct dstate *d, size_t n)
{
    vm_addr_t lim = d->pool - (vm_addr_t)n, a;
    uint32_t c = tc_rng_below(&d->rng, 100);
    if (c < 45) {
        a = d->focus + tc_rng_below(&d->rng, (uint32_t)d->ps * (d->pc + 1u));
    } else if (c < 70) {
        a = tc_rng_below(&d->rng, lim + 1u);
    } else if (c < 92) {
        vm_addr_t p = page_of(d, tc_rng_below(&d->rng, d->pool)) + d->ps;
        uint32_t back = (uint32_t)(n < d->ps ? n : d->ps);
        a = p - tc_rng_range(&d->rng, 0, back);
    } else {
        a = lim - tc_rng_below(&d->rng, 9);
    }
    if (a > lim || a > d->pool)
        a = lim - tc_rng_below(&d->rng, lim < 8 ? lim + 1u : 8u);
    return a;
}

/* ------------------------------------------------------------- operations */

static void op_read(struct dstate *d)
{
    size_t n = gen_len(d);
    vm_addr_t a = gen_addr(d, n);
    int must_busy = locked_slots(d) == d->pc && vm_slot_of(d->vm, a) < 0;
    int rc;
    d->op = "vm_read";
    rc = vm_read(d->vm, d->buf, a, n);
    if (must_busy && rc != VM_ERR_BUSY)
        DFAIL(d, "every slot locked, page of %lu not resident: got %s, want VM_ERR_BUSY",
              (unsigned long)a, tc_err_name(rc));
    if (accept(d, rc, busy_ok(d, a, n, 0, 0, 1, 0)))
        expect_same(d, d->buf, a, n);
}

static void op_write(struct dstate *d, int string)
{
    size_t n = gen_len(d);
    vm_addr_t a = gen_addr(d, n);
    int rc, busy, must_busy;
    if (ro_bounced(d, a, n))
        { op_read(d); return; }
    busy = busy_ok(d, a, n, 0, 0, 1, 0);
    must_busy = locked_slots(d) == d->pc && vm_slot_of(d->vm, a) < 0;
    rand_fill(d, d->nv, n);
    if (string) {
        size_t i;
        for (i = 0; i + 1 < n; i++)
            d->nv[i] |= 0x20u;
        d->nv[n - 1] = 0;
    }
    d->op = string ? "vm_write(string)" : "vm_write";
    rc = vm_write(d->vm, a, d->nv, n);
    if (must_busy && rc != VM_ERR_BUSY)
        DFAIL(d, "every slot locked, page of %lu not resident: got %s, want VM_ERR_BUSY",
              (unsigned long)a, tc_err_name(rc));
    accept(d, rc, busy);
    mutated(d, rc, a, n, d->nv, 0);
}

static void op_get(struct dstate *d)
{
    unsigned w = 1u << tc_rng_below(&d->rng, 3);
    vm_addr_t a = gen_addr(d, w);
    int busy = busy_ok(d, a, w, 0, 0, 1, 0), rc;
    uint8_t v8 = 0;
    uint16_t v16 = 0;
    uint32_t v32 = 0;
    if (w == 1) {
        d->op = "vm_get8";
        rc = vm_get8(d->vm, a, &v8);
        memcpy(d->buf, &v8, 1);
    } else if (w == 2) {
        d->op = "vm_get16";
        rc = vm_get16(d->vm, a, &v16);
        memcpy(d->buf, &v16, 2);
    } else {
        d->op = "vm_get32";
        rc = vm_get32(d->vm, a, &v32);
        memcpy(d->buf, &v32, 4);
    }
    if (accept(d, rc, busy))
        expect_same(d, d->buf, a, w);
}

static void op_set(struct dstate *d)
{
    unsigned w = 1u << tc_rng_below(&d->rng, 3);
    vm_addr_t a = gen_addr(d, w);
    int busy, rc;
    uint32_t v = (uint32_t)tc_rng_next(&d->rng);
    if (ro_bounced(d, a, w))
        { op_get(d); return; }
    busy = busy_ok(d, a, w, 0, 0, 1, 0);
    if (w == 1) {
        uint8_t x = (uint8_t)v;
        d->op = "vm_set8";
        memcpy(d->nv, &x, 1);
        rc = vm_set8(d->vm, a, x);
    } else if (w == 2) {
        uint16_t x = (uint16_t)v;
        d->op = "vm_set16";
        memcpy(d->nv, &x, 2);
        rc = vm_set16(d->vm, a, x);
    } else {
        d->op = "vm_set32";
        memcpy(d->nv, &v, 4);
        rc = vm_set32(d->vm, a, v);
    }
    accept(d, rc, busy);
    mutated(d, rc, a, w, d->nv, 0);
}

static struct dlock *free_lock(struct dstate *d)
{
    unsigned i;
    for (i = 0; i < DIFF_LOCKS; i++)
        if (!d->locks[i].live)
            return &d->locks[i];
    return NULL;
}

static unsigned live_locks(const struct dstate *d)
{
    unsigned i, n = 0;
    for (i = 0; i < DIFF_LOCKS; i++)
        n += d->locks[i].live != 0;
    return n;
}

static const unsigned lock_modes[3] = {VM_LOCK_RO, VM_LOCK_RW, VM_LOCK_WO};

static void op_unlock_one(struct dstate *d, struct dlock *l);

static void op_lock(struct dstate *d)
{
    struct dlock *l = free_lock(d);
    const struct dlock *b = bounce_lock(d);
    unsigned mode = lock_modes[tc_rng_below(&d->rng, 3)];
    vm_addr_t a, pend;
    size_t n, want;
    int strad, fits, rc, busy, must_busy = 0, nested = 0;
    unsigned ls = locked_slots(d);

    if (l == NULL)
        return;
    if (live_locks(d) > 0 && tc_rng_chance(&d->rng, 1, 3)) {
        /* Nested: exactly the range of a live lock. */
        unsigned i = tc_rng_below(&d->rng, DIFF_LOCKS);
        while (!d->locks[i].live)
            i = (i + 1u) % DIFF_LOCKS;
        a = d->locks[i].lk.addr;
        n = d->locks[i].lk.len;
        if (d->locks[i].bounced && d->locks[i].mode == VM_LOCK_RO)
            mode = VM_LOCK_RO;
        nested = 1;
    } else {
        uint32_t c = tc_rng_below(&d->rng, 100);
        if (c < 50) {
            n = tc_rng_range(&d->rng, 1, d->ps);
        } else if (c < 85) {
            n = tc_rng_range(&d->rng, 2, d->ps);
        } else {
            n = tc_rng_range(&d->rng, d->ps + 1u, 2u * d->ps);
            if (n > d->pool)
                n = d->pool;
        }
        a = gen_addr(d, n);
        if (c >= 50 && c < 85 && n >= 2 && !straddles(d, a, n)) {
            /* Move it across the next page boundary when there is one. */
            vm_addr_t p = page_of(d, a) + d->ps;
            if (p < d->pool && p - 1u + n <= d->pool)
                a = p - 1u - tc_rng_below(&d->rng, (uint32_t)n - 1u);
        }
    }
    strad = straddles(d, a, n);
    fits = n <= d->ps;
    pend = page_of(d, a) + d->ps;
    want = strad && !fits ? (size_t)(pend - a) : n;
    if (mode != VM_LOCK_RO && ro_bounced(d, a, want))
        mode = VM_LOCK_RO;

    if (strad && fits) {
        int same = b != NULL && b->lk.addr == a && b->lk.len == n;
        if (b != NULL && !same)
            must_busy = 1; /* another bounced range */
        busy = must_busy || (!same && ls == d->pc && !resident(d, a, n));
        /* Not in vm.h (reported): the core refuses a new bounced range while
         * either of its pages holds an in-page lock, since that lock's
         * pointer would not see the bounced copy. */
        if (!same && b == NULL && page_locked(d, page_of(d, a)) + page_locked(d, pend) > 0) {
            busy = 1;
            d->busy_bounce_pages++;
        }
    } else {
        if (overlaps_bounce(d, a, want))
            must_busy = 1; /* an in-page lock overlapping the bounced range */
        busy = must_busy || (ls == d->pc && vm_slot_of(d->vm, a) < 0);
        if (ls == d->pc && vm_slot_of(d->vm, a) < 0)
            must_busy = 1;
    }
    memset(&l->lk, 0, sizeof l->lk);
    d->op = mode == VM_LOCK_RO ? "vm_lock(RO)" : mode == VM_LOCK_RW ? "vm_lock(RW)" : "vm_lock(WO)";
    rc = vm_lock(d->vm, a, n, mode, &l->lk);
    if (must_busy && rc != VM_ERR_BUSY && !(tc_is_backend_err(rc) && d->faults_on))
        DFAIL(d, "lock [%lu,+%lu)%s: got %s, want VM_ERR_BUSY", (unsigned long)a,
              (unsigned long)n, nested ? " (nested)" : "", tc_err_name(rc));
    if (!accept(d, rc, busy))
        return;
    if (l->lk.ptr == NULL || l->lk.addr != a || l->lk.len != want || l->lk.mode != mode)
        DFAIL(d, "lock [%lu,+%lu) mode %u gave ptr %p addr %lu len %lu mode %u; want len %lu",
              (unsigned long)a, (unsigned long)n, mode, l->lk.ptr, (unsigned long)l->lk.addr,
              (unsigned long)l->lk.len, l->lk.mode, (unsigned long)want);
    l->live = 1;
    l->bounced = strad && fits;
    l->mode = mode;
    if (l->bounced)
        d->bounce_mode = (unsigned)(b != NULL ? d->bounce_mode | mode : mode);
    if (mode != VM_LOCK_WO)
        expect_same(d, l->lk.ptr, a, want);
    if (mode == VM_LOCK_WO || (mode == VM_LOCK_RW && tc_rng_chance(&d->rng, 1, 2))) {
        rand_fill(d, l->lk.ptr, want);
        memcpy(d->ref + a, l->lk.ptr, want);
    }
    /* Keep page_count 1 from starving: often release right away. */
    if (d->pc == 1 && tc_rng_chance(&d->rng, 1, 2))
        op_unlock_one(d, l);
}

static void op_unlock_one(struct dstate *d, struct dlock *l)
{
    int rc, busy;
    /* Write through a write lock just before releasing it, perhaps after a
     * flush cleaned its page: vm_unlock must keep that. */
    if (l->mode != VM_LOCK_RO && tc_rng_chance(&d->rng, 1, 3)) {
        rand_fill(d, l->lk.ptr, l->lk.len);
        memcpy(d->ref + l->lk.addr, l->lk.ptr, l->lk.len);
    }
    d->op = "vm_unlock";
    busy = l->bounced && busy_ok(d, l->lk.addr, l->lk.len, 0, 0, 1, 0);
    rc = vm_unlock(d->vm, &l->lk);
    if (rc == VM_OK) {
        if (l->lk.mode != 0)
            DFAIL(d, "unlocked handle still has mode %u", l->lk.mode);
        l->live = 0;
        return;
    }
    /* Only a bounced write-back can fail; the lock stays held. */
    if (!l->bounced)
        DFAIL(d, "unlock of an in-page lock failed: %s", tc_err_name(rc));
    accept(d, rc, busy);
}

static void op_unlock(struct dstate *d)
{
    unsigned i = tc_rng_below(&d->rng, DIFF_LOCKS), k;
    for (k = 0; k < DIFF_LOCKS; k++, i = (i + 1u) % DIFF_LOCKS)
        if (d->locks[i].live) {
            op_unlock_one(d, &d->locks[i]);
            return;
        }
}

static void op_memset(struct dstate *d)
{
    size_t n = gen_len(d);
    vm_addr_t a = gen_addr(d, n);
    int c = (int)tc_rng_below(&d->rng, 256), rc, busy;
    if (ro_bounced(d, a, n))
        { op_read(d); return; }
    busy = busy_ok(d, a, n, 0, 0, 1, 1);
    memset(d->nv, c, n);
    d->op = "vm_memset";
    rc = vm_memset(d->vm, a, c, (vm_addr_t)n);
    accept(d, rc, busy);
    mutated(d, rc, a, n, d->nv, 0);
}

static void op_memmove(struct dstate *d)
{
    size_t n = gen_len(d);
    vm_addr_t s = gen_addr(d, n), t;
    int rc, busy, backward;
    if (tc_rng_chance(&d->rng, 1, 2)) {
        /* Overlapping, either direction. */
        uint32_t delta = tc_rng_range(&d->rng, 1, (uint32_t)n);
        if (tc_rng_chance(&d->rng, 1, 2) && s + delta + n <= d->pool)
            t = s + delta;
        else if (s >= delta)
            t = s - delta;
        else
            t = s + (s + delta + n <= d->pool ? delta : 0u);
    } else {
        t = gen_addr(d, n);
    }
    if (ro_bounced(d, t, n))
        { op_read(d); return; }
    busy = busy_ok(d, s, n, t, n, 2, 1);
    backward = t > s && t < s + n;
    memcpy(d->nv, d->ref + s, n);
    d->op = backward ? "vm_memmove(backward)" : "vm_memmove";
    rc = vm_memmove(d->vm, t, s, (vm_addr_t)n);
    accept(d, rc, busy);
    mutated(d, rc, t, n, d->nv, backward);
}

static int sign(int x) { return (x > 0) - (x < 0); }

static void op_memcmp(struct dstate *d)
{
    size_t n = gen_len(d);
    vm_addr_t a = gen_addr(d, n), b;
    int cmp = 12345, rc, busy, want;
    if (tc_rng_chance(&d->rng, 1, 3)) {
        /* Make them equal up to a late byte, so the compare has to walk. */
        b = gen_addr(d, n);
        if (!overlap(a, n, b, n) && !ro_bounced(d, b, n)) {
            int r2 = busy_ok(d, a, n, b, n, 2, 1);
            memcpy(d->nv, d->ref + a, n);
            if (n > 1 && tc_rng_chance(&d->rng, 1, 2))
                d->nv[tc_rng_below(&d->rng, (uint32_t)n)] ^= 0x10u;
            d->op = "vm_write(for memcmp)";
            rc = vm_write(d->vm, b, d->nv, n);
            accept(d, rc, busy_ok(d, b, n, 0, 0, 1, 0) || r2);
            mutated(d, rc, b, n, d->nv, 0);
        }
    } else {
        b = gen_addr(d, n);
    }
    busy = busy_ok(d, a, n, b, n, 2, 1);
    want = sign(memcmp(d->ref + a, d->ref + b, n));
    d->op = "vm_memcmp";
    rc = vm_memcmp(d->vm, a, b, (vm_addr_t)n, &cmp);
    if (accept(d, rc, busy)) {
        if (sign(cmp) != want)
            DFAIL(d, "memcmp(%lu,%lu,%lu) = %d, model says sign %d", (unsigned long)a,
                  (unsigned long)b, (unsigned long)n, cmp, want);
    } else if (cmp != 12345) {
        DFAIL(d, "failed memcmp wrote its result");
    }
}

static void op_memcmp_ram(struct dstate *d)
{
    size_t n = gen_len(d);
    vm_addr_t a = gen_addr(d, n);
    int cmp = 12345, rc, busy = busy_ok(d, a, n, 0, 0, 1, 1), want;
    memcpy(d->buf, d->ref + a, n);
    if (tc_rng_chance(&d->rng, 1, 2))
        d->buf[tc_rng_below(&d->rng, (uint32_t)n)] = (uint8_t)tc_rng_next(&d->rng);
    want = sign(memcmp(d->ref + a, d->buf, n));
    d->op = "vm_memcmp_ram";
    rc = vm_memcmp_ram(d->vm, a, d->buf, n, &cmp);
    if (accept(d, rc, busy)) {
        if (sign(cmp) != want)
            DFAIL(d, "memcmp_ram(%lu,%lu) = %d, model says sign %d", (unsigned long)a,
                  (unsigned long)n, cmp, want);
    } else if (cmp != 12345) {
        DFAIL(d, "failed memcmp_ram wrote its result");
    }
}

/* Model strlen: the length, or -1 when no NUL lies before the pool's end. */
static long ref_strlen(const struct dstate *d, vm_addr_t s)
{
    vm_addr_t i;
    for (i = s; i < d->pool; i++)
        if (d->ref[i] == 0)
            return (long)(i - s);
    return -1;
}

static void op_strlen(struct dstate *d)
{
    vm_addr_t s = gen_addr(d, 1), len = 0xDEADu;
    long want = ref_strlen(d, s);
    size_t span = want < 0 ? d->pool - s : (size_t)want + 1u;
    int rc, busy = busy_ok(d, s, span, 0, 0, 1, 1);
    d->op = "vm_strlen";
    rc = vm_strlen(d->vm, s, &len);
    if (want < 0) {
        if (rc == VM_ERR_RANGE)
            return;
        if (rc == VM_OK)
            DFAIL(d, "strlen(%lu) ran off the pool but returned OK (%lu)", (unsigned long)s,
                  (unsigned long)len);
    }
    if (accept(d, rc, busy)) {
        if ((long)len != want)
            DFAIL(d, "strlen(%lu) = %lu, model %ld", (unsigned long)s, (unsigned long)len, want);
    } else if (len != 0xDEADu) {
        DFAIL(d, "failed strlen wrote its result");
    }
}

static void op_strcmp(struct dstate *d)
{
    vm_addr_t a = gen_addr(d, 1), b = gen_addr(d, 1), i;
    int cmp = 12345, rc, busy, want = 2;
    size_t span;
    if (tc_rng_chance(&d->rng, 1, 2)) {
        /* Copy a's string to b (when it fits and does not overlap). */
        long la = ref_strlen(d, a);
        if (la >= 0 && (size_t)la + 1u <= d->max_len) {
            size_t n = (size_t)la + 1u;
            vm_addr_t nb = gen_addr(d, n);
            if (!overlap(a, n, nb, n) && !ro_bounced(d, nb, n)) {
                int r2 = busy_ok(d, a, n, nb, n, 2, 1);
                memcpy(d->nv, d->ref + a, n);
                if (n > 2 && tc_rng_chance(&d->rng, 1, 3))
                    d->nv[n - 2] ^= 0x40u;
                d->op = "vm_write(for strcmp)";
                rc = vm_write(d->vm, nb, d->nv, n);
                accept(d, rc, r2 || busy_ok(d, nb, n, 0, 0, 1, 0));
                mutated(d, rc, nb, n, d->nv, 0);
                b = nb;
            }
        }
    }
    for (i = 0;; i++) {
        uint8_t ca, cb;
        if (a + i >= d->pool || b + i >= d->pool) {
            want = 2; /* runs off the pool */
            break;
        }
        ca = d->ref[a + i];
        cb = d->ref[b + i];
        if (ca != cb) {
            want = ca < cb ? -1 : 1;
            break;
        }
        if (ca == 0) {
            want = 0;
            break;
        }
    }
    span = (size_t)i + 1u;
    if (a + span > d->pool || b + span > d->pool)
        span = d->pool - (a > b ? a : b);
    busy = busy_ok(d, a, span, b, span, 2, 1);
    d->op = "vm_strcmp";
    rc = vm_strcmp(d->vm, a, b, &cmp);
    if (want == 2) {
        if (rc == VM_ERR_RANGE)
            return;
        if (rc == VM_OK)
            DFAIL(d, "strcmp(%lu,%lu) ran off the pool but returned OK", (unsigned long)a,
                  (unsigned long)b);
    }
    if (accept(d, rc, busy)) {
        if (sign(cmp) != want)
            DFAIL(d, "strcmp(%lu,%lu) = %d, model says sign %d", (unsigned long)a,
                  (unsigned long)b, cmp, want);
    } else if (cmp != 12345) {
        DFAIL(d, "failed strcmp wrote its result");
    }
}

static void op_strncpy(struct dstate *d)
{
    size_t n = gen_len(d), i;
    vm_addr_t s = gen_addr(d, n), t = gen_addr(d, n);
    int rc, busy, ended = 0;
    if (overlap(s, n, t, n) || ro_bounced(d, t, n))
        { op_read(d); return; }
    for (i = 0; i < n; i++) {
        uint8_t c = ended ? 0 : d->ref[s + i];
        d->nv[i] = c;
        if (c == 0)
            ended = 1;
    }
    busy = busy_ok(d, s, n, t, n, 2, 1);
    d->op = "vm_strncpy";
    rc = vm_strncpy(d->vm, t, s, (vm_addr_t)n);
    accept(d, rc, busy);
    mutated(d, rc, t, n, d->nv, 0);
}

/* After a successful flush the backend holds the model, except ranges that
 * live bounced write locks still keep in the bounce buffer. */
static void expect_backend_current(struct dstate *d)
{
    const struct dlock *b = bounce_lock(d);
    vm_addr_t i;
    for (i = 0; i < d->pool; i++) {
        if (d->t->mem[i] == d->ref[i])
            continue;
        if (b != NULL && d->bounce_mode != VM_LOCK_RO && i >= b->lk.addr &&
            i < b->lk.addr + b->lk.len)
            continue;
        DFAIL(d, "after a successful flush the backend has 0x%02x at %lu, model 0x%02x",
              d->t->mem[i], (unsigned long)i, d->ref[i]);
    }
}

static void op_flush(struct dstate *d, int invalidate)
{
    int rc;
    const struct dlock *b = bounce_lock(d);
    /* A live bounced write lock is written back too, through the pages:
     * VM_ERR_BUSY when they cannot be loaded. */
    int busy = b != NULL && d->bounce_mode != VM_LOCK_RO && busy_ok(d, b->lk.addr, b->lk.len, 0, 0, 1, 0);
    d->op = invalidate ? "vm_invalidate" : "vm_flush";
    rc = invalidate ? vm_invalidate(d->vm) : vm_flush(d->vm);
    if (!accept(d, rc, busy))
        return;
    expect_backend_current(d);
    if (invalidate) {
        static struct tc_walk w;
        unsigned k;
        tc_walk(d->t, &w);
        for (k = 0; k < w.n; k++)
            if (w.s[k].base != VM_NO_PAGE && w.s[k].locks == 0)
                DFAIL(d, "after vm_invalidate, unlocked slot %u still holds page %lu", k,
                      (unsigned long)w.s[k].base);
    }
}

/* An op on a range that leaves the pool: exactly VM_ERR_RANGE, no effect. */
static void op_range(struct dstate *d)
{
    size_t n = tc_rng_range(&d->rng, 1, d->ps * 2u);
    vm_addr_t a;
    uint32_t c = tc_rng_below(&d->rng, 7);
    int rc = VM_OK, cmp = 12345;
    struct vm_lock lk;
    if (tc_rng_chance(&d->rng, 1, 2))
        a = d->pool - (vm_addr_t)tc_rng_below(&d->rng, (uint32_t)n); /* crosses the end */
    else
        a = d->pool + tc_rng_below(&d->rng, 1000000u);
    memset(d->buf, 0x5A, n);
    switch (c) {
    case 0: d->op = "vm_read(out of pool)"; rc = vm_read(d->vm, d->buf, a, n); break;
    case 1: d->op = "vm_write(out of pool)"; rc = vm_write(d->vm, a, d->buf, n); break;
    case 2:
        d->op = "vm_lock(out of pool)";
        memset(&lk, 0, sizeof lk);
        rc = vm_lock(d->vm, a, n, VM_LOCK_RW, &lk);
        break;
    case 3: d->op = "vm_memset(out of pool)"; rc = vm_memset(d->vm, a, 0x77, (vm_addr_t)n); break;
    case 4: d->op = "vm_memmove(out of pool)"; rc = vm_memmove(d->vm, a, 0, (vm_addr_t)n); break;
    case 5: d->op = "vm_memcmp(out of pool)"; rc = vm_memcmp(d->vm, 0, a, (vm_addr_t)n, &cmp); break;
    default: d->op = "vm_set32(out of pool)";
        a = d->pool - tc_rng_range(&d->rng, 1, 3);
        rc = vm_set32(d->vm, a, 0xA5A5A5A5u);
        break;
    }
    if (rc != VM_ERR_RANGE)
        DFAIL(d, "[%lu,+%lu) leaves the pool of %lu: got %s, want VM_ERR_RANGE",
              (unsigned long)a, (unsigned long)n, (unsigned long)d->pool, tc_err_name(rc));
    if (cmp != 12345)
        DFAIL(d, "failed memcmp wrote its result");
}

static void one_step(struct dstate *d)
{
    uint32_t c = tc_rng_below(&d->rng, 1000);
    if (c < 130) op_read(d);
    else if (c < 260) op_write(d, 0);
    else if (c < 280) op_write(d, 1);
    else if (c < 380) op_get(d);
    else if (c < 480) op_set(d);
    else if (c < 570) op_lock(d);
    else if (c < 660) op_unlock(d);
    else if (c < 710) op_memset(d);
    else if (c < 780) op_memmove(d);
    else if (c < 820) op_memcmp(d);
    else if (c < 850) op_memcmp_ram(d);
    else if (c < 875) op_strlen(d);
    else if (c < 905) op_strcmp(d);
    else if (c < 935) op_strncpy(d);
    else if (c < 950) op_flush(d, 0);
    else if (c < 958) op_flush(d, 1);
    else if (c < 968) op_range(d);
    else op_get(d);
}

/* Release everything with faults off: in-page locks first, so that a bounced
 * write-back finds a free slot. */
static void release_all(struct dstate *d)
{
    unsigned i, pass;
    faults_set(d, 0);
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < DIFF_LOCKS; i++) {
            struct dlock *l = &d->locks[i];
            if (l->live && l->bounced == (int)pass) {
                int rc;
                d->op = "vm_unlock(final)";
                rc = vm_unlock(d->vm, &l->lk);
                if (rc != VM_OK)
                    DFAIL(d, "final unlock with faults off: %s", tc_err_name(rc));
                l->live = 0;
            }
        }
}

static void run_case(int policy, int i)
{
    struct dstate ds, *d = &ds;
    struct tc_geom g;
    int clean = (i >> 5) & 1, ps_i = (i >> 3) & 3, pc_i = (i >> 1) & 3, faults = i & 1;
    int global = (policy - 1) * DIFF_CASES_PER_POLICY + i;
    const char *only = getenv("VM_DIFF_CASE");
    unsigned long ops, k;
    int rc;

    if (only != NULL && *only != '\0' && atoi(only) != i)
        return;
    memset(d, 0, sizeof *d);
    d->ps = page_sizes[ps_i];
    d->pc = page_counts[pc_i];
    d->faults = faults;
    d->case_index = i;
    d->base_seed = tc_seed(0x5EEDC0DEull);
    tc_rng_seed(&d->rng, d->base_seed * 0x100000001B3ull + (uint64_t)global * 0x9E37ull + 1u);
    /* A pool of several times the cache, not a whole number of pages. */
    d->pool = (vm_addr_t)d->ps * (d->pc < 4 ? 4u : d->pc) * 4u;
    if (d->pool < 2048u)
        d->pool = 2048u;
    d->pool += (vm_addr_t)(d->ps / 2u + 3u);
    d->max_len = (size_t)d->ps * 3u;
    if (d->max_len > d->pool / 2u)
        d->max_len = d->pool / 2u;
    snprintf(d->casename, sizeof d->casename, "%s%s/ps%u/pc%u/faults-%s (#%d)",
             policy_names[policy], clean ? "+clean" : "", d->ps, d->pc, faults ? "on" : "off", i);

    memset(&g, 0, sizeof g);
    g.pool_size = d->pool;
    g.page_size = d->ps;
    g.page_count = d->pc;
    g.policy = (uint8_t)policy;
    g.flags = clean ? VM_CLEAN_FIRST : 0;
    g.fill_seed = (uint64_t)global + 77u;
    g.no_events = (faults ^ pc_i) & 1; /* an observer keeps locks out of line: half with one */
    d->t = tc_new(&g);
    d->vm = &d->t->vm;
    d->t->log_events = 0;
    d->ref = malloc(d->pool);
    d->buf = malloc(d->pool);
    d->buf2 = malloc(d->pool);
    d->nv = malloc(d->pool);
    ck_assert(d->ref && d->buf && d->buf2 && d->nv);
    /* Bias the initial contents towards short strings. */
    for (k = 0; k < d->pool; k++)
        if ((d->t->mem[k] & 0x0Fu) == 0)
            d->t->mem[k] = 0;
    memcpy(d->ref, d->t->mem, d->pool);
    faults_set(d, 1);

    ops = (tc_scaled(DIFF_TOTAL_OPS, DIFF_CASES * 50ul) + DIFF_CASES - 1u) / DIFF_CASES;
    for (d->step = 0; d->step < ops; d->step++) {
        if ((d->step & 63u) == 0)
            d->focus = gen_addr(d, 1);
        one_step(d);
        rc = vm_check(d->vm);
        if (rc != VM_OK)
            DFAIL(d, "vm_check after the step: %s", tc_err_name(rc));
    }

    d->op = "final";
    release_all(d);
    rc = vm_flush(d->vm);
    if (rc != VM_OK)
        DFAIL(d, "final flush with faults off: %s", tc_err_name(rc));
    if (vm_check(d->vm) != VM_OK)
        DFAIL(d, "vm_check after the final flush");
    expect_backend_current(d);
    if (d->faults && ops >= 1000ul && d->t->wrap.n.faults == 0)
        DFAIL(d, "fault case injected no fault");
    if (getenv("VM_TEST_VERBOSE") != NULL)
        printf("%-36s ops %lu  failed-by-fault %lu  busy %lu (bounce-page rule %lu)  "
               "loads %lu  write-backs %lu\n", d->casename, ops, d->fail_seen, d->busy_seen,
               d->busy_bounce_pages, (unsigned long)vm_stats(d->vm)->loads,
               (unsigned long)vm_stats(d->vm)->writebacks);

    free(d->ref);
    free(d->buf);
    free(d->buf2);
    free(d->nv);
    tc_free(d->t);
}

START_TEST(diff_fifo) { run_case(VM_POLICY_FIFO, _i); }
END_TEST
START_TEST(diff_lru) { run_case(VM_POLICY_LRU, _i); }
END_TEST
START_TEST(diff_clock) { run_case(VM_POLICY_CLOCK, _i); }
END_TEST
START_TEST(diff_sieve) { run_case(VM_POLICY_SIEVE, _i); }
END_TEST

int main(void)
{
    Suite *s = suite_create("diff");
    TCase *tc;

    tc = tcase_create("fifo");
    tcase_add_loop_test(tc, diff_fifo, 0, DIFF_CASES_PER_POLICY);
    suite_add_tcase(s, tc);
    tc = tcase_create("lru");
    tcase_add_loop_test(tc, diff_lru, 0, DIFF_CASES_PER_POLICY);
    suite_add_tcase(s, tc);
    tc = tcase_create("clock");
    tcase_add_loop_test(tc, diff_clock, 0, DIFF_CASES_PER_POLICY);
    suite_add_tcase(s, tc);
    tc = tcase_create("sieve");
    tcase_add_loop_test(tc, diff_sieve, 0, DIFF_CASES_PER_POLICY);
    suite_add_tcase(s, tc);

    return tc_run(s);
}
