/* UTF-8 decoding and encoding, validation, and the escaping that keeps
 * text taken from files or requests one harmless line in a log. */
#include "capsuled/utf8.h"

#include <stdint.h>
#include <string.h>

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

size_t utf8_decode(const char *str, size_t len, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (len == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t need;
    unsigned min, value;
    if ((s[0] & 0xE0) == 0xC0) {
        need = 2, min = 0x80, value = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        need = 3, min = 0x800, value = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        need = 4, min = 0x10000, value = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3F);
    }
    if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return need;
}

size_t utf8_ascii_span(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (v & HIGH)
            break;
    }
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

/* Whether one of the eight bytes of v is below 0x20 or is 0x7F or 0x80
 * and above (the classic tests for a byte less than n, and for a zero
 * byte in v ^ 0x7F…, are exact for the word as a whole). */
static bool has_unprintable(uint64_t v)
{
    uint64_t del = v ^ (ONES * 0x7F);
    return ((v | ((v - ONES * 0x20) & ~v) | ((del - ONES) & ~del)) & HIGH) != 0;
}

size_t utf8_printable_span(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (has_unprintable(v))
            break;
    }
    while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
        i++;
    return i;
}

size_t utf8_encode(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

bool utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    unsigned cp;
    while (i < len) {
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

bool utf8_is_line_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return false;
    }
    return utf8_valid(s, len);
}

/* Whether the character at in must be escaped; *n is its length (one for a
 * byte that starts no valid sequence). */
static bool must_escape(const char *in, size_t len, bool spaces, size_t *n)
{
    unsigned cp = 0;
    *n = utf8_decode(in, len, &cp);
    if (*n == 0) {
        *n = 1;
        return true;
    }
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
           (spaces && cp == ' ');
}

size_t utf8_escape_controls(char *out, size_t size, const char *in, size_t len,
                            bool spaces)
{
    static const char hex[] = "0123456789abcdef";
    size_t j = 0, n;
    for (size_t i = 0; i < len; i += n) {
        bool escape = must_escape(in + i, len - i, spaces, &n);
        if (j + (escape ? 4 * n : n) >= size)
            break;
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (!escape) {
                out[j++] = (char)c;
                continue;
            }
            out[j++] = '\\';
            out[j++] = 'x';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        }
    }
    out[j] = '\0';
    return j;
}
