/*
 * vms_matrix.c - running a scenario and reporting it (see vms_matrix.h).
 *
 * Each workload is decoded once into memory when it fits a budget, and every
 * run (on any thread) reads that copy; a workload too large for the budget
 * is streamed by each run from its own source. Runs share nothing they
 * write, so they can go to worker threads in any order. The optimum is computed once per
 * (workload, page size) for every page count used with them, in one pass
 * (OPT is a stack algorithm; vmt_opt_misses does all counts at once), as a
 * task of the same worker pool, queued just before the first run of its
 * group: a run that starts has had its optimum started before it.
 */
#include "vms_matrix.h"
#include "vms_units.h"
#include "vmr_stack.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The workloads decoded once (NULL: streamed by each run), shared read-only. */
struct packs {
    struct vmt_pack **p;
    size_t n;
};

static struct vmt_source *open_workload(const struct vms_scenario *sc, const struct packs *pk,
                                        size_t w, char *err, size_t errlen)
{
    if (pk->p && pk->p[w]) {
        struct vmt_source *s = vmt_pack_open(pk->p[w]);
        if (!s) snprintf(err, errlen, "out of memory");
        return s;
    }
    return vms_open_workload(sc, w, err, errlen);
}

/* Decode every workload a run uses once, while they fit the budget. */
static void pack_workloads(const struct vms_scenario *sc, struct packs *pk, size_t budget)
{
    pk->n = sc->nworkloads;
    pk->p = calloc(pk->n ? pk->n : 1, sizeof *pk->p);
    if (!pk->p) return;
    for (size_t w = 0; w < pk->n; w++) {
        int used = 0;
        char err[256];
        for (size_t i = 0; i < sc->nruns && !used; i++) used = sc->runs[i].workload_index == w;
        if (!used) continue;
        struct vmt_source *src = vms_open_workload(sc, w, err, sizeof err);
        if (!src) continue; /* each run meets the error */
        pk->p[w] = vmt_pack_new(src, budget);
        vmt_close(src);
        if (pk->p[w]) budget -= vmt_pack_memory(pk->p[w]);
    }
}

static void free_packs(struct packs *pk)
{
    for (size_t w = 0; w < pk->n && pk->p; w++) vmt_pack_free(pk->p[w]);
    free(pk->p);
}

static void check_expect(const struct vms_run *run, struct vms_result *res)
{
    const struct vmr_counters *c = &res->r.total;
    uint64_t prog = c->access_read + c->access_written;
    res->traffic_ratio = prog ? (double)(c->bytes_read + c->bytes_written) / (double)prog : 0;
    res->expect_ok = 1;
    if (res->r.ok && run->expect.max_traffic_ratio > 0 &&
        res->traffic_ratio > run->expect.max_traffic_ratio) {
        res->expect_ok = 0;
        snprintf(res->expect_msg, sizeof res->expect_msg,
                 "traffic ratio %.4f exceeds the expected maximum %.4f", res->traffic_ratio,
                 run->expect.max_traffic_ratio);
    }
    double hr = c->touches ? (double)c->hits / (double)c->touches : 0;
    if (res->r.ok && run->expect.min_hit_ratio > 0 && hr < run->expect.min_hit_ratio) {
        res->expect_ok = 0;
        snprintf(res->expect_msg, sizeof res->expect_msg,
                 "hit ratio %.4f is below the expected minimum %.4f", hr,
                 run->expect.min_hit_ratio);
    }
}

static void run_one(const struct vms_scenario *sc, const struct packs *pk, struct vms_result *res)
{
    char err[256];
    const struct vms_run *run = res->run;
    double t0 = now_s();
    struct vmt_source *src = open_workload(sc, pk, run->workload_index, err, sizeof err);
    res->started = 1;
    if (!src) {
        memset(&res->r, 0, sizeof res->r);
        snprintf(res->r.error, sizeof res->r.error, "%s", err);
        res->wall_s = now_s() - t0;
        return;
    }
    vmr_replay(&run->cfg, src, &res->r);
    vmt_close(src);
    res->wall_s = now_s() - t0;
    check_expect(run, res);
}

