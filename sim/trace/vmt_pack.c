/*
 * vmt_pack.c - a trace decoded once into memory and read by many (see
 * vmtrace.h, "Packed traces").
 *
 * Encoding: one 32-bit word per op. The top three bits say what it is:
 *   0..5  a plain read (0..2) or write (3..5) of 1, 2 or 4 bytes at an
 *         absolute address below 2^29 (the low 29 bits), with no payload:
 *         what generators and address traces are made of;
 *   6     a compute op in cycles below 2^29 (the low 29 bits): generators
 *         interleave one with every access when they model the program's
 *         own loop (virtmem_bench loop_cycles);
 *   7     anything else: the low 29 bits index a full struct vmt_op kept
 *         aside, with its payload and name copied into the pack.
 * A packed op reads back field for field as the source gave it.
 */
#include "vmt_internal.h"

#define PACK_SHIFT VMT_PACK_SHIFT
#define PACK_ADDR_MASK ((1u << PACK_SHIFT) - 1u)
#define PACK_COMPUTE 6u
#define PACK_ESCAPE 7u

struct vmt_pack {
    uint32_t *words;
    uint64_t nwords, capwords;
    struct vmt_op *esc;       /* escaped ops; data and name point into blobs */
    size_t nesc, capesc;
    char **blobs;             /* payloads and names, one allocation each */
    size_t nblobs, capblobs;
    size_t bytes;             /* heap held, for the budget */
    struct vmt_info info;
    char *path, *format;
};

struct pack_reader {
    struct vmt_source base;
    const struct vmt_pack *p;
    uint64_t next;
};

/* The word for a plain op, or 0xFFFFFFFF when it needs the escape. */
static uint32_t plain_word(const struct vmt_op *op)
{
    unsigned li;
    if (op->kind == VMT_COMPUTE && op->mode == VMT_COMPUTE_CYCLES && op->len <= PACK_ADDR_MASK)
        return PACK_COMPUTE << PACK_SHIFT | op->len;
    if ((op->kind != VMT_READ && op->kind != VMT_WRITE) || op->region || op->data || op->mode ||
        op->value || op->src_region || op->id || op->src || op->name || op->addr > PACK_ADDR_MASK)
        return 0xFFFFFFFFu;
    switch (op->len) {
    case 1: li = 0; break;
    case 2: li = 1; break;
    case 4: li = 2; break;
    default: return 0xFFFFFFFFu;
    }
    return (uint32_t)(op->kind * 3u + li) << PACK_SHIFT | (uint32_t)op->addr;
}

static int grow(void **v, size_t elem, uint64_t *cap, uint64_t need, struct vmt_pack *p,
                size_t budget)
{
    uint64_t ncap;
    void *g;
    if (need <= *cap) return 0;
    ncap = *cap ? *cap * 2 : 4096;
    while (ncap < need) ncap *= 2;
    if (p->bytes + (ncap - *cap) * elem > budget) {
        /* Over the budget when doubling: try exactly what is needed. */
        ncap = need;
        if (p->bytes + (ncap - *cap) * elem > budget) return -1;
    }
    g = realloc(*v, (size_t)(ncap * elem));
    if (!g) return -1;
    p->bytes += (size_t)((ncap - *cap) * elem);
    *v = g;
    *cap = ncap;
    return 0;
}

static const void *keep_blob(struct vmt_pack *p, const void *src, size_t n, size_t budget)
{
    uint64_t cap = p->capblobs;
    char *b;
    if (grow((void **)&p->blobs, sizeof *p->blobs, &cap, p->nblobs + 1, p, budget)) return NULL;
    p->capblobs = (size_t)cap;
    if (p->bytes + n > budget || !(b = malloc(n ? n : 1))) return NULL;
    memcpy(b, src, n);
    p->bytes += n;
    p->blobs[p->nblobs++] = b;
    return b;
}

static int put_escape(struct vmt_pack *p, const struct vmt_op *op, size_t budget)
{
    struct vmt_op e = *op;
    uint64_t cap = p->capesc;
    if (p->nesc >= PACK_ADDR_MASK) return -1;
    if (op->data && !(e.data = keep_blob(p, op->data, op->len, budget))) return -1;
    if (op->name && !(e.name = keep_blob(p, op->name, strlen(op->name) + 1, budget))) return -1;
    if (grow((void **)&p->esc, sizeof *p->esc, &cap, p->nesc + 1, p, budget)) return -1;
    p->capesc = (size_t)cap;
    p->esc[p->nesc++] = e;
    return 0;
}

