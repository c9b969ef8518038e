/* The Liquid tree: tokens paired into blocks, then parsed into nodes.
 *
 * A first pass pairs each block opener with its end tag (a stack, as
 * deep as Liquid allows nesting); an opener left without one is reported
 * ("'if' tag was never closed", as Liquid says) and dropped, so its body
 * stays part of the page instead of eating the rest of it. A tag Liquid
 * and Jekyll do not know (a plugin's) becomes an LN_UNKNOWN node, with its
 * body skipped when an end tag for it follows. Blocks whose bodies print
 * nothing but whitespace lose that whitespace, as Liquid's blank blocks
 * do. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 100
#define MAX_END_NAMES 64

struct parser {
    const char *s;
    const struct ltoks *ts;
    size_t *partner;  /* opener <-> closer; (size_t)-1: none */
    size_t i;
    struct arena *arena;
    const struct lparse_report *rep;
    /* names X with an "endX" tag somewhere: unknown tags that are blocks */
    const char *end_names[MAX_END_NAMES];
    size_t end_lens[MAX_END_NAMES];
    size_t n_end_names;
    int depth;
};

#define NONE ((size_t)-1)

static void report(struct parser *p, int line, enum diag_level level,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(struct parser *p, int line, enum diag_level level,
                   const char *fmt, ...)
{
    if (!p->rep || !p->rep->diags)
        return;
    struct buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    int first = p->rep->first_line > 0 ? p->rep->first_line : 1;
    diags_add(p->rep->diags, level, p->rep->file, first + line - 1, "%s",
              msg.data ? msg.data : "");
    buf_free(&msg);
}

static const char *const block_tags[] = {
    "if", "unless", "case", "for", "capture", "comment", "tablerow",
    "ifchanged", "highlight",
};

static const char *const known_tags[] = {
    "if", "unless", "case", "for", "capture", "comment", "tablerow",
    "ifchanged", "highlight", "elsif", "else", "when", "break", "continue",
    "assign", "increment", "decrement", "cycle", "include",
    "include_relative", "include_cached", "link", "post_url", "echo",
    "liquid", "#", "raw",
};

static bool name_in(const char *s, size_t n, const char *const *list,
                    size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return true;
    return false;
}

#define IN(list, s, n) name_in(s, n, list, sizeof list / sizeof *list)

static const char *tok_name(const struct parser *p, const struct ltok *t,
                            size_t *n)
{
    *n = t->name_b - t->name_a;
    return p->s + t->name_a;
}

static bool is_end_name(const struct parser *p, const char *s, size_t n)
{
    for (size_t i = 0; i < p->n_end_names; i++)
        if (p->end_lens[i] == n && memcmp(p->end_names[i], s, n) == 0)
            return true;
    return false;
}

static void collect_end_names(struct parser *p)
{
    for (size_t i = 0; i < p->ts->n; i++) {
        const struct ltok *t = &p->ts->items[i];
        size_t n;
        const char *name = tok_name(p, t, &n);
        if (t->kind != LT_TAG || n <= 3 || memcmp(name, "end", 3) != 0 ||
            is_end_name(p, name + 3, n - 3) || p->n_end_names == MAX_END_NAMES)
            continue;
        p->end_names[p->n_end_names] = name + 3;
        p->end_lens[p->n_end_names++] = n - 3;
    }
}

static bool opens_block(const struct parser *p, const char *name, size_t n)
{
    if (IN(block_tags, name, n))
        return true;
    return !IN(known_tags, name, n) && is_end_name(p, name, n);
}

static void close_block(struct parser *p, size_t *stack, size_t *depth,
                        size_t closer)
{
    size_t n;
    const char *name = tok_name(p, &p->ts->items[closer], &n);
    for (size_t k = *depth; k-- > 0;) {
        size_t on;
        const char *oname = tok_name(p, &p->ts->items[stack[k]], &on);
        if (on == n - 3 && memcmp(oname, name + 3, on) == 0) {
            p->partner[stack[k]] = closer;
            p->partner[closer] = stack[k];
            *depth = k;
            return;
        }
    }
}

/* Pairs openers and closers. A closer skipping over open blocks leaves them
 * unpaired; openers past the nesting limit stay unpaired. */
static void match_blocks(struct parser *p)
{
    size_t stack[MAX_NESTING], depth = 0;
    for (size_t i = 0; i < p->ts->n; i++)
        p->partner[i] = NONE;
    for (size_t i = 0; i < p->ts->n; i++) {
        const struct ltok *t = &p->ts->items[i];
        if (t->kind != LT_TAG)
            continue;
        size_t n;
        const char *name = tok_name(p, t, &n);
        if (opens_block(p, name, n)) {
            if (depth < MAX_NESTING)
                stack[depth++] = i;
        } else if (n > 3 && memcmp(name, "end", 3) == 0) {
            close_block(p, stack, &depth, i);
        }
    }
}

/* --- nodes --- */

static struct lnode *new_node(struct parser *p, enum lnode_kind kind,
                              const struct ltok *t)
{
    struct lnode *n = arena_alloc(p->arena, sizeof *n);
    n->kind = kind;
    n->line = t->line;
    return n;
}

static struct xscan scan_args(struct parser *p, const struct ltok *t)
{
    return (struct xscan){p->s + t->a, p->s + t->b, p->arena};
}

static bool all_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!liquid_is_space(s[i]))
            return false;
    return true;
}

