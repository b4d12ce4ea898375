/*
 * vmsim.c - the pager simulator's command line.
 *
 *   vmsim [options] SCENARIO.json          run a scenario matrix
 *   vmsim run-trace TRACE [options]        one run without a scenario file
 *   vmsim bench TRACE [options]            replay speed (wall clock), per policy
 *   vmsim convert IN OUT                   between trace formats
 *   vmsim gen SPEC.json OUT --ops N        a generator's ops into a trace file
 *
 * Headless: there is no display code here. A live view attaches through the
 * replay engine's observer (vmr_replay.h), never through this file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vms_matrix.h"
#include "vmr_replay.h"
#include "vms_scenario.h"
#include "vmtrace.h"
#ifdef VMSIM_VIEW /* live view hook: sim/view/vmv_cli.h */
#include "vmv_cli.h"
static struct vmv_cli view_cli;
#endif

enum { EXIT_RUNFAIL = 1, EXIT_USAGE = 2, EXIT_WRITE = 3 };

static const char usage_text[] =
    "usage: vmsim [options] SCENARIO.json\n"
    "       vmsim run-trace TRACE --backend TYPE --pages N --page-size S --policy P [options]\n"
    "       vmsim bench TRACE [--pages 4,8,16,64] [--page-size S] [--policy LIST] [--backend TYPE]\n"
    "       vmsim convert IN OUT [--from FORMAT] [--to FORMAT] [--id-bytes N]\n"
    "       vmsim gen SPEC.json OUT [--ops N] [--to FORMAT]\n"
    "\n"
    "Replays workloads through the core pager over simulated backends (ram, sram, sd,\n"
    "serial, fram) and reports hits, misses, misses at the optimum, write-backs, backend\n"
    "bytes, simulated time and throughput. Runs headless.\n"
    "\n"
    "Report options (scenario and run-trace):\n"
    "  --json FILE      write the JSON report to FILE ('-' for stdout)\n"
    "  --csv FILE       write a CSV report to FILE ('-' for stdout)\n"
    "  --out DIR        where the default report goes (default: out/)\n"
    "  --no-save        do not write the default report\n"
    "                   (by default the JSON report is saved as out/<scenario name>.json\n"
    "                   under the current directory)\n"
    "  --quiet          no table and no progress on stderr\n"
    "  --jobs N         run N runs at once (results do not depend on N)\n"
    "  --verify         keep a shadow of the pool and check every read (all runs)\n"
    "  --no-opt         skip the misses at the optimum\n"
    "  --exact          clock every bus byte through the byte-exact device models\n"
    "                   (default: priced once per transaction shape where a device\n"
    "                   allows it; the numbers are the same)\n"
    "\n"
    "Live view (docs/live-view.md; needs a build with SDL2):\n"
    "  --view           watch the runs in an SDL2 window first, then report as usual\n"
    "  --screenshot F   draw the view after --at N ops into the PNG file F and exit\n"
    "  --at N           with --screenshot: after N operations (default 0)\n"
    "  --view-size WxH  window or screenshot size (default 1280x800)\n"
    "  --no-view        no window (the default; overrides --view)\n"
    "\n"
    "run-trace / bench options:\n"
    "  --backend TYPE   ram (default), sram, sd, serial or fram\n"
    "  --profile NAME   platform profile (atmega328p, teensy32, ...)\n"
    "  --cpu-mhz N      the board's CPU clock (teensy32: 72, 96, 120 or 144)\n"
    "  --spi-hz N       SPI clock the driver asks for\n"
    "  --KEY VALUE      a device setting, as in scenarios (docs/scenario-format.md):\n"
    "                   --chip C --chips N (sram), --card C --sdhc B --image F\n"
    "                   --pool-file N (sd), --link L --baud N (serial),\n"
    "                   --i2c-hz N --max-xfer N (fram)\n"
    "  --pages N        page count (bench: a comma list)\n"
    "  --page-size S    page size in bytes (default 64)\n"
    "  --policy P       fifo, lru, clock, sieve (bench: a comma list or 'all')\n"
    "  --format F       trace format when it cannot be detected\n"
    "\n"
    "Exit status: 0 every run succeeded and every check passed; 1 a run failed (an\n"
    "error, a data mismatch, a broken expectation); 2 bad usage or a malformed\n"
    "scenario or trace file; 3 a report could not be written.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "vmsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(vmsim --help for usage)\n");
    return EXIT_USAGE;
}

