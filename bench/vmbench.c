/*
 * vmbench - which page size, page count and policy should I configure?
 *
 * Sweeps page sizes x page counts x policies x backends for one workload,
 * measures every point with the replay engine that vmsim uses (the sweep is
 * written as a vmsim scenario and run by vms_run_all, so a point's numbers
 * are vmsim's numbers), and answers: the best configuration under a RAM
 * budget for an objective, its margin over the runner-up, and the Pareto
 * front of RAM cost against the objective. Outputs a table, CSV, JSON and
 * an SVG heat map.
 *
 * Large sweeps split with --shard K/N (points whose index mod N is K-1) and
 * come back together with `vmbench merge`. Every point is a pure function of
 * the sweep, so results do not depend on sharding or thread count.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "matrix.h"
#include "vm_ram.h"
#include "replay.h"
#include "scenario.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_WRITE = 3 };
enum objective { OBJ_TIME, OBJ_BYTES, OBJ_MISSES };
static const char *const obj_names[] = {"time", "bytes", "misses"};

static const char usage_text[] =
    "usage: vmbench [options] WORKLOAD\n"
    "       vmbench [options] --scenario FILE [--workload NAME]\n"
    "       vmbench merge [report options] SHARD.json...\n"
    "       vmbench micro\n"
    "\n"
    "Sweeps page sizes, page counts and policies (and backends) for a workload, with\n"
    "the same pager and device models as vmsim, and recommends a configuration.\n"
    "WORKLOAD is a trace file (binary .vmt, JSON, din, lackey, txt) or, with --gen,\n"
    "a generator spec (a JSON object as in a scenario's \"generator\").\n"
    "\n"
    "Sweep:\n"
    "  --backend SPEC    TYPE[:PROFILE][,key=value...], repeatable; e.g. sram:atmega328p,\n"
    "                    sd:teensy32,card=slow-worn, serial:atmega328p,link=ftdi-1ms,baud=1000000\n"
    "                    (default sram:atmega328p; with --scenario, the scenario's backends)\n"
    "  --page-sizes L    list or range of powers of two, e.g. 32,64,128 or 16-1024 (default)\n"
    "  --page-counts L   list or range, e.g. 1-16 (default 1,2,3,4,6,8,12,16)\n"
    "  --policies L      fifo,lru,clock,sieve or all (default all)\n"
    "  --budget BYTES    RAM budget for page buffers + the core's metadata, with the struct\n"
    "                    sizes of the backend's platform profile; K/M suffixes;\n"
    "                    points over it are still measured but never recommended\n"
    "  --budget-only     measure only the points within the budget\n"
    "  --objective O     time (default: simulated time), bytes (backend bytes) or misses\n"
    "  --gen             WORKLOAD is a generator spec file\n"
    "  --scenario FILE   take the workload (and backends) from a vmsim scenario\n"
    "  --workload NAME   with --scenario: which workload (default the first)\n"
    "  --jobs N          points at once (default: every core); results do not depend on it\n"
    "  --shard K/N       measure only points with index mod N = K-1; merge with 'vmbench merge'\n"
    "\n"
    "Reports:\n"
    "  --json FILE --csv FILE --svg FILE   machine-readable results and the heat map\n"
    "  --quiet           no table and no progress\n"
    "\n"
    "Exit status: 0 done; 1 a point failed; 2 bad usage or input; 3 a report could not\n"
    "be written.\n";

/* ------------------------------------------------------------------ util */

static const char *str_or(const char *s, const char *dflt) { return s ? s : dflt; }

static int die_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "vmbench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(vmbench --help for usage)\n");
    return EXIT_USAGE;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) return NULL;
    for (;;) {
        if (n + 4096 > cap) {
            char *g = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!g) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = g;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

/* "a,b,c" or "a-b" (range: powers of two for sizes, every integer for counts). */
static int parse_list(const char *s, int pow2, unsigned lo_ok, unsigned hi_ok, unsigned *out, int max,
                      const char *what)
{
    int n = 0;
    char *dash = strchr(s, '-');
    char *end;
    if (dash && !strchr(s, ',')) {
        unsigned long a = strtoul(s, &end, 10), b;
        if (end != dash) return die_usage("%s: bad range '%s'", what, s), -1;
        b = strtoul(dash + 1, &end, 10);
        if (*end || a > b || a < lo_ok || b > hi_ok) return die_usage("%s: bad range '%s' (allowed %u-%u)", what, s, lo_ok, hi_ok), -1;
        for (unsigned long v = a; v <= b && n < max; v = pow2 ? v * 2 : v + 1) {
            if (pow2 && (v & (v - 1))) return die_usage("%s: range ends must be powers of two ('%s')", what, s), -1;
            out[n++] = (unsigned)v;
        }
        return n;
    }
    while (*s) {
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || (*end && *end != ',')) return die_usage("%s: bad list '%s'", what, s), -1;
        if (v < lo_ok || v > hi_ok || (pow2 && (v & (v - 1))))
            return die_usage("%s: %lu is not allowed (%s%u-%u)", what, v, pow2 ? "a power of two, " : "", lo_ok, hi_ok), -1;
        if (n == max) return die_usage("%s: too many values", what), -1;
        out[n++] = (unsigned)v;
        s = *end ? end + 1 : end;
    }
    return n ? n : (die_usage("%s: empty list", what), -1);
}

static int parse_bytes(const char *s, unsigned long *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0) return -1;
    if (*end == 'k' || *end == 'K') v *= 1024, end++;
    else if (*end == 'm' || *end == 'M') v *= 1024 * 1024, end++;
    if (*end == 'B' || *end == 'b') end++;
    if (*end) return -1;
    *out = (unsigned long)v;
    return 0;
}

/* ----------------------------------------------------------------- points */

struct point {
    unsigned index;      /* in the full sweep */
    unsigned backend;    /* index into the backend names */
    unsigned page_size, page_count, policy;
    size_t ram_cost;
    int measured, ok;
    char error[200];
    uint64_t ops, touches, hits, misses, opt_misses, writebacks, bytes_read, bytes_written;
    uint64_t access_bytes, time_ns;
    int has_opt;
};