/* The optimum of one (workload, page size): every page count its runs use. */
struct opt_group {
    size_t first;       /* its first run */
    uint32_t *counts;   /* page counts, nc of them */
    uint64_t *misses;   /* misses at each, once computed */
    size_t nc;
    int rc;             /* 0 computed; -1 failed (err); 1 not computed */
    char err[160];
};

/* A task of the pool: run i (i < nruns), or the optimum of group i - nruns. */
struct pool {
    const struct vms_scenario *sc;
    const struct packs *pk;
    struct vms_result *res;
    size_t *order;              /* tasks in the order they are taken */
    size_t ntasks;
    struct opt_group *groups;
    size_t ngroups;
    size_t next, done;
    pthread_mutex_t mu;
    const struct vms_run_opts *o;
};

static void opt_one(const struct vms_scenario *sc, const struct packs *pk, struct opt_group *g)
{
    const struct vms_run *r = &sc->runs[g->first];
    struct vmt_source *src = open_workload(sc, pk, r->workload_index, g->err, sizeof g->err);
    g->rc = -1;
    if (!src) return;
    g->rc = vmt_opt_misses(src, r->cfg.pager.page_size, g->counts, g->nc, g->misses, g->err,
                           sizeof g->err) < 0 ? -1 : 0;
    vmt_close(src);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    const size_t nruns = p->sc->nruns;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t k = p->o->stop && *p->o->stop ? p->ntasks : p->next++;
        pthread_mutex_unlock(&p->mu);
        if (k >= p->ntasks) return NULL;
        size_t i = p->order[k];
        if (i >= nruns) {
            opt_one(p->sc, p->pk, &p->groups[i - nruns]);
            continue;
        }
        run_one(p->sc, p->pk, &p->res[i]);
        pthread_mutex_lock(&p->mu);
        p->done++;
        if (p->o->progress) p->o->progress(p->o->pctx, p->done, nruns, &p->res[i]);
        pthread_mutex_unlock(&p->mu);
    }
}

/* The runs of one (workload, page size) with a given page count. */
static int same_group(const struct vms_run *a, const struct vms_run *b)
{
    return a->workload_index == b->workload_index &&
           a->cfg.pager.page_size == b->cfg.pager.page_size;
}

/* The pool's tasks: every run in order and, with the optimum, each group's
 * optimum just before its first run. group_of[i]: run i's group. */
static int plan_tasks(struct pool *p, size_t *group_of)
{
    const struct vms_scenario *sc = p->sc;
    size_t n = sc->nruns;
    p->order = malloc((2 * n + 1) * sizeof *p->order);
    p->groups = calloc(n + 1, sizeof *p->groups);
    if (!p->order || !p->groups) return -1;
    p->ntasks = 0;
    for (size_t i = 0; i < n; i++) {
        size_t g = 0;
        if (sc->opt) {
            while (g < p->ngroups && !same_group(&sc->runs[p->groups[g].first], &sc->runs[i]))
                g++;
            if (g == p->ngroups) {
                struct opt_group *og = &p->groups[p->ngroups++];
                og->first = i;
                og->rc = 1;
                og->counts = malloc(n * sizeof *og->counts);
                og->misses = calloc(n, sizeof *og->misses);
                if (!og->counts || !og->misses) return -1;
                p->order[p->ntasks++] = n + g;
            }
            struct opt_group *og = &p->groups[g];
            size_t k = 0;
            while (k < og->nc && og->counts[k] != sc->runs[i].cfg.pager.page_count) k++;
            if (k == og->nc) og->counts[og->nc++] = sc->runs[i].cfg.pager.page_count;
        }
        group_of[i] = g;
        p->order[p->ntasks++] = i;
    }
    return 0;
}

