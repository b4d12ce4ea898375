/*
 * sram.ino - the virtmem manual's demonstration on a 23LC1024 SPI SRAM
 * (128 KiB): the pool is the chip, four 64-byte pages in RAM. Results go to
 * Serial at 115200 baud.
 *
 * Wiring: 23LC1024 on the hardware SPI pins (Uno: SCK 13, MISO 12, MOSI 11),
 * CS on pin 9, HOLD tied high, 5 V (the 23K256 is 3.3 V only).
 */
#include <Arduino.h>
#include <vmem.h>

using namespace vmem;

SramPool<64, 4> vpool(9); // 'CSPIRAMVirtMemAlloc<> valloc' in the original; CS pin 9

struct MyStruct { int x, y; };

void setup()
{
    Serial.begin(115200);
    if (vpool.start() != VM_OK) { // begins SPI, the chip and the pager
        Serial.print(F("start failed: "));
        Serial.println(vpool.error());
        return;
    }

    VPtr<char> str = str.alloc(10000);
    memset(str, 'A', 1000);
    str[1] = 'B';

    VPtr<MyStruct> ms = ms.alloc();
    ms->x = 5;
    ms->y = 15;

    vpool.flush(); // every dirty page back to the chip
    Serial.print(F("str[0..1] = "));
    Serial.print((char)str[0]);
    Serial.println((char)str[1]);
    Serial.print(F("ms->x = "));
    Serial.print((int)ms.member(&MyStruct::x));
    Serial.print(F(", ms->y = "));
    Serial.println((int)ms.member(&MyStruct::y));
    const struct vm_stats *st = vm_stats(vpool.vm());
    Serial.print(F("hits "));
    Serial.print((unsigned long)st->hits);
    Serial.print(F(", misses "));
    Serial.println((unsigned long)st->misses);
}

void loop()
{
}
