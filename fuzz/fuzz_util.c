/*
 * fuzz_util.c - the scratch folder of a fuzz target (see fuzz.h).
 */
#include "fuzz.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void cleanup(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[sizeof dir + 260];
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[160];
    FILE *f;
    if (!dir[0]) {
        /* /dev/shm when there is one: a file per execution stays in RAM */
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/vmfuzz-XXXXXX", base);
        if (!mkdtemp(dir)) fuzz_fail("cannot make a scratch folder in %s", base);
        atexit(cleanup);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail("cannot write %s", path);
    return path;
}
