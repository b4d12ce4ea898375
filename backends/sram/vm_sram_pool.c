/*
 * vm_sram_pool.c - see vm_sram_pool.h.
 */
#include "vm_sram_pool.h"

int vm_sram_pool_start(struct vm_sram_pool *p, const struct vm_spi *spi)
{
    struct vm_sram_config sc;
    uint8_t i;
    int e;
    memset(&sc, 0, sizeof sc);
    sc.spi = spi;
    sc.part = p->part;
    sc.chips = p->chips;
    for (i = 0; i < VM_SRAM_MAX_CHIPS; i++) sc.cs[i] = p->cs[i];
    sc.clock_hz = p->clock_hz;
    if ((e = vm_sram_begin(&p->dev, &sc)) == VM_OK)
        e = vm_pool_start(&p->pool, vm_sram_backend(&p->dev), 0);
    return vm_pool_started(&p->pool, e);
}
