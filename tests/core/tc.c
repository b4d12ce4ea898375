/*
 * tc.c - shared fixtures of the core's test suites: generator, scale, a pager
 * over vm_ram (inside vm_wrap, for seeded faults) with a call-logging spy
 * backend and an event log.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

void tc_rng_seed(struct tc_rng *r, uint64_t seed) { r->s = seed; }

uint64_t tc_rng_next(struct tc_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t tc_rng_below(struct tc_rng *r, uint32_t n)
{
    return (uint32_t)(((tc_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

uint32_t tc_rng_range(struct tc_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + tc_rng_below(r, hi - lo + 1u);
}

int tc_rng_chance(struct tc_rng *r, uint32_t num, uint32_t den)
{
    return tc_rng_below(r, den) < num;
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
    const char *v = getenv(name);
    char *end;
    unsigned long x;
    if (v == NULL || *v == '\0')
        return def;
    x = strtoul(v, &end, 0);
    if (*end != '\0') {
        fprintf(stderr, "%s=%s: not a number; using %lu\n", name, v, def);
        return def;
    }
    return x;
}

unsigned long tc_scaled(unsigned long count, unsigned long min)
{
    unsigned long scale = env_ulong("VM_TEST_SCALE", 100);
    unsigned long soak = env_ulong("VM_TEST_SOAK", 1);
    unsigned long n = count / 100ul * scale + count % 100ul * scale / 100ul;
    if (soak > 1)
        n *= soak;
    if (n < min)
        n = min;
    if (n == 0)
        ck_abort_msg("VM_TEST_SCALE=%lu VM_TEST_SOAK=%lu leave 0 operations: nothing would be tested",
                     scale, soak);
    return n;
}

int tc_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed, run;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    run = srunner_ntests_run(sr);
    srunner_free(sr);
    if (run == 0) {
        const char *c = getenv("CK_RUN_CASE"), *su = getenv("CK_RUN_SUITE");
        fprintf(stderr, "no test ran (CK_RUN_SUITE=%s CK_RUN_CASE=%s select nothing): failing\n",
                su ? su : "", c ? c : "");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}

uint64_t tc_seed(uint64_t def)
{
    const char *v = getenv("VM_TEST_SEED");
    if (v == NULL || *v == '\0')
        return def;
    return strtoull(v, NULL, 0);
}

/* The spy backend: forwards to vm_wrap (around vm_ram) and logs each call. */
static void log_call(struct tc *t, uint8_t write, int rc, vm_addr_t addr, size_t len)
{
    if (t->n_calls < TC_CALLS_MAX) {
        struct tc_call *c = &t->calls[t->n_calls];
        c->write = write;
        c->rc = rc;
        c->addr = addr;
        c->len = (vm_addr_t)len;
    }
    t->n_calls++;
}

static int spy_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    struct tc *t = ctx;
    int rc;
    TC_ASSERT_MSG(len >= 1 && len <= t->vm.page_size && addr + len <= t->ram.backend.size,
                  "backend read out of contract: addr %lu len %lu",
                  (unsigned long)addr, (unsigned long)len);
    if (t->fail_reads && addr < t->fail_hi && t->fail_lo < addr + len) {
        memset(buf, 0xA5, len);
        rc = t->fail_code ? t->fail_code : VM_ERR_IO;
    } else {
        rc = t->wrap.backend.read(t->wrap.backend.ctx, addr, buf, len);
    }
    log_call(t, 0, rc, addr, len);
    return rc;
}

static int spy_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    struct tc *t = ctx;
    int rc;
    TC_ASSERT_MSG(len >= 1 && len <= t->vm.page_size && addr + len <= t->ram.backend.size,
                  "backend write out of contract: addr %lu len %lu",
                  (unsigned long)addr, (unsigned long)len);
    if (t->fail_writes && addr < t->fail_hi && t->fail_lo < addr + len)
        rc = t->fail_code ? t->fail_code : VM_ERR_IO;
    else
        rc = t->wrap.backend.write(t->wrap.backend.ctx, addr, buf, len);
    log_call(t, 1, rc, addr, len);
    return rc;
}

static int spy_sync(void *ctx)
{
    struct tc *t = ctx;
    t->syncs++;
    if (t->sync_code)
        return t->sync_code;
    return t->wrap.backend.sync(t->wrap.backend.ctx);
}

static void on_event(void *ctx, const struct vm_event *ev)
{
    struct tc *t = ctx;
    if (!t->log_events)
        return;
    if (t->n_ev < TC_EVENTS_MAX)
        t->ev[t->n_ev] = *ev;
    t->n_ev++;
}

struct tc *tc_new(const struct tc_geom *g)
{
    struct tc *t = calloc(1, sizeof *t);
    uint16_t ps = g->page_size ? g->page_size : 64;
    vm_slot_t pc = g->page_count ? g->page_count : 4;
    vm_addr_t pool = g->pool_size ? g->pool_size : (vm_addr_t)ps * 16u;
    uint16_t hb = g->heap_blocks ? g->heap_blocks : 64;
    int rc;

