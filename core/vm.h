/*
 * vm.h - the pager: a large virtual pool behind a few page buffers in RAM.
 *
 * This header is the whole contract of the core. The core is portable C99:
 * no malloc, no stdio, no float, no VLAs, and it assumes int may be 16 bits.
 * It includes only <limits.h>, <stddef.h>, <stdint.h> and <string.h>.
 *
 * Model
 *   The pool is pool_size bytes of backing store (SPI SRAM, SD card, a PC
 *   over serial, a RAM array), reached through struct vm_backend. The caller
 *   gives the pager page_count page buffers of page_size bytes (a power of two
 *   from 16 to 4096) and the same number of struct vm_slot records. Every
 *   access is served from a page buffer; a page not in a buffer is loaded on
 *   demand, evicting another chosen by the replacement policy.
 *
 *   Each resident page tracks a valid byte range and a dirty byte range. A
 *   page written from a point where nothing needs to be read (a write-only
 *   lock, or writes that grow a range) is never fetched; only the dirty bytes
 *   are written back. Bytes a read needs that are not valid are fetched then.
 *
 * Errors
 *   Functions that can fail return int: VM_OK (0) or a negative enum vm_err.
 *   Backends return the same codes. A failed read never installs a page; a
 *   failed write-back leaves the page resident and dirty, so no data is lost.
 *   When a multi-page operation fails part-way, a prefix of its range (in
 *   address order; reverse order for an overlapping vm_memmove to a higher
 *   address) has been done and the rest is untouched.
 *
 * Concurrency
 *   One struct vm is used by one thread of control. Nothing here is safe to
 *   call from an interrupt handler that may preempt another call on the same
 *   instance. Separate instances are independent.
 */
#ifndef VM_H
#define VM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The hit fast path is inlined even where the compiler thinks a loop cold. */
#if defined(__GNUC__) || defined(__clang__)
#define VM_INLINE static inline __attribute__((always_inline))
#else
#define VM_INLINE static inline
#endif

/* A virtual address: a byte offset into the pool. */
typedef uint32_t vm_addr_t;

/* Counters: 64 bits on hosts with 64-bit pointers, 32 bits elsewhere. */
#ifndef VM_COUNT_T
#if UINTPTR_MAX > 0xFFFFFFFFu
#define VM_COUNT_T uint64_t
#else
#define VM_COUNT_T uint32_t
#endif
#endif
typedef VM_COUNT_T vm_count_t;

/* The null virtual address. The allocator never returns it. */
#define VM_NULL ((vm_addr_t)0)
/* vm_slot.base of an empty slot. No page starts there (pages are >= 16 B). */
#define VM_NO_PAGE ((vm_addr_t)0xFFFFFFFFu)

#define VM_PAGE_SIZE_MIN 16u
#define VM_PAGE_SIZE_MAX 4096u
/* Nonzero when ps (any unsigned integer type) is a page size vm_init accepts:
 * a power of two from VM_PAGE_SIZE_MIN to VM_PAGE_SIZE_MAX. The one geometry
 * check: the tools and the scenario loader use it too. */
#define VM_PAGE_SIZE_OK(ps) \
    ((ps) >= VM_PAGE_SIZE_MIN && (ps) <= VM_PAGE_SIZE_MAX && ((ps) & ((ps) - 1u)) == 0)

/* A slot index, or a page count: VM_CONFIG_SLOT_BITS wide. VM_SLOT_NONE (all
 * ones) means "no slot"; the value below it is reserved too (a lock on a
 * wrapped pointer), so at most VM_PAGE_COUNT_MAX pages. Slot indices also
 * travel in an int, which limits them to 32767 where int is 16 bits. */
#if VM_CONFIG_SLOT_BITS == 8
typedef uint8_t vm_slot_t;
#define VM_SLOT_NONE 0xFFu
#define VM_PAGE_COUNT_MAX 254u
#else
typedef uint16_t vm_slot_t;
#define VM_SLOT_NONE 0xFFFFu
#if INT_MAX <= 0x7FFF
#define VM_PAGE_COUNT_MAX 32767u
#else
#define VM_PAGE_COUNT_MAX 65534u
#endif
#endif

/* Error codes. Every function that can fail returns one of these. */
enum vm_err {
    VM_OK = 0,
    VM_ERR_IO = -1,        /* the backend reported an I/O error */
    VM_ERR_TIMEOUT = -2,   /* the backend's device did not answer in time */
    VM_ERR_CORRUPT = -3,   /* the backend received bad data (CRC, garbage) */
    VM_ERR_NODEV = -4,     /* the backend's device is absent or not set up */
    VM_ERR_INVAL = -5,     /* an invalid argument or configuration */
    VM_ERR_RANGE = -6,     /* an address range outside the pool */
    VM_ERR_BUSY = -7,      /* no page can be evicted (all locked), a lock count
                              would overflow, or the bounce buffer is in use */
    VM_ERR_NOMEM = -8,     /* the allocator has no block that fits */
    VM_ERR_NOTLOCKED = -9, /* vm_unlock of a lock that is not held */
    VM_ERR_CHECK = -10     /* vm_check found a broken invariant */
};
#define VM_ERR_COUNT 11 /* number of codes, VM_OK included */

/* --------------------------------------------------------------------------
 * Backend: the backing store, in the style of littlefs's block device.
 * read/write move len bytes (1 <= len <= page_size) at addr, with
 * addr + len <= size. They return VM_OK or a negative vm_err; on error the
 * destination's contents are undefined (the pager never uses them).
 * sync (optional, may be NULL) makes earlier writes durable.
 * -------------------------------------------------------------------------- */
struct vm_backend {
    int (*read)(void *ctx, vm_addr_t addr, void *buf, size_t len);
    int (*write)(void *ctx, vm_addr_t addr, const void *buf, size_t len);
    int (*sync)(void *ctx);
    void *ctx;
    vm_addr_t size; /* bytes of backing store */
};

/* --------------------------------------------------------------------------
 * Page metadata. One per page buffer, owned by the caller, opaque in use.
 * Invariants (vm_check): an empty slot has base == VM_NO_PAGE and no locks;
 * otherwise base is page-aligned and inside the pool, no two slots hold the
 * same page, vlo <= vhi <= extent, and a dirty slot (dlo < dhi) has
 * vlo <= dlo < dhi <= vhi.
 * -------------------------------------------------------------------------- */
struct vm_slot {
    vm_addr_t base;   /* virtual address of the page held, or VM_NO_PAGE */
    uint16_t vlo;     /* valid bytes: [vlo, vhi) hold the pool's data */
    uint16_t vhi;
    uint16_t dlo;     /* dirty bytes: [dlo, dhi); clean when dlo == dhi */
    uint16_t dhi;
    uint8_t locks;    /* number of locks held on this page */
    uint8_t flags;    /* policy bits (VM_SLOT_REF) */
    vm_slot_t prev;   /* policy order list (FIFO, LRU, SIEVE) */
    vm_slot_t next;
#if VM_CONFIG_SLOT_STATS
    vm_count_t loads;      /* pages loaded into this slot */
    vm_count_t ev_less_loads; /* pages evicted from this slot, less loads
                                 (modulo 2^n; vm_walk reports evictions):
                                 the usual miss evicts and loads in one
                                 slot, which leaves it as it is */
    vm_count_t writebacks; /* write-backs from this slot */
#endif
};

#define VM_SLOT_REF 0x01 /* CLOCK reference bit / SIEVE visited bit */

/* Paths through the core (VM_CONFIG_PATHS): vm_stats()->path[p] counts how
 * often path p was taken since vm_init or vm_stats_reset. The inline paths
 * (the first three, and the last two) serve a typed access or a read-only
 * lock with no call; everything else is a function in core/. One public call
 * counts its entry path (GET_SLOW, SET_SLOW, READ, WRITE, LOCK, LOCK_BOUNCE,
 * UNLOCK, WRAPPED, or an inline one) plus what it did inside: one TOUCH_HIT
 * or TOUCH_MISS per page touched (an inline lock counts its TOUCH_HIT),
 * CLEAN_VICTIM and SETTLE when they happen. A typed access that straddles a
 * page boundary counts GET_SLOW then READ (SET_SLOW then WRITE). To learn
 * which paths one call took, copy path[] before it and compare after (a
 * simulator charging each path its measured cost does this).
 *   stats.hits   = GET_HOT + SET_HOT + SET_GROW + TOUCH_HIT
 *   stats.misses = TOUCH_MISS                                                */
