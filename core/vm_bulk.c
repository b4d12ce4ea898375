/*
 * vm_bulk.c - memset, memmove, memcmp, strlen, strncpy and strcmp on the pool.
 *
 * Each works over chunks, a chunk being the longest run that stays inside
 * one page of every operand, accessed in place in the page buffers (one
 * touch per page and operand, never a byte at a time through the slow path).
 * All but vm_memset share one loop (run): each is the few lines that set it
 * up and the one line of work it does on a chunk (step). vm_memset, the one
 * a sketch most often uses alone, has its own short loop, so that it does
 * not link the engine. A wrapped address
 * (VM_CONFIG_WRAP) is plain RAM and limits nothing. With two pool operands
 * the first one's page is pinned while the second one's is made resident.
 * A chunk goes through small stack buffers instead (vm_read / vm_write,
 * STAGE bytes at a time, in the copy's direction) when an operand overlaps a
 * bounced lock, or when the two pages cannot both be resident (one slot, or
 * every other slot locked): then the whole chunk is staged, piece by piece.
 */
#include "vm_internal.h"

#if VM_CONFIG_BULK

#define STAGE 32u /* bytes of the stack buffer for staged chunks */

/* The operations (vm_memset has its own loop). Operand 0 is read; operand
 * 1 (a second pool range, from TWO up) is read, but written by MOVE and BACK. */
enum { CMP_RAM, STRLEN, MOVE, BACK, CMP, STRCMP };
#define TWO MOVE
#define NONE (-128)  /* span: the chunk is not in a page (no vm_err) */
#define RETRY (-127) /* chunk: the two pages cannot both be resident */

/* A bulk operation's work on its chunks. */
struct bulk {
    vm_addr_t a, b;     /* the chunk: [a, a+k) of operand 0, [b, b+k) of 1;
                           between chunks, where the next starts (BACK: ends) */
    vm_addr_t n;        /* bytes left (STRLEN, STRCMP: the most to look at) */
    uint16_t k, whole;  /* the chunk's length; before staging */
    const uint8_t *ram; /* CMP_RAM: the RAM operand's next chunk */
    int r;              /* CMP, CMP_RAM, STRCMP: the difference found */
    uint8_t op;         /* the operation */
    uint8_t stop;       /* the result is known */
};

/* Bytes from a to the end of its page, limited to the pool's end (0 when a
 * lies past it); for back, a is a chunk's last byte and it is the bytes from
 * the start of its page through a. RAM has no pages: a page's worth. */
static VM_NOINLINE uint16_t room(const struct vm *vm, vm_addr_t a, int back)
{
    uint16_t off = (uint16_t)a & (uint16_t)vm->page_mask, k;
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) return vm->page_size;
#endif
    if (back) return (uint16_t)(off + 1u);
    if (a >= vm->pool_size) return 0;
    k = (uint16_t)(vm->page_size - off);
    return vm->pool_size - a < k ? (uint16_t)(vm->pool_size - a) : k;
}

/* VM_OK if [a, a+n) is a wrapped address or inside the pool. */
static VM_NOINLINE int check(const struct vm *vm, vm_addr_t a, vm_addr_t n)
{
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) return VM_OK;
#endif
    return vm__range(vm, a, n);
}

/* Point *p at [a, a+k), to read or to overwrite (how): in RAM (NONE), or
 * in its page (returns the slot, touched). Or a vm_err. */
static int span(struct vm *vm, vm_addr_t a, uint16_t k, unsigned how, uint8_t **p)
{
    int i;
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) {
        *p = (uint8_t *)vm_unwrap(vm, a);
        return NONE;
    }
#endif
    if ((i = vm__touch(vm, a, k, how)) >= 0)
        *p = vm__data(vm, (unsigned)i) + ((uint16_t)a & (uint16_t)vm->page_mask);
    return i;
}

/* The end of a chunk that span gave: a page written is dirty, and may
 * become hot. */
static void span_end(struct vm *vm, int i, vm_addr_t a, uint16_t k, unsigned how)
{
    if (i < 0) return;
    if (how == VM__WRITE) {
        uint16_t off = (uint16_t)a & (uint16_t)vm->page_mask;
        vm__dirty(vm, (unsigned)i, off, (uint16_t)(off + k));
    }
    vm__done(vm, (unsigned)i);
}

/* The work on one chunk of k bytes, p of operand 0, q of operand 1. Returns
 * the bytes it got through (less than k where STRLEN found the NUL). */
