/*
 * vmv_draw.c - drawing a frame of the live view (see vmv_view.h).
 *
 * Layout of a frame, top to bottom: a title bar; with several runs, a race
 * strip (one row per run: progress, hit ratio, misses against the optimum,
 * bus bytes, simulated time; click or Tab selects); the run panels (side by
 * side when up to four fit at >= 300 px each, otherwise the selected run
 * alone); a key line. A panel holds the page-slot tiles, the memory map of
 * the pool, the counters and three scrolling plots.
 *
 * Text goes through SDL2_ttf (DejaVu from fonts-dejavu-core), cached as
 * textures per (font, colour, string) and cleared when the cache fills.
 * The window, input and stepping are vmv_view.c.
 */
#include "vmv_view_impl.h"
#include "vms_units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ colours */

struct rgb {
    uint8_t r, g, b;
};
/* The palette, by what each colour marks. */
/* the frame: background, panels and their edges, the selected race row */
static const struct rgb C_BG = {VMV_RGB_BG}, C_PANEL = {0x1F, 0x24, 0x2C},
                        C_EDGE = {0x33, 0x3A, 0x46}, C_SEL = {0x2E, 0x3A, 0x4D};
/* text: main and dimmed */
static const struct rgb C_TEXT = {0xE6, 0xE9, 0xEF}, C_DIM = {0x98, 0xA1, 0xB0};
/* page-slot tiles, occupied and empty; the ground of a bar (a slot's bytes,
 * a run's progress) and of a never-touched memory-map cell */
static const struct rgb C_TILE = {0x2A, 0x31, 0x3C}, C_EMPTY = {0x1C, 0x20, 0x27},
                        C_INVALID = {0x12, 0x15, 0x1A};
/* a slot's byte ranges and the next-victim marker (shared with the legend) */
static const struct rgb C_VALID = {VMV_RGB_VALID}, C_DIRTY = {VMV_RGB_DIRTY},
                        C_VICTIM = {VMV_RGB_VICTIM};
/* events and counters; a referenced slot and a resident page share one cyan */
static const struct rgb C_HIT = {0x3C, 0xC0, 0x6A}, C_MISS = {0xE5, 0x48, 0x4D},
                        C_LOCK = {0xB4, 0x8E, 0xF0};
static const struct rgb C_REF = {0x4F, 0xC3, 0xF7}, C_RESIDENT = {0x4F, 0xC3, 0xF7};
/* plots: the optimum's curve, bus bytes */
static const struct rgb C_OPT = {0xC8, 0xC8, 0xC8}, C_BYTES = {0x7A, 0x9C, 0xF5};

static void color(struct vmv_view *v, struct rgb c)
{
    SDL_SetRenderDrawColor(v->ren, c.r, c.g, c.b, 255);
}

static struct rgb mix(struct rgb a, struct rgb b, double t)
{
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    struct rgb o = {(uint8_t)(a.r + (b.r - a.r) * t), (uint8_t)(a.g + (b.g - a.g) * t),
                    (uint8_t)(a.b + (b.b - a.b) * t)};
    return o;
}

/* Heat ramp: navy, indigo, magenta, pink, near white. It avoids the cyan
 * (resident) and orange (dirty) that outline cells on top of it. */
static struct rgb heat_color(double t)
{
    static const struct rgb stops[] = {{0x26, 0x2C, 0x52}, {0x4B, 0x2F, 0x86}, {0x8E, 0x3B, 0xA6},
                                       {0xCF, 0x6F, 0xC8}, {0xF6, 0xD8, 0xF2}};
    if (t <= 0) return stops[0];
    if (t >= 1) return stops[4];
    double x = t * 4;
    int i = (int)x;
    return mix(stops[i], stops[i + 1], x - i);
}

static void fill(struct vmv_view *v, int x, int y, int w, int h, struct rgb c)
{
    SDL_Rect r = {x, y, w, h};
    color(v, c);
    SDL_RenderFillRect(v->ren, &r);
}

static void frame_rect(struct vmv_view *v, SDL_Rect r, int t, struct rgb c)
{
    color(v, c);
    for (int i = 0; i < t; i++) {
        SDL_Rect q = {r.x + i, r.y + i, r.w - 2 * i, r.h - 2 * i};
        if (q.w <= 0 || q.h <= 0) break;
        SDL_RenderDrawRect(v->ren, &q);
    }
}

/* ------------------------------------------------------------ text */

static unsigned long hash_str(const char *s)
{
    unsigned long h = 5381;
    while (*s) h = h * 33u ^ (unsigned char)*s++;
    return h;
}

void vmv_text_cache_clear(struct vmv_view *v)
{
    for (unsigned i = 0; i < TEXT_CACHE; i++) {
        free(v->cache[i].key);
        if (v->cache[i].tex) SDL_DestroyTexture(v->cache[i].tex);
        v->cache[i].key = NULL;
        v->cache[i].tex = NULL;
    }
    v->cache_n = 0;
}

/* Draws s at (x, y); returns its width. align: 0 left, 1 right (x is the
 * right edge), 2 centred. */
static int text(struct vmv_view *v, int f, struct rgb c, int x, int y, int align, const char *s)
{
    if (!s[0]) return 0;
    char key[320];
    snprintf(key, sizeof key, "%d%02x%02x%02x|%s", f, c.r, c.g, c.b, s);
    unsigned long h = hash_str(key);
    struct text_entry *e = NULL;
    for (unsigned k = 0; k < 8; k++) {
        struct text_entry *q = &v->cache[(h + k) % TEXT_CACHE];
        if (!q->key) {
            e = q;
            break;
        }
        if (strcmp(q->key, key) == 0) {
            e = q;
            break;
        }
    }
    if (!e || v->cache_n > TEXT_CACHE * 3 / 4) {
        vmv_text_cache_clear(v);
        e = &v->cache[h % TEXT_CACHE];
    }
    if (!e->key) {
        SDL_Color col = {c.r, c.g, c.b, 255};
        SDL_Surface *su = TTF_RenderUTF8_Blended(v->font[f], s, col);
        if (!su) return 0;
        e->tex = SDL_CreateTextureFromSurface(v->ren, su);
        e->w = su->w;
        e->h = su->h;
        SDL_FreeSurface(su);
        if (!e->tex) return 0;
        e->key = strdup(key);
        v->cache_n++;
    }
    SDL_Rect d = {x, y, e->w, e->h};
    if (align == 1) d.x = x - e->w;
    if (align == 2) d.x = x - e->w / 2;
    SDL_RenderCopy(v->ren, e->tex, NULL, &d);
    return e->w;
}

