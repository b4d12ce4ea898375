/*
 * vm_fram.h - a pager backend over an I2C FRAM (Fujitsu MB85RC256V: 32 KiB,
 * 2-byte address, writes complete with the stop condition, so no busy
 * polling; MB85RC256V datasheet DS501-00017, "I2C" and "Command" sections).
 *
 * Portable like the core. The board supplies one I2C function. This is the
 * backend the manual's porting chapter (docs/manual/7-porting.md) builds, and
 * the simulator runs it as the "fram" device (vm_fram_dev.h).
 */
#ifndef VM_FRAM_H
#define VM_FRAM_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

#define VM_FRAM_MAX_XFER 32u   /* data bytes per I2C transaction, at most */
#define VM_FRAM_SIZE 32768u    /* MB85RC256V */

/* Write tx (n_tx bytes) to device addr, then, if n_rx > 0, read n_rx bytes
 * into rx with a repeated start. Returns 0, or a negative vm_err. */
typedef int (*vm_fram_i2c_fn)(void *bus, uint8_t addr, const uint8_t *tx, size_t n_tx,
                              uint8_t *rx, size_t n_rx);

struct vm_fram {
    struct vm_backend be;   /* pass &fram.be in vm_config */
    vm_fram_i2c_fn i2c;
    void *bus;
    uint8_t addr;           /* 0x50 + A2..A0 */
    uint8_t max_xfer;       /* data bytes per transaction, 1..VM_FRAM_MAX_XFER */
};

/* Set up f; returns &f->be. max_xfer 0 means 30 (Arduino Wire's 32-byte
 * buffer less the 2 address bytes). */
const struct vm_backend *vm_fram_begin(struct vm_fram *f, vm_fram_i2c_fn i2c, void *bus,
                                       uint8_t addr, uint8_t max_xfer);

#endif /* VM_FRAM_H */
