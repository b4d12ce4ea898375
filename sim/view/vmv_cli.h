/*
 * vmv_cli.h - vmsim's options for the live view (no SDL here, so vmsim.c
 * builds the same with or without the view).
 *
 *   --view            open the live view window before the headless run
 *   --no-view         never open it (wins over --view)
 *   --screenshot F    render the view after --at N ops into PNG file F and exit
 *   --at N            ops to replay before the screenshot (default: the whole trace)
 *   --view-size WxH   window or screenshot size (default 1280x800, at least 640x400)
 *
 * The view only observes: after the window is closed vmsim runs the scenario
 * headless exactly as without --view, so every report is unchanged.
 */
#ifndef VMV_CLI_H
#define VMV_CLI_H

#include <stdint.h>

#include "vms_scenario.h"

struct vmv_cli {
    int view, no_view, has_at;
    const char *screenshot;
    uint64_t at;
    int width, height;
};

/* Removes the view's options from argv (updating *argc). 0, or 2 (the usage
 * exit status) after printing what is wrong. */
int vmv_cli_parse(int *argc, char **argv, struct vmv_cli *c);

/* Runs what c asks for on sc: -1 means "go on headless as usual"; any other
 * value is vmsim's exit status (0 after a screenshot was written). */
int vmv_cli_run(const struct vmv_cli *c, struct vms_scenario *sc);

#endif /* VMV_CLI_H */
