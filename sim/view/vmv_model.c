/*
 * vmv_model.c - the live view's model: runs in lockstep, observed (see vmv_model.h).
 */
#include "vmv_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ observer */

static void on_event(void *ctx, const struct vm_event *ev)
{
    struct vmv_run *r = ctx;
    if (ev->type == VM_EV_EVICT && r->evicting < 0) {
        r->evicting = ev->slot;
        r->evicting_page = ev->addr;
    }
    if (ev->type == VM_EV_WRITEBACK) r->writebacks_now++;
    if (ev->type != VM_EV_LOAD || ev->slot == VM_BOUNCE_SLOT) return;
    r->loaded_now[ev->slot] = 1;
    r->loaded_any = 1;
    uint64_t cell = ((uint64_t)ev->addr / r->page_size) >> r->heat_shift;
    if (cell < r->heat_len) {
        uint32_t h = ++r->heat[cell];
        if (h > r->heat_max) r->heat_max = h;
    }
}

static void on_touch(void *ctx, uint64_t page)
{
    struct vmv_run *r = ctx;
    if (page == VMT_TOUCH_INVALIDATE) return;
    uint64_t a = page * r->page_size;
    if (a >= r->pool) return;
    int s = vm_slot_of(vmr_vm(r->run), (vm_addr_t)a);
    if (s < 0) return; /* already evicted again within this op */
    r->flash[s] = r->loaded_now[s] ? VMV_MISS : VMV_HIT;
    r->flash_op[s] = r->ops;
    r->flash_ms[s] = r->m->now_ms;
}

static void close_bucket(struct vmv_run *r)
{
    const struct vmr_counters *c = vmr_counters(r->run);
    struct vmv_bucket b;
    b.end_op = r->ops;
    b.hits = (uint32_t)(c->hits - r->bucket_start.hits);
    b.misses = (uint32_t)(c->misses - r->bucket_start.misses);
    b.bytes = c->bytes_read + c->bytes_written - r->bucket_start.bytes_read -
              r->bucket_start.bytes_written;
    b.time_ns = c->time_ns - r->bucket_start.time_ns;
    uint64_t opt = vmv_opt_so_far(r);
    b.opt_misses = (uint32_t)(opt - r->opt_at_bucket_start);
    r->opt_at_bucket_start = opt;
    r->bucket_start = *c;
    unsigned at = (r->hist_head + r->hist_n) % VMV_HIST;
    r->hist[at] = b;
    if (r->hist_n < VMV_HIST)
        r->hist_n++;
    else
        r->hist_head = (r->hist_head + 1) % VMV_HIST;
}

static void on_op(void *ctx, uint64_t index, const struct vmt_op *op, int rc)
{
    struct vmv_run *r = ctx;
    (void)rc;
    struct vm *vm = vmr_vm(r->run);
    r->ops = index + 1;
    r->last_kind = op->kind;
    r->last_mode = op->mode;
    r->last_addr = op->addr;
    r->last_len = op->len;
    r->last_region = op->region;
    /* Touched slots: the same page expansion the core and OPT count. */
    vmt_touches(r->heap, op, r->page_size, on_touch, r);
    const struct vm_stats *st = vm_stats(vm);
    r->last_op_missed = st->misses != r->prev_misses;
    r->prev_hits = st->hits;
    r->prev_misses = st->misses;
    if (r->loaded_any) memset(r->loaded_now, 0, sizeof r->loaded_now);
    r->loaded_any = 0;
    r->first_evict = r->evicting;
    r->first_evict_page = r->evicting_page;
    r->evicting = -1;
    r->last_writebacks = r->writebacks_now;
    r->writebacks_now = 0;
    if (r->ops % r->m->bucket_ops == 0) close_bucket(r);
}

static void on_phase(void *ctx, uint32_t phase, const char *name)
{
    struct vmv_run *r = ctx;
    (void)phase;
    snprintf(r->phase, sizeof r->phase, "%s", name ? name : "");
}

/* ------------------------------------------------------------ runs */

