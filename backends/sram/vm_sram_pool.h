/*
 * vm_sram_pool.h - a pager on 23LC-series SPI SRAM in one definition and one
 * call (see core/vm_pool.h for what the macro defines):
 *
 *   VM_SRAM_POOL(pool, 64, 4, 9);           // 4 x 64-byte pages, CS pin 9
 *   err = vm_sram_pool_start(&pool, spi);   // spi: the board's struct vm_spi
 *
 * The chip is a 23LC1024 (128 KiB) clocked at up to VM_SRAM_MAX_HZ. For
 * another part, more chips (end to end) or a slower clock, change the
 * fields part, chips, cs[] and clock_hz before start.
 */
#ifndef VM_SRAM_POOL_H
#define VM_SRAM_POOL_H

#include "vm_pool.h"
#include "vm_sram.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm_sram_pool {
    struct vm_pool pool;
    struct vm_sram dev;
    uint8_t part;                  /* enum vm_sram_part */
    uint8_t chips;
    uint8_t cs[VM_SRAM_MAX_CHIPS];
    uint32_t clock_hz;             /* 0: VM_SRAM_MAX_HZ (the bus clamps it) */
};

/* Begin the chips on spi and set up the pager over all of them. VM_OK or
 * the error of vm_sram_begin / vm_init. */
int vm_sram_pool_start(struct vm_sram_pool *p, const struct vm_spi *spi);

#define VM_SRAM_POOL(name, page_size_, pages_, cs_pin_)                            \
    VM_POOL_STORAGE_(name, page_size_, pages_)                                    \
    static struct vm_sram_pool name = { VM_F_(pool, VM_POOL_INIT_(name, page_size_, pages_)) \
                                        VM_F0_(dev) VM_F_(part, (uint8_t)VM_SRAM_23LC1024) \
                                        VM_F_(chips, 1u) VM_F_(cs, {(uint8_t)(cs_pin_)}) \
                                        VM_F0_(clock_hz) }

#define VM_SRAM_POOL_RAM_COST(page_size_, pages_) VM_POOL_RAM_COST(struct vm_sram_pool, page_size_, pages_)

#ifdef __cplusplus
}
#endif

#endif /* VM_SRAM_POOL_H */
