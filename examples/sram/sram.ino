/*
 * sram.ino - virtual memory on a 23LC1024 SPI SRAM (128 KiB), C API.
 *
 * The virtmem manual's demonstration with this library: a 10000-byte char
 * buffer and a struct allocated in the pool, filled and read back through
 * four 64-byte pages in RAM. Results go to Serial at 115200 baud.
 *
 * Wiring: 23LC1024 on the hardware SPI pins (Uno: SCK 13, MISO 12, MOSI 11),
 * CS on pin SRAM_CS, HOLD tied high, 5 V (the 23K256 is 3.3 V only).
 */
#include <Arduino.h>
#include <SPI.h>

#include <vm.h>
#include <vm_arduino.h>
#include <vm_sram.h>

#define SRAM_CS 9

struct MyStruct {
    int x, y;
};

/* Page buffers must be 4-byte aligned, which a uint32_t array is not on AVR. */
static uint32_t cache_pages[64 * 4 / 4] __attribute__((aligned(4)));
static struct vm_slot cache_slots[4];
static struct vm_block heap_table[8]; /* at most 8 live allocations */
static struct vm vm;
static struct vm_sram sram;
static struct vm_arduino_spi bus;

static void halt(const __FlashStringHelper *what, int err)
{
    Serial.print(what);
    Serial.print(F(" failed: "));
    Serial.println(err);
    for (;;) {
    }
}

void setup()
{
    Serial.begin(115200);
    SPI.begin();
    vm_arduino_spi_begin(&bus, SPI);
    vm_arduino_spi_cs(&bus, SRAM_CS);

    struct vm_sram_config sc;
    memset(&sc, 0, sizeof sc);
    sc.spi = &bus.spi;
    sc.part = VM_SRAM_23LC1024;
    sc.chips = 1;
    sc.cs[0] = SRAM_CS;
    sc.clock_hz = 8000000ul; /* the Uno's fastest; the chip takes 20 MHz */
    int err = vm_sram_begin(&sram, &sc);
    if (err) halt(F("vm_sram_begin"), err);

    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = vm_sram_backend(&sram);
    cfg.page_size = 64;
    cfg.page_count = 4;
    cfg.pages = cache_pages;
    cfg.pages_size = sizeof cache_pages;
    cfg.slots = cache_slots;
    cfg.slot_count = 4;
    cfg.heap = heap_table;
    cfg.heap_blocks = 8;
    err = vm_init(&vm, &cfg);
    if (err) halt(F("vm_init"), err);

    /* A char buffer of 10000 bytes in virtual memory. */
    vm_addr_t str = vm_alloc(&vm, 10000);
    if (str == VM_NULL) halt(F("vm_alloc"), VM_ERR_NOMEM);
    /* The first 1000 bytes to 'A' (page by page, not byte by byte)... */
    if ((err = vm_memset(&vm, str, 'A', 1000)) != VM_OK) halt(F("vm_memset"), err);
    /* ...and one element, as str[1] = 'B'. */
    if ((err = vm_set8(&vm, str + 1, 'B')) != VM_OK) halt(F("vm_set8"), err);

    /* Own types work too: one member at a time, or the whole struct. */
    vm_addr_t ms = vm_alloc(&vm, sizeof(struct MyStruct));
    if (ms == VM_NULL) halt(F("vm_alloc"), VM_ERR_NOMEM);
    int x = 5, y = 15;
    VM_SET_MEMBER(&vm, ms, struct MyStruct, x, &x);
    VM_SET_MEMBER(&vm, ms, struct MyStruct, y, &y);

    struct MyStruct back;
    uint8_t c0, c1;
    if ((err = VM_GET(&vm, ms, &back)) != VM_OK) halt(F("VM_GET"), err);
    vm_get8(&vm, str, &c0);
    vm_get8(&vm, str + 1, &c1);
    Serial.print(F("str[0..1] = "));
    Serial.print((char)c0);
    Serial.println((char)c1);
    Serial.print(F("ms->x = "));
    Serial.print(back.x);
    Serial.print(F(", ms->y = "));
    Serial.println(back.y);

    /* Write every dirty page back to the chip. */
    if ((err = vm_flush(&vm)) != VM_OK) halt(F("vm_flush"), err);
    const struct vm_stats *st = vm_stats(&vm);
    Serial.print(F("hits "));
    Serial.print((unsigned long)st->hits);
    Serial.print(F(", misses "));
    Serial.println((unsigned long)st->misses);
}

void loop()
{
}
