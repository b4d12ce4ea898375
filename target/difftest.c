/*
 * difftest.c - randomised differential test of the pager against a plain array.
 *
 * Runs on the target itself (atmega2560, atmega328p under simavr) and, for
 * debugging, on a host. Every case sets up the pager over the vm_ram backend
 * (its memory is the MCU's own RAM; seeded faults come from the vm_wrap
 * layer around it) for one policy and geometry, then applies
 * a seeded random sequence of operations both to the pager and to `ref`, a
 * plain array holding what the pool must contain:
 *   vm_read/vm_write, vm_get/set 8/16/32, locks RO/RW/WO (in-page and
 *   bounced, some held while other accesses run), vm_memset, vm_memmove
 *   (overlapping too), vm_flush, vm_invalidate, bad arguments, and the
 *   allocator (exact first-fit placement, realloc moving the data); half
 *   the cases run with VM_CLEAN_FIRST.
 * Reads are compared with ref at once; vm_check runs after every operation;
 * the observer's event counts must match the statistics at the end of a case;
 * a whole-pool read compares everything periodically; at the end of a case a
 * flush must make the backend's memory equal ref byte for byte.
 *
 * With fault injection on (vm_wrap_faults), an operation may fail with
 * VM_ERR_IO. It must then have done a prefix of its range (a suffix for a
 * vm_memmove to a higher overlapping address) and nothing else: the test
 * turns faults off, reads the range back, checks that shape and brings ref
 * in step. Any other error, or any difference, is a failure.
 *
 * Output: one line per case, then "ops=<n> PASS" or, at the first failure,
 * a line describing it and "ops=<n> FAIL". The platform layer (dt_platform.h)
 * provides character output and the exit.
 *
 * Build-time parameters (all have defaults below): DT_POOL (pool bytes),
 * DT_MAX_PAGE (largest page), DT_MAX_COUNT (most pages), DT_SIZES and
 * DT_COUNTS (geometries swept), DT_OPS (operations per case), DT_FAULTS
 * (1: also run every case with faults on), DT_ALLOC (1: also vm_alloc,
 * vm_free and vm_realloc, checked against a first-fit model of the block
 * table; default: when the core has the allocator).
 */
#include "dt_platform.h"
#include "vm.h"
#include "vm_ram.h"
#include "vm_wrap.h"

#define S(text) DT_STR(text)

#ifndef DT_POOL
#define DT_POOL 1024u
#endif
#ifndef DT_MAX_PAGE
#define DT_MAX_PAGE 64u
#endif
#ifndef DT_MAX_COUNT
#define DT_MAX_COUNT 4u
#endif
#ifndef DT_SIZES
#define DT_SIZES 16, 32, 64
#endif
#ifndef DT_COUNTS
#define DT_COUNTS 1, 2, 4
#endif
#ifndef DT_OPS
#define DT_OPS 400u
#endif
#ifndef DT_FAULTS
#define DT_FAULTS 1
#endif
#ifndef DT_ALLOC
#define DT_ALLOC VM_CONFIG_ALLOC
#endif
#if DT_ALLOC && !VM_CONFIG_ALLOC
#error "DT_ALLOC needs VM_CONFIG_ALLOC"
#endif
#ifndef DT_SEED
#define DT_SEED 0x2545F491u
#endif

/* Longest single operation: 2.5 pages, so most cross two boundaries. */
#define DT_MAX_LEN (DT_MAX_PAGE * 5u / 2u)

static uint8_t backing[DT_POOL]; /* the vm_ram backend's memory */
static uint8_t ref[DT_POOL];     /* what the pool must hold */
static uint8_t buf[DT_MAX_LEN];  /* data going in or coming out */
static uint8_t old[DT_MAX_LEN];  /* ref's bytes before a failed operation */
static uint8_t want[DT_MAX_LEN]; /* what the operation was to write */
/* Not VM_STORAGE: on AVR a uint32_t array is only 1-byte aligned, and
 * vm_init wants 4-byte aligned pages. */
