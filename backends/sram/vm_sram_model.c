/*
 * vm_sram_model.c - 23LC1024 family SPI-mode model. See vm_sram_model.h.
 */
#include "vm_sram_model.h"

#include <stdlib.h>
#include <string.h>

#include "vm_rng.h"

#define EDIO 0x3Bu /* DS20005142, instruction set */
#define EQIO 0x38u

static void advance(struct vm_sram_model *m)
{
    switch (m->mode & 0xC0u) {
    case VM_SRAM_MODE_SEQ: m->addr = (m->addr + 1u) & m->addr_mask; break;
    case VM_SRAM_MODE_PAGE: m->addr = (m->addr & ~(uint32_t)31u) | ((m->addr + 1u) & 31u); break;
    default: break; /* byte mode (and reserved 11): the counter does not move */
    }
}

static void model_select(void *ctx, struct vm_simbus *bus, int on)
{
    struct vm_sram_model *m = ctx;
    (void)bus;
    m->selected = (uint8_t)on;
    if (on) {
        m->count = 0;
        m->instr = 0;
        m->refused = 0;
        m->data_seen = 0;
        m->addr = 0;
    }
}

static uint8_t model_exchange(void *ctx, struct vm_simbus *bus, uint8_t mosi)
{
    struct vm_sram_model *m = ctx;
    uint8_t miso = 0xFF;
    uint8_t hdr = m->size > 65536u ? 3u : 2u;

    if (m->fault == VM_SRAM_FAULT_STUCK_FF) return 0xFF;
    if (m->fault == VM_SRAM_FAULT_STUCK_00) return 0x00;
    mosi = vm_rng_flip8(&m->rng, m->flip_ppm, &m->flips, mosi);
    if (bus->sck_hz > m->max_hz) {
        m->overspeed++;
        if (m->strict) m->refused = 1;
    }
    if (m->refused) return 0xFF;

    if (!m->spi_mode) {
        /* dual/quad mode: only RSTIO (all ones) at the start gets us back */
        if (m->count == 0 && mosi == 0xFF) m->spi_mode = 1;
        if (m->count < 255u) m->count++;
        return 0xFF;
    }
    if (m->count == 0) {
        m->instr = mosi;
        m->count = 1;
        if ((mosi == EDIO || mosi == EQIO) && m->part != VM_SRAM_23K256) m->spi_mode = 0;
        return 0xFF;
    }
    switch (m->instr) {
    case VM_SRAM_READ:
    case VM_SRAM_WRITE:
        if (m->count <= hdr) {
            m->addr = (m->addr << 8) | mosi;
            m->count++;
            if (m->count > hdr) m->addr &= m->addr_mask;
            break;
        }
        if (m->instr == VM_SRAM_READ) {
            miso = m->mem[m->addr]; /* MOSI ignored */
            m->reads++;
        } else {
            m->mem[m->addr] = mosi;
            m->writes++;
        }
        advance(m);
        break;
    case VM_SRAM_RDMR:
        miso = m->mode;
        break;
    case VM_SRAM_WRMR:
        if (m->count == 1) {
            if (m->part == VM_SRAM_23K256)
                m->mode = (uint8_t)(mosi & 0xC1u); /* mode bits + HOLD */
            else
                m->mode = (uint8_t)(mosi & 0xC0u); /* bits 5:0 must be 0 */
            m->count = 2;
        }
        break;
    default:
        break; /* RSTIO and unknown instructions: nothing */
    }
    return vm_rng_flip8(&m->rng, m->flip_ppm, &m->flips, miso);
}

int vm_sram_model_init(struct vm_sram_model *m, unsigned part, uint8_t power_up_mode)
{
    uint32_t size = vm_sram_part_size(part);
    uint8_t *mem = size ? calloc(size, 1) : NULL;
    if (mem == NULL) {
        memset(m, 0, sizeof *m);
        return -1;
    }
    if (power_up_mode == 0xFFu)
        power_up_mode = part == VM_SRAM_23K256 ? VM_SRAM_MODE_BYTE : VM_SRAM_MODE_SEQ;
    *m = (struct vm_sram_model){
        .part = (uint8_t)part,
        .size = size,
        .addr_mask = size - 1u,
        .mem = mem,
        .mode = power_up_mode,
        .spi_mode = 1,
        .max_hz = VM_SRAM_MAX_HZ,
        .rng = 1,
    };
    return 0;
}

void vm_sram_model_free(struct vm_sram_model *m)
{
    free(m->mem);
    m->mem = NULL;
}

struct vm_spi_model vm_sram_model_spi(struct vm_sram_model *m)
{
    return (struct vm_spi_model){.select = model_select, .exchange = model_exchange, .ctx = m};
}

void vm_sram_model_set_fault(struct vm_sram_model *m, unsigned fault)
{
    m->fault = (uint8_t)fault;
}

void vm_sram_model_set_flips(struct vm_sram_model *m, uint32_t ppm, uint64_t seed)
{
    m->flip_ppm = ppm;
    m->rng = seed ? seed : 1u;
}
