/*
 * test_vmsim.c - vmsim end to end, headless: the shipped matrix runs clean;
 * its JSON report has the documented shape and its invariants hold (hits +
 * misses = touches, backend bytes consistent with loads, fills and
 * write-backs, the optimum below every policy, phases adding up to the
 * total, time zero exactly on the ideal ram backend); two runs, with
 * different thread counts, give byte-identical reports; bad input exits 2
 * naming the file; a broken expectation exits 1.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *vmsim(void)
{
    const char *v = getenv("VMSIM");
    return v ? v : "vmsim";
}

static const char *scen(void)
{
    const char *d = getenv("VMSIM_SCENARIOS");
    return d ? d : "scenarios";
}

/* Runs a shell command; returns the exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    ck_assert_msg(st != -1 && WIFEXITED(st), "cannot run: %s", cmd);
    return WEXITSTATUS(st);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = 0;
    fclose(f);
    if (n) *n = (size_t)len;
    return buf;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(j), "missing number \"%s\"", key);
    return j->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsString(j), "missing string \"%s\"", key);
    return j->valuestring;
}

static const char *const counter_keys[] = {
    "ops",          "touches",        "hits",          "misses",         "loads",
    "fills",        "evictions",      "writebacks",    "bytes_read",     "bytes_written",
    "backend_reads", "backend_writes", "backend_errors", "op_errors",     "access_read",
    "access_written", "locks",        "time_ns",       "verified_bytes", "hit_ratio"};

static void check_counters(const cJSON *c, double page_size)
{
    for (size_t i = 0; i < sizeof counter_keys / sizeof counter_keys[0]; i++)
        ck_assert_double_ge(num(c, counter_keys[i]), 0);
    ck_assert_double_eq(num(c, "hits") + num(c, "misses"), num(c, "touches"));
    /* loads are misses that installed a page; every eviction made room */
    ck_assert_double_le(num(c, "loads"), num(c, "misses"));
    /* bytes: reads come only from loads and fills, at most a page each;
     * writes only from write-backs, at most a page each */
    ck_assert_double_le(num(c, "bytes_read"), (num(c, "loads") + num(c, "fills")) * page_size);
    ck_assert_double_le(num(c, "bytes_written"), num(c, "writebacks") * page_size);
    ck_assert_int_eq(num(c, "bytes_written") > 0, num(c, "writebacks") > 0);
    ck_assert_double_le(num(c, "backend_writes"), num(c, "writebacks") + num(c, "backend_errors"));
    ck_assert(cJSON_HasObjectItem(c, "throughput_kib_s"));
}

