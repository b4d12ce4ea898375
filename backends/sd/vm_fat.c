/*
 * vm_fat.c - a contiguous pool file on FAT16/FAT32. See vm_fat.h.
 *
 * On-disk layout from Microsoft's "FAT: General Overview of On-Disk Format"
 * (version 1.03, 2000): boot sector fields (section 3.1-3.3), FAT type by
 * cluster count (3.5), FAT entries and end-of-chain marks (4), FSInfo (5),
 * directory entries (6). All multi-byte fields are little-endian.
 */
#include "vm_fat.h"

#include "vm_config.h"

#include <string.h>

#define FAT_OK 0
#define DIR_ENTRY 32u
#define ENTRIES_PER_SECTOR (VM_FAT_SECTOR / DIR_ENTRY)
#define ATTR_VOLUME 0x08u
#define ATTR_DIR 0x10u
#define ATTR_LFN 0x0Fu
#define ATTR_ARCHIVE 0x20u
#define NO_SECTOR 0xFFFFFFFFul
/* 1980-01-01, the first date a FAT directory entry can hold. */
#define FAT_DATE_1980 0x0021u

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Overflow-safe a + b <= limit. */
static int fits(uint32_t a, uint32_t b, uint32_t limit)
{
    return a <= limit && b <= limit - a;
}

/* ------------------------------------------------------------------------ */
/* Mounting                                                                  */

/* Parse a boot sector (in io->buf) at sector base. */
static int parse_boot(struct vm_fat *fs, const uint8_t *b, uint32_t base)
{
    uint16_t bps = le16(b + 11), rsvd = le16(b + 14), rootent = le16(b + 17);
    uint8_t spc = b[13], nfats = b[16];
    uint32_t tot = le16(b + 19) ? (uint32_t)le16(b + 19) : le32(b + 32);
    uint32_t fatsz = le16(b + 22) ? (uint32_t)le16(b + 22) : le32(b + 36);
    uint32_t rootsec, meta, clusters, entries;

    if (b[510] != 0x55u || b[511] != 0xAAu) return VM_FAT_ERR_NOFS;
    if (b[0] != 0xEBu && b[0] != 0xE9u) return VM_FAT_ERR_NOFS;
    if (bps != VM_FAT_SECTOR) return VM_FAT_ERR_NOFS;
    if (spc == 0u || (spc & (spc - 1u)) != 0u) return VM_FAT_ERR_NOFS;
    if (rsvd == 0u || nfats == 0u || nfats > 4u || fatsz == 0u || tot == 0u) return VM_FAT_ERR_NOFS;
    rootsec = ((uint32_t)rootent * DIR_ENTRY + VM_FAT_SECTOR - 1u) / VM_FAT_SECTOR;
    /* meta = rsvd + nfats * fatsz + rootsec, all < tot */
    if (fatsz > (tot / nfats)) return VM_FAT_ERR_NOFS;
    meta = (uint32_t)nfats * fatsz;
    if (!fits(meta, rsvd, tot) || !fits(meta + rsvd, rootsec, tot)) return VM_FAT_ERR_NOFS;
    meta += rsvd + rootsec;
    if (meta >= tot || !fits(base, tot, 0xFFFFFFFFul)) return VM_FAT_ERR_NOFS;
    clusters = (tot - meta) / spc;
    if (clusters < 2u) return VM_FAT_ERR_NOFS;

    memset(fs, 0, sizeof *fs);
    fs->spc = spc;
    fs->nfats = nfats;
    fs->fat_lba = base + rsvd;
    fs->fat_sectors = fatsz;
    fs->data_lba = base + meta;
    fs->clusters = clusters;
    if (le16(b + 22) != 0u) {
        if (rootent == 0u || clusters < 4085u) return VM_FAT_ERR_NOFS; /* FAT12 */
        fs->type = 16;
        fs->root_lba = base + rsvd + (uint32_t)nfats * fatsz;
        fs->root_entries = rootent;
        entries = fatsz * (VM_FAT_SECTOR / 2u);
        fs->active_fat = 0xFFu;
    } else {
        uint16_t ext = le16(b + 40), info = le16(b + 48);
        if (rootent != 0u || le16(b + 42) != 0u) return VM_FAT_ERR_NOFS;
        fs->type = 32;
        fs->root_cluster = le32(b + 44) & 0x0FFFFFFFul;
        if (fs->root_cluster < 2u || fs->root_cluster - 2u >= clusters) return VM_FAT_ERR_NOFS;
        fs->fsinfo_lba = (info != 0u && info != 0xFFFFu && info < rsvd) ? base + info : 0u;
        if (fatsz > 0xFFFFFFFFul / (VM_FAT_SECTOR / 4u)) return VM_FAT_ERR_NOFS;
        entries = fatsz * (VM_FAT_SECTOR / 4u);
        /* ExtFlags bit 7: only FAT number (bits 0-3) is in use. */
        fs->active_fat = (ext & 0x80u) ? (uint8_t)(ext & 0x0Fu) : 0xFFu;
        if (fs->active_fat != 0xFFu && fs->active_fat >= nfats) return VM_FAT_ERR_NOFS;
    }
    /* Every cluster needs its FAT entry (entries 0 and 1 are reserved). */
    if (entries < 2u || clusters > entries - 2u) return VM_FAT_ERR_NOFS;
    return FAT_OK;
}

