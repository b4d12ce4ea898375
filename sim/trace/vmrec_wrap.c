/*
 * vmrec_wrap.c - the transparent recording layer: __wrap_vm_* for the
 * linker's --wrap (see vmrec.h). Each wrapper calls the real function and,
 * when a recorder is attached, this instance is the one watched and the
 * call is not one the core makes internally, records it and clears the hot
 * page so that the inline accessors reach the wrappers too.
 */
#include "vmrec.h"

/* The wrapped functions: return type, name, parameters. Each has its real
 * function (__real_NAME, the linker's) and its wrapper (__wrap_NAME, below);
 * vmrec_wrap_funcs in meson.build names the same functions for --wrap. */
#define VMREC_WRAPPED(X) \
    X(int, vm_read, (struct vm *vm, void *dst, vm_addr_t src, size_t n)) \
    X(int, vm__get_slow, (struct vm *vm, vm_addr_t a, void *v, uint8_t n)) \
    X(int, vm__set_slow, (struct vm *vm, vm_addr_t a, const void *v, uint8_t n)) \
    X(int, vm_write, (struct vm *vm, vm_addr_t dst, const void *src, size_t n)) \
    X(int, vm__lock, (struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk)) \
    X(int, vm__unlock, (struct vm *vm, struct vm_lock *lk)) \
    X(int, vm_memset, (struct vm *vm, vm_addr_t dst, int c, vm_addr_t n)) \
    X(int, vm_memmove, (struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)) \
    X(int, vm_memcmp, (struct vm *vm, vm_addr_t a, vm_addr_t b, vm_addr_t n, int *cmp)) \
    X(int, vm_memcmp_ram, (struct vm *vm, vm_addr_t a, const void *b, size_t n, int *cmp)) \
    X(int, vm_strlen, (struct vm *vm, vm_addr_t s, vm_addr_t *len)) \
    X(int, vm_strncpy, (struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)) \
    X(int, vm_strcmp, (struct vm *vm, vm_addr_t a, vm_addr_t b, int *cmp)) \
    X(int, vm_flush, (struct vm *vm)) \
    X(int, vm_invalidate, (struct vm *vm)) \
    X(vm_addr_t, vm_alloc, (struct vm *vm, vm_addr_t size)) \
    X(int, vm_free, (struct vm *vm, vm_addr_t p)) \
    X(vm_addr_t, vm_realloc, (struct vm *vm, vm_addr_t p, vm_addr_t size))

#define VMREC_DECLARE(ret, name, args) ret __real_##name args; ret __wrap_##name args;
VMREC_WRAPPED(VMREC_DECLARE)

/* Whether this call on vm is recorded (evaluated before the call). */
static int watched(const struct vm *vm)
{
    return vmrec__attached && vmrec__depth == 0 && (!vmrec__attached_vm || vmrec__attached_vm == vm);
}

static void after(struct vm *vm) { vm__cool(vm); }

#define REAL(expr) (vmrec__depth++, rc = (expr), vmrec__depth--, rc)

static void note_range(struct vm *vm, uint8_t kind, vm_addr_t addr, size_t n, const void *data, uint8_t value,
                       vm_addr_t src)
{
    vmrec__note_range(vmrec__attached, kind, addr, n, data, value, src);
    after(vm);
}

int __wrap_vm_read(struct vm *vm, void *dst, vm_addr_t src, size_t n)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_read(vm, dst, src, n)) == VM_OK && w && n) note_range(vm, VMT_READ, src, n, dst, 0, 0);
    else if (w) after(vm);
    return rc;
}

/* The typed accessors (vm_get8 ... vm_set32) call these when the value is
 * not in the hot page; with the hot page cleared, that is every call. */
int __wrap_vm__get_slow(struct vm *vm, vm_addr_t a, void *v, uint8_t n)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm__get_slow(vm, a, v, n)) == VM_OK && w && n) note_range(vm, VMT_READ, a, n, v, 0, 0);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm__set_slow(struct vm *vm, vm_addr_t a, const void *v, uint8_t n)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm__set_slow(vm, a, v, n)) == VM_OK && w && n) note_range(vm, VMT_WRITE, a, n, v, 0, 0);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm_write(struct vm *vm, vm_addr_t dst, const void *src, size_t n)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_write(vm, dst, src, n)) == VM_OK && w && n) note_range(vm, VMT_WRITE, dst, n, src, 0, 0);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm__lock(struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm__lock(vm, addr, len, mode, lk)) == VM_OK && w) vmrec__note_lock(vmrec__attached, lk);
    if (w) after(vm);
    return rc;
}

