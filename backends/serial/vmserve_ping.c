/*
 * vmserve-ping - the board's side of the serial pager protocol, on a PC: a
 * test client for a running vmserve.
 *
 *   vmserve-ping [options] DEVICE     the board end of a serial link
 *   vmserve-ping [options] --pty      a new pseudo-terminal; start vmserve on
 *                                     the device name it prints
 *
 * It runs the portable board driver (backends/serial/vm_serial.c) over the
 * device and exercises the protocol: HELLO (retried until vmserve answers),
 * READ, WRITE and READ back at the start and the end of the pool (the
 * original bytes are written back afterwards), and PING round trips, timed.
 * Exit codes: 0 every check passed, 1 a check failed, 2 usage error.
 */
#define _XOPEN_SOURCE 600 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"
#include "vm_serial.h"
#include "vm_serial_fd.h"

struct ping_opts {
    const char *dev;
    int pty;
    unsigned long baud, wait_s, count, timeout_ms;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vmserve-ping [options] DEVICE\n"
            "       vmserve-ping [options] --pty\n"
            "Test a running vmserve from the board's side of the link: HELLO, READ,\n"
            "WRITE (and READ back) at both ends of the pool, then timed PINGs. The\n"
            "pool's bytes are written back as they were.\n"
            "\n"
            "  --pty             open a pseudo-terminal pair, print the device for\n"
            "                    vmserve on stdout, and wait for it\n"
            "  -b, --baud N      baud rate of DEVICE (default 115200)\n"
            "  -w, --wait S      keep sending HELLO for up to S seconds (default 10)\n"
            "  -n, --count N     PING round trips (default 10)\n"
            "  -t, --timeout MS  reply timeout per request (default 500)\n"
            "  -h, --help        show this help\n"
            "\n"
            "Exit codes: 0 every check passed, 1 a check failed, 2 usage error.\n");
}

static int parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi,
                     unsigned long *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (*s == '-' || errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "vmserve-ping: option %s: '%s' is not a number in %lu..%lu\n", opt, s,
                lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* 0 to go on, else the exit status (-1 after --help). */
static int parse_args(struct ping_opts *o, int argc, char **argv)
{
    int i;
    memset(o, 0, sizeof *o);
    o->baud = 115200;
    o->wait_s = 10;
    o->count = 10;
    o->timeout_ms = 500;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned long *num = NULL, lo = 1, hi = 100000;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(a, "--pty")) {
            o->pty = 1;
            continue;
        } else if (!strcmp(a, "-b") || !strcmp(a, "--baud")) {
            num = &o->baud, hi = 12000000;
        } else if (!strcmp(a, "-w") || !strcmp(a, "--wait")) {
            num = &o->wait_s, hi = 3600;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--count")) {
            num = &o->count;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--timeout")) {
            num = &o->timeout_ms, lo = 10, hi = 60000;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vmserve-ping: unknown option '%s' (try --help)\n", a);
            return 2;
        } else if (o->dev == NULL) {
            o->dev = a;
            continue;
        } else {
            fprintf(stderr, "vmserve-ping: unexpected argument '%s': one DEVICE only\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "vmserve-ping: option %s needs a value\n", a);
            return 2;
        }
        if (parse_num(a, argv[++i], lo, hi, num)) return 2;
    }
    if ((o->dev == NULL) == !o->pty) {
        fprintf(stderr, "vmserve-ping: give a DEVICE or --pty, not %s (try --help)\n",
                o->pty ? "both" : "neither");
        return 2;
    }
    return 0;
}

static int open_link(const struct ping_opts *o)
{
    int fd;
    if (!o->pty) {
        fd = open(o->dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "vmserve-ping: %s: %s\n", o->dev, strerror(errno));
            return -1;
        }
        if (isatty(fd) && vm_serial_tty_raw(fd, (uint32_t)o->baud) != 0) {
            fprintf(stderr, "vmserve-ping: %s: cannot set raw mode at %lu baud: %s\n", o->dev,
                    o->baud, strerror(errno));
            close(fd);
            return -1;
        }
        return fd;
    }
    fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname(fd) == NULL ||
        vm_serial_tty_raw(fd, (uint32_t)o->baud) != 0) {
        fprintf(stderr, "vmserve-ping: cannot open a pseudo-terminal: %s\n", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    printf("%s\n", ptsname(fd));
    fflush(stdout);
    fprintf(stderr, "vmserve-ping: waiting for vmserve on %s (e.g. vmserve %s)\n", ptsname(fd),
            ptsname(fd));
    return fd;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "vmserve-ping: %s failed: error %d (%s)\n", what, rc, vm_strerror(rc));
    return 1;
}

