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
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2u;
        if (vm->heap[mid].addr < p) lo = mid + 1u;
        else hi = mid;
    }
    return lo < vm->heap_n && vm->heap[lo].addr == p ? (int)lo : -1;
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
    at = vm->heap_start;
    for (k = 0; k <= vm->heap_n; k++) {
        vm_addr_t next = k < vm->heap_n ? vm->heap[k].addr : vm->heap_end;
        if (next - at >= sz) {
            memmove(&vm->heap[k + 1u], &vm->heap[k], (vm->heap_n - k) * sizeof vm->heap[0]);
            vm->heap[k].addr = at;
            vm->heap[k].size = sz;
            vm->heap_n++;
            vm->heap_used += sz;
            if (vm->heap_used > vm->heap_peak) vm->heap_peak = vm->heap_used;
            return at;
        }
        if (k < vm->heap_n) at = vm->heap[k].addr + vm->heap[k].size;
    }
    return VM_NULL;
}

int vm_free(struct vm *vm, vm_addr_t p)
{
    int k;
    if (p == VM_NULL) return VM_OK;
    if (!vm->heap || (k = find_block(vm, p)) < 0) return VM_ERR_INVAL;
    vm->heap_used -= vm->heap[k].size;
    vm->heap_n--;
    memmove(&vm->heap[k], &vm->heap[k + 1], (vm->heap_n - (unsigned)k) * sizeof vm->heap[0]);
    return VM_OK;
}

vm_addr_t vm_realloc(struct vm *vm, vm_addr_t p, vm_addr_t size)
{
    vm_addr_t sz, next, q, keep;
    int k;

    if (p == VM_NULL) return vm_alloc(vm, size);
    if (!vm->heap || (k = find_block(vm, p)) < 0) return VM_NULL;
    if (size == 0) {
        vm_free(vm, p);
        return VM_NULL;
    }
    if ((sz = rounded(vm, size)) == 0) return VM_NULL;
    next = (unsigned)k + 1u < vm->heap_n ? vm->heap[k + 1].addr : vm->heap_end;
    if (next - p >= sz) {
        /* Grow or shrink in place. */
        vm->heap_used = vm->heap_used - vm->heap[k].size + sz;
        vm->heap[k].size = sz;
        if (vm->heap_used > vm->heap_peak) vm->heap_peak = vm->heap_used;
        return p;
    }
    keep = vm->heap[k].size;
    if ((q = vm_alloc(vm, sz)) == VM_NULL) return VM_NULL;
    if (vm_memmove(vm, q, p, keep) != VM_OK) {
        vm_free(vm, q);
        return VM_NULL;
    }
    vm_free(vm, p);
    return q;
}

void vm_heap_stats(const struct vm *vm, struct vm_heap_stats *st)
{
    vm_addr_t at, largest = 0;
    unsigned k;

    memset(st, 0, sizeof *st);
    if (!vm->heap) return;
    st->used = vm->heap_used;
    st->peak = vm->heap_peak;
    st->free = (vm->heap_end - vm->heap_start) - vm->heap_used;
    st->blocks = vm->heap_n;
    st->blocks_max = vm->heap_cap;
    at = vm->heap_start;
    for (k = 0; k <= vm->heap_n; k++) {
        vm_addr_t next = k < vm->heap_n ? vm->heap[k].addr : vm->heap_end;
        vm_addr_t gap = (next - at) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u);
        if (gap > largest) largest = gap;
        if (k < vm->heap_n) at = vm->heap[k].addr + vm->heap[k].size;
    }
    st->largest_free = vm->heap_n < vm->heap_cap ? largest : 0;
}

#else
typedef int vm_alloc_disabled; /* ISO C forbids an empty translation unit */
#endif
