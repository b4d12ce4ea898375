/*
 * vmr_fast.c - the fast path of a backend stack (see vmr_fast.h).
 *
 * The pager talks to a plain array for its data (or to nothing at all when
 * the run never looks at what it reads back: no trace data, no shadow, no
 * view; then a read leaves the page buffer as it was, and only the counts
 * and the clock move); the simulated time of each
 * backend call comes from the byte-exact stack itself. A call of a given
 * kind and length is priced once, by making it on a private exact stack (the
 * probe) and reading how far the probe's clock moved; the price is kept and
 * charged to every later call of that kind and length. Before a call the
 * probe's clock moves on by as much as the run's did since the previous call
 * (the pager's and the program's CPU), so the probe sees the same pauses.
 * That is exact for a device whose cost per call depends on what came before
 * only through a pause shorter than `settle` (an SPI chip select's minimum
 * high time), which the device declares (the `fast` hook of struct
 * vm_device) and tests/sim/test_fastcost.sh checks on every scenario: a
 * shape has two prices, right after a call and after a pause of settle or
 * more; calls after a shorter pause, and calls that cross a declared
 * boundary (an SRAM chip edge: two transactions), are priced at their
 * address and moment, every time.
 *
 * A device whose calls also depend on where they fall against a free-running
 * timer or bus frame (a period on its clock: vm_device.fast_period; serial
 * over an 8U2 bridge or native USB) is the same at every start time with the
 * same remainder modulo the period. Its calls are priced once per (kind,
 * length, phase), the probe moved on to the run's phase before it makes a
 * call, and kept in a hash table of at most PHASE_MAX prices (past that,
 * new phases are priced each time).
 *
 * A headless run on a device without a period does not put its CPU on the
 * clock before each call (vmr_fast_watch): the fast path reads the run's
 * CPU counters and takes the pause from them, and only when the step is too
 * short to be surely settle or more does it convert cycles to ns; the run
 * puts the CPU on the clock when it reads the clock. Prices depend on the
 * pause alone, so the times are the same. Such a run that also keeps no
 * data (a sweep) calls watched_read/watched_write: fast_call with its
 * common case written out, a leaf with no register saves.
 */
#include "vmr_fast.h"

#include "vm_platform.h"
#include "vm_wrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lengths up to this are memoised; longer calls are priced each time. */
#define FAST_MEMO_LEN 8192u
/* Prices kept by phase at most (24 B each); the table doubles up to it. */
#define PHASE_MAX (1u << 16)

/* A call's kind: what a probe makes. */
enum { CALL_READ, CALL_WRITE, CALL_SYNC };

/* A price by (kind, length, phase): key 0 is an empty entry. */
struct phase_price {
    uint64_t key, ns, xfer;
};

struct vmr_fast {
    struct vmr_stack *probe;    /* the exact stack: prices calls, holds no data we use */
    struct vm_backend be;       /* what the pager talks to */
    struct vm_simclock clock;   /* the run's clock */
    uint8_t *mem;               /* the pool's bytes; NULL: the run never looks at data */
    uint64_t pool;
    int clocked;                /* 0: the device has no clock (ideal ram): no time */
    uint64_t split;             /* calls crossing a multiple of this are priced each time; 0: none */
    uint64_t split_bit;         /* split a power of two (or none: 2^63): crossing it is a
                                   differing address bit at or above it; UINT64_MAX: divide */
    uint64_t settle;            /* pauses of this or more are all alike */
    uint64_t period;            /* the device's timer or frame period; 0: none */
    uint64_t origin;            /* the device clock's reading at the run's time 0 */
    struct phase_price *ph;     /* with period: prices by phase, ph_cap of them */
    size_t ph_cap, ph_used;
    uint64_t last_end;          /* the run's clock when the previous call ended */
    int probe_current;          /* the probe's last call was the run's previous one */
    uint64_t sync_ns[2];        /* [settled]: ns + 1, 0 unpriced */
    uint64_t sync_xfer[2];
    uint64_t transfer;          /* time moving bytes so far (vmr_stack_transfer_ns) */
    uint64_t fast_calls;        /* calls answered without the probe (vmr_fast_calls) */
    struct vm_wrap_counts n;    /* the pager's calls, as vm_wrap counts them */
    void (*before)(void *ctx, int call); /* the run's hook before each call; NULL: none */
    void *before_ctx;
    /* Watched (vmr_fast_watch): the pause before a call is the run's CPU
     * since the previous one, read from its counters instead of the clock
     * (which gets that CPU later, from the run). cpu.hz 0: not watched. */
    struct vmr_fast_cpu cpu;
    uint64_t long_cc;           /* a step this long (1/100 cycles) is a pause of settle or more */
    uint64_t at[3], prev[3];    /* pager cc, program cc, extra ns at the previous call, and before it */
    uint8_t *scratch;
    size_t scratch_size;
    /* [settled][write][len]; settled: after a pause of settle or more,
     * else right after a call. Last: a stack without a clock (nothing to
     * price) allocates the struct without it. */
    struct fast_price {
        uint64_t ns;   /* ns + 1, 0 unpriced */
        uint64_t xfer; /* the part moving bytes */
    } memo[2][2][FAST_MEMO_LEN + 1];
};