enum vm_path {
    VM_PATH_GET_HOT,      /* inline vm_get8/16/32 served from a hot page */
    VM_PATH_SET_HOT,      /* inline vm_set8/16/32 inside a hot page's valid range */
    VM_PATH_SET_GROW,     /* inline vm_set8/16/32 that grows a hot page's valid
                             and dirty ranges (filling a page never fetched) */
    VM_PATH_GET_SLOW,     /* typed read not served inline (vm__get_slow) */
    VM_PATH_SET_SLOW,     /* typed write not served inline (vm__set_slow) */
    VM_PATH_READ,         /* vm_read: the any-length path */
    VM_PATH_WRITE,        /* vm_write */
    VM_PATH_TOUCH_HIT,    /* out-of-line touch of a resident page: lookup and
                             policy update */
    VM_PATH_TOUCH_MISS,   /* out-of-line touch that loads the page: victim,
                             write-back, fetch */
    VM_PATH_CLEAN_VICTIM, /* VM_CLEAN_FIRST evicted a clean page instead of
                             the policy's dirty victim */
    VM_PATH_LOCK,         /* vm_lock in place */
    VM_PATH_LOCK_BOUNCE,  /* vm_lock through the bounce buffer */
    VM_PATH_UNLOCK,       /* vm_unlock */
    VM_PATH_WRAPPED,      /* an access or lock of a wrapped RAM address */
    VM_PATH_SETTLE,       /* LRU: a deferred move to the list head, owed by
                             inline hits, made when the core is next entered */
    VM_PATH_LOCK_HOT,     /* inline vm_lock (read-only) of a hot page: with its
                             TOUCH_HIT, in place of LOCK */
    VM_PATH_UNLOCK_HOT,   /* inline vm_unlock of such a lock, in place of UNLOCK */
    VM_PATH_SHORT,        /* a typed access's touch of a resident page that
                             needs no fetch, done without vm__touch_lh (vm.c,
                             short_hit): with its TOUCH_HIT, after GET_SLOW
                             or SET_SLOW */
    VM_PATH_COUNT
};

/* Statistics, since vm_init or vm_stats_reset. A "touch" is one access to one
 * page; a vm_read spanning three pages makes three touches. */
struct vm_stats {
    vm_count_t hits;          /* touches of a resident page */
    vm_count_t misses;        /* touches of a page that was not resident */
    vm_count_t loads;         /* pages installed into a slot */
    vm_count_t fills;         /* fetches of missing bytes of a resident page */
    vm_count_t evictions;     /* pages removed from a slot */
    vm_count_t writebacks;    /* backend writes of dirty bytes */
    vm_count_t bytes_read;    /* bytes read from the backend */
    vm_count_t bytes_written; /* bytes written to the backend */
    vm_count_t locks;         /* successful vm_lock calls */
    vm_count_t unlocks;       /* successful vm_unlock calls */
    vm_count_t errors;        /* backend calls that failed */
#if VM_CONFIG_PATHS
    vm_count_t path[VM_PATH_COUNT]; /* enum vm_path */
#endif
};

/* Events, reported through vm_config.event when VM_CONFIG_EVENTS is on. */
enum vm_event_type {
    VM_EV_LOAD,      /* a page was installed in slot (addr, len = bytes read) */
    VM_EV_FILL,      /* missing bytes of a resident page were read */
    VM_EV_EVICT,     /* a page left slot */
    VM_EV_WRITEBACK, /* dirty bytes [addr, addr+len) were written */
    VM_EV_DIRTY,     /* a clean page became dirty */
    VM_EV_LOCK,      /* a lock was taken (slot = VM_BOUNCE_SLOT: bounced) */
    VM_EV_UNLOCK,    /* a lock was released */
    VM_EV_ERROR      /* a backend call failed with err */
};

struct vm_event {
    uint8_t type; /* enum vm_event_type */
    vm_slot_t slot; /* slot index, or VM_BOUNCE_SLOT */
    int err;      /* for VM_EV_ERROR */
    vm_addr_t addr;
    vm_addr_t len;
};

typedef void (*vm_event_fn)(void *ctx, const struct vm_event *ev);

#define VM_BOUNCE_SLOT VM_SLOT_NONE

/* --------------------------------------------------------------------------
 * Configuration. A zeroed field means its default.
 * -------------------------------------------------------------------------- */
#define VM_CLEAN_FIRST 0x01 /* flags: prefer a clean cold victim (saves a write-back) */

struct vm_config {
    const struct vm_backend *backend; /* required; copied by vm_init */
    vm_addr_t pool_size;  /* 0: backend->size. Must be <= backend->size. */
    uint16_t page_size;   /* 0: VM_DEFAULT_PAGE_SIZE. Power of two, 16..4096. */
    vm_slot_t page_count; /* 0: as many as pages and slots hold
                             (<= VM_PAGE_COUNT_MAX) */
    uint8_t policy;       /* VM_POLICY_*; 0: VM_DEFAULT_POLICY */
    uint8_t flags;        /* VM_CLEAN_FIRST */
    void *pages;          /* required: page buffers, 4-byte aligned (any
                             alignment on 8/16-bit MCUs, which have none) */
    size_t pages_size;    /* bytes at pages: >= page_size * page_count */
    struct vm_slot *slots;/* required: one per page */
    vm_slot_t slot_count; /* records at slots */
#if VM_CONFIG_BOUNCE
    void *bounce;         /* optional: buffer for locks straddling two pages */
    uint16_t bounce_size; /* bytes at bounce; at most page_size are used */
#endif
#if VM_CONFIG_ALLOC
    struct vm_block *heap;  /* optional: allocator's block table, in RAM */
    uint16_t heap_blocks;   /* entries in heap: the most live allocations */
    vm_addr_t heap_start;   /* 0: VM_ALLOC_ALIGN (address 0 is VM_NULL) */
    vm_addr_t heap_end;     /* 0: pool_size */
#endif
#if VM_CONFIG_EVENTS
    vm_event_fn event;      /* optional observer */
    void *event_ctx;
#endif
};

/* Declare page buffers and slots statically, aligned, for a geometry:
 *   VM_STORAGE(static, my, 64, 4);
 *   cfg.pages = my_pages; cfg.pages_size = sizeof my_pages;
 *   cfg.slots = my_slots; cfg.slot_count = 4;                                */
#if defined(__GNUC__) || defined(__clang__)
#define VM_ALIGN4 __attribute__((aligned(4)))
#else
#define VM_ALIGN4
#endif
/* More pages than the build's slot index allows (VM_PAGE_COUNT_MAX) fail to
 * compile: name_slots gets a negative size. */
#define VM_STORAGE(storage, name, page_size, page_count)                       \
    storage uint32_t name##_pages[((uint32_t)(page_size) * (page_count) + 3u) / 4u] VM_ALIGN4; \
    storage struct vm_slot name##_slots[(page_count) <= VM_PAGE_COUNT_MAX ? (long)(page_count) : -1L]

/* Bytes of RAM a geometry costs: page buffers plus metadata. */
#define VM_SLOT_BYTES (sizeof(struct vm_slot))
#define VM_RAM_COST(page_size, page_count)                                     \
    ((size_t)(page_size) * (page_count) + (size_t)(page_count) * VM_SLOT_BYTES + \
     sizeof(struct vm))

