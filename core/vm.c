/*
 * vm.c - the pager: lookup, replacement, loading, write-back, access, locks,
 * flush.
 *
 * Design notes (for the next maintainer)
 *  1. Pages are aligned (base = addr & ~page_mask), so a range never maps to
 *     two slots and a reverse scan costs what a forward one does.
 *  2. Each slot keeps one valid range and one dirty range (dirty within
 *     valid). Writes that grow the valid range never fetch; a read fetches
 *     the whole rest of the page at once (one backend transaction).
 *  3. A "touch" is one access to one page. The slow path (vm__touch) finds
 *     the page or loads it and updates the policy. Every public access is,
 *     for the policy, one touch per page it covers, in address order,
 *     whether it was served inline or not: the policies are exact
 *     (tests/core/test_policy.c and test_kernels.c feed a naive model the
 *     same touches and compare misses, write-backs and slots each access).
 *  4. The hit path. vm.h serves vm_get8/16/32 and vm_set8/16/32 inline from
 *     a small set-associative table of hot pages (VM_HOT_COUNT entries in
 *     struct vm, every field read through VM__H(vm, field, e)):
 *     VM_CONFIG_HOT_SETS sets of two ways. With one set, or on a 32- or
 *     64-bit target, the table is parallel arrays (hot_base, hot_wbase,
 *     hot_adj, hot_slot): each field of each way is at a constant address,
 *     or one scaled load away. With more sets on a 16-bit-int MCU (AVR;
 *     VM__HOT_REC) it is an array of entry records (hot[e]), a set's two
 *     side by side: the inline test finds the set's record once and reads
 *     every field of both ways at a constant displacement from it (AVR
 *     ldd), instead of an index computation per array (atmega328p with two
 *     sets: stride8 137 -> 115 cycles per access, read8 173 -> 157). A page's set is the low bits of
 *     its page number (VM__HOT_SET: an AND for two sets, a shift for more,
 *     a multiply on 64-bit hosts), so an access tests two entries whatever
 *     the table's size, and a walk over consecutive pages (strided, random
 *     in a working set, a list) finds each page in its own set. Two ways keep a copy loop between two
 *     arrays whose pages share a set, and a read-modify-write of two pages,
 *     inline. Per entry:
 *       - base: the page's address when it is fully valid (reads may be
 *         served), else VM_HOT_EMPTY;
 *       - wbase: the page's address when it is dirty and a whole page of the
 *         pool (writes may be served), else VM_HOT_EMPTY. An inline write
 *         (vm__set_hot) widens the dirty range and grows the valid range
 *         when the value starts inside it or right after its end (or ends
 *         right at its start): filling a page that was never read stays
 *         inline, ascending or descending. A gap would need a fetch: the
 *         slow path does it;
 *       - adj: the buffer's address less base, so the byte of address a is
 *         at adj + a (no offset to mask on a read);
 *       - slot: the page's record.
 *     On 64-bit hosts base and wbase are 64 bits wide and an empty entry
 *     holds VM_HOT_EMPTY, 2^32 away from every address, so that for a 16-
 *     or 32-bit value one subtraction and one compare test both the page
 *     and the straddle. There a write also tries first the entry of the
 *     latest inline write (hot_wlast, a hint that is only ever tested).
 *     Each entry there also keeps an append address (hot_wend): where the
 *     valid and the dirty range both end, when they end together. A write
 *     at it (filling a page in ascending order, the destination of a copy)
 *     is one compare, tested first, instead of the page test and two range
 *     loads (vm__append_hot). It is armed where an entry is made
 *     (hot_insert) and by an inline write that leaves both ranges ending
 *     where it ends; every change of the ranges out of line disarms it
 *     (hot_unappend, for that slot's entries only: a touch that fetches,
 *     vm__dirty, a write-back; hot_clear).
 *     A value that straddles a page, a page that is not hot, a bounced or a
 *     wrapped address goes to vm__get_slow/vm__set_slow.
 *     vm__done() makes the page of the latest touch hot (in its set: its own
 *     entry, else a free one, else the way not used last), only when a
 *     second touch would change no policy state: always for FIFO; for CLOCK
 *     and SIEVE once the reference bit is set (an inline hit would have set
 *     it, so a hit costs no policy store at all); for LRU see 5. A page a
 *     miss loads under CLOCK or SIEVE thus becomes hot at its second touch.
 *     The short path. A typed access or a lock that the hot table does not
 *     serve, to a resident page, costs no vm__touch_lh when it needs no
 *     fetch (VM__SHORT: every build with hints, and 64-bit hosts): the
 *     exact hint table (7) names the page's slot in two loads, and
 *     vm__get_slow/vm__set_slow/lock_slow do the touch hit's bookkeeping
 *     themselves (short_slot, short_touch: the hit, the reference bit,
 *     LRU's list move; exactly what vm__touch_lh's hit does), move the
 *     bytes, and decide whether the page becomes hot. With one hot set
 *     (VM__SHORT_PICKY, the AVR default) only a page of one of the two
 *     latest touches does (prev_touch keeps the older): a walk over the
 *     four resident pages of a strided, random or list kernel would
 *     otherwise pay a hot_insert per access and replace an entry that the
 *     next access does not use (atmega328p, target/avr-kernels.sh: stride8
 *     866 -> 296 cycles per access, random8 541 -> 327, lockpage 1390 ->
 *     926; a miss through vm__get_slow costs ~105 more: the probe, and the
 *     general path's own frame, get_general). With more sets a page always
 *     becomes hot, as after vm__done. Path SHORT counts it, with its
 *     TOUCH_HIT. The general path (get_general, set_general) is out of line
 *     so that the short one saves fewer registers. Builds without hints on
 *     an MCU (size-report's small and minimal) have no short path; on
 *     atmega328p it costs ~1.2 KB of flash and one byte of RAM.
 *     On 64-bit hosts (VM__LOCK_INLINE) vm.h's vm_lock serves a read-only
 *     lock of a range inside a read-hot page the same way: the touch changes
 *     nothing but the lock count, so it bumps the count, fills the handle
 *     (the slot from hot_index) and notes hot_last. vm_unlock of such a lock
 *     finds the page's entry again and checks the handle as vm__unlock does
 *     (page, pointer, length, slot, a lock held) before the decrement. An
 *     observer (events), a writing mode, a full count or any other case
 *     calls vm__lock/vm__unlock. Paths LOCK_HOT and UNLOCK_HOT count them.
 *  5. LRU without a list move per hit. An inline hit stores only its entry
 *     number (hot_last). Under LRU at most two entries are live, and they
 *     hold the two newest pages in the LRU list, so the page of the latest
 *     inline hit belongs at the head: hot_settle() moves it there before
 *     anything reads or changes the order (a touch, a victim query,
 *     vm__cool). Before a touch, hot_before_touch() keeps only the head's
 *     entry (the touch may move another page between them), so LRU serves
 *     at most two pages inline: a walk over more pages takes the slow path,
 *     which keeps the list exact. CLOCK and SIEVE clear reference bits while
 *     they pick a victim: hot_recheck() drops the entries whose bit went.
 *  6. Entries are cleared wherever their premise breaks: eviction or drop
 *     (hot_forget), write-back (wbase only: the page is clean), a bounced
 *     lock over the page, an RW lock's unlock (re-arms wbase).
 *  7. Lookup: the hint table (VM_CONFIG_HINTS entries, indexed by the low
 *     bits of the page number) is exact: an entry names no slot or a slot
 *     holding a page of that entry, and vm->unhinted counts the resident
 *     pages that their entry does not name (two resident pages sharing an
 *     entry). A page its entry does not name is therefore not resident when
 *     unhinted is 0, and a miss costs no scan of the slots (most misses: a
 *     scan of every slot was the largest cost of a desktop sweep's miss).
 *     unhint() keeps the count when a page leaves; vm_check verifies it.
 *  8. Replacement: an empty slot if any, else the policy's victim among
 *     unlocked slots (vm__touch_lh takes the usual case without a call: the
 *     first slot in scan order is unlocked and unreferenced; policy_pick
 *     does the rest). Loading does not set the CLOCK/SIEVE bit; a hit does.
 *     VM_CLEAN_FIRST (clean_first) may take a clean, unreferenced slot from
 *     the older half of the scan order instead of a dirty victim. The
 *     victim's slot is not emptied: drop() moves it to the list's head and
 *     clears its ranges, and the new page is installed over it (one list
 *     move, no re-push); vacate() empties a slot when no page follows (a
 *     failed load, vm_invalidate). On an MCU drop() is a call that saves
 *     few registers: its only call, list_to_head, comes last, and the
 *     eviction's count and event (evicted()) are its callers'. A slot's
 *     own statistics are loads and ev_less_loads (evictions less loads,
 *     modulo 2^n; vm_walk adds them): the usual miss evicts a page and
 *     loads another into the same slot, which counts one 32-bit number
 *     instead of two (atmega328p: ~20 cycles per miss).
 *  9. Errors: a failed fetch of a fresh page empties the slot again; a failed
 *     write-back leaves the victim resident and dirty and the miss fails.
 * 10. Every path is counted (VM_CONFIG_PATHS, enum vm_path in vm.h) so that
 *     tests can require each one taken (test_kernels.c every_path) and
 *     bench/kernels.sh can explain a figure.
 */
#include "vm_internal.h"

#if VM_CONFIG_POLICY == VM_POLICY_RUNTIME
#define POLICY(vm) ((vm)->policy)
#else
#define POLICY(vm) VM_CONFIG_POLICY
#endif
#define IS(vm, p) (VM_HAS_POLICY(p) && POLICY(vm) == (p))
#define LISTED(vm) (IS(vm, VM_POLICY_FIFO) || IS(vm, VM_POLICY_LRU) || IS(vm, VM_POLICY_SIEVE))

#if VM_CONFIG_EVENTS
void vm__emit(struct vm *vm, uint8_t type, vm_slot_t slot, int err, vm_addr_t addr, vm_addr_t len)
{
    struct vm_event ev;
    ev.type = type;
    ev.slot = slot;
    ev.err = err;
    ev.addr = addr;
    ev.len = len;
    vm->event(vm->event_ctx, &ev);
}
#endif

#if VM_CONFIG_BOUNCE
int vm__bounced_range(const struct vm *vm, vm_addr_t a, vm_addr_t n)
{
    return a < vm->bounce_addr + vm->bounce_len && vm->bounce_addr < a + n;
}
#endif

/* ----------------------------------------------------------- hot pages -- */

/* Stop serving entry e inline. Its slot is kept, for hot_settle. */
static void hot_clear(struct vm *vm, unsigned e)
{
    VM__H(vm, base, e) = VM__H(vm, wbase, e) = VM_HOT_EMPTY;
#if VM__HOT64
    VM__H(vm, wend, e) = VM_HOT_EMPTY;
#endif
}

/* The entries that may name resident slot s: for (e = HOT_FIRST(vm, s);
 * e < end; e += HOT_STEP), end = HOT_FIRST + HOT_SPAN. hot_insert puts a
 * slot only in its page's set, so on 64-bit hosts (eight entries, a miss
 * path that the desktop tools run millions of times) only the set's two
 * ways are looked at; elsewhere the whole table, in less code. */
