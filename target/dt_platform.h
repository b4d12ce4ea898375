/*
 * dt_platform.h - what the on-target programs (difftest, cycles) need from
 * the board: character output, text constants (DT_STR: in flash on AVR) and
 * a way to stop.
 *
 * AVR: USART0, polled, at 2 Mbaud (U2X, UBRR 0; any rate works in simavr,
 * the fastest keeps the simulated time short). dt_exit waits for the last
 * byte to leave, then sleeps with interrupts off, which makes simavr stop.
 * dt_stack_margin tells how close the stack came to .bss.
 * Host: stdio and exit(), for debugging the same code natively.
 */
#ifndef DT_PLATFORM_H
#define DT_PLATFORM_H

#include <stdint.h>

/* 4-byte alignment, which vm_init demands of page buffers. */
#if defined(__GNUC__)
#define DT_ALIGN4 __attribute__((aligned(4)))
#else
#define DT_ALIGN4
#endif

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/sleep.h>

/* Text kept in flash (2 KB of RAM is too little to copy it there). */
#define DT_STR(s) PSTR(s)
static inline char dt_strc(const char *p) { return (char)pgm_read_byte(p); }

/* Free RAM between .bss and the stack is painted at start; the stack's
 * deepest reach is where the paint ends. */
#define DT_PAINT 0xA5u
extern uint8_t __bss_end;

static inline void dt_init(void)
{
    uint8_t *p = &__bss_end;
    uint8_t *sp = (uint8_t *)SP;
    while (p + 32 < sp)
        *p++ = DT_PAINT;
    UCSR0A = (uint8_t)(1u << U2X0);
    UBRR0H = 0;
    UBRR0L = 0;
    UCSR0C = (uint8_t)((1u << UCSZ01) | (1u << UCSZ00)); /* 8N1 */
    UCSR0B = (uint8_t)(1u << TXEN0);
}

static inline void dt_putc(char c)
{
    while (!(UCSR0A & (1u << UDRE0))) {
    }
    UDR0 = (uint8_t)c;
}

/* Bytes of painted RAM the stack never reached (0: it may have overflowed). */
static inline uint16_t dt_stack_margin(void)
{
    const uint8_t *p = &__bss_end;
    while (p < (const uint8_t *)RAMEND && *p == DT_PAINT)
        p++;
    return (uint16_t)(p - &__bss_end);
}
#define DT_HAVE_STACK_MARGIN 1

static inline void dt_exit(int code)
{
    (void)code;
    UCSR0A |= (uint8_t)(1u << TXC0); /* writing 1 clears it */
    dt_putc('\n');
    while (!(UCSR0A & (1u << TXC0))) {
    }
    cli();
    set_sleep_mode(SLEEP_MODE_PWR_DOWN);
    sleep_enable();
    for (;;)
        sleep_cpu();
}

#else
#include <stdio.h>
#include <stdlib.h>

#define DT_STR(s) (s)
static inline char dt_strc(const char *p) { return *p; }

static inline void dt_init(void) {}
static inline void dt_putc(char c) { putchar(c); }
static inline void dt_exit(int code)
{
    fflush(stdout);
    exit(code);
}
#endif

#endif /* DT_PLATFORM_H */
