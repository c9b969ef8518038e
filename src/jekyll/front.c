/* Front matter as Jekyll finds it: Utils.has_yaml_header? decides whether
 * a file is a page (or document) or a static file, and
 * YAML_FRONT_MATTER_REGEXP splits it from the body. */
#include "internal.h"

#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* "---" then blanks up to the end of the line at text + at; *next gets
 * the start of the following line. */
static bool dashes_line(const char *text, size_t len, size_t at,
                        const char *mark, size_t *next)
{
    if (len - at < 3 || memcmp(text + at, mark, 3) != 0)
        return false;
    size_t i = at + 3;
    while (i < len && blank(text[i]))
        i++;
    if (i < len && text[i] != '\n')
        return false;
    *next = i < len ? i + 1 : len;
    return true;
}

bool jk_has_front_matter(const char *text, size_t len)
{
    size_t next;
    /* \A---\s*\r?\n: the line must end. */
    return dashes_line(text, len, 0, "---", &next) && next <= len &&
           memchr(text, '\n', len) != NULL;
}

struct jk_front jk_split_front(const char *text, size_t len)
{
    struct jk_front f = {.body = text, .body_len = len, .body_line = 1};
    size_t at;
    if (!jk_has_front_matter(text, len) ||
        !dashes_line(text, len, 0, "---", &at))
        return f;
    int line = 2;
    for (size_t start = at; start < len; line++) {
        size_t next;
        if (dashes_line(text, len, start, "---", &next) ||
            dashes_line(text, len, start, "...", &next)) {
            f = (struct jk_front){.yaml = text + at, .yaml_len = start - at,
                                  .body = text + next,
                                  .body_len = len - next,
                                  .body_line = line + 1, .present = true};
            return f;
        }
        const char *nl = memchr(text + start, '\n', len - start);
        start = nl ? (size_t)(nl - text) + 1 : len;
    }
    return f;
}
