/*
 * vm_simclock.h - the simulated clock shared by a run's bus and device models.
 *
 * Desktop only. Time is in nanoseconds, 64 bits, and only moves forward. It
 * advances only for bus bytes, chip-select edges, device latency and busy
 * periods, and the platform profile's CPU costs; nothing adds a guessed
 * per-page cost. One clock per simulated run.
 */
#ifndef VM_SIMCLOCK_H
#define VM_SIMCLOCK_H

#include <stdint.h>

struct vm_simclock {
    uint64_t ns;
};

static inline uint64_t vm_simclock_now(const struct vm_simclock *c) { return c->ns; }

static inline void vm_simclock_advance(struct vm_simclock *c, uint64_t ns) { c->ns += ns; }

/* Advance to t if t is in the future (waiting for a device, say). */
static inline void vm_simclock_until(struct vm_simclock *c, uint64_t t)
{
    if (t > c->ns) c->ns = t;
}

static inline uint32_t vm_simclock_millis(const struct vm_simclock *c)
{
    return (uint32_t)(c->ns / 1000000u);
}

/* Nanoseconds for `bits` bit times at `hz`, rounded up. */
static inline uint64_t vm_simclock_bits_ns(uint64_t bits, uint32_t hz)
{
    return (bits * 1000000000ull + hz - 1u) / hz;
}

#endif /* VM_SIMCLOCK_H */
