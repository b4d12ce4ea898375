/*
 * vmt_naive.h - naive reference simulators for cross-checking miss counts.
 *
 * They work on a touch sequence (page numbers, VMT_TOUCH_INVALIDATE = empty
 * the cache) held in memory, and are written for obviousness, not speed:
 * O(touches x frames) for LRU/FIFO/CLOCK/SIEVE, O(touches^2) for Belady,
 * exponential for the exhaustive search. Locks are not modelled (a pinned
 * page cannot be evicted by the core), so compare on lock-free traces.
 * Use them in tests only, on small traces.
 */
#ifndef VMT_NAIVE_H
#define VMT_NAIVE_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Expands all of s (rewound first) into touches at page_size. *out is
 * malloc'd (free it). Returns 0, or <0 with err filled. */
int vmt_naive_touches(struct vmt_source *s, uint32_t page_size, uint64_t **out, size_t *n,
                      char *err, size_t errlen);

/* Misses of each policy with `frames` page frames. */
uint64_t vmt_naive_lru(const uint64_t *t, size_t n, unsigned frames);
uint64_t vmt_naive_fifo(const uint64_t *t, size_t n, unsigned frames);
/* CLOCK: a hand over frames in slot order; a hit sets the reference bit, a
 * load leaves it clear; on a miss the hand clears set bits and takes the
 * first clear frame, then moves past it. Empty frames are used first. */
uint64_t vmt_naive_clock(const uint64_t *t, size_t n, unsigned frames);
/* SIEVE (NSDI'24): FIFO order of loads, visited bit set on a hit (not on
 * load); the hand moves from the oldest towards the newest, clearing
 * visited bits, evicts the first unvisited page and stays there. */
uint64_t vmt_naive_sieve(const uint64_t *t, size_t n, unsigned frames);
/* Belady's MIN simulated directly: on a miss with full frames, evict the
 * page whose next use (before the next invalidate) is farthest. */
uint64_t vmt_naive_belady(const uint64_t *t, size_t n, unsigned frames);
/* The true minimum by exhaustive search over every eviction choice (demand
 * paging). Exponential: keep n <= ~16 and frames <= 4. */
uint64_t vmt_naive_opt_exhaustive(const uint64_t *t, size_t n, unsigned frames);

#ifdef __cplusplus
}
#endif

#endif /* VMT_NAIVE_H */
