/*
 * vm_sd_model.c - SD card SPI-mode state machine with seeded timing and
 * faults. See vm_sd_model.h for what it models.
 */
#include "vm_sd_model.h"

#include <stdlib.h>
#include <string.h>

#include "vm_names.h"
#include "vm_rng.h"

/* Card profiles ([D] = derived here from sourced numbers).
 *
 * typical: an SdFat-era card on an Uno.
 *   NAC 0.2-0.6 ms: read access measured at ~0.6 ms from CMD17 to data on a Toshiba 4 GB card (cqr113.github.io/2018/07/29/TF-Card);
 *     a Toshiba card measured ~0.6 ms (cqr113).
 *   Further CMD18 blocks 0-50 us: Uno reads average 757 us per 512-byte
 *     block, ~27 us over the SPI minimum, maximum 912 us (SdFat#311) [D].
 *   Busy 0-30 us per streamed block: Uno writes average 743 us against a
 *     728 us minimum, 15 us mean (SdFat#311) [D]. Stalls of 4.4-20 ms about
 *     once per 10k blocks: SdFat#311 saw maxima of 13.1 ms and 4.4 ms in
 *     runs of ~10k blocks; SanDisk Ultra 15-20 ms (ArduinoCore-renesas#45) [D].
 *   Busy 0.80-0.95 ms per single-block write (CMD24), 1.07 % stalls of
 *     18-32 ms: a class-10 SanDisk Ultra 16 GB written block by block by
 *     SdFat's bench on an Uno (512-byte writes) took 1696 us minimum, about
 *     2032 us average and 20-32 ms maximum per block
 *     (forum.arduino.cc/t/benchmarks-for-new-sandisk-and-samsung-microsds/249649),
 *     of which about 900 us is the Uno's own: 820 us to clock 512 bytes out
 *     of its SPI loop (SdFat's author, forum.arduino.cc topic 126827) and
 *     the command and response. Busy is the rest: 0.8 ms minimum, mean
 *     1.13 ms with the stalls [D].
 * slow-worn: the old worn card on a Teensy 3.1 (cleanflight#436).
 *   Reads: 416 us minimum, 463 us average, 3047 us maximum per block; about
 *     175 us of that is the wire at 24 MHz, so NAC 230-330 us with 0.5 %
 *     stalls of 2.0-2.8 ms [D].
 *   Writes: 3.05 ms minimum, ~7.5 ms average, 185-194 ms maximum: busy
 *     2.85-9.0 ms (mean 5.9) with 1/128 stalls of 185-194 ms (mean adds
 *     1.5 ms) [D]. Those were single-block writes (SdFat 1.x bench, 512-byte
 *     buffer); no streamed figure exists for this card, so CMD25 blocks use
 *     the same busy.
 * Both: NCR 1-8 fill bytes (SanDisk Table 5-5). ACMD41 polls before ready
 * are not given by any source (the spec only bounds init at 1 s); 2 keeps
 * the loop visible. */
