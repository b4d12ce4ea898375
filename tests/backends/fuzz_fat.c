/*
 * fuzz_fat.c - the FAT code (backends/sd/vm_fat.c) fed card images.
 *
 * The input is a card: sector n is input bytes [512 n, 512 n + 512), and
 * every sector past the input reads as zeros (so a few hundred bytes can
 * describe a volume of any size). Writes land in a copy of the input and
 * are dropped past it. The harness mounts the volume, looks up RAMFILE.VM
 * and then creates NEW.VM with a size taken from the input's last 4 bytes.
 *
 * Properties, besides the sanitizers: results are known codes; a file found
 * lies inside the volume's data area; a file created is found again at
 * once with the same first sector and size; nothing but vm_fat_create
 * writes; lookups of invalid names fail with VM_FAT_ERR_NAME.
 *
 * A fuzzing run (not CI), from the repository's top folder:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DFAT_FUZZ_LIBFUZZER \
 *     -Icore -Ibackends/sd tests/backends/fuzz_fat.c backends/sd/vm_fat.c -o fatfuzz
 *   mkdir -p new && ./fatfuzz -max_len=8192 -max_total_time=600 new tests/backends/fat-corpus
 * then fold what it kept into the corpus (./fatfuzz -merge=1 ...) and any
 * crash into it as a regression input. Without -DFAT_FUZZ_LIBFUZZER,
 * main() replays the files and folders named on the command line: the
 * `fuzz-fat` test replays tests/backends/fat-corpus (seed images made with
 * mkfs.fat and mcopy, and the inputs under 16 KiB that 890,000 runs kept),
 * under ASan/UBSan in the sanitizer build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_fat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "fuzz_fat: ");                                         \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        abort();                                                               \
    } while (0)

struct card {
    uint8_t *img;
    size_t size;
    int writes;     /* sectors written */
    int lost;       /* writes past the image */
    int may_write;
};

static int card_read(void *ctx, uint32_t lba, uint8_t *buf)
{
    struct card *c = ctx;
    uint64_t at = (uint64_t)lba * VM_FAT_SECTOR;
    memset(buf, 0, VM_FAT_SECTOR);
    if (at < c->size) {
        size_t n = c->size - (size_t)at < VM_FAT_SECTOR ? c->size - (size_t)at : VM_FAT_SECTOR;
        memcpy(buf, c->img + at, n);
    }
    return 0;
}

static int card_write(void *ctx, uint32_t lba, const uint8_t *buf)
{
    struct card *c = ctx;
    uint64_t at = (uint64_t)lba * VM_FAT_SECTOR;
    if (!c->may_write) FAIL("a write to sector %lu outside vm_fat_create", (unsigned long)lba);
    c->writes++;
    if (at >= c->size) {
        c->lost++;
        return 0;
    }
    memcpy(c->img + at, buf,
           c->size - (size_t)at < VM_FAT_SECTOR ? c->size - (size_t)at : VM_FAT_SECTOR);
    if (c->size - (size_t)at < VM_FAT_SECTOR) c->lost++;
    return 0;
}

static int known(int e)
{
    return e == 0 || (e <= VM_FAT_ERR_NOFS && e >= VM_FAT_ERR_EXISTS);
}

