/*
 * vm_wrap.c - the counting and fault-injecting backend layer (see vm_wrap.h).
 */
#include "vm_wrap.h"

#include <string.h>

#include "vm_rng.h"

/* 1 when this call is to fail: a draw below the chance (top 16 bits). */
static int fault(struct vm_wrap *w, uint16_t chance)
{
    if (!w->rng || !chance) return 0;
    return (uint16_t)(vm_rng_xorshift32(&w->rng) >> 16) < chance;
}

/* One read or write: the hook, the count, the range check, a seeded fault
 * (a read returns garbage the pager must never use, a write is torn: its
 * first half lands) or the inner call. Inlined with call a constant, so
 * each direction keeps the code of its own function. */
VM_INLINE int wrap_call(struct vm_wrap *w, int call, vm_addr_t addr, void *rbuf, const void *wbuf,
                        size_t len)
{
    int write = call == VM_WRAP_WRITE;
    int rc;
    if (w->before) w->before(w->before_ctx, call);
    vm_wrap_count_start(&w->n, write, len);
    if (addr > w->backend.size || len > w->backend.size - addr) {
        rc = VM_ERR_RANGE;
    } else if (fault(w, write ? w->write_fail : w->read_fail)) {
        w->n.faults++;
        if (!write)
            memset(rbuf, 0xA5, len);
        else if (len / 2u)
            (void)w->inner->write(w->inner->ctx, addr, wbuf, len / 2u);
        rc = VM_ERR_IO;
    } else {
        rc = write ? w->inner->write(w->inner->ctx, addr, wbuf, len)
                   : w->inner->read(w->inner->ctx, addr, rbuf, len);
    }
    return vm_wrap_count_end(&w->n, write, rc, len);
}

static int wrap_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    return wrap_call((struct vm_wrap *)ctx, VM_WRAP_READ, addr, buf, NULL, len);
}

static int wrap_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    return wrap_call((struct vm_wrap *)ctx, VM_WRAP_WRITE, addr, NULL, buf, len);
}

static int wrap_sync(void *ctx)
{
    struct vm_wrap *w = (struct vm_wrap *)ctx;
    int rc;
    if (w->before) w->before(w->before_ctx, VM_WRAP_SYNC);
    w->n.syncs++;
    rc = w->inner->sync ? w->inner->sync(w->inner->ctx) : VM_OK;
    if (rc != VM_OK) w->n.errors++;
    return rc;
}

void vm_wrap_init(struct vm_wrap *w, const struct vm_backend *inner)
{
    *w = (struct vm_wrap){
        .backend = {.read = wrap_read, .write = wrap_write, .sync = wrap_sync, .ctx = w, .size = inner->size},
        .inner = inner,
    };
}

void vm_wrap_faults(struct vm_wrap *w, uint32_t seed, uint16_t read_fail, uint16_t write_fail)
{
    w->rng = seed;
    w->read_fail = read_fail;
    w->write_fail = write_fail;
}

uint16_t vm_wrap_chance(double p)
{
    if (p <= 0) return 0;
    if (p >= 1) return 65535;
    return (uint16_t)(p * 65536.0);
}
