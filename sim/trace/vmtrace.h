/*
 * vmtrace.h - workload traces for the pager simulator (desktop only).
 *
 * A trace is a stream of operations on a pool (struct vmt_op), read through
 * an opaque iterator (struct vmt_source) whatever its origin: a JSON trace,
 * the compact binary format, a generator described in JSON, or an importer
 * for foreign formats (valgrind lackey, Dinero IV din, id-per-line txt).
 * Every source except a JSON trace streams: its memory does not grow with
 * the trace length. The formats are documented in docs/trace-format.md.
 *
 * Errors: functions returning int give 0 (or 1 from vmt_next) on success
 * and a negative value on error; they fill err (when given) with a message
 * that names the file and the line, JSON path or byte offset, and what was
 * expected: "trace.din:12: expected a hex address".
 */
#ifndef VMTRACE_H
#define VMTRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vmt_kind { VMT_READ, VMT_WRITE, VMT_LOCK, VMT_UNLOCK, VMT_MEMSET, VMT_MEMCPY,
                VMT_FLUSH, VMT_INVALIDATE, VMT_ALLOC, VMT_FREE, VMT_PHASE, VMT_COMPUTE };
#define VMT_KIND_COUNT 12

/* The kinds that name a range of the pool (addr, len, region): read, write,
 * lock, memset and memcpy (its destination; src is a second range). */
static inline int vmt_kind_ranged(unsigned kind)
{
    return kind <= VMT_MEMCPY && kind != VMT_UNLOCK;
}

/* One operation. Fields a kind does not use are zero. */
struct vmt_op {
    uint8_t kind;        /* enum vmt_kind */
    uint8_t mode;        /* VMT_LOCK: VM_LOCK_RO / VM_LOCK_RW / VM_LOCK_WO */
    uint8_t value;       /* VMT_MEMSET: the byte */
    uint16_t region;     /* 0: addr is absolute; k>0: addr is an offset in allocation k */
    uint16_t src_region; /* same, for src */
    uint32_t id;         /* LOCK/UNLOCK: lock id; ALLOC/FREE: allocation id (= region numbers); PHASE: phase index */
    uint64_t addr;       /* READ/WRITE/LOCK/MEMSET/MEMCPY destination */
    uint64_t src;        /* MEMCPY source */
    uint32_t len;        /* bytes (ALLOC: size; COMPUTE: the amount, in `mode` units) */
    uint32_t work;       /* LOCK: the program's own CPU cycles per byte of the locked
                            range (the work done inside the lock); 0: none; at most
                            VMT_WORK_MAX */
    const uint8_t *data; /* optional, valid until the next vmt_next: WRITE payload (NULL: the
                            replay writes a deterministic pattern derived from addr), READ expected bytes */
    const char *name;    /* PHASE: its name, valid until vmt_close */
};

/* Lock modes, equal to VM_LOCK_* in core/vm.h (checked in vmtrace.c). */
#define VMT_LOCK_RO 1u
#define VMT_LOCK_WO 2u
#define VMT_LOCK_RW 3u

/* COMPUTE: the program computes between accesses for `len` units of `mode`:
 * CPU cycles of the board (the platform profile's clock turns them into
 * time) or nanoseconds. */
#define VMT_COMPUTE_CYCLES 0u
#define VMT_COMPUTE_NS 1u
/* The most a lock's work may be, in cycles per byte (the readers refuse
 * more): a program-CPU sum stays far from 2^64 over any trace. */
#define VMT_WORK_MAX 65535u

/* Name of a kind ("read", "write", ... as in JSON traces), or "?". */
const char *vmt_kind_name(unsigned kind);

struct vmt_info {
    uint64_t pool_size;
    uint64_t op_count; /* 0 when unknown */
    const char *format; /* "json", "binary", "din", "lackey", "txt", "generator" */
};

