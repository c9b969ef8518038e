/* Names from heading text: slugs (letters and digits of any script, lower
 * case) and plain titles (emoji and symbols left out). */
#include "doc_internal.h"

#include <string.h>

static bool in_ranges(unsigned cp, const unsigned (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return true;
    return false;
}

/* Emoji, pictographs and symbol blocks: what plain_title and slugs leave
 * out. */
static bool is_symbol(unsigned cp)
{
    static const unsigned r[][2] = {
        {0x2100, 0x2BFF},   {0x3030, 0x3030},   {0x303D, 0x303D},
        {0x3297, 0x3299},   {0xFE00, 0xFE0F},   {0x200B, 0x200F},
        {0x2060, 0x206F},   {0x20D0, 0x20FF},   {0xE000, 0xF8FF},
        {0xFFF0, 0xFFFF},   {0x1F000, 0x1FBFF}, {0xE0000, 0xE01EF},
    };
    return in_ranges(cp, r, sizeof r / sizeof r[0]);
}

/* Letters and digits of any script, for slugs: everything that is not
 * punctuation, a space, a symbol or an emoji. Combining marks count as
 * letters since they belong to one. */
static bool is_word_cp(unsigned cp)
{
    static const unsigned not_word[][2] = {
        {0x80, 0xA9},     {0xAB, 0xB4},     {0xB6, 0xB9},
        {0xBB, 0xBF},     {0xD7, 0xD7},     {0xF7, 0xF7},
        {0x2000, 0x2BFF}, {0x2E00, 0x2E7F}, {0x3000, 0x3004},
        {0x3008, 0x303F}, {0xFE10, 0xFE6F}, {0xFF00, 0xFF0F},
        {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},
        {0xFEFF, 0xFEFF},
    };
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
               (cp >= 'A' && cp <= 'Z');
    if (is_symbol(cp))
        return false;
    return !in_ranges(cp, not_word, sizeof not_word / sizeof not_word[0]);
}

/* Lower case for the scripts profiles are written in; other code points are
 * kept as they are. */
static unsigned fold_case(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
        (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
        (cp >= 0x410 && cp <= 0x42F))
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 80;
    if (cp >= 0x100 && cp <= 0x17F) {
        bool odd_upper = (cp >= 0x139 && cp <= 0x148) ||
                         (cp >= 0x179 && cp <= 0x17E);
        if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 ||
            cp == 0x17F)
            return cp;
        if (cp == 0x178)
            return 0xFF;
        if (odd_upper ? (cp & 1) : !(cp & 1))
            return cp + 1;
    }
    return cp;
}

static void put_cp(struct buf *b, unsigned cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
        return;
    }
    char tmp[4];
    buf_put(b, tmp, utf8_encode(cp, tmp));
}

char *doc_slugify(const char *text)
{
    struct buf out = {0};
    size_t len = strlen(text), i = 0;
    bool dash = false;
    while (i < len) {
        unsigned cp = next_cp(text, len, &i);
        if (!is_word_cp(cp)) {
            dash = out.len > 0;
            continue;
        }
        if (dash)
            buf_putc(&out, '-');
        dash = false;
        put_cp(&out, fold_case(cp));
    }
    return buf_detach(&out);
}

/* The ASCII byte c as a GFM id has it: 0 when it is left out. */
static char gfm_ascii(unsigned char c)
{
    if (c == ' ' || c == '\t' || c == '-')
        return '-';
    if (c >= 'A' && c <= 'Z')
        return (char)(c + 32);
    return c == '_' || is_word_cp(c) ? (char)c : 0;
}

char *doc_gfm_id(const char *text)
{
    struct buf out = {0};
    size_t len = strlen(text), i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) { /* most headings are ASCII: no decoding */
            char g = gfm_ascii(c);
            if (g)
                buf_putc(&out, g);
            i++;
            continue;
        }
        unsigned cp = next_cp(text, len, &i);
        if (cp == ' ' || cp == '\t' || cp == '-')
            buf_putc(&out, '-');
        else if (cp == '_' || is_word_cp(cp))
            put_cp(&out, fold_case(cp));
    }
    return buf_detach(&out);
}

/* The title without emoji and symbols, spaces collapsed and trimmed. */
char *doc_plain_title(const char *title)
{
    struct buf out = {0};
    size_t len = strlen(title), i = 0;
    bool space = false;
    while (i < len) {
        unsigned cp = next_cp(title, len, &i);
        if (is_symbol(cp) || cp == 0x200D)
            continue;
        if (cp == ' ') {
            space = out.len > 0;
            continue;
        }
        if (space)
            buf_putc(&out, ' ');
        space = false;
        put_cp(&out, cp);
    }
    if (out.len == 0)
        buf_puts(&out, title);
    return buf_detach(&out);
}
