/*
 * vm_alloc.c - an allocator for the pool whose metadata lives in RAM.
 *
 * The caller's table (vm_config.heap) lists live blocks sorted by address;
 * free space is the gaps between them. So alloc and free never touch the
 * backend or the page cache (the original kept headers in the pool, where
 * every call could swap), freed space coalesces by construction, and the
 * table's size bounds the number of live allocations, which a firmware
 * author knows. Alloc is first fit: O(blocks); free is a binary search plus
 * a shift of the table.
 */
#include "vm_internal.h"

#if VM_CONFIG_ALLOC

#define ALIGN_UP(x) (((x) + (VM_ALLOC_ALIGN - 1u)) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u))

/* Index of the block starting at p, or -1. */
static int find_block(const struct vm *vm, vm_addr_t p)
{
    unsigned lo = 0, hi = vm->heap_n;
    if (!vm->heap) return -1;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2u;
        if (vm->heap[mid].addr < p) lo = mid + 1u;
        else hi = mid;
    }
    return lo < vm->heap_n && vm->heap[lo].addr == p ? (int)lo : -1;
}

/* The free gap before block k (k == heap_n: the one after the last block):
 * its start in *at, its length returned. */
static vm_addr_t gap(const struct vm *vm, unsigned k, vm_addr_t *at)
{
    const struct vm_block *b = &vm->heap[k];
    *at = k ? b[-1].addr + b[-1].size : vm->heap_start;
    return (k < vm->heap_n ? b->addr : vm->heap_end) - *at;
}

/* heap_used becomes used; the peak follows. */
static void set_used(struct vm *vm, vm_addr_t used)
{
    vm->heap_used = used;
    if (used > vm->heap_peak) vm->heap_peak = used;
}

/* Bytes (rounded) for a request, or 0 if it cannot fit at all. */
static vm_addr_t rounded(const struct vm *vm, vm_addr_t size)
{
    if (size == 0 || size > vm->heap_end - vm->heap_start) return 0;
    return ALIGN_UP(size);
}

vm_addr_t vm_alloc(struct vm *vm, vm_addr_t size)
{
    vm_addr_t sz, at;
    unsigned k;

    if (!vm->heap || vm->heap_n >= vm->heap_cap || (sz = rounded(vm, size)) == 0) return VM_NULL;
    for (k = 0; k <= vm->heap_n; k++)
        if (gap(vm, k, &at) >= sz) {
            struct vm_block *b = &vm->heap[k];
            memmove(b + 1, b, (vm->heap_n - k) * sizeof *b);
            b->addr = at;
            b->size = sz;
            vm->heap_n++;
            set_used(vm, vm->heap_used + sz);
            return at;
        }
    return VM_NULL;
}

int vm_free(struct vm *vm, vm_addr_t p)
{
    int k;
    struct vm_block *b;
    if (p == VM_NULL) return VM_OK;
    if ((k = find_block(vm, p)) < 0) return VM_ERR_INVAL;
    b = &vm->heap[k];
    vm->heap_used -= b->size;
    vm->heap_n--;
    memmove(b, b + 1, (vm->heap_n - (unsigned)k) * sizeof *b);
    return VM_OK;
}

/* Copy n bytes from p to q (blocks that do not overlap): vm_memmove, or
 * without the bulk helpers (VM_CONFIG_BULK=0) 32 bytes at a time through the
 * stack. */
static int copy(struct vm *vm, vm_addr_t q, vm_addr_t p, vm_addr_t n)
{
#if VM_CONFIG_BULK
    return vm_memmove(vm, q, p, n);
#else
    uint8_t tmp[32];
    uint16_t k;
    int err = VM_OK;
    for (; n && err == VM_OK; p += k, q += k, n -= k) {
        k = n < sizeof tmp ? (uint16_t)n : (uint16_t)sizeof tmp;
        if ((err = vm_read(vm, tmp, p, k)) == VM_OK) err = vm_write(vm, q, tmp, k);
    }
    return err;
#endif
}

vm_addr_t vm_realloc(struct vm *vm, vm_addr_t p, vm_addr_t size)
{
    vm_addr_t sz, next, q;
    int k;

    if (p == VM_NULL) return vm_alloc(vm, size);
    if ((k = find_block(vm, p)) < 0) return VM_NULL;
    if (size == 0) {
        vm_free(vm, p);
        return VM_NULL;
    }
    if ((sz = rounded(vm, size)) == 0) return VM_NULL;
    next = (unsigned)k + 1u < vm->heap_n ? vm->heap[k + 1].addr : vm->heap_end;
    if (next - p >= sz) {
        /* Grow or shrink in place. */
        set_used(vm, vm->heap_used - vm->heap[k].size + sz);
        vm->heap[k].size = sz;
        return p;
    }
    next = vm->heap[k].size; /* the bytes to keep */
    if ((q = vm_alloc(vm, sz)) == VM_NULL) return VM_NULL;
    if (copy(vm, q, p, next) != VM_OK) {
        vm_free(vm, q);
        return VM_NULL;
    }
    vm_free(vm, p);
    return q;
}

void vm_heap_stats(const struct vm *vm, struct vm_heap_stats *st)
{
    vm_addr_t at, g;
    unsigned k;

    memset(st, 0, sizeof *st);
    if (!vm->heap) return;
    st->used = vm->heap_used;
    st->peak = vm->heap_peak;
    st->free = (vm->heap_end - vm->heap_start) - vm->heap_used;
    st->blocks = vm->heap_n;
    st->blocks_max = vm->heap_cap;
    if (vm->heap_n < vm->heap_cap) /* else nothing fits */
        for (k = 0; k <= vm->heap_n; k++)
            if ((g = gap(vm, k, &at) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u)) > st->largest_free) st->largest_free = g;
}

#else
typedef int vm_alloc_disabled; /* ISO C forbids an empty translation unit */
#endif
