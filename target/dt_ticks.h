/*
 * dt_ticks.h - a free-running 32-bit counter for the on-target measuring
 * programs (cycles.c, pathcost.c, the serial protocol's serial_avr_cycles.c).
 * Include it in one file of a program: it defines the counter's interrupt
 * handler.
 *
 *   dt_ticks_init()  start the counter (enables interrupts)
 *   dt_ticks()       its value; DT_TICK_UNITS CPU units per tick
 *   DT_TICK_UNIT     what the unit is ("cycles" or "instructions")
 *
 * AVR: Timer1 at clk/1, free running (never written, which also avoids a
 *   simavr quirk with TOV1 after TCNT1 writes), extended to 32 bits by its
 *   overflow interrupt (about 30 cycles per 65536, < 0.1% of a figure).
 *   simavr counts every instruction's cycles as the datasheet gives them,
 *   so a tick is one CPU cycle.
 * Cortex-M: SysTick (ARMv7-M ARM, section B3.3) on the CPU clock, extended
 *   by its wrap interrupt. Under qemu-system-arm -icount shift=0 every
 *   instruction advances the virtual clock by 1 ns and QEMU's mps2 boards
 *   clock SysTick at 25 MHz, so a tick is 40 instructions.
 */
#ifndef DT_TICKS_H
#define DT_TICKS_H

#include <stdint.h>

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>

#define DT_TICK_UNITS 1u
#define DT_TICK_UNIT "cycles"

static volatile uint16_t dt_timer_overflows;
ISR(TIMER1_OVF_vect) { dt_timer_overflows++; }

static inline void dt_ticks_init(void)
{
    TCCR1A = 0;
    TCCR1B = (uint8_t)(1u << CS10);
    TIMSK1 = (uint8_t)(1u << TOIE1);
    sei();
}

static inline uint32_t dt_ticks(void)
{
    uint8_t sreg = SREG;
    uint16_t t, o;
    cli();
    t = TCNT1;
    o = dt_timer_overflows;
    if ((TIFR1 & (1u << TOV1)) && t < 0x8000u) o++; /* overflow not yet served */
    SREG = sreg;
    return ((uint32_t)o << 16) | t;
}

#elif defined(__arm__)

#define DT_TICK_UNITS 40u
#define DT_TICK_UNIT "instructions"

#define DT_SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define DT_SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define DT_SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define DT_SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)

static volatile uint32_t dt_systick_wraps;
void SysTick_Handler(void);
void SysTick_Handler(void) { dt_systick_wraps++; }

static inline void dt_ticks_init(void)
{
    DT_SYST_RVR = 0xFFFFFFu;
    DT_SYST_CVR = 0;
    DT_SYST_CSR = 7u; /* enable, interrupt, CPU clock */
}

static inline uint32_t dt_ticks(void)
{
    uint32_t w, v;
    __asm__ __volatile__("cpsid i" ::: "memory");
    w = dt_systick_wraps;
    v = DT_SYST_CVR;
    if ((DT_SCB_ICSR & (1u << 26)) && v > 0x800000u) w++; /* wrap not yet served */
    __asm__ __volatile__("cpsie i" ::: "memory");
    return (w << 24) + (0xFFFFFFu - v);
}

#else
#error "dt_ticks.h counts time on a target: build with avr-gcc or arm-none-eabi-gcc"
#endif

#endif /* DT_TICKS_H */