int vm_fat_mount(struct vm_fat *fs, const struct vm_fat_io *io)
{
    static const uint8_t types[] = {0x01u, 0x04u, 0x06u, 0x0Bu, 0x0Cu, 0x0Eu};
    uint8_t *b = io->buf;
    unsigned i, t;
    int e;

    memset(fs, 0, sizeof *fs);
    if ((e = io->read(io->ctx, 0, b)) != FAT_OK) return e;
    if (parse_boot(fs, b, 0) == FAT_OK) return FAT_OK;
    /* A master boot record: the first FAT partition. */
    if (b[510] != 0x55u || b[511] != 0xAAu) return VM_FAT_ERR_NOFS;
    for (i = 0; i < 4u; i++) {
        const uint8_t *pe = b + 446u + 16u * i;
        uint32_t start = le32(pe + 8);
        for (t = 0; t < sizeof types; t++)
            if (pe[4] == types[t]) break;
        if (t == sizeof types || start == 0u) continue;
        if ((e = io->read(io->ctx, start, b)) != FAT_OK) return e;
        e = parse_boot(fs, b, start);
        if (e != VM_FAT_ERR_NOFS) return e;
        return VM_FAT_ERR_NOFS; /* only the first FAT partition is looked at */
    }
    return VM_FAT_ERR_NOFS;
}

/* ------------------------------------------------------------------------ */
/* FAT entries, through a one-sector cache in io->buf                        */

struct fat_cache {
    uint32_t lba; /* sector in io->buf, or NO_SECTOR */
};

/* The sector of cluster's entry in FAT number copy, and its offset there. */
static uint32_t fat_pos(const struct vm_fat *fs, unsigned copy, uint32_t cluster, unsigned *off)
{
    uint32_t byte = fs->type == 16 ? cluster * 2u : cluster * 4u;
    *off = (unsigned)(byte % VM_FAT_SECTOR);
    return fs->fat_lba + copy * fs->fat_sectors + byte / VM_FAT_SECTOR;
}

/* The FAT that is read: the first, or the only one in use. */
static unsigned fat_read_copy(const struct vm_fat *fs)
{
    return fs->active_fat == 0xFFu ? 0u : fs->active_fat;
}

static int fat_get(const struct vm_fat *fs, const struct vm_fat_io *io, struct fat_cache *c,
                   uint32_t cluster, uint32_t *val)
{
    unsigned off;
    uint32_t lba = fat_pos(fs, fat_read_copy(fs), cluster, &off);
    int e;
    if (c->lba != lba) {
        c->lba = NO_SECTOR;
        if ((e = io->read(io->ctx, lba, io->buf)) != FAT_OK) return e;
        c->lba = lba;
    }
    *val = fs->type == 16 ? le16(io->buf + off) : (le32(io->buf + off) & 0x0FFFFFFFul);
    return FAT_OK;
}

static int is_eoc(const struct vm_fat *fs, uint32_t v)
{
    return fs->type == 16 ? v >= 0xFFF8u : v >= 0x0FFFFFF8ul;
}

