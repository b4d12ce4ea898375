/*
 * vmserve - serve a pager pool to a board over a serial port.
 *
 *   vmserve [options] DEVICE
 *
 * The board runs vm_serial (backends/serial/vm_serial.h); this program is the
 * other end of docs/serial-protocol.md, using the same host engine that the
 * simulator runs behind its modelled link. The pool is in RAM (zero-filled,
 * lost at exit) or in a file (--file; created or extended to the pool size).
 * Text the board prints outside frames, and CONSOLE frames, go to stdout,
 * control characters escaped (--raw-console: as they are); the startup line,
 * the log and the exit summary go to stderr.
 *
 * This file reads the command line and opens the pool and the port;
 * vmserve_loop.c serves, vmserve_console.c writes the board's text.
 *
 * Exit codes: 0 stopped by SIGINT/SIGTERM (or --exit-on-hangup and the
 * device closed), 1 runtime error (device lost, file I/O), 2 usage error
 * (including a DEVICE that is not a tty or pty, unless --file is given).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "vm_serial_fd.h"
#include "vm_serial_host.h"
#include "vmserve.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vmserve [options] DEVICE\n"
            "Serve a pager pool to a board running vm_serial over DEVICE (a tty or pty).\n"
            "The board's text goes to stdout; the startup line, the log and the summary\n"
            "to stderr. SIGINT or SIGTERM (Ctrl-C) stops it at once.\n"
            "\n"
            "  -b, --baud N          baud rate (default 115200; native USB ignores it)\n"
            "  -p, --pool SIZE       pool size in bytes, K/M suffixes allowed\n"
            "                        (default 128K, or the size of --file)\n"
            "  -f, --file PATH       keep the pool in PATH (created/extended as needed);\n"
            "                        DEVICE may then be any file that reads and writes\n"
            "                        (a FIFO, a socket), not only a tty\n"
            "  -m, --max-data N      largest data bytes per frame (16..4096, default 4096)\n"
            "  -x, --exit-on-hangup  exit 0 when the device closes instead of failing\n"
            "  -v, --verbose         log every request and every bad frame to stderr\n"
            "      --raw-console     the board's text as it is (default: control\n"
            "                        characters written as \\xNN)\n"
            "  -h, --help            show this help\n"
            "\n"
            "\n"
            "Exit codes: 0 stopped by a signal, 1 runtime error, 2 usage error (also a\n"
            "DEVICE that is not a tty or pty, unless --file is given).\n");
}

static int parse_u32(const char *opt, const char *s, int suffix, uint32_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    if (*s == '-' || *s == '\0') goto bad;
    v = strtoull(s, &end, 0);
    if (errno != 0 || end == s) goto bad;
    if (suffix && (*end == 'k' || *end == 'K')) {
        v *= 1024u;
        end++;
    } else if (suffix && (*end == 'm' || *end == 'M')) {
        v *= 1024u * 1024u;
        end++;
    }
    if (*end != '\0' || v > 0xFFFFFFFFull) goto bad;
    *out = (uint32_t)v;
    return 0;
bad:
    fprintf(stderr, "vmserve: option %s: '%s' is not a valid %s\n", opt, s,
            suffix ? "size (a number with an optional K or M suffix, below 4G)"
                   : "number");
    return -1;
}


/* Options that take a value. */
static int takes_value(const char *a)
{
    static const char *const opts[] = {"-b", "--baud", "-p", "--pool", "-f", "--file",
                                       "-m", "--max-data"};
    size_t i;
    for (i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (!strcmp(a, opts[i])) return 1;
    return 0;
}

/* One option with its value (or NULL). 0 done, 2 usage error, -1 --help. */
static int parse_one(struct vmserve_opts *o, const char *a, const char *val)
{
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) return -1;
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
        o->verbose = 1;
    } else if (!strcmp(a, "-x") || !strcmp(a, "--exit-on-hangup")) {
        o->exit_on_hangup = 1;
    } else if (!strcmp(a, "--raw-console")) {
        o->raw_console = 1;
    } else if (!strcmp(a, "-b") || !strcmp(a, "--baud")) {
        if (parse_u32(a, val, 0, &o->baud)) return 2;
    } else if (!strcmp(a, "-p") || !strcmp(a, "--pool")) {
        if (parse_u32(a, val, 1, &o->pool)) return 2;
        if (o->pool == 0) {
            fprintf(stderr, "vmserve: option %s: the pool size must be above 0\n", a);
            return 2;
        }
        o->have_pool = 1;
    } else if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
        o->file = val;
    } else if (!strcmp(a, "-m") || !strcmp(a, "--max-data")) {
        if (parse_u32(a, val, 0, &o->max_data)) return 2;
        if (o->max_data < 16 || o->max_data > VM_SP_DATA_MAX) {
            fprintf(stderr, "vmserve: option %s: %" PRIu32 " is outside 16..%u\n", a,
                    o->max_data, VM_SP_DATA_MAX);
            return 2;
        }
    } else if (a[0] == '-' && a[1] != '\0') {
        fprintf(stderr, "vmserve: unknown option '%s' (try --help)\n", a);
        return 2;
    } else if (o->dev == NULL) {
        o->dev = a;
    } else {
        fprintf(stderr, "vmserve: unexpected argument '%s': one DEVICE only\n", a);
        return 2;
    }
    return 0;
}