/* The probe's clock to the moment of a call made pause ns after the run's
 * previous call. A pause shorter than settle counts from the end of that
 * call: if the probe did not make it (it was charged from a price), a
 * one-byte read at a stands in for it. With a period (settle is 0), the
 * probe moves on to the run's phase instead. */
static void probe_pause(struct vmr_fast *f, vm_addr_t a, uint64_t pause)
{
    const struct vm_backend *pb = f->probe->s.backend;
    struct vm_simclock *pc = f->probe->s.clock;
    if (f->period) {
        uint64_t want = (f->origin + vm_simclock_now(&f->clock)) % f->period;
        pause = (want + f->period - vm_simclock_now(pc) % f->period) % f->period;
    } else if (pause < f->settle && !f->probe_current) {
        (void)pb->read(pb->ctx, a, f->scratch, 1);
    }
    vm_simclock_advance(pc, pause);
    f->probe_current = 1;
}

/* What the probe's clock moves for one call (kind: read, write or sync;
 * len bytes at a) pause ns after the previous; *xfer: the part of it moving
 * bytes (vmr_stack_transfer_ns). */
static uint64_t probe(struct vmr_fast *f, unsigned kind, vm_addr_t a, size_t len, uint64_t pause,
                      uint64_t *xfer)
{
    const struct vm_backend *pb = f->probe->s.backend;
    uint64_t t0, x0;
    *xfer = 0;
    if (len > f->scratch_size) {
        uint8_t *g = realloc(f->scratch, len);
        if (!g) return 0;
        f->scratch = g;
        f->scratch_size = len;
    }
    probe_pause(f, a, pause);
    t0 = vm_simclock_now(f->probe->s.clock);
    x0 = vmr_stack_transfer_ns(f->probe);
    if (kind == CALL_SYNC)
        (void)pb->sync(pb->ctx);
    else if (kind == CALL_WRITE)
        (void)pb->write(pb->ctx, a, f->scratch, len);
    else
        (void)pb->read(pb->ctx, a, f->scratch, len);
    *xfer = vmr_stack_transfer_ns(f->probe) - x0;
    return vm_simclock_now(f->probe->s.clock) - t0;
}

/* The entry for key in the phase table: its own, or the empty one it would
 * take (NULL when the table is full). Grows the table when 3/4 full. */
static struct phase_price *phase_entry(struct vmr_fast *f, uint64_t key)
{
    if (4 * (f->ph_used + 1) > 3 * f->ph_cap && f->ph_cap < PHASE_MAX) {
        size_t cap = f->ph_cap ? 2 * f->ph_cap : 256, i;
        struct phase_price *t = calloc(cap, sizeof *t), *old = f->ph;
        if (t) {
            f->ph = t;
            f->ph_cap = cap;
            for (i = 0; old && i < cap / 2; i++)
                if (old[i].key) *phase_entry(f, old[i].key) = old[i];
            free(old);
        }
    }
    if (!f->ph_cap) return NULL;
    size_t mask = f->ph_cap - 1, i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (f->ph[i].key && f->ph[i].key != key) i = (i + 1) & mask;
    if (!f->ph[i].key && 4 * (f->ph_used + 1) > 3 * f->ph_cap) return NULL; /* full */
    return &f->ph[i];
}

