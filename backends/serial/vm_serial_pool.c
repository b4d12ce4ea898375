/*
 * vm_serial_pool.c - see vm_serial_pool.h.
 */
#include "vm_serial_pool.h"

int vm_serial_pool_start(struct vm_serial_pool *p, const struct vm_uart *uart, uint32_t baud)
{
    struct vm_serial_config sc;
    uint16_t tries = 0;
    int e;
    memset(&sc, 0, sizeof sc);
    sc.uart = uart;
    sc.baud = baud;
    sc.max_data = p->pool.page_size < 16u ? 16u : p->pool.page_size;
    if ((e = vm_serial_init(&p->dev, &sc)) != VM_OK) return vm_pool_started(&p->pool, e);
    while ((e = vm_serial_hello(&p->dev)) != VM_OK) {
        if (p->attempts && ++tries >= p->attempts) return vm_pool_started(&p->pool, e);
    }
    return vm_pool_started(&p->pool, vm_pool_start(&p->pool, &p->dev.backend, 0));
}
