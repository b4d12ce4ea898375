/*
 * vm_device.h - how a device plugs into the simulator (desktop only).
 *
 * Each device's desktop model exports one `struct vm_device`: its name, the
 * settings a scenario or the command line may give it, how to build its
 * stack (driver -> bus -> model, on one simulated clock) and its cost hooks.
 * The simulator (sim/vmr_stack.c) keeps a table of these descriptors and
 * knows nothing else about any device. docs/architecture.md walks through
 * adding one.
 *
 * A run's backend is described by a `struct vm_device_desc`: the settings
 * every device shares (platform profile, SPI clock, seeded faults) plus the
 * device's own settings, stored in `settings` and laid out by the device's
 * key table. Zero means "the device's default" everywhere.
 */
#ifndef VM_DEVICE_H
#define VM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"
#include "vm_simclock.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm_platform; /* backends/platform/vm_platform.h */

/* Room for one device's own settings in a description. A device checks its
 * settings struct fits with VM_DEVICE_SETTINGS_FIT(struct ...). */
#define VM_DEVICE_SETTINGS_MAX 384
#define VM_DEVICE_SETTINGS_FIT(type)                                           \
    typedef char vm_device_settings_fit_[sizeof(type) <= VM_DEVICE_SETTINGS_MAX ? 1 : -1]

/* One backend: what a scenario's "backends" entry or vmsim's options say. */
struct vm_device_desc {
    uint8_t type;         /* index of the device in the simulator's table */
    char profile[32];     /* platform profile ("atmega328p", "teensy32"); "" none */
    uint32_t cpu_hz;      /* the board's CPU clock; 0: the profile's default */
    uint32_t spi_hz;      /* SPI clock asked for by the driver; 0: profile's */
    uint32_t fault_seed;  /* fault injection seed; 0: faults off */
    double read_fail;     /* chance a backend read fails (ram) / faults (models) */
    double write_fail;    /* chance a backend write fails */
    union {
        unsigned char bytes[VM_DEVICE_SETTINGS_MAX];
        double align_d;
        uint64_t align_u;
    } settings;           /* the device's own, as its keys lay them out */
};

/* The kinds of value a setting takes. */
enum vm_device_value {
    VM_DEVICE_STR,  /* a string of at most size - 1 characters */
    VM_DEVICE_PATH, /* a file name, stored as a string; in a scenario a
                       relative one is relative to the scenario file */
    VM_DEVICE_UINT, /* an integer in [min, max], stored in size bytes (1, 2 or 4) */
    VM_DEVICE_BOOL  /* true or false, stored as one byte 0/1 */
};

/* One setting of a device: scenario key `name`, command-line option
 * `--name` (with '-' for '_'). Keys of the same name in two devices must
 * have the same kind and range (the scenario checks a key's value before it
 * knows which device reads it). */
struct vm_device_key {
    const char *name;
    uint8_t kind;     /* enum vm_device_value */
    uint16_t offset;  /* offsetof() in the device's settings struct */
    uint16_t size;    /* bytes there */
    uint32_t min, max;
    const char *help; /* one line */
    /* A VM_DEVICE_STR key naming one of a list (a chip, a card profile):
     * the i-th name, NULL past the end. A value is matched in any letter
     * case and stored in the list's spelling; any other is refused. NULL:
     * any string. */
    const char *(*choice)(unsigned i);
};

/* A keys table's entries, each named after the field of the device's
 * settings struct it fills, which gives its offset and size: the table
 * cannot disagree with the struct. A table ends with VM_DEVICE_KEYS_END. */
