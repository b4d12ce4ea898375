/*
 * test_serial_proto.c - the wire format and the host engine in isolation:
 * CRC check values, frame encode/decode, header rejection, and the host's
 * parser (split feeds, resync after garbage, dropped and flipped bytes,
 * duplicates answered from the cache, status codes).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vm_serial_host.h"
#include "vm_serial_proto.h"

static const uint8_t check9[] = "123456789";

START_TEST(crc_vectors)
{
    ck_assert_uint_eq(vm_sp_crc8(0, check9, 9), 0xF4);
    ck_assert_uint_eq(vm_sp_crc32_final(vm_sp_crc32_update(VM_SP_CRC32_INIT, check9, 9)),
                      0xCBF43926ul);
    /* in pieces, the same */
    {
        uint32_t c = vm_sp_crc32_update(VM_SP_CRC32_INIT, check9, 4);
        c = vm_sp_crc32_update(c, check9 + 4, 5);
        ck_assert_uint_eq(vm_sp_crc32_final(c), 0xCBF43926ul);
    }
    /* empty input */
    ck_assert_uint_eq(vm_sp_crc32_final(vm_sp_crc32_update(VM_SP_CRC32_INIT, check9, 0)), 0);
    ck_assert_uint_eq(vm_sp_crc8(0, check9, 0), 0);
}
END_TEST

/* The example frame of docs/serial-protocol.md: PING seq 0x07 "hi". Its
 * CRCs were checked independently (Python zlib.crc32 and a bitwise CRC-8). */
START_TEST(encode_example)
{
    static const uint8_t want[] = {0xA5, 0x05, 0x07, 0x02, 0x00, 0x72,
                                   'h',  'i',  0x6C, 0x17, 0xAE, 0x66};
    uint8_t out[32];
    size_t n = vm_sp_encode(out, VM_SP_PING, 7, (const uint8_t *)"hi", 2);
    ck_assert_uint_eq(n, sizeof want);
    ck_assert_mem_eq(out, want, sizeof want);
    ck_assert_uint_eq(vm_sp_get32(out + 8), vm_sp_frame_crc(out, 2));
    ck_assert_int_eq(vm_sp_header_ok(out, 2), 1);
    ck_assert_int_eq(vm_sp_header_ok(out, 1), 0); /* longer than allowed */
}
END_TEST

START_TEST(header_rejects_every_single_bit_flip)
{
    uint8_t h[VM_SP_HEADER];
    unsigned bit;
    vm_sp_header(h, VM_SP_READ, 200, 6);
    ck_assert_int_eq(vm_sp_header_ok(h, 4100), 1);
    for (bit = 0; bit < 8u * VM_SP_HEADER; bit++) {
        uint8_t c[VM_SP_HEADER];
        memcpy(c, h, sizeof c);
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_msg(vm_sp_header_ok(c, 4100) == 0, "flip of bit %u accepted", bit);
    }
}
END_TEST

START_TEST(le_helpers)
{
    uint8_t b[4];
    vm_sp_put32(b, 0x12345678ul);
    ck_assert_uint_eq(b[0], 0x78);
    ck_assert_uint_eq(b[3], 0x12);
    ck_assert_uint_eq(vm_sp_get32(b), 0x12345678ul);
    vm_sp_put16(b, 0xBEEF);
    ck_assert_uint_eq(b[0], 0xEF);
    ck_assert_uint_eq(vm_sp_get16(b), 0xBEEF);
}
END_TEST

/* ---- host engine ------------------------------------------------------- */

#define POOL 4096u

struct hrig {
    uint8_t mem[POOL];
    struct vm_serial_store store;
    struct vm_serial_host *h;
    uint8_t out[8192];
    size_t out_len;
    unsigned replies;
    char console[256];
    size_t console_len;
};

static void h_send(void *ctx, const uint8_t *buf, size_t n)
{
    struct hrig *r = ctx;
    ck_assert_uint_le(r->out_len + n, sizeof r->out);
    memcpy(r->out + r->out_len, buf, n);
    r->out_len += n;
    r->replies++;
}

static void h_console(void *ctx, const uint8_t *buf, size_t n)
{
    struct hrig *r = ctx;
    if (r->console_len + n < sizeof r->console) {
        memcpy(r->console + r->console_len, buf, n);
        r->console_len += n;
    }
}

