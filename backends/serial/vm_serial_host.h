/*
 * vm_serial_host.h - the PC side of the serial pager protocol.
 *
 * Desktop C99. One implementation, used twice: inside the simulator behind
 * the modelled link (vm_serial_link.h), and by vmserve over a real tty. It is
 * a byte-fed state machine: feed it whatever arrived, in any pieces; it calls
 * send() with each complete reply frame and console() with text.
 *
 * Resynchronisation: bytes are kept until they form a frame; a header whose
 * CRC-8 fails or a frame whose CRC-32 fails drops only its first byte, and
 * the hunt for the next sync byte resumes right after it. So a dropped or
 * inserted byte costs at most the frame it hit, never the ones after it.
 *
 * Duplicates: the host remembers the last request (type, seq, CRC) and its
 * reply. A request equal to it is a retry whose reply was lost: the cached
 * reply is sent again and nothing is applied twice.
 */
#ifndef VM_SERIAL_HOST_H
#define VM_SERIAL_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"
#include "vm_serial_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the pool lives. Its backend may be called with any length (up to
 * max_data) and needs no page alignment. */
struct vm_serial_store {
    struct vm_backend backend;
    uint8_t *mem; /* RAM store: the pool's bytes */
    int fd;       /* file store: the open file, else -1 */
};

/* A pool in RAM of size bytes at mem. */
void vm_serial_store_ram(struct vm_serial_store *st, void *mem, vm_addr_t size);
/* A pool in an open file, size bytes from offset 0 (pread/pwrite; sync is
 * fsync). */
void vm_serial_store_file(struct vm_serial_store *st, int fd, vm_addr_t size);

struct vm_serial_host_config {
    const struct vm_backend *store; /* required: the pool */
    uint16_t max_data;  /* largest data bytes per frame accepted; 0: 4096 */
    /* Sends a reply frame. Required. */
    void (*send)(void *ctx, const uint8_t *buf, size_t n);
    void *send_ctx;
    /* Console text: CONSOLE frames and bytes outside any frame except
     * padding (0x00). May be NULL. */
    void (*console)(void *ctx, const uint8_t *buf, size_t n);
    void *console_ctx;
    /* Called for each request handled (verbose logging). May be NULL. */
    void (*trace)(void *ctx, uint8_t type, uint8_t seq, vm_addr_t addr, uint16_t len,
                  uint8_t status, int duplicate);
    void *trace_ctx;
    /* Called for each frame candidate dropped while resynchronising: why is
     * "bad header" (CRC-8 or length), "bad CRC" (CRC-32) or "reply type";
     * at is the stream offset of its sync byte (bytes fed before it). May be
     * NULL. */
    void (*bad_frame)(void *ctx, const char *why, uint64_t at);
    void *bad_frame_ctx;
};

struct vm_serial_host_stats {
    uint64_t frames;       /* well-formed requests received */
    uint64_t duplicates;   /* retries answered from the reply cache */
    uint64_t bad_header;   /* header candidates rejected (CRC-8 or length) */
    uint64_t bad_crc;      /* frames rejected by CRC-32 */
    uint64_t garbage;      /* bytes outside any frame (console text), padding aside */
    uint64_t padding;      /* VM_SP_PAD bytes between frames */
    uint64_t writes;       /* WRITE requests applied to the store */
    uint64_t bytes_read;   /* pool bytes served */
    uint64_t bytes_written;/* pool bytes stored */
    uint64_t errors;       /* replies with a non-OK status */
};

struct vm_serial_host;

/* NULL on a bad config or out of memory. */
struct vm_serial_host *vm_serial_host_new(const struct vm_serial_host_config *cfg);
void vm_serial_host_free(struct vm_serial_host *h);

/* Process received bytes. */
void vm_serial_host_feed(struct vm_serial_host *h, const uint8_t *buf, size_t n);

/* Forget the session and any partial frame, as a restarted host would: every
 * request but HELLO, PING and CONSOLE gets VM_SP_E_NOTREADY until a HELLO. */
void vm_serial_host_restart(struct vm_serial_host *h);

const struct vm_serial_host_stats *vm_serial_host_stats(const struct vm_serial_host *h);

/* Short name of a request type ("READ"), or "?". */
const char *vm_serial_type_name(uint8_t type);

#ifdef __cplusplus
}
#endif

#endif /* VM_SERIAL_HOST_H */