static int textf(struct vmv_view *v, int f, struct rgb c, int x, int y, int align,
                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int textf(struct vmv_view *v, int f, struct rgb c, int x, int y, int align,
                 const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return text(v, f, c, x, y, align, buf);
}

static int text_width(struct vmv_view *v, int f, const char *s)
{
    int w = 0, h = 0;
    TTF_SizeUTF8(v->font[f], s, &w, &h);
    return w;
}

/* s cut (with an ellipsis) to fit max_w pixels, into buf. */
static const char *fit(struct vmv_view *v, int f, const char *s, int max_w, char *buf, size_t n)
{
    snprintf(buf, n, "%s", s);
    if (max_w <= 0) {
        buf[0] = 0;
        return buf;
    }
    size_t len = strlen(buf);
    while (len > 0 && text_width(v, f, buf) > max_w) {
        len--;
        while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80) len--; /* UTF-8 */
        if (len + 4 > n) continue;
        memcpy(buf + len, "\xe2\x80\xa6", 4); /* U+2026 */
    }
    return buf;
}
/* ------------------------------------------------------------ tiles */

struct walk_ctx {
    struct vmv_view *v;
    struct vmv_run *r;
    struct panel *p;
    int compact;
    /* memory map marks */
    uint8_t *marks;
    uint64_t ppc;
};

/* The tile's colour: a hit/miss flash, bright for 400 ms after the touch;
 * the slots the latest op touched stay tinted so a paused frame shows them. */
static struct rgb tile_color(const struct vmv_view *v, const struct vmv_run *r,
                             const struct vm_slot_info *in, struct rgb bg)
{
    if (r->flash[in->index] != VMV_NONE) {
        double k = 0;
        uint64_t age = v->now_ms - r->flash_ms[in->index];
        if (!v->frozen && v->now_ms >= r->flash_ms[in->index] && age < 400)
            k = 0.85 * (1.0 - (double)age / 400.0);
        if (r->flash_op[in->index] == r->ops && k < 0.45) k = 0.45;
        bg = mix(bg, r->flash[in->index] == VMV_HIT ? C_HIT : C_MISS, k);
    }
    return bg;
}

/* Header: slot index and the page's address range. */
static void tile_header(struct vmv_view *v, SDL_Rect t, const struct vm_slot_info *in, int empty,
                        int compact, int pad, int y)
{
    int iw = textf(v, compact ? F_SMALL : F_BOLD, C_TEXT, t.x + pad, y, 0, "#%u", in->index);
    if (!empty && t.w >= 96) {
        char a[64], af[64];
        vm_addr_t end = in->base + in->extent - 1;
        int room = t.w - 2 * pad - iw - 6 - (in->next_victim ? (compact ? 16 : 56) : 0);
        snprintf(a, sizeof a, "0x%05lX-%05lX", (unsigned long)in->base, (unsigned long)end);
        if (compact || text_width(v, F_MONO, a) > room)
            snprintf(a, sizeof a, "0x%lX", (unsigned long)in->base);
        int f = compact ? F_SMALL : F_MONO;
        text(v, f, C_DIM, t.x + pad + iw + 6, y + 1, 0, fit(v, f, a, room, af, sizeof af));
    }
}

/* The page's bytes: invalid (dark), valid (blue-grey), dirty (orange). */
static SDL_Rect tile_bar(struct vmv_view *v, struct vmv_tile_geom *g, SDL_Rect t,
                         const struct vm_slot_info *in, int empty, int compact, int pad, int y,
                         int lh)
{
    int bar_h = compact ? 6 : t.h < 56 ? 8 : 12;
    SDL_Rect bar = {t.x + pad, y + lh + 3, t.w - 2 * pad, bar_h};
    if (t.h < 30) bar.y = t.y + t.h - bar_h - 3;
    g->bar = bar;
    g->dirty.w = 0;
    fill(v, bar.x, bar.y, bar.w, bar.h, C_INVALID);
    if (!empty && in->extent) {
        int x0 = bar.x + (int)((long)in->vlo * bar.w / in->extent);
        int x1 = bar.x + (int)((long)in->vhi * bar.w / in->extent);
        if (x1 > x0) fill(v, x0, bar.y, x1 - x0, bar.h, C_VALID);
        if (in->dhi > in->dlo) {
            x0 = bar.x + (int)((long)in->dlo * bar.w / in->extent);
            x1 = bar.x + (int)((long)in->dhi * bar.w / in->extent);
            if (x1 <= x0) x1 = x0 + 1;
            SDL_Rect d = {x0, bar.y, x1 - x0, bar.h};
            g->dirty = d;
            fill(v, d.x, d.y, d.w, d.h, C_DIRTY);
        }
    }
    return bar;
}

/* Next victim: a thick yellow frame and a badge. */
static void tile_victim(struct vmv_view *v, struct vmv_tile_geom *g, SDL_Rect t,
                        const struct vm_slot_info *in, int compact)
{
    g->victim.w = 0;
    if (in->next_victim) {
        frame_rect(v, t, compact ? 2 : 3, C_VICTIM);
        int bw = compact ? 12 : 52, bh = compact ? 10 : 15;
        SDL_Rect b = {t.x + t.w - bw - 3, t.y + 3, bw, bh};
        g->victim = b;
        fill(v, b.x, b.y, b.w, b.h, C_VICTIM);
        if (!compact) text(v, F_SMALL, C_BG, b.x + b.w / 2, b.y, 2, "victim");
    }
}

/* Below the bar: clean or dirty range, reference bit, eviction position,
 * locks and (with slot statistics) loads, evictions, write-backs. */
static void tile_details(struct vmv_view *v, struct vmv_run *r, SDL_Rect t,
                         const struct vm_slot_info *in, int empty, SDL_Rect bar, int pad)
{
    int y2 = bar.y + bar.h + (t.h < 56 ? 1 : 3);
    int x = t.x + pad;
    if (empty) {
        text(v, F_SMALL, C_DIM, x, y2, 0, "empty");
    } else {
        char buf[96];
        if (in->dhi > in->dlo)
            snprintf(buf, sizeof buf, "dirty %u-%u", in->dlo, in->dhi);
        else
            snprintf(buf, sizeof buf, "clean");
        x += text(v, F_SMALL, in->dhi > in->dlo ? C_DIRTY : C_DIM, x, y2, 0, buf) + 8;
        unsigned pol = vm_policy(vmr_vm(r->run));
        int right = t.x + t.w - pad;
        if (pol == VM_POLICY_CLOCK || pol == VM_POLICY_SIEVE) {
            const char *rb = pol == VM_POLICY_CLOCK ? (in->ref ? "ref 1" : "ref 0")
                                                    : (in->ref ? "visited" : "unvisited");
            if (t.w < 150) rb = pol == VM_POLICY_CLOCK ? rb : (in->ref ? "vis 1" : "vis 0");
            x += text(v, F_SMALL, in->ref ? C_REF : C_DIM, x, y2, 0, rb) + 8;
        }
        /* Position in the policy's eviction order: 0 goes first. */
        if (in->locks) right -= 46;
        if (in->age != VM_SLOT_NONE) {
            snprintf(buf, sizeof buf, "pos %u", in->age);
            if (x + text_width(v, F_SMALL, buf) <= right)
                x += text(v, F_SMALL, C_DIM, x, y2, 0, buf) + 8;
        }
        if (in->locks) textf(v, F_SMALL, C_LOCK, t.x + t.w - pad, y2, 1, "lock %u", in->locks);
    }
#if VM_CONFIG_SLOT_STATS
    if (t.h >= 66) {
        char a[24], b[24], c[24];
        textf(v, F_SMALL, C_DIM, t.x + pad, y2 + 14, 0, "ld %s  ev %s  wb %s",
              vms_fmt_count(a, sizeof a, in->loads), vms_fmt_count(b, sizeof b, in->evictions),
              vms_fmt_count(c, sizeof c, in->writebacks));
    }
#endif
}

