/* Liquid, reduced to what a static text rendering needs: conditions on
 * simple variables are evaluated, {{ output }} is resolved, everything else
 * (loops, captures, includes, unknown tags) disappears.
 *
 * Three linear passes: cut the input into tokens ({% tag %}, {{ output }},
 * raw blocks), pair block openers with their closers (an opener without a
 * closer is treated as a plain removed tag, so a stray {% if %} never eats
 * the rest of the page), then walk the tokens emitting text.
 *
 * An unterminated "{%" or "{{" (no "%}" / "}}" anywhere after it) is left in
 * the text as it is, so `capsuled check` can point at it; an unterminated
 * {% raw %} keeps everything after it verbatim. */
#include "capsuled/page.h"

#include "capsuled/buf.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { TOK_TAG, TOK_OUTPUT, TOK_RAW };

/* Block families pair an opener with its end tag. */
enum family { FAM_NONE, FAM_IF, FAM_UNLESS, FAM_CASE, FAM_FOR, FAM_CAPTURE,
              FAM_COMMENT, FAM_TABLEROW, FAM_COUNT };

enum tag_role { ROLE_OTHER, ROLE_OPEN, ROLE_CLOSE, ROLE_BRANCH, ROLE_ASSIGN };

struct token {
    size_t start, end;             /* the whole token */
    size_t inner_start, inner_end; /* tag arguments, output expression, or
                                      raw contents */
    enum tok_kind kind;
    enum tag_role role;
    enum family family;
    bool matched;                  /* opener or closer with a partner */
    char name[12];                 /* tag name, truncated */
};

struct tokens {
    struct token *items;
    size_t n, cap;
};

/* Finds the next occurrence of a two-byte delimiter at or after a position,
 * remembering the last answer so that scanning stays linear even with many
 * unterminated openers. */
struct finder {
    const char *s;
    size_t len;
    const char *pat;
    size_t found;
    bool have, none;
};

#define NOT_FOUND ((size_t)-1)

/* memmem for a two-byte needle, built on memchr: it reads only up to the
 * match, which keeps repeated searches linear in total. */
static const char *find_pair(const char *s, size_t len, const char *pair)
{
    const char *end = s + len;
    while (s + 1 < end) {
        const char *p = memchr(s, pair[0], (size_t)(end - s - 1));
        if (!p)
            return NULL;
        if (p[1] == pair[1])
            return p;
        s = p + 1;
    }
    return NULL;
}

