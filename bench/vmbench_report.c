/*
 * vmbench_report.c - the answer (best point, runner-up geometry, Pareto
 * front) and the reports: the terminal table, JSON, CSV and the SVG heat map
 * (see vmbench.h).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmr_replay.h"
#include "vmr_stack.h"
#include "vms_units.h"
#include "vmbench.h"

int vmb_better(const struct sweep *sw, const struct point *a, const struct point *b)
{
    double x = vmb_objective(sw, a), y = vmb_objective(sw, b);
    if (x != y) return x < y;
    if (a->ram_cost != b->ram_cost) return a->ram_cost < b->ram_cost;
    if ((a->policy == VM_DEFAULT_POLICY) != (b->policy == VM_DEFAULT_POLICY))
        return a->policy == VM_DEFAULT_POLICY; /* exact tie: the default policy */
    return a->index < b->index;
}

void vmb_answer(const struct sweep *sw, struct answer *an)
{
    unsigned i;
    an->best = an->second = -1;
    an->margin = 0;
    an->npareto = 0;
    an->pareto = calloc(sw->npts ? sw->npts : 1, sizeof *an->pareto);
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        if (!p->measured || !p->ok || !vmb_eligible(sw, p)) continue;
        if (an->best < 0 || vmb_better(sw, p, &sw->pts[an->best])) an->best = (int)i;
    }
    /* The runner-up is the best other geometry (backend, page size or page
     * count), so the margin says what choosing the geometry is worth; the
     * policies of one geometry often tie. */
    for (i = 0; an->best >= 0 && i < sw->npts; i++) {
        const struct point *p = &sw->pts[i], *b = &sw->pts[an->best];
        if (!p->measured || !p->ok || !vmb_eligible(sw, p)) continue;
        if (p->backend == b->backend && p->page_size == b->page_size && p->page_count == b->page_count)
            continue;
        if (an->second < 0 || vmb_better(sw, p, &sw->pts[an->second])) an->second = (int)i;
    }
    if (an->best >= 0 && an->second >= 0) {
        double b = vmb_objective(sw, &sw->pts[an->best]), s = vmb_objective(sw, &sw->pts[an->second]);
        an->margin = b > 0 ? (s - b) / b : 0;
    }
    /* Pareto front of (RAM cost, objective) over every measured point. */
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        unsigned j;
        int dominated = 0;
        if (!p->measured || !p->ok) continue;
        for (j = 0; j < sw->npts && !dominated; j++) {
            const struct point *q = &sw->pts[j];
            if (j == i || !q->measured || !q->ok) continue;
            if (q->ram_cost <= p->ram_cost && vmb_objective(sw, q) <= vmb_objective(sw, p) &&
                (q->ram_cost < p->ram_cost || vmb_objective(sw, q) < vmb_objective(sw, p) || vmb_better(sw, q, p)))
                dominated = 1;
        }
        if (!dominated) an->pareto[an->npareto++] = (int)i;
    }
    /* by RAM cost */
    for (i = 1; i < an->npareto; i++) {
        int v = an->pareto[i];
        unsigned j = i;
        while (j > 0 && sw->pts[an->pareto[j - 1]].ram_cost > sw->pts[v].ram_cost) {
            an->pareto[j] = an->pareto[j - 1];
            j--;
        }
        an->pareto[j] = v;
    }
}

/* --------------------------------------------------------------- reports */

static double kib_s(const struct point *p)
{
    return p->time_ns ? (double)p->access_bytes / 1024.0 / ((double)p->time_ns / 1e9) : 0;
}

void vmb_describe_short(const struct sweep *sw, const struct point *p, char *buf, size_t n)
{
    char t[32];
    if (sw->objective == OBJ_TIME) vms_fmt_time(t, sizeof t, p->time_ns, VMS_TIME_SHORT);
    else snprintf(t, sizeof t, "%.0f %s", vmb_objective(sw, p), sw->objective == OBJ_BYTES ? "B" : "misses");
    snprintf(buf, n, "%u x %u B %s, %s", p->page_count, p->page_size, vm_policy_name(p->policy), t);
}

static void describe(const struct sweep *sw, const struct point *p, char *buf, size_t n)
{
    char t[32], opt[32] = "-";
    vms_fmt_time(t, sizeof t, p->time_ns, VMS_TIME_SHORT);
    if (p->has_opt) snprintf(opt, sizeof opt, "%llu", (unsigned long long)p->opt_misses);
    snprintf(buf, n, "%s, %u x %u B pages, %s: %s, %llu misses (optimum %s), %.1f KiB moved, %zu B of RAM",
             sw->backend_names[p->backend], p->page_count, p->page_size, vm_policy_name(p->policy), t,
             (unsigned long long)p->misses, opt, (double)(p->bytes_read + p->bytes_written) / 1024.0,
             p->ram_cost);
}

