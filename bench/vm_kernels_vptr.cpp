/*
 * vm_kernels_vptr.cpp - the loops of bench/vm_kernels.h through the C++
 * wrapper: vmem::VPtr<T> element proxies (p[i], p.member()), as a sketch
 * writes them. The kernel table, the geometry and the pager are
 * vm_kernels.h's; this file only holds the loops (interface:
 * vm_kernels_vptr.h); their counts are the C loops' constants
 * (vm_kernels_geometry.h). Built with -fno-exceptions -fno-rtti, as on a
 * board, by bench/kernels.sh (g++ -O2) and target/avr-kernels.sh (avr-g++
 * -Os), with the same configuration macros as the C kernels.
 *
 * Each loop runs in two bindings (core/vm.hpp, "Instances"):
 *   vptr8 ...           VPtr<T, Fast>, Fast = vmem::Fixed on the pager
 *                       vmk_vm: its fields at constant addresses, as the C
 *                       kernels reach them (the form to write for speed);
 *   vptr8-default ...   plain VPtr<T>: the default instance, whose pager is
 *                       bound at run time (vmem::pool().bind()) and reached
 *                       through the Pool's pointer on every access.
 * Both record errors in the default instance's Pool (vmk_vptr_error).
 */
#include "vm_kernels_vptr.h"

#include "vm.hpp"
#include "vm_kernels_geometry.h"

using vmem::VPtr;

typedef VMEM_FIXED(vmk_vm) Fast;
typedef vmem::Default Bound;

void vmk_vptr_bind(struct vm *vm) { vmem::pool().bind(vm); }

int vmk_vptr_error(void) { return vmem::pool().takeError(); }

/* vptr8, vptr32: fill then read back through p[i], as ptr8/ptr32 do with
 * the C typed pointers. */
template <class T, class B> static uint32_t fill_read(vm_addr_t base)
{
    VPtr<T, B> p = VPtr<T, B>::at(base);
    const int32_t n = NPTR / sizeof(T);
    uint32_t s = 0;
    for (int32_t i = 0; i < n; i++)
        p[i] = static_cast<T>(i);
    for (int32_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* vptr-copy8: copy8's loop, d[i] = s[i] (a read and a write per element). */
template <class B> static void copy8(vm_addr_t dst, vm_addr_t src)
{
    VPtr<uint8_t, B> d = VPtr<uint8_t, B>::at(dst), s = VPtr<uint8_t, B>::at(src);
    for (int32_t i = 0; i < static_cast<int32_t>(BUF / 2); i++)
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

template <class B> static void structs(vm_addr_t base)
{
    VPtr<kstruct, B> p = VPtr<kstruct, B>::at(base);
    for (unsigned k = 0; k < NSTRUCT; k++) {
        VPtr<kstruct, B> q = p + static_cast<int32_t>(k);
        vmem::Ref<uint16_t, B> a = q.member(&kstruct::a);
        uint16_t old = a;
        a = static_cast<uint16_t>(old + 1u);
        q.member(&kstruct::b) += old;
    }
}

uint32_t vmk_vptr8(vm_addr_t base) { return fill_read<uint8_t, Fast>(base); }
uint32_t vmk_vptr32(vm_addr_t base) { return fill_read<uint32_t, Fast>(base); }
void vmk_vptr_copy8(vm_addr_t dst, vm_addr_t src) { copy8<Fast>(dst, src); }
void vmk_vptr_struct(vm_addr_t base) { structs<Fast>(base); }

uint32_t vmk_vptr8_default(vm_addr_t base) { return fill_read<uint8_t, Bound>(base); }
uint32_t vmk_vptr32_default(vm_addr_t base) { return fill_read<uint32_t, Bound>(base); }
void vmk_vptr_copy8_default(vm_addr_t dst, vm_addr_t src) { copy8<Bound>(dst, src); }
void vmk_vptr_struct_default(vm_addr_t base) { structs<Bound>(base); }