struct opts {
    const char *json, *csv, *outdir, *format;
    int no_save, quiet, jobs, verify, no_opt, exact;
    struct vm_device_desc be;
    const char *dev_opt[16], *dev_val[16]; /* device settings, applied once --backend is known */
    int ndev;
    const char *pages, *page_size, *id_bytes, *policy, *ops, *from, *to;
    const char *pos[3];
    int npos;
};

static int parse_uint_arg(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || v > max) return -1;
    *out = v;
    return 0;
}

/* The device setting an option names ("baud", "i2c-hz"), or NULL. */
static const struct vm_device_key *device_key(const char *opt)
{
    char name[32];
    size_t n = strlen(opt);
    if (n >= sizeof name) return NULL;
    for (size_t i = 0; i <= n; i++) name[i] = opt[i] == '-' ? '_' : opt[i];
    return vmr_device_key_any(name);
}

/* Store the device settings given on the command line into o->be: each is
 * checked as its declaration says, and kept when the backend has it. */
static int apply_device_opts(struct opts *o)
{
    const struct vm_device *dev = vmr_device(o->be.type);
    for (int i = 0; i < o->ndev; i++) {
        const struct vm_device_key *k = device_key(o->dev_opt[i]);
        const struct vm_device_key *own = vm_device_key_find(dev, k->name);
        struct vm_device_desc scratch = o->be;
        char err[160];
        if (vm_device_put_text(own ? &o->be : &scratch, own ? own : k, o->dev_val[i], err, sizeof err))
            return usage_error("%s", err);
    }
    /* Names and the files they point to are checked before any work. */
    char err[512];
    if (vmr_profile_pick(o->be.profile, sizeof o->be.profile, err, sizeof err))
        return usage_error("--profile: %s", err);
    if (dev->check && dev->check(&o->be, err, sizeof err)) return usage_error("%s", err);
    return 0;
}

/* --backend, --cpu-mhz, --spi-hz, --jobs: checked as they are read. Returns
 * 0, or the exit code of a usage error. */
static int value_opt(struct opts *o, const char *a, const char *v)
{
    unsigned long long n;
    if (strcmp(a, "--backend") == 0) {
        char names[128];
        int t = vmr_backend_type_from_name(v);
        if (t < 0) {
            fprintf(stderr, "vmsim: --backend: expected %s, got \"%s\"\n(vmsim --help for usage)\n",
                    vmr_backend_names(names, sizeof names, "", ", ", " or "), v);
            return EXIT_USAGE;
        }
        o->be.type = (uint8_t)t;
    } else if (strcmp(a, "--cpu-mhz") == 0) {
        if (parse_uint_arg(v, 1000, &n) || n < 1) return usage_error("--cpu-mhz: expected 1..1000, got \"%s\"", v);
        o->be.cpu_hz = (uint32_t)n * 1000000u;
    } else if (strcmp(a, "--spi-hz") == 0) {
        if (parse_uint_arg(v, 100000000, &n)) return usage_error("--spi-hz: bad number \"%s\"", v);
        o->be.spi_hz = (uint32_t)n;
    } else {
        if (parse_uint_arg(v, 256, &n) || n < 1) return usage_error("--jobs: expected 1..256, got \"%s\"", v);
        o->jobs = (int)n;
    }
    return 0;
}

/* The options that only set a flag, and those whose value is kept as
 * given: where each goes in o, or NULL for another option. */
static int *flag_opt(struct opts *o, const char *a)
{
    const struct { const char *name; int *flag; } t[] = {
        {"--quiet", &o->quiet}, {"-q", &o->quiet}, {"--no-save", &o->no_save},
        {"--verify", &o->verify}, {"--no-opt", &o->no_opt}, {"--exact", &o->exact}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(a, t[i].name) == 0) return t[i].flag;
    return NULL;
}

