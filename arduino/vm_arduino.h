/*
 * vm_arduino.h - the pager's bus interfaces (vm_bus.h) over Arduino's SPI
 * and Serial, so the portable drivers (vm_sram, vm_sd, vm_serial) run on
 * any Arduino board.
 *
 * SPI: every select(cs, on) starts an SPI transaction at the wanted clock
 * (MSB first, mode 0) and drives cs low; select(cs, off) drives cs high and
 * ends the transaction, so other libraries can share the bus between
 * calls. A transfer outside a selection (the SD card's 80 clocks with CS
 * high) runs in a transaction of its own. set_clock takes effect at once.
 * Chip selects are Arduino pin numbers.
 *
 * UART: write/read map to a Stream (Serial, Serial1, SoftwareSerial, ...);
 * read waits with millis() for the first byte and between bytes, as
 * vm_bus.h asks. The caller opens the port (Serial.begin) first.
 *
 * The structs are caller-owned, like everything in this library; the glue
 * keeps no global state.
 */
#ifndef VM_ARDUINO_H
#define VM_ARDUINO_H

#include <Arduino.h>
#include <SPI.h>

#include "vm_bus.h"

/* SPI glue: pass &x.spi in a driver's config. Fields other than spi are
 * private. */
struct vm_arduino_spi {
    struct vm_spi spi;
    SPIClass *bus;
    uint32_t clock_hz;     /* for the next transaction */
    uint32_t pins_ready;   /* chip selects 0..31 already made outputs */
    uint8_t in_transaction;
};

/* Fill a->spi for bus (call bus.begin() yourself, once). clock_hz is the
 * starting clock (drivers set their own through set_clock). */
void vm_arduino_spi_begin(struct vm_arduino_spi *a, SPIClass &bus, uint32_t clock_hz = 4000000ul);

/* Make cs an output and drive it high. Call it for every chip select on
 * the bus before the first driver begins, so no chip listens by accident
 * (a pin left floating may read as selected). */
void vm_arduino_spi_cs(struct vm_arduino_spi *a, uint8_t cs);

/* UART glue: pass &x.uart in a driver's config. */
struct vm_arduino_uart {
    struct vm_uart uart;
    Stream *port;
};

void vm_arduino_uart_begin(struct vm_arduino_uart *a, Stream &port);

#endif /* VM_ARDUINO_H */
