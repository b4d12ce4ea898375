/*
 * vm_serial_dev.c - the "serial" device for the simulator: the vm_serial
 * driver over the modelled UART link to the host engine, one clock.
 * Faults: the link drops a frame with the chance read_fail and flips a byte
 * with the chance write_fail, drawn from the fault seed.
 */
#include "vm_serial_dev.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_serial.h"
#include "vm_serial_host.h"
#include "vm_serial_link.h"
#include "vm_simbus.h"

struct serial_settings {
    char link[32]; /* link profile ("ftdi-16ms", "ftdi-1ms" default, "cdc") */
    uint32_t baud; /* 0: the link's default */
};

static const char *link_at(unsigned i)
{
    const struct vm_serial_profile *p = vm_serial_profile_at(i);
    return p ? p->name : NULL;
}

struct vm_serial_board_cpu vm_serial_board_cpu_of(const struct vm_platform *plat)
{
    struct vm_serial_board_cpu cpu = {
        .rx_byte_ns = (uint32_t)vm_cpu_cc_ns(plat->serial_rx_byte, plat->cpu_hz),
        .tx_byte_ns = (uint32_t)vm_cpu_cc_ns(plat->serial_tx_byte, plat->cpu_hz),
        .request_ns = (uint32_t)vm_cpu_cc_ns(plat->serial_request, plat->cpu_hz),
    };
    return cpu;
}

static const struct vm_device_key serial_keys[] = {
    VM_DEVICE_STR_KEY(struct serial_settings, link, link_at,
                      "link profile: ftdi-16ms, ftdi-1ms (default), cdc"),
    VM_DEVICE_UINT_KEY(struct serial_settings, baud, 300, 100000000,
                       "baud rate (default: the link's)"),
    VM_DEVICE_KEYS_END,
};

struct serial_state {
    struct vm_simclock clock;
    struct vm_serial_link link;
    int link_ok;
    struct vm_serial_store store;
    struct vm_serial_host *host;
    struct vm_serial drv;
    uint8_t *mem;
};

/* The host side: a RAM store served over the link. */
static int serial_host(struct serial_state *s, char *err, size_t errlen)
{
    struct vm_serial_host_config hc;
    memset(&hc, 0, sizeof hc);
    hc.store = &s->store.backend;
    hc.send = vm_serial_link_host_send;
    hc.send_ctx = &s->link;
    s->host = vm_serial_host_new(&hc);
    if (!s->host) {
        snprintf(err, errlen, "serial: out of memory for the host");
        return -1;
    }
    vm_serial_link_attach(&s->link, s->host);
    return 0;
}

static int serial_open(struct vm_device_stack *st, const struct vm_device_desc *d,
                       const struct vm_platform *plat, uint64_t pool, char *err, size_t errlen)
{
    const struct serial_settings *set = vm_device_settings_c(d);
    const char *link = set->link[0] ? set->link : "ftdi-1ms";
    const struct vm_serial_profile *prof = vm_serial_profile_find(link);
    if (!prof) {
        snprintf(err, errlen, "serial: unknown link profile \"%s\"", link);
        return -1;
    }
    struct serial_state *s = vm_device_new_state(st, "serial", sizeof *s, err, errlen);
    if (!s) return -1;
    s->mem = calloc((size_t)pool, 1);
    if (!s->mem) {
        snprintf(err, errlen, "serial: out of memory");
        return -1;
    }
    vm_serial_store_ram(&s->store, s->mem, (vm_addr_t)pool);
    struct vm_serial_link_config lc;
    memset(&lc, 0, sizeof lc);
    lc.clock = &s->clock;
    lc.profile = prof;
    lc.baud = set->baud;
    if (plat) lc.cpu = vm_serial_board_cpu_of(plat);
    if (vm_serial_link_init(&s->link, &lc) != VM_OK) {
        snprintf(err, errlen, "serial: link set-up failed (baud %lu)", (unsigned long)set->baud);
        return -1;
    }
    s->link_ok = 1;
    if (serial_host(s, err, errlen)) return -1;
    if (d->fault_seed) {
        struct vm_serial_faults f;
        memset(&f, 0, sizeof f);
        f.seed = d->fault_seed;
        f.drop = (uint16_t)(d->read_fail * 65535.0);
        f.flip = (uint16_t)(d->write_fail * 65535.0);
        vm_serial_link_faults(&s->link, &f);
    }
    struct vm_serial_config sc;
    memset(&sc, 0, sizeof sc);
    sc.uart = &s->link.uart;
    sc.baud = s->link.profile.baud_ignored ? 0 : s->link.bit_rate;
    int rc = vm_serial_init(&s->drv, &sc);
    if (rc == VM_OK) rc = vm_serial_hello(&s->drv);
    if (rc != VM_OK) {
        snprintf(err, errlen, "serial: driver set-up / HELLO failed (%d)", rc);
        return -1;
    }
    st->backend = &s->drv.backend;
    st->clock = &s->clock;
    return 0;
}

static void serial_busy(struct vm_device_stack *st, uint64_t ns)
{
    struct serial_state *s = st->state;
    vm_serial_link_run_until(&s->link, vm_simclock_now(&s->clock) + ns);
}

/* A call is request-reply frames whose lengths follow from its length (no
 * escaping); it starts with both lanes empty and the host idle (the board
 * read the whole reply of the one before), so its time is the same after
 * any pause, provided the bridge's timer runs from the call's own bytes
 * (an FTDI latency timer). A free-running tick (8U2/16U2) or USB frame
 * boundary (native CDC) at multiples of its period on the clock puts the
 * call's phase against it in its cost (serial_period). Faults draw per
 * byte: those keep the byte-exact link. */
static const struct vm_serial_profile *serial_profile(const struct vm_device_desc *d)
{
    const struct serial_settings *set = vm_device_settings_c(d);
    return vm_serial_profile_find(set->link[0] ? set->link : "ftdi-1ms");
}

static int serial_fast(const struct vm_device_desc *d, uint64_t *split, uint64_t *settle)
{
    *split = *settle = 0;
    return serial_profile(d) && d->fault_seed == 0;
}

static uint64_t serial_period(const struct vm_device_desc *d)
{
    const struct vm_serial_profile *p = serial_profile(d);
    return !p ? 0 : p->tick_ns ? p->tick_ns : p->frame_ns;
}

static uint64_t serial_transfer(const struct vm_device_stack *st)
{
    const struct serial_state *s = st->state;
    return s->link.stats.wire_ns + s->link.stats.cpu_ns;
}

static void serial_close(struct vm_device_stack *st)
{
    struct serial_state *s = st->state;
    if (s->host) vm_serial_host_free(s->host);
    if (s->link_ok) vm_serial_link_free(&s->link);
    free(s->mem);
}

const struct vm_device vm_serial_device = {
    .name = "serial",
    .help = "serial driver + host over the modelled UART link",
    .keys = serial_keys, .open = serial_open, .close = serial_close, .costs = NULL,
    .busy = serial_busy, .transfer_ns = serial_transfer, .fast = serial_fast,
    .fast_period = serial_period};
