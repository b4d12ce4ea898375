/*
 * vm_kernels_vptr.h - the kernels of bench/vm_kernels.h written through the
 * C++ wrapper (core/vm.hpp: vmem::VPtr<T>, p[i]), callable from C. Their
 * loops are in bench/vm_kernels_vptr.cpp; vm_kernels.h gives them its pager
 * and addresses and puts them in its kernel table, so the C and C++ rows run
 * on the same pager. Their counts are the C loops' constants
 * (vm_kernels_geometry.h).
 */
#ifndef VM_KERNELS_VPTR_H
#define VM_KERNELS_VPTR_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernels' pager (defined by vm_kernels.h): the vptr kernels bind
 * VPtr to it at its constant address (vmem::Fixed). */
extern struct vm vmk_vm;
/* Binds the default instance (vmem::pool()) to vm: the pager of the
 * -default kernels, which reach it through the Pool at run time. */
void vmk_vptr_bind(struct vm *vm);
/* The first pager error since the last call (VM_OK if none), then cleared. */
int vmk_vptr_error(void);
/* p[i] = i for i < n, then the sum of p[i] for i < n; p = VPtr<uintN_t> at
 * base, n = NPTR / (N / 8). Returns the sum. */
uint32_t vmk_vptr8(vm_addr_t base);
uint32_t vmk_vptr32(vm_addr_t base);
/* d[i] = s[i] for i < BUF / 2, VPtr<uint8_t> d at dst and s at src. */
void vmk_vptr_copy8(vm_addr_t dst, vm_addr_t src);
/* NSTRUCT 12-byte structs {u16 a; u16 pad; u32 b; u32 c} from base: a += 1
 * and b += a (the old a) through p[k].member() proxies (4 accesses each). */
void vmk_vptr_struct(vm_addr_t base);
/* The same four through plain VPtr<T>: the default instance. */
uint32_t vmk_vptr8_default(vm_addr_t base);
uint32_t vmk_vptr32_default(vm_addr_t base);
void vmk_vptr_copy8_default(vm_addr_t dst, vm_addr_t src);
void vmk_vptr_struct_default(vm_addr_t base);

#ifdef __cplusplus
}
#endif

#endif /* VM_KERNELS_VPTR_H */
