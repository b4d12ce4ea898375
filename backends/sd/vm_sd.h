/*
 * vm_sd.h - SD card in SPI mode as a pager backend (SdFat's protocol).
 *
 * Portable C99 (no malloc, stdio, float or VLAs; int may be 16 bits). It
 * speaks through struct vm_spi (backends/bus/vm_bus.h). Every protocol step
 * follows the SD Physical Layer Simplified Specification (v4.10, ch. 7, SPI mode)
 * and SdFat 2.x's src/SdCard/SdSpiCard.cpp:
 *   init   80 clocks with CS high at <= 400 kHz; CMD0 (CRC 0x95) until
 *          R1 = 0x01; CMD8(0x1AA) (CRC 0x87): illegal means SD1, else R7
 *          must end in 0xAA; CMD55 + ACMD41 (HCS on SD2) until R1 = 0x00;
 *          CMD58 on SD2: OCR CCS set means SDHC (block addresses), else
 *          byte addresses (block << 9). No CMD16.
 *   read   CMD18 then 0xFE + 512 bytes + CRC16 per block, ended by CMD12.
 *   write  CMD25 then 0xFC + 512 bytes + CRC16 per block, data response
 *          (& 0x1F == 0x05), busy polled; 0xFD ends it.
 *   shared VM_SD_SHARED: every read is CMD18 ... CMD12, every block write is
 *          CMD24 + CMD13 (SdFat's SHARED_SPI), and CS is released after each
 *          call; otherwise the card is assumed alone on its bus (SdFat's
 *          DEDICATED_SPI): CS stays low and open CMD18/CMD25 streams are
 *          continued by the next sequential call.
 *   single VM_SD_SINGLE_READ: a one-block read is CMD17 + 0xFE block;
 *          SdFat 2.x never does this; it saves a one-block CMD18's CMD12.
 *   blockwise VM_SD_BLOCKWISE: block by block, as the Arduino SD library
 *          (utility/Sd2Card.cpp readBlock/writeBlock) and SdFat 1.x
 *          (SdSpiCard::readBlock/writeBlock) drive a card: every block read
 *          is CMD17, every block write CMD24 + 0xFE block, then the
 *          programming busy is polled before the call returns; CS is
 *          released after each block. With VM_SD_STATUS each write is then
 *          checked with CMD13 (both libraries' flash-programming check).
 *   pre-erase VM_SD_PRE_ERASE: a write of n > 1 whole blocks is ACMD23(n)
 *          (SET_WR_BLK_ERASE_COUNT), CMD25, the blocks and the stop token,
 *          closed before the call returns (SdFat 1.x writeStart(block,
 *          eraseCount)); a one-block write is CMD24 + busy.
 *   crc    VM_SD_CRC sends CMD59(1) at init; commands then carry a real CRC7
 *          and data blocks a real CRC16, which the driver checks on reads.
 * Timeouts are SdFat's: init 2000, command 300, read 300, write 600 ms,
 * measured with spi->millis. The clock is set when CS falls (like
 * SPI.beginTransaction), so other devices may share a bus in VM_SD_SHARED
 * mode.
 *
 * The pool is a contiguous range of blocks [first_block, first_block +
 * block_count): what a preallocated contiguous file gives. A 512-byte block
 * buffer lets pages of any size work: a write that covers whole blocks
 * writes them directly; a partial block is read (or found in the buffer),
 * patched and written. Every write waits for the card's busy period before
 * it returns VM_OK, so a successful write is on the card.
 *
 * Errors: VM_ERR_TIMEOUT (no answer, busy too long), VM_ERR_IO (an R1 error
 * bit, an error token, a write-error data response), VM_ERR_CORRUPT (CRC
 * error reported by the card, bad CRC16 on a read with VM_SD_CRC, garbage
 * where a token or response belongs), VM_ERR_NODEV (no card at begin). After
 * an error the next call first resynchronises (ends any stream, checks the
 * card with CMD13, and re-initialises if that fails). Data that fails a check
 * is never returned as good.
 */
#ifndef VM_SD_H
#define VM_SD_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"
#include "vm_bus.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VM_SD_BLOCK 512u

/* Card types found by vm_sd_begin. */
#define VM_SD_TYPE_SD1 1u  /* v1: CMD8 illegal; byte addresses */
#define VM_SD_TYPE_SD2 2u  /* v2 standard capacity; byte addresses */
#define VM_SD_TYPE_SDHC 3u /* high capacity; block addresses */

/* Commands (SD Physical Layer spec; SdCardInfo.h). */
#define VM_SD_CMD0 0u
#define VM_SD_CMD8 8u
#define VM_SD_CMD12 12u
#define VM_SD_CMD13 13u
#define VM_SD_CMD17 17u
#define VM_SD_CMD18 18u
#define VM_SD_CMD24 24u
#define VM_SD_CMD25 25u
#define VM_SD_CMD55 55u
#define VM_SD_CMD58 58u
#define VM_SD_CMD59 59u
#define VM_SD_ACMD23 23u
#define VM_SD_ACMD41 41u
/* Tokens and R1 bits (SD Physical Layer Simplified Specification v4.10, 7.3.2 and 7.3.3). */
#define VM_SD_TOKEN_START 0xFEu       /* CMD17/18/24 data block */
#define VM_SD_TOKEN_MULTI 0xFCu       /* each CMD25 block */
#define VM_SD_TOKEN_STOP 0xFDu        /* ends CMD25 */
#define VM_SD_R1_IDLE 0x01u
#define VM_SD_R1_ILLEGAL 0x04u
#define VM_SD_R1_CRC 0x08u
#define VM_SD_DATA_ACCEPTED 0x05u     /* data response & 0x1F */
#define VM_SD_DATA_CRC_ERROR 0x0Bu
#define VM_SD_DATA_WRITE_ERROR 0x0Du

