/*
 * test_view.c - the live view's tests (suite ui).
 *
 *   test_view window SCENARIO          a real window (run under xvfb-run -a):
 *                                      pixels of dirty ranges, the victim marker
 *                                      against vm_next_victim, counters text
 *   test_view offscreen SCENARIO VMSIM offscreen rendering, vmsim --screenshot
 *                                      (PNG size and pixels), synthetic key
 *                                      events, the model against a headless replay
 *
 * Exits 77 (skip) with a message when the window mode has no display.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "vms_matrix.h"
#include "vmv_model.h"
#include "vms_scenario.h"
#include "vmv_view.h"

static const char *scen_path;
static const char *vmsim_path;
static int use_window;

static struct vms_scenario sc;
static struct vmv_view *v;

#define RGB3(r, g, b) (((long)(r) << 16) | ((long)(g) << 8) | (long)(b))
#define RGB(c) RGB3(c) /* c: one of the VMV_RGB_* triples */
static long rgb_dirty(void) { return RGB(VMV_RGB_DIRTY); }
static long rgb_victim(void) { return RGB(VMV_RGB_VICTIM); }

static void setup(void)
{
    char err[512];
    ck_assert_msg(vms_load(scen_path, &sc, err, sizeof err) == 0, "%s", err);
    struct vmv_options o = {1, -1, 1};
    v = vmv_view_new(&sc, &o, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    int rc = use_window ? vmv_view_open_window(v, 1280, 800, err, sizeof err)
                        : vmv_view_open_offscreen(v, 1280, 800, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    vmv_view_set_now(v, UINT64_MAX / 2);
}

static void teardown(void)
{
    vmv_view_free(v);
    v = NULL;
    vms_free(&sc);
}

/* Draws until the frame is visible (a window may need a couple of presents). */
static void draw(void)
{
    vmv_view_draw(v);
    if (use_window) {
        vmv_view_pump(v);
        vmv_view_draw(v);
    }
}

struct slot_rec {
    int n;
    struct vm_slot_info s[VM_PAGE_COUNT_MAX];
};
static void rec_slot(void *ctx, const struct vm_slot_info *in)
{
    struct slot_rec *r = ctx;
    r->s[r->n++] = *in;
}

/* Every op: each dirty slot's tile shows the dirty colour inside its bar at
 * the dirty range; the victim badge sits on vm_next_victim's slot only. */
static void check_frame(size_t run, int *dirty_seen, int *victim_seen)
{
    struct vmv_model *m = vmv_view_model(v);
    struct vm *vm = vmr_vm(m->runs[run].run);
    struct slot_rec rec = {0};
    vm_walk(vm, rec_slot, &rec);
    int victim = vm_next_victim(vm);
    for (int i = 0; i < rec.n; i++) {
        const struct vm_slot_info *in = &rec.s[i];
        struct vmv_tile_geom g;
        ck_assert_int_eq(vmv_view_tile(v, run, in->index, &g), 0);
        if (in->base != VM_NO_PAGE && in->dhi > in->dlo) {
            /* The pixel at the middle of the dirty range, computed from the
             * bar and the range (not from the view's own dirty rect). */
            int mid = (in->dlo + in->dhi) / 2;
            int x = g.bar.x + (int)((long)mid * g.bar.w / in->extent);
            int y = g.bar.y + g.bar.h / 2;
            long px = vmv_view_pixel(v, x, y);
            ck_assert_msg(px == rgb_dirty(),
                          "run %zu slot %u dirty [%u,%u): pixel (%d,%d) is %06lx, not dirty",
                          run, in->index, in->dlo, in->dhi, x, y, px);
            (*dirty_seen)++;
        } else if (in->base != VM_NO_PAGE) {
            /* A clean page: no dirty colour anywhere along its bar. */
            int y = g.bar.y + g.bar.h / 2;
            for (int x = g.bar.x; x < g.bar.x + g.bar.w; x += 2)
                ck_assert_msg(vmv_view_pixel(v, x, y) != rgb_dirty(),
                              "run %zu slot %u is clean but shows the dirty colour", run,
                              in->index);
        }
        /* The badge's corner pixel, and the same spot on every other tile. */
        int bx = g.tile.x + g.tile.w - 8, by = g.tile.y + 4;
        long px = vmv_view_pixel(v, bx, by);
        if (in->index == victim) {
            ck_assert_msg(g.victim.w > 0, "run %zu: no badge on victim slot %d", run, victim);
            ck_assert_msg(px == rgb_victim(), "run %zu: victim badge pixel is %06lx", run, px);
            (*victim_seen)++;
        } else {
            ck_assert_msg(px != rgb_victim(), "run %zu: slot %u marked but the victim is %d",
                          run, in->index, victim);
        }
    }
}

START_TEST(test_pixels_every_op)
{
    struct vmv_model *m = vmv_view_model(v);
    int dirty = 0, victim = 0, evictions = 0;
    ck_assert_uint_eq(m->nruns, 3);
    while (vmv_model_live(m)) {
        /* The marked victim is the slot the policy then really evicts. */
        int predicted[3];
        uint64_t before[3];
        for (size_t r = 0; r < m->nruns; r++) {
            predicted[r] = vm_next_victim(vmr_vm(m->runs[r].run));
            before[r] = m->runs[r].ops;
        }
        vmv_model_step(m, 1);
        for (size_t r = 0; r < m->nruns; r++)
            if (m->runs[r].ops > before[r] && m->runs[r].first_evict >= 0) {
                ck_assert_msg(m->runs[r].first_evict == predicted[r],
                              "run %zu op %llu: evicted slot %d, marked %d", r,
                              (unsigned long long)m->runs[r].ops, m->runs[r].first_evict,
                              predicted[r]);
                evictions++;
            }
        draw();
        for (size_t r = 0; r < m->nruns; r++) check_frame(r, &dirty, &victim);
    }
    ck_assert_int_gt(dirty, 20);
    ck_assert_int_gt(victim, 20);
    ck_assert_int_gt(evictions, 20);
}
END_TEST

START_TEST(test_counters_not_empty)
{
    struct vmv_model *m = vmv_view_model(v);
    vmv_model_step(m, 10);
    draw();
    for (size_t r = 0; r < m->nruns; r++) {
        SDL_Rect a;
        ck_assert_int_eq(vmv_view_counters_rect(v, r, &a), 0);
        ck_assert_int_gt(a.w, 100);
        ck_assert_int_gt(a.h, 60);
        long bg = vmv_view_pixel(v, a.x + 1, a.y + 1);
        int text = 0;
        for (int y = a.y; y < a.y + a.h; y += 1)
            for (int x = a.x; x < a.x + a.w; x += 2)
                if (vmv_view_pixel(v, x, y) != bg) text++;
        ck_assert_msg(text > 300, "run %zu: counters area has only %d text pixels", r, text);
    }
}
END_TEST

/* Hovering a tile shows a tooltip next to the mouse; H toggles the help. */
START_TEST(test_hover_and_help)
{
    vmv_model_step(vmv_view_model(v), 5);
    draw();
    struct vmv_tile_geom g;
    ck_assert_int_eq(vmv_view_tile(v, 0, 0, &g), 0);
    int mx = g.tile.x + g.tile.w / 2, my = g.tile.y + g.tile.h / 2;
    long before = vmv_view_pixel(v, mx + 16, my + 16);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEMOTION;
    e.motion.x = mx;
    e.motion.y = my;
    ck_assert_int_eq(SDL_PushEvent(&e), 1);
    vmv_view_pump(v);
    draw();
    ck_assert_int_ne(before, RGB3(0x4F, 0xC3, 0xF7));
    /* The tooltip's frame starts 16 px right of and below the pointer. */
    ck_assert_int_eq(vmv_view_pixel(v, mx + 16, my + 16), RGB3(0x4F, 0xC3, 0xF7));
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_h;
    ck_assert_int_eq(SDL_PushEvent(&e), 1);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_help_shown(v), 1);
    draw();
    int w, h;
    vmv_view_size(v, &w, &h);
    /* The help box (620 x 360, centred) has a 2 px frame. */
    ck_assert_int_eq(vmv_view_pixel(v, (w - 620) / 2 + 1, (h - 360) / 2 + 1),
                     RGB3(0x4F, 0xC3, 0xF7));
    ck_assert_int_eq(SDL_PushEvent(&e), 1);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_help_shown(v), 0);
}
END_TEST

