/*
 * vmrec.c - the recorder: turns successful core calls into trace ops and
 * writes them with a vmt_writer. It keeps the live allocations made while
 * recording (sorted by address) to write addresses relative to them, and
 * the live lock handles to give each lock an id.
 */
#include <stdlib.h>
#include <string.h>

#include "vmrec.h"
#include "vmt_internal.h"

int vmrec__depth;
struct vmrec *vmrec__attached;
struct vm *vmrec__attached_vm;

struct rec_alloc {
    vm_addr_t addr, size;
    uint16_t id;
};
struct rec_lock {
    const struct vm_lock *lk;
    uint32_t id;
};

struct vmrec {
    struct vmt_writer *w;
    unsigned flags;
    uint64_t count, unrecorded;
    struct rec_alloc *allocs; /* sorted by address */
    size_t nallocs, cap_allocs;
    uint8_t id_used[65536];
    uint32_t next_id;
    struct rec_lock *locks;
    size_t nlocks, cap_locks;
    uint32_t next_lock;
    char **phases;
    size_t nphases;
    uint32_t lock_work; /* vmrec_lock_work: cycles per byte noted on each lock */
    int failed;
};

struct vmrec *vmrec_open(const char *path, const char *format, const struct vm *vm, unsigned flags,
                         char *err, size_t errlen)
{
    struct vmrec *r = calloc(1, sizeof *r);
    struct vmt_open_opts o;
    if (!r) {
        vmt_errf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    memset(&o, 0, sizeof o);
    o.drop_data = (flags & VMREC_DATA) ? 0 : 1;
    r->flags = flags;
    r->next_id = 1;
    r->w = vmt_writer_open(path, format, vm_pool_size(vm), &o, err, errlen);
    if (!r->w) {
        free(r);
        return NULL;
    }
    return r;
}

int vmrec_close(struct vmrec *r, char *err, size_t errlen)
{
    int rc;
    size_t i;
    if (!r) return 0;
    if (vmrec__attached == r) vmrec_attach(NULL, NULL);
    rc = vmt_writer_close(r->w, err, errlen);
    for (i = 0; i < r->nphases; i++) free(r->phases[i]);
    free(r->phases);
    free(r->allocs);
    free(r->locks);
    free(r);
    return rc;
}

uint64_t vmrec_count(const struct vmrec *r) { return r->count; }
uint64_t vmrec_unrecorded(const struct vmrec *r) { return r->unrecorded; }
void vmrec__unrecorded(struct vmrec *r) { r->unrecorded++; }

static void put(struct vmrec *r, const struct vmt_op *op)
{
    if (vmt_writer_put(r->w, op) == 0) r->count++;
}

void vmrec_phase(struct vmrec *r, const char *name)
{
    struct vmt_op op;
    size_t i;
    for (i = 0; i < r->nphases && strcmp(r->phases[i], name); i++) {}
    if (i == r->nphases) {
        char **np = realloc(r->phases, (r->nphases + 1) * sizeof *np);
        if (!np) return;
        r->phases = np;
        if (!(np[i] = vmt_strdup(name))) return;
        r->nphases++;
    }
    memset(&op, 0, sizeof op);
    op.kind = VMT_PHASE;
    op.id = (uint32_t)i;
    op.name = r->phases[i];
    put(r, &op);
}

void vmrec_compute(struct vmrec *r, unsigned unit, uint32_t amount)
{
    struct vmt_op op;
    if (!amount) return;
    if (unit > VMT_COMPUTE_NS) {
        r->unrecorded++;
        return;
    }
    memset(&op, 0, sizeof op);
    op.kind = VMT_COMPUTE;
    op.mode = (uint8_t)unit;
    op.len = amount;
    put(r, &op);
}

void vmrec_lock_work(struct vmrec *r, uint32_t cycles_per_byte) { r->lock_work = cycles_per_byte; }

/* The live allocation holding [a, a+len), or NULL. */
static const struct rec_alloc *holder(const struct vmrec *r, vm_addr_t a, uint64_t len)
{
    size_t lo = 0, hi = r->nallocs;
    while (lo < hi) { /* last block with addr <= a */
        size_t mid = lo + (hi - lo) / 2;
        if (r->allocs[mid].addr <= a) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return NULL;
    {
        const struct rec_alloc *b = &r->allocs[lo - 1];
        if ((uint64_t)a + len <= (uint64_t)b->addr + b->size && (a < b->addr + b->size || len == 0)) return b;
    }
    return NULL;
}

void vmrec__note(struct vmrec *r, const struct vmt_op *op0, vm_addr_t dst_abs, vm_addr_t src_abs)
{
    struct vmt_op op = *op0;
    const struct rec_alloc *b = holder(r, dst_abs, op.len);
    op.region = 0;
    op.addr = dst_abs;
    if (b) {
        op.region = b->id;
        op.addr = dst_abs - b->addr;
    }
    if (op.kind == VMT_MEMCPY) {
        b = holder(r, src_abs, op.len);
        op.src_region = 0;
        op.src = src_abs;
        if (b) {
            op.src_region = b->id;
            op.src = src_abs - b->addr;
        }
    }
    if (!(r->flags & VMREC_DATA)) op.data = NULL;
    put(r, &op);
}

void vmrec__note_range(struct vmrec *r, uint8_t kind, vm_addr_t dst_abs, size_t n, const void *data,
                       uint8_t value, vm_addr_t src_abs)
{
    struct vmt_op op;
    memset(&op, 0, sizeof op);
    op.kind = kind;
    op.len = (uint32_t)n;
    op.data = data;
    op.value = value;
    vmrec__note(r, &op, dst_abs, src_abs);
}

vm_addr_t vmrec__size_of(const struct vmrec *r, vm_addr_t p)
{
    size_t i;
    for (i = 0; i < r->nallocs; i++)
        if (r->allocs[i].addr == p) return r->allocs[i].size;
    return 0;
}

/* vmt_grow, but an array that cannot grow leaves the op unrecorded. */
static void *room(struct vmrec *r, void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
    void *na = vmt_grow(arr, n, cap, size, first);
    if (!na) r->unrecorded++;
    return na;
}

void vmrec__note_alloc(struct vmrec *r, vm_addr_t p, vm_addr_t size)
{
    struct rec_alloc *na;
    struct vmt_op op;
    size_t i;
    uint32_t id = r->next_id, tries;
    for (tries = 0; tries < 65535 && r->id_used[id]; tries++) id = id % 65535 + 1;
    if (r->id_used[id] || p == VM_NULL) {
        r->unrecorded++;
        return;
    }
    na = room(r, r->allocs, r->nallocs, &r->cap_allocs, sizeof *na, 16);
    if (!na) return;
    r->allocs = na;
    for (i = 0; i < r->nallocs && r->allocs[i].addr < p; i++) {}
    memmove(r->allocs + i + 1, r->allocs + i, (r->nallocs - i) * sizeof *r->allocs);
    r->allocs[i].addr = p;
    r->allocs[i].size = size;
    r->allocs[i].id = (uint16_t)id;
    r->nallocs++;
    r->id_used[id] = 1;
    r->next_id = id % 65535 + 1;
    memset(&op, 0, sizeof op);
    op.kind = VMT_ALLOC;
    op.id = id;
    op.len = size;
    put(r, &op);
}

void vmrec__note_free(struct vmrec *r, vm_addr_t p)
{
    struct vmt_op op;
    size_t i;
    for (i = 0; i < r->nallocs && r->allocs[i].addr != p; i++) {}
    if (i == r->nallocs) {
        r->unrecorded++; /* allocated before recording started */
        return;
    }
    memset(&op, 0, sizeof op);
    op.kind = VMT_FREE;
    op.id = r->allocs[i].id;
    r->id_used[op.id] = 0;
    memmove(r->allocs + i, r->allocs + i + 1, (r->nallocs - i - 1) * sizeof *r->allocs);
    r->nallocs--;
    put(r, &op);
}

void vmrec__note_realloc(struct vmrec *r, vm_addr_t old, vm_addr_t p, vm_addr_t old_size, vm_addr_t size)
{
    /* As alloc + copy + free, so a replay gets a fresh block wherever its heap puts it. */
    struct vmt_op op;
    uint16_t old_id = 0, new_id;
    size_t i;
    if (old == VM_NULL) {
        vmrec__note_alloc(r, p, size);
        return;
    }
    for (i = 0; i < r->nallocs && r->allocs[i].addr != old; i++) {}
    if (i == r->nallocs) {
        r->unrecorded++;
        return;
    }
    old_id = r->allocs[i].id;
    /* Take the old block out of the address table first (the new one may overlap it). */
    memmove(r->allocs + i, r->allocs + i + 1, (r->nallocs - i - 1) * sizeof *r->allocs);
    r->nallocs--;
    vmrec__note_alloc(r, p, size);
    for (i = 0; i < r->nallocs && r->allocs[i].addr != p; i++) {}
    if (i == r->nallocs) return;
    new_id = r->allocs[i].id;
    memset(&op, 0, sizeof op);
    op.kind = VMT_MEMCPY;
    op.region = new_id;
    op.src_region = old_id;
    op.len = old_size < size ? old_size : size;
    if (op.len) put(r, &op);
    memset(&op, 0, sizeof op);
    op.kind = VMT_FREE;
    op.id = old_id;
    r->id_used[old_id] = 0;
    put(r, &op);
}

void vmrec__note_lock(struct vmrec *r, const struct vm_lock *lk)
{
    struct rec_lock *nl;
    struct vmt_op op;
    nl = room(r, r->locks, r->nlocks, &r->cap_locks, sizeof *nl, 8);
    if (!nl) return;
    r->locks = nl;
    r->locks[r->nlocks].lk = lk;
    r->locks[r->nlocks].id = ++r->next_lock;
    memset(&op, 0, sizeof op);
    op.kind = VMT_LOCK;
    op.mode = lk->mode;
    op.id = r->locks[r->nlocks].id;
    op.len = (uint32_t)lk->len;
    op.work = r->lock_work;
    r->nlocks++;
    vmrec__note(r, &op, lk->addr, 0);
}

void vmrec__note_unlock(struct vmrec *r, const struct vm_lock *lk)
{
    struct vmt_op op;
    size_t i;
    for (i = r->nlocks; i-- > 0;) {
        if (r->locks[i].lk == lk) {
            memset(&op, 0, sizeof op);
            op.kind = VMT_UNLOCK;
            op.id = r->locks[i].id;
            r->locks[i] = r->locks[--r->nlocks];
            put(r, &op);
            return;
        }
    }
    r->unrecorded++;
}

/* ---- explicit wrappers -------------------------------------------------- */

#define CALL(expr) (vmrec__depth++, rc = (expr), vmrec__depth--, rc)

int vmrec_read(struct vmrec *r, struct vm *vm, void *dst, vm_addr_t src, size_t n)
{
    int rc;
    if (CALL(vm_read(vm, dst, src, n)) == VM_OK && n) vmrec__note_range(r, VMT_READ, src, n, dst, 0, 0);
    return rc;
}

int vmrec_write(struct vmrec *r, struct vm *vm, vm_addr_t dst, const void *src, size_t n)
{
    int rc;
    if (CALL(vm_write(vm, dst, src, n)) == VM_OK && n) vmrec__note_range(r, VMT_WRITE, dst, n, src, 0, 0);
    return rc;
}

int vmrec_get8(struct vmrec *r, struct vm *vm, vm_addr_t a, uint8_t *v) { return vmrec_read(r, vm, v, a, 1); }
int vmrec_set8(struct vmrec *r, struct vm *vm, vm_addr_t a, uint8_t v) { return vmrec_write(r, vm, a, &v, 1); }
int vmrec_get32(struct vmrec *r, struct vm *vm, vm_addr_t a, uint32_t *v) { return vmrec_read(r, vm, v, a, 4); }
int vmrec_set32(struct vmrec *r, struct vm *vm, vm_addr_t a, uint32_t v) { return vmrec_write(r, vm, a, &v, 4); }

int vmrec_lock(struct vmrec *r, struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk)
{
    int rc;
    if (CALL(vm_lock(vm, addr, len, mode, lk)) == VM_OK) vmrec__note_lock(r, lk);
    return rc;
}

int vmrec_unlock(struct vmrec *r, struct vm *vm, struct vm_lock *lk)
{
    int rc;
    if (CALL(vm_unlock(vm, lk)) == VM_OK) vmrec__note_unlock(r, lk);
    return rc;
}

int vmrec_memset(struct vmrec *r, struct vm *vm, vm_addr_t dst, int c, vm_addr_t n)
{
    int rc;
    if (CALL(vm_memset(vm, dst, c, n)) == VM_OK) vmrec__note_range(r, VMT_MEMSET, dst, n, NULL, (uint8_t)c, 0);
    return rc;
}

int vmrec_memmove(struct vmrec *r, struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n)
{
    int rc;
    if (CALL(vm_memmove(vm, dst, src, n)) == VM_OK) vmrec__note_range(r, VMT_MEMCPY, dst, n, NULL, 0, src);
    return rc;
}

int vmrec_flush(struct vmrec *r, struct vm *vm)
{
    int rc;
    if (CALL(vm_flush(vm)) == VM_OK) vmrec__note_range(r, VMT_FLUSH, 0, 0, NULL, 0, 0);
    return rc;
}

int vmrec_invalidate(struct vmrec *r, struct vm *vm)
{
    int rc;
    if (CALL(vm_invalidate(vm)) == VM_OK) vmrec__note_range(r, VMT_INVALIDATE, 0, 0, NULL, 0, 0);
    return rc;
}

vm_addr_t vmrec_alloc(struct vmrec *r, struct vm *vm, vm_addr_t size)
{
    vm_addr_t p;
    vmrec__depth++;
    p = vm_alloc(vm, size);
    vmrec__depth--;
    if (p != VM_NULL) vmrec__note_alloc(r, p, size);
    return p;
}

int vmrec_free(struct vmrec *r, struct vm *vm, vm_addr_t p)
{
    int rc;
    if (CALL(vm_free(vm, p)) == VM_OK && p != VM_NULL) vmrec__note_free(r, p);
    return rc;
}

void vmrec_attach(struct vmrec *r, struct vm *vm)
{
    vmrec__attached = r;
    vmrec__attached_vm = vm;
    if (vm) vm__cool(vm); /* the inline accessors now always call */
}