static size_t finder_next(struct finder *f, size_t from)
{
    if (f->none)
        return NOT_FOUND;
    if (f->have && f->found >= from)
        return f->found;
    const char *p = from < f->len ? find_pair(f->s + from, f->len - from, f->pat)
                                  : NULL;
    if (!p) {
        f->none = true;
        return NOT_FOUND;
    }
    f->have = true;
    f->found = (size_t)(p - f->s);
    return f->found;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Narrows [*a, *b) to the contents of a tag or output without the
 * whitespace-control dashes and surrounding blanks. */
static void trim_inner(const char *s, size_t *a, size_t *b)
{
    if (*a < *b && s[*a] == '-')
        (*a)++;
    if (*b > *a && s[*b - 1] == '-')
        (*b)--;
    while (*a < *b && is_space(s[*a]))
        (*a)++;
    while (*b > *a && is_space(s[*b - 1]))
        (*b)--;
}

struct tag_kind {
    const char *name;
    enum tag_role role;
    enum family family;
};

static const struct tag_kind tag_kinds[] = {
    {"if", ROLE_OPEN, FAM_IF},           {"endif", ROLE_CLOSE, FAM_IF},
    {"unless", ROLE_OPEN, FAM_UNLESS},   {"endunless", ROLE_CLOSE, FAM_UNLESS},
    {"case", ROLE_OPEN, FAM_CASE},       {"endcase", ROLE_CLOSE, FAM_CASE},
    {"for", ROLE_OPEN, FAM_FOR},         {"endfor", ROLE_CLOSE, FAM_FOR},
    {"capture", ROLE_OPEN, FAM_CAPTURE}, {"endcapture", ROLE_CLOSE, FAM_CAPTURE},
    {"comment", ROLE_OPEN, FAM_COMMENT}, {"endcomment", ROLE_CLOSE, FAM_COMMENT},
    {"tablerow", ROLE_OPEN, FAM_TABLEROW},
    {"endtablerow", ROLE_CLOSE, FAM_TABLEROW},
    {"elsif", ROLE_BRANCH, FAM_NONE},    {"else", ROLE_BRANCH, FAM_NONE},
    {"when", ROLE_BRANCH, FAM_NONE},     {"assign", ROLE_ASSIGN, FAM_NONE},
};

/* Reads the tag name at the start of a trimmed tag and moves inner_start
 * past it, leaving the arguments. */
static void classify_tag(const char *s, struct token *t)
{
    size_t a = t->inner_start, n = 0;
    if (a < t->inner_end && s[a] == '#') {
        n = 1;
    } else {
        while (a + n < t->inner_end && is_name_char(s[a + n]))
            n++;
    }
    size_t keep = n < sizeof t->name - 1 ? n : sizeof t->name - 1;
    memcpy(t->name, s + a, keep);
    t->name[keep] = '\0';
    t->inner_start = a + n;
    while (t->inner_start < t->inner_end && is_space(s[t->inner_start]))
        t->inner_start++;
    t->role = ROLE_OTHER;
    t->family = FAM_NONE;
    if (n != keep)
        return;
    for (size_t i = 0; i < sizeof tag_kinds / sizeof *tag_kinds; i++) {
        if (strcmp(tag_kinds[i].name, t->name) == 0) {
            t->role = tag_kinds[i].role;
            t->family = tag_kinds[i].family;
            return;
        }
    }
}

static struct token *push_token(struct tokens *ts)
{
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 64;
        ts->items = xrealloc(ts->items, ts->cap * sizeof *ts->items);
    }
    struct token *t = &ts->items[ts->n++];
    memset(t, 0, sizeof *t);
    return t;
}

struct lexer {
    const char *s;
    size_t len;
    struct finder tag_close, out_close;
};

/* Reads the {% … %} starting at pos (close at c) into t. */
static void read_tag(struct lexer *lx, size_t pos, size_t c, struct token *t)
{
    t->kind = TOK_TAG;
    t->start = pos;
    t->end = c + 2;
    t->inner_start = pos + 2;
    t->inner_end = c;
    trim_inner(lx->s, &t->inner_start, &t->inner_end);
    classify_tag(lx->s, t);
}

/* Turns a {% raw %} token into one raw token reaching past its
 * {% endraw %}, or to the end of the input when there is none. */
static void extend_raw(struct lexer *lx, struct token *t)
{
    size_t content = t->end, pos = t->end;
    t->kind = TOK_RAW;
    t->inner_start = content;
    t->inner_end = t->end = lx->len;
    for (;;) {
        const char *p = pos < lx->len ? find_pair(lx->s + pos, lx->len - pos, "{%")
                                      : NULL;
        if (!p)
            return;
        size_t open = (size_t)(p - lx->s);
        size_t c = finder_next(&lx->tag_close, open + 2);
        if (c == NOT_FOUND)
            return;
        struct token end;
        read_tag(lx, open, c, &end);
        if (strcmp(end.name, "endraw") == 0) {
            t->inner_end = open;
            t->end = end.end;
            return;
        }
        pos = open + 2;
    }
}

