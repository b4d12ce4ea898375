/*
 * ptr_bench.cpp - instructions per element access through VPtr (vm.hpp).
 * Not a test: run under callgrind by ptr_bench.sh as `ptr_bench_cpp MODE N`,
 * (Ir(N) - Ir(0)) / N. N one-byte accesses p[i & 63] to a resident page:
 *   cpp-get   sum += p[i & 63]        (Ref<uint8_t> -> vm_get8)
 *   cpp-set   p[i & 63] = i           (Ref<uint8_t> = -> vm_set8)
 *   cpp-walk  *q++ = i, q reset each 64 (pointer arithmetic + write)
 *   fixed-get, fixed-set   cpp-get and cpp-set through VPtr<uint8_t, Fast>,
 *             Fast = VMEM_FIXED(store): the pager at its link-time address
 * The pool is a vmem::RamStore (64-byte pages, 4 of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_ram.hpp"

using vmem::VPtr;

static vmem::RamStore<4096, 64, 4> store;
typedef VMEM_FIXED(store) Fast;

#define NOINLINE __attribute__((noinline))

template <class B> static NOINLINE uint32_t cpp_get(VPtr<uint8_t, B> p, long n)
{
    uint32_t s = 0;
    for (long i = 0; i < n; i++)
        s += p[static_cast<int32_t>(i & 63)];
    return s;
}
template <class B> static NOINLINE uint32_t cpp_set(VPtr<uint8_t, B> p, long n)
{
    for (long i = 0; i < n; i++)
        p[static_cast<int32_t>(i & 63)] = static_cast<uint8_t>(i);
    return 0;
}
static NOINLINE uint32_t cpp_walk(VPtr<uint8_t> p, long n)
{
    VPtr<uint8_t> q = p;
    for (long i = 0; i < n; i++) {
        if ((i & 63) == 0)
            q = p;
        *q++ = static_cast<uint8_t>(i);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODE N (MODE: cpp-get cpp-set cpp-walk fixed-get fixed-set)\n",
                argv[0]);
        return 2;
    }
    long n = strtol(argv[2], nullptr, 10);
    if (store.start() != VM_OK)
        return 1;
    VPtr<uint8_t> p = VPtr<uint8_t>::at(1024);
    VPtr<uint8_t, Fast> f = VPtr<uint8_t, Fast>::at(1024);
    memset(p, 1, 64); /* resident, valid, dirty: the hot page */
    p[0] = 1;
    uint32_t s;
    if (!strcmp(argv[1], "cpp-get"))
        s = cpp_get(p, n);
    else if (!strcmp(argv[1], "cpp-set"))
        s = cpp_set(p, n);
    else if (!strcmp(argv[1], "cpp-walk"))
        s = cpp_walk(p, n);
    else if (!strcmp(argv[1], "fixed-get"))
        s = cpp_get(f, n);
    else if (!strcmp(argv[1], "fixed-set"))
        s = cpp_set(f, n);
    else {
        fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], argv[1]);
        return 2;
    }
    printf("%s %ld sum %lu misses %lu error %d\n", argv[1], n, (unsigned long)s,
           (unsigned long)vm_stats(store.vm())->misses, vmem::pool().error());
    return vmem::pool().ok() ? 0 : 1;
}
