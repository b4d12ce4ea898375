/*
 * vmt_naive.c - the reference simulators of vmt_naive.h: plain arrays of
 * frames and linear scans, so that each is easy to check by reading.
 */
#include <stdlib.h>
#include <string.h>

#include "vmt_naive.h"
#include "vmt_internal.h"

struct collect {
    uint64_t *t;
    size_t n, cap;
    int failed;
};

static void collect_touch(void *ctx, uint64_t page)
{
    struct collect *c = ctx;
    if (c->failed) return;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        uint64_t *nt = realloc(c->t, nc * sizeof *nt);
        if (!nt) {
            c->failed = 1;
            return;
        }
        c->t = nt;
        c->cap = nc;
    }
    c->t[c->n++] = page;
}

int vmt_naive_touches(struct vmt_source *s, uint32_t page_size, uint64_t **out, size_t *n,
                      char *err, size_t errlen)
{
    struct collect c;
    struct vmt_op op;
    struct vmt_heap *h;
    int rc;
    memset(&c, 0, sizeof c);
    if (!page_size || (page_size & (page_size - 1)))
        return vmt_errf(err, errlen, "page size must be a power of two");
    if (vmt_rewind(s) < 0) return vmt_errf(err, errlen, "%s", vmt_error(s));
    h = vmt_heap_new(4, vmt_info(s)->pool_size, 4);
    if (!h) return vmt_errf(err, errlen, "out of memory");
    while ((rc = vmt_next(s, &op)) == 1) {
        if (vmt_touches(h, &op, page_size, collect_touch, &c) < 0) {
            rc = vmt_errf(err, errlen, "unresolved region %u", op.region ? op.region : op.src_region);
            break;
        }
    }
    vmt_heap_free(h);
    if (rc < 0 || c.failed) {
        if (rc == -1 && !c.failed && vmt_error(s)[0]) vmt_errf(err, errlen, "%s", vmt_error(s));
        if (c.failed) vmt_errf(err, errlen, "out of memory");
        free(c.t);
        return -1;
    }
    *out = c.t;
    *n = c.n;
    return 0;
}

/* Frames: page (UINT64_MAX = empty) and a per-policy stamp. */
struct frames {
    uint64_t page[256];
    uint64_t stamp[256];
    uint8_t ref[256];
    unsigned k;
};

static void fr_clear(struct frames *f)
{
    unsigned i;
    for (i = 0; i < f->k; i++) f->page[i] = UINT64_MAX, f->stamp[i] = 0, f->ref[i] = 0;
}

static int fr_find(const struct frames *f, uint64_t p)
{
    unsigned i;
    for (i = 0; i < f->k; i++)
        if (f->page[i] == p) return (int)i;
    return -1;
}

static int fr_empty(const struct frames *f) { return fr_find(f, UINT64_MAX); }

/* LRU (by_load = 0) and FIFO (by_load = 1): evict the smallest stamp. */
static uint64_t stamp_policy(const uint64_t *t, size_t n, unsigned frames, int by_load)
{
    struct frames f;
    uint64_t misses = 0, now = 0;
    size_t i;
    if (frames < 1 || frames > 256) return UINT64_MAX;
    f.k = frames;
    fr_clear(&f);
    for (i = 0; i < n; i++) {
        int s;
        if (t[i] == VMT_TOUCH_INVALIDATE) {
            fr_clear(&f);
            continue;
        }
        now++;
        s = fr_find(&f, t[i]);
        if (s >= 0) {
            if (!by_load) f.stamp[s] = now;
            continue;
        }
        misses++;
        s = fr_empty(&f);
        if (s < 0) {
            unsigned j;
            s = 0;
            for (j = 1; j < f.k; j++)
                if (f.stamp[j] < f.stamp[s]) s = (int)j;
        }
        f.page[s] = t[i];
        f.stamp[s] = now;
    }
    return misses;
}

uint64_t vmt_naive_lru(const uint64_t *t, size_t n, unsigned frames) { return stamp_policy(t, n, frames, 0); }
uint64_t vmt_naive_fifo(const uint64_t *t, size_t n, unsigned frames) { return stamp_policy(t, n, frames, 1); }

