/* Liquid's array filters and Jekyll's (sort by key with its nil position,
 * pop, push, shift, unshift, sample, array_to_sentence_string). Liquid's
 * own filters iterate its InputIterator (nested arrays flattened, a hash as
 * one item); Jekyll's work on the array as it is. */
#include "filters_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct value *filter_size(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    switch (value_kind(in)) {
    case VALUE_STRING:
        return value_int((int64_t)utf8_chars(value_text(in), value_len(in)));
    case VALUE_ARRAY:
    case VALUE_HASH:
        return value_int((int64_t)value_len(in));
    case VALUE_INT:
        return value_int(8); /* Integer#size: the bytes of a machine word */
    default:
        return value_int(0);
    }
}

/* A hash's i-th pair as Ruby's Hash#first gives it: [key, value]. */
static struct value *hash_pair(const struct value *h, size_t i)
{
    size_t klen;
    const char *key = value_hash_key_at(h, i, &klen);
    struct value *pair = value_array();
    value_array_push(pair, value_string(key, klen));
    value_array_push(pair, value_retain(value_hash_value_at(h, i)));
    return pair;
}

struct value *filter_first(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    if (is_array(in) && value_len(in))
        return value_retain(value_array_at(in, 0));
    if (is_hash(in) && value_len(in))
        return hash_pair(in, 0);
    return value_nil();
}

struct value *filter_last(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    if (is_array(in) && value_len(in))
        return value_retain(value_array_at(in, value_len(in) - 1));
    return value_nil();
}

struct value *filter_join(FILTER_PARAMS)
{
    (void)env;
    struct value *list = input_list(in);
    struct buf glue = {0}, out = {0};
    if (n_args > 0)
        ruby_to_s(args[0], &glue);
    else
        buf_putc(&glue, ' ');
    for (size_t i = 0; i < value_len(list); i++) {
        if (i)
            buf_put(&out, glue.data, glue.len);
        ruby_to_s(value_array_at(list, i), &out);
    }
    buf_free(&glue);
    value_release(list);
    return buf_value(&out);
}

struct value *filter_reverse(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct value *list = input_list(in), *out = value_array();
    for (size_t i = value_len(list); i-- > 0;)
        value_array_push(out, value_retain(value_array_at(list, i)));
    value_release(list);
    return out;
}

/* What Ruby's item[property] does: answer, have no [] at all (nil, true,
 * floats), or raise TypeError (an integer's bits or an array's items
 * indexed by a string). */
enum index_result { INDEX_OK, INDEX_NO_METHOD, INDEX_TYPE_ERROR };

/* A string's character at index i (negative from the end), or nil. */
static struct value *char_at(const struct value *s, int64_t i)
{
    size_t n = utf8_chars(value_text(s), value_len(s));
    if (i < 0)
        i += (int64_t)n;
    if (i < 0 || (size_t)i >= n)
        return value_nil();
    size_t from = utf8_offset(value_text(s), value_len(s), (size_t)i);
    size_t len = utf8_offset(value_text(s) + from, value_len(s) - from, 1);
    return value_string(value_text(s) + from, len);
}

/* item[property] as Liquid's filters read it: a hash's key, a string's
 * substring or character, an integer's bit. *out gets a new reference. */
static enum index_result ruby_index(const struct value *item,
                                    const struct value *prop,
                                    struct value **out)
{
    enum value_kind k = value_kind(item), pk = value_kind(prop);
    *out = value_nil();
    if (k == VALUE_HASH) {
        value_release(*out);
        *out = value_retain(pk == VALUE_STRING ? value_hash_getn(item,
                            value_text(prop), value_len(prop)) : NULL);
        if (!*out)
            *out = value_nil();
        return INDEX_OK;
    }
    if (k == VALUE_STRING && pk == VALUE_STRING) {
        if (strstr(value_text(item), value_text(prop))) {
            value_release(*out);
            *out = value_retain(prop);
        }
        return INDEX_OK;
    }
    if (k == VALUE_STRING && (pk == VALUE_INT || pk == VALUE_FLOAT)) {
        value_release(*out);
        *out = char_at(item, pk == VALUE_INT ? value_int_of(prop)
                                             : double_to_int64(value_float_of(prop)));
        return INDEX_OK;
    }
    if (k == VALUE_INT && (pk == VALUE_INT || pk == VALUE_FLOAT)) {
        int64_t bit = pk == VALUE_INT ? value_int_of(prop)
                                      : double_to_int64(value_float_of(prop));
        int64_t n = value_int_of(item);
        value_release(*out);
        *out = value_int(bit < 0 ? 0 : bit > 63 ? n < 0 : (n >> bit) & 1);
        return INDEX_OK;
    }
    if (k == VALUE_INT || k == VALUE_STRING || k == VALUE_ARRAY)
        return INDEX_TYPE_ERROR;
    return INDEX_NO_METHOD;
}

