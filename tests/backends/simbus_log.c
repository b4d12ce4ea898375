/*
 * simbus_log.c - a text recorder of the simulated SPI bus, for the tests
 * (see simbus_log.h).
 */
#include "simbus_log.h"

#include <stdio.h>
#include <string.h>

static void log_put(struct vm_simbus_log *log, const char *s)
{
    size_t k = strlen(s);
    if (log->cap == 0) return;
    if (log->len + k >= log->cap) k = log->cap - 1u - log->len;
    memcpy(log->buf + log->len, s, k);
    log->len += k;
    log->buf[log->len] = '\0';
}

void vm_simbus_log_fn(void *ctx, const struct vm_simbus_ev *ev)
{
    struct vm_simbus_log *log = ctx;
    char t[16];
    switch (ev->type) {
    case VM_SIMBUS_SELECT: snprintf(t, sizeof t, "S%u ", (unsigned)ev->cs); break;
    case VM_SIMBUS_DESELECT: snprintf(t, sizeof t, "U%u ", (unsigned)ev->cs); break;
    default:
        if (log->miso)
            snprintf(t, sizeof t, "%02X/%02X ", (unsigned)ev->mosi, (unsigned)ev->miso);
        else
            snprintf(t, sizeof t, "%02X ", (unsigned)ev->mosi);
        break;
    }
    log_put(log, t);
}

void vm_simbus_log_clear(struct vm_simbus_log *log)
{
    log->len = 0;
    if (log->cap) log->buf[0] = '\0';
}
