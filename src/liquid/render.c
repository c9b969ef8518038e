/* Rendering a Liquid tree: the cap on loop iterations, and the tags'
 * behaviour (if/unless/case, for, tablerow, assign, capture,
 * increment/decrement, cycle, ifchanged, highlight, unknown tags). The
 * file tags (include, link, post_url) are include.c's. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After a node's expressions: Liquid's exception, printed where the node's
 * output was unless the tag is blank. */
static bool failed(struct lctx *c, const struct lnode *n)
{
    if (!c->failed)
        return false;
    c->failed = false;
    ctx_error(c, n->line, !n->blank, c->err);
    return true;
}

/* One loop iteration; false (warned once) past the cap. */
static bool iterate(struct lctx *c, int line)
{
    if (++c->iterations <= c->max_iterations)
        return ctx_step(c, 1);
    if (!c->iter_warned)
        ctx_diag(c, DIAG_WARNING, line,
                 "Liquid: more than %zu loop iterations: the loop stops",
                 c->max_iterations);
    c->iter_warned = true;
    return false;
}

/* --- output --- */

static void put_value(struct lctx *c, const struct value *v, int line)
{
    const char *t = value_text(v);
    if (t) {
        ctx_put(c, t, value_len(v), line, false);
        return;
    }
    struct buf b = {0};
    value_to_string(v, &b);
    ctx_put(c, b.data, b.len, line, false);
    buf_free(&b);
}

static void render_output(struct lctx *c, const struct lnode *n)
{
    const struct lexpr *e = n->expr;
    if (e->kind == LE_RANGE && !e->n_filters) {
        struct value *lo = expr_eval(c, e->lhs), *hi = expr_eval(c, e->rhs);
        char buf[64];
        int len = snprintf(buf, sizeof buf, "%lld..%lld",
                           (long long)liquid_to_integer(lo),
                           (long long)liquid_to_integer(hi));
        value_release(lo);
        value_release(hi);
        ctx_put(c, buf, (size_t)len, n->line, false);
        return;
    }
    struct value *v = expr_eval_filtered(c, e);
    if (!failed(c, n))
        put_value(c, v, n->line);
    value_release(v);
}

/* --- conditions --- */

static void render_if(struct lctx *c, const struct lnode *n)
{
    for (const struct lbranch *b = n->branches; b; b = b->next) {
        bool take = b->is_else || expr_truthy(c, b->cond) != b->negate;
        if (failed(c, n))
            return;
        if (take) {
            render_body(c, b->body);
            return;
        }
    }
}

static bool is_method_literal(const struct lexpr *e)
{
    return e && (e->kind == LE_EMPTY || e->kind == LE_BLANK);
}

/* `when empty` asks the subject's empty?; nothing answers blank? (plain
 * Ruby). */
static bool literal_equal(const struct lexpr *lit, const struct value *v)
{
    if (lit->kind == LE_BLANK)
        return false;
    enum value_kind k = value_kind(v);
    return (k == VALUE_STRING || k == VALUE_ARRAY || k == VALUE_HASH) &&
           value_len(v) == 0;
}

/* How many of a when's values equal the subject: Liquid makes one block
 * of each value, all sharing the body, so `when a, b` renders twice when
 * both match. Jekyll makes a subject written `empty` or `blank` an object
 * no value equals. */
static size_t when_matches(struct lctx *c, const struct lnode *n,
                           const struct lbranch *b,
                           const struct value *subject)
{
    size_t count = 0;
    for (size_t i = 0; i < b->n_whens && !is_method_literal(n->expr); i++) {
        const struct lexpr *w = b->whens[i];
        struct value *v = expr_eval(c, w);
        count += is_method_literal(w) ? literal_equal(w, subject)
                                      : liquid_equal(subject, v);
        value_release(v);
    }
    return count;
}

/* Every matching when renders; else only when none before it did. */
static void render_case(struct lctx *c, const struct lnode *n)
{
    struct value *subject = n->expr ? expr_eval(c, n->expr) : NULL;
    bool matched = false;
    for (const struct lbranch *b = n->branches; b && !c->interrupt; b = b->next) {
        if (b->is_else) {
            if (!matched)
                render_body(c, b->body);
        } else {
            for (size_t k = when_matches(c, n, b, subject); k > 0; k--) {
                matched = true;
                render_body(c, b->body);
            }
        }
    }
    value_release(subject);
}

/* --- loops --- */

