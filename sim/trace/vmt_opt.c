/*
 * vmt_opt.c - page touches, the allocator mirror, and misses at the optimum.
 *
 * vmt_opt_misses runs Belady's MIN for many cache sizes at once with
 * Mattson's OPT stack: the stack holds pages by priority (next use), the
 * top c entries are exactly the contents of an OPT cache of c pages, and a
 * touch found at depth d misses in every cache smaller than d+1. Only the
 * top max(counts) entries are kept. Next uses come from a backward pass:
 *   1. forward over the source: page -> dense id, ids to temporary file A;
 *   2. backward over A: next-use distance of each touch, to file B (B is
 *      written back to front, so it holds the touches in reverse);
 *   3. backward over B (that is, forward in time): the stack update.
 * Memory: the id map and a last-use table (distinct pages) and the stack;
 * the files hold 4 + 8 bytes per touch.
 */
#include "vmt_internal.h"

/* ---- allocator mirror --------------------------------------------------- */

struct vmt_blk {
    uint64_t addr, size;
    uint16_t id;
};

struct vmt_held {
    uint32_t id;
    uint32_t len;
    uint64_t addr;
};

struct vmt_heap {
    uint64_t start, end;
    uint32_t align;
    uint32_t bounce;       /* bounce buffer bytes; 0: the page size */
    struct vmt_held *held; /* bounced locks that write back at unlock */
    size_t nheld, capheld;
    struct vmt_blk *b; /* sorted by address */
    size_t n, cap;
    uint64_t *base; /* by id: address, or UINT64_MAX when not live */
};

struct vmt_heap *vmt_heap_new(uint64_t heap_start, uint64_t heap_end, uint32_t align)
{
    struct vmt_heap *h = calloc(1, sizeof *h);
    size_t i;
    if (!h) return NULL;
    h->base = malloc(65536 * sizeof *h->base);
    if (!h->base) {
        vmt_heap_free(h);
        return NULL;
    }
    for (i = 0; i < 65536; i++) h->base[i] = UINT64_MAX;
    h->align = align ? align : 4;
    h->start = heap_start ? heap_start : h->align;
    h->end = heap_end;
    return h;
}

void vmt_heap_set_bounce(struct vmt_heap *h, uint32_t bounce_size) { h->bounce = bounce_size; }

void vmt_heap_free(struct vmt_heap *h)
{
    if (!h) return;
    free(h->held);
    free(h->b);
    free(h->base);
    free(h);
}

static uint64_t align_up(uint64_t v, uint32_t a) { return (v + a - 1) / a * a; }

int vmt_heap_apply(struct vmt_heap *h, const struct vmt_op *op)
{
    size_t i;
    if (!h) return 0;
    if (op->kind == VMT_ALLOC) {
        uint64_t sz = align_up(op->len, h->align), cur = align_up(h->start, h->align);
        if (op->id == 0 || op->id > 65535) return -1;
        if (h->base[op->id] != UINT64_MAX) return -1;
        if (op->len == 0) return 0; /* vm_alloc(0) fails: the region stays unresolved */
        for (i = 0; i < h->n; i++) {
            if (cur + sz <= h->b[i].addr) break;
            cur = align_up(h->b[i].addr + h->b[i].size, h->align);
        }
        if (cur + sz > h->end || (i < h->n && cur + sz > h->b[i].addr)) return 0; /* does not fit */
        struct vmt_blk *nb = vmt_grow(h->b, h->n, &h->cap, sizeof *nb, 16);
        if (!nb) return -1;
        h->b = nb;
        memmove(h->b + i + 1, h->b + i, (h->n - i) * sizeof *h->b);
        h->b[i].addr = cur;
        h->b[i].size = sz;
        h->b[i].id = (uint16_t)op->id;
        h->n++;
        h->base[op->id] = cur;
    } else if (op->kind == VMT_FREE) {
        if (op->id == 0 || op->id > 65535) return -1;
        for (i = 0; i < h->n && h->b[i].id != op->id; i++) {}
        if (i < h->n) {
            memmove(h->b + i, h->b + i + 1, (h->n - i - 1) * sizeof *h->b);
            h->n--;
        }
        h->base[op->id] = UINT64_MAX;
    }
    return 0;
}

