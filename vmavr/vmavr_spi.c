/*
 * vmavr_spi.c - timing model of the AVR SPI peripheral (see vmavr_spi.h).
 */
#include "vmavr_spi.h"

#include <stddef.h>

void vmavr_spi_init(struct vmavr_spi *s, vmavr_spi_exchange_fn exchange, void *ctx)
{
    struct vmavr_spi z = {0};
    *s = z;
    s->exchange = exchange;
    s->ctx = ctx;
}

unsigned vmavr_spi_divider(uint8_t spcr, uint8_t spsr)
{
    /* Table 19-5, indexed by SPR1:SPR0; SPI2X halves the divider. */
    static const unsigned base[4] = {4u, 16u, 64u, 128u};
    unsigned d = base[spcr & 3u];
    return (spsr & AVR_SPSR_SPI2X) ? d / 2u : d;
}

unsigned vmavr_spi_byte_cycles(uint8_t spcr, uint8_t spsr)
{
    return 8u * vmavr_spi_divider(spcr, spsr);
}

static uint8_t reverse8(uint8_t b)
{
    b = (uint8_t)((b & 0xF0u) >> 4 | (b & 0x0Fu) << 4);
    b = (uint8_t)((b & 0xCCu) >> 2 | (b & 0x33u) << 2);
    b = (uint8_t)((b & 0xAAu) >> 1 | (b & 0x55u) << 1);
    return b;
}

/* Ends a transfer whose time has come. */
static void settle(struct vmavr_spi *s, uint64_t cycle)
{
    if (s->busy && cycle >= s->done) {
        s->busy = 0;
        s->rx = s->pending_rx;
        s->spsr |= AVR_SPSR_SPIF;
    }
}

/* The second step of clearing SPIF and WCOL: an SPDR access after SPSR was
 * read with them set. */
static void clear_flags(struct vmavr_spi *s)
{
    if (s->flags_seen) {
        s->spsr &= (uint8_t)~(AVR_SPSR_SPIF | AVR_SPSR_WCOL);
        s->flags_seen = 0;
    }
}

void vmavr_spi_write_spcr(struct vmavr_spi *s, uint8_t v, uint64_t cycle)
{
    settle(s, cycle);
    s->spcr = v;
}

void vmavr_spi_write_spsr(struct vmavr_spi *s, uint8_t v, uint64_t cycle)
{
    settle(s, cycle);
    /* Only SPI2X is writable (19.5.2). */
    s->spsr = (uint8_t)((s->spsr & (uint8_t)~AVR_SPSR_SPI2X) | (v & AVR_SPSR_SPI2X));
}

void vmavr_spi_write_spdr(struct vmavr_spi *s, uint8_t v, uint64_t cycle)
{
    unsigned div;
    uint8_t mosi, miso;
    settle(s, cycle);
    clear_flags(s);
    if (s->busy) {
        s->spsr |= AVR_SPSR_WCOL;
        s->collisions++;
        return;
    }
    if ((s->spcr & (AVR_SPCR_SPE | AVR_SPCR_MSTR)) != (AVR_SPCR_SPE | AVR_SPCR_MSTR)) {
        s->ignored++;
        return;
    }
    div = vmavr_spi_divider(s->spcr, s->spsr);
    mosi = (s->spcr & AVR_SPCR_DORD) ? reverse8(v) : v;
    miso = s->exchange ? s->exchange(s->ctx, mosi, cycle, div) : 0xFFu;
    s->pending_rx = (s->spcr & AVR_SPCR_DORD) ? reverse8(miso) : miso;
    s->busy = 1;
    s->done = cycle + 8u * (uint64_t)div;
    s->bytes++;
    s->busy_cycles += 8u * (uint64_t)div;
}

uint8_t vmavr_spi_read_spcr(struct vmavr_spi *s, uint64_t cycle)
{
    settle(s, cycle);
    return s->spcr;
}

uint8_t vmavr_spi_read_spsr(struct vmavr_spi *s, uint64_t cycle)
{
    settle(s, cycle);
    if (s->spsr & (AVR_SPSR_SPIF | AVR_SPSR_WCOL))
        s->flags_seen = 1;
    return s->spsr;
}

uint8_t vmavr_spi_read_spdr(struct vmavr_spi *s, uint64_t cycle)
{
    settle(s, cycle);
    clear_flags(s);
    return s->rx;
}
