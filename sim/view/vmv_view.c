/*
 * vmv_view.c - the live view's window and its events: opening a window or an
 * offscreen surface, fonts, speeds, stepping the runs in wall-clock time,
 * keyboard and mouse input, screenshots and pixel read-back (see vmv_view.h).
 * Drawing a frame is vmv_draw.c.
 */
#include "vmv_view_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL_image.h>

#ifndef VMV_FONT_DIR
#define VMV_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif

/* ------------------------------------------------------------ speeds */

struct speed {
    const char *name;
    double ops_per_s; /* > 0: a fixed op rate */
    double sim_ratio; /* > 0: simulated seconds per wall second */
};
static const struct speed speeds[] = {
    {"1 op/s", 1, 0},        {"3 ops/s", 3, 0},       {"10 ops/s", 10, 0},
    {"30 ops/s", 30, 0},     {"100 ops/s", 100, 0},   {"300 ops/s", 300, 0},
    {"1000 ops/s", 1000, 0}, {"real time (simulated clock x1)", 0, 1},
    {"simulated clock x10", 0, 10},  {"simulated clock x100", 0, 100},
    {"simulated clock x1000", 0, 1000}, {"as fast as possible", 0, 0},
};
#define NSPEEDS ((int)(sizeof speeds / sizeof speeds[0]))
#define SPEED_REAL 7
#define SPEED_MAX (NSPEEDS - 1)

int vmv_speed_count(void) { return NSPEEDS; }
const char *vmv_speed_name(int level)
{
    return level >= 0 && level < NSPEEDS ? speeds[level].name : "?";
}
int vmv_speed_real_time(void) { return SPEED_REAL; }
int vmv_speed_max(void) { return SPEED_MAX; }

/* ------------------------------------------------------------ life */

struct vmv_view *vmv_view_new(const struct vms_scenario *sc, const struct vmv_options *o,
                              char *err, size_t errlen)
{
    struct vmv_view *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (o) v->o = *o;
    else {
        v->o.opt = 1;
        v->o.speed = -1;
    }
    v->speed = v->o.speed < 0 || v->o.speed >= NSPEEDS ? SPEED_REAL : v->o.speed;
    v->paused = v->o.paused;
    v->mouse_x = v->mouse_y = -1;
    if (vmv_model_open(&v->m, sc, v->o.opt, err, errlen)) {
        free(v);
        return NULL;
    }
    v->panels = calloc(v->m.nruns, sizeof *v->panels);
    if (!v->panels) {
        snprintf(err, errlen, "out of memory");
        vmv_view_free(v);
        return NULL;
    }
    return v;
}

static int open_fonts(struct vmv_view *v, char *err, size_t errlen)
{
    static const char *const files[F_COUNT] = {"DejaVuSans.ttf", "DejaVuSans.ttf",
                                               "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf",
                                               "DejaVuSans-Bold.ttf"};
    static const int sizes[F_COUNT] = {11, 13, 13, 12, 16};
    if (!TTF_WasInit() && TTF_Init() < 0) {
        snprintf(err, errlen, "SDL2_ttf: %s", TTF_GetError());
        return -1;
    }
    for (int i = 0; i < F_COUNT; i++) {
        char path[512];
        const char *dir = getenv("VMV_FONT_DIR");
        snprintf(path, sizeof path, "%s/%s", dir ? dir : VMV_FONT_DIR, files[i]);
        v->font[i] = TTF_OpenFont(path, sizes[i]);
        if (!v->font[i]) {
            snprintf(err, errlen, "cannot open font %s: %s (install fonts-dejavu-core)", path,
                     TTF_GetError());
            return -1;
        }
    }
    return 0;
}

/* 1 when r is an OpenGL renderer whose GL is a CPU rasteriser. */
static int gl_is_software(SDL_Renderer *r)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r, &info) < 0 || strncmp(info.name, "opengl", 6) != 0) return 0;
    typedef const unsigned char *(*get_string_fn)(unsigned);
    get_string_fn get = NULL;
    void *p = SDL_GL_GetProcAddress("glGetString");
    memcpy(&get, &p, sizeof get); /* object to function pointer, as POSIX allows */
    const char *name = get ? (const char *)get(0x1F01 /* GL_RENDERER */) : NULL;
    return name && (strstr(name, "llvmpipe") || strstr(name, "softpipe") || strstr(name, "swrast"));
}

