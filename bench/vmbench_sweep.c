/*
 * vmbench_sweep.c - the points of a sweep and how they are measured (see
 * vmbench.h).
 *
 * The points are written as a vmsim scenario and run by vms_run_all, so a
 * point's numbers are vmsim's numbers. Shard reports come back in through
 * vmb_load_points.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vms_matrix.h"
#include "vmr_replay.h"
#include "vmr_stack.h"
#include "vms_scenario.h"
#include "vmbench.h"

const char *const vmb_objective_names[OBJ_COUNT] = {"time", "bytes", "misses"};

static const char *str_or(const char *s, const char *dflt) { return s ? s : dflt; }

double vmb_objective(const struct sweep *sw, const struct point *p)
{
    switch (sw->objective) {
    case OBJ_BYTES: return (double)(p->bytes_read + p->bytes_written);
    case OBJ_MISSES: return (double)p->misses;
    default: return (double)p->time_ns;
    }
}

int vmb_in_budget(const struct sweep *sw, const struct point *p)
{
    return !sw->budget || p->ram_cost <= sw->budget;
}

int vmb_fits_ram(const struct sweep *sw, const struct point *p)
{
    size_t lim = vmr_ram_limit(vmb_profile_of(sw, p->backend));
    return !lim || p->ram_cost <= lim;
}

int vmb_eligible(const struct sweep *sw, const struct point *p)
{
    return vmb_in_budget(sw, p) && vmb_fits_ram(sw, p);
}

/* The platform profile a backend names ("" for none): RAM costs use its
 * MCU's struct sizes. */
const char *vmb_profile_of(const struct sweep *sw, unsigned b)
{
    const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sw->backend_json[b], "profile"));
    return p ? p : "";
}

void vmb_make_points(struct sweep *sw)
{
    unsigned b, s, c, q, i = 0;
    sw->npts = sw->nbackends * sw->nsizes * sw->ncounts * sw->npolicies;
    sw->pts = calloc(sw->npts ? sw->npts : 1, sizeof *sw->pts);
    if (!sw->pts) exit(EXIT_FAIL);
    for (b = 0; b < sw->nbackends; b++)
        for (s = 0; s < sw->nsizes; s++)
            for (c = 0; c < sw->ncounts; c++)
                for (q = 0; q < sw->npolicies; q++, i++) {
                    struct point *p = &sw->pts[i];
                    p->index = i;
                    p->backend = b;
                    p->page_size = sw->sizes[s];
                    p->page_count = sw->counts[c];
                    p->policy = sw->policies[q];
                    p->ram_cost = vmr_ram_cost(vmb_profile_of(sw, b), p->page_size, p->page_count);
                }
}

/* ------------------------------------------------------------- twins */

/*
 * With one page slot the policy has no choice: a miss evicts the page in
 * that slot. The pages loaded and written back, so the misses, write-backs
 * and bytes, are the same under every policy, and on a backend that
 * measures no time (no device clock, no CPU clock: vmr_timed) every figure
 * a point reports is. On a timed backend the pager's CPU per path counts
 * too: the core serves a CLOCK or SIEVE page inline only once its
 * reference bit is set (vm__done), FIFO and LRU at once, so the time
 * differs between those pairs, and within each pair the core takes the
 * same paths: LRU's move to the head of a one-entry list moves nothing and
 * its hot entries, all of the one resident slot, stay (hot_before_touch);
 * the CLOCK hand and the SIEVE hand (or the tail) both start the scan at
 * the one slot (scan_start). Faults are left out (an error path is one
 * more thing to prove). Such points are twins: the first is measured and
 * the others take its figures. --exact measures every point, so the
 * fastcost test (fast == exact, byte for byte, at page count 1 under every
 * policy on nine backends) checks every copy against its own run.
 */
static int clock_like(unsigned policy)
{
    return policy == VM_POLICY_CLOCK || policy == VM_POLICY_SIEVE;
}

int vmb_twin(const struct sweep *sw, const struct point *a, const struct point *b)
{
    if (sw->exact || a->backend != b->backend || a->page_size != b->page_size ||
        a->page_count != 1 || b->page_count != 1)
        return 0;
    switch (sw->twins[a->backend]) {
    case VMB_TWINS_ALL: return 1;
    case VMB_TWINS_PAIRS: return clock_like(a->policy) == clock_like(b->policy);
    default: return 0;
    }
}

