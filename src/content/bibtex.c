/* BibTeX entries as jekyll-scholar gives them to templates (see
 * capsuled/bibtex.h): a one-pass reader over the file's bytes, macros
 * expanded as each value is read, broken entries reported and skipped. */
#include "capsuled/bibtex.h"

#include "capsuled/buf.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* A value nested deeper than this is not a bibliography but an attack on
 * the reader: braces are counted, never recursed, so this only bounds the
 * work of one field. */
enum { BIB_MAX_FIELD = 1 << 20 };

struct bib_reader {
    const char *file;
    const char *s;
    size_t len, pos;
    int line;
    struct value *macros; /* @string name → raw text */
    struct diags *diags;
};

static int S_peek(const struct bib_reader *r)
{
    return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

static void S_advance(struct bib_reader *r)
{
    if (r->pos < r->len && r->s[r->pos++] == '\n')
        r->line++;
}

/* Whitespace, and between fields a % comment to the end of its line. */
static void S_skip_space(struct bib_reader *r)
{
    for (int c = S_peek(r); c >= 0; c = S_peek(r)) {
        if (c == '%')
            while (S_peek(r) >= 0 && S_peek(r) != '\n')
                S_advance(r);
        else if (isspace(c))
            S_advance(r);
        else
            return;
    }
}

/* BibTeX's identifiers: any printable byte but the ones its syntax uses. */
static bool S_is_ident_byte(int c)
{
    return c > ' ' && c != 127 && !strchr("\"#%'(),={}", c);
}

static size_t S_read_ident(struct bib_reader *r, struct buf *out)
{
    size_t start = r->pos;
    while (S_is_ident_byte(S_peek(r)))
        S_advance(r);
    buf_clear(out);
    buf_put(out, r->s + start, r->pos - start);
    return r->pos - start;
}

static void S_lower(struct buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        b->data[i] = (char)tolower((unsigned char)b->data[i]);
}

/* --- values --- */

/* From an opening brace (or quote) to its partner, braces balanced; the
 * raw text between is appended. False at the end of the file. */
static bool S_read_delimited(struct bib_reader *r, char close,
                             struct buf *out)
{
    int depth = 0;
    S_advance(r); /* the opening { or " */
    for (int c = S_peek(r); c >= 0; c = S_peek(r)) {
        if (c == close && depth == 0) {
            S_advance(r);
            return true;
        }
        depth += c == '{';
        depth -= c == '}' && depth > 0;
        if (out->len < BIB_MAX_FIELD)
            buf_putc(out, (char)c);
        S_advance(r);
    }
    return false;
}

static const char *const month_macros[][2] = {
    {"jan", "January"}, {"feb", "February"}, {"mar", "March"},
    {"apr", "April"},   {"may", "May"},      {"jun", "June"},
    {"jul", "July"},    {"aug", "August"},   {"sep", "September"},
    {"oct", "October"}, {"nov", "November"}, {"dec", "December"},
};

static void S_expand_macro(const struct bib_reader *r, struct buf *name,
                           struct buf *out)
{
    S_lower(name);
    const struct value *v = value_hash_getn(r->macros, name->data, name->len);
    if (v) {
        buf_put(out, value_text(v), value_len(v));
        return;
    }
    for (size_t i = 0; i < sizeof month_macros / sizeof *month_macros; i++)
        if (strcmp(name->data, month_macros[i][0]) == 0) {
            buf_puts(out, month_macros[i][1]);
            return;
        }
    /* An undefined macro: BibTeX warns and reads it as empty. */
    diags_add(r->diags, DIAG_WARNING, r->file, r->line,
              "undefined BibTeX string '%s'", name->data);
}

/* One piece of a value: {…}, "…", a number or a macro name. */
static bool S_read_piece(struct bib_reader *r, struct buf *out)
{
    int c = S_peek(r);
    if (c == '{')
        return S_read_delimited(r, '}', out);
    if (c == '"')
        return S_read_delimited(r, '"', out);
    struct buf name = {0};
    bool ok = S_read_ident(r, &name) > 0;
    if (ok && isdigit((unsigned char)name.data[0]))
        buf_put(out, name.data, name.len);
    else if (ok)
        S_expand_macro(r, &name, out);
    buf_free(&name);
    return ok;
}

/* piece # piece # …, raw (LaTeX still in it). */
static bool S_read_value(struct bib_reader *r, struct buf *out)
{
    buf_clear(out);
    for (;;) {
        S_skip_space(r);
        if (!S_read_piece(r, out))
            return false;
        S_skip_space(r);
        if (S_peek(r) != '#')
            return true;
        S_advance(r);
    }
}

/* --- entries --- */

static void S_fail(struct bib_reader *r, int line, const char *what)
{
    diags_add(r->diags, DIAG_WARNING, r->file, line,
              "BibTeX entry skipped: %s", what);
}

/* The keys the reader sets itself: a field of that name (a thesis's
 * `type = {PhD thesis}`) must not replace the entry's type or key. */
static bool S_reserved(const char *name)
{
    return strcmp(name, "type") == 0 || strcmp(name, "key") == 0 ||
           strcmp(name, "line") == 0 || strcmp(name, "author_array") == 0;
}

static void S_set_field(struct value *entry, struct buf *name,
                        const struct buf *raw)
{
    S_lower(name);
    if (S_reserved(name->data))
        return;
    struct buf text = {0};
    bibtex_decode_latex(raw->data ? raw->data : "", raw->len, &text);
    value_hash_set(entry, name->data, name->len,
                   value_string(text.data ? text.data : "", text.len));
    if (strcmp(name->data, "author") == 0)
        value_hash_set(entry, "author_array", 12,
                       bibtex_split_names(raw->data ? raw->data : "",
                                          raw->len));
    buf_free(&text);
}

/* name = value, …, up to the closing delimiter. */
static bool S_read_fields(struct bib_reader *r, char close,
                          struct value *entry)
{
    struct buf name = {0}, raw = {0};
    bool ok = false;
    for (;;) {
        S_skip_space(r);
        if (S_peek(r) == close) {
            S_advance(r);
            ok = true;
            break;
        }
        if (S_read_ident(r, &name) == 0)
            break;
        S_skip_space(r);
        if (S_peek(r) != '=')
            break;
        S_advance(r);
        if (!S_read_value(r, &raw))
            break;
        S_set_field(entry, &name, &raw);
        S_skip_space(r);
        if (S_peek(r) == ',')
            S_advance(r);
        else if (S_peek(r) != close)
            break;
    }
    buf_free(&name);
    buf_free(&raw);
    return ok;
}

static struct value *S_read_entry(struct bib_reader *r, struct buf *type,
                                  char close, int line)
{
    struct buf key = {0};
    S_skip_space(r);
    while (S_peek(r) >= 0 && S_peek(r) != ',' && S_peek(r) != close &&
           !isspace(S_peek(r)))
        S_advance(r), buf_putc(&key, r->s[r->pos - 1]);
    struct value *entry = value_hash();
    S_lower(type);
    value_hash_set(entry, "type", 4, value_string(type->data, type->len));
    value_hash_set(entry, "key", 3,
                   value_string(key.data ? key.data : "", key.len));
    value_hash_set(entry, "line", 4, value_int(line));
    S_skip_space(r);
    if (S_peek(r) == ',')
        S_advance(r);
    buf_free(&key);
    if (!S_read_fields(r, close, entry)) {
        value_release(entry);
        S_fail(r, line, "a field is not `name = {value}` or the entry is "
                        "never closed");
        return NULL;
    }
    return entry;
}

static void S_read_string_macro(struct bib_reader *r, char close, int line)
{
    struct buf name = {0}, raw = {0};
    S_skip_space(r);
    bool ok = S_read_ident(r, &name) > 0;
    S_skip_space(r);
    ok = ok && S_peek(r) == '=';
    if (ok) {
        S_advance(r);
        ok = S_read_value(r, &raw);
        S_skip_space(r);
        ok = ok && S_peek(r) == close;
    }
    if (ok) {
        S_advance(r);
        S_lower(&name);
        value_hash_set(r->macros, name.data, name.len,
                       value_string(raw.data ? raw.data : "", raw.len));
    } else {
        S_fail(r, line, "@string is not `@string{name = value}`");
    }
    buf_free(&name);
    buf_free(&raw);
}

/* @comment and @preamble: their balanced contents are skipped. */
static void S_skip_block(struct bib_reader *r, char close)
{
    struct buf ignored = {0};
    r->pos--; /* back onto the opening delimiter */
    S_read_delimited(r, close == '}' ? '}' : ')', &ignored);
    buf_free(&ignored);
}

/* After '@': type, opening delimiter, then the entry of that type. */
static struct value *S_read_at(struct bib_reader *r)
{
    int line = r->line;
    struct buf type = {0};
    struct value *entry = NULL;
    S_skip_space(r);
    S_read_ident(r, &type);
    S_skip_space(r);
    int open = S_peek(r);
    if (type.len == 0 || (open != '{' && open != '(')) {
        buf_free(&type);
        return NULL; /* an @ in the text between entries: a comment */
    }
    char close = open == '{' ? '}' : ')';
    S_advance(r);
    S_lower(&type);
    if (strcmp(type.data, "comment") == 0 ||
        strcmp(type.data, "preamble") == 0)
        S_skip_block(r, close);
    else if (strcmp(type.data, "string") == 0)
        S_read_string_macro(r, close, line);
    else
        entry = S_read_entry(r, &type, close, line);
    buf_free(&type);
    return entry;
}

struct value *bibtex_parse(const char *file, const char *text, size_t len,
                           struct diags *diags)
{
    struct bib_reader r = {.file = file, .s = text, .len = len, .line = 1,
                           .macros = value_hash(), .diags = diags};
    struct value *entries = value_array();
    while (r.pos < r.len) {
        if (S_peek(&r) != '@') {
            S_advance(&r);
            continue;
        }
        S_advance(&r);
        struct value *entry = S_read_at(&r);
        if (entry)
            value_array_push(entries, entry);
    }
    value_release(r.macros);
    return entries;
}
