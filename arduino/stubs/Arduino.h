/*
 * Arduino.h - a minimal stand-in for the Arduino core, for CI only.
 *
 * It declares the small part of the Arduino API that this project's glue,
 * sketches and C++ header use, so that they can be compiled (avr-g++ for the
 * atmega328p, or g++ on the host) without an Arduino installation. The
 * implementation in arduino_stub.cpp drives the AVR's real USART0 and SPI
 * registers (so a linked sketch even runs under simavr) and falls back to
 * stdio on a host. It is not a replacement for the real core: only what is
 * declared here exists.
 */
#ifndef ARDUINO_STUB_ARDUINO_H
#define ARDUINO_STUB_ARDUINO_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#else
#ifndef PROGMEM
#define PROGMEM
#endif
#ifndef PSTR
#define PSTR(s) (s)
#endif
#ifndef pgm_read_byte
#define pgm_read_byte(p) (*(const uint8_t *)(p))
#endif
#endif

/* Marks this as the stand-in, so code can tell it from the real core. */
#define ARDUINO_STUB 1
#ifndef ARDUINO
#define ARDUINO 10819
#endif

#define HIGH 0x1
#define LOW 0x0
#define INPUT 0x0
#define OUTPUT 0x1
#define INPUT_PULLUP 0x2

#define LSBFIRST 0
#define MSBFIRST 1

#define DEC 10
#define HEX 16
#define OCT 8
#define BIN 2

#if defined(__AVR_ATmega2560__) || defined(__AVR_ATmega1280__)
#define SS 53
#define LED_BUILTIN 13
#else
#define SS 10
#define LED_BUILTIN 13
#endif

typedef uint8_t byte;

#ifdef __cplusplus
typedef bool boolean;
extern "C" {
#endif

void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);
int digitalRead(uint8_t pin);
unsigned long millis(void);
unsigned long micros(void);
void delay(unsigned long ms);
void delayMicroseconds(unsigned int us);
void randomSeed(unsigned long seed);

/* The sketch's two entry points; the stand-in's main() calls them (on
 * AVR; on a host the test harness does). */
void setup(void);
void loop(void);

#if !defined(__AVR__)
/* Host only: a test harness may route pins, SPI bytes, time and Serial to
 * device models. Unset hooks: pins do nothing, SPI reads 0xFF, time is the
 * host's monotonic clock, Serial writes to stdout and reads nothing. */
struct arduino_stub_host {
    void (*pin)(void *ctx, uint8_t pin, uint8_t val); /* digitalWrite */
    uint8_t (*spi)(void *ctx, uint8_t out);           /* one SPI byte */
    void (*spi_clock)(void *ctx, uint32_t hz);        /* beginTransaction */
    unsigned long (*millis)(void *ctx);
    void (*serial_write)(void *ctx, uint8_t c);       /* Serial's TX; else stdout */
    int (*serial_read)(void *ctx);                    /* Serial's RX: byte or -1 */
    void *ctx;
};
extern struct arduino_stub_host arduino_stub_host;
#endif

#ifdef __cplusplus
} /* extern "C" */

long random(long howbig);
long random(long howsmall, long howbig);

/* A string literal kept in flash: F("text"). */
class __FlashStringHelper;
#define F(string_literal) (reinterpret_cast<const __FlashStringHelper *>(PSTR(string_literal)))

/* Formatted output of text and numbers over a byte sink. */
class Print {
public:
    virtual size_t write(uint8_t c) = 0;
    virtual size_t write(const uint8_t *buf, size_t n);
    size_t write(const char *s) { return s ? write((const uint8_t *)s, strlen(s)) : 0; }
    size_t write(const char *buf, size_t n) { return write((const uint8_t *)buf, n); }
    virtual void flush() {}

    size_t print(const __FlashStringHelper *s);
    size_t print(const char *s) { return write(s); }
    size_t print(char c) { return write((uint8_t)c); }
    size_t print(unsigned char n, int base = DEC) { return print((unsigned long)n, base); }
    size_t print(int n, int base = DEC) { return print((long)n, base); }
    size_t print(unsigned int n, int base = DEC) { return print((unsigned long)n, base); }
    size_t print(long n, int base = DEC);
    size_t print(unsigned long n, int base = DEC);

    size_t println(void) { return write("\r\n"); }
    size_t println(const __FlashStringHelper *s) { return print(s) + println(); }
    size_t println(const char *s) { return print(s) + println(); }
    size_t println(char c) { return print(c) + println(); }
    size_t println(unsigned char n, int base = DEC) { return print(n, base) + println(); }
    size_t println(int n, int base = DEC) { return print(n, base) + println(); }
    size_t println(unsigned int n, int base = DEC) { return print(n, base) + println(); }
    size_t println(long n, int base = DEC) { return print(n, base) + println(); }
    size_t println(unsigned long n, int base = DEC) { return print(n, base) + println(); }
};

/* A byte source with a timeout, as Arduino's Stream. */
class Stream : public Print {
public:
    Stream() : timeout_ms(1000) {}
    virtual int available() = 0;
    virtual int read() = 0;
    virtual int peek() = 0;
    void setTimeout(unsigned long ms) { timeout_ms = ms; }
    unsigned long getTimeout() const { return timeout_ms; }
    /* Reads up to n bytes, waiting at most the timeout for each. */
    size_t readBytes(uint8_t *buf, size_t n);
    size_t readBytes(char *buf, size_t n) { return readBytes((uint8_t *)buf, n); }

protected:
    unsigned long timeout_ms;
};

/* The board's first UART (USART0 on AVR; stdin/stdout on a host). */
class HardwareSerial : public Stream {
public:
    void begin(unsigned long baud);
    void begin(unsigned long baud, uint8_t config) { (void)config; begin(baud); }
    void end() {}
    virtual int available();
    virtual int read();
    virtual int peek();
    virtual size_t write(uint8_t c);
    virtual size_t write(const uint8_t *buf, size_t n) { return Print::write(buf, n); }
    using Print::write;
    virtual void flush();
    operator bool() const { return true; }
};

extern HardwareSerial Serial;

#endif /* __cplusplus */

#endif /* ARDUINO_STUB_ARDUINO_H */