#if VM__HOT64
#define HOT_FIRST(vm, s) VM__HOT_SET(vm, (s)->base)
#define HOT_STEP VM__WAY1
#define HOT_SPAN (2u * VM__WAY1)
#else
#define HOT_FIRST(vm, s) 0u
#define HOT_STEP 1u
#define HOT_SPAN VM_HOT_COUNT
#endif

/* Resident slot s's ranges change out of line: its append address, if it
 * has one, no longer holds (vm__append_hot; 64-bit hosts only). */
static void hot_unappend(struct vm *vm, const struct vm_slot *s)
{
#if VM__HOT64
    unsigned e = HOT_FIRST(vm, s), end = e + HOT_SPAN;
    for (; e < end; e += HOT_STEP)
        if (VM__H(vm, slot, e) == s) VM__H(vm, wend, e) = VM_HOT_EMPTY;
#else
    (void)vm;
    (void)s;
#endif
}

/* Resident slot s leaves the pager: forget it in every entry. */
static void hot_forget(struct vm *vm, const struct vm_slot *s)
{
    unsigned e = HOT_FIRST(vm, s), end = e + HOT_SPAN;
    for (; e < end; e += HOT_STEP)
        if (VM__H(vm, slot, e) == s) {
            hot_clear(vm, e);
            VM__H(vm, slot, e) = NULL;
        }
}

static void list_to_head(struct vm *vm, vm_slot_t i);

/* LRU: make the list exact again. An inline hit only notes its entry
 * (hot_last); both hot pages are the two newest in the list, so the page of
 * the latest inline hit belongs at the head. Idempotent. */
static void hot_settle(struct vm *vm)
{
    const struct vm_slot *s;
    unsigned i;
    if (!IS(vm, VM_POLICY_LRU) || vm->hot_last >= VM_HOT_COUNT) return;
    s = VM__H(vm, slot, vm->hot_last);
    if (!s) return;
    i = (unsigned)(s - vm->slots);
    if (vm->head != i) {
        list_to_head(vm, (vm_slot_t)i);
        VM__PATH(vm, VM_PATH_SETTLE);
    }
}

/* Before a touch: settle, then keep only entries that stay exact whatever the
 * touch does. Under LRU that is the head's entry (it will be second at
 * worst); CLOCK/SIEVE entries are checked again after a miss (hot_recheck). */
static void hot_before_touch(struct vm *vm)
{
    unsigned e;
    const struct vm_slot *head;
    if (!IS(vm, VM_POLICY_LRU)) return;
    hot_settle(vm);
    vm->hot_last = VM_HOT_NONE; /* consumed: the touch moves its own page */
    /* compared as pointers: a slot's index would cost a division */
    head = vm->head != VM_NIL ? &vm->slots[vm->head] : NULL;
    for (e = 0; e < VM_HOT_COUNT; e++)
        if (VM__H(vm, slot, e) && VM__H(vm, slot, e) != head) {
            hot_clear(vm, e);
            VM__H(vm, slot, e) = NULL;
        }
}

#if VM__SHORT
/* LRU: a touch of resident slot i without vm__touch_lh (short_touch): what
 * vm__touch_lh's hit does to the list and the hot table. */
static VM_NOINLINE void lru_hit(struct vm *vm, unsigned i)
{
    hot_before_touch(vm);
    list_to_head(vm, (vm_slot_t)i);
}
#endif

/* After a miss: CLOCK/SIEVE may have cleared reference bits on the way. */
static void hot_recheck(struct vm *vm)
{
    unsigned e;
    if (!IS(vm, VM_POLICY_CLOCK) && !IS(vm, VM_POLICY_SIEVE)) return;
    for (e = 0; e < VM_HOT_COUNT; e++)
        if (VM__H(vm, slot, e) && !(VM__H(vm, slot, e)->flags & VM_SLOT_REF)) hot_clear(vm, e);
}

void vm__cool(struct vm *vm)
{
    unsigned e;
    hot_settle(vm);
    for (e = 0; e < VM_HOT_COUNT; e++) {
        hot_clear(vm, e);
        VM__H(vm, slot, e) = NULL;
    }
}

/* ---------------------------------------------------------------- init -- */

/* The page count cfg asks for (page_count, else as many as the buffers and
 * records hold), or 0 when the buffers cannot hold it. */
static unsigned config_pages(const struct vm_config *cfg, unsigned shift)
{
    size_t fit = cfg->pages_size >> shift; /* page buffers the memory holds */
    unsigned n = cfg->page_count;
    if (n == 0) {
        n = cfg->slot_count;
        if (fit < n) n = (unsigned)fit;
        if (n > VM_PAGE_COUNT_MAX) n = VM_PAGE_COUNT_MAX;
    }
    if (n == 0 || n > VM_PAGE_COUNT_MAX || n > cfg->slot_count || n > fit) return 0;
    return n;
}

/* Every slot empty, no list, no hint, no hot page. */
static void init_slots(struct vm *vm, unsigned n)
{
    unsigned i;
    vm->head = vm->tail = VM_NIL;
    vm->hand = IS(vm, VM_POLICY_SIEVE) ? VM_NIL : 0;
    vm->last_loaded = VM_NIL;
#if VM__HOT64
    for (i = 0; i < VM_HOT_COUNT; i++) VM__H(vm, base, i) = VM__H(vm, wbase, i) = VM__H(vm, wend, i) = VM_HOT_EMPTY;
#elif VM__HOT_REC
    for (i = 0; i < VM_HOT_COUNT; i++) VM__H(vm, base, i) = VM__H(vm, wbase, i) = VM_HOT_EMPTY;
#else
    /* hot_base and hot_wbase, which are next to each other: all ones,
     * VM_HOT_EMPTY */
    memset((uint8_t *)vm + offsetof(struct vm, hot_base), 0xFF,
           offsetof(struct vm, hot_adj) - offsetof(struct vm, hot_base));
#endif
    vm->hot_last = VM_HOT_NONE;
    for (i = 0; i < n; i++) {
        struct vm_slot *s = &vm->slots[i];
        memset(s, 0, sizeof *s);
        s->base = VM_NO_PAGE;
        s->prev = s->next = VM_NIL;
    }
#if VM_CONFIG_HINTS
    memset(vm->hints, 0xFF, sizeof vm->hints); /* all ones: VM_NIL at either width */
    vm->unhinted = 0;
#endif
}

/* vm_init's checks and stores, once cfg, its backend and its buffers are
 * known not to be null. Each value is checked as it is stored, so that
 * only vm is kept in a register pair; on an error *vm is left half set. */
static int init_from(struct vm *vm, const struct vm_config *cfg)
{
    const struct vm_backend *be = cfg->backend;
    uint16_t ps = cfg->page_size ? cfg->page_size : (uint16_t)VM_DEFAULT_PAGE_SIZE;
    uint16_t p;
    unsigned shift, n;
    vm_addr_t pool;

    /* The page shift: ps must be a power of two in range. */
    if (ps < VM_PAGE_SIZE_MIN) return VM_ERR_INVAL;
    for (shift = 0, p = 1; p != ps; p <<= 1, shift++)
        if (p == VM_PAGE_SIZE_MAX) return VM_ERR_INVAL;
    memset(vm, 0, sizeof *vm);
    vm->be = *be;
    pool = cfg->pool_size ? cfg->pool_size : be->size;
    if (pool == 0 || pool > be->size) return VM_ERR_INVAL;
#if VM_CONFIG_WRAP
    if (pool > VM_WRAP_TAG) return VM_ERR_INVAL;
#endif
    vm->pool_size = pool;
    vm->page_size = ps;
    vm->page_shift = (uint8_t)shift;
    vm->page_mask = (vm_addr_t)ps - 1u;
    vm->page_base_mask = ~vm->page_mask;
#if VM__HOT64
    vm->hot_mask = vm->page_mask;
    vm->hot_lim[0] = vm->hot_mask - 1u;
    vm->hot_lim[1] = vm->hot_mask - 3u;
#endif
#if VM_CONFIG_HOT_SETS > 1 && VM__HOT64
    vm->hot_mul = (uint32_t)1 << (32u - VM__HOT_SET_BITS - shift);
#elif VM_CONFIG_HOT_SETS > 2
    vm->hot_shift = (uint8_t)(shift - 1u);
#endif
    if ((n = config_pages(cfg, shift)) == 0) return VM_ERR_INVAL;
    vm->page_count = (vm_slot_t)n;
    vm->policy = cfg->policy ? cfg->policy : (uint8_t)VM_DEFAULT_POLICY;
#if VM_CONFIG_POLICY == VM_POLICY_RUNTIME
    if (vm->policy < VM_POLICY_FIFO || vm->policy >= VM_POLICY_COUNT) return VM_ERR_INVAL;
#else
    if (vm->policy != VM_CONFIG_POLICY) return VM_ERR_INVAL;
#endif
    if ((vm->flags = cfg->flags) & ~VM_CLEAN_FIRST) return VM_ERR_INVAL;
#if VM_CONFIG_BOUNCE
    if (cfg->bounce_size && !cfg->bounce) return VM_ERR_INVAL;
    vm->bounce = (uint8_t *)cfg->bounce;
    vm->bounce_size = cfg->bounce_size < ps ? cfg->bounce_size : ps;
#endif
#if VM_CONFIG_ALLOC
    if ((vm->heap = cfg->heap) != NULL) {
        /* The heap's first address: heap_start (default VM_ALLOC_ALIGN, since
         * address 0 is VM_NULL) rounded up to VM_ALLOC_ALIGN; 0 if that
         * overflows. */
        vm_addr_t first = cfg->heap_start ? cfg->heap_start : VM_ALLOC_ALIGN;
        vm_addr_t end = cfg->heap_end ? cfg->heap_end : pool;
        first = (first + (VM_ALLOC_ALIGN - 1u)) & ~(vm_addr_t)(VM_ALLOC_ALIGN - 1u);
        if (first - 1u >= end - 1u || end > pool || cfg->heap_blocks == 0) return VM_ERR_INVAL;
        vm->heap_cap = cfg->heap_blocks;
        vm->heap_start = first;
        vm->heap_end = end;
    }
#endif
#if VM_CONFIG_EVENTS
    vm->event = cfg->event;
    vm->event_ctx = cfg->event_ctx;
#endif
    vm->pages = (uint8_t *)cfg->pages;
    vm->slots = cfg->slots;
    init_slots(vm, n);
    return VM_OK;
}

int vm_init(struct vm *vm, const struct vm_config *cfg)
{
    if (!vm || !cfg || !cfg->backend || !cfg->backend->read || !cfg->backend->write ||
        !cfg->pages || !cfg->slots)
        return VM_ERR_INVAL;
#if UINT_MAX > 0xFFFFu
    /* Locked structs are used in place: keep 32-bit fields aligned. */
    if (((uintptr_t)cfg->pages & 3u) != 0) return VM_ERR_INVAL;
#endif
    return init_from(vm, cfg);
}

/* ------------------------------------------------------------- backend -- */

/* A backend call for slot i at [addr, addr+len) returned err (nonzero):
 * count and report it; returns it as a vm_err. Out of line: it is rare, and
 * its event call would make its callers save registers on every call. */
