/*
 * vm_kernels_vptr.cpp - the loops of bench/vm_kernels.h through the C++
 * wrapper: vmem::VPtr<T> element proxies (p[i], p.member()), as a sketch
 * writes them. The kernel table, the geometry and the pager are
 * vm_kernels.h's; this file only holds the loops (interface:
 * vm_kernels_vptr.h). Built with -fno-exceptions -fno-rtti, as on a board,
 * by bench/kernels.sh (g++ -O2) and target/avr-kernels.sh (avr-g++ -Os),
 * with the same configuration macros as the C kernels.
 */
#include "vm_kernels_vptr.h"

#include "vm.hpp"

using vmem::VPtr;

void vmk_vptr_bind(struct vm *vm) { vmem::pool().bind(vm); }

int vmk_vptr_error(void) { return vmem::pool().takeError(); }

/* vptr8, vptr32: fill then read back through p[i], as ptr8/ptr32 do with
 * the C typed pointers. */
template <class T> static uint32_t fill_read(vm_addr_t base, uint32_t n)
{
    VPtr<T> p = VPtr<T>::at(base);
    const int32_t m = static_cast<int32_t>(n);
    uint32_t s = 0;
    for (int32_t i = 0; i < m; i++)
        p[i] = static_cast<T>(i);
    for (int32_t i = 0; i < m; i++)
        s += p[i];
    return s;
}

uint32_t vmk_vptr8(vm_addr_t base, uint32_t n) { return fill_read<uint8_t>(base, n); }

uint32_t vmk_vptr32(vm_addr_t base, uint32_t n) { return fill_read<uint32_t>(base, n); }

/* vptr-copy8: copy8's loop, d[i] = s[i] (a read and a write per element). */
void vmk_vptr_copy8(vm_addr_t dst, vm_addr_t src, uint32_t n)
{
    VPtr<uint8_t> d = VPtr<uint8_t>::at(dst), s = VPtr<uint8_t>::at(src);
    const int32_t m = static_cast<int32_t>(n);
    for (int32_t i = 0; i < m; i++)
        d[i] = s[i];
}

/* vptr-struct: the struct kernel's read-modify-write of two fields, each
 * through its member proxy (no lock of the whole struct). */
struct kstruct {
    uint16_t a;
    uint16_t pad;
    uint32_t b;
    uint32_t c;
};
static_assert(sizeof(kstruct) == 12, "the struct kernel's 12-byte layout");

void vmk_vptr_struct(vm_addr_t base, unsigned n)
{
    VPtr<kstruct> p = VPtr<kstruct>::at(base);
    for (unsigned k = 0; k < n; k++) {
        VPtr<kstruct> q = p + static_cast<int32_t>(k);
        vmem::Ref<uint16_t> a = q.member(&kstruct::a);
        uint16_t old = a;
        a = static_cast<uint16_t>(old + 1u);
        q.member(&kstruct::b) += old;
    }
}
