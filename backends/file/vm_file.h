/*
 * vm_file.h - a host file as the pager's backing store (desktop only).
 *
 * vm_file_open creates the file if needed and extends it to size bytes
 * (never truncates a longer file unless VM_FILE_TRUNC). Reads and writes are
 * pread/pwrite at the pool offset; sync is fsync. Errors are the core's
 * codes; vm_file_error() gives the failing call and errno as text, naming
 * the path.
 */
#ifndef VM_FILE_H
#define VM_FILE_H

#include <stddef.h>

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VM_FILE_TRUNC 0x01u  /* discard existing contents (size stays) */
#define VM_FILE_RDONLY 0x02u /* open read-only; the file must be >= size */
#define VM_FILE_NOSYNC 0x04u /* sync does nothing (tests, scratch pools) */

struct vm_file {
    int fd;             /* -1 when closed */
    unsigned flags;
    struct vm_backend be;
    char msg[256];      /* last error, for vm_file_error */
};

/* Open or create path as a size-byte pool. Returns VM_OK, VM_ERR_INVAL
 * (NULL path, size 0), VM_ERR_NODEV (cannot open), VM_ERR_IO (cannot
 * extend), VM_ERR_RANGE (read-only file shorter than size). */
int vm_file_open(struct vm_file *f, const char *path, vm_addr_t size, unsigned flags);
/* Closes the file; returns VM_ERR_IO if close reported an error. */
int vm_file_close(struct vm_file *f);
const struct vm_backend *vm_file_backend(const struct vm_file *f);
/* The last error message ("" if none). */
const char *vm_file_error(const struct vm_file *f);

#ifdef __cplusplus
}
#endif

#endif /* VM_FILE_H */
