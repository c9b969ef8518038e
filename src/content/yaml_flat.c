/* Front matter that is one flat mapping of one-line scalars (a post's
 * title, date, tags on one line) read without libyaml: a libyaml parser
 * costs 64 KB of buffers and most of a short document's reading time.
 * Anything this reader is not sure of, it declines, and libyaml reads the
 * document; what it accepts it types as value_from_yaml would (the same
 * plain-scalar rules, keys in their order), which the yaml fuzz target
 * checks on every input. */
#include "capsuled/value_yaml.h"

#include "capsuled/buf.h"
#include "capsuled/page.h"
#include "capsuled/utf8.h"

#include <ctype.h>
#include <string.h>

/* Every character libyaml reads as printable and not a line break of its
 * own (NEL, LS, PS), and no tab (tabs have rules of their own in YAML);
 * CR only before LF. */
static bool S_plain_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            bool ok = (c >= 0x20 && c != 0x7F) || c == '\n' ||
                      (c == '\r' && i + 1 < len && s[i + 1] == '\n');
            if (!ok)
                return false;
            i++;
            continue;
        }
        unsigned cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || cp < 0xA0 || cp == 0x2028 || cp == 0x2029 ||
            cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF)
            return false;
        i += n;
    }
    return true;
}

static bool S_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ')
            return false;
    return true;
}

struct flat_pair {
    const char *key, *val;
    size_t key_len, val_len;
    char quote; /* 0 for a plain scalar, '"' or '\'' for a quoted one,
                   '[' for a flow sequence */
};

static bool S_key_byte(unsigned char c, bool first)
{
    return isalnum(c) || c == '_' || (!first && (c == '-' || c == '.'));
}

/* A quoted scalar that is the whole rest of its line, with no escape and
 * no quote inside. */
static bool S_quoted(struct flat_pair *p)
{
    char q = p->val[0];
    if (p->val_len < 2 || p->val[p->val_len - 1] != q)
        return false;
    for (size_t i = 1; i + 1 < p->val_len; i++)
        if (p->val[i] == q || p->val[i] == '\\')
            return false;
    p->quote = q;
    p->val++;
    p->val_len -= 2;
    return true;
}

/* A plain scalar that cannot mean anything else: no indicator first, no
 * ": " (a nested mapping, or an error) and no " #" (a comment) inside. */
static bool S_plain(const struct flat_pair *p)
{
    if (p->val_len && strchr("-?:,[]{}#&*!|>%@`", p->val[0]))
        return false;
    for (size_t i = 0; i < p->val_len; i++) {
        if (p->val[i] == ':' && (i + 1 == p->val_len || p->val[i + 1] == ' '))
            return false;
        if (p->val[i] == '#' && i > 0 && p->val[i - 1] == ' ')
            return false;
    }
    return true;
}

/* One item of a one-line flow sequence, spaces trimmed: quoted as above,
 * or plain without any byte that means something in a flow. */
static bool S_flow_item(struct flat_pair *item)
{
    while (item->val_len && item->val[0] == ' ')
        item->val++, item->val_len--;
    while (item->val_len && item->val[item->val_len - 1] == ' ')
        item->val_len--;
    if (item->val_len == 0)
        return false;
    if (item->val[0] == '"' || item->val[0] == '\'')
        return S_quoted(item);
    if (strchr("-?!&*|>%@`", item->val[0]))
        return false;
    for (size_t i = 0; i < item->val_len; i++)
        if (strchr("[]{},:#\"'", item->val[i]))
            return false;
    return true;
}

/* Calls EACH on the items of "[a, 'b', c]" (none for "[]"); false when
 * the sequence is not that simple, or when EACH says no. */
static bool S_each_item(const struct flat_pair *p,
                        bool (*each)(struct flat_pair *item, void *ctx),
                        void *ctx)
{
    const char *s = p->val + 1, *end = p->val + p->val_len - 1;
    if (S_blank(s, (size_t)(end - s)))
        return true;
    while (s <= end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        struct flat_pair item = {.val = s, .val_len = (size_t)(stop - s)};
        if (!S_flow_item(&item) || !each(&item, ctx))
            return false;
        s = stop + 1;
    }
    return true;
}

