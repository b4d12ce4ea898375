/*
 * test_serial_link.c - the board driver against the host through the
 * modelled link, alone and under the real core pager: every profile, frame
 * splitting, the model's latency, a randomised workload checked against a
 * reference array, the same under injected faults (every operation ends
 * correct or with a reported error, never silently wrong; the link recovers
 * when faults stop), a lost ACK, a gone host, a restarted host, and
 * timeouts bounded in simulated time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_rig.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 16);
}

static unsigned scaled(unsigned n)
{
    const char *s = getenv("VM_TEST_SCALE");
    unsigned long pct = s ? strtoul(s, NULL, 10) : 100ul;
    unsigned long v = (unsigned long)n * (pct ? pct : 100ul) / 100ul;
    return v < 20ul ? 20u : (unsigned)v;
}

/* VM_TEST_SEED shifts every seed (to soak with other draws); default 0. */
static uint64_t seed_base(void)
{
    const char *s = getenv("VM_TEST_SEED");
    return s ? strtoull(s, NULL, 0) : 0u;
}

static int link_error(int rc)
{
    return rc == VM_ERR_TIMEOUT || rc == VM_ERR_CORRUPT || rc == VM_ERR_IO ||
           rc == VM_ERR_NODEV;
}

/* n random single-page reads/writes (spanning ones too when !faulty), each
 * checked: success must match the reference, failure must be a link error
 * and (single page) change nothing. Returns the number of failed ops. */
static unsigned workload(struct rig *r, unsigned n, int faulty)
{
    uint16_t ps = vm_page_size(&r->vm);
    unsigned failed = 0, i;
    uint8_t buf[512];
    for (i = 0; i < n; i++) {
        vm_addr_t addr;
        size_t len;
        int rc;
        if (!faulty && rnd() % 4 == 0) { /* spanning op */
            len = 1 + rnd() % sizeof buf;
            addr = rnd() % (r->pool_size - len);
        } else {
            vm_addr_t off = rnd() % ps;
            size_t room = ps - off;
            len = 1 + rnd() % (room < 64u ? room : 64u);
            addr = (rnd() % (r->pool_size / ps)) * ps + off;
        }
        if (rnd() % 2) {
            size_t k;
            for (k = 0; k < len; k++) buf[k] = (uint8_t)rnd();
            rc = vm_write(&r->vm, addr, buf, len);
            if (rc == VM_OK) memcpy(r->ref + addr, buf, len);
        } else {
            rc = vm_read(&r->vm, buf, addr, len);
            if (rc == VM_OK)
                ck_assert_msg(memcmp(buf, r->ref + addr, len) == 0,
                              "op %u: read of %zu bytes at 0x%lx returned wrong data", i, len,
                              (unsigned long)addr);
        }
        if (rc != VM_OK) {
            ck_assert_msg(faulty && link_error(rc), "op %u: unexpected error %d", i, rc);
            failed++;
        }
    }
    return failed;
}

/* Flush (retrying while the link recovers), then check the host's pool and
 * a fresh read of everything against the reference. */
static void verify_all(struct rig *r)
{
    int rc = VM_ERR_IO, tries;
    vm_addr_t a;
    uint8_t buf[256];
    for (tries = 0; tries < 5 && rc != VM_OK; tries++) rc = vm_flush(&r->vm);
    ck_assert_int_eq(rc, VM_OK);
    ck_assert_int_eq(vm_check(&r->vm), VM_OK);
    ck_assert_msg(memcmp(r->pool, r->ref, r->pool_size) == 0, "host pool differs after flush");
    ck_assert_int_eq(vm_invalidate(&r->vm), VM_OK);
    for (a = 0; a < r->pool_size; a += sizeof buf) {
        ck_assert_int_eq(vm_read(&r->vm, buf, a, sizeof buf), VM_OK);
        ck_assert_msg(memcmp(buf, r->ref + a, sizeof buf) == 0, "reload differs at 0x%lx",
                      (unsigned long)a);
    }
}

