/* vm_sd_dev.h - the "sd" device descriptor for the simulator (vm_device.h). */
#ifndef VM_SD_DEV_H
#define VM_SD_DEV_H

#include "vm_device.h"

extern const struct vm_device vm_sd_device;

#endif