/* How foreign addresses (lackey, din, txt) become pool addresses. */
enum vmt_fold {
    /* Default. Addresses are cut into blocks of fold_block bytes (4096 when
     * 0) and each distinct block gets the next free block of the pool in
     * order of first use, so a sparse 64-bit address space becomes a dense
     * pool while every page of up to fold_block bytes keeps its identity.
     * An access that crosses a block boundary is split in two. The importer
     * scans the file once at open to size the pool; its memory grows with
     * the number of distinct blocks only. */
    VMT_FOLD_COMPACT = 0,
    /* Addresses are used as they are; pool_size (or, when 0, the highest
     * end address rounded up to 4096, found by a scan at open) is the pool. */
    VMT_FOLD_NONE = 1,
    /* addr modulo pool_size (required); accesses that would wrap are split. */
    VMT_FOLD_MOD = 2
};

/* Options for vmt_open. A zeroed struct (or NULL) means defaults. */
struct vmt_open_opts {
    uint32_t id_bytes;   /* txt: bytes per page id (0: 64), both when reading
                            a txt trace and when converting to txt */
    uint64_t pool_size;  /* foreign formats: the pool (0: as enum vmt_fold says) */
    uint8_t fold;        /* enum vmt_fold */
    uint32_t fold_block; /* VMT_FOLD_COMPACT block size, a power of two (0: 4096) */
    uint8_t fetches;     /* lackey "I" and din "i"/2 lines: 0 skip, 1 import as reads */
    uint8_t drop_data;   /* writers: 1 drops data payloads (binary and JSON keep them
                            by default) */
};

struct vmt_source; /* opaque streaming iterator */

/* Open any trace: format NULL means detect (binary magic, .json, .din, lackey, .txt).
 * A .json file is a JSON trace when it has "ops", a generator when it has
 * "generator" or "type". opts may carry e.g. the page size for id-per-line
 * traces (id_bytes) and how to fold foreign addresses into the pool. On error returns
 * NULL and fills err ("file:line: what"). */
struct vmt_source *vmt_open(const char *path, const char *format, const struct vmt_open_opts *opts, char *err, size_t errlen);
/* vmt_open, and when the file is a generator spec and ops is not 0, its
 * length is set to give at least ops ops: exactly that many for the types
 * with an "ops" parameter; the others repeat their main loop more often
 * (virtmem_bench reps, sensor_log records, image_filter and linked_list
 * passes, hash_table lookups), to be cut at ops by the reader. An error when
 * the type's limit cannot give that many. Other traces are opened as they
 * are. */
struct vmt_source *vmt_open_ops(const char *path, const char *format, const struct vmt_open_opts *opts,
                                uint64_t ops, char *err, size_t errlen);
/* A generated workload from its JSON description (cJSON object); `where` names it in errors.
 * The spec is copied: it need not outlive the source. */
struct vmt_source *vmt_open_generator(const cJSON *spec, const char *where, char *err, size_t errlen);
int vmt_next(struct vmt_source *s, struct vmt_op *op);   /* 1: op, 0: end, <0: error (vmt_error) */
int vmt_rewind(struct vmt_source *s);                     /* back to the first op */
const struct vmt_info *vmt_info(const struct vmt_source *s);
const char *vmt_error(const struct vmt_source *s);
void vmt_close(struct vmt_source *s);
/* Bytes of heap the source holds now (buffers, tables): a streaming source
 * stays bounded whatever the trace length. For tests and reports. */
size_t vmt_memory(const struct vmt_source *s);

/* LRU misses for every page count in counts[], in one pass (LRU is a stack
 * algorithm), with the touch order of vmt_opt_misses. On traces without
 * locks it equals the core's own LRU miss count (tests/sim/test_replay.c,
 * lru_stack_pass_matches_core, checks it). Memory: max(counts) page numbers. */
int vmt_lru_misses(struct vmt_source *s, uint32_t page_size, const uint32_t *counts, size_t n,
                   uint64_t *misses, char *err, size_t errlen);

/* Packed traces: a trace decoded once into memory, then read by any number
 * of sources at once (threads included: readers share the pack read-only).
 * Plain reads and writes of 1, 2 or 4 bytes take 4 bytes each; other ops
 * are kept whole with their payloads. A sweep decodes its workload once this
 * way when it fits a memory budget, and streams it otherwise. */
