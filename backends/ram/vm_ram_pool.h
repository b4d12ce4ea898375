/*
 * vm_ram_pool.h - a pager over a RAM array in one definition and one call
 * (see core/vm_pool.h for what the macro defines):
 *
 *   VM_RAM_POOL(pool, 16384, 64, 4);     // 16 KiB in a RAM array, 4 x 64 B
 *   ...
 *   if (vm_ram_pool_start(&pool) != VM_OK) ...
 *   vm_addr_t a = vm_alloc(&pool.pool.vm, 100);
 */
#ifndef VM_RAM_POOL_H
#define VM_RAM_POOL_H

#include "vm_pool.h"
#include "vm_ram.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pool in a RAM array (the vm_ram backend). */
struct vm_ram_pool {
    struct vm_pool pool;
    struct vm_ram dev;
    uint8_t *mem;
    uint32_t size;
};

/* Set up the pager over the pool's array. VM_OK or the error of vm_init. */
int vm_ram_pool_start(struct vm_ram_pool *p);

/* A pool of size bytes in a static RAM array. */
#define VM_RAM_POOL(name, size_, page_size_, pages_)                               \
    VM_POOL_STORAGE_(name, page_size_, pages_)                                    \
    static uint8_t name##_mem[size_];                                            \
    static struct vm_ram_pool name = { VM_F_(pool, VM_POOL_INIT_(name, page_size_, pages_)) \
                                       VM_F0_(dev) VM_F_(mem, name##_mem)       \
                                       VM_F_(size, (uint32_t)(size_)) }

#ifdef __cplusplus
}
#endif

#endif /* VM_RAM_POOL_H */