/* Liquid's "cannot select the property 'x'", in storage that lasts until
 * this thread's next such error. */
static const char *property_error(const struct value *prop)
{
    static _Thread_local char message[160];
    struct buf name = {0};
    ruby_to_s(prop, &name);
    snprintf(message, sizeof message, "cannot select the property '%.100s'",
             name.data);
    buf_free(&name);
    return message;
}

/* The keys uniq and compact judge the items by: the items themselves, or
 * their properties. NULL when Liquid answers nil for the whole filter (an
 * item without []) or fails (env->error). */
static struct value *keys_of(const struct value *list, const struct value *prop,
                             struct liquid_filter_env *env)
{
    struct value *keys = value_array();
    for (size_t i = 0; i < value_len(list); i++) {
        struct value *key;
        if (!prop) {
            value_array_push(keys, value_retain(value_array_at(list, i)));
            continue;
        }
        enum index_result r = ruby_index(value_array_at(list, i), prop, &key);
        if (r != INDEX_OK) {
            if (r == INDEX_TYPE_ERROR)
                env->error = property_error(prop);
            value_release(key);
            value_release(keys);
            return NULL;
        }
        value_array_push(keys, key);
    }
    return keys;
}

/* Ruby's uniq keeps the first of the items whose keys are eql? (1 and 1.0
 * differ, as their inspect texts do): a hash indexed by that text finds a
 * repeat in constant time. */
/* A property argument; nil is none, as Liquid's property.nil? says. */
static const struct value *property_arg(const struct value *const *args,
                                        size_t n_args)
{
    const struct value *prop = filter_arg(args, n_args, 0);
    return is_nil(prop) ? NULL : prop;
}

struct value *filter_uniq(FILTER_PARAMS)
{
    const struct value *prop = property_arg(args, n_args);
    struct value *list = input_list(in);
    /* Ruby never asks a lone item for its key. */
    struct value *keys = keys_of(list, value_len(list) > 1 ? prop : NULL, env);
    if (!keys) {
        value_release(list);
        return value_nil();
    }
    struct value *out = value_array(), *seen = value_hash();
    struct buf text = {0};
    for (size_t i = 0; i < value_len(list); i++) {
        buf_clear(&text);
        ruby_inspect(value_array_at(keys, i), &text);
        if (value_hash_getn(seen, text.data, text.len))
            continue;
        value_hash_set(seen, text.data, text.len, value_bool(true));
        value_array_push(out, value_retain(value_array_at(list, i)));
    }
    buf_free(&text);
    value_release(seen);
    value_release(keys);
    value_release(list);
    return out;
}

struct value *filter_compact(FILTER_PARAMS)
{
    const struct value *prop = property_arg(args, n_args);
    struct value *list = input_list(in);
    struct value *keys = keys_of(list, prop, env);
    if (!keys) {
        value_release(list);
        return value_nil();
    }
    struct value *out = value_array();
    for (size_t i = 0; i < value_len(list); i++)
        if (!is_nil(value_array_at(keys, i)))
            value_array_push(out, value_retain(value_array_at(list, i)));
    value_release(keys);
    value_release(list);
    return out;
}

struct value *filter_concat(FILTER_PARAMS)
{
    const struct value *more = filter_arg(args, n_args, 0);
    if (!is_array(more)) {
        env->error = "concat filter requires an array argument";
        return value_nil();
    }
    struct value *list = input_list(in);
    for (size_t i = 0; i < value_len(more); i++)
        value_array_push(list, value_retain(value_array_at(more, i)));
    return list;
}

struct value *filter_map(FILTER_PARAMS)
{
    const struct value *prop = filter_arg(args, n_args, 0);
    const char *name = value_text(prop);
    struct value *list = input_list(in), *out = value_array();
    for (size_t i = 0; i < value_len(list) && !env->error; i++) {
        const struct value *item = value_array_at(list, i);
        struct value *v;
        if (is_string(prop) && strcmp(name, "to_liquid") == 0)
            v = value_retain(item);
        else if (ruby_index(item, prop, &v) == INDEX_TYPE_ERROR)
            env->error = property_error(prop);
        value_array_push(out, v);
    }
    value_release(list);
    if (env->error) {
        value_release(out);
        return value_nil();
    }
    return out;
}

