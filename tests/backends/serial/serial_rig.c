/*
 * serial_rig.c - see serial_rig.h.
 */
#include "serial_rig.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vm_platform.h"
#include "vm_serial_dev.h"

static void rig_trace(void *ctx, uint8_t type, uint8_t seq, vm_addr_t addr, uint16_t len,
                      uint8_t status, int dup)
{
    struct rig *r = ctx;
    (void)seq;
    (void)addr;
    (void)len;
    (void)status;
    if (r->on_request) r->on_request(r, type, dup);
}

static int filter_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct rig *r = ctx;
    return r->link.uart.write(r->link.uart.ctx, buf, n);
}

static int filter_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    struct rig *r = ctx;
    for (;;) {
        int got = r->link.uart.read(r->link.uart.ctx, buf, n, timeout_ms);
        if (got <= 0 || r->drop_next == 0) return got;
        if ((unsigned)got <= r->drop_next) {
            r->drop_next -= (unsigned)got;
            continue; /* lost: keep waiting, the uart never saw them */
        }
        memmove(buf, buf + r->drop_next, (size_t)got - r->drop_next);
        got -= (int)r->drop_next;
        r->drop_next = 0;
        return got;
    }
}

static uint32_t filter_millis(void *ctx)
{
    struct rig *r = ctx;
    return r->link.uart.millis(r->link.uart.ctx);
}

uint64_t rig_now(const struct rig *r)
{
    return vm_simclock_now(&r->clock);
}

static void rig_console(void *ctx, const uint8_t *buf, size_t n)
{
    struct rig *r = ctx;
    size_t room = sizeof r->console - r->console_len;
    if (n > room) n = room;
    memcpy(r->console + r->console_len, buf, n);
    r->console_len += n;
}

void rig_open(struct rig *r, const struct rig_opts *o)
{
    struct vm_serial_link_config lc;
    struct vm_serial_host_config hc;
    struct vm_serial_config sc;
    const struct vm_serial_profile *prof;
    memset(r, 0, sizeof *r);
    prof = vm_serial_profile_find(o->profile ? o->profile : "ftdi-1ms");
    ck_assert_ptr_nonnull(prof);
    r->pool_size = o->pool_size ? o->pool_size : 65536u;
    r->pool = calloc(1, r->pool_size);
    r->ref = calloc(1, r->pool_size);
    ck_assert_ptr_nonnull(r->pool);
    ck_assert_ptr_nonnull(r->ref);
    vm_serial_store_ram(&r->store, r->pool, r->pool_size);

    memset(&lc, 0, sizeof lc);
    lc.clock = &r->clock;
    lc.profile = prof;
    lc.baud = o->baud;
    if (o->avr_cpu) {
        lc.cpu = vm_serial_board_cpu_of(vm_platform_find("atmega328p"));
    }
    ck_assert_int_eq(vm_serial_link_init(&r->link, &lc), VM_OK);

    memset(&hc, 0, sizeof hc);
    hc.store = &r->store.backend;
    hc.max_data = o->host_max;
    hc.send = vm_serial_link_host_send;
    hc.send_ctx = &r->link;
    hc.trace = rig_trace;
    hc.trace_ctx = r;
    hc.console = rig_console;
    hc.console_ctx = r;
    r->host = vm_serial_host_new(&hc);
    ck_assert_ptr_nonnull(r->host);
    vm_serial_link_attach(&r->link, r->host);

    r->filter.write = filter_write;
    r->filter.read = filter_read;
    r->filter.millis = filter_millis;
    r->filter.ctx = r;

    memset(&sc, 0, sizeof sc);
    sc.uart = &r->filter;
    sc.max_data = o->board_max;
    sc.timeout_ms = o->timeout_ms;
    sc.retries = o->retries;
    sc.pad = o->pad;
    sc.baud = r->link.profile.baud_ignored ? 0 : r->link.bit_rate;
    ck_assert_int_eq(vm_serial_init(&r->drv, &sc), VM_OK);
    ck_assert_int_eq(vm_serial_hello(&r->drv), VM_OK);
    ck_assert_uint_eq(r->drv.backend.size, r->pool_size);

    if (o->page_size) {
        struct vm_config vc;
        size_t psz = (size_t)o->page_size * o->page_count;
        r->pages = calloc(1, psz);
        r->slots = calloc(o->page_count, sizeof *r->slots);
        r->bounce = calloc(1, o->page_size);
        memset(&vc, 0, sizeof vc);
        vc.backend = &r->drv.backend;
        vc.page_size = o->page_size;
        vc.page_count = o->page_count;
        vc.pages = r->pages;
        vc.pages_size = psz;
        vc.slots = r->slots;
        vc.slot_count = o->page_count;
        vc.bounce = r->bounce;
        vc.bounce_size = o->page_size;
        ck_assert_int_eq(vm_init(&r->vm, &vc), VM_OK);
    }
}

void rig_close(struct rig *r)
{
    vm_serial_host_free(r->host);
    vm_serial_link_free(&r->link);
    free(r->pool);
    free(r->ref);
    free(r->pages);
    free(r->slots);
    free(r->bounce);
}