static void run_reset_state(struct vmv_run *r)
{
    r->state = 1;
    r->ops = 0;
    memset(r->flash, 0, sizeof r->flash);
    memset(r->loaded_now, 0, sizeof r->loaded_now);
    r->loaded_any = 0;
    r->last_op_missed = 0;
    r->first_evict = r->evicting = -1;
    r->writebacks_now = r->last_writebacks = 0;
    r->prev_hits = r->prev_misses = 0;
    r->phase[0] = 0;
    r->hist_n = r->hist_head = 0;
    memset(&r->bucket_start, 0, sizeof r->bucket_start);
    r->opt_at_bucket_start = 0;
    r->heat_max = 0;
    if (r->heat) memset(r->heat, 0, r->heat_len * sizeof *r->heat);
    r->error[0] = 0;
}

static void run_close(struct vmv_run *r)
{
    if (r->run) vmr_destroy(r->run);
    if (r->src) vmt_close(r->src);
    if (r->heap) vmt_heap_free(r->heap);
    r->run = NULL;
    r->src = NULL;
    r->heap = NULL;
}

static int run_open(struct vmv_model *m, struct vmv_run *r, char *err, size_t errlen)
{
    char e[256];
    r->src = vms_open_workload(m->sc, r->desc->workload_index, e, sizeof e);
    if (!r->src) {
        snprintf(err, errlen, "%s", e);
        return -1;
    }
    struct vmr_config cfg = r->desc->cfg;
    r->obs.on_op = on_op;
    r->obs.on_event = on_event;
    r->obs.on_phase = on_phase;
    r->obs.ctx = r;
    cfg.observer = &r->obs;
    r->run = vmr_create(&cfg, r->src, e, sizeof e);
    if (!r->run) {
        snprintf(err, errlen, "%s / %s / %s: %s", r->desc->backend, r->desc->pager,
                 r->desc->workload, e);
        run_close(r);
        return -1;
    }
    struct vm *vm = vmr_vm(r->run);
    r->page_size = vm_page_size(vm);
    r->page_count = vm_page_count(vm);
    if (r->page_count > VMV_SLOTS_MAX) {
        snprintf(err, errlen, "%s / %s / %s: %u page buffers: the view shows at most %u (run without --view)",
                 r->desc->backend, r->desc->pager, r->desc->workload, (unsigned)r->page_count,
                 (unsigned)VMV_SLOTS_MAX);
        run_close(r);
        return -1;
    }
    r->pool = vm_pool_size(vm);
    r->npages = (r->pool + r->page_size - 1) / r->page_size;
    r->heap = vmt_heap_new(VM_ALLOC_ALIGN, r->pool, VM_ALLOC_ALIGN);
    r->op_total = vmt_info(r->src)->op_count;
    if (!r->heat) {
        r->heat_shift = 0;
        while ((r->npages >> r->heat_shift) > VMV_HEAT_MAX) r->heat_shift++;
        r->heat_len = ((r->npages - 1) >> r->heat_shift) + 1;
        r->heat = calloc((size_t)r->heat_len, sizeof *r->heat);
        if (!r->heat) {
            snprintf(err, errlen, "out of memory for the heat map");
            run_close(r);
            return -1;
        }
    }
    run_reset_state(r);
    return 0;
}

