/*
 * tc_model.h - a naive model of the replacement policies (desktop tests).
 *
 * Written from the documented semantics (core/vm.h, core/vm.c design notes),
 * not from the core's code: it never calls the core. One touch is one access
 * to one page; the suites feed it every page an access touches, in order,
 * and compare misses, write-backs and the slot of every page.
 *  - an empty slot (lowest index first) is used before any eviction;
 *  - loading a page does not set its reference/visited bit; a hit sets it;
 *  - FIFO evicts the oldest load, LRU the least recently touched page;
 *  - CLOCK: the circle is slot order; from the hand, a set bit is cleared
 *    and passed, the first clear one is the victim; the new page goes into
 *    its slot and the hand moves to the slot after it;
 *  - SIEVE: a queue in load order, new pages at the head; the hand starts at
 *    the tail and moves toward the head, clearing and passing visited pages;
 *    it evicts the first unvisited one and stays at the next page toward the
 *    head (wrapping to the tail past the head);
 *  - locked slots are skipped by every policy without changing their bits;
 *  - VM_CLEAN_FIRST: when the victim is dirty, the first clean, unreferenced
 *    slot among the older half of the scan order, starting at the victim
 *    (page_count / 2 unlocked slots looked at, the newest load never taken)
 *    goes instead. Scan order: toward the newer end for FIFO/LRU (ending at
 *    the newest), slot order for CLOCK, toward the head for SIEVE (wrapping).
 *    The policy's own hand is where the victim put it (SIEVE: at the spared
 *    dirty victim, which the next miss looks at first).
 */
#ifndef TC_MODEL_H
#define TC_MODEL_H

#include "vm.h"

#define TC_MODEL_MAX 1024

struct model {
    int policy;
    int clean_first;
    unsigned n;
    vm_addr_t page[TC_MODEL_MAX]; /* VM_NO_PAGE: empty */
    unsigned char ref[TC_MODEL_MAX];
    unsigned char dirty[TC_MODEL_MAX];
    int locks[TC_MODEL_MAX];
    unsigned long stamp[TC_MODEL_MAX]; /* FIFO: load time; LRU: last touch */
    unsigned long now;
    unsigned hand;  /* CLOCK */
    int q[TC_MODEL_MAX]; /* SIEVE: slots from the tail (oldest) to the head */
    unsigned qn;
    int shand;      /* SIEVE: slot at the hand, or -1 for the tail */
    int last_loaded; /* slot of the newest load, or -1 */
    unsigned long misses, writebacks;
    unsigned long clean_picks; /* misses where VM_CLEAN_FIRST changed the victim */
};

void model_init(struct model *m, int policy, unsigned n, int clean_first);
int model_find(const struct model *m, vm_addr_t page);
/* The victim the policy picks now (updating bits and hands as it goes), or
 * -1 when every slot is locked. VM_CLEAN_FIRST not applied. */
int model_victim(struct model *m);
/* The slot the next miss would use, without changing anything. */
int model_peek_victim(const struct model *m);
/* One touch of page (write: the access stores into it). Returns 0 on a hit,
 * 1 on a miss, -1 when busy (every slot locked). */
int model_touch(struct model *m, vm_addr_t page, int write);
/* Every touch of [a, a+n) with pages of ps bytes, in address order. */
void model_touch_range(struct model *m, vm_addr_t a, vm_addr_t n, unsigned ps, int write);
/* All dirty pages written back (vm_flush). */
void model_flush(struct model *m);

#endif /* TC_MODEL_H */