static VM_NOINLINE int be_error(struct vm *vm, unsigned i, int err, vm_addr_t addr, uint16_t len)
{
    if (err > 0) err = VM_ERR_IO;
    VM__STAT(vm, errors);
    VM__EMIT(vm, VM_EV_ERROR, (vm_slot_t)i, err, addr, len);
    (void)vm;
    (void)i;
    (void)addr;
    (void)len;
    return err;
}

/* Write back slot i's dirty bytes. On failure the slot stays dirty. */
static int writeback(struct vm *vm, unsigned i)
{
    struct vm_slot *s = &vm->slots[i];
    uint16_t len = (uint16_t)(s->dhi - s->dlo);
    vm_addr_t addr = s->base + s->dlo;
    int err = vm->be.write(vm->be.ctx, addr, vm__data(vm, i) + s->dlo, len);
    if (err) return be_error(vm, i, err, addr, len);
    s->dlo = s->dhi = 0;
    {
        unsigned e = HOT_FIRST(vm, s), end = e + HOT_SPAN;
        for (; e < end; e += HOT_STEP)
            if (VM__H(vm, slot, e) == s) {
                VM__H(vm, wbase, e) = VM_HOT_EMPTY;
#if VM__HOT64
                VM__H(vm, wend, e) = VM_HOT_EMPTY;
#endif
            }
    }
    VM__STAT(vm, writebacks);
    VM__STAT_ADD(vm, bytes_written, len);
#if VM_CONFIG_SLOT_STATS
    s->writebacks++;
#endif
    VM__EMIT(vm, VM_EV_WRITEBACK, (vm_slot_t)i, 0, addr, len);
    return VM_OK;
}

/* --------------------------------------------------------------- lists -- */
/* FIFO, LRU and SIEVE keep resident slots in a list: head newest, tail
 * oldest; `prev` points toward the head, `next` toward the tail. */

static void list_push_head(struct vm *vm, unsigned i)
{
    struct vm_slot *s = &vm->slots[i];
    s->prev = VM_NIL;
    s->next = vm->head;
    if (vm->head != VM_NIL) vm->slots[vm->head].prev = (vm_slot_t)i;
    else vm->tail = (vm_slot_t)i;
    vm->head = (vm_slot_t)i;
}

/* Move listed slot i to the head: an LRU hit, and a miss's victim, whose
 * slot takes the new page (one move instead of an unlink and a push). */
static void list_to_head(struct vm *vm, vm_slot_t i)
{
    /* Fields read first: a store to a vm_slot_t (a char on AVR) could alias
     * them, so each would be loaded again after it. Indices are vm_slot_t:
     * one 8-bit multiply per record address on AVR. */
    struct vm_slot *sl = vm->slots, *s = &sl[i];
    vm_slot_t p = s->prev, n = s->next, hd = vm->head;
    if (p == VM_NIL) return; /* the head already; so below, hd != VM_NIL */
    sl[p].next = n;
    if (n != VM_NIL) sl[n].prev = p;
    else vm->tail = p;
    s->prev = VM_NIL;
    s->next = hd;
    sl[hd].prev = i;
    vm->head = i;
}

/* ------------------------------------------------------------- victims -- */

/* The next slot in a policy's scan order after i. */
static unsigned scan_next(const struct vm *vm, unsigned i)
{
    if (IS(vm, VM_POLICY_CLOCK)) return i + 1u < vm->page_count ? i + 1u : 0u; /* no division */
    if (IS(vm, VM_POLICY_SIEVE)) return vm->slots[i].prev != VM_NIL ? vm->slots[i].prev : vm->tail;
    return vm->slots[i].prev; /* FIFO, LRU: toward the head; VM_NIL at the end */
}

/* Where the policy's scan for a victim starts: the CLOCK hand, the SIEVE
 * hand (the tail when it has none), the FIFO/LRU tail. */
static unsigned scan_start(const struct vm *vm)
{
    if (IS(vm, VM_POLICY_CLOCK)) return vm->hand;
    if (IS(vm, VM_POLICY_SIEVE) && vm->hand != VM_NIL) return vm->hand;
    return vm->tail;
}

/* Where the policy's hand goes when victim is chosen: CLOCK past it, SIEVE
 * onto it (drop then moves it on toward the head); FIFO and LRU have none.
 * policy_pick and vm__touch_lh's usual victim both place it here. */
VM_INLINE void hand_after(struct vm *vm, unsigned victim)
{
    if (IS(vm, VM_POLICY_CLOCK)) vm->hand = (vm_slot_t)(victim + 1u < vm->page_count ? victim + 1u : 0u);
    else if (IS(vm, VM_POLICY_SIEVE)) vm->hand = (vm_slot_t)victim;
}

/*
 * The policy's victim among the resident, unlocked slots (all slots are
 * resident here), or -1 when all are locked. With commit, also make the
 * changes the policy makes while choosing (cleared bits, the hand); without,
 * change nothing (vm_next_victim). *swept tells the caller that every
 * reference bit was cleared on the way (a full CLOCK/SIEVE sweep).
 */
static int policy_pick(struct vm *vm, int commit, int *swept, unsigned *from)
{
    unsigned n = vm->page_count, k, i, start;
    int victim = -1;

    *swept = 0;
    *from = VM_NIL;
    if (IS(vm, VM_POLICY_CLOCK) || IS(vm, VM_POLICY_SIEVE)) {
        start = scan_start(vm);
        *from = start;
        /* First pass: the first unlocked slot without its bit. */
        for (i = start, k = 0; k < n; k++, i = scan_next(vm, i)) {
            if (vm->slots[i].locks) continue;
            if (!(vm->slots[i].flags & VM_SLOT_REF)) { victim = (int)i; break; }
        }
        if (victim < 0) {
            /* Every unlocked slot had its bit: a full sweep clears them all,
             * then the first unlocked slot from the start goes. */
            for (i = start, k = 0; k < n; k++, i = scan_next(vm, i))
                if (!vm->slots[i].locks) { victim = (int)i; break; }
            if (victim < 0) return -1;
            *swept = 1;
            if (commit)
                for (i = 0; i < n; i++)
                    if (!vm->slots[i].locks) vm->slots[i].flags &= (uint8_t)~VM_SLOT_REF;
        } else if (commit) {
            for (i = start; i != (unsigned)victim; i = scan_next(vm, i))
                if (!vm->slots[i].locks) vm->slots[i].flags &= (uint8_t)~VM_SLOT_REF;
        }
        if (commit) hand_after(vm, (unsigned)victim);
        return victim;
    }
    /* FIFO and LRU: the oldest unlocked slot in the list. */
    for (i = vm->tail; i != VM_NIL; i = vm->slots[i].prev)
        if (!vm->slots[i].locks) return (int)i;
    return -1;
}

/* VM_CLEAN_FIRST: when the victim is dirty, take instead the first clean,
 * unreferenced slot among the older half of the scan order from the victim
 * (never the newest load, so a pass over clean pages cannot thrash). Slots
 * the policy swept on its way to the victim (from `from` up to it, or all
 * after a full sweep) count as unreferenced, whether or not the sweep was
 * committed, so vm_next_victim agrees with the real choice. */
static int clean_first(const struct vm *vm, int victim, int swept, unsigned from)
{
    unsigned budget = vm->page_count / 2u, i = (unsigned)victim;
    int cold = swept;
    const struct vm_slot *s;

    if (!(vm->flags & VM_CLEAN_FIRST) || vm->slots[victim].dlo == vm->slots[victim].dhi)
        return victim;
    while (budget && i != VM_NIL) {
        s = &vm->slots[i];
        if (!s->locks) {
            if (s->dlo == s->dhi && i != vm->last_loaded && (cold || !(s->flags & VM_SLOT_REF)))
                return (int)i;
            budget--;
        }
        i = scan_next(vm, i);
        if (i == (unsigned)victim) break;
        if (i == from) cold = 1;
    }
    return victim;
}

static int find_empty(const struct vm *vm)
{
    unsigned i;
    if (vm->used >= vm->page_count) return -1;
    for (i = 0; i < vm->page_count; i++)
        if (vm->slots[i].base == VM_NO_PAGE) return (int)i;
    return -1;
}

#if VM_CONFIG_WALK
int vm_next_victim(const struct vm *vm)
{
    int swept, v;
    unsigned from;
    hot_settle((struct vm *)vm); /* the list as it truly is (changes nothing observable) */
    v = find_empty(vm);
    if (v >= 0) return v;
    v = policy_pick((struct vm *)vm, 0, &swept, &from);
    return v < 0 ? -1 : clean_first(vm, v, swept, from);
}
#endif

/* ------------------------------------------------------------- lookup -- */

#if VM_CONFIG_HINTS
/* The hint entry of the page at base: the low bits of its page number. With
 * at most 16 entries they lie in the address's low 16 bits (pages are at
 * most 4 KiB), so a 16-bit-int MCU shifts 16 bits, not 32. */
#if VM_CONFIG_HINTS == 16 && UINT_MAX <= 0xFFFFu
/* On a 16-bit-int MCU a shift by page_shift is a loop: there the entry is a
 * hash of the base's two low bytes b0, b1 instead, (b0 >> 4) ^ b1 ^ (b1 >> 4),
 * nibble swaps and XORs. For every page size (16 B to 4 KiB) it gives the 16
 * pages of an aligned run of 16 pages 16 different entries. */
#define HINT(vm, base) HINT_BYTES((uint8_t)(base), (uint8_t)((base) >> 8))
#define HINT_BYTES(b0, b1) ((((b0) >> 4) ^ (b1) ^ ((b1) >> 4)) & 15u)
#elif VM_CONFIG_HINTS <= 16 || UINT_MAX > 0xFFFFu
#define HINT(vm, base) (((unsigned)(base) >> (vm)->page_shift) & (VM_CONFIG_HINTS - 1u))
#else
#define HINT(vm, base) ((unsigned)((base) >> (vm)->page_shift) & (VM_CONFIG_HINTS - 1u))
#endif
#else
#define HINT(vm, base) 0u
#endif

/* Slot s (index i) is about to lose its page: it leaves the hint table.
 * The table is exact (hints[h] is VM_NIL or a slot holding a page whose
 * entry is h), and vm->unhinted counts the resident pages that their entry
 * does not name (two pages sharing an entry): when it is 0, a page its
 * entry does not name is not resident, and a lookup needs no scan. */
VM_INLINE void unhint(struct vm *vm, const struct vm_slot *s, unsigned i)
{
#if VM_CONFIG_HINTS
    vm_slot_t *e = &vm->hints[HINT(vm, s->base)];
    if (*e == i) *e = VM_NIL;
    else vm->unhinted--;
#else
    (void)vm;
    (void)s;
    (void)i;
#endif
}

int vm_slot_of(const struct vm *vm, vm_addr_t addr)
{
    const struct vm_slot *s = vm->slots;
    vm_addr_t base = addr & vm->page_base_mask;
    unsigned i;
    for (i = 0; i < vm->page_count; i++, s++)
        if (s->base == base) return (int)i;
    return -1;
}