#if VM_CONFIG_ALLOC
#ifndef VM_ALLOC_ALIGN
#define VM_ALLOC_ALIGN 4u
#endif
/* One allocator table entry: a live allocation. Kept sorted by address. */
struct vm_block {
    vm_addr_t addr;
    vm_addr_t size;
};
struct vm_heap_stats {
    vm_addr_t used;          /* bytes in live allocations (rounded to alignment) */
    vm_addr_t peak;          /* highest used since init or vm_stats_reset */
    vm_addr_t free;          /* bytes free in the heap */
    vm_addr_t largest_free;  /* largest single allocation that would succeed */
    uint16_t blocks;         /* live allocations */
    uint16_t blocks_max;     /* table entries */
};
#endif

/* --------------------------------------------------------------------------
 * The instance. Public so that it can be placed statically; its fields are
 * private (read them only through the functions below).
 * -------------------------------------------------------------------------- */
/* Hot pages: the ones the inline accessors serve without a call (design in
 * core/vm.c). Entry e holds: base, the page's address when a read may be
 * served (the page is fully valid), else VM_HOT_EMPTY; wbase likewise for a
 * write (the page is dirty and a whole page of the pool); adj, its buffer's
 * address less base (so a byte's address is adj + a: no offset to mask);
 * slot, its record. Two entries (ways) per set; a page's set is
 * VM__HOT_SET(). Kept as parallel arrays so that an entry's fields are one
 * scaled load away. Way 0 of set k is entry 2k and way 1 entry 2k + 1; on
 * 64-bit hosts way 0 is entry k and way 1 entry k + VM_CONFIG_HOT_SETS, a
 * constant displacement that x86 addressing adds for free. */
/* A hot entry's base (hot_base, hot_wbase), or VM_HOT_EMPTY. On 64-bit hosts
 * it is 64 bits wide and VM_HOT_EMPTY lies 2^32 away from every 32-bit
 * address, so one subtraction and one unsigned compare,
 * (uint64_t)a - base <= page_size - n, test both that an n-byte value at a
 * lies in the page and that it does not straddle its end; an empty entry
 * never matches, wrapped addresses included. Elsewhere it is a vm_addr_t
 * and VM_HOT_EMPTY is VM_NO_PAGE (the 64-bit subtraction would cost more
 * than the mask on a 32-bit or 8-bit CPU). */
#ifndef VM__HOT64 /* tests/core builds the MCUs' form (0) on the desktop too */
#define VM__HOT64 (UINTPTR_MAX > 0xFFFFFFFFu)
#endif
#if VM__HOT64
typedef uint64_t vm_hot_t;
#define VM_HOT_EMPTY ((vm_hot_t)VM_NO_PAGE << 32)
#else
typedef vm_addr_t vm_hot_t;
#define VM_HOT_EMPTY VM_NO_PAGE
#endif

/* Entries: two ways per set. */
#define VM_HOT_COUNT (2 * VM_CONFIG_HOT_SETS)
#if VM__HOT64
#define VM__WAY1 VM_CONFIG_HOT_SETS /* way 1's entry less way 0's */
#define VM__WAY0_OF(e) ((e) % VM_CONFIG_HOT_SETS) /* way 0 of e's set */
#else
#define VM__WAY1 1u
#define VM__WAY0_OF(e) ((e) & ~1u)
#endif

/* The inline paths' forms for a 16-bit int (AVR): the page test compares
 * 16-bit halves (VM__HOT_HIT), and a typed read's slow path fills a copy of
 * the value (VM__GET_SLOW). tests/core builds them on the desktop too
 * (core-kernels-hot1avr, -hot2avr, with VM__HOT64=0). */
#ifndef VM__INT16
#define VM__INT16 (UINT_MAX <= 0xFFFFu)
#endif

/* With more than two sets, finding a page's set costs a shift: a write
 * first tries the entry of the latest inline write (hot_wlast), since writes
 * mostly go on in one page (a fill, the destination of a copy, a struct's
 * fields). A hint only: any entry number is safe (0 after vm_init), a wrong
 * or cleared one just fails the test. */
#ifndef VM__WLAST
#define VM__WLAST (VM_CONFIG_HOT_SETS > 2)
#endif

/* vm_lock and vm_unlock serve a read-only lock of a hot page inline (on
 * 64-bit hosts; elsewhere the call's code at every site would cost more
 * flash than it saves). */
#ifndef VM__LOCK_INLINE
#define VM__LOCK_INLINE VM__HOT64
#endif

/* vm__get_slow and vm__set_slow serve an access to a resident page that
 * needs no fetch without the general touch (vm.c, short_hit): where the
 * exact hint table finds the page in two loads, and on 64-bit hosts also
 * without hints (the latest touch's page). Builds without hints on an MCU
 * (the small and minimal configurations) leave its code out. */
#ifndef VM__SHORT
#define VM__SHORT (VM_CONFIG_HINTS > 0 || VM__HOT64)
#endif
/* With one hot set, the short path makes a page hot only when it was one of
 * the two latest touches' pages (vm.c, short_touch): a walk over more than
 * two pages would otherwise replace an entry at every access for nothing.
 * With more sets, always, as vm__done. */
#define VM__SHORT_PICKY (VM__SHORT && VM_CONFIG_HOT_SETS == 1)

/* Field f of hot entry e (base, wbase, adj, slot; on 64-bit hosts also
 * wend; with VM__LOCK_INLINE index). The table is parallel arrays
 * (hot_base[e] ...): on 64-bit hosts way 1 is then a constant displacement
 * from way 0 that x86 addressing adds for free, and with one set every
 * field of both ways is at a constant address; a 32-bit target scales an
 * index for free. With more sets on a 16-bit-int MCU (VM__HOT_REC) it is
 * one record per entry (hot[e].base ...),
 * a set's two records side by side: the set's address is computed once and
 * every field of both ways is a constant displacement from it (AVR: ldd),
 * where parallel arrays would cost an index computation per array. */
#ifndef VM__HOT_REC /* tests/core builds it on the desktop too */
#define VM__HOT_REC (UINT_MAX <= 0xFFFFu && VM_CONFIG_HOT_SETS > 1)
#endif
#if !VM__HOT_REC
#define VM__H(vm, f, e) ((vm)->hot_##f[e])
#else
#define VM__H(vm, f, e) ((vm)->hot[e].f)
struct vm__hot {
    vm_hot_t base;
    vm_hot_t wbase;
    uintptr_t adj;
    struct vm_slot *slot;
#if VM__HOT64
    vm_hot_t wend;
#endif
#if VM__LOCK_INLINE
    vm_slot_t index;
#endif
};
#endif

struct vm {
#if !VM__HOT_REC
    vm_hot_t hot_base[VM_HOT_COUNT];
    vm_hot_t hot_wbase[VM_HOT_COUNT];
#if VM__HOT64
    vm_hot_t hot_wend[VM_HOT_COUNT]; /* append address (vm__append_hot), or VM_HOT_EMPTY */
#endif
    uintptr_t hot_adj[VM_HOT_COUNT];
    struct vm_slot *hot_slot[VM_HOT_COUNT];
#if VM__LOCK_INLINE
    vm_slot_t hot_index[VM_HOT_COUNT]; /* hot_slot's index (for lock handles) */
#endif
#else
    struct vm__hot hot[VM_HOT_COUNT];
#endif
#if VM_CONFIG_HOT_SETS > 1 && VM__HOT64
    uint32_t hot_mul; /* (a * hot_mul) >> (32 - log2 sets) is a's set */
#elif VM_CONFIG_HOT_SETS > 2
    uint8_t hot_shift; /* page_shift - 1: a >> hot_shift holds 2 x the set */
#endif
    uint8_t hot_last; /* entry of the latest inline hit (LRU order), or 0xFF */
#if VM__WLAST
    uint8_t hot_wlast; /* entry of the latest inline write: tried first */
#endif
    uint8_t policy; /* here, where 32-bit targets have a byte of padding */
    vm_addr_t page_mask; /* page_size - 1 */
#if VM__HOT64
    vm_hot_t hot_mask; /* page_mask, as wide as a hot base */
    vm_hot_t hot_lim[2]; /* page_mask - 1, page_mask - 3: VM__HOT_LIM */
#endif
    vm_addr_t page_base_mask; /* ~page_mask: saves a complement per access on AVR */
#if VM_CONFIG_STATS && !VM_CONFIG_PATHS && UINT_MAX <= 0xFFFFu
    uint8_t fast_hits; /* fast-path hits not yet added to stats.hits (16-bit int MCUs) */
#endif