static struct hrig *hrig_new(uint16_t max_data)
{
    struct hrig *r = calloc(1, sizeof *r);
    struct vm_serial_host_config c;
    ck_assert_ptr_nonnull(r);
    vm_serial_store_ram(&r->store, r->mem, POOL);
    memset(&c, 0, sizeof c);
    c.store = &r->store.backend;
    c.max_data = max_data;
    c.send = h_send;
    c.send_ctx = r;
    c.console = h_console;
    c.console_ctx = r;
    r->h = vm_serial_host_new(&c);
    ck_assert_ptr_nonnull(r->h);
    return r;
}

static void hrig_free(struct hrig *r)
{
    vm_serial_host_free(r->h);
    free(r);
}

static size_t frame(uint8_t *out, uint8_t type, uint8_t seq, const uint8_t *p, uint16_t n)
{
    return vm_sp_encode(out, type, seq, p, n);
}

static size_t hello_frame(uint8_t *out, uint8_t seq, uint16_t want)
{
    uint8_t p[4] = {1, 1, 0, 0};
    vm_sp_put16(p + 2, want);
    return frame(out, VM_SP_HELLO, seq, p, 4);
}

/* Decode the first reply in r->out; returns its status, fills type/seq/len. */
static uint8_t reply_at(struct hrig *r, size_t off, uint8_t *type, uint8_t *seq, uint16_t *len)
{
    const uint8_t *f = r->out + off;
    ck_assert_uint_ge(r->out_len, off + VM_SP_OVERHEAD + 1);
    ck_assert_int_eq(vm_sp_header_ok(f, 5000), 1);
    *type = f[1];
    *seq = f[2];
    *len = vm_sp_get16(f + 3);
    ck_assert_uint_eq(vm_sp_get32(f + VM_SP_HEADER + *len), vm_sp_frame_crc(f, *len));
    return f[VM_SP_HEADER];
}

START_TEST(host_hello_and_notready)
{
    struct hrig *r = hrig_new(256);
    uint8_t f[64], t, s;
    uint16_t len;
    uint8_t rd[6];
    size_t n;
    vm_sp_put32(rd, 0);
    vm_sp_put16(rd + 4, 16);
    n = frame(f, VM_SP_READ, 1, rd, 6);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_NOTREADY);
    ck_assert_uint_eq(t, VM_SP_READ | VM_SP_REPLY);
    ck_assert_uint_eq(s, 1);
    r->out_len = 0;
    n = hello_frame(f, 2, 1024);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
    ck_assert_uint_eq(len, 8);
    ck_assert_uint_eq(r->out[VM_SP_HEADER + 1], 1);                  /* version */
    ck_assert_uint_eq(vm_sp_get16(r->out + VM_SP_HEADER + 2), 256);   /* host's max */
    ck_assert_uint_eq(vm_sp_get32(r->out + VM_SP_HEADER + 4), POOL);
    /* a version the host does not speak */
    r->out_len = 0;
    {
        uint8_t p[4] = {2, 3, 0, 1};
        n = frame(f, VM_SP_HELLO, 3, p, 4);
        vm_serial_host_feed(r->h, f, n);
        ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_VERSION);
    }
    hrig_free(r);
}
END_TEST

START_TEST(host_read_write_range_len)
{
    struct hrig *r = hrig_new(0);
    uint8_t f[256], p[64], t, s;
    uint16_t len;
    size_t n;
    n = hello_frame(f, 0, 1024);
    vm_serial_host_feed(r->h, f, n);
    r->out_len = 0;
    /* WRITE 4 bytes at 100 */
    vm_sp_put32(p, 100);
    memcpy(p + 4, "abcd", 4);
    n = frame(f, VM_SP_WRITE, 1, p, 8);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
    ck_assert_uint_eq(len, 1);
    ck_assert_mem_eq(r->mem + 100, "abcd", 4);
    /* READ them back */
    r->out_len = 0;
    vm_sp_put32(p, 99);
    vm_sp_put16(p + 4, 6);
    n = frame(f, VM_SP_READ, 2, p, 6);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
    ck_assert_uint_eq(len, 7);
    ck_assert_mem_eq(r->out + VM_SP_HEADER + 1, "\0abcd\0", 6);
    /* out of range, zero length, bad length, unknown type */
    r->out_len = 0;
    vm_sp_put32(p, POOL - 2);
    vm_sp_put16(p + 4, 4);
    n = frame(f, VM_SP_READ, 3, p, 6);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_RANGE);
    r->out_len = 0;
    vm_sp_put16(p + 4, 0);
    n = frame(f, VM_SP_READ, 4, p, 6);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_LEN);
    r->out_len = 0;
    n = frame(f, VM_SP_READ, 5, p, 5);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_LEN);
    r->out_len = 0;
    n = frame(f, 0x33, 6, p, 0);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_TYPE);
    ck_assert_uint_eq(vm_serial_host_stats(r->h)->errors, 4);
    hrig_free(r);
}
END_TEST

