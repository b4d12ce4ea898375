/*
 * fuzz_scenario.c - the scenario parser, then its workloads opened and a few
 * of its runs started.
 *
 * The input is a scenario file's text, parsed as if it lived in the
 * repository's scenarios/ folder (FUZZ_SCENARIOS), so the relative trace
 * paths of the shipped scenarios resolve. Each workload is opened and read
 * a little (but costly generators and large trace files: skip_workload);
 * the first runs are built (backend stack, pager) and replay a few hundred
 * ops.
 *
 * Properties checked, besides the sanitizers: every failure has a message
 * naming the file; a run built from a parsed scenario never reports a
 * disagreement of byte counts or a broken core invariant, and never wrong
 * data unless the scenario injects faults or its trace expects data.
 */
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "vmr_replay.h"
#include "vms_scenario.h"
#include "vmtrace.h"

#ifndef FUZZ_SCENARIOS
#error "define FUZZ_SCENARIOS (the scenarios folder)"
#endif

#define POOL_CAP (16u << 10)
#define MAX_WORKLOADS 4u
#define MAX_RUNS 1u
#define READ_OPS 100u
#define RUN_OPS 100u

static const char *const file = FUZZ_SCENARIOS "/fuzz-input.json";

/* Workloads a target does not open: costly generator specs (fuzz.h), and
 * trace files larger than this (a shipped trace read whole at every
 * execution; fuzz-trace-* fuzz the readers). */
#define TRACE_CAP (64u << 10)

static int skip_workload(const struct vms_workload *w)
{
    struct stat st;
    if (w->generator) return fuzz_costly_spec(w->generator);
    return w->path && stat(w->path, &st) == 0 && st.st_size > (off_t)TRACE_CAP;
}

static void need_message(const char *err, const char *what)
{
    if (!err[0]) fuzz_fail("%s failed without a message", what);
}

static void run_one(const struct vms_scenario *sc, const struct vms_run *run)
{
    char err[512] = "";
    if (skip_workload(&sc->workloads[run->workload_index])) return;
    struct vmt_source *s = vms_open_workload(sc, run->workload_index, err, sizeof err);
    if (!s) {
        need_message(err, "vms_open_workload");
        return;
    }
    struct vmr_config c = run->cfg;
    const struct vmt_info *info = vmt_info(s);
    uint64_t pool = c.pool_size ? c.pool_size : info->pool_size;
    if (pool > POOL_CAP && pool <= 0x80000000u) c.pool_size = POOL_CAP;
    c.shadow_limit = POOL_CAP;
    c.observer = NULL;
    struct vmr_run *r = vmr_create(&c, s, err, sizeof err);
    if (!r) {
        need_message(err, "vmr_create");
        vmt_close(s);
        return;
    }
    struct vmr_result res;
    vmr_step(r, RUN_OPS);
    vmr_finish(r, &res);
    if (!res.ok) {
        need_message(res.error, "a run");
        if (strstr(res.error, "byte counts disagree") || strstr(res.error, "vm_check") ||
            (strstr(res.error, "data mismatch") && !strstr(res.error, "trace expects") &&
             !c.backend.fault_seed))
            fuzz_fail("run %s/%s/%s: %s", run->backend, run->pager, run->workload, res.error);
    }
    vmr_destroy(r);
    vmt_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vms_scenario sc;
    char err[512] = "";
    if (vms_parse((const char *)data, size, file, &sc, err, sizeof err) != 0) {
        need_message(err, "vms_parse");
        if (strncmp(err, file, strlen(file)) != 0) fuzz_fail("message without the file: %s", err);
        return 0;
    }
    for (size_t w = 0; w < sc.nworkloads && w < MAX_WORKLOADS; w++) {
        if (skip_workload(&sc.workloads[w])) continue;
        struct vmt_source *s = vms_open_workload(&sc, w, err, sizeof err);
        struct vmt_op op;
        if (!s) {
            need_message(err, "vms_open_workload");
            continue;
        }
        for (unsigned i = 0; i < READ_OPS && vmt_next(s, &op) == 1; i++) {}
        vmt_close(s);
    }
    for (size_t i = 0; i < sc.nruns && i < MAX_RUNS; i++) run_one(&sc, &sc.runs[i]);
    vms_free(&sc);
    return 0;
}