/* 0 to go on, else the exit status (0 after --help). */
static int parse_args(struct vmserve_opts *o, int argc, char **argv)
{
    int i, r;
    memset(o, 0, sizeof *o);
    o->baud = 115200;
    o->max_data = 4096;
    for (i = 1; i < argc; i++) {
        const char *val = NULL;
        if (takes_value(argv[i])) {
            if (i + 1 >= argc) {
                fprintf(stderr, "vmserve: option %s needs a value\n", argv[i]);
                return 2;
            }
            val = argv[i + 1];
        }
        r = parse_one(o, argv[i], val);
        if (r < 0) {
            usage(stdout);
            return -1;
        }
        if (r) return r;
        if (val) i++;
    }
    if (o->dev == NULL) {
        fprintf(stderr, "vmserve: no DEVICE given (try --help)\n");
        return 2;
    }
    return 0;
}

/* The pool: a file (--file) or RAM. 0, or the exit status. */
static int open_pool(struct vmserve_opts *o, struct vm_serial_store *store, int *pfd,
                     uint8_t **mem)
{
    struct stat st;
    if (o->file == NULL) {
        if (!o->have_pool) o->pool = 128u * 1024u;
        *mem = calloc(1, o->pool);
        if (*mem == NULL) {
            fprintf(stderr, "vmserve: --pool %" PRIu32 ": out of memory\n", o->pool);
            return 1;
        }
        vm_serial_store_ram(store, *mem, o->pool);
        return 0;
    }
    *pfd = open(o->file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*pfd < 0 || fstat(*pfd, &st) != 0) {
        fprintf(stderr, "vmserve: --file %s: %s\n", o->file, strerror(errno));
        return 1;
    }
    if (!o->have_pool) {
        if (st.st_size <= 0 || (unsigned long long)st.st_size > 0xFFFFFFFFull) {
            fprintf(stderr, "vmserve: --file %s: size %lld is not a usable pool size; "
                            "give --pool\n", o->file, (long long)st.st_size);
            return 2;
        }
        o->pool = (uint32_t)st.st_size;
    } else if ((unsigned long long)st.st_size < o->pool && ftruncate(*pfd, (off_t)o->pool) != 0) {
        fprintf(stderr, "vmserve: --file %s: cannot extend to %" PRIu32 " bytes: %s\n",
                o->file, o->pool, strerror(errno));
        return 1;
    }
    vm_serial_store_file(store, *pfd, o->pool);
    return 0;
}

/* The port, raw at the baud rate. 0, or the exit status. */
static int open_port(const struct vmserve_opts *o, int *fd)
{
    *fd = open(o->dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0) {
        fprintf(stderr, "vmserve: %s: %s\n", o->dev, strerror(errno));
        return 1;
    }
    if (!isatty(*fd)) {
        if (o->file != NULL) return 0;
        fprintf(stderr, "vmserve: %s is not a tty or pty (a serial port); give the board's "
                        "port, e.g. /dev/ttyUSB0 or /dev/ttyACM0 (or --file to serve over "
                        "another kind of file)\n", o->dev);
        return 2;
    }
    if (vm_serial_tty_raw(*fd, o->baud) != 0) {
        int e = errno;
        if (e == EINVAL)
            fprintf(stderr, "vmserve: option --baud: %" PRIu32 " is not a rate this tty "
                            "supports (9600..2000000, standard rates)\n", o->baud);
        else
            fprintf(stderr, "vmserve: %s: cannot set raw mode: %s\n", o->dev, strerror(e));
        return e == EINVAL ? 2 : 1;
    }
    tcflush(*fd, TCIOFLUSH); /* drop what came before we listened */
    return 0;
}

int main(int argc, char **argv)
{
    struct vmserve_opts o;
    struct vm_serial_store store;
    uint8_t *mem = NULL;
    int fd = -1, pfd = -1;
    int rc = parse_args(&o, argc, argv);
    if (rc) return rc < 0 ? 0 : rc;
    rc = open_pool(&o, &store, &pfd, &mem);
    if (rc == 0) rc = open_port(&o, &fd);
    if (rc == 0) rc = vmserve_run(&o, fd, &store);
    if (fd >= 0) close(fd);
    if (pfd >= 0) close(pfd);
    free(mem);
    return rc;
}
