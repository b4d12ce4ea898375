/*
 * sketch_host.cpp - runs an example sketch's setup() on the host, with the
 * stand-in Arduino core's pins, SPI and millis routed to desktop device
 * models on a simulated SPI bus (atmega328p platform profile): a 23LC1024 on
 * pin SKETCH_SRAM_PIN or an SDHC card on pin SKETCH_SD_PIN, loaded from the
 * FAT image named by the first argument and saved back to it afterwards
 * (tests/target/sketch_sd.sh makes the image with mkfs.fat and mcopy and
 * checks it with mtype and fsck.fat). It then checks what the sketch left in
 * the device's memory, so the sketch, the Arduino glue (vm_arduino.cpp), the
 * pools, the FAT code, the driver and the core are tested together, byte for
 * byte on the wire. SKETCH_VM is the sketch's struct vm * (default
 * vpool.vm()); for an SD sketch SKETCH_FILE_INFO is its pool file's struct
 * vm_fat_file (default vpool.fileInfo()).
 *
 * For the serial sketch, Serial is wired to the PC side's engine
 * (vm_serial_host, what vmserve runs) in the same process, over a 128 KiB
 * RAM store.
 *
 * Build with -DSKETCH_FILE="\"path/to/x.ino\"" and -DSKETCH_SRAM=1,
 * -DSKETCH_SD=1 or -DSKETCH_SERIAL=1 (which device's memory to check).
 * Prints PASS or FAIL.
 */
#include SKETCH_FILE

#include <stdio.h>
#include <stdlib.h>

extern "C" {
#include "vm_sd_image.h"
#include "vm_sd_model.h"
#include "vm_serial_host.h"
#include "vm_simbus.h"
#include "vm_sram_model.h"
}

/* Arduino pins of the sketches, and the simulated bus's chip selects
 * (0..VM_SIMBUS_MAX_CS-1) wired to them. */
#ifndef SKETCH_SRAM_PIN
#define SKETCH_SRAM_PIN 9
#endif
#ifndef SKETCH_SD_PIN
#define SKETCH_SD_PIN 4
#endif
#ifndef SKETCH_VM
#define SKETCH_VM vpool.vm()
#endif
#ifndef SKETCH_FILE_INFO
#define SKETCH_FILE_INFO vpool.fileInfo()
#endif
#define HOST_SRAM_PIN SKETCH_SRAM_PIN
#define HOST_SD_PIN SKETCH_SD_PIN
#define HOST_SRAM_CS 1
#define HOST_SD_CS 4

static struct vm_simclock host_clock;
static struct vm_simbus host_bus;

static void host_pin(void *ctx, uint8_t pin, uint8_t val)
{
    struct vm_simbus *b = (struct vm_simbus *)ctx;
    (void)b;
    (void)pin;
    (void)val;
#if defined(SKETCH_SRAM)
    if (pin == HOST_SRAM_PIN) b->spi.select(b->spi.ctx, HOST_SRAM_CS, val == LOW);
#endif
#if defined(SKETCH_SD)
    if (pin == HOST_SD_PIN) b->spi.select(b->spi.ctx, HOST_SD_CS, val == LOW);
#endif
}

static uint8_t host_spi(void *ctx, uint8_t out)
{
    struct vm_simbus *b = (struct vm_simbus *)ctx;
    uint8_t in = 0xFF;
    b->spi.transfer(b->spi.ctx, &out, &in, 1);
    return in;
}

static void host_spi_clock(void *ctx, uint32_t hz)
{
    struct vm_simbus *b = (struct vm_simbus *)ctx;
    b->spi.set_clock(b->spi.ctx, hz);
}

static unsigned long host_millis(void *ctx)
{
    struct vm_simbus *b = (struct vm_simbus *)ctx;
    return b->spi.millis(b->spi.ctx);
}

#if defined(SKETCH_SERIAL)
/* The PC side: requests go in byte by byte, replies queue up for Serial. */
static struct vm_serial_host *host_engine;
static uint8_t host_rx[1u << 16];
static size_t host_rx_head, host_rx_tail;

static void host_send(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    while (n--) host_rx[host_rx_tail++ & 0xFFFFu] = *buf++;
}

static void host_console(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    printf("vmserve console: %.*s\n", (int)n, (const char *)buf);
}

static void host_serial_write(void *ctx, uint8_t c)
{
    (void)ctx;
    vm_serial_host_feed(host_engine, &c, 1);
}

static int host_serial_read(void *ctx)
{
    (void)ctx;
    return host_rx_head == host_rx_tail ? -1 : host_rx[host_rx_head++ & 0xFFFFu];
}
#endif

static int check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    return ok ? 0 : 1;
}

/* The demonstration's footprint: str = the first allocation (address
 * VM_ALLOC_ALIGN), 'A' x 1000 with str[1] = 'B'; ms right after the 10000
 * bytes, {5, 15}. */