/* The larger of w and the number of digits of v. */
static int width(int w, unsigned long long v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n > w ? n : w;
}

/* Says, per backend, how many measured points within the budget need more
 * RAM than its MCU has (they are never recommended); returns that number
 * over all backends. */
static unsigned print_over_ram(FILE *f, const struct sweep *sw)
{
    unsigned b, i, total = 0;
    for (b = 0; b < sw->nbackends; b++) {
        unsigned over = 0, measured = 0;
        for (i = 0; i < sw->npts; i++) {
            const struct point *p = &sw->pts[i];
            if (p->backend != b || !p->measured) continue;
            measured++;
            over += vmb_in_budget(sw, p) && !vmb_fits_ram(sw, p);
        }
        if (over)
            fprintf(f, "%s: over the %s's %lu B of RAM, never recommended: %u of %u points\n",
                    sw->backend_names[b], vmb_profile_of(sw, b),
                    (unsigned long)vmr_ram_limit(vmb_profile_of(sw, b)), over, measured);
        total += over;
    }
    return total;
}

void vmb_print_table(FILE *f, const struct sweep *sw, const struct answer *an, int colour)
{
    unsigned i;
    const char *bold = colour ? "\033[1m" : "", *grey = colour ? "\033[2m" : "",
               *green = colour ? "\033[32m" : "", *off = colour ? "\033[0m" : "";
    char t[32], line[512];

    fprintf(f, "%s%-18s %6s %5s %-6s %8s %10s %10s %8s %11s %10s %10s%s\n", bold, "backend", "page", "count",
            "policy", "RAM B", "misses", "optimum", "wbacks", "KiB moved", "sim time", "KiB/s", off);
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        const char *pre = (int)i == an->best ? green : !vmb_eligible(sw, p) ? grey : "";
        char opt[24];
        if (!p->measured) continue;
        vms_fmt_time(t, sizeof t, p->time_ns, VMS_TIME_SHORT);
        if (p->has_opt) snprintf(opt, sizeof opt, "%llu", (unsigned long long)p->opt_misses);
        else snprintf(opt, sizeof opt, "-");
        fprintf(f, "%s%-18s %6u %5u %-6s %8zu %10llu %10s %8llu %11.1f %10s %10.1f%s%s\n", pre,
                sw->backend_names[p->backend], p->page_size, p->page_count, vm_policy_name(p->policy),
                p->ram_cost, (unsigned long long)p->misses, opt, (unsigned long long)p->writebacks,
                (double)(p->bytes_read + p->bytes_written) / 1024.0, t, kib_s(p),
                p->ok ? "" : "  FAILED", *pre ? off : "");
    }
    if (sw->partial)
        fprintf(f, "\n%sPARTIAL:%s the time limit stopped the sweep after %u of its points; the answer is the best of those measured.\n",
                bold, off, sw->nmeasured);
    fprintf(f, "\n%sObjective:%s %s", bold, off, vmb_objective_names[sw->objective]);
    if (sw->budget) fprintf(f, ", RAM budget %lu B (page buffers + metadata)", sw->budget);
    fprintf(f, "\n");
    unsigned over_ram = print_over_ram(f, sw);
    if (an->best < 0) {
        if (sw->budget || over_ram)
            fprintf(f, "No configuration fits %s.\n", !over_ram ? "the budget"
                                                   : sw->budget ? "the budget and the MCU's RAM"
                                                                : "the MCU's RAM");
        else
            fprintf(f, "No configuration ran without an error.\n");
        return;
    }
    describe(sw, &sw->pts[an->best], line, sizeof line);
    fprintf(f, "%sBest:%s %s%s%s\n", bold, off, green, line, off);
    {
        const struct point *b = &sw->pts[an->best];
        if (b->time_ns) {
            double t = (double)b->time_ns / 100.0;
            fprintf(f, "  time: pager CPU %.1f%%, program CPU %.1f%%, bus transfer %.1f%%, device wait %.1f%%\n",
                    (double)b->pager_ns / t, (double)b->program_ns / t, (double)b->transfer_ns / t,
                    (double)b->wait_ns / t);
        }
    }
    if (an->second >= 0) {
        describe(sw, &sw->pts[an->second], line, sizeof line);
        fprintf(f, "%sRunner-up (another geometry):%s %s\n  the best is %.1f%% better on %s\n", bold, off, line,
                an->margin * 100.0, vmb_objective_names[sw->objective]);
    }
    fprintf(f, "%sPareto front%s (RAM cost against %s; nothing is both cheaper and better):\n", bold, off,
            vmb_objective_names[sw->objective]);
    /* columns as wide as the front's widest RAM cost, count and page size */
    int wram = 6, wcount = 2, wsize = 4;
    for (i = 0; i < an->npareto; i++) {
        const struct point *p = &sw->pts[an->pareto[i]];
        wram = width(wram, p->ram_cost);
        wcount = width(wcount, p->page_count);
        wsize = width(wsize, p->page_size);
    }
    for (i = 0; i < an->npareto; i++) {
        const struct point *p = &sw->pts[an->pareto[i]];
        vms_fmt_time(t, sizeof t, p->time_ns, VMS_TIME_SHORT);
        fprintf(f, "  %*zu B  %-18s %*u x %*u B %-6s %s, %llu misses, %.1f KiB\n", wram, p->ram_cost,
                sw->backend_names[p->backend], wcount, p->page_count, wsize, p->page_size,
                vm_policy_name(p->policy), t, (unsigned long long)p->misses,
                (double)(p->bytes_read + p->bytes_written) / 1024.0);
    }
}

