/*
 * vm_wrap.h - a counting and fault-injecting layer around any backend.
 *
 * In the spirit of littlefs's emulated block device (lfs_emubd, in
 * https://github.com/littlefs-project/littlefs, bd/lfs_emubd.c): the layer
 * is itself a struct vm_backend that passes every call to the backend it
 * wraps and keeps what a test or a simulator wants to know about the
 * traffic, so no device has to count for itself:
 *
 * - calls: reads, writes and syncs, successful or not;
 * - bytes: asked for, and moved by the calls that succeeded;
 * - errors: calls that failed, of which `faults` were injected here;
 * - seeded faults: with vm_wrap_faults, each read or write fails with a
 *   chance drawn from a seeded xorshift32 (backends/rng/vm_rng.h), so a
 *   failing run repeats exactly. A failed read scribbles 0xA5 over the
 *   destination (the pager must never use it) and does not reach the
 *   device; a failed write tears: its first half (len / 2 bytes) reaches
 *   the device, then the call reports VM_ERR_IO.
 * - a hook: `before`, if set, is called ahead of every call (a simulator
 *   charges the CPU it spent up to the call there).
 *
 * A request outside the wrapped backend's size is refused with
 * VM_ERR_RANGE before any fault is drawn. Portable C99, no malloc.
 *
 *   struct vm_wrap w;
 *   vm_wrap_init(&w, &ram.backend);
 *   vm_wrap_faults(&w, 1234, 4096, 4096);   // 1 in 16
 *   cfg.backend = &w.backend;
 */
#ifndef VM_WRAP_H
#define VM_WRAP_H

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { VM_WRAP_READ, VM_WRAP_WRITE, VM_WRAP_SYNC };

struct vm_wrap_counts {
    vm_count_t reads, writes, syncs;      /* calls, successful or not */
    vm_count_t read_asked, write_asked;   /* bytes the calls asked for */
    vm_count_t bytes_read, bytes_written; /* bytes of the calls that succeeded */
    vm_count_t errors;                    /* calls that failed (faults included) */
    vm_count_t faults;                    /* failures injected here */
};

struct vm_wrap {
    struct vm_backend backend; /* pass &w.backend to the pager */
    const struct vm_backend *inner;
    void (*before)(void *ctx, int call); /* VM_WRAP_READ/WRITE/SYNC; NULL: none */
    void *before_ctx;
    uint32_t rng;        /* fault generator state; 0: faults off */
    uint16_t read_fail;  /* chance a read fails, in 1/65536 units */
    uint16_t write_fail; /* chance a write fails, in 1/65536 units */
    struct vm_wrap_counts n;
};

/* Wrap inner (same size; counts zeroed, faults off, no hook). */
void vm_wrap_init(struct vm_wrap *w, const struct vm_backend *inner);

/* Fail reads and writes at random with the given chances (x / 65536), drawn
 * from seed. seed 0 or both chances 0 turns faults off. */
void vm_wrap_faults(struct vm_wrap *w, uint32_t seed, uint16_t read_fail, uint16_t write_fail);

/* A chance from 0 to 1 in the 1/65536 units above (1 -> 65535). */
uint16_t vm_wrap_chance(double p);

/* How a call is counted, for a backend that counts its own calls exactly as
 * a vm_wrap around it would (the simulator's fast path, which saves the
 * extra layer per call). A read or write of len bytes starts: */
static inline void vm_wrap_count_start(struct vm_wrap_counts *n, int write, size_t len)
{
    if (write) {
        n->writes++;
        n->write_asked += len;
    } else {
        n->reads++;
        n->read_asked += len;
    }
}

/* ... and ends with rc, which is returned: its bytes count when it
 * succeeded, else an error. */
static inline int vm_wrap_count_end(struct vm_wrap_counts *n, int write, int rc, size_t len)
{
    if (rc != VM_OK)
        n->errors++;
    else if (write)
        n->bytes_written += len;
    else
        n->bytes_read += len;
    return rc;
}

#ifdef __cplusplus
}
#endif

#endif /* VM_WRAP_H */
