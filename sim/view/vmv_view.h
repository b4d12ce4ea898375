/*
 * vmv_view.h - the live view: page slots, the pool's memory map, counters and
 * plots of the runs of a scenario, drawn with SDL2 and SDL2_ttf.
 *
 * Only sim/view includes SDL. The view owns a model (vmv_model.h) that replays
 * the runs in lockstep and observes them through the replay engine; drawing
 * reads the model and vm_walk once per frame and never changes the pager.
 * Simulation (vmv_view_advance) and drawing (vmv_view_draw) are separate, so
 * the window redraws at the display rate whatever the replay speed.
 *
 * Targets: a real window (vmv_view_open_window) or an offscreen software
 * surface (vmv_view_open_offscreen) for screenshots without a display.
 */
#ifndef VMV_VIEW_H
#define VMV_VIEW_H

#include <SDL.h>

#include "vmv_model.h"

/* Colours the tests look for (RGB). */
#define VMV_RGB_DIRTY 0xF0, 0x8A, 0x24   /* dirty byte range in a tile */
#define VMV_RGB_VALID 0x5B, 0x7B, 0x9A   /* valid, clean byte range */
#define VMV_RGB_VICTIM 0xFF, 0xD2, 0x3F  /* next-victim marker */
#define VMV_RGB_BG 0x16, 0x19, 0x1F      /* window background */

struct vmv_view;

struct vmv_options {
    int opt;          /* compute the optimum's timeline (1 by default) */
    int speed;        /* initial speed level, -1: real time */
    int paused;       /* start paused */
};

/* The speed levels, slowest first. */
int vmv_speed_count(void);
const char *vmv_speed_name(int level);
int vmv_speed_real_time(void);   /* the level of real time on the simulated clock */
int vmv_speed_max(void);         /* as fast as possible */

struct vmv_view *vmv_view_new(const struct vms_scenario *sc, const struct vmv_options *o,
                              char *err, size_t errlen);
void vmv_view_free(struct vmv_view *v);
/* A resizable window (needs SDL video) or a software surface of w x h. */
int vmv_view_open_window(struct vmv_view *v, int w, int h, char *err, size_t errlen);
int vmv_view_open_offscreen(struct vmv_view *v, int w, int h, char *err, size_t errlen);

/* Handle pending SDL events (keys, mouse, resize, quit). 0 once quit was asked. */
int vmv_view_pump(struct vmv_view *v);
/* Apply one event; exposed for tests. */
void vmv_view_event(struct vmv_view *v, const SDL_Event *ev);
/* Replay what dt_s seconds of wall time allow at the current speed, spending
 * at most budget_s of wall time (the rest of the frame is for drawing). */
void vmv_view_advance(struct vmv_view *v, double dt_s, double budget_s);
/* Draw one frame (and present it to the window). */
void vmv_view_draw(struct vmv_view *v);
/* The interactive loop: until the window is closed or q is pressed. */
int vmv_view_loop(struct vmv_view *v);
/* The current frame as a PNG. 0, or -1 with err filled. */
int vmv_view_save_png(struct vmv_view *v, const char *path, char *err, size_t errlen);
/* Pixel (x, y) of the current frame: 0xRRGGBB, or -1 outside. */
long vmv_view_pixel(struct vmv_view *v, int x, int y);

/* State, for tests and the benchmark. */
struct vmv_model *vmv_view_model(struct vmv_view *v);
int vmv_view_paused(const struct vmv_view *v);
int vmv_view_speed(const struct vmv_view *v);
void vmv_view_set_speed(struct vmv_view *v, int level);
void vmv_view_size(const struct vmv_view *v, int *w, int *h);
SDL_Window *vmv_view_window(struct vmv_view *v); /* NULL offscreen */
int vmv_view_help_shown(const struct vmv_view *v);
/* Model clock for hit/miss flashes; UINT64_MAX/2 freezes them (screenshots). */
void vmv_view_set_now(struct vmv_view *v, uint64_t ms);

/* Layout of the last drawn frame. -1 when the run's slot is not on screen. */
struct vmv_tile_geom {
    SDL_Rect tile;     /* the whole tile */
    SDL_Rect bar;      /* the page's byte bar: [0, extent) across its width */
    SDL_Rect dirty;    /* the dirty range inside bar (w 0 when clean) */
    SDL_Rect victim;   /* the next-victim badge (w 0 when not the victim) */
};
int vmv_view_tile(const struct vmv_view *v, size_t run, unsigned slot, struct vmv_tile_geom *g);
int vmv_view_counters_rect(const struct vmv_view *v, size_t run, SDL_Rect *r);
/* Draw timings since the view opened: frames and seconds spent drawing. */
void vmv_view_frame_stats(const struct vmv_view *v, uint64_t *frames, double *draw_s,
                          double *max_s);

#endif /* VMV_VIEW_H */
