/*
 * vmv_bench.c - vmview-bench: what the live view costs, measured side by side.
 *
 *   vmview-bench SCENARIO [--run K] [--size WxH] [--window] [--repeat N] [--frames N]
 *
 * For run K (default 1) of the scenario it replays the whole trace
 *   headless  - the replay engine alone (no observer: vmsim's fast path),
 *   observed  - the view's model (observer on every op and event), no drawing,
 *   view      - the view at "as fast as possible": replay for 11 ms, draw a
 *               frame, repeat (what the window does at full speed),
 * alternating them --repeat times (default 3) and reporting the median wall
 * time of each and the ratios. Then it draws --frames frames (default 120)
 * of the whole scenario (every run, as the window shows it) half-way through
 * the trace and reports the frame time (mean, 95th percentile, max).
 * Drawing goes to an offscreen software surface unless --window is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "vmv_model.h"
#include "vms_scenario.h"
#include "vmv_view.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "vmview-bench: ");
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\nusage: vmview-bench SCENARIO [--run K] [--size WxH] [--window] "
                    "[--repeat N] [--frames N]\n");
    return 2;
}

static double run_headless(const struct vms_scenario *sc, const struct vms_run *run,
                           uint64_t *ops, double *cpu)
{
    char err[256];
    struct vmt_source *src = vms_open_workload(sc, run->workload_index, err, sizeof err);
    if (!src) return -1;
    struct vmr_run *r = vmr_create(&run->cfg, src, err, sizeof err);
    if (!r) {
        vmt_close(src);
        return -1;
    }
    double t0 = now_s(), c0 = cpu_s();
    while (vmr_step(r, 1u << 20) > 0) {
    }
    double t = now_s() - t0;
    *cpu = cpu_s() - c0;
    *ops = vmr_counters(r)->ops;
    vmr_destroy(r);
    vmt_close(src);
    return t;
}

static struct vmv_view *open_view(const struct vms_scenario *sc, int window, int w, int h)
{
    char err[512];
    struct vmv_options o = {0, vmv_speed_max(), 0}; /* no OPT timeline: not replay work */
    struct vmv_view *v = vmv_view_new(sc, &o, err, sizeof err);
    if (!v) {
        fprintf(stderr, "vmview-bench: %s\n", err);
        return NULL;
    }
    int rc = window ? vmv_view_open_window(v, w, h, err, sizeof err)
                    : vmv_view_open_offscreen(v, w, h, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "vmview-bench: %s\n", err);
        vmv_view_free(v);
        return NULL;
    }
    return v;
}

struct bench_opts {
    const char *path;
    unsigned long run_k;
    int w, h, window, repeat, frames;
};

/* Reads the command line into o; returns -1 when it is good, else the exit code. */
static int parse_args(int argc, char **argv, struct bench_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--window") == 0) {
            o->window = 1;
        } else if (strcmp(a, "--run") == 0 || strcmp(a, "--size") == 0 ||
                   strcmp(a, "--repeat") == 0 || strcmp(a, "--frames") == 0) {
            if (i + 1 >= argc) return usage("%s needs a value", a);
            const char *val = argv[++i];
            char x;
            if (strcmp(a, "--size") == 0) {
                if (sscanf(val, "%d%c%d", &o->w, &x, &o->h) != 3 || x != 'x' || o->w < 320 || o->h < 240)
                    return usage("--size: expected WIDTHxHEIGHT, got \"%s\"", val);
            } else {
                char *end;
                long n = strtol(val, &end, 10);
                if (*end || n < 1 || n > 100000) return usage("%s: expected a positive number", a);
                if (strcmp(a, "--run") == 0) o->run_k = (unsigned long)n;
                else if (strcmp(a, "--repeat") == 0) o->repeat = (int)n;
                else o->frames = (int)n;
            }
        } else if (a[0] == '-') {
            return usage("unknown option %s", a);
        } else if (!o->path) {
            o->path = a;
        } else {
            return usage("unexpected argument \"%s\"", a);
        }
    }
    if (!o->path) return usage("no SCENARIO given%s", "");
    if (o->repeat > 15) o->repeat = 15;
    return -1;
}

/* Run K of sc (one = a scenario of that run alone) headless, observed and
 * viewed, alternated o->repeat times; prints the medians. Returns 0 or 1. */