/* Timeouts in ms (SdFat 2.x src/SdCard/SdCardInfo.h). */
#define VM_SD_INIT_TIMEOUT 2000u
#define VM_SD_CMD_TIMEOUT 300u
#define VM_SD_READ_TIMEOUT 300u
#define VM_SD_WRITE_TIMEOUT 600u

/* Clocks: <= 400 kHz for init (SdFat SD_MAX_INIT_RATE_KHZ); 25 MHz is the
 * default-speed TRAN_SPEED (SD Physical Layer Simplified Specification v4.10, 5.3: TRAN_SPEED 0x32). */
#define VM_SD_INIT_HZ 400000ul
#define VM_SD_MAX_HZ 25000000ul

/* flags */
#define VM_SD_CRC 0x01u    /* CMD59 CRC on; check read CRC16 */
#define VM_SD_SHARED 0x02u /* SdFat SHARED_SPI patterns, CS released per call */
#define VM_SD_SINGLE_READ 0x04u /* single-block reads with CMD17 (no CMD12 after) */
#define VM_SD_BLOCKWISE 0x08u   /* every block alone: CMD17 reads, CMD24 writes + busy */
#define VM_SD_STATUS 0x10u      /* with VM_SD_BLOCKWISE: CMD13 after each block write */
#define VM_SD_PRE_ERASE 0x20u   /* ACMD23 before each multi-block CMD25, closed per call */

struct vm_sd_config {
    const struct vm_spi *spi;
    uint8_t cs;
    uint8_t flags;
    uint32_t clock_hz;    /* 0: VM_SD_MAX_HZ (the bus clamps it) */
    uint32_t first_block; /* first block of the pool */
    uint32_t block_count; /* blocks in the pool */
};

/* The driver instance. Fields are private. Its 512-byte block buffer is
 * inside, so the struct costs a little over 512 bytes of RAM. */
struct vm_sd {
    const struct vm_spi *spi;
    uint32_t clock_hz;     /* data clock asked for */
    uint32_t sck_hz;       /* clock of this phase (400 kHz during init) */
    uint32_t first_block;
    uint32_t block_count;
    uint32_t stream_next;  /* next block of an open CMD18/CMD25 stream */
    uint32_t buf_block;    /* block held in buf (pool-relative) */
    uint8_t cs;
    uint8_t flags;
    uint8_t type;          /* VM_SD_TYPE_*; 0 before begin succeeds */
    uint8_t state;         /* idle, reading, writing, or needs resync */
    uint8_t selected;
    uint8_t buf_valid;
    uint8_t last_r1;       /* last R1 received (for diagnostics) */
    uint8_t last_token;    /* last token/data response that failed */
    struct vm_backend be;
    uint8_t buf[VM_SD_BLOCK];
};

/* Initialise the card and set the data clock. VM_OK, VM_ERR_INVAL (bad
 * config), VM_ERR_NODEV (no answer to CMD0 within 2 s), VM_ERR_TIMEOUT,
 * VM_ERR_IO (unexpected answer during init). */
int vm_sd_begin(struct vm_sd *sd, const struct vm_sd_config *cfg);
const struct vm_backend *vm_sd_backend(const struct vm_sd *sd);

/* Whole blocks, pool-relative block numbers. */
int vm_sd_read_blocks(struct vm_sd *sd, uint32_t block, uint8_t *dst, uint32_t n);
int vm_sd_write_blocks(struct vm_sd *sd, uint32_t block, const uint8_t *src, uint32_t n);
/* Bytes at any offset in the pool (the backend's read and write). */
int vm_sd_read(struct vm_sd *sd, uint32_t addr, void *buf, size_t len);
int vm_sd_write(struct vm_sd *sd, uint32_t addr, const void *buf, size_t len);
/* End any open stream and release the card (the backend's sync). */
int vm_sd_sync(struct vm_sd *sd);

/* Move the pool to blocks [first_block, first_block + block_count) of the
 * card, ending any open stream first (vm_sd_sync) and forgetting the block
 * buffer. The backend's size follows. vm_sd_pool uses it to read the file
 * system's sectors one by one, then to settle on the pool file's blocks. */
int vm_sd_set_range(struct vm_sd *sd, uint32_t first_block, uint32_t block_count);

/* CRC7 of a command (returned as the command's last byte: crc << 1 | 1)
 * and the data blocks' CRC16-CCITT (polynomial 0x1021, initial 0). */
uint8_t vm_sd_crc7(const uint8_t *p, size_t n);
uint16_t vm_sd_crc16(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* VM_SD_H */
