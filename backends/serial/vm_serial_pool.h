/*
 * vm_serial_pool.h - a pager in a PC's RAM over a serial link (vmserve on
 * the PC) in one definition and one call (see core/vm_pool.h):
 *
 *   VM_SERIAL_POOL(pool, 64, 4);
 *   err = vm_serial_pool_start(&pool, uart, 115200);
 *
 * start waits for the host: it sends HELLO until vmserve answers (each
 * attempt times out after the driver's reply wait) or attempts run out
 * (the field attempts, 0: forever). Frames carry one page of data.
 */
#ifndef VM_SERIAL_POOL_H
#define VM_SERIAL_POOL_H

#include "vm_pool.h"
#include "vm_serial.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm_serial_pool {
    struct vm_pool pool;
    struct vm_serial dev;
    uint16_t attempts; /* HELLO attempts before VM_ERR_NODEV; 0: forever */
};

int vm_serial_pool_start(struct vm_serial_pool *p, const struct vm_uart *uart, uint32_t baud);

#define VM_SERIAL_POOL(name, page_size_, pages_)                                  \
    VM_POOL_STORAGE_(name, page_size_, pages_)                                    \
    static struct vm_serial_pool name = { VM_F_(pool, VM_POOL_INIT_(name, page_size_, pages_)) \
                                          VM_F0_(dev) VM_F0_(attempts) }

#define VM_SERIAL_POOL_RAM_COST(page_size_, pages_) VM_POOL_RAM_COST(struct vm_serial_pool, page_size_, pages_)

#ifdef __cplusplus
}
#endif

#endif /* VM_SERIAL_POOL_H */