static bool body_blank(const struct lnode *n)
{
    for (; n; n = n->next)
        if (!n->blank)
            return false;
    return true;
}

/* Liquid's remove_blank_strings: a blank block prints no whitespace. */
static struct lnode *drop_text(struct lnode *n)
{
    struct lnode *head = NULL, **tail = &head;
    for (; n; n = n->next)
        if (n->kind != LN_TEXT) {
            *tail = n;
            tail = &n->next;
        }
    *tail = NULL;
    return head;
}

static void settle_blank(struct lnode *n)
{
    bool blank = body_blank(n->body) && body_blank(n->else_body);
    for (struct lbranch *b = n->branches; b; b = b->next)
        blank = blank && body_blank(b->body);
    n->blank = blank;
    if (!blank)
        return;
    n->body = drop_text(n->body);
    n->else_body = drop_text(n->else_body);
    for (struct lbranch *b = n->branches; b; b = b->next)
        b->body = drop_text(b->body);
}

static struct lnode *parse_nodes(struct parser *p, size_t end,
                                 const char *const *stops, size_t n_stops);

static bool is_stop(struct parser *p, const struct ltok *t,
                    const char *const *stops, size_t n_stops)
{
    size_t n;
    const char *name = tok_name(p, t, &n);
    return t->kind == LT_TAG && name_in(name, n, stops, n_stops);
}

/* --- block tags --- */

static const char *const if_stops[] = {"elsif", "else"};
static const char *const case_stops[] = {"when", "else"};
static const char *const for_stops[] = {"else"};

static struct lbranch *new_branch(struct parser *p)
{
    return arena_alloc(p->arena, sizeof(struct lbranch));
}

static struct lnode *parse_if(struct parser *p, const struct ltok *t,
                              size_t end, bool unless)
{
    struct lnode *n = new_node(p, LN_IF, t);
    struct lbranch **tail = &n->branches;
    const struct ltok *head = t;
    for (;;) {
        struct lbranch *b = new_branch(p);
        if (liquid_tok_is(p->s, head, "else")) {
            b->is_else = true;
        } else {
            struct xscan x = scan_args(p, head);
            b->cond = expr_parse_condition(&x);
            b->negate = unless && head == t;
        }
        b->body = parse_nodes(p, end, if_stops, 2);
        *tail = b;
        tail = &b->next;
        if (p->i >= end)
            break;
        head = &p->ts->items[p->i++];
    }
    return n;
}

/* `when a, b or c`: values separated by commas or "or". */
static void parse_whens(struct parser *p, const struct ltok *t,
                        struct lbranch *b)
{
    struct xscan x = scan_args(p, t);
    struct lexpr *vals[64];
    size_t n = 0;
    do {
        struct lexpr *v = expr_parse_value(&x);
        if (!v)
            break;
        if (n < 64)
            vals[n++] = v;
    } while (xscan_accept(&x, ",") || xscan_accept(&x, "or"));
    b->whens = arena_alloc(p->arena, (n ? n : 1) * sizeof *b->whens);
    memcpy(b->whens, vals, n * sizeof *vals);
    b->n_whens = n;
}

