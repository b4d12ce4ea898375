/*
 * vm_names.h - looking a name up in a table's list of names (desktop only).
 *
 * A table (platform profiles, card profiles, chips, access modes) gives its
 * names as a function: at(i) is the i-th name, NULL past the end. The same
 * function serves lookups here and a device setting's list of choices
 * (vm_device.h).
 */
#ifndef VM_NAMES_H
#define VM_NAMES_H

#include <stddef.h>
#include <strings.h>

/* The index of the name at(i) that matches name in any letter case, or -1
 * (also for a NULL name). */
static inline int vm_name_index(const char *(*at)(unsigned i), const char *name)
{
    const char *s;
    unsigned i;
    for (i = 0; name != NULL && (s = at(i)) != NULL; i++)
        if (strcasecmp(s, name) == 0) return (int)i;
    return -1;
}

/* For a table of type ended by an entry with a NULL name, define
 *   const char *name_fn(unsigned i): the i-th name, NULL past the end;
 *   const type *find_fn(const char *name): the entry called name in any
 *     letter case, or NULL. */
#define VM_NAMED_TABLE(type, table, name_fn, find_fn)                                  \
    const char *name_fn(unsigned i)                                                    \
    {                                                                                  \
        const type *p = table;                                                         \
        while (p->name && i--) p++;                                                    \
        return p->name;                                                                \
    }                                                                                  \
    const type *find_fn(const char *name)                                              \
    {                                                                                  \
        int i = vm_name_index(name_fn, name);                                          \
        return i < 0 ? NULL : &table[i];                                               \
    }

#endif /* VM_NAMES_H */
