/*
 * vmtrace.c - the format-independent part of vmtrace: opening by format or
 * detection, the iterator entry points, writers, conversion, and the small
 * shared helpers (errors, the u64 map, the PRNG).
 */
#include <ctype.h>
#include <sys/stat.h>

#include "vmt_internal.h"

/* ---- errors and helpers ------------------------------------------------- */

int vmt_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int vmt_first_errf(int *failed, char *err, size_t errlen, const char *fmt, ...)
{
    if (!*failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        *failed = -1;
    }
    return -1;
}

void *vmt_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
    size_t nc;
    void *na;
    if (n < *cap) return arr;
    nc = *cap ? *cap * 2 : first;
    na = realloc(arr, nc * size);
    if (na) *cap = nc;
    return na;
}

char *vmt_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

struct vmt_source *vmt_source_new(size_t size, const struct vmt_source_ops *ops,
                                  const char *path, const char *format)
{
    struct vmt_source *s = calloc(1, size);
    if (!s) return NULL;
    s->ops = ops;
    s->path = vmt_strdup(path ? path : "(trace)");
    if (!s->path) {
        free(s);
        return NULL;
    }
    s->info.format = format;
    return s;
}

const char *vmt_kind_name(unsigned kind)
{
    static const char *const names[VMT_KIND_COUNT] = {
        "read", "write", "lock", "unlock", "memset", "memcpy",
        "flush", "invalidate", "alloc", "free", "phase", "compute"};
    return kind < VMT_KIND_COUNT ? names[kind] : "?";
}

/* ---- the u64 map -------------------------------------------------------- */

static size_t map_slot(uint64_t key, size_t mask)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & mask;
}