/* A resized window is laid out again: every tile inside the new size. */
START_TEST(test_resize)
{
    SDL_SetWindowSize(vmv_view_window(v), 900, 640);
    int w = 0, h = 0;
    for (int i = 0; i < 100 && (w != 900 || h != 640); i++) {
        SDL_Delay(10);
        vmv_view_pump(v);
        vmv_view_size(v, &w, &h);
    }
    ck_assert_int_eq(w, 900);
    ck_assert_int_eq(h, 640);
    vmv_model_step(vmv_view_model(v), 6);
    draw();
    struct vmv_model *m = vmv_view_model(v);
    for (size_t r = 0; r < m->nruns; r++)
        for (unsigned s = 0; s < 4; s++) {
            struct vmv_tile_geom g;
            if (vmv_view_tile(v, r, s, &g) < 0) continue; /* not on screen */
            ck_assert_int_le(g.tile.x + g.tile.w, w);
            ck_assert_int_le(g.tile.y + g.tile.h, h);
        }
    int dirty = 0, victim = 0;
    for (size_t r = 0; r < m->nruns; r++) {
        struct vmv_tile_geom g;
        if (vmv_view_tile(v, r, 0, &g) == 0) check_frame(r, &dirty, &victim);
    }
    ck_assert_int_gt(victim, 0);
}
END_TEST

