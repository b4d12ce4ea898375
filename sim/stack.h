/*
 * stack.h - builds the backend stack of one run from its description: the
 * driver, its bus, the device model and the simulated clock they share.
 *
 * Private to the replay engine. A stack owns everything it allocates; the
 * pager sees only `backend`. `clock` is NULL for the ideal ram backend, whose
 * time is zero by definition.
 */
#ifndef VMR_STACK_H
#define VMR_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"
#include "vm_simclock.h"

struct vmr_stack {
    const struct vm_backend *backend; /* what the pager talks to */
    struct vm_simclock *clock;        /* NULL: no simulated time */
    uint32_t hit_ns, miss_ns;         /* platform profile: pager CPU per touch */
    void *state;                      /* private to stack.c */
    uint8_t type;                     /* enum vmr_backend_type */
    uint64_t t0;                      /* clock after set-up: a run's time 0 */
};

/* 0 on success; -1 with a message naming the setting otherwise. */
int vmr_stack_open(struct vmr_stack *st, const struct vmr_backend_desc *d,
                   uint64_t pool_size, char *err, size_t errlen);
void vmr_stack_close(struct vmr_stack *st);

/* Platform profiles: 1 known, 0 unknown, -1 cannot tell (none linked). */
int vmr_profile_check(const char *name);
/* The known profile names, comma-separated ("" when none are linked). */
const char *vmr_profile_list(void);

#endif /* VMR_STACK_H */
