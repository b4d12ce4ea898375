/*
 * spi_figures.c - simulated cost of the SPI backends under the real core.
 *
 * For each backend (23LC1024 SRAM, SD "typical", SD "slow-worn") and
 * platform profile (atmega328p, teensy32) it measures, on the simulated
 * clock (so the numbers are the same on every host and every run):
 *   load   a 1 KiB page load (a VM_LOCK_RO miss), mean of 16 random pages;
 *   wb     a 1 KiB write-back (VM_LOCK_WO, unlock, vm_flush), mean of 16;
 *   seq-r  a sequential 128 KiB read through one-page RO locks;
 *   seq-w  a sequential 128 KiB write through one-page WO locks + vm_flush;
 * as time, KiB/s, and a fraction of the wire limit (SCK / 8 bytes per s).
 * "host" is the models' host CPU cost: simulated bus bytes per second of
 * process CPU time (the row's passes are repeated for at least 0.1 s). Page size 1 KiB, 4 pages, default policy.
 * Drivers ask for their part's maximum clock (SRAM 20 MHz, SD 25 MHz) and
 * the platform gives what its divider allows.
 *
 * Usage: spi_figures [seed]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm.h"
#include "vm_sd.h"
#include "vm_sd_model.h"
#include "vm_simbus.h"
#include "vm_sram.h"
#include "vm_rng.h"
#include "vm_sram_model.h"

#define PAGE 1024u
#define PAGES 4u
#define POOL (128u * 1024u)
#define SAMPLES 16u
#define HOST_S 0.1 /* CPU seconds per row for the host-cost figure */

struct row {
    const char *backend;
    const char *platform;
    uint32_t sck;
    double load_ns, wb_ns, seqr_ns, seqw_ns;
    uint64_t bus_bytes;
    double wall_s;
};

/* Process CPU time: the host cost of the models, not of other processes. */
static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s)
{
    return vm_rng_lcg64(s) >> 33;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "spi_figures: %s failed: %d\n", what, err);
    exit(1);
}

/* The four measurements through the core on a ready backend. */
static void measure(struct row *row, const struct vm_backend *be, struct vm_simclock *clk,
                    uint64_t seed)
{
    static uint32_t pages[PAGE * PAGES / 4u];
    static struct vm_slot slots[PAGES];
    struct vm vm;
    struct vm_config cfg = {.backend = be, .pool_size = POOL, .page_size = PAGE, .page_count = PAGES,
                            .pages = pages, .pages_size = sizeof pages,
                            .slots = slots, .slot_count = PAGES};
    struct vm_lock lk;
    uint64_t t0, s = seed;
    unsigned i;
    vm_addr_t a;
    int err;

    if ((err = vm_init(&vm, &cfg)) != VM_OK) die("vm_init", err);

    /* page loads: random pages, evicting clean pages only */
    for (i = 0; i < SAMPLES; i++) {
        a = (vm_addr_t)(rnd(&s) % (POOL / PAGE)) * PAGE;
        if ((err = vm_invalidate(&vm)) != VM_OK) die("vm_invalidate", err);
        {
            uint64_t t = clk->ns;
            if ((err = vm_lock(&vm, a, PAGE, VM_LOCK_RO, &lk)) != VM_OK) die("load", err);
            row->load_ns += (double)(clk->ns - t);
        }
        vm_unlock(&vm, &lk);
    }
    row->load_ns /= SAMPLES;

    /* write-backs: one dirty page, flushed */
    for (i = 0; i < SAMPLES; i++) {
        uint64_t t;
        a = (vm_addr_t)(rnd(&s) % (POOL / PAGE)) * PAGE;
        if ((err = vm_lock(&vm, a, PAGE, VM_LOCK_WO, &lk)) != VM_OK) die("lock wo", err);
        memset(lk.ptr, (int)i, PAGE);
        vm_unlock(&vm, &lk);
        t = clk->ns;
        if ((err = vm_flush(&vm)) != VM_OK) die("write-back", err);
        row->wb_ns += (double)(clk->ns - t);
    }
    row->wb_ns /= SAMPLES;

    /* sequential read, 128 KiB */
    if ((err = vm_invalidate(&vm)) != VM_OK) die("vm_invalidate", err);
    t0 = clk->ns;
    for (a = 0; a < POOL; a += PAGE) {
        if ((err = vm_lock(&vm, a, PAGE, VM_LOCK_RO, &lk)) != VM_OK) die("seq read", err);
        vm_unlock(&vm, &lk);
    }
    row->seqr_ns = (double)(clk->ns - t0);

    /* sequential write, 128 KiB, then flush */
    if ((err = vm_invalidate(&vm)) != VM_OK) die("vm_invalidate", err);
    t0 = clk->ns;
    for (a = 0; a < POOL; a += PAGE) {
        if ((err = vm_lock(&vm, a, PAGE, VM_LOCK_WO, &lk)) != VM_OK) die("seq write", err);
        memset(lk.ptr, (int)(a >> 10), PAGE);
        vm_unlock(&vm, &lk);
    }
    if ((err = vm_flush(&vm)) != VM_OK) die("seq flush", err);
    row->seqw_ns = (double)(clk->ns - t0);
}

/* measure on a ready stack, then more passes, for the host figure only,
 * until HOST_S seconds of wall time since w0. */
