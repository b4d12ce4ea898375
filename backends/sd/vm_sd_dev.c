/*
 * vm_sd_dev.c - the "sd" device for the simulator: the vm_sd driver on the
 * simulated SPI bus (platform profile) to an SD card model, one clock.
 * Faults: read and write errors with the chances read_fail / write_fail; the
 * card's timing draws are seeded by the fault seed (1 when faults are off).
 */
#include "vm_sd_dev.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_sd.h"
#include "vm_sd_model.h"
#include "vm_simbus.h"

struct sd_settings {
    char card[32]; /* card profile ("typical" default, "slow-worn") */
    uint8_t sdhc;  /* 1 SDHC (block addressing), 0 SDSC */
};

static const struct vm_device_key sd_keys[] = {
    {"card", VM_DEVICE_STR, offsetof(struct sd_settings, card), 32, 0, 0,
     "card profile: typical (default), slow-worn"},
    {"sdhc", VM_DEVICE_BOOL, offsetof(struct sd_settings, sdhc), 1, 0, 1,
     "true: SDHC (block addressing); false: SDSC (default)"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

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
    if (!prof) {
        snprintf(err, errlen, "sd: unknown card profile \"%s\"", card);
        return -1;
    }
    struct sd_state *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "sd: out of memory");
        return -1;
    }
    st->state = s;
    uint32_t blocks = (uint32_t)((pool + VM_SD_BLOCK - 1) / VM_SD_BLOCK);
    /* The card's timing draws are seeded: fixed unless a fault seed is given. */
    uint64_t seed = d->fault_seed ? d->fault_seed : 1;
    if (vm_sd_model_init(&s->card, set->sdhc ? VM_SD_TYPE_SDHC : VM_SD_TYPE_SD2, blocks, prof,
                         seed) != 0) {
        snprintf(err, errlen, "sd: out of memory for a %lu-block card", (unsigned long)blocks);
        return -1;
    }
    s->card_ok = 1;
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
    c.first_block = 0;
    c.block_count = blocks;
    int rc = vm_sd_begin(&s->drv, &c);
    if (rc != VM_OK) {
        snprintf(err, errlen, "sd: vm_sd_begin failed (%d)", rc);
        return -1;
    }
    st->backend = vm_sd_backend(&s->drv);
    st->clock = &s->clock;
    return 0;
}

static void sd_close(struct vm_device_stack *st)
{
    struct sd_state *s = st->state;
    if (s->card_ok) vm_sd_model_free(&s->card);
    free(s);
}

const struct vm_device vm_sd_device = {
    .name = "sd",
    .help = "SD card driver + model on the simulated SPI bus",
    .keys = sd_keys, .open = sd_open, .close = sd_close, .costs = NULL};
