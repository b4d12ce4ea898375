/*
 * vm_sd_file.h - put an SD driver's pool on a file of the card's FAT16/FAT32
 * file system (vm_fat.h): what vm_sd_pool's start does, for any program
 * that drives vm_sd itself (vmsim's SD stack does).
 */
#ifndef VM_SD_FILE_H
#define VM_SD_FILE_H

#include "vm_fat.h"
#include "vm_sd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For a begun driver: find name (or, with create, make it with *bytes
 * bytes) on the card, check that it is contiguous and large enough, and
 * move the driver's range onto its sectors. The file system is read (and
 * for create written) through the driver's block buffer. *bytes: the pool
 * size wanted (0: the whole file), set to the pool size. f receives where
 * the file is. VM_OK, a VM_FAT_ERR_* code or the driver's error. */
int vm_sd_open_file(struct vm_sd *sd, const char *name, uint32_t *bytes, int create,
                    struct vm_fat_file *f);

#ifdef __cplusplus
}
#endif

#endif /* VM_SD_FILE_H */
