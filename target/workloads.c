/*
 * workloads.c - the fidelity workloads: the loops users write, run by the
 * real pager over a real driver, each in a named phase.
 *
 * AVR (avr-gcc -Os, run under vmavr): the pager over the 23LC1024 driver
 * (-DWL_SRAM, CS on PB2), the SD driver (-DWL_SD, CS on PD4; -DWL_SD_FLAGS
 * picks the access mode) or the serial driver (-DWL_SERIAL, USART0), through
 * target/vmavr_board.h. vmavr counts the cycles of each phase.
 * Host (cc, linked with vmrec_wrap): the same loops over vm_ram, recorded
 * into a trace (argv[1]) with the same phase names, for vmsim to replay
 * through its models of the same devices. tests/fidelity compares the two.
 *
 * Pager: 4 pages of 64 bytes, default policy, over a 16 KiB pool. Phases:
 *   seq_w8, seq_r8        4 KiB written, then read, one vm_set8/vm_get8 a byte
 *   seq_wlock, seq_rlock  4 KiB in 32-byte write-only / read-only locks
 *   bench_W, bench_R, bench_W+lock, bench_R+lock
 *                         the original library's benchmark phases over a
 *                         2 KiB buffer, 2 reps each, locks of a page
 *   copy                  2 KiB copied a byte at a time between two arrays
 *   zipf                  1024 accesses (1 in 4 a write) to 64 blocks of
 *                         256 bytes, block rank Zipf-distributed (weights
 *                         1/k), from a 16-bit xorshift PRNG
 *   sensor                a ring of 64 32-byte records: 256 appended with
 *                         vm_write, the last 4 read back after every 16th
 *   flush                 vm_flush: every dirty page written back
 * Everything read is checked, with as little work inside the phases as the
 * check allows (vmsim charges the pager and the device, not the program's
 * own instructions); the program exits 1 on any error or mismatch and
 * prints one "key value" line per check otherwise. On the host, the ops
 * between phases (checks) go to a phase "(untimed)" that vmavr never sees.
 */
#include <stdint.h>
#include <string.h>

#include "vm.h"

#if defined(__AVR__)
#include <avr/pgmspace.h>
#include <stdio.h>

#include "vmavr_board.h"
#define PHASE(s) vmavr_phase(s)
#define PHASE_END() vmavr_phase_end()
#define SAY(...) printf_P(__VA_ARGS__)
#define S(s) PSTR(s)
#define QUIT(code) board_exit(code)
#else
#include <stdio.h>
#include <stdlib.h>

#include "vm_ram.h"
#include "vmrec.h"
static struct vmrec *rec;
#define PHASE(s) vmrec_phase(rec, s)
#define PHASE_END() vmrec_phase(rec, "(untimed)") /* vmavr times nothing here */
#define SAY(...) printf(__VA_ARGS__)
#define S(s) s
#define QUIT(code) exit(code)
#endif

#if defined(WL_SRAM)
#include "vm_sram.h"
#elif defined(WL_SD)
#include "vm_sd.h"
#ifndef WL_SD_FLAGS
#define WL_SD_FLAGS 0
#endif
#elif defined(WL_SERIAL)
#include "vm_serial.h"
#endif

#define POOL 16384u
#define PAGE 64u
#define PAGES 4u
#define SEQ 4096u
#define BENCH_BASE 8192u
#define BENCH 2048u
#define BENCH_REPS 2u
#define COPY_DST 12288u
#define ZIPF_OPS 1024u
#define ZIPF_BLOCKS 64u
#define RING_BASE 14336u
#define RECORD 32u
#define RING 64u
#define RECORDS 256u

VM_STORAGE(static, wl, PAGE, PAGES);
static struct vm vm;
static uint16_t failures;

static void fail(int e, uint16_t where)
{
    if (failures++ < 4) SAY(S("error %d at %u\n"), e, where);
}
#define CHECK(call, where) do { int e_ = (call); if (e_ != VM_OK) fail(e_, where); } while (0)

static void seq_bytes(void)
{
    vm_addr_t a;
    uint16_t sum = 0;
    PHASE("seq_w8");
    for (a = 0; a < SEQ; a++)
        CHECK(vm_set8(&vm, a, (uint8_t)a), 1);
    PHASE("seq_r8");
    for (a = 0; a < SEQ; a++) {
        uint8_t v = 0;
        CHECK(vm_get8(&vm, a, &v), 2);
        sum = (uint16_t)(sum + v);
    }
    PHASE_END();
    /* 16 times 0 + 1 + ... + 255 */
    SAY(S("seq_r8_sum %u\n"), sum);
    if (sum != (uint16_t)(SEQ / 256u * 32640ul)) failures++;
}

