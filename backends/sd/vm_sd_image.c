/*
 * vm_sd_image.c - SD card model contents from and to an image file. See
 * vm_sd_image.h.
 */
#include "vm_sd_image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int vm_sd_model_load(struct vm_sd_model *m, const char *path, unsigned kind,
                     const struct vm_sd_profile *prof, uint64_t seed, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    long size;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "%s: cannot find its size", path);
        fclose(f);
        return -1;
    }
    if (size == 0 || size % VM_SD_BLOCK != 0 || (unsigned long)size / VM_SD_BLOCK > 0xFFFFFFFFul) {
        snprintf(err, errlen, "%s: size %ld is not a non-zero multiple of 512 bytes", path, size);
        fclose(f);
        return -1;
    }
    if (vm_sd_model_init(m, kind, (uint32_t)(size / VM_SD_BLOCK), prof, seed) != 0) {
        snprintf(err, errlen, "%s: no memory for a %ld-byte card", path, size);
        fclose(f);
        return -1;
    }
    if (fread(m->mem, 1, (size_t)size, f) != (size_t)size) {
        snprintf(err, errlen, "%s: short read", path);
        vm_sd_model_free(m);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

int vm_sd_model_save(const struct vm_sd_model *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r+b");
    size_t n = (size_t)m->blocks * VM_SD_BLOCK;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fwrite(m->mem, 1, n, f) != n) {
        snprintf(err, errlen, "%s: write failed", path);
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}
