/*
 * pool_ram_probe.cpp - what each pool costs in RAM, for target/pool-ram.sh.
 * Compiled (not linked) for the target; each array's symbol size (nm -S)
 * is one figure. Geometry: POOL_PAGE_SIZE x POOL_PAGES (default 64 x 4).
 */
#include <Arduino.h>
#include <vmem.h>

#ifndef POOL_PAGE_SIZE
#define POOL_PAGE_SIZE 64
#endif
#ifndef POOL_PAGES
#define POOL_PAGES 4
#endif

#define PROBE(name, bytes)                                                     \
    extern const unsigned char name[bytes];                                    \
    const unsigned char name[bytes] = {1}

/* C++ classes: sizeof the object is all the RAM it holds. RamPool's figure
 * includes its pool array (1024 bytes here). */
PROBE(probe_cls_ram, sizeof(vmem::RamPool<1024, POOL_PAGE_SIZE, POOL_PAGES>));
PROBE(probe_cls_sram, sizeof(vmem::SramPool<POOL_PAGE_SIZE, POOL_PAGES>));
PROBE(probe_cls_sd, sizeof(vmem::SdPool<POOL_PAGE_SIZE, POOL_PAGES>));
PROBE(probe_cls_serial, sizeof(vmem::SerialPool<POOL_PAGE_SIZE, POOL_PAGES>));
/* C pools: everything the macro defines. */
PROBE(probe_c_ram, VM_POOL_RAM_COST(struct vm_ram_pool, POOL_PAGE_SIZE, POOL_PAGES) + 1024u);
PROBE(probe_c_sram, VM_SRAM_POOL_RAM_COST(POOL_PAGE_SIZE, POOL_PAGES));
PROBE(probe_c_sd, VM_SD_POOL_RAM_COST(POOL_PAGE_SIZE, POOL_PAGES));
PROBE(probe_c_serial, VM_SERIAL_POOL_RAM_COST(POOL_PAGE_SIZE, POOL_PAGES));
/* The parts. */
PROBE(probe_pages, POOL_PAGE_SIZE * POOL_PAGES);
PROBE(probe_slots, POOL_PAGES * sizeof(struct vm_slot));
PROBE(probe_heap, VM_POOL_HEAP_BYTES);
PROBE(probe_vm, sizeof(struct vm_pool));
PROBE(probe_dev_ram, sizeof(struct vm_ram));
PROBE(probe_dev_sram, sizeof(struct vm_sram));
PROBE(probe_dev_sd, sizeof(struct vm_sd));
PROBE(probe_dev_serial, sizeof(struct vm_serial));
PROBE(probe_glue_spi, sizeof(struct vm_arduino_spi));
PROBE(probe_glue_uart, sizeof(struct vm_arduino_uart));
