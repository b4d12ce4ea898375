/* vm_serial_dev.h - the "serial" device descriptor for the simulator (vm_device.h). */
#ifndef VM_SERIAL_DEV_H
#define VM_SERIAL_DEV_H

#include "vm_device.h"

extern const struct vm_device vm_serial_device;

#endif