START_TEST(host_duplicate_write_applied_once)
{
    struct hrig *r = hrig_new(0);
    uint8_t f[64], f2[64], p[16], first[64];
    size_t n, n2, first_len;
    n = hello_frame(f, 0, 1024);
    vm_serial_host_feed(r->h, f, n);
    r->out_len = 0;
    r->replies = 0;
    vm_sp_put32(p, 8);
    memcpy(p + 4, "XY", 2);
    n = frame(f, VM_SP_WRITE, 9, p, 6);
    vm_serial_host_feed(r->h, f, n);
    memcpy(first, r->out, r->out_len);
    first_len = r->out_len;
    /* the store changes behind the host's back: a re-applied duplicate would
     * overwrite this */
    r->mem[8] = 'Q';
    vm_serial_host_feed(r->h, f, n); /* the retry of a write whose ACK was lost */
    ck_assert_uint_eq(r->replies, 2);
    ck_assert_uint_eq(r->out_len, 2 * first_len);
    ck_assert_mem_eq(r->out + first_len, first, first_len); /* same ACK again */
    ck_assert_uint_eq(r->mem[8], 'Q');
    ck_assert_uint_eq(vm_serial_host_stats(r->h)->writes, 1);
    ck_assert_uint_eq(vm_serial_host_stats(r->h)->duplicates, 1);
    /* same seq, different data: a new request, applied */
    memcpy(p + 4, "ZW", 2);
    n2 = frame(f2, VM_SP_WRITE, 9, p, 6);
    vm_serial_host_feed(r->h, f2, n2);
    ck_assert_mem_eq(r->mem + 8, "ZW", 2);
    ck_assert_uint_eq(vm_serial_host_stats(r->h)->writes, 2);
    hrig_free(r);
}
END_TEST

START_TEST(host_resync_split_garbage_drop_flip)
{
    struct hrig *r = hrig_new(0);
    uint8_t f[64], buf[512], p[8];
    size_t n, k = 0, i;
    uint8_t t, s;
    uint16_t len;
    n = hello_frame(f, 0, 1024);
    vm_serial_host_feed(r->h, f, n);
    r->out_len = 0;
    r->replies = 0;
    vm_sp_put32(p, 0);
    memcpy(p + 4, "ok", 2);
    n = frame(f, VM_SP_WRITE, 1, p, 6);
    /* console text with sync bytes in it, then a frame with a dropped byte,
     * then a frame with a flipped bit, then a good frame */
    memcpy(buf + k, "boot \xA5\xA5 text\n", 13);
    k += 13;
    memcpy(buf + k, f, 7); /* header + 1 payload byte, then the rest minus one */
    memcpy(buf + k + 7, f + 8, n - 8);
    k += n - 1;
    memcpy(buf + k, f, n);
    buf[k + 8] ^= 0x10;
    k += n;
    memcpy(buf + k, f, n);
    k += n;
    /* feed one byte at a time: the parser must not care about the pieces */
    for (i = 0; i < k; i++) vm_serial_host_feed(r->h, buf + i, 1);
    ck_assert_uint_eq(r->replies, 1);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
    ck_assert_uint_eq(s, 1);
    ck_assert_mem_eq(r->mem, "ok", 2);
    ck_assert_uint_ge(vm_serial_host_stats(r->h)->bad_crc, 2);
    ck_assert_uint_ge(r->console_len, 11);
    ck_assert_mem_eq(r->console, "boot ", 5);
    hrig_free(r);
}
END_TEST

START_TEST(host_console_and_ping)
{
    struct hrig *r = hrig_new(0);
    uint8_t f[64], t, s;
    uint16_t len;
    size_t n = frame(f, VM_SP_CONSOLE, 4, (const uint8_t *)"hello", 5);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
    ck_assert_uint_eq(r->console_len, 5);
    ck_assert_mem_eq(r->console, "hello", 5);
    r->out_len = 0;
    n = frame(f, VM_SP_PING, 5, (const uint8_t *)"xyz", 3);
    vm_serial_host_feed(r->h, f, n);
    ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
    ck_assert_uint_eq(len, 4);
    ck_assert_mem_eq(r->out + VM_SP_HEADER + 1, "xyz", 3);
    hrig_free(r);
}
END_TEST

