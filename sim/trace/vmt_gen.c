/*
 * vmt_gen.c - generated workloads (parameters in docs/trace-format.md).
 *
 * A generator is a state machine that refills a small queue of ops, one
 * logical unit (an access, a hash lookup, a locked chunk) at a time, so it
 * streams: memory is the queue plus tables sized by the parameters (the
 * Zipf CDF, a list's permutation, a hash table's chains), never by the
 * number of ops. Everything comes from one seeded PRNG: the same spec gives
 * the same ops on every run and every machine.
 */
#include <math.h>

#include "vmt_internal.h"
#include "vm_cpu_costs.h" /* VM_BENCH_LOOP_*: loop_cycles by CPU name */

#define QN 64
#define HASH_COUNT_MAX (1u << 20) /* hash_table lookups counted at open */

enum gtype { G_SEQ, G_STRIDED, G_REVERSE, G_UNIFORM, G_ZIPF, G_WSET, G_BENCH, G_SENSOR, G_IMAGE,
             G_HASH, G_LIST, G_COUNT };

static const char *const gnames[G_COUNT] = {
    "sequential", "strided", "reverse", "uniform", "zipf", "working_set", "virtmem_bench",
    "sensor_log", "image_filter", "hash_table", "linked_list"};

/* Type-specific keys (the common ones are accepted by all). */
static const char *const gkeys[G_COUNT] = {
    "", "stride", "", "", "alpha", "set_size shift_every shift_by",
    "reps chunk phases verify loop_cycles", "record ring records flush_every read_every read_back",
    "width height bpp mode passes", "buckets records record lookups keys alpha", "nodes node passes"};
static const char *const common_keys =
    "type seed pool_size base size access write_ratio ops name description comment";

static const char *const bench_phase_names[4] = {"W", "R", "W+lock", "R+lock"};

struct gen_source {
    struct vmt_source base;
    int type;
    /* common parameters */
    uint64_t seed, pool, gbase, size, access, ops;
    double write_ratio;
    uint64_t nslots;
    /* specific parameters */
    uint64_t stride, set_size, shift_every, shift_by;
    double alpha;
    uint64_t reps, chunk, loop_cycles;
    int phases[4], nphases, verify;
    uint64_t record, ring, records, flush_every, read_every, read_back;
    uint64_t width, height, bpp, passes;
    int pixel_mode;
    uint64_t buckets, lookups;
    int key_zipf;
    uint64_t nodes, node;
    /* tables */
    double *cdf;
    uint64_t cdf_n, mult;
    uint32_t *perm, *next, *head;
    /* state */
    struct vmt_rng rng;
    uint64_t i, j, r, pass;
    int stage;
    struct vmt_op q[QN];
    uint8_t qdata[QN];
    int qn, qi;
    uint64_t emitted;
};

/* ---- parameter parsing -------------------------------------------------- */

/* 1 if key is one of the space-separated words of list. An empty key is
 * never one (and must not be searched for: strstr finds "" everywhere). */
static int in_list(const char *list, const char *key)
{
    size_t n = strlen(key);
    const char *p = list;
    if (n == 0) return 0;
    while ((p = strstr(p, key)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
        p += n;
    }
    return 0;
}

static int gu(const cJSON *spec, const char *key, uint64_t dflt, uint64_t lo, uint64_t hi, uint64_t *out,
              const char *where, char *err, size_t errlen)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(spec, key);
    double d;
    if (!it) {
        *out = dflt;
        return 0;
    }
    d = it->valuedouble;
    if (!cJSON_IsNumber(it) || d != d || d < (double)lo || d > (double)hi || d != floor(d))
        return vmt_errf(err, errlen, "%s: %s: expected an integer %llu..%llu", where, key,
                        (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)d;
    return 0;
}

static int gd(const cJSON *spec, const char *key, double dflt, double lo, double hi, double *out,
              const char *where, char *err, size_t errlen)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(spec, key);
    if (!it) {
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(it) || it->valuedouble != it->valuedouble || it->valuedouble < lo ||
        it->valuedouble > hi)
        return vmt_errf(err, errlen, "%s: %s: expected a number %g..%g", where, key, lo, hi);
    *out = it->valuedouble;
    return 0;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t hash32(uint64_t k, uint64_t seed)
{
    k = (k + seed) * 0x9e3779b97f4a7c15ULL;
    k ^= k >> 29;
    k *= 0xbf58476d1ce4e5b9ULL;
    return k ^ (k >> 32);
}

static int make_zipf(struct gen_source *g, uint64_t n, const char *where, char *err, size_t errlen)
{
    uint64_t r;
    double sum = 0;
    if (n > (1u << 22))
        return vmt_errf(err, errlen, "%s: zipf over %llu items: at most 4194304 (raise access or shrink size)",
                        where, (unsigned long long)n);
    g->cdf = malloc(n * sizeof *g->cdf);
    if (!g->cdf) return vmt_errf(err, errlen, "%s: out of memory", where);
    for (r = 0; r < n; r++) {
        sum += pow((double)(r + 1), -g->alpha);
        g->cdf[r] = sum;
    }
    for (r = 0; r < n; r++) g->cdf[r] /= sum;
    g->cdf_n = n;
    g->mult = n > 1 ? 0x9e3779b97f4a7c15ULL % n : 1;
    if (g->mult == 0) g->mult = 1;
    while (gcd64(g->mult, n) != 1) g->mult++;
    return 0;
}

/* A Zipf rank in [0, cdf_n), scrambled so that popular items are spread out. */
static uint64_t zipf_item(struct gen_source *g)
{
    double u = vmt_rng_unit(&g->rng);
    uint64_t lo = 0, hi = g->cdf_n - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (g->cdf[mid] > u) hi = mid;
        else lo = mid + 1;
    }
    return (lo * g->mult) % g->cdf_n;
}