static int put(struct vmt_pack *p, const struct vmt_op *op, size_t budget)
{
    uint32_t w = plain_word(op);
    if (w == 0xFFFFFFFFu) {
        w = PACK_ESCAPE << PACK_SHIFT | (uint32_t)p->nesc;
        if (put_escape(p, op, budget)) return -1;
    }
    if (grow((void **)&p->words, sizeof *p->words, &p->capwords, p->nwords + 1, p, budget))
        return -1;
    p->words[p->nwords++] = w;
    return 0;
}

struct vmt_pack *vmt_pack_new(struct vmt_source *s, size_t budget)
{
    struct vmt_pack *p = calloc(1, sizeof *p);
    struct vmt_op op;
    int n;
    if (!p) return NULL;
    p->info = *vmt_info(s);
    p->path = vmt_strdup(s->path);
    p->format = vmt_strdup(p->info.format ? p->info.format : "");
    if (!p->path || !p->format) goto fail;
    p->info.format = p->format;
    while ((n = vmt_next(s, &op)) == 1)
        if (put(p, &op, budget)) goto fail;
    if (n < 0) goto fail; /* a trace error: the caller streams and meets it there */
    return p;
fail:
    vmt_pack_free(p);
    return NULL;
}

void vmt_pack_free(struct vmt_pack *p)
{
    size_t i;
    if (!p) return;
    for (i = 0; i < p->nblobs; i++) free(p->blobs[i]);
    free(p->blobs);
    free(p->esc);
    free(p->words);
    free(p->path);
    free(p->format);
    free(p);
}

size_t vmt_pack_memory(const struct vmt_pack *p) { return p->bytes + sizeof *p; }

uint64_t vmt_pack_ops(const struct vmt_pack *p) { return p->nwords; }

static int reader_next(struct vmt_source *s, struct vmt_op *op)
{
    struct pack_reader *r = (struct pack_reader *)s;
    unsigned kind, len;
    uint64_t addr;
    uint32_t w;
    if (r->next >= r->p->nwords) return 0;
    w = r->p->words[r->next++];
    if (!vmt_pack_plain(w, &kind, &len, &addr)) {
        if (w >> PACK_SHIFT == PACK_COMPUTE) {
            memset(op, 0, sizeof *op);
            op->kind = VMT_COMPUTE;
            op->mode = VMT_COMPUTE_CYCLES;
            op->len = w & PACK_ADDR_MASK;
            return 1;
        }
        *op = r->p->esc[w & PACK_ADDR_MASK];
        return 1;
    }
    memset(op, 0, sizeof *op);
    op->kind = (uint8_t)kind;
    op->len = len;
    op->addr = addr;
    return 1;
}

static int reader_rewind(struct vmt_source *s)
{
    ((struct pack_reader *)s)->next = 0;
    return 0;
}

static void reader_close(struct vmt_source *s) { (void)s; }

static size_t reader_memory(const struct vmt_source *s)
{
    (void)s;
    return sizeof(struct pack_reader);
}

static const struct vmt_source_ops reader_ops = {reader_next, reader_rewind, reader_close,
                                                 reader_memory};

struct vmt_source *vmt_pack_open(const struct vmt_pack *p)
{
    struct pack_reader *r =
        (struct pack_reader *)vmt_source_new(sizeof *r, &reader_ops, p->path, p->format);
    if (!r) return NULL;
    r->base.info = p->info;
    r->p = p;
    return &r->base;
}

const uint32_t *vmt_pack_words(struct vmt_source *s, uint64_t *n)
{
    struct pack_reader *r = (struct pack_reader *)s;
    if (s->ops != &reader_ops || s->failed) return NULL;
    *n = r->p->nwords - r->next;
    return r->p->words + r->next;
}

void vmt_pack_skip(struct vmt_source *s, uint64_t k)
{
    struct pack_reader *r = (struct pack_reader *)s;
    if (s->ops == &reader_ops) r->next += k;
}
