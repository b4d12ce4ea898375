/*
 * vm_fat.h - find (or create) a contiguous pool file on a FAT16/FAT32 card.
 *
 * Portable C99 (no malloc, stdio, float or VLAs; int may be 16 bits). The
 * card is reached one 512-byte sector at a time through struct vm_fat_io,
 * into a caller's 512-byte buffer, so the code costs no RAM beyond
 * struct vm_fat (about 40 bytes) and that buffer (the SD driver's own block
 * buffer in vm_sd_pool).
 *
 * What it does
 *   vm_fat_mount  reads sector 0: a FAT boot sector ("superfloppy", what
 *                 mkfs.fat makes on a whole device or image) or an MBR whose
 *                 first FAT partition (types 0x01 0x04 0x06 0x0B 0x0C 0x0E)
 *                 holds one. The FAT type comes from the cluster count, as
 *                 the FAT specification says (Microsoft, "FAT: General
 *                 Overview of On-Disk Format" 1.03, section 3.5): < 4085 is
 *                 FAT12 (refused), < 65525 FAT16, else FAT32. Sectors must be
 *                 512 bytes.
 *   vm_fat_find   looks a short (8.3) name up in the root directory, case
 *                 insensitively (long-name entries are skipped), follows its
 *                 cluster chain and checks that every cluster is followed by
 *                 the next one: the file is then one run of sectors,
 *                 [first_lba, first_lba + blocks), and a pager may write there
 *                 without touching anything else on the card.
 *   vm_fat_create allocates a run of free clusters big enough for size bytes
 *                 and writes the chain into every FAT copy, then the
 *                 directory entry into a free slot of the root directory
 *                 (and the FAT32 FSInfo free count). If the card loses power
 *                 between the two, the chain is only lost clusters (fsck
 *                 frees them); nothing else is touched. It refuses (with
 *                 VM_FAT_ERR_FULL) when no run is long enough or the root
 *                 directory has no free entry: it never extends a directory.
 * Everything read from the card is checked before use: sizes, counts,
 * cluster numbers and offsets are compared in overflow-safe form, and a
 * volume that does not add up is VM_FAT_ERR_NOFS rather than a crash.
 * Nothing but vm_fat_create ever writes.
 */
#ifndef VM_FAT_H
#define VM_FAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VM_FAT_SECTOR 512u

/* Errors, beyond the core's enum vm_err (which they never overlap). A
 * backend's error (VM_ERR_IO, ...) from io->read/write passes through. */
enum vm_fat_err {
    VM_FAT_ERR_NOFS = -32,       /* no FAT16/FAT32 volume (or a broken one) */
    VM_FAT_ERR_NOFILE = -33,     /* the pool file is not in the root directory */
    VM_FAT_ERR_FRAGMENTED = -34, /* the pool file's clusters are not contiguous */
    VM_FAT_ERR_SMALL = -35,      /* the pool file is smaller than the pool */
    VM_FAT_ERR_FULL = -36,       /* create: no contiguous free run or no free
                                    root directory entry */
    VM_FAT_ERR_NAME = -37,       /* not a valid 8.3 name */
    VM_FAT_ERR_EXISTS = -38      /* create: the name is taken */
};

/* Sector access: one whole 512-byte sector at an absolute sector number.
 * write may be NULL when nothing will be created. Return 0 or a negative
 * error code. */
struct vm_fat_io {
    int (*read)(void *ctx, uint32_t lba, uint8_t *buf);
    int (*write)(void *ctx, uint32_t lba, const uint8_t *buf);
    void *ctx;
    uint8_t *buf; /* VM_FAT_SECTOR bytes of scratch */
};

/* A mounted volume (fields read-only). */
struct vm_fat {
    uint32_t fat_lba;      /* first sector of the first FAT */
    uint32_t fat_sectors;  /* sectors per FAT */
    uint32_t root_lba;     /* FAT16: fixed root directory */
    uint32_t data_lba;     /* sector of cluster 2 */
    uint32_t clusters;     /* data clusters: valid numbers are 2..clusters+1 */
    uint32_t root_cluster; /* FAT32: first cluster of the root directory */
    uint32_t fsinfo_lba;   /* FAT32: FSInfo sector, 0 if none */
    uint16_t root_entries; /* FAT16: entries in the root directory */
    uint8_t spc;           /* sectors per cluster (power of two) */
    uint8_t nfats;
    uint8_t active_fat;    /* FAT32 with mirroring off: the FAT in use; else 0xFF */
    uint8_t type;          /* 16 or 32 */
};

/* A file found or created. */
struct vm_fat_file {
    uint32_t first_lba;     /* first sector of its data */
    uint32_t blocks;        /* sectors holding its size (the last one may end
                               past the size, but it is still in the file's
                               last cluster, which no other file shares) */
    uint32_t size;          /* bytes, from the directory entry */
    uint32_t first_cluster;
};

int vm_fat_mount(struct vm_fat *fs, const struct vm_fat_io *io);
/* VM_OK (0), VM_FAT_ERR_NOFILE, VM_FAT_ERR_FRAGMENTED, VM_FAT_ERR_NAME, or
 * an I/O error. A file of size 0 has no clusters: it is found, blocks = 0. */
int vm_fat_find(const struct vm_fat *fs, const struct vm_fat_io *io, const char *name,
                struct vm_fat_file *f);
/* Create name with size bytes (> 0) in one contiguous run. VM_OK,
 * VM_FAT_ERR_EXISTS, VM_FAT_ERR_FULL, VM_FAT_ERR_NAME, or an I/O error. The
 * new file's data is whatever the free clusters held. */
int vm_fat_create(const struct vm_fat *fs, const struct vm_fat_io *io, const char *name,
                  uint32_t size, struct vm_fat_file *f);

/* A name as stored in a directory entry ("RAMFILE VM "), from "ramfile.vm".
 * Returns 0, or VM_FAT_ERR_NAME for an empty, too long or invalid name. */
int vm_fat_name83(const char *name, uint8_t out[11]);

/* A message for a VM_FAT_ERR_* code, or NULL for other codes and when the
 * build has no messages (VM_CONFIG_STRERROR=0, the default on AVR, where
 * they would take RAM). */
const char *vm_fat_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* VM_FAT_H */
