/*
 * vm_ptr.h - typed virtual pointers for C: "a pointer to T in the pool".
 *
 * Header-only, portable C99 (no malloc, no stdio, no float, no VLAs; int may
 * be 16 bits). It adds no state and no functions to the core: everything is
 * a static inline wrapper over vm.h.
 *
 *   VM_PTR_DECLARE(cptr, char);            // once per element type
 *   VM_PTR_DECLARE(pt_ptr, struct point);
 *
 * makes a one-field struct type per T (cptr, pt_ptr: { vm_addr_t addr; }),
 * so passing a pt_ptr where a cptr is expected is a compile error, and a set
 * of functions prefixed with the type's name:
 *
 *   name_at(a) name_null() name_is_null(p)      make / test pointers
 *   name_add(p, n) name_diff(a, b)               arithmetic, in elements
 *   name_eq(a, b) name_cmp(a, b)                 comparison (by address)
 *   name_get(vm, p, i, &v) name_set(vm, p, i, v) element p[i]
 *   name_read / name_write(vm, p, i, buf, n)     n elements from/to RAM
 *   name_fill(vm, p, byte, n) name_move(vm, dst, src, n)   bulk, by element
 *   name_lock(vm, p, n, mode, &lk)               vm_lock of n elements
 *   name_alloc(vm, n) name_free(vm, p)           (VM_CONFIG_ALLOC)
 *   name_wrap(vm, ram) name_unwrap(vm, p)        (VM_CONFIG_WRAP)
 *
 * and member access without copying the whole struct:
 *
 *   VM_PTR_GET_MEMBER(vm, pt_ptr, p, x, &x)   read p->x into x
 *   VM_PTR_SET_MEMBER(vm, pt_ptr, p, x, 5)    p->x = 5
 *
 * Cost. Element and member access of 1, 2 or 4 bytes go through the core's
 * inline fast path (vm_get8/16/32, vm_set8/16/32): on the hot page they are
 * the untyped accessor plus an index multiply, with no call. Other sizes go
 * through vm_read/vm_write. The pointer is a 4-byte struct passed by value.
 *
 * Errors. As everywhere in the core, every function that touches the pool
 * returns int: VM_OK (0) or a negative enum vm_err (VM_ERR_RANGE outside the
 * pool, VM_ERR_BUSY when every slot is locked, a backend error, ...). A
 * value read into *out is written only on success for 1/2/4-byte elements;
 * for larger ones a failed read may leave a prefix written. Arithmetic and
 * comparison never fail and check nothing, like C pointers: a pointer moved
 * outside the pool fails at its first access with VM_ERR_RANGE. With
 * VM_CONFIG_WRAP, moving a virtual pointer below 0 (or past 2 GiB) gives an
 * address with bit 31 set, which the core takes for a wrapped RAM pointer:
 * that is a programmer error, as it is for C pointers.
 */
#ifndef VM_PTR_H
#define VM_PTR_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The functions a declaration makes: unused ones draw no warning. */
#if defined(__GNUC__)
#define VM_PTR_FN static inline __attribute__((unused))
#define VM_PTR_INLINE static inline __attribute__((always_inline, unused))
#else
#define VM_PTR_FN static inline
#define VM_PTR_INLINE static inline
#endif

/* vm_getN into a local, copied to v (any alignment) only on success. */
#define VM_PTR__GET(bits)                                                      \
    do {                                                                       \
        uint##bits##_t x;                                                      \
        int e = vm_get##bits(vm, a, &x);                                       \
        if (e == VM_OK)                                                        \
            memcpy(v, &x, sizeof x);                                           \
        return e;                                                              \
    } while (0)

/* Read n bytes at a into v: the inline fast path for n = 1, 2, 4 (n is a
 * constant at every call site, so only one branch survives). */
VM_PTR_INLINE int vm_ptr_load(struct vm *vm, vm_addr_t a, void *v, size_t n)
{
    if (n == 1)
        return vm_get8(vm, a, (uint8_t *)v);
    if (n == 2)
        VM_PTR__GET(16);
    if (n == 4)
        VM_PTR__GET(32);
    return vm_read(vm, v, a, n);
}