/* Ruby's slice(offset, length) bounds over n items: false when Ruby
 * answers nil (offset beyond the end, negative length). */
static bool slice_bounds(int64_t offset, int64_t length, size_t n,
                         size_t *start, size_t *count)
{
    int64_t size = (int64_t)n;
    if (offset < 0)
        offset += size;
    if (offset < 0 || offset > size || length < 0)
        return false;
    *start = (size_t)offset;
    *count = (size_t)(length < size - offset ? length : size - offset);
    return true;
}

struct value *filter_slice(FILTER_PARAMS)
{
    int64_t offset = 0, length = 1;
    if (!to_integer(filter_arg(args, n_args, 0), &offset, env) ||
        (n_args > 1 && !is_nil(args[1]) && !to_integer(args[1], &length, env)))
        return value_nil();
    size_t start, count;
    if (is_array(in)) {
        struct value *out = value_array();
        if (slice_bounds(offset, length, value_len(in), &start, &count))
            for (size_t i = start; i < start + count; i++)
                value_array_push(out, value_retain(value_array_at(in, i)));
        return out;
    }
    struct buf s = {0};
    ruby_to_s(in, &s);
    const char *t = s.data ? s.data : "";
    struct value *out = value_string("", 0);
    if (slice_bounds(offset, length, utf8_chars(t, s.len), &start, &count)) {
        size_t from = utf8_offset(t, s.len, start);
        size_t to = from + utf8_offset(t + from, s.len - from, count);
        value_release(out);
        out = value_string(t + from, to - from);
    }
    buf_free(&s);
    return out;
}

struct value *filter_default(FILTER_PARAMS)
{
    const struct value *fallback = filter_arg(args, n_args, 0);
    bool allow_false = value_truthy(filter_kwarg(env, "allow_false"));
    bool missing = allow_false ? is_nil(in) : !value_truthy(in);
    enum value_kind k = value_kind(in);
    bool empty = (k == VALUE_STRING || k == VALUE_ARRAY || k == VALUE_HASH) &&
                 value_len(in) == 0;
    if (missing || empty)
        return n_args > 0 ? value_retain(fallback) : value_string("", 0);
    return value_retain(in);
}

/* --- sorting --- */

typedef int (*order_fn)(const struct value *a, const struct value *b,
                        void *ctx);

/* A stable merge sort of n items by cmp. */
static void merge_sort(const struct value **items, const struct value **tmp,
                       size_t n, order_fn cmp, void *ctx)
{
    if (n < 2)
        return;
    size_t half = n / 2, i = 0, j = half, k = 0;
    merge_sort(items, tmp, half, cmp, ctx);
    merge_sort(items + half, tmp, n - half, cmp, ctx);
    while (i < half && j < n)
        tmp[k++] = cmp(items[j], items[i], ctx) < 0 ? items[j++] : items[i++];
    while (i < half)
        tmp[k++] = items[i++];
    while (j < n)
        tmp[k++] = items[j++];
    memcpy(items, tmp, n * sizeof *items);
}