struct sweep {
    /* what */
    char workload_desc[512];
    cJSON *workload_json;  /* the workload object for the scenario */
    const char *base_path; /* relative paths in workload_json resolve against it */
    char *backend_names[16];
    cJSON *backend_json[16];
    unsigned nbackends;
    unsigned sizes[16], nsizes;
    unsigned counts[64], ncounts;
    unsigned policies[VM_POLICY_COUNT], npolicies;
    unsigned long budget; /* 0: none */
    int budget_only;
    int objective;
    /* results */
    struct point *pts;
    unsigned npts;
};

static double objective_of(const struct sweep *sw, const struct point *p)
{
    switch (sw->objective) {
    case OBJ_BYTES: return (double)(p->bytes_read + p->bytes_written);
    case OBJ_MISSES: return (double)p->misses;
    default: return (double)p->time_ns;
    }
}

static int in_budget(const struct sweep *sw, const struct point *p)
{
    return !sw->budget || p->ram_cost <= sw->budget;
}

/* The platform profile a backend names ("" for none): RAM costs use its
 * MCU's struct sizes. */
static const char *profile_of(const struct sweep *sw, unsigned b)
{
    const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sw->backend_json[b], "profile"));
    return p ? p : "";
}

static void make_points(struct sweep *sw)
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
                    p->ram_cost = vmr_ram_cost(profile_of(sw, b), p->page_size, p->page_count);
                }
}

/* ------------------------------------------------------------- measuring */

struct progress {
    int on;
    struct timespec t0;
    size_t total;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void on_progress(void *ctx, size_t done, size_t total, const struct vms_result *r)
{
    struct progress *pr = ctx;
    double el, eta;
    int width = 30, fill;
    (void)r;
    if (!pr->on) return;
    el = now_s() - ((double)pr->t0.tv_sec + (double)pr->t0.tv_nsec * 1e-9);
    eta = done ? el * (double)(total - done) / (double)done : 0;
    fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu points  %.1fs elapsed, ETA %.1fs ", fill,
            "##############################", width - fill, "", done, total, el, eta);
    if (done == total) fputc('\n', stderr);
    fflush(stderr);
}

/* Build the sweep's points [mine] as a vmsim scenario and run it. */
static int measure(struct sweep *sw, const unsigned *mine, unsigned nmine, int jobs, int quiet)
{
    cJSON *root = cJSON_CreateObject(), *bes, *pgs, *wls, *runs;
    char err[512], name[64];
    struct vms_scenario sc;
    struct vms_result *res;
    struct progress pr;
    size_t failed;
    unsigned i;
    char *text;

    if (!root) return -1;
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
    if (!text) return -1;
    if (vms_parse(text, strlen(text), sw->base_path, &sc, err, sizeof err)) {
        fprintf(stderr, "vmbench: %s\n", err);
        free(text);
        return -1;
    }
    free(text);
    if (sc.nruns != nmine) {
        fprintf(stderr, "vmbench: internal: %zu runs for %u points\n", sc.nruns, nmine);
        vms_free(&sc);
        return -1;
    }
    res = calloc(sc.nruns, sizeof *res);
    if (!res) return -1;
    pr.on = !quiet && isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &pr.t0);
    pr.total = sc.nruns;
    failed = vms_run_all(&sc, res, jobs, on_progress, &pr);
    (void)failed;
    for (i = 0; i < nmine; i++) {
        struct point *p = &sw->pts[mine[i]];
        const struct vms_result *r = &res[i];
        const struct vmr_counters *c = &r->r.total;
        p->measured = 1;
        p->ok = r->r.ok;
        snprintf(p->error, sizeof p->error, "%s", r->r.ok ? "" : r->r.error);
        p->ops = c->ops;
        p->touches = c->touches;
        p->hits = c->hits;
        p->misses = c->misses;
        p->writebacks = c->writebacks;
        p->bytes_read = c->bytes_read;
        p->bytes_written = c->bytes_written;
        p->access_bytes = c->access_read + c->access_written;
        p->time_ns = c->time_ns;
        p->has_opt = r->has_opt;
        p->opt_misses = r->opt_misses;
        if (r->r.ram_cost) p->ram_cost = r->r.ram_cost;
    }
    free(res);
    vms_free(&sc);
    return 0;
}

/* --------------------------------------------------------------- answers */

struct answer {
    int best, second;      /* point indexes, -1 if none */
    double margin;         /* (second - best) / best */
    int *pareto;           /* point indexes, by RAM cost */
    unsigned npareto;
};

static int better(const struct sweep *sw, const struct point *a, const struct point *b)
{
    double x = objective_of(sw, a), y = objective_of(sw, b);
    if (x != y) return x < y;
    if (a->ram_cost != b->ram_cost) return a->ram_cost < b->ram_cost;
    if ((a->policy == VM_DEFAULT_POLICY) != (b->policy == VM_DEFAULT_POLICY))
        return a->policy == VM_DEFAULT_POLICY; /* exact tie: the default policy */
    return a->index < b->index;
}

static void answer(const struct sweep *sw, struct answer *an)
{
    unsigned i;
    an->best = an->second = -1;
    an->margin = 0;
    an->npareto = 0;
    an->pareto = calloc(sw->npts ? sw->npts : 1, sizeof *an->pareto);
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        if (!p->measured || !p->ok || !in_budget(sw, p)) continue;
        if (an->best < 0 || better(sw, p, &sw->pts[an->best])) an->best = (int)i;
    }
    /* The runner-up is the best other geometry (backend, page size or page
     * count), so the margin says what choosing the geometry is worth; the
     * policies of one geometry often tie. */
    for (i = 0; an->best >= 0 && i < sw->npts; i++) {
        const struct point *p = &sw->pts[i], *b = &sw->pts[an->best];
        if (!p->measured || !p->ok || !in_budget(sw, p)) continue;
        if (p->backend == b->backend && p->page_size == b->page_size && p->page_count == b->page_count)
            continue;
        if (an->second < 0 || better(sw, p, &sw->pts[an->second])) an->second = (int)i;
    }
    if (an->best >= 0 && an->second >= 0) {
        double b = objective_of(sw, &sw->pts[an->best]), s = objective_of(sw, &sw->pts[an->second]);
        an->margin = b > 0 ? (s - b) / b : 0;
    }
    /* Pareto front of (RAM cost, objective) over every measured point. */
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        unsigned j;
        int dominated = 0;
        if (!p->measured || !p->ok) continue;
        for (j = 0; j < sw->npts && !dominated; j++) {
            const struct point *q = &sw->pts[j];
            if (j == i || !q->measured || !q->ok) continue;
            if (q->ram_cost <= p->ram_cost && objective_of(sw, q) <= objective_of(sw, p) &&
                (q->ram_cost < p->ram_cost || objective_of(sw, q) < objective_of(sw, p) || better(sw, q, p)))
                dominated = 1;
        }
        if (!dominated) an->pareto[an->npareto++] = (int)i;
    }
    /* by RAM cost */
    for (i = 1; i < an->npareto; i++) {
        int v = an->pareto[i];
        unsigned j = i;
        while (j > 0 && sw->pts[an->pareto[j - 1]].ram_cost > sw->pts[v].ram_cost) {
            an->pareto[j] = an->pareto[j - 1];
            j--;
        }
        an->pareto[j] = v;
    }
}

