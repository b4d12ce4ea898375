/*
 * tt_util.h - helpers shared by the vmtrace tests: a private temporary
 * directory, writing files, and draining a source.
 */
#ifndef TT_UTIL_H
#define TT_UTIL_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmtrace.h"

static char tt_dir[256];

/* Work scale in percent (VM_TEST_SCALE; the valgrind setup uses 20). */
static inline long tt_scale(long full, long min)
{
    const char *e = getenv("VM_TEST_SCALE");
    long pct = e ? atol(e) : 100, v;
    if (pct <= 0) pct = 100;
    v = full * pct / 100;
    return v < min ? min : v;
}

/* Removes the temporary directory and its files (at exit of the process
 * that made it: with CK_FORK, each test's child). */
static inline void tt_cleanup(void)
{
    DIR *d;
    struct dirent *e;
    char p[600];
    if (!tt_dir[0] || !(d = opendir(tt_dir))) return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", tt_dir, e->d_name);
        remove(p);
    }
    closedir(d);
    rmdir(tt_dir);
    tt_dir[0] = 0;
}

static inline void tt_setup_dir(void)
{
    if (!tt_dir[0]) {
        snprintf(tt_dir, sizeof tt_dir, "/tmp/vmtrace-test-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tt_dir));
        atexit(tt_cleanup);
    }
}

/* A path in the temporary directory (a static buffer among 8). */
static inline const char *tt_path(const char *name)
{
    static char bufs[8][320];
    static int k;
    char *b = bufs[k++ & 7];
    tt_setup_dir();
    snprintf(b, sizeof bufs[0], "%s/%s", tt_dir, name);
    return b;
}

static inline const char *tt_write(const char *name, const void *data, size_t n)
{
    const char *p = tt_path(name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
    return p;
}

static inline const char *tt_write_str(const char *name, const char *text)
{
    return tt_write(name, text, strlen(text));
}

static inline unsigned char *tt_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long len;
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* Reads every op; returns the count, or -1 on error (message in vmt_error). */
static inline long tt_drain(struct vmt_source *s)
{
    struct vmt_op op;
    long n = 0;
    int rc;
    while ((rc = vmt_next(s, &op)) == 1) n++;
    return rc < 0 ? -1 : n;
}

/* Opens path expecting failure; checks the message contains want. */
static inline void tt_open_fails(const char *path, const char *format, const struct vmt_open_opts *o,
                          const char *want)
{
    char err[600] = "";
    struct vmt_source *s = vmt_open(path, format, o, err, sizeof err);
    if (s) {
        long n = tt_drain(s);
        ck_assert_msg(n < 0, "%s: expected an error containing \"%s\", read %ld ops", path, want, n);
        snprintf(err, sizeof err, "%s", vmt_error(s));
        vmt_close(s);
    }
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
}

#endif /* TT_UTIL_H */