static struct lnode *parse_case(struct parser *p, const struct ltok *t,
                                size_t end)
{
    struct lnode *n = new_node(p, LN_CASE, t);
    struct xscan x = scan_args(p, t);
    n->expr = expr_parse_value(&x);
    parse_nodes(p, end, case_stops, 2); /* before the first when: dropped */
    struct lbranch **tail = &n->branches;
    while (p->i < end) {
        const struct ltok *head = &p->ts->items[p->i++];
        struct lbranch *b = new_branch(p);
        if (liquid_tok_is(p->s, head, "else"))
            b->is_else = true;
        else
            parse_whens(p, head, b);
        b->body = parse_nodes(p, end, case_stops, 2);
        *tail = b;
        tail = &b->next;
    }
    return n;
}

/* limit: n, offset: n (or continue), cols: n anywhere after the
 * collection. */
static void parse_for_attributes(struct xscan *x,
                                 struct lnode *n)
{
    while (x->p < x->end) {
        size_t len;
        const char *w = xscan_word(x, &len);
        if (!w) {
            x->p++;
            continue;
        }
        if (len == 8 && memcmp(w, "reversed", 8) == 0) {
            n->reversed = true;
            continue;
        }
        if (!xscan_accept(x, ":"))
            continue;
        if (len == 6 && memcmp(w, "offset", 6) == 0 &&
            xscan_accept(x, "continue"))
            n->offset_continue = true;
        struct lexpr *v = n->offset_continue && len == 6 ? NULL
                                                         : expr_parse_value(x);
        if (len == 5 && memcmp(w, "limit", 5) == 0)
            n->limit = v;
        else if (len == 6 && memcmp(w, "offset", 6) == 0)
            n->offset = v;
        else if (len == 4 && memcmp(w, "cols", 4) == 0)
            n->cols = v;
    }
}

static struct lnode *parse_for(struct parser *p, const struct ltok *t,
                               size_t end, enum lnode_kind kind)
{
    struct lnode *n = new_node(p, kind, t);
    struct xscan x = scan_args(p, t);
    n->name = xscan_word(&x, &n->name_len);
    if (!n->name || !xscan_accept(&x, "in")) {
        report(p, t->line, DIAG_ERROR,
               "Liquid syntax error: For loops require an 'in' clause");
        n->name = NULL;
    }
    const char *coll = x.p;
    n->expr = expr_parse_value(&x);
    /* the loop's name for offset:continue: "var-collection" */
    n->text = coll;
    n->len = (size_t)(x.p - coll);
    parse_for_attributes(&x, n);
    n->body = parse_nodes(p, end, for_stops, kind == LN_FOR ? 1 : 0);
    if (p->i < end) {
        p->i++;
        n->else_body = parse_nodes(p, end, NULL, 0);
    }
    return n;
}

static struct lnode *parse_block(struct parser *p, const struct ltok *t,
                                 size_t end)
{
    size_t n;
    const char *name = tok_name(p, t, &n);
    struct lnode *node;
    if (n == 2 && memcmp(name, "if", 2) == 0)
        node = parse_if(p, t, end, false);
    else if (n == 6 && memcmp(name, "unless", 6) == 0)
        node = parse_if(p, t, end, true);
    else if (n == 4 && memcmp(name, "case", 4) == 0)
        node = parse_case(p, t, end);
    else if (n == 3 && memcmp(name, "for", 3) == 0)
        node = parse_for(p, t, end, LN_FOR);
    else if (n == 8 && memcmp(name, "tablerow", 8) == 0)
        node = parse_for(p, t, end, LN_TABLEROW);
    else {
        enum lnode_kind kind = n == 7 && memcmp(name, "capture", 7) == 0
                                   ? LN_CAPTURE
                               : n == 9 && memcmp(name, "ifchanged", 9) == 0
                                   ? LN_IFCHANGED
                                   : LN_HIGHLIGHT;
        node = new_node(p, kind, t);
        struct xscan x = scan_args(p, t);
        if (kind == LN_CAPTURE) {
            xscan_skip_space(&x);
            if (x.p < x.end && (*x.p == '"' || *x.p == '\''))
                x.p++;
            node->name = xscan_word(&x, &node->name_len);
        } else {
            node->text = p->s + t->a;
            node->len = t->b - t->a;
        }
        node->body = parse_nodes(p, end, NULL, 0);
    }
    if (node->kind == LN_CAPTURE)
        node->blank = true;
    else if (node->kind == LN_IF || node->kind == LN_CASE ||
             node->kind == LN_FOR || node->kind == LN_TABLEROW)
        settle_blank(node);
    return node;
}