    /* Hot fields first: AVR's ldd/std reach offsets 0 to 63 from a pointer,
     * and a field past that costs two more instructions per use. Above, the
     * inline paths' fields; here, the slow paths' (bounce_len is tested on
     * every touch, the backend once per transfer); cold fields follow. */
    vm_addr_t pool_size;
    uint8_t *pages;
    struct vm_slot *slots;
    uint16_t page_size;
#if VM_CONFIG_BOUNCE
    uint16_t bounce_len;   /* 0: bounce buffer free */
#endif
    uint8_t page_shift;
    uint8_t flags;
    vm_slot_t page_count;
    vm_slot_t head; /* newest in the policy list */
    vm_slot_t tail; /* oldest */
    vm_slot_t hand; /* CLOCK hand (slot index), SIEVE hand (slot, or VM_SLOT_NONE) */
    vm_slot_t used; /* slots holding a page */
    vm_slot_t last_touch; /* slot of the latest vm__touch: only it may become hot */
    vm_slot_t last_loaded; /* slot of the newest load (VM_CLEAN_FIRST spares it) */
#if VM__SHORT_PICKY
    vm_slot_t prev_touch; /* last_touch before the latest touch (vm.c, short_touch) */
#endif
    struct vm_backend be;
#if VM_CONFIG_HINTS
    vm_slot_t hints[VM_CONFIG_HINTS]; /* page -> slot, exact (vm.c: unhint) */
    vm_slot_t unhinted; /* resident pages their hint entry does not name */
#endif
#if VM_CONFIG_BOUNCE
    uint8_t *bounce;
    uint16_t bounce_size;
    vm_addr_t bounce_addr;
    uint8_t bounce_locks;
    uint8_t bounce_mode;
#endif
#if VM_CONFIG_ALLOC
    struct vm_block *heap;
    uint16_t heap_cap;
    uint16_t heap_n;
    vm_addr_t heap_start;
    vm_addr_t heap_end;
    vm_addr_t heap_used;
    vm_addr_t heap_peak;
#endif
#if VM_CONFIG_EVENTS
    vm_event_fn event;
    void *event_ctx;
#endif
#if VM_CONFIG_WRAP
    uintptr_t wrap_base;
#endif
#if VM_CONFIG_STATS
    struct vm_stats stats;
#if !VM_CONFIG_PATHS && UINT_MAX <= 0xFFFFu
    /* More counts not yet added to stats, as fast_hits (a 32-bit increment
     * costs four times an 8-bit one on AVR). At the end: the fields above
     * keep their offsets, which AVR reaches in one instruction up to 63. */
    uint8_t fast_misses;
    uint8_t fast_loads;
    uint8_t fast_evictions;
    uint8_t fast_locks;
    uint8_t fast_unlocks;
#endif
#endif
};

/* Set up vm from cfg. Returns VM_ERR_INVAL for a bad configuration (missing
 * backend or buffers, page size not a power of two in range, buffers too
 * small, pool larger than the backend, misaligned buffers), after which
 * *vm may be partly written and is not usable. No backend call is made. */
int vm_init(struct vm *vm, const struct vm_config *cfg);

/* The geometry in force after vm_init. */
static inline uint16_t vm_page_size(const struct vm *vm) { return vm->page_size; }
static inline vm_slot_t vm_page_count(const struct vm *vm) { return vm->page_count; }
static inline vm_addr_t vm_pool_size(const struct vm *vm) { return vm->pool_size; }
static inline uint8_t vm_policy(const struct vm *vm) { return vm->policy; }

/* --------------------------------------------------------------------------
 * Wrapped pointers (VM_CONFIG_WRAP). A virtual address with VM_WRAP_TAG set
 * stands for the RAM byte at wrap_base + (addr & ~VM_WRAP_TAG). vm_read,
 * vm_write, the typed accessors, locks and the bulk helpers accept such
 * addresses anywhere a virtual address goes, and serve them with plain memory
 * operations, never touching the pager. wrap_base is 0 after vm_init, which
 * covers all of RAM on AVR and Cortex-M; on a 64-bit host, set it to the
 * start of the region you wrap (vm_set_wrap_base). The pool is then limited
 * to 2 GiB, and a wrapped region to 2 GiB above wrap_base.
 * -------------------------------------------------------------------------- */
#if VM_CONFIG_WRAP
#define VM_WRAP_TAG ((vm_addr_t)0x80000000u)
static inline int vm_is_wrapped(vm_addr_t a) { return (a & VM_WRAP_TAG) != 0; }
static inline void vm_set_wrap_base(struct vm *vm, const void *base)
{
    vm->wrap_base = (uintptr_t)base;
}
/* VM_NULL when p is NULL or lies outside [wrap_base, wrap_base + 2 GiB). */
static inline vm_addr_t vm_wrap(const struct vm *vm, const void *p)
{
    uintptr_t d = (uintptr_t)p - vm->wrap_base;
    if (p == NULL || (uintptr_t)p < vm->wrap_base) return VM_NULL;
#if UINTPTR_MAX > 0x7FFFFFFFu
    if (d >= (uintptr_t)VM_WRAP_TAG) return VM_NULL;
#endif
    return (vm_addr_t)d | VM_WRAP_TAG;
}
static inline void *vm_unwrap(const struct vm *vm, vm_addr_t a)
{
    return (void *)(vm->wrap_base + (uintptr_t)(a & ~VM_WRAP_TAG));
}
#endif

/* --------------------------------------------------------------------------
 * Access. Any length and alignment. Return VM_OK, VM_ERR_RANGE if
 * [addr, addr+n) leaves the pool, VM_ERR_BUSY if a page must be loaded and
 * every slot is locked, or a backend error.
 * -------------------------------------------------------------------------- */
int vm_read(struct vm *vm, void *dst, vm_addr_t src, size_t n);
int vm_write(struct vm *vm, vm_addr_t dst, const void *src, size_t n);

/* Private: stop serving pages inline until the next out-of-line touch
 * (a recorder that must see every typed access calls it). */
void vm__cool(struct vm *vm);

/* The typed accessors' slow path (private): one small value, any page. */
int vm__get_slow(struct vm *vm, vm_addr_t a, void *v, uint8_t n);
int vm__set_slow(struct vm *vm, vm_addr_t a, const void *v, uint8_t n);

/* Count an inline hit on path p (enum vm_path). */
#if VM_CONFIG_PATHS
#define VM__HIT(vm, p) ((vm)->stats.path[p]++)
#elif VM_CONFIG_STATS && UINT_MAX <= 0xFFFFu
/* On 8/16-bit MCUs a 32-bit increment in RAM costs ~20 cycles; an 8-bit one
 * with a carry once in 256 costs ~6 (AVR: load, increment, store, branch).
 * vm_stats() folds the count in. */
#define VM__HIT(vm, p)                                                         \
    do {                                                                       \
        if (++(vm)->fast_hits == 0) (vm)->stats.hits += 0x100u;                \
    } while (0)
#elif VM_CONFIG_STATS
#define VM__HIT(vm, p) ((vm)->stats.hits++)
#else
#define VM__HIT(vm, p) ((void)0)
#endif

/* On 64-bit hosts, a hot test is laid out as the likely way (gcc -O2
 * otherwise may place the hit out of line and jump back). */
#if VM__HOT64 && (defined(__GNUC__) || defined(__clang__))
#define VM__LIKELY(c) __builtin_expect(!!(c), 1)
#else
#define VM__LIKELY(c) (c)
#endif