/* ---- plain driver ------------------------------------------------------- */

START_TEST(every_profile_round_trip)
{
    const struct vm_serial_profile *p = vm_serial_profile_at((unsigned)_i);
    struct rig_opts o;
    struct rig r;
    uint8_t w[1500], rd[1500];
    unsigned k;
    ck_assert_ptr_nonnull(p);
    memset(&o, 0, sizeof o);
    o.profile = p->name;
    rig_open(&r, &o);
    for (k = 0; k < sizeof w; k++) w[k] = (uint8_t)(k * 7u + 1u);
    ck_assert_int_eq(vm_serial_write(&r.drv, 1000, w, sizeof w), VM_OK);
    ck_assert_mem_eq(r.pool + 1000, w, sizeof w);
    ck_assert_int_eq(vm_serial_read(&r.drv, 999, rd, sizeof rd), VM_OK);
    ck_assert_uint_eq(rd[0], 0);
    ck_assert_mem_eq(rd + 1, w, sizeof rd - 1);
    ck_assert_int_eq(vm_serial_sync(&r.drv), VM_OK);
    ck_assert_int_eq(vm_serial_ping(&r.drv, (const uint8_t *)"ping", 4), VM_OK);
    ck_assert_int_eq(vm_serial_console(&r.drv, "hi", 2), VM_OK);
    /* out of the pool: the host says so */
    ck_assert_int_eq(vm_serial_read(&r.drv, r.pool_size - 2, rd, 4), VM_ERR_RANGE);
    ck_assert_uint_eq(r.drv.stats.retries, 0);
    rig_close(&r);
}
END_TEST

START_TEST(frame_size_negotiated_and_split)
{
    struct rig_opts o;
    struct rig r;
    uint8_t w[1000];
    uint64_t before;
    memset(&o, 0, sizeof o);
    o.host_max = 256;
    rig_open(&r, &o);
    ck_assert_uint_eq(r.drv.max_data, 256);
    memset(w, 0x5A, sizeof w);
    before = vm_serial_host_stats(r.host)->frames;
    ck_assert_int_eq(vm_serial_write(&r.drv, 0, w, sizeof w), VM_OK);
    ck_assert_uint_eq(vm_serial_host_stats(r.host)->frames - before, 4);
    ck_assert_mem_eq(r.pool, w, sizeof w);
    rig_close(&r);

    o.host_max = 0;
    o.board_max = 64;
    rig_open(&r, &o);
    ck_assert_uint_eq(r.drv.max_data, 64);
    rig_close(&r);
}
END_TEST

/* Console text longer than a frame arrives whole, in order, in several
 * frames (it was cut to max_data). */
START_TEST(console_text_split_never_cut)
{
    struct rig_opts o;
    struct rig r;
    char text[100];
    uint64_t before;
    memset(&o, 0, sizeof o);
    o.board_max = 16;
    rig_open(&r, &o);
    for (size_t i = 0; i < sizeof text; i++) text[i] = (char)('a' + i % 26);
    before = vm_serial_host_stats(r.host)->frames;
    ck_assert_int_eq(vm_serial_console(&r.drv, text, sizeof text), VM_OK);
    ck_assert_uint_eq(vm_serial_host_stats(r.host)->frames - before, 7);
    ck_assert_uint_eq(r.console_len, sizeof text);
    ck_assert_mem_eq(r.console, text, sizeof text);
    rig_close(&r);
}
END_TEST

START_TEST(init_rejects_bad_config)
{
    struct vm_serial s;
    struct vm_serial_config c;
    struct vm_uart u;
    memset(&c, 0, sizeof c);
    memset(&u, 0, sizeof u);
    ck_assert_int_eq(vm_serial_init(&s, &c), VM_ERR_INVAL);
    c.uart = &u;
    ck_assert_int_eq(vm_serial_init(&s, &c), VM_ERR_INVAL);
}
END_TEST

