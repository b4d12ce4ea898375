/*
 * vm_fram_dev.c - the "fram" device for the simulator: the vm_fram driver
 * (the manual's porting example) over a simulated I2C bus to an MB85RC256V
 * model, one clock. The pool must fit the chip's 32 KiB.
 */
#include "vm_fram_dev.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm_fram.h"
#include "vm_fram_model.h"

struct fram_settings {
    uint32_t i2c_hz;  /* SCL; 0: 100 kHz, Arduino Wire's default (TWI_FREQ) */
    uint8_t max_xfer; /* data bytes per transaction; 0: 30 (Wire's buffer) */
};

static const struct vm_device_key fram_keys[] = {
    VM_DEVICE_UINT_KEY(struct fram_settings, i2c_hz, 1000, 1000000,
                       "I2C clock (default 100000, Arduino Wire's)"),
    VM_DEVICE_UINT_KEY(struct fram_settings, max_xfer, 1, VM_FRAM_MAX_XFER,
                       "data bytes per I2C transaction (default 30, Arduino Wire's buffer)"),
    VM_DEVICE_KEYS_END,
};

struct fram_state {
    struct vm_simclock clock;
    struct vm_fram_model chip;
    struct vm_fram drv;
};

static int fram_open(struct vm_device_stack *st, const struct vm_device_desc *d,
                     const struct vm_platform *plat, uint64_t pool, char *err, size_t errlen)
{
    (void)plat;
    const struct fram_settings *set = vm_device_settings_c(d);
    if (pool > VM_FRAM_SIZE) {
        snprintf(err, errlen, "fram: a %llu-byte pool does not fit the MB85RC256V's %u bytes",
                 (unsigned long long)pool, VM_FRAM_SIZE);
        return -1;
    }
    if (d->fault_seed) {
        snprintf(err, errlen, "fram: fault injection is not modelled for this device");
        return -1;
    }
    struct fram_state *s = vm_device_new_state(st, "fram", sizeof *s, err, errlen);
    if (!s) return -1;
    vm_fram_model_init(&s->chip, &s->clock, 0x50, set->i2c_hz ? set->i2c_hz : 100000u);
    st->backend = vm_fram_begin(&s->drv, vm_fram_model_i2c, &s->chip, 0x50, set->max_xfer);
    st->clock = &s->clock;
    return 0;
}

/* Every nanosecond on this clock is I2C bus time: start, address, bytes, stop. */
static uint64_t fram_transfer(const struct vm_device_stack *st)
{
    const struct fram_state *s = st->state;
    return vm_simclock_now(&s->clock);
}

const struct vm_device vm_fram_device = {
    .name = "fram",
    .help = "MB85RC256V I2C FRAM driver + model on a simulated I2C bus",
    .keys = fram_keys, .open = fram_open, .close = NULL, .costs = NULL,
    .transfer_ns = fram_transfer};
