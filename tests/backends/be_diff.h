/*
 * be_diff.h - a randomised differential workload for the core pager over a
 * backend: vm_read / vm_write / vm_lock / vm_flush / vm_invalidate against a
 * reference array, with a test-supplied fault switch. Test-only.
 *
 * Rules it checks: a successful read (or lock) never shows data that differs
 * from the reference; a failed write is retried with faults off until it
 * succeeds (a prefix may already be done; redoing it is idempotent); a
 * failed unlock is retried the same way; at the end, with faults off,
 * vm_flush succeeds and the backend holds exactly the reference (so no dirty
 * data was lost), and a reload through the pager matches too.
 */
#ifndef BE_DIFF_H
#define BE_DIFF_H

#include <stdint.h>

#include "vm.h"

struct be_diff_opts {
    const struct vm_backend *be;
    vm_addr_t pool;        /* pool size (<= be->size) */
    uint16_t page_size;
    uint8_t pages;
    unsigned ops;
    uint64_t seed;
    /* Called before each op: the test may switch faults on or off. Called
     * with op = ~0u to force faults off (before retries and at the end). */
    void (*fault)(void *ctx, unsigned op);
    void (*faults_off)(void *ctx);
    /* Copy the backend's current contents (bypassing the bus). */
    void (*dump)(void *ctx, uint8_t *dst, vm_addr_t n);
    void *ctx;
};

struct be_diff_result {
    unsigned ops;
    unsigned errors;       /* calls that returned an error */
    unsigned wrong;        /* successful reads/locks that showed wrong data */
    unsigned check_failed; /* vm_check failures */
    int final_flush;       /* vm_flush with faults off */
    int final_match;       /* backend == reference after the final flush */
    int reload_match;      /* pager reload == reference */
    int err_seen[VM_ERR_COUNT];
};

void be_diff_run(const struct be_diff_opts *o, struct be_diff_result *r);

#endif
