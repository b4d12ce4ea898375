/*
 * vm_internal.h - what the core's own files share. Not part of the API.
 */
#ifndef VM_INTERNAL_H
#define VM_INTERNAL_H

#include "vm.h"

/* A function the compiler must not inline (it keeps its caller's frame small). */
#if defined(__GNUC__) || defined(__clang__)
#define VM_NOINLINE __attribute__((noinline))
#else
#define VM_NOINLINE
#endif

#define VM_NIL VM_SLOT_NONE               /* no slot (lists, hints, SIEVE hand) */
#define VM_WRAP_SLOT (VM_SLOT_NONE - 1u) /* vm_lock.slot of a lock on a wrapped pointer */
#define VM_HOT_NONE 0xFFu                /* vm.hot_last: no entry */

/* How a touch uses the bytes it names (vm__touch): a flag above every
 * length (at most 4096), so that the length and the kind travel in one
 * 16-bit argument. On AVR vm__touch_lh's three arguments then sit in
 * call-clobbered registers (r18-r25); a fourth would take r16-r17, which
 * every caller passing it would have to save and restore. */

#define VM__READ 0u      /* the bytes must be valid: fetch what is missing */
#define VM__WRITE 0x8000u /* the bytes will be overwritten: fetch only a gap */

#if VM_CONFIG_STATS
#define VM__STAT(vm, field) ((vm)->stats.field++)
#define VM__STAT_ADD(vm, field, n) ((vm)->stats.field += (n))
#else
#define VM__STAT(vm, field) ((void)0)
#define VM__STAT_ADD(vm, field, n) ((void)0)
#endif

/* Count stats.field through its 8-bit count fast_field where there is one
 * (16-bit-int MCUs, as VM__HIT): an 8-bit increment, and a carry into the
 * 32-bit count once in 256; vm_stats() adds the rest. */
#if VM_CONFIG_STATS && !VM_CONFIG_PATHS && UINT_MAX <= 0xFFFFu
#define VM__STAT_BATCH(vm, field)                                               \
    do {                                                                        \
        if (++(vm)->fast_##field == 0) (vm)->stats.field += 0x100u;             \
    } while (0)
#else
#define VM__STAT_BATCH(vm, field) VM__STAT(vm, field)
#endif

/* Count path p (enum vm_path). An out-of-line touch of a resident page is a
 * hit: with path counters, stats.hits is their sum (vm_stats). */
#if VM_CONFIG_PATHS
#define VM__PATH(vm, p) ((vm)->stats.path[p]++)
#define VM__TOUCH_HIT(vm) VM__PATH(vm, VM_PATH_TOUCH_HIT)
#else
#define VM__PATH(vm, p) ((void)0)
#define VM__TOUCH_HIT(vm) VM__STAT(vm, hits)
#endif

#if VM_CONFIG_EVENTS
void vm__emit(struct vm *vm, uint8_t type, vm_slot_t slot, int err, vm_addr_t addr, vm_addr_t len);
#define VM__EMIT(vm, type, slot, err, addr, len)                               \
    do {                                                                       \
        if ((vm)->event) vm__emit((vm), (type), (slot), (err), (addr), (len)); \
    } while (0)
#else
#define VM__EMIT(vm, type, slot, err, addr, len) ((void)0)
#endif

/* Slot i's page buffer. On 16-bit-int MCUs a multiply (two cycles per MUL
 * on AVR) is cheaper than a shift by page_shift, which is a loop there. */
static inline uint8_t *vm__data(const struct vm *vm, unsigned i)
{
#if UINT_MAX <= 0xFFFFu
    return vm->pages + (size_t)i * vm->page_size;
#else
    return vm->pages + ((size_t)i << vm->page_shift);
#endif
}

/* Bytes of the page at base that lie inside the pool. */
static inline uint16_t vm__extent(const struct vm *vm, vm_addr_t base)
{
    vm_addr_t left = vm->pool_size - base;
    return left < vm->page_size ? (uint16_t)left : vm->page_size;
}

/* 0 if [a, a+n) lies inside the pool. */
static inline int vm__range(const struct vm *vm, vm_addr_t a, vm_addr_t n)
{
    return (n > vm->pool_size || a > vm->pool_size - n) ? VM_ERR_RANGE : VM_OK;
}

/* One touch of the page holding [addr, addr+len) (which must not cross a
 * page boundary): make it resident, and valid for `how`. Returns the slot
 * index, or a negative vm_err. The caller then moves its bytes, calls
 * vm__dirty for a write, and vm__done. */
int vm__touch_lh(struct vm *vm, vm_addr_t addr, uint16_t len_how);
static inline int vm__touch(struct vm *vm, vm_addr_t addr, uint16_t len, unsigned how)
{
    return vm__touch_lh(vm, addr, (uint16_t)(len | how));
}
/* Mark [lo, hi) of slot i written (after vm__touch(..., VM__WRITE)). */
void vm__dirty(struct vm *vm, unsigned i, uint16_t lo, uint16_t hi);
/* End of a touch of slot i: make it the hot page if it may be. */
int vm__done(struct vm *vm, unsigned i); /* VM_OK */

#if VM_CONFIG_BOUNCE
/* 1 if [a, a+n) overlaps the range held in the bounce buffer (the test of
 * an idle buffer inline, the address compares out of line). */
int vm__bounced_range(const struct vm *vm, vm_addr_t a, vm_addr_t n);
#define vm__bounced(vm, a, n) ((vm)->bounce_len && vm__bounced_range((vm), (a), (n)))
#else
#define vm__bounced(vm, a, n) ((void)(vm), (void)(a), (void)(n), 0)
#endif

#endif /* VM_INTERNAL_H */