static void tokenize(const char *s, size_t len, struct tokens *ts)
{
    struct lexer lx = {s, len, {s, len, "%}", 0, false, false},
                       {s, len, "}}", 0, false, false}};
    size_t pos = 0;
    while (pos + 1 < len) {
        const char *p = memchr(s + pos, '{', len - pos - 1);
        if (!p)
            break;
        size_t open = (size_t)(p - s);
        char next = s[open + 1];
        size_t c = NOT_FOUND;
        if (next == '%')
            c = finder_next(&lx.tag_close, open + 2);
        else if (next == '{')
            c = finder_next(&lx.out_close, open + 2);
        if (c == NOT_FOUND) {
            pos = open + 1;
            continue;
        }
        struct token *t = push_token(ts);
        if (next == '%') {
            read_tag(&lx, open, c, t);
            if (strcmp(t->name, "raw") == 0)
                extend_raw(&lx, t);
        } else {
            t->kind = TOK_OUTPUT;
            t->start = open;
            t->end = c + 2;
            t->inner_start = open + 2;
            t->inner_end = c;
            trim_inner(s, &t->inner_start, &t->inner_end);
        }
        pos = t->end;
    }
}

/* Pairs openers with closers. A closer with no open block of its family is
 * left unmatched; a closer that skips over other open blocks leaves those
 * unmatched. Counting open blocks per family keeps this linear. */
static void match_blocks(struct tokens *ts)
{
    size_t *stack = xmalloc((ts->n + 1) * sizeof *stack);
    size_t depth = 0, open_count[FAM_COUNT] = {0};
    for (size_t i = 0; i < ts->n; i++) {
        struct token *t = &ts->items[i];
        if (t->kind != TOK_TAG)
            continue;
        if (t->role == ROLE_OPEN) {
            stack[depth++] = i;
            open_count[t->family]++;
        } else if (t->role == ROLE_CLOSE && open_count[t->family] > 0) {
            while (ts->items[stack[depth - 1]].family != t->family)
                open_count[ts->items[stack[--depth]].family]--;
            ts->items[stack[--depth]].matched = true;
            open_count[t->family]--;
            t->matched = true;
        }
    }
    free(stack);
}

/* --- evaluation --- */

/* Bounds that keep hostile input linear: real pages assign a handful of
 * short variables. A value longer than MAX_VALUE counts as unknown. */
#define MAX_VARS 64
#define MAX_FILTERS 16
#define MAX_VALUE 65536

/* An operand as this reduced engine sees it: text, or nothing. A variable
 * holding an array or a hash counts as unknown here; the full interpreter
 * will print it as Liquid does (value_to_string). */
struct operand {
    bool defined;
    bool blank;      /* the literal `blank` or `empty` */
    struct buf text;
};

struct frame {
    enum family family;
    bool parent_emit, emit, taken;
};

struct render {
    const char *s;
    const struct value *scope; /* the variables: page, site */
    struct value *assigned;    /* {% assign %}ed names: strings */
    struct frame *frames;
    size_t depth;
    struct buf out;
    size_t line_start;   /* offset in out of the current line */
    bool line_removed;   /* something was removed from the current line */
    size_t budget;       /* bytes substitutions may still add */
};

static bool emitting(const struct render *r)
{
    return r->depth == 0 || r->frames[r->depth - 1].emit;
}

/* A line that held only removed Liquid becomes empty, not blank-with-spaces. */
static void end_line(struct render *r)
{
    if (r->line_removed) {
        size_t i = r->line_start;
        while (i < r->out.len && (r->out.data[i] == ' ' || r->out.data[i] == '\t'))
            i++;
        if (i == r->out.len)
            r->out.len = r->line_start;
    }
    buf_putc(&r->out, '\n');
    r->line_start = r->out.len;
    r->line_removed = false;
}

/* The last line has no newline to trigger end_line. */
static void finish_last_line(struct render *r)
{
    size_t i = r->line_start;
    while (i < r->out.len && (r->out.data[i] == ' ' || r->out.data[i] == '\t'))
        i++;
    if (r->line_removed && i == r->out.len)
        r->out.len = r->line_start;
    buf_reserve(&r->out, 0);
    r->out.data[r->out.len] = '\0';
}

