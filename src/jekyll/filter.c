/* Jekyll's EntryFilter: which names of the tree a site reads. A name
 * starting with '.', '_', '#' or '~', or ending with '~', is skipped unless
 * `include` names it; `exclude` (less what `include` names) skips a path
 * and everything beneath it. Patterns match as Jekyll matches them:
 * File.fnmatch without flags (so '*' crosses '/'), or a plain prefix of the
 * path (`exclude: [docs]` also skips "docs-old.md"), or a directory named
 * with a trailing '/'. */
#include "internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* glob_include? with the site source stripped from both sides. */
static bool pattern_matches(const char *pattern, const char *path, bool is_dir)
{
    while (*pattern == '/')
        pattern++;
    size_t n = strlen(pattern), len = strlen(path);
    if (fnmatch(pattern, path, 0) == 0 || starts_with(path, pattern))
        return true;
    return is_dir && n == len + 1 && pattern[len] == '/' &&
           strncmp(pattern, path, len) == 0;
}

static bool in_list(const struct value *list, const char *path, bool is_dir,
                    const struct value *unless)
{
    for (size_t i = 0; i < value_len(list); i++) {
        const struct value *p = value_array_at(list, i);
        const char *pattern = value_text(p);
        if (value_kind(p) != VALUE_STRING || !pattern)
            continue;
        bool skip = false;
        for (size_t k = 0; k < value_len(unless) && !skip; k++) {
            const char *u = value_text(value_array_at(unless, k));
            skip = u && strcmp(u, pattern) == 0;
        }
        if (!skip && pattern_matches(pattern, path, is_dir))
            return true;
    }
    return false;
}

static const char *base_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

static bool special(const char *name)
{
    return strchr("._#~", name[0]) != NULL;
}

bool jekyll_filtered(const struct value *config, const char *dir,
                     const char *name, bool is_dir)
{
    size_t n = strlen(name);
    if (n == 0 || name[n - 1] == '.')
        return true;
    const struct value *inc = value_hash_get(config, "include");
    const struct value *exc = value_hash_get(config, "exclude");
    bool included = in_list(inc, name, is_dir, NULL) ||
                    in_list(inc, base_of(name), is_dir, NULL);
    struct buf rel = {0};
    if (dir && *dir)
        buf_printf(&rel, "%s/", dir);
    buf_puts(&rel, name);
    bool excluded = in_list(exc, rel.data, is_dir, inc);
    buf_free(&rel);
    if (excluded && !included)
        return true;
    if (included)
        return false;
    return (name[0] && special(name)) || special(base_of(name)) ||
           name[n - 1] == '~';
}