/* Slot i gives up its page, which has no dirty bytes left (dlo = dhi = 0):
 * an eviction (the caller counts and reports it: evicted()), or a page
 * whose load failed and was never installed. The slot leaves the hint and
 * hot tables and moves to the head of the policy's list, still in use: a
 * miss installs its new page there at once (one list move for both; the
 * install sets base and vhi, the rest of the record is 0 now). vacate()
 * empties it instead. On an MCU its only call, list_to_head, comes last,
 * and the count and the event (which need the slot after a call) are the
 * caller's: fewer registers to save. */
#if VM__HOT64 /* the desktop tools' sweeps: one call less per miss */
VM_INLINE void drop(struct vm *vm, unsigned i)
#else /* an MCU: less flash */
static void drop(struct vm *vm, unsigned i)
#endif
{
    struct vm_slot *s = &vm->slots[i];
    unhint(vm, s, i);
    hot_forget(vm, s);
    s->vlo = s->vhi = 0;
    s->flags = 0;
    if (LISTED(vm)) {
        if (IS(vm, VM_POLICY_SIEVE) && vm->hand == i) vm->hand = s->prev;
        list_to_head(vm, (vm_slot_t)i);
    }
}

#if VM_CONFIG_EVENTS
/* Slot i's EVICT event (its page still in base). Out of line: its 32-bit
 * arguments would cost its callers registers on every miss. */
static VM_NOINLINE void emit_evict(struct vm *vm, unsigned i)
{
    vm__emit(vm, VM_EV_EVICT, (vm_slot_t)i, 0, vm->slots[i].base, 0);
}
#endif

/* After drop: slot i's page (still its base) was evicted. Count and report
 * it. The slot's own count is its caller's (struct vm_slot's ev_less_loads:
 * an eviction followed by a load into the slot leaves it as it is). */
VM_INLINE void evicted(struct vm *vm, unsigned i)
{
    VM__STAT_BATCH(vm, evictions);
#if VM_CONFIG_EVENTS
    if (vm->event) emit_evict(vm, i);
#endif
    (void)vm;
    (void)i;
}

/* Slot s's own eviction count when no load into it follows (n = 1), or a
 * load into it that no eviction preceded (n = -1): see ev_less_loads. */
#if VM_CONFIG_SLOT_STATS
#define SLOT_EV_LESS_LOADS(s, n) ((s)->ev_less_loads += (vm_count_t)(n))
#else
#define SLOT_EV_LESS_LOADS(s, n) ((void)0)
#endif

/* After drop, when no page follows: slot i (the list's head) is empty.
 * Inline: a call from vm__touch_lh's failed miss would deepen its stack. */
VM_INLINE void vacate(struct vm *vm, unsigned i)
{
    struct vm_slot *s = &vm->slots[i];
    if (vm->last_loaded == i) vm->last_loaded = VM_NIL;
    s->base = VM_NO_PAGE;
    vm->used--;
    if (LISTED(vm)) { /* off the list's head */
        vm_slot_t n = s->next;
        s->next = VM_NIL;
        vm->head = n;
        if (n != VM_NIL) vm->slots[n].prev = VM_NIL;
        else vm->tail = VM_NIL;
    }
}

/* ------------------------------------------------------------- touches -- */

/* A touch of resident slot i: the policy's update. */
static void touch_hit(struct vm *vm, unsigned i)
{
    VM__TOUCH_HIT(vm);
    if (IS(vm, VM_POLICY_LRU)) list_to_head(vm, (vm_slot_t)i);
    if (IS(vm, VM_POLICY_CLOCK) || IS(vm, VM_POLICY_SIEVE)) vm->slots[i].flags |= VM_SLOT_REF;
}

/* The victim of a miss when the usual shortcut does not apply (the first
 * slot in scan order is locked or referenced, or VM_CLEAN_FIRST is set):
 * policy_pick, then clean_first. The slot, or VM_ERR_BUSY. */
static int victim_slow(struct vm *vm)
{
    int swept, i;
    unsigned from;
    i = policy_pick(vm, 1, &swept, &from);
    if (i < 0) return VM_ERR_BUSY;
    if (swept || (unsigned)i != from) hot_recheck(vm); /* bits were cleared on the way */
    if (vm->flags & VM_CLEAN_FIRST) {
        int v = clean_first(vm, i, swept, from);
        if (v != i) VM__PATH(vm, VM_PATH_CLEAN_VICTIM);
        i = v;
    }
    return i;
}

/* Read len bytes of slot i's page, at addr, into buf (its place in the
 * slot's buffer) from the backend. */
VM_INLINE int read_into(struct vm *vm, unsigned i, vm_addr_t addr, uint8_t *buf, uint16_t len)
{
    int err = vm->be.read(vm->be.ctx, addr, buf, len);
    if (err) return be_error(vm, i, err, addr, len);
    VM__STAT_ADD(vm, bytes_read, len);
    return VM_OK;
}

/* Fetch [lo, hi) of slot i (bytes outside the valid range): the partial
 * fills, out of line. A miss reads its page with read_into. */
static int fetch(struct vm *vm, unsigned i, uint16_t lo, uint16_t hi)
{
    if (lo >= hi) return VM_OK;
    return read_into(vm, i, vm->slots[i].base + lo, vm__data(vm, i) + lo, (uint16_t)(hi - lo));
}

/* Make valid the bytes [lo, hi) of slot s (index i) that a touch of kind how
 * needs: a read fetches every byte of the page not yet valid (before and
 * after the valid range); a write that neither joins nor fills the valid
 * range fetches the gap between them. Returns VM_OK or a vm_err, and the
 * bytes fetched in *got. */
static int make_valid(struct vm *vm, struct vm_slot *s, unsigned i, uint16_t lo, uint16_t hi, unsigned how,
                      uint16_t *got)
{
    int err = VM_OK;
    if (how == VM__READ) {
        if (s->vlo == s->vhi) {
            uint16_t ext = vm__extent(vm, s->base);
            err = fetch(vm, i, 0, ext);
            if (err == VM_OK) { *got = ext; s->vlo = 0; s->vhi = ext; }
        } else if (lo < s->vlo || hi > s->vhi) {
            uint16_t ext = vm__extent(vm, s->base);
            err = fetch(vm, i, 0, s->vlo);
            if (err == VM_OK) err = fetch(vm, i, s->vhi, ext);
            if (err == VM_OK) { *got = (uint16_t)(s->vlo + ext - s->vhi); s->vlo = 0; s->vhi = ext; }
        }
    } else if (s->vlo == s->vhi || (hi >= s->vlo && lo <= s->vhi)) {
        /* the write joins or fills the valid range: vm__dirty grows it */
    } else if (hi < s->vlo) {
        err = fetch(vm, i, hi, s->vlo);
        if (err == VM_OK) { *got = (uint16_t)(s->vlo - hi); s->vlo = hi; }
    } else {
        err = fetch(vm, i, s->vhi, lo);
        if (err == VM_OK) { *got = (uint16_t)(lo - s->vhi); s->vhi = lo; }
    }
    return err;
}

/*
 * One touch, in one flat function: on the usual miss the backend's read is
 * its only call. The page is found through its hint entry; a scan follows
 * only when some resident page is not named by its entry (vm->unhinted).
 * A hit updates the policy and fetches what the touch needs and is not valid
 * yet (make_valid). A miss takes a free slot, else the policy's victim: the
 * first slot in scan order when it is unlocked and unreferenced
 * (policy_pick's usual answer; no bit is cleared on the way), else
 * victim_slow. A dirty victim is written back (on failure it stays resident
 * and the miss fails), then evicted (drop: the slot stays in use, moved to
 * the list's head), and the page is installed in it. A read fetches the
 * whole page; a write fetches nothing (vm__dirty grows the valid range).
 */
int vm__touch_lh(struct vm *vm, vm_addr_t addr, uint16_t lh)
{
    vm_addr_t base = addr & vm->page_base_mask;
    unsigned h = HINT(vm, base), i;
    struct vm_slot *s;
    int err;
    uint16_t ext = 0;

    hot_before_touch(vm);
#if VM_CONFIG_HINTS
    i = vm->hints[h];
    if (i != VM_NIL && (s = &vm->slots[i])->base == base) goto hit;
    if (vm->unhinted) /* else no other resident page can be it */
#endif
    {
        vm_slot_t k, n = vm->page_count; /* 8 bits on AVR: a cheaper loop */
        for (k = 0, s = vm->slots; k < n; k++, s++)
            if (s->base == base) {
#if VM_CONFIG_HINTS
                /* it takes its entry; a page the entry named loses it */
                if (vm->hints[h] == VM_NIL) vm->unhinted--;
                vm->hints[h] = k;
#endif
                i = k;
                goto hit;
            }
    }
    VM__STAT_BATCH(vm, misses);
    VM__PATH(vm, VM_PATH_TOUCH_MISS);
    if (vm->used < vm->page_count) {
        i = (unsigned)find_empty(vm);
        s = &vm->slots[i];
        vm->used++;
        SLOT_EV_LESS_LOADS(s, -1); /* a load that evicted nothing */
        if (LISTED(vm)) list_push_head(vm, i);
    } else {
        i = scan_start(vm);
        s = &vm->slots[i];
        if (s->locks || (s->flags & VM_SLOT_REF) || (vm->flags & VM_CLEAN_FIRST)) {
            if ((err = victim_slow(vm)) < 0) return err;
            i = (unsigned)err;
            s = &vm->slots[i];
        } else {
            hand_after(vm, i);
        }
        if (s->dlo != s->dhi && (err = writeback(vm, i)) != VM_OK) return err;
        drop(vm, i); /* the slot stays in use, for the new page */
        evicted(vm, i);
    }
    s->base = base; /* the rest of an empty slot is 0 */
#if VM_CONFIG_HINTS
    if (vm->hints[h] != VM_NIL) vm->unhinted++; /* the page it named loses it */
    vm->hints[h] = (vm_slot_t)i;
#endif
    (void)h;
    if (!(lh & VM__WRITE)) {
        ext = vm__extent(vm, base);
        if ((err = read_into(vm, i, base, vm__data(vm, i), ext)) != VM_OK) { /* ext > 0 */
            drop(vm, i); /* a failed read never installs a page */
            SLOT_EV_LESS_LOADS(s, 1); /* the slot's eviction, if any, without a load */
            vacate(vm, i);
            return err;
        }
        s->vhi = ext; /* vlo is 0 */
    }
    vm->last_touch = vm->last_loaded = (vm_slot_t)i;
    VM__STAT_BATCH(vm, loads);
#if VM_CONFIG_SLOT_STATS
    s->loads++;
#endif
    VM__EMIT(vm, VM_EV_LOAD, (vm_slot_t)i, 0, base, ext);
    return (int)i;

hit:
    touch_hit(vm, i);
    s = &vm->slots[i]; /* not kept across the scan: a smaller frame on Cortex-M */
    {
        uint16_t lo = (uint16_t)(addr & vm->page_mask);
        err = make_valid(vm, s, i, lo, (uint16_t)(lo + (lh & ~VM__WRITE)), lh & VM__WRITE, &ext);
    }
    if (err != VM_OK) return err;
    vm->last_touch = (vm_slot_t)i;
    if (ext) {
        hot_unappend(vm, s); /* the valid range grew */
        VM__STAT(vm, fills);
        VM__EMIT(vm, VM_EV_FILL, (vm_slot_t)i, 0, base, ext);
    }
    return (int)i;
}

