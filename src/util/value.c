/* The value type of YAML and Liquid (see capsuled/value.h): one struct per
 * value, scalars carrying the text Liquid prints, arrays as vectors, hashes
 * as insertion-ordered entries plus an open-addressing index over them. */
#include "capsuled/value.h"

#include "capsuled/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hash_entry {
    char *key;
    size_t len;
    uint64_t code; /* the key's hash, once the hash has an index */
    struct value *value;
};

struct value {
    enum value_kind kind;
    bool constant;          /* nil, true, false: never counted or freed */
    atomic_size_t refs;
    const char *text;       /* scalars: what Liquid prints */
    size_t len;             /* text bytes, array items, hash pairs */
    size_t cap;             /* array or hash: slots allocated */
    union {
        bool b;
        int64_t i;
        double d;
        struct value **items;
        struct {
            struct hash_entry *entries;
            uint32_t *index; /* entry + 1 per slot, 0 = free; NULL while
                                the hash is small */
            size_t index_cap;
        } h;
    } u;
};

static struct value nil_value = {.kind = VALUE_NIL, .constant = true,
                                 .text = ""};
static struct value true_value = {.kind = VALUE_BOOL, .constant = true,
                                  .text = "true", .len = 4, .u.b = true};
static struct value false_value = {.kind = VALUE_BOOL, .constant = true,
                                   .text = "false", .len = 5};

/* --- constructors --- */

/* A value with room for len bytes of text (and its NUL) right behind it. */
static struct value *new_value(enum value_kind kind, size_t text_len)
{
    /* Only the value is zeroed: its text is written over at once. */
    struct value *v = xmalloc(sizeof *v + (text_len ? text_len + 1 : 0));
    memset(v, 0, sizeof *v);
    v->kind = kind;
    atomic_init(&v->refs, 1);
    v->text = "";
    return v;
}

static struct value *new_text(enum value_kind kind, const char *s, size_t len)
{
    struct value *v = new_value(kind, len);
    if (len) {
        char *text = (char *)(v + 1);
        memcpy(text, s, len);
        text[len] = '\0';
        v->text = text;
    }
    v->len = len;
    return v;
}

struct value *value_nil(void)
{
    return &nil_value;
}

struct value *value_bool(bool b)
{
    return b ? &true_value : &false_value;
}

struct value *value_int(int64_t i)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRId64, i);
    struct value *v = new_text(VALUE_INT, text, (size_t)n);
    v->u.i = i;
    return v;
}

/* Ruby's Float#to_s: the shortest digits that read back as d, written
 * plainly from 1e-4 up to 1e16 (always with a fraction: "2.0") and as
 * "d.dddde+XX" outside that range; "Infinity", "-Infinity", "NaN". */
static size_t shortest_digits(double d, char digits[24], int *point)
{
    char e[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(e, sizeof e, "%.*e", precision - 1, d);
        if (strtod(e, NULL) == d)
            break;
    }
    const char *p = e + (e[0] == '-'), *exp = strchr(e, 'e');
    size_t n = 0;
    for (; p < exp; p++)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *point = atoi(exp + 1) + 1;
    return n;
}

static void format_finite(double d, struct buf *out)
{
    char digits[24];
    int point;
    size_t n = shortest_digits(d, digits, &point);
    if (d < 0 || (d == 0 && signbit(d)))
        buf_putc(out, '-');
    if (point > 0 && point <= 16) {
        for (int i = 0; i < point; i++)
            buf_putc(out, (size_t)i < n ? digits[i] : '0');
        buf_putc(out, '.');
        buf_puts(out, (size_t)point < n ? digits + point : "0");
    } else if (point <= 0 && point > -4) {
        buf_puts(out, "0.");
        for (int i = point; i < 0; i++)
            buf_putc(out, '0');
        buf_puts(out, digits);
    } else {
        buf_printf(out, "%c.%se%+03d", digits[0], n > 1 ? digits + 1 : "0",
                   point - 1);
    }
}

struct value *value_float(double d)
{
    struct buf text = {0};
    if (d != d)
        buf_puts(&text, "NaN");
    else if (d == HUGE_VAL || d == -HUGE_VAL)
        buf_puts(&text, d < 0 ? "-Infinity" : "Infinity");
    else
        format_finite(d, &text);
    struct value *v = new_text(VALUE_FLOAT, text.data, text.len);
    v->u.d = d;
    buf_free(&text);
    return v;
}

struct value *value_string(const char *s, size_t len)
{
    return new_text(VALUE_STRING, s, len);
}

struct value *value_cstring(const char *s)
{
    return value_string(s, strlen(s));
}

