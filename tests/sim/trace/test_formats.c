/*
 * test_formats.c - vmtrace parsers, writers and conversions: valid and
 * invalid files of every format, random corruption (no crash, a message
 * naming the file), round trips, and the streaming memory bound.
 */
#include "tt_util.h"
#include "vm_cpu_costs.h" /* VM_BENCH_LOOP_ATMEGA328P */

static const char json_all[] =
    "{\"format\": \"vmtrace\", \"version\": 1, \"pool_size\": 4096,\n"
    " \"allocations\": [{\"id\": 1, \"size\": 100}],\n"
    " \"ops\": [\n"
    "  {\"op\": \"phase\", \"name\": \"setup\"},\n"
    "  {\"op\": \"write\", \"addr\": 10, \"data\": \"0102ff\"},\n"
    "  {\"op\": \"read\", \"addr\": 10, \"len\": 3, \"data\": \"0102ff\"},\n"
    "  {\"op\": \"read\", \"region\": 1, \"addr\": 96, \"len\": 4},\n"
    "  {\"op\": \"lock\", \"id\": 7, \"addr\": 64, \"len\": 32, \"mode\": \"wo\"},\n"
    "  {\"op\": \"unlock\", \"id\": 7},\n"
    "  {\"op\": \"memset\", \"addr\": 0, \"len\": 100, \"value\": 171},\n"
    "  {\"op\": \"memcpy\", \"addr\": 200, \"src_region\": 1, \"src\": 0, \"len\": 50},\n"
    "  {\"op\": \"flush\"}, {\"op\": \"invalidate\"},\n"
    "  {\"op\": \"alloc\", \"id\": 2, \"size\": 8}, {\"op\": \"free\", \"id\": 2},\n"
    "  {\"op\": \"phase\", \"name\": \"run\"}, {\"op\": \"phase\", \"name\": \"setup\"}\n"
    " ]}\n";

START_TEST(json_valid)
{
    char err[600];
    struct vmt_op op;
    const char *p = tt_write_str("all.json", json_all);
    struct vmt_source *s = vmt_open(p, NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_str_eq(vmt_info(s)->format, "json");
    ck_assert_uint_eq(vmt_info(s)->pool_size, 4096);
    ck_assert_uint_eq(vmt_info(s)->op_count, 15);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_ALLOC);
    ck_assert_uint_eq(op.id, 1);
    ck_assert_uint_eq(op.len, 100);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_PHASE);
    ck_assert_str_eq(op.name, "setup");
    ck_assert_uint_eq(op.id, 0);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_WRITE);
    ck_assert_uint_eq(op.addr, 10);
    ck_assert_uint_eq(op.len, 3);
    ck_assert_ptr_nonnull(op.data);
    ck_assert_int_eq(memcmp(op.data, "\x01\x02\xff", 3), 0);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_READ);
    ck_assert_int_eq(memcmp(op.data, "\x01\x02\xff", 3), 0);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.region, 1);
    ck_assert_uint_eq(op.addr, 96);
    ck_assert_ptr_null(op.data);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_LOCK);
    ck_assert_uint_eq(op.mode, VMT_LOCK_WO);
    ck_assert_uint_eq(op.id, 7);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_UNLOCK);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_MEMSET);
    ck_assert_uint_eq(op.value, 171);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_MEMCPY);
    ck_assert_uint_eq(op.src_region, 1);
    ck_assert_uint_eq(op.addr, 200);
    ck_assert_uint_eq(op.len, 50);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_FLUSH);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_INVALIDATE);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_ALLOC);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_FREE);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_str_eq(op.name, "run");
    ck_assert_uint_eq(op.id, 1);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_str_eq(op.name, "setup");
    ck_assert_uint_eq(op.id, 0);
    ck_assert_int_eq(vmt_next(s, &op), 0);
    ck_assert_int_eq(vmt_rewind(s), 0);
    ck_assert_int_eq(tt_drain(s), 15);
    vmt_close(s);
}
END_TEST

static const struct {
    const char *text, *want;
} json_bad[] = {
    {"{\"pool_size\": 64, \"ops\": [\n {\"op\": \"read\" \"addr\": 1}]}", ":2:"},
    {"{\"ops\": []}", "missing \"pool_size\""},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"jump\"}]}", "ops[0].op: unknown op \"jump\""},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"addr\": 60, \"len\": 8}]}", "ops[0]: range [60, 68) leaves the pool"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"addr\": 1}]}", "ops[0]: missing \"len\""},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"addr\": -1, \"len\": 1}]}", "ops[0].addr: expected an integer"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"addr\": 1.5, \"len\": 1}]}", "ops[0].addr"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"write\", \"addr\": 0, \"data\": \"0g\"}]}", "ops[0].data: character 1"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"write\", \"addr\": 0, \"data\": \"012\"}]}", "ops[0].data: expected a string of hex"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"write\", \"addr\": 0, \"len\": 2, \"data\": \"01\"}]}", "ops[0].len"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"region\": 3, \"addr\": 0, \"len\": 1}]}", "ops[0].region: allocation 3 is not live"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"adr\": 0, \"len\": 1}]}", "ops[0]: unknown field \"adr\""},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"lock\", \"addr\": 0, \"len\": 1, \"mode\": \"rx\"}]}", "ops[0].mode"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"free\", \"id\": 2}]}", "ops[0].id: allocation 2 is not live"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"phase\"}]}", "ops[0].name"},
    {"{\"pool_size\": 64, \"opz\": []}", "unknown top-level field \"opz\""},
    {"{\"pool_size\": 64}", "ops: expected an array"},
    {"{\"pool_size\": 64, \"allocations\": [{\"id\": 1}], \"ops\": []}", "allocations[0]: missing \"size\""},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"alloc\", \"id\": 1, \"size\": 8}, {\"op\": \"read\", \"region\": 1, \"addr\": 4, \"len\": 8}]}",
     "ops[1]: range [4, 12) leaves allocation 1"},
    {"[1, 2]", "expected a JSON object"},
    {"{\"type\": \"zipf\", \"alpha\": -1}", "alpha: expected a number"},
    {"{\"type\": \"spiral\"}", "unknown generator \"spiral\""},
    {"{\"type\": \"uniform\", \"colour\": 1}", "unknown field \"colour\""},
    {"{\"type\": \"sequential\", \"pool_size\": 1024, \"base\": 1000, \"size\": 100}", "more than pool_size"},
    {"{\"type\": \"virtmem_bench\", \"phases\": [\"W\", \"X\"]}", "phases[1]"},
    {"{\"type\": \"virtmem_bench\", \"loop_cycles\": \"z80\"}", "loop_cycles: expected an integer"},
    {"{\"type\": \"virtmem_bench\", \"loop_cycles\": -1}", "loop_cycles: expected an integer"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"compute\"}]}", "ops[0]: compute needs one of \"cycles\" or \"ns\""},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"compute\", \"cycles\": 1, \"ns\": 2}]}", "ops[0]: compute needs one of"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"compute\", \"ns\": 4294967296}]}", "ops[0].ns: expected an integer 0..4294967295"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"compute\", \"cycles\": 1.5}]}", "ops[0].cycles"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"addr\": 0, \"len\": 1, \"cycles\": 3}]}", "ops[0]: only compute carries cycles or ns"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"read\", \"addr\": 0, \"len\": 1, \"work\": 3}]}", "ops[0].work: only lock carries work"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"lock\", \"addr\": 0, \"len\": 1, \"mode\": \"ro\", \"work\": -3}]}", "ops[0].work: expected an integer"},
    {"{\"pool_size\": 64, \"ops\": [{\"op\": \"lock\", \"addr\": 0, \"len\": 1, \"mode\": \"ro\", \"work\": 65536}]}", "ops[0].work: expected an integer 0..65535"},
};

