/*
 * vm_pool.h - a whole pager in one definition: page buffers, slots, the
 * allocator's table and the struct vm, all static and sized at compile time.
 *
 *   VM_RAM_POOL(pool, 16384, 64, 4);     // 16 KiB in a RAM array, 4 x 64 B
 *   ...
 *   if (vm_ram_pool_start(&pool) != VM_OK) ...
 *   vm_addr_t a = vm_alloc(&pool.pool.vm, 100);
 *
 * The device backends have the same shape (vm_sram_pool.h, vm_sd_pool.h,
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
#include "vm_ram.h"

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
    uint8_t page_count;
};

/* Set up p's pager over backend be with pool_size bytes (0: all of be). */
int vm_pool_start(struct vm_pool *p, const struct vm_backend *be, vm_addr_t pool_size);

/* A pool in a RAM array (the vm_ram backend). */
struct vm_ram_pool {
    struct vm_pool pool;
    struct vm_ram dev;
    uint8_t *mem;
    uint32_t size;
};
int vm_ram_pool_start(struct vm_ram_pool *p);

/* ---- the macros' parts ---------------------------------------------------- */

/* An all-zero initializer that draws no -Wmissing-field-initializers. */
#ifdef __cplusplus
#define VM_ZERO_INIT_ {}
#else
#define VM_ZERO_INIT_ {0}
#endif

#if VM_CONFIG_ALLOC
#define VM_POOL_HEAP_DEF_(name) static struct vm_block name##_heap[VM_POOL_HEAP_BLOCKS];
#define VM_POOL_HEAP_REF_(name) name##_heap,
#define VM_POOL_HEAP_BYTES ((size_t)VM_POOL_HEAP_BLOCKS * sizeof(struct vm_block))
#else
#define VM_POOL_HEAP_DEF_(name)
#define VM_POOL_HEAP_REF_(name)
#define VM_POOL_HEAP_BYTES ((size_t)0)
#endif

/* The buffers of a pool called name. */
#define VM_POOL_STORAGE_(name, page_size, pages)                                \
    static uint32_t name##_pages[((uint32_t)(page_size) * (pages) + 3u) / 4u] VM_ALIGN4; \
    static struct vm_slot name##_slots[pages];                                  \
    VM_POOL_HEAP_DEF_(name)

/* The initializer of a struct vm_pool over those buffers. */
#define VM_POOL_INIT_(name, page_size, pages)                                   \
    { VM_ZERO_INIT_, name##_pages, name##_slots, VM_POOL_HEAP_REF_(name)        \
      (uint32_t)sizeof name##_pages, (uint16_t)(page_size),                     \
      (uint16_t)VM_POOL_HEAP_BLOCKS, (uint8_t)(pages) }

/* Bytes of RAM a pool of struct type T costs: T itself, its page buffers,
 * slots and allocator table. */
#define VM_POOL_RAM_COST(T, page_size, pages)                                   \
    (sizeof(T) + (((size_t)(page_size) * (pages) + 3u) / 4u) * 4u +             \
     (size_t)(pages) * sizeof(struct vm_slot) + VM_POOL_HEAP_BYTES)

/* A pool of size bytes in a static RAM array. */
#define VM_RAM_POOL(name, size, page_size, pages)                               \
    VM_POOL_STORAGE_(name, page_size, pages)                                    \
    static uint8_t name##_mem[size];                                            \
    static struct vm_ram_pool name = { VM_POOL_INIT_(name, page_size, pages),   \
                                       VM_ZERO_INIT_, name##_mem, (uint32_t)(size) }

#ifdef __cplusplus
}
#endif

#endif /* VM_POOL_H */