void vm__dirty(struct vm *vm, unsigned i, uint16_t lo, uint16_t hi)
{
    struct vm_slot *s = &vm->slots[i];
    hot_unappend(vm, s);
    if (s->vlo == s->vhi) { s->vlo = lo; s->vhi = hi; }
    else {
        if (lo < s->vlo) s->vlo = lo;
        if (hi > s->vhi) s->vhi = hi;
    }
    if (s->dlo == s->dhi) {
        s->dlo = lo;
        s->dhi = hi;
        VM__EMIT(vm, VM_EV_DIRTY, (vm_slot_t)i, 0, s->base + lo, (vm_addr_t)(hi - lo));
    } else {
        if (lo < s->dlo) s->dlo = lo;
        if (hi > s->dhi) s->dhi = hi;
    }
}

/* Hot entry e serves nothing (base and wbase both VM_HOT_EMPTY). Off 64-bit
 * hosts VM_HOT_EMPTY is all ones and a page base has its low 4 bits clear,
 * so the low bytes tell: one AND and one compare instead of two 32-bit
 * compares. */
#if VM__HOT64
#define HOT_FREE(vm, e) (VM__H(vm, base, e) == VM_HOT_EMPTY && VM__H(vm, wbase, e) == VM_HOT_EMPTY)
#else
#define HOT_FREE(vm, e) (((uint8_t)VM__H(vm, base, e) & (uint8_t)VM__H(vm, wbase, e)) == 0xFFu)
#endif

/* vm__done's second half: make slot s (index i) hot in its page's set, if
 * it may be served inline. Out of line, so that vm__done's frequent early
 * returns save no registers. */
static VM_NOINLINE int hot_insert(struct vm *vm, struct vm_slot *s, unsigned i)
{
    unsigned set, pick;
    vm_addr_t base;
    int rd, wr;
    if (vm__bounced(vm, s->base, vm->page_size)) return VM_OK;
    /* Reads need the whole page valid; writes a dirty page that is a whole
     * page of the pool (the inline write checks no range). Flags, not
     * bases, while the entry is chosen: fewer live registers on a small
     * CPU. */
    base = s->base;
    rd = s->vlo == 0 && s->vhi == vm->page_size;
    wr = s->dlo != s->dhi && vm->pool_size - base >= vm->page_size; /* vm__extent's page_size */
    if (!rd && !wr) return VM_OK;
    /* In its set: its own entry, else a free one (way 0 first), else the
     * one not used last (way 0 when the latest hit was in another set). */
    set = VM__HOT_SET(vm, base);
    if (VM__H(vm, slot, set + VM__WAY1) == s) pick = set + VM__WAY1;
    else if (VM__H(vm, slot, set) == s || HOT_FREE(vm, set)) pick = set;
    else if (HOT_FREE(vm, set + VM__WAY1) || vm->hot_last == set) pick = set + VM__WAY1;
    else pick = set;
    VM__H(vm, base, pick) = rd ? base : VM_HOT_EMPTY;
    VM__H(vm, wbase, pick) = wr ? base : VM_HOT_EMPTY;
    VM__H(vm, adj, pick) = (uintptr_t)vm__data(vm, i) - (uintptr_t)base;
    VM__H(vm, slot, pick) = s;
#if VM__HOT64 /* append address: where both ranges end, if they do */
    VM__H(vm, wend, pick) = wr && s->dhi == s->vhi ? (vm_hot_t)base + s->dhi : VM_HOT_EMPTY;
#endif
#if VM__LOCK_INLINE
    VM__H(vm, index, pick) = (vm_slot_t)i;
#endif
    vm->hot_last = (uint8_t)pick;
    return VM_OK;
}

int vm__done(struct vm *vm, unsigned i)
{
    struct vm_slot *s = &vm->slots[i];
    if (i != vm->last_touch) return VM_OK; /* another page was touched since */
    /* a second touch would set the reference bit: not yet hot */
    int cold = (IS(vm, VM_POLICY_CLOCK) || IS(vm, VM_POLICY_SIEVE)) && !(s->flags & VM_SLOT_REF);
    if (cold) return VM_OK;
    return hot_insert(vm, s, i);
}

/* --------------------------------------------------------------- access -- */

#if SIZE_MAX > 0xFFFFFFFFu
#define TOO_LONG(n) ((n) > 0xFFFFFFFFu)
#else
#define TOO_LONG(n) 0
#endif

int vm_read(struct vm *vm, void *dst, vm_addr_t src, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    int i;

#if VM_CONFIG_WRAP
    if (vm_is_wrapped(src)) {
        VM__PATH(vm, VM_PATH_WRAPPED);
        if (n) memcpy(dst, vm_unwrap(vm, src), n);
        return VM_OK;
    }
#endif
    VM__PATH(vm, VM_PATH_READ);
    if (TOO_LONG(n) || vm__range(vm, src, (vm_addr_t)n)) return VM_ERR_RANGE;
    while (n) {
        uint16_t off = (uint16_t)(src & vm->page_mask);
        uint16_t chunk = (uint16_t)(n < (size_t)(vm->page_size - off) ? n : (size_t)(vm->page_size - off));
        if ((i = vm__touch(vm, src, chunk, VM__READ)) < 0) return i;
        memcpy(d, vm__data(vm, (unsigned)i) + off, chunk);
#if VM_CONFIG_BOUNCE
        if (vm__bounced(vm, src, chunk)) {
            vm_addr_t a = src > vm->bounce_addr ? src : vm->bounce_addr;
            vm_addr_t e = src + chunk < vm->bounce_addr + vm->bounce_len ? src + chunk : vm->bounce_addr + vm->bounce_len;
            memcpy(d + (a - src), vm->bounce + (a - vm->bounce_addr), (size_t)(e - a));
        }
#endif
        vm__done(vm, (unsigned)i);
        d += chunk;
        src += chunk;
        n -= chunk;
    }
    return VM_OK;
}

/* A value of n <= 4 bytes inside one page, while no range is bounced: one
 * touch and a byte copy, without vm_read's chunk loop (on AVR this halves
 * the cost of a hit on a page that is not the hot one). Anything else takes
 * the general path, which also checks the bounced range's overlap. */
VM_INLINE int small_ok(const struct vm *vm, vm_addr_t a, uint8_t n)
{
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(a)) return 0;
#endif
#if VM_CONFIG_BOUNCE
    if (vm->bounce_len) return 0; /* vm_read/vm_write check the overlap */
#endif
    return ((uint16_t)a & (uint16_t)vm->page_mask) + n <= vm->page_size && vm__range(vm, a, n) == VM_OK;
}

/* The typed accessors' slow paths once small_ok holds: one touch, then the
 * n bytes copied into dst (a read) or from src (a write, which dirties
 * them). VM_OK or a negative vm_err. */
VM_INLINE int small_copy(struct vm *vm, vm_addr_t a, uint8_t *dst, const uint8_t *src, uint8_t n, unsigned how)
{
    uint16_t off = (uint16_t)a & (uint16_t)vm->page_mask;
    uint8_t *p;
    int i;
    if ((i = vm__touch(vm, a, n, how)) < 0) return i;
    p = vm__data(vm, (unsigned)i) + off;
    if (how == VM__WRITE) {
        vm__dirty(vm, (unsigned)i, off, (uint16_t)(off + n));
        while (n--) *p++ = *src++;
    } else {
        while (n--) *dst++ = *p++;
    }
    return vm__done(vm, (unsigned)i);
}

#if VM__SHORT
/*
 * The short path (design point 4): a touch of a resident page that needs no
 * fetch, without vm__touch_lh's lookup and frame. short_slot finds the
 * page's slot through the exact hint table (point 7: two loads and a base
 * compare; a page its entry does not name takes the general path), or on a
 * desktop build without hints tries the latest touch's slot. The caller
 * checks that the access needs no fetch (SHORT_VALID, short_writable);
 * short_touch then does what vm__touch_lh's hit does (count the hit, the
 * CLOCK/SIEVE reference bit; under LRU settle the list, keep the head's
 * entry and move the page to the head; FIFO nothing) and notes the touch.
 * Making the page hot, vm__done's part, is not needed for exactness: with
 * one hot set it is done only when the page was one of the two latest
 * touches' pages (a second access soon to the same page: a page a miss has
 * just loaded, a copy between two arrays, a list node's next field), since
 * a walk over more than two pages would replace an entry at every access
 * for nothing; with more sets, always.
 */
VM_INLINE vm_slot_t short_slot(const struct vm *vm, vm_addr_t a)
{
    vm_slot_t i;
#if VM_CONFIG_BOUNCE
    if (vm->bounce_len) return VM_NIL; /* the general path checks the overlap */
#endif
#if defined(HINT_BYTES)
    {
        /* the base's two low bytes, as bytes: HINT on the 32-bit base
         * would mask and keep all four (AVR) */
        uint16_t m = (uint16_t)vm->page_base_mask;
        i = vm->hints[HINT_BYTES((uint8_t)((uint8_t)a & (uint8_t)m), (uint8_t)((uint8_t)(a >> 8) & (uint8_t)(m >> 8)))];
    }
    if (i == VM_NIL) return VM_NIL;
#elif VM_CONFIG_HINTS
    i = vm->hints[HINT(vm, a & vm->page_base_mask)];
    if (i == VM_NIL) return VM_NIL;
#else
    i = vm->last_touch;
#endif
    return VM__IN_PAGE(vm, a, vm->slots[i].base) ? i : VM_NIL;
}

/* 1 if [off, end) lies in resident slot s's valid range: a read or a lock
 * needs no fetch. */
#define SHORT_VALID(s, off, end) ((off) >= (s)->vlo && (end) <= (s)->vhi)
/* 1 if a write of [off, end) to resident slot s needs no fetch: inside the
 * pool's part of the page, and joining or filling the valid range (a page
 * being filled, whose valid range the write grows: vm__dirty). */
VM_INLINE int short_writable(const struct vm *vm, const struct vm_slot *s, uint16_t off, uint16_t end)
{
    return end <= vm__extent(vm, s->base) && (s->vlo == s->vhi || (end >= s->vlo && off <= s->vhi));
}

/* The touch of slot i that short_slot found. 1 when the page should be
 * made hot (hot_insert after the caller's own changes), else 0. */
VM_INLINE int short_touch(struct vm *vm, vm_slot_t i)
{
#if VM__SHORT_PICKY
    vm_slot_t t1 = vm->last_touch, t2 = vm->prev_touch;
    vm->prev_touch = t1;
#endif
    VM__HIT(vm, VM_PATH_TOUCH_HIT);
    VM__PATH(vm, VM_PATH_SHORT);
    if (IS(vm, VM_POLICY_CLOCK) || IS(vm, VM_POLICY_SIEVE)) vm->slots[i].flags |= VM_SLOT_REF;
    vm->last_touch = i;
    if (IS(vm, VM_POLICY_LRU)) lru_hit(vm, i);
#if VM__SHORT_PICKY
    return i == t1 || i == t2;
#else
    return 1;
#endif
}

