/*
 * vmt_text.c - streaming importers for foreign text traces (valgrind
 * lackey, Dinero IV din, id-per-line txt) and the din/txt writers.
 *
 * An importer reads its file twice: once at open, to check every line (so
 * a bad line is reported before any replay starts), count the ops and fold
 * the addresses into a pool (enum vmt_fold), and then line by line on each
 * pass. Memory is one line buffer plus the fold map, which grows with the
 * number of distinct blocks (or ids), never with the number of lines.
 */
#include <ctype.h>

#include "vmt_internal.h"



enum { FMT_LACKEY, FMT_DIN, FMT_TXT };

struct raw {
    uint8_t kind;
    uint64_t addr; /* foreign address (txt: the id) */
    uint64_t len;
};

struct text_source {
    struct vmt_source base;
    FILE *f;
    int fmt;
    struct vmt_open_opts opts;
    char *line;
    size_t linecap;
    uint64_t lineno;
    struct vmt_map map;
    uint64_t block; /* COMPACT block size (txt: page size) */
    unsigned shift;
    struct raw pend[2]; /* accesses of the current line not yet emitted */
    int npend, ipend;
    uint64_t max_end; /* prescan: highest end address (NONE) */
    int prescan;
};

static int tx_err(struct text_source *t, const char *what)
{
    return vmt_fail(&t->base, "%s:%llu: %s", t->base.path, (unsigned long long)t->lineno, what);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* Parses an unsigned number in base 16 or 10; NULL when there is none. */
static const char *parse_num(const char *p, int base, uint64_t *v)
{
    uint64_t x = 0;
    const char *s = p;
    if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2, s = p;
    for (;; p++) {
        int d;
        if (*p >= '0' && *p <= '9') d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
        else break;
        if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return NULL; /* overflow */
        x = x * (uint64_t)base + (uint64_t)d;
    }
    if (p == s) return NULL;
    *v = x;
    return p;
}

static int at_end(const char *p)
{
    p = skip_ws(p);
    return *p == 0 || *p == '\n' || *p == '\r';
}

/* A din comment "# compute N cycles" or "# compute N ns" (what the din
 * writer makes of a compute op; other tools skip it as a comment). */
static int parse_compute(struct text_source *t, const char *p, struct raw *out)
{
    uint64_t n;
    p = parse_num(skip_ws(p), 10, &n);
    if (!p || (*p != ' ' && *p != '\t')) return tx_err(t, "compute: expected a decimal amount then a unit");
    if (n > UINT32_MAX) return tx_err(t, "compute: amount above 2^32-1");
    p = skip_ws(p);
    if (!strncmp(p, "cycles", 6) && at_end(p + 6)) out[0].addr = VMT_COMPUTE_CYCLES;
    else if (!strncmp(p, "ns", 2) && at_end(p + 2)) out[0].addr = VMT_COMPUTE_NS;
    else return tx_err(t, "compute: expected the unit \"cycles\" or \"ns\" at the end of the line");
    out[0].kind = VMT_COMPUTE;
    out[0].len = n;
    return 1;
}

/* Parses one line into 0..2 accesses. Returns the count, or -1. */
static int parse_line(struct text_source *t, const char *ln, struct raw *out)
{
    uint64_t a, n;
    const char *p;
    if (t->fmt == FMT_LACKEY) {
        char c;
        if ((ln[0] == '=' && ln[1] == '=') || (ln[0] == '-' && ln[1] == '-') || at_end(ln)) return 0;
        if (ln[0] == 'I' && ln[1] == ' ' && ln[2] == ' ') {
            c = 'I';
            p = ln + 3;
        } else if (ln[0] == ' ' && (ln[1] == 'L' || ln[1] == 'S' || ln[1] == 'M') && ln[2] == ' ') {
            c = ln[1];
            p = ln + 3;
        } else {
            return tx_err(t, "expected a lackey line: 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE'");
        }
        p = parse_num(p, 16, &a);
        if (!p || *p != ',') return tx_err(t, "expected a hex address then ','");
        p = parse_num(p + 1, 10, &n);
        if (!p || !at_end(p)) return tx_err(t, "expected a decimal size after ','");
        if (n == 0 || n > 65536) return tx_err(t, "size must be 1..65536");
        if (c == 'I' && !t->opts.fetches) return 0;
        out[0].addr = out[1].addr = a;
        out[0].len = out[1].len = n;
        out[0].kind = c == 'S' ? VMT_WRITE : VMT_READ;
        if (c == 'M') {
            out[1].kind = VMT_WRITE;
            return 2;
        }
        return 1;
    }
    p = skip_ws(ln);
    if (t->fmt == FMT_DIN && !strncmp(p, "# compute", 9) && (p[9] == ' ' || p[9] == '\t'))
        return parse_compute(t, p + 10, out);
    if (at_end(p) || *p == '#') return 0;
    if (t->fmt == FMT_DIN) {
        char lab = *p++;
        int kind;
        if (*p != ' ' && *p != '\t') return tx_err(t, "expected a label (r w i m c v or 0-4) and a space");
        switch (lab) {
        case 'r': case '0': kind = VMT_READ; break;
        case 'w': case '1': kind = VMT_WRITE; break;
        case 'i': case '2': kind = t->opts.fetches ? VMT_READ : -1; break;
        case 'm': case 'c': case 'v': case '3': case '4': kind = -1; break;
        default: return tx_err(t, "unknown label (expected r w i m c v or 0-4)");
        }
        p = parse_num(skip_ws(p), 16, &a);
        if (!p) return tx_err(t, "expected a hex address");
        n = 1;
        if (!at_end(p)) {
            if (*p != ' ' && *p != '\t') return tx_err(t, "expected a space then a hex size");
            p = parse_num(skip_ws(p), 16, &n);
            if (!p || !at_end(p)) return tx_err(t, "expected a hex size at the end of the line");
            if (n > 65536) return tx_err(t, "size above 0x10000");
            if (n == 0) n = 1;
        }
        if (kind < 0) return 0;
        out[0].kind = (uint8_t)kind;
        out[0].addr = a;
        out[0].len = n;
        return 1;
    }
    /* txt: ID [r|w] */
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p = parse_num(p, 16, &a);
    else p = parse_num(p, 10, &a);
    if (!p) return tx_err(t, "expected a page id (decimal, or hex with 0x)");
    out[0].kind = VMT_READ;
    if (!at_end(p)) {
        if (*p != ' ' && *p != '\t' && *p != ',') return tx_err(t, "expected a space after the id");
        p = skip_ws(p + (*p == ','));
        if (*p == 'w' || *p == 'W') out[0].kind = VMT_WRITE;
        else if (*p != 'r' && *p != 'R') return tx_err(t, "expected r or w after the id");
        if (!at_end(p + 1)) return tx_err(t, "unexpected text after r/w");
    }
    if (a > (UINT64_MAX - 1) / t->block) return tx_err(t, "page id too large");
    out[0].addr = a;
    out[0].len = 1;
    return 1;
}

/* Takes the next piece of access r: sets op's addr/len (pool addresses),
 * advances r. Returns 0, or -1 on error. */
static int fold_piece(struct text_source *t, struct raw *r, struct vmt_op *op)
{
    uint64_t piece, addr;
    if (t->fmt == FMT_TXT) {
        uint64_t id = r->addr;
        if (t->opts.fold == VMT_FOLD_COMPACT) {
            uint32_t d = vmt_map_get(&t->map, id, NULL);
            if (d == UINT32_MAX) return vmt_fail(&t->base, "%s: out of memory", t->base.path);
            addr = (uint64_t)d * t->block;
        } else {
            addr = id * t->block;
            if (t->opts.fold == VMT_FOLD_MOD) addr %= t->base.info.pool_size;
            else if (!t->prescan && addr >= t->base.info.pool_size)
                return tx_err(t, "page id outside the pool (fold none: give a larger pool_size)");
        }
        piece = 1;
    } else if (t->opts.fold == VMT_FOLD_COMPACT) {
        uint64_t off = r->addr & (t->block - 1);
        uint32_t d = vmt_map_get(&t->map, r->addr >> t->shift, NULL);
        if (d == UINT32_MAX) return vmt_fail(&t->base, "%s: out of memory", t->base.path);
        piece = t->block - off < r->len ? t->block - off : r->len;
        addr = (uint64_t)d * t->block + off;
    } else if (t->opts.fold == VMT_FOLD_MOD) {
        uint64_t pool = t->base.info.pool_size;
        addr = r->addr % pool;
        piece = pool - addr < r->len ? pool - addr : r->len;
    } else {
        addr = r->addr;
        piece = r->len;
        if (t->prescan) {
            if (piece > UINT64_MAX - addr) return tx_err(t, "address range overflows");
            if (addr + piece > t->max_end) t->max_end = addr + piece;
        } else if (piece > t->base.info.pool_size || addr > t->base.info.pool_size - piece) {
            return tx_err(t, "address outside the pool (fold none: give a larger pool_size)");
        }
    }
    op->addr = addr;
    op->len = (uint32_t)piece;
    r->addr += piece;
    r->len -= piece;
    return 0;
}

static int tx_next(struct vmt_source *s, struct vmt_op *op)
{
    struct text_source *t = (struct text_source *)s;
    for (;;) {
        if (t->ipend < t->npend) {
            struct raw *r = &t->pend[t->ipend];
            memset(op, 0, sizeof *op);
            op->kind = r->kind;
            if (r->kind == VMT_COMPUTE) { /* no address: addr holds the unit */
                op->mode = (uint8_t)r->addr;
                op->len = (uint32_t)r->len;
                t->ipend++;
                return 1;
            }
            if (fold_piece(t, r, op) < 0) return -1;
            if (r->len == 0) t->ipend++;
            return 1;
        }
        {
            ssize_t got = getline(&t->line, &t->linecap, t->f);
            int n;
            if (got < 0) {
                if (ferror(t->f)) return vmt_fail(s, "%s: read error", s->path);
                return 0;
            }
            t->lineno++;
            if ((size_t)got != strlen(t->line)) return tx_err(t, "NUL byte in a text line");
            n = parse_line(t, t->line, t->pend);
            if (n < 0) return -1;
            t->npend = n;
            t->ipend = 0;
        }
    }
}

static int tx_rewind(struct vmt_source *s)
{
    struct text_source *t = (struct text_source *)s;
    if (fseek(t->f, 0, SEEK_SET) != 0) return vmt_fail(s, "%s: cannot seek: %s", s->path, strerror(errno));
    clearerr(t->f);
    t->lineno = 0;
    t->npend = t->ipend = 0;
    return 0;
}

static void tx_close(struct vmt_source *s)
{
    struct text_source *t = (struct text_source *)s;
    if (t->f) fclose(t->f);
    free(t->line);
    vmt_map_clear(&t->map);
}

static size_t tx_memory(const struct vmt_source *s)
{
    const struct text_source *t = (const struct text_source *)s;
    return sizeof *t - sizeof t->base + t->linecap + t->map.cap * (sizeof *t->map.keys + sizeof *t->map.vals);
}

static const struct vmt_source_ops tx_ops = {tx_next, tx_rewind, tx_close, tx_memory};

/* The open options as this format reads them: fold mode, pool size, and
 * the block (txt: bytes per page id; lackey, din: the fold block). */
static int text_options(struct text_source *t, const char *path, char *err, size_t errlen)
{
    if (t->opts.fold > VMT_FOLD_MOD)
        return vmt_errf(err, errlen, "%s: unknown fold mode %u", path, t->opts.fold);
    if (t->opts.fold == VMT_FOLD_MOD && t->opts.pool_size == 0)
        return vmt_errf(err, errlen, "%s: fold \"mod\" needs a pool_size", path);
    if (t->opts.pool_size > VMT_POOL_MAX)
        return vmt_errf(err, errlen, "%s: pool_size above 2 GiB", path);
    if (t->fmt == FMT_TXT) {
        t->block = t->opts.id_bytes ? t->opts.id_bytes : 64;
    } else {
        t->block = t->opts.fold_block ? t->opts.fold_block : 4096;
    }
    if (t->block < 1 || (t->block & (t->block - 1)) || t->block > (1u << 30))
        return vmt_errf(err, errlen, "%s: %s must be a power of two", path,
                        t->fmt == FMT_TXT ? "id_bytes" : "fold_block");
    while ((1ULL << t->shift) < t->block) t->shift++;
    return 0;
}

/* The pool the prescan's addresses need under the fold mode (*pool). */
static int text_pool(const struct text_source *t, const char *path, uint64_t *out, char *err,
                     size_t errlen)
{
    uint64_t pool;
    if (t->opts.fold == VMT_FOLD_COMPACT) {
        pool = (uint64_t)t->map.count * t->block;
        if (pool < t->opts.pool_size) pool = t->opts.pool_size;
        if (pool == 0) pool = t->block;
        if (t->opts.pool_size && pool > t->opts.pool_size)
            return vmt_errf(err, errlen, "%s: the trace touches %llu bytes of distinct blocks, more than the pool_size %llu",
                            path, (unsigned long long)pool, (unsigned long long)t->opts.pool_size);
    } else if (t->opts.fold == VMT_FOLD_NONE && t->fmt != FMT_TXT) {
        pool = t->opts.pool_size ? t->opts.pool_size : (t->max_end + 4095) & ~(uint64_t)4095;
        if (pool == 0) pool = 4096;
        if (t->max_end > pool)
            return vmt_errf(err, errlen, "%s: addresses reach %llu, beyond the pool_size %llu", path,
                            (unsigned long long)t->max_end, (unsigned long long)pool);
    } else if (t->opts.fold == VMT_FOLD_NONE) { /* txt: ids times page size */
        pool = t->opts.pool_size;
        if (!pool)
            return vmt_errf(err, errlen, "%s: fold \"none\" on a txt trace needs a pool_size", path);
    } else {
        pool = t->opts.pool_size;
    }
    if (pool > VMT_POOL_MAX)
        return vmt_errf(err, errlen, "%s: the folded pool would be %llu bytes, above 2 GiB (try a smaller fold_block)",
                        path, (unsigned long long)pool);
    *out = pool;
    return 0;
}

struct vmt_source *vmt_open_text(const char *path, const char *format,
                                 const struct vmt_open_opts *opts, char *err, size_t errlen)
{
    struct text_source *t;
    struct vmt_op op;
    uint64_t count = 0, pool = 0;
    int rc;
    const char *fname = !strcmp(format, "lackey") ? "lackey" : !strcmp(format, "din") ? "din" : "txt";
    t = (struct text_source *)vmt_source_new(sizeof *t, &tx_ops, path, fname);
    if (!t) {
        vmt_errf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    t->fmt = fname[0] == 'l' ? FMT_LACKEY : fname[0] == 'd' ? FMT_DIN : FMT_TXT;
    if (opts) t->opts = *opts;
    if (text_options(t, path, err, errlen) < 0) goto fail;
    t->f = fopen(path, "rb");
    if (!t->f) {
        vmt_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    /* Prescan: check every line, count ops, size the pool. */
    t->base.info.pool_size = t->opts.pool_size ? t->opts.pool_size : UINT64_MAX;
    t->prescan = 1;
    while ((rc = tx_next(&t->base, &op)) == 1) count++;
    if (rc < 0) {
        vmt_errf(err, errlen, "%s", t->base.err);
        goto fail;
    }
    t->prescan = 0;
    if (text_pool(t, path, &pool, err, errlen) < 0) goto fail;
    t->base.info.pool_size = pool;
    t->base.info.op_count = count;
    vmt_map_clear(&t->map); /* rebuilt in the same order on each pass */
    if (tx_rewind(&t->base) < 0) {
        vmt_errf(err, errlen, "%s", t->base.err);
        goto fail;
    }
    return &t->base;
fail:
    vmt_close(&t->base);
    return NULL;
}

/* ---- writers ------------------------------------------------------------ */

struct text_writer {
    struct vmt_writer w;
    int fmt;
    struct vmt_heap *heap;
    uint32_t page_size;
    int toggle; /* txt memcpy: source and destination touches alternate */
    const struct vmt_op *cur;
};

static int resolve(struct text_writer *tw, uint16_t region, uint64_t addr, uint64_t *abs)
{
    if (!region) {
        *abs = addr;
        return 0;
    }
    if (vmt_heap_resolve(tw->heap, region, addr, abs) < 0)
        return vmt_fail(&tw->w, "%s: op %llu: allocation %u is not live (or did not fit)", tw->w.path,
                         (unsigned long long)tw->w.count, region);
    return 0;
}

static void txt_touch(void *ctx, uint64_t page)
{
    struct text_writer *tw = ctx;
    int write;
    if (page == VMT_TOUCH_INVALIDATE) return;
    switch (tw->cur->kind) {
    case VMT_WRITE: case VMT_MEMSET: write = 1; break;
    case VMT_LOCK: write = tw->cur->mode != VMT_LOCK_RO; break;
    case VMT_MEMCPY: write = tw->toggle; tw->toggle ^= 1; break;
    default: write = 0;
    }
    fprintf(tw->w.f, write ? "%llu w\n" : "%llu\n", (unsigned long long)page);
}

static int tw_put(struct vmt_writer *w, const struct vmt_op *op)
{
    struct text_writer *tw = (struct text_writer *)w;
    uint64_t a, src;
    if (!op) {
        tw->page_size = w->opts.id_bytes ? w->opts.id_bytes : 64;
        if (tw->page_size & (tw->page_size - 1))
            return vmt_fail(w, "%s: id_bytes must be a power of two", w->path);
        tw->heap = vmt_heap_new(4, w->pool_size ? w->pool_size : UINT32_MAX, 4);
        return tw->heap ? 0 : vmt_fail(w, "%s: out of memory", w->path);
    }
    if (tw->fmt == FMT_TXT) {
        tw->cur = op;
        tw->toggle = 0;
        if (vmt_touches(tw->heap, op, tw->page_size, txt_touch, tw) < 0)
            return vmt_fail(w, "%s: op %llu: allocation %u is not live", w->path,
                             (unsigned long long)w->count, op->region ? op->region : op->src_region);
        return ferror(w->f) ? vmt_fail(w, "%s: write error", w->path) : 0;
    }
    /* din: r/w lines; locks become accesses of their range; the rest has no din form. */
    switch (op->kind) {
    case VMT_READ:
    case VMT_WRITE:
    case VMT_LOCK:
    case VMT_MEMSET:
        if (!op->len) break;
        if (resolve(tw, op->region, op->addr, &a) < 0) return -1;
        fprintf(w->f, "%c %llx %lx\n",
                (op->kind == VMT_READ || (op->kind == VMT_LOCK && op->mode == VMT_LOCK_RO)) ? 'r' : 'w',
                (unsigned long long)a, (unsigned long)op->len);
        break;
    case VMT_MEMCPY:
        if (!op->len) break;
        if (resolve(tw, op->region, op->addr, &a) < 0 || resolve(tw, op->src_region, op->src, &src) < 0)
            return -1;
        fprintf(w->f, "r %llx %lx\nw %llx %lx\n", (unsigned long long)src, (unsigned long)op->len,
                (unsigned long long)a, (unsigned long)op->len);
        break;
    case VMT_ALLOC:
    case VMT_FREE:
        vmt_heap_apply(tw->heap, op);
        break;
    case VMT_COMPUTE: /* a comment to other din readers */
        fprintf(w->f, "# compute %lu %s\n", (unsigned long)op->len,
                op->mode == VMT_COMPUTE_NS ? "ns" : "cycles");
        break;
    default:
        break;
    }
    return ferror(w->f) ? vmt_fail(w, "%s: write error", w->path) : 0;
}

static int tw_close(struct vmt_writer *w)
{
    vmt_heap_free(((struct text_writer *)w)->heap);
    return 0;
}

static const struct vmt_writer_ops tw_ops = {tw_put, tw_close};

int vmt_writer_init_text(struct vmt_writer **w, const char *format)
{
    struct text_writer *tw = calloc(1, sizeof *tw);
    if (!tw) return -1;
    tw->w.ops = &tw_ops;
    tw->fmt = !strcmp(format, "txt") ? FMT_TXT : FMT_DIN;
    *w = &tw->w;
    return 0;
}