int vmv_view_open_window(struct vmv_view *v, int w, int h, char *err, size_t errlen)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        snprintf(err, errlen, "SDL video: %s", SDL_GetError());
        return -1;
    }
    char title[256];
    snprintf(title, sizeof title, "vmsim live view: %s", v->m.sc->name);
    v->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                              SDL_WINDOW_RESIZABLE);
    if (!v->win) {
        snprintf(err, errlen, "SDL window: %s", SDL_GetError());
        return -1;
    }
    SDL_SetWindowMinimumSize(v->win, 640, 400);
    v->ren = SDL_CreateRenderer(v->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (v->ren && !getenv("SDL_RENDER_DRIVER") && gl_is_software(v->ren)) {
        /* OpenGL emulated on the CPU (llvmpipe under Xvfb) draws our many
         * small rectangles about 3x slower than SDL's own software renderer. */
        SDL_DestroyRenderer(v->ren);
        v->ren = NULL;
    }
    if (!v->ren) v->ren = SDL_CreateRenderer(v->win, -1, SDL_RENDERER_SOFTWARE);
    if (!v->ren) {
        snprintf(err, errlen, "SDL renderer: %s", SDL_GetError());
        return -1;
    }
    SDL_GetRendererOutputSize(v->ren, &v->w, &v->h);
    return open_fonts(v, err, errlen);
}

int vmv_view_open_offscreen(struct vmv_view *v, int w, int h, char *err, size_t errlen)
{
    v->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!v->surf) {
        snprintf(err, errlen, "SDL surface %dx%d: %s", w, h, SDL_GetError());
        return -1;
    }
    v->ren = SDL_CreateSoftwareRenderer(v->surf);
    if (!v->ren) {
        snprintf(err, errlen, "SDL software renderer: %s", SDL_GetError());
        return -1;
    }
    v->w = w;
    v->h = h;
    return open_fonts(v, err, errlen);
}

void vmv_view_free(struct vmv_view *v)
{
    if (!v) return;
    if (v->ren) vmv_text_cache_clear(v);
    for (int i = 0; i < F_COUNT; i++)
        if (v->font[i]) TTF_CloseFont(v->font[i]);
    if (v->ren) SDL_DestroyRenderer(v->ren);
    if (v->win) SDL_DestroyWindow(v->win);
    if (v->surf) SDL_FreeSurface(v->surf);
    vmv_model_close(&v->m);
    free(v->panels);
    free(v->marks);
    free(v->readback);
    free(v);
}

struct vmv_model *vmv_view_model(struct vmv_view *v) { return &v->m; }
int vmv_view_paused(const struct vmv_view *v) { return v->paused; }
int vmv_view_speed(const struct vmv_view *v) { return v->speed; }
void vmv_view_set_speed(struct vmv_view *v, int level)
{
    if (level >= 0 && level < NSPEEDS) v->speed = level;
}
void vmv_view_size(const struct vmv_view *v, int *w, int *h)
{
    *w = v->w;
    *h = v->h;
}
SDL_Window *vmv_view_window(struct vmv_view *v) { return v->win; }
int vmv_view_help_shown(const struct vmv_view *v) { return v->help; }
void vmv_view_set_now(struct vmv_view *v, uint64_t ms)
{
    v->frozen = ms >= UINT64_MAX / 2;
    v->now_ms = ms;
    v->m.now_ms = ms;
}
void vmv_view_frame_stats(const struct vmv_view *v, uint64_t *frames, double *draw_s,
                          double *max_s)
{
    *frames = v->frames;
    *draw_s = v->draw_s;
    *max_s = v->draw_max;
}

double vmv_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ stepping */

static void set_status(struct vmv_view *v, const char *s)
{
    snprintf(v->status, sizeof v->status, "%s", s);
    v->status_ms = v->now_ms;
}