static const char **text_opt(struct opts *o, const char *a)
{
    const struct { const char *name; const char **value; } t[] = {
        {"--json", &o->json}, {"--csv", &o->csv}, {"--out", &o->outdir}, {"--format", &o->format},
        {"--pages", &o->pages}, {"--page-size", &o->page_size}, {"--id-bytes", &o->id_bytes},
        {"--policy", &o->policy}, {"--ops", &o->ops}, {"--from", &o->from}, {"--to", &o->to}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(a, t[i].name) == 0) return t[i].value;
    return NULL;
}

static int parse_opts(int argc, char **argv, int first, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->outdir = "out";
    o->jobs = 1;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char **str = NULL;
        int *flag;
        char *field = NULL;
        size_t fieldn = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        } else if ((flag = flag_opt(o, a)) != NULL) {
            *flag = 1;
            continue;
        } else if ((str = text_opt(o, a)) != NULL) {
            /* its value follows */
        } else if (strcmp(a, "--profile") == 0) field = o->be.profile, fieldn = sizeof o->be.profile;
        else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0 || strcmp(a, "--backend") == 0 ||
                 strcmp(a, "--spi-hz") == 0 || strcmp(a, "--cpu-mhz") == 0) {
            if (i + 1 >= argc) return usage_error("%s needs a value", a);
            int rc = value_opt(o, a, argv[++i]);
            if (rc) return rc;
            continue;
        } else if (strncmp(a, "--", 2) == 0 && device_key(a + 2)) {
            if (i + 1 >= argc) return usage_error("%s needs a value", a);
            if (o->ndev == 16) return usage_error("too many device settings at %s", a);
            o->dev_opt[o->ndev] = a + 2;
            o->dev_val[o->ndev++] = argv[++i];
            continue;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else {
            if (o->npos == 3) return usage_error("too many arguments at \"%s\"", a);
            o->pos[o->npos++] = a;
            continue;
        }
        if (i + 1 >= argc) return usage_error("%s needs a value", a);
        if (str)
            *str = argv[++i];
        else {
            const char *v = argv[++i];
            if (strlen(v) >= fieldn) return usage_error("value too long: \"%s\"", v);
            snprintf(field, fieldn, "%s", v);
        }
    }
    return apply_device_opts(o);
}

/* ------------------------------------------------------------ reporting */

static void progress(void *ctx, size_t done, size_t total, const struct vms_result *r)
{
    (void)ctx;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s / %s / %s", done, total, r->run->backend,
            r->run->pager, r->run->workload);
    if (done == total) fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

static int write_report(const char *path, const struct vms_scenario *sc,
                        const struct vms_result *res,
                        int (*fn)(FILE *, const struct vms_scenario *, const struct vms_result *))
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vmsim: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = fn(f, sc, res);
    if (f != stdout) {
        if (fclose(f) != 0) rc = -1;
    } else {
        fflush(f);
    }
    if (rc) fprintf(stderr, "vmsim: error writing %s\n", path);
    return rc;
}

