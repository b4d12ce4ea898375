/*
 * vm_simbus.c - simulated SPI bus and a text recorder.
 * See vm_simbus.h for the timing rules. Desktop C.
 */
#include "vm_simbus.h"

#include <stdio.h>
#include <string.h>

/* ---- bus ---- */

/* The chip selects a byte can reach: a model that exchanges or listens, or
 * a select with nobody behind it (it still counts as selected). */
static void update_live(struct vm_simbus *bus, uint8_t cs)
{
    const struct vm_spi_model *m = &bus->dev[cs];
    if (bus->selected[cs] || m->exchange || m->unselected)
        bus->live = (uint8_t)(bus->live | 1u << cs);
    else
        bus->live = (uint8_t)(bus->live & ~(1u << cs));
}

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
    update_live(bus, cs);
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
    unsigned i, n = 0, live = bus->live;
    uint64_t wire = bus->byte_wire_ns;

    if (bus->platform) {
        vm_simclock_advance(bus->clock, bus->platform->byte_ns);
        bus->cpu_ns += bus->platform->byte_ns;
    }
    ev.ns = vm_simclock_now(bus->clock);
    for (i = 0; live >> i; i++) { /* in cs order, the chip selects a byte reaches */
        if (!(live >> i & 1u)) continue;
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

/* The one chip select a byte reaches, selected with a model, when the bus
 * may answer in closed form (no trace); VM_SIMBUS_MAX_CS otherwise. */
static unsigned sole_model(const struct vm_simbus *bus)
{
    unsigned c;
    if (bus->trace) return VM_SIMBUS_MAX_CS;
    for (c = 0; c < VM_SIMBUS_MAX_CS; c++)
        if (bus->live == 1u << c) break;
    if (c == VM_SIMBUS_MAX_CS || !bus->selected[c] || !bus->dev[c].exchange) return VM_SIMBUS_MAX_CS;
    return c;
}

/* n bytes' time and counters (CPU and wire each), as n bus_byte calls. */
static void bus_account(struct vm_simbus *bus, uint64_t n)
{
    uint64_t cpu = bus->platform ? bus->platform->byte_ns : 0;
    vm_simclock_advance(bus->clock, n * (cpu + bus->byte_wire_ns));
    bus->cpu_ns += n * cpu;
    bus->wire_ns += n * bus->byte_wire_ns;
    bus->bytes += n;
}

static void bus_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    struct vm_simbus *bus = ctx;
    size_t i = 0;
    unsigned cs;
    /* a data block: the model takes it at once where it can */
    while (bus->closed && n - i >= 8u && (cs = sole_model(bus)) < VM_SIMBUS_MAX_CS &&
           bus->dev[cs].bulk) {
        uint64_t cpu = bus->platform ? bus->platform->byte_ns : 0;
        size_t k = bus->dev[cs].bulk(bus->dev[cs].ctx, bus, vm_simclock_now(bus->clock) + cpu,
                                     cpu + bus->byte_wire_ns, tx ? tx + i : NULL, rx ? rx + i : NULL,
                                     n - i);
        if (!k) break;
        bus_account(bus, k);
        i += k;
    }
    for (; i < n; i++) {
        uint8_t b = bus_byte(bus, tx ? tx[i] : 0xFF);
        if (rx) rx[i] = b;
    }
}

/* The selected model's answer while only 0xFF is sent, from the next
 * byte's MISO sample on (see vm_spi_model.steady): 1, or 0 when the bytes
 * must be clocked (a trace, no steady model, or more than one device the
 * byte would reach). */
static int bus_steady(const struct vm_simbus *bus, uint64_t sample, uint8_t *cs, uint8_t *out,
                      uint64_t *until)
{
    unsigned c = sole_model(bus);
    if (c == VM_SIMBUS_MAX_CS || !bus->dev[c].steady) return 0;
    *cs = (uint8_t)c;
    return bus->dev[c].steady(bus->dev[c].ctx, bus, sample, out, until);
}

