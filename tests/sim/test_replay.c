/*
 * test_replay.c - the replay engine: data verification over every backend
 * stack, detection of wrong data, the core's LRU and FIFO miss counts against
 * independent naive simulators (and the optimum below them), per-op stepping
 * with monotonic simulated time, observers that change no number, and
 * tolerated faults that never yield wrong data.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmr_replay.h"
#include "vm_simbus.h"
#include "vmtrace.h"

static char err[512];

/* ------------------------------------------------------------ helpers */

static uint32_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
}

/* A JSON trace of random ops over a pool of `pool` bytes. Writes carry
 * data; reads carry the expected bytes from a model of the pool kept here,
 * so the engine's trace-data check is independent of its shadow. When
 * `corrupt_at` >= 0, the read with that index expects one wrong byte. */
static char *make_trace(uint32_t seed, uint32_t pool, int nops, int corrupt_at)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/vmsim_test_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    uint8_t *model = calloc(pool, 1);
    uint8_t buf[300];
    int reads = 0;
    rng_state = seed;
    fprintf(f, "{\"format\":\"vmtrace\",\"version\":1,\"pool_size\":%u,\"ops\":[\n", pool);
    fprintf(f, "{\"op\":\"phase\",\"name\":\"random\"}");
    for (int i = 0; i < nops; i++) {
        uint32_t k = rnd() % 100;
        uint32_t len = 1 + rnd() % (rnd() % 4 == 0 ? 200 : 8);
        uint32_t a = rnd() % (pool - len);
        fprintf(f, ",\n");
        if (k < 40) {
            for (uint32_t j = 0; j < len; j++) buf[j] = (uint8_t)rnd();
            memcpy(model + a, buf, len);
            fprintf(f, "{\"op\":\"write\",\"addr\":%u,\"len\":%u,\"data\":\"", a, len);
            hex(f, buf, len);
            fprintf(f, "\"}");
        } else if (k < 85) {
            memcpy(buf, model + a, len);
            if (reads++ == corrupt_at) buf[len / 2] ^= 0x10;
            fprintf(f, "{\"op\":\"read\",\"addr\":%u,\"len\":%u,\"data\":\"", a, len);
            hex(f, buf, len);
            fprintf(f, "\"}");
        } else if (k < 89) {
            uint8_t v = (uint8_t)rnd();
            memset(model + a, v, len);
            fprintf(f, "{\"op\":\"memset\",\"addr\":%u,\"len\":%u,\"value\":%u}", a, len, v);
        } else if (k < 93) {
            uint32_t b = rnd() % (pool - len);
            memmove(model + a, model + b, len);
            fprintf(f, "{\"op\":\"memcpy\",\"addr\":%u,\"src\":%u,\"len\":%u}", a, b, len);
        } else if (k < 97) {
            /* A lock held over one more op, then released. Written locks
             * change bytes the model cannot know: only RO here. */
            uint32_t l = 1 + len % 32;
            fprintf(f, "{\"op\":\"lock\",\"addr\":%u,\"len\":%u,\"mode\":\"ro\",\"id\":7},\n", a, l);
            fprintf(f, "{\"op\":\"read\",\"addr\":%u,\"len\":1},\n", a);
            fprintf(f, "{\"op\":\"unlock\",\"id\":7}");
        } else if (k < 98) {
            fprintf(f, "{\"op\":\"flush\"}");
        } else if (k < 99) {
            fprintf(f, "{\"op\":\"invalidate\"}");
        } else {
            fprintf(f, "{\"op\":\"phase\",\"name\":\"p%u\"}", rnd() % 3);
        }
    }
    fprintf(f, "\n]}\n");
    fclose(f);
    free(model);
    return path;
}

