/*
 * vm_sd_file.c - a pool file on the card's FAT file system, for the SD
 * driver. See vm_sd_file.h.
 */
#include "vm_sd_file.h"

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

