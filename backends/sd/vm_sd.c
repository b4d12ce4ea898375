/*
 * vm_sd.c - SD card (SPI mode) driver. Portable C99; see vm_sd.h for the
 * protocol and the error rules.
 *
 * State: the card is idle, or has an open CMD18 read stream, or an open
 * CMD25 write stream (stream_next is the block it continues with). After
 * any failure ST_RESYNC is set beside the stream state the failure left, and
 * the next call ends that stream and checks the card before doing anything.
 */
#include "vm_sd.h"

#define ST_IDLE 0u
#define ST_READ 1u
#define ST_WRITE 2u
#define ST_RESYNC 0x80u

/* ---- bus helpers ---- */

static uint8_t spi_byte(struct vm_sd *sd, uint8_t tx)
{
    uint8_t rx;
    sd->spi->transfer(sd->spi->ctx, &tx, &rx, 1);
    return rx;
}

static uint32_t now_ms(struct vm_sd *sd)
{
    return sd->spi->millis ? sd->spi->millis(sd->spi->ctx) : 0u;
}

/* SdFat spiStart: CS low, then one 0xFF so the card drives MISO. */
static void spi_start(struct vm_sd *sd)
{
    if (sd->selected) return;
    /* our clock for each transaction, so other devices may share the bus */
    if (sd->spi->set_clock) sd->spi->set_clock(sd->spi->ctx, sd->sck_hz);
    sd->spi->select(sd->spi->ctx, sd->cs, 1);
    sd->selected = 1;
    (void)spi_byte(sd, 0xFF);
}

/* SdFat spiStop: CS high, then one 0xFF so the card releases MISO. */
static void spi_stop(struct vm_sd *sd)
{
    if (!sd->selected) return;
    sd->spi->select(sd->spi->ctx, sd->cs, 0);
    sd->selected = 0;
    (void)spi_byte(sd, 0xFF);
}

/* Poll until the card stops holding MISO low (busy). */
static int wait_ready(struct vm_sd *sd, uint32_t timeout_ms)
{
    uint32_t t0 = now_ms(sd);
    if (sd->spi->poll) /* the same loop, answered by the bus */
        return sd->spi->poll(sd->spi->ctx, 0xFF, 1, t0, timeout_ms) == 0xFFu ? VM_OK : VM_ERR_TIMEOUT;
    for (;;) {
        if (spi_byte(sd, 0xFF) == 0xFFu) return VM_OK;
        if ((uint32_t)(now_ms(sd) - t0) >= timeout_ms) return VM_ERR_TIMEOUT;
    }
}

/* Send a command frame and return R1 (0xFF: no answer). SdFat cardCommand:
 * wait for ready (except CMD12; CMD0 goes on regardless), 6 bytes, discard
 * one fill byte (CMD12's stuff byte), then poll up to 10 bytes for bit 7 = 0. */
static uint8_t command(struct vm_sd *sd, uint8_t cmd, uint32_t arg)
{
    uint8_t f[6];
    uint8_t r, n;
    spi_start(sd);
    if (cmd != VM_SD_CMD12) {
        if (wait_ready(sd, VM_SD_CMD_TIMEOUT) != VM_OK && cmd != VM_SD_CMD0) return 0xFF;
    }
    f[0] = (uint8_t)(0x40u | cmd);
    f[1] = (uint8_t)(arg >> 24);
    f[2] = (uint8_t)(arg >> 16);
    f[3] = (uint8_t)(arg >> 8);
    f[4] = (uint8_t)arg;
    if (sd->flags & VM_SD_CRC)
        f[5] = vm_sd_crc7(f, 5);
    else
        f[5] = cmd == VM_SD_CMD0 ? 0x95u : 0x87u; /* SdFat's constant CRCs */
    sd->spi->transfer(sd->spi->ctx, f, NULL, 6);
    (void)spi_byte(sd, 0xFF);
    n = 0;
    do {
        r = spi_byte(sd, 0xFF);
    } while ((r & 0x80u) && ++n < 10u);
    sd->last_r1 = r;
    return r;
}

