/*
 * vmr_replay.h - the replay engine: feeds a workload (struct vmt_source) to the
 * core pager over a simulated backend stack, and measures what it costs.
 *
 * Desktop only. Linked by vmsim and vmbench (vmreplay_dep); observed by the
 * live view through struct vmr_observer, vmr_vm() (vm_walk) and per-op
 * stepping. A run is a pure function of its configuration and workload: no
 * wall-clock time, thread or observer changes any number it reports.
 *
 * Life of a run:
 *   vmr_create(cfg, src)    builds the backend stack and the pager
 *   vmr_step(run, n)        replays up to n ops (1 for single stepping)
 *   vmr_counters(run)       live counters at any point
 *   vmr_finish(run, &res)   totals, per-phase breakdown, cross-checks
 *   vmr_destroy(run)
 *
 * Time: simulated nanoseconds come only from the bus and device models
 * (which charge the platform profile's per-byte and per-transaction CPU
 * costs), the pager's CPU per core path (the profile's generated cost
 * table, struct vm_cpu_costs), and the program's own CPU (compute ops, the
 * per-byte work inside locks), all on one clock in program order: CPU time
 * is put on the clock before each backend call, so it overlaps a device's
 * busy time as it would on the board. The path each call took is read from
 * the core's statistics around the call. The ram backend is ideal: zero
 * time. Nothing adds a guessed per-page cost.
 *
 * Bytes: every backend byte is counted once, by the counting layer
 * (backends/wrap/vm_wrap.h) wrapped around the stack's struct vm_backend,
 * and cross-checked against vm_stats at vmr_finish (a disagreement fails
 * the run).
 */
#ifndef VMR_REPLAY_H
#define VMR_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"
#include "vm_device.h"
#include "vmr_stack.h"
#include "vmtrace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pager's configuration for a run. */
struct vmr_pager_desc {
    uint16_t page_size;
    vm_slot_t page_count;  /* 1..VM_PAGE_COUNT_MAX */
    uint8_t policy;        /* VM_POLICY_* */
    uint8_t flags;         /* VM_CLEAN_FIRST */
    uint16_t bounce_size;  /* bounce buffer for straddling locks; 0: page_size */
    uint16_t heap_blocks;  /* allocator table entries; 0: 256 */
};

enum vmr_verify {
    VMR_VERIFY_AUTO, /* check reads only against data the trace carries */
    VMR_VERIFY_ON,   /* also keep a shadow of the pool and check every read */
    VMR_VERIFY_OFF   /* check nothing (benchmarks) */
};

/* Observer: the seam for a live view. Every callback is optional. With no
 * observer the per-op path makes no calls. Observers must not change the
 * pager (vm_walk and the vm_ observation functions are fine). */
struct vmr_observer {
    /* After each op; index counts from 0; rc is the op's result. */
    void (*on_op)(void *ctx, uint64_t index, const struct vmt_op *op, int rc);
    /* Each core event (load, evict, write-back, ...), as it happens. */
    void (*on_event)(void *ctx, const struct vm_event *ev);
    /* A phase marker was replayed. */
    void (*on_phase)(void *ctx, uint32_t phase, const char *name);
    void *ctx;
};

struct vmr_config {
    struct vm_device_desc backend; /* the device and its settings (vm_device.h) */
    struct vmr_pager_desc pager;
    uint8_t verify;            /* enum vmr_verify */
    uint64_t shadow_limit;     /* largest pool shadowed under VMR_VERIFY_ON;
                                  0: 256 MiB. Larger pools verify as AUTO. */
    uint64_t pool_size;        /* 0: the trace's pool size */
    uint8_t tolerate_errors;   /* count backend errors instead of failing
                                  (set when faults are injected) */
    uint8_t flush_at_end;      /* vm_flush after the last op, counted in a
                                  phase "(final flush)" */
    uint8_t exact;             /* 1: clock every bus byte through the device
                                  models; 0: the fast path where a device
                                  allows it (the same numbers, sim/vmr_fast.h) */
    const struct vmr_observer *observer; /* NULL: headless */
};

