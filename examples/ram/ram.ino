/*
 * ram.ino - the virtmem manual's demonstration with the pool in a RAM array
 * (vmem::RamPool, the vm_ram backend): it needs no device, so it runs
 * anywhere with 16 KiB to spare (a desktop, a Teensy, a Due). The same
 * program in C is examples/demo/demo.c; on an SD card it is
 * examples/demo/demo.ino. tests/ptr runs it on the host and checks the pool.
 */
#include <Arduino.h>
#include <vm_ram.hpp>

// Simplify vmem usage
using namespace vmem;

// Create a virtual memory pool that uses a RAM array as backing store.
// 16 KiB pool, four 64-byte pages (the original's default pool is 1 MB).
#ifndef DEMO_POOL_SIZE
#define DEMO_POOL_SIZE 16384
#endif
RamPool<DEMO_POOL_SIZE> vpool; // 'valloc' in the original: glibc already has a valloc()

struct MyStruct { int x, y; };

void setup()
{
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
}

void loop()
{
    // ...
}
