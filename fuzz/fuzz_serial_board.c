/*
 * fuzz_serial_board.c - the board-side driver (vm_serial.c) fed host
 * replies.
 *
 * A fake uart answers each request with what the input says: silence (the
 * clock jumps to the deadline), raw bytes, or a reply frame with a valid CRC
 * whose type, seq, status, length and bytes the input may bend, sometimes
 * with a flipped bit. The driver runs a fixed session: HELLO, a READ of one
 * frame, a WRITE, SYNC, PING, CONSOLE, a READ of several frames, with the
 * configuration (max_data, retries, padding) picked by the first byte.
 *
 * Properties checked, besides the sanitizers (every buffer the driver fills
 * is a heap block of exactly its size): results are known error codes; a
 * negotiated max_data is 16..what the board asked; an operation of one frame
 * ends within (retries + 1) attempt timeouts of simulated time, whatever
 * the host says (vm_serial.h's promise); the clock starts near its wrap.
 */
#include <string.h>

#include "fuzz.h"
#include "vm_serial.h"

struct uart_rig {
    const uint8_t *in, *end;
    uint32_t now;
    /* the request being written by the driver */
    uint8_t req[VM_SP_OVERHEAD + VM_SP_PAYLOAD_MAX];
    size_t req_have, req_need;
    uint8_t last_type, last_seq;
    uint16_t want_reply; /* reply payload length the request expects */
    /* bytes queued for the driver to read */
    uint8_t q[VM_SP_OVERHEAD + VM_SP_PAYLOAD_MAX + 64];
    size_t qh, qn;
};

static uint8_t take(struct uart_rig *u)
{
    return u->in < u->end ? *u->in++ : 0;
}

static void request_done(struct uart_rig *u)
{
    const uint8_t *p = u->req + VM_SP_HEADER;
    uint16_t len = vm_sp_get16(u->req + 3);
    u->last_type = u->req[1];
    u->last_seq = u->req[2];
    switch (u->last_type) {
    case VM_SP_HELLO: u->want_reply = 8; break;
    case VM_SP_READ: u->want_reply = len == 6 ? (uint16_t)(1u + vm_sp_get16(p + 4)) : 1; break;
    case VM_SP_PING: u->want_reply = (uint16_t)(1u + len); break;
    default: u->want_reply = 1; break;
    }
    if (vm_sp_get32(p + len) != vm_sp_frame_crc(u->req, len)) fuzz_fail("request with a bad CRC");
}

static int u_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct uart_rig *u = ctx;
    while (n > 0) {
        if (u->req_need == 0) {
            if (*buf == VM_SP_PAD) { /* padding between frames */
                buf++;
                n--;
                continue;
            }
            if (*buf != VM_SP_SYNC) fuzz_fail("request does not start with the sync byte");
            u->req_have = 0;
            u->req_need = VM_SP_HEADER;
        }
        size_t k = n < u->req_need - u->req_have ? n : u->req_need - u->req_have;
        memcpy(u->req + u->req_have, buf, k);
        u->req_have += k;
        buf += k;
        n -= k;
        if (u->req_have == VM_SP_HEADER && u->req_need == VM_SP_HEADER) {
            if (!vm_sp_header_ok(u->req, VM_SP_PAYLOAD_MAX)) fuzz_fail("bad request header");
            u->req_need = VM_SP_OVERHEAD + vm_sp_get16(u->req + 3);
        }
        if (u->req_have == u->req_need) {
            request_done(u);
            u->req_need = 0;
        }
    }
    return 0;
}

/* Queues the host's next answer, as the input says. 0: silence. */
static int answer(struct uart_rig *u)
{
    if (u->in >= u->end) return 0;
    uint8_t c = take(u);
    u->qh = u->qn = 0;
    switch (c & 3u) {
    case 0: return 0;
    case 1: { /* raw bytes */
        size_t k = 1u + take(u) % 40u;
        while (k-- && u->in < u->end) u->q[u->qn++] = take(u);
        return u->qn > 0;
    }
    default: { /* a reply frame with a valid CRC */
        static uint8_t pl[VM_SP_PAYLOAD_MAX + 8];
        uint8_t type = (uint8_t)(u->last_type | VM_SP_REPLY), seq = u->last_seq;
        uint16_t len = u->want_reply, i;
        if (c & 0x04) type = take(u);
        if (c & 0x08) seq = (uint8_t)(seq + take(u));
        if ((c & 3u) == 3) { /* any length, sometimes past the limit */
            len = (uint16_t)(take(u) | take(u) << 8);
            len = (uint16_t)(len % (VM_SP_PAYLOAD_MAX + 8u));
        }
        pl[0] = (c & 0x10) ? take(u) : VM_SP_OK;
        for (i = 1; i < len; i++) pl[i] = take(u);
        u->qn = vm_sp_encode(u->q, type, seq, pl, len);
        if (c & 0x20) {
            uint16_t at = (uint16_t)(take(u) | take(u) << 8);
            u->q[at % u->qn] ^= (uint8_t)(1u << (take(u) & 7u));
        }
        if (c & 0x40) u->qn -= take(u) % u->qn; /* cut short */
        return u->qn > 0;
    }
    }
}