/* --------------------------------------------------------------- reports */

static void fmt_time(char *buf, size_t n, uint64_t ns)
{
    if (ns >= 10000000000ull) snprintf(buf, n, "%.2f s", (double)ns / 1e9);
    else if (ns >= 10000000ull) snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
    else if (ns >= 10000ull) snprintf(buf, n, "%.1f us", (double)ns / 1e3);
    else snprintf(buf, n, "%llu ns", (unsigned long long)ns);
}

static double kib_s(const struct point *p)
{
    return p->time_ns ? (double)p->access_bytes / 1024.0 / ((double)p->time_ns / 1e9) : 0;
}

static void describe(const struct sweep *sw, const struct point *p, char *buf, size_t n)
{
    char t[32], opt[32] = "-";
    fmt_time(t, sizeof t, p->time_ns);
    if (p->has_opt) snprintf(opt, sizeof opt, "%llu", (unsigned long long)p->opt_misses);
    snprintf(buf, n, "%s, %u x %u B pages, %s: %s, %llu misses (optimum %s), %.1f KiB moved, %zu B of RAM",
             sw->backend_names[p->backend], p->page_count, p->page_size, vm_policy_name(p->policy), t,
             (unsigned long long)p->misses, opt, (double)(p->bytes_read + p->bytes_written) / 1024.0,
             p->ram_cost);
}

static void print_table(FILE *f, const struct sweep *sw, const struct answer *an, int colour)
{
    unsigned i;
    const char *bold = colour ? "\033[1m" : "", *grey = colour ? "\033[2m" : "",
               *green = colour ? "\033[32m" : "", *off = colour ? "\033[0m" : "";
    char t[32], line[512];

    fprintf(f, "%s%-18s %6s %5s %-6s %8s %10s %10s %8s %11s %10s %10s%s\n", bold, "backend", "page", "count",
            "policy", "RAM B", "misses", "optimum", "wbacks", "KiB moved", "sim time", "KiB/s", off);
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        const char *pre = (int)i == an->best ? green : !in_budget(sw, p) ? grey : "";
        char opt[24];
        if (!p->measured) continue;
        fmt_time(t, sizeof t, p->time_ns);
        if (p->has_opt) snprintf(opt, sizeof opt, "%llu", (unsigned long long)p->opt_misses);
        else snprintf(opt, sizeof opt, "-");
        fprintf(f, "%s%-18s %6u %5u %-6s %8zu %10llu %10s %8llu %11.1f %10s %10.1f%s%s\n", pre,
                sw->backend_names[p->backend], p->page_size, p->page_count, vm_policy_name(p->policy),
                p->ram_cost, (unsigned long long)p->misses, opt, (unsigned long long)p->writebacks,
                (double)(p->bytes_read + p->bytes_written) / 1024.0, t, kib_s(p),
                p->ok ? "" : "  FAILED", *pre ? off : "");
    }
    fprintf(f, "\n%sObjective:%s %s", bold, off, obj_names[sw->objective]);
    if (sw->budget) fprintf(f, ", RAM budget %lu B (page buffers + metadata)", sw->budget);
    fprintf(f, "\n");
    if (an->best < 0) {
        fprintf(f, "No configuration fits the budget.\n");
        return;
    }
    describe(sw, &sw->pts[an->best], line, sizeof line);
    fprintf(f, "%sBest:%s %s%s%s\n", bold, off, green, line, off);
    if (an->second >= 0) {
        describe(sw, &sw->pts[an->second], line, sizeof line);
        fprintf(f, "%sRunner-up (another geometry):%s %s\n  the best is %.1f%% better on %s\n", bold, off, line,
                an->margin * 100.0, obj_names[sw->objective]);
    }
    fprintf(f, "%sPareto front%s (RAM cost against %s; nothing is both cheaper and better):\n", bold, off,
            obj_names[sw->objective]);
    for (i = 0; i < an->npareto; i++) {
        const struct point *p = &sw->pts[an->pareto[i]];
        fmt_time(t, sizeof t, p->time_ns);
        fprintf(f, "  %6zu B  %-18s %2u x %4u B %-6s %s, %llu misses, %.1f KiB\n", p->ram_cost,
                sw->backend_names[p->backend], p->page_count, p->page_size, vm_policy_name(p->policy), t,
                (unsigned long long)p->misses, (double)(p->bytes_read + p->bytes_written) / 1024.0);
    }
}

static cJSON *point_json(const struct sweep *sw, const struct point *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", p->index);
    cJSON_AddStringToObject(o, "backend", sw->backend_names[p->backend]);
    cJSON_AddNumberToObject(o, "page_size", p->page_size);
    cJSON_AddNumberToObject(o, "page_count", p->page_count);
    cJSON_AddStringToObject(o, "policy", vm_policy_name(p->policy));
    cJSON_AddNumberToObject(o, "ram_cost", (double)p->ram_cost);
    cJSON_AddBoolToObject(o, "in_budget", in_budget(sw, p));
    cJSON_AddBoolToObject(o, "ok", p->ok);
    if (!p->ok) cJSON_AddStringToObject(o, "error", p->error);
    cJSON_AddNumberToObject(o, "ops", (double)p->ops);
    cJSON_AddNumberToObject(o, "touches", (double)p->touches);
    cJSON_AddNumberToObject(o, "hits", (double)p->hits);
    cJSON_AddNumberToObject(o, "misses", (double)p->misses);
    if (p->has_opt) cJSON_AddNumberToObject(o, "opt_misses", (double)p->opt_misses);
    else cJSON_AddNullToObject(o, "opt_misses");
    cJSON_AddNumberToObject(o, "writebacks", (double)p->writebacks);
    cJSON_AddNumberToObject(o, "bytes_read", (double)p->bytes_read);
    cJSON_AddNumberToObject(o, "bytes_written", (double)p->bytes_written);
    cJSON_AddNumberToObject(o, "access_bytes", (double)p->access_bytes);
    cJSON_AddNumberToObject(o, "time_ns", (double)p->time_ns);
    cJSON_AddNumberToObject(o, "throughput_kib_s", kib_s(p));
    return o;
}