static int run_scenario(struct vms_scenario *sc, const struct opts *o)
{
    if (o->verify)
        for (size_t i = 0; i < sc->nruns; i++) sc->runs[i].cfg.verify = VMR_VERIFY_ON;
    if (o->no_opt) sc->opt = 0;
    for (size_t i = 0; i < sc->nruns; i++) sc->runs[i].cfg.exact = (uint8_t)o->exact;
#ifdef VMSIM_VIEW /* live view hook: -1 means go on headless, as without it */
    int vrc = vmv_cli_run(&view_cli, sc);
    if (vrc >= 0) return vrc;
#endif
    struct vms_result *res = calloc(sc->nruns, sizeof *res);
    if (!res) {
        fprintf(stderr, "vmsim: out of memory\n");
        return EXIT_RUNFAIL;
    }
    int tty = isatty(2) && !o->quiet;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t failed = vms_run_all(sc, res, o->jobs, tty ? progress : NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = failed ? EXIT_RUNFAIL : 0;
    int json_stdout = o->json && strcmp(o->json, "-") == 0;
    int csv_stdout = o->csv && strcmp(o->csv, "-") == 0;
    if (!o->quiet && !json_stdout && !csv_stdout) {
        vms_report_table(stdout, sc, res, isatty(1));
        printf("wall time %.2f s\n",
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    }
    if (o->json && write_report(o->json, sc, res, vms_report_json)) rc = EXIT_WRITE;
    if (o->csv && write_report(o->csv, sc, res, vms_report_csv)) rc = EXIT_WRITE;
    if (!o->json && !o->no_save) {
        char path[512];
        mkdir(o->outdir, 0777);
        snprintf(path, sizeof path, "%s/%s.json", o->outdir, sc->name);
        if (write_report(path, sc, res, vms_report_json))
            rc = EXIT_WRITE;
        else if (!o->quiet)
            printf("report: %s\n", path);
    }
    free(res);
    return rc;
}

/* ------------------------------------------------------------ commands */

/* "--pages: expected 1..N" with the core's limit, VM_PAGE_COUNT_MAX, which
 * the width of its slot index sets (VM_CONFIG_SLOT_BITS). */
static int pages_error(const char *what, const char *arg)
{
    fprintf(stderr, "vmsim: --pages: expected %s1..%u%s, got \"%s\"\n", what, (unsigned)VM_PAGE_COUNT_MAX,
            VM_CONFIG_SLOT_BITS == 8 ? " (an 8-bit slot index; built with -DVM_CONFIG_SLOT_BITS=16, 65534)" : "",
            arg);
    fprintf(stderr, "(vmsim --help for usage)\n");
    return EXIT_USAGE;
}

static int parse_geometry(const struct opts *o, struct vmr_pager_desc *p)
{
    unsigned long long v;
    memset(p, 0, sizeof *p);
    p->page_size = 64;
    p->page_count = 4;
    p->policy = VM_DEFAULT_POLICY;
    if (o->page_size) {
        if (parse_uint_arg(o->page_size, VM_PAGE_SIZE_MAX, &v) || !VM_PAGE_SIZE_OK(v))
            return usage_error("--page-size: expected a power of two from 16 to 4096, got \"%s\"", o->page_size);
        p->page_size = (uint16_t)v;
    }
    if (o->pages) {
        if (parse_uint_arg(o->pages, VM_PAGE_COUNT_MAX, &v) || v < 1)
            return pages_error("", o->pages);
        p->page_count = (vm_slot_t)v;
    }
    if (o->policy) {
        int pol = vmr_policy_from_name(o->policy);
        if (pol < 0) return usage_error("--policy: expected fifo, lru, clock or sieve, got \"%s\"", o->policy);
        p->policy = (uint8_t)pol;
    }
    return 0;
}

static int cmd_run_trace(const struct opts *o)
{
    if (o->npos != 1) return usage_error("run-trace needs exactly one TRACE%s", "");
    struct vms_scenario sc;
    struct vms_workload wl;
    struct vms_run run;
    memset(&sc, 0, sizeof sc);
    memset(&wl, 0, sizeof wl);
    memset(&run, 0, sizeof run);
    if (parse_geometry(o, &run.cfg.pager)) return EXIT_USAGE;
    const char *base = strrchr(o->pos[0], '/');
    base = base ? base + 1 : o->pos[0];
    if (strlen(base) >= sizeof wl.name) {
        char msg[512];
        snprintf(msg, sizeof msg, "the trace's file name is too long for a report (at most %u characters): \"%s\"",
                 (unsigned)sizeof wl.name - 1, base);
        return usage_error("%s", msg);
    }
    snprintf(sc.name, sizeof sc.name, "%.*s", (int)strcspn(base, "."), base);
    snprintf(wl.name, sizeof wl.name, "%s", base);
    wl.path = (char *)o->pos[0];
    if (o->format) snprintf(wl.format, sizeof wl.format, "%s", o->format);
    wl.opts.id_bytes = run.cfg.pager.page_size;
    run.cfg.backend = o->be;
    run.cfg.verify = o->verify ? VMR_VERIFY_ON : VMR_VERIFY_AUTO;
    snprintf(run.backend, sizeof run.backend, "%s%s%s", vmr_backend_type_name(o->be.type),
             o->be.profile[0] ? "/" : "", o->be.profile);
    snprintf(run.pager, sizeof run.pager, "%ux%u:%s", run.cfg.pager.page_count,
             run.cfg.pager.page_size, vm_policy_name(run.cfg.pager.policy));
    snprintf(run.workload, sizeof run.workload, "%s", base);
    sc.workloads = &wl;
    sc.nworkloads = 1;
    sc.runs = &run;
    sc.nruns = 1;
    sc.opt = 1;
    /* Open once up front so a malformed trace is a usage error (exit 2). */
    char err[256];
    struct vmt_source *s = vms_open_workload(&sc, 0, err, sizeof err);
    if (!s) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    vmt_close(s);
    return run_scenario(&sc, o);
}

static int split_list(const char *s, unsigned long long max, unsigned long long *v, int cap)
{
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n == cap || parse_uint_arg(tok, max, &v[n])) return -1;
        n++;
    }
    return n;
}

