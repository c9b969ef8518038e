/* Helpers the renderers share beyond render.h: clean text output, the
 * person's card and the news section (the capsule's own URLs are
 * capsuled/paths.h's).
 * Private to src/render. */
#ifndef CAPSULED_RENDER_LAYOUT_H
#define CAPSULED_RENDER_LAYOUT_H

#include "capsuled/buf.h"
#include "capsuled/doc.h"
#include "capsuled/render.h"

#include <stdbool.h>
#include <stddef.h>

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

/* --- block layout shared by the column-bound formats (text.c) --- */

/* Lays blocks out as lines of at most width display columns (0: no limit)
 * and hands each finished line, without line end, to line(). The format
 * decides what a line becomes (an 'i' menu line, a text line) and how a
 * block's links follow it. */
struct flow {
    int width;
    wrap_emit_fn line;
    void *ctx;
    bool started;          /* a block was written: the next needs a gap */
    enum block_type prev;  /* type of the last block written */
    bool prev_links;       /* it was followed by links */
    bool demote_h1;        /* home page: the card's name is the only H1 */
};

bool link_has_target(const struct link *l);
size_t block_targets(const struct block *b);
/* Whether the block's text is shown (not only its links), and whether the
 * block shows anything at all. */
bool block_shows_text(const struct block *b);
bool block_shows(const struct block *b);
/* The empty line a block needs after what came before (none inside a
 * list), its text laid out, and the bookkeeping once its links are out. */
void flow_gap(struct flow *f, const struct block *b);
void flow_text(struct flow *f, const struct block *b);
void flow_done(struct flow *f, const struct block *b);
/* A heading of the given style: text, then a rule of '=' (level 1) or '-'
 * as wide as the text. */
void flow_heading(struct flow *f, const char *text, int level);
/* Text wrapped with a first-line prefix and a hanging indent. */
void flow_wrapped(struct flow *f, const char *text, const char *first,
                  const char *rest);

#endif
