/*
 * vm_kernels - the loops users write (bench/vm_kernels.h), for per-access
 * cost measurement on the desktop.
 *
 *   vm_kernels KERNEL REPS [policy]   run one kernel REPS times
 *   vm_kernels --list                 kernel names and accesses per rep
 *   vm_kernels --check                run every kernel, verify the data
 *
 * bench/kernels.sh runs each kernel under callgrind at two REPS and divides
 * the difference in instructions by the difference in accesses, so setup and
 * exit cancel out. Geometry: 4 pages of 512 B over a 256 KiB vm_ram pool,
 * a 130048-byte buffer and a 2 KiB resident set (vm_kernels.h). Linked with
 * vm_kernels_vptr.cpp, the C++ loops of the vptr kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_kernels.h"
#include "vm_policy_arg.h"

static uint8_t *store;

int main(int argc, char **argv)
{
    unsigned k, policy = VM_DEFAULT_POLICY;
    unsigned long reps, r;
    char *end;

    store = malloc(POOL);
    if (!store) return 1;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: vm_kernels KERNEL REPS [policy] | --list | --check\n"
               "Per-access costs: bench/kernels.sh (callgrind, and simavr on AVR).\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--list")) {
        for (k = 0; k < NK; k++) printf("%s %lu\n", kernels[k].name, kernels[k].n);
        return 0;
    }
    if (!strcmp(argv[1], "--check")) {
        for (k = 0; k < NK; k++) {
            if (setup(store, VM_DEFAULT_POLICY)) return 1;
            if (kernels[k].prep) kernels[k].prep();
            kernels[k].run();
            kernels[k].run();
            if (failed || vm_flush(&vmk_vm)) {
                fprintf(stderr, "vm_kernels: %s failed\n", kernels[k].name);
                return 1;
            }
        }
        printf("%u kernels ran\n", (unsigned)NK);
        return 0;
    }
    for (k = 0; k < NK && strcmp(argv[1], kernels[k].name); k++) {}
    if (k == NK) {
        fprintf(stderr, "vm_kernels: unknown kernel '%s' (see --list)\n", argv[1]);
        return 2;
    }
    if (argc < 3 || (reps = strtoul(argv[2], &end, 10)) == 0 || *end) {
        fprintf(stderr, "vm_kernels: REPS must be a positive number\n");
        return 2;
    }
    if (argc > 3) policy = vm_policy_arg("vm_kernels", argv[3]);
    if (setup(store, policy)) {
        fprintf(stderr, "vm_kernels: setup failed\n");
        return 1;
    }
    if (kernels[k].prep) kernels[k].prep();
    for (r = 0; r < reps; r++) kernels[k].run();
    if (failed) {
        fprintf(stderr, "vm_kernels: pager error in %s\n", kernels[k].name);
        return 1;
    }
    free(store);
    return 0;
}
