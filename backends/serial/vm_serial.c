/*
 * vm_serial.c - board-side driver of the serial pager protocol.
 *
 * Stop and wait: one request in flight, answered by exactly one reply with
 * the same sequence number. Before each attempt the receive side is drained,
 * so bytes of an abandoned reply cannot be mistaken for the next one; while
 * waiting, anything that is not a well-formed reply to this request (garbage,
 * a header whose CRC-8 fails, a late reply to an earlier attempt) is skipped.
 * Timeouts are measured with uart.millis, wrap-safe.
 */
#include "vm_serial.h"

#define SCRATCH 16u
/* Bytes moved per uart call while streaming a payload; smaller than an
 * Arduino's 64-byte serial buffers, so the CRC of a chunk (about 1.2k cycles
 * at 37 cycles a byte on AVR) is done before the buffer fills. */
#ifndef VM_SERIAL_CHUNK
#define VM_SERIAL_CHUNK 32u
#endif

static int status_to_err(struct vm_serial *s, uint8_t st)
{
    switch (st) {
    case VM_SP_OK: return VM_OK;
    case VM_SP_E_RANGE: return VM_ERR_RANGE;
    case VM_SP_E_NOTREADY:
        s->version = 0; /* the host lost our session: refuse until HELLO */
        return VM_ERR_NODEV;
    default: return VM_ERR_IO;
    }
}

uint32_t vm_serial_attempt_ms(const struct vm_serial *s, uint16_t req_bytes,
                              uint16_t reply_bytes)
{
    /* Both frames' wire time at 10 bits a byte, rounded up, plus the slack
     * for latency timers (16 ms by default on FTDI: ftdichip.com knowledge base) and the host. */
    uint32_t bytes = (uint32_t)req_bytes + reply_bytes + 2u * VM_SP_OVERHEAD;
    uint32_t wire = (bytes * 10000ul + s->baud - 1u) / s->baud;
    return wire + s->timeout_ms;
}

int vm_serial_init(struct vm_serial *s, const struct vm_serial_config *cfg)
{
    if (s == NULL || cfg == NULL || cfg->uart == NULL || cfg->uart->read == NULL ||
        cfg->uart->write == NULL || cfg->uart->millis == NULL)
        return VM_ERR_INVAL;
    if (cfg->max_data != 0 && (cfg->max_data < 16u || cfg->max_data > VM_SP_DATA_MAX))
        return VM_ERR_INVAL;
    memset(s, 0, sizeof *s);
    s->uart = *cfg->uart;
    s->baud = cfg->baud ? cfg->baud : VM_SERIAL_DEFAULT_BAUD;
    s->want_data = cfg->max_data ? cfg->max_data : VM_SERIAL_DEFAULT_DATA;
    s->max_data = s->want_data;
    s->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : VM_SERIAL_DEFAULT_TIMEOUT_MS;
    s->retries = cfg->retries == 0 ? VM_SERIAL_DEFAULT_RETRIES
               : cfg->retries == VM_SERIAL_NO_RETRY ? 0u : cfg->retries;
    s->pad = cfg->pad;
    s->backend.read = vm_serial_read;
    s->backend.write = vm_serial_write;
    s->backend.sync = vm_serial_sync;
    s->backend.ctx = s;
    s->backend.size = 0;
    return VM_OK;
}

/* Read exactly n bytes before deadline. VM_OK, VM_ERR_TIMEOUT or the uart's error. */
static int recv_exact(struct vm_serial *s, uint8_t *buf, uint16_t n, uint32_t deadline)
{
    while (n > 0) {
        uint32_t left = deadline - s->uart.millis(s->uart.ctx);
        int r;
        if ((int32_t)left < 0) left = 0;
        r = s->uart.read(s->uart.ctx, buf, n, left);
        if (r < 0) return r;
        if (r == 0) return VM_ERR_TIMEOUT;
        buf += r;
        n = (uint16_t)(n - (uint16_t)r);
    }
    return VM_OK;
}