static int valid_cluster(const struct vm_fat *fs, uint32_t c)
{
    return c >= 2u && c - 2u < fs->clusters;
}

static uint32_t cluster_lba(const struct vm_fat *fs, uint32_t c)
{
    return fs->data_lba + (c - 2u) * fs->spc;
}

/* ------------------------------------------------------------------------ */
/* Names and the root directory                                              */

int vm_fat_name83(const char *name, uint8_t out[11])
{
    /* Characters a short name may hold besides A-Z and 0-9 (FAT spec 6.1). */
    static const char extra[] = "$%'-_@~`!(){}^#&";
    unsigned n = 0, limit = 8;
    int dot = 0;
    const char *p;

    memset(out, ' ', 11);
    if (!name || !*name || *name == '.') return VM_FAT_ERR_NAME;
    for (p = name; *p; p++) {
        char ch = *p;
        if (ch == '.') {
            if (dot || n == 0u) return VM_FAT_ERR_NAME;
            dot = 1;
            n = 8;
            limit = 11;
            continue;
        }
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || (ch && strchr(extra, ch))))
            return VM_FAT_ERR_NAME;
        if (n >= limit) return VM_FAT_ERR_NAME;
        out[n++] = (uint8_t)ch;
    }
    if (dot && n == 8u) return VM_FAT_ERR_NAME; /* "NAME." */
    return FAT_OK;
}

/* Where a directory entry lives. */
struct dir_pos {
    uint32_t lba;
    unsigned index; /* entry in the sector */
};

/* Visit the root directory's sectors in order, calling fn on each (already
 * in io->buf). fn returns 1 to stop (found), 0 to go on, < 0 for an error. */
typedef int (*dir_fn)(void *arg, const uint8_t *sector, uint32_t lba);

static int root_walk(const struct vm_fat *fs, const struct vm_fat_io *io, dir_fn fn, void *arg)
{
    uint32_t s, lba, c, steps;
    struct fat_cache fc;
    int e;

    if (fs->type == 16) {
        uint32_t n = ((uint32_t)fs->root_entries * DIR_ENTRY + VM_FAT_SECTOR - 1u) / VM_FAT_SECTOR;
        for (s = 0; s < n; s++) {
            if ((e = io->read(io->ctx, fs->root_lba + s, io->buf)) != FAT_OK) return e;
            if ((e = fn(arg, io->buf, fs->root_lba + s)) != 0) return e;
        }
        return 0;
    }
    c = fs->root_cluster;
    for (steps = 0; steps < fs->clusters; steps++) {
        uint32_t next;
        if (!valid_cluster(fs, c)) return VM_FAT_ERR_NOFS;
        lba = cluster_lba(fs, c);
        for (s = 0; s < fs->spc; s++) {
            if ((e = io->read(io->ctx, lba + s, io->buf)) != FAT_OK) return e;
            if ((e = fn(arg, io->buf, lba + s)) != 0) return e;
        }
        fc.lba = NO_SECTOR;
        if ((e = fat_get(fs, io, &fc, c, &next)) != FAT_OK) return e;
        if (is_eoc(fs, next)) return 0;
        c = next;
    }
    return VM_FAT_ERR_NOFS; /* a loop in the root directory's chain */
}

struct find_arg {
    const uint8_t *name;
    uint8_t entry[DIR_ENTRY];
    struct dir_pos free_pos; /* the first free slot seen */
    int have_free;
    int ended;
};

static int find_fn(void *argp, const uint8_t *sector, uint32_t lba)
{
    struct find_arg *a = (struct find_arg *)argp;
    unsigned i;
    for (i = 0; i < ENTRIES_PER_SECTOR; i++) {
        const uint8_t *d = sector + i * DIR_ENTRY;
        if (d[0] == 0x00u || d[0] == 0xE5u) {
            if (!a->have_free) {
                a->free_pos.lba = lba;
                a->free_pos.index = i;
                a->have_free = 1;
            }
            if (d[0] == 0x00u) {
                a->ended = 1; /* the rest of the directory is unused */
                return 2;
            }
            continue;
        }
        if ((d[11] & 0x3Fu) == ATTR_LFN || (d[11] & (ATTR_VOLUME | ATTR_DIR))) continue;
        if (memcmp(d, a->name, 11) == 0) {
            memcpy(a->entry, d, DIR_ENTRY);
            return 1;
        }
    }
    return 0;
}

