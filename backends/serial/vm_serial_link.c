/*
 * vm_serial_link.c - the modelled board <-> PC link (see vm_serial_link.h).
 *
 * Each lane is a queue of (byte, visible-at) pairs, non-decreasing in time.
 * The board's uart.read is the only place the clock moves: it steps from one
 * event (a byte visible to the host, a byte visible to the board) to the
 * next, feeding the host as it goes, until it has its bytes or its timeout.
 */
#include "vm_serial_link.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm.h"
#include "vm_rng.h"

static const struct vm_serial_profile profiles[] = {
    /* name        rate      bits pkt ovh ign flush      tick      fill frame */
    {"ftdi-16ms", 115200ul, 10, 62, 0, 0, 16000000ul, 0, 0, 0},
    {"ftdi-1ms", 115200ul, 10, 62, 0, 0, 1000000ul, 0, 0, 0},
    {"uno-8u2", 115200ul, 10, 64, 0, 0, 0, 4096000ul, 96, 0},
    {"cdc", 12000000ul, 8, 64, 15, 1, 0, 0, 0, 1000000ul},
};

const struct vm_serial_profile *vm_serial_profile_at(unsigned i)
{
    return i < sizeof profiles / sizeof profiles[0] ? &profiles[i] : NULL;
}

const struct vm_serial_profile *vm_serial_profile_find(const char *name)
{
    unsigned i;
    for (i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (strcasecmp(profiles[i].name, name) == 0) return &profiles[i];
    return NULL;
}

static uint64_t rnd(struct vm_serial_link *l)
{
    return vm_rng_splitmix64(&l->rng);
}

static int chance(struct vm_serial_link *l, uint16_t p)
{
    return p != 0 && (rnd(l) & 0xFFFFu) < p;
}

/* ---- lanes ------------------------------------------------------------- */

static int lane_reserve(struct vm_serial_lane *q)
{
    if (q->head == q->tail) {
        q->head = q->tail = 0;
        q->pkt_open = 0;
    }
    if (q->tail < q->cap) return 0;
    if (q->head > 0) {
        size_t k = q->tail - q->head;
        memmove(q->byte, q->byte + q->head, k);
        memmove(q->at, q->at + q->head, k * sizeof *q->at);
        q->pkt_start = q->pkt_start > q->head ? q->pkt_start - q->head : 0;
        q->tail = k;
        q->head = 0;
        return 0;
    }
    {
        size_t cap = q->cap ? q->cap * 2 : 4096;
        uint8_t *b = realloc(q->byte, cap);
        uint64_t *a;
        if (b == NULL) return -1;
        q->byte = b;
        a = realloc(q->at, cap * sizeof *a);
        if (a == NULL) return -1;
        q->at = a;
        q->cap = cap;
    }
    return 0;
}

static void lane_free(struct vm_serial_lane *q)
{
    free(q->byte);
    free(q->at);
    memset(q, 0, sizeof *q);
}

/* The wire: a byte on lane q from start, after the bytes before it; on
 * native USB an idle wire starts a new packet, and each packet pays its
 * token/handshake overhead. Returns when the byte's last bit is sent. */
static uint64_t wire_send(struct vm_serial_link *l, struct vm_serial_lane *q, uint64_t start)
{
    const struct vm_serial_profile *p = &l->profile;
    uint64_t t0 = start > q->wire_free ? start : q->wire_free;
    if (p->packet_overhead) {
        if (t0 > q->wire_free) q->pkt_fill = 0;
        if (q->pkt_fill == 0) t0 += (uint64_t)p->packet_overhead * l->byte_ns;
        q->pkt_fill = (q->pkt_fill + 1u) % p->packet_data;
    }
    q->wire_free = t0 + l->byte_ns;
    l->stats.wire_ns += l->byte_ns;
    return q->wire_free;
}

/* The bridge sends the open group (the bytes buffered since it opened) at
 * end. */
static void group_flush(struct vm_serial_lane *q, uint64_t end)
{
    size_t i;
    for (i = q->pkt_start > q->head ? q->pkt_start : q->head; i < q->tail; i++) q->at[i] = end;
    q->pkt_open = 0;
}

/* 8U2/16U2 bridge: bytes wait in its ring buffer for the next overflow of a
 * free-running timer (ticks at multiples of tick_ns on the shared clock,
 * whatever the traffic), or all go at once when more than tick_fill are
 * buffered. A group is the bytes buffered since the last flush. */
static void tick_bridge(const struct vm_serial_profile *p, struct vm_serial_lane *q, uint64_t end)
{
    uint64_t tick = (end / p->tick_ns + 1u) * p->tick_ns;
    if (!q->pkt_open || q->pkt_first != tick) {
        q->pkt_open = 1;
        q->pkt_first = tick;
        q->pkt_start = q->tail;
        q->pkt_fill = 0;
    }
    q->at[q->tail++] = tick;
    if (++q->pkt_fill > p->tick_fill) group_flush(q, end); /* nearly full: flushed now */
}

/* UART bridge: IN packets of packet_data bytes; a partial packet goes when
 * the latency timer (flush_ns after its first byte) fires. */
static void latency_bridge(const struct vm_serial_profile *p, struct vm_serial_lane *q, uint64_t end)
{
    if (q->pkt_open && end < q->pkt_first + p->flush_ns && q->pkt_fill < p->packet_data) {
        q->at[q->tail] = q->pkt_first + p->flush_ns;
        q->pkt_fill++;
    } else {
        q->pkt_open = 1;
        q->pkt_first = end;
        q->pkt_start = q->tail;
        q->pkt_fill = 1;
        q->at[q->tail] = end + p->flush_ns;
    }
    q->tail++;
    if (q->pkt_fill == p->packet_data) group_flush(q, end); /* full: it goes now */
}

/* Queue the byte at q->tail, sent by end, with the time the far side sees
 * it. up: board -> host, through the bridge's packetiser. */
static void lane_arrive(const struct vm_serial_profile *p, struct vm_serial_lane *q, uint64_t end,
                        int up)
{
    if (up && p->tick_ns)
        tick_bridge(p, q, end);
    else if (up && p->frame_ns)
        /* native USB: the host learns of an IN transfer at the end of the
         * 1 ms frame that carried it (its done queue is written back once
         * per frame), so a byte becomes visible at the next frame start */
        q->at[q->tail++] = (end + p->frame_ns - 1u) / p->frame_ns * p->frame_ns;
    else if (up && p->packet_overhead == 0 && p->flush_ns > 0)
        latency_bridge(p, q, end);
    else
        q->at[q->tail++] = end;
}

/* Put byte b on the lane at time start (it waits for the wire), with the
 * link's faults. up: board -> host. */
static void lane_send(struct vm_serial_link *l, struct vm_serial_lane *q, uint8_t b,
                      uint64_t start, int up)
{
    uint64_t end = wire_send(l, q, start);
    if (chance(l, l->faults.drop)) {
        l->stats.dropped++;
        return;
    }
    if (chance(l, l->faults.flip)) {
        b ^= (uint8_t)(1u << (rnd(l) & 7u));
        l->stats.flipped++;
    }
    if (up && l->faults.gone) {
        l->stats.lost++;
        return;
    }
    if (lane_reserve(q) != 0) return; /* out of memory: the byte is lost */
    q->byte[q->tail] = b;
    lane_arrive(&l->profile, q, end, up);
}

static void lane_write(struct vm_serial_link *l, struct vm_serial_lane *q, const uint8_t *buf,
                       size_t n, uint64_t start, int up)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (chance(l, l->faults.garbage)) {
            l->stats.inserted++;
            lane_send(l, q, (uint8_t)rnd(l), start, up);
        }
        lane_send(l, q, buf[i], start, up);
    }
}

