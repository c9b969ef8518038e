/* UTF-8 primitives shared by the encoding repair, the layout code, the
 * request parsers and the log. */
#ifndef CAPSULED_UTF8_H
#define CAPSULED_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes one code point of s (len > 0). Returns the bytes it took, or 0 when
 * s does not start with a valid, shortest-form, non-surrogate sequence. */
size_t utf8_decode(const char *s, size_t len, unsigned *cp);
/* Encodes cp (≤ 0x10FFFF) into out; returns 1..4. */
size_t utf8_encode(unsigned cp, char out[4]);
bool utf8_valid(const char *s, size_t len);
/* How many bytes at s are ASCII (below 0x80); and how many are printable
 * ASCII (0x20-0x7E: no control, no DEL). Eight bytes at a time: the
 * loops over whole pages skip the text they leave as it is with these. */
size_t utf8_ascii_span(const char *s, size_t len);
size_t utf8_printable_span(const char *s, size_t len);
/* Valid UTF-8 holding no C0 control and no DEL: one line of text, as a
 * request or a decoded URL must be. */
bool utf8_is_line_text(const char *s, size_t len);
/* Copies len bytes of in to out (size > 0; always NUL-terminated) so that
 * it stays one harmless line in a log or on a terminal: C0 controls (LF, CR,
 * ESC…), DEL, C1 controls (U+0080-U+009F) and bytes that are not UTF-8
 * become \xNN, and so do spaces when `spaces` is set (a field of a
 * space-separated line). Other UTF-8 is kept; an escape is never cut.
 * Returns the bytes written before the NUL. */
size_t utf8_escape_controls(char *out, size_t size, const char *in, size_t len,
                            bool spaces);

#endif
