/* Liquid expressions: literals, variables with their lookups
 * (a.b[0]["c"], size/first/last), ranges (1..n), conditions
 * (== != <> < > <= >= contains, and/or folded right to left as Liquid
 * does) and filter chains. Parsed leniently, as Liquid's lax mode reads
 * them (what cannot be read is skipped), and evaluated against the render
 * context's scopes. */
#include "internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- scanning --- */

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

void xscan_skip_space(struct xscan *x)
{
    while (x->p < x->end && liquid_is_space(*x->p))
        x->p++;
}

static bool peek(struct xscan *x, const char *s)
{
    size_t n = strlen(s);
    xscan_skip_space(x);
    return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

/* A word must end at a non-word character; punctuation anywhere. */
bool xscan_accept(struct xscan *x, const char *s)
{
    size_t n = strlen(s);
    if (!peek(x, s))
        return false;
    if (is_word(s[0]) && x->p + n < x->end && is_word(x->p[n]))
        return false;
    x->p += n;
    return true;
}

const char *xscan_word(struct xscan *x, size_t *n)
{
    xscan_skip_space(x);
    const char *a = x->p;
    while (x->p < x->end && is_word(*x->p))
        x->p++;
    if (x->p < x->end && *x->p == '?' && x->p > a)
        x->p++;
    *n = (size_t)(x->p - a);
    return *n ? a : NULL;
}

static struct lexpr *new_expr(struct xscan *x, enum lexpr_kind kind)
{
    struct lexpr *e = arena_alloc(x->arena, sizeof *e);
    e->kind = kind;
    return e;
}

static struct lexpr *literal(struct xscan *x, struct value *v)
{
    struct lexpr *e = new_expr(x, LE_LIT);
    e->lit = v;
    arena_keep(x->arena, v);
    return e;
}

/* --- operands --- */

static struct lexpr *parse_number(struct xscan *x)
{
    const char *a = x->p;
    if (*x->p == '-')
        x->p++;
    while (x->p < x->end && is_digit(*x->p))
        x->p++;
    bool fraction = false;
    while (x->p + 1 < x->end && x->p[0] == '.' && is_digit(x->p[1])) {
        fraction = true;
        x->p++;
        while (x->p < x->end && is_digit(*x->p))
            x->p++;
    }
    char buf[64];
    size_t n = (size_t)(x->p - a) < sizeof buf - 1 ? (size_t)(x->p - a)
                                                    : sizeof buf - 1;
    memcpy(buf, a, n);
    buf[n] = '\0';
    if (!fraction) {
        char *end;
        long long i = strtoll(buf, &end, 10);
        if (i != LLONG_MAX && i != LLONG_MIN)
            return literal(x, value_int(i));
    }
    return literal(x, value_float(strtod(buf, NULL)));
}

static struct lexpr *parse_string(struct xscan *x)
{
    char q = *x->p++;
    const char *a = x->p;
    const char *close = memchr(a, q, (size_t)(x->end - a));
    const char *b = close ? close : x->end;
    x->p = close ? close + 1 : x->end;
    return literal(x, value_string(a, (size_t)(b - a)));
}

static void add_lookup(struct xscan *x, struct lexpr *e, const char *key,
                       size_t len, struct lexpr *sub)
{
    struct lookup *l = arena_alloc(x->arena, (e->n_lookups + 1) * sizeof *l);
    if (e->n_lookups)
        memcpy(l, e->lookups, e->n_lookups * sizeof *l);
    l[e->n_lookups++] = (struct lookup){key, len, sub};
    e->lookups = l;
}

/* [expr] up to its "]" (lax: the rest when there is none). */
static struct lexpr *parse_bracket(struct xscan *x)
{
    x->p++;
    struct lexpr *sub = expr_parse_value(x);
    xscan_skip_space(x);
    while (x->p < x->end && *x->p != ']')
        x->p++;
    if (x->p < x->end)
        x->p++;
    return sub ? sub : literal(x, value_nil());
}

static void parse_lookups(struct xscan *x, struct lexpr *e)
{
    while (x->p < x->end) {
        if (*x->p == '[') {
            add_lookup(x, e, NULL, 0, parse_bracket(x));
        } else if (*x->p == '.' && x->p + 1 < x->end && x->p[1] != '.') {
            x->p++;
            const char *a = x->p;
            while (x->p < x->end && is_word(*x->p))
                x->p++;
            if (x->p < x->end && *x->p == '?')
                x->p++;
            if (x->p > a)
                add_lookup(x, e, a, (size_t)(x->p - a), NULL);
        } else {
            return;
        }
    }
}

static struct lexpr *parse_range(struct xscan *x)
{
    x->p++;
    struct lexpr *e = new_expr(x, LE_RANGE);
    e->lhs = expr_parse_value(x);
    xscan_accept(x, "..");
    e->rhs = expr_parse_value(x);
    xscan_accept(x, ")");
    if (!e->lhs)
        e->lhs = literal(x, value_nil());
    if (!e->rhs)
        e->rhs = literal(x, value_nil());
    return e;
}

static struct lexpr *keyword(struct xscan *x, const char *w, size_t n)
{
    if ((n == 3 && memcmp(w, "nil", 3) == 0) ||
        (n == 4 && memcmp(w, "null", 4) == 0))
        return literal(x, value_nil());
    if (n == 4 && memcmp(w, "true", 4) == 0)
        return literal(x, value_bool(true));
    if (n == 5 && memcmp(w, "false", 5) == 0)
        return literal(x, value_bool(false));
    if (n == 5 && memcmp(w, "empty", 5) == 0)
        return new_expr(x, LE_EMPTY);
    if (n == 5 && memcmp(w, "blank", 5) == 0)
        return new_expr(x, LE_BLANK);
    return NULL;
}

struct lexpr *expr_parse_value(struct xscan *x)
{
    xscan_skip_space(x);
    if (x->p >= x->end)
        return NULL;
    char c = *x->p;
    if (c == '"' || c == '\'')
        return parse_string(x);
    if (c == '(')
        return parse_range(x);
    if (is_digit(c) || (c == '-' && x->p + 1 < x->end && is_digit(x->p[1])))
        return parse_number(x);
    struct lexpr *e;
    if (c == '[') {
        e = new_expr(x, LE_VAR);
        e->root_expr = parse_bracket(x);
    } else if (is_word(c)) {
        size_t n;
        const char *w = xscan_word(x, &n);
        bool more = x->p < x->end && (*x->p == '.' || *x->p == '[');
        if (!more && (e = keyword(x, w, n)))
            return e;
        e = new_expr(x, LE_VAR);
        e->name = w;
        e->name_len = n;
    } else {
        return NULL;
    }
    parse_lookups(x, e);
    return e;
}

/* --- conditions --- */

static const struct {
    const char *text;
    enum lcmp op;
} operators[] = {
    {"==", CMP_EQ}, {"!=", CMP_NE}, {"<>", CMP_NE}, {"<=", CMP_LE},
    {">=", CMP_GE}, {"<", CMP_LT},  {">", CMP_GT},  {"contains", CMP_CONTAINS},
};

static bool is_op_char(char c)
{
    return c == '=' || c == '!' || c == '<' || c == '>' ||
           (c >= 'a' && c <= 'z') || c == '_';
}

/* Liquid's operator: ([=!<>a-z_]+); one it does not know is an error when
 * evaluated ("Unknown operator x"). */
static bool parse_operator(struct xscan *x, struct lexpr *e)
{
    xscan_skip_space(x);
    const char *a = x->p;
    while (x->p < x->end && is_op_char(*x->p))
        x->p++;
    size_t n = (size_t)(x->p - a);
    if (n == 0 || (n == 3 && memcmp(a, "and", 3) == 0) ||
        (n == 2 && memcmp(a, "or", 2) == 0)) {
        x->p = a;
        return false;
    }
    e->op = CMP_UNKNOWN;
    e->op_text = a;
    e->op_len = n;
    for (size_t i = 0; i < sizeof operators / sizeof *operators; i++)
        if (strlen(operators[i].text) == n &&
            memcmp(operators[i].text, a, n) == 0)
            e->op = operators[i].op;
    return true;
}

static struct lexpr *parse_comparison(struct xscan *x)
{
    struct lexpr *lhs = expr_parse_value(x);
    if (!lhs)
        lhs = literal(x, value_nil());
    struct lexpr *e = new_expr(x, LE_CMP);
    if (!parse_operator(x, e))
        return lhs;
    e->lhs = lhs;
    e->rhs = expr_parse_value(x);
    if (!e->rhs)
        e->rhs = literal(x, value_nil());
    return e;
}

/* Liquid reads `a and b or c` as `a and (b or c)`. */
struct lexpr *expr_parse_condition(struct xscan *x)
{
    struct lexpr *left = parse_comparison(x);
    bool is_and = xscan_accept(x, "and");
    if (!is_and && !xscan_accept(x, "or"))
        return left;
    struct lexpr *e = new_expr(x, is_and ? LE_AND : LE_OR);
    e->lhs = left;
    e->rhs = expr_parse_condition(x);
    return e;
}

/* --- filter chains --- */

static void add_arg(struct xscan *x, struct lfilter *f, const char *kw,
                    size_t kw_len, struct lexpr *v)
{
    if (kw) {
        const char **names = arena_alloc(x->arena, (f->n_kw + 1) * sizeof *names);
        size_t *lens = arena_alloc(x->arena, (f->n_kw + 1) * sizeof *lens);
        struct lexpr **vals = arena_alloc(x->arena, (f->n_kw + 1) * sizeof *vals);
        if (f->n_kw) {
            memcpy(names, f->kw_names, f->n_kw * sizeof *names);
            memcpy(lens, f->kw_lens, f->n_kw * sizeof *lens);
            memcpy(vals, f->kw_vals, f->n_kw * sizeof *vals);
        }
        names[f->n_kw] = kw;
        lens[f->n_kw] = kw_len;
        vals[f->n_kw++] = v;
        f->kw_names = names;
        f->kw_lens = lens;
        f->kw_vals = vals;
        return;
    }
    struct lexpr **args = arena_alloc(x->arena, (f->n_args + 1) * sizeof *args);
    if (f->n_args)
        memcpy(args, f->args, f->n_args * sizeof *args);
    args[f->n_args++] = v;
    f->args = args;
}

/* `name: value` is a keyword argument, anything else a positional one. */
static void parse_argument(struct xscan *x, struct lfilter *f)
{
    xscan_skip_space(x);
    const char *save = x->p;
    size_t n;
    const char *w = xscan_word(x, &n);
    if (w && x->p < x->end && *x->p == ':') {
        x->p++;
        struct lexpr *v = expr_parse_value(x);
        add_arg(x, f, w, n, v ? v : literal(x, value_nil()));
        return;
    }
    x->p = save;
    struct lexpr *v = expr_parse_value(x);
    add_arg(x, f, NULL, 0, v ? v : literal(x, value_nil()));
}

/* Lax: whatever a filter's arguments leave unread up to the next "|". */
static void skip_to_pipe(struct xscan *x)
{
    char quote = 0;
    for (; x->p < x->end; x->p++) {
        char ch = *x->p;
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '|') {
            return;
        }
    }
}