static uint32_t dt_pages[DT_MAX_PAGE * DT_MAX_COUNT / 4u] DT_ALIGN4;
static struct vm_slot dt_slots[DT_MAX_COUNT];
static uint32_t bounce_buf[DT_MAX_PAGE / 4u];

static struct vm vm;
static struct vm_ram ram;
static struct vm_wrap wrap; /* around ram: the seeded faults */

#if DT_ALLOC
#define DT_BLOCKS 6u
static struct vm_block heap_table[DT_BLOCKS]; /* the core's */
static struct vm_block live[DT_BLOCKS];       /* the model's, by address */
static uint8_t n_live;
#endif

static const uint16_t sizes[] = {DT_SIZES};
static const uint8_t counts[] = {DT_COUNTS};

static uint32_t rng_state;
static uint32_t ops_total;

#if VM_CONFIG_EVENTS && VM_CONFIG_STATS
/* Events counted by type; each case checks them against the statistics. */
static uint32_t events[VM_EV_ERROR + 1];

static void count_event(void *ctx, const struct vm_event *ev)
{
    (void)ctx;
    if (ev->type <= VM_EV_ERROR) events[ev->type]++;
}
#endif

/* How often the interesting paths ran (printed at the end, so a run that
 * stopped exercising one shows it). */
static struct {
    uint32_t locks, bounced, trimmed, held, settled, injected_errors, allocs, moves;
} seen;

/* ---- output ------------------------------------------------------------ */

static void put_i(int v)
{
    if (v < 0) {
        dt_putc('-');
        dt_put_u32((uint32_t)(-(long)v));
    } else {
        dt_put_u32((uint32_t)v);
    }
}

static void put_kv(const char *k, uint32_t v)
{
    dt_put_str(k);
    dt_put_u32(v);
}

/* ---- randomness -------------------------------------------------------- */

static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* 0 .. n-1, for n >= 1 */
static uint32_t below(uint32_t n) { return rnd() % n; }

/* ---- case state -------------------------------------------------------- */

struct dt_case {
    uint16_t page_size;
    uint8_t page_count;
    uint8_t policy;
    uint8_t faults;
    uint8_t flags; /* vm_config.flags: VM_CLEAN_FIRST in every other case */
    uint32_t seed;
    uint32_t op; /* operation number in the case */
    uint32_t fault_rng;
    vm_addr_t last; /* last address used, for locality */
};

static struct dt_case tc;

/* A lock held across later operations (only with page_count >= 2). */
static struct vm_lock held;
static uint8_t held_ops; /* operations left before it is released */

static const char *failed_what;
static vm_addr_t failed_addr;
static uint32_t failed_len;
static int failed_err;

static int fail(const char *what, vm_addr_t addr, uint32_t len, int err)
{
    failed_what = what;
    failed_addr = addr;
    failed_len = len;
    failed_err = err;
    return -1;
}

static void faults_off(void)
{
    tc.fault_rng = wrap.rng;
    wrap.rng = 0;
}

static void faults_on(void)
{
    if (tc.faults)
        wrap.rng = tc.fault_rng ? tc.fault_rng : 1u;
}

/* An error the operation may return: VM_ERR_IO when faults are on. */
static int allowed(int err) { return err == VM_OK || (tc.faults && err == VM_ERR_IO); }

/* A random address with some locality: near the last one half the time. */
static vm_addr_t pick_addr(void)
{
    vm_addr_t a;
    if (rnd() & 1u) {
        a = (vm_addr_t)below(DT_POOL);
    } else {
        uint32_t span = (uint32_t)tc.page_size * 4u;
        a = tc.last + (vm_addr_t)below(span);
        a = a >= span / 2u ? a - span / 2u : 0;
        if (a >= DT_POOL) a = DT_POOL - 1u;
    }
    tc.last = a;
    return a;
}

