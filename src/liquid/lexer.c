/* Cuts a template as Liquid 5's tokenizer does: text, {% tags %} (up to the
 * first "%}"), {{ outputs }} (up to the first "}" or "}}"), with {%- -%}
 * and {{- -}} trimming the whitespace of the neighbouring text, and
 * {% raw %} reaching to its {% endraw %}. A "{%" or "{{" without its end
 * becomes an LT_BAD token, which the parser reports and keeps as text. */
#include "internal.h"

#include <string.h>

bool liquid_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

bool liquid_tok_is(const char *s, const struct ltok *t, const char *name)
{
    size_t n = strlen(name);
    return t->kind == LT_TAG && t->name_b - t->name_a == n &&
           memcmp(s + t->name_a, name, n) == 0;
}

/* memmem for a two-byte needle: memchr reads only up to the match. */
static const char *find_pair(const char *s, const char *end, char a, char b)
{
    while (s + 1 < end) {
        const char *p = memchr(s, a, (size_t)(end - s - 1));
        if (!p)
            return NULL;
        if (p[1] == b)
            return p;
        s = p + 1;
    }
    return NULL;
}

/* The next "%}" or "}" at or after a position, remembering the last
 * answer: with many unterminated openers the scan stays linear. */
struct finder {
    const char *s, *end;
    char a, b;       /* b == 0: a single byte */
    const char *found;
    bool none;
};

static const char *finder_next(struct finder *f, const char *from)
{
    if (f->none)
        return NULL;
    if (f->found && f->found >= from)
        return f->found;
    f->found = f->b ? find_pair(from, f->end, f->a, f->b)
                    : memchr(from, f->a, (size_t)(f->end - from));
    f->none = f->found == NULL;
    return f->found;
}

struct lexer {
    const char *s;
    size_t len;
    struct finder tag_end, out_end;
    /* once an opener has no end anywhere after it, neither has any later
     * one: the first is reported, the others are plain text */
    bool tag_unterminated, out_unterminated;
};

static struct ltok *push(struct ltoks *ts, enum ltok_kind kind, size_t start,
                         size_t end, int line)
{
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 64;
        ts->items = xrealloc(ts->items, ts->cap * sizeof *ts->items);
    }
    struct ltok *t = &ts->items[ts->n++];
    *t = (struct ltok){kind, start, end, start, end, 0, 0, line, false};
    return t;
}

static int count_lines(const char *s, size_t a, size_t b)
{
    int n = 0;
    for (const char *p = s + a; (p = memchr(p, '\n', (size_t)(s + b - p)));
         p++)
        n++;
    return n;
}

/* FullToken: "{%" "-"? space* (#|\w+) space* markup "-"? "%}". A tag
 * without a name is LT_BAD. */
static void read_tag(const char *s, struct ltok *t)
{
    size_t a = t->start + 2, b = t->end - 2;
    if (a < b && s[a] == '-')
        a++;
    if (b > a && s[b - 1] == '-')
        b--;
    while (a < b && liquid_is_space(s[a]))
        a++;
    t->name_a = a;
    if (a < b && s[a] == '#')
        a++;
    else
        while (a < b && is_word(s[a]))
            a++;
    t->name_b = a;
    if (t->name_a == t->name_b)
        t->kind = LT_BAD;
    while (a < b && liquid_is_space(s[a]))
        a++;
    while (b > a && liquid_is_space(s[b - 1]))
        b--;
    t->a = a;
    t->b = b;
}

static void read_output(const char *s, struct ltok *t)
{
    size_t a = t->start + 2, b = t->end - 2;
    if (a < b && s[a] == '-')
        a++;
    if (b > a && s[b - 1] == '-')
        b--;
    t->a = a;
    t->b = b;
}

/* Trimming: "{%-"/"{{-" strip the text just before, "-%}"/"-}}" the text
 * just after (Ruby's rstrip/lstrip: whitespace and, at the end, NULs). */
