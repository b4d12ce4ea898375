/*
 * dt_platform.h - what the on-target programs (difftest, cycles) need from
 * the board: character output, text constants (DT_STR: in flash on AVR) and
 * a way to stop.
 *
 * AVR: USART0, polled, at 2 Mbaud (U2X, UBRR 0; any rate works in simavr,
 * the fastest keeps the simulated time short). dt_exit waits for the last
 * byte to leave, then sleeps with interrupts off, which makes simavr stop.
 * dt_stack_margin tells how close the stack came to .bss.
 * Cortex-M under QEMU's mps2 boards (target/qemu): the CMSDK APB UART0
 * (ARM DDI 0479C, section 4.2) at 0x40004000, polled; dt_exit is the
 * semihosting SYS_EXIT call, which ends qemu-system-arm -semihosting.
 * Host: stdio and exit(), for debugging the same code natively.
 * dt_put_str/dt_put_u32 print text constants and numbers on any of them.
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

#elif defined(__arm__)

#define DT_STR(s) (s)
static inline char dt_strc(const char *p) { return *p; }

#define DT_UART_DATA (*(volatile uint32_t *)0x40004000u)
#define DT_UART_STATE (*(volatile uint32_t *)0x40004004u)
#define DT_UART_CTRL (*(volatile uint32_t *)0x40004008u)
#define DT_UART_BAUDDIV (*(volatile uint32_t *)0x40004010u)

static inline void dt_init(void)
{
    DT_UART_BAUDDIV = 16u;
    DT_UART_CTRL = 1u; /* TX enable */
}

static inline void dt_putc(char c)
{
    while (DT_UART_STATE & 1u) { /* TX buffer full */
    }
    DT_UART_DATA = (uint8_t)c;
}

static inline void dt_exit(int code)
{
    /* Semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit (0x20026). */
    register uint32_t r0 __asm__("r0") = 0x18u;
    register uint32_t r1 __asm__("r1") = 0x20026u;
    (void)code;
    __asm__ __volatile__("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
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

/* s is a DT_STR (in flash on AVR). */
static inline void dt_put_str(const char *s)
{
    char c;
    while ((c = dt_strc(s++)) != 0)
        dt_putc(c);
}

static inline void dt_put_u32(uint32_t v)
{
    char d[11];
    uint8_t n = 0;
    do {
        d[n++] = (char)('0' + (uint8_t)(v % 10u));
        v /= 10u;
    } while (v);
    while (n)
        dt_putc(d[--n]);
}

#endif /* DT_PLATFORM_H */
