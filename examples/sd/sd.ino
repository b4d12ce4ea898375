/*
 * sd.ino - the virtmem manual's demonstration on an SD card, with the C API:
 * one definition and one start call (vm_sd_pool.h), then the vm_* calls.
 * The pool is the file RAMFILE.VM on the card's FAT16/FAT32 file system,
 * 1 MiB in one contiguous run; start() creates it if it is missing and the
 * card has room (VM_SD_POOL_CREATE). Nothing else on the card is written.
 * Results go to Serial at 115200.
 *
 * Wiring: the card on the hardware SPI pins, CS on pin SD_CS (an SD shield
 * usually uses 4 or 10), through a 3.3 V level shifter on 5 V boards. The
 * SD driver keeps a 512-byte block buffer: about 900 bytes of RAM in all.
 */
#include <Arduino.h>
#include <vmem.h>

#define SD_CS 4

VM_SD_POOL(pool, 64, 4, SD_CS, "RAMFILE.VM", 1048576ul); /* 4 x 64-byte pages */
static struct vm_arduino_spi bus;                          /* Arduino's SPI as a vm_spi */
static struct vm *const vm = &pool.pool.vm;

struct MyStruct {
    int x, y;
};

static void halt(const __FlashStringHelper *what, int err)
{
    Serial.print(what);
    Serial.print(F(" failed: "));
    Serial.println(err); /* VM_FAT_ERR_NOFILE = -33, ...: see vm_fat.h */
    for (;;) {
    }
}

void setup()
{
    Serial.begin(115200);
    SPI.begin();
    vm_arduino_spi_begin(&bus, SPI);
    vm_arduino_spi_cs(&bus, SS); /* AVR: SS stays an output for SPI master mode */
    pool.flags |= VM_SD_POOL_CREATE;
    int err = vm_sd_pool_start(&pool, &bus.spi);
    if (err) halt(F("vm_sd_pool_start"), err);

    /* A char buffer of 10000 bytes in virtual memory. */
    vm_addr_t str = vm_alloc(vm, 10000);
    if (str == VM_NULL) halt(F("vm_alloc"), VM_ERR_NOMEM);
    /* The first 1000 bytes to 'A'; then str[1] = 'B'. */
    if ((err = vm_memset(vm, str, 'A', 1000)) != VM_OK) halt(F("vm_memset"), err);
    if ((err = vm_set8(vm, str + 1, 'B')) != VM_OK) halt(F("vm_set8"), err);

    /* A struct: members one at a time. */
    vm_addr_t ms = vm_alloc(vm, sizeof(struct MyStruct));
    if (ms == VM_NULL) halt(F("vm_alloc"), VM_ERR_NOMEM);
    int x = 5, y = 15;
    VM_SET_MEMBER(vm, ms, struct MyStruct, x, &x);
    VM_SET_MEMBER(vm, ms, struct MyStruct, y, &y);

    /* vm_flush writes the dirty pages and ends the card's write stream, so
     * the data is in the file when it returns. */
    if ((err = vm_flush(vm)) != VM_OK) halt(F("vm_flush"), err);

    /* Forget the cached pages and read everything back from the card. */
    vm_invalidate(vm);
    struct MyStruct back;
    uint8_t c1;
    if ((err = VM_GET(vm, ms, &back)) != VM_OK) halt(F("VM_GET"), err);
    if ((err = vm_get8(vm, str + 1, &c1)) != VM_OK) halt(F("vm_get8"), err);
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