START_TEST(json_invalid)
{
    char name[32];
    snprintf(name, sizeof name, "bad%d.json", _i);
    tt_open_fails(tt_write_str(name, json_bad[_i].text), NULL, NULL, json_bad[_i].want);
    tt_open_fails(tt_path(name), NULL, NULL, name); /* the message names the file */
}
END_TEST

/* Compares two sources op by op (all fields, payloads by content). */
static void same_ops(struct vmt_source *a, struct vmt_source *b, int check_data)
{
    struct vmt_op x, y;
    long n = 0;
    int ra, rb;
    for (;;) {
        ra = vmt_next(a, &x);
        rb = vmt_next(b, &y);
        ck_assert_msg(ra == rb, "op %ld: %d vs %d (%s / %s)", n, ra, rb, vmt_error(a), vmt_error(b));
        if (ra != 1) break;
        ck_assert_msg(x.kind == y.kind && x.mode == y.mode && x.value == y.value && x.region == y.region &&
                      x.src_region == y.src_region && x.id == y.id && x.addr == y.addr && x.src == y.src &&
                      x.len == y.len && x.work == y.work, "op %ld differs (%s vs %s)", n, vmt_kind_name(x.kind), vmt_kind_name(y.kind));
        if (x.kind == VMT_PHASE) ck_assert_str_eq(x.name, y.name);
        if (check_data) {
            ck_assert((x.data == NULL) == (y.data == NULL));
            if (x.data) ck_assert_int_eq(memcmp(x.data, y.data, x.len), 0);
        }
        n++;
    }
    ck_assert_int_eq(ra, 0);
}

/* s1 (from its start) against its conversions: b (binary) and j2 (b to
 * JSON) read the same ops, and b2 (j2 back to binary) is b byte for byte. */
static void same_as_converted(struct vmt_source *s1, const char *b, const char *j2, const char *b2)
{
    char err[600];
    size_t n1, n2;
    unsigned char *d1, *d2;
    const char *paths[2] = {b, j2};
    for (int i = 0; i < 2; i++) {
        struct vmt_source *s2 = vmt_open(paths[i], NULL, NULL, err, sizeof err);
        ck_assert_msg(s2 != NULL, "%s", err);
        vmt_rewind(s1);
        same_ops(s1, s2, 1);
        vmt_close(s2);
    }
    d1 = tt_read(b, &n1);
    d2 = tt_read(b2, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(d1, d2, n1), 0);
    free(d1);
    free(d2);
}