static void measure_stack(struct row *row, const struct vm_backend *be, struct vm_simbus *bus,
                          uint64_t seed, double w0)
{
    vm_simbus_reset_counters(bus);
    row->sck = bus->sck_hz;
    measure(row, be, bus->clock, seed);
    while (wall() - w0 < HOST_S) {
        struct row scratch;
        memset(&scratch, 0, sizeof scratch);
        measure(&scratch, be, bus->clock, seed);
    }
    row->bus_bytes = bus->bytes;
    row->wall_s = wall() - w0;
}

static void run_sram(struct row *row, const struct vm_platform *p, uint64_t seed)
{
    struct vm_simclock clk = {0};
    struct vm_simbus bus;
    struct vm_sram_model chip;
    struct vm_spi_model m;
    struct vm_sram sr;
    struct vm_sram_config cfg;
    double w0 = wall();
    int err;
    vm_simbus_init(&bus, &clk, p);
    if (vm_sram_model_init(&chip, VM_SRAM_23LC1024, 0xFF) != 0) die("sram model", -1);
    m = vm_sram_model_spi(&chip);
    vm_simbus_attach(&bus, 0, &m);
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &bus.spi;
    cfg.part = VM_SRAM_23LC1024;
    cfg.chips = 1;
    if ((err = vm_sram_begin(&sr, &cfg)) != VM_OK) die("vm_sram_begin", err);
    measure_stack(row, vm_sram_backend(&sr), &bus, seed, w0);
    vm_sram_model_free(&chip);
}

static void run_sd(struct row *row, const struct vm_platform *p, const char *prof, uint64_t seed)
{
    struct vm_simclock clk = {0};
    struct vm_simbus bus;
    struct vm_sd_model card;
    struct vm_spi_model m;
    static struct vm_sd sd;
    struct vm_sd_config cfg;
    double w0 = wall();
    int err;
    vm_simbus_init(&bus, &clk, p);
    if (vm_sd_model_init(&card, VM_SD_TYPE_SDHC, 1024, vm_sd_profile_find(prof), seed) != 0)
        die("sd model", -1);
    m = vm_sd_model_spi(&card);
    vm_simbus_attach(&bus, 0, &m);
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &bus.spi;
    cfg.first_block = 64;
    cfg.block_count = POOL / 512u;
    if ((err = vm_sd_begin(&sd, &cfg)) != VM_OK) die("vm_sd_begin", err);
    measure_stack(row, vm_sd_backend(&sd), &bus, seed, w0);
    if (card.violations) die("sd protocol (violations)", (int)card.violations);
    vm_sd_model_free(&card);
}

static double kibs(double bytes, double ns)
{
    return ns > 0 ? bytes / 1024.0 / (ns * 1e-9) : 0;
}

int main(int argc, char **argv)
{
    static const char *plats[] = {"atmega328p", "teensy32"};
    static const char *backends[] = {"sram", "sd-typical", "sd-slow-worn"};
    uint64_t seed = 1;
    unsigned b, p;
    if (argc > 1) {
        char *end;
        seed = strtoull(argv[1], &end, 0);
        if (*end != '\0') {
            fprintf(stderr, "spi_figures: argument 1 (seed) must be a number, got '%s'\n",
                    argv[1]);
            return 2;
        }
    }
    printf("page %u B x %u, pool %u KiB, seed %llu; times are simulated\n", PAGE, PAGES,
           POOL / 1024u, (unsigned long long)seed);
    printf("%-13s %-10s %5s %8s | %9s %8s | %9s %8s | %8s %5s | %8s %5s | %7s\n", "backend",
           "platform", "SCK", "wire", "load 1K", "KiB/s", "wb 1K", "KiB/s", "seq-r", "wire",
           "seq-w", "wire", "host");
    printf("%-13s %-10s %5s %8s | %9s %8s | %9s %8s | %8s %5s | %8s %5s | %7s\n", "", "",
           "MHz", "KiB/s", "us", "", "us", "", "KiB/s", "%", "KiB/s", "%", "MB/s");
    for (b = 0; b < 3; b++) {
        for (p = 0; p < 2; p++) {
            struct row row;
            double wire;
            memset(&row, 0, sizeof row);
            row.backend = backends[b];
            row.platform = plats[p];
            if (b == 0)
                run_sram(&row, vm_platform_find(plats[p]), seed);
            else
                run_sd(&row, vm_platform_find(plats[p]), b == 1 ? "typical" : "slow-worn", seed);
            wire = row.sck / 8.0 / 1024.0;
            printf("%-13s %-10s %5.1f %8.0f | %9.1f %8.0f | %9.1f %8.0f | %8.0f %5.1f | %8.0f %5.1f "
                   "| %7.1f\n",
                   row.backend, row.platform, row.sck / 1e6, wire, row.load_ns / 1e3,
                   kibs(PAGE, row.load_ns), row.wb_ns / 1e3, kibs(PAGE, row.wb_ns),
                   kibs(POOL, row.seqr_ns), 100.0 * kibs(POOL, row.seqr_ns) / wire,
                   kibs(POOL, row.seqw_ns), 100.0 * kibs(POOL, row.seqw_ns) / wire,
                   row.wall_s > 0 ? row.bus_bytes / row.wall_s / 1e6 : 0);
        }
    }
    return 0;
}