/* Each run that started gets its group's optimum at its page count. */
static void add_opt(const struct pool *p, const size_t *group_of)
{
    for (size_t i = 0; i < p->sc->nruns; i++) {
        struct vms_result *r = &p->res[i];
        const struct opt_group *g = &p->groups[group_of[i]];
        if (!r->started || g->rc > 0) continue;
        if (g->rc < 0) {
            snprintf(r->opt_error, sizeof r->opt_error, "%s", g->err);
            continue;
        }
        for (size_t k = 0; k < g->nc; k++)
            if (g->counts[k] == r->run->cfg.pager.page_count) {
                r->has_opt = 1;
                r->opt_misses = g->misses[k];
            }
    }
}

size_t vms_run(const struct vms_scenario *sc, struct vms_result *res,
               const struct vms_run_opts *opts)
{
    struct pool p;
    struct packs pk;
    int jobs = opts->jobs;
    memset(res, 0, sc->nruns * sizeof *res);
    for (size_t i = 0; i < sc->nruns; i++) res[i].run = &sc->runs[i];
    memset(&pk, 0, sizeof pk);
    pack_workloads(sc, &pk, opts->pack_budget ? opts->pack_budget : VMS_PACK_BUDGET);
    memset(&p, 0, sizeof p);
    p.sc = sc;
    p.pk = &pk;
    p.res = res;
    p.o = opts;
    size_t *group_of = calloc(sc->nruns + 1, sizeof *group_of);
    if (!group_of || plan_tasks(&p, group_of)) {
        /* out of memory: no run starts, each is reported as not run */
        p.ntasks = 0;
    }
    pthread_mutex_init(&p.mu, NULL);
    if (jobs < 1) jobs = 1;
    if ((size_t)jobs > p.ntasks) jobs = (int)p.ntasks;
    pthread_t *th = jobs > 1 ? calloc((size_t)jobs, sizeof *th) : NULL;
    int started = 0;
    if (th)
        for (int i = 0; i < jobs; i++)
            if (pthread_create(&th[i], NULL, worker, &p) == 0) started++;
    if (started == 0) worker(&p);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&p.mu);
    if (sc->opt && p.ntasks) add_opt(&p, group_of);
    for (size_t g = 0; g < p.ngroups; g++) {
        free(p.groups[g].counts);
        free(p.groups[g].misses);
    }
    free(p.groups);
    free(p.order);
    free(group_of);
    free_packs(&pk);
    size_t failed = 0;
    for (size_t i = 0; i < sc->nruns; i++)
        if (!res[i].started || !res[i].r.ok || !res[i].expect_ok) failed++;
    return failed;
}

size_t vms_run_all(const struct vms_scenario *sc, struct vms_result *res, int jobs,
                   vms_progress_fn progress, void *pctx)
{
    struct vms_run_opts o;
    memset(&o, 0, sizeof o);
    o.jobs = jobs;
    o.progress = progress;
    o.pctx = pctx;
    return vms_run(sc, res, &o);
}

/* ------------------------------------------------------------- reports */

static double hit_ratio(const struct vmr_counters *c)
{
    return c->touches ? (double)c->hits / (double)c->touches : 0.0;
}

/* Effective throughput: program bytes per simulated second, in KiB/s. */
static double throughput_kib(const struct vmr_counters *c)
{
    if (!c->time_ns) return 0;
    return (double)(c->access_read + c->access_written) / 1024.0 / ((double)c->time_ns * 1e-9);
}

