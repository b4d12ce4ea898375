/*
 * test_sd.c - SD card in SPI mode: CRCs, the initialisation transcript, the
 * exact SdFat transaction patterns accepted by the model (a test-only host
 * that emits SdFat's bytes), card-type addressing, the block buffer's
 * read-modify-write rules, the model's latency statistics against its
 * profile, and the driver's handling of timeouts, error tokens, data
 * responses and wire corruption, plus the core pager over driver + model.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "be_diff.h"
#include "vm_sd.h"
#include "vm_sd_model.h"
#include "simbus_log.h"
#include "vm_simbus.h"
#include "vm_sram.h"
#include "vm_sram_model.h"

struct rig {
    struct vm_simclock clk;
    struct vm_simbus bus;
    struct vm_sd_model card;
    struct vm_sd_profile prof;
    struct vm_sd sd;
    char text[65536];
    struct vm_simbus_log log;
};

/* A card of kind with `blocks` blocks on CS 0; ncr1 fixes NCR at 1 byte so
 * transcripts are exact. */
static struct rig *rig_new(unsigned kind, uint32_t blocks, const char *prof, int ncr1,
                           const struct vm_platform *plat)
{
    struct rig *r = calloc(1, sizeof *r);
    struct vm_spi_model m;
    r->prof = *vm_sd_profile_find(prof);
    if (ncr1) r->prof.ncr_min = r->prof.ncr_max = 1;
    vm_simbus_init(&r->bus, &r->clk, plat);
    ck_assert_int_eq(vm_sd_model_init(&r->card, kind, blocks, &r->prof, 77), 0);
    m = vm_sd_model_spi(&r->card);
    vm_simbus_attach(&r->bus, 0, &m);
    r->log.buf = r->text;
    r->log.cap = sizeof r->text;
    return r;
}

static int rig_begin(struct rig *r, uint32_t first, uint32_t count, uint8_t flags)
{
    struct vm_sd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &r->bus.spi;
    cfg.cs = 0;
    cfg.flags = flags;
    cfg.first_block = first;
    cfg.block_count = count;
    return vm_sd_begin(&r->sd, &cfg);
}

static void rig_free(struct rig *r)
{
    vm_sd_model_free(&r->card);
    free(r);
}

static void record(struct rig *r, int miso)
{
    vm_simbus_log_clear(&r->log);
    r->log.miso = miso;
    vm_simbus_set_trace(&r->bus, vm_simbus_log_fn, &r->log);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

START_TEST(test_crc)
{
    static const uint8_t cmd0[5] = {0x40, 0, 0, 0, 0};
    static const uint8_t cmd8[5] = {0x48, 0, 0, 0x01, 0xAA};
    static const uint8_t cmd17[5] = {0x51, 0, 0, 0, 0};
    uint8_t ff[512];
    memset(ff, 0xFF, sizeof ff);
    ck_assert_uint_eq(vm_sd_crc7(cmd0, 5), 0x95);  /* SdFat 2.x SdSpiCard.cpp cardCommand() */
    ck_assert_uint_eq(vm_sd_crc7(cmd8, 5), 0x87);
    ck_assert_uint_eq(vm_sd_crc7(cmd17, 5), 0x55); /* spec example */
    ck_assert_uint_eq(vm_sd_crc16(ff, 512), 0x7FA1); /* spec example */
    ck_assert_uint_eq(vm_sd_crc16((const uint8_t *)"123456789", 9), 0x31C3);
    /* the byte-wise CRC16 against the polynomial bit by bit, every length
     * up to a block's over one buffer (each byte value at each position) */
    uint8_t buf[512];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    uint16_t ref = 0;
    for (size_t n = 1; n <= sizeof buf; n++) {
        ref = (uint16_t)(ref ^ ((uint16_t)buf[n - 1] << 8));
        for (unsigned b = 0; b < 8u; b++)
            ref = (ref & 0x8000u) ? (uint16_t)((unsigned)(ref << 1) ^ 0x1021u) : (uint16_t)(ref << 1);
        ck_assert_uint_eq(vm_sd_crc16(buf, n), ref);
    }
}
END_TEST

START_TEST(test_init_transcript)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 1, NULL);
    record(r, 0);
    ck_assert_int_eq(rig_begin(r, 0, 64, 0), VM_OK);
    ck_assert_uint_eq(r->sd.type, VM_SD_TYPE_SDHC);
    ck_assert_str_eq(r->text,
                     /* 80 clocks, CS high */
                     "FF FF FF FF FF FF FF FF FF FF "
                     /* spiStart; CMD0 (after waitReady's byte), fill, R1 */
                     "S0 FF FF 40 00 00 00 00 95 FF FF "
                     /* CMD8(0x1AA), fill, R1, 4 bytes of R7 */
                     "FF 48 00 00 01 AA 87 FF FF FF FF FF FF "
                     /* CMD55 + ACMD41(HCS) three times: idle, idle, ready */
                     "FF 77 00 00 00 00 87 FF FF FF 69 40 00 00 00 87 FF FF "
                     "FF 77 00 00 00 00 87 FF FF FF 69 40 00 00 00 87 FF FF "
                     "FF 77 00 00 00 00 87 FF FF FF 69 40 00 00 00 87 FF FF "
                     /* CMD58, fill, R1, OCR; spiStop */
                     "FF 7A 00 00 00 00 87 FF FF FF FF FF FF U0 FF ");
    /* and what the card answered */
    record(r, 1);
    ck_assert_int_eq(rig_begin(r, 0, 64, 0), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "40/FF 00/FF 00/FF 00/FF 00/FF 95/FF FF/FF FF/01 "));
    ck_assert_ptr_nonnull(strstr(r->text, "FF/FF FF/01 FF/00 FF/00 FF/01 FF/AA "));
    ck_assert_ptr_nonnull(strstr(r->text, "87/FF FF/FF FF/00 FF/C0 FF/FF FF/80 FF/00 U0"));
    ck_assert_uint_eq(r->card.violations, 0);
    ck_assert_uint_eq(r->card.init_overspeed, 0); /* init ran at <= 400 kHz */
    ck_assert_uint_eq(r->bus.sck_hz, 25000000u);  /* then full speed */
    rig_free(r);
}
END_TEST