/* HELLO until vmserve answers or the wait is over. */
static int hello(struct vm_serial *drv, const struct ping_opts *o)
{
    double end = now_ms() + 1e3 * (double)o->wait_s;
    int rc;
    do {
        rc = vm_serial_hello(drv);
    } while (rc != VM_OK && now_ms() < end);
    if (rc != VM_OK) return fail("HELLO", rc);
    printf("HELLO: max data %u B per frame, pool %" PRIu32 " B\n", drv->max_data,
           (uint32_t)drv->backend.size);
    return 0;
}

/* WRITE a pattern at addr, READ it back, WRITE the old bytes back. */
static int read_write(struct vm_serial *drv, vm_addr_t addr, size_t n, uint8_t seed)
{
    static uint8_t old[VM_SP_DATA_MAX], pat[VM_SP_DATA_MAX], back[VM_SP_DATA_MAX];
    size_t k;
    int rc;
    for (k = 0; k < n; k++) pat[k] = (uint8_t)(seed + 31u * k + (k >> 8));
    if ((rc = vm_serial_read(drv, addr, old, n)) != VM_OK) return fail("READ", rc);
    if ((rc = vm_serial_write(drv, addr, pat, n)) != VM_OK) return fail("WRITE", rc);
    if ((rc = vm_serial_read(drv, addr, back, n)) != VM_OK) return fail("READ back", rc);
    if (memcmp(back, pat, n) != 0) {
        fprintf(stderr, "vmserve-ping: READ after WRITE at 0x%08" PRIx32 " returned other bytes\n",
                (uint32_t)addr);
        return 1;
    }
    if ((rc = vm_serial_write(drv, addr, old, n)) != VM_OK) return fail("WRITE back", rc);
    printf("READ, WRITE, READ back: %zu B at 0x%08" PRIx32 ": same bytes; restored\n", n,
           (uint32_t)addr);
    return 0;
}

static int pings(struct vm_serial *drv, unsigned long count)
{
    uint8_t msg[16]; /* the board driver pings with up to 16 bytes */
    double lo = 1e30, hi = 0, sum = 0;
    unsigned long i;
    for (i = 0; i < count; i++) {
        double t0, dt;
        int rc;
        size_t k;
        for (k = 0; k < sizeof msg; k++) msg[k] = (uint8_t)(i + k);
        t0 = now_ms();
        if ((rc = vm_serial_ping(drv, msg, sizeof msg)) != VM_OK) return fail("PING", rc);
        dt = now_ms() - t0;
        lo = dt < lo ? dt : lo;
        hi = dt > hi ? dt : hi;
        sum += dt;
    }
    printf("PING: %lu round trips of %zu B, min/avg/max %.2f/%.2f/%.2f ms\n", count, sizeof msg,
           lo, sum / (double)count, hi);
    return 0;
}

int main(int argc, char **argv)
{
    struct ping_opts o;
    struct vm_serial_fd u;
    struct vm_serial drv;
    struct vm_serial_config sc;
    size_t n;
    int fd, rc = parse_args(&o, argc, argv);
    if (rc) return rc < 0 ? 0 : rc;
    fd = open_link(&o);
    if (fd < 0) return 1;
    vm_serial_fd_init(&u, fd);
    memset(&sc, 0, sizeof sc);
    sc.uart = &u.uart;
    sc.max_data = VM_SP_DATA_MAX;
    sc.timeout_ms = (uint16_t)o.timeout_ms;
    sc.baud = (uint32_t)o.baud;
    rc = vm_serial_init(&drv, &sc) != VM_OK ? fail("setup", VM_ERR_INVAL) : hello(&drv, &o);
    n = drv.max_data < drv.backend.size ? drv.max_data : (size_t)drv.backend.size;
    if (rc == 0) rc = read_write(&drv, 0, n, 1);
    if (rc == 0) rc = read_write(&drv, drv.backend.size - n, n, 2);
    if (rc == 0) rc = pings(&drv, o.count);
    if (rc == 0) printf("vmserve-ping: all checks passed\n");
    close(fd);
    return rc;
}
