/*
 * vm_simbus.c - simulated SPI bus, platform profiles and a text recorder.
 * See vm_simbus.h for the timing rules. Desktop C.
 */
#include "vm_simbus.h"

#include <stdio.h>
#include <string.h>

/* Platform profiles. Every figure cites hardware.md (section D unless noted);
 * [D] marks a figure derived here from sourced numbers. hit_ns and miss_ns
 * (the pager's own CPU cost per touch) are 0 until someone measures them on
 * the target (AVR cycle counts); nothing else depends on them being set. */
const struct vm_platform vm_platforms[] = {
    {
        "atmega328p",
        16000000u,  /* Uno: 16 MHz */
        16000000u,  /* SPI clock = F_CPU / divider */
        2u, 1u,     /* f/2 = 8 MHz with SPI2X, dividers 2..128 (Table 19-5) */
        600u,       /* SPI.transfer loop measured at ~1.6 us/byte, of which
                       1.0 us is wire time at 8 MHz (ucexperiment 23K256
                       4-byte transaction 6.46 us; forum topic 126827) [D] */
        60u,        /* 6.46 us - 4 x 1.6 us for the same transaction [D] */
        3319u,      /* hit_ns: 53 cycles, an unlocked 1-byte hot-page hit */
        122488u,    /* miss_ns: 1960 cycles, the pager's own work on a miss
                       (32 B page, sieve, backend transfer excluded); both
                       measured on a simulated atmega328p: target/avr-cycles.txt */
        28u, 154u,  /* struct vm_slot, struct vm: README size table, "full" */
        "hardware.md D: ATmega328P Table 19-5; ucexperiment 23K256 timing; "
        "forum.arduino.cc topic 126827",
    },
    {
        "teensy32",
        96000000u,  /* Teensy 3.2 at 96 MHz */
        48000000u,  /* F_BUS = 48 MHz at 96 MHz CPU (teensy3/kinetis.h) */
        2u, 0u,     /* F_BUS/2 = 24 MHz, then /3, /4, ... (SPI.h) */
        20u,        /* no Teensy per-byte figure separates CPU from card
                       time; SdFat's FIFO loop on the Cortex-M3 Due costs
                       ~20 ns/byte beyond wire time (see "due"), taken for
                       the faster Cortex-M4 too [D] */
        0u,         /* no per-transaction figure in hardware.md */
        0u, 0u,     /* hit_ns, miss_ns: not measured (no Cortex-M simulator here) */
        28u, 180u,  /* struct vm_slot, struct vm on cortex-m4: README size table */
        "hardware.md D: PaulStoffregen/SPI SPI.h, teensy3/kinetis.h; "
        "per-byte cost as due (ArduinoCore-renesas#45)",
    },
    {
        "due",
        84000000u,  /* SAM3X8E at 84 MHz */
        84000000u,  /* 84 MHz / divider (forum.arduino.cc 318417) */
        2u, 0u,     /* 42 MHz; SdFat's 3.9-4.5 MB/s implies >= ~36 MHz [D] */
        20u,        /* SdFat on Due, Samsung Pro: 110 us minimum per 512-byte
                       write; ~520 wire bytes take 99 us at 42 MHz; the rest
                       is ~20 ns/byte (ArduinoCore-renesas#45) [D] */
        0u,         /* no per-transaction figure in hardware.md */
        0u, 0u,     /* hit_ns, miss_ns: not measured (no Cortex-M simulator here) */
        28u, 180u,  /* struct vm_slot, struct vm on cortex-m (M3 as M4) */
        "hardware.md D: Due SPI divider; hardware.md B: SdFat README and "
        "ArduinoCore-renesas#45",
    },
    {NULL, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, NULL},
};

