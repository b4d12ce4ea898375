/*
 * vms_units.h - numbers with units for the reports (vmsim's table, the live
 * view, vmbench): counts (12.3k), bytes (1.5 KiB) and simulated times.
 *
 * One formatter: a value is printed with the first step of a ladder whose
 * limit it is below (the value divided by the step's divisor, with the step's
 * decimals and suffix). Times come in three precisions, each report's own;
 * they differ only in their ladders.
 */
#ifndef VMS_UNITS_H
#define VMS_UNITS_H

#include <stddef.h>
#include <stdint.h>

struct vms_unit {
    double below;       /* the step applies to values below this (0: to every value) */
    double div;         /* value / div is printed */
    int decimals;
    const char *suffix; /* printed right after the number (" ms", "k", "") */
};

/* Formats v into out (n bytes) by ladder; returns out. */
const char *vms_fmt_unit(char *out, size_t n, double v, const struct vms_unit *ladder);

enum vms_time_style {
    VMS_TIME_TABLE, /* "0", "812.3 us", "12.5 ms", "1.36 s" (vmsim's table) */
    VMS_TIME_FINE,  /* "950 ns", "812.3 us", "12.46 ms", "1.363 s" (the live view) */
    VMS_TIME_SHORT  /* "9500 ns", "812.3 us", "1363.4 ms", "12.36 s" (vmbench) */
};

/* Simulated time ns in the given style; returns out. */
const char *vms_fmt_time(char *out, size_t n, uint64_t ns, enum vms_time_style style);
/* A count: "99999", "123.4k", "123.4M"; returns out. */
const char *vms_fmt_count(char *out, size_t n, uint64_t v);
/* Bytes: "1000 B", "1.5 KiB", "2.0 MiB", "1.25 GiB"; returns out. */
const char *vms_fmt_bytes(char *out, size_t n, double bytes);

#endif