static uint8_t app_command(struct vm_sd *sd, uint8_t cmd, uint32_t arg)
{
    (void)command(sd, VM_SD_CMD55, 0);
    return command(sd, cmd, arg);
}

/* A failing R1 as an error code. */
static int r1_err(uint8_t r)
{
    if (r & 0x80u) return VM_ERR_TIMEOUT;
    if (r & VM_SD_R1_CRC) return VM_ERR_CORRUPT;
    return VM_ERR_IO;
}

static uint32_t card_addr(const struct vm_sd *sd, uint32_t block)
{
    uint32_t b = sd->first_block + block;
    return sd->type == VM_SD_TYPE_SDHC ? b : b << 9;
}

/* Record a failure: the next call resynchronises first. */
static int fail(struct vm_sd *sd, int err)
{
    sd->state = (uint8_t)(sd->state | ST_RESYNC);
    sd->buf_valid = 0;
    return err;
}

/* ---- init ---- */

static int init_card(struct vm_sd *sd)
{
    uint32_t t0;
    uint8_t r, i, ocr[4];
    uint32_t arg;
    uint16_t k;

    sd->type = 0;
    sd->state = ST_IDLE;
    sd->buf_valid = 0;
    sd->sck_hz = VM_SD_INIT_HZ;
    if (sd->spi->set_clock) sd->spi->set_clock(sd->spi->ctx, sd->sck_hz);
    t0 = now_ms(sd);

    /* >= 74 clocks with CS high: 10 bytes = 80 clocks, as SdFat */
    if (sd->selected) {
        sd->spi->select(sd->spi->ctx, sd->cs, 0);
        sd->selected = 0;
    }
    sd->spi->transfer(sd->spi->ctx, NULL, NULL, 10);
    spi_start(sd);

    for (;;) {
        r = command(sd, VM_SD_CMD0, 0);
        if (r == VM_SD_R1_IDLE) break;
        if ((uint32_t)(now_ms(sd) - t0) >= VM_SD_INIT_TIMEOUT) {
            spi_stop(sd);
            return VM_ERR_NODEV;
        }
        /* end any transfer a card that was already running may be in */
        for (k = 0; k < 0xFFu; k++) (void)spi_byte(sd, 0xFF);
    }
    if (sd->flags & VM_SD_CRC) {
        r = command(sd, VM_SD_CMD59, 1);
        if (r != VM_SD_R1_IDLE) goto bad;
    }
    r = command(sd, VM_SD_CMD8, 0x1AAul);
    if (r & 0x80u) goto bad;
    if (r & VM_SD_R1_ILLEGAL) {
        sd->type = VM_SD_TYPE_SD1;
    } else {
        for (i = 0; i < 4u; i++) ocr[i] = spi_byte(sd, 0xFF);
        if (ocr[3] != 0xAAu) {
            spi_stop(sd);
            return VM_ERR_IO;
        }
        sd->type = VM_SD_TYPE_SD2;
    }
    arg = sd->type == VM_SD_TYPE_SD2 ? 0x40000000ul : 0ul; /* HCS */
    for (;;) {
        r = app_command(sd, VM_SD_ACMD41, arg);
        if (r == 0u) break;
        if (r != VM_SD_R1_IDLE) goto bad;
        if ((uint32_t)(now_ms(sd) - t0) >= VM_SD_INIT_TIMEOUT) {
            spi_stop(sd);
            sd->type = 0;
            return VM_ERR_TIMEOUT;
        }
    }
    if (sd->type == VM_SD_TYPE_SD2) {
        r = command(sd, VM_SD_CMD58, 0);
        if (r != 0u) goto bad;
        for (i = 0; i < 4u; i++) ocr[i] = spi_byte(sd, 0xFF);
        if ((ocr[0] & 0xC0u) == 0xC0u) sd->type = VM_SD_TYPE_SDHC;
    }
    spi_stop(sd);
    sd->sck_hz = sd->clock_hz;
    if (sd->spi->set_clock) sd->spi->set_clock(sd->spi->ctx, sd->sck_hz);
    return VM_OK;
bad:
    spi_stop(sd);
    sd->type = 0;
    return r1_err(r);
}