static void check_file(const struct vm_fat *fs, const struct vm_fat_file *f, const char *what)
{
    if (f->size == 0) return;
    if (f->first_lba < fs->data_lba) FAIL("%s: first sector %lu before the data area %lu", what,
                                          (unsigned long)f->first_lba, (unsigned long)fs->data_lba);
    if (f->first_cluster < 2 || f->first_cluster - 2u >= fs->clusters)
        FAIL("%s: first cluster %lu out of range", what, (unsigned long)f->first_cluster);
    if (f->blocks != f->size / 512u + (f->size % 512u != 0))
        FAIL("%s: %lu blocks for %lu bytes", what, (unsigned long)f->blocks, (unsigned long)f->size);
    /* every block of the file lies in the data area */
    if ((uint64_t)f->first_lba + f->blocks >
        (uint64_t)fs->data_lba + (uint64_t)fs->clusters * fs->spc)
        FAIL("%s: runs past the volume", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct card c;
    uint8_t buf[VM_FAT_SECTOR], n83[11];
    struct vm_fat_io io;
    struct vm_fat fs;
    struct vm_fat_file f, g;
    uint32_t want = 0;
    int e;

    if (size > (1u << 20)) return 0;
    memset(&c, 0, sizeof c);
    c.size = size;
    c.img = malloc(size ? size : 1);
    if (!c.img) return 0;
    if (size) memcpy(c.img, data, size);
    io.read = card_read;
    io.write = card_write;
    io.ctx = &c;
    io.buf = buf;

    /* A name from the first bytes: valid or not, never a crash. */
    if (size >= 12) {
        char name[13];
        memcpy(name, data, 12);
        name[12] = 0;
        e = vm_fat_name83(name, n83);
        if (e != 0 && e != VM_FAT_ERR_NAME) FAIL("vm_fat_name83: %d", e);
    }
    e = vm_fat_mount(&fs, &io);
    if (!known(e)) FAIL("mount: unknown result %d", e);
    if (e != 0) goto out;
    if (fs.type != 16 && fs.type != 32) FAIL("mount: type %d", fs.type);
    if (fs.spc == 0 || (fs.spc & (fs.spc - 1))) FAIL("mount: %u sectors per cluster", fs.spc);

    e = vm_fat_find(&fs, &io, "ramfile.vm", &f);
    if (!known(e)) FAIL("find: unknown result %d", e);
    if (e == 0) check_file(&fs, &f, "find");
    if (vm_fat_find(&fs, &io, "bad name.txt", &f) != VM_FAT_ERR_NAME) FAIL("find accepted a bad name");

    if (size >= 4) memcpy(&want, data + size - 4, 4);
    want %= 1u << 22; /* up to 4 MiB */
    c.may_write = 1;
    e = vm_fat_create(&fs, &io, "new.vm", want, &f);
    c.may_write = 0;
    if (!known(e)) FAIL("create: unknown result %d", e);
    if (e != 0 && c.writes) FAIL("create failed (%d) after writing", e);
    if (e == 0) {
        if (f.size != want) FAIL("create: size %lu, asked %lu", (unsigned long)f.size, (unsigned long)want);
        check_file(&fs, &f, "create");
        if (!c.lost) {
            e = vm_fat_find(&fs, &io, "NEW.VM", &g);
            if (e != 0) FAIL("the created file is not found (%d)", e);
            if (g.first_lba != f.first_lba || g.size != f.size)
                FAIL("the created file reads back elsewhere (%lu/%lu vs %lu/%lu)",
                     (unsigned long)g.first_lba, (unsigned long)g.size,
                     (unsigned long)f.first_lba, (unsigned long)f.size);
        }
    }
out:
    free(c.img);
    return 0;
}

#ifndef FAT_FUZZ_LIBFUZZER
#include <dirent.h>
#include <sys/stat.h>

static int replay(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        struct dirent **list;
        int n = scandir(path, &list, NULL, alphasort), i, rc = 0;
        if (n < 0) return -1;
        for (i = 0; i < n; i++) {
            char sub[4096];
            if (list[i]->d_name[0] != '.') {
                snprintf(sub, sizeof sub, "%s/%s", path, list[i]->d_name);
                if (replay(sub) != 0) rc = -1;
            }
            free(list[i]);
        }
        free(list);
        return rc;
    }
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    size_t got;
    if (!fp || !buf) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        if (fp) fclose(fp);
        return -1;
    }
    got = fread(buf, 1, (size_t)st.st_size, fp);
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, rc = 0;
    for (i = 1; i < argc; i++)
        if (replay(argv[i]) != 0) rc = 2;
    printf("fuzz_fat: replayed %d argument(s)%s\n", argc - 1, rc ? " (some missing)" : "");
    return rc;
}
#endif