/* A length from 1 to max, short ones more likely, clipped to the pool. */
static uint16_t pick_len(vm_addr_t a, uint16_t max)
{
    uint16_t n = (uint16_t)(1u + below((rnd() & 3u) ? 8u : max));
    if (n > max) n = max;
    if ((uint32_t)a + n > DT_POOL) n = (uint16_t)(DT_POOL - a);
    return n;
}

static void fill_random(uint8_t *p, uint16_t n)
{
    uint16_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* Compare the pool's [a, a+n) with ref, reading through the pager. */
static int compare(vm_addr_t a, uint32_t n, const char *what)
{
    while (n) {
        uint16_t chunk = n > DT_MAX_LEN ? (uint16_t)DT_MAX_LEN : (uint16_t)n;
        int err = vm_read(&vm, buf, a, chunk);
        if (err) return fail(what, a, chunk, err);
        if (memcmp(buf, ref + a, chunk) != 0) return fail(what, a, chunk, 0);
        a += chunk;
        n -= chunk;
    }
    return 0;
}

/*
 * After a failed write of want[0..n) at a (forward: a prefix done; !forward:
 * a suffix done), check that the pool holds a prefix (suffix) of want and old
 * bytes elsewhere, and bring ref in step.
 */
static int settle(vm_addr_t a, uint16_t n, int forward, const char *what)
{
    uint16_t i, k;
    int err;
    faults_off();
    err = vm_read(&vm, buf, a, n);
    faults_on();
    if (err) return fail(S("settle-read"), a, n, err);
    seen.settled++;
    if (forward) {
        for (k = 0; k < n && buf[k] == want[k]; k++) {}
        for (i = k; i < n; i++)
            if (buf[i] != old[i]) return fail(what, a + i, n, VM_ERR_IO);
    } else {
        for (k = n; k > 0 && buf[k - 1u] == want[k - 1u]; k--) {}
        for (i = 0; i < k; i++)
            if (buf[i] != old[i]) return fail(what, a + i, n, VM_ERR_IO);
    }
    memcpy(ref + a, buf, n);
    return 0;
}

/* The pointer of the held lock must show ref's bytes. */
static int check_held(void)
{
    if (held.mode && memcmp(held.ptr, ref + held.addr, held.len) != 0)
        return fail(S("held-lock-view"), held.addr, (uint32_t)held.len, 0);
    return 0;
}

static int release_held(void)
{
    int err;
    if (!held.mode) return 0;
    if (check_held()) return -1;
    err = vm_unlock(&vm, &held);
    if (err && allowed(err)) { /* a bounced write-back failed: still held */
        faults_off();
        err = vm_unlock(&vm, &held);
        faults_on();
    }
    if (err) return fail(S("unlock-held"), held.addr, (uint32_t)held.len, err);
    return 0;
}

/* ---- operations -------------------------------------------------------- */

static int op_read(void)
{
    vm_addr_t a = pick_addr();
    uint16_t n = pick_len(a, DT_MAX_LEN);
    int err = vm_read(&vm, buf, a, n);
    if (!allowed(err)) return fail(S("vm_read"), a, n, err);
    if (!err && memcmp(buf, ref + a, n) != 0) return fail(S("vm_read-data"), a, n, 0);
    return 0;
}

static int op_write(void)
{
    vm_addr_t a = pick_addr();
    uint16_t n = pick_len(a, DT_MAX_LEN);
    int err;
    fill_random(want, n);
    memcpy(old, ref + a, n);
    err = vm_write(&vm, a, want, n);
    if (!allowed(err)) return fail(S("vm_write"), a, n, err);
    if (!err) {
        memcpy(ref + a, want, n);
        return 0;
    }
    return settle(a, n, 1, S("vm_write-prefix"));
}

static int op_typed(uint8_t width, int set)
{
    vm_addr_t a = pick_addr();
    int err = VM_OK;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    if (a + width > DT_POOL) a = DT_POOL - width;
    tc.last = a;
    if (set) {
        fill_random(want, width);
        memcpy(old, ref + a, width);
        if (width == 1) err = vm_set8(&vm, a, want[0]);
        if (width == 2) { memcpy(&v16, want, 2); err = vm_set16(&vm, a, v16); }
        if (width == 4) { memcpy(&v32, want, 4); err = vm_set32(&vm, a, v32); }
        if (!allowed(err)) return fail(S("vm_set"), a, width, err);
        if (!err) {
            memcpy(ref + a, want, width);
            return 0;
        }
        return settle(a, width, 1, S("vm_set-prefix"));
    }
    if (width == 1) { err = vm_get8(&vm, a, &v8); buf[0] = v8; }
    if (width == 2) { err = vm_get16(&vm, a, &v16); memcpy(buf, &v16, 2); }
    if (width == 4) { err = vm_get32(&vm, a, &v32); memcpy(buf, &v32, 4); }
    if (!allowed(err)) return fail(S("vm_get"), a, width, err);
    if (!err && memcmp(buf, ref + a, width) != 0) return fail(S("vm_get-data"), a, width, 0);
    return 0;
}

static int op_lock(void)
{
    static const uint8_t modes[3] = {VM_LOCK_RO, VM_LOCK_RW, VM_LOCK_WO};
    struct vm_lock lk;
    uint8_t mode = modes[below(3)];
    vm_addr_t a = pick_addr();
    uint16_t n = pick_len(a, (uint16_t)(tc.page_size + tc.page_size / 2u));
    int err = vm_lock(&vm, a, n, mode, &lk);
    if (!allowed(err)) return fail(S("vm_lock"), a, n, err);
    if (err) return 0; /* nothing happened */
    if (lk.addr != a || lk.len == 0 || lk.len > n || lk.mode != mode)
        return fail(S("vm_lock-handle"), a, n, 0);
    if (lk.len < n && ((a + (vm_addr_t)lk.len) & (tc.page_size - 1u)) != 0)
        return fail(S("vm_lock-trim"), a, (uint32_t)lk.len, 0); /* trims only at a page end */
    seen.locks++;
    if (lk.slot == VM_BOUNCE_SLOT) seen.bounced++;
    if (lk.len < n) seen.trimmed++;
    if (mode != VM_LOCK_WO && memcmp(lk.ptr, ref + a, lk.len) != 0)
        return fail(S("vm_lock-data"), a, (uint32_t)lk.len, 0);
    if (mode != VM_LOCK_RO) {
        /* RW: change some bytes; WO: must overwrite them all. */
        uint16_t i;
        for (i = 0; i < lk.len; i++) {
            if (mode == VM_LOCK_WO || (rnd() & 3u) == 0) {
                uint8_t v = (uint8_t)rnd();
                ((uint8_t *)lk.ptr)[i] = v;
                ref[a + i] = v;
            }
        }
    }
    if (tc.page_count >= 2 && (rnd() & 1u)) {
        held = lk;
        held_ops = (uint8_t)(1u + below(6));
        seen.held++;
        return 0;
    }
    err = vm_unlock(&vm, &lk);
    if (err && allowed(err)) {
        faults_off();
        err = vm_unlock(&vm, &lk);
        faults_on();
    }
    if (err) return fail(S("vm_unlock"), a, (uint32_t)lk.len, err);
    err = vm_unlock(&vm, &lk);
    if (err != VM_ERR_NOTLOCKED) return fail(S("vm_unlock-twice"), a, (uint32_t)lk.len, err);
    return 0;
}

static int op_memset(void)
{
    vm_addr_t a = pick_addr();
    uint16_t n = pick_len(a, DT_MAX_LEN);
    uint8_t c = (uint8_t)rnd();
    int err;
    memset(want, c, n);
    memcpy(old, ref + a, n);
    err = vm_memset(&vm, a, c, n);
    if (!allowed(err)) return fail(S("vm_memset"), a, n, err);
    if (!err) {
        memset(ref + a, c, n);
        return 0;
    }
    return settle(a, n, 1, S("vm_memset-prefix"));
}

static int op_memmove(void)
{
    vm_addr_t src = pick_addr();
    vm_addr_t dst = pick_addr();
    uint16_t n;
    int err;
    if (rnd() & 1u) { /* overlapping, either direction */
        uint32_t d = below(tc.page_size * 2u);
        dst = (rnd() & 1u) ? src + d : (src > d ? src - d : 0);
        if (dst >= DT_POOL) dst = DT_POOL - 1u;
    }
    n = pick_len(src > dst ? src : dst, DT_MAX_LEN);
    memcpy(want, ref + src, n);
    memcpy(old, ref + dst, n);
    err = vm_memmove(&vm, dst, src, n);
    if (!allowed(err)) return fail(S("vm_memmove"), dst, n, err);
    if (!err) {
        memmove(ref + dst, ref + src, n);
        return 0;
    }
    return settle(dst, n, !(dst > src && dst < src + n), S("vm_memmove-part"));
}

static int op_flush(int invalidate)
{
    int err = invalidate ? vm_invalidate(&vm) : vm_flush(&vm);
    if (!allowed(err)) return fail(invalidate ? S("vm_invalidate") : S("vm_flush"), 0, 0, err);
    /* After a successful flush, the backend holds the pool's contents,
     * except what a held RO/RW lock may have changed since (nothing here). */
    if (!err && memcmp(backing, ref, DT_POOL) != 0) {
        uint16_t i;
        for (i = 0; backing[i] == ref[i]; i++) {}
        return fail(invalidate ? S("vm_invalidate-backend") : S("vm_flush-backend"), i, 1, 0);
    }
    return 0;
}

static int op_bad(void)
{
    struct vm_lock lk;
    int err;
    uint8_t v;
    switch (below(4)) {
    case 0:
        err = vm_read(&vm, buf, DT_POOL - 1u, 2);
        if (err != VM_ERR_RANGE) return fail(S("range-read"), DT_POOL - 1u, 2, err);
        break;
    case 1:
        err = vm_get8(&vm, DT_POOL, &v);
        if (err != VM_ERR_RANGE) return fail(S("range-get8"), DT_POOL, 1, err);
        break;
    case 2:
        err = vm_lock(&vm, 0, 0, VM_LOCK_RO, &lk);
        if (err != VM_ERR_INVAL) return fail(S("lock-len0"), 0, 0, err);
        break;
    default:
        lk.mode = 0;
        err = vm_unlock(&vm, &lk);
        if (err != VM_ERR_NOTLOCKED) return fail(S("unlock-unheld"), 0, 0, err);
        break;
    }
    return 0;
}

#if DT_ALLOC
static vm_addr_t round_up(vm_addr_t n) { return (n + (VM_ALLOC_ALIGN - 1u)) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u); }

