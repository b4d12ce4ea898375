/*
 * stack.c - backend stacks for the replay engine (see stack.h).
 *
 * ram:    the core's vm_ram over a calloc'd array. No clock: zero time.
 * sram:   vm_sram driver -> simulated SPI bus (platform profile) -> 23LCxxxx
 *         model(s), one clock.
 * sd:     vm_sd driver -> simulated SPI bus -> SD card model, one clock.
 * serial: vm_serial driver -> modelled UART link -> host, one clock.
 * A type whose driver and model are not linked into this build (meson
 * defines VMR_HAVE_<TYPE> when they are) is refused with a clear message.
 */
#include "stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_ram.h"

#ifdef VMR_HAVE_SIMBUS
#include "vm_simbus.h"
#endif

struct ram_state {
    struct vm_ram ram;
    uint8_t *mem;
};

static uint16_t chance16(double p)
{
    if (p <= 0) return 0;
    if (p >= 1) return 65535;
    return (uint16_t)(p * 65536.0);
}

static int open_ram(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                    char *err, size_t errlen)
{
    struct ram_state *s = calloc(1, sizeof *s);
    if (s) s->mem = calloc((size_t)pool, 1);
    if (!s || !s->mem) {
        free(s);
        snprintf(err, errlen, "ram backend: out of memory for a %llu-byte pool",
                 (unsigned long long)pool);
        return -1;
    }
    vm_ram_init(&s->ram, s->mem, (vm_addr_t)pool);
    if (d->fault_seed && (d->read_fail > 0 || d->write_fail > 0))
        vm_ram_faults(&s->ram, d->fault_seed, chance16(d->read_fail), chance16(d->write_fail));
    st->backend = &s->ram.backend;
    st->clock = NULL;
    st->hit_ns = st->miss_ns = 0;
    st->state = s;
    return 0;
}

static void close_ram(struct vmr_stack *st)
{
    struct ram_state *s = st->state;
    free(s->mem);
    free(s);
}

int vmr_stack_open(struct vmr_stack *st, const struct vmr_backend_desc *d, uint64_t pool,
                   char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    st->type = d->type;
    switch (d->type) {
    case VMR_BE_RAM: return open_ram(st, d, pool, err, errlen);
    default:
        snprintf(err, errlen, "backend type \"%s\" is not wired into this build yet",
                 vmr_backend_type_name(d->type));
        return -1;
    }
}

int vmr_backend_available(unsigned type)
{
    return type == VMR_BE_RAM;
}

void vmr_stack_close(struct vmr_stack *st)
{
    if (!st->state) return;
    switch (st->type) {
    case VMR_BE_RAM: close_ram(st); break;
    default: break;
    }
    st->state = NULL;
}

int vmr_profile_check(const char *name)
{
#ifdef VMR_HAVE_SIMBUS
    return vm_platform_find(name) != NULL;
#else
    (void)name;
    return -1;
#endif
}

const char *vmr_profile_list(void)
{
#ifdef VMR_HAVE_SIMBUS
    static char list[256];
    if (!list[0])
        for (const struct vm_platform *p = vm_platforms; p->name; p++) {
            if (list[0]) strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, p->name, sizeof list - strlen(list) - 1);
        }
    return list;
#else
    return "";
#endif
}
