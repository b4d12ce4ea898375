/*
 * vm_platform.c - the shipped platform profiles (see vm_platform.h).
 *
 * [D] marks a figure derived here from sourced numbers.
 */
#include "vm_platform.h"

#include <stddef.h>

#include "vm_cpu_costs.h"
#include "vm_names.h"

/* The serial protocol's board CPU (vm_serial.c: frames, CRCs, copies) in
 * 1/100 cycles, measured on the ATmega328P by
 * backends/serial/tools/serial-avr-cycles.sh: 60.9 and 40.2 cycles a byte
 * received and sent, read_16 less 16 bytes a request (its --check, test
 * serial-avr, fails when these differ from a fresh run). */
#define SERIAL_CPU_AVR .serial_rx_byte = 6090u, .serial_tx_byte = 4020u, .serial_request = 446700u

/* sizeof(struct vm_slot) and sizeof(struct vm) in the default config: the
 * "full" row of the README's size table (target/size-report.sh) for each
 * size_target; tests/backends/test_platform.c fails when they drift apart. */
#define SIZES_ATMEGA328P .size_target = "atmega328p", .slot_bytes = 28u, .vm_bytes = 173u
#define SIZES_CORTEX_M4 .size_target = "cortex-m4", .slot_bytes = 32u, .vm_bytes = 324u

const struct vm_platform vm_platforms[] = {
    {
        .name = "atmega328p",
        .cpu_hz = 16000000u,      /* Uno: 16 MHz */
        .sck_base_hz = 16000000u, /* SPI clock = F_CPU / divider */
        .div_min = 2u,            /* f/2 = 8 MHz with SPI2X, dividers 2..128: */
        .div_pow2 = 1u,           /* ATmega328P datasheet, Table 19-5 */
        .byte_ns = 600u,          /* SPI.transfer loop measured at ~1.6 us/byte,
                                     of which 1.0 us is wire time at 8 MHz:
                                     a 4-byte 23K256 transaction takes 6.46 us
                                     (ucexperiment.wordpress.com/2013/02/24/
                                     microchip-23k256arduino-transfer-rates);
                                     a 512-byte SPDR loop ~820 us
                                     (forum.arduino.cc topic 126827) [D] */
        .xfer_ns = 60u,           /* 6.46 us - 4 x 1.6 us, same transaction [D] */
        .cost = VM_CPU_COSTS_ATMEGA328P, /* simavr cycles: target/cpu-costs.txt */
        SERIAL_CPU_AVR,
        SIZES_ATMEGA328P,
        .ram_bytes = 2048u,       /* ATmega328P datasheet, Features: 2 KBytes
                                     internal SRAM */
        .source = "ATmega328P datasheet Table 19-5; ucexperiment.wordpress.com 23K256 "
                  "transfer rates (2013-02-24); forum.arduino.cc topic 126827",
    },
    {
        .name = "teensy32",
        .cpu_hz = 96000000u,      /* Teensy 3.2 at 96 MHz */
        .sck_base_hz = 48000000u, /* F_BUS = 48 MHz at 96 MHz CPU
                                     (PaulStoffregen/cores teensy3/kinetis.h) */
        .div_min = 2u,            /* F_BUS/2 = 24 MHz, then /3, /4, ...
                                     (PaulStoffregen/SPI SPI.h) */
        .div_pow2 = 0u,
        .byte_ns = 20u,           /* no Teensy per-byte figure separates CPU from
                                     card time; SdFat's FIFO loop on the
                                     Cortex-M3 Due costs ~20 ns/byte beyond wire
                                     time (see "due"), taken for the faster
                                     Cortex-M4 too [D] */
        .xfer_ns = 0u,            /* no published per-transaction figure */
        .cost = VM_CPU_COSTS_CORTEX_M4, /* qemu instructions x CPI: target/cpu-costs.txt */
        /* serial protocol CPU: the AVR's cycle counts (the CRC is a
           table-driven byte loop on both cores) [D] */
        SERIAL_CPU_AVR,
        /* Teensyduino's other F_CPU choices and F_BUS for each
           (PaulStoffregen/cores teensy3/kinetis.h) */
        .clocks = {{72000000u, 36000000u}, {120000000u, 60000000u}, {144000000u, 48000000u}},
        SIZES_CORTEX_M4,
        .ram_bytes = 65536u,      /* MK20DX256VLH7: 64 KB SRAM (NXP K20P64M72SF1
                                     data sheet, Ordering information; pjrc.com
                                     Teensy 3.2 page: "64K RAM") */
        .source = "PaulStoffregen/SPI SPI.h, PaulStoffregen/cores teensy3/kinetis.h; "
                  "per-byte cost as due (github.com/arduino/ArduinoCore-renesas/issues/45)",
    },
    {
        .name = "due",
        .cpu_hz = 84000000u,      /* SAM3X8E at 84 MHz */
        .sck_base_hz = 84000000u, /* 84 MHz / divider (forum.arduino.cc/t/
                                     setting-due-spi-clock-at-8mhz/318417) */
        .div_min = 2u,            /* 42 MHz; SdFat's 3.9-4.5 MB/s on Due
                                     (greiman/SdFat README.md) implies
                                     >= ~36 MHz [D] */
        .div_pow2 = 0u,
        .byte_ns = 20u,           /* SdFat on Due, Samsung Pro: 110 us minimum
                                     per 512-byte write; ~520 wire bytes take
                                     99 us at 42 MHz; the rest is ~20 ns/byte
                                     (github.com/arduino/ArduinoCore-renesas/
                                     issues/45) [D] */
        .xfer_ns = 0u,            /* no published per-transaction figure */
        .cost = VM_CPU_COSTS_CORTEX_M3, /* qemu instructions x CPI: target/cpu-costs.txt */
        SERIAL_CPU_AVR, /* as teensy32 [D] */
        SIZES_CORTEX_M4, /* the size table has no Cortex-M3 row: taken as the M4's */
        .ram_bytes = 98304u,      /* SAM3X8E: 96 KB SRAM in two banks, 64 + 32 KB
                                     (Atmel SAM3X/SAM3A datasheet, Features;
                                     docs.arduino.cc Due tech specs) */
        .source = "forum.arduino.cc/t/setting-due-spi-clock-at-8mhz/318417; greiman/SdFat "
                  "README.md; github.com/arduino/ArduinoCore-renesas/issues/45",
    },
    {.name = NULL},
};