/* Card kinds: SD1 (no CMD8), SD2 standard capacity, SDHC; addressing. */
START_TEST(test_card_kinds)
{
    static const unsigned kinds[3] = {VM_SD_TYPE_SD1, VM_SD_TYPE_SD2, VM_SD_TYPE_SDHC};
    static const char *cmd18[3] = {"52 00 00 06 00", "52 00 00 06 00", "52 00 00 00 03"};
    uint8_t b[512];
    struct rig *r = rig_new(kinds[_i], 64, "typical", 1, NULL);
    ck_assert_int_eq(rig_begin(r, 3, 32, 0), VM_OK);
    ck_assert_uint_eq(r->sd.type, kinds[_i]);
    record(r, 0);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 0, b, 1), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, cmd18[_i]));
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

/* No card on the bus: CMD0 never answers; NODEV after SdFat's 2 s. */
START_TEST(test_no_card)
{
    struct vm_simclock clk = {0};
    struct vm_simbus bus;
    struct vm_sd sd;
    struct vm_sd_config cfg;
    uint8_t buf[1];
    vm_simbus_init(&bus, &clk, NULL);
    memset(&cfg, 0, sizeof cfg);
    cfg.spi = &bus.spi;
    cfg.block_count = 10;
    ck_assert_int_eq(vm_sd_begin(&sd, &cfg), VM_ERR_NODEV);
    ck_assert_uint_ge(clk.ns, 2000000000ull); /* after SdFat's 2 s */
    ck_assert_int_eq(vm_sd_read(&sd, 0, buf, 1), VM_ERR_NODEV);
    cfg.block_count = 0;
    ck_assert_int_eq(vm_sd_begin(&sd, &cfg), VM_ERR_INVAL);
}
END_TEST

/* ---- a test-only host that emits SdFat's exact bytes (SdSpiCard.cpp) ---- */
struct host {
    struct rig *r;
    int active;
};
static uint8_t h_x(struct host *h, uint8_t b)
{
    uint8_t rx;
    h->r->bus.spi.transfer(h->r->bus.spi.ctx, &b, &rx, 1);
    return rx;
}
static void h_start(struct host *h)
{
    if (h->active) return;
    h->r->bus.spi.select(h->r->bus.spi.ctx, 0, 1);
    h_x(h, 0xFF);
    h->active = 1;
}
static void h_stop(struct host *h)
{
    if (!h->active) return;
    h->r->bus.spi.select(h->r->bus.spi.ctx, 0, 0);
    h_x(h, 0xFF);
    h->active = 0;
}
static int h_wait(struct host *h, uint32_t ms)
{
    uint32_t t0 = h->r->bus.spi.millis(h->r->bus.spi.ctx);
    while (h_x(h, 0xFF) != 0xFF)
        if (h->r->bus.spi.millis(h->r->bus.spi.ctx) - t0 >= ms) return 0;
    return 1;
}
static uint8_t h_cmd_crc(struct host *h, uint8_t cmd, uint32_t arg, uint8_t crc)
{
    uint8_t st;
    int n = 0;
    h_start(h);
    if (cmd != 12 && !h_wait(h, 300) && cmd != 0) return 0xFF;
    h_x(h, (uint8_t)(cmd | 0x40));
    h_x(h, (uint8_t)(arg >> 24));
    h_x(h, (uint8_t)(arg >> 16));
    h_x(h, (uint8_t)(arg >> 8));
    h_x(h, (uint8_t)arg);
    h_x(h, crc);
    h_x(h, 0xFF); /* discard first fill byte */
    do st = h_x(h, 0xFF);
    while ((st & 0x80) && ++n < 10);
    return st;
}
static uint8_t h_cmd(struct host *h, uint8_t cmd, uint32_t arg)
{
    return h_cmd_crc(h, cmd, arg, cmd == 0 ? 0x95 : 0x87); /* SdFat's CRCs */
}

static int h_read_data(struct host *h, uint8_t *dst)
{
    uint8_t t;
    int i;
    while ((t = h_x(h, 0xFF)) == 0xFF) {}
    if (t != 0xFE) return 0;
    for (i = 0; i < 512; i++) dst[i] = h_x(h, 0xFF);
    h_x(h, 0xFF);
    h_x(h, 0xFF);
    return 1;
}
static int h_write_data(struct host *h, uint8_t token, const uint8_t *src)
{
    int i;
    h_x(h, token);
    for (i = 0; i < 512; i++) h_x(h, src[i]);
    h_x(h, 0xFF);
    h_x(h, 0xFF);
    return (h_x(h, 0xFF) & 0x1F) == 0x05;
}