static cJSON *uint_array(const unsigned *v, unsigned n)
{
    cJSON *a = cJSON_CreateArray();
    unsigned i;
    for (i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static cJSON *sweep_json(const struct sweep *sw, const struct answer *an, unsigned shard_k, unsigned shard_n)
{
    cJSON *o = cJSON_CreateObject(), *pts, *bes, *pol;
    unsigned i;
    cJSON_AddStringToObject(o, "tool", "vmbench");
    cJSON_AddNumberToObject(o, "format", 1);
    cJSON_AddStringToObject(o, "workload", sw->workload_desc);
    cJSON_AddItemToObject(o, "workload_spec", cJSON_Duplicate(sw->workload_json, 1));
    bes = cJSON_AddObjectToObject(o, "backends");
    for (i = 0; i < sw->nbackends; i++)
        cJSON_AddItemToObject(bes, sw->backend_names[i], cJSON_Duplicate(sw->backend_json[i], 1));
    cJSON_AddItemToObject(o, "page_sizes", uint_array(sw->sizes, sw->nsizes));
    cJSON_AddItemToObject(o, "page_counts", uint_array(sw->counts, sw->ncounts));
    pol = cJSON_AddArrayToObject(o, "policies");
    for (i = 0; i < sw->npolicies; i++) cJSON_AddItemToArray(pol, cJSON_CreateString(vm_policy_name(sw->policies[i])));
    cJSON_AddStringToObject(o, "objective", obj_names[sw->objective]);
    if (sw->budget) cJSON_AddNumberToObject(o, "budget", (double)sw->budget);
    else cJSON_AddNullToObject(o, "budget");
    cJSON_AddBoolToObject(o, "budget_only", sw->budget_only);
    cJSON_AddNumberToObject(o, "total_points", sw->npts);
    if (shard_n > 1) {
        cJSON *sh = cJSON_AddArrayToObject(o, "shard");
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(shard_k));
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(shard_n));
    }
    pts = cJSON_AddArrayToObject(o, "points");
    for (i = 0; i < sw->npts; i++)
        if (sw->pts[i].measured) cJSON_AddItemToArray(pts, point_json(sw, &sw->pts[i]));
    if (an) {
        cJSON *a = cJSON_AddObjectToObject(o, "answer"), *pf;
        if (an->best >= 0) cJSON_AddItemToObject(a, "best", point_json(sw, &sw->pts[an->best]));
        else cJSON_AddNullToObject(a, "best");
        if (an->second >= 0) {
            cJSON_AddItemToObject(a, "runner_up", point_json(sw, &sw->pts[an->second]));
            cJSON_AddNumberToObject(a, "margin", an->margin);
        }
        pf = cJSON_AddArrayToObject(a, "pareto");
        for (i = 0; i < an->npareto; i++) cJSON_AddItemToArray(pf, cJSON_CreateNumber(sw->pts[an->pareto[i]].index));
    }
    return o;
}

static int write_csv(FILE *f, const struct sweep *sw)
{
    unsigned i;
    fprintf(f, "index,backend,page_size,page_count,policy,ram_cost,in_budget,ok,ops,touches,hits,misses,"
               "opt_misses,writebacks,bytes_read,bytes_written,time_ns,throughput_kib_s\n");
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        char opt[24] = "";
        if (!p->measured) continue;
        if (p->has_opt) snprintf(opt, sizeof opt, "%llu", (unsigned long long)p->opt_misses);
        fprintf(f, "%u,%s,%u,%u,%s,%zu,%d,%d,%llu,%llu,%llu,%llu,%s,%llu,%llu,%llu,%llu,%.3f\n", p->index,
                sw->backend_names[p->backend], p->page_size, p->page_count, vm_policy_name(p->policy), p->ram_cost,
                in_budget(sw, p), p->ok, (unsigned long long)p->ops, (unsigned long long)p->touches,
                (unsigned long long)p->hits, (unsigned long long)p->misses, opt, (unsigned long long)p->writebacks,
                (unsigned long long)p->bytes_read, (unsigned long long)p->bytes_written,
                (unsigned long long)p->time_ns, kib_s(p));
    }
    return ferror(f) ? -1 : 0;
}

/* A heat map per backend: page size (columns) x page count (rows), each cell
 * the best policy's objective there, on a log colour scale; cells over the
 * budget are hatched behind a dashed budget line; the best point is ringed. */
static void heat_colour(double t, char *buf, size_t n)
{
    /* viridis-like ramp: dark blue (good) -> yellow (bad) */
    static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    double x = t * 4;
    int k = (int)x;
    if (k >= 4) k = 3;
    if (k < 0) k = 0;
    x -= k;
    snprintf(buf, n, "#%02x%02x%02x", (int)(stops[k][0] + (stops[k + 1][0] - stops[k][0]) * x),
             (int)(stops[k][1] + (stops[k + 1][1] - stops[k][1]) * x),
             (int)(stops[k][2] + (stops[k + 1][2] - stops[k][2]) * x));
}

