/*
 * vms_scenario.c - the scenario loader (see vms_scenario.h, docs/scenario-format.md).
 *
 * Parsing is strict: unknown keys are errors (they are usually typos), every
 * number is range-checked, and every message carries "file: $.json.path".
 * Pagers with lists (page_size, page_count, policy) or a ram_budget expand
 * into several named pagers before the runs are formed.
 */
#include "vms_scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmr_stack.h"

struct ctx {
    const char *file;
    char *err;
    size_t errlen;
};

static int perr(struct ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(struct ctx *c, const char *path, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s: %s", c->file, path, msg);
    return -1;
}

static const char *type_name(const cJSON *j)
{
    if (!j) return "nothing";
    if (cJSON_IsObject(j)) return "an object";
    if (cJSON_IsArray(j)) return "an array";
    if (cJSON_IsString(j)) return "a string";
    if (cJSON_IsNumber(j)) return "a number";
    if (cJSON_IsBool(j)) return "a boolean";
    if (cJSON_IsNull(j)) return "null";
    return "something else";
}

/* out = a + sep + b, truncated to n - 1 characters. */
static void cat3(char *out, size_t n, const char *a, const char *sep, const char *b)
{
    size_t k = 0;
    const char *parts[3] = {a, sep, b};
    for (int i = 0; i < 3; i++)
        for (const char *q = parts[i]; *q && k + 1 < n; q++) out[k++] = *q;
    out[k] = 0;
}

static void join(char *out, size_t n, const char *path, const char *key)
{
    cat3(out, n, path, ".", key);
}

static void join_i(char *out, size_t n, const char *path, int i)
{
    char idx[24];
    snprintf(idx, sizeof idx, "[%d]", i);
    cat3(out, n, path, "", idx);
}

/* Reject keys not in allowed (NULL-terminated). */
static int check_keys(struct ctx *c, const cJSON *o, const char *path, const char *const *allowed)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(it->string, *a) == 0) ok = 1;
        if (!ok) {
            char p[256], list[256] = "";
            join(p, sizeof p, path, it->string);
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 1);
                if (a[1]) strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return perr(c, p, "unknown key (expected one of: %s)", list);
        }
    }
    return 0;
}

static int get_uint(struct ctx *c, const cJSON *j, const char *path, uint64_t min, uint64_t max,
                    uint64_t *out)
{
    if (!cJSON_IsNumber(j))
        return perr(c, path, "expected an integer from %llu to %llu, got %s",
                    (unsigned long long)min, (unsigned long long)max, type_name(j));
    double v = j->valuedouble;
    if (v != floor(v) || v < (double)min || v > (double)max)
        return perr(c, path, "expected an integer from %llu to %llu, got %g",
                    (unsigned long long)min, (unsigned long long)max, v);
    *out = (uint64_t)v;
    return 0;
}

static int opt_uint(struct ctx *c, const cJSON *o, const char *key, const char *path,
                    uint64_t min, uint64_t max, uint64_t *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j) return 0;
    char p[256];
    join(p, sizeof p, path, key);
    return get_uint(c, j, p, min, max, out);
}

static int opt_num(struct ctx *c, const cJSON *o, const char *key, const char *path, double min,
                   double max, double *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j) return 0;
    char p[256];
    join(p, sizeof p, path, key);
    if (!cJSON_IsNumber(j) || j->valuedouble < min || j->valuedouble > max)
        return perr(c, p, "expected a number from %g to %g, got %s", min, max,
                    cJSON_IsNumber(j) ? "a number out of range" : type_name(j));
    *out = j->valuedouble;
    return 0;
}

static int opt_bool(struct ctx *c, const cJSON *o, const char *key, const char *path, int *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j) return 0;
    char p[256];
    join(p, sizeof p, path, key);
    if (!cJSON_IsBool(j)) return perr(c, p, "expected true or false, got %s", type_name(j));
    *out = cJSON_IsTrue(j);
    return 0;
}

static int opt_str(struct ctx *c, const cJSON *o, const char *key, const char *path, char *out,
                   size_t n)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j) return 0;
    char p[256];
    join(p, sizeof p, path, key);
    if (!cJSON_IsString(j)) return perr(c, p, "expected a string, got %s", type_name(j));
    if (strlen(j->valuestring) >= n)
        return perr(c, p, "string too long (at most %lu characters)", (unsigned long)n - 1);
    snprintf(out, n, "%s", j->valuestring);
    return 0;
}

int vms_parse_policy(const char *s) { return vmr_policy_from_name(s); }

/* ------------------------------------------------------------ backends */

struct named_backend {
    char name[64];
    struct vm_device_desc d;
    int tolerate;
};

static const char *const fault_keys[] = {"seed", "read_fail", "write_fail", NULL};

/* The keys a backend may have: the common ones, every device's, then
 * "faults" and "comment". */
static const char *const *backend_keys(void)
{
    static const char *keys[64];
    if (!keys[0]) {
        size_t n = 0;
        const struct vm_device_key *k;
        keys[n++] = "type";
        keys[n++] = "profile";
        keys[n++] = "cpu_mhz";
        keys[n++] = "spi_hz";
        for (unsigned i = 0; (k = vmr_device_key_at(i)) && n + 3 < sizeof keys / sizeof keys[0]; i++)
            keys[n++] = k->name;
        keys[n++] = "faults";
        keys[n++] = "comment";
        keys[n] = NULL;
    }
    return keys;
}

static char *resolve_path(const char *file, const char *rel);

