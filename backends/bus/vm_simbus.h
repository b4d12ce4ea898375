/*
 * vm_simbus.h - a simulated SPI bus for the desktop: chip selects routed to
 * device models and a simulated clock; the MCU side of the bus comes from a
 * platform profile (backends/platform/vm_platform.h).
 *
 * Desktop only. The bus implements struct vm_spi (vm_bus.h), so the portable
 * drivers run unchanged against device models. Time advances only for:
 *   - each byte on the wire: 8 bit times at the current SCK;
 *   - the platform profile's MCU-side cost per byte and per transaction
 *     (a transaction is one chip-select assertion);
 *   - chip-select edges: setup time after CS falls, hold time before CS rises,
 *     and a minimum deselect time between transactions (23LC1024 AC timing,
 *     datasheet DS20005142, AC characteristics);
 *   - whatever a device model adds itself (it may advance the clock, or
 *     answer "not ready" bytes until its own deadline passes).
 * MISO is sampled at the start of a byte's wire time, so a model compares
 * "now" against its own ready time to decide between data and filler.
 */
#ifndef VM_SIMBUS_H
#define VM_SIMBUS_H

#include <stddef.h>
#include <stdint.h>

#include "vm_bus.h"
#include "vm_platform.h"
#include "vm_simclock.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VM_SIMBUS_MAX_CS 8

/* CS timing used for every device, from the 23LC1024 AC table at 20 MHz
 * (Microchip 23A1024/23LC1024 datasheet DS20005142, AC characteristics: tCSS 25 ns, tCSH 50 ns, tCSD 25 ns). */
#define VM_SIMBUS_CS_SETUP_NS 25u
#define VM_SIMBUS_CS_HOLD_NS 50u
#define VM_SIMBUS_CS_DISABLE_NS 25u

struct vm_simbus;

/* A device model on one chip select. exchange returns MISO for one MOSI byte;
 * select reports CS edges (on = 1: CS fell, the device is selected);
 * unselected (optional) sees bytes clocked while this device's CS is high
 * (an SD card counts them as its power-up clocks). Models read the time and
 * SCK from the bus and may advance the clock. */
struct vm_spi_model {
    void (*select)(void *ctx, struct vm_simbus *bus, int on);
    uint8_t (*exchange)(void *ctx, struct vm_simbus *bus, uint8_t mosi);
    void (*unselected)(void *ctx, struct vm_simbus *bus, uint8_t mosi);
    void *ctx;
    /* Optional, for the bus's closed-form poll (vm_simbus_closed_form):
     * 1 if, while the host sends only 0xFF, the model answers *out to every
     * byte whose MISO is sampled at sample ns or later and before *until
     * (UINT64_MAX: for ever), and changes nothing meanwhile but what
     * skip(ctx, bus, n) then does for n such bytes (per-byte counters; no
     * random draws). 0: clock the bytes one by one. */
    int (*steady)(void *ctx, const struct vm_simbus *bus, uint64_t sample, uint8_t *out,
                  uint64_t *until);
    void (*skip)(void *ctx, struct vm_simbus *bus, uint64_t n);
    /* Optional, for the bus's closed-form transfer: exchange the first k of
     * n bytes at once (tx NULL: 0xFF; rx NULL: discarded), byte i's MISO
     * sampled at sample + i * p ns, exactly as k exchange calls would, and
     * return k (0: none, clock them one by one). */
    size_t (*bulk)(void *ctx, struct vm_simbus *bus, uint64_t sample, uint64_t p, const uint8_t *tx,
                   uint8_t *rx, size_t n);
};

/* One observed bus event, for recorders. */
enum vm_simbus_ev_type { VM_SIMBUS_SELECT, VM_SIMBUS_DESELECT, VM_SIMBUS_BYTE };
struct vm_simbus_ev {
    uint8_t type; /* enum vm_simbus_ev_type */
    uint8_t cs;   /* for BYTE: the selected cs, or 0xFF if none */
    uint8_t mosi;
    uint8_t miso;
    uint64_t ns;  /* time at the start of the event */
};
typedef void (*vm_simbus_trace_fn)(void *ctx, const struct vm_simbus_ev *ev);

/* The bus. Zero it with vm_simbus_init; fields are read-only to users except
 * through the functions below. Counters count since init or reset. */
struct vm_simbus {
    struct vm_spi spi;       /* hand &bus->spi to a driver */
    struct vm_simclock *clock;
    const struct vm_platform *platform;
    uint32_t sck_hz;         /* current SCK */
    struct vm_spi_model dev[VM_SIMBUS_MAX_CS];
    uint8_t selected[VM_SIMBUS_MAX_CS];
    uint64_t deselect_ns;    /* when CS last rose (any device) */
    vm_simbus_trace_fn trace;
    void *trace_ctx;
    /* counters */
    uint64_t bytes;          /* bytes clocked */
    uint64_t transactions;   /* CS assertions */
    uint64_t contention;     /* bytes clocked with two devices selected */
    uint64_t wire_ns;        /* time spent clocking bits */
    uint64_t cpu_ns;         /* time charged to the platform profile */
    /* kept by the bus for its per-byte loop */
    uint64_t byte_wire_ns;   /* vm_simbus_wire_ns(bus, 1) at the current SCK */
    uint8_t live;            /* bit cs: a model is attached there, or it is selected */
    uint64_t polls_closed;   /* polls (vm_spi.poll) that skipped bytes in closed form */
    uint8_t closed;          /* vm_simbus_closed_form on */
};

/* Set up a bus on clock with platform (NULL: no MCU cost, SCK as asked).
 * SCK starts at the platform's slowest rate. */
void vm_simbus_init(struct vm_simbus *bus, struct vm_simclock *clock,
                    const struct vm_platform *platform);
/* Route chip select cs to a model (copied). Returns 0, or -1 for a bad cs. */
int vm_simbus_attach(struct vm_simbus *bus, uint8_t cs, const struct vm_spi_model *m);
/* on != 0: the bus offers vm_spi.poll and answers a poll in closed form
 * while the one selected model is steady (its `steady` hook), and lets that
 * model take a transfer's bytes in bulk (its `bulk` hook): the same bytes,
 * times, counters and model state as clocking them one by one, in a few
 * steps. Off (the default): every byte is clocked. A traced bus always
 * clocks byte by byte. */
void vm_simbus_closed_form(struct vm_simbus *bus, int on);
void vm_simbus_set_trace(struct vm_simbus *bus, vm_simbus_trace_fn fn, void *ctx);
void vm_simbus_reset_counters(struct vm_simbus *bus);

/* Wire-limited time of n bytes at the current SCK, in ns. */
uint64_t vm_simbus_wire_ns(const struct vm_simbus *bus, uint64_t n);

#ifdef __cplusplus
}
#endif

#endif /* VM_SIMBUS_H */