static int be_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    return vm_sd_read((struct vm_sd *)ctx, addr, buf, len);
}

static int be_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    return vm_sd_write((struct vm_sd *)ctx, addr, buf, len);
}

static int be_sync(void *ctx)
{
    return vm_sd_sync((struct vm_sd *)ctx);
}

int vm_sd_begin(struct vm_sd *sd, const struct vm_sd_config *cfg)
{
    if (sd == NULL || cfg == NULL || cfg->spi == NULL || cfg->spi->select == NULL ||
        cfg->spi->transfer == NULL || cfg->spi->millis == NULL)
        return VM_ERR_INVAL;
    /* the pool must be addressable by vm_addr_t (32 bits) */
    if (cfg->block_count == 0u || cfg->block_count > 0x7FFFFFul) return VM_ERR_INVAL;
    if (cfg->first_block > 0xFFFFFFFFul - cfg->block_count) return VM_ERR_INVAL;
    sd->spi = cfg->spi;
    sd->cs = cfg->cs;
    sd->flags = cfg->flags;
    sd->clock_hz = cfg->clock_hz ? cfg->clock_hz : VM_SD_MAX_HZ;
    sd->first_block = cfg->first_block;
    sd->block_count = cfg->block_count;
    sd->selected = 0;
    sd->stream_next = 0;
    sd->last_r1 = 0xFF;
    sd->last_token = 0xFF;
    sd->be.read = be_read;
    sd->be.write = be_write;
    sd->be.sync = be_sync;
    sd->be.ctx = sd;
    sd->be.size = (vm_addr_t)(cfg->block_count * VM_SD_BLOCK);
    return init_card(sd);
}

const struct vm_backend *vm_sd_backend(const struct vm_sd *sd)
{
    return &sd->be;
}

/* ---- streams ---- */

/* End an open stream. Read: CMD12 (R1b), wait. Write: wait, 0xFD, skip the
 * NBR byte, wait for the programming busy to end. */
static int end_stream(struct vm_sd *sd, uint8_t st)
{
    if (st == ST_READ) {
        uint8_t r = command(sd, VM_SD_CMD12, 0);
        if (r != 0u) return r1_err(r);
        if (wait_ready(sd, VM_SD_CMD_TIMEOUT) != VM_OK) return VM_ERR_TIMEOUT;
    } else if (st == ST_WRITE) {
        spi_start(sd);
        if (wait_ready(sd, VM_SD_WRITE_TIMEOUT) != VM_OK) return VM_ERR_TIMEOUT;
        (void)spi_byte(sd, VM_SD_TOKEN_STOP);
        (void)spi_byte(sd, 0xFF);
        if (wait_ready(sd, VM_SD_WRITE_TIMEOUT) != VM_OK) return VM_ERR_TIMEOUT;
    }
    return VM_OK;
}

/* End stream st and leave the driver idle; a failure is recorded (fail). */
static int close_stream(struct vm_sd *sd, uint8_t st)
{
    int err = end_stream(sd, st);
    sd->state = ST_IDLE;
    return err ? fail(sd, err) : VM_OK;
}

/* After a failure: end what may be open, then check the card answers CMD13;
 * if not, initialise it again. */
static int resync(struct vm_sd *sd)
{
    uint8_t st = (uint8_t)(sd->state & ~ST_RESYNC);
    uint8_t r;
    int err;
    spi_stop(sd);
    (void)end_stream(sd, st);
    r = command(sd, VM_SD_CMD13, 0);
    (void)spi_byte(sd, 0xFF); /* R2's second byte */
    if (r == 0u && sd->type != 0u) { /* answering, and we know its type */
        sd->state = ST_IDLE;
        return VM_OK;
    }
    err = init_card(sd);
    if (err != VM_OK) {
        sd->state = ST_RESYNC;
        return err;
    }
    sd->state = ST_IDLE;
    return VM_OK;
}

