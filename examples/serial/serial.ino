/*
 * serial.ino - the virtmem manual's demonstration with the pool in a PC's
 * RAM, over the serial port. On the PC, vmserve serves it (backends/serial;
 * docs/serial-protocol.md), e.g.:  vmserve --baud 115200 /dev/ttyACM0
 *
 * Serial carries the pager's frames, so the sketch cannot print on it:
 * messages go to vmserve's console (vm_serial_console) and the built-in LED
 * tells the outcome: steady on = done, blinking = an error.
 */
#include <Arduino.h>
#include <vmem.h>

using namespace vmem;

SerialPool<64, 4> vpool(Serial, 115200); // 'CSerialVirtMemAlloc<> valloc' in the original

struct MyStruct { int x, y; };

static void say(const char *text)
{
    vm_serial_console(vpool.link(), text, (uint16_t)strlen(text));
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
    vpool.start(); // opens Serial, waits for vmserve, starts the pager

    VPtr<char> str = str.alloc(10000);
    memset(str, 'A', 1000);
    str[1] = 'B';

    VPtr<MyStruct> ms = ms.alloc();
    ms->x = 5;
    ms->y = 15;

    vpool.flush();
    if (!pool().ok() || ms.member(&MyStruct::x) != 5 || ms.member(&MyStruct::y) != 15)
        halt("demo failed");
    say("demo done: str[0..999] = 'A' except str[1] = 'B'; ms = {5, 15}");
    pinMode(LED_BUILTIN, OUTPUT);
    digitalWrite(LED_BUILTIN, HIGH);
}

void loop()
{
}
