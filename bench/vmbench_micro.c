/*
 * vmbench_micro.c - `vmbench micro`: wall-clock cost of the core's hit and
 * miss paths per policy (see vmbench.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vm_ram.h"
#include "vmbench.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Wall-clock cost of the core's hit and miss paths per policy, measured
 * side by side in one process (median of 5). Instruction counts, which do
 * not depend on the machine's load, come from bench/micro.sh (callgrind). */
int vmb_micro(void)
{
    static uint8_t store[1u << 20];
    static uint32_t pages[16 * 256 / 4];
    static struct vm_slot slots[16];
    unsigned p;
    printf("%-7s %14s %14s %14s\n", "policy", "hit get8 (ns)", "hit set8 (ns)", "miss 64 B (ns)");
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++) {
        double med[3];
        int k;
        for (k = 0; k < 3; k++) {
            double s[5];
            int r;
            for (r = 0; r < 5; r++) {
                struct vm vm;
                struct vm_ram ram;
                struct vm_config cfg;
                const unsigned long n = k == 2 ? 200000ul : 5000000ul;
                unsigned long i;
                volatile uint32_t sink = 0;
                uint8_t v;
                double t0;
                memset(&cfg, 0, sizeof cfg);
                vm_ram_init(&ram, store, sizeof store);
                cfg.backend = &ram.backend;
                cfg.page_size = 64;
                cfg.page_count = 4;
                cfg.policy = (uint8_t)p;
                cfg.pages = pages;
                cfg.pages_size = sizeof pages;
                cfg.slots = slots;
                cfg.slot_count = 16;
                if (vm_init(&vm, &cfg)) return EXIT_FAIL;
                vm_set8(&vm, 0, 1);
                vm_get8(&vm, 0, &v);
                vm_set8(&vm, 0, 1);
                t0 = now_s();
                if (k == 0)
                    for (i = 0; i < n; i++) {
                        vm_get8(&vm, (vm_addr_t)(i & 63u), &v);
                        sink += v;
                    }
                else if (k == 1)
                    for (i = 0; i < n; i++) vm_set8(&vm, (vm_addr_t)(i & 63u), (uint8_t)i);
                else
                    for (i = 0; i < n; i++) {
                        vm_get8(&vm, (vm_addr_t)((i * 64u) % sizeof store), &v);
                        sink += v;
                    }
                s[r] = (now_s() - t0) * 1e9 / (double)n;
            }
            for (r = 1; r < 5; r++) {
                double x = s[r];
                int q = r;
                while (q > 0 && s[q - 1] > x) {
                    s[q] = s[q - 1];
                    q--;
                }
                s[q] = x;
            }
            med[k] = s[2];
        }
        printf("%-7s %14.2f %14.2f %14.2f\n", vm_policy_name(p), med[0], med[1], med[2]);
    }
    printf("(wall clock on this machine, median of 5; instruction counts: bench/micro.sh BUILD_DIR)\n");
    return 0;
}

