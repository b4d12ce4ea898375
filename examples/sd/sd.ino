/*
 * sd.ino - virtual memory on an SD card (SPI mode), C API.
 *
 * The virtmem manual's demonstration (its SD-card allocator) with this
 * library: a 10000-byte char buffer and a struct in a 1 MiB pool on the
 * card, through four 64-byte pages in RAM. Results go to Serial at 115200.
 *
 * WARNING: the pool is raw card blocks [POOL_FIRST_BLOCK, + POOL_BLOCKS):
 * whatever is there is overwritten. Use a card whose contents you do not
 * need, or set these two to the blocks of a preallocated contiguous file
 * (with SdFat: file.preAllocate(size), then file.contiguousRange(&first,
 * &last) gives them; close SdFat's use of the card before vm_sd_begin).
 *
 * Wiring: the card on the hardware SPI pins, CS on pin SD_CS (an SD shield
 * usually uses 4 or 10), through a 3.3 V level shifter on 5 V boards.
 * The vm_sd driver keeps a 512-byte block buffer: about 900 bytes of RAM in
 * all on an Uno, so keep the rest of the sketch small there.
 */
#include <Arduino.h>
#include <SPI.h>

#include <vm.h>
#include <vm_arduino.h>
#include <vm_sd.h>

#define SD_CS 4
#define POOL_FIRST_BLOCK 65536ul /* 32 MiB into the card */
#define POOL_BLOCKS 2048ul       /* 1 MiB, the original's default pool */

struct MyStruct {
    int x, y;
};

/* Page buffers must be 4-byte aligned, which a uint32_t array is not on AVR. */
static uint32_t cache_pages[64 * 4 / 4] __attribute__((aligned(4)));
static struct vm_slot cache_slots[4];
static struct vm_block heap_table[8];
static struct vm vm;
static struct vm_sd card;
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
    vm_arduino_spi_cs(&bus, SD_CS);
    /* On an Uno, pin 10 (SS) must stay an output for SPI master mode. */
    vm_arduino_spi_cs(&bus, SS);

    struct vm_sd_config sc;
    memset(&sc, 0, sizeof sc);
    sc.spi = &bus.spi;
    sc.cs = SD_CS;
    sc.first_block = POOL_FIRST_BLOCK;
    sc.block_count = POOL_BLOCKS;
    int err = vm_sd_begin(&card, &sc);
    if (err) halt(F("vm_sd_begin"), err);

    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = vm_sd_backend(&card);
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
    /* The first 1000 bytes to 'A'; then str[1] = 'B'. */
    if ((err = vm_memset(&vm, str, 'A', 1000)) != VM_OK) halt(F("vm_memset"), err);
    if ((err = vm_set8(&vm, str + 1, 'B')) != VM_OK) halt(F("vm_set8"), err);

    /* A struct: members one at a time. */
    vm_addr_t ms = vm_alloc(&vm, sizeof(struct MyStruct));
    if (ms == VM_NULL) halt(F("vm_alloc"), VM_ERR_NOMEM);
    int x = 5, y = 15;
    VM_SET_MEMBER(&vm, ms, struct MyStruct, x, &x);
    VM_SET_MEMBER(&vm, ms, struct MyStruct, y, &y);

    /* vm_flush writes the dirty pages and ends the card's write stream, so
     * the data is on the card when it returns. */
    if ((err = vm_flush(&vm)) != VM_OK) halt(F("vm_flush"), err);

    /* Forget the cached pages and read everything back from the card. */
    vm_invalidate(&vm);
    struct MyStruct back;
    uint8_t c1;
    if ((err = VM_GET(&vm, ms, &back)) != VM_OK) halt(F("VM_GET"), err);
    if ((err = vm_get8(&vm, str + 1, &c1)) != VM_OK) halt(F("vm_get8"), err);
    Serial.print(F("str[1] = "));
    Serial.println((char)c1);
    Serial.print(F("ms->x = "));
    Serial.print(back.x);
    Serial.print(F(", ms->y = "));
    Serial.println(back.y);
}

void loop()
{
}
