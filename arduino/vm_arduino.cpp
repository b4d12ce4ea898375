/*
 * vm_arduino.cpp - vm_spi and vm_uart over Arduino's SPIClass and Stream.
 * See vm_arduino.h for the contract.
 */
#include "vm_arduino.h"

#include "vm.h"

static void arduino_spi_pin(struct vm_arduino_spi *a, uint8_t cs)
{
    if (cs < 32u && (a->pins_ready & ((uint32_t)1u << cs))) return;
    digitalWrite(cs, HIGH); /* enables the pull-up first on AVR: no low glitch */
    pinMode(cs, OUTPUT);
    digitalWrite(cs, HIGH);
    if (cs < 32u) a->pins_ready |= (uint32_t)1u << cs;
}

static void arduino_spi_select(void *ctx, uint8_t cs, int on)
{
    struct vm_arduino_spi *a = (struct vm_arduino_spi *)ctx;
    arduino_spi_pin(a, cs);
    if (on) {
        if (!a->in_transaction) {
            a->bus->beginTransaction(SPISettings(a->clock_hz, MSBFIRST, SPI_MODE0));
            a->in_transaction = 1;
        }
        digitalWrite(cs, LOW);
    } else {
        digitalWrite(cs, HIGH);
        if (a->in_transaction) {
            a->bus->endTransaction();
            a->in_transaction = 0;
        }
    }
}

static void arduino_spi_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    struct vm_arduino_spi *a = (struct vm_arduino_spi *)ctx;
    uint8_t own = !a->in_transaction;
    size_t i;
    if (own) a->bus->beginTransaction(SPISettings(a->clock_hz, MSBFIRST, SPI_MODE0));
    for (i = 0; i < n; i++) {
        uint8_t r = a->bus->transfer(tx ? tx[i] : (uint8_t)0xFF);
        if (rx) rx[i] = r;
    }
    if (own) a->bus->endTransaction();
}

static void arduino_spi_set_clock(void *ctx, uint32_t hz)
{
    struct vm_arduino_spi *a = (struct vm_arduino_spi *)ctx;
    a->clock_hz = hz;
    if (a->in_transaction) { /* apply now, keeping the selection */
        a->bus->endTransaction();
        a->bus->beginTransaction(SPISettings(a->clock_hz, MSBFIRST, SPI_MODE0));
    }
}

static uint32_t arduino_millis(void *ctx)
{
    (void)ctx;
    return (uint32_t)millis();
}

void vm_arduino_spi_begin(struct vm_arduino_spi *a, SPIClass &bus, uint32_t clock_hz)
{
    a->spi.select = arduino_spi_select;
    a->spi.transfer = arduino_spi_transfer;
    a->spi.set_clock = arduino_spi_set_clock;
    a->spi.millis = arduino_millis;
    a->spi.ctx = a;
    a->spi.poll = 0; /* the driver clocks its polls itself */
    a->bus = &bus;
    a->clock_hz = clock_hz;
    a->pins_ready = 0;
    a->in_transaction = 0;
}

void vm_arduino_spi_cs(struct vm_arduino_spi *a, uint8_t cs)
{
    arduino_spi_pin(a, cs);
}

static int arduino_uart_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct vm_arduino_uart *a = (struct vm_arduino_uart *)ctx;
    return a->port->write(buf, n) == n ? VM_OK : VM_ERR_IO;
}

static int arduino_uart_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    struct vm_arduino_uart *a = (struct vm_arduino_uart *)ctx;
    size_t got = 0;
    uint32_t since = (uint32_t)millis();
    if (n > 32767u) n = 32767u; /* the count must fit a 16-bit int */
    while (got < n) {
        int c = a->port->read();
        if (c >= 0) {
            buf[got++] = (uint8_t)c;
            since = (uint32_t)millis();
        } else if ((uint32_t)millis() - since >= timeout_ms) {
            break;
        }
    }
    return (int)got;
}

void vm_arduino_uart_begin(struct vm_arduino_uart *a, Stream &port)
{
    a->uart.write = arduino_uart_write;
    a->uart.read = arduino_uart_read;
    a->uart.millis = arduino_millis;
    a->uart.ctx = a;
    a->port = &port;
}
