/*
 * vm_sd_pool.c - the SD pool: card, file system, pool file, pager. See
 * vm_sd_pool.h.
 */
#include "vm_sd_pool.h"

int vm_sd_pool_start(struct vm_sd_pool *p, const struct vm_spi *spi)
{
    struct vm_sd_config sc;
    uint32_t bytes = 0;
    int e;

    memset(&sc, 0, sizeof sc);
    sc.spi = spi;
    sc.cs = p->cs;
    sc.flags = (uint8_t)(p->flags & ~(VM_SD_POOL_CREATE | VM_SD_POOL_RAW));
    sc.clock_hz = p->clock_hz;
    sc.first_block = 0;
    sc.block_count = 1;
    if ((e = vm_sd_begin(&p->dev, &sc)) != VM_OK) return vm_pool_started(&p->pool, e);
    if (p->flags & VM_SD_POOL_RAW) {
        e = vm_sd_set_range(&p->dev, p->first_block, p->size);
    } else if (!p->file) {
        e = VM_ERR_INVAL;
    } else {
        bytes = p->size;
        e = vm_sd_open_file(&p->dev, p->file, &bytes, (p->flags & VM_SD_POOL_CREATE) != 0,
                            &p->file_info);
    }
    if (e == VM_OK) e = vm_pool_start(&p->pool, vm_sd_backend(&p->dev), bytes);
    return vm_pool_started(&p->pool, e);
}

const char *vm_sd_pool_strerror(int err)
{
    const char *s = vm_fat_strerror(err);
    if (s) return s;
#if VM_CONFIG_STRERROR
    return vm_strerror(err);
#else
    return NULL;
#endif
}
