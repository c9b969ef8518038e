#include "capsuled/html.h"

#include "capsuled/utf8.h"

#include <stdlib.h>
#include <string.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* --- tokenizer --- */

/* Position just after the '>' closing a tag whose attributes start at i, or
 * 0 when a '<' or the end comes first. Stopping at '<' keeps the tokenizer
 * linear: a failed scan never reaches past the next candidate tag. */
static size_t tag_close(const char *s, size_t len, size_t i)
{
    char quote = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '<')
            return 0;
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return 0;
}

static size_t read_name(const char *s, size_t len, size_t i, char name[16])
{
    size_t n = 0;
    while (i < len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' ||
                       s[i] == ':' || s[i] == '_')) {
        if (n < 15)
            name[n++] = lower(s[i]);
        else
            name[0] = '?'; /* too long: matches nothing we know */
        i++;
    }
    name[n] = '\0';
    return i;
}

static size_t comment_token(const char *s, size_t len, struct html_token *t)
{
    t->type = HTML_COMMENT;
    /* "<!-->" and "<!--->" are complete (empty) comments. */
    if (len >= 5 && s[4] == '>')
        return 5;
    if (len >= 6 && s[4] == '-' && s[5] == '>')
        return 6;
    for (size_t i = 4; i + 2 < len; i++) {
        if (s[i] == '-' && s[i + 1] == '-') {
            if (s[i + 2] == '>')
                return i + 3;
            if (i + 3 < len && s[i + 2] == '!' && s[i + 3] == '>')
                return i + 4;
        }
    }
    t->unterminated = true;
    return len;
}

static size_t text_token(const char *s, size_t len, struct html_token *t)
{
    t->type = HTML_TEXT;
    const char *lt = memchr(s + 1, '<', len - 1);
    return lt ? (size_t)(lt - s) : len;
}

static size_t start_or_end_tag(const char *s, size_t len, struct html_token *t)
{
    bool end = s[1] == '/';
    size_t i = end ? 2 : 1;
    if (i >= len || !is_alpha(s[i]))
        return 0;
    i = read_name(s, len, i, t->name);
    if (i < len && !is_space(s[i]) && s[i] != '>' && s[i] != '/')
        return 0;
    size_t close = tag_close(s, len, i);
    if (!close)
        return 0;
    t->type = end ? HTML_END : HTML_START;
    if (!end) {
        t->attrs = s + i;
        t->attrs_len = close - 1 - i;
        t->self_closing = close >= 2 && s[close - 2] == '/';
    }
    return close;
}

size_t html_next_token(const char *s, size_t len, struct html_token *t)
{
    memset(t, 0, sizeof *t);
    t->raw = s;
    size_t n = 0;
    if (s[0] == '<' && len >= 2) {
        if (len >= 4 && memcmp(s, "<!--", 4) == 0) {
            n = comment_token(s, len, t);
        } else if (s[1] == '!' || s[1] == '?') {
            n = tag_close(s, len, 2);
            t->type = HTML_DECL;
        } else {
            n = start_or_end_tag(s, len, t);
        }
    }
    if (!n) {
        memset(t, 0, sizeof *t);
        t->raw = s;
        n = text_token(s, len, t);
    }
    t->raw_len = n;
    return n;
}

/* --- attributes --- */

/* Reads one attribute at a[i]: sets its name and value span; returns the
 * position after it, or n when there is none left. */
static size_t next_attr(const char *a, size_t n, size_t i, const char **name,
                        size_t *name_len, const char **val, size_t *val_len)
{
    while (i < n && (is_space(a[i]) || a[i] == '/'))
        i++;
    *name = a + i;
    while (i < n && !is_space(a[i]) && a[i] != '=' && a[i] != '/')
        i++;
    *name_len = (size_t)(a + i - *name);
    *val = NULL;
    *val_len = 0;
    size_t j = i;
    while (j < n && is_space(a[j]))
        j++;
    if (j >= n || a[j] != '=')
        return i;
    j++;
    while (j < n && is_space(a[j]))
        j++;
    if (j < n && (a[j] == '"' || a[j] == '\'')) {
        char q = a[j++];
        *val = a + j;
        while (j < n && a[j] != q)
            j++;
        *val_len = (size_t)(a + j - *val);
        return j < n ? j + 1 : j;
    }
    *val = a + j;
    while (j < n && !is_space(a[j]))
        j++;
    *val_len = (size_t)(a + j - *val);
    return j;
}