/* The model's latency: a small round trip costs the bridge's latency timer
 * (board -> PC; the 8U2's free-running tick: up to 4.096 ms; CDC: the rest
 * of the 1 ms frame) plus wire time plus the host's turnaround; a 1 KiB page
 * costs at least its wire time. Simulated time, exact and deterministic. */
START_TEST(model_latency)
{
    static const struct {
        const char *name;
        uint64_t lo_us, hi_us;
    } want[] = {
        {"ftdi-16ms", 16000, 19000}, {"ftdi-1ms", 1000, 4000},
        {"uno-8u2", 300, 6000},      {"cdc", 900, 1500},
    };
    unsigned i;
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct rig_opts o;
        struct rig r;
        uint64_t t0, dt;
        uint8_t page[1024];
        memset(&o, 0, sizeof o);
        o.profile = want[i].name;
        rig_open(&r, &o);
        t0 = rig_now(&r);
        ck_assert_int_eq(vm_serial_ping(&r.drv, (const uint8_t *)"x", 1), VM_OK);
        dt = (rig_now(&r) - t0) / 1000u;
        ck_assert_msg(dt >= want[i].lo_us && dt <= want[i].hi_us, "%s: ping took %lu us",
                      want[i].name, (unsigned long)dt);
        if (!r.link.profile.baud_ignored) {
            /* 1024 data + 11 bytes of reply frame + 16 of request, 10 bits each */
            t0 = rig_now(&r);
            ck_assert_int_eq(vm_serial_read(&r.drv, 0, page, sizeof page), VM_OK);
            dt = rig_now(&r) - t0;
            ck_assert_uint_ge(dt, (1024u + 11u + 16u) * 10u * 1000000000ull / 115200u);
        }
        rig_close(&r);
    }
}
END_TEST

/* Padding requests to whole 62-byte FTDI packets: nothing waits for the
 * 16 ms latency timer any more, and the host drops the padding silently. */
START_TEST(padding_beats_latency_timer)
{
    struct rig_opts o;
    struct rig r;
    uint8_t page[1024];
    uint64_t t0, dt;
    memset(&o, 0, sizeof o);
    o.profile = "ftdi-16ms";
    o.baud = 1000000;
    o.pad = 62;
    rig_open(&r, &o);
    t0 = rig_now(&r);
    ck_assert_int_eq(vm_serial_ping(&r.drv, (const uint8_t *)"x", 1), VM_OK);
    dt = rig_now(&r) - t0;
    ck_assert_uint_lt(dt, 2000000u); /* 62 + 12 bytes at 1 Mbaud + 0.3 ms */
    memset(page, 0x77, sizeof page);
    ck_assert_int_eq(vm_serial_write(&r.drv, 2048, page, sizeof page), VM_OK);
    t0 = rig_now(&r);
    ck_assert_int_eq(vm_serial_read(&r.drv, 2048, page, sizeof page), VM_OK);
    dt = rig_now(&r) - t0;
    ck_assert_uint_lt(dt, 13000000u); /* unpadded: 26.7 ms */
    ck_assert_mem_eq(r.pool + 2048, page, sizeof page);
    ck_assert_uint_gt(vm_serial_host_stats(r.host)->padding, 0);
    ck_assert_uint_eq(vm_serial_host_stats(r.host)->garbage, 0);
    ck_assert_uint_eq(r.drv.stats.retries, 0);
    rig_close(&r);
}
END_TEST

/* The board's CPU time overlaps the wire: at 1 Mbaud (10 us a byte) an AVR
 * spending 3.8 us a byte received adds far less than 1024 x 3.8 us to a
 * 1 KiB page load, but it does add something. */
