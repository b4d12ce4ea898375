/*
 * vm_sd_pool.h - a pager in a file on an SD card's FAT16/FAT32 file system,
 * in one definition and one call (see core/vm_pool.h):
 *
 *   VM_SD_POOL(pool, 64, 4, 4, "RAMFILE.VM", 1048576ul);  // CS pin 4, 1 MiB
 *   err = vm_sd_pool_start(&pool, spi);
 *
 * start initialises the card, finds the file in the root directory (an 8.3
 * name, any case) and checks that its clusters are one contiguous run
 * (vm_fat.h). The pager then reads and writes only that file's data
 * sectors; the file system's metadata is only ever read. The pool is size
 * bytes (0: the whole file).
 *
 * When the file is missing, start fails with VM_FAT_ERR_NOFILE, unless
 * flags has VM_SD_POOL_CREATE: then it creates the file, size bytes in one
 * contiguous run, if the card has such a run free and the root directory a
 * free entry (else VM_FAT_ERR_FULL, and nothing is written). A fragmented
 * file is VM_FAT_ERR_FRAGMENTED, a short one VM_FAT_ERR_SMALL; neither is
 * ever changed. vm_sd_pool_strerror names every code.
 *
 * Raw blocks, only when asked for: VM_SD_RAW_POOL(name, page_size, pages,
 * cs, first_block, blocks) puts the pool on card blocks [first_block,
 * first_block + blocks) whatever they hold: use it only on a card with no
 * file system you want to keep.
 *
 * The driver's flags (VM_SD_CRC, VM_SD_SHARED, VM_SD_SINGLE_READ) go in the
 * low bits of flags, clock_hz sets the data clock (0: 25 MHz, clamped by the
 * bus). The card's 512-byte block buffer inside struct vm_sd is the only
 * sector buffer: the file system is read through it before the pager starts.
 */
#ifndef VM_SD_POOL_H
#define VM_SD_POOL_H

#include "vm_fat.h"
#include "vm_pool.h"
#include "vm_sd.h"
#include "vm_sd_file.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VM_SD_POOL_CREATE 0x80u /* flags: create a missing pool file */
#define VM_SD_POOL_RAW 0x40u    /* flags: raw blocks (VM_SD_RAW_POOL sets it) */

struct vm_sd_pool {
    struct vm_pool pool;
    struct vm_sd dev;
    const char *file;     /* 8.3 name in the root directory */
    uint32_t size;        /* pool bytes; raw: blocks */
    uint32_t first_block; /* raw only */
    uint32_t clock_hz;
    uint8_t cs;
    uint8_t flags;        /* VM_SD_POOL_*, and vm_sd's flags */
    struct vm_fat_file file_info; /* where the file is, after start */
};

int vm_sd_pool_start(struct vm_sd_pool *p, const struct vm_spi *spi);

/* A message for any code start returns (core, FAT or driver). NULL when the
 * build has no messages (VM_CONFIG_STRERROR=0) and code is a core code. */
const char *vm_sd_pool_strerror(int err);

#define VM_SD_POOL(name, page_size_, pages_, cs_pin_, file_name_, pool_bytes_)       \
    VM_POOL_STORAGE_(name, page_size_, pages_)                                    \
    static struct vm_sd_pool name = { VM_F_(pool, VM_POOL_INIT_(name, page_size_, pages_)) \
                                      VM_F0_(dev) VM_F_(file, file_name_)        \
                                      VM_F_(size, (uint32_t)(pool_bytes_)) VM_F0_(first_block) \
                                      VM_F0_(clock_hz) VM_F_(cs, (uint8_t)(cs_pin_)) \
                                      VM_F0_(flags) VM_F0_(file_info) }

#define VM_SD_RAW_POOL(name, page_size_, pages_, cs_pin_, first_, blocks_)           \
    VM_POOL_STORAGE_(name, page_size_, pages_)                                    \
    static struct vm_sd_pool name = { VM_F_(pool, VM_POOL_INIT_(name, page_size_, pages_)) \
                                      VM_F0_(dev) VM_F0_(file)                  \
                                      VM_F_(size, (uint32_t)(blocks_))           \
                                      VM_F_(first_block, (uint32_t)(first_)) VM_F0_(clock_hz) \
                                      VM_F_(cs, (uint8_t)(cs_pin_)) VM_F_(flags, VM_SD_POOL_RAW) \
                                      VM_F0_(file_info) }

#define VM_SD_POOL_RAM_COST(page_size_, pages_) VM_POOL_RAM_COST(struct vm_sd_pool, page_size_, pages_)

#ifdef __cplusplus
}
#endif

#endif /* VM_SD_POOL_H */