/* ------------------------------------------------------------ offscreen */

static int run_vmsim(const char *png, const char *at)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(vmsim_path, vmsim_path, "--screenshot", png, "--at", at, "--view-size", "1000x700",
              scen_path, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* s must be ARGB8888 (see the conversion after IMG_Load). */
static long surf_pixel(SDL_Surface *s, int x, int y)
{
    uint32_t px = ((const uint32_t *)((const uint8_t *)s->pixels + y * s->pitch))[x];
    return (long)(px & 0xFFFFFF);
}

START_TEST(test_screenshot_png)
{
    char png[] = "/tmp/vmv-test-XXXXXX";
    int fd = mkstemp(png);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(run_vmsim(png, "2"), 0);
    SDL_Surface *s0 = IMG_Load(png);
    ck_assert_msg(s0 != NULL, "cannot load %s: %s", png, IMG_GetError());
    SDL_Surface *s = SDL_ConvertSurfaceFormat(s0, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s0);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->w, 1000);
    ck_assert_int_eq(s->h, 700);
    /* The same state drawn here at the same size: the PNG matches it where
     * the dirty range of page 1 (written by op 1) is drawn, and at the
     * background corner. */
    vmv_view_free(v);
    char err[256];
    struct vmv_options o = {1, -1, 1};
    v = vmv_view_new(&sc, &o, err, sizeof err);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(vmv_view_open_offscreen(v, 1000, 700, err, sizeof err), 0);
    vmv_view_set_now(v, UINT64_MAX / 2);
    vmv_model_step(vmv_view_model(v), 2);
    vmv_view_draw(v);
    int sl = vm_slot_of(vmr_vm(vmv_view_model(v)->runs[0].run), 72);
    ck_assert_int_ge(sl, 0);
    struct vmv_tile_geom g;
    ck_assert_int_eq(vmv_view_tile(v, 0, (unsigned)sl, &g), 0);
    int x = g.dirty.x + g.dirty.w / 2, y = g.dirty.y + g.dirty.h / 2;
    ck_assert_int_gt(g.dirty.w, 0);
    ck_assert_int_eq(surf_pixel(s, x, y), rgb_dirty());
    ck_assert_int_eq(surf_pixel(s, 999, 699), vmv_view_pixel(v, 999, 699));
    ck_assert_int_eq(surf_pixel(s, 2, 2), RGB(VMV_RGB_BG));
    int same = 0;
    for (int yy = 0; yy < 700; yy += 7)
        for (int xx = 0; xx < 1000; xx += 7) same += surf_pixel(s, xx, yy) == vmv_view_pixel(v, xx, yy);
    if (getenv("VMV_TEST_KEEP")) vmv_view_save_png(v, "/tmp/vmv-test-mine.png", err, sizeof err);
    ck_assert_int_gt(same, 143 * 100 * 95 / 100); /* the same frame */
    SDL_FreeSurface(s);
    unlink(png);
}
END_TEST

/* vmsim ARGS... with an environment that has no display; its exit status. */
static int run_vmsim_nodisplay(const char *const *args)
{
    const char *argv[16];
    int n = 0;
    argv[n++] = vmsim_path;
    for (; *args && n < 15; args++) argv[n++] = *args;
    argv[n] = NULL;
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        execve(vmsim_path, (char *const *)argv, envp);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = malloc(1 << 20);
    *len = b ? fread(b, 1, 1 << 20, f) : 0;
    fclose(f);
    return b;
}

