/*
 * vmtrace_tool.c - the `vmtrace` command (and `vmtrace-gen`, the same
 * program): generate, convert, inspect, time and compute the optimum of
 * traces from the shell. See `vmtrace --help`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vmtrace.h"

static const char usage[] =
    "usage: vmtrace COMMAND [options]\n"
    "  gen SPEC.json OUT [--ops N]     write a generator's ops to a trace (binary for .vmt)\n"
    "  convert IN OUT                  convert between binary, json, din, txt (lackey: input only)\n"
    "  info IN                         format, pool, op count, ops per kind and phase\n"
    "  opt IN --page-size P --pages A,B,...   misses at the optimum (Belady's MIN)\n"
    "  bench IN [--repeat R]           decode speed (ops/s) and peak memory\n"
    "options for reading and writing:\n"
    "  --in-format F --out-format F    binary|json|din|lackey|txt (default: detect / from the name)\n"
    "  --id-bytes N                    txt: bytes per page id (default 64; --page-size N,\n"
    "                                  the old spelling, still sets it when --id-bytes is absent)\n"
    "  --pool-size N                   pool for foreign traces\n"
    "  --fold compact|none|mod         how foreign addresses become pool addresses (default compact)\n"
    "  --fold-block N                  compact fold block (default 4096)\n"
    "  --fetches                       import instruction fetches (lackey I, din i) as reads\n"
    "  --drop-data                     do not write data payloads\n"
    "vmtrace-gen SPEC.json OUT [N] is `vmtrace gen SPEC.json OUT --ops N`.\n"
    "Formats: docs/trace-format.md.\n";

struct args {
    const char *pos[4];
    int npos;
    const char *in_format, *out_format, *pages;
    uint64_t ops, repeat;
    uint32_t page_size, id_bytes;
    struct vmt_open_opts opts;
};

static int num(const char *opt, const char *v, uint64_t *out)
{
    char *end;
    unsigned long long x;
    if (!v) {
        fprintf(stderr, "vmtrace: %s needs a value\n", opt);
        return -1;
    }
    errno = 0;
    x = strtoull(v, &end, 0);
    if (errno || *end || v[0] == '-' || !v[0]) {
        fprintf(stderr, "vmtrace: %s: expected a non-negative integer, got \"%s\"\n", opt, v);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_args(int argc, char **argv, int first, struct args *a)
{
    int i;
    uint64_t v;
    memset(a, 0, sizeof *a);
    a->repeat = 1;
    for (i = first; i < argc; i++) {
        const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--in-format")) a->in_format = val, i++;
        else if (!strcmp(o, "--out-format")) a->out_format = val, i++;
        else if (!strcmp(o, "--pages")) a->pages = val, i++;
        else if (!strcmp(o, "--ops")) {
            if (num(o, val, &a->ops) < 0) return -1;
            i++;
        } else if (!strcmp(o, "--repeat")) {
            if (num(o, val, &a->repeat) < 0) return -1;
            i++;
        } else if (!strcmp(o, "--page-size")) {
            if (num(o, val, &v) < 0) return -1;
            a->page_size = (uint32_t)v;
            i++;
        } else if (!strcmp(o, "--id-bytes")) {
            if (num(o, val, &v) < 0) return -1;
            a->id_bytes = (uint32_t)v;
            i++;
        } else if (!strcmp(o, "--pool-size")) {
            if (num(o, val, &a->opts.pool_size) < 0) return -1;
            i++;
        } else if (!strcmp(o, "--fold-block")) {
            if (num(o, val, &v) < 0) return -1;
            a->opts.fold_block = (uint32_t)v;
            i++;
        } else if (!strcmp(o, "--fold")) {
            if (!val || (strcmp(val, "compact") && strcmp(val, "none") && strcmp(val, "mod"))) {
                fprintf(stderr, "vmtrace: --fold: expected compact, none or mod\n");
                return -1;
            }
            a->opts.fold = !strcmp(val, "compact") ? VMT_FOLD_COMPACT : !strcmp(val, "none") ? VMT_FOLD_NONE
                                                                                              : VMT_FOLD_MOD;
            i++;
        } else if (!strcmp(o, "--fetches")) a->opts.fetches = 1;
        else if (!strcmp(o, "--drop-data")) a->opts.drop_data = 1;
        else if (o[0] == '-' && o[1]) {
            fprintf(stderr, "vmtrace: unknown option %s (see --help)\n", o);
            return -1;
        } else if (a->npos < 4) a->pos[a->npos++] = o;
        else {
            fprintf(stderr, "vmtrace: too many arguments\n");
            return -1;
        }
        if (i >= argc) {
            fprintf(stderr, "vmtrace: %s needs a value\n", o);
            return -1;
        }
    }
    a->opts.id_bytes = a->id_bytes ? a->id_bytes : a->page_size;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmd_gen(struct args *a)
{
    if (a->npos != 2) {
        fprintf(stderr, "vmtrace gen: expected SPEC.json OUT\n");
        return 2;
    }
    return vmt_cmd_gen("vmtrace", a->pos[0], "json", a->pos[1], a->out_format, &a->opts, a->ops, 2, 1);
}

static int cmd_convert(struct args *a)
{
    if (a->npos != 2) {
        fprintf(stderr, "vmtrace convert: expected IN OUT\n");
        return 2;
    }
    return vmt_cmd_convert("vmtrace", a->pos[0], a->in_format, a->pos[1], a->out_format, &a->opts, 1);
}

/* The one trace a command reads (its IN), opened; NULL after a message
 * ("vmtrace " usage when there is not exactly one IN), and the command
 * exits 2, before any work. */