static VM_NOINLINE uint16_t step(struct bulk *t, uint8_t *p, uint8_t *q, uint16_t k)
{
    uint16_t x;
    switch (t->op) {
    case MOVE:
    case BACK: memmove(q, p, k); break;
    case CMP_RAM:
        q = (uint8_t *)(uintptr_t)t->ram;
        t->ram += k;
        /* fall through */
    case CMP:
        t->r = memcmp(p, q, k);
        t->stop = t->r != 0;
        break;
    case STRLEN:
        if ((q = (uint8_t *)memchr(p, 0, k)) != NULL) {
            t->stop = 1;
            return (uint16_t)(q - p);
        }
        break;
    default: /* STRCMP */
        for (x = 0; x < k; x++)
            if (p[x] != q[x] || p[x] == 0) {
                t->r = (int)p[x] - (int)q[x];
                t->stop = 1;
                break;
            }
    }
    return k;
}

/* The chunk in place. Operand 0's page is pinned while operand 1's is made
 * resident: RETRY when that is impossible. t->k becomes the bytes done. */
static VM_NOINLINE int chunk(struct vm *vm, struct bulk *t)
{
    uint8_t op = t->op, *p = NULL, *q = NULL;
    vm_addr_t a = t->a, b = t->b;
    uint16_t *k = &t->k;
    unsigned h1 = op == MOVE || op == BACK ? VM__WRITE : VM__READ;
    int i, j = NONE;

    if ((i = span(vm, a, *k, VM__READ, &p)) < 0 && i != NONE) return i;
    if (op >= TWO) {
        if (i >= 0 && vm->slots[i].locks == 255u) j = VM_ERR_BUSY;
        else {
            if (i >= 0) vm->slots[i].locks++; /* pinned */
            j = span(vm, b, *k, h1, &q);
            if (i >= 0) vm->slots[i].locks--;
        }
        if (j < 0 && j != NONE) {
            if (i < 0) return j;
            vm__done(vm, (unsigned)i);
            return j == VM_ERR_BUSY ? RETRY : j;
        }
    }
    *k = step(t, p, q, *k);
    span_end(vm, i, a, *k, VM__READ);
    span_end(vm, j, b, *k, h1);
    return VM_OK;
}

/* One chunk of at most STAGE bytes (STAGE / 2 with two operands to read)
 * through a stack buffer: the operands read with vm_read, the one written
 * with vm_write (which keep a bounced lock's copy in step, and serve
 * wrapped addresses). */
static VM_NOINLINE int staged(struct vm *vm, struct bulk *t)
{
    uint8_t tmp[STAGE], *q = tmp;
    uint8_t op = t->op;
    vm_addr_t a = t->a, b = t->b;
    uint16_t *k = &t->k;
    int err;
    if ((err = vm_read(vm, tmp, a, *k)) != VM_OK) return err;
    if (op >= CMP) { /* CMP, STRCMP: both halves */
        q = tmp + STAGE / 2;
        if ((err = vm_read(vm, q, b, *k)) != VM_OK) return err;
    }
    *k = step(t, tmp, q, *k); /* MOVE: the data is already in place */
    return op == MOVE || op == BACK ? vm_write(vm, b, tmp, *k) : VM_OK;
}

/* The next chunk, from where it starts (BACK: ends) in t->a, t->b: t->a, t->b, t->k (staged: at most STAGE bytes, STAGE / 2
 * with two operands to read) and t->whole (the chunk unstaged). Returns 1
 * when it must be staged (busy, or an operand overlaps the bounce buffer),
 * 0 when not, VM_ERR_RANGE when a string runs off the pool. */
static VM_NOINLINE int plan(const struct vm *vm, struct bulk *t, int busy)
{
    int back = t->op == BACK, two = t->op >= TWO, stage = busy;
    vm_addr_t a = t->a, b = t->b;
    uint16_t k = room(vm, a - (vm_addr_t)back, back), m;
    if (two) {
        m = room(vm, b - (vm_addr_t)back, back);
        if (m < k) k = m;
    }
    if (k == 0) return VM_ERR_RANGE;
    if (t->n < k) k = (uint16_t)t->n;
    for (m = 0;; m = k) {
        t->a = back ? a - k : a;
        t->b = back ? b - k : b;
        t->k = k;
        if (m) return 1;
        t->whole = k;
        if (vm__bounced(vm, t->a, k) || (two && vm__bounced(vm, t->b, k))) stage = 1;
        if (!stage) return 0;
        m = t->op >= CMP ? STAGE / 2 : STAGE;
        if (k > m) k = m;
    }
}

/*
 * Run operation op over [a, a+n) of operand 0 and [b, b+n) of operand 1,
 * ranges checked first (but a string's, which ends at its NUL). MOVE picks
 * its direction: a destination that overlaps above the source is copied
 * from the end (BACK). x is CMP_RAM's RAM operand,
 * or where CMP and STRCMP put the comparison's sign (int) and STRLEN the
 * length it found (vm_addr_t), on success, when not NULL. Returns a vm_err,
 * or for CMP_RAM 0 (equal), 1 (greater) or 2 (less).
 */