/* One device setting: checked against its declaration (whichever device
 * declares it); stored when the backend's device has it. */
static int parse_device_key(struct ctx *c, const cJSON *o, const char *path,
                            const struct vm_device_key *k, struct vm_device_desc *d)
{
    const struct vm_device_key *own = vm_device_key_find(vmr_device(d->type), k->name);
    if (k->kind == VM_DEVICE_STR || k->kind == VM_DEVICE_PATH) {
        char buf[VM_DEVICE_SETTINGS_MAX];
        buf[0] = 0;
        if (opt_str(c, o, k->name, path, buf, k->size)) return -1;
        if (!own || !cJSON_GetObjectItemCaseSensitive(o, k->name)) return 0;
        if (own->choice && buf[0]) { /* a name from a list, in any letter case */
            char p[256], msg[256];
            const char *canon;
            join(p, sizeof p, path, k->name);
            if (vm_device_pick(own->choice, k->name, buf, &canon, msg, sizeof msg))
                return perr(c, p, "%s", msg);
            snprintf(buf, sizeof buf, "%s", canon);
        }
        if (k->kind == VM_DEVICE_PATH && buf[0]) {
            /* Relative to the scenario file, as traces are. */
            char p[256], *full = resolve_path(c->file, buf);
            join(p, sizeof p, path, k->name);
            if (!full) return perr(c, p, "out of memory");
            size_t n = strlen(full);
            int too_long = n >= k->size;
            if (!too_long) memcpy(buf, full, n + 1);
            free(full);
            if (too_long)
                return perr(c, p, "path too long once joined to the scenario's folder "
                                  "(at most %u characters)", (unsigned)k->size - 1);
        }
        vm_device_put_str(d, own, buf);
        return 0;
    }
    uint64_t u = 0;
    if (k->kind == VM_DEVICE_BOOL) {
        int b = 0;
        if (opt_bool(c, o, k->name, path, &b)) return -1;
        u = (uint64_t)b;
    } else if (opt_uint(c, o, k->name, path, k->min, k->max, &u)) {
        return -1;
    }
    if (own && cJSON_GetObjectItemCaseSensitive(o, k->name)) vm_device_put_uint(d, own, u);
    return 0;
}

static int parse_faults(struct ctx *c, const cJSON *f, const char *p, struct vm_device_desc *d)
{
    uint64_t u;
    if (!cJSON_IsObject(f)) return perr(c, p, "expected an object, got %s", type_name(f));
    if (check_keys(c, f, p, fault_keys)) return -1;
    u = d->fault_seed;
    if (opt_uint(c, f, "seed", p, 1, 0xFFFFFFFFu, &u)) return -1;
    d->fault_seed = (uint32_t)u;
    if (opt_num(c, f, "read_fail", p, 0, 1, &d->read_fail)) return -1;
    if (opt_num(c, f, "write_fail", p, 0, 1, &d->write_fail)) return -1;
    if (!d->fault_seed) return perr(c, p, "missing key \"seed\" (faults need a seed)");
    return 0;
}

/* Apply the keys of o (a backend or an override) onto d. */
static int parse_backend(struct ctx *c, const cJSON *o, const char *path,
                         struct vm_device_desc *d, int *tolerate, int need_type)
{
    char p[256], names[128];
    if (!cJSON_IsObject(o)) return perr(c, path, "expected an object, got %s", type_name(o));
    if (check_keys(c, o, path, backend_keys())) return -1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    if (t) {
        join(p, sizeof p, path, "type");
        int ty = cJSON_IsString(t) ? vmr_backend_type_from_name(t->valuestring) : -1;
        if (ty < 0)
            return perr(c, p, "expected one of %s, got %s%s%s",
                        vmr_backend_names(names, sizeof names, "\"", ", ", ", "),
                        cJSON_IsString(t) ? "\"" : type_name(t),
                        cJSON_IsString(t) ? t->valuestring : "", cJSON_IsString(t) ? "\"" : "");
        /* Another device reads its settings differently: start from its defaults. */
        if (d->type != (uint8_t)ty) memset(&d->settings, 0, sizeof d->settings);
        d->type = (uint8_t)ty;
    } else if (need_type) {
        return perr(c, path, "missing key \"type\" (%s)",
                    vmr_backend_names(names, sizeof names, "", ", ", " or "));
    }
    uint64_t u;
    if (opt_str(c, o, "profile", path, d->profile, sizeof d->profile)) return -1;
    {
        char msg[256];
        if (vmr_profile_pick(d->profile, sizeof d->profile, msg, sizeof msg)) {
            join(p, sizeof p, path, "profile");
            return perr(c, p, "%s", msg);
        }
    }
    u = d->cpu_hz / 1000000u;
    if (opt_uint(c, o, "cpu_mhz", path, 1, 1000, &u)) return -1;
    d->cpu_hz = (uint32_t)u * 1000000u;
    u = d->spi_hz;
    if (opt_uint(c, o, "spi_hz", path, 1000, 100000000, &u)) return -1;
    d->spi_hz = (uint32_t)u;
    const struct vm_device_key *k;
    for (unsigned i = 0; (k = vmr_device_key_at(i)); i++)
        if (parse_device_key(c, o, path, k, d)) return -1;
    const struct vm_device *dev = vmr_device(d->type);
    if (dev && dev->check) {
        char msg[512];
        if (dev->check(d, msg, sizeof msg)) return perr(c, path, "%s", msg);
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "faults");
    if (f) {
        join(p, sizeof p, path, "faults");
        if (parse_faults(c, f, p, d)) return -1;
        *tolerate = 1;
    }
    return 0;
}

