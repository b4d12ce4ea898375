/*
 * SPI.h - a minimal stand-in for Arduino's SPI library, for CI only.
 *
 * Same names and shapes as ArduinoCore-avr's SPIClass. On AVR the
 * implementation (arduino_stub.cpp) drives the SPI registers; on a host it
 * returns 0xFF for every byte, as an empty bus would.
 */
#ifndef ARDUINO_STUB_SPI_H
#define ARDUINO_STUB_SPI_H

#include "Arduino.h"

#define SPI_MODE0 0x00
#define SPI_MODE1 0x04
#define SPI_MODE2 0x08
#define SPI_MODE3 0x0C

#define SPI_HAS_TRANSACTION 1

class SPISettings {
public:
    SPISettings() : clock(4000000ul), bit_order(MSBFIRST), data_mode(SPI_MODE0) {}
    SPISettings(uint32_t clock_hz, uint8_t order, uint8_t mode)
        : clock(clock_hz), bit_order(order), data_mode(mode) {}
    uint32_t clock;
    uint8_t bit_order;
    uint8_t data_mode;
};

class SPIClass {
public:
    static void begin();
    static void end();
    static void beginTransaction(SPISettings settings);
    static void endTransaction();
    static uint8_t transfer(uint8_t data);
    static uint16_t transfer16(uint16_t data);
    /* Full duplex in place: buf is sent and replaced by what was received. */
    static void transfer(void *buf, size_t count);
};

extern SPIClass SPI;

#endif /* ARDUINO_STUB_SPI_H */
