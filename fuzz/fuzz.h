/*
 * fuzz.h - what the fuzz targets share.
 *
 * Each target is one libFuzzer entry point, LLVMFuzzerTestOneInput. Built
 * with clang -fsanitize=fuzzer (scripts/fuzz.sh) it is a fuzzer; built with
 * replay_main.c (the `fuzz` meson suite) it replays corpus files and former
 * crashes, under ASan/UBSan in the sanitizer build. A target returns 0 for
 * any input; a bug is a sanitizer report or fuzz_fail(), which aborts.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broke: say which and abort, so the fuzzer keeps the input. */
#define fuzz_fail(...)                                                                     \
    do {                                                                                   \
        fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__);                              \
        fprintf(stderr, __VA_ARGS__);                                                      \
        fputc('\n', stderr);                                                               \
        abort();                                                                           \
    } while (0)

/* Writes data to a file named `name` in this process's scratch folder (made
 * on first use, removed at exit) and returns its path. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* Generator specs whose open would allocate or compute in proportion to a
 * large parameter (a Zipf table over millions of items, a hash table of
 * millions of chains): 1 when a parameter that sizes them, or any number,
 * is above what a target opens (fuzz_spec.c). The targets do not open
 * those, so that an execution stays in the milliseconds: the same code runs
 * with smaller values, and the range checks of the larger ones are plain
 * comparisons. fuzz_costly_json: the text of a spec, or of a file with a
 * "generator" object. */
struct cJSON;
int fuzz_costly_spec(const struct cJSON *spec);
int fuzz_costly_json(const uint8_t *data, size_t size);

#endif /* FUZZ_H */
