/*
 * vmt_binary.c - the compact binary trace format, version 1 (see
 * docs/trace-format.md): a 32-byte little-endian header, then one record
 * per op (a tag byte, then varints, addresses as zigzag deltas from the
 * previous address), then an END record carrying the op count.
 *
 * The reader decodes from a large buffer refilled with fread. The buffer
 * always holds VMT_BIN_PAD zero bytes after the valid data, so a record is
 * decoded without bounds checks and checked once against the end: a
 * truncated record reads padding and is caught there. Memory is the buffer
 * (grown only for a payload larger than it) plus the phase names.
 */
#include "vmt_internal.h"

#include <sys/stat.h>

#define VMT_BIN_MAGIC "\x89VMT\r\n\x1a\n"
#define VMT_BIN_VERSION 1u
#define VMT_BIN_HEADER 32u
#define VMT_BIN_BUF (1u << 20)
#define VMT_BIN_PAD 128u   /* > the longest record without payload (~70 B) */
#define VMT_BIN_PAYLOAD_MAX (64u << 20)
#define VMT_BIN_PHASES_MAX 65536u

#define TAG_END 15u
#define F_SAME_LEN 0x10u
#define F_DATA 0x20u
#define F_REGION 0x40u
#define F_SRC_REGION 0x80u
#define F_WORK 0x20u /* LOCK: a varint of work cycles per byte follows (the bit of DATA) */

/* Flags each kind may carry. */
static const uint8_t allowed_flags[VMT_KIND_COUNT] = {
    /* READ */ F_SAME_LEN | F_DATA | F_REGION,
    /* WRITE */ F_SAME_LEN | F_DATA | F_REGION,
    /* LOCK */ F_SAME_LEN | F_REGION | F_WORK,
    /* UNLOCK */ 0,
    /* MEMSET */ F_SAME_LEN | F_REGION,
    /* MEMCPY */ F_SAME_LEN | F_REGION | F_SRC_REGION,
    /* FLUSH */ 0,
    /* INVALIDATE */ 0,
    /* ALLOC */ F_SAME_LEN,
    /* FREE */ 0,
    /* PHASE */ 0,
    /* COMPUTE */ 0};

/* ---- reader ------------------------------------------------------------- */

struct bin_source {
    struct vmt_source base;
    FILE *f;
    uint8_t *buf;     /* cap + VMT_BIN_PAD bytes */
    size_t cap;
    const uint8_t *p; /* next byte */
    const uint8_t *end; /* end of valid data */
    int eof;
    uint64_t file_off; /* file offset of buf[0] */
    uint64_t prev_addr;
    uint32_t prev_len;
    uint64_t count;
    int done;
    char **names; /* phase names by id */
    size_t names_cap;
};

/* Makes at least `need` bytes available at p (fewer only at end of file). */
static int bin_fill(struct bin_source *b, size_t need)
{
    size_t have = (size_t)(b->end - b->p), got;
    if (have >= need || b->eof) return 0;
    if (need > b->cap) {
        uint8_t *nb;
        size_t ncap = b->cap;
        while (ncap < need) ncap *= 2;
        nb = malloc(ncap + VMT_BIN_PAD);
        if (!nb) return vmt_fail(&b->base, "%s: out of memory", b->base.path);
        memcpy(nb, b->p, have);
        free(b->buf);
        b->buf = nb;
        b->cap = ncap;
    } else {
        memmove(b->buf, b->p, have);
    }
    b->file_off += (uint64_t)(b->p - b->buf);
    b->p = b->buf;
    got = fread(b->buf + have, 1, b->cap - have, b->f);
    if (got < b->cap - have) {
        if (ferror(b->f)) return vmt_fail(&b->base, "%s: read error", b->base.path);
        b->eof = 1;
    }
    b->end = b->buf + have + got;
    memset((uint8_t *)b->end, 0, VMT_BIN_PAD);
    return 0;
}

