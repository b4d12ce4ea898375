/*
 * vms_matrix.h - runs every run of a scenario (optionally on several threads),
 * adds the misses at the optimum, checks expectations, and writes reports:
 * a terminal table, JSON and CSV.
 *
 * Desktop only. Results are a pure function of the scenario: the thread
 * count changes only the wall time, which no report file contains.
 */
#ifndef VMS_MATRIX_H
#define VMS_MATRIX_H

#include <stdio.h>

#include "vmr_replay.h"
#include "vms_scenario.h"

struct vms_result {
    const struct vms_run *run;
    struct vmr_result r;
    int has_opt;              /* opt_misses is valid */
    uint64_t opt_misses;      /* misses at the optimum (Belady's MIN) */
    char opt_error[160];      /* why not, when !has_opt */
    int expect_ok;            /* 1 unless an expectation failed */
    char expect_msg[160];
    double traffic_ratio;     /* backend bytes / program bytes (0 if none) */
    double wall_s;            /* wall time of the replay (not in reports) */
    int started;              /* 0: stopped before this run began (vms_run_opts.stop) */
};

/* Progress callback: called after each run finishes (from the thread that
 * ran it, serialised). */
typedef void (*vms_progress_fn)(void *ctx, size_t done, size_t total, const struct vms_result *r);

/* How to run a scenario. Zero fields mean defaults. */
struct vms_run_opts {
    int jobs;                 /* runs at once; < 1: 1 */
    vms_progress_fn progress; /* may be NULL */
    void *pctx;
    size_t pack_budget;       /* bytes for decoding each workload once, shared by
                                 every run and thread (0: VMS_PACK_BUDGET); a
                                 workload that does not fit is streamed per run */
    volatile int *stop;       /* when it becomes nonzero, no further run starts
                                 (results[i].started stays 0) */
};

#define VMS_PACK_BUDGET (16u << 20)

/* Run all of sc. results must hold sc->nruns entries. Returns the number of
 * runs that failed (error, verification, expectation) or were not started. */
size_t vms_run(const struct vms_scenario *sc, struct vms_result *results,
               const struct vms_run_opts *opts);
/* vms_run with jobs, progress and default options. */
size_t vms_run_all(const struct vms_scenario *sc, struct vms_result *results, int jobs,
                   vms_progress_fn progress, void *pctx);

/* Reports. Each returns 0, or -1 on a write error. */
int vms_report_table(FILE *f, const struct vms_scenario *sc, const struct vms_result *res,
                     int colour);
int vms_report_json(FILE *f, const struct vms_scenario *sc, const struct vms_result *res);
int vms_report_csv(FILE *f, const struct vms_scenario *sc, const struct vms_result *res);

#endif /* VMS_MATRIX_H */
