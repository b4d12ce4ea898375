/* vm_fram_dev.h - the "fram" device descriptor for the simulator (vm_device.h). */
#ifndef VM_FRAM_DEV_H
#define VM_FRAM_DEV_H

#include "vm_device.h"

extern const struct vm_device vm_fram_device;

#endif
