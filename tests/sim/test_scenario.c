/*
 * test_scenario.c - the scenario loader: valid files expand into the right
 * runs, invalid ones fail with a message naming the file and the JSON path,
 * and random corruption of a real scenario never crashes (run under ASan).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vms_scenario.h"

static char err[1024];

static const char *scen_dir(void)
{
    const char *d = getenv("VMSIM_SCENARIOS");
    return d ? d : "scenarios";
}

static int parse(const char *text, struct vms_scenario *sc)
{
    err[0] = 0;
    return vms_parse(text, strlen(text), "dir/t.json", sc, err, sizeof err);
}

static const char *const good =
    "{ \"name\": \"demo\",\n"
    "  \"verify\": true,\n"
    "  \"backends\": { \"r\": { \"type\": \"ram\" },\n"
    "                \"s\": { \"type\": \"sram\", \"spi_hz\": 8000000 } },\n"
    "  \"pagers\": { \"p\": { \"page_size\": [32, 64], \"page_count\": 4, \"policy\": [\"lru\", \"fifo\"] },\n"
    "              \"b\": { \"ram_budget\": 512, \"page_size\": [64, 128] },\n"
    "              \"one\": { \"page_size\": 256, \"page_count\": 2, \"policy\": \"clock\", \"clean_first\": true } },\n"
    "  \"workloads\": { \"w\": { \"trace\": \"traces/x.vmt\" },\n"
    "                 \"g\": { \"generator\": { \"type\": \"sequential\", \"pool_size\": 4096 } } },\n"
    "  \"matrix\": { \"backends\": [\"r\"], \"pagers\": [\"p\", \"one\"], \"workloads\": \"all\" },\n"
    "  \"runs\": [ { \"backend\": \"s\", \"pager\": \"b\", \"workload\": \"g\", \"verify\": false,\n"
    "              \"override\": { \"backend\": { \"spi_hz\": 4000000 }, \"pager\": { \"policy\": \"sieve\" } },\n"
    "              \"expect\": { \"max_traffic_ratio\": 1.5 } } ]\n"
    "}\n";

START_TEST(valid_expands)
{
    struct vms_scenario sc;
    ck_assert_msg(parse(good, &sc) == 0, "%s", err);
    ck_assert_str_eq(sc.name, "demo");
    ck_assert_uint_eq(sc.nworkloads, 2);
    /* matrix: r x (p: 2 sizes x 2 policies, one) x 2 workloads = 10; runs: b has 2 */
    ck_assert_uint_eq(sc.nruns, 12);
    ck_assert_str_eq(sc.runs[0].pager, "p:4x32:lru");
    ck_assert_str_eq(sc.runs[0].workload, "w");
    ck_assert_uint_eq(sc.runs[0].cfg.pager.page_size, 32);
    ck_assert_uint_eq(sc.runs[0].cfg.pager.policy, VM_POLICY_LRU);
    ck_assert_uint_eq(sc.runs[0].cfg.verify, VMR_VERIFY_ON);
    ck_assert_str_eq(sc.runs[2].pager, "p:4x32:fifo");
    ck_assert_str_eq(sc.runs[8].pager, "one");
    ck_assert_uint_eq(sc.runs[8].cfg.pager.flags & VM_CLEAN_FIRST, VM_CLEAN_FIRST);
    /* the listed run: ram budget 512 -> 8x64 and 4x128, overrides applied */
    const struct vms_run *r = &sc.runs[10];
    ck_assert_str_eq(r->backend, "s");
    ck_assert_uint_eq(r->cfg.backend.type, VMR_BE_SRAM);
    ck_assert_uint_eq(r->cfg.backend.spi_hz, 4000000);
    ck_assert_uint_eq(r->cfg.pager.page_count, 8);
    ck_assert_uint_eq(r->cfg.pager.page_size, 64);
    ck_assert_uint_eq(r->cfg.pager.policy, VM_POLICY_SIEVE);
    ck_assert_uint_eq(r->cfg.verify, VMR_VERIFY_OFF);
    ck_assert(r->expect.max_traffic_ratio == 1.5);
    ck_assert_uint_eq(sc.runs[11].cfg.pager.page_count, 4);
    ck_assert_uint_eq(sc.runs[11].cfg.pager.page_size, 128);
    /* relative paths resolve against the file's folder */
    ck_assert_str_eq(sc.workloads[0].path, "dir/traces/x.vmt");
    ck_assert_ptr_null(sc.workloads[1].path);
    ck_assert_ptr_nonnull(sc.workloads[1].generator);
    vms_free(&sc);
}
END_TEST

