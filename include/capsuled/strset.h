/* A set of strings by hash: membership in constant time where a list of
 * thousands (a site's routes) would be scanned with strcmp. The set keeps
 * its own copies. */
#ifndef CAPSULED_STRSET_H
#define CAPSULED_STRSET_H

#include <stdbool.h>
#include <stddef.h>

/* A zeroed struct is an empty set. */
struct strset {
    char **slots; /* open addressing; NULL is a free slot */
    size_t cap;   /* a power of two, or 0 */
    size_t n;
};

/* Adds a copy of S; false when it was there already. */
bool strset_add(struct strset *set, const char *s);
bool strset_has(const struct strset *set, const char *s);
/* Empties the set and frees its storage. */
void strset_free(struct strset *set);

#endif