/* A typed access of n bytes at a (how: VM__READ or VM__WRITE; v: the
 * value's bytes) through the short path: 1 if it served it, else 0 with
 * nothing changed. */
VM_INLINE int short_hit(struct vm *vm, vm_addr_t a, uint8_t *v, uint8_t n, unsigned how)
{
    vm_slot_t i = short_slot(vm, a);
    uint16_t off, end;
    uint8_t *p;
    int again;
    if (i == VM_NIL) return 0;
    off = (uint16_t)a & (uint16_t)vm->page_mask;
    end = (uint16_t)(off + n);
    if (how == VM__WRITE ? !short_writable(vm, &vm->slots[i], off, end) : !SHORT_VALID(&vm->slots[i], off, end))
        return 0;
    p = vm__data(vm, i) + off;
    if (how == VM__WRITE) {
        do *p++ = *v++; while (--n);
    } else {
        do *v++ = *p++; while (--n);
    }
    again = short_touch(vm, i);
    if (how == VM__WRITE) vm__dirty(vm, i, off, end);
    if (again) hot_insert(vm, &vm->slots[i], i);
    return 1;
}
/* The general path out of line: the accessors then save no registers for
 * it before the short path. */
#define SHORT_NOINLINE static VM_NOINLINE
/* Before the general path: the latest touch becomes the one before. */
#if VM__SHORT_PICKY
#define SHORT_ELSE(vm) ((vm)->prev_touch = (vm)->last_touch)
#else
#define SHORT_ELSE(vm) ((void)0)
#endif
#else
#define short_slot(vm, a) VM_NIL
#define SHORT_VALID(s, off, end) 0
#define SHORT_NOINLINE VM_INLINE
#define short_hit(vm, a, v, n, how) 0
#define short_touch(vm, i) 0
#define SHORT_ELSE(vm) ((void)0)
#endif

/* The typed accessors' general path: out of line, so that the accessors
 * save no registers before the short path. */
SHORT_NOINLINE int get_general(struct vm *vm, vm_addr_t a, void *v, uint8_t n)
{
    SHORT_ELSE(vm);
    if (!small_ok(vm, a, n)) return vm_read(vm, v, a, n);
    return small_copy(vm, a, (uint8_t *)v, NULL, n, VM__READ);
}

SHORT_NOINLINE int set_general(struct vm *vm, vm_addr_t a, const void *v, uint8_t n)
{
    SHORT_ELSE(vm);
    if (!small_ok(vm, a, n)) return vm_write(vm, a, v, n);
    return small_copy(vm, a, NULL, (const uint8_t *)v, n, VM__WRITE);
}

int vm__get_slow(struct vm *vm, vm_addr_t a, void *v, uint8_t n)
{
    VM__PATH(vm, VM_PATH_GET_SLOW);
    if (short_hit(vm, a, (uint8_t *)v, n, VM__READ)) return VM_OK;
    return get_general(vm, a, v, n);
}

int vm__set_slow(struct vm *vm, vm_addr_t a, const void *v, uint8_t n)
{
    VM__PATH(vm, VM_PATH_SET_SLOW);
    if (short_hit(vm, a, (uint8_t *)(uintptr_t)v, n, VM__WRITE)) return VM_OK;
    return set_general(vm, a, v, n);
}

/* Write into the pages only (the bounce buffer is the caller's business). */
static int write_pages(struct vm *vm, vm_addr_t dst, const uint8_t *s, size_t n)
{
    int i;
    while (n) {
        uint16_t off = (uint16_t)(dst & vm->page_mask);
        uint16_t chunk = (uint16_t)(n < (size_t)(vm->page_size - off) ? n : (size_t)(vm->page_size - off));
        if ((i = vm__touch(vm, dst, chunk, VM__WRITE)) < 0) return i;
        memcpy(vm__data(vm, (unsigned)i) + off, s, chunk);
        vm__dirty(vm, (unsigned)i, off, (uint16_t)(off + chunk));
        vm__done(vm, (unsigned)i);
        s += chunk;
        dst += chunk;
        n -= chunk;
    }
    return VM_OK;
}

int vm_write(struct vm *vm, vm_addr_t dst, const void *src, size_t n)
{
    int err;
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(dst)) {
        VM__PATH(vm, VM_PATH_WRAPPED);
        if (n) memcpy(vm_unwrap(vm, dst), src, n);
        return VM_OK;
    }
#endif
    VM__PATH(vm, VM_PATH_WRITE);
    if (TOO_LONG(n) || vm__range(vm, dst, (vm_addr_t)n)) return VM_ERR_RANGE;
#if VM_CONFIG_BOUNCE
    if (vm__bounced(vm, dst, (vm_addr_t)n)) {
        /* Page by page, keeping the bounced copy in step with each page. */
        const uint8_t *s = (const uint8_t *)src;
        while (n) {
            uint16_t off = (uint16_t)(dst & vm->page_mask);
            uint16_t chunk = (uint16_t)(n < (size_t)(vm->page_size - off) ? n : (size_t)(vm->page_size - off));
            if ((err = write_pages(vm, dst, s, chunk)) != VM_OK) return err;
            if (vm__bounced(vm, dst, chunk)) {
                vm_addr_t a = dst > vm->bounce_addr ? dst : vm->bounce_addr;
                vm_addr_t e = dst + chunk < vm->bounce_addr + vm->bounce_len ? dst + chunk : vm->bounce_addr + vm->bounce_len;
                memcpy(vm->bounce + (a - vm->bounce_addr), s + (a - dst), (size_t)(e - a));
            }
            s += chunk;
            dst += chunk;
            n -= chunk;
        }
        return VM_OK;
    }
#endif
    err = write_pages(vm, dst, (const uint8_t *)src, n);
    return err;
}

/* ---------------------------------------------------------------- locks -- */

/* A lock's or unlock's event, from the handle (slot, addr, len): out of
 * line, so that the lock paths pass no 32-bit arguments. */
#if VM_CONFIG_EVENTS
static VM_NOINLINE void lock_event(struct vm *vm, uint8_t type, const struct vm_lock *lk)
{
    vm__emit(vm, type, lk->slot, 0, lk->addr, (vm_addr_t)lk->len);
}
#define LOCK_EVENT(vm, type, lk)                                               \
    do {                                                                       \
        if ((vm)->event) lock_event((vm), (type), (lk));                       \
    } while (0)
#else
#define LOCK_EVENT(vm, type, lk) ((void)0)
#endif

/* Fill the handle of a lock taken. */
static void lock_fill(struct vm_lock *lk, void *ptr, size_t len, vm_addr_t addr, unsigned mode, vm_slot_t slot)
{
    lk->ptr = ptr;
    lk->len = len;
    lk->addr = addr;
    lk->mode = (uint8_t)mode;
    lk->slot = slot;
}

#if VM_CONFIG_BOUNCE
/* A lock of [addr, addr+len), which straddles a page boundary, through the
 * bounce buffer: joins the lock already there (the same range), or copies
 * the range in (for reading) and takes the buffer. VM_OK or VM_ERR_BUSY. */
static int lock_bounce(struct vm *vm, vm_addr_t addr, size_t len, unsigned mode)
{
    vm_addr_t base = addr & ~vm->page_mask;
    unsigned e;
    int a, b;
    if (vm->bounce_len) {
        if (vm->bounce_addr != addr || vm->bounce_len != len || vm->bounce_locks == 255u) return VM_ERR_BUSY;
        vm->bounce_locks++;
        vm->bounce_mode |= (uint8_t)mode;
        return VM_OK;
    }
    /* Neither page may hold other locks: their pointers would not see the
     * bounced copy. */
    a = vm_slot_of(vm, base);
    b = vm_slot_of(vm, base + vm->page_size);
    if ((a >= 0 && vm->slots[a].locks) || (b >= 0 && vm->slots[b].locks)) return VM_ERR_BUSY;
    if (mode & VM_LOCK_RO) {
        int err = vm_read(vm, vm->bounce, addr, len);
        if (err) return err;
    }
    vm->bounce_addr = addr;
    vm->bounce_len = (uint16_t)len;
    vm->bounce_locks = 1;
    vm->bounce_mode = (uint8_t)mode;
    for (e = 0; e < VM_HOT_COUNT; e++)
        if (VM__H(vm, slot, e) && vm__bounced(vm, VM__H(vm, slot, e)->base, vm->page_size)) hot_clear(vm, e);
    return VM_OK;
}
#endif

/* The end of lock_slow's touch of slot i: vm__done after vm__touch (again
 * < 0), else the short path's choice. */
VM_INLINE void lock_done(struct vm *vm, unsigned i, int again)
{
    if (again < 0) vm__done(vm, i);
    else if (again) hot_insert(vm, &vm->slots[i], i);
}

/* vm_lock's general path: every mode, wrapped and bounced ranges, misses.
 * Out of line, so that vm_lock's fast path saves no registers for it. */
static VM_NOINLINE int lock_slow(struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk)
{
    uint16_t off;
    unsigned how;
    int i, again;
    struct vm_slot *s;

    if (!lk) return VM_ERR_INVAL;
    lk->mode = 0;
    if (len == 0 || mode < VM_LOCK_RO || mode > VM_LOCK_RW) return VM_ERR_INVAL;
#if VM_CONFIG_WRAP
    if (vm_is_wrapped(addr)) {
        lock_fill(lk, vm_unwrap(vm, addr), len, addr, mode, VM_WRAP_SLOT);
        VM__STAT(vm, locks);
        VM__PATH(vm, VM_PATH_WRAPPED);
        return VM_OK;
    }
#endif
    if (TOO_LONG(len) || vm__range(vm, addr, (vm_addr_t)len)) return VM_ERR_RANGE;
    off = (uint16_t)(addr & vm->page_mask);
    if (len > (size_t)(vm->page_size - off)) {
#if VM_CONFIG_BOUNCE
        if (len <= vm->bounce_size) {
            int err = lock_bounce(vm, addr, len, mode);
            if (err) return err;
            lock_fill(lk, vm->bounce, len, addr, mode, VM_BOUNCE_SLOT);
            VM__STAT(vm, locks);
            VM__PATH(vm, VM_PATH_LOCK_BOUNCE);
            LOCK_EVENT(vm, VM_EV_LOCK, lk);
            return VM_OK;
        }
#endif
        len = (size_t)(vm->page_size - off); /* trimmed at the page end */
    }
    if (vm__bounced(vm, addr, (vm_addr_t)len)) return VM_ERR_BUSY;
    how = mode == VM_LOCK_WO ? VM__WRITE : VM__READ;
    if ((i = short_slot(vm, addr)) != VM_NIL && SHORT_VALID(&vm->slots[i], off, off + len)) {
        again = short_touch(vm, (vm_slot_t)i); /* the short path: no lookup */
    } else {
        SHORT_ELSE(vm);
        i = vm__touch(vm, addr, (uint16_t)len, how);
        if (i < 0) return i;
        again = -1; /* vm__done decides */
    }
    s = &vm->slots[i];
    if (s->locks == 255u) {
        lock_done(vm, (unsigned)i, again);
        return VM_ERR_BUSY;
    }
    s->locks++;
    if (mode & VM_LOCK_WO) vm__dirty(vm, (unsigned)i, off, (uint16_t)(off + len));
    lock_done(vm, (unsigned)i, again);
    lock_fill(lk, vm__data(vm, (unsigned)i) + off, len, addr, mode, (vm_slot_t)i);
    VM__STAT(vm, locks);
    VM__PATH(vm, VM_PATH_LOCK);
    LOCK_EVENT(vm, VM_EV_LOCK, lk);
    return VM_OK;
}