START_TEST(matrix_report_shape_and_invariants)
{
    const char *a = "vmsim_test_a.json", *b = "vmsim_test_b.json", *csv = "vmsim_test.csv";
    int rc = run("'%s' '%s/matrix.json' --quiet --json %s --csv %s --jobs 2", vmsim(), scen(), a, csv);
    ck_assert_int_eq(rc, 0);
    rc = run("'%s' '%s/matrix.json' --quiet --json %s --jobs 1", vmsim(), scen(), b);
    ck_assert_int_eq(rc, 0);
    size_t na, nb;
    char *ta = slurp(a, &na), *tb = slurp(b, &nb);
    ck_assert_msg(na == nb && memcmp(ta, tb, na) == 0, "two runs gave different reports");
    cJSON *root = cJSON_Parse(ta);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(str(root, "scenario"), "matrix");
    ck_assert_str_eq(str(root, "format"), "vmsim-report-1");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    ck_assert(cJSON_IsArray(runs));
    int n = cJSON_GetArraySize(runs);
    /* 3 backend types x 2 profiles x 3 geometries x 4 workloads */
    ck_assert_int_eq(n, 72);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
    ck_assert_double_eq(num(sum, "runs"), 72);
    ck_assert_double_eq(num(sum, "failed"), 0);
    int types[3] = {0, 0, 0};
    const cJSON *r;
    cJSON_ArrayForEach(r, runs)
    {
        const char *bt = str(r, "backend_type");
        types[0] += strcmp(bt, "sram") == 0;
        types[1] += strcmp(bt, "sd") == 0;
        types[2] += strcmp(bt, "serial") == 0;
        ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
        ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "verified_full")));
        double ps = num(r, "page_size"), pc = num(r, "page_count");
        ck_assert_double_eq(ps * pc, 1024); /* equal page-buffer budget */
        ck_assert_double_ge(num(r, "ram_cost"), 1024);
        check_counters(r, ps);
        ck_assert_double_gt(num(r, "ops"), 0);
        ck_assert_double_gt(num(r, "time_ns"), 0); /* every device costs time */
        const cJSON *opt = cJSON_GetObjectItemCaseSensitive(r, "opt_misses");
        ck_assert(cJSON_IsNumber(opt));
        ck_assert_double_le(opt->valuedouble, num(r, "misses"));
        /* phases, when present, add up to the total */
        const cJSON *ph = cJSON_GetObjectItemCaseSensitive(r, "phases"), *p;
        ck_assert(cJSON_IsArray(ph));
        if (cJSON_GetArraySize(ph) > 0) {
            double ops = 0, t = 0, br = 0, mi = 0;
            cJSON_ArrayForEach(p, ph)
            {
                check_counters(p, ps);
                ops += num(p, "ops");
                t += num(p, "time_ns");
                br += num(p, "bytes_read");
                mi += num(p, "misses");
            }
            ck_assert_double_eq(ops, num(r, "ops"));
            ck_assert_double_eq(t, num(r, "time_ns"));
            ck_assert_double_eq(br, num(r, "bytes_read"));
            ck_assert_double_eq(mi, num(r, "misses"));
        }
    }
    ck_assert_int_eq(types[0], 24);
    ck_assert_int_eq(types[1], 24);
    ck_assert_int_eq(types[2], 24);
    /* the same runs on a faster platform take less simulated time */
    for (int i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(runs, i);
        if (strcmp(str(x, "profile"), "atmega328p") != 0) continue;
        for (int j = 0; j < n; j++) {
            const cJSON *y = cJSON_GetArrayItem(runs, j);
            if (strcmp(str(y, "profile"), "teensy32") == 0 &&
                strcmp(str(y, "backend_type"), str(x, "backend_type")) == 0 &&
                strcmp(str(y, "pager"), str(x, "pager")) == 0 &&
                strcmp(str(y, "workload"), str(x, "workload")) == 0) {
                ck_assert_double_eq(num(y, "misses"), num(x, "misses"));
                ck_assert_double_lt(num(y, "time_ns"), num(x, "time_ns"));
            }
        }
    }
    cJSON_Delete(root);
    char *tc = slurp(csv, NULL);
    int lines = 0;
    for (char *q = tc; *q; q++) lines += *q == '\n';
    ck_assert_int_eq(lines, 73);
    ck_assert(strncmp(tc, "backend,backend_type,profile,pager,", 35) == 0);
    free(tc);
    free(ta);
    free(tb);
    remove(a);
    remove(b);
    remove(csv);
}
END_TEST

/* The original benchmark with Teensy pages: backend bytes within 5 % of the
 * physical minimum, time zero on the ideal backend. */
START_TEST(virtmem_benchmark_near_minimum)
{
    const char *a = "vmsim_test_bench.json";
    ck_assert_int_eq(run("'%s' '%s/virtmem-benchmark.json' --quiet --json %s", vmsim(), scen(), a), 0);
    char *t = slurp(a, NULL);
    cJSON *root = cJSON_Parse(t);
    const cJSON *r;
    int n = 0;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(root, "runs"))
    {
        n++;
        ck_assert_double_le(num(r, "traffic_ratio"), 1.05);
        ck_assert_double_ge(num(r, "traffic_ratio"), 1.0);
        ck_assert_double_eq(num(r, "time_ns"), 0);
        ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "throughput_kib_s")));
        check_counters(r, num(r, "page_size"));
    }
    ck_assert_int_eq(n, 4);
    cJSON_Delete(root);
    free(t);
    remove(a);
}
END_TEST

