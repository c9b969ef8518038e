/* Plain text for blocks: input sanitised for flowing and preformatted
 * blocks, runs of spaces and breaks collapsed, and the small span and
 * separator tests the other modules share. */
#include "doc_internal.h"

#include <string.h>

/* Tabs in preformatted text expand to this column multiple. */
#define TAB_STOP 4

struct span doc_trim_span(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                   s[len - 1] == '\r'))
        len--;
    return (struct span){s, len};
}

size_t doc_count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s)));
         p++)
        n++;
    return n;
}

bool doc_all_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
            s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

/* Appends text for a flowing block: whitespace and line ends become
 * spaces, other controls, C1 controls and BOMs go, U+00A0 and the line
 * separators become spaces. */
void doc_sanitize_flow(struct buf *out, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        i += utf8_printable_span(s + i, len - i); /* kept as it is */
        if (i == len)
            break;
        unsigned char c = (unsigned char)s[i];
        size_t skip = 0;
        bool space = false;
        if (c < 0x20 || c == 0x7F) {
            skip = 1;
            space = c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
                    c == '\v';
        } else if (c == 0xC2 && i + 1 < len &&
                   (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0xA0) {
            skip = 2;
            space = (unsigned char)s[i + 1] == 0xA0;
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 ||
                    (unsigned char)s[i + 2] == 0xA9)) {
            skip = 3;
            space = true;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBB &&
                   (unsigned char)s[i + 2] == 0xBF) {
            skip = 3;
        }
        if (!skip)
            continue;
        buf_put(out, s + run, i - run);
        if (space)
            buf_putc(out, ' ');
        i += skip - 1;
        run = i + 1;
    }
    buf_put(out, s + run, len - run);
}

/* Appends preformatted text: tabs to spaces, controls other than '\n'
 * dropped. */
void doc_sanitize_pre(struct buf *out, size_t *col, const char *s,
                      size_t len)
{
    buf_reserve(out, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            do {
                buf_putc(out, ' ');
                (*col)++;
            } while (*col % TAB_STOP);
            buf_reserve(out, len - i); /* room for the rest, as above */
            continue;
        }
        if (c == '\n')
            *col = 0;
        else if (c < 0x20 || c == 0x7F)
            continue;
        else if ((c & 0xC0) != 0x80)
            (*col)++;
        out->data[out->len++] = (char)c;
        out->data[out->len] = '\0';
    }
}

/* Collapses runs of spaces and breaks into one space, or one '\n' when the
 * run holds a hard break and keep_breaks; trims both ends. */
char *doc_collapse_text(const char *s, size_t len, bool keep_breaks)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    bool space = false, brk = false;
    for (size_t i = 0; i < len;) {
        /* A word goes out whole, after the space or break before it. */
        size_t word = i;
        while (i < len && s[i] != ' ' && s[i] != HARD_BREAK)
            i++;
        if (i > word) {
            if (n && (brk || space))
                out[n++] = brk ? '\n' : ' ';
            space = brk = false;
            memcpy(out + n, s + word, i - word);
            n += i - word;
        }
        if (i < len) {
            if (s[i] == HARD_BREAK && keep_breaks)
                brk = true;
            else
                space = true;
            i++;
        }
    }
    out[n] = '\0';
    return out;
}

static bool is_separator_cp(unsigned cp)
{
    return cp == ' ' || cp == (unsigned char)HARD_BREAK || cp == '|' ||
           cp == ',' || cp == '/' || cp == '-' || cp == '[' || cp == ']' ||
           cp == '(' || cp == ')' || cp == ':' || cp == ';' || cp == '.' ||
           cp == '&' || cp == '+' || cp == 0xB7 || cp == 0x2022 ||
           cp == 0x2013 || cp == 0x2014 || cp == 0x2027;
}

bool doc_only_separators(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len)
        if (!is_separator_cp(next_cp(s, len, &i)))
            return false;
    return true;
}
