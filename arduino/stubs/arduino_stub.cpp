/*
 * arduino_stub.cpp - the implementation behind the stand-in Arduino.h/SPI.h.
 *
 * On AVR (atmega328p/2560 at F_CPU, default 16 MHz) it uses the real
 * peripherals: USART0 for Serial, the SPI unit for SPI, Timer0 overflow for
 * millis/micros, PORTB/C/D with the Uno's pin numbering for digital pins. So
 * a sketch linked against it runs under simavr. On a host it uses stdio and
 * the monotonic clock, or a test harness's hooks (arduino_stub_host) that
 * route pins, SPI and time to device models. CI uses it to compile and link the example sketches;
 * it is not meant to replace the Arduino core on a board.
 */
#include "Arduino.h"
#include "SPI.h"

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>
#ifndef F_CPU
#define F_CPU 16000000UL
#endif
#else
#include <stdio.h>
#include <time.h>
#endif

HardwareSerial Serial;
SPIClass SPI;

/* ---- Print / Stream ---------------------------------------------------- */

size_t Print::write(const uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n && write(buf[done]))
        done++;
    return done;
}

size_t Print::print(const __FlashStringHelper *s)
{
    const char *p = reinterpret_cast<const char *>(s);
    size_t n = 0;
    for (;;) {
        uint8_t c = pgm_read_byte(p++);
        if (c == 0)
            break;
        n += write(c);
    }
    return n;
}

size_t Print::print(unsigned long v, int base)
{
    char buf[8 * sizeof(long) + 1];
    char *p = buf + sizeof buf - 1;
    if (base < 2 || base > 16)
        base = 10;
    *p = '\0';
    do {
        unsigned d = (unsigned)(v % (unsigned)base);
        *--p = (char)(d < 10 ? '0' + d : 'A' + d - 10);
        v /= (unsigned)base;
    } while (v);
    return write(p);
}

size_t Print::print(long v, int base)
{
    if (base == 10 && v < 0)
        return print('-') + print((unsigned long)0 - (unsigned long)v, 10);
    return print((unsigned long)v, base);
}

size_t Stream::readBytes(uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        unsigned long start = millis();
        int c;
        while ((c = read()) < 0) {
            if (millis() - start >= timeout_ms)
                return got;
        }
        buf[got++] = (uint8_t)c;
    }
    return got;
}

#if defined(__AVR__)

/* ---- AVR: time --------------------------------------------------------- */

static volatile unsigned long stub_overflows; /* Timer0 overflows (64*256 cycles) */

ISR(TIMER0_OVF_vect) { stub_overflows++; }

static void stub_timer_init(void)
{
    TCCR0A = 0;
    TCCR0B = _BV(CS01) | _BV(CS00); /* clk/64 */
    TIMSK0 = _BV(TOIE0);
}

unsigned long micros(void)
{
    uint8_t sreg = SREG;
    cli();
    unsigned long ovf = stub_overflows;
    uint8_t t = TCNT0;
    if ((TIFR0 & _BV(TOV0)) && t < 255)
        ovf++;
    SREG = sreg;
    return ((ovf << 8) + t) * (64UL / (F_CPU / 1000000UL));
}

unsigned long millis(void) { return micros() / 1000UL; }

void delay(unsigned long ms)
{
    unsigned long start = micros();
    while (micros() - start < ms * 1000UL) {
    }
}

void delayMicroseconds(unsigned int us)
{
    unsigned long start = micros();
    while (micros() - start < us) {
    }
}

/* ---- AVR: pins (Uno numbering: 0-7 PORTD, 8-13 PORTB, 14-19 PORTC) ---- */

static volatile uint8_t *stub_port(uint8_t pin, uint8_t *bit, volatile uint8_t **ddr,
                                   volatile uint8_t **in)
{
    if (pin < 8) {
        *bit = (uint8_t)(1u << pin);
        *ddr = &DDRD;
        *in = &PIND;
        return &PORTD;
    }
    if (pin < 14) {
        *bit = (uint8_t)(1u << (pin - 8));
        *ddr = &DDRB;
        *in = &PINB;
        return &PORTB;
    }
    if (pin < 20) {
        *bit = (uint8_t)(1u << (pin - 14));
        *ddr = &DDRC;
        *in = &PINC;
        return &PORTC;
    }
    return 0;
}

