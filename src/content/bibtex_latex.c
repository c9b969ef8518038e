/* The LaTeX of BibTeX values as a reader sees it: accents composed, escapes
 * and dashes as their characters, grouping braces and formatting commands
 * gone; and author fields split into names. */
#include "capsuled/bibtex.h"

#include "capsuled/buf.h"
#include "capsuled/utf8.h"

#include <ctype.h>
#include <strings.h>
#include <stdbool.h>
#include <string.h>

/* --- accents --- */

/* Precomposed letters for the accents names in the bibliographies people
 * write; anything else gets the combining mark after its letter. */
static const struct {
    char accent, letter;
    unsigned cp;
} composed[] = {
    {'\'', 'a', 0xE1}, {'\'', 'e', 0xE9}, {'\'', 'i', 0xED},
    {'\'', 'o', 0xF3}, {'\'', 'u', 0xFA}, {'\'', 'y', 0xFD},
    {'\'', 'A', 0xC1}, {'\'', 'E', 0xC9}, {'\'', 'I', 0xCD},
    {'\'', 'O', 0xD3}, {'\'', 'U', 0xDA}, {'\'', 'c', 0x107},
    {'\'', 'n', 0x144}, {'\'', 's', 0x15B}, {'\'', 'z', 0x17A},
    {'`', 'a', 0xE0},  {'`', 'e', 0xE8},  {'`', 'i', 0xEC},
    {'`', 'o', 0xF2},  {'`', 'u', 0xF9},  {'`', 'A', 0xC0},
    {'`', 'E', 0xC8},  {'^', 'a', 0xE2},  {'^', 'e', 0xEA},
    {'^', 'i', 0xEE},  {'^', 'o', 0xF4},  {'^', 'u', 0xFB},
    {'"', 'a', 0xE4},  {'"', 'e', 0xEB},  {'"', 'i', 0xEF},
    {'"', 'o', 0xF6},  {'"', 'u', 0xFC},  {'"', 'y', 0xFF},
    {'"', 'A', 0xC4},  {'"', 'O', 0xD6},  {'"', 'U', 0xDC},
    {'~', 'a', 0xE3},  {'~', 'n', 0xF1},  {'~', 'o', 0xF5},
    {'~', 'N', 0xD1},  {'c', 'c', 0xE7},  {'c', 'C', 0xC7},
    {'c', 's', 0x15F}, {'v', 'c', 0x10D}, {'v', 's', 0x161},
    {'v', 'z', 0x17E}, {'v', 'r', 0x159}, {'v', 'e', 0x11B},
    {'v', 'C', 0x10C}, {'v', 'S', 0x160}, {'v', 'Z', 0x17D},
    {'u', 'a', 0x103}, {'u', 'g', 0x11F}, {'H', 'o', 0x151},
    {'H', 'u', 0x171}, {'.', 'z', 0x17C}, {'=', 'a', 0x101},
    {'k', 'a', 0x105}, {'k', 'e', 0x119}, {'r', 'a', 0xE5},
};

static const struct {
    char accent;
    unsigned mark;
} combining[] = {
    {'\'', 0x301}, {'`', 0x300}, {'^', 0x302}, {'"', 0x308}, {'~', 0x303},
    {'=', 0x304},  {'.', 0x307}, {'u', 0x306}, {'v', 0x30C}, {'H', 0x30B},
    {'c', 0x327},  {'k', 0x328}, {'r', 0x30A}, {'d', 0x323}, {'b', 0x331},
};

static void S_put_cp(struct buf *out, unsigned cp)
{
    char enc[4];
    buf_put(out, enc, utf8_encode(cp, enc));
}

static unsigned S_mark_of(char accent)
{
    for (size_t i = 0; i < sizeof combining / sizeof *combining; i++)
        if (combining[i].accent == accent)
            return combining[i].mark;
    return 0;
}

static void S_put_accented(struct buf *out, char accent, unsigned letter)
{
    for (size_t i = 0; i < sizeof composed / sizeof *composed; i++)
        if (composed[i].accent == accent &&
            (unsigned char)composed[i].letter == letter) {
            S_put_cp(out, composed[i].cp);
            return;
        }
    S_put_cp(out, letter);
    S_put_cp(out, S_mark_of(accent));
}

