/*
 * vms_scenario.h - scenario files: named backends, pagers and workloads, and the
 * runs to make of them (a cross product, a listed subset, or both).
 *
 * Desktop only. The format is documented in docs/scenario-format.md. Every
 * error names the file and the JSON path ("m.json: $.pagers.small.page_size:
 * expected a power of two from 16 to 4096, got 100"), or the line and column
 * for malformed JSON. Relative trace paths resolve against the file's folder.
 */
#ifndef VMS_SCENARIO_H
#define VMS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vmr_replay.h"
#include "vmtrace.h"

/* A workload: a trace file or a generator spec. */
struct vms_workload {
    char name[64];
    char *path;              /* resolved trace path; NULL for a generator */
    char format[16];         /* "" : detect */
    struct vmt_open_opts opts;
    cJSON *generator;        /* owned copy of the generator spec, or NULL */
    char where[192];         /* "file: $.workloads.name", for errors */
};

/* What a run must achieve to count as passing, besides running cleanly. */
struct vms_expect {
    double max_traffic_ratio; /* backend bytes / program bytes; 0: unchecked */
    double min_hit_ratio;     /* 0: unchecked */
};

struct vms_run {
    char backend[64];        /* names as in the file (pagers: expanded name) */
    char pager[80];
    char workload[64];
    size_t workload_index;
    struct vmr_config cfg;   /* observer NULL */
    struct vms_expect expect;
};

struct vms_scenario {
    char *path;
    char name[64];
    char description[1024];
    int opt;                 /* compute misses at the optimum (default 1) */
    struct vms_workload *workloads;
    size_t nworkloads;
    struct vms_run *runs;
    size_t nruns;
};

/* Load a scenario file and check its workloads (vms_check_workloads). 0, or
 * -1 with err filled. */
int vms_load(const char *path, struct vms_scenario *sc, char *err, size_t errlen);
/* Parse scenario text; path names the file in errors and anchors relative paths. */
int vms_parse(const char *text, size_t len, const char *path, struct vms_scenario *sc,
              char *err, size_t errlen);
void vms_free(struct vms_scenario *sc);

/* Opens every workload once, so that a missing or malformed trace file or a
 * bad generator parameter is found before any work starts: 0, or -1 with err
 * naming the scenario file and the workload's JSON path. */
int vms_check_workloads(const struct vms_scenario *sc, char *err, size_t errlen);

/* Open workload w of sc as a fresh source. NULL with err filled. */
struct vmt_source *vms_open_workload(const struct vms_scenario *sc, size_t w, char *err,
                                     size_t errlen);

/* Parse one backend / pager description (also used by `vmsim run-trace`). */
int vms_parse_policy(const char *s);

#endif /* VMS_SCENARIO_H */
