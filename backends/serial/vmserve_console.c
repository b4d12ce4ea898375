/*
 * vmserve_console.c - the board's console text on vmserve's stdout, escaped,
 * through a buffer that never blocks serving. See vmserve.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmserve.h"

void vmserve_console_open(struct vmserve_console *c, int out, int raw)
{
    struct stat st;
    char path[64];
    int fd = -1, fl;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->restore_flags = -1;
    c->raw = raw;
    if (fstat(out, &st) != 0) return; /* no stdout: text is dropped */
    if (S_ISREG(st.st_mode)) {        /* a file never stalls */
        c->fd = out;
        return;
    }
    /* A terminal or a pipe: open it again, non-blocking, so that the flag
     * does not change the description the shell shares with us. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", out);
    fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        c->fd = fd;
        return;
    }
    /* A socket, or no /proc: non-blocking in place, restored at close. */
    fl = fcntl(out, F_GETFL);
    if (fl >= 0 && fcntl(out, F_SETFL, fl | O_NONBLOCK) == 0) c->restore_flags = fl;
    c->fd = out;
}

size_t vmserve_escape(uint8_t *dst, const uint8_t *src, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        uint8_t b = src[i];
        if ((b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t' || b == '\r') {
            dst[k++] = b;
        } else {
            dst[k++] = '\\';
            dst[k++] = 'x';
            dst[k++] = (uint8_t)hex[b >> 4];
            dst[k++] = (uint8_t)hex[b & 15];
        }
    }
    return k;
}

static void queue(struct vmserve_console *c, const uint8_t *p, size_t n)
{
    size_t room = sizeof c->buf - c->len;
    if (n > room) {
        c->dropped += n - room;
        n = room;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

void vmserve_console_text(struct vmserve_console *c, const uint8_t *p, size_t n)
{
    uint8_t esc[4 * 256];
    c->bytes += n;
    if (c->fd < 0) return;
    if (c->raw) {
        queue(c, p, n);
    } else {
        while (n > 0) {
            size_t k = n < 256 ? n : 256;
            queue(c, esc, vmserve_escape(esc, p, k));
            p += k;
            n -= k;
        }
    }
    vmserve_console_flush(c);
}

void vmserve_console_flush(struct vmserve_console *c)
{
    size_t done = 0;
    while (c->fd >= 0 && done < c->len) {
        ssize_t r = write(c->fd, c->buf + done, c->len - done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r < 0 && errno != EAGAIN) { /* output gone (EPIPE...): drop from now on */
                c->dropped += c->len - done;
                done = c->len;
            }
            break;
        }
        done += (size_t)r;
    }
    memmove(c->buf, c->buf + done, c->len - done);
    c->len -= done;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void vmserve_console_close(struct vmserve_console *c, int wait_ms)
{
    long end = now_ms() + wait_ms;
    if (c->fd < 0) return;
    vmserve_console_flush(c);
    while (c->len > 0) {
        struct pollfd p = {c->fd, POLLOUT, 0};
        long left = end - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) break;
        vmserve_console_flush(c);
    }
    c->dropped += c->len;
    c->len = 0;
    if (c->restore_flags >= 0) fcntl(c->fd, F_SETFL, c->restore_flags);
    else if (c->fd > 2) close(c->fd);
    c->fd = -1;
}
