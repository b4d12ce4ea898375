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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "vmr_replay.h"
#include "vms_scenario.h"
#include "vmbench.h"

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
    "                    points over it are still measured but never recommended;\n"
    "                    so are points over the RAM of the profile's MCU\n"
    "  --budget-only     measure only the points within the budget\n"
    "  --objective O     time (default: simulated time), bytes (backend bytes) or misses\n"
    "  --gen             WORKLOAD is a generator spec file\n"
    "  --scenario FILE   take the workload (and backends) from a vmsim scenario\n"
    "  --workload NAME   with --scenario: which workload (default the first)\n"
    "  --jobs N          points at once (default: every core); results do not depend on it\n"
    "  --shard K/N       measure only points with index mod N = K-1; merge with 'vmbench merge'\n"
    "  --decode-budget B memory for the workload decoded once and shared by every point\n"
    "                    (default 16M); a larger workload is streamed by each point (0: always)\n"
    "  --time-limit S    start no point after S seconds; report the best answer so far,\n"
    "                    marked PARTIAL (points already running finish)\n"
    "  --exact           clock every bus byte through the byte-exact device models (default:\n"
    "                    each transaction shape priced once on them, SD polls and\n"
    "                    blocks in closed form) and run every point (default: at page\n"
    "                    count 1, points that differ only in the policy and provably\n"
    "                    give the same figures are run once); the same numbers\n"
    "\n"
    "Reports:\n"
    "  --json FILE --csv FILE --svg FILE   machine-readable results and the heat map\n"
    "  --quiet           no table and no progress\n"
    "  --progress        progress (points/s, the best so far) even when stderr is not a\n"
    "                    terminal, a line per point\n"
    "\n"
    "Exit status: 0 done; 1 a point failed; 2 bad usage or input; 3 a report could not\n"
    "be written.\n";

/* ------------------------------------------------------------------ util */

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

/* ------------------------------------------------------------ backends */