int vmt_heap_resolve(const struct vmt_heap *h, uint16_t region, uint64_t addr, uint64_t *abs)
{
    if (region == 0) {
        *abs = addr;
        return 0;
    }
    if (!h || h->base[region] == UINT64_MAX) return -1;
    *abs = h->base[region] + addr;
    return 0;
}

/* ---- touches ------------------------------------------------------------ */

static void touch_range(uint64_t a, uint64_t len, unsigned shift, vmt_touch_fn fn, void *ctx)
{
    uint64_t p, last;
    if (!len) return;
    last = (a + len - 1) >> shift;
    for (p = a >> shift; p <= last; p++) fn(ctx, p);
}

/* VMT_LOCK, as vm_lock: a range inside one page touches it; a straddling
 * range that fits the bounce buffer is read into it (ro, rw: both pages now)
 * and written back at the last unlock (wo, rw: both pages then); a longer
 * one is trimmed to its first page. */
static int touch_lock(struct vmt_heap *h, const struct vmt_op *op, uint32_t page_size, unsigned shift,
                      vmt_touch_fn fn, void *ctx)
{
    uint64_t a, mask = (uint64_t)page_size - 1;
    uint64_t bounce = h && h->bounce ? h->bounce : page_size;
    if (bounce > page_size) bounce = page_size;
    if (vmt_heap_resolve(h, op->region, op->addr, &a) < 0) return -1;
    if (!op->len) return 0;
    if ((a & mask) + op->len <= page_size || op->len > bounce) {
        fn(ctx, a >> shift);
        return 0;
    }
    if (op->mode & VMT_LOCK_RO) touch_range(a, op->len, shift, fn, ctx);
    if ((op->mode & VMT_LOCK_WO) && h) {
        struct vmt_held *nh = vmt_grow(h->held, h->nheld, &h->capheld, sizeof *nh, 8);
        if (!nh) return -1;
        h->held = nh;
        h->held[h->nheld].id = op->id;
        h->held[h->nheld].addr = a;
        h->held[h->nheld].len = op->len;
        h->nheld++;
    }
    return 0;
}

/* VMT_UNLOCK: the last unlock writes a held bounce range back. */
static int touch_unlock(struct vmt_heap *h, const struct vmt_op *op, unsigned shift, vmt_touch_fn fn,
                        void *ctx)
{
    size_t i;
    if (!h) return 0;
    for (i = h->nheld; i-- > 0;) {
        if (h->held[i].id == op->id) {
            touch_range(h->held[i].addr, h->held[i].len, shift, fn, ctx);
            h->held[i] = h->held[--h->nheld];
            break;
        }
    }
    return 0;
}

/* VMT_MEMCPY, as vm_memmove: source and destination page by page, from the
 * end for an overlapping move to a higher address. */
static int touch_memcpy(struct vmt_heap *h, const struct vmt_op *op, uint32_t page_size, unsigned shift,
                        vmt_touch_fn fn, void *ctx)
{
    uint64_t a, s, mask = (uint64_t)page_size - 1;
    uint64_t left = op->len;
    if (vmt_heap_resolve(h, op->region, op->addr, &a) < 0 ||
        vmt_heap_resolve(h, op->src_region, op->src, &s) < 0)
        return -1;
    if (a == s) return 0; /* vm_memmove does nothing */
    if (a > s && a < s + left) { /* overlapping move to a higher address: from the end */
        uint64_t se = s + left, de = a + left;
        while (left) {
            uint64_t c = ((se - 1) & mask) + 1, c2 = ((de - 1) & mask) + 1;
            if (c2 < c) c = c2;
            if (left < c) c = left;
            fn(ctx, (se - 1) >> shift);
            fn(ctx, (de - 1) >> shift);
            se -= c;
            de -= c;
            left -= c;
        }
    } else {
        while (left) {
            uint64_t c = page_size - (s & mask), c2 = page_size - (a & mask);
            if (c2 < c) c = c2;
            if (left < c) c = left;
            fn(ctx, s >> shift);
            fn(ctx, a >> shift);
            s += c;
            a += c;
            left -= c;
        }
    }
    return 0;
}

