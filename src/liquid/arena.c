/* One allocation region per Liquid tree: nodes and expressions are many and
 * small and all die with their tree, so they come from large zeroed chunks
 * freed at once; literal values are released with them. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define CHUNK_BYTES 16384

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    struct arena_chunk *c = a->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        c = xmalloc(sizeof *c + cap);
        c->next = a->chunks;
        c->used = 0;
        c->cap = cap;
        a->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void arena_keep(struct arena *a, struct value *v)
{
    if (a->n_values == a->cap_values) {
        a->cap_values = a->cap_values ? a->cap_values * 2 : 16;
        a->values = xrealloc(a->values, a->cap_values * sizeof *a->values);
    }
    a->values[a->n_values++] = v;
}

void arena_free(struct arena *a)
{
    while (a->chunks) {
        struct arena_chunk *next = a->chunks->next;
        free(a->chunks);
        a->chunks = next;
    }
    for (size_t i = 0; i < a->n_values; i++)
        value_release(a->values[i]);
    free(a->values);
    memset(a, 0, sizeof *a);
}
