/*
 * vm_device.c - storing a device's settings by its key table (vm_device.h).
 */
#include "vm_device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_names.h"

void *vm_device_new_state(struct vm_device_stack *st, const char *name, size_t size, char *err,
                          size_t errlen)
{
    st->state = calloc(1, size);
    if (!st->state) snprintf(err, errlen, "%s: out of memory", name);
    return st->state;
}

const struct vm_device_key *vm_device_key_find(const struct vm_device *dev, const char *name)
{
    for (const struct vm_device_key *k = dev->keys; k && k->name; k++)
        if (strcmp(k->name, name) == 0) return k;
    return NULL;
}

void vm_device_put_uint(struct vm_device_desc *d, const struct vm_device_key *k, uint64_t v)
{
    unsigned char *at = d->settings.bytes + k->offset;
    if (k->size == 1) {
        uint8_t x = (uint8_t)v;
        memcpy(at, &x, 1);
    } else if (k->size == 2) {
        uint16_t x = (uint16_t)v;
        memcpy(at, &x, 2);
    } else {
        uint32_t x = (uint32_t)v;
        memcpy(at, &x, 4);
    }
}

void vm_device_put_str(struct vm_device_desc *d, const struct vm_device_key *k, const char *s)
{
    snprintf((char *)d->settings.bytes + k->offset, k->size, "%s", s);
}

int vm_device_pick(const char *(*at)(unsigned i), const char *what, const char *name,
                   const char **canon, char *err, size_t errlen)
{
    const char *s;
    size_t used;
    unsigned i;
    int found = vm_name_index(at, name);
    if (found >= 0) {
        *canon = at((unsigned)found);
        return 0;
    }
    snprintf(err, errlen, "unknown %s \"%s\" (known: ", what, name);
    for (i = 0; (s = at(i)) != NULL; i++) {
        used = strlen(err);
        snprintf(err + used, errlen - used, "%s%s", i ? ", " : "", s);
    }
    used = strlen(err);
    snprintf(err + used, errlen - used, ")");
    return -1;
}

int vm_device_put_text(struct vm_device_desc *d, const struct vm_device_key *k, const char *text,
                       char *err, size_t errlen)
{
    if (k->kind == VM_DEVICE_STR || k->kind == VM_DEVICE_PATH) {
        if (strlen(text) >= k->size) {
            snprintf(err, errlen, "--%s: value too long: \"%s\" (at most %u characters)", k->name,
                     text, (unsigned)k->size - 1);
            return -1;
        }
        if (k->choice && text[0]) {
            char msg[200];
            if (vm_device_pick(k->choice, k->name, text, &text, msg, sizeof msg)) {
                snprintf(err, errlen, "--%s: %s", k->name, msg);
                return -1;
            }
        }
        vm_device_put_str(d, k, text);
        return 0;
    }
    if (k->kind == VM_DEVICE_BOOL) {
        if (strcmp(text, "true") && strcmp(text, "false")) {
            snprintf(err, errlen, "--%s: expected true or false, got \"%s\"", k->name, text);
            return -1;
        }
        vm_device_put_uint(d, k, text[0] == 't');
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end || text[0] == '-' || v < k->min || v > k->max) {
        snprintf(err, errlen, "--%s: expected an integer from %lu to %lu, got \"%s\"", k->name,
                 (unsigned long)k->min, (unsigned long)k->max, text);
        return -1;
    }
    vm_device_put_uint(d, k, v);
    return 0;
}