START_TEST(board_cpu_overlaps_wire)
{
    struct rig_opts o;
    struct rig r;
    uint8_t page[1024];
    uint64_t t0, bare, avr;
    memset(&o, 0, sizeof o);
    o.profile = "ftdi-1ms";
    o.baud = 1000000;
    rig_open(&r, &o);
    t0 = rig_now(&r);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, page, sizeof page), VM_OK);
    bare = rig_now(&r) - t0;
    rig_close(&r);
    o.avr_cpu = 1;
    rig_open(&r, &o);
    t0 = rig_now(&r);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, page, sizeof page), VM_OK);
    avr = rig_now(&r) - t0;
    ck_assert_uint_eq(r.drv.stats.retries, 0);
    rig_close(&r);
    ck_assert_uint_gt(avr, bare);
    ck_assert_uint_lt(avr - bare, 1024u * 3806u / 4u);
}
END_TEST

/* A link alone, no host: what the board writes stays on the up lane, where
 * the time each byte reaches the host can be read. */
static void bare_link(struct vm_serial_link *l, struct vm_simclock *c, const char *profile,
                      uint32_t baud)
{
    struct vm_serial_link_config cfg;
    memset(c, 0, sizeof *c);
    memset(&cfg, 0, sizeof cfg);
    cfg.clock = c;
    cfg.baud = baud;
    cfg.profile = vm_serial_profile_find(profile);
    ck_assert_ptr_nonnull(cfg.profile);
    ck_assert_int_eq(vm_serial_link_init(l, &cfg), VM_OK);
}

/* The 8U2/16U2 bridge flushes on a free-running 4.096 ms tick (Timer0
 * overflow), not on a timer started by the request: a request reaches the
 * host at the first tick after its last byte, wherever the request falls;
 * more than 96 buffered bytes go at once. */
START_TEST(bridge_8u2_free_running_tick)
{
    static const uint64_t starts[] = {0, 1234567, 4095000, 4096000, 9900000, 20000001};
    struct vm_serial_link l;
    struct vm_simclock c;
    uint8_t buf[300];
    size_t i, k;
    memset(buf, 0x55, sizeof buf);
    bare_link(&l, &c, "uno-8u2", 0);
    ck_assert_uint_eq(l.profile.tick_ns, 4096000u);
    for (k = 0; k < sizeof starts / sizeof starts[0]; k++) {
        size_t first = l.up.head == l.up.tail ? 0 : l.up.tail; /* an empty lane starts over */
        uint64_t end;
        vm_simclock_until(&c, starts[k] > vm_simclock_now(&c) ? starts[k] : vm_simclock_now(&c));
        ck_assert_int_eq(l.uart.write(l.uart.ctx, buf, 5), VM_OK);
        end = l.up.wire_free; /* the last byte's end on the wire */
        ck_assert_uint_eq(l.up.tail - first, 5);
        for (i = first; i < l.up.tail; i++) {
            ck_assert_uint_eq(l.up.at[i] % 4096000u, 0);
            ck_assert_uint_eq(l.up.at[i], (end / 4096000u + 1u) * 4096000u);
        }
        vm_simclock_until(&c, l.up.at[l.up.tail - 1]); /* the host took them */
        l.up.head = l.up.tail;
    }
    /* a burst at 1 Mbaud (410 bytes a tick): the 97th byte flushes the 97 at its
     * arrival, the rest wait for a tick */
    vm_serial_link_free(&l);
    bare_link(&l, &c, "uno-8u2", 1000000);
    vm_simclock_until(&c, 100000);
    {
        size_t first = l.up.head == l.up.tail ? 0 : l.up.tail;
        ck_assert_int_eq(l.uart.write(l.uart.ctx, buf, 150), VM_OK);
        ck_assert_uint_eq(l.up.tail - first, 150);
        ck_assert_uint_ne(l.up.at[first] % 4096000u, 0);
        for (i = first; i < first + 97; i++) ck_assert_uint_eq(l.up.at[i], l.up.at[first + 96]);
        ck_assert_uint_eq(l.up.at[first + 97] % 4096000u, 0);
        ck_assert_uint_eq(l.up.at[first + 149], l.up.at[first + 97]);
    }
    vm_serial_link_free(&l);
}
END_TEST