int vmt_touches(struct vmt_heap *h, const struct vmt_op *op, uint32_t page_size, vmt_touch_fn fn,
                void *ctx)
{
    unsigned shift = 0;
    uint64_t a;
    while ((1ULL << shift) < page_size) shift++;
    switch (op->kind) {
    case VMT_READ:
    case VMT_WRITE:
    case VMT_MEMSET:
        if (vmt_heap_resolve(h, op->region, op->addr, &a) < 0) return -1;
        touch_range(a, op->len, shift, fn, ctx);
        return 0;
    case VMT_LOCK: return touch_lock(h, op, page_size, shift, fn, ctx);
    case VMT_UNLOCK: return touch_unlock(h, op, shift, fn, ctx);
    case VMT_MEMCPY: return touch_memcpy(h, op, page_size, shift, fn, ctx);
    case VMT_INVALIDATE:
        fn(ctx, VMT_TOUCH_INVALIDATE);
        return 0;
    case VMT_ALLOC:
    case VMT_FREE:
        return vmt_heap_apply(h, op);
    default:
        return 0;
    }
}

/* ---- OPT ---------------------------------------------------------------- */

#define OPT_BLK 65536u   /* records per block of temporary file I/O */
#define OPT_INVAL UINT32_MAX
#define OPT_NEVER UINT32_MAX

struct opt_pass1 {
    struct vmt_map map;
    FILE *a;
    uint32_t *buf;
    size_t n;
    uint64_t touches;
    int failed;
};

static void opt_touch(void *ctx, uint64_t page)
{
    struct opt_pass1 *o = ctx;
    uint32_t id = OPT_INVAL;
    if (o->failed) return;
    if (page != VMT_TOUCH_INVALIDATE) {
        id = vmt_map_get(&o->map, page, NULL);
        if (id == UINT32_MAX || id == OPT_INVAL) {
            o->failed = 1;
            return;
        }
    }
    o->buf[o->n++] = id;
    o->touches++;
    if (o->n == OPT_BLK) {
        if (fwrite(o->buf, sizeof *o->buf, o->n, o->a) != o->n) o->failed = 1;
        o->n = 0;
    }
}

/* Reads block k (of records of rsize bytes, nrec in total) into buf; returns records read. */
static size_t read_block(FILE *f, size_t rsize, uint64_t nrec, uint64_t k, void *buf)
{
    uint64_t first = k * OPT_BLK, cnt = nrec - first < OPT_BLK ? nrec - first : OPT_BLK;
    if (fseeko(f, (off_t)(first * rsize), SEEK_SET) != 0) return 0;
    return fread(buf, rsize, (size_t)cnt, f) == (size_t)cnt ? (size_t)cnt : 0;
}

/* One optimum run: the page counts asked for, and optionally a timeline
 * (misses for tl_count pages, cumulative at the end of every bucket of
 * tl_bucket ops). */
struct opt_run {
    struct vmt_source *s;
    uint32_t page_size, bounce_size, maxc;
    const uint32_t *counts;
    size_t n;
    uint64_t *misses;
    uint32_t tl_count;
    uint64_t tl_bucket;
    uint64_t *bend; /* touch index at each bucket's end */
    size_t nb, capb;
    uint32_t *cum;  /* misses at each bucket's end */
    uint64_t tl_total;
    struct opt_pass1 o;
    FILE *b;        /* pass 2's output: touches back to front, with next-use distances */
    char *err;
    size_t errlen;
};

