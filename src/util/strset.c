/* A set of strings: open addressing with linear probing, FNV-1a hashes,
 * kept at most half full so that a lookup sees a free slot soon. Nothing
 * is ever removed but all at once, so no tombstones. */
#include "capsuled/strset.h"
#include "capsuled/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t S_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The slot holding S, or the free slot where it belongs. */
static size_t S_slot(char *const *slots, size_t cap, const char *s)
{
    size_t i = (size_t)S_hash(s) & (cap - 1);
    while (slots[i] && strcmp(slots[i], s) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static void S_grow(struct strset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    char **slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            slots[S_slot(slots, cap, set->slots[i])] = set->slots[i];
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
}

bool strset_add(struct strset *set, const char *s)
{
    if (2 * (set->n + 1) > set->cap)
        S_grow(set);
    size_t i = S_slot(set->slots, set->cap, s);
    if (set->slots[i])
        return false;
    set->slots[i] = xstrdup(s);
    set->n++;
    return true;
}

bool strset_has(const struct strset *set, const char *s)
{
    return set->n > 0 && set->slots[S_slot(set->slots, set->cap, s)] != NULL;
}

void strset_free(struct strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    *set = (struct strset){0};
}