#define VM_DEVICE_KEY_(set, field, kind, min, max, help, choice) \
    {#field, kind, offsetof(set, field), sizeof(((set *)0)->field), min, max, help, choice}
#define VM_DEVICE_STR_KEY(set, field, choice, help) \
    VM_DEVICE_KEY_(set, field, VM_DEVICE_STR, 0, 0, help, choice)
#define VM_DEVICE_PATH_KEY(set, field, help) \
    VM_DEVICE_KEY_(set, field, VM_DEVICE_PATH, 0, 0, help, NULL)
#define VM_DEVICE_UINT_KEY(set, field, min, max, help) \
    VM_DEVICE_KEY_(set, field, VM_DEVICE_UINT, min, max, help, NULL)
#define VM_DEVICE_BOOL_KEY(set, field, help) \
    VM_DEVICE_KEY_(set, field, VM_DEVICE_BOOL, 0, 1, help, NULL)
#define VM_DEVICE_KEYS_END {NULL, 0, 0, 0, 0, 0, NULL, NULL}

/* A built stack: what the pager talks to and the clock it runs on. */
struct vm_device_stack {
    const struct vm_backend *backend;
    struct vm_simclock *clock; /* NULL: no simulated time (ideal) */
    void *state;               /* the device's own (vm_device_new_state); freed after close */
};

struct vm_cpu_costs; /* backends/bus/vm_simbus.h */

/* The pager's CPU on this stack: the cost table per core path and the CPU
 * clock that turns its cycles into time (docs/fidelity.md). */
struct vm_device_costs {
    const struct vm_cpu_costs *table; /* NULL: the pager's CPU is free */
    uint32_t cpu_hz;
};

struct vm_device {
    const char *name;                  /* scenario "type", vmsim --backend */
    const char *help;                  /* one line: what the device is */
    const struct vm_device_key *keys;  /* its own settings; ends with a NULL name */

    /* Build the stack for a pool of pool_size bytes. plat is the platform
     * profile the description names (NULL: none). On failure return -1 with
     * a message in err; close is then called if st->state was set. */
    int (*open)(struct vm_device_stack *st, const struct vm_device_desc *d,
                const struct vm_platform *plat, uint64_t pool_size, char *err, size_t errlen);
    /* Optional: release what the state holds (NULL: nothing); the stack
     * frees the state itself after it. */
    void (*close)(struct vm_device_stack *st);

    /* Cost hooks. costs: the pager's CPU on this stack; NULL means the
     * platform profile's table at its clock (none: free). */
    void (*costs)(const struct vm_device_desc *d, const struct vm_platform *plat,
                  struct vm_device_costs *out);
    /* Optional: the board computes for ns; the device's far side (a serial
     * host) keeps working meanwhile. NULL: the clock simply advances. */
    void (*busy)(struct vm_device_stack *st, uint64_t ns);
    /* Optional: time so far spent moving bytes (wire time plus the
     * driver's CPU per byte and per transaction). NULL: 0. */
    uint64_t (*transfer_ns)(const struct vm_device_stack *st);
    /* Optional: check the settings before any run (files they name exist and
     * hold what they should): 0, or -1 with a message in err. NULL: none. */
    int (*check)(const struct vm_device_desc *d, char *err, size_t errlen);

    /* Fast path (sim/vmr_fast.h): 1 if on the stack d describes, the time
     * of a backend call depends only on read or write, its length and how
     * long the board computed since the previous call, and on that only
     * below *settle ns (an SPI chip select's minimum high time): each shape
     * is priced once on the byte-exact stack for a call right after another
     * and once for one after settle ns or more, and charged from then on;
     * calls crossing a multiple of *split bytes (0: none) or after a pause
     * shorter than settle are priced at their address and moment. A device
     * with `busy` says 1 only where nothing of a call is left in flight when
     * it returns (the far side idle: the busy time then only moves the
     * clock). NULL or 0: the byte-exact stack always (the device keeps state
     * between calls, or draws random delays). */
    int (*fast)(const struct vm_device_desc *d, uint64_t *split, uint64_t *settle);
    /* Optional, with `fast`: the period, in ns of the device's clock, of a
     * free-running timer or bus frame that a call's time also depends on
     * (where the call falls against it); 0 or NULL: none. A call's time is
     * then a function of its shape and its start modulo the period (ticks at
     * multiples of it), priced once per (shape, phase). Such a device says
     * settle 0: any pause is alike, apart from the phase it moves the call to. */
    uint64_t (*fast_period)(const struct vm_device_desc *d);
    /* Optional, for a device without `fast` (its cost per call depends on
     * random draws or on state): answer transactions in closed form where
     * its model allows it (a bus poll from the card's ready time): the same
     * bytes, times and random draws as clocking every byte, in fewer steps.
     * Called once after open unless the run asks for the byte-exact models;
     * returns the device's count of transactions so answered. */
    const uint64_t *(*closed_form)(struct vm_device_stack *st);
};

/* The device's own state for st: size zeroed bytes, stored in st->state
 * (freed after close). NULL after "name: out of memory" in err. */
void *vm_device_new_state(struct vm_device_stack *st, const char *name, size_t size, char *err,
                          size_t errlen);

/* The device's settings inside d. */
static inline void *vm_device_settings(struct vm_device_desc *d) { return d->settings.bytes; }
static inline const void *vm_device_settings_c(const struct vm_device_desc *d)
{
    return d->settings.bytes;
}

/* The key called name in dev's table, or NULL. */
const struct vm_device_key *vm_device_key_find(const struct vm_device *dev, const char *name);

/* Store a checked value of key k into d's settings. */
void vm_device_put_uint(struct vm_device_desc *d, const struct vm_device_key *k, uint64_t v);
void vm_device_put_str(struct vm_device_desc *d, const struct vm_device_key *k, const char *s);

/* The name in the list at(0), at(1), ... (ended by NULL) that matches name
 * in any letter case: 0 with *canon set to its spelling in the list, or -1
 * with "unknown WHAT \"name\" (known: a, b, c)" in err. */
int vm_device_pick(const char *(*at)(unsigned i), const char *what, const char *name,
                   const char **canon, char *err, size_t errlen);

/* Parse text (a command-line value) for key k and store it: 0, or -1 with a
 * message naming the key in err. */
int vm_device_put_text(struct vm_device_desc *d, const struct vm_device_key *k, const char *text,
                       char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VM_DEVICE_H */
