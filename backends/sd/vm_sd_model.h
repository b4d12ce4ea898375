/*
 * vm_sd_model.h - desktop model of an SD card in SPI mode on a simulated SPI
 * bus (backends/bus/vm_simbus.h).
 *
 * Protocol (SD Physical Layer Simplified Specification v4.10, ch. 7; Samsung SD datasheet 5.5.1): the card needs >= 74 clocks with CS high before
 * its first command; the first CMD0 must carry CRC 0x95 (the card is still
 * in SD mode and ignores anything else). Responses come after 1-8 NCR fill
 * bytes (0xFF): R1, R1b (R1 then busy), R2 (CMD13), R3 (CMD58), R7 (CMD8).
 * CRC is checked on CMD0 and CMD8 always, on every command and data block
 * once CMD59(1) turns it on. Reads (CMD17, open-ended CMD18 ended by CMD12)
 * send 0xFE, 512 bytes and a correct CRC16 after the access time NAC;
 * writes (CMD24 with 0xFE, open-ended CMD25 with 0xFC per block and 0xFD to
 * stop) answer a data response and then show busy as 0x00 on MISO until
 * programming ends. Raising CS releases MISO (0xFF) but not the busy
 * period; it also discards a half-received write block. Until ACMD41
 * completes only CMD0, 8, 55, 41, 58 and 59 are legal. SDSC cards (SD1: no
 * CMD8; SD2) take byte addresses that must be block-aligned, SDHC block
 * numbers. ACMD23 (SET_WR_BLK_ERASE_COUNT) before a CMD25 is answered and
 * counted; its pre-erase does not change the busy times (no published
 * measurement separates them). A command while busy, a token while busy, or
 * any other misuse is ignored and counted in `violations`.
 *
 * Timing: NAC, the further blocks of CMD18 and each block's programming
 * busy (a CMD24 block's and a CMD25 block's apart) are drawn from the card
 * profile with a seeded generator, with rare long stalls. Faults: a dead card (no answer at all, transfer state lost),
 * a card stuck busy, and per-event probabilities (per million) of a read
 * error token, a read that never sends its token, a CRC-error or
 * write-error data response, and single-bit flips on MOSI/MISO bytes.
 */
#ifndef VM_SD_MODEL_H
#define VM_SD_MODEL_H

#include <stdint.h>

#include "vm_sd.h"
#include "vm_simbus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A card's timing. Ranges are uniform; a stall replaces the normal draw
 * with probability stall_ppm / 1e6. */
struct vm_sd_profile {
    const char *name;
    uint32_t nac_min_ns, nac_max_ns;     /* first block of CMD17/CMD18 */
    uint32_t next_min_ns, next_max_ns;   /* each further block of CMD18 */
    uint32_t rstall_ppm;                 /* read stalls */
    uint32_t rstall_min_ns, rstall_max_ns;
    uint32_t busy_min_ns, busy_max_ns;   /* programming busy per CMD25 block */
    uint32_t stall_ppm;                  /* write stalls in a CMD25 stream */
    uint32_t stall_min_ns, stall_max_ns;
    /* programming busy of a single-block write (CMD24), and its stalls:
     * cards program a lone block much slower than a streamed one */
    uint32_t single_min_ns, single_max_ns;
    uint32_t single_stall_ppm;
    uint32_t single_stall_min_ns, single_stall_max_ns;
    uint8_t ncr_min, ncr_max;            /* fill bytes before a response */
    uint8_t acmd41_polls;                /* ACMD41s answered "idle" first */
    const char *source;
};
/* "typical" and "slow-worn", ended by name == NULL. */
extern const struct vm_sd_profile vm_sd_profiles[];
/* The i-th card profile's name, NULL past the end (a vm_names.h list). */
const char *vm_sd_profile_name(unsigned i);
/* A card profile by name (any letter case), or NULL. */
const struct vm_sd_profile *vm_sd_profile_find(const char *name);

/* Latency statistics of one kind of draw. */
struct vm_sd_lat {
    uint64_t n, sum_ns, max_ns, min_ns;
};

struct vm_sd_model {
    uint8_t kind;        /* VM_SD_TYPE_SD1, _SD2 or _SDHC */
    uint32_t blocks;
    uint8_t *mem;
    const struct vm_sd_profile *prof;
    uint64_t rng;
    uint32_t max_hz;     /* 25 MHz default speed */
    /* power-up and card state */
    uint32_t idle_clocks;
    uint8_t spi;         /* CMD0 seen: in SPI mode */
    uint8_t idle;        /* in idle state (ACMD41 not done) */
    uint8_t app;         /* CMD55 seen: next is an application command */
    uint8_t acmd41_left;
    uint8_t crc_on;
    uint8_t status2;     /* R2 second byte: error bits since last CMD13 */
    /* command receiver */
    uint8_t cmd[6];
    uint8_t cmd_len;
    /* response queue */
    uint8_t resp[8];
    uint8_t resp_len, resp_pos, resp_fill;
    uint32_t resp_busy_ns; /* R1b: busy after the response */
    /* data phase */
    uint8_t phase;
    uint8_t multi;
    uint8_t token;       /* the token to send when the read is ready */
    uint32_t blk;
    uint16_t pos;
    uint8_t data_resp;
    uint64_t ready_ns;   /* read: token time */
    uint64_t busy_until; /* MISO 0x00 until then */
    uint8_t block[514];  /* a block and its CRC16 */
    /* faults */
    uint8_t dead;
    uint8_t stuck_busy;
    uint32_t read_error_ppm, no_token_ppm, write_crc_ppm, write_error_ppm, flip_ppm;
    /* counters */
    uint64_t commands, blocks_read, blocks_written;
    uint64_t pre_erase;  /* ACMD23s answered */
    uint32_t erase_count; /* the last ACMD23's block count */
    uint64_t violations, crc_errors, overspeed, init_overspeed, flips;
    uint64_t faults;     /* injected error tokens / responses / lost tokens */
    struct vm_sd_lat nac, next, busy; /* busy: CMD25 blocks */
    struct vm_sd_lat single;          /* busy of CMD24 blocks */
};

/* Allocate blocks x 512 bytes (zeroed) of card kind with profile (NULL:
 * "typical") and seed. Returns 0 or -1. */
int vm_sd_model_init(struct vm_sd_model *m, unsigned kind, uint32_t blocks,
                     const struct vm_sd_profile *prof, uint64_t seed);
void vm_sd_model_free(struct vm_sd_model *m);
struct vm_spi_model vm_sd_model_spi(struct vm_sd_model *m);
/* Dead: no answer at all (MISO 0xFF), transfer in progress lost. */
void vm_sd_model_set_dead(struct vm_sd_model *m, int dead);

#ifdef __cplusplus
}
#endif

#endif /* VM_SD_MODEL_H */