/* --- simple tags --- */

static struct lnode *parse_assign(struct parser *p, const struct ltok *t)
{
    const char *s = p->s + t->a, *e = p->s + t->b;
    const char *eq = memchr(s, '=', (size_t)(e - s));
    const char *name_end = eq;
    while (name_end && name_end > s && liquid_is_space(name_end[-1]))
        name_end--;
    if (!eq || name_end == s) {
        report(p, t->line, DIAG_ERROR,
               "Liquid syntax error: Syntax Error in 'assign' - Valid syntax: "
               "assign [var] = [source]");
        return NULL;
    }
    struct lnode *n = new_node(p, LN_ASSIGN, t);
    n->name = s;
    n->name_len = (size_t)(name_end - s);
    struct xscan x = {eq + 1, e, p->arena};
    n->expr = expr_parse_filtered(&x);
    n->blank = true;
    return n;
}

static struct lnode *parse_cycle(struct parser *p, const struct ltok *t)
{
    struct lnode *n = new_node(p, LN_CYCLE, t);
    struct xscan x = scan_args(p, t);
    n->text = p->s + t->a;
    n->len = t->b - t->a;
    struct lexpr *vals[256];
    size_t count = 0;
    struct lexpr *first = expr_parse_value(&x);
    if (first && xscan_accept(&x, ":"))
        n->expr = first;
    else if (first)
        vals[count++] = first;
    if (count == 0 || xscan_accept(&x, ","))
        do {
            struct lexpr *v = expr_parse_value(&x);
            if (!v)
                break;
            if (count < 256)
                vals[count++] = v;
        } while (xscan_accept(&x, ","));
    n->args = arena_alloc(p->arena, (count ? count : 1) * sizeof *n->args);
    memcpy(n->args, vals, count * sizeof *vals);
    n->n_args = count;
    return n;
}

/* include params: name="v", name='v' or name=variable. */
static void parse_params(struct parser *p, struct xscan *x, struct lnode *n)
{
    struct lparam **tail = &n->params;
    while (x->p < x->end) {
        size_t len;
        const char *w = xscan_word(x, &len);
        if (!w || !xscan_accept(x, "=")) {
            if (x->p < x->end)
                x->p++;
            continue;
        }
        struct lparam *pr = arena_alloc(p->arena, sizeof *pr);
        pr->name = w;
        pr->name_len = len;
        xscan_skip_space(x);
        if (x->p < x->end && (*x->p == '"' || *x->p == '\'')) {
            struct lexpr *v = expr_parse_value(x);
            pr->text = v->lit;
        } else if (!(pr->var = expr_parse_value(x))) {
            continue;
        }
        *tail = pr;
        tail = &pr->next;
    }
}

/* The file name ends at the first blank, or, when it holds {{ }}, after
 * the last "}}" and what sticks to it. */
static struct lnode *parse_include(struct parser *p, const struct ltok *t,
                                   enum include_kind kind)
{
    struct lnode *n = new_node(p, LN_INCLUDE, t);
    n->inc = kind;
    const char *s = p->s + t->a, *e = p->s + t->b, *stop = s;
    const char *last = NULL;
    for (const char *q = s; q + 1 < e; q++)
        if (q[0] == '}' && q[1] == '}')
            last = q + 2;
    n->dynamic = last != NULL;
    stop = last ? last : s;
    while (stop < e && !liquid_is_space(*stop))
        stop++;
    n->text = s;
    n->len = (size_t)(stop - s);
    struct xscan x = {stop, e, p->arena};
    parse_params(p, &x, n);
    return n;
}

