/*
 * vmt_json.c - JSON traces (schema in docs/trace-format.md).
 *
 * A JSON trace is small, so it is read whole and checked at open: every op
 * is validated (kinds, fields, ranges against the pool and the live
 * allocations) and errors name the JSON path, e.g.
 * "t.json: ops[3].len: expected an integer 1..4294967295". The ops are then
 * kept as an array. A JSON file that describes a generator (it has
 * "generator" or "type" instead of "ops") opens that generator.
 */
#include <ctype.h>

#include "vmt_internal.h"

struct json_source {
    struct vmt_source base;
    struct vmt_op *ops;
    size_t *doff; /* offset of each op's data in blob, or SIZE_MAX */
    size_t n, cap, pos;
    uint8_t *blob; /* data payloads */
    size_t blob_n, blob_cap;
    char **names; /* phase names by index */
    size_t names_n;
};

static int js_next(struct vmt_source *s, struct vmt_op *op)
{
    struct json_source *j = (struct json_source *)s;
    if (j->pos >= j->n) return 0;
    *op = j->ops[j->pos];
    if (j->doff[j->pos] != SIZE_MAX) op->data = j->blob + j->doff[j->pos];
    j->pos++;
    return 1;
}

static int js_rewind(struct vmt_source *s)
{
    ((struct json_source *)s)->pos = 0;
    return 0;
}

static void js_close(struct vmt_source *s)
{
    struct json_source *j = (struct json_source *)s;
    size_t i;
    free(j->ops);
    free(j->doff);
    free(j->blob);
    for (i = 0; i < j->names_n; i++) free(j->names[i]);
    free(j->names);
}

static size_t js_memory(const struct vmt_source *s)
{
    const struct json_source *j = (const struct json_source *)s;
    size_t m = sizeof *j - sizeof j->base + j->cap * (sizeof *j->ops + sizeof *j->doff) + j->blob_cap, i;
    for (i = 0; i < j->names_n; i++) m += sizeof *j->names + strlen(j->names[i]) + 1;
    return m;
}

static const struct vmt_source_ops js_ops = {js_next, js_rewind, js_close, js_memory};