static int u_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    struct uart_rig *u = ctx;
    if (n == 0) fuzz_fail("read of 0 bytes");
    if (u->qh == u->qn && !answer(u)) {
        u->now += timeout_ms + 1u; /* nothing came: the whole wait passes */
        return 0;
    }
    size_t k = u->qn - u->qh < n ? u->qn - u->qh : n;
    memcpy(buf, u->q + u->qh, k);
    u->qh += k;
    return (int)k;
}

static uint32_t u_millis(void *ctx) { return ((struct uart_rig *)ctx)->now; }

static void known(int rc, const char *what)
{
    if (rc != VM_OK && rc != VM_ERR_TIMEOUT && rc != VM_ERR_CORRUPT && rc != VM_ERR_NODEV &&
        rc != VM_ERR_RANGE && rc != VM_ERR_IO)
        fuzz_fail("%s returned %d", what, rc);
}

/* One frame's operation must end within (retries + 1) attempts. */
static void bounded(const struct vm_serial *s, struct uart_rig *u, uint32_t t0, const char *what)
{
    uint32_t attempt = vm_serial_attempt_ms(s, VM_SP_PAYLOAD_MAX + 64u, VM_SP_PAYLOAD_MAX);
    uint32_t limit = ((uint32_t)s->retries + 1u) * (attempt + 2u);
    if ((uint32_t)(u->now - t0) > limit)
        fuzz_fail("%s took %lu ms, more than %lu", what, (unsigned long)(u->now - t0),
                  (unsigned long)limit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t mds[4] = {16, 64, 1024, 4096};
    static const uint8_t retries[4] = {VM_SERIAL_NO_RETRY, 1, 3, 0};
    struct uart_rig *u;
    struct vm_uart uart;
    struct vm_serial_config cfg;
    struct vm_serial s;
    uint32_t t0;
    int rc;
    if (size < 1) return 0;
    u = calloc(1, sizeof *u);
    if (!u) return 0;
    u->in = data + 1;
    u->end = data + size;
    u->now = 0xFFFFFF00u; /* wraps during the session */
    uart.write = u_write;
    uart.read = u_read;
    uart.millis = u_millis;
    uart.ctx = u;
    memset(&cfg, 0, sizeof cfg);
    cfg.uart = &uart;
    cfg.max_data = mds[data[0] & 3u];
    cfg.retries = retries[data[0] >> 2 & 3u];
    cfg.pad = (data[0] & 0x10) ? 62 : 0;
    cfg.timeout_ms = 20;
    if (vm_serial_init(&s, &cfg) != VM_OK) fuzz_fail("vm_serial_init refused a good config");

    t0 = u->now;
    rc = vm_serial_hello(&s);
    known(rc, "hello");
    bounded(&s, u, t0, "hello");
    if (rc == VM_OK && (s.max_data < 16u || s.max_data > cfg.max_data))
        fuzz_fail("negotiated max_data %u (asked %u)", s.max_data, cfg.max_data);

    uint16_t md = s.max_data;
    uint8_t *one = malloc(md), *many = malloc(2u * md + 3u), *pattern = malloc(2u * md + 3u);
    if (!one || !many || !pattern) fuzz_fail("out of memory");
    for (unsigned i = 0; i < 2u * md + 3u; i++) pattern[i] = (uint8_t)(i * 13u);

    t0 = u->now;
    known(rc = vm_serial_read(&s, 5, one, md), "read");
    bounded(&s, u, t0, "read");
    t0 = u->now;
    known(vm_serial_write(&s, 7, pattern, md), "write");
    bounded(&s, u, t0, "write");
    t0 = u->now;
    known(vm_serial_sync(&s), "sync");
    bounded(&s, u, t0, "sync");
    t0 = u->now;
    known(vm_serial_ping(&s, pattern, 16), "ping");
    bounded(&s, u, t0, "ping");
    t0 = u->now;
    known(vm_serial_console(&s, "console text", 12), "console");
    bounded(&s, u, t0, "console");
    known(vm_serial_read(&s, 0xFFFFFF00u, many, 2u * md + 3u), "read of three frames");
    known(vm_serial_write(&s, 0, pattern, 2u * md + 3u), "write of three frames");
    if (s.version == 0) known(vm_serial_hello(&s), "second hello");

    free(one);
    free(many);
    free(pattern);
    free(u);
    return 0;
}