/* Look name83 up: 1 found (entry in a->entry), 0 not found, < 0 error. */
static int root_find(const struct vm_fat *fs, const struct vm_fat_io *io, struct find_arg *a)
{
    int e = root_walk(fs, io, find_fn, a);
    if (e == 2) e = 0;
    return e;
}

int vm_fat_find(const struct vm_fat *fs, const struct vm_fat_io *io, const char *name,
                struct vm_fat_file *f)
{
    uint8_t n83[11];
    struct find_arg a;
    struct fat_cache fc;
    uint32_t first, size, cbytes, need, c, i;
    int e;

    memset(f, 0, sizeof *f);
    if ((e = vm_fat_name83(name, n83)) != FAT_OK) return e;
    memset(&a, 0, sizeof a);
    a.name = n83;
    e = root_find(fs, io, &a);
    if (e < 0) return e;
    if (e == 0) return VM_FAT_ERR_NOFILE;

    size = le32(a.entry + 28);
    first = le16(a.entry + 26);
    if (fs->type == 32) first |= (uint32_t)le16(a.entry + 20) << 16;
    f->size = size;
    f->first_cluster = first;
    if (size == 0u) return FAT_OK;
    if (!valid_cluster(fs, first)) return VM_FAT_ERR_NOFS;
    cbytes = (uint32_t)fs->spc * VM_FAT_SECTOR;
    need = size / cbytes + (size % cbytes != 0u);
    if (need > fs->clusters - (first - 2u)) return VM_FAT_ERR_NOFS; /* runs off the end */
    /* Every cluster but the last must be followed by the next one. */
    fc.lba = NO_SECTOR;
    for (i = 1, c = first; i < need; i++, c++) {
        uint32_t next;
        if ((e = fat_get(fs, io, &fc, c, &next)) != FAT_OK) return e;
        if (next == c + 1u) continue;
        return valid_cluster(fs, next) ? VM_FAT_ERR_FRAGMENTED : VM_FAT_ERR_NOFS;
    }
    f->first_lba = cluster_lba(fs, first);
    f->blocks = size / VM_FAT_SECTOR + (size % VM_FAT_SECTOR != 0u);
    return FAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Creating                                                                  */

/* The first run of need free clusters: *start, or VM_FAT_ERR_FULL. */
static int free_run(const struct vm_fat *fs, const struct vm_fat_io *io, uint32_t need,
                    uint32_t *start)
{
    struct fat_cache fc;
    uint32_t c, run = 0, last = fs->clusters + 1u;
    int e;
    fc.lba = NO_SECTOR;
    for (c = 2; c <= last; c++) {
        uint32_t v;
        if ((e = fat_get(fs, io, &fc, c, &v)) != FAT_OK) return e;
        run = v == 0u ? run + 1u : 0u;
        if (run == need) {
            *start = c - (need - 1u);
            return FAT_OK;
        }
    }
    return VM_FAT_ERR_FULL;
}

/* Write the chain start .. start+need-1 into one FAT copy. */
static int write_chain(const struct vm_fat *fs, const struct vm_fat_io *io, unsigned copy,
                       uint32_t start, uint32_t need)
{
    uint32_t c = start, end = start + need; /* exclusive */
    int e;
    while (c < end) {
        unsigned off;
        uint32_t lba = fat_pos(fs, copy, c, &off);
        if ((e = io->read(io->ctx, lba, io->buf)) != FAT_OK) return e;
        for (; c < end && off < VM_FAT_SECTOR; c++) {
            uint32_t next = c + 1u == end ? 0x0FFFFFFFul : c + 1u;
            if (fs->type == 16) {
                put16(io->buf + off, (uint16_t)(c + 1u == end ? 0xFFFFu : next));
                off += 2;
            } else {
                uint32_t keep = le32(io->buf + off) & 0xF0000000ul; /* reserved bits */
                put32(io->buf + off, keep | next);
                off += 4;
            }
        }
        if ((e = io->write(io->ctx, lba, io->buf)) != FAT_OK) return e;
    }
    return FAT_OK;
}

int vm_fat_create(const struct vm_fat *fs, const struct vm_fat_io *io, const char *name,
                  uint32_t size, struct vm_fat_file *f)
{
    uint8_t n83[11];
    struct find_arg a;
    uint32_t cbytes, need, start = 0;
    unsigned copy;
    uint8_t *d;
    int e;

    memset(f, 0, sizeof *f);
    if ((e = vm_fat_name83(name, n83)) != FAT_OK) return e;
    if (size == 0u || !io->write) return VM_FAT_ERR_FULL;
    memset(&a, 0, sizeof a);
    a.name = n83;
    e = root_find(fs, io, &a);
    if (e < 0) return e;
    if (e == 1) return VM_FAT_ERR_EXISTS;
    if (!a.have_free) return VM_FAT_ERR_FULL; /* never extend the directory */
    cbytes = (uint32_t)fs->spc * VM_FAT_SECTOR;
    need = size / cbytes + (size % cbytes != 0u);
    if (need > fs->clusters) return VM_FAT_ERR_FULL;
    if ((e = free_run(fs, io, need, &start)) != FAT_OK) return e;

    /* The chain first, in every FAT in use, then the entry that names it. */
    for (copy = 0; copy < fs->nfats; copy++) {
        if (fs->active_fat != 0xFFu && copy != fs->active_fat) continue;
        if ((e = write_chain(fs, io, copy, start, need)) != FAT_OK) return e;
    }
    if ((e = io->read(io->ctx, a.free_pos.lba, io->buf)) != FAT_OK) return e;
    d = io->buf + a.free_pos.index * DIR_ENTRY;
    memset(d, 0, DIR_ENTRY);
    memcpy(d, n83, 11);
    d[11] = ATTR_ARCHIVE;
    put16(d + 16, FAT_DATE_1980); /* created */
    put16(d + 18, FAT_DATE_1980); /* accessed */
    put16(d + 20, fs->type == 32 ? (uint16_t)(start >> 16) : 0u);
    put16(d + 24, FAT_DATE_1980); /* written */
    put16(d + 26, (uint16_t)start);
    put32(d + 28, size);
    if ((e = io->write(io->ctx, a.free_pos.lba, io->buf)) != FAT_OK) return e;

    /* FAT32's FSInfo hints, when the sector is one (signatures, FAT spec 5). */
    if (fs->fsinfo_lba) {
        uint8_t *b = io->buf;
        if ((e = io->read(io->ctx, fs->fsinfo_lba, b)) != FAT_OK) return e;
        if (le32(b) == 0x41615252ul && le32(b + 484) == 0x61417272ul &&
            le32(b + 508) == 0xAA550000ul) {
            uint32_t freec = le32(b + 488);
            if (freec != 0xFFFFFFFFul) put32(b + 488, freec >= need ? freec - need : 0xFFFFFFFFul);
            put32(b + 492, start + need <= fs->clusters + 1u ? start + need : 0xFFFFFFFFul);
            if ((e = io->write(io->ctx, fs->fsinfo_lba, b)) != FAT_OK) return e;
        }
    }
    f->first_cluster = start;
    f->first_lba = cluster_lba(fs, start);
    f->size = size;
    f->blocks = size / VM_FAT_SECTOR + (size % VM_FAT_SECTOR != 0u);
    return FAT_OK;
}

const char *vm_fat_strerror(int err)
{
#if VM_CONFIG_STRERROR
    switch (err) {
    case VM_FAT_ERR_NOFS: return "no FAT16/FAT32 file system on the card";
    case VM_FAT_ERR_NOFILE: return "pool file not found in the root directory";
    case VM_FAT_ERR_FRAGMENTED: return "pool file is fragmented (not one contiguous run)";
    case VM_FAT_ERR_SMALL: return "pool file is smaller than the pool";
    case VM_FAT_ERR_FULL: return "no room for a contiguous pool file";
    case VM_FAT_ERR_NAME: return "pool file name is not a valid 8.3 name";
    case VM_FAT_ERR_EXISTS: return "a file of that name exists";
    default: return NULL;
    }
#else
    (void)err;
    return NULL;
#endif
}
