/*
 * vmem.h - the library's umbrella header for Arduino sketches: the pager
 * core (vm.h, and vm.hpp's VPtr<T> in C++), the RAM backend, the drivers
 * for SPI SRAM, SD cards and a serial-link host, and the glue from their
 * bus interfaces to Arduino's SPI and Serial. Including the single headers
 * instead works just as well.
 */
#ifndef VMEM_H
#define VMEM_H

#include "vm.h"
#include "vm_ram.h"
#include "vm_sd.h"
#include "vm_serial.h"
#include "vm_sram.h"

#ifdef __cplusplus
#include "vm_arduino.h"
#endif

#endif /* VMEM_H */