static void draw_tile(struct vmv_view *v, struct vmv_run *r, struct panel *p,
                      const struct vm_slot_info *in, int compact)
{
    struct vmv_tile_geom *g = &p->tile[in->index];
    SDL_Rect t = g->tile;
    int empty = in->base == VM_NO_PAGE;
    struct rgb bg = tile_color(v, r, in, empty ? C_EMPTY : C_TILE);
    fill(v, t.x, t.y, t.w, t.h, bg);
    frame_rect(v, t, 1, C_EDGE);
    int pad = compact ? 3 : 6;
    int lh = compact ? 12 : 15;
    int y = t.y + pad - 1;
    tile_header(v, t, in, empty, compact, pad, y);
    SDL_Rect bar = tile_bar(v, g, t, in, empty, compact, pad, y, lh);
    tile_victim(v, g, t, in, compact);
    if (compact || t.h < 45) {
        if (in->locks) fill(v, t.x + t.w - 8, t.y + t.h - 8, 5, 5, C_LOCK);
        return;
    }
    tile_details(v, r, t, in, empty, bar, pad);
}

static void walk_tile(void *ctx, const struct vm_slot_info *in)
{
    struct walk_ctx *w = ctx;
    if (in->index < w->p->ntiles) draw_tile(w->v, w->r, w->p, in, w->compact);
    if (in->base != VM_NO_PAGE && w->marks) {
        uint64_t cell = ((uint64_t)in->base / w->r->page_size) / w->ppc;
        if (cell < w->p->ncells) w->marks[cell] |= in->dhi > in->dlo ? 3 : 1;
    }
}

/* Tile grid: the column count that gives the largest tiles of a readable
 * shape (height at most 0.55 of the width, at most 96 px). */
static void layout_tiles(struct panel *p, unsigned n)
{
    SDL_Rect a = p->tiles;
    int gap = 5, best = -1;
    unsigned bc = 1;
    for (unsigned c = 1; c <= n; c++) {
        unsigned rows = (n + c - 1) / c;
        int tw = (a.w - gap * ((int)c - 1)) / (int)c;
        int th = (a.h - gap * ((int)rows - 1)) / (int)rows;
        if (tw < 12 || th < 10) continue;
        if (th > tw * 55 / 100) th = tw * 55 / 100;
        if (th > 96) th = 96;
        int score = tw * th;
        if (tw > 260) score = 260 * th; /* no gain from very wide tiles */
        if (score >= best) { /* ties: more columns, less empty width */
            best = score;
            bc = c;
        }
    }
    unsigned rows = (n + bc - 1) / bc;
    int tw = (a.w - gap * ((int)bc - 1)) / (int)bc;
    int th = (a.h - gap * ((int)rows - 1)) / (int)rows;
    if (th > tw * 55 / 100) th = tw * 55 / 100;
    if (th > 96) th = 96;
    if (tw > 260) tw = 260;
    if (th < 10) th = 10;
    p->ntiles = (int)n;
    for (unsigned i = 0; i < n; i++) {
        SDL_Rect t = {a.x + (int)(i % bc) * (tw + gap), a.y + (int)(i / bc) * (th + gap), tw, th};
        p->tile[i].tile = t;
    }
}

/* ------------------------------------------------------------ memory map */

/* Cells of at least 4 px; when the pool has more pages than fit, each cell
 * stands for a power-of-two run of consecutive pages (resident or dirty if
 * any of them is; heat is their summed loads). */
static void layout_map(struct panel *p, const struct vmv_run *r)
{
    SDL_Rect a = p->map;
    uint64_t ppc = 1;
    int cell = 16;
    if (a.w < 4 || a.h < 4) { /* no room (a tiny window) */
        p->cell = 4;
        p->pages_per_cell = r->npages ? r->npages : 1;
        p->ncells = 0;
        p->cols = p->rows = 0;
        p->mx = a.x;
        p->my = a.y;
        return;
    }
    for (;;) {
        uint64_t cells = (r->npages + ppc - 1) / ppc;
        int cols = a.w / cell, rows = a.h / cell;
        if (cols > 0 && rows > 0 && (uint64_t)cols * (uint64_t)rows >= cells) break;
        if (cell > 4)
            cell--;
        else
            ppc *= 2;
    }
    p->cell = cell;
    p->pages_per_cell = ppc;
    p->ncells = (r->npages + ppc - 1) / ppc;
    p->cols = a.w / cell;
    p->rows = (int)((p->ncells + (uint64_t)p->cols - 1) / (uint64_t)p->cols);
    p->mx = a.x;
    p->my = a.y;
}

static uint64_t cell_heat(const struct vmv_run *r, uint64_t first_page, uint64_t n)
{
    uint64_t a = first_page >> r->heat_shift;
    uint64_t b = (first_page + n - 1) >> r->heat_shift;
    uint64_t s = 0;
    for (uint64_t i = a; i <= b && i < r->heat_len; i++) s += r->heat[i];
    return s;
}

static void draw_map(struct vmv_view *v, struct vmv_run *r, struct panel *p)
{
    uint64_t maxh = 1;
    int gap = p->cell >= 7 ? 1 : 0;
    for (uint64_t c = 0; c < p->ncells; c++) {
        uint64_t h = cell_heat(r, c * p->pages_per_cell, p->pages_per_cell);
        if (h > maxh) maxh = h;
    }
    double lm = log((double)maxh + 1);
    for (uint64_t c = 0; c < p->ncells; c++) {
        int x = p->mx + (int)(c % (uint64_t)p->cols) * p->cell;
        int y = p->my + (int)(c / (uint64_t)p->cols) * p->cell;
        uint64_t h = cell_heat(r, c * p->pages_per_cell, p->pages_per_cell);
        struct rgb col = h ? heat_color(log((double)h + 1) / lm) : C_INVALID;
        fill(v, x, y, p->cell - gap, p->cell - gap, col);
        uint8_t mk = v->marks[c];
        if (mk) {
            SDL_Rect q = {x, y, p->cell - gap, p->cell - gap};
            if (p->cell >= 6)
                frame_rect(v, q, p->cell >= 10 ? 2 : 1, (mk & 2) ? C_DIRTY : C_RESIDENT);
            else
                fill(v, x, y, p->cell - gap, p->cell - gap, (mk & 2) ? C_DIRTY : C_RESIDENT);
        }
    }
}

/* ------------------------------------------------------------ plots */

