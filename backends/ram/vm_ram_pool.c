/*
 * vm_ram_pool.c - see vm_ram_pool.h.
 */
#include "vm_ram_pool.h"

int vm_ram_pool_start(struct vm_ram_pool *p)
{
    vm_ram_init(&p->dev, p->mem, p->size);
    return vm_pool_started(&p->pool, vm_pool_start(&p->pool, &p->dev.backend, 0));
}
