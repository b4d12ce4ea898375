/*
 * vm_platform.h - platform profiles: the MCU side of a simulated backend
 * (desktop only).
 *
 * A profile says what the board's SPI library gives (SCK and its dividers),
 * the MCU's CPU time per bus byte and per transaction beyond the wire time,
 * the pager's own CPU time per page touch, and the sizes of the pager's
 * structs on that MCU (the README's size table, written by
 * target/size-report.sh; tests/backends/test_platform.c checks every
 * profile against it). The SPI bus (backends/bus/vm_simbus.h), the serial
 * device and the simulator's RAM costs read profiles; scenarios name them
 * with "profile". Every figure cites its source next to it in vm_platform.c.
 */
#ifndef VM_PLATFORM_H
#define VM_PLATFORM_H

#include <stdint.h>

/* SCK is chosen like the platform's SPI library does: the fastest
 * sck_base / divider not above what the driver asks for, with dividers from
 * div_min up (powers of two only when div_pow2). byte_ns and xfer_ns are CPU
 * time on top of the wire time. */
struct vm_platform {
    const char *name;
    uint32_t cpu_hz;
    uint32_t sck_base_hz; /* clock the SPI divider divides */
    uint8_t div_min;      /* smallest divider: max SCK = sck_base_hz / div_min */
    uint8_t div_pow2;     /* 1: dividers are powers of two (AVR) */
    uint32_t byte_ns;     /* MCU cost per byte beyond its 8 wire bit times */
    uint32_t xfer_ns;     /* MCU cost per transaction (CS assert/deassert) */
    uint32_t hit_ns;      /* pager CPU cost per touch that hits */
    uint32_t miss_ns;     /* pager CPU cost per touch that misses (no I/O) */
    uint16_t slot_bytes;  /* sizeof(struct vm_slot) on this MCU (default config) */
    uint16_t vm_bytes;    /* sizeof(struct vm) on this MCU (default config) */
    const char *source;   /* where the figures come from */
    const char *size_target; /* its row in the size table ("atmega328p",
                                "cortex-m4"); NULL: sizes not from the table */
};

/* The shipped profiles, ended by an entry with name == NULL. */
extern const struct vm_platform vm_platforms[];
/* A profile by name (any letter case), or NULL. */
const struct vm_platform *vm_platform_find(const char *name);
/* SCK the platform gives for a request of hz (never above hz unless hz is
 * below the slowest divider the library offers). */
uint32_t vm_platform_sck(const struct vm_platform *p, uint32_t hz);

#endif /* VM_PLATFORM_H */