int vms_report_table(FILE *f, const struct vms_scenario *sc, const struct vms_result *res,
                     int colour)
{
    const char *red = colour ? "\033[31m" : "", *green = colour ? "\033[32m" : "",
               *yellow = colour ? "\033[33m" : "", *bold = colour ? "\033[1m" : "",
               *off = colour ? "\033[0m" : "";
    size_t wb = 7, wp = 5, ww = 8;
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_run *r = res[i].run;
        if (strlen(r->backend) > wb) wb = strlen(r->backend);
        if (strlen(r->pager) > wp) wp = strlen(r->pager);
        if (strlen(r->workload) > ww) ww = strlen(r->workload);
    }
    fprintf(f, "%s%s%s", bold, sc->name, off);
    if (sc->description[0]) fprintf(f, ": %s", sc->description);
    fprintf(f, "\n%s%-*s  %-*s  %-*s  %8s  %6s  %8s  %8s  %8s  %9s  %9s  %7s  %9s  %9s  %6s  %s%s\n",
            bold, (int)wb, "backend", (int)wp, "pager", (int)ww, "workload", "ops", "hit%",
            "misses", "opt", "wbacks", "KiB read", "KiB writ", "traffic", "sim time", "KiB/s",
            "RAM B", "status", off);
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_result *x = &res[i];
        const struct vms_run *r = x->run;
        const struct vmr_counters *c = &x->r.total;
        char ops[16], mis[16], opt[16], wbk[16], tm[24], thr[24], tr[16];
        vms_fmt_count(ops, sizeof ops, c->ops);
        vms_fmt_count(mis, sizeof mis, c->misses);
        if (x->has_opt)
            vms_fmt_count(opt, sizeof opt, x->opt_misses);
        else
            snprintf(opt, sizeof opt, "-");
        vms_fmt_count(wbk, sizeof wbk, c->writebacks);
        vms_fmt_time(tm, sizeof tm, c->time_ns, VMS_TIME_TABLE);
        if (c->time_ns)
            snprintf(thr, sizeof thr, "%.1f", throughput_kib(c));
        else
            snprintf(thr, sizeof thr, "-");
        if (x->traffic_ratio > 0)
            snprintf(tr, sizeof tr, "%.3fx", x->traffic_ratio);
        else
            snprintf(tr, sizeof tr, "-");
        double hr = hit_ratio(c);
        const char *hc = hr >= 0.95 ? green : hr >= 0.8 ? yellow : red;
        int ok = x->r.ok && x->expect_ok;
        fprintf(f, "%-*s  %-*s  %-*s  %8s  %s%6.2f%s  %8s  %8s  %8s  %9.1f  %9.1f  %7s  %9s  %9s  %6lu  %s%s%s\n",
                (int)wb, r->backend, (int)wp, r->pager, (int)ww, r->workload, ops, hc,
                hr * 100.0, off, mis, opt, wbk, (double)c->bytes_read / 1024.0,
                (double)c->bytes_written / 1024.0, tr, tm, thr, (unsigned long)x->r.ram_cost,
                ok ? green : red, ok ? "ok" : "FAIL", off);
    }
    size_t failed = 0;
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_result *x = &res[i];
        if (x->r.ok && x->expect_ok) continue;
        failed++;
        fprintf(f, "%s%s / %s / %s: %s%s\n", red, x->run->backend, x->run->pager,
                x->run->workload, x->r.ok ? x->expect_msg : x->r.error, off);
    }
    /* A geometry the board cannot hold: more RAM than its MCU has. */
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_result *x = &res[i];
        const char *prof = x->run->cfg.backend.profile;
        size_t lim = vmr_ram_limit(prof);
        if (lim && x->r.ram_cost > lim)
            fprintf(f, "%s%s / %s: needs %lu B of RAM; the %s has %lu B%s\n", yellow, x->run->backend,
                    x->run->pager, (unsigned long)x->r.ram_cost, prof, (unsigned long)lim, off);
    }
    /* Where the time went, per run with a clock. */
    int any = 0;
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_result *x = &res[i];
        const struct vmr_counters *c = &x->r.total;
        if (!c->time_ns) continue;
        if (!any)
            fprintf(f, "%s%-*s  %-*s  %-*s  %9s  %9s  %9s  %9s%s\n", bold, (int)wb, "time split",
                    (int)wp, "pager", (int)ww, "workload", "pager CPU", "prog CPU", "transfer",
                    "dev wait", off);
        any = 1;
        double t = (double)c->time_ns / 100.0;
        fprintf(f, "%-*s  %-*s  %-*s  %8.1f%%  %8.1f%%  %8.1f%%  %8.1f%%\n", (int)wb,
                x->run->backend, (int)wp, x->run->pager, (int)ww, x->run->workload,
                (double)c->pager_ns / t, (double)c->program_ns / t, (double)c->transfer_ns / t,
                (double)c->wait_ns / t);
    }
    fprintf(f, "%zu runs, %s%zu failed%s\n", sc->nruns, failed ? red : "", failed, off);
    return ferror(f) ? -1 : 0;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* A finite double with enough digits to be exact enough, stable across runs. */
