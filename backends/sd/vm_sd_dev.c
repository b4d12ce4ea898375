/*
 * vm_sd_dev.c - the "sd" device for the simulator: the vm_sd driver on the
 * simulated SPI bus (platform profile) to an SD card model, one clock.
 * Faults: read and write errors with the chances read_fail / write_fail; the
 * card's timing draws are seeded by the fault seed (1 when faults are off).
 */
#include "vm_sd_dev.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_fat.h"
#include "vm_names.h"
#include "vm_sd.h"
#include "vm_sd_file.h"
#include "vm_sd_image.h"
#include "vm_sd_model.h"
#include "vm_simbus.h"

struct sd_settings {
    char card[32];      /* card profile ("typical" default, "slow-worn") */
    uint8_t sdhc;       /* 1 SDHC (block addressing), 0 SDSC */
    char image[256];    /* the card's contents: a disk image ("" blank card);
                           read only, the run changes a copy in memory */
    char pool_file[16]; /* the pool is this file on the image's FAT file
                           system ("" the card's first blocks) */
    char access[16];    /* the driver's access mode ("" single) */
};
VM_DEVICE_SETTINGS_FIT(struct sd_settings);

/* The driver's access modes (vm_sd.h), by scenario/CLI name. The default is
 * what an Arduino user gets from the SD library or SdFat 1.x: block by
 * block, each write checked with CMD13. */
static const struct {
    const char *name;
    uint8_t flags;
} sd_modes[] = {
    {"single", VM_SD_BLOCKWISE | VM_SD_STATUS},
    {"single-nostatus", VM_SD_BLOCKWISE},
    {"stream", 0},
    {"pre-erase", VM_SD_PRE_ERASE},
};

static const char *mode_at(unsigned i)
{
    return i < sizeof sd_modes / sizeof sd_modes[0] ? sd_modes[i].name : NULL;
}

/* 0 and the flags of the mode called name ("" the default), or -1. */
static int sd_mode(const char *name, uint8_t *flags)
{
    int i = vm_name_index(mode_at, name[0] ? name : sd_modes[0].name);
    if (i < 0) return -1;
    *flags = sd_modes[i].flags;
    return 0;
}

static const struct vm_device_key sd_keys[] = {
    VM_DEVICE_STR_KEY(struct sd_settings, card, vm_sd_profile_name,
                      "card profile: typical (default), slow-worn"),
    VM_DEVICE_BOOL_KEY(struct sd_settings, sdhc,
                       "true: SDHC (block addressing); false: SDSC (default)"),
    VM_DEVICE_PATH_KEY(struct sd_settings, image,
                       "the card starts as this disk image (e.g. mkfs.fat + mcopy); "
                       "the file is not written"),
    VM_DEVICE_STR_KEY(struct sd_settings, pool_file, NULL,
                      "the pool is this file (8.3 name) on the image's FAT16/FAT32 file system"),
    VM_DEVICE_STR_KEY(struct sd_settings, access, mode_at,
                      "single (default: CMD17 reads, CMD24 writes + busy + CMD13, as the Arduino "
                      "SD library and SdFat 1.x), single-nostatus (no CMD13), stream (CMD18/CMD25 "
                      "streams kept open, SdFat 2.x dedicated SPI), pre-erase (ACMD23 + CMD25 per "
                      "multi-block write)"),
    VM_DEVICE_KEYS_END,
};

/* Sectors of an image file, for checking a pool file before any run. */
static int image_read(void *ctx, uint32_t lba, uint8_t *buf)
{
    FILE *f = ctx;
    memset(buf, 0, VM_FAT_SECTOR);
    if (fseeko(f, (off_t)lba * VM_FAT_SECTOR, SEEK_SET) != 0) return VM_ERR_RANGE;
    return fread(buf, 1, VM_FAT_SECTOR, f) == VM_FAT_SECTOR ? 0 : VM_ERR_RANGE;
}

/* Before any run: the image opens, and the pool file is a valid name, on
 * it, and contiguous (its size is checked against the pool at open). */
static int sd_check(const struct vm_device_desc *d, char *err, size_t errlen)
{
    const struct sd_settings *set = vm_device_settings_c(d);
    uint8_t n83[11], sector[VM_FAT_SECTOR];
    struct vm_fat fs;
    struct vm_fat_file ff;
    FILE *f;
    int e;
    uint8_t flags;
    if (sd_mode(set->access, &flags) != 0) {
        snprintf(err, errlen,
                 "access: unknown SD access mode \"%s\" (single, single-nostatus, stream, pre-erase)",
                 set->access);
        return -1;
    }
    if (set->pool_file[0] && vm_fat_name83(set->pool_file, n83) != 0) {
        snprintf(err, errlen, "pool_file: \"%s\" is not an 8.3 file name (NAME.EXT)", set->pool_file);
        return -1;
    }
    if (set->pool_file[0] && !set->image[0]) {
        snprintf(err, errlen, "pool_file: a pool file needs an \"image\" to be on");
        return -1;
    }
    if (!set->image[0]) return 0;
    f = fopen(set->image, "rb");
    if (!f) {
        snprintf(err, errlen, "image: cannot open \"%s\": %s", set->image, strerror(errno));
        return -1;
    }
    if (!set->pool_file[0]) {
        fclose(f);
        return 0;
    }
    struct vm_fat_io io = {image_read, NULL, f, sector};
    e = vm_fat_mount(&fs, &io);
    if (e == 0) e = vm_fat_find(&fs, &io, set->pool_file, &ff);
    fclose(f);
    if (e == 0) return 0;
    const char *why = vm_fat_strerror(e);
    snprintf(err, errlen, "pool_file: %s on \"%s\": %s", set->pool_file, set->image,
             why ? why : "the image is too short for its file system");
    return -1;
}