/* Read and drop n bytes, feeding them to *crc when crc != NULL. */
static int recv_skip(struct vm_serial *s, uint16_t n, uint32_t deadline, uint32_t *crc)
{
    uint8_t tmp[SCRATCH];
    while (n > 0) {
        uint16_t k = n < SCRATCH ? n : (uint16_t)SCRATCH;
        int r = recv_exact(s, tmp, k, deadline);
        if (r != VM_OK) return r;
        if (crc) *crc = vm_sp_crc32_update(*crc, tmp, k);
        n = (uint16_t)(n - k);
    }
    return VM_OK;
}

/* Drop whatever is already waiting (a bounded number of reads: a babbling
 * link cannot keep us here). */
static void drain(struct vm_serial *s)
{
    uint8_t tmp[SCRATCH];
    uint8_t i;
    for (i = 0; i < 64u; i++)
        if (s->uart.read(s->uart.ctx, tmp, sizeof tmp, 0) <= 0) break;
}

static int send_padding(struct vm_serial *s, uint16_t n)
{
    uint8_t zeros[8]; /* on the stack: a const table would cost AVR RAM */
    memset(zeros, VM_SP_PAD, sizeof zeros);
    while (n > 0) {
        uint16_t k = n < sizeof zeros ? n : (uint16_t)sizeof zeros;
        int r = s->uart.write(s->uart.ctx, zeros, k);
        if (r < 0) return r;
        n = (uint16_t)(n - k);
    }
    return 0;
}

/* Wait for the reply to (type, seq): status in *st, rn data bytes into rbuf
 * (only when the reply carries them; *got says whether it did). */
static int recv_reply(struct vm_serial *s, uint8_t type, uint8_t seq, uint8_t *st,
                      uint8_t *rbuf, uint16_t rn, int *got, uint32_t deadline)
{
    uint8_t w[VM_SP_HEADER];
    uint8_t have = 0;
    for (;;) {
        uint16_t len;
        uint32_t crc;
        uint8_t tail[VM_SP_TRAILER];
        int r;
        if (have == 0) {
            r = recv_exact(s, w, 1, deadline);
            if (r != VM_OK) return r;
            if (w[0] != VM_SP_SYNC) continue;
            have = 1;
        }
        r = recv_exact(s, w + have, (uint16_t)(VM_SP_HEADER - have), deadline);
        if (r != VM_OK) return r;
        if (!vm_sp_header_ok(w, VM_SP_PAYLOAD_MAX)) {
            /* Not a header: resume the hunt at the next sync byte in it. */
            uint8_t i, j;
            s->stats.resyncs++;
            for (i = 1; i < VM_SP_HEADER && w[i] != VM_SP_SYNC; i++) {}
            for (j = 0; i < VM_SP_HEADER; i++, j++) w[j] = w[i];
            have = j;
            continue;
        }
        have = 0;
        len = vm_sp_get16(w + 3);
        if (w[1] != (uint8_t)(type | VM_SP_REPLY) || w[2] != seq ||
            (len != 1u && len != (uint16_t)(rn + 1u))) {
            s->stats.stale++; /* someone else's frame: skip it whole */
            r = recv_skip(s, (uint16_t)(len + VM_SP_TRAILER), deadline, NULL);
            if (r != VM_OK) return r;
            continue;
        }
        crc = vm_sp_crc32_update(VM_SP_CRC32_INIT, w + 1, VM_SP_HEADER - 1u);
        r = recv_exact(s, st, 1, deadline);
        if (r != VM_OK) return r;
        crc = vm_sp_crc32_update(crc, st, 1);
        *got = len > 1u;
        if (*got) {
            if (rbuf != NULL) {
                /* chunk by chunk: the CRC of one chunk overlaps the arrival
                 * of the next (the uart buffers it meanwhile) */
                uint16_t off = 0;
                while (off < rn) {
                    uint16_t k = (uint16_t)(rn - off);
                    if (k > VM_SERIAL_CHUNK) k = VM_SERIAL_CHUNK;
                    r = recv_exact(s, rbuf + off, k, deadline);
                    if (r != VM_OK) return r;
                    crc = vm_sp_crc32_update(crc, rbuf + off, k);
                    off = (uint16_t)(off + k);
                }
            } else {
                r = recv_skip(s, rn, deadline, &crc);
                if (r != VM_OK) return r;
            }
        }
        r = recv_exact(s, tail, VM_SP_TRAILER, deadline);
        if (r != VM_OK) return r;
        if (vm_sp_get32(tail) != vm_sp_crc32_final(crc)) return VM_ERR_CORRUPT;
        return VM_OK;
    }
}