/* Where first fit puts sz (rounded) bytes, or VM_NULL. The heap is
 * [VM_ALLOC_ALIGN, DT_POOL): the defaults. */
static vm_addr_t model_fit(vm_addr_t sz)
{
    vm_addr_t at = VM_ALLOC_ALIGN;
    uint8_t k;
    if (n_live >= DT_BLOCKS) return VM_NULL;
    for (k = 0; k <= n_live; k++) {
        vm_addr_t next = k < n_live ? live[k].addr : (vm_addr_t)DT_POOL;
        if (next >= at && next - at >= sz) return at;
        if (k < n_live) at = live[k].addr + live[k].size;
    }
    return VM_NULL;
}

static void model_insert(vm_addr_t a, vm_addr_t sz)
{
    uint8_t k = n_live;
    while (k > 0 && live[k - 1u].addr > a) {
        live[k] = live[k - 1u];
        k--;
    }
    live[k].addr = a;
    live[k].size = sz;
    n_live++;
}

static void model_remove(uint8_t k)
{
    for (n_live--; k < n_live; k++)
        live[k] = live[k + 1u];
}

static int op_alloc(void)
{
    vm_addr_t size = 1u + below(DT_MAX_LEN);
    vm_addr_t want_at = model_fit(round_up(size));
    vm_addr_t p = vm_alloc(&vm, size);
    if (p != want_at) return fail(S("vm_alloc-first-fit"), p, size, (int)(want_at & 0x7FFF));
    if (p != VM_NULL) {
        model_insert(p, round_up(size));
        seen.allocs++;
    }
    return 0;
}

