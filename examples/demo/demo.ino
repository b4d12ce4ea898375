/*
 * demo.ino - the seed manual's demonstration sketch, ported line for line to
 * the C++ wrapper (core/vm.hpp). The original's SD-card allocator is replaced
 * by a pool in a RAM array (vmem::RamStore, the vm_ram backend), so the
 * sketch runs anywhere: on a board with a small RAM, bind a struct vm set up
 * with the SRAM or SD backend instead (vmem::pool().bind(&vm)). The same
 * program in C is demo.c. tests/ptr runs it on the host and checks the pool.
 */
#include <Arduino.h>
#include <vm.hpp>

// Simplify vmem usage
using namespace vmem;

// Create a virtual memory pool that uses a RAM array as backing store.
// 16 KiB pool, four 64-byte pages (the original's default pool is 1 MB).
#ifndef DEMO_POOL_SIZE
#define DEMO_POOL_SIZE 16384
#endif
RamStore<DEMO_POOL_SIZE> vstore; // 'valloc' in the original: glibc already has a valloc()

// (no SdFat object: the RAM backend needs no device)

struct MyStruct { int x, y; };

void setup()
{
    // (no SdFat to initialise)

    vstore.start(); // Always call this to initialize the pool before using it

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