static int write_svg(FILE *f, const struct sweep *sw, const struct answer *an)
{
    const int cw = 92, ch = 40, left = 90, top = 70;
    int panel_w = left + cw * (int)sw->nsizes + 30;
    int W = panel_w * (int)sw->nbackends + 20, H = top + ch * (int)sw->ncounts + 110;
    double lo = INFINITY, hi = 0;
    unsigned b, s, c, i;
    char col[16], t[32];

    for (i = 0; i < sw->npts; i++)
        if (sw->pts[i].measured && sw->pts[i].ok) {
            double v = objective_of(sw, &sw->pts[i]);
            if (v > 0 && v < lo) lo = v;
            if (v > hi) hi = v;
        }
    if (!(lo < INFINITY)) lo = hi = 1;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\n", W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(f, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">vmbench: %s by page size x page count (best policy per cell)</text>\n",
            sw->objective == OBJ_TIME ? "simulated time" : sw->objective == OBJ_BYTES ? "backend bytes" : "misses");
    fprintf(f, "<text x=\"10\" y=\"40\" fill=\"#444\">%s%s</text>\n", sw->workload_desc,
            sw->budget ? "; faded: over the RAM budget" : "");
    for (b = 0; b < sw->nbackends; b++) {
        int x0 = 10 + panel_w * (int)b;
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", x0, top - 12, sw->backend_names[b]);
        for (s = 0; s < sw->nsizes; s++)
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%u B</text>\n", x0 + left + cw * (int)s + cw / 2,
                    top + ch * (int)sw->ncounts + 18, sw->sizes[s]);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">page size</text>\n", x0 + left + cw * (int)sw->nsizes / 2,
                top + ch * (int)sw->ncounts + 36);
        fprintf(f, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\">page count</text>\n", x0 + 14,
                top + ch * (int)sw->ncounts / 2, x0 + 14, top + ch * (int)sw->ncounts / 2);
        for (c = 0; c < sw->ncounts; c++) {
            int y = top + ch * (int)(sw->ncounts - 1 - c);
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%u</text>\n", x0 + left - 8, y + ch / 2 + 4, sw->counts[c]);
            for (s = 0; s < sw->nsizes; s++) {
                int x = x0 + left + cw * (int)s, bestp = -1;
                for (i = 0; i < sw->npts; i++) {
                    const struct point *p = &sw->pts[i];
                    if (p->backend != b || p->page_size != sw->sizes[s] || p->page_count != sw->counts[c]) continue;
                    if (!p->measured || !p->ok) continue;
                    if (bestp < 0 || better(sw, p, &sw->pts[bestp])) bestp = (int)i;
                }
                if (bestp < 0) {
                    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#dddddd\" stroke=\"#fff\"/>\n", x, y, cw, ch);
                    continue;
                }
                {
                    const struct point *p = &sw->pts[bestp];
                    double v = objective_of(sw, p);
                    double u = hi > lo ? (log(v > lo ? v : lo) - log(lo)) / (log(hi) - log(lo)) : 0;
                    heat_colour(u, col, sizeof col);
                    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"><title>%u x %u B %s, %zu B RAM</title></rect>\n",
                            x, y, cw, ch, col, p->page_count, p->page_size, vm_policy_name(p->policy), p->ram_cost);
                    if (!in_budget(sw, p))
                        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" fill-opacity=\"0.62\"/>\n", x, y, cw, ch);
                    if (sw->objective == OBJ_TIME) fmt_time(t, sizeof t, p->time_ns);
                    else snprintf(t, sizeof t, "%.0f%s", sw->objective == OBJ_BYTES ? v / 1024 : v,
                                  sw->objective == OBJ_BYTES ? " KiB" : "");
                    {
                        const char *ink = u > 0.6 || !in_budget(sw, p) ? "#000" : "#fff";
                        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"11\">%s</text>\n",
                                x + cw / 2, y + 17, ink, t);
                        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"10\">%s</text>\n",
                                x + cw / 2, y + 31, ink, vm_policy_name(p->policy));
                    }
                    if (bestp == an->best)
                        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#e4002b\" stroke-width=\"4\"/>\n",
                                x + 2, y + 2, cw - 4, ch - 4);
                }
            }
        }
        /* The budget line: the staircase between affordable and not. */
        if (sw->budget) {
            fprintf(f, "<path fill=\"none\" stroke=\"#e4002b\" stroke-width=\"2\" stroke-dasharray=\"6 4\" d=\"");
            for (s = 0; s < sw->nsizes; s++) {
                unsigned k = 0;
                int x = x0 + left + cw * (int)s, y;
                while (k < sw->ncounts && vmr_ram_cost(profile_of(sw, b), sw->sizes[s], sw->counts[k]) <= sw->budget) k++;
                y = top + ch * (int)(sw->ncounts - k);
                fprintf(f, "%s%d %d H%d ", s ? "L" : "M", x, y, x + cw);
            }
            fprintf(f, "\"/>\n");
        }
    }
    /* legend */
    {
        int lx = 10, ly = H - 34, k;
        char a[32], z[32];
        for (k = 0; k < 100; k++) {
            heat_colour(k / 99.0, col, sizeof col);
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"3\" height=\"12\" fill=\"%s\"/>\n", lx + 3 * k, ly, col);
        }
        if (sw->objective == OBJ_TIME) {
            fmt_time(a, sizeof a, (uint64_t)lo);
            fmt_time(z, sizeof z, (uint64_t)hi);
        } else {
            snprintf(a, sizeof a, "%.0f", lo);
            snprintf(z, sizeof z, "%.0f", hi);
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\">%s (log scale) %s</text>\n", lx, ly + 26, a, z);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" fill=\"none\" stroke=\"#e4002b\" stroke-width=\"3\"/>"
                   "<text x=\"%d\" y=\"%d\">best under the budget</text>\n", lx + 330, ly, lx + 350, ly + 11);
        if (sw->budget)
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e4002b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
                       "<text x=\"%d\" y=\"%d\">RAM budget %lu B</text>\n", lx + 510, ly + 6, lx + 550, ly + 6, lx + 556, ly + 11, sw->budget);
    }
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}

