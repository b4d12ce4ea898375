/*
 * vmavr_board.h - a bare-metal AVR board for the portable drivers, in plain C
 * (no Arduino core): the SPI master and chip selects as a struct vm_spi,
 * USART0 as a struct vm_uart and as stdout, a millisecond clock, and the
 * phase markers that vmavr counts cycles between.
 *
 * Header only; include it in one firmware source. Polled I/O, no interrupts,
 * so that nothing but the program itself spends cycles. On real hardware
 * the same code drives a real 23LC1024, SD card or serial link.
 *
 * Chip selects are named VMAVR_PIN('B', 2) (= PB2); board_spi.select drives
 * them. SPI clock: like Arduino's SPI.beginTransaction, the fastest
 * F_CPU / divider (2..128, ATmega328P datasheet Table 19-5) not above the
 * requested rate.
 */
#ifndef VMAVR_BOARD_H
#define VMAVR_BOARD_H

#include <avr/io.h>
#include <avr/pgmspace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm_bus.h"

#define VMAVR_PIN(port, bit) ((uint8_t)((((port) - 'A') << 3) | (bit)))

/* The SPI pins of the MCU: SS, SCK, MOSI on port B. */
#if defined(__AVR_ATmega2560__) || defined(__AVR_ATmega1280__)
#define VMAVR_SPI_SS 0
#define VMAVR_SPI_SCK 1
#define VMAVR_SPI_MOSI 2
#else
#define VMAVR_SPI_SS 2
#define VMAVR_SPI_SCK 5
#define VMAVR_SPI_MOSI 3
#endif

/* PORTx of a port letter index (0 = A), NULL if the MCU has none. */
static inline volatile uint8_t *vmavr_port(uint8_t port)
{
    switch (port) {
#ifdef PORTA
    case 0: return &PORTA;
#endif
    case 1: return &PORTB;
#ifdef PORTC
    case 2: return &PORTC;
#endif
#ifdef PORTD
    case 3: return &PORTD;
#endif
#ifdef PORTE
    case 4: return &PORTE;
#endif
#ifdef PORTF
    case 5: return &PORTF;
#endif
#ifdef PORTG
    case 6: return &PORTG;
#endif
#ifdef PORTH
    case 7: return &PORTH;
#endif
    default: return 0;
    }
}

/* DDRx sits one address below PORTx on these parts. */
static inline void vmavr_cs_init(uint8_t cs)
{
    volatile uint8_t *port = vmavr_port((uint8_t)(cs >> 3));
    uint8_t bit = (uint8_t)(1u << (cs & 7u));
    if (!port) return;
    *port |= bit;      /* high first: deselected */
    *(port - 1) |= bit; /* then an output */
}

static inline void board_spi_select(void *ctx, uint8_t cs, int on)
{
    volatile uint8_t *port = vmavr_port((uint8_t)(cs >> 3));
    uint8_t bit = (uint8_t)(1u << (cs & 7u));
    (void)ctx;
    if (!port) return;
    if (on)
        *port &= (uint8_t)~bit;
    else
        *port |= bit;
}

static inline void board_spi_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    (void)ctx;
    while (n--) {
        SPDR = tx ? *tx++ : 0xFFu;
        while (!(SPSR & (1u << SPIF))) {
        }
        if (rx)
            *rx++ = SPDR;
        else
            (void)SPDR;
    }
}

static inline void board_spi_set_clock(void *ctx, uint32_t hz)
{
    /* dividers 2, 4, 8, ... 128 and their SPI2X:SPR1:SPR0 codes */
    static const uint8_t code[7] = {4, 0, 5, 1, 6, 2, 3};
    uint8_t i = 0;
    (void)ctx;
    while (i < 6 && (uint32_t)F_CPU / (2ul << i) > hz)
        i++;
    SPCR = (uint8_t)((SPCR & (uint8_t)~3u) | (code[i] & 3u));
    if (code[i] & 4u)
        SPSR |= (uint8_t)(1u << SPI2X);
    else
        SPSR &= (uint8_t)~(1u << SPI2X);
}

