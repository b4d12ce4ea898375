/*
 * serial_figures - what the serial link costs, in simulated time.
 *
 *   serial_figures [--turnaround-us N] [--profile NAME [--baud N] [--pad N] [--avr]]
 *
 * --avr charges an ATmega328P's CPU time for the protocol on the clock (the
 * atmega328p platform profile's serial figures, measured by
 * tools/serial-avr-cycles.sh, as vmsim charges them).
 *
 * For each link profile and baud rate: the simulated time and throughput of
 * one 1 KiB page load and one 1 KiB write-back (one driver call each), and of
 * a sequential 128 KiB read and write through the real core pager, one
 * 1 KiB-page lock at a time (4 page buffers); throughput also as a fraction
 * of the wire limit (the most bytes per second the wire can carry). Last
 * column: the model's host CPU cost, as simulated link bytes (both ways,
 * frames included) per second of wall time over 2 MiB of sequential reads. Built, not installed; deterministic except that last column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm.h"
#include "vm_platform.h"
#include "vm_serial.h"
#include "vm_serial_host.h"
#include "vm_serial_dev.h"
#include "vm_serial_link.h"

#define POOL (128u * 1024u)
#define PAGE 1024u
#define PAGES 4u
#define CPU_PASSES 16u /* 2 MiB of simulated reads for the wall-clock column */

struct run {
    struct vm_simclock clock;
    struct vm_serial_link link;
    struct vm_serial_host *host;
    struct vm_serial_store store;
    struct vm_serial drv;
    uint8_t *pool;
};

static int run_open(struct run *r, const char *profile, uint32_t baud, uint32_t turn_ns,
                    uint8_t pad, int avr)
{
    struct vm_serial_link_config lc;
    struct vm_serial_host_config hc;
    struct vm_serial_config sc;
    memset(r, 0, sizeof *r);
    r->pool = calloc(1, POOL);
    if (r->pool == NULL) return -1;
    vm_serial_store_ram(&r->store, r->pool, POOL);
    memset(&lc, 0, sizeof lc);
    lc.clock = &r->clock;
    lc.profile = vm_serial_profile_find(profile);
    lc.baud = baud;
    lc.turnaround_ns = turn_ns;
    if (avr) lc.cpu = vm_serial_board_cpu_of(vm_platform_find("atmega328p"));
    if (lc.profile == NULL || vm_serial_link_init(&r->link, &lc) != VM_OK) return -1;
    memset(&hc, 0, sizeof hc);
    hc.store = &r->store.backend;
    hc.send = vm_serial_link_host_send;
    hc.send_ctx = &r->link;
    r->host = vm_serial_host_new(&hc);
    if (r->host == NULL) return -1;
    vm_serial_link_attach(&r->link, r->host);
    memset(&sc, 0, sizeof sc);
    sc.uart = &r->link.uart;
    sc.baud = r->link.profile.baud_ignored ? 0 : r->link.bit_rate;
    sc.pad = pad;
    if (vm_serial_init(&r->drv, &sc) != VM_OK || vm_serial_hello(&r->drv) != VM_OK) return -1;
    return 0;
}

