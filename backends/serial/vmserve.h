/*
 * vmserve.h - the parts of vmserve (the host end of docs/serial-protocol.md
 * over a real tty): its options, the console writer and the serving loop.
 * vmserve.c reads the command line and opens the pool and the port;
 * vmserve_console.c writes the board's text without ever blocking;
 * vmserve_loop.c serves until a signal or a hangup.
 */
#ifndef VMSERVE_H
#define VMSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "vm_serial_host.h"

struct vmserve_opts {
    const char *dev;      /* the serial port */
    const char *file;     /* --file: pool file, or NULL for RAM */
    uint32_t baud;
    uint32_t pool;        /* bytes; 0 until known */
    uint32_t max_data;
    int have_pool;        /* --pool was given */
    int verbose;          /* --verbose: every request and bad frame */
    int exit_on_hangup;   /* --exit-on-hangup */
    int raw_console;      /* --raw-console: the board's text unescaped */
};

/* ---- console text (vmserve_console.c) ----------------------------------- */

/* The board's text goes to an output (stdout) through a buffer that is
 * written only when the output can take it, so a stalled terminal or pipe
 * never stops serving; what does not fit in the buffer is dropped and
 * counted. Control characters other than newline, tab and carriage return,
 * and bytes from 0x7F up, are written as \xNN unless raw. */
#define VMSERVE_CONSOLE_BUF 65536u

struct vmserve_console {
    int fd;               /* non-blocking output; -1 when closed */
    int restore_flags;    /* file status flags to put back, or -1 */
    int raw;
    size_t len;           /* bytes waiting in buf */
    uint64_t bytes;       /* console bytes received from the board */
    uint64_t dropped;     /* bytes (after escaping) dropped: the output was full */
    uint8_t buf[VMSERVE_CONSOLE_BUF];
};

/* Writes to out (1 for stdout) without blocking from now on. */
void vmserve_console_open(struct vmserve_console *c, int out, int raw);
/* Queue the board's text (escaped unless raw) and write what the output takes. */
void vmserve_console_text(struct vmserve_console *c, const uint8_t *p, size_t n);
/* Write what the output takes now. */
void vmserve_console_flush(struct vmserve_console *c);
/* Write what is left, waiting at most wait_ms for the output; then close. */
void vmserve_console_close(struct vmserve_console *c, int wait_ms);

/* Escape text for a terminal: dst receives at most 4 * n bytes. Returns the
 * length written. */
size_t vmserve_escape(uint8_t *dst, const uint8_t *src, size_t n);

/* ---- serving (vmserve_loop.c) -------------------------------------------- */

/* Serve store over fd until SIGINT or SIGTERM (stops within a poll wakeup:
 * the signal handler writes to a pipe the loop polls), or until the port
 * closes. Prints the startup line and the exit summary on stderr. Returns
 * the exit status: 0 stopped by a signal (or a hangup with exit_on_hangup),
 * 1 runtime error. */
int vmserve_run(const struct vmserve_opts *o, int fd, struct vm_serial_store *store);

#endif /* VMSERVE_H */