static struct vmt_source *open_gen(const char *json)
{
    cJSON *spec = cJSON_Parse(json);
    ck_assert_ptr_nonnull(spec);
    struct vmt_source *s = vmt_open_generator(spec, "test", err, sizeof err);
    cJSON_Delete(spec);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

/* Replays a 3000-op Zipf workload (seed) with c's backend on its fast path
 * into res[0] and on its byte-exact path into res[1]. */
static void replay_fast_and_exact(struct vmr_config *c, unsigned seed, struct vmr_result res[2])
{
    char spec[160];
    snprintf(spec, sizeof spec,
             "{\"type\":\"zipf\",\"seed\":%u,\"pool_size\":32768,\"ops\":3000,"
             "\"alpha\":0.8,\"access\":4,\"write_ratio\":0.4}", seed);
    for (unsigned exact = 0; exact < 2; exact++) {
        struct vmt_source *s = open_gen(spec);
        c->exact = (uint8_t)exact;
        ck_assert_msg(vmr_replay(c, s, &res[exact]) == 0, "%s", res[exact].error);
        vmt_close(s);
    }
}

static void config(struct vmr_config *c, unsigned type, const char *profile, unsigned ps,
                   unsigned pc, unsigned policy, unsigned verify)
{
    memset(c, 0, sizeof *c);
    c->backend.type = (uint8_t)type;
    if (profile) snprintf(c->backend.profile, sizeof c->backend.profile, "%s", profile);
    c->pager.page_size = (uint16_t)ps;
    c->pager.page_count = (vm_slot_t)pc;
    c->pager.policy = (uint8_t)policy;
    c->verify = (uint8_t)verify;
}

/* ---------------------------------------------------- data verification */

START_TEST(verify_every_backend)
{
    static const char *const profiles[VMR_BE_COUNT] = {NULL, "atmega328p", "teensy32", "teensy32",
                                                       "atmega328p"};
    unsigned type = (unsigned)_i;
    char *path = make_trace(1234 + type, 32768, 1500, -1);
    for (unsigned verify = VMR_VERIFY_AUTO; verify <= VMR_VERIFY_ON; verify++) {
        struct vmt_source *s = vmt_open(path, NULL, NULL, err, sizeof err);
        ck_assert_msg(s != NULL, "%s", err);
        struct vmr_config c;
        struct vmr_result res;
        config(&c, type, profiles[type], 64, 4, VM_POLICY_LRU, verify);
        int rc = vmr_replay(&c, s, &res);
        ck_assert_msg(rc == 0 && res.ok, "%s verify %u: %s", vmr_backend_type_name(type), verify,
                      res.error);
        ck_assert_uint_gt(res.total.verified, 1000);
        ck_assert_int_eq(res.verified_full, verify == VMR_VERIFY_ON);
        ck_assert_uint_eq(res.total.hits + res.total.misses, res.total.touches);
        ck_assert_uint_gt(res.total.bytes_read, 0);
        if (type == VMR_BE_RAM)
            ck_assert_uint_eq(res.total.time_ns, 0);
        else
            ck_assert_uint_gt(res.total.time_ns, 0);
        vmt_close(s);
    }
    unlink(path);
}
END_TEST

/* The fast path is taken where a device offers it, and gives the byte-exact
 * stack's numbers: every counter of the run equal, with and without
 * `exact`, on a write-heavy Zipf workload at a small and a large page (the
 * shell test fastcost does the same on every scenario and a sweep, through
 * the tools). ram and sram (no faults) have a fast path; sd answers its
 * polls for the card in closed form (closed_form); a device with neither
 * answers every call on its exact stack. */
START_TEST(fast_path_taken_and_exact)
{
    static const char *const profiles[VMR_BE_COUNT] = {NULL, "atmega328p", "teensy32", "teensy32",
                                                       "atmega328p"};
    unsigned type = (unsigned)_i;
    for (unsigned ps = 16; ps <= 512; ps *= 32) {
        struct vmr_result res[2];
        struct vmr_config c;
        config(&c, type, profiles[type], ps, 3, VM_POLICY_LRU, VMR_VERIFY_AUTO);
        int fast = vmr_stack_has_fast(&c.backend);
        if (type == VMR_BE_RAM || type == VMR_BE_SRAM || type == VMR_BE_SD)
            ck_assert_msg(fast, "%s: no fast path", vmr_backend_type_name(type));
        replay_fast_and_exact(&c, 3, res);
        const struct vmr_counters *f = &res[0].total, *x = &res[1].total;
        uint64_t calls = f->backend_reads + f->backend_writes;
        ck_assert_uint_eq(x->fast_calls, 0);
        if (fast && vmr_device(type)->closed_form) {
            /* polls for the card's token or busy end answered in closed form */
            ck_assert_msg(f->fast_calls > calls / 4, "%s %u B: %llu closed-form polls in %llu calls",
                          vmr_backend_type_name(type), ps, (unsigned long long)f->fast_calls,
                          (unsigned long long)calls);
        } else if (fast) {
            /* most calls charged at a known price (ram: nothing to price) */
            ck_assert_msg(f->fast_calls > calls / 2 && f->fast_calls <= calls,
                          "%s %u B: %llu of %llu calls fast", vmr_backend_type_name(type), ps,
                          (unsigned long long)f->fast_calls, (unsigned long long)calls);
        } else {
            ck_assert_uint_eq(f->fast_calls, 0);
        }
        ck_assert_uint_gt(f->misses, 100);
        struct vmr_counters a = *f, b = *x;
        a.fast_calls = b.fast_calls = 0;
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s %u B: fast and exact counters differ",
                      vmr_backend_type_name(type), ps);
        ck_assert_uint_eq(res[0].phase_count, res[1].phase_count);
    }
}
END_TEST

/* Serial over a link whose cost depends on where a call falls against a
 * free-running timer (the 8U2 bridge's 4.096 ms tick) or the 1 ms USB
 * frame: priced once per (kind, length, phase), identical to the byte-exact
 * link, and most calls are charged from a kept price. */
