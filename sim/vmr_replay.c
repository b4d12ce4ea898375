/*
 * vmr_replay.c - the replay engine (see vmr_replay.h).
 *
 * The per-op path is one vmt_next and one switch. Reads and writes of 1, 2
 * and 4 bytes go through the core's inline accessors; nothing is allocated
 * per op (scratch buffers grow to the largest op and stay); observers and
 * data checks cost only when present. Deterministic write patterns are a
 * function of (address, op index), so a lost or misplaced write shows up on
 * a later read even when the same address was written before.
 */
#include "vmr_replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_simbus.h"
#include "vm_wrap.h"
#include "vmr_fast.h"
#include "vmr_stack.h"

struct vmr_region {
    vm_addr_t base; /* VM_NULL: not allocated */
    vm_addr_t size;
};

struct vmr_held {
    uint32_t id;
    struct vm_lock lk;
    uint8_t bounced; /* the lock took the bounce buffer */
};

struct vmr_run {
    struct vm vm;
    struct vmr_config cfg;
    struct vmt_source *src;
    struct vmr_stack stack;
    struct vm_wrap counted; /* counting layer around an exact stack's backend (backends/wrap) */
    const struct vm_backend *backend;  /* what the pager calls: counted's, or the fast path's */
    const struct vm_wrap_counts *n;    /* its counts (the fast path counts its own calls) */

    uint8_t *pages;
    struct vm_slot *slots;
    uint8_t *bounce;
    struct vm_block *heap;

    uint64_t pool;
    uint8_t *shadow;   /* the program's view of the pool; NULL: not kept */
    uint8_t *unknown;  /* bitmap of shadow bytes a failed op left undefined */
    int check;         /* any checking at all (shadow or trace data) */
    int nodata;        /* the fast path keeps no data: write values do not matter */

    uint8_t *scratch;
    size_t scratch_size;

    struct vmr_region *regions;
    size_t nregions;
    struct vmr_held *held;
    size_t nheld, capheld;

    uint64_t op_index;
    uint64_t access_read, access_written, verified, op_errors;

    /* CPU on the simulated clock (1/100 cycles; NULL cost: not charged) */
    const struct vm_cpu_costs *cost;
    uint32_t cpu_hz;
    uint64_t pager_cc, program_cc;   /* charged so far */
    uint64_t pager_ns, program_ns;   /* of which on the clock */
    struct vm_cpu_ns pager_conv, program_conv; /* cc -> ns, one step per sync */
    uint64_t program_extra_ns;       /* COMPUTE ops given in ns */
    struct vm_simclock own_clock;    /* for stacks without a clock */

    int failed;
    int ended;
    int flushed;
    char error[256];
    struct vmr_counters live;

    struct vmr_phase phases[VMR_MAX_PHASES];
    uint32_t nphases;
    int cur_phase; /* index in phases, or -1 */
    uint32_t phases_dropped;
    struct vmr_counters phase_start;
};

/* ---------------------------------------------------------------- names */

