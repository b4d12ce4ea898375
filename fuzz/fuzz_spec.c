/*
 * fuzz_spec.c - which generator specs are too costly to open in a fuzz
 * target (see fuzz.h).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"

/* The generator parameters that size what opening allocates and computes
 * (a Zipf table, a hash table's chains, a list's permutation, the keys a
 * hash table's op count draws), and the largest value a target opens. */
static const struct {
    const char *key;
    double max;
} sizes[] = {{"pool_size", 1 << 18}, {"size", 1 << 18}, {"buckets", 1 << 16},
             {"records", 1 << 16},   {"nodes", 1 << 16}, {"lookups", 1 << 16}};

int fuzz_costly_spec(const cJSON *spec)
{
    const cJSON *it;
    if (!cJSON_IsObject(spec)) return 0;
    cJSON_ArrayForEach(it, spec)
    {
        if (!cJSON_IsNumber(it) || !it->string) continue;
        if (it->valuedouble > (double)(1 << 20)) return 1;
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            if (!strcmp(it->string, sizes[i].key) && it->valuedouble > sizes[i].max) return 1;
    }
    return 0;
}

int fuzz_costly_json(const uint8_t *data, size_t size)
{
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "generator");
    int costly = fuzz_costly_spec(cJSON_IsObject(g) ? g : root);
    cJSON_Delete(root);
    return costly;
}