/* Regression: a PING of the longest frame the header admits (max_data + 4
 * bytes) was echoed after a status byte into a reply buffer one byte too
 * short, before any HELLO. Now an echo longer than max_data is E_LEN, and
 * one of exactly max_data bytes still comes back whole. */
START_TEST(host_ping_longest_frame)
{
    static const uint16_t mds[] = {16, 256, 0};
    unsigned m;
    for (m = 0; m < sizeof mds / sizeof mds[0]; m++) {
        struct hrig *r = hrig_new(mds[m]);
        uint16_t md = mds[m] ? mds[m] : VM_SP_DATA_MAX, k, len;
        uint8_t *p = malloc((size_t)md + 4u), *f = malloc(VM_SP_OVERHEAD + (size_t)md + 4u);
        uint8_t t, s;
        size_t n;
        ck_assert_ptr_nonnull(p);
        ck_assert_ptr_nonnull(f);
        for (k = 0; k < md + 4u; k++) p[k] = (uint8_t)(k * 7u + 1u);
        n = frame(f, VM_SP_PING, 1, p, (uint16_t)(md + 4u));
        vm_serial_host_feed(r->h, f, n);
        ck_assert_uint_eq(r->replies, 1);
        ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_LEN);
        ck_assert_uint_eq(len, 1);
        r->out_len = 0;
        n = frame(f, VM_SP_PING, 2, p, (uint16_t)(md + 1u));
        vm_serial_host_feed(r->h, f, n);
        ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_E_LEN);
        r->out_len = 0;
        n = frame(f, VM_SP_PING, 3, p, md);
        vm_serial_host_feed(r->h, f, n);
        ck_assert_uint_eq(reply_at(r, 0, &t, &s, &len), VM_SP_OK);
        ck_assert_uint_eq(len, md + 1u);
        ck_assert_mem_eq(r->out + VM_SP_HEADER + 1, p, md);
        free(p);
        free(f);
        hrig_free(r);
    }
}
END_TEST

START_TEST(host_padding_is_silent)
{
    struct hrig *r = hrig_new(0);
    uint8_t f[64], buf[200];
    size_t n, k = 0;
    memset(buf, 0, sizeof buf);
    n = frame(f, VM_SP_PING, 1, (const uint8_t *)"a", 1);
    k += 7; /* padding before */
    memcpy(buf + k, f, n);
    k += n + 50; /* padding after, then text, then padding */
    memcpy(buf + k, "txt", 3);
    k += 3 + 5;
    vm_serial_host_feed(r->h, buf, k);
    ck_assert_uint_eq(r->replies, 1);
    ck_assert_uint_eq(r->console_len, 3);
    ck_assert_mem_eq(r->console, "txt", 3);
    ck_assert_uint_eq(vm_serial_host_stats(r->h)->padding, 62);
    ck_assert_uint_eq(vm_serial_host_stats(r->h)->garbage, 3);
    hrig_free(r);
}
END_TEST

START_TEST(host_rejects_bad_config)
{
    struct vm_serial_host_config c;
    uint8_t mem[16];
    struct vm_serial_store st;
    memset(&c, 0, sizeof c);
    ck_assert_ptr_null(vm_serial_host_new(&c));
    vm_serial_store_ram(&st, mem, sizeof mem);
    c.store = &st.backend;
    ck_assert_ptr_null(vm_serial_host_new(&c)); /* no send */
    c.send = h_send;
    c.max_data = 8;
    ck_assert_ptr_null(vm_serial_host_new(&c));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial-proto");
    TCase *tc = tcase_create("proto");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, crc_vectors);
    tcase_add_test(tc, encode_example);
    tcase_add_test(tc, header_rejects_every_single_bit_flip);
    tcase_add_test(tc, le_helpers);
    tcase_add_test(tc, host_hello_and_notready);
    tcase_add_test(tc, host_read_write_range_len);
    tcase_add_test(tc, host_duplicate_write_applied_once);
    tcase_add_test(tc, host_resync_split_garbage_drop_flip);
    tcase_add_test(tc, host_console_and_ping);
    tcase_add_test(tc, host_ping_longest_frame);
    tcase_add_test(tc, host_padding_is_silent);
    tcase_add_test(tc, host_rejects_bad_config);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