static void plot_frame(struct vmv_view *v, SDL_Rect a, const char *title, const char *value,
                       struct rgb vc)
{
    fill(v, a.x, a.y, a.w, a.h, C_BG);
    frame_rect(v, a, 1, C_EDGE);
    text(v, F_SMALL, C_DIM, a.x + 4, a.y + 2, 0, title);
    text(v, F_SMALL, vc, a.x + a.w - 4, a.y + 2, 1, value);
}

/* One series, y in [0, ymax], over the visible buckets. */
static unsigned plot_span; /* buckets across a plot's width (set per panel) */

static void plot_series(struct vmv_view *v, SDL_Rect a, const double *ys, unsigned n, double ymax,
                        struct rgb c, int thick)
{
    if (n < 2 || ymax <= 0) return;
    color(v, c);
    int top = a.y + 16, bot = a.y + a.h - 3;
    unsigned span = plot_span > n ? plot_span : n;
    double sx = (double)(a.w - 6) / (span - 1);
    int px = 0, py = 0;
    for (unsigned i = 0; i < n; i++) {
        int x = a.x + 3 + (int)(sx * i);
        double f = ys[i] / ymax;
        if (f > 1) f = 1;
        int y = bot - (int)(f * (bot - top));
        if (i) {
            SDL_RenderDrawLine(v->ren, px, py, x, y);
            if (thick) SDL_RenderDrawLine(v->ren, px, py - 1, x, y - 1);
        }
        px = x;
        py = y;
    }
}

/* out[i] = mean of in[i-15..i]: the moving average the plots draw bold. */
static void moving_avg(const double *in, double *out, unsigned n)
{
    double acc = 0;
    for (unsigned i = 0; i < n; i++) {
        acc += in[i];
        if (i >= 16) acc -= in[i - 16];
        out[i] = acc / (i + 1 < 16 ? i + 1 : 16);
    }
}

static void draw_plots(struct vmv_view *v, struct vmv_run *r, SDL_Rect a)
{
    static double y4[VMV_HIST];
    static double y1[VMV_HIST], y2[VMV_HIST], y3[VMV_HIST];
    unsigned n = r->hist_n;
    int ph = (a.h - 8) / 3;
    /* A whole short trace fills the width; a long one scrolls VMV_HIST buckets. */
    uint64_t total_b = r->op_total ? (r->op_total + r->m->bucket_ops - 1) / r->m->bucket_ops : VMV_HIST;
    plot_span = total_b < VMV_HIST ? (unsigned)total_b : VMV_HIST;
    if (plot_span < 2) plot_span = 2;
    char val[96], b1[32], b2[32];
    /* Hit ratio per bucket, and its moving average over 16 buckets. */
    SDL_Rect p1 = {a.x, a.y, a.w, ph};
    double acc_h = 0, acc_t = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct vmv_bucket *b = vmv_hist(r, i);
        double t = (double)b->hits + b->misses;
        y1[i] = t ? 100.0 * b->hits / t : 0;
        acc_h += b->hits;
        acc_t += t;
        if (i >= 16) {
            const struct vmv_bucket *o = vmv_hist(r, i - 16);
            acc_h -= o->hits;
            acc_t -= (double)o->hits + o->misses;
        }
        y2[i] = acc_t > 0 ? 100.0 * acc_h / acc_t : 0;
    }
    snprintf(val, sizeof val, n ? "%.1f%% (avg of 16: %.1f%%)" : "-", n ? y1[n - 1] : 0.0,
             n ? y2[n - 1] : 0.0);
    plot_frame(v, p1, "hit ratio", val, C_HIT);
    plot_series(v, p1, y1, n, 100, mix(C_HIT, C_BG, 0.55), 0);
    plot_series(v, p1, y2, n, 100, C_HIT, 1);
    /* Misses per bucket against misses at the optimum. */
    SDL_Rect p2 = {a.x, a.y + ph + 4, a.w, ph};
    double ymax = 1;
    for (unsigned i = 0; i < n; i++) {
        const struct vmv_bucket *b = vmv_hist(r, i);
        y1[i] = b->misses;
        y3[i] = b->opt_misses;
        if (y1[i] > ymax) ymax = y1[i];
        if (y3[i] > ymax) ymax = y3[i];
    }
    if (r->has_opt)
        snprintf(val, sizeof val, "%s / bucket, optimum %s (grey)",
                 vms_fmt_count(b1, sizeof b1, n ? vmv_hist(r, n - 1)->misses : 0),
                 vms_fmt_count(b2, sizeof b2, n ? vmv_hist(r, n - 1)->opt_misses : 0));
    else
        snprintf(val, sizeof val, "%s (%.60s)", vms_fmt_count(b1, sizeof b1, n ? vmv_hist(r, n - 1)->misses : 0),
                 r->opt_note);
    plot_frame(v, p2, "misses", val, C_MISS);
    moving_avg(y1, y2, n);
    moving_avg(y3, y4, n);
    ymax = 1;
    for (unsigned i = 0; i < n; i++) {
        if (y2[i] > ymax) ymax = y2[i];
        if (y4[i] > ymax) ymax = y4[i];
    }
    if (r->has_opt) plot_series(v, p2, y4, n, ymax * 1.15, C_OPT, 1);
    plot_series(v, p2, y2, n, ymax * 1.15, C_MISS, 1); /* on top: grey shows the gap */
    /* Backend bytes per bucket. */
    SDL_Rect p3 = {a.x, a.y + 2 * (ph + 4), a.w, ph};
    ymax = 1;
    for (unsigned i = 0; i < n; i++) {
        y1[i] = (double)vmv_hist(r, i)->bytes;
        if (y1[i] > ymax) ymax = y1[i];
    }
    snprintf(val, sizeof val, "%s per %llu ops", vms_fmt_bytes(b1, sizeof b1, n ? y1[n - 1] : 0),
             (unsigned long long)r->m->bucket_ops);
    plot_frame(v, p3, "bus bytes", val, C_BYTES);
    moving_avg(y1, y2, n);
    plot_series(v, p3, y1, n, ymax * 1.1, mix(C_BYTES, C_BG, 0.6), 0);
    plot_series(v, p3, y2, n, ymax * 1.1, C_BYTES, 1);
}

/* ------------------------------------------------------------ counters */

/* Where the simulated time went (the split of vmsim's report): a bar in
 * four colours and their shares. Returns the next line's y. */
static int draw_time_split(struct vmv_view *v, const struct vmr_counters *c, int x, int y, int w)
{
    const uint64_t part[4] = {c->pager_ns, c->program_ns, c->transfer_ns, c->wait_ns};
    static const char *const name[4] = {"pager CPU", "program CPU", "transfer", "wait"};
    const struct rgb col[4] = {C_MISS, C_LOCK, C_BYTES, C_DIM};
    uint64_t sum = part[0] + part[1] + part[2] + part[3], upto = 0;
    int bx = x, i, tx = x;
    if (!sum) return y;
    for (i = 0; i < 4; i++) { /* the bar */
        int end;
        upto += part[i];
        end = x + (int)((double)w * (double)upto / (double)sum + 0.5);
        if (end > bx) fill(v, bx, y + 1, end - bx, 4, col[i]);
        bx = end;
    }
    y += 7;
    for (i = 0; i < 4; i++) { /* the shares */
        char t[40];
        snprintf(t, sizeof t, "%s %.0f%%", name[i], 100.0 * (double)part[i] / (double)sum);
        tx += text(v, F_SMALL, col[i], tx, y, 0, t) + 10;
    }
    return y + 13;
}

