/*
 * demo_run.cpp - runs examples/ram/ram.ino (the seed manual's sketch on the
 * C++ wrapper, pool in RAM) on the host and checks what it left in the backing store:
 * 1000 'A's with a 'B' at index 1 in a 10000-byte block, and a MyStruct
 * holding {5, 15}. Exits non-zero on any difference or recorded error.
 */
#include "ram.ino"

#include <stdio.h>

int main()
{
    setup();
    loop();
    if (!vmem::pool().ok()) {
        fprintf(stderr, "demo: error %d recorded\n", vmem::pool().error());
        return 1;
    }
    if (vm_flush(vpool.vm()) != VM_OK)
        return 1;
    struct vm_heap_stats hs;
    vm_heap_stats(vpool.vm(), &hs);
    if (hs.blocks != 2) {
        fprintf(stderr, "demo: %u blocks allocated, want 2\n", (unsigned)hs.blocks);
        return 1;
    }
    const uint8_t *m = vpool.memory();
    long str_at = -1, ms_at = -1;
    for (long i = 0; i + 1001 <= DEMO_POOL_SIZE && str_at < 0; i++) {
        long k = 0;
        if (m[i] != 'A' || m[i + 1] != 'B')
            continue;
        for (k = 2; k < 1000 && m[i + k] == 'A'; k++)
            ;
        if (k == 1000 && m[i + 1000] != 'A')
            str_at = i;
    }
    MyStruct want = {5, 15};
    for (long i = 0; i + (long)sizeof want <= DEMO_POOL_SIZE && ms_at < 0; i++)
        if (memcmp(m + i, &want, sizeof want) == 0)
            ms_at = i;
    printf("demo: str at %ld, ms at %ld, %u bytes in use\n", str_at, ms_at, (unsigned)hs.used);
    if (str_at < 0 || ms_at < str_at + 10000) {
        fprintf(stderr, "demo: pool contents differ from the sketch's writes\n");
        return 1;
    }
    return 0;
}
