/*
 * vm_bulk.c - memset, memmove, memcmp, strlen, strncpy and strcmp on the pool.
 *
 * Each works chunk by chunk, a chunk being the longest run that stays inside
 * one page of every operand, accessed in place in the page buffers (one
 * touch per page, never a byte at a time through the slow path). A wrapped
 * address (VM_CONFIG_WRAP) is plain RAM and limits nothing. With two pool
 * operands the source page is pinned while the destination page is made
 * resident; when that is impossible (one slot) or when an operand overlaps a
 * bounced lock, the chunk goes through a small stack buffer instead.
 */
#include "vm_internal.h"

#if VM_CONFIG_BULK

#define STAGE 32u  /* bytes of the stack buffer for staged chunks */
#define NONE (-128) /* span is not a page: RAM or the stack buffer (no vm_err) */

/* Bytes from a to the end of its page (or a page's worth for RAM). */
static uint16_t room(const struct vm *vm, vm_addr_t a)
{
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) return vm->page_size;
#endif
    return (uint16_t)(vm->page_size - (a & vm->page_mask));
}

/* Bytes from the start of the page holding end-1 up to end. */
static uint16_t room_back(const struct vm *vm, vm_addr_t end)
{
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(end - 1u)) return vm->page_size;
#endif
    return (uint16_t)(((end - 1u) & vm->page_mask) + 1u);
}

static uint16_t min16(vm_addr_t a, uint16_t b) { return a < b ? (uint16_t)a : b; }

static int check(const struct vm *vm, vm_addr_t a, vm_addr_t n)
{
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) return VM_OK;
#endif
    return vm__range(vm, a, n);
}

static int staged(const struct vm *vm, vm_addr_t a, uint16_t c)
{
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) return 0;
#endif
    return vm__bounced(vm, a, c);
}

/* Point *p at [a, a+c) for reading: in RAM, in its page (returns the slot),
 * or copied into tmp when the range is bounced (c <= STAGE then). */
static int rd_span(struct vm *vm, vm_addr_t a, uint16_t c, uint8_t *tmp, const uint8_t **p)
{
    int i;
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) { *p = (const uint8_t *)vm_unwrap(vm, a); return NONE; }
#endif
    if (vm__bounced(vm, a, c)) {
        *p = tmp;
        return (i = vm_read(vm, tmp, a, c)) < 0 ? i : NONE;
    }
    if ((i = vm__touch(vm, a, c, VM__READ)) < 0) return i;
    *p = vm__data(vm, (unsigned)i) + (a & vm->page_mask);
    return i;
}

/* Point *p at [a, a+c) for overwriting; finish with wr_end. */
static int wr_span(struct vm *vm, vm_addr_t a, uint16_t c, uint8_t *tmp, uint8_t **p)
{
    int i;
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) { *p = (uint8_t *)vm_unwrap(vm, a); return NONE; }
#endif
    if (vm__bounced(vm, a, c)) { *p = tmp; return NONE; }
    if ((i = vm__touch(vm, a, c, VM__WRITE)) < 0) return i;
    *p = vm__data(vm, (unsigned)i) + (a & vm->page_mask);
    return i;
}

static int wr_end(struct vm *vm, int i, vm_addr_t a, uint16_t c, const uint8_t *tmp, const uint8_t *p)
{
    uint16_t off = (uint16_t)(a & vm->page_mask);
    if (i >= 0) {
        vm__dirty(vm, (unsigned)i, off, (uint16_t)(off + c));
        vm__done(vm, (unsigned)i);
        return VM_OK;
    }
    return p == tmp ? vm_write(vm, a, tmp, c) : VM_OK;
}

static void rd_end(struct vm *vm, int i)
{
    if (i >= 0) vm__done(vm, (unsigned)i);
}

/* Pin/unpin a page while a second one is made resident. */
static int pin(struct vm *vm, int i)
{
    if (i < 0) return 1;
    if (vm->slots[i].locks == 255u) return 0;
    vm->slots[i].locks++;
    return 1;
}
static void unpin(struct vm *vm, int i)
{
    if (i >= 0) vm->slots[i].locks--;
}

/* Read spans of two operands at once. On VM_ERR_BUSY for the second (it
 * could not coexist with the first), both are staged through tmp buffers and
 * *c shrinks to STAGE. Returns 0 or an error; *i, *j as rd_span. */
