/*
 * vm_serial_fd.c - struct vm_uart over a file descriptor, and raw termios.
 */
#define _DEFAULT_SOURCE /* cfmakeraw, B230400.. on glibc */
#include "vm_serial_fd.h"

#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

static uint32_t fd_millis(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static int fd_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct vm_serial_fd *u = ctx;
    while (n > 0) {
        ssize_t r = write(u->fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) {
            struct pollfd p = {u->fd, POLLOUT, 0};
            if (poll(&p, 1, 1000) <= 0) return VM_ERR_TIMEOUT;
            continue;
        }
        if (r <= 0) return VM_ERR_IO;
        buf += r;
        n -= (size_t)r;
    }
    return VM_OK;
}

static int fd_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    struct vm_serial_fd *u = ctx;
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {u->fd, POLLIN, 0};
        ssize_t r;
        int pr = poll(&p, 1, timeout_ms > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)timeout_ms);
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) return VM_ERR_IO;
        if (pr == 0) break; /* timed out */
        if (!(p.revents & POLLIN)) {
            if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
                return got ? (int)got : VM_ERR_NODEV; /* the other end is gone */
            continue;
        }
        r = read(u->fd, buf + got, n - got);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r < 0) return got ? (int)got : VM_ERR_IO;
        if (r == 0) return got ? (int)got : VM_ERR_NODEV;
        got += (size_t)r;
    }
    return (int)got;
}

void vm_serial_fd_init(struct vm_serial_fd *u, int fd)
{
    u->fd = fd;
    u->uart.write = fd_write;
    u->uart.read = fd_read;
    u->uart.millis = fd_millis;
    u->uart.ctx = u;
}

static speed_t baud_code(uint32_t baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
#ifdef B460800
    case 460800: return B460800;
#endif
#ifdef B500000
    case 500000: return B500000;
#endif
#ifdef B921600
    case 921600: return B921600;
#endif
#ifdef B1000000
    case 1000000: return B1000000;
#endif
#ifdef B2000000
    case 2000000: return B2000000;
#endif
    default: return B0;
    }
}

int vm_serial_tty_raw(int fd, uint32_t baud)
{
    struct termios t;
    speed_t sp = baud_code(baud);
    if (sp == B0) {
        errno = EINVAL;
        return -1;
    }
    if (tcgetattr(fd, &t) != 0) return -1;
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB);
#ifdef CRTSCTS
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, sp) != 0 || cfsetospeed(&t, sp) != 0) return -1;
    return tcsetattr(fd, TCSANOW, &t);
}