/*
 * vm_lock's fast path: a range inside a hot page whose touch changes nothing
 * but the lock count. The page is fully valid (hot_base) and, for a writing
 * lock, already dirty in the table (hot_wbase), so the touch is an inline hit
 * and vm__done would leave the entry as it is (nor does anything read
 * last_touch before the next touch sets it). A hot page is a whole page of
 * the pool (so the range is inside the pool and not wrapped) and never
 * overlaps the bounce buffer: lock_slow's checks all pass. Anything else,
 * including every error, goes to lock_slow.
 */
int vm__lock(struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk)
{
    uint16_t off = (uint16_t)addr & (uint16_t)vm->page_mask;
    unsigned e;
    vm__hotp_t h;
    struct vm_slot *s;
    vm_slot_t i;
    VM__HOT_SETH(vm, addr, h, e);
    if (!VM__IN_PAGE(vm, addr, VM__HF(vm, h, e, base))) {
        e += VM__WAY1;
        h += VM__WAY1;
    }
    if (!lk || !VM__IN_PAGE(vm, addr, VM__HF(vm, h, e, base)) || len - 1u >= (size_t)(vm->page_size - off) ||
        mode - VM_LOCK_RO > VM_LOCK_RW - VM_LOCK_RO ||
        ((mode & VM_LOCK_WO) && !VM__IN_PAGE(vm, addr, VM__HF(vm, h, e, wbase))) ||
        VM__HF(vm, h, e, slot)->locks == 255u)
        return lock_slow(vm, addr, len, mode, lk);
    s = VM__HF(vm, h, e, slot);
    s->locks++;
    i = (vm_slot_t)(s - vm->slots);
    lock_fill(lk, VM__HOT_PTRH(vm, h, e, addr), len, addr, mode, i);
#if VM__HOT_REC
    vm->hot_last = (uint8_t)(h - vm->hot); /* e, without keeping it live */
#else
    vm->hot_last = (uint8_t)e;
#endif
    VM__HIT(vm, VM_PATH_TOUCH_HIT);
    VM__STAT_BATCH(vm, locks);
    VM__PATH(vm, VM_PATH_LOCK);
    if (mode & VM_LOCK_WO) vm__dirty(vm, i, off, (uint16_t)(off + len));
    LOCK_EVENT(vm, VM_EV_LOCK, lk);
    return VM_OK;
}

/* 1 if lk, whose slot is below page_count, is a lock held on that slot's
 * page: the slot holds the page and some lock, and the pointer and length
 * are the ones vm_lock gave. */
VM_INLINE int unlock_ok(const struct vm *vm, const struct vm_lock *lk)
{
    const struct vm_slot *s;
    uint16_t off = (uint16_t)lk->addr & (uint16_t)vm->page_mask;
    if (lk->len > (size_t)(vm->page_size - off) || lk->ptr != (void *)(vm__data(vm, lk->slot) + off)) return 0;
    s = &vm->slots[lk->slot];
    return VM__IN_PAGE(vm, lk->addr, s->base) && s->locks;
}

/* The end of every unlock but a wrapped one's. */
VM_INLINE int unlock_done(struct vm *vm, struct vm_lock *lk)
{
    (void)vm;
    lk->mode = 0;
    VM__STAT_BATCH(vm, unlocks);
    VM__PATH(vm, VM_PATH_UNLOCK);
    LOCK_EVENT(vm, VM_EV_UNLOCK, lk);
    return VM_OK;
}

/* The unlock of a wrapped or bounced lock (a slot past page_count), or
 * VM_ERR_NOTLOCKED. Out of line: vm_unlock's usual path saves no registers
 * for it. */
static VM_NOINLINE int unlock_other(struct vm *vm, struct vm_lock *lk)
{
#if VM_CONFIG_WRAP
    if (lk->slot == VM_WRAP_SLOT) {
        if (!vm_is_wrapped(lk->addr)) return VM_ERR_NOTLOCKED;
        lk->mode = 0;
        VM__STAT_BATCH(vm, unlocks);
        VM__PATH(vm, VM_PATH_WRAPPED);
        return VM_OK;
    }
#endif
#if VM_CONFIG_BOUNCE
    if (lk->slot == VM_BOUNCE_SLOT) {
        if (!vm->bounce_len || lk->addr != vm->bounce_addr || lk->len != vm->bounce_len ||
            lk->ptr != vm->bounce)
            return VM_ERR_NOTLOCKED;
        if (vm->bounce_locks == 1u && (vm->bounce_mode & VM_LOCK_WO)) {
            int err = write_pages(vm, vm->bounce_addr, vm->bounce, vm->bounce_len);
            if (err) return err; /* still held: the caller may retry */
        }
        if (--vm->bounce_locks == 0u) vm->bounce_len = 0;
        return unlock_done(vm, lk);
    }
#endif
    (void)vm;
    (void)lk;
    return VM_ERR_NOTLOCKED;
}

/* The unlock of a writing lock on a slot's page, after the count: the data
 * may have changed through the pointer since a flush, so the range is dirty
 * again, and a hot entry of the page serves writes again. */
static VM_NOINLINE int unlock_written(struct vm *vm, struct vm_lock *lk)
{
    struct vm_slot *s = &vm->slots[lk->slot];
    uint16_t off = (uint16_t)lk->addr & (uint16_t)vm->page_mask;
    unsigned e;
    vm__dirty(vm, lk->slot, off, (uint16_t)(off + lk->len));
    for (e = 0; e < VM_HOT_COUNT; e++)
        if (VM__H(vm, slot, e) == s && VM__H(vm, base, e) == s->base) VM__H(vm, wbase, e) = s->base;
    return unlock_done(vm, lk);
}

int vm__unlock(struct vm *vm, struct vm_lock *lk)
{
    if (!lk || lk->mode < VM_LOCK_RO || lk->mode > VM_LOCK_RW) return VM_ERR_NOTLOCKED;
    if (lk->slot >= vm->page_count) return unlock_other(vm, lk);
    if (!unlock_ok(vm, lk)) return VM_ERR_NOTLOCKED;
    vm->slots[lk->slot].locks--;
    if (lk->mode & VM_LOCK_WO) return unlock_written(vm, lk);
    return unlock_done(vm, lk);
}

/* ---------------------------------------------------------------- flush -- */

int vm_flush(struct vm *vm)
{
    int first = VM_OK, err;
    vm_addr_t from = 0; /* pages below it are written back */

#if VM_CONFIG_BOUNCE
    if (vm->bounce_len && (vm->bounce_mode & VM_LOCK_WO)) {
        err = write_pages(vm, vm->bounce_addr, vm->bounce, vm->bounce_len);
        if (err) first = err;
    }
#endif
    /* Dirty pages in address order, so write-back is sequential. */
    for (;;) {
        const struct vm_slot *s = vm->slots, *best = NULL;
        unsigned i;
        for (i = 0; i < vm->page_count; i++, s++) /* an empty slot is clean */
            if (s->dlo != s->dhi && s->base >= from && (!best || s->base < best->base)) best = s;
        if (!best) break;
        from = best->base + 1u; /* never wraps: a base is page-aligned */
        err = writeback(vm, (unsigned)(best - vm->slots));
        if (err && first == VM_OK) first = err;
    }
    if (vm->be.sync) {
        err = vm->be.sync(vm->be.ctx);
        if (err) {
            err = be_error(vm, VM_NIL, err, 0, 0);
            if (first == VM_OK) first = err;
        }
    }
    return first;
}

/* vm_invalidate's eviction of clean, unlocked slot i: no page follows.
 * Out of line where it counts or reports: less flash. */
#if VM_CONFIG_STATS || VM_CONFIG_EVENTS
static VM_NOINLINE void evict_empty(struct vm *vm, unsigned i)
#else
VM_INLINE void evict_empty(struct vm *vm, unsigned i)
#endif
{
    drop(vm, i);
    evicted(vm, i);
    SLOT_EV_LESS_LOADS(&vm->slots[i], 1); /* no load follows */
    vacate(vm, i);
}

int vm_invalidate(struct vm *vm)
{
    int err = vm_flush(vm);
    unsigned i;
    for (i = 0; i < vm->page_count; i++) {
        struct vm_slot *s = &vm->slots[i];
        /* A page's base has its low bits clear: the low half tells an empty slot. */
        if ((uint16_t)s->base != (uint16_t)VM_NO_PAGE && !s->locks && s->dlo == s->dhi) {
            evict_empty(vm, i);
        }
    }
    return err;
}

/* ---------------------------------------------------------- statistics -- */

void vm_stats_reset(struct vm *vm)
{
#if VM_CONFIG_STATS
    memset(&vm->stats, 0, sizeof vm->stats);
#if !VM_CONFIG_PATHS && UINT_MAX <= 0xFFFFu
    vm->fast_hits = vm->fast_misses = vm->fast_loads = vm->fast_evictions = vm->fast_locks = vm->fast_unlocks = 0;
#endif
#endif
#if VM_CONFIG_SLOT_STATS
    {
        unsigned i;
        for (i = 0; i < vm->page_count; i++)
            vm->slots[i].loads = vm->slots[i].ev_less_loads = vm->slots[i].writebacks = 0;
    }
#endif
#if VM_CONFIG_ALLOC
    vm->heap_peak = vm->heap_used;
#endif
    (void)vm;
}

#if VM_CONFIG_PATHS
const char *vm_path_name(unsigned path)
{
    static const char *const names[VM_PATH_COUNT] = {
        "get_hot",   "set_hot",  "set_grow",   "get_slow",     "set_slow",
        "read",      "write",    "touch_hit",  "touch_miss",   "clean_victim",
        "lock",      "lock_bounce", "unlock",  "wrapped",      "settle",
        "lock_hot",  "unlock_hot", "short",
    };
    return path < VM_PATH_COUNT ? names[path] : "?";
}
#endif

const char *vm_policy_name(unsigned policy)
{
    switch (policy) {
    case VM_POLICY_FIFO: return "fifo";
    case VM_POLICY_LRU: return "lru";
    case VM_POLICY_CLOCK: return "clock";
    case VM_POLICY_SIEVE: return "sieve";
    default: return "?";
    }
}

/* ------------------------------------------------------------ observe -- */

#if VM_CONFIG_WALK
/* The ages wait on the stack: all of them at once with 8-bit slot indices
 * (254 bytes), a chunk of 128 at a time with 16-bit ones (the list is then
 * walked once per chunk). */
#if VM_PAGE_COUNT_MAX <= 255u
#define WALK_CHUNK VM_PAGE_COUNT_MAX
#else
#define WALK_CHUNK 128u
#endif

/* Report slots [lo, lo + m) in index order, each with its age: its position
 * in the policy's scan order, from the CLOCK hand or along the list (which
 * is walked whole; i - lo < m picks the chunk's slots). */