/* The items a loop walks: an array's slice, or a range's. */
struct segment {
    struct value *array; /* owned; NULL for a range */
    int64_t lo;          /* a range's first item */
    size_t from, count;
    bool reversed;
};

static struct value *segment_item(const struct segment *s, size_t k)
{
    size_t i = s->reversed ? s->count - 1 - k : k;
    if (!s->array)
        return value_int(s->lo + (int64_t)(s->from + i));
    return value_retain(value_array_at(s->array, s->from + i));
}

/* Liquid's slice_collection: hashes walk their pairs, a string is one
 * item, anything else none. */
static struct value *as_array(const struct value *v)
{
    enum value_kind k = value_kind(v);
    if (k == VALUE_ARRAY)
        return value_retain(v);
    struct value *arr = value_array();
    if (k == VALUE_HASH)
        for (size_t i = 0; i < value_len(v); i++) {
            size_t klen;
            const char *key = value_hash_key_at(v, i, &klen);
            struct value *pair = value_array();
            value_array_push(pair, value_string(key, klen));
            value_array_push(pair, value_retain(value_hash_value_at(v, i)));
            value_array_push(arr, pair);
        }
    else if ((k == VALUE_STRING || k == VALUE_DATE) && value_len(v))
        value_array_push(arr, value_retain(v));
    return arr;
}

static int64_t opt_integer(struct lctx *c, const struct lexpr *e, bool *given)
{
    struct value *v = e ? expr_eval(c, e) : NULL;
    *given = value_kind(v) != VALUE_NIL;
    int64_t i = liquid_to_integer(v);
    value_release(v);
    return i;
}

static void offsets_key(const struct lnode *n, struct buf *key)
{
    buf_printf(key, "for\x1f%.*s-%.*s", (int)n->name_len, n->name,
               (int)n->len, n->text);
}

static void collect_segment(struct lctx *c, const struct lnode *n,
                            struct segment *s)
{
    struct buf key = {0};
    offsets_key(n, &key);
    bool has_from, has_limit;
    int64_t from = n->offset_continue
                       ? value_int_of(value_hash_getn(c->registers, key.data, key.len))
                       : opt_integer(c, n->offset, &has_from);
    int64_t limit = opt_integer(c, n->limit, &has_limit), total;
    bool one_string = false;
    if (n->expr && n->expr->kind == LE_RANGE) {
        struct value *lo = expr_eval(c, n->expr->lhs), *hi = expr_eval(c, n->expr->rhs);
        s->lo = liquid_to_integer(lo);
        int64_t h = liquid_to_integer(hi);
        value_release(lo);
        value_release(hi);
        total = h >= s->lo ? h - s->lo + 1 : 0;
    } else {
        struct value *v = n->expr ? expr_eval(c, n->expr) : NULL;
        one_string = value_kind(v) == VALUE_STRING || value_kind(v) == VALUE_DATE;
        s->array = as_array(v);
        value_release(v);
        total = (int64_t)value_len(s->array);
    }
    if (from < 0)
        from = 0;
    /* a string is one item, whatever the offset and limit */
    if (one_string) {
        from = 0;
        has_limit = false;
    }
    int64_t to = has_limit ? (limit > INT64_MAX - from ? INT64_MAX : from + limit)
                           : total;
    if (to > total)
        to = total;
    s->from = (size_t)(from < total ? from : total);
    s->count = to > (int64_t)s->from ? (size_t)(to - (int64_t)s->from) : 0;
    s->reversed = n->reversed;
    value_hash_set(c->registers, key.data, key.len,
                   value_int((int64_t)(s->from + s->count)));
    buf_free(&key);
}

static struct value *forloop(size_t k, size_t len, const struct value *parent)
{
    struct value *h = value_hash();
    value_hash_set(h, "index", 5, value_int((int64_t)k + 1));
    value_hash_set(h, "index0", 6, value_int((int64_t)k));
    value_hash_set(h, "rindex", 6, value_int((int64_t)(len - k)));
    value_hash_set(h, "rindex0", 7, value_int((int64_t)(len - k - 1)));
    value_hash_set(h, "first", 5, value_bool(k == 0));
    value_hash_set(h, "last", 4, value_bool(k + 1 == len));
    value_hash_set(h, "length", 6, value_int((int64_t)len));
    value_hash_set(h, "parentloop", 10, value_retain(parent));
    return h;
}

/* The loop variable and forloop live in a scope of their own. */
static bool enter_loop(struct lctx *c, const struct lnode *n)
{
    if (c->n_scopes < LIQUID_MAX_SCOPES) {
        ctx_push_scope(c);
        return true;
    }
    ctx_error(c, n->line, true, "Nesting too deep");
    return false;
}