/* --view without a display runs headless: the same report, byte for byte. */
START_TEST(test_view_flag_headless)
{
    char a[] = "/tmp/vmv-rep-a-XXXXXX", b[] = "/tmp/vmv-rep-b-XXXXXX";
    close(mkstemp(a));
    close(mkstemp(b));
    const char *with[] = {"--view", "--quiet", "--json", a, scen_path, NULL};
    const char *without[] = {"--quiet", "--json", b, scen_path, NULL};
    ck_assert_int_eq(run_vmsim_nodisplay(with), 0);
    ck_assert_int_eq(run_vmsim_nodisplay(without), 0);
    size_t la, lb;
    char *ta = slurp(a, &la), *tb = slurp(b, &lb);
    ck_assert_ptr_nonnull(ta);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_gt(la, 100);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_eq(memcmp(ta, tb, la), 0);
    free(ta);
    free(tb);
    unlink(a);
    unlink(b);
}
END_TEST

START_TEST(test_screenshot_bad_args)
{
    ck_assert_int_eq(run_vmsim("/nonexistent-dir/x.png", "2"), 3);
}
END_TEST

static void key(SDL_Keycode k)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    ck_assert_int_eq(SDL_PushEvent(&e), 1);
}

START_TEST(test_keys)
{
    struct vmv_model *m = vmv_view_model(v);
    ck_assert_int_eq(vmv_view_paused(v), 1);
    key(SDLK_SPACE);
    ck_assert_int_eq(vmv_view_pump(v), 1);
    ck_assert_int_eq(vmv_view_paused(v), 0);
    /* Running at 10 ops/s: 0.35 s of wall time replays 3 ops. */
    vmv_view_set_speed(v, 2);
    vmv_view_advance(v, 0.35, 1.0);
    ck_assert_uint_eq(m->runs[0].ops, 3);
    key(SDLK_SPACE);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_paused(v), 1);
    vmv_view_advance(v, 1.0, 1.0); /* paused: nothing moves */
    ck_assert_uint_eq(m->runs[0].ops, 3);
    /* Single steps, in lockstep. */
    key(SDLK_RIGHT);
    key(SDLK_PERIOD);
    vmv_view_pump(v);
    for (size_t r = 0; r < m->nruns; r++) ck_assert_uint_eq(m->runs[r].ops, 5);
    /* Speed up and down, clamped at both ends. */
    int s0 = vmv_view_speed(v);
    key(SDLK_UP);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_speed(v), s0 + 1);
    key(SDLK_DOWN);
    key(SDLK_MINUS);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_speed(v), s0 - 1);
    for (int i = 0; i < 40; i++) key(SDLK_PLUS);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_speed(v), vmv_speed_max());
    key(SDLK_HOME);
    vmv_view_pump(v);
    ck_assert_int_eq(vmv_view_speed(v), vmv_speed_real_time());
    /* To the next miss: the selected run's latest op missed. */
    uint64_t before = vm_stats(vmr_vm(m->runs[0].run))->misses;
    key(SDLK_n);
    vmv_view_pump(v);
    ck_assert_uint_eq(vm_stats(vmr_vm(m->runs[0].run))->misses, before + 1);
    ck_assert_int_eq(m->runs[0].last_op_missed, 1);
    /* Tab selects the next run; 3 selects the third. */
    key(SDLK_TAB);
    vmv_view_pump(v);
    ck_assert_uint_eq(m->sel, 1);
    key(SDLK_3);
    vmv_view_pump(v);
    ck_assert_uint_eq(m->sel, 2);
    /* A click on the race strip's first row (drawn from y = 36, 20 px a row)
     * selects the first run. */
    vmv_view_draw(v);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = 60;
    e.button.y = 36 + 5;
    ck_assert_int_eq(SDL_PushEvent(&e), 1);
    vmv_view_pump(v);
    ck_assert_uint_eq(m->sel, 0);
    /* S saves the frame as vmsim-view-001.png in the current directory. */
    char dir[] = "/tmp/vmv-shot-XXXXXX", cwd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    key(SDLK_s);
    vmv_view_pump(v);
    SDL_Surface *shot = IMG_Load("vmsim-view-001.png");
    ck_assert_msg(shot != NULL, "no screenshot: %s", IMG_GetError());
    ck_assert_int_eq(shot->w, 1280);
    ck_assert_int_eq(shot->h, 800);
    SDL_FreeSurface(shot);
    unlink("vmsim-view-001.png");
    ck_assert_int_eq(chdir(cwd), 0);
    rmdir(dir);
    /* Restart: every run back at op 0. */
    key(SDLK_r);
    vmv_view_pump(v);
    for (size_t r = 0; r < m->nruns; r++) ck_assert_uint_eq(m->runs[r].ops, 0);
    /* As fast as possible: to the end of the trace within the budget. */
    vmv_view_set_speed(v, vmv_speed_max());
    key(SDLK_SPACE);
    vmv_view_pump(v);
    vmv_view_advance(v, 0.016, 5.0);
    ck_assert_int_eq(vmv_model_live(m), 0);
    vmv_view_draw(v);
    key(SDLK_q);
    ck_assert_int_eq(vmv_view_pump(v), 0);
}
END_TEST