/* 1 if a lies in the page at base. A page base has its low 4+ bits clear,
 * so VM_NO_PAGE (all ones) never matches. On 16-bit-int MCUs the page mask's
 * upper half is all ones (pages are <= 4 KiB), so only the low half needs
 * masking: two fewer loads and ANDs per access on AVR. */
#if UINT_MAX <= 0xFFFFu
#define VM__IN_PAGE(vm, a, base)                                               \
    ((uint16_t)((a) >> 16) == (uint16_t)((base) >> 16) &&                      \
     ((uint16_t)(a) & (uint16_t)(vm)->page_base_mask) == (uint16_t)(base))
#else
#define VM__IN_PAGE(vm, a, base) (((a) & (vm)->page_base_mask) == (base))
#endif

/* The RAM address of byte a of hot entry e's page (integer arithmetic:
 * the sum wraps back into the buffer). */
#define VM__HOT_PTR(vm, e, a) ((uint8_t *)(VM__H(vm, adj, e) + (uintptr_t)(a)))

/* The inline accessors name an entry twice: by its number e (for hot_last)
 * and by a handle h through which they read its fields (VM__HF). With
 * parallel arrays the handle is the number; with records (VM__HOT_REC) it
 * is the entry's record, whose address the set's test computes once (see
 * VM__HOT_SETH). */
#if !VM__HOT_REC && VM__HOT64
typedef uintptr_t vm__hotp_t; /* as wide as an index: no zero extension */
#define VM__HP(vm, e) (e)
#define VM__HF(vm, h, e, f) ((vm)->hot_##f[h])
#elif !VM__HOT_REC
typedef unsigned vm__hotp_t;
#define VM__HP(vm, e) (e)
#define VM__HF(vm, h, e, f) ((vm)->hot_##f[h])
#else
typedef struct vm__hot *vm__hotp_t;
#define VM__HP(vm, e) (&(vm)->hot[e])
#define VM__HF(vm, h, e, f) ((h)->f)
#endif
#define VM__HOT_PTRH(vm, h, e, a) ((uint8_t *)(VM__HF(vm, h, e, adj) + (uintptr_t)(a)))

/* Typed access, in the pool's native byte order. A value inside a hot page
 * is served inline; anything else goes through vm__get_slow/vm__set_slow.
 * After a failed vm_getN, *v holds no value to rely on. */

/* Write n bytes at offset off of hot entry e, or return 0 (the slow path
 * must do it). The write may widen the dirty range, and grow the valid range
 * when it starts inside it or right after it (or ends right at its start):
 * filling a page that was never fetched. A gap needs a fetch: slow path. */
VM_INLINE int vm__set_hot(struct vm *vm, vm__hotp_t h, unsigned e, vm_addr_t a, uint16_t off, const void *v,
                          uint8_t n)
{
    struct vm_slot *s = VM__HF(vm, h, e, slot);
    uint16_t end = (uint16_t)(off + n);
#if VM_CONFIG_PATHS
    unsigned path = VM_PATH_SET_HOT;
#endif
#if !VM__HOT64
    /* Off 64-bit hosts (no append address) the two common cases first: a
     * write inside the dirty range (a struct's field, a rewrite) changes no
     * range, and one that starts where both ranges end (a fill, a copy's
     * destination) moves both ends. The general tests follow. atmega328p:
     * fill8 -5 cycles per access. */
    if (end <= s->dhi && off >= s->dlo) goto store; /* inside the dirty range */
    if (off == s->dhi && off == s->vhi) { /* appending: both ranges end at off */
        s->dhi = s->vhi = end;
#if VM_CONFIG_PATHS
        path = VM_PATH_SET_GROW;
#endif
        goto store;
    }
#endif
    if (end > s->dhi) {
        if (off > s->vhi) return 0;
        s->dhi = end;
        if (end > s->vhi) {
            s->vhi = end;
#if VM_CONFIG_PATHS
            path = VM_PATH_SET_GROW;
#endif
        }
#if VM__HOT64 /* the append address, if the ranges now end together */
        VM__H(vm, wend, e) = s->vhi == end ? (vm_hot_t)a + n : VM_HOT_EMPTY;
#endif
    }
    if (off < s->dlo) {
        if (end < s->vlo) return 0; /* only when end <= dhi: nothing changed yet */
        s->dlo = off;
        if (off < s->vlo) {
            s->vlo = off;
#if VM_CONFIG_PATHS
            path = VM_PATH_SET_GROW;
#endif
        }
    }
#if !VM__HOT64
store:
#endif
    memcpy(VM__HOT_PTRH(vm, h, e, a), v, n);
    vm->hot_last = (uint8_t)e;
#if VM_CONFIG_PATHS /* each a constant: no index kept live over the write */
    if (path == VM_PATH_SET_HOT) VM__HIT(vm, VM_PATH_SET_HOT);
    else VM__HIT(vm, VM_PATH_SET_GROW);
#else
    VM__HIT(vm, path);
#endif
    return 1;
}

#if VM__HOT64
/* Write n bytes at a, the append address of hot entry e (hot_wend: where
 * the page's valid and dirty ranges both end), or return 0 when the value
 * would pass the page's end (the general path must do it). One compare,
 * a == hot_wend[e], has already replaced the page test and both range
 * tests: the ranges end at a, so the write grows both by n, and the next
 * append goes at a + n. Every other change of the ranges (vm__dirty, a
 * fetch, a write-back, the general inline growth, a new entry) disarms the
 * address, or re-arms it where the ranges end. */
VM_INLINE int vm__append_hot(struct vm *vm, unsigned e, vm_addr_t a, const void *v, uint8_t n)
{
    struct vm_slot *s = VM__H(vm, slot, e);
    uint16_t end = (uint16_t)(s->dhi + n);
    if (end > vm->page_size) return 0;
    vm->hot_last = (uint8_t)e;
    s->dhi = s->vhi = end;
    VM__H(vm, wend, e) += n; /* a + n: one add in memory */
    memcpy(VM__HOT_PTR(vm, e, a), v, n);
    VM__HIT(vm, VM_PATH_SET_GROW);
    return 1;
}
#define VM__APPEND_TO(e)                                                       \
    if (VM__LIKELY((vm_hot_t)a == VM__H(vm, wend, e)) && vm__append_hot(vm, (e), a, &v, sizeof v)) return VM_OK;
#else
#define VM__APPEND_TO(e)
#endif

/* An entry number in the inline accessors: on 64-bit hosts as wide as an
 * index, so that no zero extension is made before it indexes. */
#if VM__HOT64
#define VM__E_T uintptr_t
#else
#define VM__E_T unsigned
#endif

/* The way-0 entry of the set of the page holding a. The set is the low bits
 * of the page number. Pages are at most 4 KiB and sets at most 16, so the
 * bits lie in the low 16 of the address (an unsigned int everywhere). Two
 * sets need only an AND (page_size is the page number's lowest bit); more,
 * a shift by page_shift - 1 that leaves the set times two. On 64-bit hosts
 * a multiply by 2^(32 - log2 sets - page_shift) moves the set's bits to the
 * top of 32 bits instead (x86 shifts by a variable only through CL, which
 * costs moves), and the set is the entry. */
#if VM_CONFIG_HOT_SETS == 1
#define VM__HOT_SET(vm, a) 0u
#elif VM__HOT64
#define VM__HOT_SET_BITS (VM_CONFIG_HOT_SETS == 2 ? 1 : VM_CONFIG_HOT_SETS == 4 ? 2 : VM_CONFIG_HOT_SETS == 8 ? 3 : 4)
#define VM__HOT_SET(vm, a) ((uintptr_t)((uint32_t)((uint32_t)(a) * (vm)->hot_mul) >> (32 - VM__HOT_SET_BITS)))
#elif VM_CONFIG_HOT_SETS == 2
#define VM__HOT_SET(vm, a) (((unsigned)(a) & (vm)->page_size) ? 2u : 0u)
#else
#define VM__HOT_SET(vm, a) (((unsigned)(a) >> (vm)->hot_shift) & (2u * VM_CONFIG_HOT_SETS - 2u))
#endif
/* The set of a's page: e its way-0 entry and h that entry's handle. With
 * two sets of records both are picked by one test (no multiply by the
 * record's size). */
