/*
 * vm_policy_arg.h - a replacement policy named on the command line of the
 * callgrind benchmark programs (vm_micro, vm_kernels). Header only.
 */
#ifndef VM_POLICY_ARG_H
#define VM_POLICY_ARG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

/* The policy called s (as vm_policy_name spells it); otherwise exit 2 with
 * a message naming prog and the choices. */
static inline unsigned vm_policy_arg(const char *prog, const char *s)
{
    unsigned p;
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
        if (!strcmp(s, vm_policy_name(p))) return p;
    fprintf(stderr, "%s: unknown policy '%s' (fifo, lru, clock, sieve)\n", prog, s);
    exit(2);
}

#endif
