/*
 * ram.c - the same small program as ram.ino, in C with the typed pointers
 * of core/vm_ptr.h. Every call returns VM_OK or a negative vm_err, so the
 * C version checks each step where the C++ one records errors in its Pool.
 * Desktop: it prints what the pool holds afterwards and exits non-zero if
 * anything differs from what the program wrote.
 */
#include <stdio.h>

#include "vm.h"
#include "vm_ram_pool.h"
#include "vm_ptr.h"

struct my_struct { int x, y; };

/* One pointer type per element type: mixing them is a compile error. */
VM_PTR_DECLARE(char_vptr, char);
VM_PTR_DECLARE(my_struct_vptr, struct my_struct);

/* A 16 KiB pool in a RAM array (the vm_ram backend), four 64-byte pages. */
VM_RAM_POOL(vpool, 16384u, 64, 4);
static struct vm *const vm = &vpool.pool.vm;

static char_vptr str;
static my_struct_vptr ms;

/* The sketch's setup(). Returns VM_OK or the first error. */
static int setup(void)
{
    int e;

    if ((e = vm_ram_pool_start(&vpool)) != VM_OK) /* valloc.start() */
        return e;

    /* Allocate a char buffer of 10000 bytes in virtual memory */
    str = char_vptr_alloc(vm, 10000);
    if (char_vptr_is_null(str))
        return VM_ERR_NOMEM;

    /* Set the first 1000 bytes to 'A' */
    if ((e = char_vptr_fill(vm, str, 'A', 1000)) != VM_OK)
        return e;

    /* array access: str[1] = 'B' */
    if ((e = char_vptr_set(vm, str, 1, 'B')) != VM_OK)
        return e;

    /* Own types (structs) also work: one member at a time, no whole copy. */
    ms = my_struct_vptr_alloc(vm, 1);
    if (my_struct_vptr_is_null(ms))
        return VM_ERR_NOMEM;
    if ((e = VM_PTR_SET_MEMBER(vm, my_struct_vptr, ms, x, 5)) != VM_OK)
        return e;
    return VM_PTR_SET_MEMBER(vm, my_struct_vptr, ms, y, 15);
}

int main(void)
{
    char c0 = 0, c1 = 0, c999 = 0, c1000 = 0;
    int x = 0, y = 0, e, bad;

    e = setup();
    if (e == VM_OK)
        e = char_vptr_get(vm, str, 0, &c0);
    if (e == VM_OK)
        e = char_vptr_get(vm, str, 1, &c1);
    if (e == VM_OK)
        e = char_vptr_get(vm, str, 999, &c999);
    if (e == VM_OK)
        e = char_vptr_get(vm, str, 1000, &c1000);
    if (e == VM_OK)
        e = VM_PTR_GET_MEMBER(vm, my_struct_vptr, ms, x, &x);
    if (e == VM_OK)
        e = VM_PTR_GET_MEMBER(vm, my_struct_vptr, ms, y, &y);
    if (e == VM_OK)
        e = vm_flush(vm);
    if (e != VM_OK) {
#if VM_CONFIG_STRERROR
        printf("demo: error %d (%s)\n", e, vm_strerror(e));
#else
        printf("demo: error %d\n", e);
#endif
        return 1;
    }
    printf("str at %lu: str[0]='%c' str[1]='%c' str[999]='%c'\n",
           (unsigned long)str.addr, c0, c1, c999);
    printf("ms at %lu: ms->x=%d ms->y=%d\n", (unsigned long)ms.addr, x, y);
    bad = c0 != 'A' || c1 != 'B' || c999 != 'A' || c1000 == 'A' || x != 5 || y != 15 ||
          vpool_mem[str.addr + 1] != 'B';
    if (bad)
        printf("demo: unexpected contents\n");
    return bad;
}