uint64_t vmt_naive_clock(const uint64_t *t, size_t n, unsigned frames)
{
    struct frames f;
    uint64_t misses = 0;
    unsigned hand = 0;
    size_t i;
    if (frames < 1 || frames > 256) return UINT64_MAX;
    f.k = frames;
    fr_clear(&f);
    for (i = 0; i < n; i++) {
        int s;
        if (t[i] == VMT_TOUCH_INVALIDATE) {
            fr_clear(&f);
            hand = 0;
            continue;
        }
        s = fr_find(&f, t[i]);
        if (s >= 0) {
            f.ref[s] = 1;
            continue;
        }
        misses++;
        s = fr_empty(&f);
        if (s < 0) {
            while (f.ref[hand]) {
                f.ref[hand] = 0;
                hand = (hand + 1) % f.k;
            }
            s = (int)hand;
            hand = (hand + 1) % f.k;
        }
        f.page[s] = t[i];
        f.ref[s] = 0;
    }
    return misses;
}

uint64_t vmt_naive_sieve(const uint64_t *t, size_t n, unsigned frames)
{
    /* q[0] is the oldest; hand is an index into q, or -1 (start at the oldest). */
    uint64_t q[256], misses = 0;
    uint8_t vis[256];
    unsigned len = 0;
    int hand = -1;
    size_t i;
    if (frames < 1 || frames > 256) return UINT64_MAX;
    for (i = 0; i < n; i++) {
        unsigned j;
        if (t[i] == VMT_TOUCH_INVALIDATE) {
            len = 0;
            hand = -1;
            continue;
        }
        for (j = 0; j < len && q[j] != t[i]; j++) {}
        if (j < len) {
            vis[j] = 1;
            continue;
        }
        misses++;
        if (len == frames) {
            unsigned h = hand < 0 ? 0 : (unsigned)hand;
            while (vis[h]) {
                vis[h] = 0;
                h = (h + 1) % len;
            }
            /* Evict q[h]; the hand stays at the next older-to-newer position, which is
             * h after the removal shifts the newer entries down. */
            memmove(q + h, q + h + 1, (len - h - 1) * sizeof *q);
            memmove(vis + h, vis + h + 1, (len - h - 1) * sizeof *vis);
            len--;
            hand = h < len ? (int)h : -1;
        }
        q[len] = t[i];
        vis[len] = 0;
        len++;
    }
    return misses;
}

/* Next use of page p after position i, before an invalidate; SIZE_MAX if none. */
static size_t next_use(const uint64_t *t, size_t n, size_t i, uint64_t p)
{
    size_t j;
    for (j = i + 1; j < n && t[j] != VMT_TOUCH_INVALIDATE; j++)
        if (t[j] == p) return j;
    return SIZE_MAX;
}

uint64_t vmt_naive_belady(const uint64_t *t, size_t n, unsigned frames)
{
    struct frames f;
    uint64_t misses = 0;
    size_t i;
    if (frames < 1 || frames > 256) return UINT64_MAX;
    f.k = frames;
    fr_clear(&f);
    for (i = 0; i < n; i++) {
        int s;
        if (t[i] == VMT_TOUCH_INVALIDATE) {
            fr_clear(&f);
            continue;
        }
        if (fr_find(&f, t[i]) >= 0) continue;
        misses++;
        s = fr_empty(&f);
        if (s < 0) {
            unsigned j;
            size_t far = 0;
            for (j = 0; j < f.k; j++) {
                size_t nu = next_use(t, n, i, f.page[j]);
                if (s < 0 || nu > far) s = (int)j, far = nu;
            }
        }
        f.page[s] = t[i];
    }
    return misses;
}

static void exhaust(const uint64_t *t, size_t n, size_t i, uint64_t *cache, unsigned used, unsigned k,
                    uint64_t misses, uint64_t *best)
{
    unsigned j;
    if (misses >= *best) return;
    for (; i < n; i++) {
        if (t[i] == VMT_TOUCH_INVALIDATE) {
            used = 0;
            continue;
        }
        for (j = 0; j < used && cache[j] != t[i]; j++) {}
        if (j < used) continue;
        misses++;
        if (misses >= *best) return;
        if (used < k) {
            cache[used++] = t[i];
            continue;
        }
        /* Full: try every victim. */
        for (j = 0; j < k; j++) {
            uint64_t saved[256];
            memcpy(saved, cache, k * sizeof *cache);
            cache[j] = t[i];
            exhaust(t, n, i + 1, cache, used, k, misses, best);
            memcpy(cache, saved, k * sizeof *cache);
        }
        return;
    }
    if (misses < *best) *best = misses;
}

uint64_t vmt_naive_opt_exhaustive(const uint64_t *t, size_t n, unsigned frames)
{
    uint64_t cache[256], best = UINT64_MAX;
    if (frames < 1 || frames > 256) return UINT64_MAX;
    exhaust(t, n, 0, cache, 0, frames, 0, &best);
    return best;
}