static int write_to(const char *path, int (*fn)(FILE *, void *), void *arg)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    int rc;
    if (!f) {
        fprintf(stderr, "vmbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    rc = fn(f, arg);
    if (f != stdout && fclose(f)) rc = -1;
    if (rc) fprintf(stderr, "vmbench: %s: write failed\n", path);
    return rc;
}

struct out_ctx {
    const struct sweep *sw;
    const struct answer *an;
    unsigned k, n;
};
static int json_cb(FILE *f, void *a)
{
    struct out_ctx *o = a;
    cJSON *j = sweep_json(o->sw, o->an, o->k, o->n);
    char *s = cJSON_Print(j);
    int rc = s && fputs(s, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
    free(s);
    cJSON_Delete(j);
    return rc;
}
static int csv_cb(FILE *f, void *a) { return write_csv(f, ((struct out_ctx *)a)->sw); }
static int svg_cb(FILE *f, void *a) { return write_svg(f, ((struct out_ctx *)a)->sw, ((struct out_ctx *)a)->an); }

/* ------------------------------------------------------------ backends */

static int add_backend(struct sweep *sw, const char *spec)
{
    char buf[256], *save = NULL, *tok, *colon, name[64];
    cJSON *o;
    int ty;
    if (sw->nbackends == 16) return die_usage("--backend: at most 16 backends");
    snprintf(buf, sizeof buf, "%s", spec);
    tok = strtok_r(buf, ",", &save);
    if (!tok) return die_usage("--backend: empty");
    colon = strchr(tok, ':');
    if (colon) *colon++ = 0;
    ty = vmr_backend_type_from_name(tok);
    if (ty < 0) return die_usage("--backend '%s': unknown type '%s' (ram, sram, sd, serial)", spec, tok);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", tok);
    if (colon && *colon) cJSON_AddStringToObject(o, "profile", colon);
    snprintf(name, sizeof name, "%s%s%s", tok, colon && *colon ? "-" : "", colon && *colon ? colon : "");
    while ((tok = strtok_r(NULL, ",", &save))) {
        char *eq = strchr(tok, '='), *end;
        double v;
        if (!eq) {
            cJSON_Delete(o);
            return die_usage("--backend '%s': expected key=value, got '%s'", spec, tok);
        }
        *eq++ = 0;
        v = strtod(eq, &end);
        if (*end == 0 && end != eq) cJSON_AddNumberToObject(o, tok, v);
        else if (!strcmp(eq, "true") || !strcmp(eq, "false")) cJSON_AddBoolToObject(o, tok, eq[0] == 't');
        else cJSON_AddStringToObject(o, tok, eq);
        if (strlen(name) + strlen(eq) + 2 < sizeof name) {
            strcat(name, "-");
            strcat(name, eq);
        }
    }
    sw->backend_names[sw->nbackends] = strdup(name);
    sw->backend_json[sw->nbackends++] = o;
    return 0;
}

/* ---------------------------------------------------------------- merge */

static int load_points(struct sweep *sw, const cJSON *j, const char *path, int first)
{
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(j, "points"), *p;
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(j, "tool");
    if (!cJSON_IsString(tool) || strcmp(tool->valuestring, "vmbench") || !cJSON_IsArray(pts)) {
        fprintf(stderr, "vmbench: %s: not a vmbench report (expected \"tool\": \"vmbench\" and \"points\")\n", path);
        return -1;
    }
    if (first) {
        const cJSON *bes = cJSON_GetObjectItemCaseSensitive(j, "backends"), *b;
        const cJSON *x;
        unsigned i = 0;
        snprintf(sw->workload_desc, sizeof sw->workload_desc, "%s",
                 str_or(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "workload")), ""));
        sw->workload_json = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j, "workload_spec"), 1);
        cJSON_ArrayForEach(b, bes)
        {
            if (sw->nbackends == 16) break;
            sw->backend_names[sw->nbackends] = strdup(b->string);
            sw->backend_json[sw->nbackends++] = cJSON_Duplicate(b, 1);
        }
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "page_sizes")) if (sw->nsizes < 16) sw->sizes[sw->nsizes++] = (unsigned)x->valuedouble;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "page_counts")) if (sw->ncounts < 64) sw->counts[sw->ncounts++] = (unsigned)x->valuedouble;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "policies"))
        {
            int pol = vmr_policy_from_name(str_or(cJSON_GetStringValue(x), ""));
            if (pol > 0 && sw->npolicies < VM_POLICY_COUNT) sw->policies[sw->npolicies++] = (unsigned)pol;
        }
        x = cJSON_GetObjectItemCaseSensitive(j, "objective");
        for (i = 0; i < 3; i++)
            if (cJSON_IsString(x) && !strcmp(x->valuestring, obj_names[i])) sw->objective = (int)i;
        x = cJSON_GetObjectItemCaseSensitive(j, "budget");
        sw->budget = cJSON_IsNumber(x) ? (unsigned long)x->valuedouble : 0;
        sw->budget_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "budget_only"));
        make_points(sw);
        x = cJSON_GetObjectItemCaseSensitive(j, "total_points");
        if (!cJSON_IsNumber(x) || (unsigned)x->valuedouble != sw->npts) {
            fprintf(stderr, "vmbench: %s: total_points does not match the sweep it describes\n", path);
            return -1;
        }
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
#define U64(k) ((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, k)))
        q->measured = 1;
        q->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok"));
        snprintf(q->error, sizeof q->error, "%s", str_or(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "error")), ""));
        q->ops = U64("ops");
        q->touches = U64("touches");
        q->hits = U64("hits");
        q->misses = U64("misses");
        q->has_opt = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "opt_misses"));
        q->opt_misses = q->has_opt ? U64("opt_misses") : 0;
        q->writebacks = U64("writebacks");
        q->bytes_read = U64("bytes_read");
        q->bytes_written = U64("bytes_written");
        q->access_bytes = U64("access_bytes");
        q->time_ns = U64("time_ns");
        q->ram_cost = (size_t)U64("ram_cost");
#undef U64
    }
    return 0;
}

/* ---------------------------------------------------------------- micro */

/* Wall-clock cost of the core's hit and miss paths per policy, measured
 * side by side in one process (median of 5). Instruction counts, which do
 * not depend on the machine's load, come from bench/micro.sh (callgrind). */
