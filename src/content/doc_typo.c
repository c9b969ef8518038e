/* kramdown's typography as Jekyll shows it (kramdown 2.4's
 * typographic_symbol.rb and smart_quotes.rb): "---" em dash, "--" en dash,
 * "..." ellipsis, "<<" and ">>" guillemets, and straight quotes made curly
 * by kramdown's rules, in that order of trial. It runs over the text of one
 * text node; what lies around the node (a line break, emphasis, another
 * element, the end of the block) is given as the characters kramdown would
 * see there. A leaf of the doc modules. */
#include "doc_internal.h"

#include <stdint.h>
#include <string.h>

#define LDQUO "\xe2\x80\x9c"
#define RDQUO "\xe2\x80\x9d"
#define LSQUO "\xe2\x80\x98"
#define RSQUO "\xe2\x80\x99"

/* Ruby's ASCII classes, as kramdown's regular expressions use them. */
static bool is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_word(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* SQ_PUNCT */
static bool is_punct(int c)
{
    return c > 0 && c < 0x80 && strchr("!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}~",
                                       c) != NULL;
}

/* SQ_CLOSE: a character after which a quote closes. */
static bool is_close(int c)
{
    return c > 0 && !strchr(" \\\t\r\n[{(-", c);
}

/* The text with what follows it: at(k) past the end is the context. */
struct typo_text {
    const char *s;
    size_t len;
    enum typo_next next;
};

static int at(const struct typo_text *t, size_t k)
{
    if (k < t->len)
        return (unsigned char)t->s[k];
    switch (t->next) {
    case TYPO_NEXT_END:
        return k == t->len ? '\n' : 0;
    case TYPO_NEXT_EMPH:
        return k == t->len ? '*' : 'x';
    default:
        return k == t->len ? '\x01' : 0; /* an element: none of the above */
    }
}

/* The quote at i when kramdown's scan stands on it (nothing before it in
 * the scan: start of the text, or right after an element). Returns the
 * characters taken (1 or 2) and puts the replacement. */
static size_t quote_alone(const struct typo_text *t, size_t i, bool dbl,
                          struct buf *out)
{
    int n1 = at(t, i + 1), n2 = at(t, i + 2), n3 = at(t, i + 3);
    if ((n1 == '*' || n1 == '_') && n2 && !is_ws(n2))
        return buf_puts(out, dbl ? LDQUO : LSQUO), 1; /* before emphasis */
    if (is_punct(n1) && !(n2 == '.' && n3 == '.') &&
        is_word(n1) == is_word(n2))
        return buf_puts(out, dbl ? RDQUO : RSQUO), 1;
    if (dbl && n1 == '\'' && is_word(n2))
        return buf_puts(out, LDQUO LSQUO), 2;
    if (!dbl && n1 == '"' && is_word(n2))
        return buf_puts(out, LSQUO LDQUO), 2;
    if (!dbl && is_digit(n1) && is_digit(n2) && n3 == 's')
        return buf_puts(out, RSQUO), 1; /* the '80s */
    if (is_ws(n1) || (n1 == 's' && !is_word(n2)))
        return buf_puts(out, dbl ? RDQUO : RSQUO), 1;
    return buf_puts(out, dbl ? LDQUO : LSQUO), 1;
}

/* The quote at i after the character c, which kramdown's scan takes with
 * it. */
static size_t quote_after(const struct typo_text *t, size_t i, int c,
                          bool dbl, struct buf *out)
{
    int n1 = at(t, i + 1), n2 = at(t, i + 2), n3 = at(t, i + 3);
    if (is_ws(c)) {
        if (dbl && n1 == '\'' && is_word(n2))
            return buf_puts(out, LDQUO LSQUO), 2;
        if (!dbl && n1 == '"' && is_word(n2))
            return buf_puts(out, LSQUO LDQUO), 2;
        if (!dbl && is_digit(n1) && is_digit(n2) && n3 == 's')
            return buf_puts(out, RSQUO), 1;
        if (is_word(n1))
            return buf_puts(out, dbl ? LDQUO : LSQUO), 1;
    } else if (is_close(c)) {
        return buf_puts(out, dbl ? RDQUO : RSQUO), 1;
    }
    return buf_puts(out, dbl ? LDQUO : LSQUO), 1;
}

/* The typographic symbol at s[i] (every one is a repeated character):
 * its length, the replacement in *to; 0 when there is none. */
static size_t symbol(const char *s, size_t len, size_t i, const char **to)
{
    if (i + 1 >= len || s[i + 1] != s[i])
        return 0;
    switch (s[i]) {
    case '-':
        if (i + 2 < len && s[i + 2] == '-')
            return *to = "\xe2\x80\x94", 3;
        return *to = "\xe2\x80\x93", 2;
    case '.':
        return i + 2 < len && s[i + 2] == '.' ? (*to = "\xe2\x80\xa6", 3) : 0;
    case '<':
        return *to = "\xc2\xab", 2;
    case '>':
        return *to = "\xc2\xbb", 2;
    default:
        return 0;
    }
}

/* The characters this file may change, as a table: the scans over text
 * are the hot loop of every page. */
static const bool special_char[256] = {
    ['"'] = true, ['\''] = true, ['-'] = true,
    ['.'] = true, ['<'] = true,   ['>'] = true,
};

static bool special(char c)
{
    return special_char[(unsigned char)c];
}

void doc_typography(struct buf *out, const char *s, size_t len, int prev,
                    enum typo_next next)
{
    struct typo_text t = {s, len, next};
    size_t i = 0, from = 0;
    bool fresh = prev == 0; /* the scan stands on i: nothing taken before */
    while (i < len) {
        if (!special(s[i])) {
            while (++i < len && !special(s[i]))
                ;
            fresh = false;
            continue;
        }
        char c = s[i];
        size_t n = 0;
        if (c == '"' || c == '\'') {
            buf_put(out, s + from, i - from);
            n = fresh ? quote_alone(&t, i, c == '"', out)
                      : quote_after(&t, i, i ? (unsigned char)s[i - 1] : prev,
                                    c == '"', out);
        } else {
            const char *to;
            if ((n = symbol(s, len, i, &to)) != 0) {
                buf_put(out, s + from, i - from);
                buf_puts(out, to);
            }
        }
        if (!n) {
            i++;
            fresh = false;
            continue;
        }
        i += n;
        from = i;
        fresh = true;
    }
    buf_put(out, s + from, len - from);
}

/* Every quote is replaced, and a symbol wherever one starts; text with
 * neither (a sentence's lone '.' or '-') comes out as it went in, so it
 * need not be copied through doc_typography. */
/* Whether one of the eight bytes of v is C (the classic test for a zero
 * byte, on v ^ C…: exact for the word as a whole). */
static uint64_t has_byte(uint64_t v, unsigned char c)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t x = v ^ (ones * c);
    return (x - ones) & ~x & (ones * 0x80);
}

/* How many bytes at s are none of the special characters, eight at a
 * time: a page's prose is mostly such runs. */
static size_t plain_span(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (has_byte(v, '"') | has_byte(v, '\'') | has_byte(v, '-') |
            has_byte(v, '.') | has_byte(v, '<') | has_byte(v, '>'))
            break;
    }
    while (i < len && !special(s[i]))
        i++;
    return i;
}

bool doc_typography_needed(const char *s, size_t len)
{
    const char *to;
    for (size_t i = plain_span(s, len); i < len;
         i += 1 + plain_span(s + i + 1, len - i - 1))
        if (s[i] == '"' || s[i] == '\'' || symbol(s, len, i, &to))
            return true;
    return false;
}