static int check_pool(const uint8_t *pool)
{
    const vm_addr_t str = VM_ALLOC_ALIGN;
    const vm_addr_t ms = str + ((10000u + VM_ALLOC_ALIGN - 1u) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u));
    int bad = 0, x, y;
    unsigned i;
    for (i = 0; i < 1000u; i++)
        if (pool[str + i] != (i == 1u ? 'B' : 'A')) bad++;
    memcpy(&x, pool + ms, sizeof x);
    memcpy(&y, pool + ms + sizeof x, sizeof y);
    return check(bad == 0, "str[0..999] is 'A' but str[1] = 'B' in the device") +
           check(x == 5 && y == 15, "ms = {5, 15} in the device");
}

/* The same, read back through the sketch's own pager (SKETCH_VM)
 * after emptying the cache, so every byte comes over the bus again. */
static int check_readback(void)
{
    const vm_addr_t str = VM_ALLOC_ALIGN;
    const vm_addr_t ms = str + ((10000u + VM_ALLOC_ALIGN - 1u) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u));
    static uint8_t buf[1000];
    int xy[2] = {0, 0};
    int bad = 0;
    unsigned i;
    struct vm *vm = SKETCH_VM;
    if (vm_invalidate(vm) != VM_OK || vm_read(vm, buf, str, sizeof buf) != VM_OK ||
        vm_read(vm, xy, ms, sizeof xy) != VM_OK)
        return check(0, "read back through the pager");
    for (i = 0; i < sizeof buf; i++)
        if (buf[i] != (i == 1u ? 'B' : 'A')) bad++;
    return check(bad == 0 && xy[0] == 5 && xy[1] == 15,
                 "the same read back through the pager after vm_invalidate");
}

int main(int argc, char **argv)
{
    static struct vm_sram_model sram;
#if defined(SKETCH_SD)
    static struct vm_sd_model card;
#endif
    struct vm_spi_model m;
    int failed = 0;
    (void)m;

    (void)argc;
    (void)argv;
    vm_simbus_init(&host_bus, &host_clock, vm_platform_find("atmega328p"));
    if (vm_sram_model_init(&sram, VM_SRAM_23LC1024, 0xFF) != 0) return 99;
#if defined(SKETCH_SRAM)
    m = vm_sram_model_spi(&sram);
    vm_simbus_attach(&host_bus, HOST_SRAM_CS, &m);
#endif
#if defined(SKETCH_SD)
    char err[512];
    if (argc < 2) {
        fprintf(stderr, "usage: %s CARD.IMG (a FAT image)\n", argv[0]);
        return 2;
    }
    if (vm_sd_model_load(&card, argv[1], VM_SD_TYPE_SDHC, NULL, 1, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    m = vm_sd_model_spi(&card);
    vm_simbus_attach(&host_bus, HOST_SD_CS, &m);
#endif
#if defined(SKETCH_SERIAL)
    static uint8_t pc_pool[128u * 1024u];
    static struct vm_serial_store store;
    struct vm_serial_host_config hc;
    vm_serial_store_ram(&store, pc_pool, sizeof pc_pool);
    memset(&hc, 0, sizeof hc);
    hc.store = &store.backend;
    hc.send = host_send;
    hc.console = host_console;
    host_engine = vm_serial_host_new(&hc);
    if (!host_engine) return 99;
    arduino_stub_host.serial_write = host_serial_write;
    arduino_stub_host.serial_read = host_serial_read;
#endif
    arduino_stub_host.pin = host_pin;
    arduino_stub_host.spi = host_spi;
    arduino_stub_host.spi_clock = host_spi_clock;
    arduino_stub_host.millis = host_millis;
    arduino_stub_host.ctx = &host_bus;

    setup();
    loop();
    fflush(stdout);

    failed += check_readback();
#if defined(SKETCH_SRAM)
    failed += check_pool(sram.mem);
    failed += check(sram.overspeed == 0, "the SRAM was never clocked above 20 MHz");
#endif
#if defined(SKETCH_SERIAL)
    failed += check_pool(pc_pool);
    vm_serial_host_free(host_engine);
#endif
#if defined(SKETCH_SD)
    failed += check_pool(card.mem + (size_t)SKETCH_FILE_INFO.first_lba * VM_SD_BLOCK);
    if (vm_sd_model_save(&card, argv[1], err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        failed++;
    }
    failed += check(card.violations == 0, "no protocol violations seen by the card");
    failed += check(card.init_overspeed == 0 && card.overspeed == 0,
                    "the card was never clocked too fast (<= 400 kHz during init)");
    vm_sd_model_free(&card);
#endif
    failed += check(host_bus.contention == 0, "never two chips selected at once");
    printf("simulated time %.3f ms, %llu bytes on the bus\n", host_clock.ns / 1e6,
           (unsigned long long)host_bus.bytes);
    vm_sram_model_free(&sram);
    puts(failed ? "FAIL" : "PASS");
    return failed ? 1 : 0;
}
