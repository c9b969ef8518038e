/* UTF-8 primitives shared by the encoding repair, the layout code and the
 * request parsers. */
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

#endif