static int add_backend(struct sweep *sw, const char *spec)
{
    char buf[256], *save = NULL, *tok, *colon, name[64], prof[32];
    cJSON *o;
    int ty;
    if (sw->nbackends == VMB_MAX_BACKENDS) return die_usage("--backend: at most %d backends", VMB_MAX_BACKENDS);
    if (strlen(spec) >= sizeof buf) return die_usage("--backend: longer than %u characters", (unsigned)sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", spec);
    tok = strtok_r(buf, ",", &save);
    if (!tok) return die_usage("--backend: empty");
    colon = strchr(tok, ':');
    if (colon) *colon++ = 0;
    ty = vmr_backend_type_from_name(tok);
    if (ty < 0) {
        char names[128];
        return die_usage("--backend '%s': unknown type '%s' (%s)", spec, tok,
                         vmr_backend_names(names, sizeof names, "", ", ", ", "));
    }
    tok = (char *)vmr_backend_type_name((unsigned)ty); /* its canonical spelling */
    if (colon && *colon) {
        char err[256];
        if (strlen(colon) >= sizeof prof) return die_usage("--backend '%s': profile name too long", spec);
        snprintf(prof, sizeof prof, "%s", colon);
        if (vmr_profile_pick(prof, sizeof prof, err, sizeof err))
            return die_usage("--backend '%s': %s", spec, err);
        colon = prof;
    }
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
    /* Names cut short (or the same spec twice) stay apart: -2, -3, ... */
    for (unsigned b = 0, k = 2; b < sw->nbackends; b++)
        if (!strcmp(sw->backend_names[b], name)) {
            char alt[sizeof name];
            snprintf(alt, sizeof alt, "%.*s-%u", (int)sizeof name - 12, name, k++);
            memcpy(name, alt, sizeof name);
            b = (unsigned)-1; /* check the new name against all again */
        }
    sw->backend_names[sw->nbackends] = strdup(name);
    sw->backend_json[sw->nbackends++] = o;
    return 0;
}


/* ------------------------------------------------------------------ main */

/* What the command line asks for. */
struct cli {
    const char *json, *csv, *svg, *scenario, *wlname, *input;
    const char *sizes, *counts, *pols;
    int quiet, gen, jobs, merge, progress;
    double time_limit;
    unsigned long decode_budget; /* bytes; ULONG_MAX: the default */
    unsigned shard_k, shard_n;
    const char *merge_files[256];
    int nmerge;
};

/* 0 to go on, 1 after --help, or EXIT_USAGE after a message. */
static int parse_args(struct cli *o, struct sweep *sw, int argc, char **argv)
{
    int i;
    for (i = 1 + o->merge; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED() do { if (!v) return die_usage("%s needs a value", a); i++; } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 1;
        } else if (!strcmp(a, "--json")) { NEED(); o->json = v; }
        else if (!strcmp(a, "--csv")) { NEED(); o->csv = v; }
        else if (!strcmp(a, "--svg") || !strcmp(a, "--plot")) { NEED(); o->svg = v; }
        else if (!strcmp(a, "--quiet")) o->quiet = 1;
        else if (!strcmp(a, "--gen")) o->gen = 1;
        else if (!strcmp(a, "--exact")) sw->exact = 1;
        else if (!strcmp(a, "--progress")) o->progress = 1;
        else if (!strcmp(a, "--decode-budget")) {
            NEED();
            if (parse_bytes(v, &o->decode_budget)) return die_usage("--decode-budget: expected a byte count like 16M, got '%s'", v);
        }
        else if (!strcmp(a, "--time-limit")) {
            char *end;
            NEED();
            o->time_limit = strtod(v, &end);
            if (end == v || *end || !(o->time_limit > 0) || o->time_limit > 1e9)
                return die_usage("--time-limit: expected a number of seconds above 0, got '%s'", v);
        }
        else if (!strcmp(a, "--scenario")) { NEED(); o->scenario = v; }
        else if (!strcmp(a, "--workload")) { NEED(); o->wlname = v; }
        else if (!strcmp(a, "--backend")) { NEED(); if (add_backend(sw, v)) return EXIT_USAGE; }
        else if (!strcmp(a, "--page-sizes")) { NEED(); o->sizes = v; }
        else if (!strcmp(a, "--page-counts")) { NEED(); o->counts = v; }
        else if (!strcmp(a, "--policies")) { NEED(); o->pols = v; }
        else if (!strcmp(a, "--budget")) {
            NEED();
            if (parse_bytes(v, &sw->budget) || sw->budget == 0) return die_usage("--budget: expected a byte count like 2048 or 4K, got '%s'", v);
        } else if (!strcmp(a, "--budget-only")) sw->budget_only = 1;
        else if (!strcmp(a, "--objective")) {
            NEED();
            for (sw->objective = 0; sw->objective < OBJ_COUNT && strcmp(v, vmb_objective_names[sw->objective]); sw->objective++) {}
            if (sw->objective == OBJ_COUNT) return die_usage("--objective: expected time, bytes or misses, got '%s'", v);
        } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
            char *end;
            NEED();
            o->jobs = (int)strtol(v, &end, 10);
            if (*end || o->jobs < 1 || o->jobs > 256) return die_usage("--jobs: expected 1-256, got '%s'", v);
        } else if (!strcmp(a, "--shard")) {
            NEED();
            if (sscanf(v, "%u/%u", &o->shard_k, &o->shard_n) != 2 || o->shard_n < 1 || o->shard_k < 1 || o->shard_k > o->shard_n)
                return die_usage("--shard: expected K/N with 1 <= K <= N, got '%s'", v);
        } else if (a[0] == '-' && a[1]) {
            return die_usage("unknown option '%s'", a);
        } else if (o->merge) {
            if (o->nmerge == 256) return die_usage("too many shard files");
            o->merge_files[o->nmerge++] = a;
        } else if (o->input) {
            return die_usage("more than one workload ('%s' and '%s')", o->input, a);
        } else {
            o->input = a;
        }
#undef NEED
    }
    return 0;
}

