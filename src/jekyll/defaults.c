/* Front matter defaults (`defaults:` of _config.yml), as Jekyll's
 * FrontmatterDefaults#all applies them: every entry whose scope covers the
 * file (`path` a prefix of its path, or a glob when it holds '*'; `type`
 * its kind), merged in order, an entry with a longer path (or, at equal
 * length, one with a type) taking precedence over those before it. */
#include "internal.h"

#include <fnmatch.h>
#include <string.h>

static const char *scope_path(const struct value *scope)
{
    const struct value *p = value_hash_get(scope, "path");
    const char *s = value_kind(p) == VALUE_STRING ? value_text(p) : "";
    while (*s == '/')
        s++;
    return s;
}

static bool applies(const struct value *scope, const char *path,
                    const char *type)
{
    const char *sp = scope_path(scope);
    const struct value *t = value_hash_get(scope, "type");
    if (t && (!type || !value_text(t) || strcmp(value_text(t), type) != 0))
        return false;
    if (!*sp)
        return true;
    if (strchr(sp, '*'))
        return fnmatch(sp, path, 0) == 0;
    return strncmp(path, sp, strlen(sp)) == 0;
}

static bool has_precedence(const struct value *old, const struct value *new_)
{
    if (!old)
        return true;
    size_t n = strlen(scope_path(new_)), o = strlen(scope_path(old));
    if (n != o)
        return n >= o;
    return value_hash_get(new_, "type") || !value_hash_get(old, "type");
}

struct value *jk_defaults_for(const struct value *config, const char *path,
                              const char *type)
{
    const struct value *sets = value_hash_get(config, "defaults");
    struct value *acc = value_hash();
    const struct value *old = NULL;
    for (size_t i = 0; i < value_len(sets); i++) {
        const struct value *set = value_array_at(sets, i);
        const struct value *scope = value_hash_get(set, "scope");
        const struct value *vals = value_hash_get(set, "values");
        if (value_kind(vals) != VALUE_HASH || !applies(scope, path, type))
            continue;
        struct value *m;
        if (has_precedence(old, scope)) {
            m = jk_merge(acc, vals);
            old = scope;
        } else {
            m = jk_merge(vals, acc);
        }
        value_release(acc);
        acc = m;
    }
    return acc;
}
