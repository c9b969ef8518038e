/* A test driver for the filters alone, independent of the Liquid
 * interpreter: renders a page whose Liquid is only {{ expr | filter: args }}
 * outputs and {% assign name = expr | filters %}, with the page's front
 * matter as variables (and as `page`) and `site` from a YAML file, so the
 * filter differential tests can put the same page through Ruby and through
 * liquid_filter_find.
 *
 *   filter_eval [--site CONFIG.yml] PAGE [DATA.yml]
 *
 * DATA.yml, when given, holds the variables instead of front matter (the
 * tests/liquid/cases/NAME.liquid + NAME.yml layout).
 * Expressions: 'strings', "strings", integers, floats, true, false, nil,
 * variable paths (a.b, a[0]). where_exp, find_exp and group_by_exp get a
 * condition evaluator: operands joined by == != < > <= >= contains, and
 * `and`/`or` (right to left, as Liquid groups them). */
#include "../../src/liquid/filter.h"

#include "capsuled/buf.h"
#include "capsuled/value.h"
#include "capsuled/value_yaml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static struct value *scope; /* a hash: the page's variables */
static struct value *site;

static struct value *load_yaml(const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct value *v = NULL;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (yaml_parser_load(&parser, &doc)) {
        v = value_from_yaml(&doc);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return v ? v : value_hash();
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    if (!f) {
        perror(path);
        exit(2);
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* --- expressions --- */

struct cursor {
    const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '?';
}

/* A literal or a variable path, as a new reference. */
static struct value *operand(struct cursor *c, const struct value *vars)
{
    skip_ws(c);
    if (c->p < c->end && (*c->p == '"' || *c->p == '\'')) {
        char q = *c->p++;
        const char *start = c->p;
        while (c->p < c->end && *c->p != q)
            c->p++;
        struct value *v = value_string(start, (size_t)(c->p - start));
        if (c->p < c->end)
            c->p++;
        return v;
    }
    const char *start = c->p;
    while (c->p < c->end && (ident_char(*c->p) || *c->p == '.' ||
                             *c->p == '[' || *c->p == ']'))
        c->p++;
    char *tok = strndup(start, (size_t)(c->p - start));
    char *endp;
    struct value *v;
    if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0)
        v = value_bool(tok[0] == 't');
    else if (strcmp(tok, "nil") == 0 || strcmp(tok, "null") == 0 || !*tok)
        v = value_nil();
    else if ((isdigit((unsigned char)tok[0]) || tok[0] == '-') &&
             (strtoll(tok, &endp, 10), *endp == '\0'))
        v = value_int(strtoll(tok, NULL, 10));
    else if ((isdigit((unsigned char)tok[0]) || tok[0] == '-') &&
             (strtod(tok, &endp), *endp == '\0'))
        v = value_float(strtod(tok, NULL));
    else
        v = value_retain(value_path_get(vars, tok));
    free(tok);
    return v ? v : value_nil();
}

static struct value *eval_filtered(struct cursor *c, const struct value *vars,
                                   const char **error);

/* The interpreter's callback for where_exp and friends. */
static struct value *eval_cb(void *interp, const char *name, size_t name_len,
                             const struct value *item, const char *expr,
                             size_t expr_len);

static bool compare_op(const char *op, const struct value *a,
                       const struct value *b)
{
    bool ok;
    if (strcmp(op, "==") == 0) return liquid_equal(a, b);
    if (strcmp(op, "!=") == 0) return !liquid_equal(a, b);
    if (strcmp(op, "contains") == 0) return liquid_contains(a, b);
    int r = liquid_compare(a, b, &ok);
    if (!ok) return false;
    if (strcmp(op, "<") == 0) return r < 0;
    if (strcmp(op, ">") == 0) return r > 0;
    if (strcmp(op, "<=") == 0) return r <= 0;
    return r >= 0;
}

/* One comparison, or an operand's truth when no operator follows. */
static bool condition(struct cursor *c, const struct value *vars)
{
    struct value *a = operand(c, vars);
    skip_ws(c);
    static const char *ops[] = {"==", "!=", "<=", ">=", "<", ">", "contains"};
    for (size_t i = 0; i < 7; i++) {
        size_t n = strlen(ops[i]);
        if ((size_t)(c->end - c->p) >= n && strncmp(c->p, ops[i], n) == 0) {
            c->p += n;
            struct value *b = operand(c, vars);
            bool r = compare_op(ops[i], a, b);
            value_release(a), value_release(b);
            return r;
        }
    }
    bool r = value_truthy(a);
    value_release(a);
    return r;
}

static bool conditions(struct cursor *c, const struct value *vars)
{
    bool left = condition(c, vars);
    skip_ws(c);
    if (c->end - c->p >= 3 && strncmp(c->p, "and", 3) == 0) {
        c->p += 3;
        bool right = conditions(c, vars);
        return left && right;
    }
    if (c->end - c->p >= 2 && strncmp(c->p, "or", 2) == 0) {
        c->p += 2;
        bool right = conditions(c, vars);
        return left || right;
    }
    return left;
}

/* Arguments after "name:", positional and keyword, up to '|' or the end. */
static size_t read_args(struct cursor *c, const struct value *vars,
                        struct value **args, struct value *kwargs)
{
    size_t n = 0;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':')
        return 0;
    c->p++;
    while (n < 8) {
        skip_ws(c);
        const char *start = c->p;
        while (c->p < c->end && ident_char(*c->p))
            c->p++;
        if (c->p > start && c->p < c->end && *c->p == ':') {
            size_t klen = (size_t)(c->p - start);
            c->p++;
            value_hash_set(kwargs, start, klen, operand(c, vars));
        } else {
            c->p = start;
            args[n++] = operand(c, vars);
        }
        skip_ws(c);
        if (c->p >= c->end || *c->p != ',')
            break;
        c->p++;
    }
    return n;
}

static struct value *apply_filter(struct value *v, struct cursor *c,
                                  const struct value *vars, const char **error)
{
    skip_ws(c);
    const char *start = c->p;
    while (c->p < c->end && ident_char(*c->p))
        c->p++;
    size_t len = (size_t)(c->p - start);
    struct value *args[8], *kwargs = value_hash();
    size_t n = read_args(c, vars, args, kwargs);
    liquid_filter_fn fn = liquid_filter_find(start, len);
    struct liquid_filter_env env = {site, value_len(kwargs) ? kwargs : NULL,
                                    eval_cb, (void *)vars, NULL};
    struct value *r = fn ? fn(v, (const struct value *const *)args, n, &env)
                         : value_retain(v);
    if (!fn)
        fprintf(stderr, "unknown filter %.*s\n", (int)len, start);
    if (env.error && !*error)
        *error = env.error;
    for (size_t i = 0; i < n; i++)
        value_release(args[i]);
    value_release(kwargs);
    value_release(v);
    return r;
}

static struct value *eval_filtered(struct cursor *c, const struct value *vars,
                                   const char **error)
{
    struct value *v = operand(c, vars);
    skip_ws(c);
    while (c->p < c->end && *c->p == '|') {
        c->p++;
        v = apply_filter(v, c, vars, error);
        skip_ws(c);
    }
    return v;
}

static struct value *eval_cb(void *interp, const char *name, size_t name_len,
                             const struct value *item, const char *expr,
                             size_t expr_len)
{
    const struct value *outer = interp;
    struct value *vars = value_hash();
    value_hash_merge(vars, outer);
    value_hash_set(vars, name, name_len, value_retain(item));
    struct cursor c = {expr, expr + expr_len};
    struct value *r;
    const char *err = NULL;
    /* A condition when an operator follows the first operand; otherwise
     * an expression (group_by_exp's "item.year | plus: 1"). */
    const char *q = expr;
    bool is_cond = strstr(expr, "==") || strstr(expr, "!=") || strchr(expr, '<') ||
                   strchr(expr, '>') || strstr(expr, " contains ") ||
                   strstr(expr, " and ") || strstr(expr, " or ");
    (void)q;
    if (is_cond)
        r = value_bool(conditions(&c, vars));
    else
        r = eval_filtered(&c, vars, &err);
    value_release(vars);
    return r;
}

/* --- the page --- */

static void render(const char *s, size_t len, struct buf *out)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *open = strstr(p, "{{"), *tag = strstr(p, "{%");
        if (tag && (!open || tag < open))
            open = tag;
        if (!open || open >= end) {
            buf_put(out, p, (size_t)(end - p));
            return;
        }
        buf_put(out, p, (size_t)(open - p));
        const char *close = strstr(open + 2, open[1] == '{' ? "}}" : "%}");
        if (!close)
            close = end;
        struct cursor c = {open + 2, close};
        const char *error = NULL;
        if (open[1] == '%') {
            skip_ws(&c);
            c.p += 6; /* "assign" */
            skip_ws(&c);
            const char *name = c.p;
            while (c.p < c.end && ident_char(*c.p))
                c.p++;
            size_t nlen = (size_t)(c.p - name);
            skip_ws(&c);
            c.p++; /* '=' */
            value_hash_set(scope, name, nlen, eval_filtered(&c, scope, &error));
        } else {
            struct value *v = eval_filtered(&c, scope, &error);
            if (error)
                buf_printf(out, "Liquid error: %s", error);
            else
                value_to_string(v, out);
            value_release(v);
        }
        p = close + 2 <= end ? close + 2 : end;
    }
}

