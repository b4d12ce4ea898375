/*
 * vm_micro - the core's per-access costs and its bus traffic, for regressions.
 *
 *   vm_micro LOOP N [policy] [page_size] [page_count]
 *       runs one access loop N times on the RAM backend; run it under
 *       `valgrind --tool=callgrind` at two N and divide the difference
 *       (bench/micro.sh does that and prints the table).
 *   vm_micro traffic [--json]
 *       replays the original library's benchmark workload (github.com/rhelmus/virtmem benchmark/benchmark.h:
 *       Teensy settings, 4 x 1024-byte pages, a 130048-byte buffer from the
 *       allocator, 5 repetitions of phases W, R, W+lock, R+lock, each ended
 *       by an invalidate) and prints backend bytes against the minimum.
 *
 * Loops: get8 set8 get32 set32 (hits on one resident page), lockread and
 * lockwrite (sequential, one page per lock, misses included), miss (a read
 * of a new page every access, a page of 4 evicted each time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_policy_arg.h"
#include "vm_ram.h"

#define MAX_POOL (8u << 20)

static uint8_t *store;
static struct vm vm;
static struct vm_ram ram;
static uint32_t page_buf[16 * 4096 / 4];
static struct vm_slot slots[16];
static struct vm_block heap[16];

static int setup(unsigned policy, unsigned ps, unsigned pc, vm_addr_t pool)
{
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    store = calloc(pool, 1);
    if (!store) return -1;
    vm_ram_init(&ram, store, pool);
    cfg.backend = &ram.backend;
    cfg.page_size = (uint16_t)ps;
    cfg.page_count = (vm_slot_t)pc;
    cfg.policy = (uint8_t)policy;
    cfg.pages = page_buf;
    cfg.pages_size = sizeof page_buf;
    cfg.slots = slots;
    cfg.slot_count = 16;
    cfg.heap = heap;
    cfg.heap_blocks = 16;
    return vm_init(&vm, &cfg);
}

/* Keep results observable so the loops are not optimised away. */
static volatile uint32_t sink;

static int loop(const char *kind, unsigned long n, unsigned ps)
{
    unsigned long i;
    uint32_t sum = 0;
    uint8_t b8;
    uint32_t b32;
    struct vm_lock lk;

    /* Make page 0 resident, dirty and hot, so the hit loops hit. */
    if (vm_set8(&vm, 0, 1) || vm_get8(&vm, 0, &b8) || vm_set8(&vm, 0, 1)) return -1;
    if (!strcmp(kind, "get8")) {
        for (i = 0; i < n; i++) {
            vm_get8(&vm, (vm_addr_t)(i & (ps - 1u)), &b8);
            sum += b8;
        }
    } else if (!strcmp(kind, "set8")) {
        for (i = 0; i < n; i++) vm_set8(&vm, (vm_addr_t)(i & (ps - 1u)), (uint8_t)i);
    } else if (!strcmp(kind, "get32")) {
        for (i = 0; i < n; i++) {
            vm_get32(&vm, (vm_addr_t)(i & (ps - 4u)), &b32);
            sum += b32;
        }
    } else if (!strcmp(kind, "set32")) {
        for (i = 0; i < n; i++) vm_set32(&vm, (vm_addr_t)(i & (ps - 4u)), (uint32_t)i);
    } else if (!strcmp(kind, "lockread") || !strcmp(kind, "lockwrite")) {
        /* n bytes, sequentially, one page per lock; the pool wraps. */
        int wr = kind[4] == 'w';
        vm_addr_t a = 0, pool = vm_pool_size(&vm);
        for (i = 0; i < n; i += ps) {
            unsigned j;
            if (vm_lock(&vm, a, ps, wr ? VM_LOCK_WO : VM_LOCK_RO, &lk)) return -1;
            if (wr)
                for (j = 0; j < ps; j++) ((uint8_t *)lk.ptr)[j] = (uint8_t)j;
            else
                for (j = 0; j < ps; j++) sum += ((const uint8_t *)lk.ptr)[j];
            vm_unlock(&vm, &lk);
            a = (a + ps) % pool;
        }
    } else if (!strcmp(kind, "miss")) {
        vm_addr_t pool = vm_pool_size(&vm);
        for (i = 0; i < n; i++) {
            vm_get8(&vm, (vm_addr_t)((i * ps) % pool), &b8);
            sum += b8;
        }
    } else {
        fprintf(stderr, "vm_micro: unknown loop '%s'\n", kind);
        exit(2);
    }
    sink = sum;
    return 0;
}

/* ------------------------------------------------------------------------
 * policies: the measurement behind VM_DEFAULT_POLICY. Six synthetic
 * workloads over a 256 KiB pool with 8 x 256-byte pages (2 KiB of RAM, a
 * typical small-board budget), 400000 accesses each, 30% writes, a fixed
 * seed. Reports misses and backend bytes per policy, with and without
 * VM_CLEAN_FIRST, and each policy's mean miss count relative to the best.
 * ------------------------------------------------------------------------ */
static uint32_t rng_state;
static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