/* Send n bytes, adding them to *crc chunk by chunk, so that on a board whose
 * uart.write blocks while its buffer drains, the CRC of one chunk overlaps
 * the wire time of the previous one. */
static int send_crc(struct vm_serial *s, const uint8_t *p, uint16_t n, uint32_t *crc)
{
    while (n > 0) {
        uint16_t k = n < VM_SERIAL_CHUNK ? n : (uint16_t)VM_SERIAL_CHUNK;
        int r;
        *crc = vm_sp_crc32_update(*crc, p, k);
        r = s->uart.write(s->uart.ctx, p, k);
        if (r < 0) return r;
        p += k;
        n = (uint16_t)(n - k);
    }
    return 0;
}

/* Send one request frame (the CRC is recomputed per attempt: cheaper in RAM
 * than keeping it, and it streams). */
static int send_request(struct vm_serial *s, uint8_t type, const uint8_t *head, uint16_t hn,
                        const uint8_t *data, uint16_t dn, uint16_t padding)
{
    uint8_t hdr[VM_SP_HEADER];
    uint32_t crc;
    int r;
    vm_sp_header(hdr, type, s->seq, (uint16_t)(hn + dn));
    crc = vm_sp_crc32_update(VM_SP_CRC32_INIT, hdr + 1, VM_SP_HEADER - 1u);
    r = s->uart.write(s->uart.ctx, hdr, VM_SP_HEADER);
    if (r == 0) r = send_crc(s, head, hn, &crc);
    if (r == 0) r = send_crc(s, data, dn, &crc);
    if (r == 0) {
        vm_sp_put32(hdr, vm_sp_crc32_final(crc));
        r = s->uart.write(s->uart.ctx, hdr, VM_SP_TRAILER);
    }
    if (r == 0 && padding) r = send_padding(s, padding);
    return r;
}

/* One exchange: request payload = head[0..hn) then data[0..dn); the reply's
 * rn data bytes go to rbuf. Returns VM_OK with *st set, or an error. */
static int exchange(struct vm_serial *s, uint8_t type, const uint8_t *head, uint16_t hn,
                    const uint8_t *data, uint16_t dn, uint8_t *st, uint8_t *rbuf,
                    uint16_t rn, int *got)
{
    uint16_t padding = 0;
    uint32_t wait;
    int last = VM_ERR_TIMEOUT;
    uint8_t attempt;

    if (s->pad) {
        uint16_t rem = (uint16_t)((VM_SP_OVERHEAD + hn + dn) % s->pad);
        if (rem) padding = (uint16_t)(s->pad - rem);
    }
    wait = vm_serial_attempt_ms(s, (uint16_t)(hn + dn + padding), (uint16_t)(rn + 1u));
    s->stats.requests++;

    for (attempt = 0;; attempt++) {
        int r;
        drain(s);
        r = send_request(s, type, head, hn, data, dn, padding);
        if (r < 0) {
            last = r;
            break;
        }
        r = recv_reply(s, type, s->seq, st, rbuf, rn, got,
                       s->uart.millis(s->uart.ctx) + wait);
        if (r == VM_OK) {
            s->seq++;
            return VM_OK;
        }
        if (r == VM_ERR_TIMEOUT) {
            s->stats.timeouts++;
        } else if (r == VM_ERR_CORRUPT) {
            s->stats.corrupt++;
        } else {
            last = r; /* the uart's own error: retrying will not help */
            break;
        }
        last = r;
        if (attempt >= s->retries) break;
        s->stats.retries++;
    }
    /* Give up on this sequence number: a late reply to it is now stale. */
    s->seq++;
    s->stats.failed++;
    return last;
}