struct vmt_pack;
/* Decode the rest of s into memory, holding at most budget bytes. NULL when
 * it does not fit, on a trace error (streaming the source meets the error
 * where it is), or out of memory. s stays the caller's. */
struct vmt_pack *vmt_pack_new(struct vmt_source *s, size_t budget);
/* A source reading p from its first op; it must be closed before p is freed.
 * NULL when out of memory. Its vmt_info is the original source's. */
struct vmt_source *vmt_pack_open(const struct vmt_pack *p);
size_t vmt_pack_memory(const struct vmt_pack *p);
/* Reading a pack without a call per op: for a source from vmt_pack_open,
 * the words of the ops from the next one on (*n of them), else NULL; after
 * using k of them, vmt_pack_skip(s, k). A word is a plain op when
 * vmt_pack_plain decodes it (a read or write of 1, 2 or 4 bytes at an
 * absolute address, no payload); any other word is read with vmt_next. */
const uint32_t *vmt_pack_words(struct vmt_source *s, uint64_t *n);
void vmt_pack_skip(struct vmt_source *s, uint64_t k);
#define VMT_PACK_SHIFT 29u
static inline int vmt_pack_plain(uint32_t w, unsigned *kind, unsigned *len, uint64_t *addr)
{
    unsigned code = w >> VMT_PACK_SHIFT;
    if (code > 5u) return 0;
    *kind = code / 3u; /* VMT_READ, VMT_WRITE */
    *len = 1u << (code % 3u);
    *addr = w & ((1u << VMT_PACK_SHIFT) - 1u);
    return 1;
}
uint64_t vmt_pack_ops(const struct vmt_pack *p);
void vmt_pack_free(struct vmt_pack *p);

/* Misses at the optimum for every page count in counts[], in one pass per page size.
 * Touch order: each op touches the pages of its range in address order (MEMCPY: for each
 * chunk, source page then destination page), locks touch their page(s); FLUSH/PHASE touch
 * nothing; INVALIDATE empties the cache (so OPT restarts cold: count compulsory misses again).
 * Locks exactly as vm_lock does: a lock inside one page touches it; one that straddles two
 * pages and fits the bounce buffer touches both at the lock (ro, rw: it is read) and both at
 * its unlock (wo, rw: it is written back); a longer one is trimmed to its first page.
 * Memory bounded by the number of distinct pages, not the trace length, except for a temporary
 * file if needed.
 * The source is rewound first and left at its end. Region-relative addresses are
 * resolved with a mirror of the core's allocator (first fit, VM_ALLOC_ALIGN = 4,
 * heap from 4 to the pool's end), as struct vmt_heap below. counts[i] must be 1..65535. */
int vmt_opt_misses(struct vmt_source *s, uint32_t page_size, const uint32_t *counts, size_t n, uint64_t *misses, char *err, size_t errlen);
/* The same for a pager with a bounce buffer of bounce_size bytes (0, as in
 * vmt_opt_misses: the page size, vmsim's default). */
int vmt_opt_misses_bounce(struct vmt_source *s, uint32_t page_size, uint32_t bounce_size,
                          const uint32_t *counts, size_t n, uint64_t *misses, char *err, size_t errlen);
/* The same optimum over time, for one page count (1..65535): (*cum)[b] is the
 * number of misses in the first (b+1) x bucket_ops ops; the last of the *len
 * entries covers every op (its bucket may be partial, and repeat the one
 * before). *cum is malloc'd; *total is the whole trace's count. The live view
 * reads its timeline from here. */
int vmt_opt_timeline(struct vmt_source *s, uint32_t page_size, uint32_t bounce_size, uint32_t count,
                     uint64_t bucket_ops, uint32_t **cum, size_t *len, uint64_t *total, char *err,
                     size_t errlen);
/* in_format/out_format NULL: detect from the file (input) or the extension (output:
 * .vmt/.bin binary, .json, .din, .txt). */