void pinMode(uint8_t pin, uint8_t mode)
{
    uint8_t bit;
    volatile uint8_t *ddr, *in, *port = stub_port(pin, &bit, &ddr, &in);
    if (!port)
        return;
    if (mode == OUTPUT) {
        *ddr |= bit;
    } else {
        *ddr &= (uint8_t)~bit;
        if (mode == INPUT_PULLUP)
            *port |= bit;
        else
            *port &= (uint8_t)~bit;
    }
}

void digitalWrite(uint8_t pin, uint8_t val)
{
    uint8_t bit;
    volatile uint8_t *ddr, *in, *port = stub_port(pin, &bit, &ddr, &in);
    if (!port)
        return;
    if (val)
        *port |= bit;
    else
        *port &= (uint8_t)~bit;
}

int digitalRead(uint8_t pin)
{
    uint8_t bit;
    volatile uint8_t *ddr, *in, *port = stub_port(pin, &bit, &ddr, &in);
    if (!port)
        return LOW;
    return (*in & bit) ? HIGH : LOW;
}

/* ---- AVR: USART0 ------------------------------------------------------- */

void HardwareSerial::begin(unsigned long baud)
{
    uint16_t ubrr = (uint16_t)((F_CPU / 4UL / baud - 1UL) / 2UL);
    UCSR0A = _BV(U2X0);
    UBRR0H = (uint8_t)(ubrr >> 8);
    UBRR0L = (uint8_t)ubrr;
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
    UCSR0B = _BV(RXEN0) | _BV(TXEN0);
}

int HardwareSerial::available() { return (UCSR0A & _BV(RXC0)) ? 1 : 0; }

static int stub_peeked = -1;

int HardwareSerial::read()
{
    if (stub_peeked >= 0) {
        int c = stub_peeked;
        stub_peeked = -1;
        return c;
    }
    return (UCSR0A & _BV(RXC0)) ? UDR0 : -1;
}

int HardwareSerial::peek()
{
    if (stub_peeked < 0 && (UCSR0A & _BV(RXC0)))
        stub_peeked = UDR0;
    return stub_peeked;
}

size_t HardwareSerial::write(uint8_t c)
{
    while (!(UCSR0A & _BV(UDRE0))) {
    }
    UDR0 = c;
    return 1;
}

void HardwareSerial::flush()
{
    while (!(UCSR0A & _BV(UDRE0))) {
    }
}

/* ---- AVR: SPI unit ----------------------------------------------------- */

#if defined(__AVR_ATmega2560__) || defined(__AVR_ATmega1280__)
#define STUB_SPI_DDR_BITS (_BV(0) | _BV(1) | _BV(2)) /* SS PB0, SCK PB1, MOSI PB2 */
#else
#define STUB_SPI_DDR_BITS (_BV(2) | _BV(3) | _BV(5)) /* SS PB2, MOSI PB3, SCK PB5 */
#endif

void SPIClass::begin()
{
    PORTB |= STUB_SPI_DDR_BITS & (uint8_t)~_BV(3); /* SS high */
    DDRB |= STUB_SPI_DDR_BITS;
    SPCR = _BV(SPE) | _BV(MSTR);
}

void SPIClass::end() { SPCR = 0; }

void SPIClass::beginTransaction(SPISettings s)
{
    /* The smallest divider (2..128) whose SCK does not exceed s.clock. */
    static const uint8_t bits[7] = {4, 0, 5, 1, 6, 2, 3}; /* SPR1:0 | SPI2X<<2 */
    uint8_t i = 0;
    unsigned long f = F_CPU / 2UL;
    while (i < 6 && f > s.clock) {
        f /= 2UL;
        i++;
    }
    SPCR = (uint8_t)(_BV(SPE) | _BV(MSTR) | (s.bit_order == LSBFIRST ? _BV(DORD) : 0) |
                     (s.data_mode & 0x0C) | (bits[i] & 3u));
    SPSR = (bits[i] & 4u) ? _BV(SPI2X) : 0;
}

void SPIClass::endTransaction() {}

uint8_t SPIClass::transfer(uint8_t data)
{
    SPDR = data;
    while (!(SPSR & _BV(SPIF))) {
    }
    return SPDR;
}

/* Called if a pure virtual function is ever reached: stop, as the core does. */
extern "C" void __cxa_pure_virtual(void)
{
    cli();
    for (;;) {
    }
}