static int bucket_end(struct opt_run *r)
{
    uint64_t *b = vmt_grow(r->bend, r->nb, &r->capb, sizeof *b, 1024);
    if (!b) return -1;
    r->bend = b;
    r->bend[r->nb++] = r->o.touches;
    return 0;
}

/* Pass 1: touches -> dense ids in temporary file A (r->o.a, flushed). */
static int opt_pass1(struct opt_run *r)
{
    struct vmt_source *s = r->s;
    struct vmt_heap *h = vmt_heap_new(4, s->info.pool_size, 4);
    struct vmt_op op;
    uint64_t ops = 0;
    int rc, ret = -1;
    if (!h || !r->o.a || !r->o.buf) {
        vmt_errf(r->err, r->errlen, "OPT: cannot create temporary files or out of memory");
        goto out;
    }
    vmt_heap_set_bounce(h, r->bounce_size);
    while ((rc = vmt_next(s, &op)) == 1) {
        if (vmt_touches(h, &op, r->page_size, opt_touch, &r->o) < 0) {
            vmt_errf(r->err, r->errlen, "%s: op %llu: allocation %u is not live (or did not fit)", s->path,
                     (unsigned long long)(r->o.touches), op.region ? op.region : op.src_region);
            goto out;
        }
        if (r->o.failed) break;
        if (r->tl_bucket && ++ops % r->tl_bucket == 0 && bucket_end(r) < 0) r->o.failed = 1;
    }
    if (rc < 0) {
        vmt_errf(r->err, r->errlen, "%s", vmt_error(s));
        goto out;
    }
    if (r->tl_bucket && !r->o.failed && bucket_end(r) < 0) r->o.failed = 1; /* the partial last bucket */
    if (r->o.n && fwrite(r->o.buf, sizeof *r->o.buf, r->o.n, r->o.a) != r->o.n) r->o.failed = 1;
    ret = !r->o.failed && fflush(r->o.a) == 0
              ? 0
              : vmt_errf(r->err, r->errlen, "OPT: temporary file write failed or out of memory");
out:
    vmt_heap_free(h);
    return ret;
}

/* Pass 2: backward over A, the next-use distance of each touch; B (r->b) is
 * written back to front, so it holds the touches in reverse. */
static int opt_pass2(struct opt_run *r, uint32_t *abuf, uint32_t (*bbuf)[2])
{
    uint64_t *last = malloc((r->o.map.count ? r->o.map.count : 1) * sizeof *last);
    uint64_t nblk = (r->o.touches + OPT_BLK - 1) / OPT_BLK, k;
    size_t i, bn;
    int ret = -1;
    if (!last) {
        vmt_errf(r->err, r->errlen, "OPT: out of memory");
        return -1;
    }
    for (i = 0; i < r->o.map.count; i++) last[i] = UINT64_MAX;
    for (k = nblk; k-- > 0;) {
        bn = read_block(r->o.a, sizeof *abuf, r->o.touches, k, abuf);
        if (!bn) {
            vmt_errf(r->err, r->errlen, "OPT: temporary file read failed");
            goto out;
        }
        for (i = bn; i-- > 0;) {
            uint32_t id = abuf[i];
            uint64_t now = k * OPT_BLK + i;
            size_t j = bn - 1 - i;
            bbuf[j][0] = id;
            if (id == OPT_INVAL) {
                bbuf[j][1] = 0;
            } else {
                uint64_t nx = last[id];
                bbuf[j][1] = (nx == UINT64_MAX || nx - now >= OPT_NEVER) ? OPT_NEVER : (uint32_t)(nx - now);
                last[id] = now;
            }
        }
        if (fwrite(bbuf, sizeof *bbuf, bn, r->b) != bn) {
            vmt_errf(r->err, r->errlen, "OPT: temporary file write failed");
            goto out;
        }
    }
    ret = fflush(r->b) == 0 ? 0 : vmt_errf(r->err, r->errlen, "OPT: temporary file write failed");
out:
    free(last);
    return ret;
}

