/*
 * vm_config.h - compile-time options of the pager core.
 *
 * Every option can be set with -D on the compiler command line, or in a
 * file named by VM_USER_CONFIG (-DVM_USER_CONFIG='"my_vm_config.h"').
 * Options remove code; they do not merely disable it. An impossible
 * combination is an #error.
 */
#ifndef VM_CONFIG_H
#define VM_CONFIG_H

#include <stdint.h>

#ifdef VM_USER_CONFIG
#include VM_USER_CONFIG
#endif

/* Replacement policies. VM_POLICY_RUNTIME (the default) links all of them and
 * lets vm_config.policy choose; any other value links only that policy, and
 * vm_init then accepts vm_config.policy 0 or that policy (VM_ERR_INVAL for
 * another one, which this build cannot run). */
#define VM_POLICY_DEFAULT 0 /* in vm_config.policy: use VM_DEFAULT_POLICY */
#define VM_POLICY_FIFO 1
#define VM_POLICY_LRU 2
#define VM_POLICY_CLOCK 3
#define VM_POLICY_SIEVE 4
#define VM_POLICY_COUNT 5 /* one past the last policy */
#define VM_POLICY_RUNTIME 255

#ifndef VM_CONFIG_POLICY
#define VM_CONFIG_POLICY VM_POLICY_RUNTIME
#endif

/* The policy used when vm_config.policy is VM_POLICY_DEFAULT. Chosen by
 * measurement: see README.md, "Choosing the default policy". */
#ifndef VM_DEFAULT_POLICY
#if VM_CONFIG_POLICY == VM_POLICY_RUNTIME
#define VM_DEFAULT_POLICY VM_POLICY_SIEVE
#else
#define VM_DEFAULT_POLICY VM_CONFIG_POLICY
#endif
#endif

/* Defaults for a zeroed vm_config. */
#ifndef VM_DEFAULT_PAGE_SIZE
#define VM_DEFAULT_PAGE_SIZE 64
#endif
#ifndef VM_DEFAULT_PAGE_COUNT
#define VM_DEFAULT_PAGE_COUNT 4
#endif

/* Global statistics (vm_stats). */
#ifndef VM_CONFIG_STATS
#define VM_CONFIG_STATS 1
#endif
/* Path counters (vm_stats()->path[], enum vm_path): how often each inline
 * and out-of-line path of the core was taken. Same cost per access as the
 * plain hit count they replace; VM_PATH_COUNT counters of RAM and about
 * 250 bytes of code. Default on 64-bit hosts (simulators, tests), off on
 * MCUs, where flash and RAM are scarce. */
#ifndef VM_CONFIG_PATHS
#if VM_CONFIG_STATS && UINTPTR_MAX > 0xFFFFFFFFu
#define VM_CONFIG_PATHS 1
#else
#define VM_CONFIG_PATHS 0
#endif
#endif
/* Per-slot load/eviction/write-back counters (costs 12 bytes per page). */
#ifndef VM_CONFIG_SLOT_STATS
#define VM_CONFIG_SLOT_STATS 1
#endif
/* Event callback (vm_config.event). */
#ifndef VM_CONFIG_EVENTS
#define VM_CONFIG_EVENTS 1
#endif
/* vm_walk() and vm_next_victim(). */
#ifndef VM_CONFIG_WALK
#define VM_CONFIG_WALK 1
#endif
/* vm_check(), the invariant checker. */
#ifndef VM_CONFIG_CHECK
#define VM_CONFIG_CHECK 1
#endif
/* The allocator (vm_alloc, vm_free, vm_realloc). */
#ifndef VM_CONFIG_ALLOC
#define VM_CONFIG_ALLOC 1
#endif
/* The bulk helpers of vm_bulk.c (vm_memset, vm_memmove, vm_memcmp,
 * vm_memcmp_ram, vm_strlen, vm_strncpy, vm_strcmp): about 5 KB of code on
 * AVR. A firmware links only the ones it calls (-ffunction-sections,
 * --gc-sections); 0 removes them all, and a call to one fails to link. */
#ifndef VM_CONFIG_BULK
#define VM_CONFIG_BULK 1
#endif
/* Locks of ranges that straddle a page boundary, through a bounce buffer. */
#ifndef VM_CONFIG_BOUNCE
#define VM_CONFIG_BOUNCE 1
#endif
/* Wrapped pointers: virtual addresses with bit 31 set stand for plain RAM
 * (vm_wrap). Every access function then serves them without the pager. Costs
 * nothing on the hit fast path; limits the pool to 2 GiB. */
#ifndef VM_CONFIG_WRAP
#define VM_CONFIG_WRAP 1
#endif
/* vm_strerror(): a table of messages in flash. */
#ifndef VM_CONFIG_STRERROR
#if defined(__AVR__)
#define VM_CONFIG_STRERROR 0 /* its strings would sit in the AVR's RAM */
#else
#define VM_CONFIG_STRERROR 1
#endif
#endif
/* A direct-mapped page->slot hint table of this many entries (a power of two,
 * or 0 for none). It turns the slow-path lookup from a scan of every slot into
 * one probe, for a miss too (the table is kept exact: core/vm.c). Costs this
 * many bytes of RAM, and one more for a count. It also gives the typed
 * accessors and vm_lock their short path for a resident page that is not hot
 * (core/vm.c, design point 4: atmega328p, target/avr-kernels.sh, a strided
 * walk over 4 resident pages 296 cycles per access instead of 866), at about
 * 1.2 KB of flash on AVR and 0.8 KB on Cortex-M; 0 leaves both out (the size
 * table's small and minimal configurations). */
