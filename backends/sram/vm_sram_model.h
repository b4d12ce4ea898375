/*
 * vm_sram_model.h - desktop model of a 23LC1024 / 23LC512 / 23K256 chip on a
 * simulated SPI bus (backends/bus/vm_simbus.h).
 *
 * The model answers byte for byte as the chip does in SPI mode (Microchip
 * 23A1024/23LC1024 datasheet DS20005142, p.5; Microchip's 23LC1024.v
 * Verilog model, Rev 1.0, for the exact counter behaviour):
 *   READ 03 / WRITE 02 + 24-bit address (16-bit on the 64 KiB and smaller
 *   parts); the address is masked to 17 bits (16 / 15 on the smaller parts).
 *   Byte mode: the address does not move, so every data byte of one command
 *   hits the same cell. Page mode: the low 5 bits count and wrap inside the
 *   32-byte page. Sequential mode: the whole counter counts and wraps at the
 *   end of the array.
 *   RDMR 05 returns the mode register for as long as it is clocked; WRMR 01
 *   latches bits 7:6 of the next byte (23K256: status register, HOLD bit 0
 *   kept). RSTIO FF does nothing in SPI mode. EDIO 3B / EQIO 38 (23LC1024 and
 *   23LC512 only) leave SPI mode: the chip then ignores SPI traffic until a
 *   transaction starting with FF (RSTIO) brings it back.
 *   MOSI is ignored during READ data; MISO is 0xFF (not driven) outside data.
 * Speed: SCK above max_hz (20 MHz) is counted as an overspeed byte; in
 * strict mode such a transaction is also refused (not executed, MISO 0xFF).
 * Faults: a chip that does not answer (ignores MOSI; MISO stuck at 0xFF or
 * 0x00), and seeded random single-bit flips on MOSI and MISO bytes.
 */
#ifndef VM_SRAM_MODEL_H
#define VM_SRAM_MODEL_H

#include <stdint.h>

#include "vm_simbus.h"
#include "vm_sram.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vm_sram_fault {
    VM_SRAM_FAULT_NONE = 0,
    VM_SRAM_FAULT_STUCK_FF, /* chip absent: MISO pulled up */
    VM_SRAM_FAULT_STUCK_00  /* chip absent: MISO pulled down */
};

struct vm_sram_model {
    uint8_t part;        /* enum vm_sram_part */
    uint32_t size;       /* bytes */
    uint32_t addr_mask;  /* size - 1 */
    uint8_t *mem;
    uint8_t mode;        /* mode/status register */
    uint8_t spi_mode;    /* 0 after EDIO/EQIO */
    uint32_t max_hz;     /* rated SCK */
    uint8_t strict;      /* refuse transactions above max_hz */
    /* transaction state */
    uint8_t selected;
    uint8_t instr;
    uint8_t count;       /* header bytes seen so far (saturates) */
    uint8_t refused;     /* strict mode: this transaction ignored */
    uint8_t data_seen;   /* data bytes of this command (saturates at 255) */
    uint32_t addr;
    /* faults */
    uint8_t fault;       /* enum vm_sram_fault */
    uint32_t flip_ppm;   /* probability, per byte and direction, of one bit flip */
    uint64_t rng;
    /* counters */
    uint64_t overspeed;  /* bytes clocked above max_hz */
    uint64_t flips;      /* bits flipped by fault injection */
    uint64_t reads, writes; /* data bytes */
};

/* Allocate the array (filled with 0x00) and reset. power_up_mode 0xFF picks
 * the part's default: sequential for 23LC1024/23LC512 (the Microchip model
 * starts in SEQMODE), byte mode for the 23K256 (DS22100F). Returns 0 or -1. */
int vm_sram_model_init(struct vm_sram_model *m, unsigned part, uint8_t power_up_mode);
void vm_sram_model_free(struct vm_sram_model *m);
/* The model's bus interface, for vm_simbus_attach. */
struct vm_spi_model vm_sram_model_spi(struct vm_sram_model *m);
void vm_sram_model_set_fault(struct vm_sram_model *m, unsigned fault);
void vm_sram_model_set_flips(struct vm_sram_model *m, uint32_t ppm, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* VM_SRAM_MODEL_H */
