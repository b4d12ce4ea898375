/*
 * vmem.h - the library's umbrella header for Arduino sketches: the pager
 * core (vm.h), the RAM backend, the drivers for SPI SRAM, SD cards (with
 * the pool in a FAT file) and a serial-link host, the one-line pools of
 * each (vm_pool.h and the VM_*_POOL macros), and in C++ the glue to
 * Arduino's SPI and Serial, VPtr<T> (vm.hpp) and the pool classes RamPool,
 * SramPool, SdPool and SerialPool (vm_ram.hpp, vm_arduino_pools.h).
 * Including the single headers instead works just as well.
 */
#ifndef VMEM_H
#define VMEM_H

#include "vm.h"
#include "vm_pool.h"
#include "vm_ram.h"
#include "vm_ram_pool.h"
#include "vm_sd.h"
#include "vm_sd_pool.h"
#include "vm_serial.h"
#include "vm_serial_pool.h"
#include "vm_sram.h"
#include "vm_sram_pool.h"

#ifdef __cplusplus
#include "vm_arduino.h"
#include "vm_arduino_pools.h"
#include "vm_ram.hpp"
#endif

#endif /* VMEM_H */
