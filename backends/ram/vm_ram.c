/*
 * vm_ram.c - the RAM backend, with seeded fault injection.
 */
#include "vm_ram.h"

#include <string.h>

/* xorshift32: tiny, portable, and good enough to decide faults. */
static uint16_t draw(struct vm_ram *ram)
{
    uint32_t x = ram->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    ram->rng = x;
    return (uint16_t)(x >> 16);
}

static int ram_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    struct vm_ram *ram = (struct vm_ram *)ctx;
    ram->reads++;
    if (addr > ram->backend.size || len > ram->backend.size - addr) return VM_ERR_RANGE;
    if (ram->rng && ram->read_fail && draw(ram) < ram->read_fail) {
        ram->faults++;
        memset(buf, 0xA5, len); /* garbage the pager must never use */
        return VM_ERR_IO;
    }
    memcpy(buf, ram->mem + addr, len);
    return VM_OK;
}

static int ram_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    struct vm_ram *ram = (struct vm_ram *)ctx;
    ram->writes++;
    if (addr > ram->backend.size || len > ram->backend.size - addr) return VM_ERR_RANGE;
    if (ram->rng && ram->write_fail && draw(ram) < ram->write_fail) {
        ram->faults++;
        memcpy(ram->mem + addr, buf, len / 2u); /* a torn write */
        return VM_ERR_IO;
    }
    memcpy(ram->mem + addr, buf, len);
    return VM_OK;
}

void vm_ram_init(struct vm_ram *ram, void *mem, vm_addr_t size)
{
    memset(ram, 0, sizeof *ram);
    ram->backend.read = ram_read;
    ram->backend.write = ram_write;
    ram->backend.sync = NULL;
    ram->backend.ctx = ram;
    ram->backend.size = size;
    ram->mem = (uint8_t *)mem;
}

void vm_ram_faults(struct vm_ram *ram, uint32_t seed, uint16_t read_fail, uint16_t write_fail)
{
    ram->rng = seed;
    ram->read_fail = read_fail;
    ram->write_fail = write_fail;
}