START_TEST(periodic_link_fast_and_exact)
{
    static const char *const links[][2] = {{"uno-8u2", "atmega328p"}, {"cdc", "teensy32"}};
    const struct vm_device_key *k = vm_device_key_find(vmr_device(VMR_BE_SERIAL), "link");
    ck_assert_ptr_nonnull(k);
    for (unsigned ps = 16; ps <= 512; ps *= 32) {
        struct vmr_result res[2];
        struct vmr_config c;
        config(&c, VMR_BE_SERIAL, links[_i][1], ps, 3, VM_POLICY_LRU, VMR_VERIFY_AUTO);
        snprintf((char *)c.backend.settings.bytes + k->offset, k->size, "%s", links[_i][0]);
        ck_assert(vmr_stack_has_fast(&c.backend));
        replay_fast_and_exact(&c, 5, res);
        const struct vmr_counters *f = &res[0].total, *x = &res[1].total;
        uint64_t calls = f->backend_reads + f->backend_writes;
        ck_assert_uint_eq(x->fast_calls, 0);
        ck_assert_msg(f->fast_calls > calls / 2 && f->fast_calls <= calls, "%s %u B: %llu of %llu calls fast",
                      links[_i][0], ps, (unsigned long long)f->fast_calls, (unsigned long long)calls);
        ck_assert_uint_gt(f->misses, 100);
        ck_assert_uint_gt(f->time_ns, 0);
        struct vmr_counters a = *f, b = *x;
        a.fast_calls = b.fast_calls = 0;
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s %u B: fast and exact counters differ",
                      links[_i][0], ps);
    }
}
END_TEST

