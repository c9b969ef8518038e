/* Ruby's conversions as Liquid's and Jekyll's filters apply them to their
 * inputs: to_s and inspect, Utils.to_number and Utils.to_integer, the
 * InputIterator's flattened list, and UTF-8 character counting, so that
 * every filter family reads its input the same way. */
#include "filters_impl.h"

#include "capsuled/utf8.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct value *filter_arg(const struct value *const *args, size_t n_args,
                               size_t i)
{
    return i < n_args ? args[i] : NULL;
}

const struct value *filter_kwarg(const struct liquid_filter_env *env,
                                 const char *name)
{
    return env ? value_hash_get(env->kwargs, name) : NULL;
}

bool is_nil(const struct value *v) { return value_kind(v) == VALUE_NIL; }
bool is_string(const struct value *v) { return value_kind(v) == VALUE_STRING; }
bool is_array(const struct value *v) { return value_kind(v) == VALUE_ARRAY; }
bool is_hash(const struct value *v) { return value_kind(v) == VALUE_HASH; }

void ruby_to_s(const struct value *v, struct buf *out)
{
    buf_reserve(out, 1); /* out->data is never NULL afterwards */
    out->data[out->len] = '\0';
    if (is_array(v) || is_hash(v))
        ruby_inspect(v, out);
    else if (value_text(v))
        buf_put(out, value_text(v), value_len(v) ? value_len(v)
                                                  : strlen(value_text(v)));
}

/* The escapes String#inspect writes for a control byte, or NULL. */
static const char *named_escape(unsigned char c)
{
    switch (c) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\t': return "\\t";
    case '\n': return "\\n";
    case '\v': return "\\v";
    case '\f': return "\\f";
    case '\r': return "\\r";
    case 0x1b: return "\\e";
    case '"': return "\\\"";
    case '\\': return "\\\\";
    default: return NULL;
    }
}

/* Ruby's String#inspect: quotes, backslash escapes, "#{" kept literal. */
static void inspect_string(const char *s, size_t len, struct buf *out)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = named_escape(c);
        if (esc)
            buf_puts(out, esc);
        else if (c == '#' && i + 1 < len && s[i + 1] && strchr("{$@", s[i + 1]))
            buf_puts(out, "\\#");
        else if (c < 0x20)
            buf_printf(out, "\\u%04X", c);
        else if (c == 0x7f)
            buf_puts(out, "\\x7F");
        else
            buf_putc(out, (char)c);
    }
    buf_putc(out, '"');
}

static void inspect_hash(const struct value *v, struct buf *out)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < value_len(v); i++) {
        size_t klen;
        const char *key = value_hash_key_at(v, i, &klen);
        if (i)
            buf_puts(out, ", ");
        inspect_string(key, klen, out);
        buf_puts(out, "=>");
        ruby_inspect(value_hash_value_at(v, i), out);
    }
    buf_putc(out, '}');
}

void ruby_inspect(const struct value *v, struct buf *out)
{
    switch (value_kind(v)) {
    case VALUE_NIL:
        buf_puts(out, "nil");
        return;
    case VALUE_STRING:
        inspect_string(value_text(v), value_len(v), out);
        return;
    case VALUE_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < value_len(v); i++) {
            if (i)
                buf_puts(out, ", ");
            ruby_inspect(value_array_at(v, i), out);
        }
        buf_putc(out, ']');
        return;
    case VALUE_HASH:
        inspect_hash(v, out);
        return;
    default:
        buf_puts(out, value_text(v));
    }
}

/* "-12.50" as Liquid's /\A-?\d+\.\d+\z/ after strip. */
static bool decimal_like(const char *s, size_t len)
{
    size_t i = 0, digits = 0, frac = 0;
    if (i < len && s[i] == '-')
        i++;
    while (i < len && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i >= len || s[i] != '.')
        return false;
    for (i++; i < len && isdigit((unsigned char)s[i]); i++)
        frac++;
    return digits && frac && i == len;
}