START_TEST(test_sdfat_patterns)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 256, "typical", 0, vm_platform_find("atmega328p"));
    struct host h = {r, 0};
    static uint8_t out[6][512], in[512];
    unsigned i;
    /* the driver initialises; the host then takes the bus */
    ck_assert_int_eq(rig_begin(r, 0, 256, 0), VM_OK);
    for (i = 0; i < 6; i++) fill(out[i], 512, i + 1);

    /* dedicated: CMD25 at 10, three blocks (waitReady, 0xFC, data, CRC,
     * response), then writeStop (waitReady, 0xFD, spiStop) */
    ck_assert_uint_eq(h_cmd(&h, 25, 10), 0);
    for (i = 0; i < 3; i++) {
        ck_assert(h_wait(&h, 600));
        ck_assert(h_write_data(&h, 0xFC, out[i]));
    }
    ck_assert(h_wait(&h, 600));
    h_x(&h, 0xFD);
    h_stop(&h);

    /* shared: CMD24 at 20, 0xFE block, response, waitReady, CMD13 + byte */
    ck_assert_uint_eq(h_cmd(&h, 24, 20), 0);
    ck_assert(h_write_data(&h, 0xFE, out[3]));
    ck_assert(h_wait(&h, 600));
    ck_assert_uint_eq(h_cmd(&h, 13, 0), 0);
    ck_assert_uint_eq(h_x(&h, 0xFF), 0);
    h_stop(&h);

    /* dedicated reads: CMD18 at 10, two blocks; the next readSectors at 12
     * streams on with no command; a read elsewhere sends CMD12 first */
    ck_assert_uint_eq(h_cmd(&h, 18, 10), 0);
    ck_assert(h_read_data(&h, in));
    ck_assert_mem_eq(in, out[0], 512);
    ck_assert(h_read_data(&h, in));
    ck_assert_mem_eq(in, out[1], 512);
    ck_assert(h_read_data(&h, in)); /* "sector + 1" */
    ck_assert_mem_eq(in, out[2], 512);
    ck_assert_uint_eq(h_cmd(&h, 12, 0), 0);
    ck_assert(h_wait(&h, 300));
    ck_assert_uint_eq(h_cmd(&h, 18, 20), 0);
    ck_assert(h_read_data(&h, in));
    ck_assert_mem_eq(in, out[3], 512);
    /* shared read: CMD18 + CMD12, spiStop */
    ck_assert_uint_eq(h_cmd(&h, 12, 0), 0);
    h_stop(&h);
    ck_assert_uint_eq(h_cmd(&h, 18, 11), 0);
    ck_assert(h_read_data(&h, in));
    ck_assert_mem_eq(in, out[1], 512);
    ck_assert_uint_eq(h_cmd(&h, 12, 0), 0);
    h_stop(&h);

    ck_assert_mem_eq(r->card.mem + 10 * 512, out[0], 512);
    ck_assert_mem_eq(r->card.mem + 20 * 512, out[3], 512);
    ck_assert_uint_eq(r->card.violations, 0);
    ck_assert_uint_eq(r->card.crc_errors, 0);
    ck_assert_uint_eq(r->card.blocks_written, 4);
    rig_free(r);
}
END_TEST

/* The model's power-up and CRC rules, and SDHC's HCS requirement. */
START_TEST(test_model_rules)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 1, NULL);
    struct host h = {r, 0};
    unsigned i;
    /* no 74 clocks first: the card does not answer */
    ck_assert_uint_eq(h_cmd(&h, 0, 0), 0xFF);
    ck_assert_uint_eq(r->card.violations, 1);
    h_stop(&h);
    for (i = 0; i < 10; i++) h_x(&h, 0xFF);
    /* first CMD0 with a bad CRC: still in SD mode, no answer */
    ck_assert_uint_eq(h_cmd_crc(&h, 0, 0, 0x87), 0xFF);
    ck_assert_uint_eq(h_cmd(&h, 0, 0), 0x01);
    /* CMD8's CRC is always checked; CMD55's is not while CRC is off */
    ck_assert_uint_eq(h_cmd_crc(&h, 8, 0x1AA, 0x95), 0x09);
    ck_assert_uint_eq(h_cmd_crc(&h, 55, 0, 0x01), 0x01);
    /* ACMD41 without HCS: an SDHC card stays idle */
    for (i = 0; i < 5; i++) {
        ck_assert_uint_eq(h_cmd(&h, 55, 0), 0x01);
        ck_assert_uint_eq(h_cmd(&h, 41, 0), 0x01);
    }
    /* idle: data commands are illegal */
    ck_assert_uint_eq(h_cmd(&h, 17, 0), 0x05);
    /* CMD59(1): now every command's CRC counts */
    ck_assert_uint_eq(h_cmd_crc(&h, 59, 1, 0x83), 0x01); /* 0x83 is right for CMD59(1) */
    ck_assert_uint_eq(h_cmd_crc(&h, 55, 0, 0x87), 0x09);
    ck_assert_uint_eq(r->card.crc_errors, 2);
    rig_free(r);
}
END_TEST

/* Busy is 0x00 on MISO; raising CS releases MISO but the card stays busy
 * and shows it again when selected. CMD18 runs open-ended to the card's end,
 * where it sends an out-of-range error token. */
START_TEST(test_busy_and_stream_end)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 8, "slow-worn", 1, NULL);
    struct host h = {r, 0};
    static uint8_t b[512], in[512];
    uint8_t t;
    unsigned n;
    fill(b, 512, 1);
    ck_assert_int_eq(rig_begin(r, 0, 8, 0), VM_OK);
    ck_assert_uint_eq(h_cmd(&h, 24, 3), 0);
    ck_assert(h_write_data(&h, 0xFE, b));
    ck_assert_uint_eq(h_x(&h, 0xFF), 0x00); /* programming: >= 2.85 ms */
    h.r->bus.spi.select(h.r->bus.spi.ctx, 0, 0);
    h.active = 0;
    ck_assert_uint_eq(h_x(&h, 0xFF), 0xFF); /* released */
    h_start(&h);
    ck_assert_uint_eq(h_x(&h, 0xFF), 0x00); /* busy again */
    ck_assert(h_wait(&h, 600));
    ck_assert_uint_ge(r->clk.ns, r->card.busy.min_ns);
    /* stream from block 6: blocks 6 and 7, then the error token */
    ck_assert_uint_eq(h_cmd(&h, 18, 6), 0);
    ck_assert(h_read_data(&h, in));
    ck_assert(h_read_data(&h, in));
    n = 0;
    while ((t = h_x(&h, 0xFF)) == 0xFF && n++ < 1000) {}
    ck_assert_uint_eq(t, 0x08);
    ck_assert_uint_eq(h_cmd(&h, 12, 0), 0);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