VM_NAMED_TABLE(struct vm_platform, vm_platforms, vm_platform_name, vm_platform_find)

int vm_platform_at(const struct vm_platform *p, uint32_t hz, struct vm_platform *out)
{
    unsigned i;
    *out = *p;
    if (hz == 0u || hz == p->cpu_hz) return 0;
    for (i = 0; i < VM_PLATFORM_CLOCKS; i++) {
        if (p->clocks[i].cpu_hz != hz) continue;
        out->cpu_hz = hz;
        out->sck_base_hz = p->clocks[i].sck_base_hz;
        /* per-byte and per-transaction CPU time scale with the CPU clock */
        out->byte_ns = (uint32_t)((uint64_t)p->byte_ns * p->cpu_hz / hz);
        out->xfer_ns = (uint32_t)((uint64_t)p->xfer_ns * p->cpu_hz / hz);
        return 0;
    }
    return -1;
}

uint32_t vm_platform_sck(const struct vm_platform *p, uint32_t hz)
{
    uint32_t div;
    if (p == NULL) return hz;
    if (hz == 0u) hz = 1u;
    div = p->div_min;
    if (p->div_pow2) {
        while (div < 128u && p->sck_base_hz / div > hz) div *= 2u;
    } else {
        /* smallest integer divider giving <= hz, capped at 255 */
        uint32_t need = (p->sck_base_hz + hz - 1u) / hz;
        if (need > div) div = need;
        if (div > 255u) div = 255u;
    }
    return p->sck_base_hz / div;
}
