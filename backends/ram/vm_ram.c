/*
 * vm_ram.c - the RAM backend (see vm_ram.h).
 */
#include "vm_ram.h"

#include <string.h>

static int ram_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    struct vm_ram *ram = (struct vm_ram *)ctx;
    ram->reads++;
    if (addr > ram->backend.size || len > ram->backend.size - addr) return VM_ERR_RANGE;
    memcpy(buf, ram->mem + addr, len);
    return VM_OK;
}

static int ram_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    struct vm_ram *ram = (struct vm_ram *)ctx;
    ram->writes++;
    if (addr > ram->backend.size || len > ram->backend.size - addr) return VM_ERR_RANGE;
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