int vm_serial_hello(struct vm_serial *s)
{
    uint8_t req[4], rep[7], st = 0;
    int got = 0, r;
    req[0] = VM_SP_VERSION; /* lowest version we speak */
    req[1] = VM_SP_VERSION; /* highest */
    vm_sp_put16(req + 2, s->want_data);
    r = exchange(s, VM_SP_HELLO, req, 4, NULL, 0, &st, rep, sizeof rep, &got);
    if (r == VM_ERR_TIMEOUT) return VM_ERR_NODEV; /* nobody there */
    if (r != VM_OK) return r;
    if (st != VM_SP_OK || !got) return st == VM_SP_E_VERSION ? VM_ERR_NODEV : VM_ERR_IO;
    if (rep[0] != VM_SP_VERSION) return VM_ERR_IO;
    {
        uint16_t md = vm_sp_get16(rep + 1);
        if (md < 16u) return VM_ERR_IO;
        s->max_data = md < s->want_data ? md : s->want_data;
    }
    s->version = rep[0];
    s->backend.size = vm_sp_get32(rep + 3);
    return VM_OK;
}

int vm_serial_ping(struct vm_serial *s, const uint8_t *data, uint16_t n)
{
    uint8_t st = 0, buf[SCRATCH];
    int got = 0, r;
    uint16_t i;
    if (n > SCRATCH) return VM_ERR_INVAL;
    r = exchange(s, VM_SP_PING, data, n, NULL, 0, &st, n ? buf : NULL, n, &got);
    if (r != VM_OK) return r;
    if (st != VM_SP_OK) return status_to_err(s, st);
    if (n && !got) return VM_ERR_IO;
    for (i = 0; i < n; i++)
        if (buf[i] != data[i]) return VM_ERR_CORRUPT;
    return VM_OK;
}

int vm_serial_console(struct vm_serial *s, const char *text, uint16_t n)
{
    /* Text longer than a frame goes as several, in order: never cut short
     * (max_data is at least 16 once configured). */
    do {
        uint8_t st = 0;
        int got = 0, r;
        uint16_t k = n < s->max_data ? n : s->max_data;
        r = exchange(s, VM_SP_CONSOLE, (const uint8_t *)text, k, NULL, 0, &st, NULL, 0, &got);
        if (r != VM_OK) return r;
        r = status_to_err(s, st);
        if (r != VM_OK) return r;
        text += k;
        n = (uint16_t)(n - k);
    } while (n > 0);
    return VM_OK;
}

/* Move len bytes in frames of at most max_data: READ asks for n bytes at addr
 * and takes them from the reply, WRITE sends them after addr. Inlined with
 * type a constant, so vm_serial_read and vm_serial_write each get the code of
 * a loop written for one direction (the AVR cycles of the serial figures). */
VM_INLINE int move(struct vm_serial *s, uint8_t type, vm_addr_t addr, uint8_t *p, size_t len)
{
    if (s->version == 0) return VM_ERR_NODEV;
    while (len > 0) {
        uint8_t req[6], st = 0;
        int got = 0, r;
        uint16_t n = len < s->max_data ? (uint16_t)len : s->max_data;
        vm_sp_put32(req, addr);
        if (type == VM_SP_READ) {
            vm_sp_put16(req + 4, n);
            r = exchange(s, type, req, 6, NULL, 0, &st, p, n, &got);
        } else {
            r = exchange(s, type, req, 4, p, n, &st, NULL, 0, &got);
        }
        if (r != VM_OK) return r;
        if (st != VM_SP_OK) return status_to_err(s, st);
        if (type == VM_SP_READ && !got) return VM_ERR_IO;
        p += n;
        addr += n;
        len -= n;
    }
    return VM_OK;
}

int vm_serial_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    return move((struct vm_serial *)ctx, VM_SP_READ, addr, (uint8_t *)buf, len);
}

int vm_serial_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    /* move writes to its buffer only when type is READ */
    return move((struct vm_serial *)ctx, VM_SP_WRITE, addr, (uint8_t *)buf, len);
}

int vm_serial_sync(void *ctx)
{
    struct vm_serial *s = (struct vm_serial *)ctx;
    uint8_t st = 0;
    int got = 0, r;
    if (s->version == 0) return VM_ERR_NODEV;
    r = exchange(s, VM_SP_SYNC_CMD, NULL, 0, NULL, 0, &st, NULL, 0, &got);
    return r != VM_OK ? r : status_to_err(s, st);
}
