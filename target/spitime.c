/*
 * spitime.c - SPI cycles per byte at each divider, as vmavr counts them
 * (tests/vmavr/spi-timing.sh checks them against the datasheet).
 *
 * For each SPI2X:SPR1:SPR0 setting (ATmega328P datasheet Table 19-5) it
 * sends 32 bytes back to back with the usual polled loop (write SPDR, wait
 * for SPIF, read SPDR) inside a vmavr phase named "div<d>[x]" (x: SPI2X
 * set). Each byte takes 8 x divider cycles on the wire (19.5.2) plus the
 * loop's own cycles; 8 x divider is a multiple of the polling loop's
 * period, so the loop's share is the same at every divider.
 * Then phase "uart": 100 bytes sent on USART0 at 115200 baud (U2X, UBRR 16,
 * 8N1), each written as soon as UDRE allows: 10 bits of 8 x 17 cycles a
 * byte (datasheet section 20, Table 20-1), 1360 cycles.
 */
#include <avr/io.h>
#include <stdint.h>

#include "vmavr_board.h"

#define N 32u

static void burst(void)
{
    uint8_t i;
    for (i = 0; i < N; i++) {
        SPDR = i;
        while (!(SPSR & (1u << SPIF))) {
        }
        (void)SPDR;
        __asm__ __volatile__("" ::: "memory");
    }
}

int main(void)
{
    uint8_t k;
    board_init(115200);
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 0u); SPSR = 0;
    vmavr_phase("div4"); burst(); vmavr_phase_end();
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 1u);
    vmavr_phase("div16"); burst(); vmavr_phase_end();
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 2u);
    vmavr_phase("div64"); burst(); vmavr_phase_end();
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 3u);
    vmavr_phase("div128"); burst(); vmavr_phase_end();
    SPSR = (uint8_t)(1u << SPI2X);
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 0u);
    vmavr_phase("div2x"); burst(); vmavr_phase_end();
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 1u);
    vmavr_phase("div8x"); burst(); vmavr_phase_end();
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 2u);
    vmavr_phase("div32x"); burst(); vmavr_phase_end();
    SPCR = (uint8_t)((1u << SPE) | (1u << MSTR) | 3u);
    vmavr_phase("div64x"); burst(); vmavr_phase_end();
    vmavr_phase("uart");
    for (k = 0; k < 100u; k++) {
        while (!(UCSR0A & (1u << UDRE0))) {
        }
        UDR0 = (uint8_t)'.';
    }
    vmavr_phase_end();
    board_exit(0);
    return 0;
}