const struct vm_sd_profile vm_sd_profiles[] = {
    {.name = "typical",
     .nac_min_ns = 200000u, .nac_max_ns = 600000u,
     .next_min_ns = 0u, .next_max_ns = 50000u,
     .busy_min_ns = 0u, .busy_max_ns = 30000u,
     .stall_ppm = 100u, .stall_min_ns = 4400000u, .stall_max_ns = 20000000u,
     .single_min_ns = 800000u, .single_max_ns = 950000u,
     .single_stall_ppm = 10700u, .single_stall_min_ns = 18000000u, .single_stall_max_ns = 32000000u,
     .ncr_min = 1u, .ncr_max = 8u, .acmd41_polls = 2u,
     .source = "github.com/greiman/SdFat/issues/311; github.com/arduino/ArduinoCore-renesas/issues/45; "
               "cqr113.github.io/2018/07/29/TF-Card; SanDisk SD product manual Table 5-5; "
               "forum.arduino.cc/t/benchmarks-for-new-sandisk-and-samsung-microsds/249649 (single-block)"},
    {.name = "slow-worn",
     .nac_min_ns = 230000u, .nac_max_ns = 330000u,
     .next_min_ns = 0u, .next_max_ns = 50000u,
     .rstall_ppm = 5000u, .rstall_min_ns = 2000000u, .rstall_max_ns = 2800000u,
     .busy_min_ns = 2850000u, .busy_max_ns = 9000000u,
     .stall_ppm = 7812u, .stall_min_ns = 185000000u, .stall_max_ns = 194000000u,
     .single_min_ns = 2850000u, .single_max_ns = 9000000u,
     .single_stall_ppm = 7812u, .single_stall_min_ns = 185000000u, .single_stall_max_ns = 194000000u,
     .ncr_min = 1u, .ncr_max = 8u, .acmd41_polls = 2u,
     .source = "github.com/cleanflight/cleanflight/issues/436 (Teensy 3.1, worn card); SanDisk SD product manual Table 5-5"},
    {.name = NULL},
};

VM_NAMED_TABLE(struct vm_sd_profile, vm_sd_profiles, vm_sd_profile_name, vm_sd_profile_find)

enum {
    P_IDLE,
    P_READ_WAIT, /* waiting NAC before the token */
    P_READ_DATA, /* sending block[] */
    P_READ_HALT, /* after an error token / lost token: until CMD12 */
    P_WRITE_TOKEN,
    P_WRITE_DATA,
    P_WRITE_RESP,
    P_STOP_NBR
};

static uint32_t uniform(struct vm_sd_model *m, uint32_t lo, uint32_t hi)
{
    if (hi <= lo) return lo;
    return lo + (uint32_t)((vm_rng_xorshift64s(&m->rng) >> 16) % ((uint64_t)hi - lo + 1u));
}

static int chance(struct vm_sd_model *m, uint32_t ppm)
{
    if (ppm == 0) return 0;
    return (vm_rng_xorshift64s(&m->rng) >> 32) % 1000000u < ppm;
}

static void lat_add(struct vm_sd_lat *l, uint64_t ns)
{
    if (l->n == 0 || ns < l->min_ns) l->min_ns = ns;
    if (ns > l->max_ns) l->max_ns = ns;
    l->sum_ns += ns;
    l->n++;
}

static void respond(struct vm_sd_model *m, const uint8_t *b, uint8_t n, uint8_t extra_fill,
                    uint32_t busy_ns)
{
    memcpy(m->resp, b, n);
    m->resp_len = n;
    m->resp_pos = 0;
    m->resp_fill = (uint8_t)(extra_fill + uniform(m, m->prof->ncr_min, m->prof->ncr_max));
    m->resp_busy_ns = busy_ns;
}

static void respond1(struct vm_sd_model *m, uint8_t r1)
{
    respond(m, &r1, 1, 0, 0);
}

/* Load block blk for sending, and draw when its token goes out. */
static void start_read_block(struct vm_sd_model *m, uint64_t now, int first)
{
    uint32_t d;
    uint16_t crc;
    if (m->blk >= m->blocks) {
        m->token = 0x08; /* error token: out of range */
        m->ready_ns = now;
        m->phase = P_READ_WAIT;
        return;
    }
    memcpy(m->block, m->mem + (size_t)m->blk * VM_SD_BLOCK, VM_SD_BLOCK);
    crc = vm_sd_crc16(m->block, VM_SD_BLOCK);
    m->block[512] = (uint8_t)(crc >> 8);
    m->block[513] = (uint8_t)crc;
    if (chance(m, m->prof->rstall_ppm))
        d = uniform(m, m->prof->rstall_min_ns, m->prof->rstall_max_ns);
    else if (first)
        d = uniform(m, m->prof->nac_min_ns, m->prof->nac_max_ns);
    else
        d = uniform(m, m->prof->next_min_ns, m->prof->next_max_ns);
    lat_add(first ? &m->nac : &m->next, d);
    m->ready_ns = now + d;
    m->token = VM_SD_TOKEN_START;
    if (chance(m, m->no_token_ppm)) {
        m->token = 0;
        m->faults++;
    } else if (chance(m, m->read_error_ppm)) {
        m->token = 0x04; /* error token: card ECC failed */
        m->faults++;
    }
    m->phase = P_READ_WAIT;
}

