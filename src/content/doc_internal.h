/* Private to the document model (src/content/doc*.c): the walker that
 * carries the cmark walk's state, the block it is building, and the
 * functions the modules lend each other. Nothing here is a public contract;
 * include/capsuled/doc.h is. */
#ifndef CAPSULED_DOC_INTERNAL_H
#define CAPSULED_DOC_INTERNAL_H

#include "capsuled/buf.h"
#include "capsuled/doc.h"
#include "capsuled/utf8.h"

#include <cmark.h>
#include <stdbool.h>
#include <stddef.h>

/* Marks a hard break in a block's raw text; input control characters are
 * dropped on the way in, so it cannot be confused with content. */
#define HARD_BREAK '\x01'

#define CMARK_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* ---------------------------------------------------------------- arrays */

static inline void *grow(void *p, size_t *cap, size_t elem)
{
    *cap = *cap ? *cap * 2 : 8;
    return xrealloc(p, *cap * elem);
}

#define PUSH(arr, n, cap)                                                   \
    (((n) == (cap) ? (void)((arr) = grow((arr), &(cap), sizeof *(arr)))     \
                   : (void)0),                                              \
     &(arr)[(n)++])

/* ------------------------------------------- string hash map (doc_strmap.c) */

/* Open addressing over borrowed keys: slugs, anchors and link URLs must be
 * looked up in constant time, or a page of 100,000 links goes quadratic. */
struct strmap {
    const char **keys;
    size_t *vals;
    size_t cap, n;
};

bool strmap_get(const struct strmap *m, const char *key, size_t *val);
void strmap_put(struct strmap *m, const char *key, size_t val);
void strmap_free(struct strmap *m);

/* ------------------------------------------------ plain text (doc_text.c) */

/* Decodes the code point at s[*i], always advancing. */
static inline unsigned next_cp(const char *s, size_t len, size_t *i)
{
    unsigned cp;
    size_t n = utf8_decode(s + *i, len - *i, &cp);
    if (!n) {
        n = 1;
        cp = 0xFFFD;
    }
    *i += n;
    return cp;
}

struct span {
    const char *s;
    size_t len;
};

struct span trim_span(const char *s, size_t len);
size_t count_lines(const char *s, size_t len);
bool all_space(const char *s, size_t len);
void sanitize_flow(struct buf *out, const char *s, size_t len);
void sanitize_pre(struct buf *out, size_t *col, const char *s, size_t len);
char *collapse_text(const char *s, size_t len, bool keep_breaks);
bool only_separators(const char *s, size_t len);

/* ----------------------------------------------------- titles (doc_slug.c) */

char *plain_title_of(const char *title);

/* ------------------------------------------------------------- the walker */

/* A link of the block being built, while the labels of its URL merge. */
struct open_link {
    char *key;        /* the URL, or "#fragment" for a section link */
    struct buf label;
    int n_labels;
};

/* The block being built. Blocks open lazily, at their first visible
 * content, so whitespace between tags or a paragraph holding only a
 * comment makes none. */
struct builder {
    bool open;
    bool parked;       /* a list item's paragraph a later paragraph of the
                          same item continues */
    size_t frame;      /* the item frame the block belongs to, +1; 0: none */
    bool cell_mode;    /* a table cell: text is collected, not laid out */
    bool liquid_warned;
    size_t pre_col;    /* column in PRE text, for tab stops */
    struct block b;
    struct buf raw;      /* text with HARD_BREAK marks, not yet collapsed */
    struct buf residual; /* the part of raw outside kept link labels */
    struct link *links;
    struct open_link *olinks;
    size_t n_links, cap_links;
    struct strmap link_index;
    char *kramdown_id;   /* heading {#id} */
    /* The last run of button links ("[[Code]](url) [[PDF]](url)") in raw,
     * separators between them: cut from the text if it ends the block. */
    bool has_buttons;
    size_t buttons_from, buttons_to;
};

/* An open link, image or <a href>. Only the outermost one makes a link: a
 * badge image inside a link gives its alt text to the outer label. */