static inline uint64_t get_varint(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = *p & 0x7f;
    unsigned shift = 7;
    if (*p++ & 0x80) {
        do {
            v |= (uint64_t)(*p & 0x7f) << shift;
            shift += 7;
        } while ((*p++ & 0x80) && shift < 70);
    }
    *pp = p;
    return v;
}

/* The same for the fast path, where at least 8 bytes are readable at p:
 * varints of up to 4 bytes are decoded without a loop (on little-endian
 * GCC/Clang hosts; elsewhere, the loop). */
static inline uint64_t get_varint8(const uint8_t **pp)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint8_t *p = *pp;
    uint64_t w, stop;
    if (!(*p & 0x80)) { /* one byte: the common case of sequential traces */
        *pp = p + 1;
        return *p;
    }
    memcpy(&w, p, 8);
    stop = ~w & 0x80808080ULL;
    if (stop) {
        unsigned n = (unsigned)__builtin_ctzll(stop) / 8u + 1u;
        uint64_t v = (w & 0x7fu) | ((w >> 1) & 0x3f80u) | ((w >> 2) & 0x1fc000u) | ((w >> 3) & 0xfe00000u);
        *pp = p + n;
        return v & ((1ULL << (7u * n)) - 1u);
    }
#endif
    return get_varint(pp);
}

static inline int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static int bin_bad(struct bin_source *b, const uint8_t *rec, const char *what)
{
    return vmt_fail(&b->base, "%s: byte %llu (op %llu): %s", b->base.path,
                    (unsigned long long)(b->file_off + (uint64_t)(rec - b->buf)),
                    (unsigned long long)b->count, what);
}

static int bin_next_slow(struct bin_source *b, struct vmt_op *op);
static int bin_next_rw(struct bin_source *b, struct vmt_op *op);

/* A read or write with a region or a payload. Nothing is committed until
 * the record is known to be whole and valid; anything unusual (a bad region
 * or length, a payload past the buffer) is redone by the slow path, which
 * reports errors. At least VMT_BIN_PAD bytes are readable. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int bin_next_rw(struct bin_source *b, struct vmt_op *op)
{
    const uint8_t *p = b->p;
    unsigned tag = *p++;
    uint64_t r = 0, addr, l = b->prev_len;
    if (tag & F_REGION) {
        r = get_varint8(&p);
        if (r == 0 || r > 0xffff) return bin_next_slow(b, op);
    }
    addr = b->prev_addr + (uint64_t)unzigzag(get_varint8(&p));
    if (!(tag & F_SAME_LEN)) {
        l = get_varint8(&p);
        if (l > UINT32_MAX) return bin_next_slow(b, op);
    }
    if (tag & F_DATA) {
        if ((uint64_t)(b->end - p) < l) return bin_next_slow(b, op);
        op->data = p;
        p += l;
    } else {
        op->data = NULL;
    }
    b->prev_addr = addr;
    b->prev_len = (uint32_t)l;
    op->kind = (uint8_t)(tag & 1u);
    op->mode = op->value = 0;
    op->region = (uint16_t)r;
    op->src_region = 0;
    op->id = 0;
    op->addr = addr;
    op->src = 0;
    op->len = (uint32_t)l;
    op->name = NULL;
    b->p = p;
    b->count++;
    return 1;
}

/* The common case (a plain read or write, the buffer well filled) is kept
 * small so that it needs no register spills; reads and writes with a region
 * or payload go to bin_next_rw, everything else to bin_next_slow. */
