/*
 * vmv_cli.c - vmsim's live-view options (see vmv_cli.h). Built with or
 * without SDL; without it, asking for the view is a clear error.
 */
#include "vmv_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VMV_HAVE_SDL
#include "vmv_view.h"
#include <SDL_ttf.h>
#endif

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "vmsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(vmsim --help for usage)\n");
    return 2;
}

int vmv_cli_parse(int *argc, char **argv, struct vmv_cli *c)
{
    int out = 1;
    memset(c, 0, sizeof *c);
    c->width = 1280;
    c->height = 800;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--view") == 0) {
            c->view = 1;
        } else if (strcmp(a, "--no-view") == 0) {
            c->no_view = 1;
        } else if (strcmp(a, "--screenshot") == 0 || strcmp(a, "--at") == 0 ||
                   strcmp(a, "--view-size") == 0) {
            if (i + 1 >= *argc) return bad("%s needs a value", a);
            const char *val = argv[++i];
            if (strcmp(a, "--screenshot") == 0) {
                c->screenshot = val;
            } else if (strcmp(a, "--at") == 0) {
                char *end;
                errno = 0;
                unsigned long long n = strtoull(val, &end, 0);
                if (errno || end == val || *end || val[0] == '-')
                    return bad("--at: expected a number of operations, got \"%s\"", val);
                c->at = n;
                c->has_at = 1;
            } else {
                int w, h;
                char x;
                if (sscanf(val, "%d%c%d", &w, &x, &h) != 3 || (x != 'x' && x != 'X') || w < 640 ||
                    h < 400 || w > 8192 || h > 8192)
                    return bad("--view-size: expected WIDTHxHEIGHT from 640x400 to 8192x8192, got \"%s\"",
                               val);
                c->width = w;
                c->height = h;
            }
        } else {
            argv[out++] = argv[i];
            continue;
        }
    }
    argv[out] = NULL;
    *argc = out;
    if (c->has_at && !c->screenshot) return bad("--at needs --screenshot FILE%s", "");
    return 0;
}

#ifdef VMV_HAVE_SDL
static int screenshot(const struct vmv_cli *c, struct vms_scenario *sc)
{
    char err[512];
    struct vmv_options o = {1, -1, 1};
    if (SDL_Init(0) < 0 || TTF_Init() < 0) {
        fprintf(stderr, "vmsim: SDL: %s\n", SDL_GetError());
        return 1;
    }
    struct vmv_view *v = vmv_view_new(sc, &o, err, sizeof err);
    if (!v) {
        fprintf(stderr, "vmsim: %s\n", err);
        TTF_Quit();
        SDL_Quit();
        return 1;
    }
    int rc = 0;
    if (vmv_view_open_offscreen(v, c->width, c->height, err, sizeof err) < 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        rc = 1;
    } else {
        struct vmv_model *m = vmv_view_model(v);
        uint64_t left = c->has_at ? c->at : UINT64_MAX;
        while (left > 0 && vmv_model_live(m)) {
            uint64_t k = left < 65536 ? left : 65536;
            vmv_model_step(m, k);
            left -= k;
        }
        vmv_view_set_now(v, UINT64_MAX / 2);
        vmv_view_draw(v);
        if (vmv_view_save_png(v, c->screenshot, err, sizeof err) < 0) {
            fprintf(stderr, "vmsim: %s\n", err);
            rc = 3;
        } else {
            for (size_t i = 0; i < m->nruns; i++)
                if (m->runs[i].state < 0) {
                    fprintf(stderr, "vmsim: %s: %s\n", m->runs[i].title, m->runs[i].error);
                    rc = 1;
                }
            fprintf(stderr, "vmsim: view after %llu ops written to %s\n",
                    (unsigned long long)m->runs[m->sel].ops, c->screenshot);
        }
    }
    vmv_view_free(v);
    TTF_Quit();
    SDL_Quit();
    return rc;
}

static int interactive(const struct vmv_cli *c, struct vms_scenario *sc)
{
    char err[512];
    const char *drv = getenv("SDL_VIDEODRIVER");
    int offscreen = drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0);
    if (offscreen || (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) ||
        SDL_Init(SDL_INIT_VIDEO) < 0) {
        fprintf(stderr, "vmsim: no display for the live view; running headless\n");
        return -1;
    }
    if (TTF_Init() < 0) {
        fprintf(stderr, "vmsim: SDL2_ttf: %s; running headless\n", TTF_GetError());
        SDL_Quit();
        return -1;
    }
    struct vmv_options o = {1, -1, 0};
    struct vmv_view *v = vmv_view_new(sc, &o, err, sizeof err);
    if (!v || vmv_view_open_window(v, c->width, c->height, err, sizeof err) < 0) {
        /* The headless run that follows reports the run's own errors. */
        fprintf(stderr, "vmsim: live view: %s; running headless\n", err);
        vmv_view_free(v);
        TTF_Quit();
        SDL_Quit();
        return -1;
    }
    vmv_view_loop(v);
    vmv_view_free(v);
    TTF_Quit();
    SDL_Quit();
    return -1;
}
#endif

int vmv_cli_run(const struct vmv_cli *c, struct vms_scenario *sc)
{
    if (c->no_view || (!c->view && !c->screenshot)) return -1;
#ifdef VMV_HAVE_SDL
    if (c->screenshot) return screenshot(c, sc);
    return interactive(c, sc);
#else
    (void)sc;
    fprintf(stderr, "vmsim: this vmsim was built without the live view (it needs SDL2, "
                    "SDL2_ttf and SDL2_image: run scripts/deps.sh and reconfigure)\n");
    return c->screenshot ? 2 : -1;
#endif
}
