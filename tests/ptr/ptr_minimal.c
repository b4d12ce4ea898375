/*
 * ptr_minimal.c - compile check: vm_ptr.h with the optional core features
 * removed (VM_CONFIG_WRAP=0, VM_CONFIG_ALLOC=0, VM_CONFIG_BOUNCE=0). Built as
 * a library, never run: the name_wrap/name_alloc functions must vanish and
 * everything else must still compile without a warning.
 */
#include "vm_ptr.h"

#if VM_CONFIG_WRAP || VM_CONFIG_ALLOC
#error "ptr_minimal.c must be built with VM_CONFIG_WRAP=0 and VM_CONFIG_ALLOC=0"
#endif

struct pair {
    int16_t a;
    int16_t b;
};
VM_PTR_DECLARE(pair_ptr, struct pair);
VM_PTR_DECLARE(byte_ptr, uint8_t);

int ptr_minimal_use(struct vm *vm);
int ptr_minimal_use(struct vm *vm)
{
    pair_ptr p = pair_ptr_add(pair_ptr_at(16), 3);
    byte_ptr b = VM_PTR_CAST(byte_ptr, p);
    int16_t a = 0;
    uint8_t v = 0;
    int e = VM_PTR_SET_MEMBER(vm, pair_ptr, p, b, 7);
    if (e == VM_OK)
        e = VM_PTR_GET_MEMBER(vm, pair_ptr, p, a, &a);
    if (e == VM_OK)
        e = byte_ptr_get(vm, b, 1, &v);
    return e == VM_OK ? a + v + (int)pair_ptr_diff(p, pair_ptr_null()) : e;
}