static void finish_write_block(struct vm_sd_model *m)
{
    uint16_t crc = (uint16_t)(((uint16_t)m->block[512] << 8) | m->block[513]);
    uint32_t busy = 0;
    if (m->crc_on && vm_sd_crc16(m->block, VM_SD_BLOCK) != crc) {
        m->crc_errors++;
        m->data_resp = 0xEB; /* xxx0 101 1: CRC error */
    } else if (m->blk >= m->blocks) {
        m->data_resp = 0xED;
        m->status2 |= 0x80u; /* out of range */
    } else if (chance(m, m->write_crc_ppm)) {
        m->faults++;
        m->data_resp = 0xEB;
    } else if (chance(m, m->write_error_ppm)) {
        m->faults++;
        m->data_resp = 0xED; /* xxx0 110 1: write error */
        m->status2 |= 0x04u; /* R2: error */
    } else {
        memcpy(m->mem + (size_t)m->blk * VM_SD_BLOCK, m->block, VM_SD_BLOCK);
        m->blocks_written++;
        m->data_resp = 0xE5; /* xxx0 010 1: accepted */
        const struct vm_sd_profile *p = m->prof;
        if (!m->multi) {
            if (chance(m, p->single_stall_ppm))
                busy = uniform(m, p->single_stall_min_ns, p->single_stall_max_ns);
            else
                busy = uniform(m, p->single_min_ns, p->single_max_ns);
            lat_add(&m->single, busy);
        } else {
            if (chance(m, p->stall_ppm))
                busy = uniform(m, p->stall_min_ns, p->stall_max_ns);
            else
                busy = uniform(m, p->busy_min_ns, p->busy_max_ns);
            lat_add(&m->busy, busy);
        }
    }
    m->resp_busy_ns = busy; /* applied when the data response goes out */
    m->blk++;
    m->phase = P_WRITE_RESP;
}

static uint8_t block_arg(struct vm_sd_model *m, uint32_t arg, uint32_t *blk)
{
    if (m->kind == VM_SD_TYPE_SDHC) {
        *blk = arg;
    } else {
        if (arg & 511u) return 0x20; /* address error: misaligned */
        *blk = arg >> 9;
    }
    if (*blk >= m->blocks) return 0x40; /* parameter error: out of range */
    return 0;
}

/* Whether the card takes a command now: powered up, in SPI mode, not busy,
 * and not in the middle of a transfer (there only CMD12 and CMD0 count). A
 * refused command is a protocol violation. */
static int accepts_command(struct vm_sd_model *m, uint8_t c, int crc_ok, uint64_t now)
{
    if (m->idle_clocks < 74u) { /* not powered up: >= 74 clocks first */
        m->violations++;
        return 0;
    }
    if (!m->spi) { /* SD mode: only a CMD0 with a valid CRC gets us to SPI */
        if (c != VM_SD_CMD0 || !crc_ok) {
            m->violations++;
            return 0;
        }
        m->spi = 1;
    }
    if (now < m->busy_until) { /* host must wait for ready */
        m->violations++;
        return 0;
    }
    if ((m->phase == P_READ_WAIT || m->phase == P_READ_DATA || m->phase == P_READ_HALT ||
         m->phase == P_WRITE_TOKEN) &&
        c != VM_SD_CMD12 && c != VM_SD_CMD0) {
        m->violations++;
        return 0;
    }
    return 1;
}

/* ACMD41, ACMD23 and an unknown ACMDn after CMD55; returns 1 when it was one
 * of them (a repeated CMD55 is just CMD55). */