START_TEST(wrong_expected_data_fails_with_op_index)
{
    char *path = make_trace(99, 8192, 400, 50);
    struct vmt_source *s = vmt_open(path, NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    struct vmr_config c;
    struct vmr_result res;
    config(&c, VMR_BE_RAM, NULL, 32, 2, VM_POLICY_FIFO, VMR_VERIFY_AUTO);
    ck_assert_int_eq(vmr_replay(&c, s, &res), -1);
    ck_assert_int_eq(res.ok, 0);
    ck_assert_msg(strstr(res.error, "data mismatch") && strncmp(res.error, "op ", 3) == 0, "%s",
                  res.error);
    vmt_close(s);
    unlink(path);
}
END_TEST

/* SPI SRAM has no CRC: bit flips on the wire are invisible to the driver and
 * the pager. The shadow catches them. */
START_TEST(shadow_catches_silent_corruption)
{
    struct vmt_source *s = open_gen("{\"type\":\"uniform\",\"seed\":5,\"pool_size\":65536,"
                                    "\"ops\":20000,\"access\":4,\"write_ratio\":0.5}");
    struct vmr_config c;
    struct vmr_result res;
    config(&c, VMR_BE_SRAM, "teensy32", 64, 4, VM_POLICY_CLOCK, VMR_VERIFY_ON);
    c.backend.fault_seed = 3;
    c.backend.read_fail = 0.001; /* flips per byte on the wire */
    ck_assert_int_eq(vmr_replay(&c, s, &res), -1);
    ck_assert_msg(strstr(res.error, "data mismatch") != NULL, "%s", res.error);
    vmt_close(s);
}
END_TEST

/* Injected backend errors are reported and tolerated; data is never wrong. */
START_TEST(tolerated_faults_never_wrong)
{
    struct vmt_source *s = open_gen("{\"type\":\"uniform\",\"seed\":8,\"pool_size\":16384,"
                                    "\"ops\":20000,\"access\":2,\"write_ratio\":0.4}");
    struct vmr_config c;
    struct vmr_result res;
    config(&c, VMR_BE_RAM, NULL, 32, 4, VM_POLICY_SIEVE, VMR_VERIFY_ON);
    c.backend.fault_seed = 11;
    c.backend.read_fail = 0.02;
    c.backend.write_fail = 0.02;
    c.tolerate_errors = 1;
    ck_assert_msg(vmr_replay(&c, s, &res) == 0, "%s", res.error);
    ck_assert_uint_gt(res.total.backend_errors, 0);
    ck_assert_uint_gt(res.total.op_errors, 0);
    ck_assert_uint_gt(res.total.verified, 10000);
    vmt_close(s);
}
END_TEST

/* ----------------------------------------------- policies vs naive ones */

struct naive {
    unsigned policy, k, n;
    uint64_t page[256];
    uint64_t stamp[256]; /* LRU: last use; FIFO: load time */
    uint64_t clock;
    uint64_t misses;
};

static void naive_touch(void *ctx, uint64_t page)
{
    struct naive *m = ctx;
    if (page == VMT_TOUCH_INVALIDATE) {
        m->n = 0;
        return;
    }
    m->clock++;
    for (unsigned i = 0; i < m->n; i++)
        if (m->page[i] == page) {
            if (m->policy == VM_POLICY_LRU) m->stamp[i] = m->clock;
            return;
        }
    m->misses++;
    unsigned v = m->n;
    if (m->n == m->k) {
        v = 0;
        for (unsigned i = 1; i < m->n; i++)
            if (m->stamp[i] < m->stamp[v]) v = i;
    } else {
        m->n++;
    }
    m->page[v] = page;
    m->stamp[v] = m->clock;
}

static const char *const gens[] = {
    "{\"type\":\"uniform\",\"seed\":21,\"pool_size\":16384,\"ops\":6000,\"access\":6,\"write_ratio\":0.3}",
    "{\"type\":\"zipf\",\"seed\":22,\"pool_size\":32768,\"ops\":6000,\"access\":3,\"alpha\":0.8,\"write_ratio\":0.5}",
    "{\"type\":\"working_set\",\"seed\":23,\"pool_size\":32768,\"ops\":6000,\"set_size\":2048,\"shift_every\":1000,\"write_ratio\":0.2}",
    "{\"type\":\"strided\",\"seed\":24,\"pool_size\":8192,\"stride\":100,\"ops\":3000,\"access\":4}",
};

START_TEST(lru_fifo_match_naive)
{
    static const unsigned sizes[] = {16, 64};
    static const unsigned counts[] = {1, 3, 16, 2, 4, 7};
    static const unsigned pols[] = {VM_POLICY_LRU, VM_POLICY_FIFO};
    /* under valgrind (VM_TEST_SCALE > 1) a subset of the page counts */
    const char *scale = getenv("VM_TEST_SCALE");
    size_t ncounts = scale && atoi(scale) > 1 ? 3 : sizeof counts / sizeof counts[0];
    for (size_t z = 0; z < 2; z++)
        for (size_t q = 0; q < 2; q++)
            for (size_t k = 0; k < ncounts; k++) {
                struct vmt_source *s = open_gen(gens[_i]);
                struct naive m;
                struct vmt_op op;
                memset(&m, 0, sizeof m);
                m.policy = pols[q];
                m.k = counts[k];
                int n;
                while ((n = vmt_next(s, &op)) > 0)
                    ck_assert_int_eq(vmt_touches(NULL, &op, sizes[z], naive_touch, &m), 0);
                ck_assert_int_eq(n, 0);
                ck_assert_int_eq(vmt_rewind(s), 0);
                struct vmr_config c;
                struct vmr_result res;
                config(&c, VMR_BE_RAM, NULL, sizes[z], counts[k], pols[q], VMR_VERIFY_ON);
                ck_assert_msg(vmr_replay(&c, s, &res) == 0, "%s", res.error);
                ck_assert_msg(res.total.misses == m.misses,
                              "gen %d %s %ux%u: core %llu misses, naive %llu", _i,
                              vm_policy_name(pols[q]), counts[k], sizes[z],
                              (unsigned long long)res.total.misses,
                              (unsigned long long)m.misses);
                /* the optimum is a lower bound for every policy */
                uint32_t cnt = counts[k];
                uint64_t opt;
                ck_assert_msg(vmt_opt_misses(s, sizes[z], &cnt, 1, &opt, err, sizeof err) == 0,
                              "%s", err);
                ck_assert_uint_le(opt, res.total.misses);
                vmt_close(s);
            }
}
END_TEST

/* The LRU stack pass gives every page count's misses in one pass; each must
 * equal the core's own LRU run at that count, also the fast path's (the
 * SRAM stack) and over a decoded-once pack. */
START_TEST(lru_stack_pass_matches_core)
{
    static const unsigned sizes[] = {16, 64, 512};
    static const uint32_t counts[] = {1, 2, 3, 4, 6, 8, 12, 16};
    const size_t nc = sizeof counts / sizeof counts[0];
    struct vmt_source *s = open_gen(gens[_i]);
    struct vmt_pack *pk = vmt_pack_new(s, 64u << 20);
    ck_assert_ptr_nonnull(pk);
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        uint64_t lru[8];
        ck_assert_msg(vmt_lru_misses(s, sizes[z], counts, nc, lru, err, sizeof err) == 0, "%s", err);
        for (size_t k = 0; k < nc; k++) {
            struct vmr_config c;
            struct vmr_result res;
            struct vmt_source *p = vmt_pack_open(pk);
            config(&c, k % 2 ? VMR_BE_SRAM : VMR_BE_RAM, "atmega328p", sizes[z], counts[k],
                   VM_POLICY_LRU, VMR_VERIFY_AUTO);
            ck_assert_msg(vmr_replay(&c, p, &res) == 0, "%s", res.error);
            ck_assert_msg(res.total.misses == lru[k], "gen %d %ux%u: core %llu misses, stack pass %llu",
                          _i, counts[k], sizes[z], (unsigned long long)res.total.misses,
                          (unsigned long long)lru[k]);
            vmt_close(p);
        }
    }
    vmt_pack_free(pk);
    vmt_close(s);
}
END_TEST