/* -------------------------------------------------------------- pagers */

struct named_pager {
    char name[80];
    char base[64]; /* the name in the file */
    struct vmr_pager_desc d;
};

static const char *const pager_keys[] = {"page_size",   "page_count",  "ram_budget",
                                         "policy",      "clean_first", "bounce_size",
                                         "heap_blocks", "comment",     NULL};

static int check_geometry(struct ctx *c, const char *path, uint64_t ps, uint64_t pc)
{
    if (!VM_PAGE_SIZE_OK(ps))
        return perr(c, path, "page_size %llu: expected a power of two from %u to %u",
                    (unsigned long long)ps, VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX);
    if (pc < 1 || pc > VM_PAGE_COUNT_MAX)
        return perr(c, path, "page_count %llu: expected 1 to %u (the most a %d-bit slot index allows)",
                    (unsigned long long)pc, VM_PAGE_COUNT_MAX, VM_CONFIG_SLOT_BITS);
    return 0;
}

/* A number or a list of numbers into vals (at most 32). */
static int uint_list(struct ctx *c, const cJSON *j, const char *path, uint64_t min, uint64_t max,
                     uint64_t *vals, int *n)
{
    if (cJSON_IsArray(j)) {
        int i = 0;
        const cJSON *e;
        if (cJSON_GetArraySize(j) == 0) return perr(c, path, "expected a non-empty list");
        cJSON_ArrayForEach(e, j)
        {
            char p[256];
            join_i(p, sizeof p, path, i);
            if (i == 32) return perr(c, p, "too many values (at most 32)");
            if (get_uint(c, e, p, min, max, &vals[i])) return -1;
            i++;
        }
        *n = i;
        return 0;
    }
    *n = 1;
    return get_uint(c, j, path, min, max, &vals[0]);
}

