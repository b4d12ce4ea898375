/*
 * vm_sram.h - driver for Microchip SPI SRAM (23LC1024, 23LC512, 23K256) as a
 * pager backend, one chip or several joined end to end.
 *
 * Portable C99 (no malloc, stdio, float or VLAs; int may be 16 bits). It
 * speaks through struct vm_spi (backends/bus/vm_bus.h), SPI mode 0.
 *
 * On the wire (as the Arduino drivers mattairtech/SRAM_23LC src/SRAM_23LC.cpp
 * and rhelmus/serialram serialram.cpp put it):
 *   begin   CS- 01 40 CS+            WRMR: sequential mode, on every chip
 *   read    CS- 03 [A2] A1 A0 FF.. CS+   MOSI carries 0xFF during data
 *   write   CS- 02 [A2] A1 A0 d..  CS+
 * A2 is sent only by parts larger than 64 KiB (23LC1024). A transfer that
 * crosses a chip boundary is split into one transaction per chip. The clock
 * is set before each transaction (like SPI.beginTransaction), so devices
 * with other clocks can share the bus.
 *
 * SPI SRAM has no CRC or status: a chip that stops answering reads as 0xFF
 * or 0x00 and bit errors on the wire are invisible. With VM_SRAM_VERIFY the
 * driver reads the mode register (CS- 05 FF CS+) after begin and after every
 * transfer and fails with VM_ERR_NODEV unless it reads back sequential mode,
 * which catches a chip that is absent or stuck; wire bit flips stay
 * undetectable by design.
 */
#ifndef VM_SRAM_H
#define VM_SRAM_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"
#include "vm_bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parts. The mode register layout (bits 7:6) is the same on all of them;
 * the 23K256 calls it the status register and adds a HOLD bit 0. */
enum vm_sram_part {
    VM_SRAM_23LC1024 = 0, /* 128 KiB, 24-bit address (A16..A0 used) */
    VM_SRAM_23LC512 = 1,  /* 64 KiB, 16-bit address */
    VM_SRAM_23K256 = 2    /* 32 KiB, 16-bit address, 3.3 V only */
};

#define VM_SRAM_MAX_CHIPS 8u

/* Instructions (23LC1024 datasheet DS20005142, instruction set table). */
#define VM_SRAM_READ 0x03u
#define VM_SRAM_WRITE 0x02u
#define VM_SRAM_RDMR 0x05u
#define VM_SRAM_WRMR 0x01u
#define VM_SRAM_RSTIO 0xFFu
/* Mode register values (bits 7:6). */
#define VM_SRAM_MODE_BYTE 0x00u
#define VM_SRAM_MODE_PAGE 0x80u
#define VM_SRAM_MODE_SEQ 0x40u

/* 20 MHz is every part's maximum SCK (datasheets DS20005142 p.1, DS22100 p.1). */
#define VM_SRAM_MAX_HZ 20000000ul

/* flags */
#define VM_SRAM_VERIFY 0x01u /* check the mode register after each transfer */

struct vm_sram_config {
    const struct vm_spi *spi;
    uint8_t part;                     /* enum vm_sram_part; all chips alike */
    uint8_t chips;                    /* 1..VM_SRAM_MAX_CHIPS */
    uint8_t cs[VM_SRAM_MAX_CHIPS];    /* chip select of each chip, in pool order */
    uint32_t clock_hz;                /* 0: VM_SRAM_MAX_HZ */
    uint8_t flags;
};

/* The driver instance. Fields are private. */
struct vm_sram {
    const struct vm_spi *spi;
    uint32_t chip_size;
    uint32_t clock_hz;
    uint8_t addr_bytes;
    uint8_t chips;
    uint8_t flags;
    uint8_t cs[VM_SRAM_MAX_CHIPS];
    struct vm_backend be;
};

/* Bytes in one chip of part, or 0 for an unknown part. */
uint32_t vm_sram_part_size(unsigned part);

/* Check the configuration, set the clock, put every chip in sequential mode.
 * Returns VM_OK, VM_ERR_INVAL, or VM_ERR_NODEV (VM_SRAM_VERIFY: a chip did
 * not read back sequential mode). */
int vm_sram_begin(struct vm_sram *sr, const struct vm_sram_config *cfg);

/* The backend for vm_config.backend; size = chips x chip size. */
const struct vm_backend *vm_sram_backend(const struct vm_sram *sr);

/* Direct access, the backend's read and write (any length in the pool). */
int vm_sram_read(struct vm_sram *sr, uint32_t addr, void *buf, size_t len);
int vm_sram_write(struct vm_sram *sr, uint32_t addr, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VM_SRAM_H */
