/*
 * tc.h - shared fixtures of the core's test suites (desktop only).
 *
 * struct tc is one pager instance over a vm_ram backend with heap-allocated
 * buffers, a bounce buffer, an allocator table, an event log and a "spy" that
 * records every backend call. Every suite builds on it so that the geometry
 * and the counters are set up the same way everywhere.
 */
#ifndef TC_H
#define TC_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>

#include "vm.h"
#include "vm_ram.h"
#include "vm_wrap.h"

/* Asserts for hot loops. Check's ck_assert* records every passing check
 * (one write to its pipe each), which costs far more than the pager; these
 * report only a failure. */
#define TC_ASSERT(cond)                                                        \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg("assertion failed: %s", #cond);                       \
    } while (0)
#define TC_ASSERT_MSG(cond, ...)                                               \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)

#define TC__CMP(a, op, b)                                                      \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (!(a_ op b_))                                                       \
            ck_abort_msg("assertion failed: %s %s %s (%lld vs %lld)", #a, #op, \
                         #b, a_, b_);                                          \
    } while (0)
#define TC_ASSERT_EQ(a, b) TC__CMP(a, ==, b)
#define TC_ASSERT_NE(a, b) TC__CMP(a, !=, b)
#define TC_ASSERT_LT(a, b) TC__CMP(a, <, b)
#define TC_ASSERT_LE(a, b) TC__CMP(a, <=, b)
#define TC_ASSERT_GT(a, b) TC__CMP(a, >, b)
#define TC_ASSERT_GE(a, b) TC__CMP(a, >=, b)

/* A seeded 64-bit generator (splitmix64): reproducible from the seed alone. */
struct tc_rng {
    uint64_t s;
};
void tc_rng_seed(struct tc_rng *r, uint64_t seed);
uint64_t tc_rng_next(struct tc_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t tc_rng_below(struct tc_rng *r, uint32_t n);
/* Uniform in [lo, hi]. */
uint32_t tc_rng_range(struct tc_rng *r, uint32_t lo, uint32_t hi);
/* 1 with chance num/den. */
int tc_rng_chance(struct tc_rng *r, uint32_t num, uint32_t den);

/* Run every test of s (CK_RUN_SUITE / CK_RUN_CASE select) and return the
 * process's exit status: 1 if a test failed, and also if no test ran at all
 * (a selection that matches nothing is an error, never "Checks: 0"). */
int tc_run(Suite *s);

/* Test scale: VM_TEST_SCALE percent (default 100) times VM_TEST_SOAK
 * (default 1). Applied to an operation count; never returns less than min.
 * A count of 0 (min 0 and a scale of 0) fails the calling test. */
unsigned long tc_scaled(unsigned long count, unsigned long min);
/* VM_TEST_SEED (decimal or 0x hex) if set, else def. */
uint64_t tc_seed(uint64_t def);

/* One recorded backend call. */
struct tc_call {
    uint8_t write; /* 0: read, 1: write */
    int rc;
    vm_addr_t addr;
    vm_addr_t len;
};

/* One recorded event, with the stats' call counter at that time. */
#define TC_EVENTS_MAX 4096
#define TC_CALLS_MAX 4096

struct tc {
    struct vm vm;
    struct vm_config cfg;
    struct vm_ram ram;
    struct vm_wrap wrap;     /* around ram: seeded faults (vm_wrap_faults) */
    struct vm_backend spy;   /* forwards to wrap.backend, logging calls */
    uint8_t *mem;            /* backend memory (pool contents) */
    vm_addr_t mem_size;
    uint32_t *pages;         /* page buffers */
    struct vm_slot *slots;
    uint8_t *bounce;
    struct vm_block *heap;
    /* event log */
    struct vm_event ev[TC_EVENTS_MAX];
    unsigned n_ev;
    int log_events;
    /* backend call log */
    struct tc_call calls[TC_CALLS_MAX];
    unsigned n_calls;
    /* forced faults: a read (write) call overlapping [fail_lo, fail_hi)
     * fails with VM_ERR_IO without reaching the memory */
    int fail_reads, fail_writes;
    vm_addr_t fail_lo, fail_hi;
    int fail_code;           /* the code they fail with; 0: VM_ERR_IO */
    int sync_code;           /* what the backend's sync returns */
    unsigned syncs;          /* sync calls */
};

/* Geometry of a fixture. Zero fields take these defaults: pool_size = 16
 * pages, bounce = page_size bytes, heap_blocks = 64. mem is filled with
 * fill_seed's bytes (0: zeros). */
struct tc_geom {
    vm_addr_t pool_size;
    uint16_t page_size;
    vm_slot_t page_count;
    uint8_t policy;
    uint8_t flags;
    uint16_t heap_blocks;
    int no_bounce;
    uint16_t bounce_size;   /* 0: page_size */
    uint64_t fill_seed;
    int no_events;          /* no observer: locks may be served inline */
};

/* Allocate and vm_init; the test fails if vm_init does. */
struct tc *tc_new(const struct tc_geom *g);
void tc_free(struct tc *t);
/* Clear the event and call logs, and the vm_ram counters. */
void tc_clear_logs(struct tc *t);
/* Count of logged events of one type. */
unsigned tc_count_events(const struct tc *t, unsigned type);

/* vm_check must hold (fails the test otherwise). */
#define TC_CHECK(t) ck_assert_int_eq(vm_check(&(t)->vm), VM_OK)

/* A snapshot of every slot through vm_walk, indexed by slot (fixtures of
 * up to TC_WALK_MAX pages). */
#define TC_WALK_MAX (VM_PAGE_COUNT_MAX < 1024u ? VM_PAGE_COUNT_MAX : 1024u)
struct tc_walk {
    unsigned n;
    struct vm_slot_info s[TC_WALK_MAX];
};
void tc_walk(const struct tc *t, struct tc_walk *w);

/* The n bytes the pool holds at addr, found without changing any state: a
 * resident page's valid bytes, else the backend memory. (A live bounced lock
 * is not seen; the caller overlays it.) */
void tc_peek(const struct tc *t, vm_addr_t addr, size_t n, uint8_t *out);

/* Name of an error code, for messages. */
const char *tc_err_name(int err);
/* 1 for the codes a backend returns (IO, TIMEOUT, CORRUPT, NODEV). */
int tc_is_backend_err(int err);

#endif /* TC_H */