/* The driver's own patterns: dedicated streams continue; shared mode uses
 * CMD24 + CMD13 and CMD18 + CMD12 and releases CS. */
START_TEST(test_driver_patterns)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 1, NULL);
    static uint8_t b[3 * 512], in[3 * 512];
    fill(b, sizeof b, 9);
    ck_assert_int_eq(rig_begin(r, 0, 64, 0), VM_OK);
    record(r, 0);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 4, b, 2), VM_OK);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 6, b + 1024, 1), VM_OK);
    /* one CMD25 for both calls: the stream continued */
    ck_assert_ptr_nonnull(strstr(r->text, "59 00 00 00 04 87"));
    ck_assert_ptr_null(strstr(r->text, "59 00 00 00 06"));
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 4, in, 1), VM_OK);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 5, in + 512, 2), VM_OK);
    ck_assert_mem_eq(in, b, sizeof b);
    ck_assert_ptr_nonnull(strstr(r->text, " FD FF ")); /* write stream stopped */
    ck_assert_ptr_null(strstr(r->text, "52 00 00 00 05"));
    ck_assert_int_eq(vm_sd_sync(&r->sd), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "4C 00 00 00 00 87")); /* CMD12 */
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);

    r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 1, NULL);
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_SHARED), VM_OK);
    record(r, 0);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 4, b, 2), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "58 00 00 00 04 87"));
    ck_assert_ptr_nonnull(strstr(r->text, "58 00 00 00 05 87"));
    ck_assert_ptr_nonnull(strstr(r->text, "4D 00 00 00 00 87")); /* CMD13 */
    ck_assert_ptr_null(strstr(r->text, "59 00 00 00 04 87"));
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 4, in, 2), VM_OK);
    ck_assert_mem_eq(in, b, 1024);
    ck_assert_ptr_nonnull(strstr(r->text, "4C 00 00 00 00 87"));
    ck_assert_uint_eq(r->text[strlen(r->text) - 6], 'U'); /* ends "U0 FF " */
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);

    /* CMD17 for one block (shared and dedicated); two blocks still CMD18 */
    r = rig_new(VM_SD_TYPE_SD2, 64, "typical", 1, NULL);
    memcpy(r->card.mem + 4 * 512, b, 1024);
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_SHARED | VM_SD_SINGLE_READ), VM_OK);
    record(r, 0);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 5, in, 1), VM_OK);
    ck_assert_mem_eq(in, b + 512, 512);
    ck_assert_ptr_nonnull(strstr(r->text, "51 00 00 0A 00 87")); /* byte address */
    ck_assert_ptr_null(strstr(r->text, "4C 00 00 00 00"));
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_SINGLE_READ), VM_OK);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 4, in, 1), VM_OK);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 5, in + 512, 1), VM_OK);
    ck_assert_mem_eq(in, b, 1024);
    r->card.no_token_ppm = 1000000; /* a lost CMD17 token: timeout, then CMD12 */
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 4, in, 1), VM_ERR_TIMEOUT);
    r->card.no_token_ppm = 0;
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 4, in, 2), VM_OK);
    ck_assert_mem_eq(in, b, 1024);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

/* The access modes vmsim offers (backends/sd/vm_sd_dev.c): block by block
 * with and without the CMD13 check, and pre-erased multi-block writes. */
START_TEST(test_access_modes)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 1, NULL);
    static uint8_t b[3 * 512], in[3 * 512];
    fill(b, sizeof b, 5);
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_BLOCKWISE | VM_SD_STATUS), VM_OK);
    record(r, 0);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 4, b, 2), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "58 00 00 00 04 87")); /* CMD24 each block */
    ck_assert_ptr_nonnull(strstr(r->text, "58 00 00 00 05 87"));
    ck_assert_ptr_null(strstr(r->text, "59 00 00 00 04"));
    ck_assert_ptr_nonnull(strstr(strstr(r->text, "4D 00 00 00 00 87") + 1, "4D 00 00 00 00 87"));
    ck_assert_uint_eq(r->card.single.n, 2); /* single-block busy, twice */
    ck_assert_uint_eq(r->card.busy.n, 0);
    ck_assert_uint_ge(r->card.single.min_ns, r->prof.single_min_ns);
    record(r, 0);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 4, in, 2), VM_OK);
    ck_assert_mem_eq(in, b, 1024);
    ck_assert_ptr_nonnull(strstr(r->text, "51 00 00 00 04 87")); /* CMD17 each block */
    ck_assert_ptr_nonnull(strstr(r->text, "51 00 00 00 05 87"));
    ck_assert_ptr_null(strstr(r->text, "52 00 00 00 04"));
    ck_assert_ptr_null(strstr(r->text, "4C 00 00 00 00")); /* nothing to stop */
    ck_assert_uint_eq(r->card.violations, 0);

    /* without the status check */
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_BLOCKWISE), VM_OK);
    record(r, 0);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 7, b, 1), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "58 00 00 00 07 87"));
    ck_assert_ptr_null(strstr(r->text, "4D 00"));
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 7, in, 1), VM_OK);
    ck_assert_mem_eq(in, b, 512);

    /* pre-erase: CMD55 + ACMD23(n) before each multi-block CMD25, stopped
     * at the end of the call; one block is CMD24 */
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_PRE_ERASE), VM_OK);
    record(r, 0);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 8, b, 3), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "77 00 00 00 00 87"));
    ck_assert_ptr_nonnull(strstr(r->text, "57 00 00 00 03 87"));
    ck_assert_ptr_nonnull(strstr(r->text, "59 00 00 00 08 87"));
    ck_assert_ptr_nonnull(strstr(r->text, " FD FF ")); /* stopped in the call */
    ck_assert_uint_eq(r->card.pre_erase, 1);
    ck_assert_uint_eq(r->card.erase_count, 3);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 11, b, 2), VM_OK); /* next blocks: a new count */
    ck_assert_uint_eq(r->card.pre_erase, 2);
    ck_assert_uint_eq(r->card.erase_count, 2);
    record(r, 0);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 20, b, 1), VM_OK);
    ck_assert_ptr_nonnull(strstr(r->text, "58 00 00 00 14 87"));
    ck_assert_uint_eq(r->card.pre_erase, 2);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 8, in, 3), VM_OK);
    ck_assert_mem_eq(in, b, sizeof b);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