bool html_attr(const struct html_token *t, const char *name, struct buf *out)
{
    if (t->type != HTML_START)
        return false;
    size_t want = strlen(name), i = 0, n = t->attrs_len;
    const char *a = t->attrs;
    while (i < n) {
        const char *an, *av;
        size_t anl, avl;
        size_t next = next_attr(a, n, i, &an, &anl, &av, &avl);
        if (anl == 0)
            break;
        if (anl == want) {
            bool same = true;
            for (size_t k = 0; k < anl && same; k++)
                same = lower(an[k]) == name[k];
            if (same) {
                if (av)
                    html_decode(av, avl, out);
                return true;
            }
        }
        i = next > i ? next : i + 1;
    }
    return false;
}

/* --- character references --- */

struct entity {
    const char *name;
    unsigned cp;
};

/* The references profile pages actually use; the space entities map to a
 * plain space on purpose (see html.h). Sorted for bsearch. */
static const struct entity entities[] = {
    {"AElig", 0xC6},   {"Aacute", 0xC1},  {"Acirc", 0xC2},   {"Agrave", 0xC0},
    {"Aring", 0xC5},   {"Atilde", 0xC3},  {"Auml", 0xC4},    {"Ccedil", 0xC7},
    {"Eacute", 0xC9},  {"Egrave", 0xC8},  {"Iacute", 0xCD},  {"Ntilde", 0xD1},
    {"Oacute", 0xD3},  {"Oslash", 0xD8},  {"Ouml", 0xD6},    {"Uacute", 0xDA},
    {"Uuml", 0xDC},    {"aacute", 0xE1},  {"acirc", 0xE2},   {"aelig", 0xE6},
    {"agrave", 0xE0},  {"alpha", 0x3B1},  {"amp", '&'},      {"apos", '\''},
    {"aring", 0xE5},   {"atilde", 0xE3},  {"auml", 0xE4},    {"beta", 0x3B2},
    {"bull", 0x2022},  {"ccedil", 0xE7},  {"cent", 0xA2},    {"check", 0x2713},
    {"copy", 0xA9},    {"dagger", 0x2020}, {"darr", 0x2193},  {"deg", 0xB0},
    {"delta", 0x3B4},  {"divide", 0xF7},  {"eacute", 0xE9},  {"ecirc", 0xEA},
    {"egrave", 0xE8},  {"emsp", ' '},     {"ensp", ' '},     {"euml", 0xEB},
    {"euro", 0x20AC},  {"gamma", 0x3B3},  {"ge", 0x2265},    {"gt", '>'},
    {"harr", 0x2194},  {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED},
    {"icirc", 0xEE},   {"iexcl", 0xA1},   {"igrave", 0xEC},  {"infin", 0x221E},
    {"iquest", 0xBF},  {"iuml", 0xEF},    {"lambda", 0x3BB}, {"laquo", 0xAB},
    {"larr", 0x2190},  {"ldquo", 0x201C}, {"le", 0x2264},    {"lsaquo", 0x2039},
    {"lsquo", 0x2018}, {"lt", '<'},       {"mdash", 0x2014}, {"middot", 0xB7},
    {"mu", 0x3BC},     {"nbsp", ' '},     {"ndash", 0x2013}, {"ne", 0x2260},
    {"ntilde", 0xF1},  {"oacute", 0xF3},  {"ocirc", 0xF4},   {"ograve", 0xF2},
    {"oslash", 0xF8},  {"otilde", 0xF5},  {"ouml", 0xF6},    {"para", 0xB6},
    {"pi", 0x3C0},     {"plusmn", 0xB1},  {"pound", 0xA3},   {"quot", '"'},
    {"raquo", 0xBB},   {"rarr", 0x2192},  {"rdquo", 0x201D}, {"reg", 0xAE},
    {"rsaquo", 0x203A}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"sect", 0xA7},
    {"shy", 0xAD},     {"sigma", 0x3C3},  {"star", 0x2606},  {"szlig", 0xDF},
    {"thinsp", ' '},   {"times", 0xD7},   {"trade", 0x2122}, {"uacute", 0xFA},
    {"uarr", 0x2191},  {"ucirc", 0xFB},   {"ugrave", 0xF9},  {"uuml", 0xFC},
    {"yen", 0xA5},     {"zwj", 0x200D},   {"zwnj", 0x200C},
};

