/*
 * vmr_stack.c - the simulator's table of devices and the backend stack of a
 * run (see vmr_stack.h). Adding a device: its folder under backends/ exports
 * a struct vm_device; add one line to `devices` below (and its name to enum
 * vmr_backend_type, in the same place), and link its library in
 * sim/meson.build. docs/architecture.md has the whole walk-through.
 */
#include "vmr_stack.h"
#include "vmr_fast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_fram_dev.h"
#include "vm_ram_dev.h"
#include "vm_sd_dev.h"
#include "vm_serial_dev.h"
#include "vm_simbus.h"
#include "vm_sram_dev.h"

static const struct vm_device *const devices[VMR_BE_COUNT] = {
    [VMR_BE_RAM] = &vm_ram_device,
    [VMR_BE_SRAM] = &vm_sram_device,
    [VMR_BE_SD] = &vm_sd_device,
    [VMR_BE_SERIAL] = &vm_serial_device,
    [VMR_BE_FRAM] = &vm_fram_device,
};

const struct vm_device *vmr_device(unsigned type)
{
    return type < VMR_BE_COUNT ? devices[type] : NULL;
}

int vmr_backend_type_from_name(const char *name)
{
    for (int i = 0; i < VMR_BE_COUNT; i++)
        if (strcasecmp(name, devices[i]->name) == 0) return i;
    return -1;
}

const char *vmr_backend_type_name(unsigned type)
{
    return type < VMR_BE_COUNT ? devices[type]->name : "?";
}

const char *vmr_backend_names(char *buf, size_t n, const char *quote, const char *sep,
                              const char *last)
{
    size_t used = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < VMR_BE_COUNT; i++) {
        const char *join = i == 0 ? "" : i + 1 == VMR_BE_COUNT ? last : sep;
        int k = snprintf(buf + used, n - used, "%s%s%s%s", join, quote, devices[i]->name, quote);
        if (k < 0 || (size_t)k >= n - used) break;
        used += (size_t)k;
    }
    return buf;
}

const struct vm_device_key *vmr_device_key_any(const char *name)
{
    for (unsigned i = 0; i < VMR_BE_COUNT; i++) {
        const struct vm_device_key *k = vm_device_key_find(devices[i], name);
        if (k) return k;
    }
    return NULL;
}

const struct vm_device_key *vmr_device_key_at(unsigned i)
{
    for (unsigned t = 0; t < VMR_BE_COUNT; t++)
        for (const struct vm_device_key *k = devices[t]->keys; k && k->name; k++)
            if (vmr_device_key_any(k->name) == k && i-- == 0) return k;
    return NULL;
}

int vmr_profile_pick(char *profile, size_t n, char *err, size_t errlen)
{
    const char *canon;
    if (!profile[0]) return 0;
    if (vm_device_pick(vm_platform_name, "platform profile", profile, &canon, err, errlen)) return -1;
    snprintf(profile, n, "%s", canon);
    return 0;
}

/* The platform profile named by d at the CPU clock d asks for, copied into
 * buf (NULL when none is named). */
static int find_platform(const struct vm_device_desc *d, struct vm_platform *buf,
                         const struct vm_platform **out, char *err, size_t errlen)
{
    const char *canon;
    *out = NULL;
    if (!d->profile[0]) {
        if (d->cpu_hz) {
            snprintf(err, errlen, "cpu_mhz %lu needs a platform profile",
                     (unsigned long)(d->cpu_hz / 1000000u));
            return -1;
        }
        return 0;
    }
    if (vm_device_pick(vm_platform_name, "platform profile", d->profile, &canon, err, errlen)) return -1;
    const struct vm_platform *p = vm_platform_find(canon);
    if (vm_platform_at(p, d->cpu_hz, buf) != 0) {
        char list[96];
        int n = snprintf(list, sizeof list, "%lu", (unsigned long)(p->cpu_hz / 1000000u));
        for (unsigned i = 0; i < VM_PLATFORM_CLOCKS && p->clocks[i].cpu_hz; i++)
            n += snprintf(list + (size_t)n, sizeof list - (size_t)n, ", %lu",
                          (unsigned long)(p->clocks[i].cpu_hz / 1000000u));
        snprintf(err, errlen, "profile %s cannot run at %lu MHz (MHz: %s)", p->name,
                 (unsigned long)(d->cpu_hz / 1000000u), list);
        return -1;
    }
    *out = buf;
    return 0;
}