START_TEST(test_block_buffer)
{
    struct rig *r = rig_new(VM_SD_TYPE_SD2, 64, "typical", 0, NULL);
    static uint8_t b[2048], in[2048];
    uint64_t rd;
    fill(b, sizeof b, 3);
    ck_assert_int_eq(rig_begin(r, 8, 16, 0), VM_OK);
    ck_assert_uint_eq(vm_sd_backend(&r->sd)->size, 16u * 512u);
    /* whole blocks: written without reading */
    rd = r->card.blocks_read;
    ck_assert_int_eq(vm_sd_write(&r->sd, 1024, b, 1024), VM_OK);
    ck_assert_uint_eq(r->card.blocks_read, rd);
    ck_assert_mem_eq(r->card.mem + (8 + 2) * 512, b, 1024);
    /* part of a block: read once, patched, written */
    ck_assert_int_eq(vm_sd_write(&r->sd, 100, b + 100, 64), VM_OK);
    ck_assert_uint_eq(r->card.blocks_read, rd + 1);
    ck_assert_mem_eq(r->card.mem + 8 * 512 + 100, b + 100, 64);
    /* the same block again: served from the buffer */
    ck_assert_int_eq(vm_sd_write(&r->sd, 164, b + 164, 100), VM_OK);
    ck_assert_int_eq(vm_sd_read(&r->sd, 100, in, 164), VM_OK);
    ck_assert_uint_eq(r->card.blocks_read, rd + 1);
    ck_assert_mem_eq(in, b + 100, 164);
    /* 600 bytes at 512: one whole block + the head of the next */
    ck_assert_int_eq(vm_sd_write(&r->sd, 512, b + 512, 600), VM_OK);
    ck_assert_uint_eq(r->card.blocks_read, rd + 2);
    /* a page bigger than a block at an unaligned offset */
    ck_assert_int_eq(vm_sd_write(&r->sd, 3000, b, 2048), VM_OK);
    ck_assert_int_eq(vm_sd_read(&r->sd, 3000, in, 2048), VM_OK);
    ck_assert_mem_eq(in, b, 2048);
    ck_assert_int_eq(vm_sd_read(&r->sd, 16u * 512u - 1u, in, 2), VM_ERR_RANGE);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 15, in, 2), VM_ERR_RANGE);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

/* Mean of the model's draws within 5 standard errors of the profile's
 * mixture (uniform, with stalls at probability p), all draws in range. */
static void check_lat(const struct vm_sd_lat *l, double lo, double hi, double p, double slo,
                      double shi)
{
    double m1 = (lo + hi) / 2, v1 = (hi - lo) * (hi - lo) / 12;
    double m2 = (slo + shi) / 2, v2 = (shi - slo) * (shi - slo) / 12;
    double mean = (1 - p) * m1 + p * m2;
    double var = (1 - p) * (v1 + m1 * m1) + p * (v2 + m2 * m2) - mean * mean;
    double got = (double)l->sum_ns / (double)l->n;
    double tol = 5 * sqrt(var / (double)l->n) + 1;
    ck_assert_uint_gt(l->n, 0);
    ck_assert_msg(fabs(got - mean) <= tol, "mean %.0f ns, expected %.0f +- %.0f", got, mean, tol);
    ck_assert_uint_ge(l->min_ns, (uint64_t)lo);
    ck_assert_uint_le(l->max_ns, (uint64_t)(p > 0 ? (shi > hi ? shi : hi) : hi));
}

