/*
 * vmt_internal.h - what the vmtrace sources share (private to sim/trace).
 *
 * Every source is a struct vmt_source followed by its own state; the
 * vtable gives next/rewind/close. A source that failed stays failed:
 * vmt_next keeps returning the same error.
 */
#ifndef VMT_INTERNAL_H
#define VMT_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_rng.h"
#include "vmtrace.h"

/* Largest pool any trace may declare (the replay engine's limit). */
#define VMT_POOL_MAX 0x80000000ULL

struct vmt_source_ops {
    int (*next)(struct vmt_source *s, struct vmt_op *op);
    int (*rewind)(struct vmt_source *s);
    void (*close)(struct vmt_source *s);
    size_t (*memory)(const struct vmt_source *s);
};

struct vmt_source {
    const struct vmt_source_ops *ops;
    struct vmt_info info;
    char *path;     /* name used in messages */
    int failed;     /* <0 once an error was reported */
    char err[512];
};

/* Formats err as printf; returns -1. err may be NULL. */
int vmt_errf(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The first error wins: when *failed is 0, formats err as printf and sets
 * *failed to -1; a later error is dropped. Returns -1. */
int vmt_first_errf(int *failed, char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Marks a source or a writer (x: anything with failed and err[]) failed
 * with a message, unless it already failed; returns -1. */
#define vmt_fail(x, ...) vmt_first_errf(&(x)->failed, (x)->err, sizeof (x)->err, __VA_ARGS__)
char *vmt_strdup(const char *s);
/* Room for entry n of an array with *cap entries of size bytes, which
 * doubles (from first) when full: the array, moved if it grew; NULL when it
 * cannot grow (the array stays as it was). */
void *vmt_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first);
/* Zeroed allocation of a source of `size` bytes; NULL on out of memory. */
struct vmt_source *vmt_source_new(size_t size, const struct vmt_source_ops *ops,
                                  const char *path, const char *format);

/* Openers by format (each fills err on failure). */
struct vmt_source *vmt_open_binary(const char *path, char *err, size_t errlen);
/* ops (json, generators): 0, or at least this many ops (vmt_open_ops). */
struct vmt_source *vmt_open_json(const char *path, uint64_t ops, char *err, size_t errlen);
struct vmt_source *vmt_open_json_text(const char *text, const char *where, uint64_t ops, char *err,
                                      size_t errlen);
struct vmt_source *vmt_open_text(const char *path, const char *format,
                                 const struct vmt_open_opts *opts, char *err, size_t errlen);
struct vmt_source *vmt_open_generator_at(const cJSON *spec, const char *where, uint64_t ops,
                                         char *err, size_t errlen);

/* Writers by format. */
struct vmt_writer_ops {
    int (*put)(struct vmt_writer *w, const struct vmt_op *op);
    int (*close)(struct vmt_writer *w);
};
struct vmt_writer {
    const struct vmt_writer_ops *ops;
    FILE *f;
    char *path;
    int failed;
    uint64_t count;
    uint64_t pool_size;
    struct vmt_open_opts opts;
    char err[512];
};
int vmt_writer_init_binary(struct vmt_writer **w);
int vmt_writer_init_json(struct vmt_writer **w);
int vmt_writer_init_text(struct vmt_writer **w, const char *format);

/* A u64 -> dense u32 map (open addressing). Memory grows with the number of
 * distinct keys only. */
struct vmt_map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap;   /* power of two, 0 when empty */
    size_t count;
};
/* Returns the value of key, inserting count (the next dense index) when new.
 * *fresh is set to 1 when inserted. Returns UINT32_MAX on out of memory. */
uint32_t vmt_map_get(struct vmt_map *m, uint64_t key, int *fresh);
/* Returns the value, or UINT32_MAX when absent. */
uint32_t vmt_map_find(const struct vmt_map *m, uint64_t key);
void vmt_map_clear(struct vmt_map *m);

/* Little-endian helpers. */
static inline void vmt_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t vmt_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Deterministic PRNG (xoshiro256**, seeded by splitmix64). */
struct vmt_rng { struct vm_rng256 g; };
void vmt_rng_seed(struct vmt_rng *r, uint64_t seed);
uint64_t vmt_rng_next(struct vmt_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t vmt_rng_below(struct vmt_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double vmt_rng_unit(struct vmt_rng *r);

#endif /* VMT_INTERNAL_H */