static int micro(void)
{
    static uint8_t store[1u << 20];
    static uint32_t pages[16 * 256 / 4];
    static struct vm_slot slots[16];
    unsigned p;
    printf("%-7s %14s %14s %14s\n", "policy", "hit get8 (ns)", "hit set8 (ns)", "miss 64 B (ns)");
    for (p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++) {
        double med[3];
        int k;
        for (k = 0; k < 3; k++) {
            double s[5];
            int r;
            for (r = 0; r < 5; r++) {
                struct vm vm;
                struct vm_ram ram;
                struct vm_config cfg;
                const unsigned long n = k == 2 ? 200000ul : 5000000ul;
                unsigned long i;
                volatile uint32_t sink = 0;
                uint8_t v;
                double t0;
                memset(&cfg, 0, sizeof cfg);
                vm_ram_init(&ram, store, sizeof store);
                cfg.backend = &ram.backend;
                cfg.page_size = 64;
                cfg.page_count = 4;
                cfg.policy = (uint8_t)p;
                cfg.pages = pages;
                cfg.pages_size = sizeof pages;
                cfg.slots = slots;
                cfg.slot_count = 16;
                if (vm_init(&vm, &cfg)) return EXIT_FAIL;
                vm_set8(&vm, 0, 1);
                vm_get8(&vm, 0, &v);
                vm_set8(&vm, 0, 1);
                t0 = now_s();
                if (k == 0)
                    for (i = 0; i < n; i++) {
                        vm_get8(&vm, (vm_addr_t)(i & 63u), &v);
                        sink += v;
                    }
                else if (k == 1)
                    for (i = 0; i < n; i++) vm_set8(&vm, (vm_addr_t)(i & 63u), (uint8_t)i);
                else
                    for (i = 0; i < n; i++) {
                        vm_get8(&vm, (vm_addr_t)((i * 64u) % sizeof store), &v);
                        sink += v;
                    }
                s[r] = (now_s() - t0) * 1e9 / (double)n;
            }
            for (r = 1; r < 5; r++) {
                double x = s[r];
                int q = r;
                while (q > 0 && s[q - 1] > x) {
                    s[q] = s[q - 1];
                    q--;
                }
                s[q] = x;
            }
            med[k] = s[2];
        }
        printf("%-7s %14.2f %14.2f %14.2f\n", vm_policy_name(p), med[0], med[1], med[2]);
    }
    printf("(wall clock on this machine, median of 5; instruction counts: bench/micro.sh BUILD_DIR)\n");
    return 0;
}

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    static struct sweep sw; /* static: what early exits leave is still reachable */
    struct answer an;
    struct out_ctx oc;
    const char *json = NULL, *csv = NULL, *svg = NULL, *scenario = NULL, *wlname = NULL, *input = NULL;
    const char *sizes = "16-1024", *counts = "1,2,3,4,6,8,12,16", *pols = "all";
    int quiet = 0, gen = 0, jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), merge = 0, i, rc = 0;
    unsigned shard_k = 1, shard_n = 1, *mine, nmine = 0, u;
    const char *merge_files[256];
    int nmerge = 0;
    static char *wtext;

    memset(&sw, 0, sizeof sw);
    if (argc > 1 && !strcmp(argv[1], "micro")) return micro();
    if (argc > 1 && !strcmp(argv[1], "merge")) merge = 1;
    for (i = 1 + merge; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED() do { if (!v) return die_usage("%s needs a value", a); i++; } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) { NEED(); json = v; }
        else if (!strcmp(a, "--csv")) { NEED(); csv = v; }
        else if (!strcmp(a, "--svg") || !strcmp(a, "--plot")) { NEED(); svg = v; }
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--gen")) gen = 1;
        else if (!strcmp(a, "--scenario")) { NEED(); scenario = v; }
        else if (!strcmp(a, "--workload")) { NEED(); wlname = v; }
        else if (!strcmp(a, "--backend")) { NEED(); if (add_backend(&sw, v)) return EXIT_USAGE; }
        else if (!strcmp(a, "--page-sizes")) { NEED(); sizes = v; }
        else if (!strcmp(a, "--page-counts")) { NEED(); counts = v; }
        else if (!strcmp(a, "--policies")) { NEED(); pols = v; }
        else if (!strcmp(a, "--budget")) {
            NEED();
            if (parse_bytes(v, &sw.budget) || sw.budget == 0) return die_usage("--budget: expected a byte count like 2048 or 4K, got '%s'", v);
        } else if (!strcmp(a, "--budget-only")) sw.budget_only = 1;
        else if (!strcmp(a, "--objective")) {
            NEED();
            for (sw.objective = 0; sw.objective < 3 && strcmp(v, obj_names[sw.objective]); sw.objective++) {}
            if (sw.objective == 3) return die_usage("--objective: expected time, bytes or misses, got '%s'", v);
        } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
            char *end;
            NEED();
            jobs = (int)strtol(v, &end, 10);
            if (*end || jobs < 1 || jobs > 256) return die_usage("--jobs: expected 1-256, got '%s'", v);
        } else if (!strcmp(a, "--shard")) {
            NEED();
            if (sscanf(v, "%u/%u", &shard_k, &shard_n) != 2 || shard_n < 1 || shard_k < 1 || shard_k > shard_n)
                return die_usage("--shard: expected K/N with 1 <= K <= N, got '%s'", v);
        } else if (a[0] == '-' && a[1]) {
            return die_usage("unknown option '%s'", a);
        } else if (merge) {
            if (nmerge == 256) return die_usage("too many shard files");
            merge_files[nmerge++] = a;
        } else if (input) {
            return die_usage("more than one workload ('%s' and '%s')", input, a);
        } else {
            input = a;
        }