/* The latest op, for single stepping: what it did, hit or miss, and the
 * page a miss pushed out when there is room before `right`. */
static void draw_last_op(struct vmv_view *v, const struct vmv_run *r, int x, int y, int right)
{
    char what[96];
    unsigned k = r->last_kind;
    int touches = !(k == VMT_FLUSH || k == VMT_INVALIDATE || k == VMT_PHASE ||
                    k == VMT_UNLOCK || k == VMT_FREE || k == VMT_ALLOC || k == VMT_COMPUTE);
    if (k == VMT_COMPUTE)
        snprintf(what, sizeof what, "last op: compute %lu %s", (unsigned long)r->last_len,
                 r->last_mode == VMT_COMPUTE_NS ? "ns" : "cycles");
    else if (!touches)
        snprintf(what, sizeof what, "last op: %s", vmt_kind_name(k));
    else if (r->last_region)
        snprintf(what, sizeof what, "last op: %s region %u +0x%llX, %lu B", vmt_kind_name(k),
                 r->last_region, (unsigned long long)r->last_addr, (unsigned long)r->last_len);
    else
        snprintf(what, sizeof what, "last op: %s 0x%llX, %lu B", vmt_kind_name(k),
                 (unsigned long long)r->last_addr, (unsigned long)r->last_len);
    int tw = text(v, F_NORMAL, C_DIM, x, y, 0, what);
    if (touches)
        tw += 8 + text(v, F_BOLD, r->last_op_missed ? C_MISS : C_HIT, x + tw + 8, y, 0,
                       r->last_op_missed ? "miss" : "hit");
    /* What the miss cost, when there is room: the page it pushed out. */
    if (touches && r->first_evict >= 0) {
        snprintf(what, sizeof what, "evicted 0x%lX from #%d%s",
                 (unsigned long)r->first_evict_page, r->first_evict,
                 r->last_writebacks ? ", written back" : "");
        if (x + tw + 10 + text_width(v, F_SMALL, what) <= right)
            text(v, F_SMALL, r->last_writebacks ? C_DIRTY : C_DIM, x + tw + 10, y + 2, 0,
                 what);
    }
}

static void draw_counters(struct vmv_view *v, struct vmv_run *r, SDL_Rect a)
{
    const struct vmr_counters *c = vmr_counters(r->run);
    char b1[32], b2[32], b3[32], b4[32];
    int lh = 15, x = a.x + 6, y = a.y + 4;
    int x2 = a.x + a.w / 2 + 4;
    fill(v, a.x, a.y, a.w, a.h, C_PANEL);
    double hr = c->touches ? 100.0 * (double)c->hits / (double)c->touches : 0;
    if (r->op_total)
        textf(v, F_NORMAL, C_TEXT, x, y, 0, "op %s of %s (%.1f%%)", vms_fmt_count(b1, 32, r->ops),
              vms_fmt_count(b2, 32, r->op_total), 100.0 * (double)r->ops / (double)r->op_total);
    else
        textf(v, F_NORMAL, C_TEXT, x, y, 0, "op %s", vms_fmt_count(b1, 32, r->ops));
    if (r->state == 0) text(v, F_BOLD, C_HIT, a.x + a.w - 6, y, 1, "done");
    if (r->state < 0) text(v, F_BOLD, C_MISS, a.x + a.w - 6, y, 1, "FAILED");
    y += lh + 2;
    textf(v, F_NORMAL, C_HIT, x, y, 0, "hits %s (%.1f%%)", vms_fmt_count(b1, 32, c->hits), hr);
    textf(v, F_NORMAL, C_MISS, x2, y, 0, "misses %s", vms_fmt_count(b1, 32, c->misses));
    y += lh;
    if (r->has_opt)
        textf(v, F_NORMAL, C_OPT, x, y, 0, "at the optimum %s (whole trace %s)",
              vms_fmt_count(b1, 32, vmv_opt_so_far(r)), vms_fmt_count(b2, 32, r->opt_total));
    else
        textf(v, F_NORMAL, C_DIM, x, y, 0, "%s", r->opt_note);
    y += lh;
    textf(v, F_NORMAL, C_TEXT, x, y, 0, "loads %s  fills %s", vms_fmt_count(b1, 32, c->loads),
          vms_fmt_count(b2, 32, c->fills));
    textf(v, F_NORMAL, C_DIRTY, x2, y, 0, "write-backs %s", vms_fmt_count(b1, 32, c->writebacks));
    y += lh;
    textf(v, F_NORMAL, C_BYTES, x, y, 0, "bus read %s  written %s", vms_fmt_bytes(b1, 32, (double)c->bytes_read),
          vms_fmt_bytes(b2, 32, (double)c->bytes_written));
    y += lh;
    uint64_t prog = c->access_read + c->access_written;
    textf(v, F_NORMAL, C_TEXT, x, y, 0, "program bytes %s  traffic %.2fx",
          vms_fmt_bytes(b1, 32, (double)prog),
          prog ? (double)(c->bytes_read + c->bytes_written) / (double)prog : 0.0);
    y += lh;
    double tp = c->time_ns ? (double)prog / ((double)c->time_ns * 1e-9) : 0;
    if (c->time_ns)
        textf(v, F_NORMAL, C_TEXT, x, y, 0, "simulated %s  throughput %s/s",
              vms_fmt_time(b3, 32, c->time_ns, VMS_TIME_FINE), vms_fmt_bytes(b4, 32, tp));
    else
        text(v, F_NORMAL, C_DIM, x, y, 0, "simulated time 0 (ideal ram backend)");
    y += lh;
    if (c->time_ns) y = draw_time_split(v, c, x, y, a.x + a.w - 6 - x);
    if (c->backend_errors || c->op_errors) {
        textf(v, F_NORMAL, C_MISS, x, y, 0, "errors: backend %llu, ops %llu",
              (unsigned long long)c->backend_errors, (unsigned long long)c->op_errors);
    } else if (r->ops) {
        draw_last_op(v, r, x, y, a.x + a.w - 4);
    }
    if (r->phase[0] && r->state >= 0) {
        char ph[64];
        snprintf(ph, sizeof ph, "phase %s", r->phase);
        if (r->state == 1) text(v, F_SMALL, C_DIM, a.x + a.w - 6, a.y + 6, 1, ph);
    }
    if (r->state < 0) text(v, F_SMALL, C_MISS, x, a.y + a.h - 14, 0, r->error);
}

/* ------------------------------------------------------------ panels */

#define MAP_TITLE 16 /* the memory map's title line */

/* Where the tiles, the map, the counters and the plots go inside `in`: side
 * by side when the panel is wide, otherwise stacked. */
