/*
 * vmserve - serve a pager pool to a board over a serial port.
 *
 *   vmserve [options] DEVICE
 *
 * The board runs vm_serial (backends/serial/vm_serial.h); this program is the
 * other end of docs/serial-protocol.md, using the same host engine that the
 * simulator runs behind its modelled link. The pool is in RAM (zero-filled,
 * lost at exit) or in a file (--file; created or extended to the pool size).
 * Text the board prints outside frames, and CONSOLE frames, go to stdout.
 *
 * Exit codes: 0 stopped by SIGINT/SIGTERM (or --exit-on-hangup and the
 * device closed), 1 runtime error (device lost, file I/O), 2 usage error.
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

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct serve {
    int fd;
    int verbose;
    int write_failed;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vmserve [options] DEVICE\n"
            "Serve a pager pool to a board running vm_serial over DEVICE (a tty).\n"
            "\n"
            "  -b, --baud N          baud rate (default 115200; native USB ignores it)\n"
            "  -p, --pool SIZE       pool size in bytes, K/M suffixes allowed\n"
            "                        (default 128K, or the size of --file)\n"
            "  -f, --file PATH       keep the pool in PATH (created/extended as needed)\n"
            "  -m, --max-data N      largest data bytes per frame (16..4096, default 4096)\n"
            "  -x, --exit-on-hangup  exit 0 when the device closes instead of failing\n"
            "  -v, --verbose         log every request to stderr\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit codes: 0 stopped by a signal, 1 runtime error, 2 usage error.\n");
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

static void send_reply(void *ctx, const uint8_t *buf, size_t n)
{
    struct serve *sv = ctx;
    while (n > 0) {
        ssize_t r = write(sv->fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) {
            struct pollfd p = {sv->fd, POLLOUT, 0};
            poll(&p, 1, 100);
            continue;
        }
        if (r <= 0) {
            sv->write_failed = 1;
            return;
        }
        buf += r;
        n -= (size_t)r;
    }
}

static void console_text(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    fwrite(buf, 1, n, stdout);
    fflush(stdout);
}

static void trace(void *ctx, uint8_t type, uint8_t seq, vm_addr_t addr, uint16_t len,
                  uint8_t status, int dup)
{
    struct serve *sv = ctx;
    if (!sv->verbose) return;
    fprintf(stderr, "vmserve: %-7s seq %3u addr 0x%08" PRIx32 " len %5u -> status %u%s\n",
            vm_serial_type_name(type), seq, addr, len, status, dup ? " (duplicate)" : "");
}

int main(int argc, char **argv)
{
    uint32_t baud = 115200, pool = 0, max_data = 4096;
    const char *file = NULL, *dev = NULL;
    int verbose = 0, exit_on_hangup = 0, have_pool = 0, i, rc = 0;
    int fd, pfd = -1;
    uint8_t *mem = NULL;
    struct vm_serial_store store;
    struct vm_serial_host_config hc;
    struct vm_serial_host *host;
    struct serve sv;
    struct sigaction sa;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        int needs = !strcmp(a, "-b") || !strcmp(a, "--baud") || !strcmp(a, "-p") ||
                    !strcmp(a, "--pool") || !strcmp(a, "-f") || !strcmp(a, "--file") ||
                    !strcmp(a, "-m") || !strcmp(a, "--max-data");
        if (needs) {
            if (i + 1 >= argc) {
                fprintf(stderr, "vmserve: option %s needs a value\n", a);
                return 2;
            }
            val = argv[++i];
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (!strcmp(a, "-x") || !strcmp(a, "--exit-on-hangup")) {
            exit_on_hangup = 1;
        } else if (!strcmp(a, "-b") || !strcmp(a, "--baud")) {
            if (parse_u32(a, val, 0, &baud)) return 2;
        } else if (!strcmp(a, "-p") || !strcmp(a, "--pool")) {
            if (parse_u32(a, val, 1, &pool)) return 2;
            if (pool == 0) {
                fprintf(stderr, "vmserve: option %s: the pool size must be above 0\n", a);
                return 2;
            }
            have_pool = 1;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
            file = val;
        } else if (!strcmp(a, "-m") || !strcmp(a, "--max-data")) {
            if (parse_u32(a, val, 0, &max_data)) return 2;
            if (max_data < 16 || max_data > VM_SP_DATA_MAX) {
                fprintf(stderr, "vmserve: option %s: %" PRIu32 " is outside 16..%u\n", a,
                        max_data, VM_SP_DATA_MAX);
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vmserve: unknown option '%s' (try --help)\n", a);
            return 2;
        } else if (dev == NULL) {
            dev = a;
        } else {
            fprintf(stderr, "vmserve: unexpected argument '%s': one DEVICE only\n", a);
            return 2;
        }
    }
    if (dev == NULL) {
        fprintf(stderr, "vmserve: no DEVICE given (try --help)\n");
        return 2;
    }

    if (file != NULL) {
        struct stat stt;
        pfd = open(file, O_RDWR | O_CREAT, 0644);
        if (pfd < 0 || fstat(pfd, &stt) != 0) {
            fprintf(stderr, "vmserve: --file %s: %s\n", file, strerror(errno));
            return 1;
        }
        if (!have_pool) {
            if (stt.st_size <= 0 || (unsigned long long)stt.st_size > 0xFFFFFFFFull) {
                fprintf(stderr, "vmserve: --file %s: size %lld is not a usable pool size; "
                                "give --pool\n", file, (long long)stt.st_size);
                close(pfd);
                return 2;
            }
            pool = (uint32_t)stt.st_size;
        } else if ((unsigned long long)stt.st_size < pool && ftruncate(pfd, (off_t)pool) != 0) {
            fprintf(stderr, "vmserve: --file %s: cannot extend to %" PRIu32 " bytes: %s\n",
                    file, pool, strerror(errno));
            close(pfd);
            return 1;
        }
        vm_serial_store_file(&store, pfd, pool);
    } else {
        if (!have_pool) pool = 128u * 1024u;
        mem = calloc(1, pool);
        if (mem == NULL) {
            fprintf(stderr, "vmserve: --pool %" PRIu32 ": out of memory\n", pool);
            return 1;
        }
        vm_serial_store_ram(&store, mem, pool);
    }

    fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "vmserve: %s: %s\n", dev, strerror(errno));
        free(mem);
        if (pfd >= 0) close(pfd);
        return 1;
    }
    if (isatty(fd) && vm_serial_tty_raw(fd, baud) != 0) {
        int e = errno;
        if (e == EINVAL)
            fprintf(stderr, "vmserve: option --baud: %" PRIu32 " is not a rate this tty "
                            "supports (9600..2000000, standard rates)\n", baud);
        else
            fprintf(stderr, "vmserve: %s: cannot set raw mode: %s\n", dev, strerror(e));
        close(fd);
        free(mem);
        if (pfd >= 0) close(pfd);
        return e == EINVAL ? 2 : 1;
    }
    if (isatty(fd)) tcflush(fd, TCIOFLUSH); /* drop what came before we listened */

    memset(&sv, 0, sizeof sv);
    sv.fd = fd;
    sv.verbose = verbose;
    memset(&hc, 0, sizeof hc);
    hc.store = &store.backend;
    hc.max_data = (uint16_t)max_data;
    hc.send = send_reply;
    hc.send_ctx = &sv;
    hc.console = console_text;
    hc.trace = trace;
    hc.trace_ctx = &sv;
    host = vm_serial_host_new(&hc);
    if (host == NULL) {
        fprintf(stderr, "vmserve: out of memory\n");
        close(fd);
        free(mem);
        if (pfd >= 0) close(pfd);
        return 1;
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (verbose)
        fprintf(stderr, "vmserve: serving %" PRIu32 " bytes (%s) on %s at %" PRIu32 " baud\n",
                pool, file ? file : "RAM", dev, baud);

    while (!stop_flag) {
        struct pollfd p = {fd, POLLIN, 0};
        uint8_t buf[4096];
        ssize_t r;
        int pr = poll(&p, 1, 500);
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) {
            fprintf(stderr, "vmserve: %s: poll: %s\n", dev, strerror(errno));
            rc = 1;
            break;
        }
        if (pr == 0) continue;
        if (!(p.revents & POLLIN)) {
            if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
                if (!exit_on_hangup) fprintf(stderr, "vmserve: %s: device closed\n", dev);
                rc = exit_on_hangup ? 0 : 1;
                break;
            }
            continue;
        }
        r = read(fd, buf, sizeof buf);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) {
            if (!exit_on_hangup || r < 0)
                fprintf(stderr, "vmserve: %s: %s\n", dev, r < 0 ? strerror(errno) : "end of file");
            rc = (exit_on_hangup && (r == 0 || errno == EIO)) ? 0 : 1;
            break;
        }
        vm_serial_host_feed(host, buf, (size_t)r);
        if (sv.write_failed) {
            fprintf(stderr, "vmserve: %s: write failed: %s\n", dev, strerror(errno));
            rc = 1;
            break;
        }
    }

    if (store.backend.sync && store.backend.sync(store.backend.ctx) != VM_OK) {
        fprintf(stderr, "vmserve: --file %s: fsync failed: %s\n", file, strerror(errno));
        rc = 1;
    }
    {
        const struct vm_serial_host_stats *st = vm_serial_host_stats(host);
        if (verbose)
            fprintf(stderr,
                    "vmserve: %" PRIu64 " requests, %" PRIu64 " duplicates, %" PRIu64
                    " bad headers, %" PRIu64 " bad CRCs, %" PRIu64 " console bytes, %" PRIu64
                    " bytes read, %" PRIu64 " written\n",
                    st->frames, st->duplicates, st->bad_header, st->bad_crc, st->garbage,
                    st->bytes_read, st->bytes_written);
    }
    vm_serial_host_free(host);
    close(fd);
    if (pfd >= 0) close(pfd);
    free(mem);
    return rc;
}