static int bin_next(struct vmt_source *s, struct vmt_op *op)
{
    struct bin_source *b = (struct bin_source *)s;
    const uint8_t *p = b->p, *rec = p;
    unsigned tag;
    if ((size_t)(b->end - p) < VMT_BIN_PAD || b->done) return bin_next_slow(b, op);
    tag = *p++;
    if ((tag & ~(unsigned)(F_SAME_LEN | 1u)) == 0) {
        /* Fastest path: a plain read or write (no region, no payload). */
        uint64_t l;
        b->prev_addr += (uint64_t)unzigzag(get_varint8(&p));
        if (!(tag & F_SAME_LEN)) {
            l = get_varint8(&p);
            if (l > UINT32_MAX) return bin_bad(b, rec, "length above 2^32-1");
            b->prev_len = (uint32_t)l;
        }
        op->kind = (uint8_t)(tag & 1u);
        op->mode = op->value = 0;
        op->region = op->src_region = 0;
        op->id = 0;
        op->addr = b->prev_addr;
        op->src = 0;
        op->len = b->prev_len;
        op->data = NULL;
        op->name = NULL;
        b->p = p;
        b->count++;
        return 1;
    }
    if ((tag & ~(unsigned)(F_SAME_LEN | F_REGION | F_DATA | 1u)) == 0) return bin_next_rw(b, op);
    return bin_next_slow(b, op);
}

/* The END record at rec (its tag read; p after it): the count checks, then
 * nothing may follow. Returns 0 (the end) or -1. */
static int bin_end(struct bin_source *b, const uint8_t *rec, const uint8_t *p)
{
    uint64_t n;
    if (b->end - p < 8) return bin_bad(b, rec, "truncated END record");
    n = vmt_get_le(p, 8);
    p += 8;
    if (n != b->count) return bin_bad(b, rec, "END record's op count does not match the ops read");
    if (b->base.info.op_count && n != b->base.info.op_count)
        return bin_bad(b, rec, "header's op count does not match the ops read");
    b->p = p;
    if (p != b->end || !b->eof) {
        if (bin_fill(b, 1) < 0) return -1;
        if (b->p != b->end) return bin_bad(b, b->p, "data after the END record");
    }
    b->done = 1;
    return 0;
}

/* A record's fields after its tag (p after the tag, *pp advanced): lock mode
 * and id, memset value, ids, region, address, memcpy source and length. */
static int bin_fields(struct bin_source *b, struct vmt_op *op, unsigned kind, unsigned flags,
                      const uint8_t *rec, const uint8_t **pp)
{
    const uint8_t *p = *pp;
    switch (kind) {
    case VMT_LOCK:
        op->mode = *p++;
        op->id = (uint32_t)get_varint(&p);
        break;
    case VMT_MEMSET:
        op->value = *p++;
        break;
    case VMT_UNLOCK:
    case VMT_FREE:
    case VMT_ALLOC:
    case VMT_PHASE:
        op->id = (uint32_t)get_varint(&p);
        break;
    case VMT_COMPUTE: {
        uint64_t n;
        op->mode = *p++;
        n = get_varint(&p);
        if (op->mode > VMT_COMPUTE_NS) return bin_bad(b, rec, "compute unit not 0 (cycles) or 1 (ns)");
        if (n > UINT32_MAX) return bin_bad(b, rec, "compute amount above 2^32-1");
        op->len = (uint32_t)n;
        break;
    }
    default:
        break;
    }
    switch (kind) {
    case VMT_READ:
    case VMT_WRITE:
    case VMT_LOCK:
    case VMT_MEMSET:
    case VMT_MEMCPY: {
        uint64_t r;
        if (flags & F_REGION) {
            r = get_varint(&p);
            if (r == 0 || r > 0xffff) return bin_bad(b, rec, "region out of range 1..65535");
            op->region = (uint16_t)r;
        }
        b->prev_addr += (uint64_t)unzigzag(get_varint(&p));
        op->addr = b->prev_addr;
        if (kind == VMT_MEMCPY) {
            if (flags & F_SRC_REGION) {
                r = get_varint(&p);
                if (r == 0 || r > 0xffff) return bin_bad(b, rec, "source region out of range 1..65535");
                op->src_region = (uint16_t)r;
            }
            op->src = op->addr + (uint64_t)unzigzag(get_varint(&p));
        }
    }
    /* fall through */
    case VMT_ALLOC:
        if (flags & F_SAME_LEN) {
            op->len = b->prev_len;
        } else {
            uint64_t l = get_varint(&p);
            if (l > UINT32_MAX) return bin_bad(b, rec, "length above 2^32-1");
            op->len = b->prev_len = (uint32_t)l;
        }
        if (kind == VMT_LOCK && (flags & F_WORK)) {
            uint64_t w = get_varint(&p);
            if (w > VMT_WORK_MAX) return bin_bad(b, rec, "lock work above 65535 cycles per byte");
            op->work = (uint32_t)w;
        }
        break;
    default:
        break;
    }
    *pp = p;
    return 0;
}