static uint64_t lane_next(const struct vm_serial_lane *q)
{
    return q->head < q->tail ? q->at[q->head] : UINT64_MAX;
}

/* ---- events ------------------------------------------------------------ */

/* Feed the host every board byte visible by now. */
static void deliver_up(struct vm_serial_link *l)
{
    uint64_t now = vm_simclock_now(l->clock);
    struct vm_serial_lane *q = &l->up;
    while (q->head < q->tail && q->at[q->head] <= now) {
        size_t k = 0;
        while (q->head + k < q->tail && q->at[q->head + k] <= now && k < l->feed_cap) {
            l->feed[k] = q->byte[q->head + k];
            k++;
        }
        q->head += k;
        if (l->host) vm_serial_host_feed(l->host, l->feed, k);
    }
}

void vm_serial_link_run_until(struct vm_serial_link *l, uint64_t t)
{
    for (;;) {
        uint64_t next;
        deliver_up(l);
        next = lane_next(&l->up);
        if (next > t) break;
        vm_simclock_until(l->clock, next);
    }
    vm_simclock_until(l->clock, t);
    deliver_up(l);
}

void vm_serial_link_host_send(void *link, const uint8_t *buf, size_t n)
{
    struct vm_serial_link *l = link;
    uint64_t start = vm_simclock_now(l->clock) + l->turnaround_ns;
    if (l->faults.gone) return;
    if (chance(l, l->faults.late)) {
        start += (uint64_t)l->faults.late_ms * 1000000ull;
        l->stats.late++;
    }
    /* one host thread: replies leave in order */
    if (start < l->host_free) start = l->host_free;
    l->host_free = start;
    l->stats.to_board += n;
    lane_write(l, &l->down, buf, n, start, 0);
}