/* Native USB CDC: board bytes reach the host at the end of the 1 ms frame
 * that carried them, in 64-byte packets at 12 Mbit/s (at most 19 a frame). */
START_TEST(cdc_one_ms_frames)
{
    struct vm_serial_link l;
    struct vm_simclock c;
    uint8_t buf[2000];
    size_t i, first;
    memset(buf, 0xAA, sizeof buf);
    bare_link(&l, &c, "cdc", 0);
    ck_assert_uint_eq(l.profile.frame_ns, 1000000u);
    vm_simclock_until(&c, 250000);
    ck_assert_int_eq(l.uart.write(l.uart.ctx, buf, 3), VM_OK);
    for (i = 0; i < 3; i++) ck_assert_uint_eq(l.up.at[i], 1000000u);
    vm_simclock_until(&c, 2500000);
    first = l.up.tail;
    ck_assert_int_eq(l.uart.write(l.uart.ctx, buf, sizeof buf), VM_OK);
    for (i = first; i < l.up.tail; i++) {
        ck_assert_uint_eq(l.up.at[i] % 1000000u, 0);
        if (i > first) ck_assert_uint_ge(l.up.at[i], l.up.at[i - 1]);
    }
    /* 2000 bytes: 32 packets of 64 + 15 byte times at 12 Mbit/s = 1.69 ms: frames 3 and 4 carry
     * them, the host has the first at 3 ms and the last at 5 ms */
    ck_assert_uint_eq(l.up.at[first], 3000000u);
    ck_assert_uint_eq(l.up.at[l.up.tail - 1], 5000000u);
    vm_serial_link_free(&l);
}
END_TEST

START_TEST(baud_changes_uart_not_cdc)
{
    struct rig_opts o;
    struct rig r;
    uint8_t page[1024];
    uint64_t slow, fast, t0;
    memset(&o, 0, sizeof o);
    o.profile = "ftdi-1ms";
    rig_open(&r, &o);
    t0 = rig_now(&r);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, page, sizeof page), VM_OK);
    slow = rig_now(&r) - t0;
    rig_close(&r);
    o.baud = 1000000;
    rig_open(&r, &o);
    t0 = rig_now(&r);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, page, sizeof page), VM_OK);
    fast = rig_now(&r) - t0;
    rig_close(&r);
    ck_assert_uint_lt(fast * 5u, slow);
    o.profile = "cdc";
    o.baud = 9600;
    rig_open(&r, &o);
    ck_assert_uint_eq(r.link.bit_rate, 12000000u);
    rig_close(&r);
}
END_TEST

/* ---- through the pager ------------------------------------------------------ */

static void pager_opts(struct rig_opts *o)
{
    memset(o, 0, sizeof *o);
    o->profile = "ftdi-1ms";
    o->baud = 1000000;
    o->pool_size = 16384;
    o->page_size = 256;
    o->page_count = 6;
}

START_TEST(pager_workload_clean)
{
    struct rig_opts o;
    struct rig r;
    pager_opts(&o);
    o.profile = vm_serial_profile_at((unsigned)_i)->name;
    rig_open(&r, &o);
    rng_state = seed_base() + 0x5E71A1u + (uint64_t)_i;
    ck_assert_uint_eq(workload(&r, scaled(600), 0), 0);
    verify_all(&r);
    ck_assert_uint_eq(r.drv.stats.retries, 0);
    rig_close(&r);
}
END_TEST

/* Fault kinds, swept with two seeds each (_i = kind * 2 + seed). */
static const struct {
    const char *name;
    uint16_t drop, flip, garbage, late;
} kinds[] = {
    {"drop", 150, 0, 0, 0},
    {"flip", 0, 150, 0, 0},
    {"garbage", 0, 0, 150, 0},
    {"late", 0, 0, 0, 12000},
    {"mixed", 60, 60, 60, 4000},
};
#define KINDS (int)(sizeof kinds / sizeof kinds[0])