/* --- commands --- */

static const struct {
    const char *name, *text;
} named[] = {
    {"ss", "ß"},         {"o", "ø"},           {"O", "Ø"},
    {"ae", "æ"},         {"AE", "Æ"},          {"oe", "œ"},
    {"OE", "Œ"},         {"aa", "å"},          {"AA", "Å"},
    {"l", "ł"},          {"L", "Ł"},           {"i", "ı"},
    {"j", "ȷ"},          {"textendash", "–"},  {"textemdash", "—"},
    {"ldots", "…"},      {"dots", "…"},        {"textquoteright", "’"},
    {"LaTeX", "LaTeX"},  {"TeX", "TeX"},       {"textasciitilde", "~"},
    {"textbackslash", "\\"}, {"textregistered", "®"}, {"copyright", "©"},
    /* the math people put in titles */
    {"alpha", "α"},      {"beta", "β"},        {"gamma", "γ"},
    {"delta", "δ"},      {"epsilon", "ε"},     {"theta", "θ"},
    {"lambda", "λ"},     {"mu", "μ"},          {"pi", "π"},
    {"sigma", "σ"},      {"omega", "ω"},       {"Delta", "Δ"},
    {"times", "×"},      {"pm", "±"},          {"infty", "∞"},
    {"leq", "≤"},        {"geq", "≥"},         {"to", "→"},
};

struct latex {
    const char *s;
    size_t len, pos;
    struct buf *out;
};

/* The letter an accent applies to: "e", "{e}", "{\i}", "\i". */
static unsigned S_accent_target(struct latex *l)
{
    bool braced = l->pos < l->len && l->s[l->pos] == '{';
    l->pos += braced;
    while (l->pos < l->len && l->s[l->pos] == ' ')
        l->pos++;
    unsigned letter = 0;
    if (l->pos + 1 < l->len && l->s[l->pos] == '\\' &&
        (l->s[l->pos + 1] == 'i' || l->s[l->pos + 1] == 'j')) {
        letter = (unsigned char)l->s[l->pos + 1]; /* dotless i/j: the accent
                                                      replaces the dot */
        l->pos += 2;
    } else if (l->pos < l->len) {
        l->pos += utf8_decode(l->s + l->pos, l->len - l->pos, &letter);
    }
    if (braced && l->pos < l->len && l->s[l->pos] == '}')
        l->pos++;
    return letter;
}

static bool S_is_letter_accent(const char *name, size_t n)
{
    return n == 1 && strchr("cvuHkrdb", name[0]);
}

static bool S_put_named(struct latex *l, const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strlen(named[i].name) == n && memcmp(named[i].name, name, n) == 0) {
            buf_puts(l->out, named[i].text);
            return true;
        }
    return false;
}

/* After a backslash: an escaped character, an accent, a named symbol, or a
 * formatting command (\emph, \textbf…) whose name is dropped and whose
 * argument stays. */
static void S_command(struct latex *l)
{
    if (l->pos >= l->len)
        return;
    char c = l->s[l->pos];
    if (!isalpha((unsigned char)c)) {
        l->pos++;
        if (strchr("'`^\"~=.", c))
            S_put_accented(l->out, c, S_accent_target(l));
        else if (c == '\\')
            buf_putc(l->out, ' '); /* a line break */
        else if (c != ' ')
            buf_putc(l->out, c); /* \& \% \$ \# \_ \{ \} */
        return;
    }
    size_t start = l->pos;
    while (l->pos < l->len && isalpha((unsigned char)l->s[l->pos]))
        l->pos++;
    const char *name = l->s + start;
    size_t n = l->pos - start;
    bool spaced = l->pos < l->len && l->s[l->pos] == ' ';
    if (S_is_letter_accent(name, n) && l->pos < l->len &&
        (spaced || l->s[l->pos] == '{')) {
        l->pos += spaced;
        S_put_accented(l->out, name[0], S_accent_target(l));
        return;
    }
    l->pos += spaced; /* the space that ends a command name */
    S_put_named(l, name, n);
}