static void run_close(struct run *r)
{
    vm_serial_host_free(r->host);
    vm_serial_link_free(&r->link);
    free(r->pool);
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double kib_s(double bytes, uint64_t ns)
{
    return ns ? bytes / 1024.0 / ((double)ns * 1e-9) : 0.0;
}

/* One sequential pass over the pool, one PAGE lock at a time: RO locks, or
 * WO locks that fill each page with its number. */
static int pool_pass(struct vm *vm, unsigned mode)
{
    vm_addr_t a;
    for (a = 0; a < POOL; a += PAGE) {
        struct vm_lock lk;
        if (vm_lock(vm, a, PAGE, mode, &lk) != VM_OK) return -1;
        if (mode == VM_LOCK_WO) memset(lk.ptr, (int)(a >> 10), lk.len);
        if (vm_unlock(vm, &lk) != VM_OK) return -1;
    }
    return 0;
}

/* A row's figures: simulated ns of a PAGE load and write-back (one driver
 * call each) and of a sequential read and write of the pool through the
 * pager; the model's own cost as simulated link bytes over wall seconds. */
struct figures {
    uint64_t load, wb, seqr, seqw;
    double sim_bytes, wall;
};

static int measure_calls(struct run *r, struct figures *f)
{
    static uint8_t page[PAGE];
    uint64_t t0 = vm_simclock_now(&r->clock);
    if (vm_serial_read(&r->drv, 0, page, PAGE) != VM_OK) return -1;
    f->load = vm_simclock_now(&r->clock) - t0;
    t0 = vm_simclock_now(&r->clock);
    if (vm_serial_write(&r->drv, 0, page, PAGE) != VM_OK) return -1;
    f->wb = vm_simclock_now(&r->clock) - t0;
    return 0;
}

static int measure_pager(struct run *r, struct figures *f)
{
    VM_STORAGE(static, pm, PAGE, PAGES);
    struct vm vm;
    struct vm_config vc = {.backend = &r->drv.backend, .page_size = PAGE, .page_count = PAGES,
                           .pages = pm_pages, .pages_size = sizeof pm_pages,
                           .slots = pm_slots, .slot_count = PAGES};
    uint64_t t0;
    double w0;
    unsigned pass;
    if (vm_init(&vm, &vc) != VM_OK) return -1;
    t0 = vm_simclock_now(&r->clock);
    if (pool_pass(&vm, VM_LOCK_RO) != 0) return -1;
    f->seqr = vm_simclock_now(&r->clock) - t0;
    if (vm_invalidate(&vm) != VM_OK) return -1;
    t0 = vm_simclock_now(&r->clock);
    if (pool_pass(&vm, VM_LOCK_WO) != 0 || vm_flush(&vm) != VM_OK) return -1;
    f->seqw = vm_simclock_now(&r->clock) - t0;
    if (r->pool[POOL - 1] != (uint8_t)((POOL - 1) >> 10)) return -1;

    /* The model's own cost: CPU_PASSES sequential read passes, wall clock. */
    w0 = wall_s();
    f->sim_bytes = (double)(r->link.stats.to_host + r->link.stats.to_board);
    for (pass = 0; pass < CPU_PASSES; pass++)
        if (vm_invalidate(&vm) != VM_OK || pool_pass(&vm, VM_LOCK_RO) != 0) return -1;
    f->wall = wall_s() - w0;
    f->sim_bytes = (double)(r->link.stats.to_host + r->link.stats.to_board) - f->sim_bytes;
    return 0;
}

static int row(const char *profile, uint32_t baud, uint32_t turn_ns, uint8_t pad, int avr)
{
    struct run r;
    struct figures f;
    double limit;
    char label[32];
    snprintf(label, sizeof label, pad ? "%s pad%u%s" : "%s%.0u%s", profile, (unsigned)pad,
             avr ? " avr" : "");
    if (run_open(&r, profile, baud, turn_ns, pad, avr) != 0) {
        fprintf(stderr, "serial_figures: cannot set up profile %s at %lu baud\n", profile,
                (unsigned long)baud);
        return -1;
    }
    limit = vm_serial_link_wire_limit(&r.link) / 1024.0;
    if (measure_calls(&r, &f) != 0 || measure_pager(&r, &f) != 0) {
        fprintf(stderr, "serial_figures: %s at %lu baud: a transfer failed\n", profile,
                (unsigned long)baud);
        run_close(&r);
        return -1;
    }
    printf("| %-19s | %8lu | %7.2f | %7.1f | %7.2f | %7.1f | %7.1f %5.1f%% | %7.1f %5.1f%% "
           "| %7.1f | %6.1f |\n",
           label, (unsigned long)r.link.bit_rate, (double)f.load / 1e6,
           kib_s(PAGE, f.load), (double)f.wb / 1e6, kib_s(PAGE, f.wb),
           kib_s(POOL, f.seqr), 100.0 * kib_s(POOL, f.seqr) / limit, kib_s(POOL, f.seqw),
           100.0 * kib_s(POOL, f.seqw) / limit, limit, f.wall > 0 ? f.sim_bytes / f.wall / 1e6 : 0.0);
    run_close(&r);
    return 0;
}

static int parse_u32(const char *opt, const char *s, uint32_t *v)
{
    char *end;
    unsigned long x = strtoul(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || x > 0xFFFFFFFFul) {
        fprintf(stderr, "serial_figures: option %s: '%s' is not a number\n", opt, s);
        return -1;
    }
    *v = (uint32_t)x;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *profile;
        uint32_t baud;
        uint8_t pad;
        uint8_t avr;
    } rows[] = {
        {"ftdi-16ms", 115200, 0, 0}, {"ftdi-16ms", 1000000, 0, 0},
        {"ftdi-1ms", 115200, 0, 0},  {"ftdi-1ms", 1000000, 0, 0},
        {"uno-8u2", 115200, 0, 0},   {"uno-8u2", 1000000, 0, 0},
        {"cdc", 0, 0, 0},
        /* requests padded to whole 62-byte FTDI packets (vm_serial_config.pad) */
        {"ftdi-16ms", 115200, 62, 0}, {"ftdi-16ms", 1000000, 62, 0},
        {"ftdi-1ms", 1000000, 62, 0},
        /* with an ATmega328P's CPU time for the protocol (its platform profile) */
        {"ftdi-1ms", 115200, 0, 1},  {"ftdi-1ms", 1000000, 0, 1},
        {"ftdi-16ms", 1000000, 62, 1},
    };
    uint32_t turn_us = 300, baud = 0, pad = 0;
    int avr = 0;
    const char *profile = NULL;
    int i, rc = 0;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: serial_figures [--turnaround-us N] [--profile NAME [--baud N] "
                   "[--pad N] [--avr]]\n"
                   "profiles: ftdi-16ms ftdi-1ms uno-8u2 cdc\n");
            return 0;
        } else if (i + 1 < argc && !strcmp(argv[i], "--turnaround-us")) {
            if (parse_u32(argv[i], argv[i + 1], &turn_us)) return 2;
            i++;
        } else if (!strcmp(argv[i], "--avr")) {
            avr = 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--pad")) {
            if (parse_u32(argv[i], argv[i + 1], &pad)) return 2;
            if (pad > 255) {
                fprintf(stderr, "serial_figures: option --pad: %lu is above 255\n",
                        (unsigned long)pad);
                return 2;
            }
            i++;
        } else if (i + 1 < argc && !strcmp(argv[i], "--baud")) {
            if (parse_u32(argv[i], argv[i + 1], &baud) || baud == 0) return 2;
            i++;
        } else if (i + 1 < argc && !strcmp(argv[i], "--profile")) {
            profile = argv[++i];
            if (vm_serial_profile_find(profile) == NULL) {
                fprintf(stderr, "serial_figures: option --profile: unknown profile '%s' "
                                "(ftdi-16ms, ftdi-1ms, uno-8u2, cdc)\n", profile);
                return 2;
            }
        } else {
            fprintf(stderr, "serial_figures: unknown or incomplete option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }
    printf("Serial link figures (simulated time; host turnaround %lu us; 1 KiB frames;\n"
           "sequential runs: 128 KiB through the core, 1 KiB pages x %u, one lock per page).\n\n",
           (unsigned long)turn_us, PAGES);
    printf("| profile             | bit rate | load ms | KiB/s   | wb ms   | KiB/s   | seq read KiB/s "
           "| seq write KiB/s | wire KiB/s | sim MB/wall s |\n");
    printf("|---------------------|---------:|--------:|--------:|--------:|--------:|---------------:"
           "|----------------:|-----------:|--------------:|\n");
    if (profile)
        return row(profile, baud, turn_us ? turn_us * 1000u : VM_SERIAL_LINK_NO_TURNAROUND,
                   (uint8_t)pad, avr) ? 1 : 0;
    for (i = 0; i < (int)(sizeof rows / sizeof rows[0]); i++)
        if (row(rows[i].profile, rows[i].baud,
                turn_us ? turn_us * 1000u : VM_SERIAL_LINK_NO_TURNAROUND, rows[i].pad,
                rows[i].avr) != 0)
            rc = 1;
    return rc;
}
