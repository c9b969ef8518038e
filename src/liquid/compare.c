/* Liquid's comparisons, as Ruby answers them under Liquid 5: one place so
 * that conditions (==, <, contains) and filters (sort, uniq, where) can
 * never disagree about two values. */
#include "filter.h"

#include <string.h>

static bool is_number(const struct value *v)
{
    enum value_kind k = value_kind(v);
    return k == VALUE_INT || k == VALUE_FLOAT;
}

static bool is_text(const struct value *v)
{
    enum value_kind k = value_kind(v);
    return k == VALUE_STRING || k == VALUE_DATE;
}

static int compare_numbers(const struct value *a, const struct value *b)
{
    if (value_kind(a) == VALUE_INT && value_kind(b) == VALUE_INT) {
        int64_t x = value_int_of(a), y = value_int_of(b);
        return (x > y) - (x < y);
    }
    double x = value_float_of(a), y = value_float_of(b);
    return (x > y) - (x < y);
}

/* Bytes, then length: Ruby's String#<=>. */
static int compare_texts(const struct value *a, const struct value *b)
{
    size_t la = value_len(a), lb = value_len(b);
    int c = memcmp(value_text(a), value_text(b), la < lb ? la : lb);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (la > lb) - (la < lb);
}

static bool equal_arrays(const struct value *a, const struct value *b)
{
    if (value_len(a) != value_len(b))
        return false;
    for (size_t i = 0; i < value_len(a); i++)
        if (!liquid_equal(value_array_at(a, i), value_array_at(b, i)))
            return false;
    return true;
}

/* Ruby's Hash#==: the same keys with equal values, in any order. */
static bool equal_hashes(const struct value *a, const struct value *b)
{
    if (value_len(a) != value_len(b))
        return false;
    for (size_t i = 0; i < value_len(a); i++) {
        size_t klen;
        const char *key = value_hash_key_at(a, i, &klen);
        const struct value *other = value_hash_getn(b, key, klen);
        if (!other || !liquid_equal(value_hash_value_at(a, i), other))
            return false;
    }
    return true;
}

bool liquid_equal(const struct value *a, const struct value *b)
{
    if (is_number(a) && is_number(b))
        return compare_numbers(a, b) == 0;
    enum value_kind ka = value_kind(a), kb = value_kind(b);
    if (ka != kb)
        return false;
    switch (ka) {
    case VALUE_NIL:
        return true;
    case VALUE_BOOL:
        return value_bool_of(a) == value_bool_of(b);
    case VALUE_STRING:
    case VALUE_DATE:
        return compare_texts(a, b) == 0;
    case VALUE_ARRAY:
        return equal_arrays(a, b);
    case VALUE_HASH:
        return equal_hashes(a, b);
    default:
        return false;
    }
}

int liquid_compare(const struct value *a, const struct value *b,
                   bool *comparable)
{
    *comparable = true;
    if (is_number(a) && is_number(b))
        return compare_numbers(a, b);
    if (is_text(a) && is_text(b))
        return compare_texts(a, b);
    *comparable = false;
    return 0;
}

static bool has_substring(const struct value *haystack, const char *needle,
                          size_t n)
{
    const char *s = value_text(haystack);
    size_t len = value_len(haystack);
    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return true;
    return false;
}

bool liquid_contains(const struct value *haystack, const struct value *needle)
{
    if (is_text(haystack)) {
        const char *text = value_text(needle);
        return text && value_kind(needle) != VALUE_NIL &&
               has_substring(haystack, text, value_len(needle));
    }
    if (value_kind(haystack) != VALUE_ARRAY)
        return false;
    for (size_t i = 0; i < value_len(haystack); i++)
        if (liquid_equal(value_array_at(haystack, i), needle))
            return true;
    return false;
}
