/*
 * vm_serial_fd.h - a struct vm_uart over a POSIX file descriptor (a tty, a
 * pseudo-terminal, a pipe), and raw tty setup. Desktop only.
 *
 * read() waits with poll(): at most timeout_ms for the first byte and
 * between bytes, as struct vm_uart promises. millis() is CLOCK_MONOTONIC.
 */
#ifndef VM_SERIAL_FD_H
#define VM_SERIAL_FD_H

#include <stdint.h>

#include "vm_bus.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm_serial_fd {
    struct vm_uart uart; /* give &uart to vm_serial */
    int fd;
};

void vm_serial_fd_init(struct vm_serial_fd *u, int fd);

/* Put a tty in raw 8N1 mode at baud (no echo, no line discipline, no flow
 * control, reads return what is there). 0, or -1 with errno set (EINVAL for
 * a baud rate termios cannot express). */
int vm_serial_tty_raw(int fd, uint32_t baud);

#ifdef __cplusplus
}
#endif

#endif /* VM_SERIAL_FD_H */
