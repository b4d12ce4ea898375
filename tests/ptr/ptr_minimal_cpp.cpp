/*
 * ptr_minimal_cpp.cpp - compile check: vm.hpp with the optional core
 * features removed (VM_CONFIG_WRAP=0, VM_CONFIG_ALLOC=0, VM_CONFIG_BOUNCE=0).
 * Built as a library, never run: wrap/alloc/newClass must vanish and the
 * rest must compile without a warning.
 */
#include "vm_ram.hpp"

#if VM_CONFIG_WRAP || VM_CONFIG_ALLOC || VM_CONFIG_BOUNCE
#error "ptr_minimal_cpp.cpp must be built with VM_CONFIG_WRAP/ALLOC/BOUNCE=0"
#endif

struct Pair {
    int16_t a, b;
};

static vmem::RamStore<1024, 32, 2> store;

long ptr_minimal_cpp_use();
long ptr_minimal_cpp_use()
{
    if (store.start() != VM_OK)
        return -1;
    vmem::VPtr<Pair> p = vmem::VPtr<Pair>::at(64);
    vmem::VPtr<const Pair> c = p;
    p->a = 1;
    p.member(&Pair::b) = 2;
    vmem::VPtr<char> s = vmem::VPtr<char>::at(128);
    strcpy(s, "abc");
    memset(s + 4, 0, 4);
    vmem::Lock<Pair> lk(p + 1);
    return c->a + c.member(&Pair::b) + static_cast<long>(strlen(s)) + (lk ? lk->a : 0);
}
