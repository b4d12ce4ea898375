/*
 * vm_serial_host.c - the host's protocol engine: parse, apply, reply, cache.
 * See vm_serial_host.h for the resynchronisation and duplicate rules.
 */
#include "vm_serial_host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vm_serial_host {
    struct vm_serial_host_config cfg;
    struct vm_serial_host_stats stats;
    uint16_t max_data;
    uint8_t ready;        /* a HELLO was answered in this session */
    /* receive buffer: bytes of a candidate frame, buf[0] == sync when have > 0 */
    uint8_t *buf;
    size_t have;
    size_t cap;
    uint64_t at;          /* stream offset of buf[0] */
    /* last request and its reply */
    uint8_t last_valid;
    uint8_t last_type;
    uint8_t last_seq;
    uint16_t last_len;
    uint32_t last_crc;
    uint8_t *reply;
    size_t reply_len;
    uint8_t *payload;     /* reply payload being built */
};

/* ---- stores ------------------------------------------------------------ */

static int ram_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    struct vm_serial_store *st = ctx;
    memcpy(buf, st->mem + addr, len);
    return VM_OK;
}

static int ram_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    struct vm_serial_store *st = ctx;
    memcpy(st->mem + addr, buf, len);
    return VM_OK;
}

void vm_serial_store_ram(struct vm_serial_store *st, void *mem, vm_addr_t size)
{
    *st = (struct vm_serial_store){
        .backend = {.read = ram_read, .write = ram_write, .ctx = st, .size = size},
        .mem = mem,
        .fd = -1,
    };
}

static int file_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    struct vm_serial_store *st = ctx;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = pread(st->fd, p, len, (off_t)addr);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return VM_ERR_IO;
        if (r == 0) { /* beyond the end of a short file: zeros */
            memset(p, 0, len);
            return VM_OK;
        }
        p += r;
        addr += (vm_addr_t)r;
        len -= (size_t)r;
    }
    return VM_OK;
}

static int file_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    struct vm_serial_store *st = ctx;
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = pwrite(st->fd, p, len, (off_t)addr);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return VM_ERR_IO;
        p += r;
        addr += (vm_addr_t)r;
        len -= (size_t)r;
    }
    return VM_OK;
}

static int file_sync(void *ctx)
{
    struct vm_serial_store *st = ctx;
    return fsync(st->fd) == 0 ? VM_OK : VM_ERR_IO;
}

void vm_serial_store_file(struct vm_serial_store *st, int fd, vm_addr_t size)
{
    *st = (struct vm_serial_store){
        .backend = {.read = file_read, .write = file_write, .sync = file_sync, .ctx = st, .size = size},
        .fd = fd,
    };
}

/* ---- engine -------------------------------------------------------------- */

/* Largest payload of any frame this host receives or sends. */
static size_t payload_max(const struct vm_serial_host *h) { return (size_t)h->max_data + 4u; }

const char *vm_serial_type_name(uint8_t type)
{
    switch (type & (uint8_t)~VM_SP_REPLY) {
    case VM_SP_HELLO: return "HELLO";
    case VM_SP_READ: return "READ";
    case VM_SP_WRITE: return "WRITE";
    case VM_SP_SYNC_CMD: return "SYNC";
    case VM_SP_PING: return "PING";
    case VM_SP_CONSOLE: return "CONSOLE";
    default: return "?";
    }
}

struct vm_serial_host *vm_serial_host_new(const struct vm_serial_host_config *cfg)
{
    struct vm_serial_host *h;
    if (cfg == NULL || cfg->store == NULL || cfg->store->read == NULL ||
        cfg->store->write == NULL || cfg->send == NULL)
        return NULL;
    if (cfg->max_data != 0 && (cfg->max_data < 16u || cfg->max_data > VM_SP_DATA_MAX))
        return NULL;
    h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->cfg = *cfg;
    h->max_data = cfg->max_data ? cfg->max_data : VM_SP_DATA_MAX;
    /* The largest frame either way carries max_data + 4 payload bytes: a
     * WRITE request (address and data) on the way in; on the way out the
     * largest reply is a READ's or PING's status byte and max_data bytes
     * (handle() refuses anything longer before encoding it). */
    h->cap = VM_SP_OVERHEAD + (size_t)payload_max(h);
    h->buf = malloc(h->cap);
    h->reply = malloc(h->cap);
    h->payload = malloc(h->cap - VM_SP_OVERHEAD);
    if (h->buf == NULL || h->reply == NULL || h->payload == NULL) {
        vm_serial_host_free(h);
        return NULL;
    }
    return h;
}

void vm_serial_host_free(struct vm_serial_host *h)
{
    if (h == NULL) return;
    free(h->buf);
    free(h->reply);
    free(h->payload);
    free(h);
}