static void parse_filter(struct xscan *x, struct lexpr *e)
{
    size_t n;
    const char *name = xscan_word(x, &n);
    if (!name) {
        skip_to_pipe(x);
        return;
    }
    struct lfilter *fs = arena_alloc(x->arena, (e->n_filters + 1) * sizeof *fs);
    if (e->n_filters)
        memcpy(fs, e->filters, e->n_filters * sizeof *fs);
    struct lfilter *f = &fs[e->n_filters++];
    e->filters = fs;
    f->name = name;
    f->name_len = n;
    f->fn = liquid_filter_find(name, n);
    if (xscan_accept(x, ":")) {
        do
            parse_argument(x, f);
        while (xscan_accept(x, ","));
    }
    skip_to_pipe(x);
}

/* The filters hang on an LE_VAR/LE_LIT node of their own: a wrapper keeps
 * the operand's own node shareable. */
struct lexpr *expr_parse_filtered(struct xscan *x)
{
    struct lexpr *v = expr_parse_value(x);
    if (!v)
        v = literal(x, value_nil());
    struct lexpr *e = new_expr(x, v->kind);
    *e = *v;
    skip_to_pipe(x);
    while (x->p < x->end && *x->p == '|') {
        x->p++;
        parse_filter(x, e);
    }
    return e;
}