static void layout_panel(struct panel *p, const struct vmv_run *r, SDL_Rect in)
{
    int wide = in.w >= 860;
    SDL_Rect left = in, right = in;
    if (wide) {
        left.w = in.w * 56 / 100;
        right.x = left.x + left.w + 12;
        right.w = in.w - left.w - 12;
    }
    if (wide) {
        p->tiles = left;
        p->tiles.h = left.h * 62 / 100;
        p->map = left;
        p->map.y = p->tiles.y + p->tiles.h + 8 + MAP_TITLE;
        p->map.h = left.y + left.h - p->map.y;
        p->counters = right;
        p->counters.h = 170;
        p->plots = right;
        p->plots.y = right.y + 178;
        p->plots.h = right.h - 178;
    } else {
        /* Stacked: counters and plots keep a fixed share while there is room
         * (plots go first when the panel is short, then the counters, then
         * the map); the map takes what its cells need at 9 px (at most 14%);
         * the tiles get the rest. */
        int h = in.h;
        int plots_h = h >= 520 ? (h * 24 / 100 < 126 ? 126 : h * 24 / 100) : h >= 430 ? 96 : 0;
        int counters_h = h >= 300 ? 150 : 0;
        int cols = in.w / 9 > 0 ? in.w / 9 : 1;
        int need = (int)((r->npages + (uint64_t)cols - 1) / (uint64_t)cols) * 9;
        int map_h = need < h * 14 / 100 ? need : h * 14 / 100;
        if (map_h < 36) map_h = 36;
        if (h < 220) map_h = 0;
        p->plots = in;
        p->plots.h = plots_h;
        p->plots.y = in.y + in.h - plots_h;
        p->counters = in;
        p->counters.h = counters_h;
        p->counters.y = p->plots.y - (plots_h ? 6 : 0) - counters_h;
        p->map = in;
        p->map.h = map_h;
        p->map.y = p->counters.y - (counters_h ? 8 : 0) - map_h;
        p->tiles = in;
        p->tiles.h = p->map.y - (map_h ? MAP_TITLE + 6 : 0) - in.y;
    }
}

/* The memory map's title (its scale) and legend (resident, dirty, heat). */
static void draw_map_legend(struct vmv_view *v, const struct vmv_run *r, const struct panel *p)
{
    char b1[32], b2[32], msg[160];
    if (p->pages_per_cell == 1)
        snprintf(msg, sizeof msg, "memory map: %llu pages, 1 cell = 1 page (%u B)",
                 (unsigned long long)r->npages, r->page_size);
    else
        snprintf(msg, sizeof msg, "memory map: %llu pages, 1 cell = %llu pages (%s)",
                 (unsigned long long)r->npages, (unsigned long long)p->pages_per_cell,
                 vms_fmt_bytes(b1, 32, (double)p->pages_per_cell * r->page_size));
    int tw = p->map.h >= 4 ? text(v, F_SMALL, C_DIM, p->map.x, p->map.y - MAP_TITLE, 0, msg) : 0;
    int lx = p->map.x + p->map.w, ly = p->map.y - MAP_TITLE;
    int room = p->map.w - tw - 12;
    if (p->map.h < 4) room = 0;
    if (room > text_width(v, F_SMALL, "resident dirty") + 30) {
        lx -= text(v, F_SMALL, C_DIRTY, lx, ly, 1, "dirty") + 10;
        lx -= text(v, F_SMALL, C_RESIDENT, lx, ly, 1, "resident") + 10;
        room -= lx < p->map.x + p->map.w ? p->map.x + p->map.w - lx : 0;
    }
    if (room > 150) {
        /* The heat ramp, from one load to the most loads of a cell. */
        snprintf(msg, sizeof msg, "%s loads", vms_fmt_count(b2, 32, r->heat_max));
        lx -= text(v, F_SMALL, C_DIM, lx, ly, 1, msg) + 4;
        for (int i = 0; i < 40; i++) fill(v, lx - 40 + i, ly + 3, 1, 9, heat_color(i / 39.0));
        text(v, F_SMALL, C_DIM, lx - 44, ly, 1, "1");
    }
}

static void draw_panel(struct vmv_view *v, size_t ri, SDL_Rect a)
{
    struct vmv_run *r = &v->m.runs[ri];
    struct panel *p = &v->panels[ri];
    p->shown = 1;
    p->all = a;
    fill(v, a.x, a.y, a.w, a.h, C_PANEL);
    if (ri == v->m.sel && v->m.nruns > 1) frame_rect(v, a, 1, C_RESIDENT);
    /* Title: the run, its policy and geometry. */
    struct vm *vm = vmr_vm(r->run);
    char t[300], tf[300];
    snprintf(t, sizeof t, "%u. %s", (unsigned)ri + 1, r->title);
    text(v, F_BOLD, C_TEXT, a.x + 8, a.y + 5, 0, fit(v, F_BOLD, t, a.w - 16, tf, sizeof tf));
    textf(v, F_SMALL, C_DIM, a.x + 8, a.y + 23, 0, "%s, %u pages of %u B, pool %llu B",
          vm_policy_name(vm_policy(vm)), r->page_count, r->page_size, (unsigned long long)r->pool);
    int top = a.y + 42;
    SDL_Rect in = {a.x + 8, top, a.w - 16, a.y + a.h - top - 8};
    layout_panel(p, r, in);
    layout_tiles(p, r->page_count);
    layout_map(p, r);
    if (v->marks_cap < p->ncells) {
        free(v->marks);
        v->marks = malloc((size_t)p->ncells);
        v->marks_cap = v->marks ? (size_t)p->ncells : 0;
    }
    if (v->marks) memset(v->marks, 0, (size_t)p->ncells);
    struct walk_ctx w = {v, r, p, 0, v->marks, p->pages_per_cell};
    w.compact = p->ntiles > 0 && (p->tile[0].tile.w < 118 || p->tile[0].tile.h < 46);
    vm_walk(vm, walk_tile, &w);
    draw_map_legend(v, r, p);
    if (v->marks) draw_map(v, r, p);
    if (p->counters.h > 0) draw_counters(v, r, p->counters);
    if (p->plots.h > 60) draw_plots(v, r, p->plots);
}