START_TEST(json_binary_round_trip)
{
    char err[600];
    const char *j = tt_write_str("rt.json", json_all);
    const char *b = tt_path("rt.vmt"), *j2 = tt_path("rt2.json"), *b2 = tt_path("rt2.vmt");
    struct vmt_source *s1, *s2;
    ck_assert_msg(vmt_convert(j, NULL, b, NULL, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(vmt_convert(b, NULL, j2, NULL, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(vmt_convert(j2, NULL, b2, "binary", NULL, err, sizeof err) == 0, "%s", err);
    s1 = vmt_open(j, NULL, NULL, err, sizeof err);
    s2 = vmt_open(b, NULL, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(s2);
    ck_assert_str_eq(vmt_info(s2)->format, "binary");
    ck_assert_uint_eq(vmt_info(s2)->op_count, 15);
    ck_assert_uint_eq(vmt_info(s2)->pool_size, 4096);
    vmt_close(s2);
    same_as_converted(s1, b, j2, b2);
    vmt_close(s1);
}
END_TEST

static const char *const gen_specs[] = {
    "{\"type\": \"sequential\", \"pool_size\": 8192, \"access\": 4, \"ops\": 5000, \"write_ratio\": 0.5}",
    "{\"type\": \"strided\", \"pool_size\": 8192, \"stride\": 256, \"ops\": 5000}",
    "{\"type\": \"reverse\", \"pool_size\": 8192, \"access\": 2, \"ops\": 5000}",
    "{\"type\": \"uniform\", \"pool_size\": 65536, \"access\": 8, \"ops\": 5000, \"seed\": 3}",
    "{\"type\": \"zipf\", \"pool_size\": 65536, \"access\": 16, \"ops\": 5000, \"alpha\": 1.1}",
    "{\"type\": \"working_set\", \"pool_size\": 65536, \"ops\": 5000, \"set_size\": 2048, \"shift_every\": 500}",
    "{\"type\": \"virtmem_bench\", \"size\": 3000, \"reps\": 2, \"chunk\": 128, \"pool_size\": 4096}",
    "{\"type\": \"sensor_log\", \"records\": 500, \"ring\": 1024, \"flush_every\": 50, \"read_every\": 40}",
    "{\"type\": \"image_filter\", \"width\": 20, \"height\": 10, \"mode\": \"pixel\"}",
    "{\"type\": \"image_filter\", \"width\": 64, \"height\": 32, \"passes\": 2}",
    "{\"type\": \"hash_table\", \"buckets\": 64, \"records\": 300, \"lookups\": 500, \"keys\": \"zipf\", \"write_ratio\": 0.2}",
    "{\"type\": \"linked_list\", \"nodes\": 200, \"node\": 24, \"passes\": 3, \"write_ratio\": 0.1}",
    /* op counts computed at open, not by a dry run: long chains, no lookups,
     * read-backs longer and shorter than the gap between them */
    "{\"type\": \"hash_table\", \"buckets\": 1, \"records\": 120, \"lookups\": 300, \"write_ratio\": 0.5}",
    "{\"type\": \"hash_table\", \"buckets\": 7, \"records\": 50, \"lookups\": 0}",
    "{\"type\": \"sensor_log\", \"records\": 300, \"ring\": 1024, \"read_every\": 3, \"read_back\": 7}",
    "{\"type\": \"sensor_log\", \"records\": 100, \"ring\": 256, \"read_every\": 1, \"read_back\": 20}",
};
#define N_GEN (int)(sizeof gen_specs / sizeof gen_specs[0])

static struct vmt_source *open_spec(const char *text, const char *name)
{
    char err[600];
    struct vmt_source *s = vmt_open(tt_write_str(name, text), NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

START_TEST(generator_binary_round_trip)
{
    char err[600], name[32];
    struct vmt_source *g, *b;
    const char *out = tt_path("gen.vmt");
    snprintf(name, sizeof name, "gen%d.json", _i);
    g = open_spec(gen_specs[_i], name);
    ck_assert_msg(vmt_write_source(g, out, NULL, NULL, 0, err, sizeof err) == 0, "%s", err);
    b = vmt_open(out, NULL, NULL, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(b)->op_count, vmt_info(g)->op_count);
    ck_assert_uint_eq(vmt_info(b)->pool_size, vmt_info(g)->pool_size);
    ck_assert_int_eq(vmt_rewind(g), 0);
    same_ops(g, b, 1);
    /* The declared op count is the real one. */
    ck_assert_int_eq(vmt_rewind(g), 0);
    ck_assert_int_eq(tt_drain(g), (long)vmt_info(g)->op_count);
    vmt_close(g);
    vmt_close(b);
}
END_TEST

/* Regression: a generator field with an empty name (or one starting with
 * \u0000, which C sees as empty) made the key check search for "" and spin
 * forever at open. It is refused, naming the generator. The alarm turns the
 * old endless loop into a failure instead of a hang. */
START_TEST(generator_empty_key_refused)
{
    static const char *const specs[] = {
        "{\"type\": \"zipf\", \"\": 0}",
        "{\"type\": \"uniform\", \"\\u0000abc\": 1}",
        "{\"\": 1, \"type\": \"sequential\"}",
    };
    size_t i;
    alarm(20);
    for (i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char err[600];
        cJSON *spec = cJSON_Parse(specs[i]);
        struct vmt_source *g;
        ck_assert_ptr_nonnull(spec);
        g = vmt_open_generator(spec, "spec.json", err, sizeof err);
        cJSON_Delete(spec);
        ck_assert_ptr_null(g);
        ck_assert_msg(strstr(err, "spec.json: ") == err && strstr(err, "empty name"), "%s", err);
    }
    alarm(0);
}
END_TEST

/* Regression (found by fuzz-trace-json): a hash table with millions of
 * lookups counted its ops by replaying them all at open. Its count is now
 * unknown (0) beyond 2^20 lookups, and opening is quick. */
START_TEST(generator_many_lookups_open_fast)
{
    char err[600];
    cJSON *spec = cJSON_Parse("{\"type\": \"hash_table\", \"lookups\": 50001513, \"keys\": \"zipf\"}");
    struct vmt_source *g;
    ck_assert_ptr_nonnull(spec);
    alarm(20);
    g = vmt_open_generator(spec, "hash.json", err, sizeof err);
    alarm(0);
    cJSON_Delete(spec);
    ck_assert_msg(g != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(g)->op_count, 0);
    vmt_close(g);
}
END_TEST

/* Regression (found by fuzz-scenario): a hash table with few buckets
 * counted its ops at open by a dry run costing lookups x chain length, and a
 * sensor log summed its read-backs one by one (records / read_every). Both
 * are computed now (checked exact by generator_binary_round_trip); these
 * open at once instead of hanging. */
START_TEST(generator_counts_open_fast)
{
    static const char *const specs[] = {
        "{\"type\": \"hash_table\", \"pool_size\": 4194304, \"buckets\": 1, \"records\": 65536, "
        "\"lookups\": 1048576}",
        "{\"type\": \"sensor_log\", \"records\": 1099511627776, \"read_every\": 1}",
    };
    alarm(20);
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char err[600];
        cJSON *spec = cJSON_Parse(specs[i]);
        struct vmt_source *g;
        ck_assert_ptr_nonnull(spec);
        g = vmt_open_generator(spec, "gen.json", err, sizeof err);
        cJSON_Delete(spec);
        ck_assert_msg(g != NULL, "%s", err);
        ck_assert_uint_gt(vmt_info(g)->op_count, 1048576);
        vmt_close(g);
    }
    alarm(0);
}
END_TEST

/* gen --ops N: exactly N ops, shorter or longer than the spec says. */
START_TEST(generator_exact_ops)
{
    char err[600], name[32];
    const char *out = tt_path("ops.vmt");
    struct vmt_source *g, *b;
    uint64_t natural, want[2];
    snprintf(name, sizeof name, "ops%d.json", _i);
    g = open_spec(gen_specs[_i], name);
    natural = vmt_info(g)->op_count;
    vmt_close(g);
    want[0] = natural / 3 + 1;
    want[1] = natural * 3 + 7;
    for (int k = 0; k < 2; k++) {
        g = vmt_open_ops(tt_path(name), NULL, NULL, want[k], err, sizeof err);
        ck_assert_msg(g != NULL, "%s", err);
        ck_assert_msg(vmt_write_source(g, out, NULL, NULL, want[k], err, sizeof err) == 0, "%s", err);
        vmt_close(g);
        b = vmt_open(out, NULL, NULL, err, sizeof err);
        ck_assert_msg(b != NULL, "%s", err);
        ck_assert_uint_eq(vmt_info(b)->op_count, want[k]);
        vmt_close(b);
    }
    /* a trace is not lengthened: asking for more is an error, and no file */
    b = vmt_open(out, NULL, NULL, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert_int_eq(vmt_write_source(b, tt_path("more.vmt"), NULL, NULL, want[1] + 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "fewer than the") != NULL, "%s", err);
    ck_assert_int_ne(access(tt_path("more.vmt"), F_OK), 0);
    vmt_close(b);
}
END_TEST

START_TEST(generator_deterministic)
{
    char name[32];
    struct vmt_source *a, *b;
    snprintf(name, sizeof name, "det%d.json", _i);
    a = open_spec(gen_specs[_i], name);
    b = open_spec(gen_specs[_i], name);
    same_ops(a, b, 1);
    ck_assert_int_eq(vmt_rewind(a), 0); /* rewind replays the same ops */
    ck_assert_int_eq(vmt_rewind(b), 0);
    {
        struct vmt_op op;
        ck_assert_int_eq(vmt_next(b, &op), 1);
        ck_assert_int_eq(vmt_rewind(b), 0);
    }
    same_ops(a, b, 1);
    vmt_close(a);
    vmt_close(b);
}
END_TEST

START_TEST(generator_seed_matters)
{
    struct vmt_source *a = open_spec("{\"type\": \"uniform\", \"ops\": 100, \"seed\": 1}", "s1.json");
    struct vmt_source *b = open_spec("{\"type\": \"uniform\", \"ops\": 100, \"seed\": 2}", "s2.json");
    struct vmt_op x, y;
    int differ = 0;
    while (vmt_next(a, &x) == 1 && vmt_next(b, &y) == 1) differ |= x.addr != y.addr;
    ck_assert(differ);
    vmt_close(a);
    vmt_close(b);
}
END_TEST

START_TEST(virtmem_bench_shape)
{
    /* The original's benchmark: alloc, then W, R, W+lock, R+lock, each ending in invalidate. */
    char spec[64];
    long reps = tt_scale(5, 1);
    struct vmt_source *s;
    struct vmt_op op;
    unsigned long kinds[VMT_KIND_COUNT] = {0};
    const char *phases[4];
    int np = 0;
    snprintf(spec, sizeof spec, "{\"type\": \"virtmem_bench\", \"reps\": %ld}", reps);
    s = open_spec(spec, "vb.json");
    ck_assert_uint_eq(vmt_info(s)->pool_size, 131072);
    while (vmt_next(s, &op) == 1) {
        kinds[op.kind]++;
        if (op.kind == VMT_PHASE) phases[np++] = op.name;
        if (op.kind == VMT_LOCK) {
            ck_assert_uint_le(op.len, 1024);
            ck_assert_uint_eq(op.mode, np == 3 ? VMT_LOCK_WO : VMT_LOCK_RO);
        }
        if (op.kind == VMT_READ) ck_assert_uint_eq(op.data[0], (uint8_t)op.addr);
    }
    ck_assert_int_eq(np, 4);
    ck_assert_str_eq(phases[0], "W");
    ck_assert_str_eq(phases[3], "R+lock");
    ck_assert_uint_eq(kinds[VMT_WRITE], reps * 130048);
    ck_assert_uint_eq(kinds[VMT_READ], reps * 130048);
    ck_assert_uint_eq(kinds[VMT_LOCK], 2 * reps * 127); /* ceil(130048 / 1024) chunks */
    ck_assert_uint_eq(kinds[VMT_INVALIDATE], 4);
    ck_assert_uint_eq(kinds[VMT_ALLOC], 1);
    vmt_close(s);
}
END_TEST

START_TEST(binary_payloads_across_refills)
{
    /* Payloads of every size up to 3 MiB, crossing the reader's 1 MiB buffer. */
    char err[600];
    const char *p = tt_path("payloads.vmt");
    struct vmt_writer *w = vmt_writer_open(p, NULL, 1u << 24, NULL, err, sizeof err);
    static const uint32_t lens[] = {1, 100, 70000, 1u << 20, (1u << 20) + 7, 5, 3u << 20, 2, 300000};
    uint8_t *data = malloc((3u << 20) + 8);
    struct vmt_source *s;
    struct vmt_op op;
    size_t i, k;
    ck_assert_ptr_nonnull(w);
    for (i = 0; i < (3u << 20) + 8; i++) data[i] = (uint8_t)(i * 131 + (i >> 11));
    for (k = 0; k < 3; k++)
        for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            memset(&op, 0, sizeof op);
            op.kind = (i & 1) ? VMT_READ : VMT_WRITE;
            op.region = (uint16_t)(k ? 0 : 9);
            op.addr = i * 1000 + k;
            op.len = lens[i];
            op.data = data + k;
            ck_assert_int_eq(vmt_writer_put(w, &op), 0);
        }
    ck_assert_msg(vmt_writer_close(w, err, sizeof err) == 0, "%s", err);
    s = vmt_open(p, NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    for (k = 0; k < 3; k++)
        for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            ck_assert_int_eq(vmt_next(s, &op), 1);
            ck_assert_uint_eq(op.len, lens[i]);
            ck_assert_uint_eq(op.addr, i * 1000 + k);
            ck_assert_uint_eq(op.region, k ? 0 : 9);
            ck_assert_ptr_nonnull(op.data);
            ck_assert_int_eq(memcmp(op.data, data + k, lens[i]), 0);
        }
    ck_assert_int_eq(vmt_next(s, &op), 0);
    vmt_close(s);
    free(data);
}
END_TEST

/* ---- the program's own work: compute ops and lock work ------------------ */

static const char json_compute[] =
    "{\"pool_size\": 4096, \"ops\": [\n"
    "  {\"op\": \"compute\", \"cycles\": 120},\n"
    "  {\"op\": \"read\", \"addr\": 10, \"len\": 1},\n"
    "  {\"op\": \"compute\", \"ns\": 4294967295},\n"
    "  {\"op\": \"lock\", \"id\": 1, \"addr\": 64, \"len\": 32, \"mode\": \"rw\", \"work\": 10},\n"
    "  {\"op\": \"unlock\", \"id\": 1},\n"
    "  {\"op\": \"lock\", \"id\": 2, \"addr\": 96, \"len\": 32, \"mode\": \"ro\"},\n"
    "  {\"op\": \"unlock\", \"id\": 2},\n"
    "  {\"op\": \"compute\", \"cycles\": 0},\n"
    "  {\"op\": \"compute\", \"cycles\": 536870911},\n"
    "  {\"op\": \"compute\", \"cycles\": 536870912}\n"
    " ]}\n";

START_TEST(compute_round_trip)
{
    /* JSON -> binary -> JSON -> binary, din (fold none) and a pack keep
     * every compute op (unit and amount) and every lock's work. */
    char err[600];
    struct vmt_op op;
    struct vmt_open_opts o;
    const char *j = tt_write_str("cp.json", json_compute);
    const char *b = tt_path("cp.vmt"), *j2 = tt_path("cp2.json"), *b2 = tt_path("cp2.vmt");
    const char *d = tt_path("cp.din"), *b3 = tt_path("cp3.vmt");
    struct vmt_source *s1 = vmt_open(j, NULL, NULL, err, sizeof err), *s2;
    ck_assert_msg(s1 != NULL, "%s", err);
    ck_assert_int_eq(vmt_next(s1, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_COMPUTE);
    ck_assert_uint_eq(op.mode, VMT_COMPUTE_CYCLES);
    ck_assert_uint_eq(op.len, 120);
    ck_assert_int_eq(vmt_next(s1, &op), 1);
    ck_assert_int_eq(vmt_next(s1, &op), 1);
    ck_assert_uint_eq(op.mode, VMT_COMPUTE_NS);
    ck_assert_uint_eq(op.len, 4294967295u);
    ck_assert_int_eq(vmt_next(s1, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_LOCK);
    ck_assert_uint_eq(op.work, 10);
    vmt_rewind(s1);
    ck_assert_msg(vmt_convert(j, NULL, b, NULL, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(vmt_convert(b, NULL, j2, NULL, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(vmt_convert(j2, NULL, b2, NULL, NULL, err, sizeof err) == 0, "%s", err);
    same_as_converted(s1, b, j2, b2);
    /* A pack (one word per compute op in cycles below 2^29) reads back the same. */
    {
        struct vmt_pack *pk;
        vmt_rewind(s1);
        pk = vmt_pack_new(s1, 1u << 20);
        ck_assert_ptr_nonnull(pk);
        s2 = vmt_pack_open(pk);
        vmt_rewind(s1);
        same_ops(s1, s2, 1);
        vmt_close(s2);
        vmt_pack_free(pk);
    }
    /* din keeps compute ops as "# compute N cycles|ns" lines, locks become accesses. */
    ck_assert_msg(vmt_convert(j, NULL, d, NULL, NULL, err, sizeof err) == 0, "%s", err);
    {
        size_t n;
        unsigned char *t = tt_read(d, &n);
        t[n] = 0;
        ck_assert_str_eq((char *)t, "# compute 120 cycles\nr a 1\n# compute 4294967295 ns\nw 40 20\n"
                                    "r 60 20\n# compute 0 cycles\n# compute 536870911 cycles\n"
                                    "# compute 536870912 cycles\n");
        free(t);
    }
    memset(&o, 0, sizeof o);
    o.fold = VMT_FOLD_NONE;
    o.pool_size = 4096;
    ck_assert_msg(vmt_convert(d, NULL, b3, NULL, &o, err, sizeof err) == 0, "%s", err);
    s2 = vmt_open(b3, NULL, NULL, err, sizeof err);
    ck_assert_msg(s2 != NULL, "%s", err);
    vmt_rewind(s1);
    {
        struct vmt_op x;
        int n = 0;
        while (vmt_next(s1, &x) == 1) {
            if (x.kind != VMT_COMPUTE) continue;
            do ck_assert_int_eq(vmt_next(s2, &op), 1);
            while (op.kind != VMT_COMPUTE);
            ck_assert_uint_eq(op.mode, x.mode);
            ck_assert_uint_eq(op.len, x.len);
            n++;
        }
        ck_assert_int_eq(n, 5);
    }
    vmt_close(s2);
    vmt_close(s1);
    /* din compute lines that are not right name the line */
    tt_open_fails(tt_write_str("bc1.din", "r 1 1\n# compute 12\n"), NULL, NULL, "bc1.din:2: compute: expected a decimal amount");
    tt_open_fails(tt_write_str("bc2.din", "# compute 12 ms\n"), NULL, NULL, "bc2.din:1: compute: expected the unit");
    tt_open_fails(tt_write_str("bc3.din", "# compute 4294967296 ns\n"), NULL, NULL, "bc3.din:1: compute: amount above");
    /* other comments stay comments */
    s1 = vmt_open(tt_write_str("cm.din", "# computed by hand\n#compute 3 ns\nr 1 1\n"), NULL, NULL, err, sizeof err);
    ck_assert_msg(s1 != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(s1)->op_count, 1);
    vmt_close(s1);
}
END_TEST

START_TEST(compute_binary_invalid)
{
    /* Record bytes: tag 11 (compute), unit, varint amount. */
    char err[600];
    const char *b = tt_path("cb.vmt");
    size_t n;
    unsigned char *d;
    ck_assert_msg(vmt_convert(tt_write_str("cb.json",
                                           "{\"pool_size\": 64, \"ops\": [{\"op\": \"compute\", \"ns\": 5}]}"),
                              NULL, b, NULL, NULL, err, sizeof err) == 0, "%s", err);
    d = tt_read(b, &n);
    ck_assert_uint_eq(d[32], 11);
    ck_assert_uint_eq(d[33], 1);
    ck_assert_uint_eq(d[34], 5);
    d[33] = 2;
    tt_open_fails(tt_write("cu.vmt", d, n), NULL, NULL, "byte 32 (op 0): compute unit not 0 (cycles) or 1 (ns)");
    d[33] = 1;
    d[32] = 11 | 0x10;
    tt_open_fails(tt_write("cf.vmt", d, n), NULL, NULL, "byte 32 (op 0): flags not allowed for this kind");
    free(d);
    /* a lock's work above VMT_WORK_MAX (a writer does not check it; the reader does) */
    {
        struct vmt_writer *w = vmt_writer_open(tt_path("wk.vmt"), "binary", 64, NULL, err, sizeof err);
        struct vmt_op op;
        ck_assert_ptr_nonnull(w);
        memset(&op, 0, sizeof op);
        op.kind = VMT_LOCK;
        op.mode = VMT_LOCK_RO;
        op.len = 4;
        op.work = VMT_WORK_MAX + 1u;
        ck_assert_int_eq(vmt_writer_put(w, &op), 0);
        ck_assert_int_eq(vmt_writer_close(w, err, sizeof err), 0);
        tt_open_fails(tt_path("wk.vmt"), NULL, NULL, "wk.vmt: byte 32 (op 0): lock work above 65535 cycles per byte");
    }
    /* an amount above 2^32-1: 5 varint bytes 0x80 0x80 0x80 0x80 0x10 = 2^32 */
    {
        unsigned char e[32 + 7 + 9];
        d = tt_read(b, &n);
        memcpy(e, d, 32);
        e[32] = 11, e[33] = 0, e[34] = 0x80, e[35] = 0x80, e[36] = 0x80, e[37] = 0x80, e[38] = 0x10;
        memcpy(e + 39, d + 35, 9);
        tt_open_fails(tt_write("cbig.vmt", e, sizeof e), NULL, NULL, "byte 32 (op 0): compute amount above 2^32-1");
        free(d);
    }
}
END_TEST

START_TEST(virtmem_bench_loop_cycles)
{
    /* loop_cycles: a compute op after every byte of W and R, and the work of
     * every lock; by CPU name, the figure measured there (vm_cpu_costs.h). */
    char err[600];
    struct vmt_op op;
    unsigned long kinds[VMT_KIND_COUNT] = {0}, ops = 0;
    struct vmt_source *s = open_spec("{\"type\": \"virtmem_bench\", \"reps\": 1, \"size\": 1000, "
                                     "\"chunk\": 100, \"loop_cycles\": 7}", "vl.json");
    int prev = -1;
    while (vmt_next(s, &op) == 1) {
        kinds[op.kind]++;
        ops++;
        if (op.kind == VMT_COMPUTE) {
            ck_assert_uint_eq(op.mode, VMT_COMPUTE_CYCLES);
            ck_assert_uint_eq(op.len, 7);
            ck_assert(prev == VMT_READ || prev == VMT_WRITE);
        }
        if (op.kind == VMT_LOCK) ck_assert_uint_eq(op.work, 7);
        prev = op.kind;
    }
    ck_assert_uint_eq(kinds[VMT_COMPUTE], 2000);
    ck_assert_uint_eq(kinds[VMT_LOCK], 20);
    ck_assert_uint_eq(vmt_info(s)->op_count, ops);
    vmt_close(s);
    s = open_spec("{\"type\": \"virtmem_bench\", \"reps\": 1, \"size\": 100, \"loop_cycles\": \"atmega328p\"}",
                  "vl2.json");
    while (vmt_next(s, &op) == 1)
        if (op.kind == VMT_COMPUTE) break;
    ck_assert_uint_eq(op.kind, VMT_COMPUTE);
    ck_assert_uint_eq(op.len, (VM_BENCH_LOOP_ATMEGA328P + 50u) / 100u);
    vmt_close(s);
    /* without it, no compute op and no work: the trace as before */
    s = open_spec("{\"type\": \"virtmem_bench\", \"reps\": 1, \"size\": 100}", "vl3.json");
    while (vmt_next(s, &op) == 1) {
        ck_assert_uint_ne(op.kind, VMT_COMPUTE);
        ck_assert_uint_eq(op.work, 0);
    }
    vmt_close(s);
    (void)err;
}
END_TEST

/* ---- binary format errors ----------------------------------------------- */

static const char *small_binary(void)
{
    char err[600];
    const char *b = tt_path("small.vmt");
    ck_assert_msg(vmt_convert(tt_write_str("small.json", json_all), NULL, b, NULL, NULL, err, sizeof err) == 0,
                  "%s", err);
    return b;
}

START_TEST(binary_invalid)
{
    size_t n, cut;
    unsigned char *d = tt_read(small_binary(), &n);
    char name[32];
    tt_open_fails(tt_write("empty.vmt", "", 0), "binary", NULL, "empty file");
    tt_open_fails(tt_write("short.vmt", "\x89VMT", 4), "binary", NULL, "truncated header");
    d[0] ^= 1;
    tt_open_fails(tt_write("magic.vmt", d, n), "binary", NULL, "bad magic");
    d[0] ^= 1;
    d[8] = 9;
    tt_open_fails(tt_write("ver.vmt", d, n), NULL, NULL, "unsupported version 9");
    d[8] = 1;
    /* Every truncation is caught. */
    for (cut = 32; cut < n; cut++) {
        snprintf(name, sizeof name, "cut%zu.vmt", cut);
        tt_open_fails(tt_write(name, d, cut), NULL, NULL, name);
    }
    /* Trailing data after END. */
    {
        unsigned char *e = malloc(n + 1);
        memcpy(e, d, n);
        e[n] = 0;
        tt_open_fails(tt_write("trail.vmt", e, n + 1), NULL, NULL, "after the END");
        free(e);
    }
    /* An unknown record kind right after the header. */
    d[32] = 12;
    tt_open_fails(tt_write("kind.vmt", d, n), NULL, NULL, "byte 32 (op 0): unknown record kind");
    d[32] = 0;
    /* A file is checked whole at open: no source for a malformed one. */
    {
        char err[600] = "";
        ck_assert_ptr_null(vmt_open(tt_write("cutopen.vmt", d, n - 1), NULL, NULL, err, sizeof err));
        ck_assert_msg(strstr(err, "cutopen.vmt: byte "), "%s", err);
    }
    /* A pool the replay cannot have. */
    memset(d + 16, 0, 8);
    tt_open_fails(tt_write("pool0.vmt", d, n), NULL, NULL, "byte 16: pool_size 0: expected 1..2147483648");
    d[20] = 1; /* 2^32 */
    tt_open_fails(tt_write("pool4g.vmt", d, n), NULL, NULL, "byte 16: pool_size 4294967296");
    free(d);
}
END_TEST

/* Corrupts copies of a valid file at random: no crash, and either it reads
 * (a corruption that happens to stay valid) or the error names the file. */
static void fuzz_file(const char *valid, const char *format, const char *ext, unsigned seed, int rounds,
                      const struct vmt_open_opts *o)
{
    size_t n;
    unsigned char *d = tt_read(valid, &n), *c = malloc(n + 64);
    int r;
    rounds = (int)tt_scale(rounds, 20);
    srand(seed);
    for (r = 0; r < rounds; r++) {
        size_t m = n, k, flips = 1 + (size_t)rand() % 4;
        char name[40], err[600] = "";
        struct vmt_source *s;
        memcpy(c, d, n);
        for (k = 0; k < flips; k++) {
            int how = rand() % 4;
            size_t at = (size_t)rand() % m;
            if (how == 0) c[at] = (unsigned char)rand();
            else if (how == 1) c[at] ^= (unsigned char)(1u << (rand() % 8));
            else if (how == 2) m = at + 1; /* truncate */
            else c[at] = (unsigned char)"0123456789abcdef,: \n{}[]\"x-"[rand() % 27];
        }
        snprintf(name, sizeof name, "fuzz%d.%s", r, ext);
        tt_write(name, c, m);
        s = vmt_open(tt_path(name), format, o, err, sizeof err);
        if (!s) {
            ck_assert_msg(strstr(err, name) != NULL, "message \"%s\" does not name the file", err);
            continue;
        }
        if (tt_drain(s) < 0) ck_assert_msg(strstr(vmt_error(s), name) != NULL, "\"%s\"", vmt_error(s));
        vmt_rewind(s);
        tt_drain(s);
        vmt_close(s);
        remove(tt_path(name));
    }
    free(d);
    free(c);
}

START_TEST(fuzz_binary)
{
    char err[600];
    struct vmt_source *g = open_spec(gen_specs[10], "fz.json");
    const char *b = tt_path("fz.vmt");
    ck_assert_msg(vmt_write_source(g, b, NULL, NULL, 3000, err, sizeof err) == 0, "%s", err);
    vmt_close(g);
    fuzz_file(b, NULL, "vmt", 1, 300, NULL);
    fuzz_file(small_binary(), NULL, "vmt", 2, 300, NULL);
}
END_TEST

START_TEST(fuzz_json)
{
    fuzz_file(tt_write_str("fz.json", json_all), NULL, "json", 3, 400, NULL);
    fuzz_file(tt_write_str("fzg.json", gen_specs[10]), "json", "json", 4, 200, NULL);
}
END_TEST

/* ---- foreign text formats ----------------------------------------------- */

static const char lackey_text[] =
    "==1234== Lackey, an example Valgrind tool\n"
    "==1234== Command: sort\n"
    "I  04001990,3\n"
    " S 1ffefffd88,8\n"
    "I  04001993,5\n"
    " L 04025e10,4\n"
    " M 0402aff8,16\n"
    " L 1ffefffd8c,2\n"
    "==1234== \n";

START_TEST(lackey_valid)
{
    char err[600];
    struct vmt_op op;
    struct vmt_open_opts o;
    const char *p = tt_write_str("t.lackey", lackey_text);
    struct vmt_source *s = vmt_open(p, NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_str_eq(vmt_info(s)->format, "lackey");
    /* S, L, M = read + write, each split at the 4 KiB block boundary at 0x402b000, L */
    ck_assert_uint_eq(vmt_info(s)->op_count, 7);
    ck_assert_uint_eq(vmt_info(s)->pool_size, 4 * 4096); /* 4 distinct blocks */
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_WRITE);
    ck_assert_uint_eq(op.addr, 0xd88); /* first block -> block 0 */
    ck_assert_uint_eq(op.len, 8);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_READ);
    ck_assert_uint_eq(op.addr, 4096 + 0xe10);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_READ);
    ck_assert_uint_eq(op.addr, 2 * 4096 + 0xff8);
    ck_assert_uint_eq(op.len, 8);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.addr, 3 * 4096);
    ck_assert_uint_eq(op.len, 8);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_WRITE);
    ck_assert_uint_eq(op.addr, 2 * 4096 + 0xff8);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_READ);
    ck_assert_uint_eq(op.addr, 0xd8c); /* back in block 0 */
    ck_assert_int_eq(vmt_next(s, &op), 0);
    vmt_close(s);
    /* With fetches and modulo folding. */
    memset(&o, 0, sizeof o);
    o.fetches = 1;
    o.fold = VMT_FOLD_MOD;
    o.pool_size = 65536;
    s = vmt_open(p, "lackey", &o, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(s)->op_count, 7);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.addr, 0x04001990 % 65536);
    vmt_close(s);
}
END_TEST

START_TEST(text_invalid)
{
    struct vmt_open_opts o;
    tt_open_fails(tt_write_str("b1.lackey", "I  0400,3\n X 1234,4\n"), "lackey", NULL, "b1.lackey:2: expected a lackey line");
    tt_open_fails(tt_write_str("b2.lackey", " L 12zz,4\n"), "lackey", NULL, "b2.lackey:1: expected a hex address then ','");
    tt_open_fails(tt_write_str("b3.lackey", " L 1234,\n"), "lackey", NULL, "b3.lackey:1: expected a decimal size");
    tt_open_fails(tt_write_str("b4.lackey", " L 1234,0\n"), "lackey", NULL, "size must be");
    tt_open_fails(tt_write_str("b1.din", "r 100 4\nq 200 4\n"), "din", NULL, "b1.din:2: unknown label");
    tt_open_fails(tt_write_str("b2.din", "r 100 4\nw\n"), "din", NULL, "b2.din:2: expected a label");
    tt_open_fails(tt_write_str("b3.din", "r 1g0 4\n"), "din", NULL, "b3.din:1: expected a space then a hex size");
    tt_open_fails(tt_write_str("b4.din", "r 100 4 5\n"), "din", NULL, "b4.din:1: expected a hex size at the end");
    tt_open_fails(tt_write_str("b1.txt", "1\n2\nthree\n"), "txt", NULL, "b1.txt:3: expected a page id");
    tt_open_fails(tt_write_str("b2.txt", "1 x\n"), "txt", NULL, "b2.txt:1: expected r or w");
    tt_open_fails(tt_write_str("b3.txt", "99999999999999999999999\n"), "txt", NULL, "b3.txt:1");
    memset(&o, 0, sizeof o);
    o.fold = VMT_FOLD_NONE;
    o.pool_size = 4096;
    tt_open_fails(tt_write_str("b5.din", "r 100 4\nw ffff 4\n"), "din", &o, "beyond the pool_size");
    /* an access whose end wraps past 2^64 */
    tt_open_fails(tt_write_str("b7.din", "r fffffffffffffffe 4\n"), "din", &o, "b7.din:1: address range overflows");
    tt_open_fails(tt_write_str("b8.lackey", " S fffffffffffffffc,8\n"), "lackey", &o, "b8.lackey:1: address range overflows");
    o.fold = VMT_FOLD_MOD;
    o.pool_size = 0;
    tt_open_fails(tt_write_str("b6.din", "r 100 4\n"), "din", &o, "needs a pool_size");
    tt_open_fails(tt_path("does-not-exist.din"), NULL, NULL, "cannot open");
    tt_open_fails(tt_write_str("x.weird", "hello\n"), NULL, NULL, "unknown trace format");
}
END_TEST

START_TEST(din_txt_valid)
{
    char err[600];
    struct vmt_op op;
    struct vmt_open_opts o;
    struct vmt_source *s;
    memset(&o, 0, sizeof o);
    o.fold = VMT_FOLD_NONE;
    s = vmt_open(tt_write_str("ok.din", "r 100 4\n1 0x2000\ni 300 4\n\nw 1ffe 4\nv 0 0\n"), NULL, &o, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(s)->op_count, 3);
    ck_assert_uint_eq(vmt_info(s)->pool_size, 0x3000);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_READ);
    ck_assert_uint_eq(op.addr, 0x100);
    ck_assert_uint_eq(op.len, 4);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_WRITE);
    ck_assert_uint_eq(op.addr, 0x2000);
    ck_assert_uint_eq(op.len, 1);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.addr, 0x1ffe);
    vmt_close(s);
    memset(&o, 0, sizeof o);
    o.id_bytes = 256;
    s = vmt_open(tt_write_str("ok.txt", "# comment\n900\n7 w\n900 r\n\n0x10\n"), NULL, &o, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(s)->op_count, 4);
    ck_assert_uint_eq(vmt_info(s)->pool_size, 3 * 256);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.addr, 0);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_WRITE);
    ck_assert_uint_eq(op.addr, 256);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.addr, 0);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.addr, 512);
    ck_assert_int_eq(vmt_next(s, &op), 0);
    vmt_close(s);
}
END_TEST