static int measure_replay(const struct vms_scenario *sc, const struct vms_scenario *one,
                          const struct bench_opts *o)
{
    char err[512];
    const struct vms_run *run = one->runs;
    int repeat = o->repeat;
    double th[16], to[16], tv[16], ch[16], co[16], cv[16];
    uint64_t ops = 0, vframes = 0;
    double vdraw = 0;
    for (int k = 0; k < repeat; k++) {
        th[k] = run_headless(sc, run, &ops, &ch[k]);
        if (th[k] < 0) {
            fprintf(stderr, "vmview-bench: run %lu cannot be replayed\n", o->run_k);
            return 1;
        }
        struct vmv_model m;
        if (vmv_model_open(&m, one, 0, err, sizeof err)) {
            fprintf(stderr, "vmview-bench: %s\n", err);
            return 1;
        }
        double t0 = now_s(), c0 = cpu_s();
        while (vmv_model_live(&m)) vmv_model_step(&m, 1u << 20);
        to[k] = now_s() - t0;
        co[k] = cpu_s() - c0;
        vmv_model_close(&m);
        struct vmv_view *v = open_view(one, o->window, o->w, o->h);
        if (!v) return 1;
        t0 = now_s();
        c0 = cpu_s();
        struct vmv_model *vm = vmv_view_model(v);
        while (vmv_model_live(vm)) {
            vmv_view_advance(v, 1.0 / 60, 0.011);
            vmv_view_draw(v);
            if (o->window) vmv_view_pump(v);
        }
        tv[k] = now_s() - t0;
        cv[k] = cpu_s() - c0;
        uint64_t fr;
        double ds, dm;
        vmv_view_frame_stats(v, &fr, &ds, &dm);
        vframes += fr;
        vdraw += ds;
        vmv_view_free(v);
    }
    double mh = median(th, repeat), mo = median(to, repeat), mv = median(tv, repeat);
    double mch = median(ch, repeat), mco = median(co, repeat), mcv = median(cv, repeat);
    printf("vmview-bench %s, run %lu: %s / %s / %s\n", o->path, o->run_k, run->backend, run->pager,
           run->workload);
    printf("  %llu ops, %d repetitions alternated, medians; drawing %s %dx%d\n",
           (unsigned long long)ops, repeat, o->window ? "to a window" : "offscreen (software)", o->w,
           o->h);
    printf("  %-34s %9s %12s %9s %10s\n", "", "wall s", "ops/s", "CPU s", "CPU ratio");
    printf("  %-34s %9.3f %12.0f %9.3f %9.2fx\n", "headless (no observer)", mh, (double)ops / mh,
           mch, 1.0);
    printf("  %-34s %9.3f %12.0f %9.3f %9.2fx\n", "observed (model, no drawing)", mo,
           (double)ops / mo, mco, mco / mch);
    printf("  %-34s %9.3f %12.0f %9.3f %9.2fx\n", "view at full speed (11 ms + draw)", mv,
           (double)ops / mv, mcv, mcv / mch);
    printf("  view frames: %llu, mean draw %.2f ms (one run)\n",
           (unsigned long long)(vframes / (uint64_t)repeat),
           vframes ? 1e3 * vdraw / (double)vframes : 0.0);
    return 0;
}

/* Frame time of the whole scenario, half-way through the trace. Returns 0 or 1. */
static int measure_frames(const struct vms_scenario *sc, const struct bench_opts *o)
{
    int frames = o->frames;
    struct vmv_view *v = open_view(sc, o->window, o->w, o->h);
    if (!v) return 1;
    struct vmv_model *m = vmv_view_model(v);
    uint64_t half = m->runs[0].op_total ? m->runs[0].op_total / 2 : 10000;
    vmv_model_step(m, half);
    vmv_view_set_now(v, 0);
    double *ft = malloc((size_t)frames * sizeof *ft);
    if (!ft) return 1;
    for (int i = 0; i < frames; i++) {
        double t0 = now_s();
        vmv_view_set_now(v, (uint64_t)i * 16);
        vmv_view_draw(v);
        if (o->window) vmv_view_pump(v);
        ft[i] = now_s() - t0;
    }
    double sum = 0;
    for (int i = 0; i < frames; i++) sum += ft[i];
    qsort(ft, (size_t)frames, sizeof *ft, cmp_d);
    printf("  frame time, all %zu runs at op %llu: mean %.2f ms, p95 %.2f ms, max %.2f ms "
           "(%d frames)\n",
           m->nruns, (unsigned long long)half, 1e3 * sum / frames, 1e3 * ft[frames * 95 / 100],
           1e3 * ft[frames - 1], frames);
    free(ft);
    vmv_view_free(v);
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts o = {NULL, 1, 1280, 800, 0, 3, 120};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    char err[512];
    struct vms_scenario sc;
    if (vms_load(o.path, &sc, err, sizeof err)) {
        fprintf(stderr, "vmview-bench: %s\n", err);
        return 2;
    }
    if (o.run_k > sc.nruns) {
        fprintf(stderr, "vmview-bench: %s: --run %lu: the scenario has %zu runs\n", o.path, o.run_k,
                sc.nruns);
        vms_free(&sc);
        return 2;
    }
    if (SDL_Init(o.window ? SDL_INIT_VIDEO : 0) < 0 || TTF_Init() < 0) {
        fprintf(stderr, "vmview-bench: SDL: %s\n", SDL_GetError());
        return 1;
    }
    /* A one-run scenario for the replay measurements. */
    struct vms_scenario one = sc;
    one.runs = &sc.runs[o.run_k - 1];
    one.nruns = 1;
    if (measure_replay(&sc, &one, &o) || measure_frames(&sc, &o)) return 1;
    vms_free(&sc);
    TTF_Quit();
    SDL_Quit();
    return 0;
}