static int rd_pair(struct vm *vm, vm_addr_t a, vm_addr_t b, uint16_t *c, uint8_t *ta, uint8_t *tb,
                   const uint8_t **pa, const uint8_t **pb, int *i, int *j)
{
    int err;
    if ((*i = rd_span(vm, a, *c, ta, pa)) < VM_OK && *i != NONE) return *i;
    if (!pin(vm, *i)) *j = VM_ERR_BUSY;
    else {
        *j = rd_span(vm, b, *c, tb, pb);
        unpin(vm, *i);
    }
    if (*j == VM_ERR_BUSY && *i >= 0) {
        if (*c > STAGE) *c = STAGE;
        memcpy(ta, *pa, *c);
        *pa = ta;
        rd_end(vm, *i);
        *i = NONE;
        if ((err = vm_read(vm, tb, b, *c)) != VM_OK) return err;
        *pb = tb;
        *j = NONE;
    }
    return *j < VM_OK && *j != NONE ? *j : VM_OK;
}

int vm_memset(struct vm *vm, vm_addr_t dst, int c, vm_addr_t n)
{
    uint8_t tmp[STAGE], *p = NULL;
    int i, err;

    if ((err = check(vm, dst, n)) != VM_OK) return err;
    while (n) {
        uint16_t k = min16(n, room(vm, dst));
        if (staged(vm, dst, k) && k > STAGE) k = STAGE;
        if ((i = wr_span(vm, dst, k, tmp, &p)) < VM_OK && i != NONE) return i;
        memset(p, c, k);
        if ((err = wr_end(vm, i, dst, k, tmp, p)) != VM_OK) return err;
        dst += k;
        n -= k;
    }
    return VM_OK;
}

/* Copy one chunk [a, a+k) -> [b, b+k), each side inside one page. When the
 * two pages cannot both be resident (one slot), or a side is bounced, go
 * through the stack buffer, STAGE bytes at a time, in the copy's direction,
 * so that an overlap within the chunk is still safe. */
static int copy_chunk(struct vm *vm, vm_addr_t b, vm_addr_t a, uint16_t k, int backward)
{
    uint8_t tmp[STAGE], *pb = NULL;
    const uint8_t *pa;
    uint16_t done, t, off;
    int i, j, err;

    if (!staged(vm, a, k) && !staged(vm, b, k)) {
        if ((i = rd_span(vm, a, k, tmp, &pa)) < VM_OK && i != NONE) return i;
        if (!pin(vm, i)) j = VM_ERR_BUSY;
        else {
            j = wr_span(vm, b, k, tmp, &pb);
            unpin(vm, i);
        }
        if (j >= 0 || j == NONE) {
            memmove(pb, pa, k);
            rd_end(vm, i);
            return wr_end(vm, j, b, k, tmp, pb);
        }
        rd_end(vm, i);
        if (j != VM_ERR_BUSY || i < 0) return j;
    }
    for (done = 0; done < k; done += t) {
        t = (uint16_t)((unsigned)(k - done) < STAGE ? (unsigned)(k - done) : STAGE);
        off = backward ? (uint16_t)(k - done - t) : done;
        if ((err = vm_read(vm, tmp, a + off, t)) != VM_OK) return err;
        if ((err = vm_write(vm, b + off, tmp, t)) != VM_OK) return err;
    }
    return VM_OK;
}

int vm_memmove(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    int err;
    uint16_t k, want;

    if ((err = check(vm, dst, n)) != VM_OK || (err = check(vm, src, n)) != VM_OK) return err;
    if (n == 0 || dst == src) return VM_OK;
    if (dst > src && dst - src < n) {
        /* The destination overlaps above the source: copy from the end. */
        while (n) {
            k = min16(n, room_back(vm, src + n));
            want = room_back(vm, dst + n);
            if (want < k) k = want;
            if ((err = copy_chunk(vm, dst + n - k, src + n - k, k, 1)) != VM_OK) return err;
            n -= k;
        }
        return VM_OK;
    }
    while (n) {
        k = min16(n, room(vm, src));
        want = room(vm, dst);
        if (want < k) k = want;
        if ((err = copy_chunk(vm, dst, src, k, 0)) != VM_OK) return err;
        dst += k;
        src += k;
        n -= k;
    }
    return VM_OK;
}

int vm_memcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, vm_addr_t n, int *cmp)
{
    uint8_t ta[STAGE], tb[STAGE];
    const uint8_t *pa, *pb;
    int i, j, err, r = 0;

    if ((err = check(vm, a, n)) != VM_OK || (err = check(vm, b, n)) != VM_OK) return err;
    while (n && r == 0) {
        uint16_t k = min16(n, room(vm, a)), want = room(vm, b);
        if (want < k) k = want;
        if ((staged(vm, a, k) || staged(vm, b, k)) && k > STAGE) k = STAGE;
        if ((err = rd_pair(vm, a, b, &k, ta, tb, &pa, &pb, &i, &j)) != VM_OK) return err;
        r = memcmp(pa, pb, k);
        rd_end(vm, i);
        rd_end(vm, j);
        a += k;
        b += k;
        n -= k;
    }
    if (cmp) *cmp = r < 0 ? -1 : r > 0;
    return VM_OK;
}