void vmv_view_advance(struct vmv_view *v, double dt, double budget)
{
    struct vmv_model *m = &v->m;
    m->now_ms = v->now_ms;
    if (v->paused || !vmv_model_live(m)) {
        v->carry = 0;
        return;
    }
    const struct speed *sp = &speeds[v->speed];
    struct vmv_run *sel = &m->runs[m->sel];
    double t0 = vmv_wall_s();
    if (sp->ops_per_s > 0 || (sp->sim_ratio > 0 && vmr_time_ns(sel->run) == 0)) {
        /* A fixed op rate; a backend whose clock does not move (ram) runs
         * a simulated-clock level at 1000 ops/s per x1. */
        double rate = sp->ops_per_s > 0 ? sp->ops_per_s : 1000 * sp->sim_ratio;
        v->carry += rate * dt;
        uint64_t n = (uint64_t)v->carry;
        v->carry -= (double)n;
        while (n > 0 && vmv_model_live(m)) {
            uint64_t k = n < 512 ? n : 512;
            vmv_model_step(m, k);
            n -= k;
            if (vmv_wall_s() - t0 > budget) {
                v->carry = 0;
                break;
            }
        }
        return;
    }
    if (sp->sim_ratio > 0) {
        uint64_t now = vmr_time_ns(sel->run);
        uint64_t target = now + (uint64_t)(sp->sim_ratio * dt * 1e9 + v->carry);
        v->carry = 0;
        while (vmv_model_live(m) && sel->state == 1) {
            uint64_t t = vmr_time_ns(sel->run);
            if (t >= target) break;
            double per_op = sel->ops ? (double)t / (double)sel->ops : 0;
            uint64_t k = per_op > 0 ? (uint64_t)((double)(target - t) / per_op) : 1;
            if (k < 1) k = 1;
            if (k > 256) k = 256;
            vmv_model_step(m, k);
            if (vmv_wall_s() - t0 > budget) break;
        }
        if (sel->state != 1) vmv_model_step(m, 256); /* the others finish too */
        return;
    }
    /* As fast as possible within the budget. */
    uint64_t chunk = 64;
    while (vmv_model_live(m)) {
        double t1 = vmv_wall_s();
        vmv_model_step(m, chunk);
        double t2 = vmv_wall_s();
        if (t2 - t0 > budget) break;
        if (t2 - t1 < budget / 16 && chunk < (1u << 20)) chunk *= 2;
    }
}

/* ------------------------------------------------------------ input */

static void select_run(struct vmv_view *v, size_t i)
{
    if (i < v->m.nruns) v->m.sel = i;
}

static void screenshot_key(struct vmv_view *v)
{
    char path[64], err[256], msg[300];
    snprintf(path, sizeof path, "vmsim-view-%03u.png", ++v->shots);
    if (vmv_view_save_png(v, path, err, sizeof err) == 0)
        snprintf(msg, sizeof msg, "saved %s", path);
    else
        snprintf(msg, sizeof msg, "screenshot failed: %s", err);
    set_status(v, msg);
}

/* N: steps to the selected run's next miss, in chunks for at most a quarter
 * of a second so the window stays live. */
static void next_miss(struct vmv_view *v)
{
    v->paused = 1;
    struct vmv_run *s = &v->m.runs[v->m.sel];
    uint64_t n = 0;
    double t0 = vmv_wall_s();
    int found = 0;
    while (s->state == 1 && vmv_wall_s() - t0 < 0.25) {
        uint64_t k = vmv_model_step_to_miss(&v->m, 4096);
        n += k;
        if (k == 0 || s->last_op_missed) {
            found = k > 0 && s->last_op_missed;
            break;
        }
    }
    char msg[96];
    if (found)
        snprintf(msg, sizeof msg, "next miss after %llu ops", (unsigned long long)n);
    else
        snprintf(msg, sizeof msg, "no miss in %llu ops%s", (unsigned long long)n,
                 s->state == 1 ? " (N again to go on)" : "");
    set_status(v, msg);
}

static void key_down(struct vmv_view *v, const SDL_KeyboardEvent *key)
{
    char err[256];
    SDL_Keycode k = key->keysym.sym;
    int shift = (key->keysym.mod & KMOD_SHIFT) != 0;
    if (k == SDLK_SPACE || k == SDLK_p) {
        v->paused = !v->paused;
        set_status(v, v->paused ? "paused" : "running");
    } else if (k == SDLK_RIGHT || k == SDLK_PERIOD) {
        v->paused = 1;
        vmv_model_step(&v->m, 1);
    } else if (k == SDLK_n) {
        next_miss(v);
    } else if (k == SDLK_UP || k == SDLK_PLUS || k == SDLK_EQUALS || k == SDLK_KP_PLUS) {
        if (v->speed < NSPEEDS - 1) v->speed++;
        set_status(v, speeds[v->speed].name);
    } else if (k == SDLK_DOWN || k == SDLK_MINUS || k == SDLK_KP_MINUS) {
        if (v->speed > 0) v->speed--;
        set_status(v, speeds[v->speed].name);
    } else if (k == SDLK_HOME) {
        v->speed = SPEED_REAL;
        set_status(v, speeds[v->speed].name);
    } else if (k == SDLK_END) {
        v->speed = SPEED_MAX;
        set_status(v, speeds[v->speed].name);
    } else if (k == SDLK_r) {
        if (vmv_model_restart(&v->m, err, sizeof err) < 0)
            set_status(v, err);
        else
            set_status(v, "restarted");
    } else if (k == SDLK_TAB) {
        size_t n = v->m.nruns;
        select_run(v, (v->m.sel + (shift ? n - 1 : 1)) % n);
    } else if (k >= SDLK_1 && k <= SDLK_9) {
        select_run(v, (size_t)(k - SDLK_1));
    } else if (k == SDLK_f) {
        v->focus = !v->focus;
    } else if (k == SDLK_s || k == SDLK_F12) {
        screenshot_key(v);
    } else if (k == SDLK_h || k == SDLK_F1 || k == SDLK_QUESTION || k == SDLK_SLASH) {
        v->help = !v->help;
    } else if (k == SDLK_q || k == SDLK_ESCAPE) {
        if (v->help && k == SDLK_ESCAPE)
            v->help = 0;
        else
            v->quit = 1;
    }
}