/* Every shipped scenario loads, and every workload in it opens. */
START_TEST(shipped_scenarios_load)
{
    const char *files[] = {"matrix.json", "pathologies.json", "virtmem-benchmark.json",
                           "lackey-sort.json", "faults.json", "fram.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        struct vms_scenario sc;
        snprintf(path, sizeof path, "%s/%s", scen_dir(), files[i]);
        ck_assert_msg(vms_load(path, &sc, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_gt(sc.nruns, 0);
        for (size_t w = 0; w < sc.nworkloads; w++) {
            struct vmt_source *s = vms_open_workload(&sc, w, err, sizeof err);
            ck_assert_msg(s != NULL, "%s: workload %s: %s", path, sc.workloads[w].name, err);
            vmt_close(s);
        }
        vms_free(&sc);
    }
}
END_TEST

struct bad_case {
    const char *text;
    const char *want; /* substring of the message */
};

#define HEAD "{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}}"

static const struct bad_case bad[] = {
    {"", "dir/t.json:1:1: malformed JSON"},
    {"{\n  \"backends\": {\n    \"r\": { \"type\": \"ram\", }\n", "dir/t.json:3:"},
    {"[1,2]", "dir/t.json: $: expected an object at the top, got an array"},
    {HEAD ",\"matrix\":\"all\",\"bogus\":1}", "dir/t.json: $.bogus: unknown key"},
    {HEAD "}", "dir/t.json: $: missing key \"matrix\" or \"runs\""},
    {"{\"pagers\":{},\"matrix\":\"all\"}", "dir/t.json: $: missing key \"backends\""},
    {"{\"backends\":{},\"pagers\":{},\"workloads\":{},\"matrix\":\"all\"}",
     "dir/t.json: $.backends: expected an object of named backends, got an empty object"},
    {"{\"backends\":{\"r\":{\"type\":\"flash\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.r.type: expected one of \"ram\", \"sram\", \"sd\", \"serial\", \"fram\", got \"flash\""},
    {"{\"backends\":{\"r\":{}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.r: missing key \"type\""},
    {"{\"backends\":{\"r\":{\"type\":\"ram\",\"baud\":\"fast\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.r.baud: expected an integer from 300 to 100000000, got a string"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\",\"faults\":{\"read_fail\":0.1}}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.r.faults: missing key \"seed\""},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":100,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.pagers.p.page_size: expected a power of two from 16 to 4096, got 100"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":[64,8192],\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.pagers.p.page_size[1]: expected an integer from 16 to 4096, got 8192"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":70000}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.pagers.p: page_count 70000: expected 1 to 65534 (the most a 16-bit slot index allows)"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.pagers.p: missing key \"page_count\" (or \"ram_budget\")"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4,\"ram_budget\":256}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.pagers.p: give either \"page_count\" or \"ram_budget\", not both"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4,\"policy\":[\"lru\",\"mru\"]}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.pagers.p.policy[1]: expected fifo, lru, clock or sieve, got \"mru\""},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{}},\"matrix\":\"all\"}",
     "dir/t.json: $.workloads.w: expected exactly one of \"trace\" (a file) or \"generator\""},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\",\"fold\":\"zip\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.workloads.w.fold: expected \"compact\", \"none\" or \"mod\""},
    {HEAD ",\"matrix\":{\"pagers\":[\"p\",\"q\"]}}", "dir/t.json: $.matrix.pagers[1]: no pager named \"q\""},
    {HEAD ",\"matrix\":{\"backends\":5}}", "dir/t.json: $.matrix.backends: expected a list of backend names or \"all\", got a number"},
    {HEAD ",\"matrix\":[\"all\",{\"workloads\":[\"w\"],\"verify\":\"yes\"}]}",
     "dir/t.json: $.matrix[1].verify: expected true, false or \"auto\", got a string"},
    {HEAD ",\"runs\":[{\"backend\":\"r\",\"pager\":\"p\",\"workload\":\"w\"},{\"backend\":\"r\",\"pager\":\"p\"}]}",
     "dir/t.json: $.runs[1]: missing key \"workload\""},
    {HEAD ",\"runs\":[{\"backend\":\"r\",\"pager\":\"p\",\"workload\":\"w\",\"override\":{\"pager\":{\"page_size\":3}}}]}",
     "dir/t.json: $.runs[0].override.pager.page_size: expected an integer from 16 to 4096, got 3"},
    {HEAD ",\"runs\":[{\"backend\":\"r\",\"pager\":\"p\",\"workload\":\"w\",\"expect\":{\"max_ratio\":1}}]}",
     "dir/t.json: $.runs[0].expect.max_ratio: unknown key"},
    {HEAD ",\"runs\":[]}", "dir/t.json: $: the scenario selects no runs"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x.txt\",\"id_bytes\":32,\"page_size\":32}},\"matrix\":\"all\"}",
     "dir/t.json: $.workloads.w: \"page_size\" is the old name of \"id_bytes\": give only \"id_bytes\""},
    /* device and profile names are checked when the file is read */
    {"{\"backends\":{\"s\":{\"type\":\"sram\",\"chip\":\"23lc999\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.s.chip: unknown chip \"23lc999\" (known: 23lc1024, 23lc512, 23k256)"},
    {"{\"backends\":{\"s\":{\"type\":\"sd\",\"card\":\"fast\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.s.card: unknown card \"fast\" (known: typical"},
    {"{\"backends\":{\"s\":{\"type\":\"serial\",\"link\":\"usb\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.s.link: unknown link \"usb\" (known: ftdi-16ms"},
    {"{\"backends\":{\"s\":{\"type\":\"sram\",\"profile\":\"pdp11\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.s.profile: unknown platform profile \"pdp11\" (known: "},
    {HEAD ",\"runs\":[{\"backend\":\"r\",\"pager\":\"p\",\"workload\":\"w\",\"override\":{\"backend\":{\"type\":\"SRAM\",\"chip\":\"x\"}}}]}",
     "dir/t.json: $.runs[0].override.backend.chip: unknown chip \"x\""},
    /* names longer than their buffers are refused, never cut */
    {"{\"backends\":{\"r234567890123456789012345678901234567890123456789012345678901234\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "dir/t.json: $.backends.r234567890123456789012345678901234567890123456789012345678901234: name too long (at most 63 characters)"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p234567890123456789012345678901234567890123456789012345678901234\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "name too long (at most 63 characters)"},
    {"{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4}},\"workloads\":{\"w234567890123456789012345678901234567890123456789012345678901234\":{\"trace\":\"x\"}},\"matrix\":\"all\"}",
     "name too long (at most 63 characters)"},
};

