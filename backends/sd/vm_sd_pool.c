/*
 * vm_sd_pool.c - the SD pool: card, file system, pool file, pager. See
 * vm_sd_pool.h.
 */
#include "vm_sd_pool.h"

/* One sector at an absolute card block, through the driver's own buffer. */
static int sector_read(void *ctx, uint32_t lba, uint8_t *buf)
{
    struct vm_sd *sd = (struct vm_sd *)ctx;
    int e = vm_sd_set_range(sd, lba, 1);
    return e != VM_OK ? e : vm_sd_read_blocks(sd, 0, buf, 1);
}

static int sector_write(void *ctx, uint32_t lba, const uint8_t *buf)
{
    struct vm_sd *sd = (struct vm_sd *)ctx;
    int e = vm_sd_set_range(sd, lba, 1);
    if (e == VM_OK) e = vm_sd_write_blocks(sd, 0, buf, 1);
    return e != VM_OK ? e : vm_sd_sync(sd);
}

/* Find (or create) the pool file: *first and *blocks of the card. */
static int locate(struct vm_sd_pool *p, uint32_t *first, uint32_t *blocks, vm_addr_t *bytes)
{
    struct vm_fat fs;
    struct vm_fat_io io;
    struct vm_fat_file *f = &p->file_info;
    int e;

    io.read = sector_read;
    io.write = (p->flags & VM_SD_POOL_CREATE) ? sector_write : NULL;
    io.ctx = &p->dev;
    io.buf = p->dev.buf;
    if ((e = vm_fat_mount(&fs, &io)) != VM_OK) return e;
    e = vm_fat_find(&fs, &io, p->file, f);
    if (e == VM_FAT_ERR_NOFILE && io.write) e = vm_fat_create(&fs, &io, p->file, p->size, f);
    if (e != VM_OK) return e;
    *bytes = p->size ? p->size : f->size;
    if (*bytes == 0u || *bytes > f->size) return VM_FAT_ERR_SMALL;
    *blocks = *bytes / VM_FAT_SECTOR + (*bytes % VM_FAT_SECTOR != 0u);
    *first = f->first_lba;
    return VM_OK;
}

int vm_sd_pool_start(struct vm_sd_pool *p, const struct vm_spi *spi)
{
    struct vm_sd_config sc;
    uint32_t first = p->first_block, blocks = p->size;
    vm_addr_t bytes = 0;
    int e;

    memset(&sc, 0, sizeof sc);
    sc.spi = spi;
    sc.cs = p->cs;
    sc.flags = (uint8_t)(p->flags & ~(VM_SD_POOL_CREATE | VM_SD_POOL_RAW));
    sc.clock_hz = p->clock_hz;
    sc.first_block = 0;
    sc.block_count = 1;
    if ((e = vm_sd_begin(&p->dev, &sc)) != VM_OK) return vm_pool_started(&p->pool, e);
    if (!(p->flags & VM_SD_POOL_RAW)) {
        if (!p->file) return vm_pool_started(&p->pool, VM_ERR_INVAL);
        if ((e = locate(p, &first, &blocks, &bytes)) != VM_OK) {
            (void)vm_sd_sync(&p->dev);
            return vm_pool_started(&p->pool, e);
        }
    }
    if ((e = vm_sd_set_range(&p->dev, first, blocks)) == VM_OK)
        e = vm_pool_start(&p->pool, vm_sd_backend(&p->dev), bytes);
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