#if VM__HOT_REC && !VM__HOT64 && VM_CONFIG_HOT_SETS == 2
#define VM__HOT_SETH(vm, a, h, e)                                              \
    (((unsigned)(a) & (vm)->page_size) ? ((e) = 2u, (h) = (vm)->hot + 2) : ((e) = 0u, (h) = (vm)->hot))
#else
#define VM__HOT_SETH(vm, a, h, e) ((e) = VM__HOT_SET(vm, a), (h) = VM__HP(vm, e))
#endif

/* The hot test of entry e of table m (hot_base or hot_wbase) for an n-byte
 * value at a: the value lies in the entry's page and does not straddle its
 * end. VM__OFF(a, off) is then the value's offset in the page. On 64-bit
 * hosts that is one subtraction and one compare (vm_hot_t above). On a
 * 16-bit int (VM__INT16), off is the low half of a's page base, computed
 * once for both ways (VM__OFF_INIT), or 1 when the value straddles a page
 * end (no page base and not VM_HOT_EMPTY: no entry matches); an aligned
 * value never does (pages are >= 16 B), which one test of the low byte
 * tells (16/32-bit hits 57 -> 46 cycles). Each way then
 * compares the low halves first, which tells the ways of one 64 KiB region
 * apart, and loads the high half only when they match (VM__HALF: GCC would
 * load all four bytes before the first compare). The offset is a - off.
 * atmega328p: a one-byte hit 49 -> 43 cycles, a 16- or 32-bit one 95 / 103
 * -> 57 (target/avr-cycles.sh). Elsewhere the page test masks a and the
 * offset is computed once. */
#if VM__HOT64
#define VM__OFF_T vm_hot_t
#define VM__OFF_INIT(vm, a, n) 0u
#define VM__HOT_HIT(vm, m, h, e, a, n, off)                                    \
    ((n) == 1u ? VM__IN_PAGE(vm, a, VM__HF(vm, h, e, m)) &&                    \
                     ((off) = (vm_hot_t)((a) & (vm)->page_mask), 1)            \
               : ((off) = (vm_hot_t)(a) - VM__HF(vm, h, e, m)) <= VM__HOT_LIM(vm, n))
/* The largest offset of an n-byte value in a page: for 2 and 4 bytes a
 * field, which x86 compares from memory (no load and subtraction). */
#define VM__HOT_LIM(vm, n)                                                     \
    ((n) == 2u ? (vm)->hot_lim[0] : (n) == 4u ? (vm)->hot_lim[1] : (vm)->hot_mask - ((n) - 1u))
#elif VM__INT16
#define VM__OFF_T uint16_t
#define VM__OFF_INIT(vm, a, n)                                                 \
    ((n) == 1u || ((uint8_t)(a) & ((n) - 1u)) == 0 ||                         \
             !((((uint16_t)(a) + ((n) - 1u)) ^ (uint16_t)(a)) & (uint16_t)(vm)->page_base_mask) \
         ? (uint16_t)(a) & (uint16_t)(vm)->page_base_mask                      \
         : 1u)
/* Half i of a hot base. With records (VM__HOT_REC) the shift measured
 * better: there avr-gcc loads through the record's pointer anyway. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !VM__HOT_REC
typedef uint16_t __attribute__((__may_alias__)) vm__half_t;
#define VM__HALF(x, i) (((const vm__half_t *)&(x))[i])
#else
#define VM__HALF(x, i) ((uint16_t)((x) >> (16 * (i))))
#endif
#define VM__HOT_HIT(vm, m, h, e, a, n, off)                                    \
    (VM__HALF(VM__HF(vm, h, e, m), 0) == (off) &&                              \
     (uint16_t)((a) >> 16) == VM__HALF(VM__HF(vm, h, e, m), 1))
#define VM__OFF(a, off) ((uint16_t)((uint16_t)(a) - (off)))
#else
#define VM__OFF_T uint16_t
#define VM__OFF_INIT(vm, a, n) ((uint16_t)((a) & (vm)->page_mask))
#define VM__HOT_HIT(vm, m, h, e, a, n, off)                                    \
    (VM__IN_PAGE(vm, a, VM__HF(vm, h, e, m)) &&                                \
     ((n) == 1u || (off) <= (uint16_t)((vm)->page_mask + 1u - (n))))
#endif
#ifndef VM__OFF
#define VM__OFF(a, off) ((uint16_t)(off))
#endif

/* One hot entry's test, written out per way (-Os does not unroll). */
#define VM__GET_FROM(h, e)                                                     \
    if (VM__LIKELY(VM__HOT_HIT(vm, base, h, e, a, sizeof *v, off))) {          \
        memcpy(v, VM__HOT_PTRH(vm, h, e, a), sizeof *v);                       \
        vm->hot_last = (uint8_t)(e);                                           \
        VM__HIT(vm, VM_PATH_GET_HOT);                                          \
        return VM_OK;                                                          \
    }
#if VM__WLAST
#define VM__SET_LAST()                                                         \
    e = vm->hot_wlast;                                                         \
    h = VM__HP(vm, e);                                                         \
    VM__APPEND_TO(e)                                                           \
    if (VM__LIKELY(VM__HOT_HIT(vm, wbase, h, e, a, sizeof v, off)) &&          \
        vm__set_hot(vm, h, e, a, VM__OFF(a, off), &v, sizeof v))               \
        return VM_OK;
#define VM__SET_TO(h, e)                                                       \
    if (VM__HOT_HIT(vm, wbase, h, e, a, sizeof v, off) &&                      \
        vm__set_hot(vm, (h), (e), a, VM__OFF(a, off), &v, sizeof v)) {         \
        vm->hot_wlast = (uint8_t)(e);                                          \
        return VM_OK;                                                          \
    }
#else
#define VM__SET_LAST()
#define VM__SET_TO(h, e)                                                       \
    VM__APPEND_TO(e)                                                           \
    if (VM__HOT_HIT(vm, wbase, h, e, a, sizeof v, off) &&                      \
        vm__set_hot(vm, (h), (e), a, VM__OFF(a, off), &v, sizeof v))           \
        return VM_OK;
#endif
/* A write's slow path gets its own copy of the value, so that the argument
 * need not live in memory on the inline path. On a 16-bit int a read's slow
 * path, too, fills a copy (zeroed first) and the accessor stores it to *v:
 * a loop's variable then stays in registers (atmega328p: read32 -14 cycles
 * per access, list -15). After a failed read *v holds the copy (zero where
 * nothing was read). */
#define VM__SET_SLOW(bits)                                                     \
    do {                                                                       \
        uint##bits##_t t = v;                                                  \
        return vm__set_slow(vm, a, &t, sizeof t);                              \
    } while (0)
#if VM__INT16
#define VM__GET_SLOW(bits)                                                     \
    do {                                                                       \
        uint##bits##_t t = 0;                                                  \
        int r = vm__get_slow(vm, a, &t, sizeof t);                             \
        *v = t;                                                                \
        return r;                                                              \
    } while (0)