    ck_assert_ptr_nonnull(t);
    t->mem_size = pool;
    t->mem = malloc(pool);
    ck_assert_ptr_nonnull(t->mem);
    if (g->fill_seed) {
        struct tc_rng r;
        vm_addr_t i;
        tc_rng_seed(&r, g->fill_seed);
        for (i = 0; i < pool; i++)
            t->mem[i] = (uint8_t)tc_rng_next(&r);
    } else {
        memset(t->mem, 0, pool);
    }
    vm_ram_init(&t->ram, t->mem, pool);
    vm_wrap_init(&t->wrap, &t->ram.backend);
    t->spy.read = spy_read;
    t->spy.write = spy_write;
    t->spy.sync = spy_sync;
    t->spy.ctx = t;
    t->spy.size = pool;

    t->pages = malloc((size_t)ps * pc);
    t->slots = calloc(pc, sizeof *t->slots);
    t->bounce = malloc(ps);
    t->heap = calloc(hb, sizeof *t->heap);
    ck_assert(t->pages && t->slots && t->bounce && t->heap);

    memset(&t->cfg, 0, sizeof t->cfg);
    t->cfg.backend = &t->spy;
    t->cfg.pool_size = pool;
    t->cfg.page_size = ps;
    t->cfg.page_count = pc;
    t->cfg.policy = g->policy;
    t->cfg.flags = g->flags;
    t->cfg.pages = t->pages;
    t->cfg.pages_size = (size_t)ps * pc;
    t->cfg.slots = t->slots;
    t->cfg.slot_count = pc;
    if (!g->no_bounce) {
        t->cfg.bounce = t->bounce;
        t->cfg.bounce_size = g->bounce_size ? g->bounce_size : ps;
    }
    t->cfg.heap = t->heap;
    t->cfg.heap_blocks = hb;
    if (!g->no_events) {
        t->cfg.event = on_event;
        t->cfg.event_ctx = t;
    }
    t->log_events = 1;
    rc = vm_init(&t->vm, &t->cfg);
    ck_assert_msg(rc == VM_OK, "vm_init: %s", tc_err_name(rc));
    ck_assert_int_eq(vm_check(&t->vm), VM_OK);
    return t;
}

void tc_free(struct tc *t)
{
    if (t == NULL)
        return;
    free(t->mem);
    free(t->pages);
    free(t->slots);
    free(t->bounce);
    free(t->heap);
    free(t);
}

void tc_clear_logs(struct tc *t)
{
    t->n_ev = 0;
    t->n_calls = 0;
    t->ram.reads = 0;
    t->ram.writes = 0;
    t->wrap.n.faults = 0;
}

unsigned tc_count_events(const struct tc *t, unsigned type)
{
    unsigned i, n = 0;
    for (i = 0; i < t->n_ev && i < TC_EVENTS_MAX; i++)
        if (t->ev[i].type == type)
            n++;
    return n;
}

static void walk_cb(void *ctx, const struct vm_slot_info *info)
{
    struct tc_walk *w = ctx;
    TC_ASSERT(info->index < TC_WALK_MAX);
    w->s[info->index] = *info;
    w->n++;
}

void tc_walk(const struct tc *t, struct tc_walk *w)
{
    w->n = 0;
    vm_walk(&t->vm, walk_cb, w);
    TC_ASSERT(w->n == vm_page_count(&t->vm));
}

void tc_peek(const struct tc *t, vm_addr_t addr, size_t n, uint8_t *out)
{
    static struct tc_walk w;
    size_t i;
    unsigned k;
    tc_walk(t, &w);
    memcpy(out, t->mem + addr, n);
    for (k = 0; k < w.n; k++) {
        const struct vm_slot_info *si = &w.s[k];
        vm_addr_t lo, hi;
        if (si->base == VM_NO_PAGE || si->vlo >= si->vhi)
            continue;
        lo = si->base + si->vlo;
        hi = si->base + si->vhi;
        for (i = 0; i < n; i++) {
            vm_addr_t a = addr + (vm_addr_t)i;
            if (a >= lo && a < hi)
                out[i] = si->data[a - si->base];
        }
    }
}

const char *tc_err_name(int err)
{
    static const char *const names[] = {
        "VM_OK", "VM_ERR_IO", "VM_ERR_TIMEOUT", "VM_ERR_CORRUPT", "VM_ERR_NODEV",
        "VM_ERR_INVAL", "VM_ERR_RANGE", "VM_ERR_BUSY", "VM_ERR_NOMEM",
        "VM_ERR_NOTLOCKED", "VM_ERR_CHECK",
    };
    if (err <= 0 && err > -VM_ERR_COUNT)
        return names[-err];
    return "(unknown code)";
}

int tc_is_backend_err(int err)
{
    return err == VM_ERR_IO || err == VM_ERR_TIMEOUT || err == VM_ERR_CORRUPT ||
           err == VM_ERR_NODEV;
}
