/*
 * stack.c - backend stacks for the replay engine (see stack.h).
 *
 * ram:    the core's vm_ram over a calloc'd array. No clock: zero time.
 * sram:   vm_sram driver -> simulated SPI bus (platform profile) -> 23LCxxxx
 *         model(s), one clock.
 * sd:     vm_sd driver -> simulated SPI bus -> SD card model, one clock.
 * serial: vm_serial driver -> modelled UART link -> host, one clock.
 * A type whose driver and model are not linked into this build (meson
 * defines VMR_HAVE_<TYPE> when they are) is refused with a clear message.
 */
#include "stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_ram.h"

#ifdef VMR_HAVE_SIMBUS
#include "vm_simbus.h"
#endif
#ifdef VMR_HAVE_SRAM
#include "vm_sram.h"
#include "vm_sram_model.h"
#endif
#ifdef VMR_HAVE_SD
#include "vm_sd.h"
#include "vm_sd_model.h"
#endif
#ifdef VMR_HAVE_SERIAL
#include "vm_serial.h"
#include "vm_serial_host.h"
#include "vm_serial_link.h"
#endif

struct ram_state {
    struct vm_ram ram;
    uint8_t *mem;
};

static uint16_t chance16(double p)
{
    if (p <= 0) return 0;
    if (p >= 1) return 65535;
    return (uint16_t)(p * 65536.0);
}

static int open_ram(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                    char *err, size_t errlen)
{
    struct ram_state *s = calloc(1, sizeof *s);
    if (s) s->mem = calloc((size_t)pool, 1);
    if (!s || !s->mem) {
        free(s);
        snprintf(err, errlen, "ram backend: out of memory for a %llu-byte pool",
                 (unsigned long long)pool);
        return -1;
    }
    vm_ram_init(&s->ram, s->mem, (vm_addr_t)pool);
    if (d->fault_seed && (d->read_fail > 0 || d->write_fail > 0))
        vm_ram_faults(&s->ram, d->fault_seed, chance16(d->read_fail), chance16(d->write_fail));
    st->backend = &s->ram.backend;
    st->clock = NULL;
    st->hit_ns = st->miss_ns = 0;
    st->state = s;
    return 0;
}

static void close_ram(struct vmr_stack *st)
{
    struct ram_state *s = st->state;
    free(s->mem);
    free(s);
}


/* ------------------------------------------------------------------ SPI */

#ifdef VMR_HAVE_SIMBUS
/* The platform profile named by d (NULL when none is named). */
static int find_platform(const struct vmr_backend_desc *d, const struct vm_platform **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    if (!d->profile[0]) return 0;
    *out = vm_platform_find(d->profile);
    if (!*out) {
        snprintf(err, errlen, "unknown platform profile \"%s\" (known: %s)", d->profile,
                 vmr_profile_list());
        return -1;
    }
    return 0;
}
#endif

#ifdef VMR_HAVE_SRAM
struct sram_state {
    struct vm_simclock clock;
    struct vm_simbus bus;
    struct vm_sram drv;
    struct vm_sram_model chip[VM_SRAM_MAX_CHIPS];
    unsigned nchips;
};

static int open_sram(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                     char *err, size_t errlen)
{
    const struct vm_platform *plat;
    if (find_platform(d, &plat, err, errlen)) return -1;
    unsigned part;
    const char *chip = d->chip[0] ? d->chip : "23lc1024";
    if (strcmp(chip, "23lc1024") == 0)
        part = VM_SRAM_23LC1024;
    else if (strcmp(chip, "23lc512") == 0)
        part = VM_SRAM_23LC512;
    else if (strcmp(chip, "23k256") == 0)
        part = VM_SRAM_23K256;
    else {
        snprintf(err, errlen, "sram: unknown chip \"%s\" (23lc1024, 23lc512, 23k256)", chip);
        return -1;
    }
    uint32_t csize = vm_sram_part_size(part);
    uint64_t need = (pool + csize - 1) / csize;
    unsigned chips = d->chips ? d->chips : (unsigned)need;
    if (chips < need || chips > VM_SRAM_MAX_CHIPS) {
        snprintf(err, errlen, "sram: a %llu-byte pool needs %llu %s chips (at most %u are joined)",
                 (unsigned long long)pool, (unsigned long long)need, chip, VM_SRAM_MAX_CHIPS);
        return -1;
    }
    struct sram_state *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "sram: out of memory");
        return -1;
    }
    st->state = s;
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
    st->hit_ns = plat ? plat->hit_ns : 0;
    st->miss_ns = plat ? plat->miss_ns : 0;
    return 0;
}

