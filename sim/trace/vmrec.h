/*
 * vmrec.h - record the pager accesses of a program into a trace (desktop).
 *
 * Two ways to use it:
 *   1. Explicit: call vmrec_read(r, vm, ...) etc. where the program would
 *      call vm_read(vm, ...). Nothing else changes.
 *   2. Transparent: link the program with vmrec_wrap_dep (Meson), i.e. the
 *      vmrec_wrap library plus -Wl,--wrap=vm_read,--wrap=vm_write,... (the
 *      list is vmrec_wrap_funcs in sim/trace/meson.build), and call
 *      vmrec_attach(r, vm) once. Every call the program makes to the core
 *      is then recorded, unchanged. The inline accessors (vm_get8 ...)
 *      serve the "hot page" without a call; while attached, the recorder
 *      clears the hot page after each call so that they always reach their
 *      slow path (vm__get_slow/vm__set_slow, also wrapped) and are
 *      recorded (the core's numbers do not change: touching the hot page
 *      again changes no policy state).
 *
 * What is recorded: each successful call, as one op: read, write (with the
 * bytes when VMREC_DATA), lock (the length actually locked) and unlock (ids
 * per handle), memset, memmove/memcpy, flush, invalidate, alloc and free
 * (allocation ids; an address inside a live allocation made while
 * recording is written relative to it, so a replay with another heap
 * layout still works), vm_realloc as alloc + memcpy + free, vm_memcmp as
 * two reads, vm_memcmp_ram as one read. Failed calls are not recorded.
 * Calls the core makes internally (bulk helpers locking pages) are not
 * recorded twice. vm_strlen/strncpy/strcmp are not recorded (counted in
 * vmrec_unrecorded).
 */
#ifndef VMREC_H
#define VMREC_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"
#include "vmtrace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMREC_DATA 0x01u /* keep write payloads and read results (verification data) */

struct vmrec;

/* Starts a trace at path ("binary" or "json"; NULL: from the extension) for
 * the pool of vm. NULL on error, with err filled. */
struct vmrec *vmrec_open(const char *path, const char *format, const struct vm *vm, unsigned flags,
                         char *err, size_t errlen);
/* Detaches if attached, finishes the file and frees. 0, or <0 with err. */
int vmrec_close(struct vmrec *r, char *err, size_t errlen);
/* Marks the start of a named phase (the replay report breaks phases out). */
void vmrec_phase(struct vmrec *r, const char *name);
/* The program's own work, which no core call shows: vmrec_compute notes
 * `amount` CPU cycles (unit VMT_COMPUTE_CYCLES, turned into time by the
 * replay's platform clock) or nanoseconds (VMT_COMPUTE_NS) spent between the
 * calls around it (a compute op; 0 notes nothing). vmrec_lock_work sets the
 * cycles per locked byte noted on every lock recorded from now on (the
 * lock's `work`: the loop the program runs over the bytes it locked; 0, the
 * default: none). */
void vmrec_compute(struct vmrec *r, unsigned unit, uint32_t amount);
void vmrec_lock_work(struct vmrec *r, uint32_t cycles_per_byte);
/* Ops recorded so far, and calls that could not be recorded. */
uint64_t vmrec_count(const struct vmrec *r);
uint64_t vmrec_unrecorded(const struct vmrec *r);

/* Explicit wrappers: the core call, recorded when it succeeds. */
int vmrec_read(struct vmrec *r, struct vm *vm, void *dst, vm_addr_t src, size_t n);
int vmrec_write(struct vmrec *r, struct vm *vm, vm_addr_t dst, const void *src, size_t n);
int vmrec_lock(struct vmrec *r, struct vm *vm, vm_addr_t addr, size_t len, unsigned mode, struct vm_lock *lk);
int vmrec_unlock(struct vmrec *r, struct vm *vm, struct vm_lock *lk);
int vmrec_memset(struct vmrec *r, struct vm *vm, vm_addr_t dst, int c, vm_addr_t n);
int vmrec_memmove(struct vmrec *r, struct vm *vm, vm_addr_t dst, vm_addr_t src, vm_addr_t n);
int vmrec_flush(struct vmrec *r, struct vm *vm);
int vmrec_invalidate(struct vmrec *r, struct vm *vm);
vm_addr_t vmrec_alloc(struct vmrec *r, struct vm *vm, vm_addr_t size);
int vmrec_free(struct vmrec *r, struct vm *vm, vm_addr_t p);
int vmrec_get8(struct vmrec *r, struct vm *vm, vm_addr_t a, uint8_t *v);
int vmrec_set8(struct vmrec *r, struct vm *vm, vm_addr_t a, uint8_t v);
int vmrec_get32(struct vmrec *r, struct vm *vm, vm_addr_t a, uint32_t *v);
int vmrec_set32(struct vmrec *r, struct vm *vm, vm_addr_t a, uint32_t v);

/* Transparent mode (needs vmrec_wrap_dep): record every core call made on
 * vm (NULL: on any instance) until vmrec_attach(NULL, NULL) or vmrec_close. */
void vmrec_attach(struct vmrec *r, struct vm *vm);

/* ---- for the wrap layer (vmrec_wrap.c) ---------------------------------- */
/* Non-zero while a recorded call is running: inner core calls are not recorded. */
extern int vmrec__depth;
extern struct vmrec *vmrec__attached;
extern struct vm *vmrec__attached_vm;
void vmrec__note(struct vmrec *r, const struct vmt_op *op, vm_addr_t dst_abs, vm_addr_t src_abs);
/* The same for an op of kind over n bytes at dst_abs: its data (read,
 * write), value (memset) and source (memcpy); flush and invalidate name none. */
void vmrec__note_range(struct vmrec *r, uint8_t kind, vm_addr_t dst_abs, size_t n, const void *data,
                       uint8_t value, vm_addr_t src_abs);
void vmrec__note_alloc(struct vmrec *r, vm_addr_t p, vm_addr_t size);
void vmrec__note_free(struct vmrec *r, vm_addr_t p);
void vmrec__note_lock(struct vmrec *r, const struct vm_lock *lk);
void vmrec__note_unlock(struct vmrec *r, const struct vm_lock *lk);
void vmrec__note_realloc(struct vmrec *r, vm_addr_t old, vm_addr_t p, vm_addr_t old_size, vm_addr_t size);
vm_addr_t vmrec__size_of(const struct vmrec *r, vm_addr_t p);
void vmrec__unrecorded(struct vmrec *r);

#ifdef __cplusplus
}
#endif

#endif /* VMREC_H */