/* ------------------------------------------------------------- measuring */

/* A sweep in flight: results land in their points as runs finish (the
 * runner calls on_progress serialised), so the best so far is known. Run
 * k measures the points mine[i] with rep[i] == k (a point and its twins). */
struct progress {
    struct sweep *sw;
    const unsigned *mine, *rep;
    unsigned nmine, done;   /* points measured so far, twins included */
    const struct vms_result *res;
    const struct vmb_measure_opts *o;
    double t0;
    int best;               /* point index, -1: none yet */
    volatile int stop;      /* set when the time limit passes */
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void store_result(struct point *p, const struct vms_result *r);

static void show_progress(const struct progress *pr, size_t done, size_t total, double el)
{
    const int width = 30;
    int fill = (int)((double)width * (double)done / (double)total);
    double rate = el > 0 ? (double)done / el : 0;
    double eta = done ? el * (double)(total - done) / (double)done : 0;
    char best[160] = "", d[120];
    if (pr->best >= 0) {
        vmb_describe_short(pr->sw, &pr->sw->pts[pr->best], d, sizeof d);
        snprintf(best, sizeof best, "  best so far: %s", d);
    }
    fprintf(stderr, "%s[%.*s%*s] %zu/%zu points  %.1f points/s  %.1fs elapsed, ETA %.1fs%s ",
            pr->o->progress == VMB_PROGRESS_BAR ? "\r" : "", fill, "##############################",
            width - fill, "", done, total, rate, el, eta, best);
    if (done == total || pr->o->progress == VMB_PROGRESS_LINES) fputc('\n', stderr);
    fflush(stderr);
}

static void on_progress(void *ctx, size_t done, size_t total, const struct vms_result *r)
{
    struct progress *pr = ctx;
    struct sweep *sw = pr->sw;
    unsigned k = (unsigned)(r - pr->res), i;
    double el = now_s() - pr->t0;
    (void)done;
    (void)total;
    for (i = 0; i < pr->nmine; i++) {
        struct point *p = &sw->pts[pr->mine[i]];
        if (pr->rep[i] != k) continue;
        store_result(p, r);
        pr->done++;
        if (p->ok && vmb_eligible(sw, p) && (pr->best < 0 || vmb_better(sw, p, &sw->pts[pr->best])))
            pr->best = (int)p->index;
    }
    if (pr->o->time_limit > 0 && el >= pr->o->time_limit) pr->stop = 1;
    if (pr->o->progress) show_progress(pr, pr->done, pr->nmine, el);
}

/* The points mine[0..nmine) as a vmsim scenario (malloc'd text). */
static char *scenario_text(const struct sweep *sw, const unsigned *mine, unsigned nmine)
{
    cJSON *root = cJSON_CreateObject(), *bes, *pgs, *wls, *runs;
    char name[64];
    unsigned i;
    char *text;

    if (!root) return NULL;
    cJSON_AddStringToObject(root, "name", "vmbench");
    bes = cJSON_AddObjectToObject(root, "backends");
    for (i = 0; i < sw->nbackends; i++)
        cJSON_AddItemToObject(bes, sw->backend_names[i], cJSON_Duplicate(sw->backend_json[i], 1));
    wls = cJSON_AddObjectToObject(root, "workloads");
    cJSON_AddItemToObject(wls, "w", cJSON_Duplicate(sw->workload_json, 1));
    pgs = cJSON_AddObjectToObject(root, "pagers");
    runs = cJSON_AddArrayToObject(root, "runs");
    for (i = 0; i < nmine; i++) {
        const struct point *p = &sw->pts[mine[i]];
        cJSON *pg, *run;
        snprintf(name, sizeof name, "p%u", p->index);
        pg = cJSON_AddObjectToObject(pgs, name);
        cJSON_AddNumberToObject(pg, "page_size", p->page_size);
        cJSON_AddNumberToObject(pg, "page_count", p->page_count);
        cJSON_AddStringToObject(pg, "policy", vm_policy_name(p->policy));
        run = cJSON_CreateObject();
        cJSON_AddStringToObject(run, "backend", sw->backend_names[p->backend]);
        cJSON_AddStringToObject(run, "pager", name);
        cJSON_AddStringToObject(run, "workload", "w");
        cJSON_AddItemToArray(runs, run);
    }
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

#define VMB_COUNT(key, field, counted) {key, offsetof(struct point, field), counted}
#define VMB_COUNTED(field) offsetof(struct vmr_counters, field)
const struct vmb_count vmb_counts[] = {
    VMB_COUNT("ops", ops, VMB_COUNTED(ops)),
    VMB_COUNT("touches", touches, VMB_COUNTED(touches)),
    VMB_COUNT("hits", hits, VMB_COUNTED(hits)),
    VMB_COUNT("misses", misses, VMB_COUNTED(misses)),
    VMB_COUNT("opt_misses", opt_misses, VMB_NOT_COUNTED),
    VMB_COUNT("writebacks", writebacks, VMB_COUNTED(writebacks)),
    VMB_COUNT("bytes_read", bytes_read, VMB_COUNTED(bytes_read)),
    VMB_COUNT("bytes_written", bytes_written, VMB_COUNTED(bytes_written)),
    VMB_COUNT("access_bytes", access_bytes, VMB_NOT_COUNTED),
    VMB_COUNT("time_ns", time_ns, VMB_COUNTED(time_ns)),
    VMB_COUNT("pager_cpu_ns", pager_ns, VMB_COUNTED(pager_ns)),
    VMB_COUNT("program_cpu_ns", program_ns, VMB_COUNTED(program_ns)),
    VMB_COUNT("transfer_ns", transfer_ns, VMB_COUNTED(transfer_ns)),
    VMB_COUNT("device_wait_ns", wait_ns, VMB_COUNTED(wait_ns)),
};
const unsigned vmb_ncounts = sizeof vmb_counts / sizeof vmb_counts[0];

static void store_result(struct point *p, const struct vms_result *r)
{
    const struct vmr_counters *c = &r->r.total;
    unsigned k;
    p->measured = 1;
    p->ok = r->r.ok;
    snprintf(p->error, sizeof p->error, "%.*s", (int)sizeof p->error - 1, r->r.ok ? "" : r->r.error);
    for (k = 0; k < vmb_ncounts; k++)
        if (vmb_counts[k].from != VMB_NOT_COUNTED)
            *vmb_count_at(p, &vmb_counts[k]) = *(const uint64_t *)(const void *)((const char *)c + vmb_counts[k].from);
    p->access_bytes = c->access_read + c->access_written;
    p->has_opt = r->has_opt;
    p->opt_misses = r->opt_misses;
    if (r->r.ram_cost) p->ram_cost = r->r.ram_cost;
}

/* Before the sweep: the workload opens and every backend builds, on one
 * point per backend, as a run would start; which of its points are twins.
 * 0, or -1 with the message printed. */
int vmb_validate(struct sweep *sw)
{
    unsigned *one = calloc(sw->nbackends ? sw->nbackends : 1, sizeof *one), b;
    char err[640], msg[512], *text;
    struct vms_scenario sc;
    int rc = -1;
    if (!one) return -1;
    for (b = 0; b < sw->nbackends; b++) one[b] = b * sw->nsizes * sw->ncounts * sw->npolicies;
    text = scenario_text(sw, one, sw->nbackends);
    free(one);
    if (!text) return -1;
    if (vms_parse(text, strlen(text), sw->base_path, &sc, err, sizeof err) == 0) {
        rc = vms_check_workloads(&sc, err, sizeof err);
        for (size_t i = 0; rc == 0 && i < sc.nruns; i++) {
            struct vmt_source *src = vms_open_workload(&sc, sc.runs[i].workload_index, msg, sizeof msg);
            struct vmr_run *r = src ? vmr_create(&sc.runs[i].cfg, src, msg, sizeof msg) : NULL;
            if (!r) {
                snprintf(err, sizeof err, "backend %s: %s", sc.runs[i].backend, msg);
                rc = -1;
            } else {
                sw->twins[i] = sc.runs[i].cfg.tolerate_errors ? VMB_TWINS_NONE
                               : vmr_timed(r)                 ? VMB_TWINS_PAIRS
                                                              : VMB_TWINS_ALL;
                vmr_destroy(r);
            }
            if (src) vmt_close(src);
        }
        vms_free(&sc);
    }
    free(text);
    if (rc) fprintf(stderr, "vmbench: %s\n", err);
    return rc;
}

/* The points of mine that are run: run[0..) (returned: how many), the
 * first of each set of twins; rep[i]: the run that measures mine[i]. */
static unsigned plan_runs(const struct sweep *sw, const unsigned *mine, unsigned nmine, unsigned *run,
                          unsigned *rep)
{
    unsigned i, k, nrun = 0;
    for (i = 0; i < nmine; i++) {
        for (k = 0; k < nrun && !vmb_twin(sw, &sw->pts[run[k]], &sw->pts[mine[i]]); k++) {
        }
        if (k == nrun) run[nrun++] = mine[i];
        rep[i] = k;
    }
    return nrun;
}

/* Build the sweep's points [mine] (one of each set of twins) as a vmsim
 * scenario and run it. */
int vmb_measure(struct sweep *sw, const unsigned *mine, unsigned nmine,
                const struct vmb_measure_opts *o)
{
    char err[512];
    struct vms_scenario sc;
    struct vms_result *res;
    struct vms_run_opts ro;
    struct progress pr;
    unsigned i, nrun;
    unsigned *run = malloc(2 * (size_t)nmine * sizeof *run), *rep = run + nmine;
    char *text;

    if (!run) return -1;
    nrun = plan_runs(sw, mine, nmine, run, rep);
    text = scenario_text(sw, run, nrun);
    if (!text || vms_parse(text, strlen(text), sw->base_path, &sc, err, sizeof err)) {
        if (text) fprintf(stderr, "vmbench: %s\n", err);
        free(text);
        free(run);
        return -1;
    }
    free(text);
    for (i = 0; i < sc.nruns; i++) sc.runs[i].cfg.exact = (uint8_t)sw->exact;
    res = sc.nruns == nrun ? calloc(sc.nruns, sizeof *res) : NULL;
    if (!res) {
        if (sc.nruns != nrun) fprintf(stderr, "vmbench: internal: %zu runs for %u points\n", sc.nruns, nrun);
        vms_free(&sc);
        free(run);
        return -1;
    }
    memset(&pr, 0, sizeof pr);
    pr.sw = sw;
    pr.mine = mine;
    pr.rep = rep;
    pr.nmine = nmine;
    pr.res = res;
    pr.o = o;
    pr.t0 = now_s();
    pr.best = -1;
    memset(&ro, 0, sizeof ro);
    ro.jobs = o->jobs;
    ro.progress = on_progress;
    ro.pctx = &pr;
    ro.stop = &pr.stop;
    ro.pack_budget = o->decode_budget;
    (void)vms_run(&sc, res, &ro);
    if (pr.stop && o->progress == VMB_PROGRESS_BAR) fputc('\n', stderr);
    /* Again, now with the optimum (computed after the runs). */
    sw->nmeasured = 0;
    for (i = 0; i < nmine; i++)
        if (res[rep[i]].started) {
            store_result(&sw->pts[mine[i]], &res[rep[i]]);
            sw->nmeasured++;
        }
    sw->partial = sw->nmeasured < nmine;
    free(res);
    free(run);
    vms_free(&sc);
    return 0;
}

/* ------------------------------------------------------------ merging */

/* The first shard describes the sweep. */
static int load_header(struct sweep *sw, const cJSON *j, const char *path)
{
    const cJSON *bes = cJSON_GetObjectItemCaseSensitive(j, "backends"), *b;
    const cJSON *x;
    unsigned i = 0;
    snprintf(sw->workload_desc, sizeof sw->workload_desc, "%s",
             str_or(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "workload")), ""));
    sw->workload_json = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j, "workload_spec"), 1);
    cJSON_ArrayForEach(b, bes)
    {
        if (sw->nbackends == VMB_MAX_BACKENDS) break;
        sw->backend_names[sw->nbackends] = strdup(b->string);
        sw->backend_json[sw->nbackends++] = cJSON_Duplicate(b, 1);
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "page_sizes")) if (sw->nsizes < VMB_MAX_SIZES) sw->sizes[sw->nsizes++] = (unsigned)x->valuedouble;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "page_counts")) if (sw->ncounts < VMB_MAX_COUNTS) sw->counts[sw->ncounts++] = (unsigned)x->valuedouble;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "policies"))
    {
        int pol = vmr_policy_from_name(str_or(cJSON_GetStringValue(x), ""));
        if (pol > 0 && sw->npolicies < VM_POLICY_COUNT) sw->policies[sw->npolicies++] = (unsigned)pol;
    }
    x = cJSON_GetObjectItemCaseSensitive(j, "objective");
    for (i = 0; i < OBJ_COUNT; i++)
        if (cJSON_IsString(x) && !strcmp(x->valuestring, vmb_objective_names[i])) sw->objective = (int)i;
    x = cJSON_GetObjectItemCaseSensitive(j, "budget");
    sw->budget = cJSON_IsNumber(x) ? (unsigned long)x->valuedouble : 0;
    sw->budget_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "budget_only"));
    vmb_make_points(sw);
    x = cJSON_GetObjectItemCaseSensitive(j, "total_points");
    if (!cJSON_IsNumber(x) || (unsigned)x->valuedouble != sw->npts) {
        fprintf(stderr, "vmbench: %s: total_points does not match the sweep it describes\n", path);
        return -1;
    }
    return 0;
}