static void render_for(struct lctx *c, const struct lnode *n)
{
    struct segment s = {0};
    collect_segment(c, n, &s);
    if (failed(c, n) || !n->name) {
        value_release(s.array);
        return;
    }
    if (s.count == 0) {
        value_release(s.array);
        render_body(c, n->else_body);
        return;
    }
    struct value *parent = value_retain(ctx_lookup(c, "forloop", 7));
    if (enter_loop(c, n)) {
        for (size_t k = 0; k < s.count && iterate(c, n->line); k++) {
            ctx_set(c, false, "forloop", 7, forloop(k, s.count, parent));
            ctx_set(c, false, n->name, n->name_len, segment_item(&s, k));
            render_body(c, n->body);
            enum interrupt i = c->interrupt;
            c->interrupt = INT_NONE;
            if (i == INT_BREAK)
                break;
        }
        ctx_pop_scope(c);
    }
    value_release(parent);
    value_release(s.array);
}

static void put_cstr(struct lctx *c, const char *s, int line)
{
    ctx_put(c, s, strlen(s), line, false);
}

/* tablerow: <tr class="rowN"> rows of <td class="colN"> cells, `cols` a
 * row. */
static void render_tablerow(struct lctx *c, const struct lnode *n)
{
    struct segment s = {0};
    collect_segment(c, n, &s);
    bool has_cols;
    int64_t cols = opt_integer(c, n->cols, &has_cols);
    if (failed(c, n) || !n->name || !enter_loop(c, n)) {
        value_release(s.array);
        return;
    }
    char tag[64];
    put_cstr(c, "<tr class=\"row1\">\n", n->line);
    for (size_t k = 0; k < s.count && iterate(c, n->line); k++) {
        size_t col = has_cols && cols > 0 ? k % (size_t)cols : k;
        ctx_set(c, false, "tablerowloop", 12, forloop(k, s.count, NULL));
        ctx_set(c, false, n->name, n->name_len, segment_item(&s, k));
        snprintf(tag, sizeof tag, "<td class=\"col%zu\">", col + 1);
        put_cstr(c, tag, n->line);
        render_body(c, n->body);
        c->interrupt = INT_NONE;
        put_cstr(c, "</td>", n->line);
        if (has_cols && cols > 0 && col + 1 == (size_t)cols && k + 1 < s.count) {
            snprintf(tag, sizeof tag, "</tr>\n<tr class=\"row%zu\">",
                     k / (size_t)cols + 2);
            put_cstr(c, tag, n->line);
        }
    }
    put_cstr(c, "</tr>\n", n->line);
    ctx_pop_scope(c);
    value_release(s.array);
}

/* --- variables --- */

static void render_assign(struct lctx *c, const struct lnode *n)
{
    struct value *v = expr_eval_filtered(c, n->expr);
    if (failed(c, n)) {
        value_release(v);
        return;
    }
    ctx_set(c, true, n->name, n->name_len, v);
}

/* Renders a body into a string of its own. */
static struct value *render_to_value(struct lctx *c, const struct lnode *body)
{
    struct buf *saved = c->out, b = {0};
    c->out = &b;
    render_body(c, body);
    c->out = saved;
    struct value *v = value_string(b.data ? b.data : "", b.len);
    buf_free(&b);
    return v;
}

static void render_capture(struct lctx *c, const struct lnode *n)
{
    struct value *v = render_to_value(c, n->body);
    if (n->name)
        ctx_set(c, true, n->name, n->name_len, v);
    else
        value_release(v);
}

static void render_counter(struct lctx *c, const struct lnode *n)
{
    if (!n->name)
        return;
    int64_t v = value_int_of(value_hash_getn(c->counters, n->name, n->name_len));
    if (n->kind == LN_DECREMENT)
        v--;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
    value_hash_set(c->counters, n->name, n->name_len,
                   value_int(n->kind == LN_INCREMENT ? v + 1 : v));
    ctx_put(c, buf, (size_t)len, n->line, false);
}

static void render_cycle(struct lctx *c, const struct lnode *n)
{
    if (n->n_args == 0)
        return;
    struct buf key = {0};
    buf_puts(&key, "cycle\x1f");
    if (n->expr) {
        struct value *g = expr_eval(c, n->expr);
        value_to_string(g, &key);
        value_release(g);
    } else {
        buf_put(&key, n->text, n->len);
    }
    int64_t at = value_int_of(value_hash_getn(c->registers, key.data, key.len));
    struct value *v = expr_eval(c, n->args[(size_t)at % n->n_args]);
    value_hash_set(c->registers, key.data, key.len,
                   value_int((int64_t)(((size_t)at + 1) % n->n_args)));
    put_value(c, v, n->line);
    value_release(v);
    buf_free(&key);
}

