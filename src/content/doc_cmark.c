/* cmark's trees for one document build, allocated from a region freed when
 * the build ends. cmark makes and frees thousands of small blocks for a
 * short page (nodes, line and inline buffers); through malloc that was a
 * fifth of loading a site. Within a build, the region hands out memory by
 * bumping a pointer; free gives back only the block handed out last, and
 * realloc grows that block in place, which is how cmark's buffers grow.
 * cmark frees a whole tree with its root's allocator, so a node put into
 * a tree must come from the same one: doc_cmark_new. Each thread has its
 * own region, so builds may run on several threads.
 * A large source (over REGION_MAX_SOURCE) parses with cmark's own
 * allocator: what a region does not reuse would add up there. */
#include "doc_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    REGION_CHUNK = 64 * 1024, /* under malloc's mmap threshold */
    REGION_MAX_SOURCE = 256 * 1024,
};

struct region_chunk {
    struct region_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

/* Each block carries its size, for realloc. */
union block_head {
    size_t size;
    max_align_t align;
};

struct region {
    struct region_chunk *chunks; /* the newest first */
    union block_head *last;      /* the block handed out last, or NULL */
    int depth;                   /* builds open on this thread */
    bool on;                     /* whether this build's parses use it */
};

static _Thread_local struct region S_region;

static size_t S_round(size_t n)
{
    return (n + sizeof(union block_head) - 1) & ~(sizeof(union block_head) - 1);
}

static void *S_alloc(size_t size)
{
    struct region *r = &S_region;
    if (size > SIZE_MAX / 2)
        abort(); /* as cmark's own allocator does when out of memory */
    size_t need = sizeof(union block_head) + S_round(size);
    struct region_chunk *c = r->chunks;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > REGION_CHUNK ? need : REGION_CHUNK;
        c = xmalloc(sizeof *c + cap);
        c->next = r->chunks;
        c->used = 0;
        c->cap = cap;
        r->chunks = c;
    }
    union block_head *h = (union block_head *)((char *)c->data + c->used);
    c->used += need;
    h->size = S_round(size);
    r->last = h;
    return h + 1;
}

static void *S_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / 2 / size)
        abort();
    void *p = S_alloc(count * size);
    memset(p, 0, count * size);
    return p;
}

/* Whether H is the newest chunk's last block: it may change size there. */
static bool S_is_last(const union block_head *h)
{
    const struct region_chunk *c = S_region.chunks;
    return h == S_region.last && c &&
           (const char *)(h + 1) + h->size == (const char *)c->data + c->used;
}

static void *S_realloc(void *p, size_t size)
{
    if (!p)
        return S_alloc(size);
    union block_head *h = (union block_head *)p - 1;
    struct region_chunk *c = S_region.chunks;
    if (S_is_last(h) && size <= SIZE_MAX / 2 &&
        S_round(size) <= h->size + (c->cap - c->used)) {
        c->used = c->used - h->size + S_round(size);
        h->size = S_round(size);
        return p;
    }
    void *q = S_alloc(size);
    memcpy(q, p, h->size < size ? h->size : size);
    return q;
}

static void S_free(void *p)
{
    if (!p)
        return;
    union block_head *h = (union block_head *)p - 1;
    if (S_is_last(h)) {
        S_region.chunks->used -= sizeof *h + h->size;
        S_region.last = NULL;
    }
}

static cmark_mem S_region_mem = {S_calloc, S_realloc, S_free};

void doc_cmark_begin(size_t source_len)
{
    struct region *r = &S_region;
    if (r->depth++ == 0)
        r->on = source_len <= REGION_MAX_SOURCE;
}

void doc_cmark_end(void)
{
    struct region *r = &S_region;
    if (--r->depth > 0)
        return;
    while (r->chunks) {
        struct region_chunk *next = r->chunks->next;
        free(r->chunks);
        r->chunks = next;
    }
    r->last = NULL;
    r->on = false;
}

static cmark_mem *S_mem(void)
{
    return S_region.on ? &S_region_mem : cmark_get_default_mem_allocator();
}

cmark_node *doc_cmark_new(cmark_node_type type)
{
    return cmark_node_new_with_mem(type, S_mem());
}

cmark_node *doc_cmark_parse(const char *text, size_t len)
{
    cmark_mem *mem = S_mem();
    cmark_parser *parser = cmark_parser_new_with_mem(CMARK_OPTIONS, mem);
    cmark_parser_feed(parser, text, len);
    cmark_node *root = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    return root;
}