static cJSON *point_json(const struct sweep *sw, const struct point *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", p->index);
    cJSON_AddStringToObject(o, "backend", sw->backend_names[p->backend]);
    cJSON_AddNumberToObject(o, "page_size", p->page_size);
    cJSON_AddNumberToObject(o, "page_count", p->page_count);
    cJSON_AddStringToObject(o, "policy", vm_policy_name(p->policy));
    cJSON_AddNumberToObject(o, "ram_cost", (double)p->ram_cost);
    cJSON_AddBoolToObject(o, "in_budget", vmb_in_budget(sw, p));
    cJSON_AddBoolToObject(o, "fits_ram", vmb_fits_ram(sw, p));
    cJSON_AddBoolToObject(o, "ok", p->ok);
    if (!p->ok) cJSON_AddStringToObject(o, "error", p->error);
    for (unsigned k = 0; k < vmb_ncounts; k++) {
        const struct vmb_count *c = &vmb_counts[k];
        if (c->at == offsetof(struct point, opt_misses) && !p->has_opt)
            cJSON_AddNullToObject(o, c->key);
        else
            cJSON_AddNumberToObject(o, c->key, (double)vmb_count_get(p, c));
    }
    cJSON_AddNumberToObject(o, "throughput_kib_s", kib_s(p));
    return o;
}

static cJSON *uint_array(const unsigned *v, unsigned n)
{
    cJSON *a = cJSON_CreateArray();
    unsigned i;
    for (i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static cJSON *sweep_json(const struct sweep *sw, const struct answer *an, unsigned shard_k, unsigned shard_n)
{
    cJSON *o = cJSON_CreateObject(), *pts, *bes, *pol;
    unsigned i;
    cJSON_AddStringToObject(o, "tool", "vmbench");
    cJSON_AddNumberToObject(o, "format", 1);
    cJSON_AddStringToObject(o, "workload", sw->workload_desc);
    cJSON_AddItemToObject(o, "workload_spec", cJSON_Duplicate(sw->workload_json, 1));
    bes = cJSON_AddObjectToObject(o, "backends");
    for (i = 0; i < sw->nbackends; i++)
        cJSON_AddItemToObject(bes, sw->backend_names[i], cJSON_Duplicate(sw->backend_json[i], 1));
    cJSON_AddItemToObject(o, "page_sizes", uint_array(sw->sizes, sw->nsizes));
    cJSON_AddItemToObject(o, "page_counts", uint_array(sw->counts, sw->ncounts));
    pol = cJSON_AddArrayToObject(o, "policies");
    for (i = 0; i < sw->npolicies; i++) cJSON_AddItemToArray(pol, cJSON_CreateString(vm_policy_name(sw->policies[i])));
    cJSON_AddStringToObject(o, "objective", vmb_objective_names[sw->objective]);
    if (sw->budget) cJSON_AddNumberToObject(o, "budget", (double)sw->budget);
    else cJSON_AddNullToObject(o, "budget");
    cJSON_AddBoolToObject(o, "budget_only", sw->budget_only);
    cJSON_AddNumberToObject(o, "total_points", sw->npts);
    if (sw->partial) {
        cJSON_AddBoolToObject(o, "partial", 1);
        cJSON_AddNumberToObject(o, "measured_points", sw->nmeasured);
    }
    if (shard_n > 1) {
        cJSON *sh = cJSON_AddArrayToObject(o, "shard");
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(shard_k));
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(shard_n));
    }
    pts = cJSON_AddArrayToObject(o, "points");
    for (i = 0; i < sw->npts; i++)
        if (sw->pts[i].measured) cJSON_AddItemToArray(pts, point_json(sw, &sw->pts[i]));
    if (an) {
        cJSON *a = cJSON_AddObjectToObject(o, "answer"), *pf;
        if (an->best >= 0) cJSON_AddItemToObject(a, "best", point_json(sw, &sw->pts[an->best]));
        else cJSON_AddNullToObject(a, "best");
        if (an->second >= 0) {
            cJSON_AddItemToObject(a, "runner_up", point_json(sw, &sw->pts[an->second]));
            cJSON_AddNumberToObject(a, "margin", an->margin);
        }
        pf = cJSON_AddArrayToObject(a, "pareto");
        for (i = 0; i < an->npareto; i++) cJSON_AddItemToArray(pf, cJSON_CreateNumber(sw->pts[an->pareto[i]].index));
    }
    return o;
}