int vmv_model_open(struct vmv_model *m, const struct vms_scenario *sc, int want_opt, char *err,
                   size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->sc = sc;
    m->want_opt = want_opt && sc->opt;
    if (sc->nruns == 0) {
        snprintf(err, errlen, "%s: the scenario has no runs", sc->path ? sc->path : "scenario");
        return -1;
    }
    m->runs = calloc(sc->nruns, sizeof *m->runs);
    if (!m->runs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->nruns = sc->nruns;
    uint64_t longest = 0;
    for (size_t i = 0; i < m->nruns; i++) {
        struct vmv_run *r = &m->runs[i];
        r->m = m;
        r->desc = &sc->runs[i];
        snprintf(r->title, sizeof r->title, "%s / %s / %s", r->desc->backend, r->desc->pager,
                 r->desc->workload);
        if (run_open(m, r, err, errlen)) {
            vmv_model_close(m);
            return -1;
        }
        if (r->op_total > longest) longest = r->op_total;
    }
    /* About 2000 buckets per trace: the plot keeps the last VMV_HIST. */
    m->bucket_ops = longest ? (longest + 1999) / 2000 : 64;
    if (m->bucket_ops == 0) m->bucket_ops = 1;
    for (size_t i = 0; i < m->nruns; i++) {
        struct vmv_run *r = &m->runs[i];
        if (!m->want_opt) {
            snprintf(r->opt_note, sizeof r->opt_note, "optimum off");
            continue;
        }
        /* Runs on the same workload and geometry share one timeline. */
        size_t j;
        for (j = 0; j < i; j++) {
            struct vmv_run *q = &m->runs[j];
            if (q->has_opt && q->desc->workload_index == r->desc->workload_index &&
                q->page_size == r->page_size && q->page_count == r->page_count &&
                q->pool == r->pool)
                break;
        }
        if (j < i) {
            struct vmv_run *q = &m->runs[j];
            r->opt_cum = q->opt_cum;
            r->opt_len = q->opt_len;
            r->opt_total = q->opt_total;
            r->has_opt = 1;
            continue;
        }
        char e[256];
        struct vmt_source *s = vms_open_workload(sc, r->desc->workload_index, e, sizeof e);
        /* The optimum's timeline, one entry per op (sim/trace/vmt_opt.c). */
        if (s && vmt_opt_timeline(s, r->page_size, 0, r->page_count, 1, &r->opt_cum, &r->opt_len,
                                  &r->opt_total, e, sizeof e) == 0)
            r->has_opt = r->opt_owner = 1;
        else
            snprintf(r->opt_note, sizeof r->opt_note, "no optimum: %.100s", e);
        if (s) vmt_close(s);
    }
    return 0;
}

void vmv_model_close(struct vmv_model *m)
{
    for (size_t i = 0; i < m->nruns; i++) {
        run_close(&m->runs[i]);
        free(m->runs[i].heat);
        if (m->runs[i].opt_owner) free(m->runs[i].opt_cum);
    }
    free(m->runs);
    m->runs = NULL;
    m->nruns = 0;
}

int vmv_model_restart(struct vmv_model *m, char *err, size_t errlen)
{
    for (size_t i = 0; i < m->nruns; i++) {
        run_close(&m->runs[i]);
        if (run_open(m, &m->runs[i], err, errlen)) return -1;
    }
    return 0;
}

uint64_t vmv_model_step(struct vmv_model *m, uint64_t n)
{
    uint64_t most = 0;
    for (size_t i = 0; i < m->nruns; i++) {
        struct vmv_run *r = &m->runs[i];
        if (r->state != 1) continue;
        uint64_t before = r->ops;
        int rc = vmr_step(r->run, n);
        r->state = rc;
        if (rc < 0) snprintf(r->error, sizeof r->error, "%s", vmr_error(r->run));
        if (rc == 0 && r->ops % m->bucket_ops) close_bucket(r); /* the partial last bucket */
        if (r->ops - before > most) most = r->ops - before;
    }
    return most;
}

uint64_t vmv_model_step_to_miss(struct vmv_model *m, uint64_t limit)
{
    uint64_t done = 0;
    struct vmv_run *s = &m->runs[m->sel];
    while (done < limit && s->state == 1) {
        if (vmv_model_step(m, 1) == 0) break;
        done++;
        if (s->last_op_missed) break;
    }
    return done;
}

int vmv_model_live(const struct vmv_model *m)
{
    for (size_t i = 0; i < m->nruns; i++)
        if (m->runs[i].state == 1) return 1;
    return 0;
}

const struct vmv_bucket *vmv_hist(const struct vmv_run *r, unsigned i)
{
    return &r->hist[(r->hist_head + i) % VMV_HIST];
}

uint64_t vmv_opt_so_far(const struct vmv_run *r)
{
    if (!r->has_opt || r->opt_len == 0 || r->ops == 0) return 0;
    if (r->state == 0) return r->opt_total;
    uint64_t i = r->ops - 1;
    if (i >= r->opt_len) i = r->opt_len - 1;
    return r->opt_cum[i];
}