void vmv_view_event(struct vmv_view *v, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        v->quit = 1;
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED && v->ren && !v->surf)
            SDL_GetRendererOutputSize(v->ren, &v->w, &v->h);
        if (ev->window.event == SDL_WINDOWEVENT_LEAVE) v->mouse_x = v->mouse_y = -1;
        break;
    case SDL_MOUSEMOTION:
        v->mouse_x = ev->motion.x;
        v->mouse_y = ev->motion.y;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (v->m.nruns > 1 && ev->button.y >= v->race.y &&
            ev->button.y < v->race.y + v->race.h && v->race_row_h > 0)
            select_run(v, v->race_first + (size_t)((ev->button.y - v->race.y) / v->race_row_h));
        break;
    case SDL_KEYDOWN:
        key_down(v, &ev->key);
        break;
    default:
        break;
    }
}

int vmv_view_pump(struct vmv_view *v)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) vmv_view_event(v, &ev);
    return !v->quit;
}

/* ------------------------------------------------------------ output */

int vmv_view_save_png(struct vmv_view *v, const char *path, char *err, size_t errlen)
{
    SDL_Surface *s = v->surf;
    int own = 0;
    if (!s) {
        s = SDL_CreateRGBSurfaceWithFormat(0, v->w, v->h, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!s || SDL_RenderReadPixels(v->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
                                       s->pitch) < 0) {
            snprintf(err, errlen, "cannot read the frame: %s", SDL_GetError());
            if (s) SDL_FreeSurface(s);
            return -1;
        }
        own = 1;
    }
    int rc = IMG_SavePNG(s, path);
    if (own) SDL_FreeSurface(s);
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, IMG_GetError());
        return -1;
    }
    return 0;
}

long vmv_view_pixel(struct vmv_view *v, int x, int y)
{
    if (x < 0 || y < 0 || x >= v->w || y >= v->h) return -1;
    uint32_t px = 0;
    if (v->surf) {
        px = ((const uint32_t *)((const uint8_t *)v->surf->pixels + y * v->surf->pitch))[x];
    } else {
        /* One read of the whole frame, kept until the next draw. */
        if (!v->readback_ok || v->readback_w != v->w || v->readback_h != v->h) {
            free(v->readback);
            v->readback = malloc((size_t)v->w * (size_t)v->h * 4);
            if (!v->readback ||
                SDL_RenderReadPixels(v->ren, NULL, SDL_PIXELFORMAT_ARGB8888, v->readback,
                                     v->w * 4) < 0)
                return -1;
            v->readback_ok = 1;
            v->readback_w = v->w;
            v->readback_h = v->h;
        }
        px = v->readback[(size_t)y * (size_t)v->w + (size_t)x];
    }
    return (long)(px & 0xFFFFFFu);
}
int vmv_view_loop(struct vmv_view *v)
{
    double start = vmv_wall_s(), last = start;
    while (vmv_view_pump(v)) {
        double now = vmv_wall_s();
        double dt = now - last;
        last = now;
        if (dt > 0.25) dt = 0.25;
        vmv_view_set_now(v, (uint64_t)((now - start) * 1000));
        /* Replay for most of a 60 Hz frame, then draw. */
        vmv_view_advance(v, dt, 0.011);
        vmv_view_draw(v);
        double spent = vmv_wall_s() - now;
        if (spent < 1.0 / 60) SDL_Delay((Uint32)((1.0 / 60 - spent) * 1000));
    }
    return 0;
}