/* Makes the n bytes at *p readable, keeping the record that starts at *rec
 * with them in the buffer (a refill moves both pointers). Returns 1 when
 * they are, 0 when the file ends first, -1 on a read error. */
static int bin_keep(struct bin_source *b, const uint8_t **rec, const uint8_t **p, size_t n)
{
    size_t used = (size_t)(*p - *rec);
    if ((size_t)(b->end - *p) >= n) return 1;
    b->p = *rec;
    if (bin_fill(b, used + n) < 0) return -1;
    *rec = b->p;
    *p = *rec + used;
    return (size_t)(b->end - *p) >= n;
}

/* A phase record's name (p at its length), interned in b->names. */
static int bin_phase_name(struct bin_source *b, struct vmt_op *op, const uint8_t *rec, const uint8_t **pp)
{
    struct vmt_source *s = &b->base;
    const uint8_t *p = *pp;
    uint64_t nl = get_varint(&p);
    int k;
    if (p > b->end) return bin_bad(b, rec, "truncated record");
    if (op->id >= VMT_BIN_PHASES_MAX) return bin_bad(b, rec, "phase index above 65535");
    if (nl > 4096) return bin_bad(b, rec, "phase name longer than 4096 bytes");
    if ((k = bin_keep(b, &rec, &p, (size_t)nl)) < 0) return -1;
    if (!k) return bin_bad(b, rec, "truncated phase name");
    if (op->id >= b->names_cap) {
        size_t nc = b->names_cap ? b->names_cap : 16, i;
        char **nn;
        while (nc <= op->id) nc *= 2;
        nn = realloc(b->names, nc * sizeof *nn);
        if (!nn) return vmt_fail(s, "%s: out of memory", s->path);
        for (i = b->names_cap; i < nc; i++) nn[i] = NULL;
        b->names = nn;
        b->names_cap = nc;
    }
    if (!b->names[op->id]) {
        char *nm;
        if (nl == 0) return bin_bad(b, rec, "phase has no name");
        if (memchr(p, 0, (size_t)nl)) return bin_bad(b, rec, "phase name contains a NUL byte");
        nm = malloc((size_t)nl + 1);
        if (!nm) return vmt_fail(s, "%s: out of memory", s->path);
        memcpy(nm, p, (size_t)nl);
        nm[nl] = 0;
        b->names[op->id] = nm;
    }
    op->name = b->names[op->id];
    p += nl;
    *pp = p;
    return 0;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int bin_next_slow(struct bin_source *b, struct vmt_op *op)
{
    const uint8_t *p, *rec;
    unsigned tag, kind, flags;
    int k;
    if (b->done) return 0;
    if ((size_t)(b->end - b->p) < VMT_BIN_PAD && bin_fill(b, VMT_BIN_PAD) < 0) return -1;
    rec = p = b->p;
    if (p >= b->end) return bin_bad(b, rec, "truncated: no END record");
    tag = *p++;
    kind = tag & 15u;
    flags = tag & 0xf0u;
    if (kind == TAG_END) return bin_end(b, rec, p);
    if (kind >= VMT_KIND_COUNT) return bin_bad(b, rec, "unknown record kind");
    if (flags & ~allowed_flags[kind]) return bin_bad(b, rec, "flags not allowed for this kind");
    memset(op, 0, sizeof *op);
    op->kind = (uint8_t)kind;
    if (bin_fields(b, op, kind, flags, rec, &p) < 0) return -1;
    if (kind == VMT_LOCK && (op->mode < VMT_LOCK_RO || op->mode > VMT_LOCK_RW))
        return bin_bad(b, rec, "lock mode not 1 (ro), 2 (wo) or 3 (rw)");
    if (p > b->end) return bin_bad(b, rec, "truncated record");
    if ((flags & F_DATA) && kind != VMT_LOCK) {
        if (op->len > VMT_BIN_PAYLOAD_MAX) return bin_bad(b, rec, "payload above 64 MiB");
        /* Keep the record and its payload together in the buffer. */
        if ((k = bin_keep(b, &rec, &p, op->len)) < 0) return -1;
        if (!k) return bin_bad(b, rec, "truncated payload");
        op->data = p;
        p += op->len;
    } else if (kind == VMT_PHASE) {
        if (bin_phase_name(b, op, rec, &p) < 0) return -1;
    }
    b->p = p;
    b->count++;
    return 1;
}

static int bin_rewind(struct vmt_source *s)
{
    struct bin_source *b = (struct bin_source *)s;
    if (fseek(b->f, VMT_BIN_HEADER, SEEK_SET) != 0)
        return vmt_fail(s, "%s: cannot seek: %s", s->path, strerror(errno));
    b->p = b->end = b->buf;
    b->eof = 0;
    b->file_off = VMT_BIN_HEADER;
    b->prev_addr = 0;
    b->prev_len = 0;
    b->count = 0;
    b->done = 0;
    return 0;
}

static void bin_close(struct vmt_source *s)
{
    struct bin_source *b = (struct bin_source *)s;
    size_t i;
    if (b->f) fclose(b->f);
    free(b->buf);
    for (i = 0; i < b->names_cap; i++) free(b->names[i]);
    free(b->names);
}

static size_t bin_memory(const struct vmt_source *s)
{
    const struct bin_source *b = (const struct bin_source *)s;
    size_t m = sizeof *b - sizeof b->base + b->cap + VMT_BIN_PAD + b->names_cap * sizeof *b->names, i;
    for (i = 0; i < b->names_cap; i++)
        if (b->names[i]) m += strlen(b->names[i]) + 1;
    return m;
}

static const struct vmt_source_ops bin_ops = {bin_next, bin_rewind, bin_close, bin_memory};

/* The header h of the file at path: magic, version, header size, flags. */
static int check_header(const uint8_t *h, const char *path, char *err, size_t errlen)
{
    unsigned version = (unsigned)vmt_get_le(h + 8, 2), hsize = (unsigned)vmt_get_le(h + 10, 2);
    if (memcmp(h, VMT_BIN_MAGIC, 8))
        return vmt_errf(err, errlen, "%s: byte 0: not a vmtrace binary file (bad magic)", path);
    if (version != VMT_BIN_VERSION)
        return vmt_errf(err, errlen, "%s: byte 8: unsupported version %u (this reader knows %u)", path,
                        version, VMT_BIN_VERSION);
    if (hsize != VMT_BIN_HEADER || vmt_get_le(h + 12, 4) != 0)
        return vmt_errf(err, errlen, "%s: byte 10: bad header size or flags", path);
    return 0;
}

/* A file (not a pipe) is checked whole at open, as the text formats are: a
 * malformed record is an error before any work starts, and the op count is
 * known even when the header leaves it 0. */
static int prescan(struct bin_source *b, char *err, size_t errlen)
{
    struct vmt_op op;
    int rc;
    uint64_t n = 0;
    while ((rc = bin_next(&b->base, &op)) == 1) n++;
    if (rc < 0) return vmt_errf(err, errlen, "%s", b->base.err);
    b->base.info.op_count = n;
    if (bin_rewind(&b->base) < 0) return vmt_errf(err, errlen, "%s", b->base.err);
    return 0;
}

struct vmt_source *vmt_open_binary(const char *path, char *err, size_t errlen)
{
    uint8_t h[VMT_BIN_HEADER];
    struct bin_source *b;
    FILE *f = fopen(path, "rb");
    size_t cap;
    struct stat st;
    int regular;
    if (!f) {
        vmt_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fread(h, 1, sizeof h, f) != sizeof h) {
        vmt_errf(err, errlen, "%s: byte 0: truncated header (expected %u bytes)", path, VMT_BIN_HEADER);
        fclose(f);
        return NULL;
    }
    if (check_header(h, path, err, errlen) < 0) {
        fclose(f);
        return NULL;
    }
    /* The buffer holds the whole file when it is small (no larger than
     * VMT_BIN_BUF): opening a short trace costs no 1 MiB allocation. */
    cap = VMT_BIN_BUF;
    regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (regular && st.st_size < (off_t)VMT_BIN_BUF)
        cap = st.st_size < 4096 ? 4096u : (size_t)st.st_size;
    b = (struct bin_source *)vmt_source_new(sizeof *b, &bin_ops, path, "binary");
    if (!b || !(b->buf = malloc(cap + VMT_BIN_PAD))) {
        vmt_errf(err, errlen, "%s: out of memory", path);
        if (b) vmt_close(&b->base);
        fclose(f);
        return NULL;
    }
    b->f = f;
    b->cap = cap;
    b->base.info.pool_size = vmt_get_le(h + 16, 8);
    b->base.info.op_count = vmt_get_le(h + 24, 8);
    b->p = b->end = b->buf;
    b->file_off = VMT_BIN_HEADER;
    if (b->base.info.pool_size == 0 || b->base.info.pool_size > VMT_POOL_MAX) {
        vmt_errf(err, errlen, "%s: byte 16: pool_size %llu: expected 1..%llu", path,
                 (unsigned long long)b->base.info.pool_size, (unsigned long long)VMT_POOL_MAX);
        vmt_close(&b->base);
        return NULL;
    }
    if (regular && prescan(b, err, errlen) < 0) {
        vmt_close(&b->base);
        return NULL;
    }
    return &b->base;
}

/* ---- writer ------------------------------------------------------------- */

struct bin_writer {
    struct vmt_writer w;
    uint8_t *buf;
    size_t n;
    uint64_t prev_addr;
    uint32_t prev_len;
    int have_len;
};

static int bw_flush(struct bin_writer *b)
{
    if (b->n && fwrite(b->buf, 1, b->n, b->w.f) != b->n)
        return vmt_fail(&b->w, "%s: write error: %s", b->w.path, strerror(errno));
    b->n = 0;
    return 0;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static int bw_raw(struct bin_writer *b, const void *data, size_t len)
{
    if (b->n + len > VMT_BIN_BUF) {
        if (bw_flush(b) < 0) return -1;
        if (len > VMT_BIN_BUF) {
            if (fwrite(data, 1, len, b->w.f) != len)
                return vmt_fail(&b->w, "%s: write error: %s", b->w.path, strerror(errno));
            return 0;
        }
    }
    memcpy(b->buf + b->n, data, len);
    b->n += len;
    return 0;
}

/* A record's fields after its tag, from p (the mirror of bin_fields);
 * returns the end, with the flags they need in *flags. */
static uint8_t *bw_fields(struct bin_writer *b, const struct vmt_op *op, uint8_t *p, unsigned *flags)
{
    switch (op->kind) {
    case VMT_LOCK:
        *p++ = op->mode;
        p = put_varint(p, op->id);
        break;
    case VMT_MEMSET:
        *p++ = op->value;
        break;
    case VMT_UNLOCK:
    case VMT_FREE:
    case VMT_ALLOC:
    case VMT_PHASE:
        p = put_varint(p, op->id);
        break;
    case VMT_COMPUTE:
        *p++ = op->mode;
        p = put_varint(p, op->len);
        break;
    default:
        break;
    }
    if (vmt_kind_ranged(op->kind)) {
        if (op->region) {
            *flags |= F_REGION;
            p = put_varint(p, op->region);
        }
        p = put_varint(p, zigzag((int64_t)(op->addr - b->prev_addr)));
        b->prev_addr = op->addr;
        if (op->kind == VMT_MEMCPY) {
            if (op->src_region) {
                *flags |= F_SRC_REGION;
                p = put_varint(p, op->src_region);
            }
            p = put_varint(p, zigzag((int64_t)(op->src - op->addr)));
        }
    }
    if (vmt_kind_ranged(op->kind) || op->kind == VMT_ALLOC) {
        if (b->have_len && op->len == b->prev_len) {
            *flags |= F_SAME_LEN;
        } else {
            p = put_varint(p, op->len);
            b->prev_len = op->len;
            b->have_len = 1;
        }
        if (op->kind == VMT_LOCK && op->work) {
            *flags |= F_WORK;
            p = put_varint(p, op->work);
        }
    }
    return p;
}

static int bw_header(struct vmt_writer *w)
{
    struct bin_writer *b = (struct bin_writer *)w;
    uint8_t h[VMT_BIN_HEADER]; /* the op count is patched at close */
    memset(h, 0, sizeof h);
    memcpy(h, VMT_BIN_MAGIC, 8);
    vmt_put_le(h + 8, VMT_BIN_VERSION, 2);
    vmt_put_le(h + 10, VMT_BIN_HEADER, 2);
    vmt_put_le(h + 16, w->pool_size, 8);
    return bw_raw(b, h, sizeof h);
}

static int bw_put(struct vmt_writer *w, const struct vmt_op *op)
{
    struct bin_writer *b = (struct bin_writer *)w;
    uint8_t *p, *tagp;
    unsigned flags = 0;
    if (!op) return bw_header(w);
    if (b->n + VMT_BIN_PAD > VMT_BIN_BUF && bw_flush(b) < 0) return -1;
    tagp = p = b->buf + b->n;
    p = bw_fields(b, op, p + 1, &flags);
    if ((op->kind == VMT_READ || op->kind == VMT_WRITE) && op->data && !w->opts.drop_data)
        flags |= F_DATA;
    *tagp = (uint8_t)(op->kind | flags);
    if (op->kind == VMT_PHASE) {
        const char *nm = op->name ? op->name : "";
        size_t nl = strlen(nm);
        if (nl == 0) return vmt_fail(w, "%s: op %llu: phase without a name", w->path,
                                      (unsigned long long)w->count);
        if (nl > 4096) return vmt_fail(w, "%s: op %llu: phase name longer than 4096 bytes",
                                        w->path, (unsigned long long)w->count);
        p = put_varint(p, nl);
        b->n = (size_t)(p - b->buf);
        return bw_raw(b, nm, nl);
    }
    b->n = (size_t)(p - b->buf);
    if ((flags & F_DATA) && op->kind != VMT_LOCK) return bw_raw(b, op->data, op->len);
    return 0;
}

static int bw_close(struct vmt_writer *w)
{
    struct bin_writer *b = (struct bin_writer *)w;
    uint8_t end[9];
    if (w->f && !w->failed) {
        end[0] = TAG_END;
        vmt_put_le(end + 1, w->count, 8);
        if (bw_raw(b, end, sizeof end) == 0 && bw_flush(b) == 0) {
            /* Patch the header's op count when the file is seekable. */
            uint8_t c[8];
            vmt_put_le(c, w->count, 8);
            if (fseek(w->f, 24, SEEK_SET) == 0) {
                if (fwrite(c, 1, 8, w->f) != 8) vmt_fail(w, "%s: write error", w->path);
            }
        }
    }
    free(b->buf);
    return w->failed ? -1 : 0;
}

static const struct vmt_writer_ops bw_ops = {bw_put, bw_close};

int vmt_writer_init_binary(struct vmt_writer **w)
{
    struct bin_writer *b = calloc(1, sizeof *b);
    if (!b) return -1;
    b->buf = malloc(VMT_BIN_BUF);
    if (!b->buf) {
        free(b);
        return -1;
    }
    b->w.ops = &bw_ops;
    *w = &b->w;
    return 0;
}