struct capture {
    bool html;
    bool capturing;
    bool image;
    size_t start; /* where its label starts in raw */
    char *url;
};

enum frame_kind { F_LIST, F_ITEM, F_QUOTE };

struct frame {
    enum frame_kind kind;
    bool ordered;
    char delim;
    int next;      /* lists: number of the next item */
    char *marker;  /* items: "3." or NULL */
    bool marker_used;
};

struct html_list {
    bool ordered;
    int next;
};

struct anchor_rec {
    char *id;
    size_t block;
};

struct link_ref {
    size_t block, link;
};

struct walker;

/* The recursion the format needs, set by doc.c: a markdown="1" HTML block
 * (doc_html.c) walks its content as Markdown again. Through this table the
 * modules below the walk driver never call up into it. */
struct walk_ops {
    void (*walk_markdown)(struct walker *w, const char *md, size_t len,
                          int line_base);
};

struct walker {
    struct walk_ops ops;
    const char *base_url;
    const char *file;
    struct diags *diags;
    struct doc *doc;
    size_t cap_blocks;
    char **explicit_ids;  /* per block: the heading's given id */
    bool *residual_plain; /* per block: text outside labels is separators */

    /* The Markdown being walked (the page, or a markdown="1" block). */
    const char *src;
    size_t src_len;
    int line_base;
    size_t *line_starts;
    size_t n_lines;
    int cur_line;
    int md_nest;

    struct frame *frames;
    size_t n_frames, cap_frames;
    int list_depth, quote_depth;
    int md_heading;
    struct builder cur;
    struct capture *caps;
    size_t n_caps, cap_caps;
    bool capturing;

    char **pending_ids;
    size_t n_pending, cap_pending;
    struct anchor_rec *anchors;
    size_t n_anchors, cap_anchors;
    struct link_ref *section_links;
    size_t n_section_links, cap_section_links;

    /* HTML state. A comment opened in HTML runs on across nodes, as in a
     * browser; one opened in a text node ends with its paragraph. */
    bool in_comment, comment_from_text;
    int comment_line;
    char drop_tag[16];
    int drop_depth;
    int html_heading;
    bool html_pre, pre_skip_newline, html_item;
    int html_quote;
    char *html_marker;
    struct html_list *hlists;
    size_t n_hlists, cap_hlists;
    struct buf scratch;
    bool warned_no_base;
};

static inline bool suppressed(const struct walker *w)
{
    return w->in_comment || w->drop_depth > 0;
}

/* doc_report.c: diagnostics */
void walker_report(struct walker *w, enum diag_level level, int line,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* doc_links.c: link targets and labels */
void doc_link_add(struct walker *w, const char *url, size_t start,
                  bool image);
void compact_links(struct block *b);

/* doc_block.c: the block being built, and the links it captures */
void add_anchor(struct walker *w, char *id, size_t block);
void add_pending_id(struct walker *w, const char *id, size_t len);
int innermost_container(const struct walker *w);
void open_block(struct walker *w);
void put_text(struct walker *w, const char *s, size_t len);
void put_break(struct walker *w);
void finish_block(struct walker *w);
void emit_rule(struct walker *w, int line);
void reset_builder(struct builder *c);
void free_block(struct block *b);
void push_capture(struct walker *w, const char *url, bool html, bool image);
void pop_capture(struct walker *w);
void close_captures(struct walker *w, size_t keep);

/* doc_prose.c: text into the open block, comments */
void put_prose(struct walker *w, const char *s, size_t len);
bool skip_comment(struct walker *w, const char **s, size_t *len);
void doc_comment_open(struct walker *w, bool from_text);
void doc_comment_end_text(struct walker *w, bool warn);

/* doc_html.c: HTML blocks and inline HTML */
void walk_html(struct walker *w, cmark_node *n, bool block_mode);
void reset_html_state(struct walker *w, bool block_mode);

/* doc_inline.c: inline nodes */
void walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev);

/* doc_table.c: pipe tables */
bool try_table(struct walker *w, cmark_node *para);

/* doc_sections.c: sections, anchors, section links */
void build_sections(struct walker *w);

#endif
