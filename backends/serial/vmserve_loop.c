/*
 * vmserve_loop.c - vmserve's serving loop: read what the board sends, feed
 * the host engine, write its replies, pass the board's text to the console
 * writer, and stop promptly on SIGINT or SIGTERM whatever the board does.
 *
 * Every wait is a poll() that includes the read end of a pipe the signal
 * handler writes to, so a signal wakes the loop at once, also while a reply
 * waits for the board to read (the reply is then dropped; the board retries
 * against the next host, as after any lost reply).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmserve.h"

static volatile sig_atomic_t stop_signal;
static int wake_w = -1;

static void on_signal(int sig)
{
    int e = errno;
    stop_signal = sig;
    if (wake_w >= 0 && write(wake_w, "", 1) < 0) { /* full pipe: already awake */
    }
    errno = e;
}

struct serve {
    const struct vmserve_opts *o;
    int fd;
    int wake_r;
    int write_failed;
    int hello_seen;
    struct vmserve_console con;
};

/* Wait for fd to be ready for events (or for a signal); serves the console
 * while waiting. 1 ready, 0 stop, -1 poll error. */
static int wait_for(struct serve *sv, short events, short *revents)
{
    for (;;) {
        struct pollfd p[3] = {{sv->fd, events, 0}, {sv->wake_r, POLLIN, 0}, {-1, POLLOUT, 0}};
        int r;
        if (stop_signal) return 0;
        if (sv->con.len > 0) p[2].fd = sv->con.fd;
        r = poll(p, 3, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (p[2].revents) vmserve_console_flush(&sv->con);
        if (stop_signal) return 0;
        if (p[0].revents) {
            *revents = p[0].revents;
            return 1;
        }
    }
}

static void send_reply(void *ctx, const uint8_t *buf, size_t n)
{
    struct serve *sv = ctx;
    while (n > 0 && !sv->write_failed) {
        short rev = 0;
        ssize_t r = write(sv->fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) {
            int w = wait_for(sv, POLLOUT, &rev);
            if (w == 0) return; /* stopping: the reply is dropped */
            if (w < 0 || (rev & (POLLERR | POLLNVAL))) sv->write_failed = 1;
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
    struct serve *sv = ctx;
    vmserve_console_text(&sv->con, buf, n);
}

static void trace(void *ctx, uint8_t type, uint8_t seq, vm_addr_t addr, uint16_t len,
                  uint8_t status, int dup)
{
    struct serve *sv = ctx;
    if (type == VM_SP_HELLO && status == VM_SP_OK && !dup && !sv->o->verbose)
        fprintf(stderr, "vmserve: HELLO from the board: %s\n",
                sv->hello_seen++ ? "a new session" : "serving");
    if (!sv->o->verbose) return;
    fprintf(stderr, "vmserve: %-7s seq %3u addr 0x%08" PRIx32 " len %5u -> status %u%s\n",
            vm_serial_type_name(type), seq, addr, len, status, dup ? " (duplicate)" : "");
}

static void bad_frame(void *ctx, const char *why, uint64_t at)
{
    struct serve *sv = ctx;
    if (sv->o->verbose)
        fprintf(stderr, "vmserve: resync: %s, frame at byte %" PRIu64 " of the stream dropped\n",
                why, at);
}

static void print_startup(const struct vmserve_opts *o)
{
    char pool[32];
    if (o->pool % (1024u * 1024u) == 0)
        snprintf(pool, sizeof pool, "%" PRIu32 " MiB", o->pool / (1024u * 1024u));
    else if (o->pool % 1024u == 0)
        snprintf(pool, sizeof pool, "%" PRIu32 " KiB", o->pool / 1024u);
    else
        snprintf(pool, sizeof pool, "%" PRIu32 " B", o->pool);
    fprintf(stderr, "vmserve: serving a %s pool (%s) on %s at %" PRIu32 " baud, max data %" PRIu32
                    " B per frame; waiting for the board's HELLO (Ctrl-C stops)\n",
            pool, o->file ? o->file : "RAM, lost at exit", o->dev, o->baud, o->max_data);
}

static void print_summary(const struct serve *sv, const struct vm_serial_host_stats *st,
                          const char *why)
{
    fprintf(stderr,
            "vmserve: %s: %" PRIu64 " frames (%" PRIu64 " duplicates), %" PRIu64
            " bytes read and %" PRIu64 " written, %" PRIu64 " errors, %" PRIu64
            " resyncs (%" PRIu64 " bad headers, %" PRIu64 " bad CRCs), %" PRIu64
            " console bytes (%" PRIu64 " dropped)\n",
            why, st->frames, st->duplicates, st->bytes_read, st->bytes_written, st->errors,
            st->bad_header + st->bad_crc, st->bad_header, st->bad_crc, sv->con.bytes,
            sv->con.dropped);
}

/* Read and serve until a signal, an error or a hangup. Returns the exit
 * status and sets *why for the summary. */
static int serve_loop(struct serve *sv, struct vm_serial_host *host, const char **why)
{
    const struct vmserve_opts *o = sv->o;
    for (;;) {
        uint8_t buf[4096];
        short rev = 0;
        ssize_t r;
        int w = wait_for(sv, POLLIN, &rev);
        if (w == 0) {
            *why = stop_signal == SIGINT ? "stopped by SIGINT" : "stopped by SIGTERM";
            return 0;
        }
        if (w < 0) {
            fprintf(stderr, "vmserve: %s: poll: %s\n", o->dev, strerror(errno));
            *why = "stopped by an error";
            return 1;
        }
        if (!(rev & POLLIN)) { /* POLLHUP, POLLERR or POLLNVAL alone */
            if (!o->exit_on_hangup) fprintf(stderr, "vmserve: %s: device closed\n", o->dev);
            *why = "device closed";
            return o->exit_on_hangup ? 0 : 1;
        }
        r = read(sv->fd, buf, sizeof buf);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) {
            int hangup = r == 0 || errno == EIO;
            if (!o->exit_on_hangup || r < 0)
                fprintf(stderr, "vmserve: %s: %s\n", o->dev, r < 0 ? strerror(errno) : "end of file");
            *why = "device closed";
            return (o->exit_on_hangup && hangup) ? 0 : 1;
        }
        vm_serial_host_feed(host, buf, (size_t)r);
        if (sv->write_failed) {
            fprintf(stderr, "vmserve: %s: write failed: %s\n", o->dev, strerror(errno));
            *why = "stopped by an error";
            return 1;
        }
    }
}

static int set_signals(int *wake)
{
    struct sigaction sa;
    if (pipe(wake) != 0) return -1;
    fcntl(wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(wake[1], F_SETFD, FD_CLOEXEC);
    fcntl(wake[0], F_SETFL, O_NONBLOCK);
    fcntl(wake[1], F_SETFL, O_NONBLOCK);
    wake_w = wake[1];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is EPIPE, not death */
    return 0;
}

int vmserve_run(const struct vmserve_opts *o, int fd, struct vm_serial_store *store)
{
    struct vm_serial_host_config hc;
    struct vm_serial_host *host;
    struct serve sv;
    const char *why = "stopped";
    int wake[2], rc;

    memset(&sv, 0, sizeof sv);
    sv.o = o;
    sv.fd = fd;
    if (set_signals(wake) != 0) {
        fprintf(stderr, "vmserve: pipe: %s\n", strerror(errno));
        return 1;
    }
    sv.wake_r = wake[0];
    vmserve_console_open(&sv.con, 1, o->raw_console);
    memset(&hc, 0, sizeof hc);
    hc.store = &store->backend;
    hc.max_data = (uint16_t)o->max_data;
    hc.send = send_reply;
    hc.send_ctx = &sv;
    hc.console = console_text;
    hc.console_ctx = &sv;
    hc.trace = trace;
    hc.trace_ctx = &sv;
    hc.bad_frame = bad_frame;
    hc.bad_frame_ctx = &sv;
    host = vm_serial_host_new(&hc);
    if (host == NULL) {
        fprintf(stderr, "vmserve: out of memory\n");
        vmserve_console_close(&sv.con, 0);
        return 1;
    }
    print_startup(o);
    rc = serve_loop(&sv, host, &why);
    if (store->backend.sync && store->backend.sync(store->backend.ctx) != VM_OK) {
        fprintf(stderr, "vmserve: --file %s: fsync failed: %s\n", o->file, strerror(errno));
        rc = 1;
    }
    vmserve_console_close(&sv.con, 50); /* a stalled output gets 50 ms, no more */
    print_summary(&sv, vm_serial_host_stats(host), why);
    vm_serial_host_free(host);
    wake_w = -1;
    close(wake[0]);
    close(wake[1]);
    return rc;
}