START_TEST(test_latency_statistics)
{
    static const char *profs[2] = {"typical", "slow-worn"};
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 4096, profs[_i], 0, vm_platform_find("atmega328p"));
    const struct vm_sd_profile *p = &r->prof;
    static uint8_t b[512];
    uint64_t s = 99, t0;
    unsigned i, nread = 400, nwrite = _i ? 700u : 4000u;
    ck_assert_int_eq(rig_begin(r, 0, 4096, VM_SD_SHARED), VM_OK);
    t0 = r->clk.ns;
    for (i = 0; i < nread; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        ck_assert_int_eq(vm_sd_read_blocks(&r->sd, (uint32_t)(s >> 40) % 4096u, b, 1), VM_OK);
    }
    /* each shared-mode read pays one NAC */
    ck_assert_uint_eq(r->card.nac.n, nread);
    ck_assert_uint_ge(r->clk.ns - t0, r->card.nac.sum_ns);
    check_lat(&r->card.nac, p->nac_min_ns, p->nac_max_ns, p->rstall_ppm / 1e6,
              p->rstall_min_ns, p->rstall_max_ns);
    rig_free(r);

    r = rig_new(VM_SD_TYPE_SDHC, 4096, profs[_i], 0, vm_platform_find("atmega328p"));
    p = &r->prof;
    ck_assert_int_eq(rig_begin(r, 0, 4096, 0), VM_OK);
    t0 = r->clk.ns;
    for (i = 0; i < nwrite; i++)
        ck_assert_int_eq(vm_sd_write_blocks(&r->sd, i % 4096u, b, 1), VM_OK);
    ck_assert_uint_eq(r->card.busy.n, nwrite);
    ck_assert_uint_ge(r->clk.ns - t0, r->card.busy.sum_ns);
    check_lat(&r->card.busy, p->busy_min_ns, p->busy_max_ns, p->stall_ppm / 1e6,
              p->stall_min_ns, p->stall_max_ns);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);

    /* block by block: the single-block busy */
    r = rig_new(VM_SD_TYPE_SDHC, 4096, profs[_i], 0, vm_platform_find("atmega328p"));
    p = &r->prof;
    ck_assert_int_eq(rig_begin(r, 0, 4096, VM_SD_BLOCKWISE | VM_SD_STATUS), VM_OK);
    t0 = r->clk.ns;
    for (i = 0; i < nwrite; i++)
        ck_assert_int_eq(vm_sd_write_blocks(&r->sd, i % 4096u, b, 1), VM_OK);
    ck_assert_uint_eq(r->card.single.n, nwrite);
    ck_assert_uint_eq(r->card.busy.n, 0);
    ck_assert_uint_ge(r->clk.ns - t0, r->card.single.sum_ns);
    check_lat(&r->card.single, p->single_min_ns, p->single_max_ns, p->single_stall_ppm / 1e6,
              p->single_stall_min_ns, p->single_stall_max_ns);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

START_TEST(test_errors)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 0, NULL);
    static uint8_t b[1024], in[1024], old[512];
    fill(b, sizeof b, 5);
    ck_assert_int_eq(rig_begin(r, 0, 64, 0), VM_OK);
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 1, b, 2), VM_OK);

    /* card stops answering: timeout; back: the data is right */
    vm_sd_model_set_dead(&r->card, 1);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 1, in, 1), VM_ERR_TIMEOUT);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 1, in, 1), VM_ERR_NODEV); /* re-init fails */
    vm_sd_model_set_dead(&r->card, 0);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 1, in, 2), VM_OK);
    ck_assert_mem_eq(in, b, 1024);

    /* error token on read */
    r->card.read_error_ppm = 1000000;
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 5, in, 1), VM_ERR_IO);
    ck_assert_uint_eq(r->sd.last_token, 0x04);
    r->card.read_error_ppm = 0;
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 1, in, 1), VM_OK);
    ck_assert_mem_eq(in, b, 512);

    /* no token at all: read timeout (300 ms) */
    r->card.no_token_ppm = 1000000;
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 7, in, 1), VM_ERR_TIMEOUT);
    r->card.no_token_ppm = 0;
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 2, in, 1), VM_OK);
    ck_assert_mem_eq(in, b + 512, 512);

    /* data response: CRC error -> CORRUPT, write error -> IO; block kept */
    memcpy(old, r->card.mem + 1 * 512, 512);
    r->card.write_crc_ppm = 1000000;
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 1, in + 512, 1), VM_ERR_CORRUPT);
    r->card.write_crc_ppm = 0;
    r->card.write_error_ppm = 1000000;
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 1, in + 512, 1), VM_ERR_IO);
    ck_assert_uint_eq(r->sd.last_token & 0x1F, 0x0D);
    r->card.write_error_ppm = 0;
    ck_assert_mem_eq(r->card.mem + 512, old, 512);
    ck_assert_int_eq(vm_sd_read(&r->sd, 512, in, 512), VM_OK);
    ck_assert_mem_eq(in, old, 512);

    /* card holds MISO low: write timeout (600 ms), then recovers */
    r->card.stuck_busy = 1;
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 3, b, 1), VM_ERR_TIMEOUT);
    r->card.stuck_busy = 0;
    ck_assert_int_eq(vm_sd_write_blocks(&r->sd, 3, b, 1), VM_OK);
    ck_assert_mem_eq(r->card.mem + 3 * 512, b, 512);

    /* a pool beyond the card: the card's R1 parameter error -> IO */
    ck_assert_int_eq(rig_begin(r, 60, 8, 0), VM_OK);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 5, in, 1), VM_ERR_IO);
    ck_assert_int_eq(vm_sd_read_blocks(&r->sd, 0, in, 1), VM_OK);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

/* The bus's closed form (vm_simbus_closed_form: polls answered from the
 * card's ready time, data blocks in one step) against clocking every byte:
 * after each step of a script through every access mode, both card
 * profiles, timeouts (dead card, no token, stuck busy), error tokens, with
 * and without CPU time per byte, and an SCK above the card's limit, the same return code, clock, bus counters,
 * card state and latency draws. */
struct cf_state {
    int rc;
    uint64_t ns, bytes, wire, cpu, overspeed, init_overspeed, polls;
    struct vm_sd_lat nac, next, busy, single;
    uint64_t rng;
};