static int write_csv(FILE *f, const struct sweep *sw)
{
    unsigned i;
    fprintf(f, "index,backend,page_size,page_count,policy,ram_cost,in_budget,fits_ram,ok,ops,touches,hits,misses,"
               "opt_misses,writebacks,bytes_read,bytes_written,time_ns,throughput_kib_s\n");
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        char opt[24] = "";
        if (!p->measured) continue;
        if (p->has_opt) snprintf(opt, sizeof opt, "%llu", (unsigned long long)p->opt_misses);
        fprintf(f, "%u,%s,%u,%u,%s,%zu,%d,%d,%d,%llu,%llu,%llu,%llu,%s,%llu,%llu,%llu,%llu,%.3f\n", p->index,
                sw->backend_names[p->backend], p->page_size, p->page_count, vm_policy_name(p->policy), p->ram_cost,
                vmb_in_budget(sw, p), vmb_fits_ram(sw, p), p->ok, (unsigned long long)p->ops, (unsigned long long)p->touches,
                (unsigned long long)p->hits, (unsigned long long)p->misses, opt, (unsigned long long)p->writebacks,
                (unsigned long long)p->bytes_read, (unsigned long long)p->bytes_written,
                (unsigned long long)p->time_ns, kib_s(p));
    }
    return ferror(f) ? -1 : 0;
}

/* A heat map per backend: page size (columns) x page count (rows), each cell
 * the best policy's objective there, on a log colour scale; cells over the
 * budget are hatched behind a dashed budget line; the best point is ringed. */
static void heat_colour(double t, char *buf, size_t n)
{
    /* viridis-like ramp: dark blue (good) -> yellow (bad) */
    static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    double x = t * 4;
    int k = (int)x;
    if (k >= 4) k = 3;
    if (k < 0) k = 0;
    x -= k;
    snprintf(buf, n, "#%02x%02x%02x", (int)(stops[k][0] + (stops[k + 1][0] - stops[k][0]) * x),
             (int)(stops[k][1] + (stops[k + 1][1] - stops[k][1]) * x),
             (int)(stops[k][2] + (stops[k + 1][2] - stops[k][2]) * x));
}

/* SVG geometry: cell size, margins. */
enum { SVG_CW = 92, SVG_CH = 40, SVG_LEFT = 90, SVG_TOP = 70 };

struct svg_ctx {
    const struct sweep *sw;
    const struct answer *an;
    double lo, hi; /* objective range of the colour scale */
    int panel_w, H;
};

/* The best policy's point in one cell, or -1. */
static int cell_best(const struct sweep *sw, unsigned b, unsigned size, unsigned count)
{
    int bestp = -1;
    unsigned i;
    for (i = 0; i < sw->npts; i++) {
        const struct point *p = &sw->pts[i];
        if (p->backend != b || p->page_size != size || p->page_count != count) continue;
        if (!p->measured || !p->ok) continue;
        if (bestp < 0 || vmb_better(sw, p, &sw->pts[bestp])) bestp = (int)i;
    }
    return bestp;
}

