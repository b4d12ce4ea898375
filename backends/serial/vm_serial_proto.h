/*
 * vm_serial_proto.h - the wire format of the serial pager protocol (v1).
 *
 * Shared by the board-side driver (vm_serial.c) and the host (vm_serial_host.c).
 * Portable C99: no malloc, no stdio, no float; int may be 16 bits. The full
 * specification is docs/serial-protocol.md; this header is its code form.
 *
 * Frame (all integers little-endian, assembled byte by byte):
 *
 *   +------+------+-----+--------+------+-----------------+---------+
 *   | 0xA5 | type | seq | len:16 | hcrc | payload[len]    | crc:32  |
 *   +------+------+-----+--------+------+-----------------+---------+
 *
 *   hcrc  CRC-8 (poly 0x07, init 0) of type, seq, len. A receiver hunting for
 *         a frame trusts len only after hcrc matches, so a dropped or inserted
 *         byte never makes it wait for a bogus length.
 *   crc   CRC-32 (IEEE, reflected, as zlib) of type..payload (hcrc included).
 *
 * A reply has type = request type | VM_SP_REPLY and the request's seq; its
 * payload starts with a status byte (enum vm_sp_status).
 */
#ifndef VM_SERIAL_PROTO_H
#define VM_SERIAL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VM_SP_SYNC 0xA5u
#define VM_SP_VERSION 1u        /* the only version this code speaks */
#define VM_SP_HEADER 6u         /* sync, type, seq, len lo, len hi, hcrc */
#define VM_SP_TRAILER 4u        /* crc32 */
#define VM_SP_OVERHEAD (VM_SP_HEADER + VM_SP_TRAILER)
#define VM_SP_REPLY 0x80u
/* Between frames, 0x00 bytes are padding: receivers drop them silently. A
 * board pads requests to whole USB packets so that a USB-serial bridge sends
 * them at once instead of waiting for its latency timer (vm_serial_config.pad). */
#define VM_SP_PAD 0x00u
/* Largest payload any frame may carry: 4096 data bytes plus the READ reply's
 * status byte or the WRITE request's address (the larger, 4 bytes). */
#define VM_SP_DATA_MAX 4096u
#define VM_SP_PAYLOAD_MAX (VM_SP_DATA_MAX + 4u)

/* Request types (board -> host). */
enum vm_sp_type {
    VM_SP_HELLO = 0x01,   /* u8 vmin, u8 vmax, u16 max_data -> u8 st, u8 v, u16 max_data, u32 pool */
    VM_SP_READ = 0x02,    /* u32 addr, u16 len                -> u8 st, data[len] */
    VM_SP_WRITE = 0x03,   /* u32 addr, data[len-4]            -> u8 st */
    VM_SP_SYNC_CMD = 0x04,/* (empty)                          -> u8 st */
    VM_SP_PING = 0x05,    /* 0..max_data bytes                -> u8 st, the same bytes */
    VM_SP_CONSOLE = 0x06  /* text for the host's console      -> u8 st */
};

/* Reply status codes (first payload byte of every reply). */
enum vm_sp_status {
    VM_SP_OK = 0,
    VM_SP_E_TYPE = 1,     /* unknown request type */
    VM_SP_E_LEN = 2,      /* payload length wrong for the type, or > max_data */
    VM_SP_E_RANGE = 3,    /* addr + len outside the pool */
    VM_SP_E_NOTREADY = 4, /* no HELLO in this host session (host restarted) */
    VM_SP_E_IO = 5,       /* the host's store failed (file I/O) */
    VM_SP_E_VERSION = 6   /* no common protocol version */
};

/* CRC-8, poly 0x07, init 0x00, no reflection ("CRC-8/SMBUS"): "123456789" -> 0xF4. */
uint8_t vm_sp_crc8(uint8_t crc, const uint8_t *p, size_t n);

/* CRC-32/IEEE (zlib's crc32): "123456789" -> 0xCBF43926. Start with
 * VM_SP_CRC32_INIT, feed any number of pieces, finish with vm_sp_crc32_final.
 * VM_SP_CRC_TABLE picks the table: 256 entries (1 KiB of flash; on an
 * ATmega328P about 4x faster than the nibble table per byte; see
 * tools/serial-avr-cycles.sh) or 16 (64 bytes, for flash-tight parts). */
#ifndef VM_SP_CRC_TABLE
#define VM_SP_CRC_TABLE 256
#endif
#if VM_SP_CRC_TABLE != 256 && VM_SP_CRC_TABLE != 16
#error "VM_SP_CRC_TABLE must be 256 or 16"
#endif
#define VM_SP_CRC32_INIT 0xFFFFFFFFul
uint32_t vm_sp_crc32_update(uint32_t crc, const uint8_t *p, size_t n);
static inline uint32_t vm_sp_crc32_final(uint32_t crc) { return crc ^ 0xFFFFFFFFul; }

/* Byte-order helpers: little-endian, byte by byte (no casts, any alignment). */
static inline void vm_sp_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void vm_sp_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint16_t vm_sp_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}
static inline uint32_t vm_sp_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* Fill the 6-byte header of a frame. */
void vm_sp_header(uint8_t hdr[VM_SP_HEADER], uint8_t type, uint8_t seq, uint16_t len);

/* 1 if hdr[0..5] is a well-formed header (sync and hcrc match) whose length is
 * at most max_len, else 0. */
int vm_sp_header_ok(const uint8_t hdr[VM_SP_HEADER], uint16_t max_len);

/* Encode a whole frame into out (VM_SP_OVERHEAD + len bytes). Returns the
 * frame length. */
size_t vm_sp_encode(uint8_t *out, uint8_t type, uint8_t seq, const uint8_t *payload,
                    uint16_t len);

/* CRC-32 a frame's bytes 1..HEADER+len-1 (type through payload), finished.
 * frame points at the sync byte. */
uint32_t vm_sp_frame_crc(const uint8_t *frame, uint16_t len);

#ifdef __cplusplus
}
#endif

#endif /* VM_SERIAL_PROTO_H */
