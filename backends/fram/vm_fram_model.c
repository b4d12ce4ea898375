/*
 * vm_fram_model.c - MB85RC256V I2C FRAM model (see vm_fram_model.h).
 */
#include "vm_fram_model.h"

#include <string.h>

void vm_fram_model_init(struct vm_fram_model *m, struct vm_simclock *clock, uint8_t addr,
                        uint32_t scl_hz)
{
    memset(m, 0, sizeof *m);
    m->addr = addr;
    m->scl_hz = scl_hz;
    m->clock = clock;
}

int vm_fram_model_i2c(void *bus, uint8_t addr, const uint8_t *tx, size_t n_tx, uint8_t *rx,
                      size_t n_rx)
{
    struct vm_fram_model *m = bus;
    /* START, address byte, tx bytes; then repeated START, address, rx; STOP. */
    uint64_t bytes = 1 + n_tx + (n_rx ? 1 + n_rx : 0);
    uint64_t conditions = 2 + (n_rx ? 1 : 0);
    if (addr != m->addr) {
        /* Nobody acknowledges the address byte: START, address, STOP. */
        vm_simclock_advance(m->clock, vm_simclock_bits_ns(9 + 2, m->scl_hz));
        m->nacks++;
        return VM_ERR_NODEV;
    }
    vm_simclock_advance(m->clock, vm_simclock_bits_ns(9 * bytes + conditions, m->scl_hz));
    m->transactions++;
    m->bytes += bytes;
    if (n_tx < 2) return VM_OK; /* no address word: nothing moves */
    unsigned a = ((unsigned)tx[0] << 8 | tx[1]) & (VM_FRAM_SIZE - 1u);
    /* The address counter wraps at the end of the array (datasheet). */
    for (size_t i = 2; i < n_tx; i++) m->mem[(a + i - 2) & (VM_FRAM_SIZE - 1u)] = tx[i];
    a = (unsigned)(a + n_tx - 2) & (VM_FRAM_SIZE - 1u);
    for (size_t i = 0; i < n_rx; i++) rx[i] = m->mem[(a + i) & (VM_FRAM_SIZE - 1u)];
    return VM_OK;
}