int __wrap_vm__unlock(struct vm *vm, struct vm_lock *lk)
{
    int w = watched(vm), rc;
    const struct vm_lock *handle = lk;
    if (REAL(__real_vm__unlock(vm, lk)) == VM_OK && w) vmrec__note_unlock(vmrec__attached, handle);
    if (w) after(vm);
    return rc;
}

int __wrap_vm_memset(struct vm *vm, vm_addr_t dst, int c, vm_addr_t n)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_memset(vm, dst, c, n)) == VM_OK && w) note_range(vm, VMT_MEMSET, dst, n, NULL, (uint8_t)c, 0);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm_memmove(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_memmove(vm, dst, src, n)) == VM_OK && w) note_range(vm, VMT_MEMCPY, dst, n, NULL, 0, src);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm_memcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, vm_addr_t n, int *cmp)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_memcmp(vm, a, b, n, cmp)) == VM_OK && w && n) {
        note_range(vm, VMT_READ, a, n, NULL, 0, 0);
        note_range(vm, VMT_READ, b, n, NULL, 0, 0);
    } else if (w) {
        after(vm);
    }
    return rc;
}

int __wrap_vm_memcmp_ram(struct vm *vm, vm_addr_t a, const void *b, size_t n, int *cmp)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_memcmp_ram(vm, a, b, n, cmp)) == VM_OK && w && n) note_range(vm, VMT_READ, a, n, NULL, 0, 0);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm_strlen(struct vm *vm, vm_addr_t s, vm_addr_t *len)
{
    int w = watched(vm), rc;
    (void)REAL(__real_vm_strlen(vm, s, len));
    if (w) vmrec__unrecorded(vmrec__attached), after(vm);
    return rc;
}

int __wrap_vm_strncpy(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    int w = watched(vm), rc;
    (void)REAL(__real_vm_strncpy(vm, dst, src, n));
    if (w) vmrec__unrecorded(vmrec__attached), after(vm);
    return rc;
}

int __wrap_vm_strcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, int *cmp)
{
    int w = watched(vm), rc;
    (void)REAL(__real_vm_strcmp(vm, a, b, cmp));
    if (w) vmrec__unrecorded(vmrec__attached), after(vm);
    return rc;
}

int __wrap_vm_flush(struct vm *vm)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_flush(vm)) == VM_OK && w) note_range(vm, VMT_FLUSH, 0, 0, NULL, 0, 0);
    else if (w) after(vm);
    return rc;
}

int __wrap_vm_invalidate(struct vm *vm)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_invalidate(vm)) == VM_OK && w) note_range(vm, VMT_INVALIDATE, 0, 0, NULL, 0, 0);
    else if (w) after(vm);
    return rc;
}

vm_addr_t __wrap_vm_alloc(struct vm *vm, vm_addr_t size)
{
    int w = watched(vm);
    vm_addr_t p;
    vmrec__depth++;
    p = __real_vm_alloc(vm, size);
    vmrec__depth--;
    if (w && p != VM_NULL) vmrec__note_alloc(vmrec__attached, p, size);
    return p;
}

int __wrap_vm_free(struct vm *vm, vm_addr_t p)
{
    int w = watched(vm), rc;
    if (REAL(__real_vm_free(vm, p)) == VM_OK && w && p != VM_NULL) vmrec__note_free(vmrec__attached, p);
    return rc;
}

vm_addr_t __wrap_vm_realloc(struct vm *vm, vm_addr_t p, vm_addr_t size)
{
    int w = watched(vm);
    vm_addr_t q, old_size = w ? vmrec__size_of(vmrec__attached, p) : 0;
    vmrec__depth++;
    q = __real_vm_realloc(vm, p, size);
    vmrec__depth--;
    if (w && q != VM_NULL) {
        vmrec__note_realloc(vmrec__attached, p, q, old_size, size);
        after(vm);
    }
    return q;
}
