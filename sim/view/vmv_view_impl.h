/*
 * vmv_view_impl.h - what the two halves of the live view share: the view's
 * state and the panel geometry of the last frame. Private to sim/view:
 * vmv_view.c (window, events, stepping, output) and vmv_draw.c (drawing).
 */
#ifndef VMV_VIEW_IMPL_H
#define VMV_VIEW_IMPL_H

#include "vmv_view.h"

#include <SDL_ttf.h>

enum { F_SMALL, F_NORMAL, F_BOLD, F_MONO, F_TITLE, F_COUNT };

struct text_entry {
    char *key;
    SDL_Texture *tex;
    int w, h;
};
#define TEXT_CACHE 2048

/* Geometry of one run panel in the last frame. */
struct panel {
    int shown;
    SDL_Rect all, tiles, map, counters, plots;
    struct vmv_tile_geom tile[VMV_SLOTS_MAX];
    int ntiles;
    /* memory map cells */
    int cell, cols, rows, mx, my;
    uint64_t pages_per_cell, ncells;
};

struct vmv_view {
    struct vmv_model m;
    struct vmv_options o;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surf; /* offscreen target */
    TTF_Font *font[F_COUNT];
    int w, h;
    int paused, speed, focus, help, quit;
    double carry;
    uint64_t now_ms;
    int frozen;
    int mouse_x, mouse_y;
    char status[320];
    uint64_t status_ms;
    struct text_entry cache[TEXT_CACHE];
    unsigned cache_n;
    struct panel *panels;
    SDL_Rect race;
    int race_row_h;
    size_t race_first; /* first run listed in the race strip */
    uint8_t *marks;
    size_t marks_cap;
    uint64_t frames;
    double draw_s, draw_max;
    double draw_recent; /* moving average of the draw time */
    unsigned shots;
    uint32_t *readback; /* the last frame read from a window (vmv_view_pixel) */
    int readback_ok, readback_w, readback_h;
};

/* Monotonic wall-clock seconds (vmv_view.c). */
double vmv_wall_s(void);
/* Empties the text texture cache (vmv_draw.c). */
void vmv_text_cache_clear(struct vmv_view *v);

#endif
