/* vm_serial_dev.h - the "serial" device descriptor for the simulator (vm_device.h). */
#ifndef VM_SERIAL_DEV_H
#define VM_SERIAL_DEV_H

#include "vm_device.h"
#include "vm_serial_link.h"

extern const struct vm_device vm_serial_device;

/* The board's protocol CPU on platform plat: its serial figures (1/100
 * cycles, vm_platform.h) in ns at its CPU clock. */
struct vm_serial_board_cpu vm_serial_board_cpu_of(const struct vm_platform *plat);

#endif
