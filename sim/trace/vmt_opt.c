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
    uint64_t *size; /* by id: requested size */
};

struct vmt_heap *vmt_heap_new(uint64_t heap_start, uint64_t heap_end, uint32_t align)
{
    struct vmt_heap *h = calloc(1, sizeof *h);
    size_t i;
    if (!h) return NULL;
    h->base = malloc(65536 * sizeof *h->base);
    h->size = calloc(65536, sizeof *h->size);
    if (!h->base || !h->size) {
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
    free(h->size);
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
        if (h->n == h->cap) {
            size_t nc = h->cap ? h->cap * 2 : 16;
            struct vmt_blk *nb = realloc(h->b, nc * sizeof *nb);
            if (!nb) return -1;
            h->b = nb;
            h->cap = nc;
        }
        memmove(h->b + i + 1, h->b + i, (h->n - i) * sizeof *h->b);
        h->b[i].addr = cur;
        h->b[i].size = sz;
        h->b[i].id = (uint16_t)op->id;
        h->n++;
        h->base[op->id] = cur;
        h->size[op->id] = op->len;
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

int vmt_touches(struct vmt_heap *h, const struct vmt_op *op, uint32_t page_size, vmt_touch_fn fn,
                void *ctx)
{
    unsigned shift = 0;
    uint64_t a, s, mask = (uint64_t)page_size - 1;
    while ((1ULL << shift) < page_size) shift++;
    switch (op->kind) {
    case VMT_READ:
    case VMT_WRITE:
    case VMT_MEMSET:
        if (vmt_heap_resolve(h, op->region, op->addr, &a) < 0) return -1;
        touch_range(a, op->len, shift, fn, ctx);
        return 0;
    case VMT_LOCK: {
        /* As vm_lock: a range inside one page touches it; a straddling range
         * that fits the bounce buffer is read into it (ro, rw: both pages now)
         * and written back at the last unlock (wo, rw: both pages then); a
         * longer one is trimmed to its first page. */
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
            if (h->nheld == h->capheld) {
                size_t nc = h->capheld ? h->capheld * 2 : 8;
                struct vmt_held *nh = realloc(h->held, nc * sizeof *nh);
                if (!nh) return -1;
                h->held = nh;
                h->capheld = nc;
            }
            h->held[h->nheld].id = op->id;
            h->held[h->nheld].addr = a;
            h->held[h->nheld].len = op->len;
            h->nheld++;
        }
        return 0;
    }
    case VMT_UNLOCK: {
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
    case VMT_MEMCPY: {
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

int vmt_opt_misses(struct vmt_source *s, uint32_t page_size, const uint32_t *counts, size_t n,
                   uint64_t *misses, char *err, size_t errlen)
{
    return vmt_opt_misses_bounce(s, page_size, 0, counts, n, misses, err, errlen);
}

int vmt_opt_misses_bounce(struct vmt_source *s, uint32_t page_size, uint32_t bounce_size,
                          const uint32_t *counts, size_t n, uint64_t *misses, char *err, size_t errlen)
{
    struct opt_pass1 o;
    struct vmt_heap *h = NULL;
    struct vmt_op op;
    FILE *b = NULL;
    uint32_t *abuf = NULL, (*bbuf)[2] = NULL, *sid = NULL;
    uint64_t *last = NULL, *snext = NULL, *hist = NULL, nblk, k, t;
    uint32_t maxc = 0, depth = 0;
    size_t i, bn;
    int rc, ret = -1;

    memset(&o, 0, sizeof o);
    if (page_size < 1 || (page_size & (page_size - 1)))
        return vmt_errf(err, errlen, "%s: page size %lu is not a power of two", s->path, (unsigned long)page_size);
    for (i = 0; i < n; i++) {
        if (counts[i] < 1 || counts[i] > 65535)
            return vmt_errf(err, errlen, "page count %lu out of range 1..65535", (unsigned long)counts[i]);
        if (counts[i] > maxc) maxc = counts[i];
    }
    if (vmt_rewind(s) < 0) return vmt_errf(err, errlen, "%s", vmt_error(s));
    h = vmt_heap_new(4, s->info.pool_size, 4);
    if (h) vmt_heap_set_bounce(h, bounce_size);
    o.a = tmpfile();
    b = tmpfile();
    o.buf = malloc(OPT_BLK * sizeof *o.buf);
    bbuf = malloc(OPT_BLK * sizeof *bbuf);
    if (!h || !o.a || !b || !o.buf || !bbuf) {
        vmt_errf(err, errlen, "OPT: cannot create temporary files or out of memory");
        goto out;
    }
    /* Pass 1: touches -> dense ids in A. */
    while ((rc = vmt_next(s, &op)) == 1) {
        if (vmt_touches(h, &op, page_size, opt_touch, &o) < 0) {
            vmt_errf(err, errlen, "%s: op %llu: allocation %u is not live (or did not fit)", s->path,
                     (unsigned long long)(o.touches), op.region ? op.region : op.src_region);
            goto out;
        }
        if (o.failed) break;
    }
    if (rc < 0) {
        vmt_errf(err, errlen, "%s", vmt_error(s));
        goto out;
    }
    if (o.n && fwrite(o.buf, sizeof *o.buf, o.n, o.a) != o.n) o.failed = 1;
    if (o.failed || fflush(o.a) != 0) {
        vmt_errf(err, errlen, "OPT: temporary file write failed or out of memory");
        goto out;
    }
    abuf = o.buf;
    o.buf = NULL;
    /* Pass 2: backward over A, next-use distances, B written back to front. */
    last = malloc((o.map.count ? o.map.count : 1) * sizeof *last);
    if (!last) {
        vmt_errf(err, errlen, "OPT: out of memory");
        goto out;
    }
    for (i = 0; i < o.map.count; i++) last[i] = UINT64_MAX;
    nblk = (o.touches + OPT_BLK - 1) / OPT_BLK;
    for (k = nblk; k-- > 0;) {
        bn = read_block(o.a, sizeof *abuf, o.touches, k, abuf);
        if (!bn) {
            vmt_errf(err, errlen, "OPT: temporary file read failed");
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
        if (fwrite(bbuf, sizeof *bbuf, bn, b) != bn) {
            vmt_errf(err, errlen, "OPT: temporary file write failed");
            goto out;
        }
    }
    if (fflush(b) != 0) {
        vmt_errf(err, errlen, "OPT: temporary file write failed");
        goto out;
    }
    free(last);
    last = NULL;
    /* Pass 3: forward in time, the OPT stack. */
    sid = malloc(maxc * sizeof *sid);
    snext = malloc(maxc * sizeof *snext);
    hist = calloc((size_t)maxc + 1, sizeof *hist); /* hist[d]: found at depth d; hist[maxc]: not in the stack */
    if (!sid || !snext || !hist) {
        vmt_errf(err, errlen, "OPT: out of memory");
        goto out;
    }
    t = 0;
    for (k = nblk; k-- > 0;) {
        bn = read_block(b, sizeof *bbuf, o.touches, k, bbuf);
        if (!bn) {
            vmt_errf(err, errlen, "OPT: temporary file read failed");
            goto out;
        }
        for (i = bn; i-- > 0; t++) {
            uint32_t id = bbuf[i][0], d, carry_id;
            uint64_t nu, carry_nu;
            if (id == OPT_INVAL) {
                depth = 0;
                continue;
            }
            nu = bbuf[i][1] == OPT_NEVER ? UINT64_MAX : t + bbuf[i][1];
            for (d = 0; d < depth && sid[d] != id; d++) {}
            hist[d < depth ? d : maxc]++;
            if (d == 0 && depth > 0) {
                snext[0] = nu;
                continue;
            }
            /* New top; the displaced entries sink, the nearer next use staying higher. */
            carry_id = depth ? sid[0] : id;
            carry_nu = depth ? snext[0] : nu;
            sid[0] = id;
            snext[0] = nu;
            if (depth == 0) {
                depth = 1;
                continue;
            }
            {
                uint32_t j, stop = d < depth ? d : depth;
                for (j = 1; j < stop; j++) {
                    if (snext[j] > carry_nu) { /* the stacked one is farther: it sinks */
                        uint32_t ti = sid[j];
                        uint64_t tn = snext[j];
                        sid[j] = carry_id;
                        snext[j] = carry_nu;
                        carry_id = ti;
                        carry_nu = tn;
                    }
                }
                if (d < depth) {
                    sid[d] = carry_id;
                    snext[d] = carry_nu;
                } else if (depth < maxc) {
                    sid[depth] = carry_id;
                    snext[depth] = carry_nu;
                    depth++;
                }
            }
        }
    }
    for (i = 0; i < n; i++) {
        uint64_t m = hist[maxc];
        uint32_t d;
        for (d = counts[i]; d < maxc; d++) m += hist[d];
        misses[i] = m;
    }
    ret = 0;
out:
    if (o.a) fclose(o.a);
    if (b) fclose(b);
    vmt_map_clear(&o.map);
    vmt_heap_free(h);
    free(o.buf);
    free(abuf);
    free(bbuf);
    free(last);
    free(sid);
    free(snext);
    free(hist);
    return ret;
}
