/*
 * sd_pool_run.c - run a workload on an SD pool file inside a FAT image.
 *
 *   sd_pool_run IMAGE FILE [--size BYTES] [--create] [--ops N] [--seed S]
 *               [--expect PATH]
 *
 * Loads IMAGE into the SD card model (an SDHC card on a simulated
 * atmega328p SPI bus), starts VM_SD_POOL(pool, 64, 4, ...) on FILE through
 * the real driver and FAT code, then runs N random writes, fills and
 * read-backs over allocations in the pool, checking every read against a
 * plain copy in host memory, flushes, and saves the card back to IMAGE.
 * --expect writes what the pool's first SIZE bytes must now hold (so a test
 * can compare it with the file as mtools reads it). The card model also
 * counts every block written outside the pool file's sectors: there must be
 * none (with --create, the FAT chain and directory entry are expected and
 * written before the workload starts, so the count is taken after start).
 *
 * Exit: 0 ok, 1 a check failed, 2 bad arguments or image, 3 start failed
 * (the message names the error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_sd_image.h"
#include "vm_sd_pool.h"
#include "vm_simbus.h"

VM_SD_POOL(pool, 64, 4, 0, NULL, 0);

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* Count block writes outside [lo, hi) by watching the model's counter and
 * comparing the card's contents outside the file before and after. */
int main(int argc, char **argv)
{
    const char *image, *file, *expect = NULL;
    unsigned long size = 0, ops = 2000;
    int create = 0, i, e, bad = 0;
    static struct vm_sd_model card;
    static struct vm_simclock clk;
    static struct vm_simbus bus;
    struct vm_spi_model m;
    char err[512];
    uint8_t *shadow, *before;
    size_t total, lo, hi, k, outside = 0;
    vm_addr_t base, len;

    if (argc < 3) {
        fprintf(stderr, "usage: sd_pool_run IMAGE FILE [--size BYTES] [--create] [--ops N] "
                        "[--seed S] [--expect PATH]\n");
        return 2;
    }
    image = argv[1];
    file = argv[2];
    for (i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--create")) create = 1;
        else if (!strcmp(argv[i], "--size") && i + 1 < argc) size = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--ops") && i + 1 < argc) ops = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng = strtoull(argv[++i], NULL, 0) | 1u;
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc) expect = argv[++i];
        else {
            fprintf(stderr, "sd_pool_run: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (vm_sd_model_load(&card, image, VM_SD_TYPE_SDHC, NULL, 1, err, sizeof err) != 0) {
        fprintf(stderr, "sd_pool_run: %s\n", err);
        return 2;
    }
    vm_simbus_init(&bus, &clk, vm_platform_find("atmega328p"));
    m = vm_sd_model_spi(&card);
    vm_simbus_attach(&bus, 0, &m);

    pool.file = file;
    pool.size = (uint32_t)size;
    if (create) pool.flags |= VM_SD_POOL_CREATE;
    e = vm_sd_pool_start(&pool, &bus.spi);
    if (e != VM_OK) {
        printf("start: error %d: %s\n", e, vm_sd_pool_strerror(e));
        vm_sd_model_free(&card);
        return 3;
    }
    lo = (size_t)pool.file_info.first_lba * VM_SD_BLOCK;
    hi = lo + (size_t)pool.file_info.blocks * VM_SD_BLOCK;
    len = vm_pool_size(&pool.pool.vm);
    printf("start: %s at sector %lu, %lu bytes (%lu sectors), pool %lu bytes\n", file,
           (unsigned long)pool.file_info.first_lba, (unsigned long)pool.file_info.size,
           (unsigned long)pool.file_info.blocks, (unsigned long)len);
    total = (size_t)card.blocks * VM_SD_BLOCK;
    before = malloc(total);
    shadow = malloc(len);
    if (!before || !shadow) return 2;
    memcpy(before, card.mem, total);

    /* The workload: one big allocation, random writes of 1..300 bytes,
     * fills, and reads checked against the shadow. */
    base = vm_alloc(&pool.pool.vm, len - 64u);
    if (base == VM_NULL) {
        printf("vm_alloc failed\n");
        return 1;
    }
    for (k = 0; k < len; k++) shadow[k] = card.mem[lo + k];
    for (k = 0; k < ops; k++) {
        uint32_t n = 1u + next_rand() % 300u, a = base + next_rand() % (len - 64u - n), j;
        uint8_t buf[300], got[300];
        switch (next_rand() % 3u) {
        case 0:
            for (j = 0; j < n; j++) buf[j] = (uint8_t)next_rand();
            e = vm_write(&pool.pool.vm, a, buf, n);
            memcpy(shadow + a, buf, n);
            break;
        case 1:
            j = (uint8_t)next_rand();
            e = vm_memset(&pool.pool.vm, a, (int)j, n);
            memset(shadow + a, (int)j, n);
            break;
        default:
            e = vm_read(&pool.pool.vm, got, a, n);
            if (e == VM_OK && memcmp(got, shadow + a, n) != 0) bad++;
        }
        if (e != VM_OK) {
            printf("op %lu: error %d\n", (unsigned long)k, e);
            return 1;
        }
    }
    if ((e = vm_flush(&pool.pool.vm)) != VM_OK) {
        printf("flush: error %d\n", e);
        return 1;
    }
    /* The pool holds what was written, on the card, inside the file. */
    if (memcmp(card.mem + lo, shadow, len) != 0) bad++;
    for (k = 0; k < total; k++)
        if ((k < lo || k >= hi) && card.mem[k] != before[k]) outside++;
    printf("workload: %lu ops, %d mismatches, %lu bytes changed outside the pool file, "
           "%llu blocks written, %llu violations\n",
           ops, bad, (unsigned long)outside, (unsigned long long)card.blocks_written,
           (unsigned long long)card.violations);
    if (outside || card.violations) bad++;
    if (expect) {
        FILE *f = fopen(expect, "wb");
        if (!f || fwrite(shadow, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "sd_pool_run: cannot write %s\n", expect);
            return 2;
        }
    }
    if (vm_sd_model_save(&card, image, err, sizeof err) != 0) {
        fprintf(stderr, "sd_pool_run: %s\n", err);
        return 2;
    }
    vm_sd_model_free(&card);
    free(before);
    free(shadow);
    return bad ? 1 : 0;
}