static int run(struct vm *vm, vm_addr_t a, vm_addr_t b, vm_addr_t n, uint8_t op, void *x)
{
    struct bulk t;
    int busy = 0, err;

    if (op != STRLEN && op != STRCMP &&
        ((err = check(vm, a, n)) != VM_OK || (op >= TWO && (err = check(vm, b, n)) != VM_OK)))
        return err;
    if (op == MOVE) {
        if (a == b) return VM_OK;
        if (b > a && b - a < n) op = BACK;
    }
    t.op = op;
    t.ram = (const uint8_t *)x;
    t.r = 0;
    t.stop = 0;
    t.n = n;
    t.a = op == BACK ? a + n : a; /* BACK: the ends */
    t.b = op == BACK ? b + n : b;
    while (t.n && !t.stop) {
        if ((err = plan(vm, &t, busy)) < 0) return err;
        err = err ? staged(vm, &t) : chunk(vm, &t);
        if (err == RETRY) {
            busy = 1; /* stage this chunk, then try again */
            if (op == BACK) {
                t.a += t.k; /* back to its end */
                t.b += t.k;
            }
            continue;
        }
        if (err != VM_OK) return err;
        if (op != BACK) {
            t.a += t.k;
            t.b += t.k;
        }
        t.n -= t.k;
        if (t.whole == t.k) busy = 0; /* the chunk is done */
    }
    err = t.r < 0 ? 2 : t.r > 0;
    if (x && op == STRLEN) *(vm_addr_t *)x = n - t.n;
    if (x && op >= CMP) *(int *)x = err == 2 ? -1 : err;
    return op == CMP_RAM ? err : VM_OK;
}

/* Its own loop, not run's: a sketch that only fills links a few hundred
 * bytes instead of the whole chunk engine. */
int vm_memset(struct vm *vm, vm_addr_t dst, int c, vm_addr_t n)
{
    uint8_t tmp[STAGE], *p = tmp;
    uint16_t k;
    int i, err;

    if ((err = check(vm, dst, n)) != VM_OK) return err;
    for (; n; dst += k, n -= k) {
        k = room(vm, dst, 0);
        if (n < k) k = (uint16_t)n;
        if (vm__bounced(vm, dst, k)) { /* through vm_write, STAGE bytes at a time */
            if (k > STAGE) k = STAGE;
            memset(tmp, c, k);
            if ((err = vm_write(vm, dst, tmp, k)) != VM_OK) return err;
            continue;
        }
        if ((i = span(vm, dst, k, VM__WRITE, &p)) < 0 && i != NONE) return i;
        memset(p, c, k);
        span_end(vm, i, dst, k, VM__WRITE);
    }
    return VM_OK;
}

int vm_memmove(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    return run(vm, src, dst, n, MOVE, NULL);
}

int vm_memcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, vm_addr_t n, int *cmp)
{
    return run(vm, a, b, n, CMP, cmp);
}

int vm_memcmp_ram(struct vm *vm, vm_addr_t a, const void *b, size_t n, int *cmp)
{
    int r;
#if SIZE_MAX > 0xFFFFFFFFu
    if (n > 0xFFFFFFFFu) return VM_ERR_RANGE;
#endif
    r = run(vm, a, 0, (vm_addr_t)n, CMP_RAM, (void *)(uintptr_t)b);
    if (r < 0) return r;
    if (cmp) *cmp = r == 2 ? -1 : r;
    return VM_OK;
}

int vm_strcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, int *cmp)
{
    return run(vm, a, b, (vm_addr_t)0xFFFFFFFFu, STRCMP, cmp);
}

int vm_strlen(struct vm *vm, vm_addr_t s, vm_addr_t *len)
{
    return run(vm, s, 0, (vm_addr_t)0xFFFFFFFFu, STRLEN, len);
}

int vm_strncpy(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    vm_addr_t l;
    int err;

    if ((err = check(vm, dst, n)) != VM_OK) return err;
    /* The length within n, then the string (with its NUL if that fits),
     * then NULs up to n. */
    if ((err = run(vm, src, 0, n, STRLEN, &l)) != VM_OK) return err;
    if (l < n) l++;
    if ((err = run(vm, src, dst, l, MOVE, NULL)) != VM_OK) return err;
    return l < n ? vm_memset(vm, dst + l, 0, n - l) : VM_OK;
}

#else
typedef int vm_bulk_unused; /* ISO C: a translation unit is never empty */
#endif /* VM_CONFIG_BULK */