/* A txt trace's bytes per page id: "id_bytes", or "page_size", its old name. */
START_TEST(txt_id_bytes)
{
    static const char *const key[] = {"id_bytes", "page_size"};
    char text[512];
    struct vms_scenario sc;
    snprintf(text, sizeof text,
             "{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,"
             "\"page_count\":4}},\"workloads\":{\"w\":{\"trace\":\"x.txt\",\"%s\":256}},"
             "\"matrix\":\"all\"}",
             key[_i]);
    ck_assert_msg(parse(text, &sc) == 0, "%s", err);
    ck_assert_uint_eq(sc.workloads[0].opts.id_bytes, 256);
    vms_free(&sc);
}
END_TEST

START_TEST(invalid_named)
{
    struct vms_scenario sc;
    const struct bad_case *c = &bad[_i];
    ck_assert_msg(parse(c->text, &sc) == -1, "case %d parsed", _i);
    ck_assert_msg(strstr(err, c->want) != NULL, "case %d: got \"%s\", want \"%s\"", _i, err,
                  c->want);
}
END_TEST

START_TEST(missing_file)
{
    struct vms_scenario sc;
    ck_assert_int_eq(vms_load("/nonexistent/s.json", &sc, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/s.json: cannot open"));
}
END_TEST

/* Names match in any letter case and are reported in their canonical
 * spelling. */
START_TEST(names_any_case)
{
    struct vms_scenario sc;
    ck_assert_msg(parse("{\"backends\":{\"s\":{\"type\":\"SRAM\",\"chip\":\"23LC1024\",\"profile\":\"ATmega328P\"}},"
                        "\"pagers\":{\"p\":{\"page_size\":64,\"page_count\":4,\"policy\":\"LRU\"}},"
                        "\"workloads\":{\"w\":{\"trace\":\"x\"}},\"matrix\":\"all\"}", &sc) == 0, "%s", err);
    ck_assert_uint_eq(sc.runs[0].cfg.backend.type, VMR_BE_SRAM);
    const struct vm_device_key *chip = vm_device_key_find(vmr_device(VMR_BE_SRAM), "chip");
    ck_assert_ptr_nonnull(chip);
    ck_assert_str_eq((const char *)sc.runs[0].cfg.backend.settings.bytes + chip->offset, "23lc1024");
    ck_assert_str_eq(sc.runs[0].cfg.backend.profile, "atmega328p");
    ck_assert_uint_eq(sc.runs[0].cfg.pager.policy, VM_POLICY_LRU);
    vms_free(&sc);
}
END_TEST

/* Loading a file opens its workloads: a missing trace, a malformed one, a
 * bad generator parameter or an empty file is an error before any run,
 * naming the scenario file and the JSON path. */
START_TEST(load_checks_workloads)
{
    static const struct {
        const char *workload, *want;
    } cases[] = {
        {"{\"trace\":\"no-such.din\"}", "s.json: $.workloads.w.trace: "},
        {"{\"trace\":\"bad.din\"}", "s.json: $.workloads.w.trace: "},
        {"{\"trace\":\"empty.din\"}", "empty.din: empty file"},
        {"{\"generator\":{\"type\":\"zipf\",\"alpha\":-1}}", "s.json: $.workloads.w.generator: alpha: expected a number"},
    };
    char dir[] = "/tmp/vms_load_XXXXXX", path[256], text[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bad.din", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("r 0x10 4\nq zz\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/empty.din", dir);
    fclose(fopen(path, "w"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vms_scenario sc;
        snprintf(path, sizeof path, "%s/s.json", dir);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        snprintf(text, sizeof text, "{\"backends\":{\"r\":{\"type\":\"ram\"}},\"pagers\":{\"p\":{\"page_size\":64,"
                 "\"page_count\":4}},\"workloads\":{\"w\":%s},\"matrix\":\"all\"}", cases[i].workload);
        fputs(text, f);
        fclose(f);
        ck_assert_int_eq(vms_load(path, &sc, err, sizeof err), -1);
        ck_assert_msg(strstr(err, cases[i].want) != NULL, "case %zu: %s", i, err);
        ck_assert_msg(strstr(err, dir) == err, "case %zu does not start with the file: %s", i, err);
    }
    /* an empty scenario file */
    snprintf(path, sizeof path, "%s/s.json", dir);
    fclose(fopen(path, "w"));
    {
        struct vms_scenario sc;
        ck_assert_int_eq(vms_load(path, &sc, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "s.json: empty file") != NULL, "%s", err);
    }
    const char *names[] = {"bad.din", "empty.din", "s.json"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}
END_TEST

/* Random corruption of a real scenario: no crash, and a failure always
 * names the file. */
START_TEST(fuzz_corruption)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/matrix.json", scen_dir());
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char orig[65536];
    size_t n = fread(orig, 1, sizeof orig - 1, f);
    fclose(f);
    ck_assert_uint_gt(n, 100);
    static char buf[65536 + 64];
    uint32_t x = 2463534242u;
    int failed = 0, iters = 3000;
    const char *scale = getenv("VM_TEST_SCALE");
    if (scale && atoi(scale) > 1) iters /= atoi(scale);
    for (int it = 0; it < iters; it++) {
        size_t len = n;
        memcpy(buf, orig, n);
        int edits = 1 + (int)(x % 4);
        for (int e = 0; e < edits; e++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if (len < 2) break;
            size_t pos = x % len;
            static const char junk[] = "{}[],:\"0123456789-.eE tfn\\x";
            switch ((x >> 8) % 4) {
            case 0: buf[pos] = junk[(x >> 12) % (sizeof junk - 1)]; break;        /* replace */
            case 1: memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; break; /* delete */
            case 2: len = pos ? pos : 1; break;                                     /* truncate */
            default:                                                                /* insert */
                memmove(buf + pos + 1, buf + pos, len - pos);
                buf[pos] = junk[(x >> 12) % (sizeof junk - 1)];
                len++;
                break;
            }
        }
        struct vms_scenario sc;
        err[0] = 0;
        if (vms_parse(buf, len, "fuzz.json", &sc, err, sizeof err) == 0) {
            ck_assert_uint_gt(sc.nruns, 0);
            vms_free(&sc);
        } else {
            failed++;
            ck_assert_msg(strncmp(err, "fuzz.json", 9) == 0, "message does not name the file: %s", err);
            ck_assert_uint_gt(strlen(err), 12);
        }
    }
    ck_assert_int_gt(failed, iters / 4);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, valid_expands);
    tcase_add_test(tc, shipped_scenarios_load);
    tcase_add_loop_test(tc, invalid_named, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_loop_test(tc, txt_id_bytes, 0, 2);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, names_any_case);
    tcase_add_test(tc, load_checks_workloads);
    tcase_add_test(tc, fuzz_corruption);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? 1 : 0;
}
