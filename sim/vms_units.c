/*
 * vms_units.c - numbers with units for the reports (see vms_units.h).
 */
#include "vms_units.h"

#include <stdio.h>

const char *vms_fmt_unit(char *out, size_t n, double v, const struct vms_unit *ladder)
{
    while (ladder->below != 0 && !(v < ladder->below)) ladder++;
    snprintf(out, n, "%.*f%s", ladder->decimals, v / ladder->div, ladder->suffix);
    return out;
}

static const struct vms_unit time_table[] = {
    {1, 1, 0, ""}, {1e6, 1e3, 1, " us"}, {1e9, 1e6, 1, " ms"}, {0, 1e9, 2, " s"}};
static const struct vms_unit time_fine[] = {
    {1e3, 1, 0, " ns"}, {1e6, 1e3, 1, " us"}, {1e9, 1e6, 2, " ms"}, {0, 1e9, 3, " s"}};
static const struct vms_unit time_short[] = {
    {1e4, 1, 0, " ns"}, {1e7, 1e3, 1, " us"}, {1e10, 1e6, 1, " ms"}, {0, 1e9, 2, " s"}};
static const struct vms_unit l_count[] = {{1e5, 1, 0, ""}, {1e8, 1e3, 1, "k"}, {0, 1e6, 1, "M"}};
static const struct vms_unit l_bytes[] = {{1024.0, 1, 0, " B"},
                                        {1024.0 * 1024, 1024.0, 1, " KiB"},
                                        {1024.0 * 1024 * 1024, 1048576.0, 1, " MiB"},
                                        {0, 1073741824.0, 2, " GiB"}};

const char *vms_fmt_time(char *out, size_t n, uint64_t ns, enum vms_time_style style)
{
    const struct vms_unit *l = style == VMS_TIME_FINE ? time_fine : style == VMS_TIME_SHORT ? time_short : time_table;
    return vms_fmt_unit(out, n, (double)ns, l);
}

const char *vms_fmt_count(char *out, size_t n, uint64_t v)
{
    return vms_fmt_unit(out, n, (double)v, l_count);
}

const char *vms_fmt_bytes(char *out, size_t n, double bytes)
{
    return vms_fmt_unit(out, n, bytes, l_bytes);
}