struct value *value_date(const char *text, size_t len)
{
    return new_text(VALUE_DATE, text, len);
}

struct value *value_array(void)
{
    return new_value(VALUE_ARRAY, 0);
}

struct value *value_hash(void)
{
    return new_value(VALUE_HASH, 0);
}

/* --- references --- */

struct value *value_retain(const struct value *v)
{
    struct value *m = (struct value *)v;
    if (m && !m->constant)
        atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    return m;
}

static void free_contents(struct value *v)
{
    if (v->kind == VALUE_ARRAY) {
        for (size_t i = 0; i < v->len; i++)
            value_release(v->u.items[i]);
        free(v->u.items);
    } else if (v->kind == VALUE_HASH) {
        for (size_t i = 0; i < v->len; i++) {
            free(v->u.h.entries[i].key);
            value_release(v->u.h.entries[i].value);
        }
        free(v->u.h.entries);
        free(v->u.h.index);
    }
}

void value_release(struct value *v)
{
    if (!v || v->constant)
        return;
    /* acq_rel: the last owner must see every other owner's reads done. */
    if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) != 1)
        return;
    free_contents(v);
    free(v);
}

/* --- arrays --- */

void value_array_push(struct value *array, struct value *item)
{
    if (!array || array->kind != VALUE_ARRAY) {
        value_release(item);
        return;
    }
    if (array->len == array->cap) {
        array->cap = array->cap ? 2 * array->cap : 4;
        array->u.items = xrealloc(array->u.items,
                                  array->cap * sizeof *array->u.items);
    }
    array->u.items[array->len++] = item;
}

const struct value *value_array_at(const struct value *array, size_t i)
{
    if (!array || array->kind != VALUE_ARRAY || i >= array->len)
        return NULL;
    return array->u.items[i];
}

/* --- hashes --- */

/* Below this many pairs a hash is searched in order, without an index. */
#define HASH_SCAN_MAX 8

/* FNV-1a over the key's bytes. */
static uint64_t key_code(const char *key, size_t len)
{
    uint64_t code = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++)
        code = (code ^ (unsigned char)key[i]) * 1099511628211ull;
    return code;
}

static bool same_key(const struct hash_entry *e, const char *key, size_t len,
                     uint64_t code)
{
    return e->code == code && e->len == len && memcmp(e->key, key, len) == 0;
}

/* The index slot holding key, or the free slot where it would go. */
static size_t index_slot(const struct value *h, const char *key, size_t len,
                         uint64_t code)
{
    size_t mask = h->u.h.index_cap - 1, i = (size_t)code & mask;
    while (h->u.h.index[i] &&
           !same_key(&h->u.h.entries[h->u.h.index[i] - 1], key, len, code))
        i = (i + 1) & mask;
    return i;
}

/* Entry number of key, or -1. A small hash is searched in order, without
 * hashing the key. */
static ptrdiff_t find_entry(const struct value *h, const char *key, size_t len)
{
    if (!h->u.h.index) {
        for (size_t i = 0; i < h->len; i++) {
            const struct hash_entry *e = &h->u.h.entries[i];
            if (e->len == len && memcmp(e->key, key, len) == 0)
                return (ptrdiff_t)i;
        }
        return -1;
    }
    uint32_t at = h->u.h.index[index_slot(h, key, len, key_code(key, len))];
    return at ? (ptrdiff_t)at - 1 : -1;
}

/* Keeps the index at most half full, rebuilding it from the entries. The
 * keys of a small hash get their hash when it first gets an index. */
static void grow_index(struct value *h)
{
    bool first = !h->u.h.index;
    size_t cap = first ? 4 * HASH_SCAN_MAX : 2 * h->u.h.index_cap;
    free(h->u.h.index);
    h->u.h.index = xcalloc(cap, sizeof *h->u.h.index);
    h->u.h.index_cap = cap;
    for (size_t i = 0; i < h->len; i++) {
        struct hash_entry *e = &h->u.h.entries[i];
        if (first)
            e->code = key_code(e->key, e->len);
        h->u.h.index[index_slot(h, e->key, e->len, e->code)] = (uint32_t)i + 1;
    }
}

static void append_entry(struct value *h, const char *key, size_t len,
                         struct value *v)
{
    if (h->len == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 4;
        h->u.h.entries = xrealloc(h->u.h.entries,
                                  h->cap * sizeof *h->u.h.entries);
    }
    struct hash_entry *e = &h->u.h.entries[h->len++];
    e->key = xstrndup(key, len);
    e->len = len;
    e->value = v;
    if (h->u.h.index)
        e->code = key_code(key, len);
    if (h->len > HASH_SCAN_MAX && 2 * h->len > h->u.h.index_cap)
        grow_index(h);
    else if (h->u.h.index)
        h->u.h.index[index_slot(h, key, len, e->code)] = (uint32_t)h->len;
}