static int prepare(struct vm_sd *sd)
{
    if (sd->state & ST_RESYNC) return resync(sd);
    if (sd->type == 0u) return VM_ERR_NODEV;
    return VM_OK;
}

/* The start of a block transfer: nothing for n = 0; otherwise the blocks
 * must lie in the range and the card must be ready. */
static int begin_blocks(struct vm_sd *sd, uint32_t block, uint32_t n)
{
    if (n == 0u) return VM_OK;
    if (block >= sd->block_count || n > sd->block_count - block) return VM_ERR_RANGE;
    return prepare(sd);
}

/* Wait for a data token and read one block. */
static int read_data(struct vm_sd *sd, uint8_t *dst)
{
    uint32_t t0 = now_ms(sd);
    uint8_t t, c[2];
    if (sd->spi->poll) { /* the same loop, answered by the bus */
        t = sd->spi->poll(sd->spi->ctx, 0xFF, 0, t0, VM_SD_READ_TIMEOUT);
        if (t == 0xFFu) return VM_ERR_TIMEOUT;
    } else {
        for (;;) {
            t = spi_byte(sd, 0xFF);
            if (t != 0xFFu) break;
            if ((uint32_t)(now_ms(sd) - t0) >= VM_SD_READ_TIMEOUT) return VM_ERR_TIMEOUT;
        }
    }
    if (t != VM_SD_TOKEN_START) {
        sd->last_token = t;
        /* an error token is 0000xxxx with some bit set */
        return (t & 0xF0u) == 0u && t != 0u ? VM_ERR_IO : VM_ERR_CORRUPT;
    }
    sd->spi->transfer(sd->spi->ctx, NULL, dst, VM_SD_BLOCK);
    sd->spi->transfer(sd->spi->ctx, NULL, c, 2);
    if ((sd->flags & VM_SD_CRC) &&
        vm_sd_crc16(dst, VM_SD_BLOCK) != (uint16_t)(((uint16_t)c[0] << 8) | c[1]))
        return VM_ERR_CORRUPT;
    return VM_OK;
}

/* Send one data block with token and check the data response. */
static int write_data(struct vm_sd *sd, uint8_t token, const uint8_t *src)
{
    uint16_t crc = 0xFFFFu; /* SdFat sends 0xFFFF with CRC off */
    uint8_t c[2], resp;
    if (wait_ready(sd, VM_SD_WRITE_TIMEOUT) != VM_OK) return VM_ERR_TIMEOUT;
    if (sd->flags & VM_SD_CRC) crc = vm_sd_crc16(src, VM_SD_BLOCK);
    (void)spi_byte(sd, token);
    sd->spi->transfer(sd->spi->ctx, src, NULL, VM_SD_BLOCK);
    c[0] = (uint8_t)(crc >> 8);
    c[1] = (uint8_t)crc;
    sd->spi->transfer(sd->spi->ctx, c, NULL, 2);
    resp = spi_byte(sd, 0xFF);
    if ((resp & 0x1Fu) == VM_SD_DATA_ACCEPTED) return VM_OK;
    sd->last_token = resp;
    if ((resp & 0x1Fu) == VM_SD_DATA_WRITE_ERROR) return VM_ERR_IO;
    return VM_ERR_CORRUPT; /* CRC error reported, or no valid response */
}

