/*
 * vm_ram_dev.c - the "ram" device for the simulator: the core's vm_ram over
 * a calloc'd array. Ideal: no clock, zero time, no pager CPU charged.
 * Faults: each read or write fails with the chance read_fail / write_fail,
 * drawn from the fault seed by the counting and fault-injecting layer
 * (backends/wrap/vm_wrap.h) around the vm_ram.
 */
#include "vm_ram_dev.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm_ram.h"
#include "vm_wrap.h"

struct ram_state {
    struct vm_ram ram;
    struct vm_wrap faulty; /* around ram when faults are on */
    uint8_t *mem;
};

static int ram_open(struct vm_device_stack *st, const struct vm_device_desc *d,
                    const struct vm_platform *plat, uint64_t pool, char *err, size_t errlen)
{
    (void)plat;
    struct ram_state *s = vm_device_new_state(st, "ram backend", sizeof *s, err, errlen);
    if (!s) return -1;
    s->mem = calloc((size_t)pool, 1);
    if (!s->mem) {
        snprintf(err, errlen, "ram backend: out of memory for a %llu-byte pool",
                 (unsigned long long)pool);
        return -1;
    }
    vm_ram_init(&s->ram, s->mem, (vm_addr_t)pool);
    st->backend = &s->ram.backend;
    if (d->fault_seed && (d->read_fail > 0 || d->write_fail > 0)) {
        vm_wrap_init(&s->faulty, &s->ram.backend);
        vm_wrap_faults(&s->faulty, d->fault_seed, vm_wrap_chance(d->read_fail),
                       vm_wrap_chance(d->write_fail));
        st->backend = &s->faulty.backend;
    }
    st->clock = NULL;
    return 0;
}

static void ram_close(struct vm_device_stack *st)
{
    struct ram_state *s = st->state;
    free(s->mem);
}

/* Ideal memory: the pager's CPU is not charged either. */
static void ram_costs(const struct vm_device_desc *d, const struct vm_platform *plat,
                      struct vm_device_costs *out)
{
    (void)d;
    (void)plat;
    out->table = NULL;
    out->cpu_hz = 0;
}

/* No time at all, so nothing to price; injected faults (a seeded stream,
 * garbage reads, torn writes: vm_wrap around the vm_ram) keep the exact path. */
static int ram_fast(const struct vm_device_desc *d, uint64_t *split, uint64_t *settle)
{
    *split = *settle = 0;
    return d->fault_seed == 0 || (d->read_fail <= 0 && d->write_fail <= 0);
}

const struct vm_device vm_ram_device = {
    .name = "ram",
    .help = "the core's vm_ram: ideal, zero latency",
    .keys = NULL, .open = ram_open, .close = ram_close, .costs = ram_costs,
    .fast = ram_fast};
