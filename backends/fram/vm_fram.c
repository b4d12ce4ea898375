/*
 * vm_fram.c - a pager backend over an I2C FRAM (see vm_fram.h).
 */
#include "vm_fram.h"

static int vm_fram_read(void *ctx, vm_addr_t a, void *buf, size_t len)
{
    struct vm_fram *f = ctx;
    uint8_t *p = buf;
    while (len) {
        size_t n = len < f->max_xfer ? len : f->max_xfer;
        uint8_t hdr[2];
        int err;
        hdr[0] = (uint8_t)(a >> 8);
        hdr[1] = (uint8_t)a;
        if ((err = f->i2c(f->bus, f->addr, hdr, 2, p, n)) != 0) return err;
        a += (vm_addr_t)n, p += n, len -= n;
    }
    return VM_OK;
}

static int vm_fram_write(void *ctx, vm_addr_t a, const void *buf, size_t len)
{
    struct vm_fram *f = ctx;
    const uint8_t *p = buf;
    while (len) {
        uint8_t frame[2 + VM_FRAM_MAX_XFER];
        size_t n = len < f->max_xfer ? len : f->max_xfer, i;
        int err;
        frame[0] = (uint8_t)(a >> 8);
        frame[1] = (uint8_t)a;
        for (i = 0; i < n; i++) frame[2 + i] = p[i];
        if ((err = f->i2c(f->bus, f->addr, frame, 2 + n, NULL, 0)) != 0) return err;
        a += (vm_addr_t)n, p += n, len -= n;
    }
    return VM_OK; /* FRAM writes are done when the stop condition is sent */
}

const struct vm_backend *vm_fram_begin(struct vm_fram *f, vm_fram_i2c_fn i2c, void *bus,
                                       uint8_t addr, uint8_t max_xfer)
{
    f->i2c = i2c;
    f->bus = bus;
    f->addr = addr;
    f->max_xfer = max_xfer && max_xfer <= VM_FRAM_MAX_XFER ? max_xfer : 30u;
    f->be.read = vm_fram_read;
    f->be.write = vm_fram_write;
    f->be.sync = NULL;      /* nothing is buffered */
    f->be.ctx = f;
    f->be.size = VM_FRAM_SIZE;
    return &f->be;
}