START_TEST(pager_workload_faults)
{
    struct rig_opts o;
    struct rig r;
    struct vm_serial_faults f, none;
    unsigned failed, k = (unsigned)_i / 2u;
    uint64_t retries;
    pager_opts(&o);
    o.pad = (_i % 2) ? 62 : 0; /* padding bytes meet the faults too */
    o.avr_cpu = (_i % 2) != 0; /* and the board's CPU time shifts every event */
    rig_open(&r, &o);
    rng_state = seed_base() + 0xFA17u + (uint64_t)_i;
    memset(&f, 0, sizeof f);
    f.seed = seed_base() + 1000u + (uint64_t)_i;
    f.drop = kinds[k].drop;
    f.flip = kinds[k].flip;
    f.garbage = kinds[k].garbage;
    f.late = kinds[k].late;
    f.late_ms = 400; /* beyond the ~105 ms attempt timeout */
    vm_serial_link_faults(&r.link, &f);
    failed = workload(&r, scaled(500), 1);
    ck_assert_int_eq(vm_check(&r.vm), VM_OK);
    retries = r.drv.stats.retries;
    if (getenv("SERIAL_TEST_VERBOSE"))
        fprintf(stderr,
                "%-8s seed %d: %u ops failed; driver: %lu requests, %lu retries, %lu timeouts, "
                "%lu corrupt, %lu resyncs, %lu stale, %lu failed; host: %lu bad headers, "
                "%lu bad CRCs, %lu duplicates; link: %lu dropped, %lu flipped, %lu inserted, "
                "%lu late\n",
                kinds[k].name, _i % 2, failed, (unsigned long)r.drv.stats.requests,
                (unsigned long)retries, (unsigned long)r.drv.stats.timeouts,
                (unsigned long)r.drv.stats.corrupt, (unsigned long)r.drv.stats.resyncs,
                (unsigned long)r.drv.stats.stale, (unsigned long)r.drv.stats.failed,
                (unsigned long)vm_serial_host_stats(r.host)->bad_header,
                (unsigned long)vm_serial_host_stats(r.host)->bad_crc,
                (unsigned long)vm_serial_host_stats(r.host)->duplicates,
                (unsigned long)r.link.stats.dropped, (unsigned long)r.link.stats.flipped,
                (unsigned long)r.link.stats.inserted, (unsigned long)r.link.stats.late);
    ck_assert_msg(retries > 0, "%s: faults caused no retries", kinds[k].name);
    /* faults stop: the link recovers, nothing was lost or corrupted */
    memset(&none, 0, sizeof none);
    vm_serial_link_faults(&r.link, &none);
    verify_all(&r);
    ck_assert_uint_eq(workload(&r, scaled(100), 0), 0);
    verify_all(&r);
    rig_close(&r);
}
END_TEST

/* A write whose ACK is lost is retried with the same sequence number; the
 * host answers from its cache and applies it once. */
static void lose_first_write_ack(struct rig *r, uint8_t type, int dup)
{
    if (type == VM_SP_WRITE && !dup && vm_serial_host_stats(r->host)->writes == 1)
        r->drop_next = VM_SP_OVERHEAD + 1u; /* the whole ACK frame */
}

