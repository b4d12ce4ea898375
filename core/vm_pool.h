/*
 * vm_pool.h - a whole pager in one definition: page buffers, slots, the
 * allocator's table and the struct vm, all static and sized at compile time.
 *
 *   VM_RAM_POOL(pool, 16384, 64, 4);     // 16 KiB in a RAM array, 4 x 64 B
 *   ...
 *   if (vm_ram_pool_start(&pool) != VM_OK) ...
 *   vm_addr_t a = vm_alloc(&pool.pool.vm, 100);
 *
 * This header holds what every pool shares; each backend defines its own
 * pool on it (vm_ram_pool.h, vm_sram_pool.h, vm_sd_pool.h,
 * vm_serial_pool.h): one macro, one start call. Nothing is allocated at run
 * time; the RAM a pool costs is sizeof the objects the macro defines, which
 * VM_POOL_RAM_COST gives at compile time. The allocator's table holds
 * VM_POOL_HEAP_BLOCKS live allocations (define it before including this
 * header to change it). Pools have no bounce buffer: a lock straddling two
 * pages is refused with VM_ERR_BUSY, and the C++ wrapper's p->m copies the
 * object to the stack instead.
 *
 * The macros define file-scope statics named name, name_pages, name_slots
 * and name_heap. They compile as C99 and as C++11.
 */
#ifndef VM_POOL_H
#define VM_POOL_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VM_POOL_HEAP_BLOCKS
#define VM_POOL_HEAP_BLOCKS 8u
#endif

/* What every pool has. Fields other than vm are set by the macros. */
struct vm_pool {
    struct vm vm;          /* the pager: pass &p.pool.vm to vm_* calls */
    void *pages;
    struct vm_slot *slots;
#if VM_CONFIG_ALLOC
    struct vm_block *heap;
#endif
    uint32_t pages_size;
    uint16_t page_size;
    uint16_t heap_blocks;
    vm_slot_t page_count;
    int8_t error;          /* what start returned (0 once started) */
    struct vm_backend failed; /* see vm_pool_started */
};

/* Set up p's pager over backend be with pool_size bytes (0: all of be). */
int vm_pool_start(struct vm_pool *p, const struct vm_backend *be, vm_addr_t pool_size);

/* The end of every *_pool_start: returns err. When err is an error, the
 * pager is still set up, over a backend that fails every read and write
 * with err, so a program that goes on without checking gets that error from
 * each access (and from the C++ wrapper's sticky error) instead of using
 * an uninitialised pager. */
int vm_pool_started(struct vm_pool *p, int err);

/* ---- the macros' parts ---------------------------------------------------- */

/* Initializer entries that draw no -Wmissing-field-initializers or
 * -Wmissing-braces in either language: designated in C (zero fields left
 * out), positional in C++11 (zero fields as {}). List every field, in
 * order. */
#ifdef __cplusplus
#define VM_F_(field, ...) __VA_ARGS__,
#define VM_F0_(field) {},
#else
#define VM_F_(field, ...) .field = __VA_ARGS__,
#define VM_F0_(field)
#endif

#if VM_CONFIG_ALLOC
#define VM_POOL_HEAP_DEF_(name) static struct vm_block name##_heap[VM_POOL_HEAP_BLOCKS];
#define VM_POOL_HEAP_REF_(name) VM_F_(heap, name##_heap)
#define VM_POOL_HEAP_BYTES ((size_t)VM_POOL_HEAP_BLOCKS * sizeof(struct vm_block))
#else
#define VM_POOL_HEAP_DEF_(name)
#define VM_POOL_HEAP_REF_(name)
#define VM_POOL_HEAP_BYTES ((size_t)0)
#endif

/* The buffers of a pool called name. */
#define VM_POOL_STORAGE_(name, page_size_, pages_)                                \
    static uint32_t name##_pages[((uint32_t)(page_size_) * (pages_) + 3u) / 4u] VM_ALIGN4; \
    static struct vm_slot name##_slots[pages_];                                  \
    VM_POOL_HEAP_DEF_(name)

/* The initializer of a struct vm_pool over those buffers. */
#define VM_POOL_INIT_(name, page_size_, pages_)                                   \
    { VM_F0_(vm) VM_F_(pages, name##_pages) VM_F_(slots, name##_slots)          \
      VM_POOL_HEAP_REF_(name)                                                   \
      VM_F_(pages_size, (uint32_t)sizeof name##_pages)                          \
      VM_F_(page_size, (uint16_t)(page_size_))                                   \
      VM_F_(heap_blocks, (uint16_t)VM_POOL_HEAP_BLOCKS)                         \
      VM_F_(page_count, (vm_slot_t)(pages_)) VM_F0_(error) VM_F0_(failed) }

/* Bytes of RAM a pool of struct type T costs: T itself, its page buffers,
 * slots and allocator table. */
#define VM_POOL_RAM_COST(T_, page_size_, pages_)                                   \
    (sizeof(T_) + (((size_t)(page_size_) * (pages_) + 3u) / 4u) * 4u +             \
     (size_t)(pages_) * sizeof(struct vm_slot) + VM_POOL_HEAP_BYTES)

#ifdef __cplusplus
}
#endif

#endif /* VM_POOL_H */