static unsigned cf_script(int closed, unsigned variant, struct cf_state *out, unsigned max)
{
    static const char *const profs[] = {"typical", "slow-worn"};
    static const uint8_t modes[] = {VM_SD_BLOCKWISE | VM_SD_STATUS, VM_SD_BLOCKWISE, 0,
                                    VM_SD_PRE_ERASE};
    static uint8_t b[4 * 512], in[4 * 512];
    /* variant bit 1: no platform (no CPU cost per byte), SCK over the card's 25 MHz */
    int fast_sck = (variant & 2u) != 0;
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 256, profs[variant & 1u], 0,
                            fast_sck ? NULL : vm_platform_find("atmega328p"));
    unsigned n = 0;
    fill(b, sizeof b, 9);
    vm_simbus_closed_form(&r->bus, closed);
#define CF_STEP(call)                                                                          \
    do {                                                                                       \
        struct cf_state *c = &out[n++];                                                        \
        ck_assert_uint_lt(n, max);                                                             \
        c->rc = (call);                                                                        \
        c->ns = vm_simclock_now(&r->clk);                                                      \
        c->bytes = r->bus.bytes, c->wire = r->bus.wire_ns, c->cpu = r->bus.cpu_ns;             \
        c->overspeed = r->card.overspeed, c->init_overspeed = r->card.init_overspeed;          \
        c->nac = r->card.nac, c->next = r->card.next, c->busy = r->card.busy;                  \
        c->single = r->card.single, c->rng = r->card.rng;                                      \
        c->polls = r->bus.polls_closed;                                                        \
    } while (0)
    for (unsigned m = 0; m < sizeof modes; m++) {
        CF_STEP(rig_begin(r, 0, 256, modes[m]));
        if (fast_sck) r->sd.clock_hz = r->sd.sck_hz = 40000000u; /* overspeed, counted per byte */
        for (unsigned i = 0; i < 6; i++) {
            CF_STEP(vm_sd_write_blocks(&r->sd, 8 * i + m, b, 1 + i % 4));
            CF_STEP(vm_sd_read_blocks(&r->sd, 8 * i + m, in, 1 + i % 4));
            CF_STEP(vm_sd_write(&r->sd, 100 + 37 * i, b, 300));
            CF_STEP(vm_sd_read(&r->sd, 1000 + 51 * i, in, 700));
        }
        CF_STEP(vm_sd_sync(&r->sd));
    }
    vm_sd_model_set_dead(&r->card, 1);
    CF_STEP(vm_sd_read_blocks(&r->sd, 1, in, 1));
    vm_sd_model_set_dead(&r->card, 0);
    CF_STEP(vm_sd_read_blocks(&r->sd, 1, in, 1));
    r->card.no_token_ppm = 1000000;
    CF_STEP(vm_sd_read_blocks(&r->sd, 7, in, 1));
    r->card.no_token_ppm = 0;
    r->card.read_error_ppm = 1000000;
    CF_STEP(vm_sd_read_blocks(&r->sd, 5, in, 1));
    r->card.read_error_ppm = 0;
    r->card.stuck_busy = 1;
    CF_STEP(vm_sd_write_blocks(&r->sd, 3, b, 1));
    r->card.stuck_busy = 0;
    CF_STEP(vm_sd_write_blocks(&r->sd, 3, b, 1));
    CF_STEP(vm_sd_read(&r->sd, 3 * 512, in, 512));
    ck_assert_mem_eq(in, b, 512);
    ck_assert_uint_eq(r->card.violations, 0);
#undef CF_STEP
    rig_free(r);
    return n;
}

START_TEST(test_closed_form_same)
{
    static struct cf_state a[256], x[256];
    unsigned na = cf_script(1, (unsigned)_i, a, 256), nx = cf_script(0, (unsigned)_i, x, 256);
    ck_assert_uint_eq(na, nx);
    ck_assert_uint_gt(a[na - 1].polls, 50); /* the closed form was taken */
    ck_assert_uint_eq(x[nx - 1].polls, 0);
    for (unsigned i = 0; i < na; i++) {
        a[i].polls = x[i].polls = 0;
        ck_assert_msg(memcmp(&a[i], &x[i], sizeof a[i]) == 0,
                      "step %u: closed form rc %d at %llu ns, %llu bytes; byte by byte rc %d at "
                      "%llu ns, %llu bytes",
                      i, a[i].rc, (unsigned long long)a[i].ns, (unsigned long long)a[i].bytes, x[i].rc,
                      (unsigned long long)x[i].ns, (unsigned long long)x[i].bytes);
    }
    ck_assert_int_eq(a[na - 1].rc, VM_OK);
    if (_i & 2) ck_assert_uint_gt(a[na - 1].overspeed, 10000);
}
END_TEST

/* Wire corruption: with CRC on (CMD59) nothing wrong is ever returned;
 * with CRC off the same corruption goes unseen. */
START_TEST(test_wire_corruption)
{
    int crc;
    for (crc = 1; crc >= 0; crc--) {
        struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 0, NULL);
        static uint8_t b[64 * 512], in[512];
        unsigned i, ok = 0, bad = 0, wrong = 0;
        fill(b, sizeof b, 11);
        memcpy(r->card.mem, b, sizeof b);
        ck_assert_int_eq(rig_begin(r, 0, 64, crc ? VM_SD_CRC : 0), VM_OK);
        r->card.flip_ppm = 600; /* per byte and direction */
        for (i = 0; i < 300; i++) {
            uint32_t blk = (i * 37u) % 64u;
            int rc = vm_sd_read_blocks(&r->sd, blk, in, 1);
            if (rc == VM_OK) {
                ok++;
                if (memcmp(in, b + blk * 512, 512) != 0) wrong++;
            } else {
                bad++;
                ck_assert(rc == VM_ERR_CORRUPT || rc == VM_ERR_TIMEOUT || rc == VM_ERR_IO ||
                          rc == VM_ERR_NODEV);
            }
        }
        ck_assert_uint_gt(r->card.flips, 0);
        if (crc) {
            ck_assert_uint_eq(wrong, 0);
            ck_assert_uint_gt(bad, 0);
            ck_assert_uint_gt(ok, 0);
        } else {
            ck_assert_uint_gt(wrong, 0);
        }
        rig_free(r);
    }
}
END_TEST