static void emit_text(struct render *r, size_t a, size_t b)
{
    while (a < b) {
        const char *nl = memchr(r->s + a, '\n', b - a);
        size_t stop = nl ? (size_t)(nl - r->s) : b;
        buf_put(&r->out, r->s + a, stop - a);
        if (!nl)
            break;
        end_line(r);
        a = stop + 1;
    }
}

/* Dropped text keeps its newlines so line numbers stay true. */
static void drop_text(struct render *r, size_t a, size_t b)
{
    r->line_removed = true;
    while (a < b) {
        const char *nl = memchr(r->s + a, '\n', b - a);
        if (!nl)
            break;
        end_line(r);
        r->line_removed = true;
        a = (size_t)(nl - r->s) + 1;
    }
}

/* An assigned name holds a string; it is looked up as a whole
 * (`{% assign a.b = 1 %}` names "a.b"), before the scope. */
static void set_var(struct render *r, const char *name, const char *value)
{
    if (!value_hash_get(r->assigned, name) &&
        value_len(r->assigned) == MAX_VARS)
        return;
    value_hash_set(r->assigned, name, strlen(name), value_cstring(value));
}

/* A cursor over one tag's arguments or output expression. */
struct cursor {
    const char *s;
    size_t pos, end;
};

static void skip_space(struct cursor *c)
{
    while (c->pos < c->end && is_space(c->s[c->pos]))
        c->pos++;
}

static bool at_end(struct cursor *c)
{
    skip_space(c);
    return c->pos >= c->end;
}

static bool accept(struct cursor *c, const char *tok)
{
    size_t n = strlen(tok);
    skip_space(c);
    if (c->end - c->pos >= n && memcmp(c->s + c->pos, tok, n) == 0) {
        c->pos += n;
        return true;
    }
    return false;
}

/* The text of a scalar variable; NULL when unknown or a collection. */
static const char *resolve_name(struct render *r, const char *name)
{
    const struct value *v = value_hash_get(r->assigned, name);
    return value_text(v ? v : value_path_get(r->scope, name));
}

static void set_value(struct operand *v, const char *text, size_t n)
{
    v->defined = true;
    buf_clear(&v->text);
    buf_put(&v->text, text, n);
}

/* Reads one operand: a quoted string, a number, a literal word or a
 * variable name. Returns false for anything else (brackets, ranges), which
 * makes the whole expression "too complex". */
static bool read_operand(struct render *r, struct cursor *c, struct operand *v)
{
    skip_space(c);
    v->defined = v->blank = false;
    buf_clear(&v->text);
    if (c->pos >= c->end)
        return false;
    char q = c->s[c->pos];
    if (q == '"' || q == '\'') {
        const char *close = memchr(c->s + c->pos + 1, q, c->end - c->pos - 1);
        if (!close)
            return false;
        set_value(v, c->s + c->pos + 1, (size_t)(close - c->s) - c->pos - 1);
        c->pos = (size_t)(close - c->s) + 1;
        return true;
    }
    size_t a = c->pos;
    while (c->pos < c->end && is_name_char(c->s[c->pos]))
        c->pos++;
    size_t n = c->pos - a;
    if (n == 0 || (c->pos < c->end && c->s[c->pos] == '['))
        return false;
    char *word = xstrndup(c->s + a, n);
    if ((word[0] >= '0' && word[0] <= '9') || word[0] == '-' ||
        strcmp(word, "true") == 0 || strcmp(word, "false") == 0) {
        set_value(v, word, n);
    } else if (strcmp(word, "empty") == 0 || strcmp(word, "blank") == 0) {
        set_value(v, "", 0);
        v->blank = true;
    } else if (strcmp(word, "nil") != 0 && strcmp(word, "null") != 0) {
        const char *found = resolve_name(r, word);
        size_t flen = found ? strnlen(found, MAX_VALUE + 1) : 0;
        if (found && flen <= MAX_VALUE)
            set_value(v, found, flen);
    }
    free(word);
    return true;
}