void value_hash_set(struct value *hash, const char *key, size_t len,
                    struct value *v)
{
    if (!hash || hash->kind != VALUE_HASH || len > UINT32_MAX) {
        value_release(v);
        return;
    }
    ptrdiff_t at = find_entry(hash, key, len);
    if (at < 0) {
        append_entry(hash, key, len, v);
        return;
    }
    value_release(hash->u.h.entries[at].value);
    hash->u.h.entries[at].value = v;
}

void value_hash_merge(struct value *hash, const struct value *from)
{
    if (value_kind(from) != VALUE_HASH || hash == from)
        return;
    for (size_t i = 0; i < from->len; i++) {
        const struct hash_entry *e = &from->u.h.entries[i];
        value_hash_set(hash, e->key, e->len, value_retain(e->value));
    }
}

const struct value *value_hash_getn(const struct value *hash, const char *key,
                                    size_t len)
{
    if (!hash || hash->kind != VALUE_HASH || !key)
        return NULL;
    ptrdiff_t at = find_entry(hash, key, len);
    return at < 0 ? NULL : hash->u.h.entries[at].value;
}

const struct value *value_hash_get(const struct value *hash, const char *key)
{
    return key ? value_hash_getn(hash, key, strlen(key)) : NULL;
}

const char *value_hash_key_at(const struct value *hash, size_t i, size_t *len)
{
    if (!hash || hash->kind != VALUE_HASH || i >= hash->len)
        return NULL;
    if (len)
        *len = hash->u.h.entries[i].len;
    return hash->u.h.entries[i].key;
}

const struct value *value_hash_value_at(const struct value *hash, size_t i)
{
    if (!hash || hash->kind != VALUE_HASH || i >= hash->len)
        return NULL;
    return hash->u.h.entries[i].value;
}

/* --- reading --- */

enum value_kind value_kind(const struct value *v)
{
    return v ? v->kind : VALUE_NIL;
}

bool value_bool_of(const struct value *v)
{
    return v && v->kind == VALUE_BOOL && v->u.b;
}

int64_t value_int_of(const struct value *v)
{
    return v && v->kind == VALUE_INT ? v->u.i : 0;
}

double value_float_of(const struct value *v)
{
    if (v && v->kind == VALUE_FLOAT)
        return v->u.d;
    return v && v->kind == VALUE_INT ? (double)v->u.i : 0;
}

size_t value_len(const struct value *v)
{
    return v ? v->len : 0;
}

bool value_truthy(const struct value *v)
{
    return v && v->kind != VALUE_NIL && !(v->kind == VALUE_BOOL && !v->u.b);
}

bool value_same(const struct value *a, const struct value *b)
{
    if (value_kind(a) != value_kind(b) || value_len(a) != value_len(b))
        return false;
    if (!a || !b)
        return a == b;
    if (a->kind == VALUE_ARRAY) {
        for (size_t i = 0; i < a->len; i++)
            if (!value_same(value_array_at(a, i), value_array_at(b, i)))
                return false;
        return true;
    }
    if (a->kind == VALUE_HASH) {
        for (size_t i = 0; i < a->len; i++) {
            size_t al, bl;
            const char *ak = value_hash_key_at(a, i, &al);
            const char *bk = value_hash_key_at(b, i, &bl);
            if (al != bl || memcmp(ak, bk, al) != 0 ||
                !value_same(value_hash_value_at(a, i),
                            value_hash_value_at(b, i)))
                return false;
        }
        return true;
    }
    if (a->kind == VALUE_STRING || a->kind == VALUE_DATE)
        return memcmp(a->text, b->text, a->len) == 0; /* may hold a NUL */
    return strcmp(value_text(a), value_text(b)) == 0;
}

const char *value_text(const struct value *v)
{
    if (!v || v->kind == VALUE_ARRAY || v->kind == VALUE_HASH)
        return NULL;
    return v->text;
}

/* --- paths --- */

/* A decimal index as Liquid writes it ("0", "12", not "012" or "+1");
 * negative counts from the end when allowed. -1 when not an index. */
static ptrdiff_t parse_index(const char *s, size_t n, size_t count,
                             bool negative_ok)
{
    bool minus = negative_ok && n > 1 && s[0] == '-';
    size_t i = minus, value = 0;
    if (i == n || (s[i] == '0' && n > i + 1))
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || value > count)
            return -1;
        value = value * 10 + (size_t)(s[i] - '0');
    }
    if (minus)
        return value && value <= count ? (ptrdiff_t)(count - value) : -1;
    return value < count ? (ptrdiff_t)value : -1;
}

