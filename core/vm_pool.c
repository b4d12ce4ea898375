/*
 * vm_pool.c - start a pool defined with the VM_*_POOL macros. See vm_pool.h.
 */
#include "vm_pool.h"

int vm_pool_start(struct vm_pool *p, const struct vm_backend *be, vm_addr_t pool_size)
{
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = be;
    cfg.pool_size = pool_size;
    cfg.page_size = p->page_size;
    cfg.page_count = p->page_count;
    cfg.pages = p->pages;
    cfg.pages_size = p->pages_size;
    cfg.slots = p->slots;
    cfg.slot_count = p->page_count;
#if VM_CONFIG_ALLOC
    cfg.heap = p->heap;
    cfg.heap_blocks = p->heap_blocks;
#endif
    return vm_init(&p->vm, &cfg);
}

static int failed_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    (void)addr;
    (void)buf;
    (void)len;
    return ((struct vm_pool *)ctx)->error;
}

static int failed_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    (void)addr;
    (void)buf;
    (void)len;
    return ((struct vm_pool *)ctx)->error;
}

int vm_pool_started(struct vm_pool *p, int err)
{
    p->error = (int8_t)(err < -128 ? VM_ERR_IO : err);
    if (err == VM_OK) return VM_OK;
    p->failed.read = failed_read;
    p->failed.write = failed_write;
    p->failed.sync = NULL;
    p->failed.ctx = p;
    p->failed.size = (vm_addr_t)0x7FFFFFFFul;
    if (vm_pool_start(p, &p->failed, 0) != VM_OK) {
        /* Not even that (a bad geometry): the pager has no pages. */
        memset(&p->vm, 0, sizeof p->vm);
    }
    return err;
}