/* ------------------------------------------------ stepping and observers */

struct obs_count {
    uint64_t ops, loads, evicts, phases;
    uint64_t last_index;
};

static void on_op(void *ctx, uint64_t index, const struct vmt_op *op, int rc)
{
    struct obs_count *o = ctx;
    (void)op;
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(index, o->ops);
    o->ops++;
}

static void on_event(void *ctx, const struct vm_event *ev)
{
    struct obs_count *o = ctx;
    if (ev->type == VM_EV_LOAD) o->loads++;
    if (ev->type == VM_EV_EVICT) o->evicts++;
}

static void on_phase(void *ctx, uint32_t phase, const char *name)
{
    struct obs_count *o = ctx;
    (void)phase;
    ck_assert_ptr_nonnull(name);
    o->phases++;
}

START_TEST(stepping_time_monotonic_and_observer_neutral)
{
    static const unsigned types[] = {VMR_BE_RAM, VMR_BE_SRAM, VMR_BE_SD, VMR_BE_SERIAL};
    unsigned type = types[_i];
    const char *spec = "{\"type\":\"virtmem_bench\",\"pool_size\":16384,\"size\":12000,\"reps\":1,\"chunk\":256}";
    struct vmt_source *s = open_gen(spec);
    struct vmr_config c;
    struct obs_count oc;
    struct vmr_observer obs = {on_op, on_event, on_phase, &oc};
    memset(&oc, 0, sizeof oc);
    config(&c, type, type == VMR_BE_RAM ? NULL : "atmega328p", 256, 4, VM_POLICY_CLOCK,
           VMR_VERIFY_ON);
    c.observer = &obs;
    struct vmr_run *run = vmr_create(&c, s, err, sizeof err);
    ck_assert_msg(run != NULL, "%s", err);
    ck_assert_ptr_nonnull(vmr_vm(run));
    uint64_t prev_t = 0, prev_bytes = 0;
    int st;
    while ((st = vmr_step(run, 1)) > 0) {
        const struct vmr_counters *k = vmr_counters(run);
        ck_assert_uint_ge(k->time_ns, prev_t);
        ck_assert_uint_eq(k->hits + k->misses, k->touches);
        /* backend traffic costs time on the SRAM (no buffer in between; the
         * SD driver may serve a page from its block buffer for free) */
        if (k->bytes_read + k->bytes_written > prev_bytes && type == VMR_BE_SRAM)
            ck_assert_uint_gt(k->time_ns, prev_t);
        prev_t = k->time_ns;
        prev_bytes = k->bytes_read + k->bytes_written;
    }
    ck_assert_int_eq(st, 0);
    struct vmr_result stepped, headless;
    ck_assert_msg(vmr_finish(run, &stepped) == 0, "%s", stepped.error);
    vmr_destroy(run);
    ck_assert_uint_eq(oc.ops, stepped.total.ops);
    ck_assert_uint_eq(oc.loads, stepped.total.loads);
    ck_assert_uint_eq(oc.evicts, stepped.total.evictions);
    ck_assert_uint_eq(oc.phases, 4);
    ck_assert_uint_eq(stepped.phase_count, 5); /* the alloc before W, then W R W+lock R+lock */
    /* the same run headless, in big steps, gives the same numbers */
    ck_assert_int_eq(vmt_rewind(s), 0);
    c.observer = NULL;
    ck_assert_int_eq(vmr_replay(&c, s, &headless), 0);
    ck_assert_int_eq(memcmp(&stepped.total, &headless.total, sizeof stepped.total), 0);
    ck_assert_int_eq(memcmp(stepped.phases, headless.phases, sizeof stepped.phases), 0);
    /* phases add up to the total */
    struct vmr_counters sum;
    memset(&sum, 0, sizeof sum);
    for (uint32_t i = 0; i < stepped.phase_count; i++) {
        sum.ops += stepped.phases[i].c.ops;
        sum.misses += stepped.phases[i].c.misses;
        sum.bytes_read += stepped.phases[i].c.bytes_read;
        sum.time_ns += stepped.phases[i].c.time_ns;
    }
    ck_assert_uint_eq(sum.ops, stepped.total.ops);
    ck_assert_uint_eq(sum.misses, stepped.total.misses);
    ck_assert_uint_eq(sum.bytes_read, stepped.total.bytes_read);
    ck_assert_uint_eq(sum.time_ns, stepped.total.time_ns);
    vmt_close(s);
}
END_TEST

/* Regression: an offset near 2^64 wrapped the region-relative range check
 * (off + len) and the region-0 fast path's, and the resulting address, with
 * bit 31 set, reached the core as a wrapped RAM pointer: a crafted binary
 * trace wrote to host memory. Each case must fail cleanly, naming the op. */