int vmt_convert(const char *in, const char *in_format, const char *out, const char *out_format, const struct vmt_open_opts *opts, char *err, size_t errlen);

/* --------------------------------------------------------------------------
 * Writing traces. Formats: "binary", "json", "din", "txt" (lossy ones are
 * documented in docs/trace-format.md). pool_size goes into the header
 * (binary, JSON). A writer buffers; vmt_writer_close flushes, patches the
 * binary header's op count when the file is seekable, and frees.
 * -------------------------------------------------------------------------- */
struct vmt_writer;
struct vmt_writer *vmt_writer_open(const char *path, const char *format, uint64_t pool_size,
                                   const struct vmt_open_opts *opts, char *err, size_t errlen);
int vmt_writer_put(struct vmt_writer *w, const struct vmt_op *op);
/* Returns 0, or <0 with err filled (also reports an earlier put's error). */
int vmt_writer_close(struct vmt_writer *w, char *err, size_t errlen);
/* Copies max_ops ops (0: all) of s (from where it stands) to a new trace
 * file; an error, and no file, when s has fewer. This is what `vmtrace gen`
 * and `vmsim gen` use, after vmt_open_ops. */
int vmt_write_source(struct vmt_source *s, const char *out, const char *out_format,
                     const struct vmt_open_opts *opts, uint64_t max_ops, char *err, size_t errlen);

/* The gen and convert commands, shared by `vmtrace gen/convert` and their
 * aliases `vmsim gen/convert` (each program parses its own options and keeps
 * its own exit statuses). Messages go to stderr as "PROG: ...". Return 0, or
 * bad_status (an input that cannot be read, too few ops) or write_status (the
 * output could not be written). */
int vmt_cmd_gen(const char *prog, const char *spec, const char *in_format, const char *out,
                const char *out_format, const struct vmt_open_opts *opts, uint64_t ops,
                int bad_status, int write_status);
int vmt_cmd_convert(const char *prog, const char *in, const char *in_format, const char *out,
                    const char *out_format, const struct vmt_open_opts *opts, int fail_status);
/* Format name guessed from a file name's extension, or NULL. */
const char *vmt_format_from_name(const char *path);

/* --------------------------------------------------------------------------
 * Page touches: the expansion of an op into the pages it touches, in the
 * order given above for vmt_opt_misses. Shared by OPT and the naive
 * reference simulators (tests/sim/trace/vmt_naive.h), so all of them count what the core
 * counts (struct vm_stats: one hit or miss per page touched).
 * -------------------------------------------------------------------------- */
#define VMT_TOUCH_INVALIDATE UINT64_MAX /* passed to the callback for INVALIDATE */
typedef void (*vmt_touch_fn)(void *ctx, uint64_t page);

/* A mirror of the core's allocator (first fit over the gaps between live
 * blocks, aligned), used to resolve region-relative addresses offline. */
struct vmt_heap;
struct vmt_heap *vmt_heap_new(uint64_t heap_start, uint64_t heap_end, uint32_t align);
void vmt_heap_free(struct vmt_heap *h);
/* Bounce buffer size assumed for straddling locks (0: the page size). */
void vmt_heap_set_bounce(struct vmt_heap *h, uint32_t bounce_size);
/* ALLOC/FREE update the heap (an ALLOC that does not fit leaves its region
 * unresolved); other ops are ignored. Returns 0 or <0 on a bad id. */
int vmt_heap_apply(struct vmt_heap *h, const struct vmt_op *op);
/* Absolute address of region-relative addr, or <0 when region is not live. */
int vmt_heap_resolve(const struct vmt_heap *h, uint16_t region, uint64_t addr, uint64_t *abs);

/* Calls fn for each page (absolute address / page_size) op touches. ALLOC
 * and FREE are applied to h, which also remembers bounced locks until their
 * unlock (h may be NULL when the trace uses no regions: unlocks then touch
 * nothing). Returns 0, or <0 when a region cannot be resolved. */
int vmt_touches(struct vmt_heap *h, const struct vmt_op *op, uint32_t page_size,
                vmt_touch_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* VMTRACE_H */