static void svg_cell(FILE *f, const struct svg_ctx *g, int bestp, int x, int y)
{
    const struct sweep *sw = g->sw;
    const struct point *p = &sw->pts[bestp];
    const int cw = SVG_CW, ch = SVG_CH;
    double v = vmb_objective(sw, p), lo = g->lo, hi = g->hi;
    double u = hi > lo ? (log(v > lo ? v : lo) - log(lo)) / (log(hi) - log(lo)) : 0;
    const char *ink = u > 0.6 || !vmb_eligible(sw, p) ? "#000" : "#fff";
    char col[16], t[32];
    heat_colour(u, col, sizeof col);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"><title>%u x %u B %s, %zu B RAM</title></rect>\n",
            x, y, cw, ch, col, p->page_count, p->page_size, vm_policy_name(p->policy), p->ram_cost);
    if (!vmb_eligible(sw, p))
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" fill-opacity=\"0.62\"/>\n", x, y, cw, ch);
    if (sw->objective == OBJ_TIME) vms_fmt_time(t, sizeof t, p->time_ns, VMS_TIME_SHORT);
    else snprintf(t, sizeof t, "%.0f%s", sw->objective == OBJ_BYTES ? v / 1024 : v,
                  sw->objective == OBJ_BYTES ? " KiB" : "");
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"11\">%s</text>\n",
            x + cw / 2, y + 17, ink, t);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"10\">%s</text>\n",
            x + cw / 2, y + 31, ink, vm_policy_name(p->policy));
    if (bestp == g->an->best)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#e4002b\" stroke-width=\"4\"/>\n",
                x + 2, y + 2, cw - 4, ch - 4);
}

/* The budget line: the staircase between affordable and not. */
static void svg_budget_line(FILE *f, const struct sweep *sw, unsigned b, int x0)
{
    const int cw = SVG_CW, ch = SVG_CH, left = SVG_LEFT, top = SVG_TOP;
    unsigned s;
    fprintf(f, "<path fill=\"none\" stroke=\"#e4002b\" stroke-width=\"2\" stroke-dasharray=\"6 4\" d=\"");
    for (s = 0; s < sw->nsizes; s++) {
        unsigned k = 0;
        int x = x0 + left + cw * (int)s, y;
        while (k < sw->ncounts && vmr_ram_cost(vmb_profile_of(sw, b), sw->sizes[s], sw->counts[k]) <= sw->budget) k++;
        y = top + ch * (int)(sw->ncounts - k);
        fprintf(f, "%s%d %d H%d ", s ? "L" : "M", x, y, x + cw);
    }
    fprintf(f, "\"/>\n");
}

/* One backend's heat map. */
static void svg_panel(FILE *f, const struct svg_ctx *g, unsigned b)
{
    const struct sweep *sw = g->sw;
    const int cw = SVG_CW, ch = SVG_CH, left = SVG_LEFT, top = SVG_TOP;
    int x0 = 10 + g->panel_w * (int)b;
    unsigned s, c;
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", x0, top - 12, sw->backend_names[b]);
    for (s = 0; s < sw->nsizes; s++)
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%u B</text>\n", x0 + left + cw * (int)s + cw / 2,
                top + ch * (int)sw->ncounts + 18, sw->sizes[s]);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">page size</text>\n", x0 + left + cw * (int)sw->nsizes / 2,
            top + ch * (int)sw->ncounts + 36);
    fprintf(f, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\">page count</text>\n", x0 + 14,
            top + ch * (int)sw->ncounts / 2, x0 + 14, top + ch * (int)sw->ncounts / 2);
    for (c = 0; c < sw->ncounts; c++) {
        int y = top + ch * (int)(sw->ncounts - 1 - c);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%u</text>\n", x0 + left - 8, y + ch / 2 + 4, sw->counts[c]);
        for (s = 0; s < sw->nsizes; s++) {
            int x = x0 + left + cw * (int)s, bestp = cell_best(sw, b, sw->sizes[s], sw->counts[c]);
            if (bestp < 0)
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#dddddd\" stroke=\"#fff\"/>\n", x, y, cw, ch);
            else
                svg_cell(f, g, bestp, x, y);
        }
    }
    if (sw->budget) svg_budget_line(f, sw, b, x0);
}