static int policy_list(struct ctx *c, const cJSON *j, const char *path, int *pol, int *n)
{
    if (cJSON_IsString(j) && strcmp(j->valuestring, "all") == 0) {
        *n = 0;
        for (int p = VM_POLICY_FIFO; p < VM_POLICY_COUNT; p++) pol[(*n)++] = p;
        return 0;
    }
    const cJSON *e;
    int i = 0;
    if (cJSON_IsString(j)) {
        pol[0] = vmr_policy_from_name(j->valuestring);
        *n = 1;
        if (pol[0] < 0)
            return perr(c, path, "unknown policy \"%s\" (fifo, lru, clock, sieve or \"all\")",
                        j->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0)
        return perr(c, path, "expected a policy name, \"all\" or a list of names, got %s",
                    type_name(j));
    cJSON_ArrayForEach(e, j)
    {
        char p[256];
        join_i(p, sizeof p, path, i);
        if (i == 8) return perr(c, p, "too many policies");
        if (!cJSON_IsString(e) || (pol[i] = vmr_policy_from_name(e->valuestring)) < 0)
            return perr(c, p, "expected fifo, lru, clock or sieve, got %s%s%s",
                        cJSON_IsString(e) ? "\"" : type_name(e),
                        cJSON_IsString(e) ? e->valuestring : "", cJSON_IsString(e) ? "\"" : "");
        i++;
    }
    *n = i;
    return 0;
}

/* Apply scalar keys of o onto d (used for overrides: no lists). */
static int pager_scalars(struct ctx *c, const cJSON *o, const char *path,
                         struct vmr_pager_desc *d)
{
    uint64_t u;
    int b = (d->flags & VM_CLEAN_FIRST) != 0;
    if (opt_bool(c, o, "clean_first", path, &b)) return -1;
    d->flags = (uint8_t)(b ? d->flags | VM_CLEAN_FIRST : d->flags & ~VM_CLEAN_FIRST);
    u = d->bounce_size;
    if (opt_uint(c, o, "bounce_size", path, 0, VM_PAGE_SIZE_MAX, &u)) return -1;
    d->bounce_size = (uint16_t)u;
    u = d->heap_blocks;
    if (opt_uint(c, o, "heap_blocks", path, 0, 65535, &u)) return -1;
    d->heap_blocks = (uint16_t)u;
    return 0;
}

static int push_pager(struct named_pager **v, size_t *n, const struct named_pager *p)
{
    struct named_pager *g = realloc(*v, (*n + 1) * sizeof *g);
    if (!g) return -1;
    *v = g;
    g[(*n)++] = *p;
    return 0;
}

static int parse_pager(struct ctx *c, const char *name, const cJSON *o, const char *path,
                       struct named_pager **out, size_t *nout)
{
    char p[256];
    if (strlen(name) >= sizeof((struct named_pager *)0)->base)
        return perr(c, path, "name too long (at most %u characters)",
                    (unsigned)sizeof((struct named_pager *)0)->base - 1);
    if (!cJSON_IsObject(o)) return perr(c, path, "expected an object, got %s", type_name(o));
    if (check_keys(c, o, path, pager_keys)) return -1;
    struct vmr_pager_desc base;
    memset(&base, 0, sizeof base);
    if (pager_scalars(c, o, path, &base)) return -1;
    uint64_t sizes[32], counts[32];
    int ns = 0, nc = 0, pols[8], np = 0;
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(o, "page_size");
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(o, "page_count");
    const cJSON *jb = cJSON_GetObjectItemCaseSensitive(o, "ram_budget");
    const cJSON *jp = cJSON_GetObjectItemCaseSensitive(o, "policy");
    if (!js) return perr(c, path, "missing key \"page_size\"");
    join(p, sizeof p, path, "page_size");
    if (uint_list(c, js, p, VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX, sizes, &ns)) return -1;
    for (int i = 0; i < ns; i++)
        if (!VM_PAGE_SIZE_OK(sizes[i]))
            return perr(c, p, "expected a power of two from %u to %u, got %llu",
                        VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX, (unsigned long long)sizes[i]);
    if (jb && jc) return perr(c, path, "give either \"page_count\" or \"ram_budget\", not both");
    uint64_t budget = 0;
    if (jb) {
        join(p, sizeof p, path, "ram_budget");
        if (get_uint(c, jb, p, VM_PAGE_SIZE_MIN, 1u << 20, &budget)) return -1;
    } else if (jc) {
        join(p, sizeof p, path, "page_count");
        if (uint_list(c, jc, p, 1, UINT32_MAX, counts, &nc)) return -1; /* limit: check_geometry */
    } else {
        return perr(c, path, "missing key \"page_count\" (or \"ram_budget\")");
    }
    if (jp) {
        join(p, sizeof p, path, "policy");
        if (policy_list(c, jp, p, pols, &np)) return -1;
    } else {
        pols[0] = VM_DEFAULT_POLICY;
        np = 1;
    }
    int multi = ns > 1 || nc > 1 || np > 1 || jb != NULL;
    for (int i = 0; i < ns; i++) {
        int ncounts = jb ? 1 : nc;
        for (int k = 0; k < ncounts; k++) {
            uint64_t pc = jb ? budget / sizes[i] : counts[k];
            if (check_geometry(c, path, sizes[i], pc)) return -1;
            for (int q = 0; q < np; q++) {
                struct named_pager np_;
                memset(&np_, 0, sizeof np_);
                np_.d = base;
                np_.d.page_size = (uint16_t)sizes[i];
                np_.d.page_count = (vm_slot_t)pc;
                np_.d.policy = (uint8_t)pols[q];
                snprintf(np_.base, sizeof np_.base, "%s", name);
                if (multi)
                    snprintf(np_.name, sizeof np_.name, "%s:%llux%llu:%s", name,
                             (unsigned long long)pc, (unsigned long long)sizes[i],
                             vm_policy_name((unsigned)pols[q]));
                else
                    snprintf(np_.name, sizeof np_.name, "%s", name);
                if (push_pager(out, nout, &np_)) return perr(c, path, "out of memory");
            }
        }
    }
    return 0;
}

/* ----------------------------------------------------------- workloads */

/* "page_size" is the old name of "id_bytes" (txt: bytes per page id): still
 * read, with a deprecation note on stderr. */
static const char *const workload_keys[] = {"trace",     "generator",  "format",  "id_bytes",
                                            "page_size", "pool_size",  "fold",    "fold_block",
                                            "fetches",   "comment",    NULL};

static char *resolve_path(const char *file, const char *rel)
{
    if (rel[0] == '/') return strdup(rel);
    const char *slash = strrchr(file, '/');
    size_t dl = slash ? (size_t)(slash - file + 1) : 0;
    char *out = malloc(dl + strlen(rel) + 1);
    if (!out) return NULL;
    memcpy(out, file, dl);
    strcpy(out + dl, rel);
    return out;
}

static int parse_workload(struct ctx *c, const char *name, const cJSON *o, const char *path,
                          struct vms_workload *w)
{
    char p[256];
    memset(w, 0, sizeof *w);
    if (strlen(name) >= sizeof w->name)
        return perr(c, path, "name too long (at most %u characters)", (unsigned)sizeof w->name - 1);
    snprintf(w->name, sizeof w->name, "%s", name);
    cat3(w->where, sizeof w->where, c->file, ": ", path);
    if (!cJSON_IsObject(o)) return perr(c, path, "expected an object, got %s", type_name(o));
    if (check_keys(c, o, path, workload_keys)) return -1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "trace");
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "generator");
    if (!t == !g) return perr(c, path, "expected exactly one of \"trace\" (a file) or \"generator\"");
    if (g) {
        join(p, sizeof p, path, "generator");
        if (!cJSON_IsObject(g)) return perr(c, p, "expected an object, got %s", type_name(g));
        w->generator = cJSON_Duplicate(g, 1);
        if (!w->generator) return perr(c, p, "out of memory");
        cat3(w->where, sizeof w->where, c->file, ": ", p);
        return 0;
    }
    join(p, sizeof p, path, "trace");
    if (!cJSON_IsString(t) || !t->valuestring[0])
        return perr(c, p, "expected a file name, got %s", type_name(t));
    w->path = resolve_path(c->file, t->valuestring);
    if (!w->path) return perr(c, p, "out of memory");
    if (opt_str(c, o, "format", path, w->format, sizeof w->format)) return -1;
    uint64_t u = 0;
    const char *idk = "id_bytes";
    if (cJSON_GetObjectItemCaseSensitive(o, "page_size")) {
        if (cJSON_GetObjectItemCaseSensitive(o, "id_bytes"))
            return perr(c, path, "\"page_size\" is the old name of \"id_bytes\": give only \"id_bytes\"");
        idk = "page_size";
        fprintf(stderr, "%s: %s.page_size: deprecated, write \"id_bytes\" (txt: bytes per page id)\n",
                c->file, path);
    }
    if (opt_uint(c, o, idk, path, 1, 1u << 20, &u)) return -1;
    w->opts.id_bytes = (uint32_t)u;
    u = 0;
    if (opt_uint(c, o, "pool_size", path, 1, 0x80000000u, &u)) return -1;
    w->opts.pool_size = u;
    u = 0;
    if (opt_uint(c, o, "fold_block", path, 16, 1u << 30, &u)) return -1;
    if (u & (u - 1)) {
        join(p, sizeof p, path, "fold_block");
        return perr(c, p, "expected a power of two, got %llu", (unsigned long long)u);
    }
    w->opts.fold_block = (uint32_t)u;
    int fe = 0;
    if (opt_bool(c, o, "fetches", path, &fe)) return -1;
    w->opts.fetches = (uint8_t)fe;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fold");
    if (f) {
        join(p, sizeof p, path, "fold");
        const char *s = cJSON_IsString(f) ? f->valuestring : "";
        if (strcmp(s, "compact") == 0)
            w->opts.fold = VMT_FOLD_COMPACT;
        else if (strcmp(s, "none") == 0)
            w->opts.fold = VMT_FOLD_NONE;
        else if (strcmp(s, "mod") == 0)
            w->opts.fold = VMT_FOLD_MOD;
        else
            return perr(c, p, "expected \"compact\", \"none\" or \"mod\"");
    }
    return 0;
}