#define WL_COUNT 6
static const char *wl_names[WL_COUNT] = {"skewed", "loop-12", "hot+scan", "shifting", "uniform-32", "sequential"};

static vm_addr_t wl_addr(unsigned w, unsigned long i, vm_addr_t pool)
{
    const vm_addr_t ps = 256;
    switch (w) {
    case 0: { /* skewed: page = 64 * u^3 */
        uint32_t u = rnd() % 1024u;
        return (vm_addr_t)(((uint64_t)u * u * u * 64u) >> 30) * ps + rnd() % ps;
    }
    case 1: return (vm_addr_t)((i / 16u) % 12u) * ps + (vm_addr_t)(i % 16u) * 16u; /* cyclic over 12 pages */
    case 2: return rnd() % 10u < 8u ? (rnd() % (4u * ps)) : (vm_addr_t)((i * 8u) % pool); /* hot set + scan */
    case 3: return (vm_addr_t)(((i / 20000u) * 3u + rnd() % 6u) % 1024u) * ps + rnd() % ps; /* moving window */
    case 4: return (rnd() % 32u) * ps + rnd() % ps;
    default: return (vm_addr_t)(i * 4u) % pool;
    }
}

static int policies(void)
{
    const unsigned long n = 400000;
    const vm_addr_t pool = 256u * 1024u;
    unsigned w, p, cf;
    double rel[VM_POLICY_COUNT][2], relb[VM_POLICY_COUNT][2];
    vm_count_t misses[WL_COUNT][VM_POLICY_COUNT][2], bytes[WL_COUNT][VM_POLICY_COUNT][2];

    memset(rel, 0, sizeof rel);
    memset(relb, 0, sizeof relb);
    for (w = 0; w < WL_COUNT; w++)
        for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
            for (cf = 0; cf < 2; cf++) {
                struct vm_config cfg;
                unsigned long i;
                free(store);
                if (setup(p, 256, 8, pool)) return -1;
                /* Re-init with the flag (setup leaves flags 0). */
                memset(&cfg, 0, sizeof cfg);
                cfg.backend = &ram.backend;
                cfg.page_size = 256;
                cfg.page_count = 8;
                cfg.policy = (uint8_t)p;
                cfg.flags = cf ? VM_CLEAN_FIRST : 0;
                cfg.pages = page_buf;
                cfg.pages_size = sizeof page_buf;
                cfg.slots = slots;
                cfg.slot_count = 16;
                if (vm_init(&vm, &cfg)) return -1;
                rng_state = 12345u + w;
                for (i = 0; i < n; i++) {
                    vm_addr_t a = wl_addr(w, i, pool) % pool;
                    uint8_t v;
                    if (rnd() % 10u < 3u) {
                        if (vm_set8(&vm, a, (uint8_t)i)) return -1;
                    } else if (vm_get8(&vm, a, &v)) {
                        return -1;
                    }
                }
                if (vm_flush(&vm)) return -1;
                misses[w][p][cf] = vm_stats(&vm)->misses;
                bytes[w][p][cf] = vm_stats(&vm)->bytes_read + vm_stats(&vm)->bytes_written;
            }
    printf("Policy comparison: 8 x 256 B pages, 256 KiB pool, 400000 accesses (30%% writes) per workload\n");
    printf("%-11s", "workload");
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++) printf(" %9s %9s", vm_policy_name(p), "+clean");
    printf("   (misses; backend KiB below)\n");
    for (w = 0; w < WL_COUNT; w++) {
        vm_count_t best = (vm_count_t)-1, bestb = (vm_count_t)-1;
        for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
            for (cf = 0; cf < 2; cf++) {
                if (misses[w][p][cf] < best) best = misses[w][p][cf];
                if (bytes[w][p][cf] < bestb) bestb = bytes[w][p][cf];
            }
        printf("%-11s", wl_names[w]);
        for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
            for (cf = 0; cf < 2; cf++) {
                printf(" %9llu", (unsigned long long)misses[w][p][cf]);
                rel[p][cf] += (double)misses[w][p][cf] / (double)(best ? best : 1) / WL_COUNT;
            }
        printf("\n%-11s", "");
        for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
            for (cf = 0; cf < 2; cf++) {
                printf(" %9llu", (unsigned long long)(bytes[w][p][cf] / 1024u));
                relb[p][cf] += (double)bytes[w][p][cf] / (double)(bestb ? bestb : 1) / WL_COUNT;
            }
        printf("\n");
    }
    printf("%-11s", "misses/best");
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
        for (cf = 0; cf < 2; cf++) printf(" %9.3f", rel[p][cf]);
    printf("\n%-11s", "bytes/best");
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++)
        for (cf = 0; cf < 2; cf++) printf(" %9.3f", relb[p][cf]);
    printf("   (mean over workloads; 1.000 = best on every one)\n");
    return 0;
}