/* ---- AVR: entry point -------------------------------------------------- */

/* -DARDUINO_STUB_LOOPS=N: after N calls of loop(), send what Serial holds
 * and sleep with interrupts off, which ends a run under vmavr or simavr. */
int main(void)
{
    stub_timer_init();
    sei();
    setup();
#ifdef ARDUINO_STUB_LOOPS
    for (unsigned long n = 0; n < (unsigned long)(ARDUINO_STUB_LOOPS); n++)
        loop();
    Serial.flush();
    cli();
    SMCR = _BV(SE); /* idle sleep, never woken */
    __asm__ __volatile__("sleep");
    for (;;) {
    }
#else
    for (;;)
        loop();
#endif
}

#else /* host */

struct arduino_stub_host arduino_stub_host;

unsigned long micros(void)
{
    if (arduino_stub_host.millis) return arduino_stub_host.millis(arduino_stub_host.ctx) * 1000UL;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long)ts.tv_sec * 1000000UL + (unsigned long)(ts.tv_nsec / 1000);
}

unsigned long millis(void)
{
    if (arduino_stub_host.millis) return arduino_stub_host.millis(arduino_stub_host.ctx);
    return micros() / 1000UL;
}

void delay(unsigned long ms)
{
    unsigned long start = millis();
    while (millis() - start < ms) {
        if (arduino_stub_host.millis) break; /* simulated time does not pass here */
    }
}

void delayMicroseconds(unsigned int us)
{
    unsigned long start = micros();
    while (micros() - start < us) {
        if (arduino_stub_host.millis) break;
    }
}

void pinMode(uint8_t pin, uint8_t mode) { (void)pin; (void)mode; }

void digitalWrite(uint8_t pin, uint8_t val)
{
    if (arduino_stub_host.pin) arduino_stub_host.pin(arduino_stub_host.ctx, pin, val);
}

int digitalRead(uint8_t pin) { (void)pin; return LOW; }

static int stub_host_peeked = -1;

void HardwareSerial::begin(unsigned long baud) { (void)baud; }
int HardwareSerial::available() { return peek() >= 0 ? 1 : 0; }

int HardwareSerial::read()
{
    int c = peek();
    stub_host_peeked = -1;
    return c;
}

int HardwareSerial::peek()
{
    if (stub_host_peeked < 0 && arduino_stub_host.serial_read)
        stub_host_peeked = arduino_stub_host.serial_read(arduino_stub_host.ctx);
    return stub_host_peeked;
}

size_t HardwareSerial::write(uint8_t c)
{
    if (arduino_stub_host.serial_write) {
        arduino_stub_host.serial_write(arduino_stub_host.ctx, c);
        return 1;
    }
    return putchar(c) == EOF ? 0 : 1;
}
void HardwareSerial::flush() { fflush(stdout); }

void SPIClass::begin() {}
void SPIClass::end() {}

void SPIClass::beginTransaction(SPISettings s)
{
    if (arduino_stub_host.spi_clock) arduino_stub_host.spi_clock(arduino_stub_host.ctx, s.clock);
}

void SPIClass::endTransaction() {}

uint8_t SPIClass::transfer(uint8_t data)
{
    if (arduino_stub_host.spi) return arduino_stub_host.spi(arduino_stub_host.ctx, data);
    return 0xFF;
}

#endif

uint16_t SPIClass::transfer16(uint16_t data)
{
    uint16_t hi = transfer((uint8_t)(data >> 8));
    return (uint16_t)((hi << 8) | transfer((uint8_t)data));
}

void SPIClass::transfer(void *buf, size_t count)
{
    uint8_t *p = (uint8_t *)buf;
    for (size_t i = 0; i < count; i++)
        p[i] = transfer(p[i]);
}

/* ---- random (both) ----------------------------------------------------- */

static unsigned long stub_rng = 1;

void randomSeed(unsigned long seed)
{
    if (seed)
        stub_rng = seed;
}

long random(long howbig)
{
    if (howbig <= 0)
        return 0;
    stub_rng = stub_rng * 1103515245UL + 12345UL;
    return (long)((stub_rng >> 8) % (unsigned long)howbig);
}

long random(long howsmall, long howbig)
{
    if (howsmall >= howbig)
        return howsmall;
    return howsmall + random(howbig - howsmall);
}