/* A periodic device's call: the price at the run's phase, kept from an
 * earlier call or made now on the probe. */
static uint64_t phase_price(struct vmr_fast *f, unsigned kind, vm_addr_t a, size_t len,
                            uint64_t *xfer)
{
    uint64_t phase = (f->origin + vm_simclock_now(&f->clock)) % f->period;
    uint64_t key = ((phase << 14 | len) << 2 | kind) + 1, ns;
    struct phase_price *e = phase_entry(f, key);
    if (e && e->key == key) {
        f->probe_current = 0;
        f->fast_calls++;
        *xfer = e->xfer;
        return e->ns;
    }
    ns = probe(f, kind, a, len, 0, xfer);
    if (e) {
        *e = (struct phase_price){key, ns, *xfer};
        f->ph_used++;
    }
    return ns;
}

/* 1 if a call of len >= 1 bytes at a crosses a multiple of split. */
static inline int crosses(const struct vmr_fast *f, vm_addr_t a, size_t len)
{
    uint64_t last = (uint64_t)a + len - 1;
    if (f->split_bit != UINT64_MAX) return (a ^ last) >= f->split_bit; /* a differing bit at or above it */
    return a / f->split != last / f->split;
}

/* Watched: nanoseconds of CPU between the counters from[] and to[] (cc to
 * ns as the run's clock converts them: vm_cpu_cc_ns of each total). */
static uint64_t cpu_between(const struct vmr_fast *f, const uint64_t *from, const uint64_t *to)
{
    uint32_t hz = f->cpu.hz;
    return vm_cpu_cc_ns(to[0], hz) - vm_cpu_cc_ns(from[0], hz) + vm_cpu_cc_ns(to[1], hz) -
           vm_cpu_cc_ns(from[1], hz) + (to[2] - from[2]);
}

/* A long pause (watched): settle or more, its length not worked out. */
#define PAUSE_LONG UINT64_MAX
/* A short pause (watched): less than settle, not worked out yet. */
#define PAUSE_SHORT (UINT64_MAX - 1u)

/* Watched: the pause that the run's CPU counters now[] give since at[]
 * (the previous call): PAUSE_LONG when a step that long is a pause of
 * settle or more, 0 when there was no CPU since, else PAUSE_SHORT. */
static inline uint64_t watched_pause(const struct vmr_fast *f, const uint64_t *now)
{
    uint64_t dp = now[0] - f->at[0], dq = now[1] - f->at[1], de = now[2] - f->at[2];
    if (dp >= f->long_cc || dq >= f->long_cc || de >= f->settle + 1) return PAUSE_LONG;
    return (dp | dq | de) ? PAUSE_SHORT : 0;
}

/* The run's CPU counters now (watched). */
static inline void watched_now(const struct vmr_fast *f, uint64_t *now)
{
    now[0] = *f->cpu.pager_cc;
    now[1] = *f->cpu.program_cc;
    now[2] = *f->cpu.extra_ns;
}

/* The pause before a call that is about to be charged: the run's clock
 * since the previous call ended, or (watched) the run's CPU since then,
 * PAUSE_LONG when a step that long is a pause of settle or more. */
static inline uint64_t call_pause(struct vmr_fast *f)
{
    uint64_t now[3], pause;
    if (!f->cpu.hz) return vm_simclock_now(&f->clock) - f->last_end;
    watched_now(f, now);
    pause = watched_pause(f, now);
    memcpy(f->prev, f->at, sizeof f->at);
    memcpy(f->at, now, sizeof f->at);
    return pause == PAUSE_SHORT ? cpu_between(f, f->prev, f->at) : pause;
}

/* The run's clock after a call that took ns, xfer of it moving bytes. */
static inline void advance(struct vmr_fast *f, uint64_t ns, uint64_t xfer)
{
    f->transfer += xfer;
    vm_simclock_advance(&f->clock, ns);
    f->last_end = vm_simclock_now(&f->clock);
}