/* One point of a shard report. */
static int load_point(struct sweep *sw, const cJSON *p, const char *path)
{
    const cJSON *ix = cJSON_GetObjectItemCaseSensitive(p, "index");
    struct point *q;
    if (!cJSON_IsNumber(ix) || ix->valuedouble < 0 || (unsigned)ix->valuedouble >= sw->npts) {
        fprintf(stderr, "vmbench: %s: a point with a bad \"index\"\n", path);
        return -1;
    }
    q = &sw->pts[(unsigned)ix->valuedouble];
    if (q->measured) {
        fprintf(stderr, "vmbench: %s: point %u appears in two shards\n", path, q->index);
        return -1;
    }
#define U64(k) (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, k)) \
                    ? (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, k)) : 0u)
    q->measured = 1;
    q->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok"));
    snprintf(q->error, sizeof q->error, "%s", str_or(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "error")), ""));
    for (unsigned k = 0; k < vmb_ncounts; k++) *vmb_count_at(q, &vmb_counts[k]) = U64(vmb_counts[k].key);
    q->has_opt = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "opt_misses"));
    q->ram_cost = (size_t)U64("ram_cost");
#undef U64
    return 0;
}

int vmb_load_points(struct sweep *sw, const cJSON *j, const char *path, int first)
{
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(j, "points"), *p;
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(j, "tool");
    if (!cJSON_IsString(tool) || strcmp(tool->valuestring, "vmbench") || !cJSON_IsArray(pts)) {
        fprintf(stderr, "vmbench: %s: not a vmbench report (expected \"tool\": \"vmbench\" and \"points\")\n", path);
        return -1;
    }
    if (first) {
        if (load_header(sw, j, path)) return -1;
    } else {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "total_points");
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "workload"));
        if (!cJSON_IsNumber(x) || (unsigned)x->valuedouble != sw->npts || !w || strcmp(w, sw->workload_desc)) {
            fprintf(stderr, "vmbench: %s: a shard of a different sweep (workload or point count differs)\n", path);
            return -1;
        }
    }
    cJSON_ArrayForEach(p, pts)
    {
        if (load_point(sw, p, path)) return -1;
    }
    return 0;
}

void vmb_free(struct sweep *sw)
{
    unsigned u;
    free(sw->pts);
    sw->pts = NULL;
    for (u = 0; u < sw->nbackends; u++) {
        free(sw->backend_names[u]);
        cJSON_Delete(sw->backend_json[u]);
    }
    sw->nbackends = 0;
    cJSON_Delete(sw->workload_json);
    sw->workload_json = NULL;
}