void vm_serial_host_restart(struct vm_serial_host *h)
{
    h->ready = 0;
    h->at += h->have;
    h->have = 0;
    h->last_valid = 0;
}

const struct vm_serial_host_stats *vm_serial_host_stats(const struct vm_serial_host *h)
{
    return &h->stats;
}

/* Bytes outside frames: 0x00 is padding (VM_SP_PAD), dropped silently; the
 * rest is console text. */
static void console_out(struct vm_serial_host *h, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = 0;
        while (k < n && p[k] == VM_SP_PAD) k++;
        h->stats.padding += k;
        p += k;
        n -= k;
        k = 0;
        while (k < n && p[k] != VM_SP_PAD) k++;
        h->stats.garbage += k;
        if (h->cfg.console && k) h->cfg.console(h->cfg.console_ctx, p, k);
        p += k;
        n -= k;
    }
}

/* HELLO: versions and the largest data size; opens the session. */
static uint8_t serve_hello(struct vm_serial_host *h, const uint8_t *in, uint16_t len, uint8_t *out,
                           uint16_t *olen)
{
    if (len != 4) return VM_SP_E_LEN;
    if (in[0] > VM_SP_VERSION || in[1] < VM_SP_VERSION) return VM_SP_E_VERSION;
    uint16_t want = vm_sp_get16(in + 2);
    uint16_t md = want < h->max_data ? want : h->max_data;
    out[1] = VM_SP_VERSION;
    vm_sp_put16(out + 2, md);
    vm_sp_put32(out + 4, h->cfg.store->size);
    *olen = 8;
    h->ready = 1;
    h->last_valid = 0; /* new session: forget old requests */
    return VM_SP_OK;
}

/* READ addr, n: n bytes of the store after the status byte. */
static uint8_t serve_read(struct vm_serial_host *h, const uint8_t *in, uint16_t len, uint8_t *out,
                          uint16_t *olen, vm_addr_t *addr, uint16_t *n)
{
    const struct vm_backend *store = h->cfg.store;
    if (len != 6) return VM_SP_E_LEN;
    *addr = vm_sp_get32(in);
    *n = vm_sp_get16(in + 4);
    if (*n == 0 || *n > h->max_data) return VM_SP_E_LEN;
    if ((uint64_t)*addr + *n > store->size) return VM_SP_E_RANGE;
    if (store->read(store->ctx, *addr, out + 1, *n) != VM_OK) return VM_SP_E_IO;
    *olen = (uint16_t)(1u + *n);
    h->stats.bytes_read += *n;
    return VM_SP_OK;
}

/* WRITE addr, data: into the store. */
static uint8_t serve_write(struct vm_serial_host *h, const uint8_t *in, uint16_t len, vm_addr_t *addr,
                           uint16_t *n)
{
    const struct vm_backend *store = h->cfg.store;
    if (len < 5 || len - 4u > h->max_data) return VM_SP_E_LEN;
    *addr = vm_sp_get32(in);
    *n = (uint16_t)(len - 4u);
    if ((uint64_t)*addr + *n > store->size) return VM_SP_E_RANGE;
    if (store->write(store->ctx, *addr, in + 4, *n) != VM_OK) return VM_SP_E_IO;
    h->stats.writes++;
    h->stats.bytes_written += *n;
    return VM_SP_OK;
}

/* Serves one request of a session: the reply payload after the status byte
 * goes to out (olen bytes in all); addr and n tell the trace what moved.
 * Returns the status. */
static uint8_t serve(struct vm_serial_host *h, uint8_t type, const uint8_t *in, uint16_t len,
                     uint8_t *out, uint16_t *olen, vm_addr_t *addr, uint16_t *n)
{
    const struct vm_backend *store = h->cfg.store;
    switch (type) {
    case VM_SP_HELLO: return serve_hello(h, in, len, out, olen);
    case VM_SP_READ: return serve_read(h, in, len, out, olen, addr, n);
    case VM_SP_WRITE: return serve_write(h, in, len, addr, n);
    case VM_SP_SYNC_CMD:
        if (len != 0) return VM_SP_E_LEN;
        if (store->sync && store->sync(store->ctx) != VM_OK) return VM_SP_E_IO;
        return VM_SP_OK;
    case VM_SP_PING:
        /* The echo follows the status byte: at most max_data bytes, so
         * the reply stays within the largest frame (max_data + 4). */
        if (len > h->max_data) return VM_SP_E_LEN;
        memcpy(out + 1, in, len);
        *olen = (uint16_t)(1u + len);
        return VM_SP_OK;
    case VM_SP_CONSOLE:
        if (h->cfg.console && len) h->cfg.console(h->cfg.console_ctx, in, len);
        return VM_SP_OK;
    default:
        return VM_SP_E_TYPE;
    }
}

