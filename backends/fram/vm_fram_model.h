/*
 * vm_fram_model.h - a desktop model of an MB85RC256V I2C FRAM and the I2C
 * bus to it, on a simulated clock (desktop only).
 *
 * vm_fram_model_i2c() has the signature of the board's I2C function
 * (vm_fram_i2c_fn): pass it, with the model as `bus`, to vm_fram_begin.
 *
 * Timing (NXP UM10204, I2C-bus specification rev. 7, 3.1): every byte on
 * the wire, address byte included, takes 9 SCL periods (8 data bits and the
 * acknowledge); a START, a repeated START and a STOP are charged one SCL
 * period each. The FRAM itself adds nothing: it acknowledges every byte at
 * full speed and a write is complete at the STOP (MB85RC256V datasheet
 * DS501-00017, "Write" and "Read" command sections; the part runs at up to
 * 1 MHz). The MCU's own CPU time per byte is not modelled for I2C.
 */
#ifndef VM_FRAM_MODEL_H
#define VM_FRAM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "vm_fram.h"
#include "vm_simclock.h"

struct vm_fram_model {
    uint8_t mem[VM_FRAM_SIZE];
    uint8_t addr;               /* the device's 7-bit address (0x50 + A2..A0) */
    uint32_t scl_hz;            /* I2C clock */
    struct vm_simclock *clock;
    uint64_t transactions;      /* START .. STOP sequences addressed to the chip */
    uint64_t bytes;             /* bytes on the wire, address bytes included */
    uint64_t nacks;             /* transactions to another address */
};

/* Set up m (memory all zero, as a fresh pool reads) on clock at scl_hz. */
void vm_fram_model_init(struct vm_fram_model *m, struct vm_simclock *clock, uint8_t addr,
                        uint32_t scl_hz);

/* The board's I2C function, simulated (see vm_fram_i2c_fn). bus is the model.
 * A transaction to another address is not acknowledged: VM_ERR_NODEV. */
int vm_fram_model_i2c(void *bus, uint8_t addr, const uint8_t *tx, size_t n_tx, uint8_t *rx,
                      size_t n_rx);

#endif /* VM_FRAM_MODEL_H */