static void json_num(FILE *f, double v)
{
    if (!isfinite(v)) v = 0;
    fprintf(f, "%.6g", v);
}

static void json_counters(FILE *f, const struct vmr_counters *c, const char *ind)
{
    static const char *const names[] = {
        "ops",          "touches",        "hits",          "misses",         "loads",
        "fills",        "evictions",      "writebacks",    "bytes_read",     "bytes_written",
        "backend_reads", "backend_writes", "backend_errors", "op_errors",     "access_read",
        "access_written", "locks",        "time_ns",       "verified_bytes", "pager_cpu_ns",
        "program_cpu_ns", "transfer_ns",  "device_wait_ns"};
    const uint64_t v[] = {c->ops,           c->touches,       c->hits,          c->misses,
                          c->loads,         c->fills,         c->evictions,     c->writebacks,
                          c->bytes_read,    c->bytes_written, c->backend_reads, c->backend_writes,
                          c->backend_errors, c->op_errors,    c->access_read,   c->access_written,
                          c->locks,         c->time_ns,       c->verified,      c->pager_ns,
                          c->program_ns,    c->transfer_ns,   c->wait_ns};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        fprintf(f, "%s\"%s\": %llu,\n", ind, names[i], (unsigned long long)v[i]);
    fprintf(f, "%s\"hit_ratio\": ", ind);
    json_num(f, hit_ratio(c));
    fprintf(f, ",\n%s\"throughput_kib_s\": ", ind);
    if (c->time_ns)
        json_num(f, throughput_kib(c));
    else
        fputs("null", f);
}

int vms_report_json(FILE *f, const struct vms_scenario *sc, const struct vms_result *res)
{
    size_t failed = 0;
    fprintf(f, "{\n  \"scenario\": ");
    json_str(f, sc->name);
    fprintf(f, ",\n  \"description\": ");
    json_str(f, sc->description);
    fprintf(f, ",\n  \"format\": \"vmsim-report-1\",\n  \"runs\": [\n");
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_result *x = &res[i];
        const struct vms_run *r = x->run;
        const struct vm_device_desc *b = &r->cfg.backend;
        int ok = x->r.ok && x->expect_ok;
        if (!ok) failed++;
        fprintf(f, "    {\n      \"backend\": ");
        json_str(f, r->backend);
        fprintf(f, ",\n      \"backend_type\": ");
        json_str(f, vmr_backend_type_name(b->type));
        fprintf(f, ",\n      \"profile\": ");
        json_str(f, b->profile);
        fprintf(f, ",\n      \"pager\": ");
        json_str(f, r->pager);
        fprintf(f, ",\n      \"page_size\": %u,\n      \"page_count\": %u,\n      \"policy\": \"%s\",\n",
                r->cfg.pager.page_size, r->cfg.pager.page_count,
                vm_policy_name(r->cfg.pager.policy));
        fprintf(f, "      \"workload\": ");
        json_str(f, r->workload);
        fprintf(f, ",\n      \"ok\": %s,\n      \"error\": ", ok ? "true" : "false");
        json_str(f, x->r.ok ? x->expect_msg : x->r.error);
        fprintf(f, ",\n      \"pool_size\": %llu,\n      \"ram_cost\": %lu,\n      \"dirty_at_end\": %llu,\n",
                (unsigned long long)x->r.pool_size, (unsigned long)x->r.ram_cost,
                (unsigned long long)x->r.dirty_at_end);
        fprintf(f, "      \"mcu_ram\": ");
        if (vmr_ram_limit(b->profile))
            fprintf(f, "%lu,\n", (unsigned long)vmr_ram_limit(b->profile));
        else
            fputs("null,\n", f);
        fprintf(f, "      \"verified_full\": %s,\n      \"opt_misses\": ",
                x->r.verified_full ? "true" : "false");
        if (x->has_opt)
            fprintf(f, "%llu", (unsigned long long)x->opt_misses);
        else
            fputs("null", f);
        if (!x->has_opt && x->opt_error[0]) {
            fprintf(f, ",\n      \"opt_error\": ");
            json_str(f, x->opt_error);
        }
        fprintf(f, ",\n      \"traffic_ratio\": ");
        json_num(f, x->traffic_ratio);
        fprintf(f, ",\n");
        json_counters(f, &x->r.total, "      ");
        fprintf(f, ",\n      \"phases\": [");
        for (uint32_t k = 0; k < x->r.phase_count; k++) {
            const struct vmr_phase *ph = &x->r.phases[k];
            fprintf(f, "%s\n        {\n          \"name\": ", k ? "," : "");
            json_str(f, ph->name);
            fprintf(f, ",\n          \"segments\": %u,\n", ph->segments);
            json_counters(f, &ph->c, "          ");
            fprintf(f, "\n        }");
        }
        fprintf(f, "%s]\n    }%s\n", x->r.phase_count ? "\n      " : "",
                i + 1 < sc->nruns ? "," : "");
    }
    fprintf(f, "  ],\n  \"summary\": {\"runs\": %zu, \"failed\": %zu}\n}\n", sc->nruns, failed);
    return ferror(f) ? -1 : 0;
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