#undef NEED
    }

    if (merge) {
        if (nmerge == 0) return die_usage("merge: no shard files");
        for (i = 0; i < nmerge; i++) {
            size_t len;
            char *t = read_file(merge_files[i], &len);
            cJSON *j;
            if (!t) {
                fprintf(stderr, "vmbench: %s: %s\n", merge_files[i], strerror(errno));
                return EXIT_USAGE;
            }
            j = cJSON_ParseWithLength(t, len);
            if (!j) {
                fprintf(stderr, "vmbench: %s: malformed JSON near byte %ld\n", merge_files[i],
                        (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - t : 0));
                free(t);
                return EXIT_USAGE;
            }
            free(t);
            if (load_points(&sw, j, merge_files[i], i == 0)) {
                cJSON_Delete(j);
                return EXIT_USAGE;
            }
            cJSON_Delete(j);
        }
        for (u = 0; u < sw.npts; u++) {
            int wanted = !sw.budget_only || in_budget(&sw, &sw.pts[u]);
            if (wanted && !sw.pts[u].measured) {
                fprintf(stderr, "vmbench: merge: point %u is in no shard (missing a shard file?)\n", u);
                return EXIT_USAGE;
            }
        }
        goto report;
    }

    /* The workload. */
    if (scenario) {
        size_t len;
        cJSON *root, *wls, *w, *bes, *b;
        if (input) return die_usage("give either a WORKLOAD or --scenario, not both");
        wtext = read_file(scenario, &len);
        if (!wtext) return fprintf(stderr, "vmbench: %s: %s\n", scenario, strerror(errno)), EXIT_USAGE;
        root = cJSON_ParseWithLength(wtext, len);
        if (!root) return fprintf(stderr, "vmbench: %s: malformed JSON\n", scenario), EXIT_USAGE;
        wls = cJSON_GetObjectItemCaseSensitive(root, "workloads");
        if (!cJSON_IsObject(wls) || !wls->child) return fprintf(stderr, "vmbench: %s: $.workloads: expected an object with at least one workload\n", scenario), EXIT_USAGE;
        w = wlname ? cJSON_GetObjectItemCaseSensitive(wls, wlname) : wls->child;
        if (!w) return fprintf(stderr, "vmbench: %s: $.workloads: no workload named \"%s\"\n", scenario, wlname), EXIT_USAGE;
        sw.workload_json = cJSON_Duplicate(w, 1);
        snprintf(sw.workload_desc, sizeof sw.workload_desc, "%s: %s", scenario, w->string);
        sw.base_path = scenario;
        bes = cJSON_GetObjectItemCaseSensitive(root, "backends");
        if (sw.nbackends == 0 && cJSON_IsObject(bes))
            cJSON_ArrayForEach(b, bes)
            {
                if (sw.nbackends == 16) break;
                sw.backend_names[sw.nbackends] = strdup(b->string);
                sw.backend_json[sw.nbackends++] = cJSON_Duplicate(b, 1);
            }
        cJSON_Delete(root);
    } else {
        char *abs;
        if (!input) return die_usage("no workload (a trace file, --gen SPEC.json, or --scenario FILE)");
        abs = realpath(input, NULL);
        if (!abs) return fprintf(stderr, "vmbench: %s: %s\n", input, strerror(errno)), EXIT_USAGE;
        if (gen) {
            size_t len;
            cJSON *spec;
            wtext = read_file(abs, &len);
            if (!wtext) return fprintf(stderr, "vmbench: %s: %s\n", input, strerror(errno)), EXIT_USAGE;
            spec = cJSON_ParseWithLength(wtext, len);
            if (!spec || !cJSON_IsObject(spec))
                return fprintf(stderr, "vmbench: %s: expected a JSON object (a generator spec)\n", input), EXIT_USAGE;
            sw.workload_json = cJSON_CreateObject();
            cJSON_AddItemToObject(sw.workload_json, "generator", spec);
        } else {
            sw.workload_json = cJSON_CreateObject();
            cJSON_AddStringToObject(sw.workload_json, "trace", abs);
        }
        snprintf(sw.workload_desc, sizeof sw.workload_desc, "%s", input);
        sw.base_path = "vmbench";
        free(abs);
    }
    if (sw.nbackends == 0 && add_backend(&sw, "sram:atmega328p")) return EXIT_USAGE;

    {
        int n;
        if ((n = parse_list(sizes, 1, VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX, sw.sizes, 16, "--page-sizes")) < 0) return EXIT_USAGE;
        sw.nsizes = (unsigned)n;
        if ((n = parse_list(counts, 0, 1, VM_PAGE_COUNT_MAX, sw.counts, 64, "--page-counts")) < 0) return EXIT_USAGE;
        sw.ncounts = (unsigned)n;
        if (!strcmp(pols, "all")) {
            for (u = VM_POLICY_FIFO; u < VM_POLICY_COUNT; u++) sw.policies[sw.npolicies++] = u;
        } else {
            char buf[128], *save = NULL, *t;
            snprintf(buf, sizeof buf, "%s", pols);
            for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int pol = vmr_policy_from_name(t);
                if (pol <= 0) return die_usage("--policies: unknown policy '%s' (fifo, lru, clock, sieve, all)", t);
                if (sw.npolicies == VM_POLICY_COUNT) return die_usage("--policies: too many");
                sw.policies[sw.npolicies++] = (unsigned)pol;
            }
        }
    }
    if (sw.budget_only && !sw.budget) return die_usage("--budget-only needs --budget");
    make_points(&sw);
    mine = calloc(sw.npts ? sw.npts : 1, sizeof *mine);
    for (u = 0; u < sw.npts; u++)
        if (u % shard_n == shard_k - 1 && (!sw.budget_only || in_budget(&sw, &sw.pts[u]))) mine[nmine++] = u;
    if (nmine == 0) return die_usage("the sweep selects no points (budget %lu B is below every geometry?)", sw.budget);
    if (!quiet)
        fprintf(stderr, "vmbench: %u points (%u backends x %u sizes x %u counts x %u policies)%s\n", nmine,
                sw.nbackends, sw.nsizes, sw.ncounts, sw.npolicies, shard_n > 1 ? " in this shard" : "");
    if (measure(&sw, mine, nmine, jobs, quiet)) return EXIT_USAGE;
    free(mine);

report:
    memset(&an, 0, sizeof an);
    oc.sw = &sw;
    oc.an = NULL;
    oc.k = shard_k;
    oc.n = shard_n;
    if (shard_n == 1) {
        answer(&sw, &an);
        oc.an = &an;
        if (!quiet) print_table(stdout, &sw, &an, isatty(1));
    } else if (!quiet) {
        fprintf(stderr, "vmbench: shard %u/%u measured; combine the shards with 'vmbench merge'\n", shard_k, shard_n);
    }
    if (json && write_to(json, json_cb, &oc)) rc = EXIT_WRITE;
    if (csv && write_to(csv, csv_cb, &oc)) rc = EXIT_WRITE;
    if (svg && shard_n == 1 && write_to(svg, svg_cb, &oc)) rc = EXIT_WRITE;
    for (u = 0; u < sw.npts; u++)
        if (sw.pts[u].measured && !sw.pts[u].ok) {
            if (!rc) fprintf(stderr, "vmbench: point %u failed: %s\n", u, sw.pts[u].error);
            if (!rc) rc = EXIT_FAIL;
        }
    free(an.pareto);
    free(sw.pts);
    for (u = 0; u < sw.nbackends; u++) {
        free(sw.backend_names[u]);
        cJSON_Delete(sw.backend_json[u]);
    }
    cJSON_Delete(sw.workload_json);
    free(wtext);
    return rc;
}