/* `vmbench merge`: the sweep and its points from shard reports. */
static int load_shards(const struct cli *o, struct sweep *sw)
{
    int i;
    unsigned u;
    if (o->nmerge == 0) return die_usage("merge: no shard files");
    for (i = 0; i < o->nmerge; i++) {
        size_t len;
        char *t = read_file(o->merge_files[i], &len);
        cJSON *j;
        if (!t) {
            fprintf(stderr, "vmbench: %s: %s\n", o->merge_files[i], strerror(errno));
            return EXIT_USAGE;
        }
        j = cJSON_ParseWithLength(t, len);
        if (!j) {
            fprintf(stderr, "vmbench: %s: malformed JSON near byte %ld\n", o->merge_files[i],
                    (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - t : 0));
            free(t);
            return EXIT_USAGE;
        }
        free(t);
        if (vmb_load_points(sw, j, o->merge_files[i], i == 0)) {
            cJSON_Delete(j);
            return EXIT_USAGE;
        }
        cJSON_Delete(j);
    }
    for (u = 0; u < sw->npts; u++) {
        int wanted = !sw->budget_only || vmb_in_budget(sw, &sw->pts[u]);
        if (wanted && !sw->pts[u].measured) {
            fprintf(stderr, "vmbench: merge: point %u is in no shard (missing a shard file?)\n", u);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* The workload (and, unless --backend gave some, the backends) of a
 * scenario. *wtext keeps the file's text. */
static int load_scenario(const struct cli *o, struct sweep *sw, char **wtext)
{
    size_t len;
    cJSON *root, *wls, *w, *bes, *b;
    const char *scenario = o->scenario;
    if (o->input) return die_usage("give either a WORKLOAD or --scenario, not both");
    {
        /* The whole file as vmsim reads it: names, workloads, traces. */
        struct vms_scenario sc;
        char err[512];
        if (vms_load(scenario, &sc, err, sizeof err))
            return fprintf(stderr, "vmbench: %s\n", err), EXIT_USAGE;
        vms_free(&sc);
    }
    *wtext = read_file(scenario, &len);
    if (!*wtext) return fprintf(stderr, "vmbench: %s: %s\n", scenario, strerror(errno)), EXIT_USAGE;
    root = cJSON_ParseWithLength(*wtext, len);
    if (!root) return fprintf(stderr, "vmbench: %s: malformed JSON\n", scenario), EXIT_USAGE;
    wls = cJSON_GetObjectItemCaseSensitive(root, "workloads");
    if (!cJSON_IsObject(wls) || !wls->child) return fprintf(stderr, "vmbench: %s: $.workloads: expected an object with at least one workload\n", scenario), EXIT_USAGE;
    w = o->wlname ? cJSON_GetObjectItemCaseSensitive(wls, o->wlname) : wls->child;
    if (!w) return fprintf(stderr, "vmbench: %s: $.workloads: no workload named \"%s\"\n", scenario, o->wlname), EXIT_USAGE;
    sw->workload_json = cJSON_Duplicate(w, 1);
    snprintf(sw->workload_desc, sizeof sw->workload_desc, "%s: %s", scenario, w->string);
    sw->base_path = scenario;
    bes = cJSON_GetObjectItemCaseSensitive(root, "backends");
    if (sw->nbackends == 0 && cJSON_IsObject(bes))
        cJSON_ArrayForEach(b, bes)
        {
            if (sw->nbackends == VMB_MAX_BACKENDS) break;
            sw->backend_names[sw->nbackends] = strdup(b->string);
            sw->backend_json[sw->nbackends++] = cJSON_Duplicate(b, 1);
        }
    cJSON_Delete(root);
    return 0;
}

/* The workload named on the command line: a trace file or, with --gen, a
 * generator spec. */
static int load_input(const struct cli *o, struct sweep *sw, char **wtext)
{
    const char *input = o->input;
    char *abs;
    if (!input) return die_usage("no workload (a trace file, --gen SPEC.json, or --scenario FILE)");
    abs = realpath(input, NULL);
    if (!abs) return fprintf(stderr, "vmbench: %s: %s\n", input, strerror(errno)), EXIT_USAGE;
    if (o->gen) {
        size_t len;
        cJSON *spec;
        *wtext = read_file(abs, &len);
        if (!*wtext) return fprintf(stderr, "vmbench: %s: %s\n", input, strerror(errno)), EXIT_USAGE;
        spec = cJSON_ParseWithLength(*wtext, len);
        if (!spec || !cJSON_IsObject(spec))
            return fprintf(stderr, "vmbench: %s: expected a JSON object (a generator spec)\n", input), EXIT_USAGE;
        sw->workload_json = cJSON_CreateObject();
        cJSON_AddItemToObject(sw->workload_json, "generator", spec);
    } else {
        sw->workload_json = cJSON_CreateObject();
        cJSON_AddStringToObject(sw->workload_json, "trace", abs);
    }
    {
        /* Opened once now, so that its errors name the file given. */
        char err[512];
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(sw->workload_json, "generator");
        struct vmt_source *src = g ? vmt_open_generator(g, input, err, sizeof err)
                                   : vmt_open(input, NULL, NULL, err, sizeof err);
        if (!src) {
            free(abs);
            return fprintf(stderr, "vmbench: %s\n", err), EXIT_USAGE;
        }
        vmt_close(src);
    }
    snprintf(sw->workload_desc, sizeof sw->workload_desc, "%s", input);
    sw->base_path = "--backend"; /* where the backends come from, in messages */
    free(abs);
    return 0;
}

/* Page sizes, counts and policies. */
static int parse_axes(const struct cli *o, struct sweep *sw)
{
    int n;
    unsigned u;
    if ((n = parse_list(o->sizes, 1, VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX, sw->sizes, VMB_MAX_SIZES, "--page-sizes")) < 0) return EXIT_USAGE;
    sw->nsizes = (unsigned)n;
    if ((n = parse_list(o->counts, 0, 1, VM_PAGE_COUNT_MAX, sw->counts, VMB_MAX_COUNTS, "--page-counts")) < 0) return EXIT_USAGE;
    sw->ncounts = (unsigned)n;
    if (!strcmp(o->pols, "all")) {
        for (u = VM_POLICY_FIFO; u < VM_POLICY_COUNT; u++) sw->policies[sw->npolicies++] = u;
    } else {
        char buf[128], *save = NULL, *t;
        snprintf(buf, sizeof buf, "%s", o->pols);
        for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int pol = vmr_policy_from_name(t);
            if (pol <= 0) return die_usage("--policies: unknown policy '%s' (fifo, lru, clock, sieve, all)", t);
            if (sw->npolicies == VM_POLICY_COUNT) return die_usage("--policies: too many");
            sw->policies[sw->npolicies++] = (unsigned)pol;
        }
    }
    if (sw->budget_only && !sw->budget) return die_usage("--budget-only needs --budget");
    return 0;
}

/* Lay out the sweep and measure this shard's points. */
static int run_sweep(const struct cli *o, struct sweep *sw)
{
    unsigned *mine, nmine = 0, u;
    struct vmb_measure_opts mo;
    vmb_make_points(sw);
    if (vmb_validate(sw)) return EXIT_USAGE;
    mine = calloc(sw->npts ? sw->npts : 1, sizeof *mine);
    if (!mine) return EXIT_FAIL;
    for (u = 0; u < sw->npts; u++)
        if (u % o->shard_n == o->shard_k - 1 && (!sw->budget_only || vmb_in_budget(sw, &sw->pts[u]))) mine[nmine++] = u;
    if (nmine == 0) {
        free(mine);
        return die_usage("the sweep selects no points (budget %lu B is below every geometry?)", sw->budget);
    }
    if (!o->quiet)
        fprintf(stderr, "vmbench: %u points (%u backends x %u sizes x %u counts x %u policies)%s\n", nmine,
                sw->nbackends, sw->nsizes, sw->ncounts, sw->npolicies, o->shard_n > 1 ? " in this shard" : "");
    mo.jobs = o->jobs;
    mo.time_limit = o->time_limit;
    mo.decode_budget = o->decode_budget == ULONG_MAX ? 0 : o->decode_budget ? o->decode_budget : 1;
    mo.progress = o->quiet ? VMB_PROGRESS_OFF : isatty(2) ? VMB_PROGRESS_BAR
                  : o->progress ? VMB_PROGRESS_LINES : VMB_PROGRESS_OFF;
    if (vmb_measure(sw, mine, nmine, &mo)) {
        free(mine);
        return EXIT_USAGE;
    }
    free(mine);
    if (sw->partial && !o->quiet)
        fprintf(stderr, "vmbench: time limit: %u of %u points measured; the answer is the best of those (partial)\n",
                sw->nmeasured, nmine);
    return 0;
}

/* The answer, the table and the report files; the exit status. */
static int report(const struct cli *o, struct sweep *sw)
{
    struct answer an;
    int rc = 0;
    unsigned u;
    memset(&an, 0, sizeof an);
    if (o->shard_n == 1) {
        vmb_answer(sw, &an);
        if (!o->quiet) vmb_print_table(stdout, sw, &an, isatty(1));
    } else if (!o->quiet) {
        fprintf(stderr, "vmbench: shard %u/%u measured; combine the shards with 'vmbench merge'\n", o->shard_k, o->shard_n);
    }
    if (o->json && vmb_write_json(o->json, sw, o->shard_n == 1 ? &an : NULL, o->shard_k, o->shard_n)) rc = EXIT_WRITE;
    if (o->csv && vmb_write_csv(o->csv, sw)) rc = EXIT_WRITE;
    if (o->svg && o->shard_n == 1 && vmb_write_svg(o->svg, sw, &an)) rc = EXIT_WRITE;
    for (u = 0; u < sw->npts; u++)
        if (sw->pts[u].measured && !sw->pts[u].ok) {
            if (!rc) fprintf(stderr, "vmbench: point %u failed: %s\n", u, sw->pts[u].error);
            if (!rc) rc = EXIT_FAIL;
        }
    free(an.pareto);
    return rc;
}

int main(int argc, char **argv)
{
    static struct sweep sw; /* static: what early exits leave is still reachable */
    static struct cli o;
    static char *wtext;
    int rc;

    o.sizes = "16-1024";
    o.counts = "1,2,3,4,6,8,12,16";
    o.pols = "all";
    o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
    o.shard_k = o.shard_n = 1;
    o.decode_budget = ULONG_MAX;
    if (argc > 1 && !strcmp(argv[1], "micro")) return vmb_micro();
    if (argc > 1 && !strcmp(argv[1], "merge")) o.merge = 1;
    if ((rc = parse_args(&o, &sw, argc, argv))) return rc == 1 ? 0 : rc;
    if (o.merge) {
        if ((rc = load_shards(&o, &sw))) return rc;
    } else {
        if ((rc = o.scenario ? load_scenario(&o, &sw, &wtext) : load_input(&o, &sw, &wtext))) return rc;
        if (sw.nbackends == 0 && add_backend(&sw, "sram:atmega328p")) return EXIT_USAGE;
        if ((rc = parse_axes(&o, &sw)) || (rc = run_sweep(&o, &sw))) return rc;
    }
    rc = report(&o, &sw);
    vmb_free(&sw);
    free(wtext);
    return rc;
}