static void trim_neighbours(const char *s, struct ltoks *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        struct ltok *t = &ts->items[i];
        if (t->kind != LT_TAG && t->kind != LT_OUTPUT && t->kind != LT_RAW)
            continue;
        bool left = s[t->start + 2] == '-';
        bool right = t->end - t->start >= 5 && s[t->end - 3] == '-';
        if (left && i > 0 && ts->items[i - 1].kind == LT_TEXT) {
            struct ltok *p = &ts->items[i - 1];
            while (p->b > p->a &&
                   (liquid_is_space(s[p->b - 1]) || s[p->b - 1] == '\0'))
                p->b--;
        }
        if (right && i + 1 < ts->n && ts->items[i + 1].kind == LT_TEXT) {
            struct ltok *n = &ts->items[i + 1];
            size_t a0 = n->a;
            while (n->a < n->b && liquid_is_space(s[n->a]))
                n->a++;
            n->line += count_lines(s, a0, n->a);
        }
    }
}

/* Liquid's raw: the tokens after {% raw %} up to a tag named endraw. The
 * raw token's end is the endraw's (its "-%}" trims what follows). */
static size_t extend_raw(struct lexer *lx, struct ltok *t)
{
    const char *s = lx->s;
    size_t len = lx->len, pos = t->end;
    t->kind = LT_RAW;
    t->a = pos;
    for (;;) {
        const char *p = find_pair(s + pos, s + len, '{', '%');
        const char *c = p ? finder_next(&lx->tag_end, p + 2) : NULL;
        if (!c) {
            t->b = t->end = len;
            t->unclosed = true;
            return len;
        }
        struct ltok end = {LT_TAG, (size_t)(p - s), (size_t)(c - s) + 2,
                           0, 0, 0, 0, 0, false};
        read_tag(s, &end);
        /* Liquid's raw knows no "{%-" on its endraw */
        if (end.kind == LT_TAG && s[end.start + 2] != '-' &&
            liquid_tok_is(s, &end, "endraw")) {
            t->b = end.start;
            t->end = end.end;
            return t->end;
        }
        pos = (size_t)(p - s) + 2;
    }
}

/* The end of the {{ … }} at open: the first "}" and one more if there. */
static size_t output_end(struct lexer *lx, size_t open)
{
    const char *s = lx->s;
    size_t len = lx->len;
    const char *c = finder_next(&lx->out_end, s + open + 2);
    if (!c)
        return 0;
    size_t e = (size_t)(c - s) + 1;
    return e < len && s[e] == '}' ? e + 1 : e;
}

static size_t lex_one(struct lexer *lx, size_t open, int line,
                      struct ltoks *ts)
{
    const char *s = lx->s;
    bool tag = s[open + 1] == '%';
    size_t end = 0;
    if (tag) {
        const char *c = finder_next(&lx->tag_end, s + open + 2);
        end = c ? (size_t)(c - s) + 2 : 0;
    } else {
        end = output_end(lx, open);
    }
    if (end == 0) {
        if (tag)
            lx->tag_unterminated = true;
        else
            lx->out_unterminated = true;
    }
    if (end == 0 || (!tag && s[end - 2] != '}')) {
        push(ts, LT_BAD, open, end ? end : open + 2, line);
        return end ? end : open + 2;
    }
    struct ltok *t = push(ts, tag ? LT_TAG : LT_OUTPUT, open, end, line);
    if (!tag) {
        read_output(s, t);
        return end;
    }
    read_tag(s, t);
    if (t->kind == LT_TAG && liquid_tok_is(s, t, "raw"))
        return extend_raw(lx, t);
    return end;
}

/* The next "{%" or "{{" that can start a token. */
static const char *next_opener(const struct lexer *lx, size_t pos)
{
    const char *s = lx->s, *end = s + lx->len;
    const char *p = s + pos;
    while (p + 1 < end && (p = memchr(p, '{', (size_t)(end - p - 1)))) {
        if ((p[1] == '%' && !lx->tag_unterminated) ||
            (p[1] == '{' && !lx->out_unterminated))
            return p;
        p++;
    }
    return NULL;
}

void liquid_lex(const char *s, size_t len, struct ltoks *ts)
{
    struct lexer lx = {s, len, {s, s + len, '%', '}', NULL, false},
                       {s, s + len, '}', 0, NULL, false}, false, false};
    size_t pos = 0;
    int line = 1;
    while (pos < len) {
        const char *p = next_opener(&lx, pos);
        size_t open = p ? (size_t)(p - s) : len;
        if (open > pos)
            push(ts, LT_TEXT, pos, open, line);
        line += count_lines(s, pos, open);
        if (!p)
            break;
        pos = lex_one(&lx, open, line, ts);
        line += count_lines(s, open, pos);
    }
    trim_neighbours(s, ts);
}