static int entity_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct entity *)elem)->name);
}

static void put_cp(struct buf *out, unsigned cp)
{
    char tmp[4];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    buf_put(out, tmp, utf8_encode(cp, tmp));
}

static size_t numeric_ref(const char *s, size_t len, struct buf *out)
{
    size_t i = 2;
    bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
    if (hex)
        i++;
    size_t start = i;
    unsigned long cp = 0;
    while (i < len && i - start < 8) {
        char c = s[i];
        int d = is_digit(c) ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            break;
        cp = cp * (hex ? 16 : 10) + (unsigned long)d;
        i++;
    }
    if (i == start || i >= len || s[i] != ';')
        return 0;
    put_cp(out, cp > 0x10FFFF ? 0xFFFD : (unsigned)cp);
    return i + 1;
}

size_t html_decode_ref(const char *s, size_t len, struct buf *out)
{
    if (len < 3 || s[0] != '&')
        return 0;
    if (s[1] == '#')
        return numeric_ref(s, len, out);
    char name[16];
    size_t i = 1, n = 0;
    while (i < len && n < sizeof name - 1 && (is_alpha(s[i]) || is_digit(s[i])))
        name[n++] = s[i++];
    name[n] = '\0';
    if (n == 0 || i >= len || s[i] != ';')
        return 0;
    const struct entity *e = bsearch(name, entities,
                                     sizeof entities / sizeof entities[0],
                                     sizeof entities[0], entity_cmp);
    if (!e)
        return 0;
    if (e->cp != 0xAD) /* a soft hyphen only marks a break opportunity */
        put_cp(out, e->cp);
    return i + 1;
}

void html_decode(const char *s, size_t len, struct buf *out)
{
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t upto = amp ? (size_t)(amp - s) : len;
        buf_put(out, s + i, upto - i);
        i = upto;
        if (i >= len)
            break;
        size_t took = html_decode_ref(s + i, len - i, out);
        if (!took) {
            buf_putc(out, '&');
            took = 1;
        }
        i += took;
    }
}

/* --- tag meanings --- */

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

enum html_kind html_kind(const char *name)
{
    static const char *const blocks[] = {
        "p", "div", "details", "summary", "section", "article", "header",
        "footer", "nav", "aside", "main", "figure", "figcaption", "table",
        "thead", "tbody", "tfoot", "tr", "caption", "dl", "dt", "dd", "form",
        "fieldset", "legend", "address", "hgroup", "center", "body", "html",
        NULL};
    static const char *const drops[] = {"script", "style", "template", "svg",
                                        "math", "noscript", "head", "title",
                                        "textarea", "select", NULL};
    static const char *const embeds[] = {"iframe", "video", "audio", "embed",
                                         "object", "source", "track",
                                         "canvas", NULL};
    if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2])
        return HK_HEADING;
    if (!strcmp(name, "br") || !strcmp(name, "wbr"))
        return !strcmp(name, "br") ? HK_BREAK : HK_INLINE;
    if (!strcmp(name, "a"))
        return HK_LINK;
    if (!strcmp(name, "img"))
        return HK_IMAGE;
    if (!strcmp(name, "ul") || !strcmp(name, "ol"))
        return HK_LIST;
    if (!strcmp(name, "li"))
        return HK_ITEM;
    if (!strcmp(name, "blockquote"))
        return HK_QUOTE;
    if (!strcmp(name, "pre"))
        return HK_PRE;
    if (!strcmp(name, "hr"))
        return HK_RULE;
    if (!strcmp(name, "td") || !strcmp(name, "th"))
        return HK_CELL;
    if (in_list(name, blocks))
        return HK_BLOCK;
    if (in_list(name, drops))
        return HK_DROP;
    if (in_list(name, embeds))
        return HK_EMBED;
    return HK_INLINE;
}

bool html_is_void(const char *name)
{
    static const char *const voids[] = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr", "param", NULL};
    return in_list(name, voids);
}
