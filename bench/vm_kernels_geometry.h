/*
 * vm_kernels_geometry.h - the geometry of the kernels (bench/vm_kernels.h):
 * PC pages of PS bytes over a POOL-byte pool, a BUF-byte buffer, a RES-byte
 * resident set, and the kernels' counts. Shared by the C kernels and the
 * C++ ones (bench/vm_kernels_vptr.cpp), so that both loops run to the same
 * compile-time constants. The desktop's (bench/kernels.sh) by default; the
 * atmega328p's (target/kernels_avr.c) when built for the AVR.
 */
#ifndef VM_KERNELS_GEOMETRY_H
#define VM_KERNELS_GEOMETRY_H

#if defined(__AVR__)
/* Scaled to the atmega328p's 2 KB of RAM: 4 pages of 64 B over a 640-byte
 * vm_ram pool in RAM; a 256-byte buffer (4 pages: its kernels miss once per
 * 64 B) and a 256-byte resident set. */
#define PS 64u
#define PC 4u
#define POOL 640u
#define BUF 256u
#define RES 256u
#define NSTRUCT 20u
#define NSTRIDE 256u
#define NRAND 256u
#define NLOCK 64u
#else
#define PS 512u
#define PC 4u
#define POOL (256u * 1024u)
#define BUF 130048u
#define RES 2048u /* resident working set: PC pages */
#define NSTRUCT 168u
#define NSTRIDE 4096u
#define NRAND 4096u
#define NLOCK 1024u
#endif
#define NPTR (RES) /* the 1-byte elements of ptr8 and vptr8 */

#endif /* VM_KERNELS_GEOMETRY_H */
