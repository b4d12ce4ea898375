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

int vm_sd_open_file(struct vm_sd *sd, const char *name, uint32_t *bytes, int create,
                    struct vm_fat_file *f)
{
    struct vm_fat fs;
    struct vm_fat_io io;
    uint32_t blocks;
    int e;

    io.read = sector_read;
    io.write = create ? sector_write : NULL;
    io.ctx = sd;
    io.buf = sd->buf;
    e = vm_fat_mount(&fs, &io);
    if (e == VM_OK) e = vm_fat_find(&fs, &io, name, f);
    if (e == VM_FAT_ERR_NOFILE && create) e = vm_fat_create(&fs, &io, name, *bytes, f);
    if (e == VM_OK) {
        if (*bytes == 0u) *bytes = f->size;
        if (*bytes == 0u || *bytes > f->size) e = VM_FAT_ERR_SMALL;
    }
    if (e != VM_OK) {
        (void)vm_sd_sync(sd);
        return e;
    }
    blocks = *bytes / VM_FAT_SECTOR + (*bytes % VM_FAT_SECTOR != 0u);
    return vm_sd_set_range(sd, f->first_lba, blocks);
}

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