static bool S_item_ok(struct flat_pair *item, void *ctx)
{
    (void)item;
    (void)ctx;
    return true;
}

static bool S_flow(struct flat_pair *p)
{
    if (p->val_len < 2 || p->val[p->val_len - 1] != ']')
        return false;
    p->quote = '[';
    return S_each_item(p, S_item_ok, NULL);
}

/* "key: value" at the line's start; false for anything else. */
static bool S_pair(const char *s, size_t len, struct flat_pair *p)
{
    size_t i = 0;
    while (i < len && S_key_byte((unsigned char)s[i], i == 0))
        i++;
    if (i == 0 || i >= len || s[i] != ':' || (i + 1 < len && s[i + 1] != ' '))
        return false;
    *p = (struct flat_pair){.key = s, .key_len = i};
    for (i++; i < len && s[i] == ' '; i++)
        ;
    while (len > i && s[len - 1] == ' ')
        len--;
    p->val = s + i;
    p->val_len = len - i;
    if (p->val_len && (p->val[0] == '"' || p->val[0] == '\''))
        return S_quoted(p);
    if (p->val_len && p->val[0] == '[')
        return S_flow(p);
    return S_plain(p);
}

/* A scalar as value_from_yaml types it. */
static struct value *S_scalar(const struct flat_pair *p, struct buf *scratch)
{
    buf_clear(scratch);
    buf_put(scratch, p->val, p->val_len);
    return p->quote ? value_string(scratch->data, p->val_len)
                    : value_yaml_plain(scratch->data, p->val_len);
}

struct items {
    struct value *array;
    struct buf *scratch;
};

static bool S_push_item(struct flat_pair *item, void *ctx)
{
    struct items *it = ctx;
    value_array_push(it->array, S_scalar(item, it->scratch));
    return true;
}

/* The pair's value as value_from_yaml types it, and, for a scalar, its
 * text as the page loader's settings read it (a null plain scalar is ""). */
static void S_add(struct value *hash, struct value *settings,
                  const struct flat_pair *p, struct buf *scratch)
{
    struct value *v;
    if (p->quote == '[') {
        struct items it = {value_array(), scratch};
        S_each_item(p, S_push_item, &it);
        v = it.array;
    } else {
        v = S_scalar(p, scratch);
    }
    const char *text = scratch->data;
    bool null_text = !p->quote && (p->val_len == 0 || strcmp(text, "~") == 0 ||
                                   strcmp(text, "null") == 0);
    buf_clear(scratch);
    buf_put(scratch, p->key, p->key_len);
    value_hash_set(hash, scratch->data, p->key_len, v);
    if (settings && p->quote != '[')
        page_front_setting(settings, scratch->data,
                           null_text ? "" : p->val, null_text ? 0 : p->val_len);
}

static bool S_read_lines(const char *text, size_t len, struct value *hash,
                         struct value *settings)
{
    struct buf scratch = {0};
    const char *end = text + len;
    size_t pairs = 0;
    bool ok = true;
    for (const char *line = text; ok && line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - line) - (le > line && le[-1] == '\r');
        struct flat_pair p;
        if (S_blank(line, n) || line[0] == '#')
            ;
        else if ((ok = S_pair(line, n, &p)))
            S_add(hash, settings, &p, &scratch), pairs++;
        line = nl ? nl + 1 : end;
    }
    buf_free(&scratch);
    return ok && pairs > 0;
}

struct value *value_from_flat_yaml(const char *text, size_t len,
                                   struct value **settings)
{
    if (settings)
        *settings = NULL;
    if (!S_plain_text(text, len))
        return NULL;
    struct value *hash = value_hash();
    struct value *set = settings ? value_hash() : NULL;
    if (!S_read_lines(text, len, hash, set)) {
        value_release(hash);
        value_release(set);
        return NULL;
    }
    if (settings)
        *settings = set;
    return hash;
}