#elif VM__HOT64 && (defined(__GNUC__) || defined(__clang__))
/* On 64-bit hosts the copy is stored only on success; after a failure an
 * empty asm keeps *v as it was, in a register. GCC cannot tell that this is
 * the caller's value (it may never have been set), hence the pragma, which
 * applies to the lines up to the accessors' definitions. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define VM__DIAG_PUSHED
#endif
#define VM__GET_SLOW(bits)                                                     \
    do {                                                                       \
        uint##bits##_t t;                                                      \
        int r = vm__get_slow(vm, a, &t, sizeof t);                             \
        if (r == VM_OK) *v = t;                                                \
        else __asm__("" : "+r"(*v));                                           \
        return r;                                                              \
    } while (0)
#else
#define VM__GET_SLOW(bits) return vm__get_slow(vm, a, v, sizeof *v)
#endif
#define VM__DEFINE_TYPED(bits)                                                 \
    VM_INLINE int vm_get##bits(struct vm *vm, vm_addr_t a, uint##bits##_t *v) \
    {                                                                          \
        VM__OFF_T off = VM__OFF_INIT(vm, a, sizeof *v);                        \
        VM__E_T e;                                                             \
        vm__hotp_t h;                                                          \
        VM__HOT_SETH(vm, a, h, e);                                             \
        VM__GET_FROM(h, e)                                                     \
        VM__GET_FROM(h + VM__WAY1, e + VM__WAY1)                               \
        VM__GET_SLOW(bits);                                                    \
    }                                                                          \
    VM_INLINE int vm_set##bits(struct vm *vm, vm_addr_t a, uint##bits##_t v)  \
    {                                                                          \
        VM__OFF_T off = VM__OFF_INIT(vm, a, sizeof v);                         \
        VM__E_T e;                                                             \
        vm__hotp_t h;                                                          \
        VM__SET_LAST()                                                         \
        VM__HOT_SETH(vm, a, h, e);                                             \
        VM__SET_TO(h, e)                                                       \
        VM__SET_TO(h + VM__WAY1, e + VM__WAY1)                                 \
        VM__SET_SLOW(bits);                                                    \
    }
VM__DEFINE_TYPED(8)
VM__DEFINE_TYPED(16)
VM__DEFINE_TYPED(32)
#undef VM__DEFINE_TYPED
#undef VM__GET_FROM
#undef VM__SET_TO
#undef VM__SET_LAST
#undef VM__SET_SLOW
#undef VM__GET_SLOW
#ifdef VM__DIAG_PUSHED
#pragma GCC diagnostic pop
#undef VM__DIAG_PUSHED
#endif

/* Whole structs (or any object): VM_GET(vm, addr, &s) / VM_SET(vm, addr, &s). */
#define VM_GET(vm, addr, ptr) vm_read((vm), (ptr), (addr), sizeof *(ptr))
#define VM_SET(vm, addr, ptr) vm_write((vm), (addr), (ptr), sizeof *(ptr))
/* One member of a struct at a virtual address, without copying the rest:
 * VM_GET_MEMBER(vm, addr, struct point, x, &x). */
#define VM_GET_MEMBER(vm, addr, type, member, ptr)                             \
    vm_read((vm), (ptr), (addr) + (vm_addr_t)offsetof(type, member),           \
            sizeof(((type *)0)->member))
#define VM_SET_MEMBER(vm, addr, type, member, ptr)                             \
    vm_write((vm), (addr) + (vm_addr_t)offsetof(type, member), (ptr),          \
             sizeof(((type *)0)->member))

/* --------------------------------------------------------------------------
 * Locks. A lock pins data in RAM so that it can be used through a plain
 * pointer until vm_unlock. Locks on one page are counted (up to 255); the
 * page is not evicted while any is held.
 *
 * Modes:
 *   VM_LOCK_RO  read only: the data is fetched; the page is never dirtied.
 *               Writing through the pointer is a programmer error.
 *   VM_LOCK_RW  read and write: fetched, and the range is dirty.
 *   VM_LOCK_WO  write only: a promise to overwrite the whole range before
 *               unlocking. It is not fetched (what the pointer shows before
 *               you write is undefined); the range is dirty.
 *
 * A range inside one page is locked in place. A range that straddles a page
 * boundary is copied to the bounce buffer (vm_config.bounce) when it fits
 * there (len <= min(bounce_size, page_size)); reads and writes of that range
 * see the bounce buffer while the lock is held, and vm_unlock writes it back
 * (a write-back that fails keeps the lock held: call vm_unlock again). Only
 * one bounced range can be locked at a time (nested locks of exactly that
 * range are counted); another one is VM_ERR_BUSY, and so is an in-page lock
 * that overlaps the bounced range. A straddling range that does not fit is
 * trimmed at the page boundary: lk->len tells how much was locked. A
 * straddling lock is also VM_ERR_BUSY while either of its two pages holds an
 * in-page lock (that pointer would not see the bounced copy).
 *
 * vm_lock returns VM_ERR_INVAL for len == 0 or a bad mode, VM_ERR_RANGE
 * outside the pool, VM_ERR_BUSY as above or when no slot can be evicted.
 * vm_unlock returns VM_ERR_NOTLOCKED for a handle that is not held.
 * -------------------------------------------------------------------------- */
#define VM_LOCK_RO 1u
#define VM_LOCK_WO 2u
#define VM_LOCK_RW 3u

struct vm_lock {
    void *ptr;      /* the data, in RAM */
    size_t len;     /* bytes locked: <= the length asked for */
    vm_addr_t addr; /* virtual address of ptr[0] */
    uint8_t mode;   /* VM_LOCK_* of this lock; 0 when not held */
    vm_slot_t slot; /* private: slot index, or VM_BOUNCE_SLOT */
};

/* The out-of-line lock and unlock (private): every case. vm_lock and
 * vm_unlock below serve the commonest one inline and call these otherwise
 * (a recorder wraps these, as it wraps vm__get_slow). */
int vm__lock(struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk);
int vm__unlock(struct vm *vm, struct vm_lock *lk);

#if VM__LOCK_INLINE
#if VM_CONFIG_EVENTS
#define VM__OBSERVED(vm) ((vm)->event != NULL)
#else
#define VM__OBSERVED(vm) 0
#endif
/* Count an inline lock or unlock: stats.locks or unlocks, and its path. */
#if VM_CONFIG_PATHS
#define VM__HOT_LOCKED(vm, what, p) ((vm)->stats.what++, (vm)->stats.path[p]++)
#elif VM_CONFIG_STATS
#define VM__HOT_LOCKED(vm, what, p) ((vm)->stats.what++)
#else
#define VM__HOT_LOCKED(vm, what, p) ((void)0)
#endif
/* The hot entry e holds [a, a+n) (1 <= n <= the rest of the page): a read
 * hot page is fully valid, a whole page of the pool, never bounced. For a
 * constant n up to the smallest page size that is one compare, as for a
 * typed value. */
#if defined(__GNUC__) || defined(__clang__)
#define VM__SMALL_CONST(n) (__builtin_constant_p(n) && (n) >= 1u && (n) <= VM_PAGE_SIZE_MIN)
#else
#define VM__SMALL_CONST(n) 0
#endif
#define VM__HOT_RANGE(vm, e, a, n, off)                                        \
    (((off) = (vm_hot_t)(a) - VM__H(vm, base, e)),                              \
     VM__SMALL_CONST(n) ? (off) <= (vm)->hot_mask - ((n) - 1u)                 \
                        : (off) <= (vm)->hot_mask && (size_t)(n) - 1u <= (size_t)((vm)->hot_mask - (off)))
/* The entry that holds [a, a+n), looked up as the typed accessors do, or
 * VM_HOT_COUNT. */
VM_INLINE unsigned vm__hot_range(const struct vm *vm, vm_addr_t a, size_t n)
{
    unsigned e = VM__HOT_SET(vm, a);
    vm_hot_t off;
    if (VM__HOT_RANGE(vm, e, a, n, off)) return e;
    e += VM__WAY1;
    return VM__HOT_RANGE(vm, e, a, n, off) ? e : VM_HOT_COUNT;
}
#endif

/* A read-only lock of a range in a hot page is a touch that changes nothing
 * but the lock count (the page is fully valid and, for CLOCK and SIEVE,
 * referenced; LRU learns it through hot_last as for an inline read), so it
 * is served inline: the count, the handle, the statistics. Its unlock is a
 * decrement, once the handle is checked as vm__unlock checks it (the slot
 * holds the page and a lock, the pointer and length are the lock's). */