static int map_grow(struct vmt_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024, i;
    uint64_t *nk = malloc(ncap * sizeof *nk);
    uint32_t *nv = malloc(ncap * sizeof *nv);
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return -1;
    }
    for (i = 0; i < ncap; i++) nv[i] = UINT32_MAX;
    for (i = 0; i < m->cap; i++) {
        if (m->vals[i] != UINT32_MAX) {
            size_t j = map_slot(m->keys[i], ncap - 1);
            while (nv[j] != UINT32_MAX) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return 0;
}

uint32_t vmt_map_get(struct vmt_map *m, uint64_t key, int *fresh)
{
    size_t j;
    if (fresh) *fresh = 0;
    if ((m->count + 1) * 2 > m->cap && map_grow(m) < 0) return UINT32_MAX;
    if (m->count >= UINT32_MAX - 1) return UINT32_MAX;
    j = map_slot(key, m->cap - 1);
    while (m->vals[j] != UINT32_MAX) {
        if (m->keys[j] == key) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->vals[j] = (uint32_t)m->count++;
    if (fresh) *fresh = 1;
    return m->vals[j];
}

uint32_t vmt_map_find(const struct vmt_map *m, uint64_t key)
{
    size_t j;
    if (!m->cap) return UINT32_MAX;
    j = map_slot(key, m->cap - 1);
    while (m->vals[j] != UINT32_MAX) {
        if (m->keys[j] == key) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return UINT32_MAX;
}

void vmt_map_clear(struct vmt_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- PRNG --------------------------------------------------------------- */

/* xoshiro256** seeded by splitmix64 (backends/rng/vm_rng.h). */
void vmt_rng_seed(struct vmt_rng *r, uint64_t seed) { vm_rng256_seed(&r->g, seed); }

uint64_t vmt_rng_next(struct vmt_rng *r) { return vm_rng256_next(&r->g); }

uint64_t vmt_rng_below(struct vmt_rng *r, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
    do x = vmt_rng_next(r); while (x >= lim);
    return x % n;
}

double vmt_rng_unit(struct vmt_rng *r) { return (double)(vmt_rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

/* ---- opening ------------------------------------------------------------ */

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash)) return "";
    return dot + 1;
}

const char *vmt_format_from_name(const char *path)
{
    const char *e = ext_of(path);
    if (!strcmp(e, "vmt") || !strcmp(e, "bin")) return "binary";
    if (!strcmp(e, "json")) return "json";
    if (!strcmp(e, "din")) return "din";
    if (!strcmp(e, "txt")) return "txt";
    if (!strcmp(e, "lackey")) return "lackey";
    return NULL;
}

static const char *canon_format(const char *f)
{
    static const char *const names[][2] = {
        {"binary", "binary"}, {"vmt", "binary"}, {"bin", "binary"}, {"json", "json"},
        {"din", "din"}, {"lackey", "lackey"}, {"txt", "txt"}, {"generator", "generator"},
        {"gen", "generator"}};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(f, names[i][0])) return names[i][1];
    return NULL;
}

/* Guesses the format of a file from its first bytes. */
static const char *sniff(const char *path, char *err, size_t errlen)
{
    unsigned char buf[256];
    size_t n, i;
    const char *byname;
    FILE *f = fopen(path, "rb");
    if (!f) {
        vmt_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (n >= 8 && !memcmp(buf, "\x89VMT\r\n\x1a\n", 8)) return "binary";
    byname = vmt_format_from_name(path);
    if (byname) return byname;
    for (i = 0; i < n && isspace(buf[i]); i++) {}
    if (i < n && buf[i] == '{') return "json";
    if (n >= 2 && ((buf[0] == '=' && buf[1] == '=') || (buf[0] == '-' && buf[1] == '-') ||
                   (buf[0] == 'I' && buf[1] == ' ') ||
                   (buf[0] == ' ' && (buf[1] == 'L' || buf[1] == 'S' || buf[1] == 'M'))))
        return "lackey";
    if (n >= 2 && strchr("rwimcv01234", buf[0]) && buf[1] == ' ') return "din";
    if (n >= 1 && isdigit(buf[0])) return "txt";
    vmt_errf(err, errlen, "%s: unknown trace format (expected binary, .json, .din, lackey or .txt)",
             path);
    return NULL;
}

struct vmt_source *vmt_open(const char *path, const char *format, const struct vmt_open_opts *opts,
                            char *err, size_t errlen)
{
    return vmt_open_ops(path, format, opts, 0, err, errlen);
}

struct vmt_source *vmt_open_ops(const char *path, const char *format, const struct vmt_open_opts *opts,
                                uint64_t ops, char *err, size_t errlen)
{
    const char *f;
    struct stat st;
    if (!path) {
        vmt_errf(err, errlen, "no trace file given");
        return NULL;
    }
    if (stat(path, &st) != 0) {
        vmt_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        vmt_errf(err, errlen, "%s: empty file (expected a trace)", path);
        return NULL;
    }
    if (format) {
        f = canon_format(format);
        if (!f) {
            vmt_errf(err, errlen, "%s: unknown format \"%s\" (expected binary, json, din, lackey, txt)",
                     path, format);
            return NULL;
        }
    } else {
        f = sniff(path, err, errlen);
        if (!f) return NULL;
    }
    if (!strcmp(f, "binary")) return vmt_open_binary(path, err, errlen);
    if (!strcmp(f, "json") || !strcmp(f, "generator")) return vmt_open_json(path, ops, err, errlen);
    return vmt_open_text(path, f, opts, err, errlen);
}

struct vmt_source *vmt_open_generator(const cJSON *spec, const char *where, char *err, size_t errlen)
{
    return vmt_open_generator_at(spec, where, 0, err, errlen);
}

int vmt_next(struct vmt_source *s, struct vmt_op *op)
{
    if (s->failed) return s->failed;
    return s->ops->next(s, op);
}

int vmt_rewind(struct vmt_source *s)
{
    if (s->failed) return s->failed;
    return s->ops->rewind(s);
}

const struct vmt_info *vmt_info(const struct vmt_source *s) { return &s->info; }

size_t vmt_memory(const struct vmt_source *s)
{
    return sizeof *s + strlen(s->path) + 1 + (s->ops->memory ? s->ops->memory(s) : 0);
}

const char *vmt_error(const struct vmt_source *s) { return s->failed ? s->err : ""; }

void vmt_close(struct vmt_source *s)
{
    if (!s) return;
    s->ops->close(s);
    free(s->path);
    free(s);
}

/* ---- writers ------------------------------------------------------------ */

struct vmt_writer *vmt_writer_open(const char *path, const char *format, uint64_t pool_size,
                                   const struct vmt_open_opts *opts, char *err, size_t errlen)
{
    struct vmt_writer *w = NULL;
    const char *f = format ? canon_format(format) : vmt_format_from_name(path);
    int rc;
    if (!f || !strcmp(f, "generator") || !strcmp(f, "lackey")) {
        vmt_errf(err, errlen, "%s: cannot write format \"%s\" (expected binary, json, din or txt)",
                 path, format ? format : "(from the name)");
        return NULL;
    }
    if (!strcmp(f, "binary")) rc = vmt_writer_init_binary(&w);
    else if (!strcmp(f, "json")) rc = vmt_writer_init_json(&w);
    else rc = vmt_writer_init_text(&w, f);
    if (rc < 0 || !w) {
        vmt_errf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    w->path = vmt_strdup(path);
    w->pool_size = pool_size;
    if (opts) w->opts = *opts;
    w->f = fopen(path, "wb");
    if (!w->f || !w->path) {
        vmt_errf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        if (w->f) fclose(w->f);
        w->f = NULL;
        w->ops->close(w);
        free(w->path);
        free(w);
        return NULL;
    }
    if (w->ops->put(w, NULL) < 0) { /* put(NULL) writes the header */
        vmt_errf(err, errlen, "%s", w->err);
        fclose(w->f);
        w->f = NULL;
        w->ops->close(w);
        free(w->path);
        free(w);
        return NULL;
    }
    return w;
}

int vmt_writer_put(struct vmt_writer *w, const struct vmt_op *op)
{
    if (w->failed) return w->failed;
    if (op->kind >= VMT_KIND_COUNT) return vmt_fail(w, "%s: op %llu: bad kind %u", w->path,
                                                      (unsigned long long)w->count, op->kind);
    if (w->ops->put(w, op) < 0) return -1;
    w->count++;
    return 0;
}

int vmt_writer_close(struct vmt_writer *w, char *err, size_t errlen)
{
    int rc = 0;
    if (!w) return 0;
    if (w->ops->close(w) < 0) rc = -1;
    if (w->f) {
        if (ferror(w->f)) vmt_fail(w, "%s: write error", w->path);
        if (fclose(w->f) != 0) vmt_fail(w, "%s: write error: %s", w->path, strerror(errno));
    }
    if (w->failed) {
        vmt_errf(err, errlen, "%s", w->err);
        rc = -1;
    }
    free(w->path);
    free(w);
    return rc;
}

int vmt_write_source(struct vmt_source *s, const char *out, const char *out_format,
                     const struct vmt_open_opts *opts, uint64_t max_ops, char *err, size_t errlen)
{
    struct vmt_op op;
    uint64_t n = 0;
    int rc;
    struct vmt_writer *w = vmt_writer_open(out, out_format, s->info.pool_size, opts, err, errlen);
    if (!w) return -1;
    while ((max_ops == 0 || n < max_ops) && (rc = vmt_next(s, &op)) == 1) {
        if (vmt_writer_put(w, &op) < 0) break;
        n++;
    }
    if (s->failed || (max_ops && n < max_ops && !w->failed)) {
        if (s->failed)
            vmt_errf(err, errlen, "%s", s->err);
        else
            vmt_errf(err, errlen, "%s: %llu ops, fewer than the %llu asked (only generators are "
                     "lengthened)", s->path, (unsigned long long)n, (unsigned long long)max_ops);
        vmt_writer_close(w, NULL, 0);
        remove(out);
        return -1;
    }
    return vmt_writer_close(w, err, errlen);
}

int vmt_convert(const char *in, const char *in_format, const char *out, const char *out_format,
                const struct vmt_open_opts *opts, char *err, size_t errlen)
{
    int rc;
    struct vmt_source *s;
    if (in && out && !strcmp(in, out))
        return vmt_errf(err, errlen, "%s: input and output are the same file", in);
    s = vmt_open(in, in_format, opts, err, errlen);
    if (!s) return -1;
    rc = vmt_write_source(s, out, out_format, opts, 0, err, errlen);
    vmt_close(s);
    return rc;
}