/* n bytes of 0xFF that model cs answers alike: their time and counters. */
static void bus_skip(struct vm_simbus *bus, uint8_t cs, uint64_t n)
{
    bus_account(bus, n);
    if (bus->dev[cs].skip) bus->dev[cs].skip(bus->dev[cs].ctx, bus, n);
}

/* vm_spi.poll in closed form: while the selected model is steady on an
 * answer that does not end the poll, the bytes up to its change (or to the
 * timeout) are skipped at once; the rest are clocked as vm_spi_poll does.
 * A byte takes p = CPU + wire ns, its MISO sampled after the CPU part; the
 * timeout is tested after each byte, on millis() at its end. */
static uint8_t bus_poll(void *ctx, uint8_t v, int equal, uint32_t t0, uint32_t timeout_ms)
{
    struct vm_simbus *bus = ctx;
    uint64_t cpu = bus->platform ? bus->platform->byte_ns : 0;
    int skipped = 0;
    for (;;) {
        uint64_t now = vm_simclock_now(bus->clock), until;
        uint64_t p = cpu + bus->byte_wire_ns;
        uint8_t out, cs, rx;
        if (p && bus_steady(bus, now + cpu, &cs, &out, &until) && (out == v) != (equal != 0)) {
            /* bytes sampled before until, and bytes up to the one whose end
             * passes the timeout: millis() then is at or past t0's (64-bit)
             * millisecond plus timeout_ms */
            uint64_t ms = now / 1000000u;
            uint64_t elapsed = (uint32_t)((uint32_t)ms - t0);
            uint64_t due = (ms - elapsed + timeout_ms) * 1000000u;
            uint64_t k_out = due > now ? (due - now + p - 1u) / p : 1u;
            uint64_t n = until == UINT64_MAX ? k_out : until > now + cpu ? (until - now - cpu + p - 1u) / p : 0;
            if (k_out <= n) {
                bus_skip(bus, cs, k_out);
                bus->polls_closed++;
                return out;
            }
            if (n) {
                bus_skip(bus, cs, n);
                skipped = 1;
            }
        }
        rx = bus_byte(bus, 0xFF);
        if ((rx == v) == (equal != 0) || (uint32_t)(vm_simclock_millis(bus->clock) - t0) >= timeout_ms) {
            bus->polls_closed += (uint64_t)skipped;
            return rx;
        }
    }
}

void vm_simbus_closed_form(struct vm_simbus *bus, int on)
{
    bus->closed = (uint8_t)(on != 0);
    bus->spi.poll = on ? bus_poll : NULL;
}

static void bus_set_clock(void *ctx, uint32_t hz)
{
    struct vm_simbus *bus = ctx;
    bus->sck_hz = vm_platform_sck(bus->platform, hz);
    bus->byte_wire_ns = vm_simbus_wire_ns(bus, 1u);
}

static uint32_t bus_millis(void *ctx)
{
    struct vm_simbus *bus = ctx;
    return vm_simclock_millis(bus->clock);
}

void vm_simbus_init(struct vm_simbus *bus, struct vm_simclock *clock,
                    const struct vm_platform *platform)
{
    *bus = (struct vm_simbus){
        .spi = {.select = bus_select, .transfer = bus_transfer, .set_clock = bus_set_clock,
                .millis = bus_millis, .ctx = bus},
        .clock = clock,
        .platform = platform,
        /* the library's default before any set_clock: its slowest rate */
        .sck_hz = platform ? vm_platform_sck(platform, 1u) : 4000000u,
    };
    bus->byte_wire_ns = vm_simbus_wire_ns(bus, 1u);
}

int vm_simbus_attach(struct vm_simbus *bus, uint8_t cs, const struct vm_spi_model *m)
{
    if (cs >= VM_SIMBUS_MAX_CS || m == NULL) return -1;
    bus->dev[cs] = *m;
    update_live(bus, cs);
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