START_TEST(bad_input_exit_codes)
{
    const char *bad = "vmsim_test_bad.json";
    FILE *f = fopen(bad, "w");
    fputs("{ \"backends\": { \"r\": { \"type\": \"ram\" } },\n  \"pagers\": { \"p\": { \"page_size\": 48, \"page_count\": 2 } },\n"
          "  \"workloads\": { \"w\": { \"trace\": \"x.vmt\" } }, \"matrix\": \"all\" }\n", f);
    fclose(f);
    ck_assert_int_eq(run("'%s' %s --quiet --no-save 2>vmsim_test_err.txt", vmsim(), bad), 2);
    char *e = slurp("vmsim_test_err.txt", NULL);
    ck_assert_msg(strstr(e, "vmsim_test_bad.json: $.pagers.p.page_size") != NULL, "%s", e);
    free(e);
    /* a missing trace is named too, and is also exit 2 for run-trace */
    ck_assert_int_eq(run("'%s' run-trace /nonexistent.vmt --quiet --no-save 2>vmsim_test_err.txt", vmsim()), 2);
    e = slurp("vmsim_test_err.txt", NULL);
    ck_assert_msg(strstr(e, "/nonexistent.vmt") != NULL, "%s", e);
    free(e);
    ck_assert_int_eq(run("'%s' --bogus x.json 2>/dev/null", vmsim()), 2);
    ck_assert_int_eq(run("'%s' --help >/dev/null", vmsim()), 0);
    /* a broken expectation fails the run: exit 1 */
    f = fopen(bad, "w");
    fprintf(f, "{ \"backends\": { \"r\": { \"type\": \"ram\" } },\n"
               "  \"pagers\": { \"p\": { \"page_size\": 64, \"page_count\": 2 } },\n"
               "  \"workloads\": { \"w\": { \"generator\": { \"type\": \"uniform\", \"pool_size\": 65536, \"ops\": 2000 } } },\n"
               "  \"matrix\": \"all\", \"expect\": { \"min_hit_ratio\": 0.99 } }\n");
    fclose(f);
    ck_assert_int_eq(run("'%s' %s --quiet --no-save", vmsim(), bad), 1);
    remove(bad);
    remove("vmsim_test_err.txt");
}
END_TEST

/* The single-run, generator, bench and convert commands on small inputs. */
START_TEST(subcommands)
{
    const char *spec = "vmsim_test_gen.json", *bin = "vmsim_test.vmt", *out = "vmsim_test_rt.json";
    FILE *f = fopen(spec, "w");
    fputs("{\"type\":\"zipf\",\"seed\":3,\"pool_size\":65536,\"ops\":5000,\"access\":2,\"write_ratio\":0.3}\n", f);
    fclose(f);
    ck_assert_int_eq(run("'%s' gen %s %s --ops 4000", vmsim(), spec, bin), 0);
    ck_assert_int_eq(run("'%s' run-trace %s --backend sram --profile atmega328p --pages 8 --page-size 64 "
                         "--policy lru --verify --quiet --json %s", vmsim(), bin, out), 0);
    char *t = slurp(out, NULL);
    cJSON *root = cJSON_Parse(t);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "runs"), 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_double_eq(num(r, "ops"), 4000);
    ck_assert_double_eq(num(r, "page_count"), 8);
    ck_assert_str_eq(str(r, "policy"), "lru");
    ck_assert_str_eq(str(r, "backend_type"), "sram");
    ck_assert_double_gt(num(r, "time_ns"), 0);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "verified_full")));
    check_counters(r, 64);
    cJSON_Delete(root);
    free(t);
    ck_assert_int_eq(run("'%s' bench %s --pages 2,4 --policy fifo,sieve >/dev/null", vmsim(), bin), 0);
    ck_assert_int_eq(run("'%s' convert %s vmsim_test.din", vmsim(), bin), 0);
    ck_assert_int_eq(run("'%s' run-trace vmsim_test.din --pages 4 --quiet --no-save", vmsim()), 0);
    /* Past the 8-bit slot index's 254: the desktop's is 16 bits. */
    ck_assert_int_eq(run("'%s' run-trace %s --pages 300 --quiet --no-save", vmsim(), bin), 0);
    ck_assert_int_eq(run("'%s' bench %s --pages 255,1000 --policy all >/dev/null", vmsim(), bin), 0);
    ck_assert_int_eq(run("'%s' run-trace %s --pages 65535 2>/dev/null", vmsim(), bin), 2);
    remove(spec);
    remove(bin);
    remove(out);
    remove("vmsim_test.din");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vmsim");
    TCase *tc = tcase_create("e2e");
    tcase_add_test(tc, matrix_report_shape_and_invariants);
    tcase_add_test(tc, virtmem_benchmark_near_minimum);
    tcase_add_test(tc, bad_input_exit_codes);
    tcase_add_test(tc, subcommands);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? 1 : 0;
}