/* --- evaluation --- */

const struct value *ctx_lookup(struct lctx *c, const char *name, size_t len)
{
    for (size_t i = c->n_scopes; i-- > 0;) {
        const struct value *v = value_hash_getn(c->scopes[i], name, len);
        if (v)
            return v;
    }
    const struct value *v = value_hash_getn(c->counters, name, len);
    return v ? v : value_hash_getn(c->globals, name, len);
}

/* Ruby's String#size: characters, not bytes. */
static size_t utf8_chars(const struct value *v)
{
    size_t n = 0;
    const char *s = value_text(v);
    for (size_t i = 0; i < value_len(v); i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static bool is_named(const struct lookup *l, const char *name)
{
    return !l->expr && l->len == strlen(name) && memcmp(l->key, name, l->len) == 0;
}

static struct value *pair_of(const struct value *hash, size_t i)
{
    size_t klen;
    const char *k = value_hash_key_at(hash, i, &klen);
    struct value *pair = value_array();
    value_array_push(pair, value_string(k, klen));
    value_array_push(pair, value_retain(value_hash_value_at(hash, i)));
    return pair;
}

/* size, first and last: Liquid's commands, when no key of that name
 * answers first. */
static struct value *command(const struct value *v, const struct lookup *l)
{
    enum value_kind k = value_kind(v);
    if (is_named(l, "size")) {
        if (k == VALUE_ARRAY || k == VALUE_HASH)
            return value_int((int64_t)value_len(v));
        if (k == VALUE_STRING || k == VALUE_DATE)
            return value_int((int64_t)utf8_chars(v));
        if (k == VALUE_INT || k == VALUE_FLOAT)
            return value_int(8); /* Ruby's Integer#size */
        return NULL;
    }
    bool first = is_named(l, "first");
    if (!first && !is_named(l, "last"))
        return NULL;
    size_t n = value_len(v);
    if (k == VALUE_ARRAY && n)
        return value_retain(value_array_at(v, first ? 0 : n - 1));
    if (k == VALUE_HASH && n && first)
        return pair_of(v, 0);
    return NULL;
}

static struct value *index_array(const struct value *v, const struct value *key)
{
    if (value_kind(key) != VALUE_INT)
        return NULL;
    int64_t i = value_int_of(key), n = (int64_t)value_len(v);
    if (i < 0)
        i += n;
    return i >= 0 && i < n ? value_retain(value_array_at(v, (size_t)i)) : NULL;
}

/* One step below v: a key of a hash, an index of an array, a command. */
static struct value *step(struct lctx *c, const struct value *v,
                          const struct lookup *l)
{
    struct value *key = l->expr ? expr_eval(c, l->expr) : NULL;
    struct value *got = NULL;
    if (value_kind(v) == VALUE_HASH) {
        const char *k = l->expr ? value_text(key) : l->key;
        size_t klen = l->expr ? value_len(key) : l->len;
        if (k)
            got = value_retain(value_hash_getn(v, k, klen));
    } else if (value_kind(v) == VALUE_ARRAY && l->expr) {
        got = index_array(v, key);
    }
    if (!got && !l->expr)
        got = command(v, l);
    value_release(key);
    return got;
}

static struct value *eval_var(struct lctx *c, const struct lexpr *e)
{
    struct value *cur;
    if (e->root_expr) {
        struct value *name = expr_eval(c, e->root_expr);
        const char *t = value_text(name);
        cur = t ? value_retain(ctx_lookup(c, t, value_len(name))) : NULL;
        value_release(name);
    } else {
        cur = value_retain(ctx_lookup(c, e->name, e->name_len));
    }
    for (size_t i = 0; i < e->n_lookups && cur; i++) {
        struct value *next = step(c, cur, &e->lookups[i]);
        value_release(cur);
        cur = next;
    }
    return cur;
}

int64_t liquid_to_integer(const struct value *v)
{
    switch (value_kind(v)) {
    case VALUE_INT:
        return value_int_of(v);
    case VALUE_FLOAT: {
        double d = value_float_of(v);
        return d != d ? 0 : d > 9e18 ? INT64_MAX : d < -9e18 ? INT64_MIN : (int64_t)d;
    }
    case VALUE_STRING:
        return strtoll(value_text(v), NULL, 10);
    default:
        return 0;
    }
}

/* A range as an array (for filters and lookups), capped by the
 * iteration limit. */
static struct value *eval_range(struct lctx *c, const struct lexpr *e)
{
    struct value *lo = expr_eval(c, e->lhs), *hi = expr_eval(c, e->rhs);
    int64_t a = liquid_to_integer(lo), b = liquid_to_integer(hi);
    value_release(lo);
    value_release(hi);
    struct value *arr = value_array();
    for (int64_t i = a; i <= b; i++) {
        if (!ctx_step(c, 1))
            break;
        value_array_push(arr, value_int(i));
    }
    return arr;
}

static const char *ruby_class(const struct value *v)
{
    switch (value_kind(v)) {
    case VALUE_INT: return "Integer";
    case VALUE_FLOAT: return "Float";
    case VALUE_STRING: return "String";
    case VALUE_DATE: return "Time";
    case VALUE_ARRAY: return "Array";
    case VALUE_HASH: return "Hash";
    case VALUE_BOOL: return value_bool_of(v) ? "TrueClass" : "FalseClass";
    default: return "NilClass";
    }
}

/* What Ruby names the right side in "comparison of A with B failed":
 * small immediates by their inspect, others by class. */
static void right_name(const struct value *v, char *out, size_t n)
{
    enum value_kind k = value_kind(v);
    if (k == VALUE_INT || k == VALUE_FLOAT || k == VALUE_BOOL)
        snprintf(out, n, "%s", value_text(v));
    else if (k == VALUE_NIL)
        snprintf(out, n, "nil");
    else
        snprintf(out, n, "%s", ruby_class(v));
}

static bool orders(const struct value *v)
{
    enum value_kind k = value_kind(v);
    return k == VALUE_INT || k == VALUE_FLOAT || k == VALUE_STRING ||
           k == VALUE_DATE;
}

static bool ordered(struct lctx *c, enum lcmp op, const struct value *l,
                    const struct value *r)
{
    if (!orders(l) || !orders(r))
        return false;
    bool ok;
    int d = liquid_compare(l, r, &ok);
    if (!ok) {
        char rn[64];
        right_name(r, rn, sizeof rn);
        ctx_fail(c, "comparison of %s with %s failed", ruby_class(l), rn);
        return false;
    }
    return op == CMP_LT ? d < 0 : op == CMP_GT ? d > 0 : op == CMP_LE ? d <= 0
                                                                      : d >= 0;
}

/* empty and blank: `x == empty` asks x.empty?; Ruby has no blank?. */
static bool method_literal(const struct lexpr *lit, const struct value *v)
{
    if (lit->kind == LE_BLANK)
        return false;
    enum value_kind k = value_kind(v);
    return (k == VALUE_STRING || k == VALUE_ARRAY || k == VALUE_HASH) &&
           value_len(v) == 0;
}

static bool equal(const struct lexpr *e, const struct value *l,
                  const struct value *r)
{
    if (e->lhs->kind == LE_EMPTY || e->lhs->kind == LE_BLANK)
        return method_literal(e->lhs, r);
    if (e->rhs->kind == LE_EMPTY || e->rhs->kind == LE_BLANK)
        return method_literal(e->rhs, l);
    return liquid_equal(l, r);
}

static bool contains(const struct value *l, const struct value *r)
{
    if (!value_truthy(l) || !value_truthy(r))
        return false;
    if (value_kind(l) == VALUE_HASH)
        return value_text(r) && value_hash_getn(l, value_text(r), value_len(r));
    if (value_kind(l) == VALUE_STRING && !value_text(r)) {
        struct buf b = {0};
        value_to_string(r, &b);
        struct value *s = value_string(b.data ? b.data : "", b.len);
        bool found = liquid_contains(l, s);
        value_release(s);
        buf_free(&b);
        return found;
    }
    return liquid_contains(l, r);
}

static bool compare(struct lctx *c, const struct lexpr *e)
{
    if (e->op == CMP_UNKNOWN) {
        ctx_fail(c, "Unknown operator %.*s", (int)(e->op_len > 60 ? 60 : e->op_len),
                 e->op_text);
        return false;
    }
    struct value *l = expr_eval(c, e->lhs), *r = expr_eval(c, e->rhs);
    bool res;
    if (e->op == CMP_EQ || e->op == CMP_NE)
        res = equal(e, l, r) == (e->op == CMP_EQ);
    else if (e->op == CMP_CONTAINS)
        res = contains(l, r);
    else
        res = ordered(c, e->op, l, r);
    value_release(l);
    value_release(r);
    return res;
}

bool expr_truthy(struct lctx *c, const struct lexpr *e)
{
    if (!e)
        return false;
    switch (e->kind) {
    case LE_CMP:
        return compare(c, e);
    case LE_AND:
        return expr_truthy(c, e->lhs) && expr_truthy(c, e->rhs);
    case LE_OR:
        return expr_truthy(c, e->lhs) || expr_truthy(c, e->rhs);
    case LE_EMPTY:
    case LE_BLANK:
        return true;
    default: {
        struct value *v = expr_eval(c, e);
        bool t = value_truthy(v);
        value_release(v);
        return t;
    }
    }
}

struct value *expr_eval(struct lctx *c, const struct lexpr *e)
{
    if (!e)
        return NULL;
    switch (e->kind) {
    case LE_LIT:
        return value_retain(e->lit);
    case LE_EMPTY:
    case LE_BLANK:
        return value_string("", 0);
    case LE_VAR:
        return eval_var(c, e);
    case LE_RANGE:
        return eval_range(c, e);
    default:
        return value_bool(expr_truthy(c, e));
    }
}

/* --- filters --- */

/* where_exp and group_by_exp: EXPR with NAME bound to ITEM. The last
 * expression parsed is kept, as a filter asks the same for every item. */
static struct value *eval_callback(void *interp, const char *name,
                                   size_t name_len, const struct value *item,
                                   const char *expr, size_t expr_len)
{
    struct lctx *c = interp;
    if (!c->exp || c->exp_text != expr || c->exp_len != expr_len) {
        arena_free(&c->exp_arena);
        struct xscan x = {expr, expr + expr_len, &c->exp_arena};
        c->exp = expr_parse_condition(&x);
        xscan_skip_space(&x);
        if (x.p < x.end && *x.p == '|') {
            x.p = expr;
            c->exp = expr_parse_filtered(&x);
        }
        c->exp_text = expr;
        c->exp_len = expr_len;
    }
    if (c->n_scopes >= LIQUID_MAX_SCOPES)
        return value_nil();
    ctx_push_scope(c);
    ctx_set(c, false, name, name_len, value_retain(item));
    struct value *v = c->exp->n_filters ? expr_eval_filtered(c, c->exp)
                                        : expr_eval(c, c->exp);
    ctx_pop_scope(c);
    return v ? v : value_nil();
}

static struct value *keyword_args(struct lctx *c, const struct lfilter *f)
{
    if (!f->n_kw)
        return NULL;
    struct value *h = value_hash();
    for (size_t i = 0; i < f->n_kw; i++)
        value_hash_set(h, f->kw_names[i], f->kw_lens[i],
                       expr_eval(c, f->kw_vals[i]));
    return h;
}

static struct value *apply(struct lctx *c, struct lfilter *f,
                           struct value *input)
{
    if (!f->fn) {
        if (!f->warned)
            ctx_diag(c, DIAG_WARNING, c->cur_line,
                     "Liquid: unknown filter '%.*s': its input is kept",
                     (int)f->name_len, f->name);
        f->warned = true;
        return input;
    }
    struct value *stack_args[8];
    struct value **args = f->n_args <= 8 ? stack_args
                                         : xmalloc(f->n_args * sizeof *args);
    for (size_t i = 0; i < f->n_args; i++)
        args[i] = expr_eval(c, f->args[i]);
    struct value *kw = keyword_args(c, f);
    struct liquid_filter_env env = {
        .site = ctx_lookup(c, "site", 4), .kwargs = kw,
        .eval = eval_callback, .interp = c};
    struct value *out = f->fn(input, (const struct value *const *)args,
                              f->n_args, &env);
    if (env.error)
        ctx_fail(c, "%s", env.error);
    for (size_t i = 0; i < f->n_args; i++)
        value_release(args[i]);
    if (args != stack_args)
        free(args);
    value_release(kw);
    value_release(input);
    return out;
}

/* A value larger than the output cap would only be cut later: it stops
 * here, before a loop can double it again. */
static bool too_large(struct lctx *c, const struct value *v)
{
    if (value_len(v) <= c->max_output)
        return false;
    ctx_diag(c, DIAG_WARNING, c->cur_line,
             "Liquid: a value grew past %zu bytes: the page stops here",
             c->max_output);
    c->stopped = true;
    return true;
}

struct value *expr_eval_filtered(struct lctx *c, const struct lexpr *e)
{
    struct value *v = expr_eval(c, e);
    for (size_t i = 0; i < e->n_filters && !c->stopped; i++) {
        if (!ctx_step(c, 1 + value_len(v) / 16))
            break;
        v = apply(c, (struct lfilter *)&e->filters[i], v);
        if (too_large(c, v)) {
            value_release(v);
            return NULL;
        }
    }
    return v;
}