/* A millisecond clock from Timer1 free-running at F_CPU / 1024, widened in
 * software (read at least every 4 s; the drivers read it while waiting). */
static uint32_t vmavr_ms_ticks;
static uint16_t vmavr_ms_last;
static inline uint32_t board_millis(void *ctx)
{
    uint16_t now = TCNT1;
    (void)ctx;
    vmavr_ms_ticks += (uint16_t)(now - vmavr_ms_last);
    vmavr_ms_last = now;
    return (uint32_t)((uint64_t)vmavr_ms_ticks * 1024u / (F_CPU / 1000u));
}

static inline int board_uart_write(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    while (n--) {
        while (!(UCSR0A & (1u << UDRE0))) {
        }
        UDR0 = *buf++;
    }
    return 0;
}

static inline int board_uart_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    size_t got = 0;
    uint32_t t0 = board_millis(ctx);
    while (got < n) {
        if (UCSR0A & (1u << RXC0)) {
            buf[got++] = UDR0;
            t0 = board_millis(ctx);
        } else if (board_millis(ctx) - t0 > timeout_ms) {
            break;
        }
    }
    return (int)got;
}

static int vmavr_putchar(char c, FILE *f)
{
    uint8_t b = (uint8_t)c;
    (void)f;
    board_uart_write(0, &b, 1);
    return 0;
}
static FILE vmavr_stdout = FDEV_SETUP_STREAM(vmavr_putchar, NULL, _FDEV_SETUP_WRITE);

static const struct vm_spi board_spi = {board_spi_select, board_spi_transfer, board_spi_set_clock,
                                        board_millis, 0, 0};
static const struct vm_uart board_uart = {board_uart_write, board_uart_read, board_millis, 0};

/* USART0 8N1 at baud (U2X), SPI master with SS as an output, Timer1 for
 * millis, stdout on the UART. */
static inline void board_init(uint32_t baud)
{
    uint16_t ubrr = (uint16_t)(((uint32_t)F_CPU / 8u + baud / 2u) / baud - 1u);
    UCSR0A = (uint8_t)(1u << U2X0);
    UBRR0H = (uint8_t)(ubrr >> 8);
    UBRR0L = (uint8_t)ubrr;
    UCSR0C = (uint8_t)((1u << UCSZ01) | (1u << UCSZ00));
    UCSR0B = (uint8_t)((1u << TXEN0) | (1u << RXEN0));
    DDRB |= (uint8_t)((1u << VMAVR_SPI_SS) | (1u << VMAVR_SPI_SCK) | (1u << VMAVR_SPI_MOSI));
    PORTB |= (uint8_t)(1u << VMAVR_SPI_SS);
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR)); /* mode 0, MSB first, f/4 */
    TCCR1A = 0;
    TCCR1B = (uint8_t)((1u << CS12) | (1u << CS10)); /* F_CPU / 1024 */
    stdout = &vmavr_stdout;
}

/* Phase markers for vmavr: the name (in flash) to GPIOR0, then 0. The
 * marker's own cost (a few cycles a character) falls between phases. */
static inline void vmavr_phase_P(const char *name)
{
    char c;
    while ((c = (char)pgm_read_byte(name++)) != 0)
        GPIOR0 = (uint8_t)c;
    GPIOR0 = 0;
}
#define vmavr_phase(s) vmavr_phase_P(PSTR(s))
/* Ends the phase in progress without starting another. */
static inline void vmavr_phase_end(void) { GPIOR0 = 0; }

/* Exits with code once the UART has taken the last byte (vmavr reports the
 * code as its own exit status; on a board, exit() stops the CPU). */
static inline void board_exit(int code)
{
    while (!(UCSR0A & (1u << UDRE0))) {
    }
    exit(code);
}

#endif /* VMAVR_BOARD_H */