/* Ruby's String#to_i: optional space and sign, digits (underscores
 * between them), anything after ignored; saturates instead of growing. */
static int64_t string_to_i(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    bool neg = i < len && s[i] == '-';
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    uint64_t n = 0;
    for (; i < len; i++) {
        if (s[i] == '_' && i + 1 < len && isdigit((unsigned char)s[i + 1]))
            continue;
        if (!isdigit((unsigned char)s[i]))
            break;
        n = n > (UINT64_MAX - 9) / 10 ? (uint64_t)INT64_MAX : n * 10 + (uint64_t)(s[i] - '0');
    }
    if (n > (uint64_t)INT64_MAX)
        n = (uint64_t)INT64_MAX;
    return neg ? -(int64_t)n : (int64_t)n;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (isspace((unsigned char)**s) || **s == '\0'))
        (*s)++, (*len)--;
    while (*len && (isspace((unsigned char)(*s)[*len - 1]) || (*s)[*len - 1] == '\0'))
        (*len)--;
}

struct num to_number(const struct value *v)
{
    struct num n = {0};
    if (value_kind(v) == VALUE_INT) {
        n.i = value_int_of(v);
    } else if (value_kind(v) == VALUE_FLOAT) {
        n.is_float = true;
        n.d = value_float_of(v);
    } else if (is_string(v)) {
        const char *s = value_text(v);
        size_t len = value_len(v);
        trim(&s, &len);
        if (decimal_like(s, len)) {
            n.is_float = true;
            n.d = strtod(s, NULL);
        } else {
            n.i = string_to_i(value_text(v), value_len(v));
        }
    }
    return n;
}

double num_double(struct num n) { return n.is_float ? n.d : (double)n.i; }

int64_t double_to_int64(double d)
{
    if (d != d)
        return 0;
    return d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
}

struct value *num_value(struct num n)
{
    return n.is_float ? value_float(n.d) : value_int(n.i);
}

/* Ruby's Integer(): optional space and sign, digits with single
 * underscores between them, optional space; nothing else. */
static bool strict_integer(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    size_t i = (len && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i >= len)
        return false;
    for (size_t j = i; j < len; j++) {
        bool under = s[j] == '_' && j > i && j + 1 < len &&
                     isdigit((unsigned char)s[j + 1]);
        if (!isdigit((unsigned char)s[j]) && !under)
            return false;
    }
    *out = string_to_i(s, len);
    return true;
}

bool to_integer(const struct value *v, int64_t *out,
                struct liquid_filter_env *env)
{
    if (value_kind(v) == VALUE_INT) {
        *out = value_int_of(v);
        return true;
    }
    struct buf b = {0};
    ruby_to_s(v, &b);
    bool ok = strict_integer(b.data ? b.data : "", b.len, out);
    buf_free(&b);
    if (!ok && env)
        env->error = "invalid integer";
    return ok;
}

static void flatten_into(struct value *list, const struct value *v, int depth)
{
    for (size_t i = 0; i < value_len(v); i++) {
        const struct value *item = value_array_at(v, i);
        if (is_array(item) && depth < 100)
            flatten_into(list, item, depth + 1);
        else
            value_array_push(list, value_retain(item));
    }
}

struct value *input_list(const struct value *v)
{
    struct value *list = value_array();
    if (is_array(v))
        flatten_into(list, v, 0);
    else if (!is_nil(v))
        value_array_push(list, value_retain(v));
    return list;
}

struct value *array_copy(const struct value *a)
{
    struct value *list = value_array();
    for (size_t i = 0; i < value_len(a); i++)
        value_array_push(list, value_retain(value_array_at(a, i)));
    return list;
}

struct value *buf_value(struct buf *b)
{
    struct value *v = value_string(b->data ? b->data : "", b->len);
    buf_free(b);
    return v;
}

