/* A walk over what a YAML load kept (capsuled/value.h), shaped like the
 * expansion budget's count (yaml_budget.h): every key and every scalar with
 * the length of its dotted path, a shared value each time it is reached. */
#ifndef CAPSULED_FUZZ_VALUE_H
#define CAPSULED_FUZZ_VALUE_H

#include "capsuled/value.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Called for a key (is_key) or a scalar's text; returns false to stop. */
typedef bool (*fuzz_value_visit)(void *ctx, const char *text, size_t len,
                                 size_t path, bool is_key);

/* The dotted path of a child: "KEY" at the top, "PARENT.KEY" below. */
static inline size_t fuzz_child_path(size_t path, size_t segment)
{
    return path + (path ? 1 : 0) + segment;
}

static inline bool fuzz_walk_value(const struct value *v, size_t path,
                                   fuzz_value_visit visit, void *ctx)
{
    char index[24];
    switch (value_kind(v)) {
    case VALUE_ARRAY:
        for (size_t i = 0; i < value_len(v); i++) {
            size_t n = (size_t)snprintf(index, sizeof index, "%zu", i);
            if (!fuzz_walk_value(value_array_at(v, i),
                                 fuzz_child_path(path, n), visit, ctx))
                return false;
        }
        return true;
    case VALUE_HASH:
        for (size_t i = 0; i < value_len(v); i++) {
            size_t len;
            const char *key = value_hash_key_at(v, i, &len);
            size_t child = fuzz_child_path(path, len);
            if (!visit(ctx, key, len, child, true) ||
                !fuzz_walk_value(value_hash_value_at(v, i), child, visit, ctx))
                return false;
        }
        return true;
    default:
        return visit(ctx, value_text(v), value_len(v), path, false);
    }
}

#endif
