/*
 * vm_pool.c - start a pool defined with the VM_*_POOL macros. See vm_pool.h.
 */
#include "vm_pool.h"

int vm_pool_start(struct vm_pool *p, const struct vm_backend *be, vm_addr_t pool_size)
{
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = be;
    cfg.pool_size = pool_size;
    cfg.page_size = p->page_size;
    cfg.page_count = p->page_count;
    cfg.pages = p->pages;
    cfg.pages_size = p->pages_size;
    cfg.slots = p->slots;
    cfg.slot_count = p->page_count;
#if VM_CONFIG_ALLOC
    cfg.heap = p->heap;
    cfg.heap_blocks = p->heap_blocks;
#endif
    return vm_init(&p->vm, &cfg);
}

int vm_ram_pool_start(struct vm_ram_pool *p)
{
    vm_ram_init(&p->dev, p->mem, p->size);
    return vm_pool_start(&p->pool, &p->dev.backend, 0);
}
