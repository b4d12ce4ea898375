/*
 * vm_sram.c - 23LC1024 / 23LC512 / 23K256 driver. Portable C99; see vm_sram.h.
 */
#include "vm_sram.h"

uint32_t vm_sram_part_size(unsigned part)
{
    switch (part) {
    case VM_SRAM_23LC1024: return 131072ul; /* 1 Mbit (DS20005142C p.1) */
    case VM_SRAM_23LC512: return 65536ul;   /* 512 Kbit */
    case VM_SRAM_23K256: return 32768ul;    /* 256 Kbit (DS22100F p.1) */
    default: return 0;
    }
}

/* Instruction and address header: 3 address bytes above 64 KiB, else 2. */
static void send_header(struct vm_sram *sr, uint8_t instr, uint32_t addr)
{
    uint8_t h[4];
    uint8_t n = 0;
    h[n++] = instr;
    if (sr->addr_bytes == 3u) h[n++] = (uint8_t)(addr >> 16);
    h[n++] = (uint8_t)(addr >> 8);
    h[n++] = (uint8_t)addr;
    sr->spi->transfer(sr->spi->ctx, h, NULL, n);
}

/* Our clock for each transaction (SPI.beginTransaction style), so devices
 * with other clocks can share the bus. */
static void begin_transaction(struct vm_sram *sr)
{
    if (sr->spi->set_clock) sr->spi->set_clock(sr->spi->ctx, sr->clock_hz);
}

/* RDMR must read back sequential mode: 0xFF or 0x00 means nobody answered. */
static int verify_chip(struct vm_sram *sr, uint8_t cs)
{
    uint8_t tx[2], rx[2];
    tx[0] = VM_SRAM_RDMR;
    tx[1] = 0xFF;
    begin_transaction(sr);
    sr->spi->select(sr->spi->ctx, cs, 1);
    sr->spi->transfer(sr->spi->ctx, tx, rx, 2);
    sr->spi->select(sr->spi->ctx, cs, 0);
    return (rx[1] & 0xC0u) == VM_SRAM_MODE_SEQ ? VM_OK : VM_ERR_NODEV;
}

static int be_read(void *ctx, vm_addr_t addr, void *buf, size_t len);
static int be_write(void *ctx, vm_addr_t addr, const void *buf, size_t len);

int vm_sram_begin(struct vm_sram *sr, const struct vm_sram_config *cfg)
{
    uint8_t i, j;
    if (sr == NULL || cfg == NULL || cfg->spi == NULL || cfg->spi->select == NULL ||
        cfg->spi->transfer == NULL)
        return VM_ERR_INVAL;
    if (cfg->chips == 0u || cfg->chips > VM_SRAM_MAX_CHIPS) return VM_ERR_INVAL;
    if (vm_sram_part_size(cfg->part) == 0u) return VM_ERR_INVAL;
    for (i = 0; i < cfg->chips; i++)
        for (j = 0; j < i; j++)
            if (cfg->cs[i] == cfg->cs[j]) return VM_ERR_INVAL;

    sr->spi = cfg->spi;
    sr->chip_size = vm_sram_part_size(cfg->part);
    sr->addr_bytes = sr->chip_size > 65536ul ? 3u : 2u;
    sr->chips = cfg->chips;
    sr->flags = cfg->flags;
    sr->clock_hz = cfg->clock_hz ? cfg->clock_hz : VM_SRAM_MAX_HZ;
    for (i = 0; i < cfg->chips; i++) sr->cs[i] = cfg->cs[i];

    sr->be.read = be_read;
    sr->be.write = be_write;
    sr->be.sync = NULL; /* SRAM writes are done when CS rises */
    sr->be.ctx = sr;
    sr->be.size = sr->chip_size * sr->chips;

    for (i = 0; i < sr->chips; i++) {
        uint8_t wrmr[2];
        begin_transaction(sr);
        wrmr[0] = VM_SRAM_WRMR;
        wrmr[1] = VM_SRAM_MODE_SEQ;
        sr->spi->select(sr->spi->ctx, sr->cs[i], 1);
        sr->spi->transfer(sr->spi->ctx, wrmr, NULL, 2);
        sr->spi->select(sr->spi->ctx, sr->cs[i], 0);
        if (sr->flags & VM_SRAM_VERIFY) {
            int err = verify_chip(sr, sr->cs[i]);
            if (err) return err;
        }
    }
    return VM_OK;
}

/* One transaction per chip touched: [addr, addr+len) is split at chip
 * boundaries. With wbuf, sends wbuf (WRITE); without, fills rbuf (READ). */
static int sram_xfer(struct vm_sram *sr, uint32_t addr, uint8_t *rbuf,
                     const uint8_t *wbuf, size_t len)
{
    if (len == 0u) return VM_OK;
    if (addr >= sr->be.size || len > sr->be.size - addr) return VM_ERR_RANGE;
    while (len > 0u) {
        uint8_t chip = (uint8_t)(addr / sr->chip_size);
        uint32_t off = addr % sr->chip_size;
        uint32_t room = sr->chip_size - off;
        size_t n = len < room ? len : (size_t)room;
        uint8_t cs = sr->cs[chip];
        begin_transaction(sr);
        sr->spi->select(sr->spi->ctx, cs, 1);
        if (wbuf) {
            send_header(sr, VM_SRAM_WRITE, off);
            sr->spi->transfer(sr->spi->ctx, wbuf, NULL, n);
            wbuf += n;
        } else {
            send_header(sr, VM_SRAM_READ, off);
            sr->spi->transfer(sr->spi->ctx, NULL, rbuf, n);
            rbuf += n;
        }
        sr->spi->select(sr->spi->ctx, cs, 0);
        if (sr->flags & VM_SRAM_VERIFY) {
            int err = verify_chip(sr, cs);
            if (err) return err;
        }
        addr += (uint32_t)n;
        len -= n;
    }
    return VM_OK;
}

int vm_sram_read(struct vm_sram *sr, uint32_t addr, void *buf, size_t len)
{
    return sram_xfer(sr, addr, (uint8_t *)buf, NULL, len);
}

int vm_sram_write(struct vm_sram *sr, uint32_t addr, const void *buf, size_t len)
{
    return sram_xfer(sr, addr, NULL, (const uint8_t *)buf, len);
}

const struct vm_backend *vm_sram_backend(const struct vm_sram *sr)
{
    return &sr->be;
}

static int be_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    return vm_sram_read((struct vm_sram *)ctx, addr, buf, len);
}

static int be_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    return vm_sram_write((struct vm_sram *)ctx, addr, buf, len);
}