static int open_exact(struct vmr_stack *st, const struct vm_device_desc *d, uint64_t pool,
                      char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    st->dev = vmr_device(d->type);
    if (!st->dev) {
        snprintf(err, errlen, "backend type %u is not wired into this build", (unsigned)d->type);
        return -1;
    }
    const struct vm_platform *plat;
    if (find_platform(d, &st->plat, &plat, err, errlen)) return -1;
    if (st->dev->open(&st->s, d, plat, pool, err, errlen)) {
        vmr_stack_close(st);
        return -1;
    }
    struct vm_device_costs c = {plat ? &plat->cost : NULL, plat ? plat->cpu_hz : 0};
    if (st->dev->costs) st->dev->costs(d, plat, &c);
    st->cost = c.cpu_hz ? c.table : NULL;
    st->cpu_hz = c.cpu_hz;
    /* Setting up the device (SD init, HELLO) is not part of the run. */
    st->t0 = st->s.clock ? vm_simclock_now(st->s.clock) : 0;
    st->transfer0 = st->dev->transfer_ns ? st->dev->transfer_ns(&st->s) : 0;
    return 0;
}

/* 1 if the stack d describes has a fast path: split and settle set. */
static int fast_ok(const struct vm_device_desc *d, uint64_t *split, uint64_t *settle)
{
    const struct vm_device *dev = vmr_device(d->type);
    return dev && dev->fast && dev->fast(d, split, settle);
}

int vmr_stack_has_fast(const struct vm_device_desc *d)
{
    uint64_t split = 0, settle = 0;
    const struct vm_device *dev = vmr_device(d->type);
    return fast_ok(d, &split, &settle) || (dev && dev->closed_form);
}

int vmr_stack_open(struct vmr_stack *st, const struct vm_device_desc *d, uint64_t pool,
                   int exact, int keep_data, char *err, size_t errlen)
{
    struct vmr_stack *probe;
    uint64_t split = 0, settle = 0;
    if (exact || !fast_ok(d, &split, &settle)) {
        if (open_exact(st, d, pool, err, errlen)) return -1;
        if (!exact && st->dev->closed_form) st->closed = st->dev->closed_form(&st->s);
        return 0;
    }
    probe = malloc(sizeof *probe);
    if (!probe) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (open_exact(probe, d, pool, err, errlen)) {
        free(probe);
        return -1;
    }
    memset(st, 0, sizeof *st);
    const uint64_t period = probe->dev->fast_period ? probe->dev->fast_period(d) : 0;
    if (vmr_fast_open(st, probe, split, settle, period, pool, keep_data, err, errlen)) {
        vmr_stack_close(probe);
        free(probe);
        return -1;
    }
    return 0;
}

void vmr_stack_busy(struct vmr_stack *st, uint64_t ns)
{
    if (!st->s.clock || !ns) return;
    if (st->dev->busy && !st->fast) /* a fast stack's device is idle between calls */
        st->dev->busy(&st->s, ns);
    else
        vm_simclock_advance(st->s.clock, ns);
}

uint64_t vmr_stack_transfer_ns(const struct vmr_stack *st)
{
    if (st->fast) return vmr_fast_transfer_ns(st);
    return st->dev && st->dev->transfer_ns ? st->dev->transfer_ns(&st->s) - st->transfer0 : 0;
}

uint64_t vmr_stack_fast_calls(const struct vmr_stack *st)
{
    return st->fast ? vmr_fast_calls(st) : st->closed ? *st->closed : 0;
}

void vmr_stack_close(struct vmr_stack *st)
{
    if (st->fast) {
        vmr_fast_close(st);
        return;
    }
    if (!st->s.state) return;
    if (st->dev->close) st->dev->close(&st->s);
    free(st->s.state);
    st->s.state = NULL;
}

static const struct vm_platform *profile_named(const char *profile)
{
    return profile && profile[0] ? vm_platform_find(profile) : NULL;
}

size_t vmr_ram_limit(const char *profile)
{
    const struct vm_platform *p = profile_named(profile);
    return p ? p->ram_bytes : 0;
}

size_t vmr_ram_cost(const char *profile, unsigned page_size, unsigned page_count)
{
    const struct vm_platform *p = profile_named(profile);
    if (p && p->slot_bytes && p->vm_bytes)
        return (size_t)page_size * page_count + (size_t)page_count * p->slot_bytes + p->vm_bytes;
    return VM_RAM_COST(page_size, page_count);
}