size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        unsigned cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        i += k ? k : 1;
    }
    return n;
}

size_t utf8_offset(const char *s, size_t len, size_t n)
{
    size_t i = 0;
    while (i < len && n--) {
        unsigned cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        i += k ? k : 1;
    }
    return i;
}

/* Simple case mapping of the letters Ruby maps one to one: ASCII, Latin-1,
 * Latin Extended-A (pairs), Greek and Cyrillic. */
unsigned unicode_upper(unsigned c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7) ||
        (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2) || (c >= 0x430 && c <= 0x44f))
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45f)
        return c - 0x50;
    if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 && c != 0x138 &&
        !(c >= 0x139 && c <= 0x148) && !(c >= 0x179) && (c & 1))
        return c - 1;
    if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) && !(c & 1))
        return c - 1;
    return c;
}

unsigned unicode_lower(unsigned c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
        (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) || (c >= 0x410 && c <= 0x42f))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 && c != 0x138 &&
        !(c >= 0x139 && c <= 0x148) && !(c >= 0x179) && !(c & 1))
        return c + 1;
    if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) && (c & 1))
        return c + 1;
    return c;
}

/* Jekyll's parse_sort_input: "12" and " -3 " are integers, "1.5", "2."
 * and ".5" floats, anything else stays as it was. */
static struct value *parse_sort_input(const struct value *v)
{
    enum value_kind k = value_kind(v);
    if (k != VALUE_STRING && k != VALUE_DATE)
        return value_retain(v); /* numbers read back as themselves */
    const char *s = value_text(v);
    size_t len = value_len(v), i = 0, digits = 0, dots = 0;
    trim(&s, &len);
    if (i < len && s[i] == '-')
        i++;
    for (; i < len && (isdigit((unsigned char)s[i]) || s[i] == '.'); i++)
        s[i] == '.' ? dots++ : digits++;
    if (i != len || !digits || dots > 1)
        return value_retain(v);
    if (dots == 0)
        return value_int(string_to_i(s, len));
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)(len < 63 ? len : 63), s);
    return value_float(strtod(text, NULL));
}

/* Ruby's String#[] with a string: the needle when it occurs, else nil. */
static struct value *string_index(const struct value *s, const char *key)
{
    return strstr(value_text(s), key) ? value_cstring(key) : value_nil();
}

/* One step of Jekyll's read_liquid_attribute: data[key] where data
 * responds to [] (a hash's key, a string's substring), else false. */
static struct value *attribute_step(struct value *data, const char *key,
                                    size_t len)
{
    struct value *next;
    if (is_hash(data))
        next = value_retain(value_hash_getn(data, key, len));
    else if (is_string(data)) {
        char *k = xstrndup(key, len);
        next = string_index(data, k);
        free(k);
    } else if (is_nil(data) || value_kind(data) == VALUE_BOOL)
        next = value_bool(false);
    else
        next = value_nil();
    value_release(data);
    return next ? next : value_nil();
}

struct value *item_property(const struct value *item, const struct value *prop)
{
    struct buf key = {0};
    if (is_string(prop)) /* the usual case: no copy */
        key = (struct buf){(char *)value_text(prop), value_len(prop), 0};
    else
        ruby_to_s(prop, &key);
    const char *k = key.data ? key.data : "";
    struct value *v = value_retain(item);
    if (!is_hash(item) && !is_string(item)) {
        value_release(v);
        v = value_nil();
    } else if (!strchr(k, '.')) {
        v = attribute_step(v, k, key.len);
    } else {
        for (const char *p = k;; p++) {
            const char *dot = strchr(p, '.');
            size_t n = dot ? (size_t)(dot - p) : strlen(p);
            v = attribute_step(v, p, n);
            if (!dot)
                break;
            p = dot;
        }
    }
    struct value *out = parse_sort_input(v);
    value_release(v);
    if (!is_string(prop))
        buf_free(&key);
    return out;
}
