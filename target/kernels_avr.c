/*
 * kernels_avr.c - the loops users write (bench/vm_kernels.h), cycles per
 * access on an AVR under simavr. target/avr-kernels.sh builds and runs it.
 *
 * Method: for each kernel, a fresh pager (vm_init over a zeroed pool), the
 * kernel's preparation, two untimed repetitions (so the timed ones start
 * from the same state as the desktop's third and fourth, bench/kernels.sh),
 * then two timed repetitions: cycles / (2 x accesses per repetition). The
 * loop's own work (counters, the random generator, summing) is included, as
 * on the desktop. Timer1 counts CPU cycles (dt_ticks.h).
 *
 * Geometry (bench/vm_kernels_geometry.h's for the AVR), scaled to the
 * atmega328p's 2 KB of RAM: 4 pages of 64 B over a 640-byte vm_ram pool in
 * RAM; a 256-byte buffer (4 pages: its kernels miss once per 64 B) and a
 * 256-byte resident set.
 *
 * Output over the UART: "kernel cycles" lines (one decimal), a stack line,
 * then "ops=<kernels> PASS" (FAIL if a kernel's pager call failed).
 *
 * Built as two firmwares, as all the kernels overflow the 32 KB of flash:
 * -DVM_KERNELS_VPTR=0 runs the C kernels, -DVM_KERNELS_C=0 the C++ VPtr
 * ones (linked with bench/vm_kernels_vptr.cpp, compiled by avr-g++).
 */
#include "dt_platform.h"
#include "dt_ticks.h"

#include "vm_kernels.h"

static uint8_t pool_mem[POOL];

int main(void)
{
    unsigned k;
    dt_init();
    dt_ticks_init();
    dt_put_str(DT_STR("# cycles per access; hot sets "));
    dt_put_u32(VM_CONFIG_HOT_SETS);
    dt_putc('\n');
    for (k = 0; k < NK; k++) {
        uint32_t t, t10, n2 = 2ul * kernels[k].n;
        if (setup(pool_mem, VM_DEFAULT_POLICY)) failed = 1;
        if (kernels[k].prep) kernels[k].prep();
        kernels[k].run();
        kernels[k].run();
        t = dt_ticks();
        kernels[k].run();
        kernels[k].run();
        t = dt_ticks() - t;
        t10 = (t * 10u + n2 / 2u) / n2;
        {
            const char *c = kernels[k].name; /* in RAM */
            while (*c) dt_putc(*c++);
        }
        dt_putc(' ');
        dt_put_u32(t10 / 10u);
        dt_putc('.');
        dt_put_u32(t10 % 10u);
        dt_putc('\n');
    }
    dt_put_str(DT_STR("# stack margin "));
    dt_put_u32(dt_stack_margin());
    dt_putc('\n');
    dt_put_str(DT_STR("ops="));
    dt_put_u32(NK);
    dt_put_str(failed ? DT_STR(" FAIL\n") : DT_STR(" PASS\n"));
    dt_exit(0);
    return 0;
}