static int app_command(struct vm_sd_model *m, uint8_t c, uint32_t arg, uint8_t r1)
{
    if (c == VM_SD_ACMD41) {
        if (m->kind == VM_SD_TYPE_SDHC && !(arg & 0x40000000ul)) {
            respond1(m, 1); /* an SDHC card never leaves idle without HCS */
        } else if (m->acmd41_left > 0) {
            m->acmd41_left--;
            respond1(m, 1);
        } else {
            m->idle = 0;
            respond1(m, 0);
        }
        return 1;
    }
    if (c == 23u && !m->idle) { /* ACMD23 SET_WR_BLK_ERASE_COUNT (spec 4.3.4) */
        m->pre_erase++;
        m->erase_count = arg & 0x7FFFFFul;
        respond1(m, 0);
        return 1;
    }
    if (c != VM_SD_CMD55) { /* a repeated CMD55 is just CMD55 */
        respond1(m, (uint8_t)(r1 | VM_SD_R1_ILLEGAL));
        return 1;
    }
    return 0;
}

/* CMD17/CMD18 (read one block/stream), CMD24/CMD25 (write one block/stream). */
static void block_command(struct vm_sd_model *m, uint8_t c, uint32_t arg, uint8_t r1, uint64_t now)
{
    uint8_t err = block_arg(m, arg, &m->blk);
    if (err) {
        respond1(m, (uint8_t)(r1 | err));
        return;
    }
    respond1(m, 0);
    if (c == VM_SD_CMD17 || c == VM_SD_CMD18) {
        m->multi = c == VM_SD_CMD18;
        start_read_block(m, now, 1);
    } else {
        m->multi = c == VM_SD_CMD25;
        m->phase = P_WRITE_TOKEN;
    }
}

/* The other commands in SPI mode, r1 the idle bit of the reply. */
static void spi_command(struct vm_sd_model *m, uint8_t c, uint32_t arg, uint8_t r1, uint64_t now)
{
    uint8_t b[5];
    switch (c) {
    case VM_SD_CMD0:
        m->idle = 1;
        m->crc_on = 0;
        m->status2 = 0;
        m->acmd41_left = m->prof->acmd41_polls;
        m->phase = P_IDLE;
        respond1(m, 1);
        break;
    case VM_SD_CMD8:
        if (m->kind == VM_SD_TYPE_SD1) {
            respond1(m, (uint8_t)(r1 | VM_SD_R1_ILLEGAL));
            break;
        }
        b[0] = r1;
        b[1] = 0;
        b[2] = 0;
        b[3] = (uint8_t)((arg >> 8) & 0x0Fu); /* voltage accepted */
        b[4] = (uint8_t)arg;                   /* check pattern echo */
        respond(m, b, 5, 0, 0);
        break;
    case VM_SD_CMD12:
        if (m->phase == P_READ_WAIT || m->phase == P_READ_DATA || m->phase == P_READ_HALT) {
            m->phase = P_IDLE;
            b[0] = 0;
            respond(m, b, 1, 1, 0); /* one stuff byte, then NCR, then R1b */
        } else if (m->phase == P_WRITE_TOKEN && m->multi) {
            m->phase = P_IDLE;
            respond1(m, 0);
        } else {
            respond1(m, (uint8_t)(r1 | VM_SD_R1_ILLEGAL));
        }
        break;
    case VM_SD_CMD13:
        b[0] = r1;
        b[1] = m->status2;
        m->status2 = 0;
        respond(m, b, 2, 0, 0);
        break;
    case 16u: /* SET_BLOCKLEN: only 512 is useful here */
        respond1(m, (uint8_t)(r1 | (arg == 512u || m->kind == VM_SD_TYPE_SDHC ? 0u : 0x40u)));
        break;
    case VM_SD_CMD17:
    case VM_SD_CMD18:
    case VM_SD_CMD24:
    case VM_SD_CMD25:
        block_command(m, c, arg, r1, now);
        break;
    case VM_SD_CMD55:
        m->app = 1;
        respond1(m, r1);
        break;
    case VM_SD_CMD58: {
        int ready = !m->idle;
        b[0] = r1;
        b[1] = (uint8_t)((ready ? 0x80u : 0u) | (ready && m->kind == VM_SD_TYPE_SDHC ? 0x40u : 0u));
        b[2] = 0xFF; /* 2.7-3.6 V window */
        b[3] = 0x80;
        b[4] = 0x00;
        respond(m, b, 5, 0, 0);
        break;
    }
    case VM_SD_CMD59:
        m->crc_on = (uint8_t)(arg & 1u);
        respond1(m, r1);
        break;
    default:
        respond1(m, (uint8_t)(r1 | VM_SD_R1_ILLEGAL));
        break;
    }
}