static struct vmt_source *open_in(const struct args *a, const char *usage)
{
    char err[600];
    struct vmt_source *s;
    if (a->npos != 1) {
        fprintf(stderr, "vmtrace %s\n", usage);
        return NULL;
    }
    s = vmt_open(a->pos[0], a->in_format, &a->opts, err, sizeof err);
    if (!s) fprintf(stderr, "vmtrace: %s\n", err);
    return s;
}

static int cmd_info(struct args *a)
{
    struct vmt_source *s;
    struct vmt_op op;
    uint64_t kinds[VMT_KIND_COUNT] = {0}, n = 0, bytes = 0;
    unsigned k;
    int rc;
    s = open_in(a, "info: expected IN");
    if (!s) return 2;
    while ((rc = vmt_next(s, &op)) == 1) {
        kinds[op.kind]++;
        n++;
        if (op.kind == VMT_READ || op.kind == VMT_WRITE) bytes += op.len;
        if (op.kind == VMT_PHASE && kinds[VMT_PHASE] <= 20) printf("phase %lu: %s (at op %llu)\n",
                                                                  (unsigned long)op.id, op.name,
                                                                  (unsigned long long)n - 1);
    }
    if (rc < 0) {
        fprintf(stderr, "vmtrace: %s\n", vmt_error(s));
        vmt_close(s);
        return 1;
    }
    printf("format: %s\npool_size: %llu\nops: %llu\nread/write bytes: %llu\n", vmt_info(s)->format,
           (unsigned long long)vmt_info(s)->pool_size, (unsigned long long)n, (unsigned long long)bytes);
    for (k = 0; k < VMT_KIND_COUNT; k++)
        if (kinds[k]) printf("  %-10s %llu\n", vmt_kind_name(k), (unsigned long long)kinds[k]);
    vmt_close(s);
    return 0;
}

static int cmd_opt(struct args *a)
{
    char err[600];
    struct vmt_source *s;
    uint32_t counts[64];
    uint64_t misses[64];
    size_t n = 0, i;
    const char *p = a->pages;
    if (a->npos != 1 || !a->page_size || !p) {
        fprintf(stderr, "vmtrace opt: expected IN --page-size P --pages A,B,...\n");
        return 2;
    }
    while (*p && n < 64) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v < 1 || v > 65535 || (*end && *end != ',')) {
            fprintf(stderr, "vmtrace: --pages: expected a comma-separated list of 1..65535\n");
            return 2;
        }
        counts[n++] = (uint32_t)v;
        p = *end ? end + 1 : end;
    }
    s = open_in(a, "opt: expected IN --page-size P --pages A,B,...");
    if (!s) return 2;
    if (vmt_opt_misses(s, a->page_size, counts, n, misses, err, sizeof err) < 0) {
        fprintf(stderr, "vmtrace: %s\n", err);
        vmt_close(s);
        return 1;
    }
    printf("pages  opt_misses  (page size %lu)\n", (unsigned long)a->page_size);
    for (i = 0; i < n; i++) printf("%5lu  %llu\n", (unsigned long)counts[i], (unsigned long long)misses[i]);
    vmt_close(s);
    return 0;
}

static int cmd_bench(struct args *a)
{
    struct vmt_source *s;
    struct vmt_op op;
    uint64_t n = 0, sum = 0, r;
    double t0, t1;
    struct rusage ru;
    int rc = 0;
    s = open_in(a, "bench: expected IN");
    if (!s) return 2;
    t0 = now_s();
    for (r = 0; r < a->repeat; r++) {
        if (r && vmt_rewind(s) < 0) break;
        while ((rc = vmt_next(s, &op)) == 1) {
            n++;
            sum += op.addr + op.len;
        }
        if (rc < 0) break;
    }
    t1 = now_s();
    if (rc < 0) {
        fprintf(stderr, "vmtrace: %s\n", vmt_error(s));
        vmt_close(s);
        return 1;
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("%s: %llu ops in %.3f s: %.1f M ops/s decoded (checksum %llx); max RSS %ld KiB\n", a->pos[0],
           (unsigned long long)n, t1 - t0, (double)n / (t1 - t0) / 1e6, (unsigned long long)sum,
           ru.ru_maxrss);
    vmt_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    struct args a;
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (!strcmp(prog, "vmtrace-gen")) {
        if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs("usage: vmtrace-gen SPEC.json OUT [N]\n  writes N ops (default: all) of the generator in "
                  "SPEC.json to OUT (binary for .vmt; .json .din .txt by name)\n", stdout);
            return 0;
        }
        if (parse_args(argc, argv, 1, &a) < 0) return 2;
        if (a.npos == 3) {
            char *end;
            a.ops = strtoull(a.pos[2], &end, 0);
            if (*end || a.pos[2][0] == '-') {
                fprintf(stderr, "vmtrace-gen: N: expected a non-negative integer\n");
                return 2;
            }
            a.npos = 2;
        }
        return cmd_gen(&a);
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (parse_args(argc, argv, 2, &a) < 0) return 2;
    if (!strcmp(argv[1], "gen")) return cmd_gen(&a);
    if (!strcmp(argv[1], "convert")) return cmd_convert(&a);
    if (!strcmp(argv[1], "info")) return cmd_info(&a);
    if (!strcmp(argv[1], "opt")) return cmd_opt(&a);
    if (!strcmp(argv[1], "bench")) return cmd_bench(&a);
    fprintf(stderr, "vmtrace: unknown command \"%s\" (see --help)\n", argv[1]);
    return 2;
}
