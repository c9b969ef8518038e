/* What every renderer shares, in the manner of cmark's render.c: clean
 * text output, the person's card, the news a page shows, which blocks and
 * links show anything, the blank-line logic between blocks, and the block
 * layout of the column-bound formats (gophermap 'i' lines and plain
 * text), which calls back into the format for its lines and links.
 *
 * The format files (gemtext.c, gophermap.c, text.c, finger.c, feed.c) call this
 * module and wrap.c, never each other. Everything declared here is
 * defined in layout.c. Private to src/render. */
#ifndef CAPSULED_RENDER_LAYOUT_H
#define CAPSULED_RENDER_LAYOUT_H

#include "capsuled/buf.h"
#include "capsuled/doc.h"
#include "capsuled/news.h"
#include "capsuled/render.h"

#include <stdbool.h>
#include <stddef.h>

/* --- output --- */

/* Appends s with every control character (tab, CR, LF, …) as a space and
 * invalid UTF-8 as U+FFFD, so a line can never be split or corrupted by the
 * text it carries. */
void layout_put_clean(struct buf *out, const char *s, size_t len);

/* Line K of a search result as shown: an ellipsis where its text was
 * cut (search.h). */
void layout_search_line(struct buf *out, const struct search_result *r,
                        size_t k);

/* --- what a page shows --- */

/* The card's one-line description under the name (render_site_title), or
 * NULL. */
const char *layout_card_bio(const struct render_opts *o);
/* The card's name when the heading (render_site_title) is not it, as on a
 * Jekyll home page titled "about": NULL otherwise. */
const char *layout_card_name(const struct render_opts *o);
/* "location · employer" of the card, or NULL. */
const char *layout_card_place(const struct render_opts *o);
/* The i-th link of the card as a model link (label and URL), false past
 * the last. */
bool layout_card_link(const struct render_opts *o, size_t i,
                      struct link *out);
/* What a link to a section from a page of its own says: its title, else
 * its slug, else "Home" (the untitled first section). */
const char *layout_section_label(const struct section *sec);
/* A link cited under its block in the plain formats (text, finger), the
 * way mail and RFCs cite them: "  [N] image: label: URL". Writes it into
 * out (cleared first) and returns true when the link names no URL, so the
 * caller still has to write where its section is read. */
bool layout_cite_link(struct buf *out, size_t n, const struct link *l);
/* The news of the options: an empty one (no section) when there is none. */
const struct news *layout_news(const struct render_opts *o);
/* The i-th item of a home page's latest news (the newest first), or NULL
 * past the last one shown: the one count of both home pages. */
const struct news_entry *layout_latest_news(const struct render_opts *o,
                                           size_t i);

bool layout_link_has_target(const struct link *l);
/* Whether the block's text is shown (not only its links), and whether the
 * block shows anything at all. */
bool layout_block_shows_text(const struct block *b);
bool layout_block_shows(const struct block *b);

/* --- blank lines between blocks --- */

struct layout_state {
    bool started;          /* a block was written: the next needs a gap */
    enum block_type prev;  /* type of the last block written */
    bool prev_links;       /* it was followed by links */
    bool demote_h1;        /* home page: the card's name is the only H1 */
};

enum layout_gap {
    LAYOUT_GAP_NONE,  /* the next item of a list: none */
    LAYOUT_GAP_BLANK, /* an empty line */
    LAYOUT_GAP_QUOTE, /* the next paragraph of a quotation: an empty ">" */
};

/* The gap a block needs after what came before: readers show every line,
 * so blocks are set apart, but a list reads as one, unless an item was
 * followed by its links (they would seem to belong to the next one). */
enum layout_gap layout_gap(const struct layout_state *s,
                           const struct block *b);
/* The bookkeeping once a block and its links are out. */
void layout_done(struct layout_state *s, const struct block *b);
/* The same after a heading of the format's own (the card, "Sections"). */
void layout_heading_done(struct layout_state *s);

/* --- block layout of the column-bound formats --- */

/* Called for each link of a block that has a target, after its text. */
typedef void (*layout_link_fn)(const struct link *l, void *ctx);

/* Lays blocks out as lines of at most width display columns (0: no limit)
 * and hands each finished line, without line end, to line(), and each
 * link to link(), both with ctx. The format decides what a line becomes
 * (an 'i' menu line, a text line) and what a link does (a menu item, a
 * numbered reference). */
struct layout_flow {
    int width;
    wrap_emit_fn line;
    layout_link_fn link;
    void *ctx;
    struct layout_state state;
};

/* The blocks of one section, each with its gap, text and links. */
void layout_flow_section(struct layout_flow *f, const struct doc *d,
                         size_t section);
/* The card: the site's title as a level-1 heading, the bio under it,
 * then the place (location · employer) and the card's links (the email as
 * a mailto: link, the profiles), each handed to the format's link(). */
void layout_flow_card(struct layout_flow *f, const struct render_opts *o);
/* A heading of the given style: text, then a rule of '=' (level 1) or '-'
 * as wide as the text. */
void layout_flow_heading(struct layout_flow *f, const char *text, int level);
/* Text wrapped with a first-line prefix and a hanging indent. */
void layout_flow_wrapped(struct layout_flow *f, const char *text,
                         const char *first, const char *rest);

#endif
