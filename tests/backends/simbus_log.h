/*
 * simbus_log.h - tests only: a recorder of the simulated SPI bus
 * (backends/bus/vm_simbus.h) into a text log.
 */
#ifndef SIMBUS_LOG_H
#define SIMBUS_LOG_H

#include <stddef.h>

#include "vm_simbus.h"

/* A recorder that appends the bus to a text log, for tests:
 * "S0 " at CS0 falling, "U0 " at rising, and each byte as "hh " (MOSI) or,
 * with miso set, "hh/hh " (MOSI/MISO). Truncates silently at cap - 1. */
struct vm_simbus_log {
    char *buf;
    size_t cap;
    size_t len;
    int miso;
};
void vm_simbus_log_fn(void *ctx, const struct vm_simbus_ev *ev);
void vm_simbus_log_clear(struct vm_simbus_log *log);

#endif