static int op_free(void)
{
    int err;
    uint8_t k;
    if (n_live == 0 || (rnd() & 7u) == 0) {
        err = vm_free(&vm, VM_NULL);
        if (err != VM_OK) return fail(S("vm_free-null"), 0, 0, err);
        if (n_live == 0) return 0;
        k = (uint8_t)below(n_live);
        err = vm_free(&vm, live[k].addr + 1u); /* not the start of a block */
        if (err != VM_ERR_INVAL) return fail(S("vm_free-inside"), live[k].addr + 1u, 0, err);
        return 0;
    }
    k = (uint8_t)below(n_live);
    err = vm_free(&vm, live[k].addr);
    if (err != VM_OK) return fail(S("vm_free"), live[k].addr, live[k].size, err);
    model_remove(k);
    return 0;
}

static int op_realloc(void)
{
    uint8_t k;
    vm_addr_t p, q, got, size, sz, old_size, next;
    if (n_live == 0) return op_alloc();
    k = (uint8_t)below(n_live);
    p = live[k].addr;
    old_size = live[k].size;
    if ((rnd() & 15u) == 0) { /* size 0 frees */
        if (vm_realloc(&vm, p, 0) != VM_NULL) return fail(S("vm_realloc-0"), p, 0, 0);
        model_remove(k);
        return 0;
    }
    size = 1u + below(DT_MAX_LEN);
    sz = round_up(size);
    next = k + 1u < n_live ? live[k + 1u].addr : (vm_addr_t)DT_POOL;
    if (next - p >= sz) {
        q = p; /* in place */
    } else {
        /* Moved: first fit with p still allocated. */
        q = model_fit(sz);
    }
    if (q != p && q != VM_NULL) {
        memcpy(want, ref + p, (size_t)old_size);
        memcpy(old, ref + q, (size_t)old_size);
    }
    got = vm_realloc(&vm, p, size);
    if (got == VM_NULL && q != VM_NULL && q != p && tc.faults) {
        /* The copy failed part-way: p is untouched and still live; q's
         * bytes (free space again) hold a prefix of the copy. */
        return settle(q, (uint16_t)old_size, 1, S("vm_realloc-part"));
    }
    if (got != q) return fail(S("vm_realloc-placement"), got, size, (int)(q & 0x7FFF));
    if (q == VM_NULL) return 0; /* no room: p unchanged */
    if (q != p) {
        memcpy(ref + q, want, (size_t)old_size);
        seen.moves++;
    }
    model_remove(k);
    model_insert(q, sz);
    return 0;
}
#endif