int main(int argc, char **argv)
{
    size_t len;
    int i = 1;
    site = value_hash();
    if (argc > 3 && strcmp(argv[1], "--site") == 0) {
        char *cfg = read_file(argv[2], &len);
        value_release(site);
        site = load_yaml(cfg, len);
        free(cfg);
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: filter_eval [--site CONFIG.yml] PAGE [DATA.yml]\n");
        return 2;
    }
    char *text = read_file(argv[i], &len);
    const char *body = text;
    scope = value_hash();
    if (strncmp(text, "---\n", 4) == 0) {
        const char *fm_end = strstr(text + 4, "\n---\n");
        if (fm_end) {
            struct value *fm = load_yaml(text + 4, (size_t)(fm_end - text - 3));
            value_hash_merge(scope, fm);
            value_hash_set(scope, "page", 4, fm);
            body = fm_end + 5;
        }
    }
    if (i + 1 < argc) {
        size_t dlen;
        char *data = read_file(argv[i + 1], &dlen);
        struct value *vars = load_yaml(data, dlen);
        value_hash_merge(scope, vars);
        value_release(vars);
        free(data);
    }
    value_hash_set(scope, "site", 4, value_retain(site));
    struct buf out = {0};
    render(body, len - (size_t)(body - text), &out);
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    buf_free(&out);
    value_release(scope);
    value_release(site);
    free(text);
    return 0;
}
