/* vm_sram_dev.h - the "sram" device descriptor for the simulator (vm_device.h). */
#ifndef VM_SRAM_DEV_H
#define VM_SRAM_DEV_H

#include "vm_device.h"

extern const struct vm_device vm_sram_device;

#endif