int vms_report_csv(FILE *f, const struct vms_scenario *sc, const struct vms_result *res)
{
    fprintf(f, "backend,backend_type,profile,pager,page_size,page_count,policy,workload,ok,"
               "ops,touches,hits,misses,opt_misses,hit_ratio,loads,evictions,writebacks,"
               "bytes_read,bytes_written,access_read,access_written,traffic_ratio,time_ns,"
               "throughput_kib_s,ram_cost,pager_cpu_ns,program_cpu_ns,transfer_ns,device_wait_ns,"
               "error\n");
    for (size_t i = 0; i < sc->nruns; i++) {
        const struct vms_result *x = &res[i];
        const struct vms_run *r = x->run;
        const struct vmr_counters *c = &x->r.total;
        csv_field(f, r->backend);
        fprintf(f, ",%s,", vmr_backend_type_name(r->cfg.backend.type));
        csv_field(f, r->cfg.backend.profile);
        fputc(',', f);
        csv_field(f, r->pager);
        fprintf(f, ",%u,%u,%s,", r->cfg.pager.page_size, r->cfg.pager.page_count,
                vm_policy_name(r->cfg.pager.policy));
        csv_field(f, r->workload);
        fprintf(f, ",%d,%llu,%llu,%llu,%llu,", x->r.ok && x->expect_ok,
                (unsigned long long)c->ops, (unsigned long long)c->touches,
                (unsigned long long)c->hits, (unsigned long long)c->misses);
        if (x->has_opt) fprintf(f, "%llu", (unsigned long long)x->opt_misses);
        fprintf(f, ",%.6g,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6g,%llu,", hit_ratio(c),
                (unsigned long long)c->loads, (unsigned long long)c->evictions,
                (unsigned long long)c->writebacks, (unsigned long long)c->bytes_read,
                (unsigned long long)c->bytes_written, (unsigned long long)c->access_read,
                (unsigned long long)c->access_written, x->traffic_ratio,
                (unsigned long long)c->time_ns);
        if (c->time_ns) fprintf(f, "%.6g", throughput_kib(c));
        fprintf(f, ",%lu,%llu,%llu,%llu,%llu,", (unsigned long)x->r.ram_cost,
                (unsigned long long)c->pager_ns, (unsigned long long)c->program_ns,
                (unsigned long long)c->transfer_ns, (unsigned long long)c->wait_ns);
        csv_field(f, x->r.ok ? x->expect_msg : x->r.error);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}