/* A pause to price a call at: PAUSE_LONG worked out. */
static inline uint64_t exact_pause(const struct vmr_fast *f, uint64_t pause)
{
    return pause == PAUSE_LONG ? cpu_between(f, f->prev, f->at) : pause;
}

/* Advance the run's clock by what the call costs. */
static inline void charge(struct vmr_fast *f, int write, vm_addr_t a, size_t len)
{
    uint64_t ns, xfer;
    uint64_t pause = call_pause(f);
    int settled = pause >= f->settle;
    if (len > FAST_MEMO_LEN || (pause && !settled) || crosses(f, a, len)) {
        ns = probe(f, (unsigned)write, a, len, exact_pause(f, pause), &xfer);
    } else if (f->period) {
        ns = phase_price(f, (unsigned)write, a, len, &xfer);
    } else {
        struct fast_price *m = &f->memo[settled][write][len];
        if (m->ns) {
            f->probe_current = 0;
            f->fast_calls++;
        } else {
            m->ns = probe(f, (unsigned)write, a, len, exact_pause(f, pause), &m->xfer) + 1;
        }
        ns = m->ns - 1;
        xfer = m->xfer;
    }
    advance(f, ns, xfer);
}

static inline int in_pool(const struct vmr_fast *f, vm_addr_t a, size_t len)
{
    return a <= f->pool && len <= f->pool - a;
}

/* A call starts: the run's hook (watched: a write's write-back CPU),
 * then the call is counted. */
static inline void start(struct vmr_fast *f, int write, size_t len)
{
    if (f->before) f->before(f->before_ctx, write ? VM_WRAP_WRITE : VM_WRAP_READ);
    if (write && f->cpu.hz) *f->cpu.pager_cc += f->cpu.writeback_cc;
    vm_wrap_count_start(&f->n, write, len);
}

/* A read (into rbuf) or a write (from wbuf) of len bytes at a. */
static inline __attribute__((always_inline)) int fast_call(struct vmr_fast *f, int write, vm_addr_t a,
                                                           void *rbuf, const void *wbuf, size_t len)
{
    start(f, write, len);
    if (!in_pool(f, a, len)) return vm_wrap_count_end(&f->n, write, VM_ERR_RANGE, len);
    if (f->mem) {
        if (write)
            memcpy(f->mem + a, wbuf, len);
        else
            memcpy(rbuf, f->mem + a, len);
    }
    if (len && f->clocked)
        charge(f, write, a, len);
    else
        f->fast_calls++;
    return vm_wrap_count_end(&f->n, write, VM_OK, len);
}

static int fast_read(void *ctx, vm_addr_t a, void *buf, size_t len)
{
    return fast_call(ctx, 0, a, buf, NULL, len);
}

static int fast_write(void *ctx, vm_addr_t a, const void *buf, size_t len)
{
    return fast_call(ctx, 1, a, NULL, buf, len);
}

/* The end of a watched call of len >= 1 bytes whose price the short path
 * below cannot give: charge() and the count, as fast_call ends. Out of line
 * and called last, so that the short path saves no registers. */
static __attribute__((noinline)) int watched_charge(struct vmr_fast *f, int write, vm_addr_t a,
                                                    size_t len)
{
    charge(f, write, a, len);
    return vm_wrap_count_end(&f->n, write, VM_OK, len);
}

/* fast_call for a watched run that keeps no data and has no hook (a
 * headless sweep on a clocked device without a period): what fast_call
 * does, in the order it does it, with the common case written out. That
 * case is a call after a step of CPU long enough to be a pause of settle or
 * more (call_pause's PAUSE_LONG), or right after the previous call (no CPU
 * between: a load after a write-back), of a length already priced at that
 * pause and crossing no boundary: the price is charged and the counters are
 * kept for the next call. Anything else goes through charge(), which finds the
 * counters as the common case left them. */