/* ---------------------------------------------------------- the runs */

struct settings {
    int verify;               /* enum vmr_verify */
    int flush_at_end;
    struct vms_expect expect;
};

static int parse_verify(struct ctx *c, const cJSON *o, const char *path, int *v)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "verify");
    if (!j) return 0;
    char p[256];
    join(p, sizeof p, path, "verify");
    if (cJSON_IsBool(j))
        *v = cJSON_IsTrue(j) ? VMR_VERIFY_ON : VMR_VERIFY_OFF;
    else if (cJSON_IsString(j) && strcmp(j->valuestring, "auto") == 0)
        *v = VMR_VERIFY_AUTO;
    else
        return perr(c, p, "expected true, false or \"auto\", got %s", type_name(j));
    return 0;
}

static const char *const expect_keys[] = {"max_traffic_ratio", "min_hit_ratio", NULL};

static int parse_settings(struct ctx *c, const cJSON *o, const char *path, struct settings *s)
{
    if (parse_verify(c, o, path, &s->verify)) return -1;
    if (opt_bool(c, o, "flush_at_end", path, &s->flush_at_end)) return -1;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "expect");
    if (e) {
        char p[256];
        join(p, sizeof p, path, "expect");
        if (!cJSON_IsObject(e)) return perr(c, p, "expected an object, got %s", type_name(e));
        if (check_keys(c, e, p, expect_keys)) return -1;
        if (opt_num(c, e, "max_traffic_ratio", p, 0, 1e12, &s->expect.max_traffic_ratio))
            return -1;
        if (opt_num(c, e, "min_hit_ratio", p, 0, 1, &s->expect.min_hit_ratio)) return -1;
    }
    return 0;
}

/* The named backends, pagers and workloads runs pick from (the workloads
 * are the scenario's own). */
struct tables {
    struct named_backend *be;
    size_t nbe;
    struct named_pager *pg;
    size_t npg;
    const struct vms_scenario *sc;
};

/* The tables by index, in the order of a run's keys. */
enum { T_BACKEND, T_PAGER, T_WORKLOAD, T_COUNT };
static const char *const table_entry[T_COUNT] = {"backend", "pager", "workload"};
static const char *const table_list[T_COUNT] = {"backends", "pagers", "workloads"};

static size_t table_size(const struct tables *tb, int t)
{
    return t == T_BACKEND ? tb->nbe : t == T_PAGER ? tb->npg : tb->sc->nworkloads;
}

/* Entry i's name in table t. */
static const char *entry_name(const struct tables *tb, int t, size_t i)
{
    return t == T_BACKEND ? tb->be[i].name
           : t == T_PAGER ? tb->pg[i].name
                          : tb->sc->workloads[i].name;
}

/* What a name selects in table t: entries first .. first + count - 1.
 * A pager's name in the file selects its whole expansion, an expanded
 * pager's name or any other entry's name that entry alone. 0: no such name. */
static int find(const struct tables *tb, int t, const char *name, size_t *first, size_t *count)
{
    size_t n = table_size(tb, t);
    for (size_t i = 0; i < n; i++) {
        *first = i;
        *count = 1;
        if (t == T_PAGER && strcmp(tb->pg[i].base, name) == 0) {
            while (i + *count < n && strcmp(tb->pg[i + *count].base, name) == 0) ++*count;
            return 1;
        }
        if (strcmp(entry_name(tb, t, i), name) == 0) return 1;
    }
    return 0;
}

