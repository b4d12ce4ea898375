/*
 * vmbench.h - what vmbench's three parts share: the sweep (its points and how
 * they are measured, vmbench_sweep.c), the answer and the reports
 * (vmbench_report.c), and the command line (vmbench.c).
 *
 * A sweep is page sizes x page counts x policies x backends for one workload.
 * Every point is a pure function of the sweep, so results depend neither on
 * sharding nor on the thread count.
 */
#ifndef VMBENCH_H
#define VMBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "vm.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_WRITE = 3 };
enum objective { OBJ_TIME, OBJ_BYTES, OBJ_MISSES, OBJ_COUNT };
extern const char *const vmb_objective_names[OBJ_COUNT];

#define VMB_MAX_BACKENDS 16
#define VMB_MAX_SIZES 16
#define VMB_MAX_COUNTS 64

struct point {
    unsigned index;      /* in the full sweep */
    unsigned backend;    /* index into the backend names */
    unsigned page_size, page_count, policy;
    size_t ram_cost;
    int measured, ok;
    char error[200];
    uint64_t ops, touches, hits, misses, opt_misses, writebacks, bytes_read, bytes_written;
    uint64_t access_bytes, time_ns;
    uint64_t pager_ns, program_ns, transfer_ns, wait_ns; /* where time_ns went */
    int has_opt;
};

/* The counts a point keeps, by their key in the JSON report, in report
 * order: where they are in struct point and, for those a run counts, in
 * struct vmr_counters (VMB_NOT_COUNTED: opt_misses, access_bytes). One table
 * for the copy from a run, the report and the shard reader. */
#define VMB_NOT_COUNTED ((size_t)-1)
struct vmb_count {
    const char *key;
    size_t at;   /* offsetof(struct point, ...) */
    size_t from; /* offsetof(struct vmr_counters, ...) */
};
extern const struct vmb_count vmb_counts[];
extern const unsigned vmb_ncounts;

static inline uint64_t *vmb_count_at(struct point *p, const struct vmb_count *k)
{
    return (uint64_t *)(void *)((char *)p + k->at);
}
static inline uint64_t vmb_count_get(const struct point *p, const struct vmb_count *k)
{
    return *(const uint64_t *)(const void *)((const char *)p + k->at);
}

struct sweep {
    /* what */
    char workload_desc[512];
    cJSON *workload_json;  /* the workload object for the scenario */
    const char *base_path; /* relative paths in workload_json resolve against it */
    char *backend_names[VMB_MAX_BACKENDS];
    cJSON *backend_json[VMB_MAX_BACKENDS];
    unsigned nbackends;
    unsigned sizes[VMB_MAX_SIZES], nsizes;
    unsigned counts[VMB_MAX_COUNTS], ncounts;
    unsigned policies[VM_POLICY_COUNT], npolicies;
    unsigned long budget; /* 0: none */
    int budget_only;
    int objective;
    int exact;            /* 1: byte-exact device models, every point run (--exact) */
    uint8_t twins[VMB_MAX_BACKENDS]; /* VMB_TWINS_* of backend b (vmb_validate) */
    /* results */
    int partial;          /* 1: the time limit stopped the sweep early */
    unsigned nmeasured;   /* points measured in this process */
    struct point *pts;
    unsigned npts;
};

struct answer {
    int best, second;      /* point indexes, -1 if none */
    double margin;         /* (second - best) / best */
    int *pareto;           /* point indexes, by RAM cost */
    unsigned npareto;
};

/* ------------------------------------------------------ vmbench_sweep.c */

double vmb_objective(const struct sweep *sw, const struct point *p);
/* 1 if p's RAM cost is within --budget (or there is none). */
int vmb_in_budget(const struct sweep *sw, const struct point *p);
/* 1 if p's RAM cost fits the RAM of its backend's MCU (or the profile does
 * not say): a pager that needs more cannot be built for the board. */
int vmb_fits_ram(const struct sweep *sw, const struct point *p);
/* 1 if p may be recommended: in the budget and in the MCU's RAM. */
int vmb_eligible(const struct sweep *sw, const struct point *p);
/* The platform profile backend b names ("" for none). */
const char *vmb_profile_of(const struct sweep *sw, unsigned b);
/* Lay out every point of the sweep (unmeasured), with its RAM cost. */
void vmb_make_points(struct sweep *sw);
/* Checks the workload and every backend once, before any point is
 * measured: 0, or -1 with the error printed. */
int vmb_validate(struct sweep *sw);
/* Which points of a backend are twins: points with every figure the same,
 * of which one is measured for all (vmbench_sweep.c). */
enum {
    VMB_TWINS_NONE,  /* none (faults injected, or the backend not validated) */
    VMB_TWINS_PAIRS, /* at page count 1: FIFO and LRU, CLOCK and SIEVE */
    VMB_TWINS_ALL    /* at page count 1: every policy (the backend measures no time) */
};
/* 1 if a and b are twins (never with --exact). */
int vmb_twin(const struct sweep *sw, const struct point *a, const struct point *b);
enum { VMB_PROGRESS_OFF, VMB_PROGRESS_BAR, VMB_PROGRESS_LINES };
struct vmb_measure_opts {
    int jobs;
    int progress;       /* VMB_PROGRESS_*: a bar redrawn in place, or a line per point */
    size_t decode_budget; /* bytes for the shared decoded workload; 0: the default */
    double time_limit;  /* seconds; 0: none. Points not started by then stay
                           unmeasured and sw->partial is set */
};
/* Measure the points mine[0..nmine). 0, or -1 after a message. */
int vmb_measure(struct sweep *sw, const unsigned *mine, unsigned nmine,
                const struct vmb_measure_opts *o);
/* Add the measured points of a shard report j (read from path); the first
 * shard also sets up the sweep. 0, or -1 after a message. */
int vmb_load_points(struct sweep *sw, const cJSON *j, const char *path, int first);
void vmb_free(struct sweep *sw);

/* ----------------------------------------------------- vmbench_report.c */

/* a is a better answer than b: objective, then RAM, then the default policy. */
int vmb_better(const struct sweep *sw, const struct point *a, const struct point *b);
/* The best point, the runner-up geometry and the Pareto front. */
void vmb_answer(const struct sweep *sw, struct answer *an);
/* "3 x 256 B lru, 810.5 ms": a point and its objective, for progress. */
void vmb_describe_short(const struct sweep *sw, const struct point *p, char *buf, size_t n);
void vmb_print_table(FILE *f, const struct sweep *sw, const struct answer *an, int colour);
/* Reports to path ("-": stdout). an is NULL for a shard (k of n). 0, or -1
 * after a message. */
int vmb_write_json(const char *path, const struct sweep *sw, const struct answer *an, unsigned k,
                   unsigned n);
int vmb_write_csv(const char *path, const struct sweep *sw);
int vmb_write_svg(const char *path, const struct sweep *sw, const struct answer *an);

/* ------------------------------------------------------ vmbench_micro.c */

/* `vmbench micro`: wall-clock cost of the core's hit and miss paths. */
int vmb_micro(void);

#endif /* VMBENCH_H */