static void svg_legend(FILE *f, const struct svg_ctx *g)
{
    const struct sweep *sw = g->sw;
    int lx = 10, ly = g->H - 34, k;
    char a[32], z[32], col[16];
    for (k = 0; k < 100; k++) {
        heat_colour(k / 99.0, col, sizeof col);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"3\" height=\"12\" fill=\"%s\"/>\n", lx + 3 * k, ly, col);
    }
    if (sw->objective == OBJ_TIME) {
        vms_fmt_time(a, sizeof a, (uint64_t)g->lo, VMS_TIME_SHORT);
        vms_fmt_time(z, sizeof z, (uint64_t)g->hi, VMS_TIME_SHORT);
    } else {
        snprintf(a, sizeof a, "%.0f", g->lo);
        snprintf(z, sizeof z, "%.0f", g->hi);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\">%s (log scale) %s</text>\n", lx, ly + 26, a, z);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" fill=\"none\" stroke=\"#e4002b\" stroke-width=\"3\"/>"
               "<text x=\"%d\" y=\"%d\">best under the budget</text>\n", lx + 330, ly, lx + 350, ly + 11);
    if (sw->budget)
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e4002b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
                   "<text x=\"%d\" y=\"%d\">RAM budget %lu B</text>\n", lx + 510, ly + 6, lx + 550, ly + 6, lx + 556, ly + 11, sw->budget);
}

static int write_svg(FILE *f, const struct sweep *sw, const struct answer *an)
{
    struct svg_ctx g;
    int W;
    unsigned b, i;

    g.sw = sw;
    g.an = an;
    g.lo = INFINITY;
    g.hi = 0;
    g.panel_w = SVG_LEFT + SVG_CW * (int)sw->nsizes + 30;
    g.H = SVG_TOP + SVG_CH * (int)sw->ncounts + 110;
    W = g.panel_w * (int)sw->nbackends + 20;
    for (i = 0; i < sw->npts; i++)
        if (sw->pts[i].measured && sw->pts[i].ok) {
            double v = vmb_objective(sw, &sw->pts[i]);
            if (v > 0 && v < g.lo) g.lo = v;
            if (v > g.hi) g.hi = v;
        }
    if (!(g.lo < INFINITY)) g.lo = g.hi = 1;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\n", W, g.H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(f, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">vmbench: %s by page size x page count (best policy per cell)</text>\n",
            sw->objective == OBJ_TIME ? "simulated time" : sw->objective == OBJ_BYTES ? "backend bytes" : "misses");
    fprintf(f, "<text x=\"10\" y=\"40\" fill=\"#444\">%s%s%s</text>\n", sw->workload_desc,
            sw->budget ? "; faded: over the RAM budget" : "",
            sw->partial ? "; PARTIAL: stopped by the time limit (grey: not measured)" : "");
    for (b = 0; b < sw->nbackends; b++) svg_panel(f, &g, b);
    svg_legend(f, &g);
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}

static int write_to(const char *path, int (*fn)(FILE *, void *), void *arg)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    int rc;
    if (!f) {
        fprintf(stderr, "vmbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    rc = fn(f, arg);
    if (f != stdout && fclose(f)) rc = -1;
    if (rc) fprintf(stderr, "vmbench: %s: write failed\n", path);
    return rc;
}

struct out_ctx {
    const struct sweep *sw;
    const struct answer *an;
    unsigned k, n;
};
static int json_cb(FILE *f, void *a)
{
    struct out_ctx *o = a;
    cJSON *j = sweep_json(o->sw, o->an, o->k, o->n);
    char *s = cJSON_Print(j);
    int rc = s && fputs(s, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
    free(s);
    cJSON_Delete(j);
    return rc;
}
static int csv_cb(FILE *f, void *a) { return write_csv(f, ((struct out_ctx *)a)->sw); }
static int svg_cb(FILE *f, void *a) { return write_svg(f, ((struct out_ctx *)a)->sw, ((struct out_ctx *)a)->an); }

int vmb_write_json(const char *path, const struct sweep *sw, const struct answer *an, unsigned k,
                   unsigned n)
{
    struct out_ctx o;
    o.sw = sw;
    o.an = an;
    o.k = k;
    o.n = n;
    return write_to(path, json_cb, &o);
}

int vmb_write_csv(const char *path, const struct sweep *sw)
{
    struct out_ctx o;
    memset(&o, 0, sizeof o);
    o.sw = sw;
    return write_to(path, csv_cb, &o);
}

int vmb_write_svg(const char *path, const struct sweep *sw, const struct answer *an)
{
    struct out_ctx o;
    memset(&o, 0, sizeof o);
    o.sw = sw;
    o.an = an;
    return write_to(path, svg_cb, &o);
}
