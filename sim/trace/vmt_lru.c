/*
 * vmt_lru.c - LRU misses for every page count in one pass (see vmtrace.h).
 *
 * LRU is a stack algorithm (Mattson et al., "Evaluation techniques for
 * storage hierarchies", IBM Systems Journal 9(2), 1970): the pages an LRU
 * cache of c frames holds are always the top c entries of one recency stack.
 * A touch found at depth d (1 = most recent) hits in every cache of at least
 * d frames and misses in every smaller one. Only the top max(counts) entries
 * matter, so the stack is cut there; a page below it misses everywhere.
 */
#include "vmt_internal.h"

struct lru_pass {
    uint64_t *stack;   /* page numbers, most recent first */
    uint32_t depth, maxc;
    uint64_t *hist;    /* hist[d-1]: touches found at depth d */
    uint64_t touches;
};

static void lru_touch(void *ctx, uint64_t page)
{
    struct lru_pass *l = ctx;
    uint32_t d;
    if (page == VMT_TOUCH_INVALIDATE) {
        l->depth = 0; /* the cache empties: every page misses again */
        return;
    }
    l->touches++;
    for (d = 0; d < l->depth && l->stack[d] != page; d++) {}
    if (d < l->depth) {
        l->hist[d]++;
    } else if (l->depth < l->maxc) {
        l->depth++; /* a miss everywhere; the stack grows */
    } else {
        d = l->depth - 1; /* a miss everywhere; the least recent falls off */
    }
    memmove(l->stack + 1, l->stack, d * sizeof *l->stack);
    l->stack[0] = page;
}

int vmt_lru_misses(struct vmt_source *s, uint32_t page_size, const uint32_t *counts, size_t n,
                   uint64_t *misses, char *err, size_t errlen)
{
    struct lru_pass l;
    struct vmt_heap *h;
    struct vmt_op op;
    size_t i;
    int rc, ret = -1;

    memset(&l, 0, sizeof l);
    if (page_size < 1 || (page_size & (page_size - 1)))
        return vmt_errf(err, errlen, "%s: page size %lu is not a power of two", s->path, (unsigned long)page_size);
    for (i = 0; i < n; i++) {
        if (counts[i] < 1 || counts[i] > 65535)
            return vmt_errf(err, errlen, "page count %lu out of range 1..65535", (unsigned long)counts[i]);
        if (counts[i] > l.maxc) l.maxc = counts[i];
    }
    if (vmt_rewind(s) < 0) return vmt_errf(err, errlen, "%s", vmt_error(s));
    h = vmt_heap_new(4, s->info.pool_size, 4);
    l.stack = calloc(l.maxc + 1u, sizeof *l.stack);
    l.hist = calloc(l.maxc + 1u, sizeof *l.hist);
    if (!h || !l.stack || !l.hist) {
        vmt_errf(err, errlen, "LRU: out of memory");
        goto out;
    }
    while ((rc = vmt_next(s, &op)) == 1)
        if (vmt_touches(h, &op, page_size, lru_touch, &l) < 0) {
            vmt_errf(err, errlen, "%s: allocation %u is not live (or did not fit)", s->path,
                     op.region ? op.region : op.src_region);
            goto out;
        }
    if (rc < 0) {
        vmt_errf(err, errlen, "%s", vmt_error(s));
        goto out;
    }
    for (i = 0; i < n; i++) {
        uint64_t hits = 0;
        uint32_t d;
        for (d = 0; d < counts[i]; d++) hits += l.hist[d];
        misses[i] = l.touches - hits;
    }
    ret = 0;
out:
    vmt_heap_free(h);
    free(l.stack);
    free(l.hist);
    return ret;
}
