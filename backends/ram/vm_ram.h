/*
 * vm_ram.h - a backend over a plain RAM array.
 *
 * Portable (it runs on the AVR too): the reference backend for tests, and a
 * real choice where a board has a large but slow-to-address RAM region.
 * For seeded faults (a failed read, a torn write) put the counting and
 * fault-injecting layer of backends/wrap/vm_wrap.h around it:
 *
 *   vm_ram_init(&ram, mem, size);
 *   vm_wrap_init(&w, &ram.backend);
 *   vm_wrap_faults(&w, seed, 4096, 4096);   // 1 in 16
 *   cfg.backend = &w.backend;
 */
#ifndef VM_RAM_H
#define VM_RAM_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm_ram {
    struct vm_backend backend; /* pass &ram.backend in vm_config */
    uint8_t *mem;
    vm_count_t reads;          /* calls, successful or not */
    vm_count_t writes;
};

/* Serve size bytes at mem (which keeps the pool's contents). */
void vm_ram_init(struct vm_ram *ram, void *mem, vm_addr_t size);

#ifdef __cplusplus
}
#endif

#endif /* VM_RAM_H */