/* Line and column of position pos in text. */
static void line_col(const char *text, const char *pos, unsigned *line, unsigned *col)
{
    const char *p;
    *line = 1;
    *col = 1;
    for (p = text; p < pos && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Reads a whole file; NULL with err filled on failure. */
static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (!f) {
        vmt_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - n < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 65536 * 2;
            if (cap > ((size_t)1 << 30)) {
                vmt_errf(err, errlen, "%s: larger than 1 GiB: use the binary format", path);
                break;
            }
            nb = realloc(buf, cap + 1);
            if (!nb) {
                vmt_errf(err, errlen, "%s: out of memory", path);
                break;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                vmt_errf(err, errlen, "%s: read error", path);
                break;
            }
            fclose(f);
            buf[n] = 0;
            if (strlen(buf) != n) {
                vmt_errf(err, errlen, "%s: contains a NUL byte: not a JSON file", path);
                free(buf);
                return NULL;
            }
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

/* Parses text; on a syntax error fills err with file:line:col. */
static cJSON *parse_json(const char *text, const char *where, char *err, size_t errlen)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        unsigned line, col;
        const char *at = end ? end : cJSON_GetErrorPtr();
        if (!at) at = text;
        line_col(text, at, &line, &col);
        vmt_errf(err, errlen, "%s:%u:%u: JSON syntax error", where, line, col);
    }
    return root;
}

/* An integer in [lo, hi]; missing -> dflt when optional. */
static int get_int(const cJSON *obj, const char *key, const char *where, const char *path,
                   uint64_t lo, uint64_t hi, int required, uint64_t dflt, uint64_t *out,
                   char *err, size_t errlen)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    double d;
    if (!it) {
        if (required)
            return vmt_errf(err, errlen, "%s: %s: missing \"%s\" (expected an integer %llu..%llu)",
                            where, path, key, (unsigned long long)lo, (unsigned long long)hi);
        *out = dflt;
        return 0;
    }
    d = it->valuedouble;
    if (!cJSON_IsNumber(it) || d != d || d < (double)lo || d > (double)hi || d != (double)(uint64_t)d)
        return vmt_errf(err, errlen, "%s: %s.%s: expected an integer %llu..%llu", where, path, key,
                        (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)d;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int add_blob(struct json_source *j, const uint8_t *d, size_t n)
{
    if (j->blob_n + n > j->blob_cap) {
        size_t nc = j->blob_cap ? j->blob_cap : 4096;
        uint8_t *nb;
        while (nc < j->blob_n + n) nc *= 2;
        nb = realloc(j->blob, nc);
        if (!nb) return -1;
        j->blob = nb;
        j->blob_cap = nc;
    }
    memcpy(j->blob + j->blob_n, d, n);
    j->blob_n += n;
    return 0;
}

static int push_op(struct json_source *j, const struct vmt_op *op, size_t doff)
{
    if (j->n == j->cap) {
        size_t nc = j->cap ? j->cap * 2 : 64;
        struct vmt_op *no = realloc(j->ops, nc * sizeof *no);
        size_t *nd;
        if (!no) return -1;
        j->ops = no;
        nd = realloc(j->doff, nc * sizeof *nd);
        if (!nd) return -1;
        j->doff = nd;
        j->cap = nc;
    }
    j->doff[j->n] = doff;
    j->ops[j->n++] = *op;
    return 0;
}

/* Live allocation sizes by id, to check region-relative ranges. */
struct regions {
    uint64_t size[65536];
    uint8_t live[65536];
};

static const char *const op_keys[] = {"op", "addr", "len", "region", "data", "id", "mode", "value",
                                      "src", "src_region", "size", "name", "work", "cycles", "ns",
                                      "comment", NULL};

/* An op's "data": hex byte pairs appended to the blob (at *doff); sets op->len. */
static int parse_data(struct json_source *j, const cJSON *it, const cJSON *data, struct vmt_op *op,
                  size_t *doff, const char *where, const char *path, char *err, size_t errlen)
{
    uint64_t v;
    size_t n, q;
    if (!cJSON_IsString(data) || (strlen(data->valuestring) & 1))
        return vmt_errf(err, errlen, "%s: %s.data: expected a string of hex byte pairs", where, path);
    n = strlen(data->valuestring) / 2;
    if (n == 0) return vmt_errf(err, errlen, "%s: %s.data: empty", where, path);
    if (get_int(it, "len", where, path, n, n, 0, n, &v, err, errlen) < 0) return -1;
    op->len = (uint32_t)n;
    *doff = j->blob_n;
    for (q = 0; q < n; q++) {
        int hi = hexval(data->valuestring[2 * q]), lo2 = hexval(data->valuestring[2 * q + 1]);
        uint8_t byte;
        if (hi < 0 || lo2 < 0)
            return vmt_errf(err, errlen, "%s: %s.data: character %zu: expected a hex digit",
                            where, path, 2 * q + (hi < 0 ? 0 : 1));
        byte = (uint8_t)(hi * 16 + lo2);
        if (add_blob(j, &byte, 1) < 0) return vmt_errf(err, errlen, "%s: out of memory", where);
    }
    return 0;
}

/* The range an access covers lies in a live allocation or in the pool. */
static int check_range(const struct regions *rg, uint64_t pool, const struct vmt_op *op,
                       const char *where, const char *path, char *err, size_t errlen)
{
    uint64_t end = op->addr + op->len;
    if (op->region) {
        if (!rg->live[op->region])
            return vmt_errf(err, errlen, "%s: %s.region: allocation %u is not live here", where,
                            path, op->region);
        if (end > rg->size[op->region])
            return vmt_errf(err, errlen, "%s: %s: range [%llu, %llu) leaves allocation %u (%llu bytes)",
                            where, path, (unsigned long long)op->addr, (unsigned long long)end,
                            op->region, (unsigned long long)rg->size[op->region]);
    } else if (end > pool) {
        return vmt_errf(err, errlen, "%s: %s: range [%llu, %llu) leaves the pool (%llu bytes)", where,
                        path, (unsigned long long)op->addr, (unsigned long long)end,
                        (unsigned long long)pool);
    }
    return 0;
}

/* The fields of lock (mode, id), memset (value) and memcpy (source). */
static int parse_extras(const struct regions *rg, uint64_t pool, const cJSON *it, unsigned kind,
                        struct vmt_op *op, const char *where, const char *path, char *err, size_t errlen)
{
    const cJSON *k;
    uint64_t v, end;
    if (kind == VMT_LOCK) {
        k = cJSON_GetObjectItemCaseSensitive(it, "mode");
        if (!cJSON_IsString(k) || (strcmp(k->valuestring, "ro") && strcmp(k->valuestring, "rw") &&
                                   strcmp(k->valuestring, "wo")))
            return vmt_errf(err, errlen, "%s: %s.mode: expected \"ro\", \"rw\" or \"wo\"", where, path);
        op->mode = k->valuestring[0] == 'w' ? VMT_LOCK_WO
                   : k->valuestring[1] == 'o' ? VMT_LOCK_RO : VMT_LOCK_RW;
        if (get_int(it, "id", where, path, 0, UINT32_MAX, 0, 0, &v, err, errlen) < 0) return -1;
        op->id = (uint32_t)v;
        if (get_int(it, "work", where, path, 0, VMT_WORK_MAX, 0, 0, &v, err, errlen) < 0) return -1;
        op->work = (uint32_t)v;
    }
    if (kind == VMT_MEMSET) {
        if (get_int(it, "value", where, path, 0, 255, 0, 0, &v, err, errlen) < 0) return -1;
        op->value = (uint8_t)v;
    }
    if (kind == VMT_MEMCPY) {
        if (get_int(it, "src_region", where, path, 1, 65535, 0, 0, &v, err, errlen) < 0) return -1;
        op->src_region = (uint16_t)v;
        if (get_int(it, "src", where, path, 0, UINT32_MAX, 1, 0, &op->src, err, errlen) < 0) return -1;
        end = op->src + op->len;
        if (op->src_region) {
            if (!rg->live[op->src_region])
                return vmt_errf(err, errlen, "%s: %s.src_region: allocation %u is not live here",
                                where, path, op->src_region);
            if (end > rg->size[op->src_region])
                return vmt_errf(err, errlen, "%s: %s: source range leaves allocation %u", where, path,
                                op->src_region);
        } else if (end > pool) {
            return vmt_errf(err, errlen, "%s: %s: source range [%llu, %llu) leaves the pool", where,
                            path, (unsigned long long)op->src, (unsigned long long)end);
        }
    }
    return 0;
}

/* read, write, lock, memset, memcpy: region, addr, len or data, and their extras. */
static int parse_access(struct json_source *j, const struct regions *rg, const cJSON *it, unsigned kind,
                        struct vmt_op *op, size_t *doff, const char *where, const char *path,
                        char *err, size_t errlen)
{
    uint64_t v, pool = j->base.info.pool_size;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(it, "data");
    uint64_t lo = (kind == VMT_MEMSET || kind == VMT_MEMCPY) ? 0 : 1;
    if (get_int(it, "region", where, path, 1, 65535, 0, 0, &v, err, errlen) < 0) return -1;
    op->region = (uint16_t)v;
    if (get_int(it, "addr", where, path, 0, UINT32_MAX, 1, 0, &op->addr, err, errlen) < 0) return -1;
    if (data && kind != VMT_READ && kind != VMT_WRITE)
        return vmt_errf(err, errlen, "%s: %s.data: only read and write carry data", where, path);
    if (data) {
        if (parse_data(j, it, data, op, doff, where, path, err, errlen) < 0) return -1;
    } else {
        if (get_int(it, "len", where, path, lo, UINT32_MAX, 1, 0, &v, err, errlen) < 0) return -1;
        op->len = (uint32_t)v;
    }
    if (check_range(rg, pool, op, where, path, err, errlen) < 0) return -1;
    return parse_extras(rg, pool, it, kind, op, where, path, err, errlen);
}

/* A phase's name, interned in j->names. */
/* A compute op: exactly one of "cycles" (of the board) and "ns". */
static int parse_compute(const cJSON *it, struct vmt_op *op, const char *where, const char *path,
                         char *err, size_t errlen)
{
    uint64_t v;
    int cy = cJSON_GetObjectItemCaseSensitive(it, "cycles") != NULL;
    int ns = cJSON_GetObjectItemCaseSensitive(it, "ns") != NULL;
    if (cy == ns)
        return vmt_errf(err, errlen, "%s: %s: compute needs one of \"cycles\" or \"ns\"", where, path);
    if (get_int(it, cy ? "cycles" : "ns", where, path, 0, UINT32_MAX, 1, 0, &v, err, errlen) < 0)
        return -1;
    op->mode = cy ? VMT_COMPUTE_CYCLES : VMT_COMPUTE_NS;
    op->len = (uint32_t)v;
    return 0;
}

static int parse_phase(struct json_source *j, const cJSON *it, struct vmt_op *op, const char *where,
                       const char *path, char *err, size_t errlen)
{
    const cJSON *k;
    size_t q;
    k = cJSON_GetObjectItemCaseSensitive(it, "name");
    if (!cJSON_IsString(k) || !k->valuestring[0])
        return vmt_errf(err, errlen, "%s: %s.name: expected a non-empty string", where, path);
    for (q = 0; q < j->names_n && strcmp(j->names[q], k->valuestring); q++) {}
    if (q == j->names_n) {
        char **nn = realloc(j->names, (j->names_n + 1) * sizeof *nn);
        if (!nn) return vmt_errf(err, errlen, "%s: out of memory", where);
        j->names = nn;
        if (!(j->names[j->names_n] = vmt_strdup(k->valuestring)))
            return vmt_errf(err, errlen, "%s: out of memory", where);
        j->names_n++;
    }
    op->id = (uint32_t)q;
    op->name = j->names[q];
    return 0;
}

static int parse_op(struct json_source *j, struct regions *rg, const cJSON *it, size_t idx,
                    const char *where, char *err, size_t errlen)
{
    char path[64];
    const cJSON *opn, *c;
    struct vmt_op op;
    uint64_t v;
    size_t doff = SIZE_MAX;
    unsigned kind;
    memset(&op, 0, sizeof op);
    snprintf(path, sizeof path, "ops[%zu]", idx);
    if (!cJSON_IsObject(it)) return vmt_errf(err, errlen, "%s: %s: expected an object", where, path);
    for (c = it->child; c; c = c->next) {
        size_t q;
        for (q = 0; op_keys[q] && strcmp(op_keys[q], c->string); q++) {}
        if (!op_keys[q]) return vmt_errf(err, errlen, "%s: %s: unknown field \"%s\"", where, path, c->string);
    }
    opn = cJSON_GetObjectItemCaseSensitive(it, "op");
    if (!cJSON_IsString(opn))
        return vmt_errf(err, errlen, "%s: %s.op: expected one of read, write, lock, unlock, memset, "
                        "memcpy, flush, invalidate, alloc, free, phase, compute", where, path);
    for (kind = 0; kind < VMT_KIND_COUNT && strcmp(vmt_kind_name(kind), opn->valuestring); kind++) {}
    if (kind == VMT_KIND_COUNT)
        return vmt_errf(err, errlen, "%s: %s.op: unknown op \"%s\" (expected read, write, lock, unlock, "
                        "memset, memcpy, flush, invalidate, alloc, free, phase, compute)", where, path,
                        opn->valuestring);
    op.kind = (uint8_t)kind;
    if (vmt_kind_ranged(kind) && parse_access(j, rg, it, kind, &op, &doff, where, path, err, errlen) < 0)
        return -1;
    switch (kind) {
    case VMT_UNLOCK:
        if (get_int(it, "id", where, path, 0, UINT32_MAX, 0, 0, &v, err, errlen) < 0) return -1;
        op.id = (uint32_t)v;
        break;
    case VMT_ALLOC:
        if (get_int(it, "id", where, path, 1, 65535, 1, 0, &v, err, errlen) < 0) return -1;
        op.id = (uint32_t)v;
        if (rg->live[op.id])
            return vmt_errf(err, errlen, "%s: %s.id: allocation %u is already live", where, path, op.id);
        if (get_int(it, "size", where, path, 1, UINT32_MAX, 1, 0, &v, err, errlen) < 0) return -1;
        op.len = (uint32_t)v;
        rg->live[op.id] = 1;
        rg->size[op.id] = v;
        break;
    case VMT_FREE:
        if (get_int(it, "id", where, path, 1, 65535, 1, 0, &v, err, errlen) < 0) return -1;
        op.id = (uint32_t)v;
        if (!rg->live[op.id])
            return vmt_errf(err, errlen, "%s: %s.id: allocation %u is not live", where, path, op.id);
        rg->live[op.id] = 0;
        break;
    case VMT_PHASE:
        if (parse_phase(j, it, &op, where, path, err, errlen) < 0) return -1;
        break;
    case VMT_COMPUTE:
        if (parse_compute(it, &op, where, path, err, errlen) < 0) return -1;
        break;
    default:
        break;
    }
    if (kind != VMT_LOCK && cJSON_GetObjectItemCaseSensitive(it, "work"))
        return vmt_errf(err, errlen, "%s: %s.work: only lock carries work", where, path);
    if (kind != VMT_COMPUTE && (cJSON_GetObjectItemCaseSensitive(it, "cycles") ||
                                cJSON_GetObjectItemCaseSensitive(it, "ns")))
        return vmt_errf(err, errlen, "%s: %s: only compute carries cycles or ns", where, path);
    if (push_op(j, &op, doff) < 0) return vmt_errf(err, errlen, "%s: out of memory", where);
    return 0;
}

/* The top level: known fields only, version 1, format "vmtrace". */
static int check_top(const cJSON *root, const char *where, char *err, size_t errlen)
{
    const cJSON *c;
    static const char *const top_keys[] = {"format", "version", "pool_size", "allocations", "ops",
                                           "description", "comment", NULL};
    for (c = root->child; c; c = c->next) {
        size_t q;
        for (q = 0; top_keys[q] && strcmp(top_keys[q], c->string); q++) {}
        if (!top_keys[q]) {
            return vmt_errf(err, errlen, "%s: unknown top-level field \"%s\" (expected pool_size, allocations, "
                            "ops, format, version, description)", where, c->string);
        }
    }
    c = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (c && (!cJSON_IsNumber(c) || c->valuedouble != 1)) {
        return vmt_errf(err, errlen, "%s: version: expected 1", where);
    }
    c = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (c && (!cJSON_IsString(c) || strcmp(c->valuestring, "vmtrace"))) {
        return vmt_errf(err, errlen, "%s: format: expected \"vmtrace\"", where);
    }
    return 0;
}

/* "allocations": regions live from the start, each an alloc op. */
static int parse_allocations(struct json_source *j, struct regions *rg, const cJSON *allocs,
                             const char *where, char *err, size_t errlen)
{
    const cJSON *c;
    size_t i = 0;
    if (!cJSON_IsArray(allocs))
        return vmt_errf(err, errlen, "%s: allocations: expected an array of {\"id\", \"size\"}", where);
    cJSON_ArrayForEach(c, allocs) {
        char path[48];
        struct vmt_op op;
        uint64_t v;
        snprintf(path, sizeof path, "allocations[%zu]", i++);
        memset(&op, 0, sizeof op);
        op.kind = VMT_ALLOC;
        if (!cJSON_IsObject(c)) {
            return vmt_errf(err, errlen, "%s: %s: expected an object {\"id\", \"size\"}", where, path);
        }
        if (get_int(c, "id", where, path, 1, 65535, 1, 0, &v, err, errlen) < 0) return -1;
        op.id = (uint32_t)v;
        if (rg->live[op.id]) {
            return vmt_errf(err, errlen, "%s: %s.id: allocation %u twice", where, path, op.id);
        }
        if (get_int(c, "size", where, path, 1, UINT32_MAX, 1, 0, &v, err, errlen) < 0) return -1;
        op.len = (uint32_t)v;
        rg->live[op.id] = 1;
        rg->size[op.id] = v;
        if (push_op(j, &op, SIZE_MAX) < 0) {
            return vmt_errf(err, errlen, "%s: out of memory", where);
        }
    }
    return 0;
}

static struct vmt_source *open_trace(const cJSON *root, const char *where, char *err, size_t errlen)
{
    struct json_source *j;
    struct regions *rg;
    const cJSON *c, *ops, *allocs;
    size_t i;
    if (check_top(root, where, err, errlen) < 0) return NULL;
    j = (struct json_source *)vmt_source_new(sizeof *j, &js_ops, where, "json");
    rg = calloc(1, sizeof *rg);
    if (!j || !rg) {
        vmt_errf(err, errlen, "%s: out of memory", where);
        goto fail;
    }
    if (get_int(root, "pool_size", where, "(top)", 1, 0x80000000ULL, 1, 0, &j->base.info.pool_size, err,
                errlen) < 0)
        goto fail;
    allocs = cJSON_GetObjectItemCaseSensitive(root, "allocations");
    if (allocs && parse_allocations(j, rg, allocs, where, err, errlen) < 0) goto fail;
    ops = cJSON_GetObjectItemCaseSensitive(root, "ops");
    if (!cJSON_IsArray(ops)) {
        vmt_errf(err, errlen, "%s: ops: expected an array of operations", where);
        goto fail;
    }
    i = 0;
    cJSON_ArrayForEach(c, ops) {
        if (parse_op(j, rg, c, i++, where, err, errlen) < 0) goto fail;
    }
    j->base.info.op_count = j->n;
    free(rg);
    return &j->base;
fail:
    free(rg);
    if (j) vmt_close(&j->base);
    return NULL;
}

struct vmt_source *vmt_open_json_text(const char *text, const char *where, uint64_t ops, char *err,
                                      size_t errlen)
{
    struct vmt_source *s;
    const cJSON *gen;
    cJSON *root = parse_json(text, where, err, errlen);
    if (!root) return NULL;
    if (!cJSON_IsObject(root)) {
        vmt_errf(err, errlen, "%s: expected a JSON object at the top", where);
        cJSON_Delete(root);
        return NULL;
    }
    gen = cJSON_GetObjectItemCaseSensitive(root, "generator");
    if (gen) {
        char w2[600];
        snprintf(w2, sizeof w2, "%s: generator", where);
        s = vmt_open_generator_at(gen, w2, ops, err, errlen);
    } else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "ops")) &&
               cJSON_GetObjectItemCaseSensitive(root, "type")) {
        s = vmt_open_generator_at(root, where, ops, err, errlen);
    } else {
        s = open_trace(root, where, err, errlen);
    }
    cJSON_Delete(root);
    return s;
}