/* The view only observes: its runs end with the numbers of a headless replay. */
START_TEST(test_same_numbers_as_headless)
{
    struct vmv_model *m = vmv_view_model(v);
    while (vmv_model_live(m)) vmv_model_step(m, 3);
    struct vms_result *res = calloc(sc.nruns, sizeof *res);
    ck_assert_ptr_nonnull(res);
    ck_assert_uint_eq(vms_run_all(&sc, res, 1, NULL, NULL), 0);
    for (size_t i = 0; i < sc.nruns; i++) {
        const struct vmr_counters *a = vmr_counters(m->runs[i].run);
        const struct vmr_counters *b = &res[i].r.total;
        ck_assert_uint_eq(a->ops, b->ops);
        ck_assert_uint_eq(a->hits, b->hits);
        ck_assert_uint_eq(a->misses, b->misses);
        ck_assert_uint_eq(a->writebacks, b->writebacks);
        ck_assert_uint_eq(a->bytes_read, b->bytes_read);
        ck_assert_uint_eq(a->bytes_written, b->bytes_written);
        ck_assert_uint_eq(a->time_ns, b->time_ns);
        /* The optimum's timeline ends where vms_matrix.c's count does. */
        ck_assert_int_eq(m->runs[i].has_opt, 1);
        ck_assert_int_eq(res[i].has_opt, 1);
        ck_assert_uint_eq(m->runs[i].opt_total, res[i].opt_misses);
        ck_assert_uint_eq(vmv_opt_so_far(&m->runs[i]), res[i].opt_misses);
        /* Per-slot load counts add up to the heat map's total. */
        uint64_t heat = 0;
        for (uint64_t c = 0; c < m->runs[i].heat_len; c++) heat += m->runs[i].heat[c];
        ck_assert_uint_eq(heat, a->loads);
    }
    free(res);
}
END_TEST

/* A larger pool: the memory map aggregates pages into cells and still draws. */
START_TEST(test_opt_timeline_monotonic)
{
    struct vmv_model *m = vmv_view_model(v);
    const struct vmv_run *r = &m->runs[0];
    ck_assert_int_eq(r->has_opt, 1);
    for (size_t b = 1; b < r->opt_len; b++) ck_assert_uint_ge(r->opt_cum[b], r->opt_cum[b - 1]);
    ck_assert_uint_eq(r->opt_cum[r->opt_len - 1], r->opt_total);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_view window|offscreen SCENARIO [VMSIM]\n");
        return 2;
    }
    use_window = strcmp(argv[1], "window") == 0;
    scen_path = argv[2];
    vmsim_path = argc > 3 ? argv[3] : NULL;
    if (use_window && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) {
        fprintf(stderr, "test_view: no display (run under xvfb-run -a): skipped\n");
        return 77;
    }
    if (SDL_Init(use_window ? SDL_INIT_VIDEO : SDL_INIT_EVENTS) < 0 || TTF_Init() < 0) {
        fprintf(stderr, "test_view: SDL: %s: skipped\n", SDL_GetError());
        return 77;
    }
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create(use_window ? "window" : "offscreen");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pixels_every_op);
    tcase_add_test(tc, test_counters_not_empty);
    tcase_add_test(tc, test_hover_and_help);
    if (use_window) tcase_add_test(tc, test_resize);
    if (!use_window) {
        tcase_add_test(tc, test_keys);
        tcase_add_test(tc, test_same_numbers_as_headless);
        tcase_add_test(tc, test_opt_timeline_monotonic);
        if (vmsim_path) {
            tcase_add_test(tc, test_screenshot_png);
            tcase_add_test(tc, test_screenshot_bad_args);
            tcase_add_test(tc, test_view_flag_headless);
        }
    }
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    /* SDL state lives in this process: no forking per test. */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    TTF_Quit();
    SDL_Quit();
    return failed ? 1 : 0;
}