static inline __attribute__((always_inline)) int watched_call(struct vmr_fast *f, int write,
                                                               vm_addr_t a, size_t len)
{
    const struct fast_price *m;
    uint64_t now[3], pause;
    if (write) *f->cpu.pager_cc += f->cpu.writeback_cc;
    vm_wrap_count_start(&f->n, write, len);
    if (!in_pool(f, a, len)) return vm_wrap_count_end(&f->n, write, VM_ERR_RANGE, len);
    watched_now(f, now);
    pause = watched_pause(f, now);
    if (pause != PAUSE_SHORT && len - 1u < FAST_MEMO_LEN &&
        (m = &f->memo[pause >= f->settle][write][len])->ns && !crosses(f, a, len)) {
        memcpy(f->at, now, sizeof f->at);
        f->probe_current = 0;
        f->fast_calls++;
        advance(f, m->ns - 1, m->xfer);
        return vm_wrap_count_end(&f->n, write, VM_OK, len);
    }
    if (len) return watched_charge(f, write, a, len);
    f->fast_calls++;
    return vm_wrap_count_end(&f->n, write, VM_OK, len);
}

static int watched_read(void *ctx, vm_addr_t a, void *buf, size_t len)
{
    (void)buf;
    return watched_call(ctx, 0, a, len);
}

static int watched_write(void *ctx, vm_addr_t a, const void *buf, size_t len)
{
    (void)buf;
    return watched_call(ctx, 1, a, len);
}

/* No clock and no data (ideal ram in a sweep): the call is counted and its
 * range checked. Every call that succeeds is a fast call (vmr_fast_calls
 * counts them from the counts). */
static inline int bare_count(struct vmr_fast *f, int write, vm_addr_t a, size_t len)
{
    vm_wrap_count_start(&f->n, write, len);
    if (!in_pool(f, a, len)) return vm_wrap_count_end(&f->n, write, VM_ERR_RANGE, len);
    return vm_wrap_count_end(&f->n, write, VM_OK, len);
}

/* The same after the run's hook; out of line, so that a call without a
 * hook saves no registers. */
static __attribute__((noinline)) int bare_hooked(struct vmr_fast *f, int write, vm_addr_t a, size_t len)
{
    f->before(f->before_ctx, write ? VM_WRAP_WRITE : VM_WRAP_READ);
    return bare_count(f, write, a, len);
}

static int bare_read(void *ctx, vm_addr_t a, void *buf, size_t len)
{
    struct vmr_fast *f = ctx;
    (void)buf;
    return f->before ? bare_hooked(f, 0, a, len) : bare_count(f, 0, a, len);
}

static int bare_write(void *ctx, vm_addr_t a, const void *buf, size_t len)
{
    struct vmr_fast *f = ctx;
    (void)buf;
    return f->before ? bare_hooked(f, 1, a, len) : bare_count(f, 1, a, len);
}

/* A sync (as vm_wrap: the hook, counted, VM_OK when the device has none). */
static int fast_sync(void *ctx)
{
    struct vmr_fast *f = ctx;
    const struct vm_backend *pb = f->probe->s.backend;
    if (f->before) f->before(f->before_ctx, VM_WRAP_SYNC);
    f->n.syncs++;
    if (!f->clocked || !pb->sync) return VM_OK;
    uint64_t pause = call_pause(f);
    int settled = pause >= f->settle;
    uint64_t ns, xfer;
    if (f->period) {
        ns = phase_price(f, CALL_SYNC, 0, 0, &xfer);
    } else if (!f->sync_ns[settled] || (pause && !settled)) {
        ns = probe(f, CALL_SYNC, 0, 0, exact_pause(f, pause), &xfer);
        if (!pause || settled) {
            f->sync_ns[settled] = ns + 1;
            f->sync_xfer[settled] = xfer;
        }
    } else {
        ns = f->sync_ns[settled] - 1;
        xfer = f->sync_xfer[settled];
        f->probe_current = 0;
        f->fast_calls++;
    }
    advance(f, ns, xfer);
    return VM_OK;
}

/* The read and write the pager calls: the least general of bare_*,
 * watched_* and fast_* that does what this run needs. */
