/* vm_ram_dev.h - the "ram" device descriptor for the simulator (vm_device.h). */
#ifndef VM_RAM_DEV_H
#define VM_RAM_DEV_H

#include "vm_device.h"

extern const struct vm_device vm_ram_device;

#endif
