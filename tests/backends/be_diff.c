/*
 * be_diff.c - the differential workload of be_diff.h.
 */
#include "be_diff.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void note(struct be_diff_result *r, int rc)
{
    r->errors++;
    if (rc < 0 && -rc < VM_ERR_COUNT) r->err_seen[-rc]++;
}

void be_diff_run(const struct be_diff_opts *o, struct be_diff_result *r)
{
    struct vm vm;
    struct vm_config cfg;
    uint32_t *pages = calloc(((size_t)o->page_size * o->pages + 3u) / 4u, 4u);
    struct vm_slot *slots = calloc(o->pages, sizeof *slots);
    uint32_t bounce[VM_PAGE_SIZE_MAX / 4u];
    uint8_t *ref = malloc(o->pool);
    uint8_t *tmp = malloc(o->pool);
    uint64_t s = o->seed ? o->seed : 1u;
    unsigned i;
    int rc;

    memset(r, 0, sizeof *r);
    r->final_flush = -100;
    o->dump(o->ctx, ref, o->pool);
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = o->be;
    cfg.pool_size = o->pool;
    cfg.page_size = o->page_size;
    cfg.page_count = o->pages;
    cfg.pages = pages;
    cfg.pages_size = (size_t)o->page_size * o->pages;
    cfg.slots = slots;
    cfg.slot_count = o->pages;
#if VM_CONFIG_BOUNCE
    cfg.bounce = bounce;
    cfg.bounce_size = sizeof bounce;
#else
    (void)bounce;
#endif
    if (vm_init(&vm, &cfg) != VM_OK) {
        r->final_flush = VM_ERR_INVAL;
        goto out;
    }
    for (i = 0; i < o->ops; i++) {
        unsigned op = (unsigned)(rnd(&s) % 20u);
        vm_addr_t len = (vm_addr_t)(1u + rnd(&s) % (2u * o->page_size));
        vm_addr_t addr;
        vm_addr_t k;
        if (len > o->pool) len = o->pool;
        addr = (vm_addr_t)(rnd(&s) % (o->pool - len + 1u));
        if (o->fault) o->fault(o->ctx, i);
        r->ops++;
        if (op < 8u) { /* read */
            rc = vm_read(&vm, tmp, addr, len);
            if (rc == VM_OK) {
                if (memcmp(tmp, ref + addr, len) != 0) r->wrong++;
            } else {
                note(r, rc);
            }
        } else if (op < 15u) { /* write */
            for (k = 0; k < len; k++) tmp[k] = (uint8_t)rnd(&s);
            rc = vm_write(&vm, addr, tmp, len);
            if (rc != VM_OK) {
                note(r, rc);
                o->faults_off(o->ctx);
                rc = vm_write(&vm, addr, tmp, len);
                if (rc != VM_OK) note(r, rc);
            }
            if (rc == VM_OK) memcpy(ref + addr, tmp, len);
        } else if (op < 18u) { /* lock, read-modify-write through the pointer */
            struct vm_lock lk;
            unsigned mode = (op == 17u) ? VM_LOCK_RO : VM_LOCK_RW;
            rc = vm_lock(&vm, addr, len, mode, &lk);
            if (rc == VM_OK) {
                uint8_t *p = lk.ptr;
                if (memcmp(p, ref + lk.addr, lk.len) != 0) r->wrong++;
                if (mode == VM_LOCK_RW) {
                    for (k = 0; k < lk.len; k++) p[k] = (uint8_t)(p[k] + 1u + i);
                    memcpy(ref + lk.addr, p, lk.len);
                }
                rc = vm_unlock(&vm, &lk);
                if (rc != VM_OK) {
                    note(r, rc);
                    o->faults_off(o->ctx);
                    rc = vm_unlock(&vm, &lk);
                    if (rc != VM_OK) note(r, rc);
                }
            } else if (rc != VM_ERR_BUSY) {
                note(r, rc);
            }
        } else if (op == 18u) {
            rc = vm_flush(&vm);
            if (rc != VM_OK) note(r, rc);
        } else {
            rc = vm_invalidate(&vm);
            if (rc != VM_OK) note(r, rc);
        }
#if VM_CONFIG_CHECK
        if (vm_check(&vm) != VM_OK) r->check_failed++;
#endif
    }
    o->faults_off(o->ctx);
    r->final_flush = vm_flush(&vm);
    o->dump(o->ctx, tmp, o->pool);
    r->final_match = memcmp(tmp, ref, o->pool) == 0;
    rc = vm_invalidate(&vm);
    if (rc == VM_OK) rc = vm_read(&vm, tmp, 0, o->pool);
    r->reload_match = rc == VM_OK && memcmp(tmp, ref, o->pool) == 0;
out:
    free(pages);
    free(slots);
    free(ref);
    free(tmp);
}