static bool truthy(const struct operand *v)
{
    const char *t = v->text.data ? v->text.data : "";
    return v->defined && t[0] != '\0' && strcmp(t, "false") != 0 &&
           strcmp(t, "nil") != 0;
}

/* `x == blank` holds for an unknown or empty x, as in Liquid. */
static bool same_value(const struct operand *a, const struct operand *b)
{
    if (a->blank || b->blank)
        return (a->blank ? b : a)->text.len == 0;
    if (a->defined != b->defined)
        return false;
    return !a->defined || strcmp(a->text.data ? a->text.data : "",
                                 b->text.data ? b->text.data : "") == 0;
}

/* `x`, `x == y`, `x != y`; anything else (and/or, contains, <, >) is false. */
static bool eval_condition(struct render *r, size_t a, size_t b)
{
    struct cursor c = {r->s, a, b};
    struct operand lhs = {0}, rhs = {0};
    bool result = false;
    if (!read_operand(r, &c, &lhs))
        goto done;
    if (at_end(&c)) {
        result = truthy(&lhs);
    } else if (accept(&c, "==") || accept(&c, "!=") || accept(&c, "<>")) {
        bool negate = c.s[c.pos - 2] != '=' || c.s[c.pos - 1] != '=';
        if (read_operand(r, &c, &rhs) && at_end(&c))
            result = same_value(&lhs, &rhs) != negate;
    }
done:
    buf_free(&lhs.text);
    buf_free(&rhs.text);
    return result;
}

/* Skips a filter this renderer does not apply, up to the next '|' that is
 * not inside quotes. */
