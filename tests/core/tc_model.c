/*
 * tc_model.c - the naive policy model (tc_model.h).
 */
#include "tc_model.h"

#include <check.h>
#include <string.h>

void model_init(struct model *m, int policy, unsigned n, int clean_first)
{
    unsigned i;
    ck_assert_uint_le(n, TC_MODEL_MAX);
    memset(m, 0, sizeof *m);
    m->policy = policy;
    m->clean_first = clean_first;
    m->n = n;
    m->shand = -1;
    m->last_loaded = -1;
    for (i = 0; i < n; i++)
        m->page[i] = VM_NO_PAGE;
}

int model_find(const struct model *m, vm_addr_t page)
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

int model_victim(struct model *m)
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
        ck_assert_int_ge(p, 0);
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

/* The slot after s in the policy's scan order, or -1 past the end. */
static int scan_next(const struct model *m, int s)
{
    unsigned i;
    int best = -1;
    switch (m->policy) {
    case VM_POLICY_CLOCK:
        return (int)(((unsigned)s + 1u) % m->n);
    case VM_POLICY_SIEVE: {
        int p = sieve_pos(m, s);
        return (unsigned)p + 1u < m->qn ? m->q[p + 1] : m->q[0];
    }
    default: /* FIFO, LRU: the next newer page */
        for (i = 0; i < m->n; i++)
            if (m->stamp[i] > m->stamp[s] && (best < 0 || m->stamp[i] < m->stamp[best]))
                best = (int)i;
        return best;
    }
}

/* VM_CLEAN_FIRST on the policy's victim v (bits already cleared by the pick). */
static int clean_first(const struct model *m, int v)
{
    unsigned budget = m->n / 2u;
    int i = v;
    if (!m->clean_first || !m->dirty[v])
        return v;
    while (budget && i >= 0) {
        if (m->locks[i] == 0) {
            /* Only CLOCK and SIEVE have a reference bit. */
            int referenced = (m->policy == VM_POLICY_CLOCK || m->policy == VM_POLICY_SIEVE) && m->ref[i];
            if (!m->dirty[i] && i != m->last_loaded && !referenced)
                return i;
            budget--;
        }
        i = scan_next(m, i);
        if (i == v)
            break;
    }
    return v;
}

int model_peek_victim(const struct model *m)
{
    static struct model c; /* large: not on the stack */
    unsigned i;
    int v;
    for (i = 0; i < m->n; i++)
        if (m->page[i] == VM_NO_PAGE)
            return (int)i;
    c = *m;
    v = model_victim(&c);
    return v < 0 ? v : clean_first(&c, v);
}

int model_touch(struct model *m, vm_addr_t page, int write)
{
    int s = model_find(m, page);
    unsigned i;
    if (s >= 0) {
        m->ref[s] = 1;
        if (m->policy == VM_POLICY_LRU)
            m->stamp[s] = ++m->now;
        if (write)
            m->dirty[s] = 1;
        return 0;
    }
    for (i = 0; i < m->n && s < 0; i++)
        if (m->page[i] == VM_NO_PAGE)
            s = (int)i;
    if (s < 0) {
        int v = model_victim(m);
        if (v < 0) {
            m->misses++; /* a touch of a page not resident, even if it fails */
            return -1;
        }
        s = clean_first(m, v);
        if (s != v) {
            m->clean_picks++;
            if (m->policy == VM_POLICY_SIEVE)
                m->shand = v; /* the spared victim is looked at first next time */
        }
        if (m->dirty[s])
            m->writebacks++;
        if (m->policy == VM_POLICY_SIEVE) {
            int p = sieve_pos(m, s);
            memmove(&m->q[p], &m->q[p + 1], (m->qn - (unsigned)p - 1u) * sizeof m->q[0]);
            m->qn--;
        }
    }
    m->misses++;
    m->page[s] = page;
    m->ref[s] = 0;
    m->dirty[s] = (unsigned char)(write != 0);
    m->stamp[s] = ++m->now;
    m->last_loaded = s;
    if (m->policy == VM_POLICY_SIEVE)
        m->q[m->qn++] = s;
    return 1;
}

void model_touch_range(struct model *m, vm_addr_t a, vm_addr_t n, unsigned ps, int write)
{
    vm_addr_t p, end = a + n;
    for (p = a & ~(vm_addr_t)(ps - 1u); p < end; p += ps)
        model_touch(m, p, write);
}

void model_flush(struct model *m)
{
    unsigned i;
    for (i = 0; i < m->n; i++)
        if (m->page[i] != VM_NO_PAGE && m->dirty[i]) {
            m->dirty[i] = 0;
            m->writebacks++;
        }
}
