/*
 * serial.ino - virtual memory in a PC's RAM over the serial port, C API.
 *
 * The pool lives on the PC, served by vmserve (backends/serial; see
 * docs/serial-protocol.md), e.g.:  vmserve --baud 115200 /dev/ttyACM0
 * and is reached through the board's Serial port. The sketch then runs the
 * virtmem manual's demonstration: a 10000-byte char buffer and a struct in
 * the pool, through four 64-byte pages in RAM.
 *
 * Serial carries the pager's frames, so the sketch cannot print on it:
 * messages go to vmserve's console (vm_serial_console) and the built-in LED
 * tells the outcome: steady on = done, blinking = an error.
 */
#include <Arduino.h>

#include <vm.h>
#include <vm_arduino.h>
#include <vm_serial.h>

#define LINK_BAUD 115200ul

struct MyStruct {
    int x, y;
};

/* Page buffers must be 4-byte aligned, which a uint32_t array is not on AVR. */
static uint32_t cache_pages[64 * 4 / 4] __attribute__((aligned(4)));
static struct vm_slot cache_slots[4];
static struct vm_block heap_table[8];
static struct vm vm;
static struct vm_serial link;
static struct vm_arduino_uart port;

static void say(const char *text)
{
    vm_serial_console(&link, text, (uint16_t)strlen(text));
}

static void halt(const char *what)
{
    say(what);
    pinMode(LED_BUILTIN, OUTPUT);
    for (;;) {
        digitalWrite(LED_BUILTIN, HIGH);
        delay(100);
        digitalWrite(LED_BUILTIN, LOW);
        delay(100);
    }
}

void setup()
{
    Serial.begin(LINK_BAUD);
    vm_arduino_uart_begin(&port, Serial);

    struct vm_serial_config sc;
    memset(&sc, 0, sizeof sc);
    sc.uart = &port.uart;
    sc.baud = LINK_BAUD;
    sc.max_data = 64; /* one page per frame */
    if (vm_serial_init(&link, &sc) != VM_OK) halt("vm_serial_init failed");
    /* Wait for vmserve: HELLO until a host answers. */
    while (vm_serial_hello(&link) != VM_OK) {
    }

    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = &link.backend;
    cfg.page_size = 64;
    cfg.page_count = 4;
    cfg.pages = cache_pages;
    cfg.pages_size = sizeof cache_pages;
    cfg.slots = cache_slots;
    cfg.slot_count = 4;
    cfg.heap = heap_table;
    cfg.heap_blocks = 8;
    if (vm_init(&vm, &cfg) != VM_OK) halt("vm_init failed");

    vm_addr_t str = vm_alloc(&vm, 10000);
    if (str == VM_NULL) halt("vm_alloc failed");
    if (vm_memset(&vm, str, 'A', 1000) != VM_OK) halt("vm_memset failed");
    if (vm_set8(&vm, str + 1, 'B') != VM_OK) halt("vm_set8 failed");

    vm_addr_t ms = vm_alloc(&vm, sizeof(struct MyStruct));
    if (ms == VM_NULL) halt("vm_alloc failed");
    int x = 5, y = 15;
    VM_SET_MEMBER(&vm, ms, struct MyStruct, x, &x);
    VM_SET_MEMBER(&vm, ms, struct MyStruct, y, &y);
    if (vm_flush(&vm) != VM_OK) halt("vm_flush failed");

    struct MyStruct back;
    if (VM_GET(&vm, ms, &back) != VM_OK || back.x != 5 || back.y != 15) halt("read-back failed");
    say("demo done: str[0..999] = 'A' except str[1] = 'B'; ms = {5, 15}");
    pinMode(LED_BUILTIN, OUTPUT);
    digitalWrite(LED_BUILTIN, HIGH);
}

void loop()
{
}