static struct lnode *parse_liquid_tag(struct parser *p, const struct ltok *t);

static struct lnode *parse_tag(struct parser *p, const struct ltok *t)
{
    size_t n;
    const char *name = tok_name(p, t, &n);
#define IS(lit) (n == sizeof lit - 1 && memcmp(name, lit, n) == 0)
    struct lnode *node = NULL;
    struct xscan x = scan_args(p, t);
    if (IS("assign")) {
        node = parse_assign(p, t);
    } else if (IS("echo")) {
        node = new_node(p, LN_OUTPUT, t);
        node->expr = expr_parse_filtered(&x);
    } else if (IS("break") || IS("continue")) {
        node = new_node(p, IS("break") ? LN_BREAK : LN_CONTINUE, t);
    } else if (IS("increment") || IS("decrement")) {
        node = new_node(p, IS("increment") ? LN_INCREMENT : LN_DECREMENT, t);
        node->name = xscan_word(&x, &node->name_len);
    } else if (IS("cycle")) {
        node = parse_cycle(p, t);
    } else if (IS("include") || IS("include_cached")) {
        node = parse_include(p, t, INC_INCLUDE);
    } else if (IS("include_relative")) {
        node = parse_include(p, t, INC_RELATIVE);
    } else if (IS("link") || IS("post_url")) {
        node = new_node(p, IS("link") ? LN_LINK : LN_POST_URL, t);
        node->text = p->s + t->a;
        node->len = t->b - t->a;
    } else if (IS("liquid")) {
        node = parse_liquid_tag(p, t);
    } else if (IS("#")) {
        node = NULL;
    } else {
        node = new_node(p, LN_UNKNOWN, t);
        node->name = name;
        node->name_len = n;
        node->text = p->s + t->a;
        node->len = t->b - t->a;
    }
#undef IS
    return node;
}

/* One token at p->i (already consumed) into a node, or NULL. */
static struct lnode *parse_token(struct parser *p, size_t i, size_t end)
{
    const struct ltok *t = &p->ts->items[i];
    size_t n;
    const char *name = tok_name(p, t, &n);
    if (IN(block_tags, name, n) ||
        (!IN(known_tags, name, n) && is_end_name(p, name, n))) {
        size_t close = p->partner[i];
        if (close == NONE || close >= end) {
            bool known = IN(block_tags, name, n);
            if (known)
                report(p, t->line, DIAG_ERROR,
                       "Liquid syntax error: '%.*s' tag was never closed",
                       (int)n, name);
            if (known)
                return NULL;
            return parse_tag(p, t);
        }
        struct lnode *node;
        if (n == 7 && memcmp(name, "comment", 7) == 0) {
            node = new_node(p, LN_TEXT, t);
            node->blank = true;
        } else if (!IN(known_tags, name, n)) {
            node = parse_tag(p, t);
            node->is_block = true;
        } else {
            p->depth++;
            node = parse_block(p, t, close);
            p->depth--;
        }
        p->i = close + 1;
        return node;
    }
    if (n > 3 && memcmp(name, "end", 3) == 0) {
        report(p, t->line, DIAG_ERROR,
               "Liquid syntax error: Unknown tag '%.*s'", (int)n, name);
        return NULL;
    }
    if (IN(if_stops, name, n) || IN(case_stops, name, n)) {
        report(p, t->line, DIAG_ERROR,
               "Liquid syntax error: Unknown tag '%.*s'", (int)n, name);
        return NULL;
    }
    return parse_tag(p, t);
}

static struct lnode *text_node(struct parser *p, const struct ltok *t)
{
    if (t->a >= t->b)
        return NULL;
    struct lnode *n = new_node(p, LN_TEXT, t);
    n->text = p->s + t->a;
    n->len = t->b - t->a;
    n->blank = t->kind == LT_TEXT ? all_space(n->text, n->len) : false;
    return n;
}

