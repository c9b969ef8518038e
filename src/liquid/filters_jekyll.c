/* Jekyll's selection and grouping filters: where and find (a property
 * compared as text with the target), where_exp and find_exp (a Liquid
 * condition per item, evaluated by the interpreter through env->eval),
 * group_by and group_by_exp. A hash input is read as its values. */
#include "filters_impl.h"

#include <string.h>

/* The list where/find select from: an array as it is, a hash's values;
 * NULL for inputs Jekyll returns unchanged. A new reference. */
static struct value *selectable(const struct value *in)
{
    if (is_array(in))
        return value_retain(in);
    if (!is_hash(in))
        return NULL;
    struct value *list = value_array();
    for (size_t i = 0; i < value_len(in); i++)
        value_array_push(list, value_retain(value_hash_value_at(in, i)));
    return list;
}

/* Jekyll's compare_property_vs_target: nil matches nil; otherwise the
 * target's text equals a string property, or the text of the property
 * (or of one of its items, when it is an array). */
static bool matches(const struct value *prop, const struct value *target)
{
    if (is_nil(target))
        return is_nil(prop);
    struct buf want = {0}, got = {0};
    ruby_to_s(target, &want);
    bool hit = false;
    size_t n = is_array(prop) ? value_len(prop) : !is_nil(prop);
    for (size_t i = 0; i < n && !hit; i++) {
        const struct value *item = is_array(prop) ? value_array_at(prop, i) : prop;
        buf_clear(&got);
        ruby_to_s(item, &got);
        hit = got.len == want.len && memcmp(got.data, want.data, got.len) == 0;
    }
    buf_free(&want), buf_free(&got);
    return hit;
}

/* Whether Jekyll leaves the input alone: no property, or an array or hash
 * as the target. */
static bool passes_through(const struct value *prop, const struct value *target)
{
    return is_nil(prop) || is_array(target) || is_hash(target);
}

static bool item_matches(const struct value *item, const struct value *prop,
                         const struct value *target)
{
    struct value *p = item_property(item, prop);
    bool hit = matches(p, target);
    value_release(p);
    return hit;
}

struct value *filter_where(FILTER_PARAMS)
{
    (void)env;
    const struct value *prop = filter_arg(args, n_args, 0);
    const struct value *target = filter_arg(args, n_args, 1);
    struct value *list = passes_through(prop, target) ? NULL : selectable(in);
    if (!list)
        return value_retain(in);
    struct value *out = value_array();
    for (size_t i = 0; i < value_len(list); i++)
        if (item_matches(value_array_at(list, i), prop, target))
            value_array_push(out, value_retain(value_array_at(list, i)));
    value_release(list);
    return out;
}

struct value *filter_find(FILTER_PARAMS)
{
    (void)env;
    const struct value *prop = filter_arg(args, n_args, 0);
    const struct value *target = filter_arg(args, n_args, 1);
    struct value *list = passes_through(prop, target) ? NULL : selectable(in);
    if (!list)
        return value_retain(in);
    struct value *found = NULL;
    for (size_t i = 0; i < value_len(list) && !found; i++)
        if (item_matches(value_array_at(list, i), prop, target))
            found = value_retain(value_array_at(list, i));
    value_release(list);
    return found ? found : value_nil();
}

/* EXPR evaluated with VAR bound to item, through the interpreter. */
static struct value *eval_with(struct liquid_filter_env *env,
                               const struct value *var, const struct value *expr,
                               const struct value *item)
{
    const char *name = value_text(var), *text = value_text(expr);
    if (!env->eval || !name || !text)
        return value_nil();
    return env->eval(env->interp, name, strlen(name), item, text, strlen(text));
}

static bool holds(struct liquid_filter_env *env, const struct value *var,
                  const struct value *expr, const struct value *item)
{
    struct value *r = eval_with(env, var, expr, item);
    bool yes = value_truthy(r);
    value_release(r);
    return yes;
}