START_TEST(wrapping_offsets_are_refused)
{
    static const struct {
        uint8_t kind, mode;
        uint16_t region;
        uint64_t addr;
        uint32_t len;
    } bad[] = {
        {VMT_WRITE, 0, 1, UINT64_MAX - 7u, 16},        /* region write, wraps to 8 */
        {VMT_READ, 0, 0, UINT64_MAX, 2},               /* absolute read, fast path */
        {VMT_WRITE, 0, 0, UINT64_MAX - 1u, 4},         /* absolute write, fast path */
        {VMT_MEMSET, 0, 1, UINT64_MAX - 3u, 8},        /* region memset */
        {VMT_LOCK, VMT_LOCK_RW, 1, UINT64_MAX - 1u, 4},/* region lock */
        {VMT_READ, 0, 1, 0x80000000u, 4},              /* far past the allocation */
    };
    char path[] = "/tmp/vmsim_wrap_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (unsigned verify = VMR_VERIFY_AUTO; verify <= VMR_VERIFY_OFF; verify++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct vmt_writer *w = vmt_writer_open(path, "binary", 4096, NULL, err, sizeof err);
            ck_assert_msg(w != NULL, "%s", err);
            struct vmt_op op;
            memset(&op, 0, sizeof op);
            op.kind = VMT_ALLOC;
            op.id = 1;
            op.len = 16;
            ck_assert_int_eq(vmt_writer_put(w, &op), 0);
            memset(&op, 0, sizeof op);
            op.kind = bad[i].kind;
            op.mode = bad[i].mode;
            op.region = bad[i].region;
            op.addr = bad[i].addr;
            op.len = bad[i].len;
            op.id = 1;
            ck_assert_int_eq(vmt_writer_put(w, &op), 0);
            ck_assert_int_eq(vmt_writer_close(w, err, sizeof err), 0);
            struct vmt_source *s = vmt_open(path, NULL, NULL, err, sizeof err);
            ck_assert_msg(s != NULL, "%s", err);
            struct vmr_config c;
            struct vmr_result res;
            config(&c, VMR_BE_RAM, NULL, 64, 4, VM_POLICY_LRU, verify);
            ck_assert_int_eq(vmr_replay(&c, s, &res), -1);
            ck_assert_int_eq(res.ok, 0);
            ck_assert_msg(strncmp(res.error, "op 1 (", 6) == 0 && strstr(res.error, "outside"),
                          "case %zu verify %u: %s", i, verify, res.error);
            vmt_close(s);
        }
    }
    unlink(path);
}
END_TEST

/* The tools' core has no wrapped pointers: an address with bit 31 set is an
 * ordinary address beyond the pool, refused with VM_ERR_RANGE. */