#if VM_CONFIG_SLOT_STATS
/* A slot's own counts, for vm_walk (out of line on AVR: its 32-bit sum
 * would cost vm_walk's frame registers). */
static VM_NOINLINE void slot_counts(struct vm_slot_info *info, const struct vm_slot *s)
{
    info->loads = s->loads;
    info->evictions = s->loads + s->ev_less_loads; /* modulo 2^n: exact */
    info->writebacks = s->writebacks;
}
#endif

VM_INLINE void walk_chunk(const struct vm *vm, vm_walk_fn fn, void *ctx, int victim, unsigned lo, unsigned m)
{
    unsigned i, k, n = vm->page_count;
    vm_slot_t age[WALK_CHUNK];

    memset(age, 0xFF, m * sizeof *age); /* all ones: VM_SLOT_NONE */
    if (IS(vm, VM_POLICY_CLOCK)) {
        for (i = lo; i < lo + m; i++)
            if (vm->slots[i].base != VM_NO_PAGE) /* (i - hand) mod n, without a division */
                age[i - lo] = (vm_slot_t)(i >= vm->hand ? i - vm->hand : i + n - vm->hand);
    } else if (vm->tail != VM_NIL) {
        unsigned start = vm->tail;
        if (IS(vm, VM_POLICY_SIEVE) && vm->hand != VM_NIL) start = vm->hand;
        for (i = start, k = 0; k < vm->used; k++) {
            if (i - lo < m) age[i - lo] = (vm_slot_t)k;
            i = scan_next(vm, i);
            if (i == VM_NIL) break;
        }
    }
    for (i = lo; i < lo + m; i++) {
        const struct vm_slot *s = &vm->slots[i];
        struct vm_slot_info info;
        memset(&info, 0, sizeof info);
        info.index = (vm_slot_t)i;
        info.base = s->base;
        info.locks = s->locks;
        info.ref = (uint8_t)(s->flags & VM_SLOT_REF);
        info.next_victim = (uint8_t)(victim == (int)i);
        info.age = age[i - lo];
        info.extent = s->base == VM_NO_PAGE ? 0 : vm__extent(vm, s->base);
        info.vlo = s->vlo;
        info.vhi = s->vhi;
        info.dlo = s->dlo;
        info.dhi = s->dhi;
        info.data = vm__data(vm, i);
#if VM_CONFIG_SLOT_STATS
        slot_counts(&info, s);
#endif
        fn(ctx, &info);
    }
}

void vm_walk(const struct vm *vm, vm_walk_fn fn, void *ctx)
{
    int victim = vm_next_victim(vm); /* settles the LRU list first */
#if WALK_CHUNK == VM_PAGE_COUNT_MAX
    walk_chunk(vm, fn, ctx, victim, 0, vm->page_count);
#else
    unsigned lo, n = vm->page_count;
    for (lo = 0; lo < n; lo += WALK_CHUNK)
        walk_chunk(vm, fn, ctx, victim, lo, n - lo < WALK_CHUNK ? n - lo : WALK_CHUNK);
#endif
}
#endif

#if VM_CONFIG_CHECK
#ifdef VM_CHECK_DEBUG
#include <stdio.h>
#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "vm_check: %s (line %d)\n", #c, __LINE__); return VM_ERR_CHECK; } } while (0)
#else
#define REQUIRE(c) do { if (!(c)) return VM_ERR_CHECK; } while (0)
#endif

/* vm__extent out of line: vm_check asks it three times. */
static VM_NOINLINE uint16_t check_extent(const struct vm *vm, vm_addr_t base)
{
    return vm__extent(vm, base);
}

/* The hot table: each live entry names a resident slot, in its page's
 * set, with the state its bases promise. */
static int check_hot(const struct vm *vm)
{
    const struct vm_slot *s, *slots = vm->slots;
    uint16_t ps = vm->page_size;
    unsigned i, n = vm->page_count;

    for (i = 0; i < VM_HOT_COUNT; i++) {
        vm_hot_t hb = VM__H(vm, base, i), hw = VM__H(vm, wbase, i);
        vm_addr_t base;
        unsigned k;
        s = VM__H(vm, slot, i);
#if VM__HOT64
        REQUIRE(VM__H(vm, wend, i) == VM_HOT_EMPTY || hw != VM_HOT_EMPTY);
#endif
        if (hb == VM_HOT_EMPTY && hw == VM_HOT_EMPTY) continue;
        REQUIRE(s >= slots && s < slots + n && (base = s->base) != VM_NO_PAGE);
        k = (unsigned)(s - slots);
        REQUIRE(VM__H(vm, adj, i) == (uintptr_t)vm__data(vm, k) - (uintptr_t)base);
#if VM__LOCK_INLINE
        REQUIRE(VM__H(vm, index, i) == k);
#endif
        REQUIRE(hb == VM_HOT_EMPTY || (hb == base && s->vlo == 0 && s->vhi == ps));
        REQUIRE(hw == VM_HOT_EMPTY || (hw == base && s->dlo != s->dhi && check_extent(vm, base) == ps));
#if VM__HOT64 /* an append address is where both ranges end */
        REQUIRE(VM__H(vm, wend, i) == VM_HOT_EMPTY || (s->dhi == s->vhi && VM__H(vm, wend, i) == hw + s->dhi));
#endif
        if (IS(vm, VM_POLICY_CLOCK) || IS(vm, VM_POLICY_SIEVE)) REQUIRE(s->flags & VM_SLOT_REF);
        if (IS(vm, VM_POLICY_LRU)) /* one of the two newest */
            REQUIRE(vm->head == k || slots[vm->head].next == k);
        REQUIRE(!vm__bounced(vm, base, ps));
        REQUIRE(VM__HOT_SET(vm, base) == VM__WAY0_OF(i)); /* in its page's set */
        for (k = i + 1; k < VM_HOT_COUNT; k++)
            REQUIRE(VM__H(vm, slot, k) != s || (VM__H(vm, base, k) == VM_HOT_EMPTY && VM__H(vm, wbase, k) == VM_HOT_EMPTY));
    }
    return VM_OK;
}

int vm_check(const struct vm *vm)
{
    unsigned i, j, n = vm->page_count, used = 0;
    uint16_t ps = vm->page_size;
    const struct vm_slot *s, *slots = vm->slots;

    REQUIRE(ps >= VM_PAGE_SIZE_MIN && ps <= VM_PAGE_SIZE_MAX);
    REQUIRE((1u << vm->page_shift) == ps && vm->page_mask == (vm_addr_t)ps - 1u);
    REQUIRE(vm->page_base_mask == ~vm->page_mask);
#if VM__HOT64
    REQUIRE(vm->hot_mask == vm->page_mask);
    REQUIRE(vm->hot_lim[0] == vm->hot_mask - 1u && vm->hot_lim[1] == vm->hot_mask - 3u);
#endif
#if VM_CONFIG_HOT_SETS > 1 && VM__HOT64
    REQUIRE(vm->hot_mul == (uint32_t)1 << (32u - VM__HOT_SET_BITS - vm->page_shift));
#elif VM_CONFIG_HOT_SETS > 2
    REQUIRE(vm->hot_shift + 1u == vm->page_shift);
#endif
    REQUIRE(n >= 1 && n <= VM_PAGE_COUNT_MAX);
    for (i = 0, s = slots; i < n; i++, s++) {
        if (s->base == VM_NO_PAGE) {
            REQUIRE(!(s->locks | s->vlo | s->vhi | s->dlo | s->dhi));
            REQUIRE((s->prev & s->next) == VM_NIL); /* both */
            continue;
        }
        used++;
        REQUIRE((s->base & vm->page_mask) == 0 && s->base < vm->pool_size);
        REQUIRE(s->vlo <= s->vhi && s->vhi <= check_extent(vm, s->base));
        if (s->dlo != s->dhi) REQUIRE(s->vlo <= s->dlo && s->dlo < s->dhi && s->dhi <= s->vhi);
        else REQUIRE(s->dlo == 0);
        for (j = i + 1; j < n; j++) REQUIRE(slots[j].base != s->base);
        if (!LISTED(vm)) REQUIRE((s->prev & s->next) == VM_NIL);
    }
    REQUIRE(used == vm->used);
#if VM_CONFIG_HINTS
    for (i = 0; i < VM_CONFIG_HINTS; i++) /* a named slot holds a page of that entry */
        REQUIRE((j = vm->hints[i]) == VM_NIL ||
                (j < n && slots[j].base != VM_NO_PAGE && HINT(vm, slots[j].base) == i));
    for (i = 0, j = 0; i < n; i++)
        if (slots[i].base != VM_NO_PAGE && vm->hints[HINT(vm, slots[i].base)] != i) j++;
    REQUIRE(j == vm->unhinted);
#endif
    j = VM_NIL; /* the list's last slot */
    if (LISTED(vm)) {
        unsigned k = 0;
        for (i = vm->head; i != VM_NIL && k <= n; i = slots[i].next, k++) {
            REQUIRE(i < n && slots[i].base != VM_NO_PAGE && slots[i].prev == j);
            j = i;
        }
        REQUIRE(k == used);
    } else {
        REQUIRE(vm->head == VM_NIL);
    }
    REQUIRE(vm->tail == j);
    if (IS(vm, VM_POLICY_CLOCK)) REQUIRE(vm->hand < n);
    if (IS(vm, VM_POLICY_SIEVE)) REQUIRE(vm->hand == VM_NIL || (vm->hand < n && slots[vm->hand].base != VM_NO_PAGE));
    REQUIRE(check_hot(vm) == VM_OK);
#if VM_CONFIG_BOUNCE
    if (vm->bounce_len) {
        REQUIRE(vm->bounce && vm->bounce_locks && vm->bounce_len <= vm->bounce_size);
        REQUIRE(vm__range(vm, vm->bounce_addr, vm->bounce_len) == VM_OK);
        REQUIRE(((uint16_t)vm->bounce_addr & (uint16_t)vm->page_mask) + vm->bounce_len > ps);
    }
#endif
#if VM_CONFIG_ALLOC
    if (vm->heap) {
        vm_addr_t sum = 0, end = vm->heap_start;
        const struct vm_block *b = vm->heap;
        REQUIRE(vm->heap_n <= vm->heap_cap);
        for (i = 0; i < vm->heap_n; i++, b++) {
            REQUIRE(b->addr >= end && b->size && b->size <= vm->heap_end - b->addr);
            REQUIRE((b->addr & (VM_ALLOC_ALIGN - 1u)) == 0);
            end = b->addr + b->size;
            sum += b->size;
        }
        REQUIRE(sum == vm->heap_used && vm->heap_peak >= vm->heap_used);
    }
#endif
    return VM_OK;
}
#endif

#if VM_CONFIG_STRERROR
const char *vm_strerror(int err)
{
    static const char *const msg[VM_ERR_COUNT] = {
        "ok",
        "backend I/O error",
        "backend timed out",
        "backend received corrupt data",
        "backend device absent or not set up",
        "invalid argument or configuration",
        "address range outside the pool",
        "all pages locked, lock count full, or bounce buffer in use",
        "out of virtual memory",
        "not locked",
        "invariant check failed",
    };
    if (err > 0 || err <= -VM_ERR_COUNT) return "unknown error";
    return msg[-err];
}
#endif