/* "--" and "---" as the dashes TeX typesets. */
static bool S_dash(struct latex *l)
{
    if (l->pos + 1 >= l->len || l->s[l->pos + 1] != '-')
        return false;
    bool em = l->pos + 2 < l->len && l->s[l->pos + 2] == '-';
    buf_puts(l->out, em ? "—" : "–");
    l->pos += em ? 3 : 2;
    return true;
}

static void S_space(struct latex *l)
{
    if (l->out->len > 0 && l->out->data[l->out->len - 1] != ' ')
        buf_putc(l->out, ' ');
    l->pos++;
}

void bibtex_decode_latex(const char *s, size_t len, struct buf *out)
{
    size_t start = out->len;
    struct latex l = {.s = s, .len = len, .out = out};
    while (l.pos < l.len) {
        char c = l.s[l.pos];
        if (c == '\\') {
            l.pos++;
            S_command(&l);
        } else if (c == '-' && S_dash(&l)) {
            continue;
        } else if (c == '{' || c == '}' || c == '$') {
            l.pos++;
        } else if (c == '~' || isspace((unsigned char)c)) {
            S_space(&l);
        } else {
            buf_putc(out, c);
            l.pos++;
        }
    }
    while (out->len > start && out->data[out->len - 1] == ' ')
        out->len--;
    if (out->len > start && out->data[start] == ' ')
        memmove(out->data + start, out->data + start + 1,
                --out->len - start);
    buf_putc(out, '\0');
    out->len--;
}

/* --- names --- */

/* The end of the next " and " at brace depth 0 from i, or len. */
static size_t S_name_end(const char *s, size_t len, size_t i, size_t *next)
{
    int depth = 0;
    for (; i < len; i++) {
        depth += s[i] == '{';
        depth -= s[i] == '}' && depth > 0;
        if (depth == 0 && isspace((unsigned char)s[i]) && i + 4 < len &&
            strncasecmp(s + i + 1, "and", 3) == 0 &&
            isspace((unsigned char)s[i + 4])) {
            *next = i + 5;
            return i;
        }
    }
    *next = len;
    return len;
}

static struct value *S_decoded(const char *s, size_t len)
{
    struct buf b = {0};
    bibtex_decode_latex(s, len, &b);
    struct value *v = value_string(b.data ? b.data : "", b.len);
    buf_free(&b);
    return v;
}

/* The last top-level comma, or the last top-level space: where "Last,
 * First" or "First Last" divides. *comma tells which. */
static size_t S_name_split(const char *s, size_t len, bool *comma)
{
    int depth = 0;
    size_t first_comma = len, last_space = len;
    for (size_t i = 0; i < len; i++) {
        depth += s[i] == '{';
        depth -= s[i] == '}' && depth > 0;
        if (depth == 0 && s[i] == ',' && first_comma == len)
            first_comma = i;
        if (depth == 0 && isspace((unsigned char)s[i]))
            last_space = i;
    }
    *comma = first_comma < len;
    return *comma ? first_comma : last_space;
}

static struct value *S_name(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    bool comma;
    size_t cut = S_name_split(s, len, &comma);
    struct value *name = value_hash();
    if (cut >= len) {
        value_hash_set(name, "first", 5, value_cstring(""));
        value_hash_set(name, "last", 4, S_decoded(s, len));
        return name;
    }
    const char *first = comma ? s + cut + 1 : s;
    size_t first_len = comma ? len - cut - 1 : cut;
    const char *last = comma ? s : s + cut + 1;
    size_t last_len = comma ? cut : len - cut - 1;
    value_hash_set(name, "first", 5, S_decoded(first, first_len));
    value_hash_set(name, "last", 4, S_decoded(last, last_len));
    return name;
}

struct value *bibtex_split_names(const char *s, size_t len)
{
    struct value *names = value_array();
    for (size_t i = 0; i < len;) {
        size_t next, end = S_name_end(s, len, i, &next);
        if (end > i)
            value_array_push(names, S_name(s + i, end - i));
        i = next;
    }
    return names;
}