/* One timed replay of src at (policy, count pages of ps bytes): a row of the
 * table. Returns 0 (a run that failed still prints its row: 1) or, negated,
 * the exit code of an error that stops the table. */
static int bench_one(const struct opts *o, struct vmt_source *src, unsigned long long ps, int policy,
                     unsigned long long count)
{
    char err[256];
    struct vmr_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = o->be;
    cfg.pager.page_size = (uint16_t)ps;
    cfg.pager.page_count = (vm_slot_t)count;
    cfg.pager.policy = (uint8_t)policy;
    cfg.verify = VMR_VERIFY_OFF;
    cfg.exact = (uint8_t)o->exact;
    if (vmt_rewind(src) < 0) {
        fprintf(stderr, "vmsim: %s: cannot rewind: %s\n", o->pos[0], vmt_error(src));
        return -EXIT_USAGE;
    }
    struct vmr_run *run = vmr_create(&cfg, src, err, sizeof err);
    if (!run) {
        fprintf(stderr, "vmsim: %s\n", err);
        return -EXIT_RUNFAIL;
    }
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    int st;
    while ((st = vmr_step(run, 1u << 24)) > 0) {
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct vmr_result res;
    vmr_finish(run, &res);
    vmr_destroy(run);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
    const struct vmr_counters *c = &res.total;
    printf("%-7s %6llu %12llu %10.3f %12.1f %12.1f %9.2f%s%s\n", vm_policy_name((unsigned)policy),
           count, (unsigned long long)c->ops, wall,
           wall > 0 ? (double)c->ops / wall / 1e6 : 0.0,
           cpu > 0 ? (double)c->ops / cpu / 1e6 : 0.0,
           c->touches ? 100.0 * (double)c->hits / (double)c->touches : 0.0,
           res.ok ? "" : "  FAIL: ", res.ok ? "" : res.error);
    fflush(stdout);
    return res.ok ? 0 : 1;
}

static int cmd_bench(const struct opts *o)
{
    if (o->npos != 1) return usage_error("bench needs exactly one TRACE%s", "");
    unsigned long long counts[16];
    int nc = split_list(o->pages ? o->pages : "4,8,16,64", VM_PAGE_COUNT_MAX, counts, 16);
    if (nc <= 0) return pages_error("a comma list of ", o->pages);
    int pols[8], np = 0;
    const char *pl = o->policy ? o->policy : "all";
    if (strcmp(pl, "all") == 0) {
        for (int p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++) pols[np++] = p;
    } else {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", pl);
        for (char *t = strtok(buf, ","); t && np < 8; t = strtok(NULL, ",")) {
            pols[np] = vmr_policy_from_name(t);
            if (pols[np] < 0) return usage_error("--policy: unknown policy \"%s\"", t);
            np++;
        }
    }
    unsigned long long ps = 64;
    if (o->page_size &&
        (parse_uint_arg(o->page_size, VM_PAGE_SIZE_MAX, &ps) || !VM_PAGE_SIZE_OK(ps)))
        return usage_error("--page-size: expected a power of two from 16 to 4096, got \"%s\"", o->page_size);
    struct vmt_open_opts topts;
    memset(&topts, 0, sizeof topts);
    topts.id_bytes = (uint32_t)ps;
    char err[256];
    struct vmt_source *src = vmt_open(o->pos[0], o->format, &topts, err, sizeof err);
    if (!src) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    const struct vmt_info *info = vmt_info(src);
    printf("bench %s: %s trace, %llu ops, pool %llu B, backend %s%s%s, page size %llu, verify off\n",
           o->pos[0], info->format, (unsigned long long)info->op_count,
           (unsigned long long)info->pool_size, vmr_backend_type_name(o->be.type),
           o->be.profile[0] ? "/" : "", o->be.profile, ps);
    printf("%-7s %6s %12s %10s %12s %12s %9s\n", "policy", "pages", "ops", "wall s", "Mops/s wall",
           "Mops/s cpu", "hit%");
    int rc = 0;
    for (int p = 0; p < np; p++)
        for (int k = 0; k < nc; k++) {
            int r1 = bench_one(o, src, ps, pols[p], counts[k]);
            if (r1 < 0) {
                vmt_close(src);
                return -r1;
            }
            if (r1) rc = EXIT_RUNFAIL;
        }
    vmt_close(src);
    return rc;
}

static int cmd_convert(const struct opts *o)
{
    if (o->npos != 2) return usage_error("convert needs IN and OUT%s", "");
    struct vmt_open_opts topts;
    memset(&topts, 0, sizeof topts);
    unsigned long long v;
    /* txt: bytes per page id; --page-size is the old spelling of --id-bytes here. */
    const char *idb = o->id_bytes ? o->id_bytes : o->page_size;
    if (idb) {
        if (parse_uint_arg(idb, 1u << 20, &v) || v < 1)
            return o->id_bytes ? usage_error("--id-bytes: bad number \"%s\"", idb)
                               : usage_error("--page-size: bad number \"%s\"", idb);
        topts.id_bytes = (uint32_t)v;
    }
    /* an alias of `vmtrace convert`, with vmsim's option names and exit statuses */
    return vmt_cmd_convert("vmsim", o->pos[0], o->from ? o->from : o->format, o->pos[1], o->to, &topts,
                           EXIT_USAGE);
}

static int cmd_gen(const struct opts *o)
{
    if (o->npos != 2) return usage_error("gen needs SPEC.json and OUT%s", "");
    unsigned long long n = 0;
    if (o->ops && parse_uint_arg(o->ops, ~0ull, &n))
        return usage_error("--ops: bad number \"%s\"", o->ops);
    /* an alias of `vmtrace gen`, with vmsim's option names and exit statuses */
    return vmt_cmd_gen("vmsim", o->pos[0], o->from ? o->from : o->format, o->pos[1], o->to, NULL, n,
                       EXIT_USAGE, EXIT_WRITE);
}

int main(int argc, char **argv)
{
#ifdef VMSIM_VIEW /* live view hook: takes out --view, --no-view, --screenshot F, --at N */
    if (vmv_cli_parse(&argc, argv, &view_cli)) return EXIT_USAGE;
#endif
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int sub = strcmp(cmd, "run-trace") == 0 || strcmp(cmd, "bench") == 0 ||
              strcmp(cmd, "convert") == 0 || strcmp(cmd, "gen") == 0;
    struct opts o;
    if (parse_opts(argc, argv, sub ? 2 : 1, &o)) return EXIT_USAGE;
    if (strcmp(cmd, "run-trace") == 0) return cmd_run_trace(&o);
    if (strcmp(cmd, "bench") == 0) return cmd_bench(&o);
    if (strcmp(cmd, "convert") == 0) return cmd_convert(&o);
    if (strcmp(cmd, "gen") == 0) return cmd_gen(&o);
    if (o.npos != 1) return usage_error("expected one SCENARIO.json%s", "");
    struct vms_scenario sc;
    char err[512];
    if (vms_load(o.pos[0], &sc, err, sizeof err)) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = run_scenario(&sc, &o);
    vms_free(&sc);
    return rc;
}