int vm_sd_read_blocks(struct vm_sd *sd, uint32_t block, uint8_t *dst, uint32_t n)
{
    int err = begin_blocks(sd, block, n);
    uint8_t r;
    if (err || n == 0u) return err;
    if ((n == 1u && (sd->flags & VM_SD_SINGLE_READ)) || (sd->flags & VM_SD_BLOCKWISE)) {
        /* one block per command, nothing to stop */
        err = close_stream(sd, sd->state);
        if (err) return err;
        for (; n > 0u; n--, block++, dst += VM_SD_BLOCK) {
            r = command(sd, VM_SD_CMD17, card_addr(sd, block));
            if (r != 0u) return fail(sd, r1_err(r));
            sd->state = ST_READ; /* a failure below needs CMD12 to end it */
            err = read_data(sd, dst);
            if (err) return fail(sd, err);
            sd->state = ST_IDLE;
            if (sd->flags & (VM_SD_SHARED | VM_SD_BLOCKWISE)) spi_stop(sd);
        }
        return VM_OK;
    }
    if (!(sd->state == ST_READ && sd->stream_next == block && !(sd->flags & VM_SD_SHARED))) {
        err = close_stream(sd, sd->state);
        if (err) return err;
        r = command(sd, VM_SD_CMD18, card_addr(sd, block));
        if (r != 0u) return fail(sd, r1_err(r));
        sd->state = ST_READ;
        sd->stream_next = block;
    }
    while (n > 0u) {
        err = read_data(sd, dst);
        if (err) return fail(sd, err);
        dst += VM_SD_BLOCK;
        sd->stream_next++;
        n--;
    }
    if (sd->flags & VM_SD_SHARED) {
        err = close_stream(sd, ST_READ);
        if (err) return err;
        spi_stop(sd);
    }
    return VM_OK;
}

/* Keep the block buffer equal to the card for blocks just written. */
static void buf_update(struct vm_sd *sd, uint32_t block, const uint8_t *src, uint32_t n)
{
    uint32_t i;
    if (!sd->buf_valid || sd->buf_block < block || sd->buf_block - block >= n) return;
    src += (sd->buf_block - block) * VM_SD_BLOCK;
    if (src != sd->buf)
        for (i = 0; i < VM_SD_BLOCK; i++) sd->buf[i] = src[i];
}

int vm_sd_write_blocks(struct vm_sd *sd, uint32_t block, const uint8_t *src, uint32_t n)
{
    int err = begin_blocks(sd, block, n);
    uint8_t r;
    uint32_t i;
    if (err || n == 0u) return err;
    if ((sd->flags & (VM_SD_SHARED | VM_SD_BLOCKWISE)) || (n == 1u && (sd->flags & VM_SD_PRE_ERASE))) {
        err = close_stream(sd, sd->state);
        if (err) return err;
        for (i = 0; i < n; i++) {
            r = command(sd, VM_SD_CMD24, card_addr(sd, block + i));
            if (r != 0u) return fail(sd, r1_err(r));
            err = write_data(sd, VM_SD_TOKEN_START, src + i * VM_SD_BLOCK);
            if (err) return fail(sd, err);
            if (wait_ready(sd, VM_SD_WRITE_TIMEOUT) != VM_OK) return fail(sd, VM_ERR_TIMEOUT);
            if (sd->flags & (VM_SD_SHARED | VM_SD_STATUS)) {
                /* the flash-programming check: CMD13 and R2's second byte */
                r = command(sd, VM_SD_CMD13, 0);
                if (spi_byte(sd, 0xFF) != 0u || r != 0u)
                    return fail(sd, r & 0x80u ? VM_ERR_TIMEOUT : VM_ERR_IO);
            }
            if (sd->flags & (VM_SD_SHARED | VM_SD_BLOCKWISE)) spi_stop(sd);
        }
        buf_update(sd, block, src, n);
        return VM_OK;
    }
    if (!(sd->state == ST_WRITE && sd->stream_next == block) || (sd->flags & VM_SD_PRE_ERASE)) {
        err = close_stream(sd, sd->state);
        if (err) return err;
        if (sd->flags & VM_SD_PRE_ERASE) {
            r = app_command(sd, VM_SD_ACMD23, n);
            if (r != 0u) return fail(sd, r1_err(r));
        }
        r = command(sd, VM_SD_CMD25, card_addr(sd, block));
        if (r != 0u) return fail(sd, r1_err(r));
        sd->state = ST_WRITE;
        sd->stream_next = block;
    }
    for (i = 0; i < n; i++) {
        err = write_data(sd, VM_SD_TOKEN_MULTI, src + i * VM_SD_BLOCK);
        if (err) return fail(sd, err);
        sd->stream_next++;
    }
    /* the last block is programmed before we report success */
    if (wait_ready(sd, VM_SD_WRITE_TIMEOUT) != VM_OK) return fail(sd, VM_ERR_TIMEOUT);
    if (sd->flags & VM_SD_PRE_ERASE) { /* the erase count was for this call */
        err = close_stream(sd, ST_WRITE);
        if (err) return err;
    }
    buf_update(sd, block, src, n);
    return VM_OK;
}