struct value *filter_where_exp(FILTER_PARAMS)
{
    const struct value *var = filter_arg(args, n_args, 0);
    const struct value *expr = filter_arg(args, n_args, 1);
    struct value *list = selectable(in);
    if (!list)
        return value_retain(in);
    struct value *out = value_array();
    for (size_t i = 0; i < value_len(list) && !env->error; i++)
        if (holds(env, var, expr, value_array_at(list, i)))
            value_array_push(out, value_retain(value_array_at(list, i)));
    value_release(list);
    return out;
}

struct value *filter_find_exp(FILTER_PARAMS)
{
    const struct value *var = filter_arg(args, n_args, 0);
    const struct value *expr = filter_arg(args, n_args, 1);
    struct value *list = selectable(in);
    if (!list)
        return value_retain(in);
    struct value *found = NULL;
    for (size_t i = 0; i < value_len(list) && !found && !env->error; i++)
        if (holds(env, var, expr, value_array_at(list, i)))
            found = value_retain(value_array_at(list, i));
    value_release(list);
    return found ? found : value_nil();
}

/* --- grouping --- */

/* Groups under construction: the keys in order of first appearance, an
 * index from each key's inspect text to its place, the items of each. */
struct groups {
    struct value *names, *index, *items;
};

static void group_add(struct groups *g, struct value *name,
                      const struct value *item)
{
    struct buf key = {0};
    ruby_inspect(name, &key);
    const struct value *at = value_hash_getn(g->index, key.data, key.len);
    if (!at) {
        value_hash_set(g->index, key.data, key.len,
                       value_int((int64_t)value_len(g->names)));
        value_array_push(g->names, value_retain(name));
        value_array_push(g->items, value_array());
        at = value_hash_getn(g->index, key.data, key.len);
    }
    /* The items arrays are still being built: only this filter holds them. */
    struct value *list = (struct value *)value_array_at(g->items, (size_t)value_int_of(at));
    value_array_push(list, value_retain(item));
    value_release(name);
    buf_free(&key);
}

/* Jekyll's grouped_array: [{"name", "items", "size"}, …]. */
static struct value *group_list(struct groups *g)
{
    struct value *out = value_array();
    for (size_t i = 0; i < value_len(g->names); i++) {
        struct value *h = value_hash();
        const struct value *items = value_array_at(g->items, i);
        value_hash_set(h, "name", 4, value_retain(value_array_at(g->names, i)));
        value_hash_set(h, "items", 5, value_retain(items));
        value_hash_set(h, "size", 4, value_int((int64_t)value_len(items)));
        value_array_push(out, h);
    }
    value_release(g->names), value_release(g->index), value_release(g->items);
    return out;
}

static struct groups groups_new(void)
{
    return (struct groups){value_array(), value_hash(), value_array()};
}

struct value *filter_group_by(FILTER_PARAMS)
{
    (void)env;
    const struct value *prop = filter_arg(args, n_args, 0);
    if (!is_array(in))
        return value_retain(in);
    struct groups g = groups_new();
    for (size_t i = 0; i < value_len(in); i++) {
        const struct value *item = value_array_at(in, i);
        struct value *p = item_property(item, prop);
        struct buf name = {0};
        ruby_to_s(p, &name);
        value_release(p);
        group_add(&g, buf_value(&name), item);
    }
    return group_list(&g);
}

struct value *filter_group_by_exp(FILTER_PARAMS)
{
    const struct value *var = filter_arg(args, n_args, 0);
    const struct value *expr = filter_arg(args, n_args, 1);
    if (!is_array(in))
        return value_retain(in);
    struct groups g = groups_new();
    for (size_t i = 0; i < value_len(in) && !env->error; i++) {
        const struct value *item = value_array_at(in, i);
        group_add(&g, eval_with(env, var, expr, item), item);
    }
    return group_list(&g);
}