struct vmt_source *vmt_open_json(const char *path, uint64_t ops, char *err, size_t errlen)
{
    struct vmt_source *s;
    char *text = slurp(path, err, errlen);
    if (!text) return NULL;
    s = vmt_open_json_text(text, path, ops, err, errlen);
    free(text);
    return s;
}

/* ---- writer: one op per line, inside a single JSON object --------------- */

struct json_writer {
    struct vmt_writer w;
    int first;
};

static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static int jw_put(struct vmt_writer *w, const struct vmt_op *op)
{
    struct json_writer *jw = (struct json_writer *)w;
    FILE *f = w->f;
    static const char *const modes[4] = {"?", "ro", "wo", "rw"};
    if (!op) {
        fprintf(f, "{\"format\": \"vmtrace\", \"version\": 1, \"pool_size\": %llu,\n \"ops\": [",
                (unsigned long long)w->pool_size);
        jw->first = 1;
        return 0;
    }
    fprintf(f, "%s\n  {\"op\": \"%s\"", jw->first ? "" : ",", vmt_kind_name(op->kind));
    jw->first = 0;
    if (vmt_kind_ranged(op->kind)) {
        if (op->kind == VMT_LOCK) fprintf(f, ", \"id\": %lu, \"mode\": \"%s\"", (unsigned long)op->id,
                                          modes[op->mode & 3]);
        if (op->region) fprintf(f, ", \"region\": %u", op->region);
        fprintf(f, ", \"addr\": %llu, \"len\": %lu", (unsigned long long)op->addr, (unsigned long)op->len);
        if (op->kind == VMT_LOCK && op->work) fprintf(f, ", \"work\": %lu", (unsigned long)op->work);
        if (op->kind == VMT_MEMSET) fprintf(f, ", \"value\": %u", op->value);
        if (op->kind == VMT_MEMCPY) {
            if (op->src_region) fprintf(f, ", \"src_region\": %u", op->src_region);
            fprintf(f, ", \"src\": %llu", (unsigned long long)op->src);
        }
        if ((op->kind == VMT_READ || op->kind == VMT_WRITE) && op->data && !w->opts.drop_data &&
            op->len) {
            uint32_t i;
            fputs(", \"data\": \"", f);
            for (i = 0; i < op->len; i++) fprintf(f, "%02x", op->data[i]);
            fputc('"', f);
        }
    }
    switch (op->kind) {
    case VMT_UNLOCK:
        fprintf(f, ", \"id\": %lu", (unsigned long)op->id);
        break;
    case VMT_ALLOC:
        fprintf(f, ", \"id\": %lu, \"size\": %lu", (unsigned long)op->id, (unsigned long)op->len);
        break;
    case VMT_FREE:
        fprintf(f, ", \"id\": %lu", (unsigned long)op->id);
        break;
    case VMT_PHASE:
        fputs(", \"name\": ", f);
        put_json_string(f, op->name && op->name[0] ? op->name : "phase");
        break;
    case VMT_COMPUTE:
        fprintf(f, ", \"%s\": %lu", op->mode == VMT_COMPUTE_NS ? "ns" : "cycles", (unsigned long)op->len);
        break;
    default:
        break;
    }
    fputc('}', f);
    return ferror(f) ? vmt_fail(w, "%s: write error", w->path) : 0;
}

static int jw_close(struct vmt_writer *w)
{
    if (w->f && !w->failed) fputs("\n ]}\n", w->f);
    return 0;
}

static const struct vmt_writer_ops jw_ops = {jw_put, jw_close};

int vmt_writer_init_json(struct vmt_writer **w)
{
    struct json_writer *jw = calloc(1, sizeof *jw);
    if (!jw) return -1;
    jw->w.ops = &jw_ops;
    *w = &jw->w;
    return 0;
}