/* Make the block buffer hold block b. */
static int load_buf(struct vm_sd *sd, uint32_t b)
{
    int err;
    if (sd->buf_valid && sd->buf_block == b) return VM_OK;
    sd->buf_valid = 0;
    err = vm_sd_read_blocks(sd, b, sd->buf, 1);
    if (err) return err;
    sd->buf_block = b;
    sd->buf_valid = 1;
    return VM_OK;
}

/* Move len bytes at addr between the card and memory: into dst when src is
 * NULL, from src otherwise. Whole aligned blocks go straight to or from the
 * card (a write never reads first); part of a block goes through the block
 * buffer, read-modify-write when writing. */
static int move_bytes(struct vm_sd *sd, uint32_t addr, uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t done = 0;
    if (addr >= sd->be.size || len > sd->be.size - addr) return VM_ERR_RANGE;
    while (done < len) {
        uint32_t b = addr / VM_SD_BLOCK;
        uint16_t off = (uint16_t)(addr % VM_SD_BLOCK);
        size_t k = len - done;
        size_t i;
        int err;
        if (off == 0u && k >= VM_SD_BLOCK) {
            uint32_t n = (uint32_t)(k / VM_SD_BLOCK);
            err = src ? vm_sd_write_blocks(sd, b, src + done, n) : vm_sd_read_blocks(sd, b, dst + done, n);
            if (err) return err;
            k = (size_t)n * VM_SD_BLOCK;
        } else {
            if (k > VM_SD_BLOCK - off) k = VM_SD_BLOCK - off;
            err = load_buf(sd, b);
            if (err) return err;
            if (!src) {
                for (i = 0; i < k; i++) dst[done + i] = sd->buf[off + i];
            } else {
                for (i = 0; i < k; i++) sd->buf[off + i] = src[done + i];
                err = vm_sd_write_blocks(sd, b, sd->buf, 1);
                if (err) {
                    sd->buf_valid = 0; /* buf no longer matches the card */
                    return err;
                }
            }
        }
        done += k;
        addr += (uint32_t)k;
    }
    return VM_OK;
}

int vm_sd_read(struct vm_sd *sd, uint32_t addr, void *buf, size_t len)
{
    return move_bytes(sd, addr, (uint8_t *)buf, NULL, len);
}

int vm_sd_write(struct vm_sd *sd, uint32_t addr, const void *buf, size_t len)
{
    return move_bytes(sd, addr, NULL, (const uint8_t *)buf, len);
}

int vm_sd_sync(struct vm_sd *sd)
{
    int err = prepare(sd);
    if (err) return err;
    err = close_stream(sd, sd->state);
    if (err) return err;
    spi_stop(sd);
    return VM_OK;
}

int vm_sd_set_range(struct vm_sd *sd, uint32_t first_block, uint32_t block_count)
{
    int err;
    if (block_count == 0u || block_count > 0x7FFFFFul || first_block > 0xFFFFFFFFul - block_count)
        return VM_ERR_INVAL;
    err = vm_sd_sync(sd);
    sd->first_block = first_block;
    sd->block_count = block_count;
    sd->buf_valid = 0;
    sd->be.size = (vm_addr_t)(block_count * VM_SD_BLOCK);
    return err;
}