static void skip_filter(struct cursor *c)
{
    char quote = 0;
    for (; c->pos < c->end; c->pos++) {
        char ch = c->s[c->pos];
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

/* Applies append, prepend and default, the filters that change the text a
 * reader sees; url_encode, escape, relative_url and the rest are ignored. */
static void apply_filter(struct render *r, struct cursor *c, struct operand *v)
{
    static const char *const known[] = {"append", "prepend", "default"};
    size_t which = 3;
    for (size_t i = 0; i < 3 && which == 3; i++) {
        size_t save = c->pos;
        if (accept(c, known[i]) && accept(c, ":"))
            which = i;
        else
            c->pos = save;
    }
    struct operand arg = {0};
    if (which == 3 || !read_operand(r, c, &arg)) {
        skip_filter(c);
    } else if (which == 2) {
        if (!truthy(v))
            set_value(v, arg.text.data ? arg.text.data : "", arg.text.len);
    } else if (v->defined) {
        struct buf joined = {0};
        struct buf *first = which == 0 ? &v->text : &arg.text;
        struct buf *second = which == 0 ? &arg.text : &v->text;
        buf_put(&joined, first->data ? first->data : "", first->len);
        buf_put(&joined, second->data ? second->data : "", second->len);
        buf_free(&v->text);
        v->text = joined;
    }
    buf_free(&arg.text);
}

/* `operand | filter: arg | …`; the value is undefined when the operand is
 * unknown (and no default filter supplied one) or the syntax is not
 * understood. */
static void eval_output(struct render *r, size_t a, size_t b, struct operand *v)
{
    struct cursor c = {r->s, a, b};
    if (!read_operand(r, &c, v))
        return;
    for (int applied = 0; applied < MAX_FILTERS && accept(&c, "|"); applied++)
        apply_filter(r, &c, v);
}

static void substitute(struct render *r, const struct operand *v)
{
    if (!v->defined || v->text.len == 0 || v->text.len > r->budget) {
        r->line_removed = true;
        return;
    }
    r->budget -= v->text.len;
    /* A value may hold newlines (a multi-line YAML scalar); joining them
     * keeps the page's line numbers true. */
    for (size_t i = 0; i < v->text.len; i++) {
        char ch = v->text.data[i];
        buf_putc(&r->out, ch == '\n' || ch == '\r' ? ' ' : ch);
    }
}

static void do_assign(struct render *r, const struct token *t)
{
    struct cursor c = {r->s, t->inner_start, t->inner_end};
    skip_space(&c);
    size_t a = c.pos;
    while (c.pos < c.end && is_name_char(r->s[c.pos]))
        c.pos++;
    size_t name_end = c.pos;
    if (name_end == a || !accept(&c, "="))
        return;
    char *name = xstrndup(r->s + a, name_end - a);
    struct operand v = {0};
    eval_output(r, c.pos, c.end, &v);
    set_var(r, name, v.defined && v.text.data ? v.text.data : "");
    free(name);
    buf_free(&v.text);
}

static void open_block(struct render *r, const struct token *t)
{
    bool parent = emitting(r);
    struct frame f = {t->family, parent, false, false};
    if (t->family == FAM_IF || t->family == FAM_UNLESS) {
        bool cond = parent && eval_condition(r, t->inner_start, t->inner_end);
        if (t->family == FAM_UNLESS)
            cond = parent && !cond;
        f.emit = f.taken = cond;
    }
    r->frames[r->depth++] = f;
}

static void take_branch(struct render *r, const struct token *t)
{
    if (r->depth == 0)
        return;
    struct frame *f = &r->frames[r->depth - 1];
    if (f->family != FAM_IF && f->family != FAM_UNLESS)
        return;
    if (f->taken || !f->parent_emit) {
        f->emit = false;
    } else if (strcmp(t->name, "else") == 0) {
        f->emit = f->taken = true;
    } else if (strcmp(t->name, "elsif") == 0) {
        f->emit = f->taken = eval_condition(r, t->inner_start, t->inner_end);
    }
}

static void run_tag(struct render *r, const struct token *t)
{
    if (t->role == ROLE_OPEN && t->matched)
        open_block(r, t);
    else if (t->role == ROLE_CLOSE && t->matched && r->depth > 0)
        r->depth--;
    else if (t->role == ROLE_BRANCH)
        take_branch(r, t);
    else if (t->role == ROLE_ASSIGN && emitting(r))
        do_assign(r, t);
}

static void run_token(struct render *r, const struct token *t)
{
    if (t->kind == TOK_RAW) {
        drop_text(r, t->start, t->inner_start);
        if (emitting(r))
            emit_text(r, t->inner_start, t->inner_end);
        else
            drop_text(r, t->inner_start, t->inner_end);
        drop_text(r, t->inner_end, t->end);
    } else if (t->kind == TOK_OUTPUT) {
        if (emitting(r)) {
            struct operand v = {0};
            eval_output(r, t->inner_start, t->inner_end, &v);
            substitute(r, &v);
            buf_free(&v.text);
        }
        drop_text(r, t->start, t->end);
    } else {
        run_tag(r, t);
        drop_text(r, t->start, t->end);
    }
}

char *liquid_render(const char *in, size_t len, const struct value *scope,
                    size_t *out_len)
{
    struct tokens ts = {0};
    tokenize(in, len, &ts);
    match_blocks(&ts);
    struct render r = {.s = in, .scope = scope, .assigned = value_hash(),
                       .budget = 4 * len + 65536};
    r.frames = xmalloc((ts.n + 1) * sizeof *r.frames);
    buf_reserve(&r.out, len);
    size_t pos = 0;
    for (size_t i = 0; i < ts.n; i++) {
        const struct token *t = &ts.items[i];
        if (emitting(&r))
            emit_text(&r, pos, t->start);
        else
            drop_text(&r, pos, t->start);
        run_token(&r, t);
        pos = t->end;
    }
    if (emitting(&r))
        emit_text(&r, pos, len);
    else
        drop_text(&r, pos, len);
    finish_last_line(&r);
    value_release(r.assigned);
    free(r.frames);
    free(ts.items);
    if (out_len)
        *out_len = r.out.len;
    return buf_detach(&r.out);
}