static struct lnode *bad_token(struct parser *p, const struct ltok *t)
{
    bool tag = p->s[t->start + 1] == '%';
    int shown = (int)(t->end - t->start > 40 ? 40 : t->end - t->start);
    report(p, t->line, DIAG_ERROR,
           "Liquid syntax error: %s '%.*s' was not properly terminated with "
           "regexp: %s",
           tag ? "Tag" : "Variable", shown, p->s + t->start,
           tag ? "/\\%\\}/" : "/\\}\\}/");
    struct ltok keep = *t;
    keep.a = t->start;
    keep.b = t->end;
    keep.kind = LT_RAW;
    return text_node(p, &keep);
}

static struct lnode *parse_nodes(struct parser *p, size_t end,
                                 const char *const *stops, size_t n_stops)
{
    struct lnode *head = NULL, **tail = &head;
    while (p->i < end) {
        const struct ltok *t = &p->ts->items[p->i];
        if (n_stops && is_stop(p, t, stops, n_stops))
            break;
        size_t i = p->i++;
        struct lnode *node = NULL;
        if (t->kind == LT_RAW && t->unclosed)
            report(p, t->line, DIAG_ERROR,
                   "Liquid syntax error: 'raw' tag was never closed");
        if (t->kind == LT_TEXT || t->kind == LT_RAW)
            node = text_node(p, t);
        else if (t->kind == LT_BAD)
            node = bad_token(p, t);
        else if (t->kind == LT_OUTPUT) {
            node = new_node(p, LN_OUTPUT, t);
            struct xscan x = {p->s + t->a, p->s + t->b, p->arena};
            node->expr = expr_parse_filtered(&x);
        } else
            node = parse_token(p, i, end);
        for (; node; node = node->next) {
            *tail = node;
            tail = &node->next;
            if (!node->next)
                break;
        }
    }
    return head;
}

/* {% liquid %}: one tag a line, parsed as the same tree. */
static struct lnode *parse_liquid_tag(struct parser *p, const struct ltok *t)
{
    struct ltoks lines = {0};
    size_t a = t->a;
    int line = t->line;
    while (a < t->b) {
        const char *nl = memchr(p->s + a, '\n', t->b - a);
        size_t b = nl ? (size_t)(nl - p->s) : t->b;
        struct ltok tok = {LT_TAG, a, b, a, b, a, a, line, false};
        size_t q = a;
        while (q < b && liquid_is_space(p->s[q]))
            q++;
        tok.name_a = q;
        while (q < b && !liquid_is_space(p->s[q]))
            q++;
        tok.name_b = q;
        while (q < b && liquid_is_space(p->s[q]))
            q++;
        tok.a = q;
        tok.b = b;
        while (tok.b > tok.a && liquid_is_space(p->s[tok.b - 1]))
            tok.b--;
        if (tok.name_b > tok.name_a) {
            if (lines.n == lines.cap) {
                lines.cap = lines.cap ? 2 * lines.cap : 16;
                lines.items = xrealloc(lines.items, lines.cap * sizeof tok);
            }
            lines.items[lines.n++] = tok;
        }
        a = b + 1;
        line++;
    }
    struct parser sub = *p;
    sub.ts = &lines;
    sub.i = 0;
    sub.partner = xmalloc((lines.n + 1) * sizeof *sub.partner);
    match_blocks(&sub);
    struct lnode *body = parse_nodes(&sub, lines.n, NULL, 0);
    free(sub.partner);
    free(lines.items);
    return body;
}

struct ltree *liquid_parse(const char *src, size_t len,
                           const struct lparse_report *rep)
{
    struct ltree *t = xcalloc(1, sizeof *t);
    t->src = xmalloc(len + 1);
    memcpy(t->src, src, len);
    t->src[len] = '\0';
    t->len = len;
    struct ltoks ts = {0};
    liquid_lex(t->src, len, &ts);
    struct parser p = {.s = t->src, .ts = &ts, .arena = &t->arena, .rep = rep};
    p.partner = xmalloc((ts.n + 1) * sizeof *p.partner);
    collect_end_names(&p);
    match_blocks(&p);
    t->root = parse_nodes(&p, ts.n, NULL, 0);
    free(p.partner);
    free(ts.items);
    return t;
}

void liquid_tree_free(struct ltree *t)
{
    if (!t)
        return;
    arena_free(&t->arena);
    free(t->src);
    free(t);
}