START_TEST(no_wrapped_pointers_in_the_tools)
{
    struct vmt_source *s = open_gen("{\"type\":\"sequential\",\"pool_size\":4096}");
    struct vmr_config c;
    config(&c, VMR_BE_RAM, NULL, 64, 4, VM_POLICY_LRU, VMR_VERIFY_OFF);
    struct vmr_run *r = vmr_create(&c, s, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    struct vm *vm = vmr_vm(r);
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t v32 = 0;
    struct vm_lock lk;
    ck_assert_int_eq(vm_write(vm, 0x80000000u, buf, 4), VM_ERR_RANGE);
    ck_assert_int_eq(vm_read(vm, buf, 0x80000010u, 4), VM_ERR_RANGE);
    ck_assert_int_eq(vm_set32(vm, 0xFFFFFFF0u, 7), VM_ERR_RANGE);
    ck_assert_int_eq(vm_get32(vm, 0xFFFFFFF0u, &v32), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memset(vm, 0x80000000u, 0, 4), VM_ERR_RANGE);
    ck_assert_int_eq(vm_lock(vm, 0x80000000u, 4, VM_LOCK_RW, &lk), VM_ERR_RANGE);
    vmr_destroy(r);
    vmt_close(s);
}
END_TEST

/* ------------------------------------------------------------ CPU cost */

/* 64 one-byte reads of one 64-byte page on an ATmega328P: one miss, then 63
 * hits that the core serves inline. The pager's CPU is exactly the miss and
 * 63 fast hits of the profile's cost table, on the same clock as the bus,
 * and the time split adds up to the run's time. */
START_TEST(cpu_cost_per_path_on_the_clock)
{
    struct vmr_config c;
    struct vmr_result res;
    config(&c, VMR_BE_SRAM, "atmega328p", 64, 1, VM_POLICY_FIFO, VMR_VERIFY_OFF);
    struct vmt_source *s = open_gen("{\"type\": \"sequential\", \"pool_size\": 4096, \"size\": 64, "
                                    "\"ops\": 64, \"access\": 1}");
    ck_assert_int_eq(vmr_replay(&c, s, &res), 0);
    vmt_close(s);
    const struct vm_platform *avr = vm_platform_find("atmega328p");
    uint64_t cc = avr->cost.miss + 63u * (uint64_t)avr->cost.fast_get8;
    ck_assert_uint_eq(res.total.misses, 1);
    ck_assert_uint_eq(res.total.hits, 63);
    ck_assert_uint_eq(res.total.pager_ns, vm_cpu_cc_ns(cc, avr->cpu_hz));
    ck_assert_uint_eq(res.total.program_ns, 0);
    ck_assert_uint_gt(res.total.transfer_ns, 64u * 1000u); /* 64 bytes at 8 MHz and more */
    ck_assert_uint_eq(res.total.pager_ns + res.total.program_ns + res.total.transfer_ns +
                          res.total.wait_ns,
                      res.total.time_ns);

    /* At 144 MHz a Teensy 3.2 spends less on the same path than at 72. */
    uint64_t t[2];
    for (int i = 0; i < 2; i++) {
        config(&c, VMR_BE_SRAM, "teensy32", 64, 1, VM_POLICY_FIFO, VMR_VERIFY_OFF);
        c.backend.cpu_hz = i ? 144000000u : 72000000u;
        s = open_gen("{\"type\": \"sequential\", \"pool_size\": 4096, \"ops\": 20000, \"access\": 1}");
        ck_assert_int_eq(vmr_replay(&c, s, &res), 0);
        vmt_close(s);
        t[i] = res.total.pager_ns;
        ck_assert_uint_gt(t[i], 0);
    }
    ck_assert_uint_eq(t[0] / 2u, t[1]);
    /* A board without such a clock is refused, naming the choices. */
    config(&c, VMR_BE_SRAM, "teensy32", 64, 1, VM_POLICY_FIFO, VMR_VERIFY_OFF);
    c.backend.cpu_hz = 100000000u;
    s = open_gen("{\"type\": \"sequential\", \"pool_size\": 4096, \"ops\": 10}");
    ck_assert_int_eq(vmr_replay(&c, s, &res), -1);
    ck_assert_msg(strstr(res.error, "72, 120, 144") != NULL, "%s", res.error);
    vmt_close(s);
}
END_TEST

/* The program's own work: compute ops (cycles through the profile's clock,
 * or ns) and a lock's per-byte work are program CPU, on the clock in
 * program order: the phase that holds them is charged, not the run's end,
 * and a page load after them starts that much later. */
static struct vmt_source *open_json_text(const char *text)
{
    char path[] = "/tmp/vmsim_compute_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    struct vmt_source *s = vmt_open(path, "json", NULL, err, sizeof err);
    unlink(path);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

START_TEST(program_cpu_on_the_clock)
{
    struct vmr_config c;
    struct vmr_result res, base;
    const struct vm_platform *avr = vm_platform_find("atmega328p");
    static const char with[] =
        "{\"pool_size\": 4096, \"ops\": ["
        " {\"op\": \"phase\", \"name\": \"think\"},"
        " {\"op\": \"compute\", \"cycles\": 1600}, {\"op\": \"compute\", \"ns\": 5000},"
        " {\"op\": \"lock\", \"id\": 1, \"addr\": 0, \"len\": 64, \"mode\": \"ro\", \"work\": 10},"
        " {\"op\": \"unlock\", \"id\": 1},"
        " {\"op\": \"phase\", \"name\": \"load\"},"
        " {\"op\": \"read\", \"addr\": 1024, \"len\": 1}]}";
    static const char without[] =
        "{\"pool_size\": 4096, \"ops\": ["
        " {\"op\": \"phase\", \"name\": \"think\"},"
        " {\"op\": \"lock\", \"id\": 1, \"addr\": 0, \"len\": 64, \"mode\": \"ro\"},"
        " {\"op\": \"unlock\", \"id\": 1},"
        " {\"op\": \"phase\", \"name\": \"load\"},"
        " {\"op\": \"read\", \"addr\": 1024, \"len\": 1}]}";
    for (int fast = 0; fast < 2; fast++) { /* the per-op loop and the observed one */
        config(&c, VMR_BE_SRAM, "atmega328p", 64, 1, VM_POLICY_FIFO, fast ? VMR_VERIFY_OFF : VMR_VERIFY_AUTO);
        struct vmt_source *s = open_json_text(with);
        ck_assert_int_eq(vmr_replay(&c, s, &res), 0);
        vmt_close(s);
        s = open_json_text(without);
        ck_assert_int_eq(vmr_replay(&c, s, &base), 0);
        vmt_close(s);
        uint64_t want = vm_cpu_cc_ns((1600u + 64u * 10u) * 100u, avr->cpu_hz) + 5000u;
        ck_assert_uint_eq(res.total.program_ns, want);
        ck_assert_uint_eq(base.total.program_ns, 0);
        ck_assert_uint_eq(res.total.pager_ns, base.total.pager_ns);
        /* the compute adds its time, less what it overlaps: the SRAM's chip
         * select minimum high time (tCSD, 25 ns) before the next command */
        ck_assert_uint_le(res.total.time_ns, base.total.time_ns + want);
        ck_assert_uint_ge(res.total.time_ns + 50u, base.total.time_ns + want);
        ck_assert_uint_eq(res.total.pager_ns + res.total.program_ns + res.total.transfer_ns +
                              res.total.wait_ns,
                          res.total.time_ns);
        /* in program order: the phase that computes is charged */
        int think = -1, load = -1;
        for (uint32_t i = 0; i < res.phase_count; i++) {
            if (!strcmp(res.phases[i].name, "think")) think = (int)i;
            if (!strcmp(res.phases[i].name, "load")) load = (int)i;
        }
        ck_assert_int_ge(think, 0);
        ck_assert_int_ge(load, 0);
        ck_assert_uint_eq(res.phases[think].c.program_ns, want);
        ck_assert_uint_eq(res.phases[load].c.program_ns, 0);
        ck_assert_uint_le(res.phases[load].c.time_ns, base.phases[load].c.time_ns);
        ck_assert_uint_ge(res.phases[load].c.time_ns + 50u, base.phases[load].c.time_ns);
    }
}
END_TEST

/* A phase name longer than the report's field is shortened with "...",
 * and its segments still add up in one entry (they used to open a new
 * entry each time, until the phase table was full). */
START_TEST(long_phase_names_kept_apart)
{
    struct vmr_config c;
    struct vmr_result res;
    static const char text[] =
        "{\"pool_size\": 4096, \"ops\": ["
        " {\"op\": \"phase\", \"name\": \"a phase name far longer than the forty-seven bytes a report keeps\"},"
        " {\"op\": \"read\", \"addr\": 0, \"len\": 1},"
        " {\"op\": \"phase\", \"name\": \"short\"},"
        " {\"op\": \"read\", \"addr\": 64, \"len\": 1},"
        " {\"op\": \"phase\", \"name\": \"a phase name far longer than the forty-seven bytes a report keeps\"},"
        " {\"op\": \"read\", \"addr\": 128, \"len\": 1}]}";
    config(&c, VMR_BE_RAM, NULL, 64, 4, VM_POLICY_LRU, VMR_VERIFY_AUTO);
    struct vmt_source *s = open_json_text(text);
    ck_assert_int_eq(vmr_replay(&c, s, &res), 0);
    vmt_close(s);
    ck_assert_uint_eq(res.phase_count, 2);
    ck_assert_uint_eq(res.phases_dropped, 0);
    ck_assert_str_eq(res.phases[0].name, "a phase name far longer than the forty-seven...");
    ck_assert_uint_eq(strlen(res.phases[0].name), sizeof res.phases[0].name - 1);
    ck_assert_uint_eq(res.phases[0].segments, 2);
    ck_assert_uint_eq(res.phases[0].c.misses, 2);
    ck_assert_str_eq(res.phases[1].name, "short");
}
END_TEST

START_TEST(bad_config_is_refused)
{
    struct vmt_source *s = open_gen("{\"type\":\"sequential\",\"pool_size\":4096}");
    struct vmr_config c;
    config(&c, VMR_BE_RAM, NULL, 100, 4, VM_POLICY_LRU, VMR_VERIFY_OFF);
    ck_assert_ptr_null(vmr_create(&c, s, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "page_size 100"));
    config(&c, VMR_BE_SRAM, "nosuchboard", 64, 4, VM_POLICY_LRU, VMR_VERIFY_OFF);
    ck_assert_ptr_null(vmr_create(&c, s, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "nosuchboard"));
    vmt_close(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("replay");
    tcase_add_loop_test(tc, verify_every_backend, 0, VMR_BE_COUNT);
    tcase_add_loop_test(tc, fast_path_taken_and_exact, 0, VMR_BE_COUNT);
    tcase_add_loop_test(tc, periodic_link_fast_and_exact, 0, 2);
    tcase_add_test(tc, wrong_expected_data_fails_with_op_index);
    tcase_add_test(tc, shadow_catches_silent_corruption);
    tcase_add_test(tc, tolerated_faults_never_wrong);
    tcase_add_loop_test(tc, lru_fifo_match_naive, 0, (int)(sizeof gens / sizeof gens[0]));
    tcase_add_loop_test(tc, lru_stack_pass_matches_core, 0, (int)(sizeof gens / sizeof gens[0]));
    tcase_add_loop_test(tc, stepping_time_monotonic_and_observer_neutral, 0, 4);
    tcase_add_test(tc, wrapping_offsets_are_refused);
    tcase_add_test(tc, no_wrapped_pointers_in_the_tools);
    tcase_add_test(tc, bad_config_is_refused);
    tcase_add_test(tc, cpu_cost_per_path_on_the_clock);
    tcase_add_test(tc, program_cpu_on_the_clock);
    tcase_add_test(tc, long_phase_names_kept_apart);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? 1 : 0;
}