static void draw_race(struct vmv_view *v, SDL_Rect a)
{
    struct vmv_model *m = &v->m;
    int rh = v->race_row_h;
    char b1[32], b2[32], b3[32], b4[32];
    /* Best miss count so far, to show who leads. */
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; i < m->nruns; i++) {
        const struct vmr_counters *c = vmr_counters(m->runs[i].run);
        if (c->misses < best) best = c->misses;
    }
    size_t rows = (size_t)(a.h / rh);
    /* Many runs: a window of rows that keeps the selected run in view. */
    size_t first = m->sel >= rows / 2 ? m->sel - rows / 2 : 0;
    if (first + rows > m->nruns) first = m->nruns > rows ? m->nruns - rows : 0;
    v->race_first = first;
    if (m->nruns > rows)
        textf(v, F_SMALL, C_DIM, a.x + a.w - 4, a.y + a.h + 1, 1,
              "runs %zu-%zu of %zu (Tab, 1-9 or click to select)", first + 1, first + rows,
              m->nruns);
    for (size_t i = first; i < m->nruns && i < first + rows; i++) {
        struct vmv_run *r = &m->runs[i];
        const struct vmr_counters *c = vmr_counters(r->run);
        int y = a.y + (int)(i - first) * rh;
        if (i == m->sel) fill(v, a.x, y, a.w, rh, C_SEL);
        int bx = a.x + a.w * 38 / 100, bw = a.w * 14 / 100;
        char t[300], tf[300];
        snprintf(t, sizeof t, "%u. %s", (unsigned)i + 1, r->title);
        int fnt = i == m->sel ? F_BOLD : F_NORMAL;
        text(v, fnt, C_TEXT, a.x + 6, y + 1, 0, fit(v, fnt, t, bx - a.x - 14, tf, sizeof tf));
        fill(v, bx, y + 5, bw, rh - 10, C_INVALID);
        double f = r->op_total ? (double)r->ops / (double)r->op_total : 0;
        fill(v, bx, y + 5, (int)(bw * (f > 1 ? 1 : f)), rh - 10, C_RESIDENT);
        double hr = c->touches ? 100.0 * (double)c->hits / (double)c->touches : 0;
        int x = bx + bw + 10;
        textf(v, F_NORMAL, C_HIT, x, y + 1, 0, "hit %.1f%%", hr);
        x += a.w * 9 / 100;
        textf(v, F_NORMAL, c->misses == best ? C_HIT : C_MISS, x, y + 1, 0, "misses %s",
              vms_fmt_count(b1, 32, c->misses));
        if (a.w < 1000) continue; /* narrow: name, progress, hit ratio and misses only */
        x += a.w * 11 / 100;
        if (r->has_opt)
            textf(v, F_NORMAL, C_OPT, x, y + 1, 0, "opt %s", vms_fmt_count(b2, 32, vmv_opt_so_far(r)));
        x += a.w * 8 / 100;
        textf(v, F_NORMAL, C_BYTES, x, y + 1, 0, "bus %s",
              vms_fmt_bytes(b3, 32, (double)(c->bytes_read + c->bytes_written)));
        x += a.w * 10 / 100;
        textf(v, F_NORMAL, C_TEXT, x, y + 1, 0, "%s", vms_fmt_time(b4, 32, c->time_ns, VMS_TIME_FINE));
    }
}

/* vm_walk reports every slot; pick_slot keeps the one asked for. */
struct pick {
    unsigned want;
    struct vm_slot_info *out;
};
static void pick_slot(void *ctx, const struct vm_slot_info *in)
{
    struct pick *pk = ctx;
    if (in->index == pk->want) *pk->out = *in;
}

static void draw_tooltip(struct vmv_view *v)
{
    int mx = v->mouse_x, my = v->mouse_y;
    if (mx < 0) return;
    char lines[6][128];
    int n = 0;
    for (size_t ri = 0; ri < v->m.nruns && n == 0; ri++) {
        struct panel *p = &v->panels[ri];
        struct vmv_run *r = &v->m.runs[ri];
        if (!p->shown) continue;
        for (int i = 0; i < p->ntiles; i++) {
            SDL_Rect t = p->tile[i].tile;
            SDL_Point pt = {mx, my};
            if (!SDL_PointInRect(&pt, &t)) continue;
            const struct vm *vm = vmr_vm(r->run);
            struct vm_slot_info found;
            memset(&found, 0, sizeof found);
            found.index = 0xFF;
            struct pick pk = {(unsigned)i, &found};
            vm_walk(vm, pick_slot, &pk);
            if (found.index == 0xFF) break;
            if (found.base == VM_NO_PAGE) {
                snprintf(lines[n++], 128, "slot %u: empty", found.index);
            } else {
                snprintf(lines[n++], 128, "slot %u: page 0x%lX-0x%lX (%u B)", found.index,
                         (unsigned long)found.base,
                         (unsigned long)(found.base + found.extent - 1), found.extent);
                snprintf(lines[n++], 128, "valid bytes [%u, %u)  dirty [%u, %u)%s", found.vlo,
                         found.vhi, found.dlo, found.dhi, found.dhi > found.dlo ? "" : " (clean)");
                snprintf(lines[n++], 128, "locks %u  ref/visited %u  position %u%s",
                         found.locks, found.ref, found.age,
                         found.next_victim ? "  NEXT VICTIM" : "");
            }
#if VM_CONFIG_SLOT_STATS
            snprintf(lines[n++], 128, "loads %llu  evictions %llu  write-backs %llu",
                     (unsigned long long)found.loads, (unsigned long long)found.evictions,
                     (unsigned long long)found.writebacks);
#endif
            break;
        }
        if (n == 0 && mx >= p->mx && my >= p->my && p->cols > 0) {
            uint64_t c = (uint64_t)((my - p->my) / p->cell) * (uint64_t)p->cols +
                         (uint64_t)((mx - p->mx) / p->cell);
            if ((mx - p->mx) / p->cell < p->cols && c < p->ncells) {
                uint64_t first = c * p->pages_per_cell;
                uint64_t last = first + p->pages_per_cell - 1;
                if (last >= r->npages) last = r->npages - 1;
                uint64_t a0 = first * r->page_size, a1 = (last + 1) * r->page_size - 1;
                if (a1 >= r->pool) a1 = r->pool - 1;
                if (p->pages_per_cell == 1)
                    snprintf(lines[n++], 128, "page %llu: 0x%llX-0x%llX", (unsigned long long)first,
                             (unsigned long long)a0, (unsigned long long)a1);
                else
                    snprintf(lines[n++], 128, "pages %llu-%llu: 0x%llX-0x%llX",
                             (unsigned long long)first, (unsigned long long)last,
                             (unsigned long long)a0, (unsigned long long)a1);
                snprintf(lines[n++], 128, "loaded %llu times",
                         (unsigned long long)cell_heat(r, first, last - first + 1));
                int s = p->pages_per_cell == 1 ? vm_slot_of(vmr_vm(r->run), (vm_addr_t)a0) : -1;
                if (s >= 0) snprintf(lines[n++], 128, "resident in slot %d", s);
            }
        }
    }
    if (n == 0) return;
    int w = 0;
    for (int i = 0; i < n; i++) {
        int tw = text_width(v, F_NORMAL, lines[i]);
        if (tw > w) w = tw;
    }
    int h = n * 16 + 8;
    int x = mx + 16, y = my + 16;
    if (x + w + 12 > v->w) x = mx - w - 20;
    if (y + h > v->h) y = my - h - 8;
    fill(v, x, y, w + 12, h, C_BG);
    frame_rect(v, (SDL_Rect){x, y, w + 12, h}, 1, C_RESIDENT);
    for (int i = 0; i < n; i++) text(v, F_NORMAL, C_TEXT, x + 6, y + 4 + i * 16, 0, lines[i]);
}