static void do_command(struct vm_sd_model *m, uint64_t now)
{
    uint8_t c = (uint8_t)(m->cmd[0] & 0x3Fu);
    uint32_t arg = ((uint32_t)m->cmd[1] << 24) | ((uint32_t)m->cmd[2] << 16) |
                   ((uint32_t)m->cmd[3] << 8) | m->cmd[4];
    int crc_ok = vm_sd_crc7(m->cmd, 5) == m->cmd[5];
    uint8_t app, r1;

    if (!accepts_command(m, c, crc_ok, now)) return;
    m->commands++;
    if ((m->crc_on || c == VM_SD_CMD0 || c == VM_SD_CMD8) && !crc_ok) {
        m->crc_errors++;
        m->app = 0;
        respond1(m, (uint8_t)((m->idle ? 1u : 0u) | VM_SD_R1_CRC));
        return;
    }
    app = m->app;
    m->app = 0;
    r1 = m->idle ? 1u : 0u;
    if (app && app_command(m, c, arg, r1)) return;
    if (m->idle && c != VM_SD_CMD0 && c != 1u && c != VM_SD_CMD8 && c != VM_SD_CMD55 &&
        c != VM_SD_CMD58 && c != VM_SD_CMD59) {
        respond1(m, (uint8_t)(r1 | VM_SD_R1_ILLEGAL));
        return;
    }
    spi_command(m, c, arg, r1, now);
}

/* What the card drives on MISO for this byte, from its state before it. */
static uint8_t output(struct vm_sd_model *m, uint64_t now)
{
    uint8_t b;
    if (m->resp_len) {
        if (m->resp_fill) {
            m->resp_fill--;
            return 0xFF;
        }
        b = m->resp[m->resp_pos++];
        if (m->resp_pos == m->resp_len) {
            m->resp_len = m->resp_pos = 0;
            if (m->resp_busy_ns && now + m->resp_busy_ns > m->busy_until)
                m->busy_until = now + m->resp_busy_ns;
            m->resp_busy_ns = 0;
        }
        return b;
    }
    switch (m->phase) {
    case P_READ_WAIT:
        if (now < m->ready_ns || m->token == 0) return 0xFF;
        if (m->token != VM_SD_TOKEN_START) {
            m->phase = P_READ_HALT;
            return m->token;
        }
        m->phase = P_READ_DATA;
        m->pos = 0;
        return VM_SD_TOKEN_START;
    case P_READ_DATA:
        b = m->block[m->pos++];
        if (m->pos == 514u) {
            m->blocks_read++;
            if (m->multi) {
                m->blk++;
                start_read_block(m, now, 0);
            } else {
                m->phase = P_IDLE;
            }
        }
        return b;
    case P_WRITE_RESP:
        b = m->data_resp;
        m->phase = m->multi ? P_WRITE_TOKEN : P_IDLE;
        if (now + m->resp_busy_ns > m->busy_until) m->busy_until = now + m->resp_busy_ns;
        m->resp_busy_ns = 0;
        return b;
    case P_STOP_NBR:
        m->phase = P_IDLE; /* NBR: one byte before busy (none here) */
        return 0xFF;
    default:
        return now < m->busy_until ? 0x00 : 0xFF;
    }
}