struct opt_stack {
    uint32_t *sid;   /* pages by priority: the top c are an OPT cache of c pages */
    uint64_t *snext; /* their next uses */
    uint32_t depth, maxc;
};

/* One touch of page id (next use nu) on the OPT stack; returns the depth it
 * was found at, or maxc when it was not in the stack. */
static uint32_t opt_stack_touch(struct opt_stack *st, uint32_t id, uint64_t nu)
{
    uint32_t d, j, stop, carry_id, found;
    uint64_t carry_nu;
    for (d = 0; d < st->depth && st->sid[d] != id; d++) {}
    found = d < st->depth ? d : st->maxc;
    if (d == 0 && st->depth > 0) {
        st->snext[0] = nu;
        return found;
    }
    /* New top; the displaced entries sink, the nearer next use staying higher. */
    carry_id = st->depth ? st->sid[0] : id;
    carry_nu = st->depth ? st->snext[0] : nu;
    st->sid[0] = id;
    st->snext[0] = nu;
    if (st->depth == 0) {
        st->depth = 1;
        return found;
    }
    stop = d < st->depth ? d : st->depth;
    for (j = 1; j < stop; j++) {
        if (st->snext[j] > carry_nu) { /* the stacked one is farther: it sinks */
            uint32_t ti = st->sid[j];
            uint64_t tn = st->snext[j];
            st->sid[j] = carry_id;
            st->snext[j] = carry_nu;
            carry_id = ti;
            carry_nu = tn;
        }
    }
    if (d < st->depth) {
        st->sid[d] = carry_id;
        st->snext[d] = carry_nu;
    } else if (st->depth < st->maxc) {
        st->sid[st->depth] = carry_id;
        st->snext[st->depth] = carry_nu;
        st->depth++;
    }
    return found;
}

/* Pass 3: over B backward (forward in time), the OPT stack; hist[d]: touches
 * found at depth d, hist[maxc]: not in the stack. */
static int opt_pass3(struct opt_run *r, uint32_t (*bbuf)[2], uint64_t *hist)
{
    struct opt_stack st;
    uint64_t nblk = (r->o.touches + OPT_BLK - 1) / OPT_BLK, k, t = 0, tl_miss = 0;
    size_t i, bn, bk = 0;
    st.sid = malloc(r->maxc * sizeof *st.sid);
    st.snext = malloc(r->maxc * sizeof *st.snext);
    st.depth = 0;
    st.maxc = r->maxc;
    if (!st.sid || !st.snext) {
        free(st.sid);
        free(st.snext);
        return vmt_errf(r->err, r->errlen, "OPT: out of memory");
    }
    for (k = nblk; k-- > 0;) {
        bn = read_block(r->b, sizeof *bbuf, r->o.touches, k, bbuf);
        if (!bn) {
            free(st.sid);
            free(st.snext);
            return vmt_errf(r->err, r->errlen, "OPT: temporary file read failed");
        }
        for (i = bn; i-- > 0; t++) {
            uint32_t id = bbuf[i][0], d;
            while (bk < r->nb && r->bend[bk] == t) r->cum[bk++] = (uint32_t)tl_miss;
            if (id == OPT_INVAL) {
                st.depth = 0;
                continue;
            }
            d = opt_stack_touch(&st, id, bbuf[i][1] == OPT_NEVER ? UINT64_MAX : t + bbuf[i][1]);
            hist[d]++;
            if (d >= r->tl_count) tl_miss++;
        }
    }
    while (bk < r->nb) r->cum[bk++] = (uint32_t)tl_miss;
    r->tl_total = tl_miss;
    free(st.sid);
    free(st.snext);
    return 0;
}

