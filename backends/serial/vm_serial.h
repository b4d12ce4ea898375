/*
 * vm_serial.h - the board side of the serial pager link: a struct vm_backend
 * whose pool lives on a PC, reached through a struct vm_uart.
 *
 * Portable C99 (AVR-friendly): no malloc, no stdio, no float, no VLAs, int
 * may be 16 bits. It needs no frame buffer: request data goes out straight
 * from the caller's buffer and reply data lands straight in it, with the CRC
 * computed on the fly, 32 bytes at a time so that it overlaps the wire time.
 * Cost on an ATmega328P (avr-gcc -Os): 62 bytes of RAM for struct vm_serial,
 * about 140 bytes of stack at the deepest call, 5.1 KB of flash (4.2 KB with
 * -DVM_SP_CRC_TABLE=16); CPU, per payload byte, about 61 cycles received and
 * 40 sent, plus about 4.5k cycles per exchange (tools/serial-avr-cycles.sh).
 *
 * Protocol: docs/serial-protocol.md (framing, CRC-32, sequence numbers,
 * stop-and-wait with bounded retries). Every request, WRITE included, is
 * acknowledged. A retried request keeps its sequence number, so the host
 * answers a duplicate from its reply cache instead of applying it again.
 *
 * Errors (negative enum vm_err):
 *   VM_ERR_TIMEOUT  no valid reply within the timeout on every attempt
 *   VM_ERR_CORRUPT  the last attempt's reply failed its CRC
 *   VM_ERR_NODEV    no HELLO yet, or the host lost the session (restarted)
 *   VM_ERR_RANGE    the host says the range is outside its pool
 *   VM_ERR_IO       the host's store failed, a protocol violation, or the
 *                   uart's own error
 *
 * Timing: each attempt waits at most timeout_ms plus the wire time of the
 * request and reply at `baud` (10 bits a byte); an operation of one frame
 * therefore ends within (retries + 1) times that, whatever the link does.
 */
#ifndef VM_SERIAL_H
#define VM_SERIAL_H

#include "vm.h"
#include "vm_bus.h"
#include "vm_serial_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VM_SERIAL_DEFAULT_DATA 1024u     /* one 1 KiB page per frame */
#define VM_SERIAL_DEFAULT_TIMEOUT_MS 100u
#define VM_SERIAL_DEFAULT_BAUD 115200ul
#define VM_SERIAL_DEFAULT_RETRIES 3u
#define VM_SERIAL_NO_RETRY 0xFFu          /* in config.retries: one attempt only */

/* A zeroed field means its default. */
struct vm_serial_config {
    const struct vm_uart *uart; /* required; copied */
    uint16_t max_data;   /* data bytes per frame wanted (16..4096); 0: 1024.
                            HELLO lowers it to what the host accepts. */
    uint16_t timeout_ms; /* reply wait beyond the wire time; 0: 100 */
    uint32_t baud;       /* link bit rate, for the wire-time part of the
                            timeout; 0: 115200 */
    uint8_t retries;     /* re-sends after the first attempt; 0: 3;
                            VM_SERIAL_NO_RETRY: none */
    uint8_t pad;         /* 0: off. Else pad each request with 0x00 to a
                            multiple of this many bytes: 62 on an FTDI
                            bridge makes every USB packet full, so none waits
                            for the latency timer (16 ms by default). */
};

/* Counters since vm_serial_init. */
struct vm_serial_stats {
    uint32_t requests; /* exchanges started (one per frame, not per attempt) */
    uint32_t retries;  /* re-sends */
    uint32_t timeouts; /* attempts that saw no valid reply in time */
    uint32_t corrupt;  /* replies whose CRC failed */
    uint32_t resyncs;  /* header candidates rejected while hunting */
    uint32_t stale;    /* well-formed frames that were not the awaited reply */
    uint32_t failed;   /* exchanges that ended in an error */
};

/* The driver. Its fields are private except backend, which vm_serial_hello
 * fills: pass &s.backend in vm_config. */
struct vm_serial {
    struct vm_backend backend;
    struct vm_uart uart;
    uint32_t baud;
    uint16_t want_data;
    uint16_t max_data;   /* negotiated */
    uint16_t timeout_ms;
    uint8_t retries;
    uint8_t pad;
    uint8_t seq;         /* sequence number of the next new request */
    uint8_t version;     /* negotiated protocol version; 0: no session */
    struct vm_serial_stats stats;
};

/* Set up s from cfg. No I/O. VM_ERR_INVAL for a missing uart or a max_data
 * out of range. backend.read/write/sync are set; backend.size is 0 until
 * vm_serial_hello succeeds (and every call fails with VM_ERR_NODEV). */
int vm_serial_init(struct vm_serial *s, const struct vm_serial_config *cfg);

/* Handshake: agree on the version and frame size, learn the pool size
 * (backend.size). Starts a new host session (the host forgets its duplicate
 * cache). VM_ERR_NODEV when no host answered on any attempt; call it again
 * to keep waiting for a host. */
int vm_serial_hello(struct vm_serial *s);

/* Round trip of n (<= max_data) bytes that the host echoes back. */
int vm_serial_ping(struct vm_serial *s, const uint8_t *data, uint16_t n);

/* Send console text to the host (shown by vmserve), acknowledged; text
 * longer than max_data goes as several frames, in order. */
int vm_serial_console(struct vm_serial *s, const char *text, uint16_t n);

/* The backend operations (ctx is the struct vm_serial). Ranges longer than
 * max_data go as several frames; on error a prefix may have been done. */
int vm_serial_read(void *ctx, vm_addr_t addr, void *buf, size_t len);
int vm_serial_write(void *ctx, vm_addr_t addr, const void *buf, size_t len);
int vm_serial_sync(void *ctx);

/* Longest one attempt may wait, in ms, for a request of req_bytes payload
 * bytes and a reply of reply_bytes payload bytes. */
uint32_t vm_serial_attempt_ms(const struct vm_serial *s, uint16_t req_bytes,
                              uint16_t reply_bytes);

#ifdef __cplusplus
}
#endif

#endif /* VM_SERIAL_H */