static void input(struct vm_sd_model *m, uint8_t mosi, uint64_t now)
{
    if (m->phase == P_WRITE_DATA) {
        m->block[m->pos++] = mosi;
        if (m->pos == 514u) finish_write_block(m);
        return;
    }
    if (m->phase == P_WRITE_TOKEN && m->cmd_len == 0) {
        uint8_t tok = m->multi ? VM_SD_TOKEN_MULTI : VM_SD_TOKEN_START;
        if (mosi == tok) {
            if (now < m->busy_until) {
                m->violations++;
            } else {
                m->phase = P_WRITE_DATA;
                m->pos = 0;
            }
            return;
        }
        if (mosi == VM_SD_TOKEN_STOP && m->multi) {
            if (now < m->busy_until)
                m->violations++;
            else
                m->phase = P_STOP_NBR;
            return;
        }
        if (mosi == VM_SD_TOKEN_START || mosi == VM_SD_TOKEN_MULTI || mosi == VM_SD_TOKEN_STOP) {
            m->violations++;
            return;
        }
    }
    if (m->cmd_len == 0) {
        if ((mosi & 0xC0u) == 0x40u) m->cmd[m->cmd_len++] = mosi;
        return;
    }
    m->cmd[m->cmd_len++] = mosi;
    if (m->cmd_len == 6u) {
        m->cmd_len = 0;
        do_command(m, now);
    }
}

static uint8_t model_exchange(void *ctx, struct vm_simbus *bus, uint8_t mosi)
{
    struct vm_sd_model *m = ctx;
    uint64_t now = vm_simclock_now(bus->clock);
    uint8_t out;
    if (m->dead) return 0xFF;
    mosi = vm_rng_flip8(&m->rng, m->flip_ppm, &m->flips, mosi);
    if (bus->sck_hz > m->max_hz) m->overspeed++;
    if ((!m->spi || m->idle) && bus->sck_hz > VM_SD_INIT_HZ) m->init_overspeed++;
    out = output(m, now);
    input(m, mosi, now);
    if (m->stuck_busy) out = 0x00;
    return vm_rng_flip8(&m->rng, m->flip_ppm, &m->flips, out);
}

/* The bus's closed-form poll (vm_spi_model.steady): while the host sends
 * 0xFF and no command, response or data block is under way, the card
 * answers filler until its token is due (reading) or 0x00 until its busy
 * time ends, then 0xFF for ever. Nothing is drawn meanwhile (no bit flips
 * on; a stuck card is clocked byte by byte). */
static int model_steady(void *ctx, const struct vm_simbus *bus, uint64_t sample, uint8_t *out,
                        uint64_t *until)
{
    const struct vm_sd_model *m = ctx;
    (void)bus;
    *out = 0xFF;
    *until = UINT64_MAX;
    if (m->dead) return 1;
    if (m->flip_ppm || m->stuck_busy || m->resp_len || m->cmd_len) return 0;
    switch (m->phase) {
    case P_READ_WAIT:
        if (m->token != 0) *until = m->ready_ns;
        return 1;
    case P_IDLE:
    case P_READ_HALT:
    case P_WRITE_TOKEN:
        if (sample < m->busy_until) {
            *out = 0x00;
            *until = m->busy_until;
        }
        return 1;
    default:
        return 0;
    }
}

/* n bytes answered as model_steady said: the per-byte counters. */
static void model_skip(void *ctx, struct vm_simbus *bus, uint64_t n)
{
    struct vm_sd_model *m = ctx;
    if (m->dead) return;
    if (bus->sck_hz > m->max_hz) m->overspeed += n;
    if ((!m->spi || m->idle) && bus->sck_hz > VM_SD_INIT_HZ) m->init_overspeed += n;
}

/* The bus's closed-form transfer (vm_spi_model.bulk): the rest of a data
 * block at once, sent (tx NULL, a read) or received (rx NULL, a write),
 * when nothing else would answer or listen (no response or command under
 * way, no bit flips). The block's end does what its last byte would. */