/* A new array of list's items in cmp's order. */
static struct value *sorted(const struct value *list, order_fn cmp, void *ctx)
{
    size_t n = value_len(list);
    const struct value **items = xcalloc(n + 1, sizeof *items);
    const struct value **tmp = xcalloc(n + 1, sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        items[i] = value_array_at(list, i);
    merge_sort(items, tmp, n, cmp, ctx);
    struct value *out = value_array();
    for (size_t i = 0; i < n; i++)
        value_array_push(out, value_retain(items[i]));
    free(items);
    free(tmp);
    return out;
}

/* What a sort needs to know: its property, where nils go, whether two
 * items could not be compared. */
struct sort_ctx {
    const struct value *prop;
    int nil_order; /* -1: nils first, +1: last */
    bool failed;
};

/* Ruby's <=>, or to_s <=> to_s for a pair <=> cannot order. */
static int compare_or_text(const struct value *a, const struct value *b)
{
    bool ok;
    int c = liquid_compare(a, b, &ok);
    if (ok)
        return c;
    struct buf x = {0}, y = {0};
    ruby_to_s(a, &x), ruby_to_s(b, &y);
    struct value *sx = buf_value(&x), *sy = buf_value(&y);
    c = liquid_compare(sx, sy, &ok);
    value_release(sx), value_release(sy);
    return c;
}

static int by_value(const struct value *a, const struct value *b, void *ctx)
{
    struct sort_ctx *s = ctx;
    bool ok;
    int c = liquid_compare(a, b, &ok);
    if (!ok)
        s->failed = true;
    return c;
}

/* Items sorted by a property carry it along: each item's property is
 * read once, not at every comparison. */
static int by_property(const struct value *a, const struct value *b, void *ctx)
{
    struct sort_ctx *s = ctx;
    const struct value *pa = value_array_at(a, 0), *pb = value_array_at(b, 0);
    if (is_nil(pa) != is_nil(pb))
        return is_nil(pa) ? s->nil_order : -s->nil_order;
    return compare_or_text(pa, pb);
}

/* [[property, item], …] for the items of in. */
static struct value *decorated(const struct value *in, const struct value *prop)
{
    struct value *pairs = value_array();
    for (size_t i = 0; i < value_len(in); i++) {
        struct value *pair = value_array();
        value_array_push(pair, item_property(value_array_at(in, i), prop));
        value_array_push(pair, value_retain(value_array_at(in, i)));
        value_array_push(pairs, pair);
    }
    return pairs;
}

static struct value *undecorated(struct value *pairs)
{
    struct value *out = value_array();
    for (size_t i = 0; i < value_len(pairs); i++)
        value_array_push(out, value_retain(value_array_at(value_array_at(pairs, i), 1)));
    value_release(pairs);
    return out;
}

struct value *filter_sort(FILTER_PARAMS)
{
    struct sort_ctx ctx = {property_arg(args, n_args), -1, false};
    const char *nils = value_text(filter_arg(args, n_args, 1));
    if (is_nil(in)) {
        env->error = "Cannot sort a null object.";
        return value_nil();
    }
    if (nils && strcmp(nils, "last") == 0)
        ctx.nil_order = 1;
    else if (nils && strcmp(nils, "first") != 0) {
        env->error = "Invalid nils order: it must be 'first' or 'last'.";
        return value_nil();
    }
    if (!is_array(in))
        return value_retain(in);
    struct value *out;
    if (ctx.prop) {
        struct value *pairs = decorated(in, ctx.prop);
        out = undecorated(sorted(pairs, by_property, &ctx));
        value_release(pairs);
    } else {
        out = sorted(in, by_value, &ctx);
    }
    if (ctx.failed) {
        env->error = "comparison of values of different types failed";
        value_release(out);
        return value_nil();
    }
    return out;
}

/* Ruby's casecmp of two texts: bytes compared with ASCII letters folded. */
static int casecmp_bytes(const char *x, size_t xl, const char *y, size_t yl)
{
    size_t n = xl < yl ? xl : yl;
    for (size_t i = 0; i < n; i++) {
        unsigned char p = (unsigned char)x[i], q = (unsigned char)y[i];
        p = (p >= 'A' && p <= 'Z') ? p + 32 : p;
        q = (q >= 'A' && q <= 'Z') ? q + 32 : q;
        if (p != q)
            return p < q ? -1 : 1;
    }
    return (xl > yl) - (xl < yl);
}

/* casecmp on to_s: strings read in place, anything else printed first. */
static int casecmp_text(const struct value *a, const struct value *b)
{
    if (is_string(a) && is_string(b))
        return casecmp_bytes(value_text(a), value_len(a), value_text(b),
                             value_len(b));
    struct buf x = {0}, y = {0};
    ruby_to_s(a, &x), ruby_to_s(b, &y);
    int c = casecmp_bytes(x.data, x.len, y.data, y.len);
    buf_free(&x), buf_free(&y);
    return c;
}

/* Liquid's nil_safe_casecmp: nils after everything else. Items carry
 * their keys along ([key, item]). */
static int natural(const struct value *a, const struct value *b, void *ctx)
{
    (void)ctx;
    const struct value *pa = value_array_at(a, 0), *pb = value_array_at(b, 0);
    if (is_nil(pa) || is_nil(pb))
        return is_nil(pa) ? 1 : -1;
    return casecmp_text(pa, pb);
}

/* Whether every item has [] (Liquid's sort_natural answers nil if not). */
static bool all_indexable(const struct value *list)
{
    for (size_t i = 0; i < value_len(list); i++) {
        enum value_kind k = value_kind(value_array_at(list, i));
        if (k != VALUE_HASH && k != VALUE_STRING && k != VALUE_INT &&
            k != VALUE_ARRAY)
            return false;
    }
    return true;
}

struct value *filter_sort_natural(FILTER_PARAMS)
{
    const struct value *prop = property_arg(args, n_args);
    struct value *list = input_list(in);
    if (prop && !all_indexable(list)) {
        value_release(list);
        return value_nil();
    }
    /* Ruby never compares a lone item. */
    struct value *keys = keys_of(list, value_len(list) > 1 ? prop : NULL, env);
    if (!keys) {
        value_release(list);
        return value_nil();
    }
    struct value *pairs = value_array();
    for (size_t i = 0; i < value_len(list); i++) {
        struct value *pair = value_array();
        value_array_push(pair, value_retain(value_array_at(keys, i)));
        value_array_push(pair, value_retain(value_array_at(list, i)));
        value_array_push(pairs, pair);
    }
    struct value *out = undecorated(sorted(pairs, natural, NULL));
    value_release(pairs), value_release(keys), value_release(list);
    return out;
}

/* --- Jekyll's array filters: new arrays, the input left alone --- */

/* Drops num items from the end (pop) or the start (shift). */
static struct value *drop(const struct value *in, const struct value *arg,
                          bool from_end, struct liquid_filter_env *env)
{
    int64_t num = 1;
    if (!is_array(in))
        return value_retain(in);
    if (arg && !to_integer(arg, &num, env))
        return value_nil();
    if (num < 0) {
        env->error = "negative array size";
        return value_nil();
    }
    size_t n = value_len(in), k = (size_t)num < n ? (size_t)num : n;
    struct value *out = value_array();
    for (size_t i = from_end ? 0 : k; i < (from_end ? n - k : n); i++)
        value_array_push(out, value_retain(value_array_at(in, i)));
    return out;
}

struct value *filter_pop(FILTER_PARAMS)
{
    return drop(in, filter_arg(args, n_args, 0), true, env);
}

struct value *filter_shift(FILTER_PARAMS)
{
    return drop(in, filter_arg(args, n_args, 0), false, env);
}

struct value *filter_push(FILTER_PARAMS)
{
    (void)env;
    if (!is_array(in))
        return value_retain(in);
    struct value *out = array_copy(in);
    value_array_push(out, value_retain(filter_arg(args, n_args, 0)));
    return out;
}

struct value *filter_unshift(FILTER_PARAMS)
{
    (void)env;
    if (!is_array(in))
        return value_retain(in);
    struct value *out = value_array();
    value_array_push(out, value_retain(filter_arg(args, n_args, 0)));
    for (size_t i = 0; i < value_len(in); i++)
        value_array_push(out, value_retain(value_array_at(in, i)));
    return out;
}

/* Jekyll picks at random; a capsule must not change between two requests,
 * so the sample is the first item (or the first num items). */
struct value *filter_sample(FILTER_PARAMS)
{
    int64_t num = 1;
    if (!is_array(in))
        return value_retain(in);
    if (n_args > 0 && !to_integer(args[0], &num, NULL))
        num = 1;
    (void)env;
    if (num == 1)
        return value_len(in) ? value_retain(value_array_at(in, 0)) : value_nil();
    struct value *out = value_array();
    for (size_t i = 0; num > 0 && i < (size_t)num && i < value_len(in); i++)
        value_array_push(out, value_retain(value_array_at(in, i)));
    return out;
}

struct value *filter_array_to_sentence_string(FILTER_PARAMS)
{
    (void)env;
    struct buf out = {0}, conn = {0};
    if (n_args > 0)
        ruby_to_s(args[0], &conn);
    else
        buf_puts(&conn, "and");
    if (!is_array(in)) {
        buf_free(&conn);
        ruby_to_s(in, &out);
        return buf_value(&out);
    }
    size_t n = value_len(in);
    for (size_t i = 0; i < n; i++) {
        if (i && n > 2)
            buf_putc(&out, ',');
        if (i)
            buf_putc(&out, ' ');
        if (i && i == n - 1) {
            buf_put(&out, conn.data, conn.len);
            buf_putc(&out, ' ');
        }
        ruby_to_s(value_array_at(in, i), &out);
    }
    buf_free(&conn);
    return buf_value(&out);
}