static int add_run(struct ctx *c, struct vms_scenario *sc, const struct named_backend *b,
                   const struct named_pager *p, size_t w, const struct settings *s,
                   const cJSON *ovr, const char *ovr_path)
{
    struct vms_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.backend, sizeof r.backend, "%s", b->name);
    snprintf(r.pager, sizeof r.pager, "%s", p->name);
    snprintf(r.workload, sizeof r.workload, "%s", sc->workloads[w].name);
    r.workload_index = w;
    r.cfg.backend = b->d;
    r.cfg.pager = p->d;
    r.cfg.verify = (uint8_t)s->verify;
    r.cfg.flush_at_end = (uint8_t)s->flush_at_end;
    r.cfg.tolerate_errors = (uint8_t)b->tolerate;
    r.expect = s->expect;
    if (ovr) {
        char q[256];
        int tol = b->tolerate;
        const cJSON *ob = cJSON_GetObjectItemCaseSensitive(ovr, "backend");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(ovr, "pager");
        static const char *const ok[] = {"backend", "pager", NULL};
        if (!cJSON_IsObject(ovr)) return perr(c, ovr_path, "expected an object");
        if (check_keys(c, ovr, ovr_path, ok)) return -1;
        if (ob) {
            join(q, sizeof q, ovr_path, "backend");
            if (parse_backend(c, ob, q, &r.cfg.backend, &tol, 0)) return -1;
            r.cfg.tolerate_errors = (uint8_t)tol;
        }
        if (op) {
            static const char *const pk[] = {"page_size", "page_count", "policy", "clean_first",
                                             "bounce_size", "heap_blocks", NULL};
            join(q, sizeof q, ovr_path, "pager");
            if (!cJSON_IsObject(op)) return perr(c, q, "expected an object");
            if (check_keys(c, op, q, pk)) return -1;
            if (pager_scalars(c, op, q, &r.cfg.pager)) return -1;
            uint64_t ps = r.cfg.pager.page_size, pc = r.cfg.pager.page_count;
            if (opt_uint(c, op, "page_size", q, VM_PAGE_SIZE_MIN, VM_PAGE_SIZE_MAX, &ps)) return -1;
            if (opt_uint(c, op, "page_count", q, 1, UINT32_MAX, &pc)) return -1; /* limit: check_geometry */
            if (check_geometry(c, q, ps, pc)) return -1;
            r.cfg.pager.page_size = (uint16_t)ps;
            r.cfg.pager.page_count = (vm_slot_t)pc;
            const cJSON *pol = cJSON_GetObjectItemCaseSensitive(op, "policy");
            if (pol) {
                char qq[256];
                join(qq, sizeof qq, q, "policy");
                int v = cJSON_IsString(pol) ? vmr_policy_from_name(pol->valuestring) : -1;
                if (v < 0) return perr(c, qq, "expected fifo, lru, clock or sieve");
                r.cfg.pager.policy = (uint8_t)v;
            }
            snprintf(r.pager, sizeof r.pager, "%s:%ux%u:%s*", p->base,
                     (unsigned)r.cfg.pager.page_count, (unsigned)r.cfg.pager.page_size,
                     vm_policy_name(r.cfg.pager.policy));
        }
    }
    struct vms_run *g = realloc(sc->runs, (sc->nruns + 1) * sizeof *g);
    if (!g) return perr(c, ovr_path, "out of memory");
    sc->runs = g;
    g[sc->nruns++] = r;
    return 0;
}

/* Names in a list (or "all", or missing = all) -> indices into table t. */
static int name_list(struct ctx *c, const cJSON *j, const char *path, const struct tables *tb,
                     int t, size_t *sel, size_t *nsel)
{
    const char *what = table_entry[t];
    size_t total = table_size(tb, t);
    *nsel = 0;
    if (!j || (cJSON_IsString(j) && strcmp(j->valuestring, "all") == 0)) {
        for (size_t i = 0; i < total; i++) sel[(*nsel)++] = i;
        return 0;
    }
    const cJSON *arr = j;
    cJSON *tmp = NULL;
    if (cJSON_IsString(j)) {
        tmp = cJSON_CreateArray();
        cJSON_AddItemToArray(tmp, cJSON_CreateString(j->valuestring));
        arr = tmp;
    }
    if (!cJSON_IsArray(arr)) {
        return perr(c, path, "expected a list of %s names or \"all\", got %s", what,
                    type_name(j));
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        char p[256];
        if (tmp)
            snprintf(p, sizeof p, "%s", path);
        else
            join_i(p, sizeof p, path, i);
        size_t first, count;
        if (!cJSON_IsString(e) || !find(tb, t, e->valuestring, &first, &count)) {
            cJSON_Delete(tmp);
            return perr(c, p, "no %s named %s%s%s", what, cJSON_IsString(e) ? "\"" : "",
                        cJSON_IsString(e) ? e->valuestring : type_name(e),
                        cJSON_IsString(e) ? "\"" : "");
        }
        for (size_t k = 0; k < count; k++) sel[(*nsel)++] = first + k;
        i++;
    }
    cJSON_Delete(tmp);
    return 0;
}

static const char *const matrix_keys[] = {"backends", "pagers", "workloads",    "verify",
                                          "expect",   "comment", "flush_at_end", NULL};
static const char *const run_keys[] = {"backend", "pager",    "workload", "verify",      "expect",
                                       "override", "comment", "flush_at_end", NULL};

static int parse_matrix(struct ctx *c, struct vms_scenario *sc, struct tables *tb,
                        const cJSON *m, const char *path, const struct settings *top)
{
    struct settings s = *top;
    size_t *sel[T_COUNT] = {NULL, NULL, NULL}, nsel[T_COUNT];
    int rc = -1;
    char p[256];
    if (cJSON_IsString(m) && strcmp(m->valuestring, "all") == 0) {
        m = NULL;
    } else {
        if (!cJSON_IsObject(m))
            return perr(c, path, "expected \"all\" or an object with backends, pagers, workloads");
        if (check_keys(c, m, path, matrix_keys)) return -1;
        if (parse_settings(c, m, path, &s)) return -1;
    }
    for (int t = 0; t < T_COUNT; t++) {
        const cJSON *list = m ? cJSON_GetObjectItemCaseSensitive(m, table_list[t]) : NULL;
        /* Each list entry selects at most every entry of its table. */
        size_t most = 1 + (cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0);
        sel[t] = malloc((table_size(tb, t) + 1) * most * sizeof *sel[t]);
        if (!sel[t]) goto out;
        join(p, sizeof p, path, table_list[t]);
        if (name_list(c, list, p, tb, t, sel[t], &nsel[t])) goto out;
    }
    for (size_t i = 0; i < nsel[T_BACKEND]; i++)
        for (size_t j = 0; j < nsel[T_PAGER]; j++)
            for (size_t k = 0; k < nsel[T_WORKLOAD]; k++)
                if (add_run(c, sc, &tb->be[sel[T_BACKEND][i]], &tb->pg[sel[T_PAGER][j]],
                            sel[T_WORKLOAD][k], &s, NULL, path))
                    goto out;
    rc = 0;
out:
    for (int t = 0; t < T_COUNT; t++) free(sel[t]);
    return rc;
}

