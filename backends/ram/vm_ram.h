/*
 * vm_ram.h - a backend over a plain RAM array, with optional fault injection.
 *
 * Portable (it runs on the AVR too): the reference backend for tests, and a
 * real choice where a board has a large but slow-to-address RAM region.
 * Fault injection draws from a seeded xorshift generator, so a failing run
 * repeats exactly. A failed read scribbles over the destination (the pager
 * must never use it); a failed write may tear: a prefix of it reaches memory.
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
    uint32_t rng;              /* fault generator state; 0: faults off */
    uint16_t read_fail;        /* chance a read fails, in 1/65536 units */
    uint16_t write_fail;       /* chance a write fails, in 1/65536 units */
    vm_count_t reads;          /* calls, successful or not */
    vm_count_t writes;
    vm_count_t faults;         /* injected failures */
};

/* Serve size bytes at mem (which keeps the pool's contents). */
void vm_ram_init(struct vm_ram *ram, void *mem, vm_addr_t size);

/* Fail reads and writes at random with the given chances (x / 65536), drawn
 * from seed. seed 0 or both chances 0 turns faults off. */
void vm_ram_faults(struct vm_ram *ram, uint32_t seed, uint16_t read_fail,
                   uint16_t write_fail);

#ifdef __cplusplus
}
#endif

#endif /* VM_RAM_H */