START_TEST(lost_ack_write_applied_once)
{
    struct rig_opts o;
    struct rig r;
    uint8_t w[100];
    memset(&o, 0, sizeof o);
    rig_open(&r, &o);
    r.on_request = lose_first_write_ack;
    memset(w, 0xC3, sizeof w);
    ck_assert_int_eq(vm_serial_write(&r.drv, 500, w, sizeof w), VM_OK);
    ck_assert_mem_eq(r.pool + 500, w, sizeof w);
    ck_assert_uint_eq(r.drv.stats.retries, 1);
    ck_assert_uint_eq(r.drv.stats.timeouts, 1);
    ck_assert_uint_eq(vm_serial_host_stats(r.host)->writes, 1);
    ck_assert_uint_eq(vm_serial_host_stats(r.host)->duplicates, 1);
    /* the next request is not mistaken for a duplicate */
    memset(w, 0x3C, sizeof w);
    ck_assert_int_eq(vm_serial_write(&r.drv, 500, w, sizeof w), VM_OK);
    ck_assert_mem_eq(r.pool + 500, w, sizeof w);
    ck_assert_uint_eq(vm_serial_host_stats(r.host)->writes, 2);
    rig_close(&r);
}
END_TEST

/* The host goes away: every backend call fails with TIMEOUT within
 * (retries + 1) attempts of bounded length; when it is back, all is well. */
START_TEST(gone_host_bounded_then_recovers)
{
    struct rig_opts o;
    struct rig r;
    struct vm_serial_faults f;
    unsigned i, errors = 0;
    uint64_t bound_ns;
    uint8_t buf[64];
    pager_opts(&o);
    rig_open(&r, &o);
    rng_state = 77;
    ck_assert_uint_eq(workload(&r, 200, 0), 0);
    memset(&f, 0, sizeof f);
    f.gone = 1;
    vm_serial_link_faults(&r.link, &f);
    /* a vm op makes at most two backend calls (write-back, load) */
    bound_ns = 2ull * (r.drv.retries + 1u) *
               ((uint64_t)vm_serial_attempt_ms(&r.drv, 256 + 6, 256 + 1) + 1u) * 1000000ull;
    for (i = 0; i < 40; i++) {
        vm_addr_t a = (vm_addr_t)(rnd() % (o.pool_size / 256u)) * 256u;
        uint64_t t0 = rig_now(&r);
        int rc = vm_read(&r.vm, buf, a, sizeof buf);
        uint64_t dt = rig_now(&r) - t0;
        ck_assert_uint_le(dt, bound_ns);
        if (rc != VM_OK) {
            ck_assert_int_eq(rc, VM_ERR_TIMEOUT);
            errors++;
        } else {
            ck_assert_mem_eq(buf, r.ref + a, sizeof buf); /* a resident page */
        }
    }
    ck_assert_uint_gt(errors, 0);
    ck_assert_int_eq(vm_serial_sync(&r.drv), VM_ERR_TIMEOUT);
    memset(&f, 0, sizeof f);
    vm_serial_link_faults(&r.link, &f);
    verify_all(&r);
    rig_close(&r);
}
END_TEST

START_TEST(no_host_hello_is_nodev_bounded)
{
    struct vm_simclock clk = {0};
    struct vm_serial_link l;
    struct vm_serial_link_config lc;
    struct vm_serial s;
    struct vm_serial_config sc;
    uint8_t b[4];
    memset(&lc, 0, sizeof lc);
    lc.clock = &clk;
    lc.profile = vm_serial_profile_find("ftdi-16ms");
    ck_assert_int_eq(vm_serial_link_init(&l, &lc), VM_OK); /* no host attached */
    memset(&sc, 0, sizeof sc);
    sc.uart = &l.uart;
    sc.retries = 2;
    ck_assert_int_eq(vm_serial_init(&s, &sc), VM_OK);
    ck_assert_int_eq(vm_serial_read(&s, 0, b, 4), VM_ERR_NODEV); /* no session yet */
    ck_assert_int_eq(vm_serial_hello(&s), VM_ERR_NODEV);
    ck_assert_uint_le(vm_simclock_now(&clk),
                      3ull * (vm_serial_attempt_ms(&s, 4, 8) + 1u) * 1000000ull);
    ck_assert_uint_eq(s.stats.timeouts, 3);
    vm_serial_link_free(&l);
}
END_TEST

/* A restarted host refuses the old session: NODEV, never stale data; a new
 * HELLO resumes. */
