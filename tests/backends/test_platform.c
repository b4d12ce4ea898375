/*
 * test_platform.c - every shipped platform profile's struct sizes equal the
 * "full" row of its size_target in the README's size table, which
 * target/size-report.sh writes (and CI checks against real cross builds),
 * and each names its MCU's RAM.
 * VM_SIZE_TABLE names the README.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_platform.h"

/* The slot and vm columns of target's "full" row: 0, or -1 if none. */
static int size_row(const char *path, const char *target, unsigned *slot, unsigned *vm)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int rc = -1;
    ck_assert_msg(f != NULL, "VM_SIZE_TABLE names no readable file (%s)", path);
    while (rc && fgets(line, sizeof line, f)) {
        char *col[12];
        int n = 0;
        if (line[0] != '|') continue;
        for (char *t = strtok(line, "|"); t && n < 12; t = strtok(NULL, "|")) {
            while (*t == ' ') t++;
            t[strcspn(t, " \n")] = 0;
            col[n++] = t;
        }
        /* target | config | code | ram | stack | at callback | slot | vm | cost */
        if (n >= 9 && strcmp(col[0], target) == 0 && strcmp(col[1], "full") == 0) {
            *slot = (unsigned)strtoul(col[6], NULL, 10);
            *vm = (unsigned)strtoul(col[7], NULL, 10);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

START_TEST(profile_sizes_match_size_table)
{
    const char *path = getenv("VM_SIZE_TABLE");
    ck_assert_msg(path != NULL, "VM_SIZE_TABLE is not set");
    unsigned checked = 0;
    for (const struct vm_platform *p = vm_platforms; p->name; p++) {
        unsigned slot, vm;
        ck_assert_msg(p->size_target != NULL, "%s: no size_target", p->name);
        ck_assert_msg(size_row(path, p->size_target, &slot, &vm) == 0,
                      "%s: no \"full\" row for %s in %s", p->name, p->size_target, path);
        ck_assert_msg(p->slot_bytes == slot && p->vm_bytes == vm,
                      "%s: slot_bytes %u, vm_bytes %u; the size table's %s row says %u, %u "
                      "(backends/platform/vm_platform.c)",
                      p->name, p->slot_bytes, p->vm_bytes, p->size_target, slot, vm);
        /* vmbench never recommends a pager larger than the MCU's RAM */
        ck_assert_msg(p->ram_bytes >= 16u + p->slot_bytes + p->vm_bytes,
                      "%s: ram_bytes %lu holds not even one 16-byte page", p->name,
                      (unsigned long)p->ram_bytes);
        checked++;
    }
    ck_assert_uint_ge(checked, 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("platform");
    tcase_add_test(tc, profile_sizes_match_size_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