static void seq_locks(void)
{
    vm_addr_t a;
    uint16_t bad = 0;
    struct vm_lock lk;
    PHASE("seq_wlock");
    for (a = SEQ; a < 2u * SEQ; a += 32u) {
        uint8_t i, *p;
        CHECK(vm_lock(&vm, a, 32u, VM_LOCK_WO, &lk), 3);
        p = (uint8_t *)lk.ptr;
        for (i = 0; i < 32u; i++)
            p[i] = (uint8_t)(a + i);
        CHECK(vm_unlock(&vm, &lk), 4);
    }
    PHASE("seq_rlock");
    for (a = SEQ; a < 2u * SEQ; a += 32u) {
        uint8_t i;
        const uint8_t *p;
        CHECK(vm_lock(&vm, a, 32u, VM_LOCK_RO, &lk), 5);
        p = (const uint8_t *)lk.ptr;
        for (i = 0; i < 32u; i++)
            bad = (uint16_t)(bad + (p[i] != (uint8_t)(a + i)));
        CHECK(vm_unlock(&vm, &lk), 6);
    }
    PHASE_END();
    SAY(S("seq_rlock_bad %u\n"), bad);
    failures += bad;
}

/* The original library's benchmark: W, R, W+lock, R+lock over one buffer. */
static void bench(void)
{
    uint8_t rep;
    vm_addr_t i;
    uint16_t sum = 0;
    struct vm_lock lk;
    PHASE("bench_W");
    for (rep = 0; rep < BENCH_REPS; rep++)
        for (i = 0; i < BENCH; i++)
            CHECK(vm_set8(&vm, BENCH_BASE + i, (uint8_t)i), 7);
    PHASE("bench_R");
    for (rep = 0; rep < BENCH_REPS; rep++)
        for (i = 0; i < BENCH; i++) {
            uint8_t v = 0;
            CHECK(vm_get8(&vm, BENCH_BASE + i, &v), 8);
            sum = (uint16_t)(sum + v);
        }
    PHASE("bench_W+lock");
    for (rep = 0; rep < BENCH_REPS; rep++)
        for (i = 0; i < BENCH; i += PAGE) {
            uint8_t k, *p;
            CHECK(vm_lock(&vm, BENCH_BASE + i, PAGE, VM_LOCK_WO, &lk), 9);
            p = (uint8_t *)lk.ptr;
            for (k = 0; k < lk.len; k++)
                p[k] = (uint8_t)(i + k);
            CHECK(vm_unlock(&vm, &lk), 10);
        }
    PHASE("bench_R+lock");
    for (rep = 0; rep < BENCH_REPS; rep++)
        for (i = 0; i < BENCH; i += PAGE) {
            uint8_t k;
            const uint8_t *p;
            CHECK(vm_lock(&vm, BENCH_BASE + i, PAGE, VM_LOCK_RO, &lk), 11);
            p = (const uint8_t *)lk.ptr;
            for (k = 0; k < lk.len; k++)
                sum = (uint16_t)(sum + p[k]);
            CHECK(vm_unlock(&vm, &lk), 12);
        }
    PHASE_END();
    /* each byte i holds (uint8_t)i: 2 x 2 reps x 8 x (0 + ... + 255) */
    SAY(S("bench_sum %u\n"), sum);
    if (sum != (uint16_t)(2u * BENCH_REPS * (BENCH / 256u) * 32640ul)) failures++;
}

static void copy(void)
{
    vm_addr_t i;
    uint16_t bad = 0;
    PHASE("copy");
    for (i = 0; i < BENCH; i++) {
        uint8_t v = 0;
        CHECK(vm_get8(&vm, i, &v), 13);
        CHECK(vm_set8(&vm, COPY_DST + i, v), 14);
    }
    PHASE_END();
    for (i = 0; i < BENCH; i += 97u) {
        uint8_t v = 0;
        CHECK(vm_get8(&vm, COPY_DST + i, &v), 15);
        if (v != (uint8_t)i) bad++;
    }
    SAY(S("copy_bad %u\n"), bad);
    failures += bad;
}

static uint16_t rng = 0xACE1u;
static uint16_t xorshift16(void)
{
    rng ^= (uint16_t)(rng << 7);
    rng ^= (uint16_t)(rng >> 9);
    rng ^= (uint16_t)(rng << 8);
    return rng;
}

/* Zipf over ZIPF_BLOCKS ranks: cumulative weights 65535/k, scaled to 16 bits
 * once; rank r maps to block (r * 37) % ZIPF_BLOCKS so hot blocks spread. */
static void zipf(void)
{
    static uint16_t cdf[ZIPF_BLOCKS];
    uint32_t total = 0, acc = 0;
    uint16_t n, k, checksum = 0;
    for (k = 0; k < ZIPF_BLOCKS; k++)
        total += 65535ul / (k + 1u);
    for (k = 0; k < ZIPF_BLOCKS; k++) {
        acc += 65535ul / (k + 1u);
        cdf[k] = (uint16_t)((uint64_t)acc * 65535u / total); /* 64-bit: the same on every MCU */
    }
    PHASE("zipf");
    for (n = 0; n < ZIPF_OPS; n++) {
        uint16_t r = xorshift16(), off = xorshift16();
        vm_addr_t a;
        k = 0;
        while (k < ZIPF_BLOCKS - 1u && cdf[k] < r)
            k++;
        a = (vm_addr_t)((k * 37u) % ZIPF_BLOCKS) * 256u + (off & 255u);
        if ((off >> 8) % 4u == 0) {
            CHECK(vm_set8(&vm, a, (uint8_t)n), 16);
        } else {
            uint8_t v = 0;
            CHECK(vm_get8(&vm, a, &v), 17);
            checksum = (uint16_t)(checksum + v);
        }
    }
    PHASE_END();
    SAY(S("zipf_checksum %u\n"), checksum);
}