/* Counters of a run so far (or of one phase). */
struct vmr_counters {
    uint64_t ops;             /* ops replayed */
    uint64_t touches;         /* hits + misses */
    uint64_t hits, misses, loads, fills, evictions, writebacks;
    uint64_t bytes_read;      /* backend bytes, counted at the ops seam */
    uint64_t bytes_written;
    uint64_t backend_reads;   /* backend calls */
    uint64_t backend_writes;
    uint64_t backend_errors;  /* failed backend calls */
    uint64_t op_errors;       /* ops that returned an error (tolerated) */
    uint64_t access_read;     /* bytes the program read through the pager */
    uint64_t access_written;  /* bytes the program wrote through the pager */
    uint64_t locks;           /* successful locks */
    uint64_t time_ns;         /* simulated time */
    uint64_t verified;        /* bytes checked against expected data */
    /* Where time_ns went (they add up to it): */
    uint64_t pager_ns;        /* the pager's own CPU (per-path cost table) */
    uint64_t program_ns;      /* the program's own CPU (compute ops, lock work) */
    uint64_t transfer_ns;     /* moving bytes: wire time and the driver's CPU */
    uint64_t wait_ns;         /* waiting for the device: access delay, busy, link latency */
    /* Backend calls the fast path answered without clocking the device
     * models (0 with --exact or on a device without a fast path): how a
     * test knows the fast path ran. The numbers above do not depend on it. */
    uint64_t fast_calls;
};

/* Per-phase totals, merged by name in order of first appearance. */
struct vmr_phase {
    char name[48];
    uint32_t segments;        /* times the phase was entered */
    struct vmr_counters c;
};

#define VMR_MAX_PHASES 32

struct vmr_result {
    int ok;                   /* 1: every op succeeded (or was tolerated), data verified */
    char error[256];          /* why not, naming the op index */
    struct vmr_counters total;
    uint64_t dirty_at_end;    /* dirty bytes left in page buffers at the end */
    size_t ram_cost;          /* VM_RAM_COST of the geometry */
    uint64_t pool_size;
    int verified_full;        /* 1: the shadow checked every read */
    uint32_t phase_count;
    struct vmr_phase phases[VMR_MAX_PHASES];
    uint32_t phases_dropped;  /* phases beyond VMR_MAX_PHASES (merged into the last) */
};

struct vmr_run;

/* Build the backend stack and the pager for src (which the caller keeps
 * open until vmr_destroy). NULL on error with a message in err. */
struct vmr_run *vmr_create(const struct vmr_config *cfg, struct vmt_source *src,
                           char *err, size_t errlen);

/* Replay up to max_ops ops. Returns 1 if ops remain, 0 at the end of the
 * trace, -1 when the run failed (see vmr_error; further steps return -1). */
int vmr_step(struct vmr_run *run, uint64_t max_ops);

/* Live counters (time and core counters are brought up to date). */
const struct vmr_counters *vmr_counters(struct vmr_run *run);

/* The pager, for vm_walk / vm_next_victim / vm_slot_of. */
struct vm *vmr_vm(struct vmr_run *run);

/* Simulated nanoseconds so far. */
uint64_t vmr_time_ns(const struct vmr_run *run);

/* 1 if the run measures time: its device has a clock, or its CPU runs on
 * one (a platform profile's clock). 0: every time figure it reports is 0. */
int vmr_timed(const struct vmr_run *run);

/* The failure message, or "" while the run is healthy. */
const char *vmr_error(const struct vmr_run *run);

/* Totals and per-phase breakdown; cross-checks counted backend bytes with
 * vm_stats. Replays nothing more. Returns res->ok ? 0 : -1. */
int vmr_finish(struct vmr_run *run, struct vmr_result *res);

void vmr_destroy(struct vmr_run *run);

/* Replay a whole trace: create, step to the end, finish, destroy. */
int vmr_replay(const struct vmr_config *cfg, struct vmt_source *src,
               struct vmr_result *res);

/* Policy names (any letter case) -> VM_POLICY_*; -1 for an unknown name. Backend types and
 * their names: vmr_stack.h. */
int vmr_policy_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* VMR_REPLAY_H */
