/*
 * vm_file.c - host file backend: pread/pwrite/fsync. Desktop only.
 * Short reads past the end of the file cannot happen: open extends the file
 * to the pool size, so a short read is reported as VM_ERR_IO.
 */
#include "vm_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(struct vm_file *f, int err, const char *what, const char *path)
{
    snprintf(f->msg, sizeof f->msg, "%s%s%s: %s", path ? path : "", path ? ": " : "", what,
             strerror(errno));
    return err;
}

static int f_read(void *ctx, vm_addr_t addr, void *buf, size_t len)
{
    struct vm_file *f = ctx;
    size_t done = 0;
    if (f->fd < 0) return VM_ERR_NODEV;
    if (addr > f->be.size || len > (size_t)(f->be.size - addr)) return VM_ERR_RANGE;
    while (done < len) {
        ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)addr + (off_t)done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(f, VM_ERR_IO, "pread", NULL);
        }
        if (n == 0) {
            errno = EIO;
            return fail(f, VM_ERR_IO, "pread: unexpected end of file", NULL);
        }
        done += (size_t)n;
    }
    return VM_OK;
}

static int f_write(void *ctx, vm_addr_t addr, const void *buf, size_t len)
{
    struct vm_file *f = ctx;
    size_t done = 0;
    if (f->fd < 0) return VM_ERR_NODEV;
    if (f->flags & VM_FILE_RDONLY) return VM_ERR_INVAL;
    if (addr > f->be.size || len > (size_t)(f->be.size - addr)) return VM_ERR_RANGE;
    while (done < len) {
        ssize_t n = pwrite(f->fd, (const char *)buf + done, len - done, (off_t)addr + (off_t)done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(f, VM_ERR_IO, "pwrite", NULL);
        }
        done += (size_t)n;
    }
    return VM_OK;
}

static int f_sync(void *ctx)
{
    struct vm_file *f = ctx;
    if (f->fd < 0) return VM_ERR_NODEV;
    if (f->flags & (VM_FILE_NOSYNC | VM_FILE_RDONLY)) return VM_OK;
    if (fsync(f->fd) != 0) return fail(f, VM_ERR_IO, "fsync", NULL);
    return VM_OK;
}

int vm_file_open(struct vm_file *f, const char *path, vm_addr_t size, unsigned flags)
{
    struct stat st;
    int oflags;
    f->fd = -1;
    f->flags = flags;
    f->msg[0] = '\0';
    f->be.read = f_read;
    f->be.write = f_write;
    f->be.sync = f_sync;
    f->be.ctx = f;
    f->be.size = size;
    if (path == NULL || size == 0) {
        snprintf(f->msg, sizeof f->msg, "%s: %s", path ? path : "(null)",
                 path ? "pool size must be > 0" : "no path given");
        return VM_ERR_INVAL;
    }
    if (flags & VM_FILE_RDONLY)
        oflags = O_RDONLY;
    else
        oflags = O_RDWR | O_CREAT | ((flags & VM_FILE_TRUNC) ? O_TRUNC : 0);
    f->fd = open(path, oflags, 0644);
    if (f->fd < 0) return fail(f, VM_ERR_NODEV, "open", path);
    if (fstat(f->fd, &st) != 0) {
        int err = fail(f, VM_ERR_IO, "fstat", path);
        close(f->fd);
        f->fd = -1;
        return err;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(f->msg, sizeof f->msg, "%s: not a regular file", path);
        close(f->fd);
        f->fd = -1;
        return VM_ERR_NODEV;
    }
    if ((uint64_t)st.st_size < (uint64_t)size) {
        if (flags & VM_FILE_RDONLY) {
            snprintf(f->msg, sizeof f->msg,
                     "%s: file has %lld bytes, pool needs %lu", path, (long long)st.st_size,
                     (unsigned long)size);
            close(f->fd);
            f->fd = -1;
            return VM_ERR_RANGE;
        }
        if (ftruncate(f->fd, (off_t)size) != 0) {
            int err = fail(f, VM_ERR_IO, "extending with ftruncate", path);
            close(f->fd);
            f->fd = -1;
            return err;
        }
    }
    return VM_OK;
}

int vm_file_close(struct vm_file *f)
{
    int rc = VM_OK;
    if (f->fd >= 0 && close(f->fd) != 0) rc = fail(f, VM_ERR_IO, "close", NULL);
    f->fd = -1;
    return rc;
}

const struct vm_backend *vm_file_backend(const struct vm_file *f)
{
    return &f->be;
}

const char *vm_file_error(const struct vm_file *f)
{
    return f->msg;
}