static void draw_help(struct vmv_view *v)
{
    static const char *const keys[][2] = {
        {"Space / P", "pause or resume"},
        {"Right / .", "step one operation (pauses)"},
        {"N", "step to the selected run's next miss"},
        {"Up / +   Down / -", "faster / slower"},
        {"Home / End", "real time on the simulated clock / as fast as possible"},
        {"R", "restart every run from the first operation"},
        {"Tab / 1-9 / click", "select a run (the race strip lists them all)"},
        {"F", "show only the selected run, or all side by side"},
        {"S / F12", "save a screenshot (vmsim-view-NNN.png)"},
        {"mouse over", "a tile or a memory-map cell: its address and counters"},
        {"H / F1", "this help"},
        {"Q / Esc", "quit (vmsim then runs the scenario headless and reports)"},
    };
    int n = (int)(sizeof keys / sizeof keys[0]);
    int w = 620, h = n * 20 + 120;
    int x = (v->w - w) / 2, y = (v->h - h) / 2;
    fill(v, x, y, w, h, C_BG);
    frame_rect(v, (SDL_Rect){x, y, w, h}, 2, C_RESIDENT);
    text(v, F_TITLE, C_TEXT, x + 16, y + 12, 0, "Keys");
    for (int i = 0; i < n; i++) {
        text(v, F_BOLD, C_VICTIM, x + 16, y + 44 + i * 20, 0, keys[i][0]);
        text(v, F_NORMAL, C_TEXT, x + 190, y + 44 + i * 20, 0, keys[i][1]);
    }
    int ly = y + 52 + n * 20;
    fill(v, x + 16, ly + 3, 24, 10, C_VALID);
    text(v, F_SMALL, C_DIM, x + 46, ly, 0, "valid bytes");
    fill(v, x + 136, ly + 3, 24, 10, C_DIRTY);
    text(v, F_SMALL, C_DIM, x + 166, ly, 0, "dirty bytes");
    fill(v, x + 256, ly + 3, 24, 10, C_VICTIM);
    text(v, F_SMALL, C_DIM, x + 286, ly, 0, "next victim");
    fill(v, x + 376, ly + 3, 24, 10, C_HIT);
    text(v, F_SMALL, C_DIM, x + 406, ly, 0, "hit");
    fill(v, x + 446, ly + 3, 24, 10, C_MISS);
    text(v, F_SMALL, C_DIM, x + 476, ly, 0, "miss");
    text(v, F_SMALL, C_DIM, x + 16, ly + 20, 0,
         "Tiles are the page buffers; the bar spans the page's bytes. pos = order of eviction (0 first).");
}

void vmv_view_draw(struct vmv_view *v)
{
    double t0 = vmv_wall_s();
    struct vmv_model *m = &v->m;
    color(v, C_BG);
    SDL_RenderClear(v->ren);
    for (size_t i = 0; i < m->nruns; i++) v->panels[i].shown = 0;
    /* Title bar. */
    char b1[32], b2[32];
    textf(v, F_TITLE, C_TEXT, 12, 8, 0, "%s", m->sc->name);
    struct vmv_run *sel = &m->runs[m->sel];
    int sw = textf(v, F_BOLD, v->paused ? C_VICTIM : C_HIT, v->w - 12, 9, 1, "%s  |  %s",
                   v->paused ? "PAUSED" : (vmv_model_live(m) ? "running" : "finished"),
                   vmv_speed_name(v->speed));
    if (m->sc->description[0]) {
        char d[320];
        int dx = 12 + text_width(v, F_TITLE, m->sc->name) + 14;
        text(v, F_NORMAL, C_DIM, dx, 11, 0,
             fit(v, F_NORMAL, m->sc->description, v->w - 12 - sw - 24 - dx, d, sizeof d));
    }
    int y = 36;
    /* Race strip. */
    v->race.w = 0;
    if (m->nruns > 1) {
        v->race_row_h = 20;
        int rows = (int)m->nruns;
        int fit_rows = (v->h - 420) / v->race_row_h; /* leave the panels >= ~360 px */
        if (fit_rows < 2) fit_rows = 2;
        if (rows > 8) rows = 8;
        if (rows > fit_rows) rows = fit_rows;
        v->race = (SDL_Rect){8, y, v->w - 16, rows * v->race_row_h};
        draw_race(v, v->race);
        y += v->race.h + (m->nruns > (size_t)rows ? 18 : 8);
    }
    /* Panels. */
    SDL_Rect area = {8, y, v->w - 16, v->h - y - 28};
    size_t n = m->nruns;
    int side = !v->focus && n > 1 && n <= 4 && (area.w - 8 * ((int)n - 1)) / (int)n >= 300;
    if (side) {
        int pw = (area.w - 8 * ((int)n - 1)) / (int)n;
        for (size_t i = 0; i < n; i++)
            draw_panel(v, i, (SDL_Rect){area.x + (int)i * (pw + 8), area.y, pw, area.h});
    } else {
        draw_panel(v, m->sel, area);
    }
    /* Key line. */
    int ky = v->h - 22;
    text(v, F_SMALL, C_DIM, 12, ky + 3, 0,
         v->w >= 1100 ? "Space pause   . step   N next miss   +/- speed   R restart   Tab run   "
                        "F focus   S screenshot   H help   Q quit"
                      : "Space pause   . step   +/- speed   H help");
    if (v->status[0] && v->now_ms - v->status_ms < 4000)
        text(v, F_SMALL, C_VICTIM, v->w - 12, ky + 3, 1, v->status);
    else {
        /* In a window, the mean draw time of the last frames (not in
         * screenshots, which stay the same from run to run). */
        char dt[48] = "";
        if (v->win && v->frames)
            snprintf(dt, sizeof dt, "   draw %.1f ms", 1e3 * v->draw_recent);
        textf(v, F_SMALL, C_DIM, v->w - 12, ky + 3, 1, "op %s / %s   bucket = %llu ops%s",
              vms_fmt_count(b1, 32, sel->ops), sel->op_total ? vms_fmt_count(b2, 32, sel->op_total) : "?",
              (unsigned long long)m->bucket_ops, dt);
    }
    draw_tooltip(v);
    if (v->help) draw_help(v);
    v->readback_ok = 0;
    if (v->win) SDL_RenderPresent(v->ren);
    double dt = vmv_wall_s() - t0;
    v->frames++;
    v->draw_s += dt;
    v->draw_recent = v->frames == 1 ? dt : 0.9 * v->draw_recent + 0.1 * dt;
    if (dt > v->draw_max) v->draw_max = dt;
}

int vmv_view_tile(const struct vmv_view *v, size_t run, unsigned slot, struct vmv_tile_geom *g)
{
    if (run >= v->m.nruns || !v->panels[run].shown || (int)slot >= v->panels[run].ntiles)
        return -1;
    *g = v->panels[run].tile[slot];
    return 0;
}

int vmv_view_counters_rect(const struct vmv_view *v, size_t run, SDL_Rect *r)
{
    if (run >= v->m.nruns || !v->panels[run].shown) return -1;
    *r = v->panels[run].counters;
    return 0;
}