VM_INLINE int vm_lock(struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk)
{
#if VM__LOCK_INLINE
    unsigned e;
    if (lk && mode == VM_LOCK_RO && (e = vm__hot_range(vm, addr, len)) < VM_HOT_COUNT &&
        VM__H(vm, slot, e)->locks != 255u && !VM__OBSERVED(vm)) {
        VM__H(vm, slot, e)->locks++;
        lk->ptr = VM__HOT_PTR(vm, e, addr);
        lk->len = len;
        lk->addr = addr;
        lk->mode = VM_LOCK_RO;
        lk->slot = VM__H(vm, index, e);
        vm->hot_last = (uint8_t)e;
        VM__HIT(vm, VM_PATH_TOUCH_HIT);
        VM__HOT_LOCKED(vm, locks, VM_PATH_LOCK_HOT);
        return VM_OK;
    }
#endif
    return vm__lock(vm, addr, len, mode, lk);
}

VM_INLINE int vm_unlock(struct vm *vm, struct vm_lock *lk)
{
#if VM__LOCK_INLINE
    unsigned e;
    if (lk && lk->mode == VM_LOCK_RO && (e = vm__hot_range(vm, lk->addr, lk->len)) < VM_HOT_COUNT &&
        lk->ptr == (void *)VM__HOT_PTR(vm, e, lk->addr) && lk->slot == VM__H(vm, index, e) &&
        VM__H(vm, slot, e)->locks && !VM__OBSERVED(vm)) {
        VM__H(vm, slot, e)->locks--;
        lk->mode = 0;
        VM__HOT_LOCKED(vm, unlocks, VM_PATH_UNLOCK_HOT);
        return VM_OK;
    }
#endif
    return vm__unlock(vm, lk);
}

/* --------------------------------------------------------------------------
 * Bulk helpers. Page by page, through locks; never byte by byte. The
 * virtual-to-virtual ones handle overlap. Results (*cmp, *len) are written
 * only on success.
 * -------------------------------------------------------------------------- */
int vm_memset(struct vm *vm, vm_addr_t dst, int c, vm_addr_t n);
int vm_memmove(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n);
#define vm_memcpy vm_memmove
int vm_memcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, vm_addr_t n, int *cmp);
int vm_memcmp_ram(struct vm *vm, vm_addr_t a, const void *b, size_t n, int *cmp);
/* VM_ERR_RANGE when no NUL is found before the end of the pool. */
int vm_strlen(struct vm *vm, vm_addr_t s, vm_addr_t *len);
/* As strncpy: copies at most n bytes, pads with NULs up to n. */
int vm_strncpy(struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n);
int vm_strcmp(struct vm *vm, vm_addr_t a, vm_addr_t b, int *cmp);

/* --------------------------------------------------------------------------
 * Flush and invalidate.
 * vm_flush writes back every dirty page, locked ones included, in address
 * order, then calls the backend's sync. It goes on past a failed page and
 * returns the first error; failed pages stay dirty. A bounced write lock is
 * first copied into its pages, which can need a free slot: VM_ERR_BUSY when
 * every slot is locked (the bounced data stays in the bounce buffer).
 * vm_invalidate flushes, then empties every unlocked slot whose write-back
 * succeeded (the next access reloads from the backend).
 * -------------------------------------------------------------------------- */
int vm_flush(struct vm *vm);
int vm_invalidate(struct vm *vm);

/* --------------------------------------------------------------------------
 * Allocator inside the pool. Its table of live blocks lives in RAM, given by
 * the caller (vm_config.heap, heap_blocks entries), so alloc and free never
 * touch the backend or the page cache; free space is the gaps between blocks,
 * so it always coalesces. First fit, VM_ALLOC_ALIGN-aligned.
 * vm_alloc returns VM_NULL when no gap fits or the table is full.
 * vm_free(VM_NULL) does nothing; freeing an address that is not the start
 * of a live block returns VM_ERR_INVAL.
 * vm_realloc grows or shrinks in place when it can, otherwise moves the data
 * (through the pager). It returns VM_NULL on failure, leaving p as it was.
 * -------------------------------------------------------------------------- */
#if VM_CONFIG_ALLOC
vm_addr_t vm_alloc(struct vm *vm, vm_addr_t size);
int vm_free(struct vm *vm, vm_addr_t p);
vm_addr_t vm_realloc(struct vm *vm, vm_addr_t p, vm_addr_t size);
void vm_heap_stats(const struct vm *vm, struct vm_heap_stats *st);
#endif

/* --------------------------------------------------------------------------
 * Statistics. vm_stats() brings stats.hits up to date (the inline paths
 * count into path[] or, on 8/16-bit MCUs, an 8-bit counter): call it again
 * after accesses rather than keeping the pointer and reading hits later.
 * -------------------------------------------------------------------------- */
#if VM_CONFIG_STATS
static inline const struct vm_stats *vm_stats(const struct vm *vm)
{
#if VM_CONFIG_PATHS
    /* hits is the sum of the hit paths (the instance is never a const
     * object: vm_init writes it). */
    struct vm *w = (struct vm *)vm;
    w->stats.hits = w->stats.path[VM_PATH_GET_HOT] + w->stats.path[VM_PATH_SET_HOT] +
                    w->stats.path[VM_PATH_SET_GROW] + w->stats.path[VM_PATH_TOUCH_HIT];
#elif UINT_MAX <= 0xFFFFu
    /* Fold the 8-bit batched counts in (the instance is never a const object:
     * vm_init writes it). */
    struct vm *w = (struct vm *)vm;
    w->stats.hits += w->fast_hits;
    w->stats.misses += w->fast_misses;
    w->stats.loads += w->fast_loads;
    w->stats.evictions += w->fast_evictions;
    w->stats.locks += w->fast_locks;
    w->stats.unlocks += w->fast_unlocks;
    w->fast_hits = w->fast_misses = w->fast_loads = w->fast_evictions = w->fast_locks = w->fast_unlocks = 0;
#endif
    return &vm->stats;
}
#endif
/* Zeroes the statistics, the per-slot counters and the heap's peak. */
void vm_stats_reset(struct vm *vm);
#if VM_CONFIG_PATHS
/* Name of a path ("get_hot", "touch_miss", ...), or "?". */
const char *vm_path_name(unsigned path);
#endif

/* --------------------------------------------------------------------------
 * Observation. None of these changes any state.
 * -------------------------------------------------------------------------- */
/* Slot index holding the page of addr, or -1. */
int vm_slot_of(const struct vm *vm, vm_addr_t addr);

#if VM_CONFIG_WALK
struct vm_slot_info {
    vm_slot_t index;
    uint8_t locks;
    uint8_t ref;         /* CLOCK reference / SIEVE visited bit */
    uint8_t next_victim; /* 1 on the slot the next miss would evict */
    vm_slot_t age;       /* position in the policy's order: 0 = next to go
                            (FIFO/LRU/SIEVE list from the tail; CLOCK from
                            the hand); VM_SLOT_NONE for an empty slot */
    uint16_t extent;     /* bytes of the page inside the pool */
    vm_addr_t base;      /* VM_NO_PAGE when empty */
    uint16_t vlo, vhi;   /* valid range */
    uint16_t dlo, dhi;   /* dirty range (clean when equal) */
    const uint8_t *data; /* the page buffer */
#if VM_CONFIG_SLOT_STATS
    vm_count_t loads, evictions, writebacks;
#endif
};
typedef void (*vm_walk_fn)(void *ctx, const struct vm_slot_info *info);
void vm_walk(const struct vm *vm, vm_walk_fn fn, void *ctx);
/* The slot the next miss would evict: an empty slot if there is one, else
 * the policy's choice; -1 if every slot is locked. */
int vm_next_victim(const struct vm *vm);
#endif

#if VM_CONFIG_CHECK
/* Checks every invariant of the instance. VM_OK or VM_ERR_CHECK. */
int vm_check(const struct vm *vm);
#endif

#if VM_CONFIG_STRERROR
/* A short English description of a vm_err. */
const char *vm_strerror(int err);
#endif

/* Name of a policy ("fifo", "lru", "clock", "sieve"), or "?" . */
const char *vm_policy_name(unsigned policy);

#ifdef __cplusplus
}
#endif


#endif /* VM_H */
