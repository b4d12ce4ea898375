/*
 * serial_rig.h - test fixture: a board-side vm_serial talking through the
 * modelled link to a vm_serial_host that serves a RAM pool, optionally with
 * the real core pager on top. Desktop only; shared by the serial suites.
 */
#ifndef SERIAL_RIG_H
#define SERIAL_RIG_H

#include <stdint.h>

#include "vm.h"
#include "vm_serial.h"
#include "vm_serial_host.h"
#include "vm_serial_link.h"

struct rig {
    struct vm_simclock clock;
    struct vm_serial_link link;
    struct vm_serial_host *host;
    struct vm_serial_store store;
    uint8_t *pool;          /* the host's pool */
    vm_addr_t pool_size;
    struct vm_uart filter;  /* the board's uart: the link, through a loss filter */
    unsigned drop_next;     /* bytes the filter discards from the next reads */
    struct vm_serial drv;
    /* optional pager */
    struct vm vm;
    uint32_t *pages;
    struct vm_slot *slots;
    uint8_t *bounce;
    uint8_t *ref;           /* what the pool should hold */
    uint8_t console[512];   /* console text the host received (the first 512 bytes) */
    size_t console_len;
    /* trace hook, called on each request the host handles */
    void (*on_request)(struct rig *r, uint8_t type, int duplicate);
};

struct rig_opts {
    const char *profile;    /* NULL: "ftdi-1ms" */
    uint32_t baud;          /* 0: profile default */
    vm_addr_t pool_size;    /* 0: 64 KiB */
    uint16_t host_max;      /* 0: 4096 */
    uint16_t board_max;     /* 0: driver default (1024) */
    uint16_t timeout_ms;    /* 0: driver default */
    uint8_t retries;        /* 0: driver default */
    uint8_t pad;            /* vm_serial_config.pad */
    int avr_cpu;            /* charge the atmega328p profile's serial CPU on the clock */
    uint16_t page_size;     /* pager: 0 = no pager */
    uint8_t page_count;
};

/* Sets up everything, runs HELLO (asserted OK), and the pager if asked. */
void rig_open(struct rig *r, const struct rig_opts *o);
void rig_close(struct rig *r);
/* Simulated nanoseconds now. */
uint64_t rig_now(const struct rig *r);

#endif