static void close_sram(struct vmr_stack *st)
{
    struct sram_state *s = st->state;
    for (unsigned i = 0; i < s->nchips; i++) vm_sram_model_free(&s->chip[i]);
    free(s);
}
#endif

#ifdef VMR_HAVE_SD
struct sd_state {
    struct vm_simclock clock;
    struct vm_simbus bus;
    struct vm_sd drv;
    struct vm_sd_model card;
    int card_ok;
};

static int open_sd(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                   char *err, size_t errlen)
{
    const struct vm_platform *plat;
    if (find_platform(d, &plat, err, errlen)) return -1;
    const char *card = d->card[0] ? d->card : "typical";
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
    if (vm_sd_model_init(&s->card, d->sdhc ? VM_SD_TYPE_SDHC : VM_SD_TYPE_SD2, blocks, prof,
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
    st->hit_ns = plat ? plat->hit_ns : 0;
    st->miss_ns = plat ? plat->miss_ns : 0;
    return 0;
}

static void close_sd(struct vmr_stack *st)
{
    struct sd_state *s = st->state;
    if (s->card_ok) vm_sd_model_free(&s->card);
    free(s);
}
#endif

/* --------------------------------------------------------------- serial */

#ifdef VMR_HAVE_SERIAL
struct serial_state {
    struct vm_simclock clock;
    struct vm_serial_link link;
    int link_ok;
    struct vm_serial_store store;
    struct vm_serial_host *host;
    struct vm_serial drv;
    uint8_t *mem;
};

static int open_serial(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                       char *err, size_t errlen)
{
    const char *link = d->link[0] ? d->link : "ftdi-1ms";
    const struct vm_serial_profile *prof = vm_serial_profile_find(link);
    if (!prof) {
        snprintf(err, errlen, "serial: unknown link profile \"%s\"", link);
        return -1;
    }
    uint32_t hit = 0, miss = 0;
#ifdef VMR_HAVE_SIMBUS
    const struct vm_platform *plat;
    if (find_platform(d, &plat, err, errlen)) return -1;
    if (plat) {
        hit = plat->hit_ns;
        miss = plat->miss_ns;
    }
#endif
    struct serial_state *s = calloc(1, sizeof *s);
    if (s) s->mem = calloc((size_t)pool, 1);
    if (!s || !s->mem) {
        free(s);
        snprintf(err, errlen, "serial: out of memory");
        return -1;
    }
    st->state = s;
    vm_serial_store_ram(&s->store, s->mem, (vm_addr_t)pool);
    struct vm_serial_link_config lc;
    memset(&lc, 0, sizeof lc);
    lc.clock = &s->clock;
    lc.profile = prof;
    lc.baud = d->baud;
    if (vm_serial_link_init(&s->link, &lc) != VM_OK) {
        snprintf(err, errlen, "serial: link set-up failed (baud %lu)", (unsigned long)d->baud);
        return -1;
    }
    s->link_ok = 1;
    struct vm_serial_host_config hc;
    memset(&hc, 0, sizeof hc);
    hc.store = &s->store.backend;
    hc.send = vm_serial_link_host_send;
    hc.send_ctx = &s->link;
    s->host = vm_serial_host_new(&hc);
    if (!s->host) {
        snprintf(err, errlen, "serial: out of memory for the host");
        return -1;
    }
    vm_serial_link_attach(&s->link, s->host);
    if (d->fault_seed) {
        struct vm_serial_faults f;
        memset(&f, 0, sizeof f);
        f.seed = d->fault_seed;
        f.drop = (uint16_t)(d->read_fail * 65535.0);
        f.flip = (uint16_t)(d->write_fail * 65535.0);
        vm_serial_link_faults(&s->link, &f);
    }
    struct vm_serial_config sc;
    memset(&sc, 0, sizeof sc);
    sc.uart = &s->link.uart;
    sc.baud = s->link.profile.baud_ignored ? 0 : s->link.bit_rate;
    int rc = vm_serial_init(&s->drv, &sc);
    if (rc == VM_OK) rc = vm_serial_hello(&s->drv);
    if (rc != VM_OK) {
        snprintf(err, errlen, "serial: driver set-up / HELLO failed (%d)", rc);
        return -1;
    }
    st->backend = &s->drv.backend;
    st->clock = &s->clock;
    st->hit_ns = hit;
    st->miss_ns = miss;
    return 0;
}

static void close_serial(struct vmr_stack *st)
{
    struct serial_state *s = st->state;
    if (s->host) vm_serial_host_free(s->host);
    if (s->link_ok) vm_serial_link_free(&s->link);
    free(s->mem);
    free(s);
}
#endif

int vmr_stack_open(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                   char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    st->type = d->type;
    int rc;
    switch (d->type) {
    case VMR_BE_RAM: return open_ram(st, d, pool, err, errlen);
#ifdef VMR_HAVE_SRAM
    case VMR_BE_SRAM: rc = open_sram(st, d, pool, err, errlen); break;
#endif
#ifdef VMR_HAVE_SD
    case VMR_BE_SD: rc = open_sd(st, d, pool, err, errlen); break;
#endif
#ifdef VMR_HAVE_SERIAL
    case VMR_BE_SERIAL: rc = open_serial(st, d, pool, err, errlen); break;
#endif
    default:
        snprintf(err, errlen, "backend type \"%s\" is not wired into this build yet",
                 vmr_backend_type_name(d->type));
        return -1;
    }
    if (rc) {
        vmr_stack_close(st);
        return -1;
    }
    /* Setting up the device (SD init, HELLO) is not part of the run. */
    st->t0 = st->clock ? vm_simclock_now(st->clock) : 0;
    return 0;
}

int vmr_backend_available(unsigned type)
{
    switch (type) {
    case VMR_BE_RAM: return 1;
#ifdef VMR_HAVE_SRAM
    case VMR_BE_SRAM: return 1;
#endif
#ifdef VMR_HAVE_SD
    case VMR_BE_SD: return 1;
#endif
#ifdef VMR_HAVE_SERIAL
    case VMR_BE_SERIAL: return 1;
#endif
    default: return 0;
    }
}

void vmr_stack_close(struct vmr_stack *st)
{
    if (!st->state) return;
    switch (st->type) {
    case VMR_BE_RAM: close_ram(st); break;
#ifdef VMR_HAVE_SRAM
    case VMR_BE_SRAM: close_sram(st); break;
#endif
#ifdef VMR_HAVE_SD
    case VMR_BE_SD: close_sd(st); break;
#endif
#ifdef VMR_HAVE_SERIAL
    case VMR_BE_SERIAL: close_serial(st); break;
#endif
    default: break;
    }
    st->state = NULL;
}

size_t vmr_ram_cost(const char *profile, unsigned page_size, unsigned page_count)
{
#ifdef VMR_HAVE_SIMBUS
    const struct vm_platform *p = profile && profile[0] ? vm_platform_find(profile) : NULL;
    if (p && p->slot_bytes && p->vm_bytes)
        return (size_t)page_size * page_count + (size_t)page_count * p->slot_bytes + p->vm_bytes;
#else
    (void)profile;
#endif
    return VM_RAM_COST(page_size, page_count);
}

int vmr_profile_check(const char *name)
{
#ifdef VMR_HAVE_SIMBUS
    return vm_platform_find(name) != NULL;
#else
    (void)name;
    return -1;
#endif
}

const char *vmr_profile_list(void)
{
#ifdef VMR_HAVE_SIMBUS
    static char list[256];
    if (!list[0])
        for (const struct vm_platform *p = vm_platforms; p->name; p++) {
            if (list[0]) strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, p->name, sizeof list - strlen(list) - 1);
        }
    return list;
#else
    return "";
#endif
}
