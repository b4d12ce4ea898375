/*
 * vmavr_spi.h - timing model of the AVR SPI peripheral (master mode), for vmavr.
 *
 * Desktop C99, no simavr dependency: vmavr.c routes the MCU's SPCR, SPSR and
 * SPDR accesses here through simavr's IO register hooks, and the unit test
 * drives it directly. simavr's own SPI module completes every byte after a
 * fixed delay whatever the clock, so it is replaced, not used.
 *
 * What is modelled (ATmega328P datasheet, Atmel-7810D-AVR-ATmega328P-
 * Datasheet_11/2016, section 19 "SPI - Serial Peripheral Interface"; the
 * ATmega2560's SPI, section 21 of Atmel-2549Q, is the same block):
 *   - SCK = f_osc / divider, the divider chosen by SPI2X (SPSR bit 0) and
 *     SPR1:SPR0 (SPCR bits 1:0), Table 19-5: 4, 16, 64, 128 with SPI2X = 0;
 *     2, 8, 32, 64 with SPI2X = 1.
 *   - A write to SPDR while SPE and MSTR are set starts a transfer: the byte
 *     is shifted out in 8 SCK periods, so SPIF (SPSR bit 7) is set
 *     8 x divider CPU cycles after the write (19.5.2: "When a serial transfer
 *     is complete, the SPIF Flag is set").
 *   - The received byte replaces SPDR's read value when the transfer ends.
 *   - SPIF is cleared by reading SPSR with SPIF set and then accessing SPDR
 *     (19.5.2). A write to SPDR during a transfer sets WCOL and is ignored
 *     (19.5.2, "WCOL: Write COLlision Flag"); WCOL clears like SPIF.
 *   - DORD = 1 (LSB first) reverses the bit order on the wire.
 * Not modelled: slave mode, the SS pin turning a master into a slave, the
 * SPI interrupt (SPIE). vmavr warns when a firmware uses them.
 *
 * The model is lazy: SPIF and the received byte are settled whenever a
 * register is accessed, by comparing the CPU cycle against the transfer's
 * end. No timer runs while the CPU polls.
 */
#ifndef VMAVR_SPI_H
#define VMAVR_SPI_H

#include <stdint.h>

#define AVR_SPCR_SPIE 0x80u
#define AVR_SPCR_SPE 0x40u
#define AVR_SPCR_DORD 0x20u
#define AVR_SPCR_MSTR 0x10u
#define AVR_SPSR_SPIF 0x80u
#define AVR_SPSR_WCOL 0x40u
#define AVR_SPSR_SPI2X 0x01u

/* Exchanges one byte on the wire (MSB first as seen by the devices):
 * returns MISO for mosi. cycle is the CPU cycle of the SPDR write, divider
 * the SCK divider. */
typedef uint8_t (*vmavr_spi_exchange_fn)(void *ctx, uint8_t mosi, uint64_t cycle, unsigned divider);

struct vmavr_spi {
    uint8_t spcr;
    uint8_t spsr;        /* SPIF, WCOL and SPI2X as the MCU sees them */
    uint8_t rx;          /* SPDR's read value */
    uint8_t pending_rx;  /* the byte being received */
    uint8_t busy;        /* a transfer is under way */
    uint8_t flags_seen;  /* SPSR was read with SPIF or WCOL set */
    uint64_t done;       /* cycle at which the transfer ends */
    vmavr_spi_exchange_fn exchange;
    void *ctx;
    /* counters */
    uint64_t bytes;      /* transfers started */
    uint64_t collisions; /* SPDR writes during a transfer (WCOL) */
    uint64_t ignored;    /* SPDR writes with SPE or MSTR clear */
    uint64_t busy_cycles;/* cycles of wire time (8 x divider per byte) */
};

void vmavr_spi_init(struct vmavr_spi *s, vmavr_spi_exchange_fn exchange, void *ctx);
/* The SCK divider for these register values (Table 19-5). */
unsigned vmavr_spi_divider(uint8_t spcr, uint8_t spsr);
/* CPU cycles from an SPDR write to SPIF for these register values. */
unsigned vmavr_spi_byte_cycles(uint8_t spcr, uint8_t spsr);

/* Register accesses at CPU cycle `cycle`. */
void vmavr_spi_write_spcr(struct vmavr_spi *s, uint8_t v, uint64_t cycle);
void vmavr_spi_write_spsr(struct vmavr_spi *s, uint8_t v, uint64_t cycle);
void vmavr_spi_write_spdr(struct vmavr_spi *s, uint8_t v, uint64_t cycle);
uint8_t vmavr_spi_read_spcr(struct vmavr_spi *s, uint64_t cycle);
uint8_t vmavr_spi_read_spsr(struct vmavr_spi *s, uint64_t cycle);
uint8_t vmavr_spi_read_spdr(struct vmavr_spi *s, uint64_t cycle);

#endif /* VMAVR_SPI_H */
