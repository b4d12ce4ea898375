/*
 * sram_log.c - a sensor log kept in a 23LC1024 SPI SRAM through the pager,
 * for a bare ATmega328P (plain C, avr-gcc; no Arduino core).
 *
 * 1000 records of 16 bytes (16 KB, eight times the MCU's RAM) are written
 * into a virtual array, then scanned for the maximum. The pager keeps 4
 * pages of 64 bytes in RAM; the 23LC1024's chip select is on PB2.
 *
 * Build and run it against a virtual 23LC1024 (docs/manual, "Run your
 * firmware against virtual devices"):
 *   avr-gcc -mmcu=atmega328p -DF_CPU=16000000UL -Os -Icore -Ibackends/bus \
 *     -Ibackends/sram -Itarget examples/avr/sram_log.c core/vm*.c \
 *     backends/sram/vm_sram.c -o sram_log.elf
 *   vmavr sram_log.elf --mcu atmega328p --f-cpu 16M --sram cs=PB2
 * vmavr: --sram cs=PB2
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"
#include "vm_sram.h"
#include "vmavr_board.h"

struct record {
    uint32_t time_ms;
    int16_t temp_c10;   /* 0.1 degrees C */
    uint16_t humidity;
    uint8_t pad[8];
};

#define RECORDS 1000u
#ifndef SRAM_CS
#define SRAM_CS VMAVR_PIN('B', 2) /* PB2, the Uno's pin 10 */
#endif

VM_STORAGE(static, log, 64, 4);
static struct vm_sram sram;
static struct vm vm;

int main(void)
{
    struct vm_sram_config sc;
    struct vm_config cfg;
    struct record r;
    uint16_t i, hottest = 0;
    int16_t max = -32768;

    board_init(115200);
    memset(&sc, 0, sizeof sc);
    sc.spi = &board_spi;
    sc.part = VM_SRAM_23LC1024;
    sc.chips = 1;
    sc.cs[0] = SRAM_CS;
    vmavr_cs_init(sc.cs[0]);
    if (vm_sram_begin(&sram, &sc) != VM_OK) {
        printf("no 23LC1024 on PB2\n");
        return 1;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = vm_sram_backend(&sram);
    cfg.page_size = 64;
    cfg.page_count = 4;
    cfg.pages = log_pages;
    cfg.pages_size = sizeof log_pages;
    cfg.slots = log_slots;
    cfg.slot_count = 4;
    if (vm_init(&vm, &cfg) != VM_OK) {
        printf("vm_init failed\n");
        return 1;
    }

    vmavr_phase("log");
    memset(&r, 0, sizeof r);
    for (i = 0; i < RECORDS; i++) {
        r.time_ms = (uint32_t)i * 1000u;
        r.temp_c10 = (int16_t)(200 + (int16_t)((i * 37u) % 151u) - 75);
        r.humidity = (uint16_t)(400 + i % 300u);
        if (vm_write(&vm, (vm_addr_t)i * sizeof r, &r, sizeof r) != VM_OK)
            return 1;
    }
    vmavr_phase("scan");
    for (i = 0; i < RECORDS; i++) {
        if (vm_read(&vm, &r, (vm_addr_t)i * sizeof r, sizeof r) != VM_OK)
            return 1;
        if (r.temp_c10 > max) {
            max = r.temp_c10;
            hottest = i;
        }
    }
    vmavr_phase_end();
    printf("%u records, %u bytes in the 23LC1024\n", RECORDS, (unsigned)(RECORDS * sizeof r));
    printf("hottest: record %u at %d.%d C\n", hottest, max / 10, max % 10);
    printf("pager: %lu hits, %lu misses\n", (unsigned long)vm_stats(&vm)->hits,
           (unsigned long)vm_stats(&vm)->misses);
    board_exit(max == 275 ? 0 : 1);
    return 0;
}