static int one_op(void)
{
    uint8_t r = (uint8_t)below(36);
    if (held.mode) {
        /* While a lock is held: plain accesses only (bulk helpers and other
         * locks may legitimately be refused with VM_ERR_BUSY). */
        int rc;
        if (r < 6) rc = op_read();
        else if (r < 12) rc = op_write();
        else if (r < 24) rc = op_typed((uint8_t)(1u << below(3)), r & 1u);
        else if (r < 26) rc = op_flush(0);
        else if (r < 32) rc = op_bad();
        else rc = op_read();
        if (rc) return rc;
        if (check_held()) return -1;
        if (--held_ops == 0) return release_held();
        return 0;
    }
    if (r < 5) return op_read();
    if (r < 10) return op_write();
    if (r < 20) return op_typed((uint8_t)(1u << below(3)), r & 1u);
    if (r < 24) return op_lock();
    if (r < 26) return op_memset();
    if (r < 28) return op_memmove();
    if (r < 29) return op_flush(0);
    if (r < 30) return op_flush(1);
#if DT_ALLOC
    if (r == 32 || r == 33) return op_alloc();
    if (r == 34) return op_free();
    if (r == 35) return op_realloc();
#endif
    return op_bad();
}


static void put_case(void)
{
    dt_put_str(S("case "));
    switch (tc.policy) {
    case VM_POLICY_FIFO: dt_put_str(S("fifo")); break;
    case VM_POLICY_LRU: dt_put_str(S("lru")); break;
    case VM_POLICY_CLOCK: dt_put_str(S("clock")); break;
    default: dt_put_str(S("sieve")); break;
    }
    put_kv(S(" page="), tc.page_size);
    put_kv(S(" count="), tc.page_count);
    put_kv(S(" faults="), tc.faults);
    put_kv(S(" clean_first="), tc.flags ? 1u : 0u);
    put_kv(S(" seed="), tc.seed);
}