/* Handle one well-formed request frame f (payload length len, CRC crc). */
static void handle(struct vm_serial_host *h, const uint8_t *f, uint16_t len, uint32_t crc)
{
    uint8_t type = f[1], seq = f[2];
    const uint8_t *in = f + VM_SP_HEADER;
    uint8_t *out = h->payload;
    uint16_t olen = 1;
    uint8_t st = VM_SP_OK;
    vm_addr_t addr = 0;
    uint16_t n = 0;

    if (type & VM_SP_REPLY) { /* a reply never travels this way: noise */
        h->stats.bad_header++;
        if (h->cfg.bad_frame) h->cfg.bad_frame(h->cfg.bad_frame_ctx, "reply type", h->at);
        return;
    }
    h->stats.frames++;
    if (h->last_valid && type == h->last_type && seq == h->last_seq &&
        len == h->last_len && crc == h->last_crc) {
        h->stats.duplicates++;
        if (h->cfg.trace)
            h->cfg.trace(h->cfg.trace_ctx, type, seq, 0, len, h->reply[VM_SP_HEADER], 1);
        h->cfg.send(h->cfg.send_ctx, h->reply, h->reply_len);
        return;
    }

    if (!h->ready && type != VM_SP_HELLO && type != VM_SP_PING && type != VM_SP_CONSOLE)
        st = VM_SP_E_NOTREADY;
    else
        st = serve(h, type, in, len, out, &olen, &addr, &n);
    if (olen > payload_max(h)) st = VM_SP_E_LEN; /* never sent past the buffer */
    if (st != VM_SP_OK) {
        olen = 1;
        h->stats.errors++;
    }
    out[0] = st;
    h->reply_len = vm_sp_encode(h->reply, (uint8_t)(type | VM_SP_REPLY), seq, out, olen);
    h->last_valid = 1;
    h->last_type = type;
    h->last_seq = seq;
    h->last_len = len;
    h->last_crc = crc;
    if (h->cfg.trace) h->cfg.trace(h->cfg.trace_ctx, type, seq, addr, n ? n : len, st, 0);
    h->cfg.send(h->cfg.send_ctx, h->reply, h->reply_len);
}

static void drop_front(struct vm_serial_host *h, size_t k)
{
    memmove(h->buf, h->buf + k, h->have - k);
    h->have -= k;
    h->at += k;
}

/* Consume as many frames and console bytes from buf as are complete. */
static void process(struct vm_serial_host *h)
{
    while (h->have > 0) {
        uint16_t len;
        size_t need;
        uint32_t crc;
        if (h->buf[0] != VM_SP_SYNC) {
            size_t i = 1;
            while (i < h->have && h->buf[i] != VM_SP_SYNC) i++;
            console_out(h, h->buf, i);
            drop_front(h, i);
            continue;
        }
        if (h->have < VM_SP_HEADER) return;
        if (!vm_sp_header_ok(h->buf, (uint16_t)payload_max(h))) {
            h->stats.bad_header++;
            if (h->cfg.bad_frame) h->cfg.bad_frame(h->cfg.bad_frame_ctx, "bad header", h->at);
            console_out(h, h->buf, 1);
            drop_front(h, 1);
            continue;
        }
        len = vm_sp_get16(h->buf + 3);
        need = VM_SP_OVERHEAD + (size_t)len;
        if (h->have < need) return;
        crc = vm_sp_frame_crc(h->buf, len);
        if (crc != vm_sp_get32(h->buf + VM_SP_HEADER + len)) {
            h->stats.bad_crc++;
            if (h->cfg.bad_frame) h->cfg.bad_frame(h->cfg.bad_frame_ctx, "bad CRC", h->at);
            console_out(h, h->buf, 1);
            drop_front(h, 1);
            continue;
        }
        handle(h, h->buf, len, crc);
        drop_front(h, need);
    }
}

void vm_serial_host_feed(struct vm_serial_host *h, const uint8_t *buf, size_t n)
{
    while (n > 0) {
        /* Take as much as fits, then process. While a frame is incomplete,
         * have < need <= cap, so there is always room for one more byte. */
        size_t k = h->cap - h->have;
        if (k > n) k = n;
        if (h->have > 0 && h->buf[0] == VM_SP_SYNC && h->have >= VM_SP_HEADER) {
            /* inside a frame: take at most what it still needs, so a
             * failed frame's bytes can be re-scanned in place */
            size_t need = VM_SP_OVERHEAD + (size_t)vm_sp_get16(h->buf + 3);
            if (need > h->have && k > need - h->have) k = need - h->have;
        } else if (h->have < VM_SP_HEADER && k > VM_SP_HEADER - h->have) {
            k = VM_SP_HEADER - h->have;
        }
        memcpy(h->buf + h->have, buf, k);
        h->have += k;
        buf += k;
        n -= k;
        process(h);
    }
}