/* Write n bytes from v at a, the same way. */
VM_PTR_INLINE int vm_ptr_store(struct vm *vm, vm_addr_t a, const void *v, size_t n)
{
    if (n == 1)
        return vm_set8(vm, a, *(const uint8_t *)v);
    if (n == 2) {
        uint16_t x;
        memcpy(&x, v, 2);
        return vm_set16(vm, a, x);
    }
    if (n == 4) {
        uint32_t x;
        memcpy(&x, v, 4);
        return vm_set32(vm, a, x);
    }
    return vm_write(vm, a, v, n);
}

/* Address of element i of size `size` from a, modulo 2^32 like the core. */
#define VM_PTR__INDEX(a, i, size) ((vm_addr_t)((a) + (vm_addr_t)(i) * (vm_addr_t)(size)))

#if VM_CONFIG_ALLOC
#define VM_PTR__DECLARE_ALLOC(name, T)                                         \
    /* n elements, uninitialised; name_null() when no block fits or n * size \
     * overflows the address space. */                                        \
    VM_PTR_FN name name##_alloc(struct vm *vm, vm_addr_t n)                \
    {                                                                          \
        name p;                                                                \
        p.addr = VM_NULL;                                                      \
        if (n <= (vm_addr_t)0xFFFFFFFFu / (vm_addr_t)sizeof(T))               \
            p.addr = vm_alloc(vm, n * (vm_addr_t)sizeof(T));                   \
        return p;                                                              \
    }                                                                          \
    VM_PTR_FN int name##_free(struct vm *vm, name p) { return vm_free(vm, p.addr); }
#else
#define VM_PTR__DECLARE_ALLOC(name, T)
#endif

#if VM_CONFIG_WRAP
#define VM_PTR__DECLARE_WRAP(name, T)                                          \
    /* A pointer to RAM that every access function serves directly; null      \
     * when ram is NULL or outside the wrappable region (vm_wrap). */         \
    VM_PTR_FN name name##_wrap(const struct vm *vm, const T *ram)          \
    {                                                                          \
        name p;                                                                \
        p.addr = vm_wrap(vm, ram);                                             \
        return p;                                                              \
    }                                                                          \
    VM_PTR_FN T *name##_unwrap(const struct vm *vm, name p)                \
    {                                                                          \
        return (T *)vm_unwrap(vm, p.addr);                                     \
    }                                                                          \
    VM_PTR_FN int name##_is_wrapped(name p) { return vm_is_wrapped(p.addr); }
#else
#define VM_PTR__DECLARE_WRAP(name, T)
#endif

/* Declare the pointer type `name` for elements of type T, and its functions.
 * Use it once per T at file scope (a header is fine: all is static inline). */