static int run_case(void)
{
    struct vm_config cfg;
    uint32_t i;
    int err;

    memset(&cfg, 0, sizeof cfg);
    memset(&held, 0, sizeof held);
    held_ops = 0;
    rng_state = tc.seed;
    fill_random(backing, DT_POOL);
    memcpy(ref, backing, DT_POOL);
    vm_ram_init(&ram, backing, DT_POOL);
    vm_wrap_init(&wrap, &ram.backend);
    cfg.backend = &wrap.backend;
    cfg.page_size = tc.page_size;
    cfg.page_count = tc.page_count;
    cfg.policy = tc.policy;
    cfg.flags = tc.flags;
#if VM_CONFIG_EVENTS && VM_CONFIG_STATS
    cfg.event = count_event;
    memset(events, 0, sizeof events);
#endif
    cfg.pages = dt_pages;
    cfg.pages_size = sizeof dt_pages;
    cfg.slots = dt_slots;
    cfg.slot_count = DT_MAX_COUNT;
#if VM_CONFIG_BOUNCE
    cfg.bounce = bounce_buf;
    cfg.bounce_size = tc.page_size;
#else
    (void)bounce_buf;
#endif
#if DT_ALLOC
    cfg.heap = heap_table;
    cfg.heap_blocks = DT_BLOCKS;
    n_live = 0;
#endif
    err = vm_init(&vm, &cfg);
    if (err) return fail(S("vm_init"), 0, 0, err);
    tc.fault_rng = tc.seed ^ 0x9E3779B9u;
    if (tc.faults) vm_wrap_faults(&wrap, tc.fault_rng, 4096, 4096); /* 1 in 16 */

    for (i = 0; i < DT_OPS; i++) {
        tc.op = i;
        if (one_op()) return -1;
        ops_total++;
#if VM_CONFIG_CHECK
        err = vm_check(&vm);
        if (err) return fail(S("vm_check"), 0, 0, err);
#endif
        if ((i & 127u) == 127u && !held.mode) {
            faults_off();
            err = compare(0, DT_POOL, S("pool-compare"));
            faults_on();
            if (err) return -1;
        }
    }
    tc.op = i;
    faults_off();
    if (release_held()) return -1;
    if (compare(0, DT_POOL, S("final-compare"))) return -1;
    err = vm_flush(&vm);
    if (err) return fail(S("final-flush"), 0, 0, err);
    if (memcmp(backing, ref, DT_POOL) != 0) return fail(S("final-backend"), 0, DT_POOL, 0);
#if VM_CONFIG_CHECK
    err = vm_check(&vm);
    if (err) return fail(S("final-check"), 0, 0, err);
#endif
#if VM_CONFIG_EVENTS && VM_CONFIG_STATS
    {
        const struct vm_stats *st = vm_stats(&vm);
        if (events[VM_EV_LOAD] != st->loads) return fail(S("events-load"), 0, events[VM_EV_LOAD], 0);
        if (events[VM_EV_EVICT] != st->evictions) return fail(S("events-evict"), 0, events[VM_EV_EVICT], 0);
        if (events[VM_EV_WRITEBACK] != st->writebacks)
            return fail(S("events-writeback"), 0, events[VM_EV_WRITEBACK], 0);
        if (events[VM_EV_LOCK] != st->locks) return fail(S("events-lock"), 0, events[VM_EV_LOCK], 0);
        if (events[VM_EV_UNLOCK] != st->unlocks) return fail(S("events-unlock"), 0, events[VM_EV_UNLOCK], 0);
        if (events[VM_EV_ERROR] != st->errors) return fail(S("events-error"), 0, events[VM_EV_ERROR], 0);
    }
#endif
    return 0;
}