int vmr_policy_from_name(const char *name)
{
    for (unsigned p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
        if (strcasecmp(name, vm_policy_name(p)) == 0) return (int)p;
    return -1;
}

/* --------------------------------------------------------- counting layer */

static void cpu_sync(struct vmr_run *r);

/* Ahead of every backend call: the write-back's CPU, then the clock catches
 * up with the pager's CPU so far. */
static void before_backend(void *ctx, int call)
{
    struct vmr_run *r = ctx;
    if (call == VM_WRAP_WRITE && r->cost) r->pager_cc += r->cost->writeback;
    cpu_sync(r);
}

static void on_core_event(void *ctx, const struct vm_event *ev)
{
    struct vmr_run *r = ctx;
    r->cfg.observer->on_event(r->cfg.observer->ctx, ev);
}

/* ------------------------------------------------------------ CPU cost */

/* Put the CPU charged so far on the clock: the board computed before this
 * point in the program, so a device's busy time runs on meanwhile. */
static void cpu_sync(struct vmr_run *r)
{
    if (!r->cpu_hz) return;
    uint64_t p = vm_cpu_ns_at(&r->pager_conv, r->pager_cc);
    uint64_t q = vm_cpu_ns_at(&r->program_conv, r->program_cc) + r->program_extra_ns;
    uint64_t d = (p - r->pager_ns) + (q - r->program_ns);
    r->pager_ns = p;
    r->program_ns = q;
    if (!d) return;
    if (r->stack.s.clock)
        vmr_stack_busy(&r->stack, d);
    else
        vm_simclock_advance(&r->own_clock, d);
}

/* Which paths a call took: the core's path counters (vm_stats()->path,
 * VM_CONFIG_PATHS) copied before the call and compared after. */
struct cost_mark {
    vm_count_t hot, touch_hit, touch_miss, lock_bounce;
};

static inline void cost_mark(const struct vmr_run *r, struct cost_mark *m)
{
#if VM_CONFIG_PATHS
    const vm_count_t *p = r->vm.stats.path;
    m->hot = p[VM_PATH_GET_HOT] + p[VM_PATH_SET_HOT] + p[VM_PATH_SET_GROW];
    m->touch_hit = p[VM_PATH_TOUCH_HIT];
    m->touch_miss = p[VM_PATH_TOUCH_MISS];
    m->lock_bounce = p[VM_PATH_LOCK_BOUNCE];
#else
    (void)r;
    memset(m, 0, sizeof *m);
#endif
}

/* Charge a slow-path call: per page touch (hit or miss) and per byte
 * copied. Write-backs are charged at the backend seam (before_backend). */
static inline void cost_touches(struct vmr_run *r, const struct cost_mark *m, uint64_t rd_bytes,
                                uint64_t wr_bytes, int write)
{
    const struct vm_cpu_costs *c = r->cost;
    struct cost_mark n;
    cost_mark(r, &n);
    uint64_t h = (uint64_t)(n.touch_hit - m->touch_hit), mi = (uint64_t)(n.touch_miss - m->touch_miss);
    r->pager_cc += h * (write ? c->slow_set : c->slow_hit) + mi * c->miss +
                   rd_bytes * c->read_byte + wr_bytes * c->write_byte;
}

static inline uint32_t fast_cost(const struct vm_cpu_costs *c, unsigned len, int write)
{
    switch (len) {
    case 1: return write ? c->fast_set8 : c->fast_get8;
    case 2: return write ? c->fast_set16 : c->fast_get16;
    default: return write ? c->fast_set32 : c->fast_get32;
    }
}

/* A typed access after which the core says whether it was served inline. */
static inline void typed_cost(struct vmr_run *r, const struct cost_mark *m, unsigned len,
                              int write)
{
#if VM_CONFIG_PATHS
    const vm_count_t *p = r->vm.stats.path;
    if (p[VM_PATH_GET_HOT] + p[VM_PATH_SET_HOT] + p[VM_PATH_SET_GROW] != m->hot) {
        r->pager_cc += fast_cost(r->cost, len, write);
        return;
    }
#endif
    cost_touches(r, m, 0, 0, write);
}

/* One typed access (1, 2 or 4 bytes) about to be made, and its cost. */
#define TYPED_COST(r, a, len, write, call)                                     \
    do {                                                                       \
        if (!(r)->cost) {                                                      \
            call;                                                              \
        } else {                                                               \
            struct cost_mark cm_;                                              \
            cost_mark((r), &cm_);                                              \
            call;                                                              \
            typed_cost((r), &cm_, (len), (write));                             \
        }                                                                      \
    } while (0)

/* The bytes of a typed access of 1, 2 or 4 bytes. */
union vmr_word {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint8_t b[4];
};

/* The one typed-access dispatch: a load (into v) or a store (from v) of len
 * = 1, 2 or 4 bytes at a through the core's inline accessors, as the
 * program's own loads and stores, with the CPU the clock charges for the
 * path it took. Returns the core's result. */
static inline __attribute__((always_inline)) int typed_access(struct vmr_run *r, vm_addr_t a,
                                                              unsigned len, int write,
                                                              union vmr_word *v)
{
    int rc;
    if (write) {
        switch (len) {
        case 1: TYPED_COST(r, a, 1, 1, rc = vm_set8(&r->vm, a, v->u8)); break;
        case 2: TYPED_COST(r, a, 2, 1, rc = vm_set16(&r->vm, a, v->u16)); break;
        default: TYPED_COST(r, a, 4, 1, rc = vm_set32(&r->vm, a, v->u32)); break;
        }
    } else {
        switch (len) {
        case 1: TYPED_COST(r, a, 1, 0, rc = vm_get8(&r->vm, a, &v->u8)); break;
        case 2: TYPED_COST(r, a, 2, 0, rc = vm_get16(&r->vm, a, &v->u16)); break;
        default: TYPED_COST(r, a, 4, 0, rc = vm_get32(&r->vm, a, &v->u32)); break;
        }
    }
    return rc;
}

/* ------------------------------------------------------------- failures */

static const char *kind_name(unsigned k)
{
    static const char *const n[] = {"read", "write", "lock", "unlock", "memset", "memcpy",
                                    "flush", "invalidate", "alloc", "free", "phase", "compute"};
    return k < sizeof n / sizeof n[0] ? n[k] : "?";
}

static int fail(struct vmr_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static int fail(struct vmr_run *r, const char *fmt, ...)
{
    if (!r->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->error, sizeof r->error, fmt, ap);
        va_end(ap);
        r->failed = 1;
    }
    return -1;
}

static const char *err_text(int rc)
{
#if VM_CONFIG_STRERROR
    return vm_strerror(rc);
#else
    (void)rc;
    return "error";
#endif
}

/* A core call failed: fatal, unless errors are tolerated (faults injected). */
static int op_failed(struct vmr_run *r, const struct vmt_op *op, int rc)
{
    if (r->cfg.tolerate_errors && rc != VM_ERR_INVAL && rc != VM_ERR_RANGE &&
        rc != VM_ERR_NOTLOCKED) {
        r->op_errors++;
        return 0;
    }
    return fail(r, "op %llu (%s addr 0x%llx len %lu): %s (%d)",
                (unsigned long long)r->op_index, kind_name(op->kind),
                (unsigned long long)op->addr, (unsigned long)op->len, err_text(rc), rc);
}

/* ------------------------------------------------------- data and shadow */

static inline uint8_t pattern(uint64_t a, uint64_t idx)
{
    uint32_t x = (uint32_t)a * 2654435761u ^ (uint32_t)idx * 40503u ^ (uint32_t)(a >> 32);
    return (uint8_t)(x >> 24 ^ x >> 8);
}

static void fill_pattern(uint8_t *dst, uint64_t a, size_t n, uint64_t idx)
{
    for (size_t i = 0; i < n; i++) dst[i] = pattern(a + i, idx);
}

static int grow_scratch(struct vmr_run *r, size_t n)
{
    if (n <= r->scratch_size) return 0;
    size_t cap = r->scratch_size ? r->scratch_size : 4096;
    while (cap < n) cap *= 2;
    uint8_t *p = realloc(r->scratch, cap);
    if (!p) return fail(r, "op %llu: out of memory for a %lu-byte buffer",
                        (unsigned long long)r->op_index, (unsigned long)n);
    r->scratch = p;
    r->scratch_size = cap;
    return 0;
}

/* No more shadow: the pool's bytes are no longer checked. */
static void drop_shadow(struct vmr_run *r)
{
    free(r->shadow);
    r->shadow = NULL;
    free(r->unknown);
    r->unknown = NULL;
}

static void mark_unknown(struct vmr_run *r, uint64_t a, uint64_t n, int unknown)
{
    if (!r->shadow) return;
    if (!r->unknown) {
        if (!unknown) return;
        r->unknown = calloc((size_t)(r->pool / 8 + 1), 1);
        if (!r->unknown) {
            /* Cannot track: stop checking rather than report false errors. */
            drop_shadow(r);
            return;
        }
    }
    for (uint64_t i = a; i < a + n; i++) {
        if (unknown)
            r->unknown[i >> 3] |= (uint8_t)(1u << (i & 7));
        else
            r->unknown[i >> 3] &= (uint8_t)~(1u << (i & 7));
    }
}

/* Compare bytes the program got with what it should have got. */
static int check_bytes(struct vmr_run *r, const struct vmt_op *op, uint64_t a,
                       const uint8_t *got, size_t n)
{
    if (op->data && op->kind == VMT_READ) {
        if (memcmp(got, op->data, n) != 0) {
            size_t i = 0;
            while (got[i] == op->data[i]) i++;
            return fail(r, "op %llu: data mismatch: read of 0x%llx got 0x%02x at +%lu, trace expects 0x%02x",
                        (unsigned long long)r->op_index, (unsigned long long)a, got[i],
                        (unsigned long)i, op->data[i]);
        }
        r->verified += n;
        return 0;
    }
    if (!r->shadow) return 0;
    const uint8_t *want = r->shadow + a;
    if (memcmp(got, want, n) != 0) {
        for (size_t i = 0; i < n; i++) {
            uint64_t b = a + i;
            if (got[i] == want[i]) continue;
            if (r->unknown && (r->unknown[b >> 3] >> (b & 7) & 1)) continue;
            return fail(r, "op %llu: data mismatch: %s of 0x%llx got 0x%02x at +%lu, expected 0x%02x",
                        (unsigned long long)r->op_index, kind_name(op->kind),
                        (unsigned long long)a, got[i], (unsigned long)i, want[i]);
        }
    }
    r->verified += n;
    return 0;
}

/* ------------------------------------------------------------- regions */

/* Resolve (region, off) + len to a pool address, bounds-checked. */
static inline int resolve(struct vmr_run *r, const struct vmt_op *op, uint16_t region,
                          uint64_t off, uint64_t len, vm_addr_t *out)
{
    /* Overflow-safe: off + len is never formed (an offset near 2^64 would
     * wrap it past the check). */
    if (region == 0) {
        if (off > r->pool || len > r->pool - off)
            return fail(r, "op %llu (%s): range 0x%llx+%llu is outside the %llu-byte pool",
                        (unsigned long long)r->op_index, kind_name(op->kind),
                        (unsigned long long)off, (unsigned long long)len,
                        (unsigned long long)r->pool);
        *out = (vm_addr_t)off;
        return 0;
    }
    if (region >= r->nregions || r->regions[region].base == VM_NULL)
        return fail(r, "op %llu (%s): allocation %u is not live",
                    (unsigned long long)r->op_index, kind_name(op->kind), (unsigned)region);
    if (off > r->regions[region].size || len > r->regions[region].size - off)
        return fail(r, "op %llu (%s): offset %llu+%llu is outside allocation %u (%lu bytes)",
                    (unsigned long long)r->op_index, kind_name(op->kind),
                    (unsigned long long)off, (unsigned long long)len, (unsigned)region,
                    (unsigned long)r->regions[region].size);
    *out = r->regions[region].base + (vm_addr_t)off;
    return 0;
}

/* ---------------------------------------------------------------- locks */

static void lock_cost(struct vmr_run *r, const struct cost_mark *m, size_t n, unsigned mode,
                      int bounced)
{
    const struct vm_cpu_costs *c = r->cost;
    struct cost_mark now;
    cost_mark(r, &now);
    r->pager_cc += (uint64_t)(now.touch_miss - m->touch_miss) * c->miss;
    if (bounced)
        r->pager_cc += c->lock_bounce + (mode != VM_LOCK_WO ? (uint64_t)n * c->read_byte : 0);
    else
        r->pager_cc += c->lock;
}

/* Write-backs the unlock causes are charged at the backend seam. */
static void unlock_cost(struct vmr_run *r, size_t n, unsigned mode, int bounced)
{
    const struct vm_cpu_costs *c = r->cost;
    if (bounced)
        r->pager_cc += c->unlock_bounce + (mode != VM_LOCK_RO ? (uint64_t)n * c->write_byte : 0);
    else
        r->pager_cc += c->unlock;
}

static struct vmr_held *find_lock(struct vmr_run *r, uint32_t id)
{
    for (size_t i = 0; i < r->nheld; i++)
        if (r->held[i].id == id) return &r->held[i];
    return NULL;
}

static int do_lock(struct vmr_run *r, const struct vmt_op *op)
{
    vm_addr_t a = 0;
    if (resolve(r, op, op->region, op->addr, op->len, &a)) return -1;
    if (op->len == 0) return fail(r, "op %llu: lock of 0 bytes", (unsigned long long)r->op_index);
    if (find_lock(r, op->id))
        return fail(r, "op %llu: lock id %lu is already held", (unsigned long long)r->op_index,
                    (unsigned long)op->id);
    unsigned mode = op->mode;
    if (mode != VM_LOCK_RO && mode != VM_LOCK_WO && mode != VM_LOCK_RW)
        return fail(r, "op %llu: bad lock mode %u", (unsigned long long)r->op_index, mode);
    /* A lock longer than the pager gives (vm_lock trims at a page end when
     * the range does not fit the bounce buffer) is done the way a program
     * does it: lock what it gets, use it, unlock, lock the rest. The last
     * piece stays held until the trace's UNLOCK, so every page size replays
     * the same program, byte for byte. */
    struct vm_lock lk;
    uint32_t done = 0;
    int bounced = 0;
    for (;;) {
        struct cost_mark cm;
        cost_mark(r, &cm);
        int rc = vm_lock(&r->vm, a + done, op->len - done, mode, &lk);
        if (rc < 0) return op_failed(r, op, rc);
        size_t n = lk.len;
        {
            struct cost_mark after;
            cost_mark(r, &after);
            bounced = after.lock_bounce != cm.lock_bounce;
        }
        if (r->cost) lock_cost(r, &cm, n, mode, bounced);
        /* the program's own work on the bytes it locked */
        r->program_cc += (uint64_t)op->work * n * 100u;
        uint8_t *p = lk.ptr;
        vm_addr_t at = a + done;
        if (mode != VM_LOCK_WO) {
            r->access_read += n;
            if (r->check && check_bytes(r, op, at, p, n)) return -1;
        }
        if (mode != VM_LOCK_RO) {
            r->access_written += n;
            if (op->data)
                memcpy(p, op->data + done, n);
            else
                fill_pattern(p, at, n, r->op_index);
            if (r->shadow) {
                memcpy(r->shadow + at, p, n);
                mark_unknown(r, at, n, 0);
            }
        }
        done += (uint32_t)n;
        if (done >= op->len) break;
        if (r->cost) unlock_cost(r, n, mode, bounced);
        rc = vm_unlock(&r->vm, &lk);
        if (rc < 0) {
            if (r->shadow && mode != VM_LOCK_RO) mark_unknown(r, lk.addr, lk.len, 1);
            return op_failed(r, op, rc);
        }
    }
    if (r->nheld == r->capheld) {
        size_t cap = r->capheld ? r->capheld * 2 : 16;
        struct vmr_held *h = realloc(r->held, cap * sizeof *h);
        if (!h) return fail(r, "out of memory for locks");
        r->held = h;
        r->capheld = cap;
    }
    r->held[r->nheld].id = op->id;
    r->held[r->nheld].lk = lk;
    r->held[r->nheld].bounced = (uint8_t)bounced;
    r->nheld++;
    return 0;
}

static int do_unlock(struct vmr_run *r, const struct vmt_op *op)
{
    struct vmr_held *h = find_lock(r, op->id);
    if (!h)
        return fail(r, "op %llu: unlock of lock id %lu, which is not held",
                    (unsigned long long)r->op_index, (unsigned long)op->id);
    if (r->cost) unlock_cost(r, h->lk.len, h->lk.mode, h->bounced);
    int rc = vm_unlock(&r->vm, &h->lk);
    for (int tries = 0; rc < 0 && rc != VM_ERR_NOTLOCKED && tries < 8; tries++)
        rc = vm_unlock(&r->vm, &h->lk); /* a failed bounce write-back keeps it held */
    if (rc < 0 && r->shadow && h->lk.mode != VM_LOCK_RO)
        mark_unknown(r, h->lk.addr, h->lk.len, 1);
    *h = r->held[--r->nheld];
    return rc < 0 ? op_failed(r, op, rc) : 0;
}

/* ------------------------------------------------------------- counters */

static void cpu_sync(struct vmr_run *r);
static void snapshot(struct vmr_run *r, struct vmr_counters *c)
{
#if VM_CONFIG_STATS
    const struct vm_stats *s = vm_stats(&r->vm);
    c->hits = s->hits;
    c->misses = s->misses;
    c->loads = s->loads;
    c->fills = s->fills;
    c->evictions = s->evictions;
    c->writebacks = s->writebacks;
    c->locks = s->locks;
#endif
    c->touches = c->hits + c->misses;
    c->ops = r->op_index;
    c->bytes_read = r->n->bytes_read;
    c->bytes_written = r->n->bytes_written;
    c->backend_reads = r->n->reads;
    c->backend_writes = r->n->writes;
    c->backend_errors = r->n->errors;
    c->op_errors = r->op_errors;
    c->access_read = r->access_read;
    c->access_written = r->access_written;
    c->verified = r->verified;
    cpu_sync(r);
    c->time_ns = vmr_time_ns(r);
    c->pager_ns = r->pager_ns;
    c->program_ns = r->program_ns;
    uint64_t cpu = c->pager_ns + c->program_ns, rest = c->time_ns > cpu ? c->time_ns - cpu : 0;
    c->transfer_ns = vmr_stack_transfer_ns(&r->stack);
    if (c->transfer_ns > rest) c->transfer_ns = rest; /* a link's wire overlaps its wait */
    c->wait_ns = rest - c->transfer_ns;
    c->fast_calls = vmr_stack_fast_calls(&r->stack);
}

static void counters_sub(struct vmr_counters *d, const struct vmr_counters *a,
                         const struct vmr_counters *b)
{
    const uint64_t *pa = (const uint64_t *)a, *pb = (const uint64_t *)b;
    uint64_t *pd = (uint64_t *)d;
    for (size_t i = 0; i < sizeof *d / sizeof(uint64_t); i++) pd[i] = pa[i] - pb[i];
}

static void counters_add(struct vmr_counters *d, const struct vmr_counters *a)
{
    const uint64_t *pa = (const uint64_t *)a;
    uint64_t *pd = (uint64_t *)d;
    for (size_t i = 0; i < sizeof *d / sizeof(uint64_t); i++) pd[i] += pa[i];
}

/* Close the current phase segment: add what happened since it began. */
static void close_phase(struct vmr_run *r)
{
    struct vmr_counters now, d;
    snapshot(r, &now);
    counters_sub(&d, &now, &r->phase_start);
    if (r->cur_phase >= 0) counters_add(&r->phases[r->cur_phase].c, &d);
    r->phase_start = now;
}

/* A phase's name as the report keeps it: whole if it fits, else its start
 * and "..." (the trace formats allow 4096 bytes). Phases are told apart by
 * this key, so every segment of a long-named phase lands in one entry. */
static void phase_key(char *key, size_t size, const char *name)
{
    if (strlen(name) < size) {
        memcpy(key, name, strlen(name) + 1);
    } else {
        memcpy(key, name, size - 4);
        memcpy(key + size - 4, "...", 4);
    }
}

static void enter_phase(struct vmr_run *r, const char *name, int count_segment)
{
    char key[sizeof r->phases[0].name];
    uint32_t i;
    phase_key(key, sizeof key, name);
    for (i = 0; i < r->nphases; i++)
        if (strcmp(r->phases[i].name, key) == 0) break;
    if (i == r->nphases) {
        if (r->nphases == VMR_MAX_PHASES) {
            r->phases_dropped++;
            i = VMR_MAX_PHASES - 1;
        } else {
            memset(&r->phases[i], 0, sizeof r->phases[i]);
            memcpy(r->phases[i].name, key, strlen(key) + 1);
            r->nphases++;
        }
    }
    if (count_segment) r->phases[i].segments++;
    r->cur_phase = (int)i;
}

static int do_phase(struct vmr_run *r, const struct vmt_op *op)
{
    char buf[32];
    const char *name = op->name;
    if (!name || !*name) {
        snprintf(buf, sizeof buf, "phase%lu", (unsigned long)op->id);
        name = buf;
    }
    /* Ops before the first marker form a phase of their own, if any. */
    if (r->cur_phase < 0 && r->op_index > 0) {
        enter_phase(r, "(before first phase)", 1);
    }
    close_phase(r);
    enter_phase(r, name, 1);
    if (r->cfg.observer && r->cfg.observer->on_phase)
        r->cfg.observer->on_phase(r->cfg.observer->ctx, op->id, name);
    return 0;
}

/* ------------------------------------------------------------ one op */

static int do_read_slow(struct vmr_run *r, const struct vmt_op *op, vm_addr_t a)
{
    if (grow_scratch(r, op->len)) return -1;
    struct cost_mark cm;
    cost_mark(r, &cm);
    int rc = vm_read(&r->vm, r->scratch, a, op->len);
    if (r->cost) cost_touches(r, &cm, op->len, 0, 0);
    if (rc < 0) return op_failed(r, op, rc);
    return r->check ? check_bytes(r, op, a, r->scratch, op->len) : 0;
}

static int do_write_slow(struct vmr_run *r, const struct vmt_op *op, vm_addr_t a)
{
    const uint8_t *src = op->data;
    if (!src) {
        if (grow_scratch(r, op->len)) return -1;
        fill_pattern(r->scratch, a, op->len, r->op_index);
        src = r->scratch;
    }
    struct cost_mark cm;
    cost_mark(r, &cm);
    int rc = vm_write(&r->vm, a, src, op->len);
    if (r->cost) cost_touches(r, &cm, 0, op->len, 1);
    if (r->shadow) {
        memcpy(r->shadow + a, src, op->len);
        mark_unknown(r, a, op->len, rc < 0);
    }
    return rc < 0 ? op_failed(r, op, rc) : 0;
}

static int do_memset(struct vmr_run *r, const struct vmt_op *op)
{
    vm_addr_t a = 0;
    int rc;
    if (resolve(r, op, op->region, op->addr, op->len, &a)) return -1;
    r->access_written += op->len;
    {
        struct cost_mark cm;
        cost_mark(r, &cm);
        rc = vm_memset(&r->vm, a, op->value, op->len);
        if (r->cost) cost_touches(r, &cm, 0, op->len, 1);
    }
    if (r->shadow) {
        memset(r->shadow + a, op->value, op->len);
        mark_unknown(r, a, op->len, rc < 0);
    }
    return rc < 0 ? op_failed(r, op, rc) : 0;
}

static int do_memcpy(struct vmr_run *r, const struct vmt_op *op)
{
    vm_addr_t a = 0, b = 0;
    int rc;
    if (resolve(r, op, op->region, op->addr, op->len, &a)) return -1;
    if (resolve(r, op, op->src_region, op->src, op->len, &b)) return -1;
    r->access_read += op->len;
    r->access_written += op->len;
    {
        struct cost_mark cm;
        cost_mark(r, &cm);
        rc = vm_memmove(&r->vm, a, b, op->len);
        if (r->cost) cost_touches(r, &cm, op->len, op->len, 0);
    }
    if (r->shadow) {
        memmove(r->shadow + a, r->shadow + b, op->len);
        mark_unknown(r, a, op->len, rc < 0);
    }
    return rc < 0 ? op_failed(r, op, rc) : 0;
}

/* VMT_ALLOC: a region from vm_alloc under the trace's id (1..65535). */
static int do_alloc(struct vmr_run *r, const struct vmt_op *op)
{
    if (op->id == 0 || op->id > 65535u)
        return fail(r, "op %llu: allocation id %lu must be 1..65535",
                    (unsigned long long)r->op_index, (unsigned long)op->id);
    if (op->id >= r->nregions) {
        size_t n = r->nregions ? r->nregions : 16;
        while (n <= op->id) n *= 2;
        struct vmr_region *g = realloc(r->regions, n * sizeof *g);
        if (!g) return fail(r, "out of memory for allocations");
        memset(g + r->nregions, 0, (n - r->nregions) * sizeof *g);
        r->regions = g;
        r->nregions = n;
    }
    if (r->regions[op->id].base != VM_NULL)
        return fail(r, "op %llu: allocation %lu is already live",
                    (unsigned long long)r->op_index, (unsigned long)op->id);
    vm_addr_t p = vm_alloc(&r->vm, op->len);
    if (p == VM_NULL) {
        if (r->cfg.tolerate_errors) {
            r->op_errors++;
            return 0;
        }
        return fail(r, "op %llu: vm_alloc(%lu) for allocation %lu failed (heap full)",
                    (unsigned long long)r->op_index, (unsigned long)op->len,
                    (unsigned long)op->id);
    }
    r->regions[op->id].base = p;
    r->regions[op->id].size = op->len;
    return 0;
}

static int do_free(struct vmr_run *r, const struct vmt_op *op)
{
    int rc;
    if (op->id >= r->nregions || r->regions[op->id].base == VM_NULL)
        return fail(r, "op %llu: free of allocation %lu, which is not live",
                    (unsigned long long)r->op_index, (unsigned long)op->id);
    rc = vm_free(&r->vm, r->regions[op->id].base);
    r->regions[op->id].base = VM_NULL;
    return rc < 0 ? op_failed(r, op, rc) : 0;
}

static inline int replay_one(struct vmr_run *r, const struct vmt_op *op)
{
    vm_addr_t a = 0;
    int rc;
    switch (op->kind) {
    case VMT_READ:
        if (resolve(r, op, op->region, op->addr, op->len, &a)) return -1;
        r->access_read += op->len;
        {
            /* 1, 2 and 4 bytes go through the typed accessors, as the
             * program's own loads do, checked or not: the path (and so the
             * CPU the clock charges) is the program's. */
            union vmr_word v;
            if (op->len == 0) return 0;
            if (op->len != 1 && op->len != 2 && op->len != 4) return do_read_slow(r, op, a);
            rc = typed_access(r, a, op->len, 0, &v);
            if (rc < 0) return op_failed(r, op, rc);
            return r->check ? check_bytes(r, op, a, v.b, op->len) : 0;
        }
    case VMT_WRITE:
        if (resolve(r, op, op->region, op->addr, op->len, &a)) return -1;
        r->access_written += op->len;
        if (op->len == 1 || op->len == 2 || op->len == 4) {
            /* typed stores, as the program's own (see VMT_READ) */
            union vmr_word v;
            uint64_t i = r->op_index;
            for (unsigned k = 0; k < sizeof v.b; k++) /* a constant bound: gcc -O3 sees it */
                v.b[k] = k >= op->len ? 0 : op->data ? op->data[k] : pattern(a + k, i);
            rc = typed_access(r, a, op->len, 1, &v);
            if (r->shadow) {
                memcpy(r->shadow + a, v.b, op->len);
                mark_unknown(r, a, op->len, rc < 0);
            }
            return rc < 0 ? op_failed(r, op, rc) : 0;
        }
        return op->len ? do_write_slow(r, op, a) : 0;
    case VMT_LOCK: return do_lock(r, op);
    case VMT_UNLOCK: return do_unlock(r, op);
    case VMT_MEMSET: return do_memset(r, op);
    case VMT_MEMCPY: return do_memcpy(r, op);
    case VMT_FLUSH:
        if (r->cost) r->pager_cc += r->cost->slow_hit; /* the walk over the slots */
        rc = vm_flush(&r->vm);
        return rc < 0 ? op_failed(r, op, rc) : 0;
    case VMT_INVALIDATE:
        if (r->cost) r->pager_cc += r->cost->slow_hit; /* the walk over the slots */
        rc = vm_invalidate(&r->vm);
        return rc < 0 ? op_failed(r, op, rc) : 0;
    case VMT_ALLOC: return do_alloc(r, op);
    case VMT_FREE: return do_free(r, op);
    case VMT_PHASE: return do_phase(r, op);
    case VMT_COMPUTE:
        if (op->mode == VMT_COMPUTE_NS)
            r->program_extra_ns += op->len;
        else
            r->program_cc += (uint64_t)op->len * 100u;
        return 0;
    default:
        return fail(r, "op %llu: unknown op kind %u", (unsigned long long)r->op_index,
                    (unsigned)op->kind);
    }
}

/* ------------------------------------------------------------- the run */

/* 1 if a trace of this kind can carry the data a read should return. */
static int carries_data(const struct vmt_info *info)
{
    const char *fmt = info ? info->format : NULL;
    return !(fmt && (strcmp(fmt, "binary") == 0 || strcmp(fmt, "lackey") == 0 ||
                     strcmp(fmt, "din") == 0 || strcmp(fmt, "txt") == 0 ||
                     strcmp(fmt, "generator") == 0));
}

/* The pool (from the config or the trace) and the page geometry. */
static int check_geometry(struct vmr_run *r, const struct vmr_config *cfg, const struct vmt_info *info,
                          char *err, size_t errlen)
{
    r->pool = cfg->pool_size ? cfg->pool_size : (info ? info->pool_size : 0);
    if (r->pool == 0 || r->pool > 0x80000000u) {
        snprintf(err, errlen, "pool size %llu: must be 1..2147483648 bytes",
                 (unsigned long long)r->pool);
        return -1;
    }
    const struct vmr_pager_desc *pd = &cfg->pager;
    unsigned ps = pd->page_size, pc = pd->page_count;
    if (!VM_PAGE_SIZE_OK(ps)) {
        snprintf(err, errlen, "page_size %u: must be a power of two from %u to %u", ps,
                 VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX);
        return -1;
    }
    if (pc < 1 || pc > VM_PAGE_COUNT_MAX) {
        snprintf(err, errlen, "page_count %u: must be 1..%u (%d-bit slot index)", pc, VM_PAGE_COUNT_MAX,
                 VM_CONFIG_SLOT_BITS);
        return -1;
    }
    return 0;
}

/* What start_pager allocates (any of it may be NULL). */
static void free_pager_buffers(struct vmr_run *r)
{
    free(r->pages);
    free(r->slots);
    free(r->bounce);
    free(r->heap);
}

/* The pager over the counting layer: page buffers, slots, bounce buffer,
 * heap, the observer's events; then vm_init. */
static int start_pager(struct vmr_run *r, const struct vmr_config *cfg, char *err, size_t errlen)
{
    const struct vmr_pager_desc *pd = &cfg->pager;
    unsigned ps = pd->page_size, pc = pd->page_count;
    r->pages = calloc(pc, ps); /* aligned for any type: >= 4 bytes; defined even unread */
    r->slots = calloc(pc, sizeof *r->slots);
    unsigned bsz = pd->bounce_size ? pd->bounce_size : ps;
    r->bounce = malloc(bsz);
    unsigned hb = pd->heap_blocks ? pd->heap_blocks : 256;
    r->heap = calloc(hb, sizeof *r->heap);
    if (!r->pages || !r->slots || !r->bounce || !r->heap) {
        snprintf(err, errlen, "out of memory for the pager's buffers");
        return -1;
    }
    struct vm_config vc = {
        .backend = r->backend,
        .pool_size = (vm_addr_t)r->pool,
        .page_size = (uint16_t)ps,
        .page_count = (vm_slot_t)pc,
        .policy = pd->policy,
        .flags = pd->flags,
        .pages = r->pages,
        .pages_size = (size_t)ps * pc,
        .slots = r->slots,
        .slot_count = (vm_slot_t)pc,
#if VM_CONFIG_BOUNCE
        .bounce = r->bounce,
        .bounce_size = (uint16_t)bsz,
#endif
#if VM_CONFIG_ALLOC
        .heap = r->heap,
        .heap_blocks = (uint16_t)hb,
#endif
    };
#if VM_CONFIG_EVENTS
    if (cfg->observer && cfg->observer->on_event) {
        vc.event = on_core_event;
        vc.event_ctx = r;
    }
#endif
    int rc = vm_init(&r->vm, &vc);
    if (rc < 0) {
        snprintf(err, errlen, "vm_init: %s (%d)", err_text(rc), rc);
        return -1;
    }
    r->pool = vm_pool_size(&r->vm);
    return 0;
}

/* A shadow of the pool (verify on, within the limit) and whether reads are
 * checked. */
static int start_checking(struct vmr_run *r, const struct vmr_config *cfg, const struct vmt_info *info,
                          char *err, size_t errlen)
{
    if (cfg->verify == VMR_VERIFY_ON) {
        uint64_t lim = cfg->shadow_limit ? cfg->shadow_limit : (256u << 20);
        if (r->pool <= lim) {
            /* The pool starts as the backend's contents: zero for every
             * stack built here (fresh RAM, fresh models). */
            r->shadow = calloc((size_t)r->pool, 1);
            if (!r->shadow) {
                snprintf(err, errlen, "out of memory for a %llu-byte shadow",
                         (unsigned long long)r->pool);
                return -1;
            }
        }
    }
    /* Reads take the checking path when a shadow is kept, or (AUTO/ON)
     * when the trace's format can carry expected data. */
    if (cfg->verify == VMR_VERIFY_OFF)
        r->check = 0;
    else if (r->shadow)
        r->check = 1;
    else
        r->check = carries_data(info);
    return 0;
}

struct vmr_run *vmr_create(const struct vmr_config *cfg, struct vmt_source *src, char *err,
                           size_t errlen)
{
    struct vmr_run *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    r->src = src;
    r->cur_phase = -1;
    const struct vmt_info *info = vmt_info(src);
    if (check_geometry(r, cfg, info, err, errlen)) goto fail;
    /* Nothing looks at the pool's bytes (no shadow, no trace data, no
     * view): the fast path may drop them, and writes need no pattern. */
    const int keep_data = cfg->observer || cfg->verify == VMR_VERIFY_ON ||
                          (cfg->verify == VMR_VERIFY_AUTO && carries_data(info));
    if (vmr_stack_open(&r->stack, &cfg->backend, r->pool, cfg->exact, keep_data, err, errlen))
        goto fail;
    r->nodata = !keep_data && r->stack.fast;
    r->cost = r->stack.cost;
    r->cpu_hz = r->stack.cpu_hz;
    /* the hook: none when the CPU is not on the clock (nothing to do) */
    void (*hook)(void *, int) = r->cpu_hz ? before_backend : NULL;
    if (r->stack.fast) { /* it counts its own calls: no layer between */
        r->n = vmr_fast_count(&r->stack, hook, r);
        r->backend = r->stack.s.backend;
    } else {
        vm_wrap_init(&r->counted, r->stack.s.backend);
        r->counted.before = hook;
        r->counted.before_ctx = r;
        r->n = &r->counted.n;
        r->backend = &r->counted.backend;
    }
    vm_cpu_ns_init(&r->pager_conv, r->cpu_hz);
    vm_cpu_ns_init(&r->program_conv, r->cpu_hz);
    if (!r->cpu_hz) r->cost = NULL;
#if !VM_CONFIG_PATHS
    r->cost = NULL; /* the path each call took is known only from the core's path counters */
#endif
    if (r->stack.fast && hook && !cfg->observer) {
        /* headless: the fast path reads the CPU counters itself, and the
         * clock gets the CPU when it is read (snapshot) */
        const struct vmr_fast_cpu cpu = {&r->pager_cc, &r->program_cc, &r->program_extra_ns, r->cpu_hz,
                                         r->cost ? r->cost->writeback : 0};
        if (vmr_fast_watch(&r->stack, &cpu) == 0) (void)vmr_fast_count(&r->stack, NULL, r);
    }
    if (start_pager(r, cfg, err, errlen) || start_checking(r, cfg, info, err, errlen)) goto fail_stack;
    return r;

fail_stack:
    vmr_stack_close(&r->stack);
fail:
    free_pager_buffers(r);
    free(r);
    return NULL;
}

/* A store of the deterministic pattern (len a constant where it is inlined). */
static inline __attribute__((always_inline)) int plain_store(struct vmr_run *r, vm_addr_t a,
                                                             unsigned len, uint64_t idx, int data)
{
    union vmr_word v;
    v.u32 = 0;
    if (data)
        for (unsigned k = 0; k < len; k++) v.b[k] = pattern(a + k, idx);
    return typed_access(r, a, len, 1, &v);
}

/* A plain read or write of 1, 2 or 4 bytes through the core's inline
 * accessors; writes store the deterministic pattern (with data 0, for a run
 * that keeps no data, any value: zero). PLAIN_OTHER: not one. */
#define PLAIN_OTHER 1
static inline __attribute__((always_inline)) int plain_op(struct vmr_run *r, unsigned kind, unsigned len, vm_addr_t a,
                           uint64_t idx, uint64_t *ard, uint64_t *awr, const int data)
{
    union vmr_word v;
    switch (kind << 3 | len) {
    case VMT_READ << 3 | 1: *ard += 1; return typed_access(r, a, 1, 0, &v);
    case VMT_READ << 3 | 2: *ard += 2; return typed_access(r, a, 2, 0, &v);
    case VMT_READ << 3 | 4: *ard += 4; return typed_access(r, a, 4, 0, &v);
    case VMT_WRITE << 3 | 1: *awr += 1; return plain_store(r, a, 1, idx, data);
    case VMT_WRITE << 3 | 2: *awr += 2; return plain_store(r, a, 2, idx, data);
    case VMT_WRITE << 3 | 4: *awr += 4; return plain_store(r, a, 4, idx, data);
    default: return PLAIN_OTHER;
    }
}

/* A plain op from a packed trace failed with rc: report it as replay_one
 * would. Out of line: the loop below keeps its registers. */
static __attribute__((noinline)) int packed_failed(struct vmr_run *r, unsigned kind, unsigned len, uint64_t a,
                                                    uint64_t idx, int rc)
{
    struct vmt_op op;
    memset(&op, 0, sizeof op);
    op.kind = (uint8_t)kind;
    op.len = len;
    op.addr = a;
    r->op_index = idx;
    return op_failed(r, &op, rc);
}

/* Plain ops straight from a packed trace (vmt_pack_words), at most max of
 * them, stopping before anything else. Returns how many were replayed, or
 * UINT64_MAX after a failure. The word's code (vmt_pack_plain: kind * 3 +
 * log2 len) picks the access directly. Inlined twice: with and without
 * data. */
static inline __attribute__((always_inline)) uint64_t
packed_ops(struct vmr_run *r, uint64_t max, uint64_t *idx, uint64_t *ard, uint64_t *awr,
           const int data)
{
    uint64_t n, k, rd = 0, wr = 0;
    const uint32_t *w = vmt_pack_words(r->src, &n);
    /* lim[code]: the addresses below it hold the access in the pool */
    const uint64_t p = r->pool, l1 = p, l2 = p >= 2 ? p - 1 : 0, l4 = p >= 4 ? p - 3 : 0;
    const uint64_t lim[8] = {l1, l2, l4, l1, l2, l4, 0, 0};
    if (!w) return 0;
    if (n > max) n = max;
    for (k = 0; k < n; k++) {
        const uint32_t word = w[k];
        const unsigned code = word >> VMT_PACK_SHIFT;
        const vm_addr_t a = (vm_addr_t)(word & ((1u << VMT_PACK_SHIFT) - 1u));
        union vmr_word v;
        int rc;
        if (a >= lim[code]) break; /* also any code past 5 */
        switch (code) {
        case 0: rd += 1; rc = typed_access(r, a, 1, 0, &v); break;
        case 1: rd += 2; rc = typed_access(r, a, 2, 0, &v); break;
        case 2: rd += 4; rc = typed_access(r, a, 4, 0, &v); break;
        case 3: wr += 1; rc = plain_store(r, a, 1, *idx + k, data); break;
        case 4: wr += 2; rc = plain_store(r, a, 2, *idx + k, data); break;
        default: wr += 4; rc = plain_store(r, a, 4, *idx + k, data); break;
        }
        if (rc < 0 && packed_failed(r, code / 3u, 1u << (code % 3u), a, *idx + k, rc)) {
            *ard += rd;
            *awr += wr;
            *idx += k;
            vmt_pack_skip(r->src, k + 1);
            return UINT64_MAX;
        }
    }
    *ard += rd;
    *awr += wr;
    *idx += k;
    vmt_pack_skip(r->src, k);
    return k;
}

/* vmt_next returned n <= 0: the trace has ended (0), or it failed (-1). */
static int trace_end(struct vmr_run *r, int n)
{
    if (n < 0) return fail(r, "trace: %s", vmt_error(r->src));
    r->ended = 1;
    return 0;
}

/* vmr_step with an observer: every op goes through replay_one and is
 * reported. */
static int observed_ops(struct vmr_run *r, uint64_t max_ops, const struct vmr_observer *obs)
{
    struct vmt_op op;
    while (max_ops--) {
        int n = vmt_next(r->src, &op);
        if (n <= 0) return trace_end(r, n);
        int rc = replay_one(r, &op);
        obs->on_op(obs->ctx, r->op_index, &op, rc);
        r->op_index++;
        if (rc) return -1;
    }
    return 1;
}

/* vmr_step headless: plain reads and writes of 1, 2 and 4 bytes at absolute
 * addresses, with nothing to check, take the inline accessors here (straight
 * from a packed trace where there is one); everything else goes through
 * replay_one. */
static int headless_ops(struct vmr_run *r, uint64_t max_ops)
{
    struct vmt_op op;
    const int fast = !r->check && !r->shadow;
    const uint64_t pool = r->pool;
    uint64_t idx = r->op_index, ard = 0, awr = 0;
    int ret = 1;
    uint64_t avail;
    const int packed = fast && vmt_pack_words(r->src, &avail) != NULL;
    while (max_ops) {
        if (packed) {
            uint64_t k = r->nodata ? packed_ops(r, max_ops, &idx, &ard, &awr, 0)
                                   : packed_ops(r, max_ops, &idx, &ard, &awr, 1);
            if (k == UINT64_MAX) {
                ret = -1;
                break;
            }
            max_ops -= k;
            if (max_ops == 0) break;
        }
        max_ops--;
        int n = vmt_next(r->src, &op);
        if (n <= 0) {
            r->op_index = idx;
            ret = trace_end(r, n);
            break;
        }
        if (fast && op.region == 0 && op.len - 1u < 4u && op.data == NULL &&
            op.len <= pool && op.addr <= pool - op.len) {
            int rc = plain_op(r, op.kind, op.len, (vm_addr_t)op.addr, idx, &ard, &awr, 1);
            if (rc == PLAIN_OTHER) goto slow;
            if (rc < 0) {
                r->op_index = idx;
                if (op_failed(r, &op, rc)) {
                    ret = -1;
                    break;
                }
            }
            idx++;
            continue;
        }
    slow:
        r->op_index = idx;
        r->access_read += ard;
        r->access_written += awr;
        ard = awr = 0;
        if (replay_one(r, &op)) {
            ret = -1;
            break;
        }
        idx++;
    }
    r->op_index = idx;
    r->access_read += ard;
    r->access_written += awr;
    return ret;
}

int vmr_step(struct vmr_run *r, uint64_t max_ops)
{
    if (r->failed) return -1;
    if (r->ended) return 0;
    const struct vmr_observer *obs = r->cfg.observer;
    return obs && obs->on_op ? observed_ops(r, max_ops, obs) : headless_ops(r, max_ops);
}

uint64_t vmr_time_ns(const struct vmr_run *r)
{
    return r->stack.s.clock ? vm_simclock_now(r->stack.s.clock) - r->stack.t0
                          : vm_simclock_now(&r->own_clock);
}

int vmr_timed(const struct vmr_run *r) { return r->stack.s.clock != NULL || r->cpu_hz != 0; }

const struct vmr_counters *vmr_counters(struct vmr_run *r)
{
    snapshot(r, &r->live);
    return &r->live;
}

struct vm *vmr_vm(struct vmr_run *r) { return &r->vm; }

const char *vmr_error(const struct vmr_run *r) { return r->error; }

#if VM_CONFIG_WALK
static void sum_dirty(void *ctx, const struct vm_slot_info *in)
{
    uint64_t *d = ctx;
    if (in->base != VM_NO_PAGE && in->dhi > in->dlo) *d += (uint64_t)(in->dhi - in->dlo);
}
#endif

int vmr_finish(struct vmr_run *r, struct vmr_result *res)
{
    memset(res, 0, sizeof *res);
    if (r->cfg.flush_at_end && r->ended && !r->failed && !r->flushed) {
        r->flushed = 1;
        close_phase(r);
        enter_phase(r, "(final flush)", 1);
        int rc = vm_flush(&r->vm);
        if (rc < 0 && !r->cfg.tolerate_errors)
            fail(r, "final flush: %s (%d)", err_text(rc), rc);
    }
    if (r->cur_phase >= 0) close_phase(r);
    snapshot(r, &res->total);
#if VM_CONFIG_STATS
    const struct vm_stats *s = vm_stats(&r->vm);
    const struct vm_wrap_counts *n = r->n;
    if (!r->failed && s->bytes_read != n->bytes_read && s->bytes_read != n->read_asked)
        fail(r, "byte counts disagree: vm_stats says %llu bytes read, the backend seam counted %llu",
             (unsigned long long)s->bytes_read, (unsigned long long)n->bytes_read);
    if (!r->failed && s->bytes_written != n->bytes_written && s->bytes_written != n->write_asked)
        fail(r, "byte counts disagree: vm_stats says %llu bytes written, the backend seam counted %llu",
             (unsigned long long)s->bytes_written, (unsigned long long)n->bytes_written);
#endif
#if VM_CONFIG_WALK
    vm_walk(&r->vm, sum_dirty, &res->dirty_at_end);
#endif
#if VM_CONFIG_CHECK
    if (!r->failed && vm_check(&r->vm) != VM_OK)
        fail(r, "vm_check found a broken invariant after op %llu", (unsigned long long)r->op_index);
#endif
    res->ok = !r->failed;
    snprintf(res->error, sizeof res->error, "%s", r->error);
    res->ram_cost = vmr_ram_cost(r->cfg.backend.profile, r->cfg.pager.page_size, r->cfg.pager.page_count);
    res->pool_size = r->pool;
    res->verified_full = r->shadow != NULL && r->unknown == NULL;
    res->phase_count = r->nphases;
    memcpy(res->phases, r->phases, sizeof res->phases);
    res->phases_dropped = r->phases_dropped;
    return res->ok ? 0 : -1;
}

void vmr_destroy(struct vmr_run *r)
{
    if (!r) return;
    vmr_stack_close(&r->stack);
    free_pager_buffers(r);
    drop_shadow(r);
    free(r->scratch);
    free(r->regions);
    free(r->held);
    free(r);
}

int vmr_replay(const struct vmr_config *cfg, struct vmt_source *src, struct vmr_result *res)
{
    char err[256];
    struct vmr_run *r = vmr_create(cfg, src, err, sizeof err);
    if (!r) {
        memset(res, 0, sizeof *res);
        snprintf(res->error, sizeof res->error, "%s", err);
        return -1;
    }
    while (vmr_step(r, 1u << 20) > 0) {
    }
    int rc = vmr_finish(r, res);
    vmr_destroy(r);
    return rc;
}