/* ---- emitting ----------------------------------------------------------- */

static struct vmt_op *emit(struct gen_source *g, uint8_t kind)
{
    struct vmt_op *op = &g->q[g->qn++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    return op;
}

static void emit_rw(struct gen_source *g, uint8_t kind, uint64_t addr, uint64_t len)
{
    struct vmt_op *op = emit(g, kind);
    op->addr = addr;
    op->len = (uint32_t)len;
}

static uint8_t pick_rw(struct gen_source *g)
{
    return (g->write_ratio > 0 && vmt_rng_unit(&g->rng) < g->write_ratio) ? VMT_WRITE : VMT_READ;
}

static void emit_phase(struct gen_source *g, uint32_t idx, const char *name)
{
    struct vmt_op *op = emit(g, VMT_PHASE);
    op->id = idx;
    op->name = name;
}

static int gen_fill(struct gen_source *g);

/* One access of the single-access patterns (sequential .. working_set). */
static int fill_access(struct gen_source *g)
{
    uint64_t slot, i = g->i;
    uint8_t kind;
    if (i >= g->ops) return 0;
    switch (g->type) {
    case G_SEQ: slot = i % g->nslots; break;
    case G_STRIDED: {
        uint64_t ss = g->stride / g->access ? g->stride / g->access : 1, k = i % g->nslots * ss;
        slot = (k + (i / g->nslots) + k / g->nslots) % g->nslots;
        break;
    }
    case G_REVERSE: slot = g->nslots - 1 - i % g->nslots; break;
    case G_UNIFORM: slot = vmt_rng_below(&g->rng, g->nslots); break;
    case G_ZIPF: slot = zipf_item(g); break;
    default: {
        uint64_t w = (i / g->shift_every) * g->shift_by / g->access, ws = g->set_size / g->access;
        slot = (w + vmt_rng_below(&g->rng, ws ? ws : 1)) % g->nslots;
    }
    }
    kind = pick_rw(g);
    emit_rw(g, kind, g->gbase + slot * g->access, g->access);
    g->i++;
    return 1;
}

/* virtmem_bench: stage 0 alloc; then per phase p = i: stage 1 name, 2 body, 3 invalidate. */
static int fill_bench(struct gen_source *g)
{
    struct vmt_op *op;
    int ph;
    if (g->stage == 0) {
        op = emit(g, VMT_ALLOC);
        op->id = 1;
        op->len = (uint32_t)g->size;
        g->stage = 1;
        g->i = 0;
        return 1;
    }
    if (g->i >= (uint64_t)g->nphases) return 0;
    ph = g->phases[g->i];
    if (g->stage == 1) {
        emit_phase(g, (uint32_t)ph, bench_phase_names[ph]);
        g->stage = 2;
        g->r = g->j = 0;
        return 1;
    }
    if (g->stage == 3) {
        emit(g, VMT_INVALIDATE);
        g->stage = 1;
        g->i++;
        return 1;
    }
    /* body: batches of up to QN/2 units */
    while (g->qn < QN - 1 && g->r < g->reps) {
        if (ph <= 1) {
            op = emit(g, ph == 0 ? VMT_WRITE : VMT_READ);
            op->region = 1;
            op->addr = g->j;
            op->len = 1;
            g->qdata[g->qn - 1] = (uint8_t)g->j;
            if (ph == 0 || g->verify) op->data = &g->qdata[g->qn - 1];
            if (g->loop_cycles) { /* the loop's own work on this byte */
                op = emit(g, VMT_COMPUTE);
                op->mode = VMT_COMPUTE_CYCLES;
                op->len = (uint32_t)g->loop_cycles;
            }
            g->j++;
            if (g->j == g->size) g->j = 0, g->r++;
        } else {
            uint64_t c = g->size - g->j < g->chunk ? g->size - g->j : g->chunk;
            op = emit(g, VMT_LOCK);
            op->region = 1;
            op->addr = g->j;
            op->len = (uint32_t)c;
            op->id = 1;
            op->mode = ph == 2 ? VMT_LOCK_WO : VMT_LOCK_RO;
            op->work = (uint32_t)g->loop_cycles; /* the loop over the locked bytes */
            op = emit(g, VMT_UNLOCK);
            op->id = 1;
            g->j += c;
            if (g->j == g->size) g->j = 0, g->r++;
        }
    }
    if (g->r >= g->reps) g->stage = 3;
    if (g->qn == 0) return gen_fill(g);
    return 1;
}

/* sensor_log: one record into the ring, the header, flushes and read-backs. */
static int fill_sensor(struct gen_source *g)
{
    uint64_t nrec = g->ring / g->record, ring_base = g->gbase + 16, i = g->i, b, nb;
    if (i >= g->records) return 0;
    if (i == 0) emit_phase(g, 0, "log");
    emit_rw(g, VMT_WRITE, ring_base + (i % nrec) * g->record, g->record);
    emit_rw(g, VMT_WRITE, g->gbase, 8);
    if (g->flush_every && (i + 1) % g->flush_every == 0) emit(g, VMT_FLUSH);
    if (g->read_every && (i + 1) % g->read_every == 0) {
        emit_rw(g, VMT_READ, g->gbase, 8);
        nb = g->read_back < i + 1 ? g->read_back : i + 1;
        if (nb > (uint64_t)(QN - g->qn)) nb = (uint64_t)(QN - g->qn);
        for (b = 0; b < nb; b++) emit_rw(g, VMT_READ, ring_base + ((i - b) % nrec) * g->record, g->record);
    }
    g->i++;
    return 1;
}

/* image_filter: capture rows, then 3x3 filter passes by row or by pixel. */
static int fill_image(struct gen_source *g)
{
    /* stage 0: capture rows (i = row); stage 1: filter (pass, i = row, j = column) */
    uint64_t row = g->width * g->bpp, dst = g->gbase + row * g->height, y = g->i;
    if (g->stage == 0) {
        if (y == 0) emit_phase(g, 0, "capture");
        emit_rw(g, VMT_WRITE, g->gbase + y * row, row);
        if (++g->i == g->height) g->stage = 1, g->i = 0, g->pass = 0;
        return 1;
    }
    if (g->pass >= g->passes) return 0;
    if (y == 0 && g->j == 0 && g->pass == 0) emit_phase(g, 1, "filter");
    {
        uint64_t ys[3];
        int a, bq;
        ys[0] = y ? y - 1 : 0;
        ys[1] = y;
        ys[2] = y + 1 < g->height ? y + 1 : y;
        if (!g->pixel_mode) {
            for (a = 0; a < 3; a++) emit_rw(g, VMT_READ, g->gbase + ys[a] * row, row);
            emit_rw(g, VMT_WRITE, dst + y * row, row);
            g->i++;
        } else {
            uint64_t x = g->j, xs[3];
            xs[0] = x ? x - 1 : 0;
            xs[1] = x;
            xs[2] = x + 1 < g->width ? x + 1 : x;
            for (a = 0; a < 3; a++)
                for (bq = 0; bq < 3; bq++)
                    emit_rw(g, VMT_READ, g->gbase + ys[a] * row + xs[bq] * g->bpp, g->bpp);
            emit_rw(g, VMT_WRITE, dst + y * row + x * g->bpp, g->bpp);
            if (++g->j == g->width) g->j = 0, g->i++;
        }
        if (g->i == g->height) g->i = 0, g->pass++;
    }
    return 1;
}

/* hash_table: inserts, then lookups walking a bucket's chain. */
static int fill_hash(struct gen_source *g)
{
    uint64_t recs = g->gbase + g->buckets * 4;
    if (g->stage == 0) { /* insert record i */
        uint64_t i = g->i, b = hash32(i, g->seed) % g->buckets;
        if (i == 0) emit_phase(g, 0, "insert");
        emit_rw(g, VMT_READ, g->gbase + b * 4, 4);
        emit_rw(g, VMT_WRITE, recs + i * g->record, g->record);
        emit_rw(g, VMT_WRITE, g->gbase + b * 4, 4);
        g->next[i] = g->head[b];
        g->head[b] = (uint32_t)i;
        if (++g->i == g->records) g->stage = 1, g->i = 0;
        return 1;
    }
    if (g->stage == 1) { /* lookup: bucket, then the chain up to the key */
        uint64_t k, b;
        if (g->i >= g->lookups) return 0;
        if (g->i == 0) emit_phase(g, 1, "lookup");
        k = g->key_zipf ? zipf_item(g) : vmt_rng_below(&g->rng, g->records);
        b = hash32(k, g->seed) % g->buckets;
        emit_rw(g, VMT_READ, g->gbase + b * 4, 4);
        g->r = k;
        g->j = g->head[b];
        g->stage = 2;
        g->i++;
        return 1;
    }
    /* stage 2: walk the chain, a few nodes per fill */
    while (g->qn < QN - 4) {
        uint64_t n = g->j, at = recs + n * g->record;
        emit_rw(g, VMT_READ, at, 4); /* key */
        if (n == g->r) {
            emit_rw(g, pick_rw(g), at + 8, g->record - 8);
            g->stage = 1;
            break;
        }
        emit_rw(g, VMT_READ, at + 4, 4); /* next */
        g->j = g->next[n];
    }
    return 1;
}

/* linked_list: build in permuted order, then traversal passes. */
static int fill_list(struct gen_source *g)
{
    uint64_t i = g->i;
    if (g->stage == 0) {
        if (i == 0) emit_phase(g, 0, "build");
        emit_rw(g, VMT_WRITE, g->gbase + (uint64_t)g->perm[i] * g->node, g->node);
        if (++g->i == g->nodes) g->stage = 1, g->i = 0, g->pass = 0;
        return 1;
    }
    if (g->pass >= g->passes) return 0;
    if (i == 0 && g->pass == 0) emit_phase(g, 1, "traverse");
    {
        uint64_t at = g->gbase + (uint64_t)g->perm[i] * g->node;
        emit_rw(g, pick_rw(g), at + 4, g->node - 4);
        emit_rw(g, VMT_READ, at, 4);
    }
    if (++g->i == g->nodes) g->i = 0, g->pass++;
    return 1;
}

/* Fills the queue with the next unit. Returns 0 at the end. */
static int gen_fill(struct gen_source *g)
{
    g->qn = g->qi = 0;
    switch (g->type) {
    case G_SEQ:
    case G_STRIDED:
    case G_REVERSE:
    case G_UNIFORM:
    case G_ZIPF:
    case G_WSET: return fill_access(g);
    case G_BENCH: return fill_bench(g);
    case G_SENSOR: return fill_sensor(g);
    case G_IMAGE: return fill_image(g);
    case G_HASH: return fill_hash(g);
    case G_LIST: return fill_list(g);
    default: return 0;
    }
}

static int gen_next(struct vmt_source *s, struct vmt_op *op)
{
    struct gen_source *g = (struct gen_source *)s;
    if (g->qi >= g->qn) {
        if (!gen_fill(g)) return 0;
        if (g->qn == 0) return 0;
    }
    *op = g->q[g->qi++];
    g->emitted++;
    return 1;
}

static int gen_reset(struct gen_source *g)
{
    uint64_t i;
    vmt_rng_seed(&g->rng, g->seed);
    g->i = g->j = g->r = g->pass = 0;
    g->stage = 0;
    g->qn = g->qi = 0;
    g->emitted = 0;
    if (g->type == G_LIST) { /* list order: a seeded permutation of node slots */
        for (i = 0; i < g->nodes; i++) g->perm[i] = (uint32_t)i;
        for (i = g->nodes; i > 1; i--) {
            uint64_t k = vmt_rng_below(&g->rng, i);
            uint32_t t = g->perm[i - 1];
            g->perm[i - 1] = g->perm[k];
            g->perm[k] = t;
        }
    }
    if (g->type == G_HASH)
        for (i = 0; i < g->buckets; i++) g->head[i] = UINT32_MAX;
    return 0;
}

static int gen_rewind(struct vmt_source *s) { return gen_reset((struct gen_source *)s); }

/* The ops of a hash_table generator, counted without walking the chains
 * (a dry run costs lookups x chain length): the inserts are 3 ops each; a
 * lookup of the record at position p of its chain (0: the newest) is the
 * bucket read and 2 ops per node up to and including it, 2p + 3; the keys
 * are drawn as gen_fill draws them (same generator, same order); one phase
 * op per stage. 0, or -1 with a message. */
static int hash_count(struct gen_source *g, uint64_t *out, const char *where, char *err,
                      size_t errlen)
{
    uint32_t *pos = malloc(g->records * sizeof *pos);
    uint64_t i, b, n;
    if (!pos) return vmt_errf(err, errlen, "%s: out of memory", where);
    gen_reset(g);
    for (i = 0; i < g->records; i++) { /* the chains, as the inserts build them */
        b = hash32(i, g->seed) % g->buckets;
        g->next[i] = g->head[b];
        g->head[b] = (uint32_t)i;
    }
    for (b = 0; b < g->buckets; b++) {
        uint32_t p = 0, j;
        for (j = g->head[b]; j != UINT32_MAX; j = g->next[j]) pos[j] = p++;
    }
    n = 1 + 3 * g->records + (g->lookups ? 1 : 0);
    for (i = 0; i < g->lookups; i++) {
        uint64_t k = g->key_zipf ? zipf_item(g) : vmt_rng_below(&g->rng, g->records);
        n += 2 * (uint64_t)pos[k] + 3;
        (void)pick_rw(g);
    }
    free(pos);
    gen_reset(g);
    *out = n;
    return 0;
}

static void gen_close(struct vmt_source *s)
{
    struct gen_source *g = (struct gen_source *)s;
    free(g->cdf);
    free(g->perm);
    free(g->next);
    free(g->head);
}

static size_t gen_memory(const struct vmt_source *s)
{
    const struct gen_source *g = (const struct gen_source *)s;
    size_t m = sizeof *g - sizeof g->base;
    if (g->cdf) m += g->cdf_n * sizeof *g->cdf;
    if (g->perm) m += g->nodes * sizeof *g->perm;
    if (g->next) m += g->records * sizeof *g->next;
    if (g->head) m += g->buckets * sizeof *g->head;
    return m;
}

static const struct vmt_source_ops gen_ops = {gen_next, gen_rewind, gen_close, gen_memory};

/* virtmem_bench's loop_cycles: the board's CPU cycles per byte spent by the
 * benchmark's own loop (its counter, compare and address arithmetic, and
 * in the lock phases the loop over the locked bytes), around the pager's
 * work. A number, or a CPU name for the figure measured on it by
 * target/cpu-costs.sh (target/pathcost.c, "bench_loop": the original
 * benchmark's byte loop with the pager access taken out), rounded to whole
 * cycles. Default 0: the program's own work is not in the trace. */
static int bench_loop_cycles(struct gen_source *g, const cJSON *spec, const char *where, char *err,
                             size_t errlen)
{
    static const struct {
        const char *cpu;
        uint32_t cc100; /* 1/100 cycles */
    } measured[] = {{"atmega328p", VM_BENCH_LOOP_ATMEGA328P},
                    {"cortex-m4", VM_BENCH_LOOP_CORTEX_M4},
                    {"cortex-m3", VM_BENCH_LOOP_CORTEX_M3}};
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(spec, "loop_cycles");
    size_t i;
    if (!cJSON_IsString(it))
        return gu(spec, "loop_cycles", 0, 0, VMT_WORK_MAX, &g->loop_cycles, where, err, errlen);
    for (i = 0; i < sizeof measured / sizeof measured[0]; i++)
        if (!strcmp(it->valuestring, measured[i].cpu)) {
            g->loop_cycles = (measured[i].cc100 + 50u) / 100u;
            return 0;
        }
    return vmt_errf(err, errlen, "%s: loop_cycles: expected an integer 0..65535 or one of "
                    "\"atmega328p\", \"cortex-m4\", \"cortex-m3\" (the cycles measured there)", where);
}

/* Checks that [gbase, gbase + need) fits in the pool. */
static int fits(struct gen_source *g, uint64_t need, const char *what, const char *where, char *err,
                size_t errlen)
{
    if (need > g->pool || g->gbase > g->pool - need)
        return vmt_errf(err, errlen, "%s: %s needs %llu bytes from base %llu: more than pool_size %llu",
                        where, what, (unsigned long long)need, (unsigned long long)g->gbase,
                        (unsigned long long)g->pool);
    return 0;
}

/* The single-access patterns (sequential .. working_set) parameters. */
static int spec_access(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    if (fits(g, g->size, "size", where, err, errlen) < 0) return -1;
    if (g->access > g->size) return vmt_errf(err, errlen, "%s: access: larger than size", where);
    g->nslots = g->size / g->access;
    if (gu(spec, "ops", g->nslots, 0, (uint64_t)1 << 50, &g->ops, where, err, errlen) < 0) return -1;
    if (gu(spec, "stride", 64, 1, g->size, &g->stride, where, err, errlen) < 0) return -1;
    if (gd(spec, "alpha", 0.99, 0.0, 10.0, &g->alpha, where, err, errlen) < 0) return -1;
    if (gu(spec, "set_size", 4096 < g->size ? 4096 : g->size, g->access, g->size, &g->set_size, where, err,
           errlen) < 0)
        return -1;
    if (gu(spec, "shift_every", 10000, 1, (uint64_t)1 << 50, &g->shift_every, where, err, errlen) < 0)
        return -1;
    if (gu(spec, "shift_by", g->set_size / 2 ? g->set_size / 2 : 1, 0, g->size, &g->shift_by, where, err,
           errlen) < 0)
        return -1;
    if (g->type == G_ZIPF && make_zipf(g, g->nslots, where, err, errlen) < 0) return -1;
    g->base.info.op_count = g->ops;
    return 0;
}

/* The virtmem_bench parameters. */
static int spec_bench(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(spec, "phases");
    uint64_t n = 0;
    int wseen = 0, t;
    uint64_t v;
    if (gu(spec, "reps", 5, 1, 1u << 20, &g->reps, where, err, errlen) < 0) return -1;
    if (gu(spec, "chunk", 1024, 1, 4096, &g->chunk, where, err, errlen) < 0) return -1;
    if (gu(spec, "verify", 1, 0, 1, &v, where, err, errlen) < 0) return -1;
    if (bench_loop_cycles(g, spec, where, err, errlen) < 0) return -1;
    if (g->size > 0xffffffffu) return vmt_errf(err, errlen, "%s: size: at most 4294967295", where);
    if (g->size + 4 > g->pool)
        return vmt_errf(err, errlen, "%s: size: the buffer (%llu bytes, from address 4) does not fit "
                        "pool_size %llu", where, (unsigned long long)g->size, (unsigned long long)g->pool);
    if (ph) {
        const cJSON *e;
        size_t idx = 0;
        if (!cJSON_IsArray(ph))
            return vmt_errf(err, errlen, "%s: phases: expected an array of \"W\", \"R\", \"W+lock\", \"R+lock\"", where);
        cJSON_ArrayForEach(e, ph) {
            int p;
            for (p = 0; p < 4 && !(cJSON_IsString(e) && !strcmp(e->valuestring, bench_phase_names[p])); p++) {}
            if (p == 4 || g->nphases == 4)
                return vmt_errf(err, errlen, "%s: phases[%zu]: expected \"W\", \"R\", \"W+lock\" or \"R+lock\" "
                                "(at most 4)", where, idx);
            g->phases[g->nphases++] = p;
            idx++;
        }
    } else {
        g->nphases = 4;
        g->phases[0] = 0, g->phases[1] = 1, g->phases[2] = 2, g->phases[3] = 3;
    }
    for (t = 0; t < g->nphases; t++) {
        if (g->phases[t] == 0) wseen = 1;
        if (g->phases[t] == 1) g->verify = (int)v && wseen;
        n += 2 + (g->phases[t] <= 1 ? g->reps * g->size * (g->loop_cycles ? 2 : 1)
                                    : g->reps * 2 * ((g->size + g->chunk - 1) / g->chunk));
    }
    g->base.info.op_count = 1 + n;
    return 0;
}

/* The sensor_log parameters. */
static int spec_sensor(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    if (gu(spec, "record", 16, 1, 4096, &g->record, where, err, errlen) < 0) return -1;
    if (gu(spec, "ring", 8192, g->record, 0x40000000, &g->ring, where, err, errlen) < 0) return -1;
    if (gu(spec, "records", 10000, 1, (uint64_t)1 << 40, &g->records, where, err, errlen) < 0) return -1;
    if (gu(spec, "flush_every", 0, 0, (uint64_t)1 << 40, &g->flush_every, where, err, errlen) < 0) return -1;
    if (gu(spec, "read_every", 100, 0, (uint64_t)1 << 40, &g->read_every, where, err, errlen) < 0) return -1;
    if (gu(spec, "read_back", 10, 0, QN - 8, &g->read_back, where, err, errlen) < 0) return -1;
    if (fits(g, 16 + g->ring / g->record * g->record, "the ring", where, err, errlen) < 0) return -1;
    g->base.info.op_count = 1 + 2 * g->records + (g->flush_every ? g->records / g->flush_every : 0);
    if (g->read_every) {
        /* A read-back after record i (every read_every-th) is 1 + min(read_back, i)
         * ops: summed in closed form (a loop costs records / read_every). */
        uint64_t reads = g->records / g->read_every, m = g->read_back / g->read_every;
        if (m > reads) m = reads;
        g->base.info.op_count += reads + g->read_every * (m * (m + 1) / 2) +
                                 (reads - m) * g->read_back;
    }
    return 0;
}

/* The image_filter parameters. */
static int spec_image(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(spec, "mode");
    if (gu(spec, "width", 160, 1, 65536, &g->width, where, err, errlen) < 0) return -1;
    if (gu(spec, "height", 120, 1, 65536, &g->height, where, err, errlen) < 0) return -1;
    if (gu(spec, "bpp", 1, 1, 16, &g->bpp, where, err, errlen) < 0) return -1;
    if (gu(spec, "passes", 1, 1, 1u << 20, &g->passes, where, err, errlen) < 0) return -1;
    if (m && !(cJSON_IsString(m) && (!strcmp(m->valuestring, "row") || !strcmp(m->valuestring, "pixel"))))
        return vmt_errf(err, errlen, "%s: mode: expected \"row\" or \"pixel\"", where);
    g->pixel_mode = m && !strcmp(m->valuestring, "pixel");
    if (fits(g, 2 * g->width * g->height * g->bpp, "two images (width*height*bpp each)", where, err, errlen) < 0)
        return -1;
    g->base.info.op_count = 2 + g->height +
                            g->passes * g->height * (g->pixel_mode ? g->width * 10 : 4);
    return 0;
}

/* The hash_table parameters. */
static int spec_hash(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(spec, "keys");
    uint64_t n = 0;
    if (gu(spec, "buckets", 1024, 1, 1u << 24, &g->buckets, where, err, errlen) < 0) return -1;
    if (gu(spec, "records", 2000, 1, 1u << 24, &g->records, where, err, errlen) < 0) return -1;
    if (gu(spec, "record", 32, 12, 4096, &g->record, where, err, errlen) < 0) return -1;
    if (gu(spec, "lookups", 20000, 0, (uint64_t)1 << 40, &g->lookups, where, err, errlen) < 0) return -1;
    if (gd(spec, "alpha", 0.99, 0.0, 10.0, &g->alpha, where, err, errlen) < 0) return -1;
    if (k && !(cJSON_IsString(k) && (!strcmp(k->valuestring, "uniform") || !strcmp(k->valuestring, "zipf"))))
        return vmt_errf(err, errlen, "%s: keys: expected \"uniform\" or \"zipf\"", where);
    g->key_zipf = k && !strcmp(k->valuestring, "zipf");
    if (fits(g, g->buckets * 4 + g->records * g->record, "buckets*4 + records*record", where, err, errlen) < 0)
        return -1;
    g->head = malloc(g->buckets * sizeof *g->head);
    g->next = malloc(g->records * sizeof *g->next);
    if (!g->head || !g->next) return vmt_errf(err, errlen, "%s: out of memory", where);
    if (g->key_zipf && make_zipf(g, g->records, where, err, errlen) < 0) return -1;
    /* The op count depends on the chains and the keys drawn: counted
     * when the lookups are few enough for that to be quick; beyond, the
     * count is unknown (0) rather than opening taking long. */
    if (g->lookups <= HASH_COUNT_MAX && hash_count(g, &n, where, err, errlen) < 0) return -1;
    g->base.info.op_count = n;
    return 0;
}

/* The linked_list parameters. */
static int spec_list(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    if (gu(spec, "nodes", 1000, 1, 1u << 26, &g->nodes, where, err, errlen) < 0) return -1;
    if (gu(spec, "node", 16, 8, 4096, &g->node, where, err, errlen) < 0) return -1;
    if (gu(spec, "passes", 10, 1, (uint64_t)1 << 30, &g->passes, where, err, errlen) < 0) return -1;
    if (fits(g, g->nodes * g->node, "nodes*node", where, err, errlen) < 0) return -1;
    g->perm = malloc(g->nodes * sizeof *g->perm);
    if (!g->perm) return vmt_errf(err, errlen, "%s: out of memory", where);
    g->base.info.op_count = 2 + g->nodes + 2 * g->passes * g->nodes;
    return 0;
}

static int parse_spec(struct gen_source *g, const cJSON *spec, const char *where, char *err, size_t errlen)
{
    const cJSON *c, *ty = cJSON_GetObjectItemCaseSensitive(spec, "type");
    int t;
    if (!cJSON_IsObject(spec)) return vmt_errf(err, errlen, "%s: expected a generator object", where);
    if (!cJSON_IsString(ty))
        return vmt_errf(err, errlen, "%s: type: expected one of sequential, strided, reverse, uniform, zipf, "
                        "working_set, virtmem_bench, sensor_log, image_filter, hash_table, linked_list", where);
    for (t = 0; t < G_COUNT && strcmp(gnames[t], ty->valuestring); t++) {}
    if (t == G_COUNT)
        return vmt_errf(err, errlen, "%s: type: unknown generator \"%s\" (expected sequential, strided, reverse, "
                        "uniform, zipf, working_set, virtmem_bench, sensor_log, image_filter, hash_table, "
                        "linked_list)", where, ty->valuestring);
    g->type = t;
    for (c = spec->child; c; c = c->next)
        if (!c->string || !c->string[0])
            return vmt_errf(err, errlen, "%s: a field with an empty name (or one starting with \\u0000) "
                            "in a %s generator (expected %s %s)", where, gnames[t], common_keys, gkeys[t]);
        else if (!in_list(common_keys, c->string) && !in_list(gkeys[t], c->string))
            return vmt_errf(err, errlen, "%s: unknown field \"%s\" for a %s generator (expected %s %s)", where,
                            c->string, gnames[t], common_keys, gkeys[t]);
    if (gu(spec, "seed", 1, 0, (uint64_t)1 << 53, &g->seed, where, err, errlen) < 0) return -1;
    if (gu(spec, "pool_size", 131072, 16, 0x80000000ULL, &g->pool, where, err, errlen) < 0) return -1;
    if (gu(spec, "base", 0, 0, g->pool - 1, &g->gbase, where, err, errlen) < 0) return -1;
    if (gu(spec, "size", t == G_BENCH ? 130048 : g->pool - g->gbase, 1, g->pool, &g->size, where, err, errlen) < 0)
        return -1;
    if (gu(spec, "access", 1, 1, 65536, &g->access, where, err, errlen) < 0) return -1;
    if (gd(spec, "write_ratio", 0.0, 0.0, 1.0, &g->write_ratio, where, err, errlen) < 0) return -1;
    switch (t) {
    case G_SEQ:
    case G_STRIDED:
    case G_REVERSE:
    case G_UNIFORM:
    case G_ZIPF:
    case G_WSET: return spec_access(g, spec, where, err, errlen);
    case G_BENCH: return spec_bench(g, spec, where, err, errlen);
    case G_SENSOR: return spec_sensor(g, spec, where, err, errlen);
    case G_IMAGE: return spec_image(g, spec, where, err, errlen);
    case G_HASH: return spec_hash(g, spec, where, err, errlen);
    case G_LIST: return spec_list(g, spec, where, err, errlen);
    default:
        return -1;
    }
}

static struct gen_source *open_spec(const cJSON *spec, const char *where, char *err, size_t errlen)
{
    struct gen_source *g;
    g = (struct gen_source *)vmt_source_new(sizeof *g, &gen_ops, where, "generator");
    if (!g) {
        vmt_errf(err, errlen, "%s: out of memory", where);
        return NULL;
    }
    if (parse_spec(g, spec, where, err, errlen) < 0) {
        vmt_close(&g->base);
        return NULL;
    }
    g->base.info.pool_size = g->pool;
    gen_reset(g);
    return g;
}

/* The parameter that sets each type's length, and its largest value. */
static const char *const length_keys[G_COUNT] = {"ops", "ops", "ops", "ops", "ops", "ops", "reps",
                                                 "records", "passes", "lookups", "passes"};
static const uint64_t length_max[G_COUNT] = {
    (uint64_t)1 << 50, (uint64_t)1 << 50, (uint64_t)1 << 50, (uint64_t)1 << 50, (uint64_t)1 << 50,
    (uint64_t)1 << 50, 1u << 20, (uint64_t)1 << 40, 1u << 20, (uint64_t)1 << 40, (uint64_t)1 << 30};

static uint64_t length_of(const struct gen_source *g)
{
    switch (g->type) {
    case G_BENCH: return g->reps;
    case G_SENSOR: return g->records;
    case G_HASH: return g->lookups;
    case G_IMAGE:
    case G_LIST: return g->passes;
    default: return g->ops;
    }
}

/* g again with its length parameter set to v (g is closed). */
static struct gen_source *relength(struct gen_source *g, const cJSON *spec, uint64_t v,
                                   const char *where, char *err, size_t errlen)
{
    cJSON *copy = cJSON_Duplicate(spec, 1);
    const char *key = length_keys[g->type];
    struct gen_source *n = NULL;
    vmt_close(&g->base);
    if (!copy) {
        vmt_errf(err, errlen, "%s: out of memory", where);
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(copy, key);
    if (cJSON_AddNumberToObject(copy, key, (double)v)) n = open_spec(copy, where, err, errlen);
    else vmt_errf(err, errlen, "%s: out of memory", where);
    cJSON_Delete(copy);
    return n;
}

struct vmt_source *vmt_open_generator_at(const cJSON *spec, const char *where, uint64_t ops,
                                         char *err, size_t errlen)
{
    struct gen_source *g;
    if (!where) where = "generator";
    g = open_spec(spec, where, err, errlen);
    if (!g || ops == 0) return g ? &g->base : NULL;
    if (!strcmp(length_keys[g->type], "ops")) /* exactly ops */
        return g->ops == ops ? &g->base : (g = relength(g, spec, ops, where, err, errlen)) ? &g->base : NULL;
    /* Longer by the ratio missing, until there are enough (the count is
     * nearly proportional to the parameter; unknown (0) means plenty). */
    while (g->base.info.op_count && g->base.info.op_count < ops) {
        uint64_t have = g->base.info.op_count, cur = length_of(g), max = length_max[g->type];
        uint64_t mult = ops / have + 1, next = cur > max / mult ? max : cur ? cur * mult : 1;
        if (next <= cur) {
            vmt_errf(err, errlen, "%s: a %s generator gives at most %llu ops here (%s at most %llu), "
                     "fewer than %llu", where, gnames[g->type], (unsigned long long)have,
                     length_keys[g->type], (unsigned long long)max, (unsigned long long)ops);
            vmt_close(&g->base);
            return NULL;
        }
        if (!(g = relength(g, spec, next, where, err, errlen))) return NULL;
    }
    return &g->base;
}