int main(void)
{
    uint8_t si, ci, p, f;
    uint32_t seed = DT_SEED;
    int failed = 0;

    dt_init();
    dt_put_str(S("difftest: pool="));
    dt_put_u32(DT_POOL);
    dt_put_str(S(" ops/case="));
    dt_put_u32(DT_OPS);
    dt_putc('\n');
    for (f = 0; f <= (DT_FAULTS ? 1u : 0u) && !failed; f++) {
        for (si = 0; si < sizeof sizes / sizeof sizes[0] && !failed; si++) {
            for (ci = 0; ci < sizeof counts && !failed; ci++) {
                for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT && !failed; p++) {
                    if (!VM_HAS_POLICY(p)) continue;
                    seed = seed * 1103515245u + 12345u;
                    memset(&tc, 0, sizeof tc);
                    tc.page_size = sizes[si];
                    tc.page_count = counts[ci];
                    tc.policy = p;
                    tc.faults = f;
                    tc.seed = seed | 1u;
                    tc.flags = (seed & 0x100u) ? VM_CLEAN_FIRST : 0u;
                    put_case();
                    if (run_case()) {
                        failed = 1;
                        dt_put_str(S(" FAILED\n"));
                        dt_put_str(S("failure: "));
                        dt_put_str(failed_what);
                        put_kv(S(" op="), tc.op);
                        put_kv(S(" addr="), failed_addr);
                        put_kv(S(" len="), failed_len);
                        dt_put_str(S(" err="));
                        put_i(failed_err);
                        dt_putc('\n');
                    } else {
                        put_kv(S(" faults_injected="), (uint32_t)wrap.n.faults);
                        seen.injected_errors += (uint32_t)wrap.n.faults;
                        dt_put_str(S(" ok\n"));
                    }
                }
            }
        }
    }
    put_kv(S("seen: locks="), seen.locks);
    put_kv(S(" bounced="), seen.bounced);
    put_kv(S(" trimmed="), seen.trimmed);
    put_kv(S(" held="), seen.held);
    put_kv(S(" faults="), seen.injected_errors);
    put_kv(S(" failed-ops-settled="), seen.settled);
    put_kv(S(" allocs="), seen.allocs);
    put_kv(S(" realloc-moves="), seen.moves);
    dt_putc('\n');
#if defined(DT_HAVE_STACK_MARGIN)
    {
        uint16_t margin = dt_stack_margin();
        put_kv(S("stack: unused RAM above .bss="), margin);
        dt_putc('\n');
        if (margin < 16u) {
            dt_put_str(S("failure: the stack came within 16 bytes of .bss\n"));
            failed = 1;
        }
    }
#endif
    put_kv(S("ops="), ops_total);
    dt_put_str(failed ? S(" FAIL\n") : S(" PASS\n"));
    dt_exit(failed);
    return failed;
}
