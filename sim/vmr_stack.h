/*
 * vmr_stack.h - the simulator's devices, and the backend stack of one run.
 *
 * The devices are a table of descriptors (backends/device/vm_device.h), one
 * line each in vmr_stack.c; a type is an index into it. A stack is one
 * device's driver, bus and model on one simulated clock; it owns everything
 * it allocates, and the pager sees only `backend`. `clock` is NULL for the
 * ideal ram backend, whose time is zero by definition.
 */
#ifndef VMR_STACK_H
#define VMR_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "vm_device.h"
#include "vm_simclock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Backend types a scenario can name: the table's order. */
enum vmr_backend_type {
    VMR_BE_RAM,    /* the core's vm_ram: ideal, zero latency */
    VMR_BE_SRAM,   /* 23LC1024-family driver + model on the simulated SPI bus */
    VMR_BE_SD,     /* SD card driver + model on the simulated SPI bus */
    VMR_BE_SERIAL, /* serial driver + host over the modelled UART link */
    VMR_BE_FRAM,   /* MB85RC256V I2C FRAM driver + model */
    VMR_BE_COUNT
};

/* The device of a type (NULL past the table). */
const struct vm_device *vmr_device(unsigned type);

/* Names <-> types (any letter case). -1 / "?" for an unknown one. */
int vmr_backend_type_from_name(const char *name);
const char *vmr_backend_type_name(unsigned type);
/* The device names, joined: sep between names, last before the last one
 * (", " and " or " give "ram, sram, sd or serial"); each in quote. */
const char *vmr_backend_names(char *buf, size_t n, const char *quote, const char *sep,
                              const char *last);

/* The setting called name in any device (the first that has it), or NULL. */
const struct vm_device_key *vmr_device_key_any(const char *name);
/* Each device's keys in table order, without repeats: call with i = 0, 1, ...
 * until it returns NULL. */
const struct vm_device_key *vmr_device_key_at(unsigned i);

#include "vm_simbus.h"

struct vmr_stack {
    const struct vm_device *dev;
    struct vm_device_stack s;         /* backend, clock, device state */
    struct vm_platform plat;          /* the profile at the asked CPU clock */
    const struct vm_cpu_costs *cost;  /* cost hook: pager CPU per path; NULL free */
    uint32_t cpu_hz;                  /* the clock the table's cycles run at */
    uint64_t t0;                      /* clock after set-up: a run's time 0 */
    void *fast;                       /* the fast path (vmr_fast.c), or NULL */
    const uint64_t *closed;           /* closed-form transactions (device hook), or NULL */
    uint64_t transfer0;               /* transfer time spent by set-up */
};

/* 0 on success; -1 with a message naming the setting otherwise. exact = 0
 * asks for the fast path (vmr_fast.h) where the device allows it: the same
 * numbers, without clocking every bus byte; keep_data = 0 lets the fast
 * path drop the pool's bytes (for a run that never reads them back). */
int vmr_stack_open(struct vmr_stack *st, const struct vm_device_desc *d, uint64_t pool_size,
                   int exact, int keep_data, char *err, size_t errlen);
void vmr_stack_close(struct vmr_stack *st);
/* 1 if vmr_stack_open without exact gives the stack d describes the fast
 * path (its device's `fast` hook allows it) or closed-form transactions
 * (`closed_form`), 0 if it is byte-exact anyway. */
int vmr_stack_has_fast(const struct vm_device_desc *d);

/* A platform profile's name (profile, a buffer of n bytes), matched in any
 * letter case and rewritten in its canonical spelling: 0 ("" is none), or -1
 * with "unknown platform profile ... (known: ...)" in err. */
int vmr_profile_pick(char *profile, size_t n, char *err, size_t errlen);
/* The board computes for ns (pager or program CPU): the clock moves on, and
 * a link's far side keeps working meanwhile. */
void vmr_stack_busy(struct vmr_stack *st, uint64_t ns);
/* Time moving bytes since set-up (wire and driver CPU); the rest of the
 * clock that is not pager or program CPU is waiting for the device. */
uint64_t vmr_stack_transfer_ns(const struct vmr_stack *st);
/* Backend calls the fast path answered without clocking the device models
 * (vmr_fast_calls), or on a closed-form stack the transactions its device
 * answered in closed form; 0 on a byte-exact stack. */
uint64_t vmr_stack_fast_calls(const struct vmr_stack *st);

/* RAM a geometry costs on the board: page buffers plus the core's metadata,
 * with the struct sizes of the profile's MCU (the README's size table,
 * default configuration), or of this host (VM_RAM_COST) without a profile. */
size_t vmr_ram_cost(const char *profile, unsigned page_size, unsigned page_count);
/* The on-chip RAM of the profile's MCU in bytes: a geometry whose
 * vmr_ram_cost is larger cannot be built for that board. 0 without a
 * profile, or when the profile does not say. */
size_t vmr_ram_limit(const char *profile);

#ifdef __cplusplus
}
#endif

#endif /* VMR_STACK_H */