const struct vm_platform *vm_platform_find(const char *name)
{
    const struct vm_platform *p;
    if (name == NULL) return NULL;
    for (p = vm_platforms; p->name != NULL; p++)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

uint32_t vm_platform_sck(const struct vm_platform *p, uint32_t hz)
{
    uint32_t div;
    if (p == NULL) return hz;
    if (hz == 0u) hz = 1u;
    div = p->div_min;
    if (p->div_pow2) {
        while (div < 128u && p->sck_base_hz / div > hz) div *= 2u;
    } else {
        /* smallest integer divider giving <= hz, capped at 255 */
        uint32_t need = (p->sck_base_hz + hz - 1u) / hz;
        if (need > div) div = need;
        if (div > 255u) div = 255u;
    }
    return p->sck_base_hz / div;
}

/* ---- bus ---- */

static void bus_select(void *ctx, uint8_t cs, int on)
{
    struct vm_simbus *bus = ctx;
    struct vm_simbus_ev ev;
    if (cs >= VM_SIMBUS_MAX_CS) return;
    on = on != 0;
    if (bus->selected[cs] == (uint8_t)on) return; /* no edge */
    if (on) {
        /* CS must stay high tCSD between transactions */
        vm_simclock_until(bus->clock, bus->deselect_ns + VM_SIMBUS_CS_DISABLE_NS);
        if (bus->platform) {
            vm_simclock_advance(bus->clock, bus->platform->xfer_ns);
            bus->cpu_ns += bus->platform->xfer_ns;
        }
        bus->transactions++;
    } else {
        vm_simclock_advance(bus->clock, VM_SIMBUS_CS_HOLD_NS);
    }
    ev.type = on ? VM_SIMBUS_SELECT : VM_SIMBUS_DESELECT;
    ev.cs = cs;
    ev.mosi = ev.miso = 0xFF;
    ev.ns = vm_simclock_now(bus->clock);
    bus->selected[cs] = (uint8_t)on;
    if (bus->dev[cs].select) bus->dev[cs].select(bus->dev[cs].ctx, bus, on);
    if (on)
        vm_simclock_advance(bus->clock, VM_SIMBUS_CS_SETUP_NS);
    else
        bus->deselect_ns = vm_simclock_now(bus->clock);
    if (bus->trace) bus->trace(bus->trace_ctx, &ev);
}

static uint8_t bus_byte(struct vm_simbus *bus, uint8_t mosi)
{
    struct vm_simbus_ev ev;
    uint8_t miso = 0xFF; /* pulled up when nobody drives MISO */
    uint8_t who = 0xFF;
    unsigned i, n = 0;
    uint64_t wire = vm_simbus_wire_ns(bus, 1u);

    if (bus->platform) {
        vm_simclock_advance(bus->clock, bus->platform->byte_ns);
        bus->cpu_ns += bus->platform->byte_ns;
    }
    ev.ns = vm_simclock_now(bus->clock);
    for (i = 0; i < VM_SIMBUS_MAX_CS; i++) {
        if (bus->selected[i]) {
            if (bus->dev[i].exchange) miso &= bus->dev[i].exchange(bus->dev[i].ctx, bus, mosi);
            who = (uint8_t)i;
            n++;
        } else if (bus->dev[i].unselected) {
            bus->dev[i].unselected(bus->dev[i].ctx, bus, mosi);
        }
    }
    if (n > 1u) bus->contention++;
    vm_simclock_advance(bus->clock, wire);
    bus->wire_ns += wire;
    bus->bytes++;
    if (bus->trace) {
        ev.type = VM_SIMBUS_BYTE;
        ev.cs = who;
        ev.mosi = mosi;
        ev.miso = miso;
        bus->trace(bus->trace_ctx, &ev);
    }
    return miso;
}

static void bus_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    struct vm_simbus *bus = ctx;
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t b = bus_byte(bus, tx ? tx[i] : 0xFF);
        if (rx) rx[i] = b;
    }
}

static void bus_set_clock(void *ctx, uint32_t hz)
{
    struct vm_simbus *bus = ctx;
    bus->sck_hz = vm_platform_sck(bus->platform, hz);
}

static uint32_t bus_millis(void *ctx)
{
    struct vm_simbus *bus = ctx;
    return vm_simclock_millis(bus->clock);
}

void vm_simbus_init(struct vm_simbus *bus, struct vm_simclock *clock,
                    const struct vm_platform *platform)
{
    memset(bus, 0, sizeof *bus);
    bus->clock = clock;
    bus->platform = platform;
    bus->spi.select = bus_select;
    bus->spi.transfer = bus_transfer;
    bus->spi.set_clock = bus_set_clock;
    bus->spi.millis = bus_millis;
    bus->spi.ctx = bus;
    /* the library's default before any set_clock: its slowest rate */
    bus->sck_hz = platform ? vm_platform_sck(platform, 1u) : 4000000u;
    bus->deselect_ns = 0;
}

int vm_simbus_attach(struct vm_simbus *bus, uint8_t cs, const struct vm_spi_model *m)
{
    if (cs >= VM_SIMBUS_MAX_CS || m == NULL) return -1;
    bus->dev[cs] = *m;
    return 0;
}

void vm_simbus_set_trace(struct vm_simbus *bus, vm_simbus_trace_fn fn, void *ctx)
{
    bus->trace = fn;
    bus->trace_ctx = ctx;
}

void vm_simbus_reset_counters(struct vm_simbus *bus)
{
    bus->bytes = bus->transactions = bus->contention = 0;
    bus->wire_ns = bus->cpu_ns = 0;
}

uint64_t vm_simbus_wire_ns(const struct vm_simbus *bus, uint64_t n)
{
    return vm_simclock_bits_ns(8u * n, bus->sck_hz);
}

/* ---- text recorder ---- */

static void log_put(struct vm_simbus_log *log, const char *s)
{
    size_t k = strlen(s);
    if (log->cap == 0) return;
    if (log->len + k >= log->cap) k = log->cap - 1u - log->len;
    memcpy(log->buf + log->len, s, k);
    log->len += k;
    log->buf[log->len] = '\0';
}

void vm_simbus_log_fn(void *ctx, const struct vm_simbus_ev *ev)
{
    struct vm_simbus_log *log = ctx;
    char t[16];
    switch (ev->type) {
    case VM_SIMBUS_SELECT: snprintf(t, sizeof t, "S%u ", (unsigned)ev->cs); break;
    case VM_SIMBUS_DESELECT: snprintf(t, sizeof t, "U%u ", (unsigned)ev->cs); break;
    default:
        if (log->miso)
            snprintf(t, sizeof t, "%02X/%02X ", (unsigned)ev->mosi, (unsigned)ev->miso);
        else
            snprintf(t, sizeof t, "%02X ", (unsigned)ev->mosi);
        break;
    }
    log_put(log, t);
}

void vm_simbus_log_clear(struct vm_simbus_log *log)
{
    log->len = 0;
    if (log->cap) log->buf[0] = '\0';
}