/* The original's benchmark (github.com/rhelmus/virtmem benchmark/benchmark.h) with our API. */
static int traffic(int json)
{
    const vm_addr_t N = 130048u;
    const unsigned reps = 5, ps = 1024;
    vm_count_t rd[4], wr[4], min[4];
    static const char *names[4] = {"W", "R", "W+lock", "R+lock"};
    vm_count_t trd = 0, twr = 0, tmin = 0;
    vm_addr_t buf, j;
    unsigned ph, r;
    struct vm_lock lk;

    if (setup(VM_DEFAULT_POLICY, ps, 4, 1u << 20)) return -1;
    buf = vm_alloc(&vm, N);
    if (!buf) return -1;
    for (ph = 0; ph < 4; ph++) {
        vm_stats_reset(&vm);
        for (r = 0; r < reps; r++) {
            if (ph == 0) {
                for (j = 0; j < N; j++)
                    if (vm_set8(&vm, buf + j, (uint8_t)j)) return -1;
            } else if (ph == 1) {
                for (j = 0; j < N; j++) {
                    uint8_t v;
                    if (vm_get8(&vm, buf + j, &v) || v != (uint8_t)j) return -1;
                }
            } else {
                for (j = 0; j < N;) {
                    size_t k, len = N - j < ps ? N - j : ps;
                    if (vm_lock(&vm, buf + j, len, ph == 2 ? VM_LOCK_WO : VM_LOCK_RO, &lk)) return -1;
                    for (k = 0; k < lk.len; k++) {
                        if (ph == 2) ((uint8_t *)lk.ptr)[k] = (uint8_t)(j + k);
                        else if (((uint8_t *)lk.ptr)[k] != (uint8_t)(j + k)) return -1;
                    }
                    j += (vm_addr_t)lk.len;
                    if (vm_unlock(&vm, &lk)) return -1;
                }
            }
        }
        if (vm_invalidate(&vm)) return -1; /* clearPages(), inside the phase */
        rd[ph] = vm_stats(&vm)->bytes_read;
        wr[ph] = vm_stats(&vm)->bytes_written;
        min[ph] = (vm_count_t)N * reps;
        trd += rd[ph];
        twr += wr[ph];
        tmin += min[ph];
    }
    if (json) {
        printf("{\"workload\":\"virtmem benchmark\",\"buffer\":%lu,\"reps\":%u,\"page_size\":%u,"
               "\"page_count\":4,\"phases\":[",
               (unsigned long)N, reps, ps);
        for (ph = 0; ph < 4; ph++)
            printf("%s{\"phase\":\"%s\",\"bytes_read\":%llu,\"bytes_written\":%llu,\"minimum\":%llu}",
                   ph ? "," : "", names[ph], (unsigned long long)rd[ph], (unsigned long long)wr[ph],
                   (unsigned long long)min[ph]);
        printf("],\"total\":%llu,\"minimum\":%llu,\"ratio\":%.4f}\n", (unsigned long long)(trd + twr),
               (unsigned long long)tmin, (double)(trd + twr) / (double)tmin);
        return 0;
    }
    printf("The original library's benchmark (130048-byte buffer at 0x%lx, 5 reps, 4 x 1024 B pages, %s)\n",
           (unsigned long)buf, vm_policy_name(VM_DEFAULT_POLICY));
    printf("%-8s %12s %12s %12s %8s\n", "phase", "bytes read", "bytes written", "minimum", "ratio");
    for (ph = 0; ph < 4; ph++)
        printf("%-8s %12llu %12llu %12llu %8.4f\n", names[ph], (unsigned long long)rd[ph],
               (unsigned long long)wr[ph], (unsigned long long)min[ph],
               (double)(rd[ph] + wr[ph]) / (double)min[ph]);
    printf("%-8s %12llu %12llu %12llu %8.4f   (original: about 1.46)\n", "total", (unsigned long long)trd,
           (unsigned long long)twr, (unsigned long long)tmin, (double)(trd + twr) / (double)tmin);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long n;
    unsigned policy = VM_DEFAULT_POLICY, ps = 1024, pc = 4;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: vm_micro LOOP N [policy] [page_size] [page_count]\n"
               "       vm_micro traffic [--json]\n"
               "       vm_micro policies\n"
               "LOOP: get8 set8 get32 set32 lockread lockwrite miss\n"
               "Per-access instruction counts: bench/micro.sh (callgrind).\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "policies")) return policies() ? 1 : 0;
    if (!strcmp(argv[1], "traffic")) {
        if (traffic(argc > 2 && !strcmp(argv[2], "--json"))) {
            fprintf(stderr, "vm_micro: traffic run failed\n");
            return 1;
        }
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "vm_micro: missing N\n");
        return 2;
    }
    n = strtoul(argv[2], NULL, 10);
    if (argc > 3) policy = vm_policy_arg("vm_micro", argv[3]);
    if (argc > 4) ps = (unsigned)strtoul(argv[4], NULL, 10);
    if (argc > 5) pc = (unsigned)strtoul(argv[5], NULL, 10);
    if (setup(policy, ps, pc, MAX_POOL)) {
        fprintf(stderr, "vm_micro: bad geometry (page size %u, count %u)\n", ps, pc);
        return 2;
    }
    if (loop(argv[1], n, ps)) {
        fprintf(stderr, "vm_micro: pager error\n");
        return 1;
    }
    free(store);
    return 0;
}
