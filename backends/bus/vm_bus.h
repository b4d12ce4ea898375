/*
 * vm_bus.h - the tiny bus interfaces the portable drivers speak through.
 *
 * On a board they map to the platform's SPI and Serial (see arduino/ glue).
 * On the desktop they are wired to device models through a simulated clock
 * (backends/bus/vm_simbus.h). Portable C99, like the core.
 */
#ifndef VM_BUS_H
#define VM_BUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SPI master. Mode 0, MSB first. */
struct vm_spi {
    /* Drive chip select cs low (on != 0) or high (on == 0). */
    void (*select)(void *ctx, uint8_t cs, int on);
    /* Clock n bytes full-duplex. tx == NULL sends 0xFF; rx == NULL discards. */
    void (*transfer)(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n);
    /* Set SCK in Hz (the bus may clamp to what it can do). May be NULL. */
    void (*set_clock)(void *ctx, uint32_t hz);
    /* Milliseconds since an arbitrary origin, for driver timeouts. */
    uint32_t (*millis)(void *ctx);
    void *ctx;
    /* Optional (NULL on a board: the driver clocks the bytes itself): send
     * 0xFF bytes, one transfer each, until one reads back equal to v
     * (equal != 0) or other than v (equal == 0), or until, after a byte,
     * millis() - t0 >= timeout_ms; return the last byte read. Exactly the
     * driver's own loop; a simulated bus answers it in closed form
     * (backends/bus/vm_simbus.h, vm_simbus_closed_form). */
    uint8_t (*poll)(void *ctx, uint8_t v, int equal, uint32_t t0, uint32_t timeout_ms);
};

/* UART, 8N1. */
struct vm_uart {
    /* Queue n bytes for sending. Returns 0 or a negative vm_err. */
    int (*write)(void *ctx, const uint8_t *buf, size_t n);
    /* Read up to n bytes, waiting at most timeout_ms for the first and
     * between bytes. Returns the number read (0 on timeout), or a negative
     * vm_err. */
    int (*read)(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms);
    /* Milliseconds since an arbitrary origin, for driver timeouts. */
    uint32_t (*millis)(void *ctx);
    void *ctx;
};

#ifdef __cplusplus
}
#endif

#endif /* VM_BUS_H */
