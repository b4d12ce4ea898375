/*
 * fuzz_serial_host.c - the host's protocol engine (vm_serial_host.c) fed
 * bytes from the line, as vmserve and the simulator feed it.
 *
 * FUZZ_FIX_CRC=0: the input is fed as it is, in pieces whose sizes come
 * from the input. Only resynchronisation and console handling are reached
 * this way: a random frame passes its CRC-32 once in 2^32.
 * FUZZ_FIX_CRC=1: the input is a script of frames with valid CRCs (any
 * type, seq, length and payload), garbage, corrupted and repeated frames,
 * and host restarts, so the fuzzer reaches request handling.
 *
 * The first input byte picks the host's max_data and the pool size. Every
 * reply the engine sends must be a well-formed frame of at most max_data + 4
 * payload bytes, a reply to a request type, with a known status; the pool
 * (a heap block of exactly its size) is never touched outside.
 */
#include <string.h>

#include "fuzz.h"
#include "vm_serial_host.h"
#include "vm_serial_proto.h"

#ifndef FUZZ_FIX_CRC
#define FUZZ_FIX_CRC 0
#endif

static const uint16_t max_datas[8] = {16, 17, 64, 255, 1024, 4095, 4096, 0};
static const uint32_t pools[4] = {1, 100, 4096, 70000};

struct host_rig {
    struct vm_serial_host *h;
    uint16_t max_data;
    uint64_t replies;
};

static void on_send(void *ctx, const uint8_t *f, size_t n)
{
    struct host_rig *r = ctx;
    uint16_t len;
    r->replies++;
    if (n < VM_SP_OVERHEAD + 1u) fuzz_fail("reply of %zu bytes: shorter than a status", n);
    if (!vm_sp_header_ok(f, (uint16_t)(r->max_data + 4u)))
        fuzz_fail("reply header bad or longer than max_data + 4 (%u)", r->max_data + 4u);
    len = vm_sp_get16(f + 3);
    if (n != VM_SP_OVERHEAD + (size_t)len) fuzz_fail("reply length %u in a %zu-byte frame", len, n);
    if (vm_sp_get32(f + VM_SP_HEADER + len) != vm_sp_frame_crc(f, len)) fuzz_fail("reply CRC");
    if (!(f[1] & VM_SP_REPLY)) fuzz_fail("reply type 0x%02x without the reply bit", f[1]);
    if (f[VM_SP_HEADER] > VM_SP_E_VERSION) fuzz_fail("unknown status %u", f[VM_SP_HEADER]);
    if (f[VM_SP_HEADER] != VM_SP_OK && len != 1) fuzz_fail("error reply with %u bytes", len);
}

static void on_console(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    if (n == 0) fuzz_fail("empty console write");
    volatile uint8_t x = buf[0] ^ buf[n - 1]; /* ASan checks the range */
    (void)x;
}

/* Feeds n bytes in pieces sized by a generator seeded from the input. */
static void feed(struct host_rig *r, const uint8_t *p, size_t n, uint32_t *rng)
{
    while (n > 0) {
        size_t k;
        *rng = *rng * 1103515245u + 12345u;
        k = 1u + (*rng >> 16) % 97u;
        if ((*rng >> 8 & 7u) == 0) k = n; /* sometimes all at once */
        if (k > n) k = n;
        vm_serial_host_feed(r->h, p, k);
        p += k;
        n -= k;
    }
}

#if FUZZ_FIX_CRC
static uint8_t next(const uint8_t **p, const uint8_t *end)
{
    return *p < end ? *(*p)++ : 0;
}

static void script(struct host_rig *r, const uint8_t *p, const uint8_t *end, uint32_t *rng)
{
    static uint8_t frame[VM_SP_OVERHEAD + VM_SP_PAYLOAD_MAX + 16];
    while (p < end) {
        uint8_t c = *p++;
        if (c < 0x40) { /* garbage or console text: up to 63 bytes as they are */
            size_t k = c;
            if (k > (size_t)(end - p)) k = (size_t)(end - p);
            feed(r, p, k, rng);
            p += k;
        } else if (c < 0x48) {
            vm_serial_host_restart(r->h);
        } else { /* a frame with a valid CRC */
            uint8_t type = next(&p, end), seq = next(&p, end);
            uint16_t lim = (uint16_t)(r->max_data + 4u), len;
            size_t n;
            len = (uint16_t)(next(&p, end) | next(&p, end) << 8);
            /* mostly within the limit; sometimes a little beyond it */
            len = (uint16_t)(len % (uint32_t)(lim + ((c & 0x04) ? 8u : 1u)));
            if (len > VM_SP_PAYLOAD_MAX + 8u) len = VM_SP_PAYLOAD_MAX + 8u;
            if ((size_t)(end - p) < len) len = (uint16_t)(end - p);
            n = vm_sp_encode(frame, type, seq, p, len);
            p += len;
            if ((c & 0x38) == 0x08) frame[next(&p, end) % n] ^= (uint8_t)(1u << (c & 7u));
            feed(r, frame, n, rng);
            if ((c & 0x30) == 0x10) feed(r, frame, n, rng); /* a retry */
        }
    }
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct host_rig r;
    struct vm_serial_store st;
    struct vm_serial_host_config c;
    uint32_t rng;
    uint8_t *mem;
    uint32_t pool;
    if (size < 2) return 0;
    memset(&r, 0, sizeof r);
    pool = pools[data[0] >> 3 & 3u];
    mem = malloc(pool);
    if (!mem) return 0;
    memset(mem, 0x5A, pool);
    vm_serial_store_ram(&st, mem, pool);
    memset(&c, 0, sizeof c);
    c.store = &st.backend;
    c.max_data = max_datas[data[0] & 7u];
    c.send = on_send;
    c.send_ctx = &r;
    c.console = on_console;
    r.max_data = c.max_data ? c.max_data : VM_SP_DATA_MAX;
    r.h = vm_serial_host_new(&c);
    if (!r.h) fuzz_fail("vm_serial_host_new refused max_data %u", c.max_data);
    rng = data[1];
#if FUZZ_FIX_CRC
    script(&r, data + 2, data + size, &rng);
#else
    feed(&r, data + 2, size - 2, &rng);
#endif
    const struct vm_serial_host_stats *s = vm_serial_host_stats(r.h);
    if (s->frames != r.replies) /* every request is answered exactly once */
        fuzz_fail("%llu replies for %llu requests", (unsigned long long)r.replies,
                  (unsigned long long)s->frames);
    vm_serial_host_free(r.h);
    free(mem);
    return 0;
}