static int parse_run(struct ctx *c, struct vms_scenario *sc, struct tables *tb, const cJSON *r,
                     const char *path, const struct settings *top)
{
    char p[256];
    struct settings s = *top;
    if (!cJSON_IsObject(r)) return perr(c, path, "expected an object, got %s", type_name(r));
    if (check_keys(c, r, path, run_keys)) return -1;
    if (parse_settings(c, r, path, &s)) return -1;
    size_t first[T_COUNT], count[T_COUNT];
    for (int t = 0; t < T_COUNT; t++) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(r, table_entry[t]);
        join(p, sizeof p, path, table_entry[t]);
        if (!j) return perr(c, path, "missing key \"%s\"", table_entry[t]);
        if (!cJSON_IsString(j)) return perr(c, p, "expected a name, got %s", type_name(j));
        if (!find(tb, t, j->valuestring, &first[t], &count[t]))
            return perr(c, p, "no %s named \"%s\"", table_entry[t], j->valuestring);
    }
    const cJSON *ovr = cJSON_GetObjectItemCaseSensitive(r, "override");
    join(p, sizeof p, path, "override");
    for (size_t k = 0; k < count[T_PAGER]; k++)
        if (add_run(c, sc, &tb->be[first[T_BACKEND]], &tb->pg[first[T_PAGER] + k],
                    first[T_WORKLOAD], &s, ovr, p))
            return -1;
    return 0;
}

static const char *const top_keys[] = {"name",   "description", "verify", "expect", "opt", "flush_at_end",
                                       "backends", "pagers",    "workloads", "matrix", "runs",
                                       "comment", NULL};

static void line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* The scenario's name (the file's name up to its first dot unless given),
 * description, "opt" and the top-level run settings. */
static int parse_head(struct ctx *c, const cJSON *root, const char *path, struct vms_scenario *sc,
                      struct settings *top)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (opt_str(c, root, "name", "$", sc->name, sizeof sc->name)) return -1;
    if (!sc->name[0]) { /* the file's name up to its first dot */
        size_t n = strcspn(base, ".");
        if (n >= sizeof sc->name) {
            perr(c, "$", "the file name is too long for the scenario's name (at most %u "
                 "characters): give a \"name\"", (unsigned)sizeof sc->name - 1);
            return -1;
        }
        snprintf(sc->name, sizeof sc->name, "%.*s", (int)n, base);
    }
    if (opt_str(c, root, "description", "$", sc->description, sizeof sc->description)) return -1;
    if (opt_bool(c, root, "opt", "$", &sc->opt)) return -1;
    if (parse_settings(c, root, "$", top)) return -1;
    return 0;
}

static int parse_named_backend(struct ctx *c, const char *name, const cJSON *o, const char *path,
                               struct named_backend *b)
{
    memset(b, 0, sizeof *b);
    if (strlen(name) >= sizeof b->name)
        return perr(c, path, "name too long (at most %u characters)", (unsigned)sizeof b->name - 1);
    snprintf(b->name, sizeof b->name, "%s", name);
    return parse_backend(c, o, path, &b->d, &b->tolerate, 1);
}

/* Parse o (its path in the file), called o->string, as a new last entry of
 * table t. A workload counts before it is parsed: vms_free frees what a
 * failed parse left in it. */
static int add_entry(struct ctx *c, struct vms_scenario *sc, struct tables *tb, int t,
                     const cJSON *o, const char *path)
{
    if (t == T_PAGER) return parse_pager(c, o->string, o, path, &tb->pg, &tb->npg);
    if (t == T_WORKLOAD) {
        struct vms_workload *w = realloc(sc->workloads, (sc->nworkloads + 1) * sizeof *w);
        if (!w) return -1;
        sc->workloads = w;
        return parse_workload(c, o->string, o, path, &w[sc->nworkloads++]);
    }
    struct named_backend *b = realloc(tb->be, (tb->nbe + 1) * sizeof *b);
    if (!b) return -1;
    tb->be = b;
    if (parse_named_backend(c, o->string, o, path, &b[tb->nbe])) return -1;
    tb->nbe++;
    return 0;
}

