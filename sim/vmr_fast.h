/*
 * vmr_fast.h - the fast path of a backend stack: the pager's data in a plain
 * array (or nowhere, when the run never reads it back), each backend call's
 * simulated time priced on the byte-exact stack
 * once per (read or write, length) and charged from then on.
 *
 * Private to the replay engine (vmr_stack.c builds it when a run does not
 * ask for --exact and the device's `fast` hook allows it). The numbers a run reports are the
 * byte-exact stack's: tests/sim/test_fastcost.sh runs every scenario and a
 * vmbench sweep both ways and requires identical reports.
 */
#ifndef VMR_FAST_H
#define VMR_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "vmr_stack.h"

/* Make st the fast path over exact, an open byte-exact stack in heap memory
 * (a device may keep pointers into it) that st takes over: it prices calls
 * and is closed and freed with st. Calls that cross a multiple
 * of split bytes (0: none), or after a pause shorter than settle ns, are
 * priced at their address and moment each time. period (0: none): the
 * device's free-running timer or frame (vm_device.fast_period; settle is 0
 * then): a call is priced once per shape and phase against it. keep_data 0: the pool's
 * bytes are not kept (reads leave the buffer as it was), for a run that
 * never looks at them. 0, or -1 with a message (exact is then still the
 * caller's). */
int vmr_fast_open(struct vmr_stack *st, struct vmr_stack *exact, uint64_t split, uint64_t settle,
                  uint64_t period, uint64_t pool, int keep_data, char *err, size_t errlen);
void vmr_fast_close(struct vmr_stack *st);
/* Backend calls answered without the byte-exact stack: charged at a known
 * price, or (no clock) nothing to price. The rest were priced on it. */
uint64_t vmr_fast_calls(const struct vmr_stack *st);
/* The pager may call st's backend directly: its calls are counted as a
 * vm_wrap around it would count them (a vm_wrap without faults), after
 * before(ctx, VM_WRAP_READ/WRITE/SYNC) when before is not NULL. Returns the
 * counts, kept until st closes. */
struct vm_wrap_counts;
const struct vm_wrap_counts *vmr_fast_count(struct vmr_stack *st, void (*before)(void *ctx, int call),
                                            void *ctx);
/* The run's CPU, for vmr_fast_watch. */
struct vmr_fast_cpu {
    uint64_t *pager_cc;         /* the pager's CPU so far, 1/100 cycles */
    const uint64_t *program_cc; /* the program's, 1/100 cycles */
    const uint64_t *extra_ns;   /* the program's, given in ns */
    uint32_t hz;                /* the clock the cycles run at */
    uint32_t writeback_cc;      /* added to *pager_cc before each write call */
};
/* Instead of a hook that puts the run's CPU on the clock before each call:
 * the fast path reads the run's CPU counters itself, for the pause before a
 * call, and the run puts that CPU on the clock (vmr_stack_busy) whenever it
 * reads the clock. The same prices and times; no conversion of cycles to
 * ns for a pause known to be of settle or more. 0, or -1 when the stack
 * cannot (no clock, or a periodic device, whose price needs the clock
 * itself): the run keeps its hook then. */
int vmr_fast_watch(struct vmr_stack *st, const struct vmr_fast_cpu *cpu);
/* Time the run's calls spent moving bytes (as the exact stack counts it). */
uint64_t vmr_fast_transfer_ns(const struct vmr_stack *st);

#endif /* VMR_FAST_H */
