/*
 * vm_kernels_vptr.h - the kernels of bench/vm_kernels.h written through the
 * C++ wrapper (core/vm.hpp: vmem::VPtr<T>, p[i]), callable from C. Their
 * loops are in bench/vm_kernels_vptr.cpp; vm_kernels.h gives them its
 * geometry (addresses and counts) and puts them in its kernel table, so the
 * C and C++ rows run on the same pager. C++ cannot share vm_kernels.h's
 * static pager, hence this small interface.
 */
#ifndef VM_KERNELS_VPTR_H
#define VM_KERNELS_VPTR_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pager the VPtr kernels use (binds vmem::pool(), the default instance). */
void vmk_vptr_bind(struct vm *vm);
/* The first pager error since the last call (VM_OK if none), then cleared. */
int vmk_vptr_error(void);
/* p[i] = i for i < n, then the sum of p[i] for i < n; p = VPtr<uintN_t> at
 * base. Returns the sum. */
uint32_t vmk_vptr8(vm_addr_t base, uint32_t n);
uint32_t vmk_vptr32(vm_addr_t base, uint32_t n);
/* d[i] = s[i] for i < n, VPtr<uint8_t> d at dst and s at src. */
void vmk_vptr_copy8(vm_addr_t dst, vm_addr_t src, uint32_t n);
/* n 12-byte structs {u16 a; u16 pad; u32 b; u32 c} from base: a += 1 and
 * b += a (the old a) through p[k].member() proxies (4 accesses each). */
void vmk_vptr_struct(vm_addr_t base, unsigned n);

#ifdef __cplusplus
}
#endif

#endif /* VM_KERNELS_VPTR_H */
