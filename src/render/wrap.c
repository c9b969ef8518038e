/* Word wrapping for the column-bound formats (gophermaps and plain text),
 * by the display width of capsuled/width.h. */
#include "capsuled/render.h"
#include "capsuled/utf8.h"
#include "capsuled/width.h"
#include "layout.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Emits the pieces of a word wider than a whole line, cut between glyphs;
 * returns where the last (partial) piece starts and stores its width. */
static size_t split_long_word(const char *s, size_t word, size_t end,
                              int width, wrap_emit_fn emit, void *ctx,
                              int *last_w)
{
    size_t chunk = word, p = word;
    int w = 0;
    while (p < end) {
        int gw;
        size_t g = width_glyph(s + p, end - p, &gw);
        if (w + gw > width && p > chunk) {
            emit(s + chunk, p - chunk, ctx);
            chunk = p;
            w = 0;
        }
        w += gw;
        p += g;
    }
    *last_w = w;
    return chunk;
}

/* Greedy wrapping of one line that holds no '\n': words are runs between
 * ASCII spaces (a no-break space stays inside its word, as it should).
 * Spaces at a break are dropped; the line's own indentation is kept when
 * it fits. */
static void wrap_hard_line(const char *s, size_t len, int width,
                           wrap_emit_fn emit, void *ctx)
{
    size_t line_start = 0, line_end = 0, i = 0;
    int line_w = 0;
    bool has_content = false;
    /* A line all ASCII (most are) is as wide as it is long: a word ends
     * at the next space, found with memchr. */
    bool ascii = utf8_ascii_span(s, len) == len;
    while (i < len) {
        size_t spaces = i;
        while (i < len && s[i] == ' ')
            i++;
        int space_w = (int)(i - spaces);
        size_t word = i;
        int word_w = 0;
        if (ascii && i < len) {
            const char *sp = memchr(s + i, ' ', len - i);
            i = sp ? (size_t)(sp - s) : len;
            word_w = (int)(i - word);
        }
        while (i < len && s[i] != ' ') {
            /* ASCII before ASCII: one column a byte (width_glyph's own
             * fast path), a run of them counted at once. */
            size_t run = i;
            while (run + 1 < len && s[run] != ' ' &&
                   (unsigned char)(s[run] | s[run + 1]) < 0x80)
                run++;
            word_w += (int)(run - i);
            i = run;
            if (i == len || s[i] == ' ')
                break;
            int gw;
            i += width_glyph(s + i, len - i, &gw);
            word_w += gw;
        }
        if (word == i)
            break; /* trailing spaces */
        if (!has_content && space_w + word_w <= width) {
            line_start = spaces;
            line_end = i;
            line_w = space_w + word_w;
            has_content = true;
            continue;
        }
        if (has_content && line_w + space_w + word_w <= width) {
            line_end = i;
            line_w += space_w + word_w;
            continue;
        }
        if (has_content)
            emit(s + line_start, line_end - line_start, ctx);
        has_content = true;
        line_start = word;
        line_end = i;
        line_w = word_w;
        if (word_w > width)
            line_start = split_long_word(s, word, i, width, emit, ctx, &line_w);
    }
    emit(s + line_start, has_content ? line_end - line_start : 0, ctx);
}

void wrap_text(const char *text, size_t len, int width, wrap_emit_fn emit,
               void *ctx)
{
    if (width <= 0)
        width = INT_MAX; /* no limit */
    if (len > 0 && text[len - 1] == '\n')
        len--; /* a final line end does not open another line */
    size_t start = 0;
    for (;;) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        wrap_hard_line(text + start, end - start, width, emit, ctx);
        if (!nl)
            break;
        start = end + 1;
    }
}