static void render_ifchanged(struct lctx *c, const struct lnode *n)
{
    struct value *v = render_to_value(c, n->body);
    const struct value *last = value_hash_get(c->registers, "ifchanged");
    if (!last || !liquid_equal(last, v)) {
        put_value(c, v, n->line);
        value_hash_set(c->registers, "ifchanged", 9, v);
    } else {
        value_release(v);
    }
}

/* Jekyll's highlight, for a Markdown reader: a fenced code block of the
 * body without its leading and trailing newlines. */
static void render_highlight(struct lctx *c, const struct lnode *n)
{
    struct value *v = render_to_value(c, n->body);
    const char *s = value_text(v);
    size_t a = 0, b = value_len(v);
    int skipped = 0;
    while (a < b && (s[a] == '\n' || s[a] == '\r'))
        skipped += s[a++] == '\n';
    while (b > a && (s[b - 1] == '\n' || s[b - 1] == '\r'))
        b--;
    size_t lang = 0;
    while (lang < n->len && !liquid_is_space(n->text[lang]))
        lang++;
    put_cstr(c, "```", n->line);
    ctx_put(c, n->text, lang, n->line, false);
    put_cstr(c, "\n", n->line);
    ctx_put(c, s + a, b - a, n->line + skipped, true);
    put_cstr(c, "\n```", n->line + skipped);
    value_release(v);
}

/* A tag of a plugin: the hook's, or skipped with a warning (once). */
static void render_unknown(struct lctx *c, const struct lnode *n)
{
    const struct liquid_env *env = c->env;
    if (env && env->plugin_tag) {
        /* A plugin reads its markup after Liquid has expanded it, as
         * jekyll-scholar does ("-q @*[year={{y}}]*"). */
        struct buf args = {0}, b = {0};
        if (memmem(n->text, n->len, "{{", 2))
            liquid_render_markup(c, n->text, n->len, &args);
        else
            buf_put(&args, n->text, n->len);
        bool done = env->plugin_tag(env->plugin_ctx, n->name, n->name_len,
                                    args.data ? args.data : "", args.len, &b);
        if (done)
            ctx_put(c, b.data, b.len, n->line, false);
        buf_free(&b);
        buf_free(&args);
        if (done)
            return;
    }
    if (n->warned)
        return;
    ((struct lnode *)n)->warned = true;
    ctx_diag(c, DIAG_WARNING, n->line,
             "Liquid: unknown tag '%.*s' (a plugin's?) skipped%s",
             (int)n->name_len, n->name, n->is_block ? " with its body" : "");
}

static void render_node(struct lctx *c, const struct lnode *n)
{
    switch (n->kind) {
    case LN_TEXT: ctx_put(c, n->text, n->len, n->line, true); break;
    case LN_OUTPUT: render_output(c, n); break;
    case LN_IF: render_if(c, n); break;
    case LN_CASE: render_case(c, n); break;
    case LN_FOR: render_for(c, n); break;
    case LN_TABLEROW: render_tablerow(c, n); break;
    case LN_BREAK: c->interrupt = INT_BREAK; break;
    case LN_CONTINUE: c->interrupt = INT_CONTINUE; break;
    case LN_ASSIGN: render_assign(c, n); break;
    case LN_CAPTURE: render_capture(c, n); break;
    case LN_INCREMENT:
    case LN_DECREMENT: render_counter(c, n); break;
    case LN_CYCLE: render_cycle(c, n); break;
    case LN_IFCHANGED: render_ifchanged(c, n); break;
    case LN_HIGHLIGHT: render_highlight(c, n); break;
    case LN_INCLUDE: include_render(c, n); break;
    case LN_LINK:
    case LN_POST_URL: link_render(c, n); break;
    case LN_UNKNOWN: render_unknown(c, n); break;
    }
}

void render_body(struct lctx *c, const struct lnode *n)
{
    for (; n && !c->stopped && c->interrupt == INT_NONE; n = n->next) {
        if (!ctx_step(c, 1))
            break;
        int saved = c->cur_line;
        c->cur_line = n->line;
        render_node(c, n);
        c->failed = false;
        c->cur_line = saved;
    }
}
