/*
 * vm_sd_image.h - desktop: an SD card model whose contents come from a disk
 * image file (for example a FAT file system made with mkfs.fat and filled
 * with mcopy), and go back to it.
 */
#ifndef VM_SD_IMAGE_H
#define VM_SD_IMAGE_H

#include "vm_sd_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initialise m (as vm_sd_model_init) with as many blocks as the image holds
 * (its size must be a non-zero multiple of 512 bytes) and its contents.
 * Returns 0, or -1 with a message naming the file in err (errlen bytes). */
int vm_sd_model_load(struct vm_sd_model *m, const char *path, unsigned kind,
                     const struct vm_sd_profile *prof, uint64_t seed, char *err, size_t errlen);
/* Write the card's contents back over path. 0 or -1 (message in err). */
int vm_sd_model_save(const struct vm_sd_model *m, const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VM_SD_IMAGE_H */
