/*
 * vm_rng.h - the project's seeded pseudo-random generators, in one place.
 *
 * Every random choice in the device models, the fault injectors, the trace
 * generators and the figure programs draws from one of these, so a run is
 * reproduced from its seed alone. Each generator is kept exactly as published
 * (the shipped reports and test figures depend on their sequences):
 *
 * - xorshift32: G. Marsaglia, "Xorshift RNGs", Journal of Statistical
 *   Software 8(14), 2003 (the 13/17/5 triple). 32-bit arithmetic only, for
 *   code that also builds for an 8-bit target.
 * - xorshift64*: S. Vigna, "An experimental exploration of Marsaglia's
 *   xorshift generators, scrambled", ACM TOMS 42(4), 2016 (shifts 12/25/27,
 *   multiplier 0x2545F4914F6CDD1D). A zero state stands for the golden-ratio
 *   constant, so that seed 0 is usable.
 * - splitmix64: G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom
 *   number generators", OOPSLA 2014; constants of Vigna's splitmix64.c
 *   (https://prng.di.unimi.it/splitmix64.c).
 * - xoshiro256**: D. Blackman, S. Vigna, "Scrambled linear pseudorandom
 *   number generators", ACM TOMS 47(4), 2021
 *   (https://prng.di.unimi.it/xoshiro256starstar.c), seeded by splitmix64.
 * - lcg64: D. Knuth's MMIX multiplier and increment (TAOCP vol. 2, 3.3.4,
 *   table 1), for figure programs that only need cheap spread.
 *
 * Header only, portable C99 (64-bit arithmetic except xorshift32).
 */
#ifndef VM_RNG_H
#define VM_RNG_H

#include <stdint.h>

/* xorshift32; *s must not be 0 (0 stays 0). */
static inline uint32_t vm_rng_xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* xorshift64*; a zero state is replaced by 0x9E3779B97F4A7C15. */
static inline uint64_t vm_rng_xorshift64s(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* splitmix64: any state, including 0. */
static inline uint64_t vm_rng_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* xoshiro256**, its state filled from a seed by splitmix64. */
struct vm_rng256 {
    uint64_t s[4];
};

static inline void vm_rng256_seed(struct vm_rng256 *r, uint64_t seed)
{
    int i;
    for (i = 0; i < 4; i++) r->s[i] = vm_rng_splitmix64(&seed);
}

static inline uint64_t vm_rng_rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t vm_rng256_next(struct vm_rng256 *r)
{
    uint64_t *s = r->s;
    uint64_t res = vm_rng_rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = vm_rng_rotl64(s[3], 45);
    return res;
}

/* lcg64: returns the new state; its high bits are the useful ones. */
static inline uint64_t vm_rng_lcg64(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s;
}

/* A seeded wire fault, as the SPI device models inject it into each byte in
 * each direction: with ppm 0 nothing is drawn and b is returned as is;
 * otherwise one xorshift64* draw, and when its high 32 bits mod 10^6 fall
 * below ppm, the bit its low 3 bits name is inverted and *flips counts it. */
static inline uint8_t vm_rng_flip8(uint64_t *s, uint32_t ppm, uint64_t *flips, uint8_t b)
{
    uint64_t r;
    if (ppm == 0) return b;
    r = vm_rng_xorshift64s(s);
    if ((r >> 32) % 1000000u < ppm) {
        (*flips)++;
        b ^= (uint8_t)(1u << (r & 7u));
    }
    return b;
}

#endif