/* Runs the three passes for r (counts, misses and the timeline fields set). */
static int opt_run(struct opt_run *r)
{
    uint32_t *abuf = NULL, (*bbuf)[2] = NULL;
    uint64_t *hist = NULL;
    size_t i;
    int ret = -1;
    if (r->page_size < 1 || (r->page_size & (r->page_size - 1)))
        return vmt_errf(r->err, r->errlen, "%s: page size %lu is not a power of two", r->s->path,
                        (unsigned long)r->page_size);
    r->maxc = r->tl_count;
    for (i = 0; i < r->n; i++) {
        if (r->counts[i] < 1 || r->counts[i] > 65535)
            return vmt_errf(r->err, r->errlen, "page count %lu out of range 1..65535", (unsigned long)r->counts[i]);
        if (r->counts[i] > r->maxc) r->maxc = r->counts[i];
    }
    if (vmt_rewind(r->s) < 0) return vmt_errf(r->err, r->errlen, "%s", vmt_error(r->s));
    r->o.a = tmpfile();
    r->b = tmpfile();
    r->o.buf = malloc(OPT_BLK * sizeof *r->o.buf);
    bbuf = malloc(OPT_BLK * sizeof *bbuf);
    if (!r->b || !bbuf) {
        vmt_errf(r->err, r->errlen, "OPT: cannot create temporary files or out of memory");
        goto out;
    }
    if (opt_pass1(r) < 0) goto out;
    abuf = r->o.buf;
    r->o.buf = NULL;
    if (opt_pass2(r, abuf, bbuf) < 0) goto out;
    /* hist[d]: found at depth d; hist[maxc]: not in the stack */
    hist = calloc((size_t)r->maxc + 1, sizeof *hist);
    if (r->nb) r->cum = malloc(r->nb * sizeof *r->cum);
    if (!hist || (r->nb && !r->cum)) {
        vmt_errf(r->err, r->errlen, "OPT: out of memory");
        goto out;
    }
    if (opt_pass3(r, bbuf, hist) < 0) goto out;
    for (i = 0; i < r->n; i++) {
        uint64_t m = hist[r->maxc];
        uint32_t d;
        for (d = r->counts[i]; d < r->maxc; d++) m += hist[d];
        r->misses[i] = m;
    }
    ret = 0;
out:
    if (r->o.a) fclose(r->o.a);
    if (r->b) fclose(r->b);
    vmt_map_clear(&r->o.map);
    free(r->o.buf);
    free(abuf);
    free(bbuf);
    free(hist);
    free(r->bend);
    r->bend = NULL;
    return ret;
}

int vmt_opt_misses(struct vmt_source *s, uint32_t page_size, const uint32_t *counts, size_t n,
                   uint64_t *misses, char *err, size_t errlen)
{
    return vmt_opt_misses_bounce(s, page_size, 0, counts, n, misses, err, errlen);
}

int vmt_opt_misses_bounce(struct vmt_source *s, uint32_t page_size, uint32_t bounce_size,
                          const uint32_t *counts, size_t n, uint64_t *misses, char *err, size_t errlen)
{
    struct opt_run r = {.s = s, .page_size = page_size, .bounce_size = bounce_size, .counts = counts,
                        .n = n, .misses = misses, .err = err, .errlen = errlen};
    return opt_run(&r);
}

int vmt_opt_timeline(struct vmt_source *s, uint32_t page_size, uint32_t bounce_size, uint32_t count,
                     uint64_t bucket_ops, uint32_t **cum, size_t *len, uint64_t *total, char *err,
                     size_t errlen)
{
    struct opt_run r = {.s = s, .page_size = page_size, .bounce_size = bounce_size,
                        .tl_count = count, .tl_bucket = bucket_ops ? bucket_ops : 1,
                        .err = err, .errlen = errlen};
    if (count < 1 || count > 65535)
        return vmt_errf(err, errlen, "page count %lu out of range 1..65535", (unsigned long)count);
    if (opt_run(&r) < 0) {
        free(r.cum);
        return -1;
    }
    *cum = r.cum;
    *len = r.nb;
    *total = r.tl_total;
    return 0;
}