int vm_memcmp_ram(struct vm *vm, vm_addr_t a, const void *b, size_t n, int *cmp)
{
    uint8_t tmp[STAGE];
    const uint8_t *pa, *pb = (const uint8_t *)b;
    int i, err, r = 0;

#if SIZE_MAX > 0xFFFFFFFFu
    if (n > 0xFFFFFFFFu) return VM_ERR_RANGE;
#endif
    if ((err = check(vm, a, (vm_addr_t)n)) != VM_OK) return err;
    while (n && r == 0) {
        uint16_t k = min16((vm_addr_t)(n < 0xFFFFu ? n : 0xFFFFu), room(vm, a));
        if (staged(vm, a, k) && k > STAGE) k = STAGE;
        if ((i = rd_span(vm, a, k, tmp, &pa)) < VM_OK && i != NONE) return i;
        r = memcmp(pa, pb, k);
        rd_end(vm, i);
        a += k;
        pb += k;
        n -= k;
    }
    if (cmp) *cmp = r < 0 ? -1 : r > 0;
    return VM_OK;
}

/* Length of the string at s, looking at most at max bytes (*len = max if no
 * NUL among them). VM_ERR_RANGE if the pool ends first. */
static int bounded_strlen(struct vm *vm, vm_addr_t s, vm_addr_t max, vm_addr_t *len)
{
    uint8_t tmp[STAGE];
    const uint8_t *p, *z;
    vm_addr_t got = 0;
    int i;

#if VM_CONFIG_WRAP
    if (vm_is_wrapped(s)) {
        p = (const uint8_t *)vm_unwrap(vm, s);
        while (got < max && p[got]) got++;
        *len = got;
        return VM_OK;
    }
#endif
    while (got < max) {
        uint16_t k;
        if (s >= vm->pool_size) return VM_ERR_RANGE;
        k = min16(max - got, room(vm, s));
        if (k > vm->pool_size - s) k = (uint16_t)(vm->pool_size - s);
        if (staged(vm, s, k) && k > STAGE) k = STAGE;
        if ((i = rd_span(vm, s, k, tmp, &p)) < VM_OK && i != NONE) return i;
        z = (const uint8_t *)memchr(p, 0, k);
        rd_end(vm, i);
        if (z) {
            *len = got + (vm_addr_t)(z - p);
            return VM_OK;
        }
        got += k;
        s += k;
    }
    *len = max;
    return VM_OK;
}

int vm_strlen(struct vm *vm, vm_addr_t s, vm_addr_t *len)
{
    vm_addr_t l;
    int err = bounded_strlen(vm, s, (vm_addr_t)0xFFFFFFFFu, &l);
    if (err == VM_OK && len) *len = l;
    return err;
}

int vm_strncpy(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    vm_addr_t l;
    int err;

    if ((err = check(vm, dst, n)) != VM_OK) return err;
    if ((err = bounded_strlen(vm, src, n, &l)) != VM_OK) return err;
    if (l < n) l++; /* the NUL */
    if ((err = vm_memmove(vm, dst, src, l)) != VM_OK) return err;
    return l < n ? vm_memset(vm, dst + l, 0, n - l) : VM_OK;
}

int vm_strcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, int *cmp)
{
    uint8_t ta[STAGE], tb[STAGE];
    const uint8_t *pa, *pb;
    int i, j, err;

    for (;;) {
        uint16_t k = room(vm, a), want = room(vm, b), x;
#if VM_CONFIG_WRAP
        if (!vm_is_wrapped(a))
#endif
        {
            if (a >= vm->pool_size) return VM_ERR_RANGE;
            if (k > vm->pool_size - a) k = (uint16_t)(vm->pool_size - a);
        }
#if VM_CONFIG_WRAP
        if (!vm_is_wrapped(b))
#endif
        {
            if (b >= vm->pool_size) return VM_ERR_RANGE;
            if (want > vm->pool_size - b) want = (uint16_t)(vm->pool_size - b);
        }
        if (want < k) k = want;
        if ((staged(vm, a, k) || staged(vm, b, k)) && k > STAGE) k = STAGE;
        if ((err = rd_pair(vm, a, b, &k, ta, tb, &pa, &pb, &i, &j)) != VM_OK) return err;
        for (x = 0; x < k; x++)
            if (pa[x] != pb[x] || pa[x] == 0) break;
        if (x < k) {
            int r = (int)pa[x] - (int)pb[x];
            rd_end(vm, i);
            rd_end(vm, j);
            if (cmp) *cmp = r < 0 ? -1 : r > 0;
            return VM_OK;
        }
        rd_end(vm, i);
        rd_end(vm, j);
        a += k;
        b += k;
    }
}

#else
typedef int vm_bulk_unused; /* ISO C: a translation unit is never empty */
#endif /* VM_CONFIG_BULK */
