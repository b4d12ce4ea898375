/*
 * size_probe.c - the program the size report links the core into.
 *
 * Built twice per target and config: with -DVM_PROBE_CORE it keeps every
 * public core function alive through a table of their addresses; without it,
 * the table has the same length but holds nulls. The difference between the
 * two links is what the core costs a firmware, libc/libgcc helpers that it
 * pulls in included. With -DVM_PROBE_SIZES it instead defines one const
 * array per measured struct, whose symbol size (nm -S) is sizeof that struct.
 */
#include "vm.h"

#if defined(VM_PROBE_SIZES)

const unsigned char vm_probe_slot[sizeof(struct vm_slot)] = {1};
const unsigned char vm_probe_vm[sizeof(struct vm)] = {1};
const unsigned char vm_probe_cost_4x64[VM_RAM_COST(64, 4)] = {1};

#else

typedef void (*vm_probe_fn)(void);

#if defined(VM_PROBE_CORE)
#define VM_PROBE(f) (vm_probe_fn)(f)
#else
#define VM_PROBE(f) (vm_probe_fn)0
#endif

/* Every function of vm.h that the config links, the typed accessors' out-of-line
 * paths included. */
static vm_probe_fn const volatile vm_probe_keep[] = {
    VM_PROBE(vm_init), VM_PROBE(vm_read), VM_PROBE(vm_write),
    VM_PROBE(vm__get_slow), VM_PROBE(vm__set_slow), /* vm_get8 ... vm_set32 */
    VM_PROBE(vm__lock), VM_PROBE(vm__unlock), /* vm_lock, vm_unlock */
#if VM_CONFIG_BULK
    VM_PROBE(vm_memset), VM_PROBE(vm_memmove), VM_PROBE(vm_memcmp),
    VM_PROBE(vm_memcmp_ram), VM_PROBE(vm_strlen), VM_PROBE(vm_strncpy),
    VM_PROBE(vm_strcmp),
#endif
    VM_PROBE(vm_flush), VM_PROBE(vm_invalidate),
#if VM_CONFIG_ALLOC
    VM_PROBE(vm_alloc), VM_PROBE(vm_free), VM_PROBE(vm_realloc),
    VM_PROBE(vm_heap_stats),
#endif
    VM_PROBE(vm_stats_reset), VM_PROBE(vm_slot_of),
#if VM_CONFIG_WALK
    VM_PROBE(vm_walk), VM_PROBE(vm_next_victim),
#endif
#if VM_CONFIG_CHECK
    VM_PROBE(vm_check),
#endif
#if VM_CONFIG_STRERROR
    VM_PROBE(vm_strerror),
#endif
    VM_PROBE(vm_policy_name),
};

int main(void)
{
    unsigned i;
    unsigned char sum = 0;
    for (i = 0; i < sizeof vm_probe_keep / sizeof vm_probe_keep[0]; i++)
        sum = (unsigned char)(sum + (vm_probe_keep[i] != 0));
    return sum;
}

#endif
