/*
 * replay_main.c - runs a fuzz target over files instead of a fuzzer: each
 * argument is a file or a folder (its files, in name order, recursively).
 * This is the `fuzz` meson suite: every corpus file and every input that
 * ever crashed is replayed, under ASan/UBSan in the sanitizer build.
 * Exit 0 when every input ran (a bug aborts), 2 on a missing file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long ran;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *g = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!g) {
                fprintf(stderr, "%s: out of memory\n", path);
                free(buf);
                fclose(f);
                return -1;
            }
            buf = g;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    /* A copy of exactly n bytes, so that ASan sees a read past the input. */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) {
        free(buf);
        return -1;
    }
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    ran++;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: no such file or folder\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    DIR *d = opendir(path);
    if (!d) return -1;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char **g = realloc(names, (nn + 1) * sizeof *names);
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        if (!g || !(g[nn] = malloc(len))) {
            free(g ? g : names);
            closedir(d);
            return -1;
        }
        names = g;
        snprintf(names[nn++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp);
    int rc = 0;
    for (size_t i = 0; i < nn; i++) {
        if (run_path(names[i]) != 0) rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (run_path(argv[i]) != 0) rc = 2;
    printf("%s: %lu inputs replayed\n", argv[0], ran);
    return rc;
}
