/*
 * vmv_model.h - what the live view knows about the runs it shows (no SDL here).
 *
 * The model drives the runs of a scenario in lockstep through the replay
 * engine (vmr_replay.h) and watches them only through the engine's observer
 * (core events and per-op callbacks) and the core's observation functions
 * (vm_walk, vm_next_victim, vm_slot_of, vm_stats). It never writes to the
 * pager, so no number in any report changes because it watches.
 *
 * Per run it keeps: which slots the latest op touched and whether each touch
 * hit or missed (a LOAD event during the op means a miss), how often each
 * page was loaded (the heat map), and a history of fixed-size buckets of ops
 * for the plots, with misses at the optimum per bucket when they could be
 * computed (Belady's MIN over the whole trace, replayed offline).
 */
#ifndef VMV_MODEL_H
#define VMV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "vmr_replay.h"
#include "vms_scenario.h"
#include "vm.h"
#include "vmtrace.h"

#define VMV_HIST 512     /* buckets kept for the scrolling plots */
#define VMV_HEAT_MAX (1u << 22) /* heat cells at most; more pages share a cell */

enum vmv_touch { VMV_NONE = 0, VMV_HIT = 1, VMV_MISS = 2 };

/* One bucket of ops: deltas over the bucket. */
struct vmv_bucket {
    uint64_t end_op;     /* ops replayed at the end of the bucket */
    uint32_t hits, misses, opt_misses;
    uint64_t bytes;      /* backend bytes read + written */
    uint64_t time_ns;    /* simulated time spent in the bucket */
};

/* The most page buffers a run may have to be shown: one tile each (more
 * would not be readable; the pager allows VM_PAGE_COUNT_MAX). */
#define VMV_SLOTS_MAX (VM_PAGE_COUNT_MAX < 4096u ? VM_PAGE_COUNT_MAX : 4096u)

struct vmv_run {
    const struct vms_run *desc;
    char title[232];
    struct vmt_source *src;
    struct vmr_run *run;
    struct vmr_observer obs;
    struct vmv_model *m;
    int state;            /* 1 ops remain, 0 trace ended, -1 failed */
    uint64_t ops;         /* ops replayed */
    uint64_t op_total;    /* ops in the trace, 0 when unknown */
    uint16_t page_size;
    vm_slot_t page_count;
    uint64_t pool;
    uint64_t npages;      /* pages in the pool (the last may be partial) */

    /* Heat: loads per cell of 2^heat_shift pages. */
    uint32_t *heat;
    uint64_t heat_len;
    unsigned heat_shift;
    uint32_t heat_max;

    /* The latest op: its touches per slot and when they happened. */
    uint8_t loaded_now[VMV_SLOTS_MAX];    /* slot loaded during the current op */
    uint8_t loaded_any;                    /* some loaded_now[] is set */
    uint8_t flash[VMV_SLOTS_MAX];          /* enum vmv_touch of the slot's last touch */
    uint64_t flash_op[VMV_SLOTS_MAX];      /* op index of that touch */
    uint64_t flash_ms[VMV_SLOTS_MAX];      /* model clock (wall ms) of that touch */
    int last_op_missed;                    /* the latest op missed at least once */
    int first_evict;                       /* slot of the latest op's first eviction, or -1 */
    int evicting;                          /* the same, while the op runs */
    vm_addr_t first_evict_page, evicting_page; /* the page it evicted */
    uint32_t writebacks_now, last_writebacks;  /* write-backs during the (latest) op */
    uint64_t last_addr;                    /* the latest op: address, length, kind */
    uint32_t last_len;
    uint16_t last_region;
    uint8_t last_kind;
    uint8_t last_mode;                     /* its mode (COMPUTE: the unit) */
    struct vmt_heap *heap;                 /* resolves region-relative addresses */
    uint64_t prev_hits, prev_misses;
    char phase[48];

    /* History for the plots. */
    struct vmv_bucket hist[VMV_HIST];
    unsigned hist_n, hist_head;            /* ring: oldest at hist_head */
    struct vmr_counters bucket_start;
    uint64_t opt_at_bucket_start;

    /* Misses at the optimum: cumulative per op (opt_cum[i] after op i), shared
     * by the runs with the same workload and geometry (freed by its owner). */
    uint32_t *opt_cum;
    size_t opt_len;
    int opt_owner;
    uint64_t opt_total;
    int has_opt;
    char opt_note[120];   /* why there is no OPT timeline */

    char error[256];
};

struct vmv_model {
    const struct vms_scenario *sc;
    struct vmv_run *runs;
    size_t nruns;
    size_t sel;           /* selected run */
    uint64_t bucket_ops;  /* ops per history bucket */
    uint64_t now_ms;      /* wall clock set by the app before stepping */
    int want_opt;
};

/* Open every run of sc. 0, or -1 with err filled. want_opt: compute the OPT
 * timeline (also off when sc->opt is 0). */
int vmv_model_open(struct vmv_model *m, const struct vms_scenario *sc, int want_opt, char *err,
                   size_t errlen);
void vmv_model_close(struct vmv_model *m);
/* Back to op 0 in every run (the OPT timeline is kept). */
int vmv_model_restart(struct vmv_model *m, char *err, size_t errlen);

/* Step every live run by n ops (lockstep). Returns ops stepped by the run
 * that went furthest (0 when all have ended). */
uint64_t vmv_model_step(struct vmv_model *m, uint64_t n);
/* Step op by op until the selected run misses, at most limit ops. Returns
 * ops stepped. */
uint64_t vmv_model_step_to_miss(struct vmv_model *m, uint64_t limit);
/* 1 while any run has ops left. */
int vmv_model_live(const struct vmv_model *m);

/* Bucket i of run r, oldest first (i < r->hist_n). */
const struct vmv_bucket *vmv_hist(const struct vmv_run *r, unsigned i);
/* Misses at the optimum over the ops replayed so far, or 0 without a timeline. */
uint64_t vmv_opt_so_far(const struct vmv_run *r);

#endif /* VMV_MODEL_H */
