/*
 * demo.ino - the virtmem manual's demonstration, on an SD card as in the
 * original: the pool is the file RAMFILE.VM (1 MiB, contiguous) on the
 * card's FAT16/FAT32 file system, beside whatever else the card holds.
 * Only the names differ from the original (the manual's migration table
 * lists each); the lines marked "not in the original" print the result.
 *
 * Prepare the card once on a PC: a contiguous 1 MiB file named RAMFILE.VM
 * in the root directory, e.g. on Linux
 *     head -c 1048576 /dev/zero > RAMFILE.VM  and copy it to a freshly
 * formatted card (or call vpool.createIfMissing() before start()).
 * Wiring: the card on the hardware SPI pins, CS on pin 9 as in the original.
 */
#include <Arduino.h>
#include <vmem.h>

// Simplify vmem usage
using namespace vmem;

// Create virtual memory pool that uses SD card (with FAT filesystem) as virtual memory pool
// The default memory pool size (1 MB) is used.
SdPool<> vpool(9); // CS pin 9; 'valloc' in the original: glibc already has a valloc()

struct MyStruct { int x, y; };

void setup()
{
    // (the pool initialises the card itself: no SdFat)

    vpool.start(); // Always call this to initialize the pool before using it

    // Allocate a char buffer of 10000 bytes in virtual memory and store the address to a virtual pointer
    VPtr<char> str = str.alloc(10000);

    // Set the first 1000 bytes to 'A'
    memset(str, 'A', 1000);

    // array access
    str[1] = 'B';

    // Own types (structs/classes) also work.
    VPtr<MyStruct> ms = ms.alloc(); // alloc call without parameters: use automatic size deduction
    ms->x = 5;
    ms->y = 15;

    // not in the original: write the pages back and show what the pool holds
    vpool.flush();
    Serial.begin(115200);
    Serial.print(F("str[0], str[1], str[999] = "));
    Serial.print((char)str[0]);
    Serial.print((char)str[1]);
    Serial.println((char)str[999]);
    Serial.print(F("ms->x = "));
    Serial.print((int)ms.member(&MyStruct::x));
    Serial.print(F(", ms->y = "));
    Serial.println((int)ms.member(&MyStruct::y));
    Serial.print(F("pool error: "));
    Serial.println(pool().error());
}

void loop()
{
    // ...
}
