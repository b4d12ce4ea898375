/*
 * test_file.c - the host file backend: create and extend, round trips,
 * persistence across reopen, read-only files, range checks, clear errors,
 * and the pager over it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_file.h"

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/vm_file_testXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/pool", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/big", dir);
    unlink(p);
    rmdir(dir);
}

static const char *path(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

START_TEST(test_create_extend_roundtrip)
{
    struct vm_file f;
    struct stat st;
    const struct vm_backend *be;
    uint8_t w[300], r[300];
    unsigned i;
    for (i = 0; i < sizeof w; i++) w[i] = (uint8_t)(i * 3);
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 4096, 0), VM_OK);
    ck_assert_int_eq(stat(path("pool"), &st), 0);
    ck_assert_int_eq(st.st_size, 4096);
    be = vm_file_backend(&f);
    ck_assert_uint_eq(be->size, 4096);
    ck_assert_int_eq(be->read(be->ctx, 0, r, 16), VM_OK); /* new file reads 0 */
    ck_assert_uint_eq(r[0], 0);
    ck_assert_int_eq(be->write(be->ctx, 3796, w, 300), VM_OK);
    ck_assert_int_eq(be->read(be->ctx, 3796, r, 300), VM_OK);
    ck_assert_mem_eq(r, w, 300);
    ck_assert_int_eq(be->write(be->ctx, 3797, w, 300), VM_ERR_RANGE);
    ck_assert_int_eq(be->read(be->ctx, 4096, r, 1), VM_ERR_RANGE);
    ck_assert_int_eq(be->sync(be->ctx), VM_OK);
    ck_assert_int_eq(vm_file_close(&f), VM_OK);
    ck_assert_int_eq(be->read(be->ctx, 0, r, 1), VM_ERR_NODEV); /* closed */

    /* reopen larger: contents kept, file extended */
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 8192, 0), VM_OK);
    ck_assert_int_eq(stat(path("pool"), &st), 0);
    ck_assert_int_eq(st.st_size, 8192);
    be = vm_file_backend(&f);
    ck_assert_int_eq(be->read(be->ctx, 3796, r, 300), VM_OK);
    ck_assert_mem_eq(r, w, 300);
    vm_file_close(&f);

    /* reopen smaller: not truncated, only the pool is smaller */
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 1024, 0), VM_OK);
    ck_assert_int_eq(stat(path("pool"), &st), 0);
    ck_assert_int_eq(st.st_size, 8192);
    vm_file_close(&f);

    /* TRUNC: old contents gone */
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 4096, VM_FILE_TRUNC), VM_OK);
    be = vm_file_backend(&f);
    ck_assert_int_eq(be->read(be->ctx, 3796, r, 300), VM_OK);
    ck_assert_uint_eq(r[1], 0);
    vm_file_close(&f);
}
END_TEST

START_TEST(test_readonly_and_errors)
{
    struct vm_file f;
    const struct vm_backend *be;
    uint8_t b[8] = {0};
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 100, 0), VM_OK);
    vm_file_close(&f);
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 200, VM_FILE_RDONLY), VM_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(vm_file_error(&f), path("pool")));
    ck_assert_ptr_nonnull(strstr(vm_file_error(&f), "100 bytes"));
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 100, VM_FILE_RDONLY), VM_OK);
    be = vm_file_backend(&f);
    ck_assert_int_eq(be->read(be->ctx, 0, b, 8), VM_OK);
    ck_assert_int_eq(be->write(be->ctx, 0, b, 8), VM_ERR_INVAL);
    vm_file_close(&f);

    ck_assert_int_eq(vm_file_open(&f, "/nonexistent-dir/x/pool", 100, 0), VM_ERR_NODEV);
    ck_assert_ptr_nonnull(strstr(vm_file_error(&f), "/nonexistent-dir/x/pool"));
    ck_assert_ptr_nonnull(strstr(vm_file_error(&f), "open"));
    ck_assert_int_eq(vm_file_open(&f, NULL, 100, 0), VM_ERR_INVAL);
    ck_assert_int_eq(vm_file_open(&f, path("pool"), 0, 0), VM_ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(vm_file_error(&f), "size"));
    ck_assert_int_eq(vm_file_open(&f, dir, 100, VM_FILE_RDONLY), VM_ERR_NODEV);
    ck_assert_ptr_nonnull(strstr(vm_file_error(&f), "not a regular file"));
}
END_TEST

START_TEST(test_pager_over_file)
{
    struct vm_file f;
    struct vm vm;
    struct vm_config cfg;
    VM_STORAGE(static, pg, 256, 4);
    static uint8_t ref[65536], buf[1000];
    uint64_t s = 7;
    unsigned i;
    ck_assert_int_eq(vm_file_open(&f, path("big"), sizeof ref, VM_FILE_TRUNC | VM_FILE_NOSYNC), VM_OK);
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = vm_file_backend(&f);
    cfg.page_size = 256;
    cfg.page_count = 4;
    cfg.pages = pg_pages;
    cfg.pages_size = sizeof pg_pages;
    cfg.slots = pg_slots;
    cfg.slot_count = 4;
    ck_assert_int_eq(vm_init(&vm, &cfg), VM_OK);
    memset(ref, 0, sizeof ref);
    for (i = 0; i < 3000; i++) {
        uint32_t a, n, k;
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        n = 1u + (uint32_t)(s >> 33) % 1000u;
        a = (uint32_t)(s >> 20) % (sizeof ref - n);
        if (i & 1) {
            for (k = 0; k < n; k++) buf[k] = (uint8_t)(s >> (k & 31));
            ck_assert_int_eq(vm_write(&vm, a, buf, n), VM_OK);
            memcpy(ref + a, buf, n);
        } else {
            ck_assert_int_eq(vm_read(&vm, buf, a, n), VM_OK);
            ck_assert_mem_eq(buf, ref + a, n);
        }
    }
    ck_assert_int_eq(vm_flush(&vm), VM_OK);
    vm_file_close(&f);
    /* what is in the file is what the pager was given */
    ck_assert_int_eq(vm_file_open(&f, path("big"), sizeof ref, VM_FILE_RDONLY), VM_OK);
    for (i = 0; i < sizeof ref; i += 1000) {
        uint32_t n = sizeof ref - i < 1000 ? sizeof ref - i : 1000;
        ck_assert_int_eq(f.be.read(f.be.ctx, i, buf, n), VM_OK);
        ck_assert_mem_eq(buf, ref + i, n);
    }
    vm_file_close(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("file");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_extend_roundtrip);
    tcase_add_test(tc, test_readonly_and_errors);
    tcase_add_test(tc, test_pager_over_file);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