/* An SD card (VM_SD_SHARED) and a 23LC1024 on one bus: the card releases
 * CS after every call, so the two never drive MISO together. */
START_TEST(test_shared_bus_with_sram)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 64, "typical", 0, vm_platform_find("teensy32"));
    struct vm_sram_model chip;
    struct vm_spi_model m;
    struct vm_sram sr;
    struct vm_sram_config sc;
    static uint8_t a[700], b[700], in[700];
    unsigned i;
    ck_assert_int_eq(vm_sram_model_init(&chip, VM_SRAM_23LC1024, 0xFF), 0);
    m = vm_sram_model_spi(&chip);
    vm_simbus_attach(&r->bus, 1, &m);
    memset(&sc, 0, sizeof sc);
    sc.spi = &r->bus.spi;
    sc.part = VM_SRAM_23LC1024;
    sc.chips = 1;
    sc.cs[0] = 1;
    sc.flags = VM_SRAM_VERIFY;
    ck_assert_int_eq(vm_sram_begin(&sr, &sc), VM_OK);
    ck_assert_int_eq(rig_begin(r, 0, 64, VM_SD_SHARED), VM_OK);
    for (i = 0; i < 20; i++) {
        fill(a, sizeof a, i);
        fill(b, sizeof b, i + 100);
        ck_assert_int_eq(vm_sd_write(&r->sd, i * 700u, a, sizeof a), VM_OK);
        ck_assert_int_eq(vm_sram_write(&sr, i * 700u, b, sizeof b), VM_OK);
        ck_assert_int_eq(vm_sd_read(&r->sd, i * 700u, in, sizeof in), VM_OK);
        ck_assert_mem_eq(in, a, sizeof a);
        ck_assert_int_eq(vm_sram_read(&sr, i * 700u, in, sizeof in), VM_OK);
        ck_assert_mem_eq(in, b, sizeof b);
    }
    ck_assert_uint_eq(r->bus.contention, 0);
    ck_assert_uint_eq(r->card.violations, 0);
    /* on a Teensy the SD runs at 24 MHz and the SRAM at 16 MHz: each driver
     * sets its clock per transaction, so the SRAM never sees 24 MHz */
    ck_assert_uint_eq(chip.overspeed, 0);
    ck_assert_uint_eq(r->bus.sck_hz, 16000000u);
    ck_assert_int_eq(vm_sd_read(&r->sd, 0, in, 1), VM_OK);
    ck_assert_uint_eq(r->bus.sck_hz, 24000000u);
    vm_sram_model_free(&chip);
    rig_free(r);
}
END_TEST

static void sd_dump(void *ctx, uint8_t *dst, vm_addr_t n)
{
    struct rig *r = ctx;
    memcpy(dst, r->card.mem + (size_t)r->sd.first_block * 512u, n);
}
static void sd_off(void *ctx)
{
    (void)ctx;
}

static const uint16_t diff_pages[] = {64, 512, 2048, 128, 1024};
static const uint8_t diff_flags[] = {0, VM_SD_SHARED, 0, VM_SD_BLOCKWISE | VM_SD_STATUS,
                                     VM_SD_PRE_ERASE};
START_TEST(test_pager_differential)
{
    struct rig *r = rig_new(VM_SD_TYPE_SDHC, 512, "typical", 0, vm_platform_find("teensy32"));
    struct be_diff_opts o;
    struct be_diff_result res;
    ck_assert_int_eq(rig_begin(r, 100, 256, diff_flags[_i]), VM_OK);
    memset(&o, 0, sizeof o);
    o.be = vm_sd_backend(&r->sd);
    o.pool = o.be->size;
    o.page_size = diff_pages[_i];
    o.pages = 4;
    o.ops = 600;
    o.seed = 55u + (unsigned)_i;
    o.faults_off = sd_off;
    o.dump = sd_dump;
    o.ctx = r;
    be_diff_run(&o, &res);
    ck_assert_uint_eq(res.errors, 0);
    ck_assert_uint_eq(res.wrong, 0);
    ck_assert_uint_eq(res.check_failed, 0);
    ck_assert_int_eq(res.final_flush, VM_OK);
    ck_assert(res.final_match);
    ck_assert(res.reload_match);
    ck_assert_uint_eq(r->card.violations, 0);
    rig_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sd");
    TCase *tc = tcase_create("sd");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, test_crc);
    tcase_add_test(tc, test_init_transcript);
    tcase_add_loop_test(tc, test_card_kinds, 0, 3);
    tcase_add_test(tc, test_no_card);
    tcase_add_test(tc, test_sdfat_patterns);
    tcase_add_test(tc, test_model_rules);
    tcase_add_test(tc, test_busy_and_stream_end);
    tcase_add_test(tc, test_driver_patterns);
    tcase_add_test(tc, test_access_modes);
    tcase_add_test(tc, test_block_buffer);
    tcase_add_loop_test(tc, test_latency_statistics, 0, 2);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_wire_corruption);
    tcase_add_loop_test(tc, test_closed_form_same, 0, 4);
    tcase_add_test(tc, test_shared_bus_with_sram);
    tcase_add_loop_test(tc, test_pager_differential, 0, 5);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