START_TEST(host_restart_needs_hello)
{
    struct rig_opts o;
    struct rig r;
    uint8_t b[8];
    memset(&o, 0, sizeof o);
    rig_open(&r, &o);
    ck_assert_int_eq(vm_serial_write(&r.drv, 0, "abcdefgh", 8), VM_OK);
    vm_serial_host_restart(r.host);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, b, 8), VM_ERR_NODEV);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, b, 8), VM_ERR_NODEV); /* refused locally */
    ck_assert_int_eq(vm_serial_hello(&r.drv), VM_OK);
    ck_assert_int_eq(vm_serial_read(&r.drv, 0, b, 8), VM_OK);
    ck_assert_mem_eq(b, "abcdefgh", 8);
    rig_close(&r);
}
END_TEST

/* Heavy garbage in both directions: single driver calls either succeed with
 * the right data or report an error. */
START_TEST(driver_never_silently_wrong)
{
    struct rig_opts o;
    struct rig r;
    struct vm_serial_faults f;
    unsigned i, ok = 0, bad = 0;
    uint8_t w[300], rd[300];
    memset(&o, 0, sizeof o);
    o.baud = 1000000;
    rig_open(&r, &o);
    memset(&f, 0, sizeof f);
    f.seed = seed_base() + 4242 + (uint64_t)_i;
    f.drop = 300;
    f.flip = 300;
    f.garbage = 300;
    vm_serial_link_faults(&r.link, &f);
    rng_state = seed_base() + 99 + (uint64_t)_i;
    for (i = 0; i < scaled(300); i++) {
        vm_addr_t a = rnd() % (r.pool_size - sizeof w);
        size_t n = 1 + rnd() % sizeof w, k;
        int rc;
        if (rnd() % 2) {
            for (k = 0; k < n; k++) w[k] = (uint8_t)rnd();
            rc = vm_serial_write(&r.drv, a, w, n);
            if (rc == VM_OK) {
                ck_assert_mem_eq(r.pool + a, w, n);
                memcpy(r.ref + a, w, n);
            } else {
                memcpy(r.ref + a, r.pool + a, n); /* it may or may not have landed */
            }
        } else {
            rc = vm_serial_read(&r.drv, a, rd, n);
            if (rc == VM_OK) ck_assert_mem_eq(rd, r.pool + a, n);
        }
        if (rc == VM_OK) ok++;
        else {
            ck_assert_msg(link_error(rc), "unexpected error %d", rc);
            bad++;
        }
    }
    ck_assert_uint_gt(ok, 0);
    ck_assert_uint_gt(r.drv.stats.retries, 0);
    (void)bad;
    rig_close(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial-link");
    TCase *tc = tcase_create("link");
    SRunner *sr;
    int failed;
    tcase_add_loop_test(tc, every_profile_round_trip, 0, 4);
    tcase_add_test(tc, frame_size_negotiated_and_split);
    tcase_add_test(tc, console_text_split_never_cut);
    tcase_add_test(tc, init_rejects_bad_config);
    tcase_add_test(tc, model_latency);
    tcase_add_test(tc, baud_changes_uart_not_cdc);
    tcase_add_test(tc, bridge_8u2_free_running_tick);
    tcase_add_test(tc, cdc_one_ms_frames);
    tcase_add_test(tc, padding_beats_latency_timer);
    tcase_add_test(tc, board_cpu_overlaps_wire);
    tcase_add_loop_test(tc, pager_workload_clean, 0, 4);
    tcase_add_loop_test(tc, pager_workload_faults, 0, 2 * KINDS);
    tcase_add_test(tc, lost_ack_write_applied_once);
    tcase_add_test(tc, gone_host_bounded_then_recovers);
    tcase_add_test(tc, no_host_hello_is_nodev_bounded);
    tcase_add_test(tc, host_restart_needs_hello);
    tcase_add_loop_test(tc, driver_never_silently_wrong, 0, 3);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
