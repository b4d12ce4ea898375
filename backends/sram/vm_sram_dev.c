/*
 * vm_sram_dev.c - the "sram" device for the simulator: the vm_sram driver on
 * the simulated SPI bus (platform profile) to 23LCxxxx models, one clock.
 * Faults: each byte a chip sends flips with the chance read_fail.
 */
#include "vm_sram_dev.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_names.h"
#include "vm_simbus.h"
#include "vm_sram.h"
#include "vm_sram_model.h"

struct sram_settings {
    char chip[16]; /* "23lc1024" (default), "23lc512", "23k256" */
    uint8_t chips; /* chips joined end to end; 0: enough for the pool */
};

static const struct {
    const char *name;
    unsigned part;
} parts[] = {{"23lc1024", VM_SRAM_23LC1024}, {"23lc512", VM_SRAM_23LC512},
             {"23k256", VM_SRAM_23K256}};

static const char *chip_at(unsigned i)
{
    return i < sizeof parts / sizeof parts[0] ? parts[i].name : NULL;
}

static const struct vm_device_key sram_keys[] = {
    VM_DEVICE_STR_KEY(struct sram_settings, chip, chip_at, "23lc1024 (default), 23lc512 or 23k256"),
    VM_DEVICE_UINT_KEY(struct sram_settings, chips, 1, 8,
                       "chips joined end to end (default: enough for the pool)"),
    VM_DEVICE_KEYS_END,
};

struct sram_state {
    struct vm_simclock clock;
    struct vm_simbus bus;
    struct vm_sram drv;
    struct vm_sram_model chip[VM_SRAM_MAX_CHIPS];
    unsigned nchips;
};

static int sram_part(const char *chip, unsigned *part)
{
    int i = vm_name_index(chip_at, chip);
    if (i < 0) return -1;
    *part = parts[i].part;
    return 0;
}

static int sram_open(struct vm_device_stack *st, const struct vm_device_desc *d,
                     const struct vm_platform *plat, uint64_t pool, char *err, size_t errlen)
{
    const struct sram_settings *set = vm_device_settings_c(d);
    unsigned part;
    const char *chip = set->chip[0] ? set->chip : "23lc1024";
    if (sram_part(chip, &part)) {
        snprintf(err, errlen, "sram: unknown chip \"%s\" (23lc1024, 23lc512, 23k256)", chip);
        return -1;
    }
    uint32_t csize = vm_sram_part_size(part);
    uint64_t need = (pool + csize - 1) / csize;
    unsigned chips = set->chips ? set->chips : (unsigned)need;
    if (chips < need || chips > VM_SRAM_MAX_CHIPS) {
        snprintf(err, errlen, "sram: a %llu-byte pool needs %llu %s chips (at most %u are joined)",
                 (unsigned long long)pool, (unsigned long long)need, chip, VM_SRAM_MAX_CHIPS);
        return -1;
    }
    struct sram_state *s = vm_device_new_state(st, "sram", sizeof *s, err, errlen);
    if (!s) return -1;
    vm_simbus_init(&s->bus, &s->clock, plat);
    struct vm_sram_config c;
    memset(&c, 0, sizeof c);
    c.spi = &s->bus.spi;
    c.part = (uint8_t)part;
    c.chips = (uint8_t)chips;
    c.clock_hz = d->spi_hz;
    for (unsigned i = 0; i < chips; i++) {
        if (vm_sram_model_init(&s->chip[i], part, 0xFF) != 0) {
            snprintf(err, errlen, "sram: out of memory for chip %u", i);
            return -1;
        }
        s->nchips++;
        if (d->fault_seed && d->read_fail > 0)
            vm_sram_model_set_flips(&s->chip[i], (uint32_t)(d->read_fail * 1e6),
                                    (uint64_t)d->fault_seed * 31u + i);
        struct vm_spi_model m = vm_sram_model_spi(&s->chip[i]);
        vm_simbus_attach(&s->bus, (uint8_t)i, &m);
        c.cs[i] = (uint8_t)i;
    }
    int rc = vm_sram_begin(&s->drv, &c);
    if (rc != VM_OK) {
        snprintf(err, errlen, "sram: vm_sram_begin failed (%d)", rc);
        return -1;
    }
    st->backend = vm_sram_backend(&s->drv);
    st->clock = &s->clock;
    return 0;
}

/* A call is one transaction per chip it touches: CS edges, the header and
 * the bytes at a fixed SCK; of earlier calls only the last deselect counts
 * (CS stays high tCSD before the next select). Injected bit flips change
 * data, so faults keep the byte-exact models. */
static int sram_fast(const struct vm_device_desc *d, uint64_t *split, uint64_t *settle)
{
    *settle = VM_SIMBUS_CS_DISABLE_NS;
    const struct sram_settings *set = vm_device_settings_c(d);
    unsigned part;
    if (sram_part(set->chip[0] ? set->chip : "23lc1024", &part)) return 0;
    *split = vm_sram_part_size(part);
    return d->fault_seed == 0;
}

static uint64_t sram_transfer(const struct vm_device_stack *st)
{
    const struct sram_state *s = st->state;
    return s->bus.wire_ns + s->bus.cpu_ns;
}

static void sram_close(struct vm_device_stack *st)
{
    struct sram_state *s = st->state;
    for (unsigned i = 0; i < s->nchips; i++) vm_sram_model_free(&s->chip[i]);
}

const struct vm_device vm_sram_device = {
    .name = "sram",
    .help = "23LC1024-family driver + model on the simulated SPI bus",
    .keys = sram_keys, .open = sram_open, .close = sram_close, .costs = NULL,
    .transfer_ns = sram_transfer, .fast = sram_fast};