/* The named backends, pagers and workloads the runs refer to. */
static int parse_tables(struct ctx *c, const cJSON *root, struct vms_scenario *sc, struct tables *tb)
{
    char p[256];
    const cJSON *sj[T_COUNT];
    for (int i = 0; i < T_COUNT; i++) {
        sj[i] = cJSON_GetObjectItemCaseSensitive(root, table_list[i]);
        join(p, sizeof p, "$", table_list[i]);
        if (!sj[i]) {
            perr(c, "$", "missing key \"%s\"", table_list[i]);
            return -1;
        }
        if (!cJSON_IsObject(sj[i]) || cJSON_GetArraySize(sj[i]) == 0) {
            perr(c, p, "expected an object of named %s, got %s", table_list[i],
                 cJSON_IsObject(sj[i]) ? "an empty object" : type_name(sj[i]));
            return -1;
        }
    }
    for (int t = 0; t < T_COUNT; t++) {
        char list[16];
        const cJSON *it;
        join(list, sizeof list, "$", table_list[t]);
        cJSON_ArrayForEach(it, sj[t])
        {
            join(p, sizeof p, list, it->string);
            if (add_entry(c, sc, tb, t, it, p)) return -1;
        }
    }
    return 0;
}

/* What to run: "matrix" (one or a list) and "runs"; at least one run. */
static int parse_selection(struct ctx *c, const cJSON *root, struct vms_scenario *sc,
                           struct tables *tb, const struct settings *top)
{
    char p[256];
    const cJSON *it;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "matrix");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    if (!m && !runs) {
        perr(c, "$", "missing key \"matrix\" or \"runs\" (what to run)");
        return -1;
    }
    if (m) {
        if (cJSON_IsArray(m)) {
            int i = 0;
            cJSON_ArrayForEach(it, m)
            {
                join_i(p, sizeof p, "$.matrix", i++);
                if (parse_matrix(c, sc, tb, it, p, top)) return -1;
            }
        } else if (parse_matrix(c, sc, tb, m, "$.matrix", top)) {
            return -1;
        }
    }
    if (runs) {
        if (!cJSON_IsArray(runs)) {
            perr(c, "$.runs", "expected a list of runs, got %s", type_name(runs));
            return -1;
        }
        int i = 0;
        cJSON_ArrayForEach(it, runs)
        {
            join_i(p, sizeof p, "$.runs", i++);
            if (parse_run(c, sc, tb, it, p, top)) return -1;
        }
    }
    if (sc->nruns == 0) {
        perr(c, "$", "the scenario selects no runs");
        return -1;
    }
    return 0;
}

int vms_parse(const char *text, size_t len, const char *path, struct vms_scenario *sc, char *err,
              size_t errlen)
{
    struct ctx c = {path, err, errlen};
    struct tables tb = {NULL, 0, NULL, 0, sc};
    struct settings top;
    int rc = -1;
    memset(sc, 0, sizeof *sc);
    memset(&top, 0, sizeof top);
    top.verify = VMR_VERIFY_AUTO;
    sc->opt = 1;
    sc->path = strdup(path);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        int line, col;
        const char *at = cJSON_GetErrorPtr();
        if (!at || at < text || at > text + len) at = text + len;
        line_col(text, at, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: malformed JSON (expected a value, a comma or a closing bracket here)",
                 path, line, col);
        vms_free(sc);
        return -1;
    }
    if (!cJSON_IsObject(root)) {
        perr(&c, "$", "expected an object at the top, got %s", type_name(root));
        goto out;
    }
    if (check_keys(&c, root, "$", top_keys)) goto out;
    if (parse_head(&c, root, path, sc, &top) || parse_tables(&c, root, sc, &tb) ||
        parse_selection(&c, root, sc, &tb, &top))
        goto out;
    rc = 0;
out:
    free(tb.be);
    free(tb.pg);
    cJSON_Delete(root);
    if (rc) vms_free(sc);
    return rc;
}

int vms_load(const char *path, struct vms_scenario *sc, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (cap >= (64u << 20)) {
            free(buf);
            fclose(f);
            snprintf(err, errlen, "%s: larger than 64 MiB; not a scenario file", path);
            return -1;
        }
        char *g = realloc(buf, cap * 2);
        if (!g) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = g;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    if (n == 0) {
        free(buf);
        snprintf(err, errlen, "%s: empty file (expected a scenario: a JSON object)", path);
        return -1;
    }
    int rc = vms_parse(buf, n, path, sc, err, errlen);
    free(buf);
    if (rc == 0 && vms_check_workloads(sc, err, errlen) != 0) {
        vms_free(sc);
        return -1;
    }
    return rc;
}

int vms_check_workloads(const struct vms_scenario *sc, char *err, size_t errlen)
{
    for (size_t w = 0; w < sc->nworkloads; w++) {
        const struct vms_workload *wl = &sc->workloads[w];
        char msg[512];
        struct vmt_source *s = vms_open_workload(sc, w, msg, sizeof msg);
        if (s) {
            vmt_close(s);
            continue;
        }
        /* A generator's message names its JSON path; a trace's names the file. */
        if (wl->generator)
            snprintf(err, errlen, "%s", msg);
        else
            snprintf(err, errlen, "%s.trace: %s", wl->where, msg);
        return -1;
    }
    return 0;
}

void vms_free(struct vms_scenario *sc)
{
    for (size_t i = 0; i < sc->nworkloads; i++) {
        free(sc->workloads[i].path);
        cJSON_Delete(sc->workloads[i].generator);
    }
    free(sc->workloads);
    free(sc->runs);
    free(sc->path);
    memset(sc, 0, sizeof *sc);
}

struct vmt_source *vms_open_workload(const struct vms_scenario *sc, size_t w, char *err,
                                     size_t errlen)
{
    const struct vms_workload *wl = &sc->workloads[w];
    if (wl->generator) return vmt_open_generator(wl->generator, wl->where, err, errlen);
    return vmt_open(wl->path, wl->format[0] ? wl->format : NULL, &wl->opts, err, errlen);
}