#define VM_PTR_DECLARE(name, T)                                                \
    typedef T name##_elem;                                                     \
    typedef struct name {                                                      \
        vm_addr_t addr; /* virtual address of element 0 */                     \
    } name;                                                                    \
    VM_PTR_FN name name##_at(vm_addr_t a)                                  \
    {                                                                          \
        name p;                                                                \
        p.addr = a;                                                            \
        return p;                                                              \
    }                                                                          \
    VM_PTR_FN name name##_null(void) { return name##_at(VM_NULL); }        \
    VM_PTR_FN int name##_is_null(name p) { return p.addr == VM_NULL; }     \
    VM_PTR_FN name name##_add(name p, int32_t n)                           \
    {                                                                          \
        p.addr = VM_PTR__INDEX(p.addr, n, sizeof(T));                          \
        return p;                                                              \
    }                                                                          \
    /* a - b in elements (both in one object, as for C pointers). */           \
    VM_PTR_FN int32_t name##_diff(name a, name b)                          \
    {                                                                          \
        return (int32_t)(a.addr - b.addr) / (int32_t)sizeof(T);                \
    }                                                                          \
    VM_PTR_FN int name##_eq(name a, name b) { return a.addr == b.addr; }   \
    /* -1, 0 or 1 as a is below, at or above b. */                             \
    VM_PTR_FN int name##_cmp(name a, name b)                               \
    {                                                                          \
        return a.addr < b.addr ? -1 : a.addr > b.addr;                         \
    }                                                                          \
    /* *out = p[i]. */                                                         \
    VM_PTR_INLINE int name##_get(struct vm *vm, name p, vm_addr_t i, T *out)   \
    {                                                                          \
        return vm_ptr_load(vm, VM_PTR__INDEX(p.addr, i, sizeof(T)), out, sizeof(T)); \
    }                                                                          \
    /* p[i] = v. */                                                            \
    VM_PTR_INLINE int name##_set(struct vm *vm, name p, vm_addr_t i, T v)      \
    {                                                                          \
        return vm_ptr_store(vm, VM_PTR__INDEX(p.addr, i, sizeof(T)), &v, sizeof(T)); \
    }                                                                          \
    /* n elements p[i..i+n) into dst / from src (page by page). */             \
    VM_PTR_FN int name##_read(struct vm *vm, name p, vm_addr_t i, T *dst, size_t n) \
    {                                                                          \
        return vm_read(vm, dst, VM_PTR__INDEX(p.addr, i, sizeof(T)), n * sizeof(T)); \
    }                                                                          \
    VM_PTR_FN int name##_write(struct vm *vm, name p, vm_addr_t i, const T *src, size_t n) \
    {                                                                          \
        return vm_write(vm, VM_PTR__INDEX(p.addr, i, sizeof(T)), src, n * sizeof(T)); \
    }                                                                          \
    /* Every byte of n elements set to c (vm_memset). */                       \
    VM_PTR_FN int name##_fill(struct vm *vm, name p, int c, vm_addr_t n)   \
    {                                                                          \
        return vm_memset(vm, p.addr, c, n * (vm_addr_t)sizeof(T));             \
    }                                                                          \
    /* n elements from src to dst; overlap allowed (vm_memmove). */            \
    VM_PTR_FN int name##_move(struct vm *vm, name dst, name src, vm_addr_t n) \
    {                                                                          \
        return vm_memmove(vm, dst.addr, src.addr, n * (vm_addr_t)sizeof(T));   \
    }                                                                          \
    /* vm_lock of n elements; the data is (T *)lk->ptr, lk->len bytes. */      \
    VM_PTR_FN int name##_lock(struct vm *vm, name p, size_t n, unsigned mode, \
                                  struct vm_lock *lk)                          \
    {                                                                          \
        return vm_lock(vm, p.addr, n * sizeof(T), mode, lk);                   \
    }                                                                          \
    VM_PTR__DECLARE_ALLOC(name, T)                                             \
    VM_PTR__DECLARE_WRAP(name, T)                                              \
    typedef int name##_declared_ /* swallows the caller's semicolon */

/* The raw address of a typed pointer, and the same address as another type. */
#define VM_PTR_ADDR(p) ((p).addr)
#define VM_PTR_CAST(name, p) name##_at((p).addr)

/* Virtual address of p->member (member may be a designator: a.b, arr[2]). */
#define VM_PTR_MEMBER_ADDR(name, p, member)                                    \
    ((vm_addr_t)((p).addr + (vm_addr_t)offsetof(name##_elem, member)))

#define VM_PTR__MEMBER_SIZE(name, member) sizeof(((name##_elem *)0)->member)

/* *out = p->member, reading only the member's bytes. out must point to the
 * member's type: another pointer type draws a compiler diagnostic. */
#define VM_PTR_GET_MEMBER(vm, name, p, member, out)                            \
    ((void)sizeof((out) == &((name##_elem *)0)->member),                       \
     vm_ptr_load((vm), VM_PTR_MEMBER_ADDR(name, p, member), (out),             \
                 VM_PTR__MEMBER_SIZE(name, member)))

/* p->member = value, writing only the member's bytes. value converts to the
 * member's type as in an assignment (a C99 compound literal holds it, so
 * this macro is C only; C++ has VPtr<T>::member in vm.hpp). */
#define VM_PTR_SET_MEMBER(vm, name, p, member, value)                          \
    vm_ptr_store((vm), VM_PTR_MEMBER_ADDR(name, p, member),                    \
                 &((name##_elem){.member = (value)}).member,                   \
                 VM_PTR__MEMBER_SIZE(name, member))

#ifdef __cplusplus
}
#endif

#endif /* VM_PTR_H */