/* ---- the board's uart ---------------------------------------------------- */

/* The board computes for ns: time passes, and the host goes on meanwhile. */
static void board_busy(struct vm_serial_link *l, uint64_t ns)
{
    l->stats.cpu_ns += ns;
    if (ns) vm_serial_link_run_until(l, vm_simclock_now(l->clock) + ns);
}

static int link_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct vm_serial_link *l = ctx;
    uint64_t cpu = (uint64_t)n * l->cpu.tx_byte_ns;
    if (l->board_reading) cpu += l->cpu.request_ns; /* a new request starts */
    l->board_reading = 0;
    board_busy(l, cpu);
    l->stats.to_host += n;
    lane_write(l, &l->up, buf, n, vm_simclock_now(l->clock), 1);
    return VM_OK;
}

static int link_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    struct vm_serial_link *l = ctx;
    struct vm_serial_lane *q = &l->down;
    uint64_t tmo = (uint64_t)timeout_ms * 1000000ull;
    uint64_t deadline = vm_simclock_now(l->clock) + tmo;
    size_t got = 0;
    l->board_reading = 1;
    for (;;) {
        uint64_t now, next, nd;
        deliver_up(l);
        now = vm_simclock_now(l->clock);
        while (got < n && q->head < q->tail && q->at[q->head] <= now) {
            deadline = q->at[q->head] + tmo; /* the wait restarts per byte */
            buf[got++] = q->byte[q->head++];
        }
        if (got == n) {
            board_busy(l, (uint64_t)got * l->cpu.rx_byte_ns);
            return (int)got;
        }
        next = lane_next(&l->up);
        nd = lane_next(q);
        if (nd < next) next = nd;
        if (next > deadline) {
            vm_simclock_until(l->clock, deadline);
            deliver_up(l);
            board_busy(l, (uint64_t)got * l->cpu.rx_byte_ns);
            return (int)got;
        }
        vm_simclock_until(l->clock, next);
    }
}

static uint32_t link_millis(void *ctx)
{
    struct vm_serial_link *l = ctx;
    return vm_simclock_millis(l->clock);
}

/* ---- setup ----------------------------------------------------------------- */

int vm_serial_link_init(struct vm_serial_link *l, const struct vm_serial_link_config *cfg)
{
    if (l == NULL || cfg == NULL || cfg->clock == NULL || cfg->profile == NULL ||
        cfg->profile->bits_per_byte == 0 || cfg->profile->packet_data == 0)
        return VM_ERR_INVAL;
    memset(l, 0, sizeof *l);
    l->clock = cfg->clock;
    l->profile = *cfg->profile;
    l->bit_rate = (cfg->baud && !l->profile.baud_ignored) ? cfg->baud : l->profile.bit_rate;
    if (l->bit_rate == 0) return VM_ERR_INVAL;
    l->byte_ns = vm_simclock_bits_ns(l->profile.bits_per_byte, l->bit_rate);
    l->turnaround_ns = cfg->turnaround_ns == VM_SERIAL_LINK_NO_TURNAROUND ? 0
                     : cfg->turnaround_ns ? cfg->turnaround_ns : 300000u;
    l->cpu = cfg->cpu;
    l->board_reading = 1;
    l->feed_cap = 4096;
    l->feed = malloc(l->feed_cap);
    if (l->feed == NULL) return VM_ERR_NOMEM;
    l->uart.write = link_write;
    l->uart.read = link_read;
    l->uart.millis = link_millis;
    l->uart.ctx = l;
    return VM_OK;
}

void vm_serial_link_free(struct vm_serial_link *l)
{
    lane_free(&l->up);
    lane_free(&l->down);
    free(l->feed);
    l->feed = NULL;
}

void vm_serial_link_attach(struct vm_serial_link *l, struct vm_serial_host *h)
{
    l->host = h;
}

void vm_serial_link_faults(struct vm_serial_link *l, const struct vm_serial_faults *f)
{
    l->faults = *f;
    l->rng = f->seed;
}

double vm_serial_link_wire_limit(const struct vm_serial_link *l)
{
    double per_byte = (double)l->profile.bits_per_byte / (double)l->bit_rate;
    if (l->profile.packet_overhead)
        per_byte *= (double)(l->profile.packet_data + l->profile.packet_overhead) /
                    (double)l->profile.packet_data;
    return 1.0 / per_byte;
}