static size_t model_bulk(void *ctx, struct vm_simbus *bus, uint64_t sample, uint64_t p,
                         const uint8_t *tx, uint8_t *rx, size_t n)
{
    struct vm_sd_model *m = ctx;
    size_t k;
    if (m->dead || m->flip_ppm || m->stuck_busy || m->resp_len || m->cmd_len) return 0;
    if (m->phase == P_READ_DATA && !tx) {
        k = 514u - m->pos < n ? 514u - m->pos : n;
        if (rx) memcpy(rx, m->block + m->pos, k);
    } else if (m->phase == P_WRITE_DATA && !rx) {
        k = 514u - m->pos < n ? 514u - m->pos : n;
        if (tx)
            memcpy(m->block + m->pos, tx, k);
        else
            memset(m->block + m->pos, 0xFF, k);
    } else {
        return 0;
    }
    model_skip(m, bus, k);
    m->pos = (uint16_t)(m->pos + k);
    if (m->pos == 514u) {
        if (m->phase == P_WRITE_DATA) {
            finish_write_block(m);
        } else {
            m->blocks_read++;
            if (m->multi) {
                m->blk++;
                start_read_block(m, sample + (k - 1u) * p, 0);
            } else {
                m->phase = P_IDLE;
            }
        }
    }
    return k;
}

static void model_select(void *ctx, struct vm_simbus *bus, int on)
{
    struct vm_sd_model *m = ctx;
    (void)bus;
    if (on || m->dead) return;
    /* CS high: MISO released; a half-sent command or write block is lost */
    m->cmd_len = 0;
    m->resp_len = m->resp_pos = m->resp_fill = 0;
    if (m->phase == P_WRITE_DATA) {
        m->violations++;
        m->phase = P_WRITE_TOKEN;
    }
}

static void model_unselected(void *ctx, struct vm_simbus *bus, uint8_t mosi)
{
    struct vm_sd_model *m = ctx;
    (void)bus;
    (void)mosi;
    if (m->idle_clocks < 1000u) m->idle_clocks += 8u;
}

int vm_sd_model_init(struct vm_sd_model *m, unsigned kind, uint32_t blocks,
                     const struct vm_sd_profile *prof, uint64_t seed)
{
    int ok = kind >= VM_SD_TYPE_SD1 && kind <= VM_SD_TYPE_SDHC && blocks > 0;
    uint8_t *mem = ok ? calloc(blocks, VM_SD_BLOCK) : NULL;
    if (mem == NULL) {
        memset(m, 0, sizeof *m);
        return -1;
    }
    if (prof == NULL) prof = &vm_sd_profiles[0];
    *m = (struct vm_sd_model){
        .kind = (uint8_t)kind,
        .blocks = blocks,
        .mem = mem,
        .prof = prof,
        .rng = seed ? seed : 1u,
        .max_hz = VM_SD_MAX_HZ,
        .idle = 1,
        .acmd41_left = prof->acmd41_polls,
        .phase = P_IDLE,
    };
    return 0;
}

void vm_sd_model_free(struct vm_sd_model *m)
{
    free(m->mem);
    m->mem = NULL;
}

struct vm_spi_model vm_sd_model_spi(struct vm_sd_model *m)
{
    return (struct vm_spi_model){.select = model_select,
                                 .exchange = model_exchange,
                                 .unselected = model_unselected,
                                 .ctx = m,
                                 .steady = model_steady,
                                 .skip = model_skip,
                                 .bulk = model_bulk};
}

void vm_sd_model_set_dead(struct vm_sd_model *m, int dead)
{
    m->dead = (uint8_t)(dead != 0);
    if (m->dead) {
        m->phase = P_IDLE;
        m->cmd_len = 0;
        m->resp_len = m->resp_pos = m->resp_fill = 0;
        m->resp_busy_ns = 0;
    }
}