struct sd_state {
    struct vm_simclock clock;
    struct vm_simbus bus;
    struct vm_sd drv;
    struct vm_sd_model card;
    int card_ok;
};

static int sd_open(struct vm_device_stack *st, const struct vm_device_desc *d,
                   const struct vm_platform *plat, uint64_t pool, char *err, size_t errlen)
{
    const struct sd_settings *set = vm_device_settings_c(d);
    const char *card = set->card[0] ? set->card : "typical";
    const struct vm_sd_profile *prof = vm_sd_profile_find(card);
    uint8_t flags;
    if (!prof) {
        snprintf(err, errlen, "sd: unknown card profile \"%s\"", card);
        return -1;
    }
    if (sd_mode(set->access, &flags) != 0) {
        snprintf(err, errlen, "sd: unknown access mode \"%s\"", set->access);
        return -1;
    }
    struct sd_state *s = vm_device_new_state(st, "sd", sizeof *s, err, errlen);
    if (!s) return -1;
    uint32_t blocks = (uint32_t)((pool + VM_SD_BLOCK - 1) / VM_SD_BLOCK);
    /* The card's timing draws are seeded: fixed unless a fault seed is given. */
    uint64_t seed = d->fault_seed ? d->fault_seed : 1;
    unsigned kind = set->sdhc ? VM_SD_TYPE_SDHC : VM_SD_TYPE_SD2;
    if (set->image[0]) {
        /* The card starts as the image (a copy: the image file is not changed). */
        if (vm_sd_model_load(&s->card, set->image, kind, prof, seed, err, errlen) != 0) return -1;
        s->card_ok = 1;
        if (!set->pool_file[0] && s->card.blocks < blocks) {
            snprintf(err, errlen, "sd: %s: %lu blocks, the pool needs %lu", set->image,
                     (unsigned long)s->card.blocks, (unsigned long)blocks);
            return -1;
        }
    } else if (vm_sd_model_init(&s->card, kind, blocks, prof, seed) != 0) {
        snprintf(err, errlen, "sd: out of memory for a %lu-block card", (unsigned long)blocks);
        return -1;
    } else {
        s->card_ok = 1;
    }
    if (d->fault_seed) {
        s->card.read_error_ppm = (uint32_t)(d->read_fail * 1e6);
        s->card.write_error_ppm = (uint32_t)(d->write_fail * 1e6);
    }
    vm_simbus_init(&s->bus, &s->clock, plat);
    struct vm_spi_model m = vm_sd_model_spi(&s->card);
    vm_simbus_attach(&s->bus, 0, &m);
    struct vm_sd_config c;
    memset(&c, 0, sizeof c);
    c.spi = &s->bus.spi;
    c.cs = 0;
    c.clock_hz = d->spi_hz;
    c.flags = flags;
    c.first_block = 0;
    c.block_count = blocks;
    int rc = vm_sd_begin(&s->drv, &c);
    if (rc != VM_OK) {
        snprintf(err, errlen, "sd: vm_sd_begin failed (%d)", rc);
        return -1;
    }
    if (set->pool_file[0]) {
        /* The pool is the file: the driver then reads and writes only its sectors. */
        struct vm_fat_file f;
        uint32_t bytes = (uint32_t)pool;
        rc = pool > 0xFFFFFFFFu ? VM_FAT_ERR_SMALL
                                : vm_sd_open_file(&s->drv, set->pool_file, &bytes, 0, &f);
        if (rc != VM_OK) {
            const char *why = vm_fat_strerror(rc);
            snprintf(err, errlen, "sd: %s: pool file %s: %s (%d)", set->image, set->pool_file,
                     why ? why : "card error", rc);
            return -1;
        }
    }
    st->backend = vm_sd_backend(&s->drv);
    st->clock = &s->clock;
    return 0;
}

static uint64_t sd_transfer(const struct vm_device_stack *st)
{
    const struct sd_state *s = st->state;
    return s->bus.wire_ns + s->bus.cpu_ns;
}

/* Polls for the card's token or busy end in closed form (vm_simbus_closed_form). */
static const uint64_t *sd_closed_form(struct vm_device_stack *st)
{
    struct sd_state *s = st->state;
    vm_simbus_closed_form(&s->bus, 1);
    return &s->bus.polls_closed;
}

static void sd_close(struct vm_device_stack *st)
{
    struct sd_state *s = st->state;
    if (s->card_ok) vm_sd_model_free(&s->card);
}

const struct vm_device vm_sd_device = {
    .name = "sd",
    .help = "SD card driver + model on the simulated SPI bus",
    .keys = sd_keys, .open = sd_open, .close = sd_close, .costs = NULL,
    .transfer_ns = sd_transfer, .check = sd_check, .closed_form = sd_closed_form};