START_TEST(fuzz_text)
{
    struct vmt_open_opts o;
    fuzz_file(tt_write_str("fz.lackey", lackey_text), "lackey", "lackey", 5, 300, NULL);
    fuzz_file(tt_write_str("fz.din", "r 100 4\n1 0x2000\ni 300 4\nw 1ffe 4\nw 7fff0 10\n"), "din", "din", 6, 300, NULL);
    fuzz_file(tt_write_str("fz.txt", "1\n2 w\n3\n1\n0x44 r\n"), "txt", "txt", 7, 300, NULL);
    memset(&o, 0, sizeof o);
    o.fold = VMT_FOLD_NONE;
    fuzz_file(tt_path("fz.din"), "din", "din", 8, 200, &o);
}
END_TEST

START_TEST(convert_din_txt)
{
    /* binary -> din -> (fold none) keeps reads and writes exactly; locks become accesses. */
    char err[600];
    struct vmt_open_opts o;
    struct vmt_source *a, *b;
    struct vmt_op x, y;
    const char *j = tt_write_str("c.json",
        "{\"pool_size\": 65536, \"ops\": [{\"op\": \"read\", \"addr\": 4000, \"len\": 200},"
        " {\"op\": \"write\", \"addr\": 10, \"len\": 1}, {\"op\": \"lock\", \"addr\": 300, \"len\": 30, \"mode\": \"ro\"},"
        " {\"op\": \"unlock\"}, {\"op\": \"phase\", \"name\": \"p\"}, {\"op\": \"write\", \"addr\": 65535, \"len\": 1}]}");
    memset(&o, 0, sizeof o);
    ck_assert_msg(vmt_convert(j, NULL, tt_path("c.din"), NULL, NULL, err, sizeof err) == 0, "%s", err);
    o.fold = VMT_FOLD_NONE;
    o.pool_size = 65536;
    ck_assert_msg(vmt_convert(tt_path("c.din"), NULL, tt_path("c2.vmt"), NULL, &o, err, sizeof err) == 0, "%s", err);
    a = vmt_open(j, NULL, NULL, err, sizeof err);
    b = vmt_open(tt_path("c2.vmt"), NULL, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(vmt_info(b)->op_count, 4);
    while (vmt_next(a, &x) == 1) {
        if (x.kind == VMT_UNLOCK || x.kind == VMT_PHASE) continue;
        ck_assert_int_eq(vmt_next(b, &y), 1);
        ck_assert_uint_eq(y.kind, x.kind == VMT_LOCK ? VMT_READ : x.kind);
        ck_assert_uint_eq(y.addr, x.addr);
        ck_assert_uint_eq(y.len, x.len);
    }
    ck_assert_int_eq(vmt_next(b, &y), 0);
    vmt_close(a);
    vmt_close(b);
    /* txt at page size 64: one line per page touched. */
    o.fold = VMT_FOLD_COMPACT;
    o.id_bytes = 64;
    o.pool_size = 0;
    ck_assert_msg(vmt_convert(j, NULL, tt_path("c.txt"), NULL, &o, err, sizeof err) == 0, "%s", err);
    {
        size_t n;
        unsigned char *t = tt_read(tt_path("c.txt"), &n);
        t[n] = 0;
        ck_assert_str_eq((char *)t, "62\n63\n64\n65\n0 w\n4\n5\n1023 w\n");
        free(t);
    }
    /* lackey cannot be written */
    ck_assert_int_lt(vmt_convert(j, NULL, tt_path("c.lackey"), "lackey", NULL, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "cannot write"));
}
END_TEST

/* ---- streaming: memory does not grow with the trace ---------------------- */

START_TEST(streaming_memory_bound)
{
    char err[600];
    struct vmt_op op;
    struct vmt_source *g, *s;
    size_t m_early = 0, m_max = 0;
    long n = 0;
    FILE *f;
    unsigned i;
    /* binary: 1.5 M ops with payloads and phases (scaled down under valgrind) */
    char spec[128];
    long reps = tt_scale(6, 1), total = 2 * reps * 130048 + 5, lines = tt_scale(200000, 20000);
    snprintf(spec, sizeof spec, "{\"type\": \"virtmem_bench\", \"reps\": %ld, \"phases\": [\"W\", \"R\"]}", reps);
    g = open_spec(spec, "big.json");
    ck_assert_uint_eq(vmt_info(g)->op_count, (unsigned long)total);
    while (vmt_next(g, &op) == 1) {
        if (++n == 1000) m_early = vmt_memory(g);
        if (vmt_memory(g) > m_max) m_max = vmt_memory(g);
    }
    ck_assert_uint_eq(m_max, m_early); /* the generator allocates nothing per op */
    vmt_rewind(g);
    ck_assert_msg(vmt_write_source(g, tt_path("big.vmt"), NULL, NULL, 0, err, sizeof err) == 0, "%s", err);
    vmt_close(g);
    s = vmt_open(tt_path("big.vmt"), NULL, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(s);
    n = 0;
    m_max = 0;
    while (vmt_next(s, &op) == 1) {
        if (++n == total * 3 / 4) m_early = vmt_memory(s); /* both phase names known by now */
        if ((n & 1023) == 0 && vmt_memory(s) > m_max) m_max = vmt_memory(s);
    }
    ck_assert_uint_eq(n, total);
    ck_assert_uint_eq(m_max, m_early);
    ck_assert_uint_lt(m_max, 2u << 20);
    vmt_close(s);
    /* lackey: 200 k lines over 50 blocks: memory bounded by the blocks */
    f = fopen(tt_path("big.lackey"), "w");
    ck_assert_ptr_nonnull(f);
    for (i = 0; i < (unsigned)lines; i++) fprintf(f, " L %x,4\n", 0x10000000u + (i * 2654435761u) % (50u * 1024u) * 4u);
    fclose(f);
    s = vmt_open(tt_path("big.lackey"), NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(s)->pool_size, 50 * 4096);
    n = 0;
    while (vmt_next(s, &op) == 1) {
        if (++n == 1000) m_early = vmt_memory(s);
        if (vmt_memory(s) > m_max) m_max = vmt_memory(s);
    }
    ck_assert_uint_eq(n, lines);
    ck_assert_uint_eq(vmt_memory(s), m_early);
    ck_assert_uint_lt(vmt_memory(s), 64u << 10);
    vmt_close(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vmtrace formats");
    TCase *tc = tcase_create("formats");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, json_valid);
    tcase_add_loop_test(tc, json_invalid, 0, (int)(sizeof json_bad / sizeof json_bad[0]));
    tcase_add_test(tc, json_binary_round_trip);
    tcase_add_loop_test(tc, generator_binary_round_trip, 0, N_GEN);
    tcase_add_loop_test(tc, generator_deterministic, 0, N_GEN);
    tcase_add_test(tc, generator_empty_key_refused);
    tcase_add_loop_test(tc, generator_exact_ops, 0, N_GEN);
    tcase_add_test(tc, generator_many_lookups_open_fast);
    tcase_add_test(tc, generator_counts_open_fast);
    tcase_add_test(tc, generator_seed_matters);
    tcase_add_test(tc, virtmem_bench_shape);
    tcase_add_test(tc, binary_payloads_across_refills);
    tcase_add_test(tc, binary_invalid);
    tcase_add_test(tc, compute_round_trip);
    tcase_add_test(tc, compute_binary_invalid);
    tcase_add_test(tc, virtmem_bench_loop_cycles);
    tcase_add_test(tc, fuzz_binary);
    tcase_add_test(tc, fuzz_json);
    tcase_add_test(tc, lackey_valid);
    tcase_add_test(tc, text_invalid);
    tcase_add_test(tc, din_txt_valid);
    tcase_add_test(tc, fuzz_text);
    tcase_add_test(tc, convert_din_txt);
    tcase_add_test(tc, streaming_memory_bound);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