struct record {
    uint32_t seq;
    uint16_t sensor[12];
    uint32_t crc;
};

static uint32_t record_sum(const struct record *r)
{
    uint32_t s = r->seq;
    uint8_t i;
    for (i = 0; i < 12u; i++)
        s = s * 31u + r->sensor[i];
    return s;
}

static void sensor(void)
{
    uint32_t n;
    uint16_t bad = 0;
    struct record r;
    PHASE("sensor");
    for (n = 0; n < RECORDS; n++) {
        uint8_t i;
        r.seq = n;
        for (i = 0; i < 12u; i++)
            r.sensor[i] = (uint16_t)(n * 13u + i);
        r.crc = record_sum(&r);
        CHECK(vm_write(&vm, RING_BASE + (n % RING) * RECORD, &r, RECORD), 18);
        if (n % 16u == 15u) {
            uint32_t b;
            for (b = n - 3u; b <= n; b++) {
                CHECK(vm_read(&vm, &r, RING_BASE + (b % RING) * RECORD, RECORD), 19);
                if (r.seq != b || r.crc != record_sum(&r)) bad++;
            }
        }
    }
    PHASE("flush");
    CHECK(vm_flush(&vm), 20);
    PHASE_END();
    SAY(S("sensor_bad %u\n"), bad);
    failures += bad;
}

typedef char record_is_32_bytes[sizeof(struct record) == RECORD ? 1 : -1];

#if defined(__AVR__)
#if defined(WL_SRAM)
static struct vm_sram sram;
#elif defined(WL_SD)
static struct vm_sd sd;
#elif defined(WL_SERIAL)
static struct vm_serial ser;
#else
#error "build with -DWL_SRAM, -DWL_SD or -DWL_SERIAL"
#endif

/* The backend, set up before any phase (vmsim does not count this either). */
static const struct vm_backend *open_backend(void)
{
#if defined(WL_SRAM)
    struct vm_sram_config c;
    memset(&c, 0, sizeof c);
    c.spi = &board_spi;
    c.part = VM_SRAM_23LC1024;
    c.chips = 1;
    c.cs[0] = VMAVR_PIN('B', 2);
    vmavr_cs_init(c.cs[0]);
    if (vm_sram_begin(&sram, &c) != VM_OK) return 0;
    return vm_sram_backend(&sram);
#elif defined(WL_SD)
    struct vm_sd_config c;
    memset(&c, 0, sizeof c);
    c.spi = &board_spi;
    c.cs = VMAVR_PIN('D', 4);
    c.block_count = POOL / 512u;
    c.flags = WL_SD_FLAGS;
    vmavr_cs_init(c.cs);
    if (vm_sd_begin(&sd, &c) != VM_OK) return 0;
    return vm_sd_backend(&sd);
#else
    struct vm_serial_config c;
    memset(&c, 0, sizeof c);
    c.uart = &board_uart;
    c.max_data = PAGE;
    if (vm_serial_init(&ser, &c) != VM_OK || vm_serial_hello(&ser) != VM_OK) return 0;
    return &ser.backend;
#endif
}
#endif

int main(int argc, char **argv)
{
    struct vm_config cfg;
    const struct vm_backend *be;
#if defined(__AVR__)
    (void)argc;
    (void)argv;
    board_init(115200);
    be = open_backend();
    if (!be) {
        SAY(S("backend set-up failed\n"));
        QUIT(1);
    }
#else
    static uint8_t mem[POOL];
    static struct vm_ram ram;
    char err[200];
    if (argc != 2) {
        fprintf(stderr, "usage: workloads TRACE.vmt  (records the workloads' trace)\n");
        return 2;
    }
    vm_ram_init(&ram, mem, POOL);
    be = &ram.backend;
#endif
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = be;
    cfg.pool_size = POOL;
    cfg.page_size = PAGE;
    cfg.page_count = PAGES;
    cfg.pages = wl_pages;
    cfg.pages_size = sizeof wl_pages;
    cfg.slots = wl_slots;
    cfg.slot_count = PAGES;
    if (vm_init(&vm, &cfg) != VM_OK) {
        SAY(S("vm_init failed\n"));
        QUIT(1);
    }
#if !defined(__AVR__)
    rec = vmrec_open(argv[1], NULL, &vm, 0, err, sizeof err);
    if (!rec) {
        fprintf(stderr, "workloads: %s\n", err);
        return 2;
    }
    vmrec_attach(rec, &vm);
#endif
    seq_bytes();
    seq_locks();
    bench();
    copy();
    zipf();
    sensor();
#if !defined(__AVR__)
    if (vmrec_close(rec, err, sizeof err) != 0) {
        fprintf(stderr, "workloads: %s\n", err);
        return 2;
    }
#endif
    SAY(S("failures %u\n"), failures);
    QUIT(failures ? 1 : 0);
    return 0;
}
