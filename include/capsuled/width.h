/* Display width of UTF-8 text: the columns terminals and gopher clients
 * draw it in. The text layout (src/render) wraps by it and the document
 * model (src/content) pads table columns by it, so both measure alike. */
#ifndef CAPSULED_WIDTH_H
#define CAPSULED_WIDTH_H

#include <stddef.h>

/* Display width of one code point: 0 (combining, ZWJ, variation
 * selectors), 2 (East Asian wide, emoji), else 1. */
int width_cp(unsigned cp);
/* width_glyph without its ASCII fast path: any glyph. */
size_t width_glyph_any(const char *s, size_t len, int *width);
/* One user-perceived glyph at s: a base code point with its combining marks,
 * variation selectors, skin tones, keycaps and ZWJ-joined followers, or a
 * flag (two regional indicators). Returns its byte length (≥ 1 when len > 0)
 * and stores its display width in *width. An invalid byte is one glyph of
 * width 1. Inline: the text layout asks for every byte it wraps, and most
 * text is ASCII not followed by a mark, one column and one byte. */
static inline size_t width_glyph(const char *s, size_t len, int *width)
{
    if (len > 0 && (unsigned char)s[0] < 0x80 &&
        (len == 1 || (unsigned char)s[1] < 0x80)) {
        *width = 1;
        return 1;
    }
    return width_glyph_any(s, len, width);
}
/* Display width of len bytes of text: the sum of its glyphs' widths. */
size_t width_text(const char *s, size_t len);

#endif
