/* Helpers the renderers share beyond render.h: glyph stepping, clean text
 * output, the person's card, the capsule's own URLs and the news section.
 * Private to src/render. */
#ifndef CAPSULED_RENDER_LAYOUT_H
#define CAPSULED_RENDER_LAYOUT_H

#include "capsuled/buf.h"
#include "capsuled/doc.h"
#include "capsuled/render.h"

#include <stdbool.h>
#include <stddef.h>

/* One user-perceived glyph at s: a base code point with its combining marks,
 * variation selectors, skin tones, keycaps and ZWJ-joined followers, or a
 * flag (two regional indicators). Returns its byte length (≥ 1 when len > 0)
 * and stores its display width in *width. An invalid byte is one glyph of
 * width 1. */
size_t wrap_glyph(const char *s, size_t len, int *width);

/* Appends s with every control character (tab, CR, LF, …) as a space and
 * invalid UTF-8 as U+FFFD, so a line can never be split or corrupted by the
 * text it carries. */
void put_clean(struct buf *out, const char *s, size_t len);

/* The card: display name and the one-line description under it. */
const char *card_bio(const struct render_opts *o);

/* Index of the news section, or (size_t)-1 when the page has none. */
size_t news_section_index(const struct doc *d);
/* The newest items first (by date; page order among equal dates), at most
 * max of them, as indexes into items. Returns how many were stored. */
size_t news_newest(const struct news_item *items, size_t n, size_t *idx,
                   size_t max);

/* "gemini://host" plus ":port" unless it is 1965; IPv6 literals bracketed. */
void put_gemini_base(struct buf *out, const struct render_opts *o);

/* Path of a section on this capsule: "/" for the home section. */
void put_section_path(struct buf *out, const struct doc *d, const char *slug);

#endif