/* One step below v by a key or an index written [s, s + n). */
static const struct value *step(const struct value *v, const char *s,
                                size_t n, bool negative_ok)
{
    if (value_kind(v) == VALUE_HASH)
        return value_hash_getn(v, s, n);
    if (value_kind(v) != VALUE_ARRAY)
        return NULL;
    ptrdiff_t i = parse_index(s, n, v->len, negative_ok);
    return i < 0 ? NULL : v->u.items[i];
}

/* A bracket at *p: [N], [-N], ['key'] or ["key"]. Moves *p past it. */
static const struct value *bracket_step(const struct value *v, const char **p)
{
    const char *s = *p + 1, *close;
    if (*s == '\'' || *s == '"') {
        const char *quote = strchr(s + 1, *s);
        if (!quote || quote[1] != ']')
            return NULL;
        *p = quote + 2;
        return value_hash_getn(v, s + 1, (size_t)(quote - s - 1));
    }
    close = strchr(s, ']');
    if (!close)
        return NULL;
    *p = close + 1;
    return step(v, s, (size_t)(close - s), true);
}

const struct value *value_path_get(const struct value *v, const char *path)
{
    const char *p = path;
    if (!p || !*p)
        return p ? v : NULL;
    while (v) {
        if (*p == '[') {
            v = bracket_step(v, &p);
        } else {
            size_t n = strcspn(p, ".[");
            v = step(v, p, n, false);
            p += n;
        }
        if (*p == '\0')
            return v;
        if (*p == '.')
            p++;
        else if (*p != '[')
            return NULL;
    }
    return NULL;
}

/* --- printing --- */

static void inspect(const struct value *v, struct buf *out);

/* Ruby's String#inspect for UTF-8 text. */
static void inspect_string(const char *s, size_t len, struct buf *out)
{
    static const char named[] = "\n\r\t\f\v\b\a\x1b", letter[] = "nrtfvbae";
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *n = c ? strchr(named, c) : NULL;
        unsigned cp;
        size_t step = utf8_decode(s + i, len - i, &cp);
        if (c == '"' || c == '\\' ||
            (c == '#' && i + 1 < len && s[i + 1] &&
             strchr("{$@", s[i + 1])))
            buf_printf(out, "\\%c", c);
        else if (n)
            buf_printf(out, "\\%c", letter[n - named]);
        else if (step == 0)
            buf_printf(out, "\\x%02X", c);
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            buf_printf(out, "\\u%04X", cp);
        else
            buf_put(out, s + i, step);
        if (step > 1)
            i += step - 1;
    }
    buf_putc(out, '"');
}

/* Ruby's Date#inspect: the date with its Julian day number. */
static void inspect_date(const struct value *v, struct buf *out)
{
    int y, m, d;
    char tail;
    if (sscanf(v->text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
        buf_put(out, v->text, v->len);
        return;
    }
    long a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3;
    long jdn = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 +
               yy / 400 - 32045;
    buf_printf(out, "#<Date: %s ((%ldj,0s,0n),+0s,2299161j)>", v->text, jdn);
}

static void inspect_items(const struct value *v, struct buf *out)
{
    buf_putc(out, '[');
    for (size_t i = 0; i < v->len; i++) {
        if (i)
            buf_puts(out, ", ");
        inspect(v->u.items[i], out);
    }
    buf_putc(out, ']');
}

static void inspect_pairs(const struct value *v, struct buf *out)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < v->len; i++) {
        const struct hash_entry *e = &v->u.h.entries[i];
        if (i)
            buf_puts(out, ", ");
        inspect_string(e->key, e->len, out);
        buf_puts(out, "=>");
        inspect(e->value, out);
    }
    buf_putc(out, '}');
}

static void inspect(const struct value *v, struct buf *out)
{
    switch (value_kind(v)) {
    case VALUE_NIL: buf_puts(out, "nil"); break;
    case VALUE_STRING: inspect_string(v->text, v->len, out); break;
    case VALUE_DATE: inspect_date(v, out); break;
    case VALUE_ARRAY: inspect_items(v, out); break;
    case VALUE_HASH: inspect_pairs(v, out); break;
    default: buf_put(out, v->text, v->len); break;
    }
}

void value_to_string(const struct value *v, struct buf *out)
{
    if (value_kind(v) == VALUE_ARRAY) {
        for (size_t i = 0; i < v->len; i++)
            value_to_string(v->u.items[i], out);
    } else if (value_kind(v) == VALUE_HASH) {
        inspect(v, out);
    } else if (v) {
        buf_put(out, v->text, v->len);
    }
}