static void choose_calls(struct vmr_fast *f)
{
    if (!f->clocked && !f->mem) {
        f->be.read = bare_read;
        f->be.write = bare_write;
    } else if (f->cpu.hz && !f->mem && !f->before && !f->period) {
        f->be.read = watched_read;
        f->be.write = watched_write;
    } else {
        f->be.read = fast_read;
        f->be.write = fast_write;
    }
}

/* Frees what vmr_fast_open allocated (not the probe, which the caller
 * hands over only when the open succeeds); f may be NULL or partly built. */
static void fast_free(struct vmr_fast *f)
{
    if (!f) return;
    free(f->mem);
    free(f->scratch);
    free(f->ph);
    free(f);
}

int vmr_fast_open(struct vmr_stack *st, struct vmr_stack *exact, uint64_t split, uint64_t settle,
                  uint64_t period, uint64_t pool, int keep_data, char *err, size_t errlen)
{
    int clocked = exact->s.clock != NULL;
    struct vmr_fast *f = calloc(1, clocked ? sizeof *f : offsetof(struct vmr_fast, memo));
    if (f && keep_data) f->mem = calloc((size_t)pool, 1);
    if (f) f->scratch = malloc(f->scratch_size = 64);
    if (!f || (keep_data && !f->mem) || !f->scratch) {
        fast_free(f);
        snprintf(err, errlen, "out of memory for a %llu-byte pool", (unsigned long long)pool);
        return -1;
    }
    f->probe = exact;
    f->pool = pool;
    f->clocked = clocked;
    f->split = split;
    /* no split: a bit no address has; a split not a power of two: divide */
    f->split_bit = !split ? (uint64_t)1 << 63 : (split & (split - 1)) == 0 ? split : UINT64_MAX;
    f->settle = period ? 0 : settle;
    f->period = clocked ? period : 0;
    f->origin = exact->t0; /* the run's clock starts at 0, the exact run's at t0 */
    f->probe_current = 1;
    choose_calls(f);
    f->be.sync = fast_sync; /* counted even when the device has none */
    f->be.ctx = f;
    f->be.size = exact->s.backend->size;
    st->dev = exact->dev;
    st->s.backend = &f->be;
    st->s.clock = f->clocked ? &f->clock : NULL;
    st->t0 = 0;
    st->plat = exact->plat;
    st->cost = exact->cost;
    st->cpu_hz = exact->cpu_hz;
    st->fast = f;
    return 0;
}

void vmr_fast_close(struct vmr_stack *st)
{
    struct vmr_fast *f = st->fast;
    if (!f) return;
    vmr_stack_close(f->probe);
    free(f->probe);
    fast_free(f);
    st->fast = NULL;
}

uint64_t vmr_fast_calls(const struct vmr_stack *st)
{
    const struct vmr_fast *f = st->fast;
    if (f->be.read == bare_read) return (uint64_t)(f->n.reads + f->n.writes - f->n.errors);
    return f->fast_calls;
}

const struct vm_wrap_counts *vmr_fast_count(struct vmr_stack *st, void (*before)(void *ctx, int call),
                                            void *ctx)
{
    struct vmr_fast *f = st->fast;
    f->before = before;
    f->before_ctx = ctx;
    choose_calls(f);
    return &f->n;
}

int vmr_fast_watch(struct vmr_stack *st, const struct vmr_fast_cpu *cpu)
{
    struct vmr_fast *f = st->fast;
    if (!f->clocked || f->period || !cpu->hz) return -1;
    f->cpu = *cpu;
    /* (c1 - c0) * 10^7 >= (settle + 1) * hz: the step in ns, floor(c1 * 10^7
     * / hz) - floor(c0 * 10^7 / hz), is more than settle */
    f->long_cc = ((f->settle + 1) * cpu->hz + 9999999u) / 10000000u;
    f->at[0] = *cpu->pager_cc;
    f->at[1] = *cpu->program_cc;
    f->at[2] = *cpu->extra_ns;
    choose_calls(f);
    return 0;
}

uint64_t vmr_fast_transfer_ns(const struct vmr_stack *st)
{
    const struct vmr_fast *f = st->fast;
    return f->transfer;
}