#ifndef VM_CONFIG_HINTS
#if UINTPTR_MAX > 0xFFFFFFFFu
#define VM_CONFIG_HINTS 256 /* desktop: simulating 64+ pages at full speed */
#else
#define VM_CONFIG_HINTS 16
#endif
#endif
/* Hot pages: the typed accessors (vm_get8 ... vm_set32) serve a page without
 * a call when it is in the hot table, which holds 2 * VM_CONFIG_HOT_SETS
 * entries: two ways per set, the set chosen by the low bits of the page
 * number (design in core/vm.c). One set holds two pages anywhere (a copy
 * loop, a read-modify-write of two pages); more sets keep a strided or random
 * walk over that many pairs of consecutive pages inline, at a few
 * instructions per access for the set (an AND for two sets, a shift for
 * more). Each entry costs 12 bytes of RAM on AVR, 24 on a 64-bit host.
 * Default 4 on 32- and 64-bit targets; 1 on 8/16-bit MCUs, where choosing
 * the set costs cycles on every inline hit and each set costs flash: on the
 * atmega328p two sets make the sequential loops dearer per access and walks
 * over more than two resident pages several times cheaper
 * (target/avr-kernels.sh prints every kernel both ways; the README's AVR
 * kernel table has the figures). A power of two, 1 to 16. */
#ifndef VM_CONFIG_HOT_SETS
#if UINTPTR_MAX > 0xFFFFu
#define VM_CONFIG_HOT_SETS 4
#else
#define VM_CONFIG_HOT_SETS 1
#endif
#endif
/* Width of a slot index, in bits: 8 or 16. It bounds the page count
 * (VM_PAGE_COUNT_MAX in vm.h: 254 with 8 bits; with 16, 65534, or 32767
 * where int is 16 bits) and sizes every field that holds a slot index or a
 * page count (struct vm_slot's list links, the policy state, the hint table,
 * vm_config.page_count/slot_count, events, locks, vm_walk's records). 8 bits
 * costs nothing on an 8/16-bit MCU, whose RAM holds at most a few hundred
 * page buffers anyway; 16 bits lets a 32-bit MCU (ESP32, Teensy 4) or the
 * desktop tools use 1000+ pages, for 2 more bytes per slot record (struct
 * vm_slot: 16 -> 20 B on Cortex-M without per-slot statistics).
 * Default 16 on 32- and 64-bit targets, 8 on 8/16-bit MCUs. */
#ifndef VM_CONFIG_SLOT_BITS
#if UINTPTR_MAX > 0xFFFFu
#define VM_CONFIG_SLOT_BITS 16
#else
#define VM_CONFIG_SLOT_BITS 8
#endif
#endif
/* Programmer-error assertions (an argument that the API documents as a
 * precondition). Runtime faults are always checked, whatever this says. */
#ifndef VM_ASSERT
#define VM_ASSERT(x) ((void)0)
#endif

#if VM_CONFIG_POLICY != VM_POLICY_RUNTIME && \
    (VM_CONFIG_POLICY < VM_POLICY_FIFO || VM_CONFIG_POLICY >= VM_POLICY_COUNT)
#error "VM_CONFIG_POLICY must be VM_POLICY_RUNTIME or one of VM_POLICY_FIFO..SIEVE"
#endif
#if VM_DEFAULT_POLICY < VM_POLICY_FIFO || VM_DEFAULT_POLICY >= VM_POLICY_COUNT
#error "VM_DEFAULT_POLICY must be one of VM_POLICY_FIFO..SIEVE"
#endif
#if VM_CONFIG_POLICY != VM_POLICY_RUNTIME && VM_DEFAULT_POLICY != VM_CONFIG_POLICY
#error "with a fixed VM_CONFIG_POLICY, VM_DEFAULT_POLICY must equal it"
#endif
#if VM_CONFIG_HINTS & (VM_CONFIG_HINTS - 1)
#error "VM_CONFIG_HINTS must be 0 or a power of two"
#endif
#if VM_CONFIG_HINTS > 256
#error "VM_CONFIG_HINTS must be at most 256"
#endif
#if VM_CONFIG_HOT_SETS < 1 || VM_CONFIG_HOT_SETS > 16 || (VM_CONFIG_HOT_SETS & (VM_CONFIG_HOT_SETS - 1))
#error "VM_CONFIG_HOT_SETS must be a power of two from 1 to 16"
#endif
#if VM_CONFIG_SLOT_BITS != 8 && VM_CONFIG_SLOT_BITS != 16
#error "VM_CONFIG_SLOT_BITS must be 8 or 16"
#endif
#if VM_CONFIG_SLOT_STATS && !VM_CONFIG_STATS
#error "VM_CONFIG_SLOT_STATS needs VM_CONFIG_STATS"
#endif
#if VM_CONFIG_PATHS && !VM_CONFIG_STATS
#error "VM_CONFIG_PATHS needs VM_CONFIG_STATS"
#endif

#define VM_HAS_POLICY(p) (VM_CONFIG_POLICY == VM_POLICY_RUNTIME || VM_CONFIG_POLICY == (p))

#endif /* VM_CONFIG_H */
