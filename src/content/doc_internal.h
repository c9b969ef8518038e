/* Private to the document model (src/content/doc*.c): the walker that
 * carries the cmark walk's state, one part per file that owns it, and the
 * functions the files lend each other. The files are layers, each calling
 * only those below it:
 *
 *   doc.c           the walk driver: doc_build, cmark's events, containers
 *   doc_kramdown.c  kramdown's own syntax read before cmark; footnotes
 *   doc_sections.c  sections, anchors and section links, after the walk
 *   doc_table.c     pipe tables
 *   doc_inline.c    inline nodes
 *   doc_html.c      HTML blocks and inline HTML
 *   doc_prose.c     text on its way into the open block; comments
 *   doc_block.c     the block being built, and the links it captures
 *   doc_links.c     link targets and labels
 *   doc_kramdown_html.c  kramdown's block HTML and math around cmark's parse
 *   doc_report.c, doc_text.c, doc_strmap.c, doc_slug.c, doc_typo.c: leaves
 *
 * The one recursion the format needs, markdown="1" HTML walked again as
 * Markdown, goes up through struct walk_ops, which doc.c fills. Nothing
 * here is a public contract; include/capsuled/doc.h is. */
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

bool doc_strmap_get(const struct strmap *m, const char *key, size_t *val);
void doc_strmap_put(struct strmap *m, const char *key, size_t val);
void doc_strmap_free(struct strmap *m);

/* ------------------------------------------------ plain text (doc_text.c) */

/* Decodes the code point at s[*i], always advancing. */
static inline unsigned next_cp(const char *s, size_t len, size_t *i)
{
    if ((unsigned char)s[*i] < 0x80) /* ASCII: no call */
        return (unsigned char)s[(*i)++];
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

struct span doc_trim_span(const char *s, size_t len);
size_t doc_count_lines(const char *s, size_t len);
bool doc_all_space(const char *s, size_t len);
void doc_sanitize_flow(struct buf *out, const char *s, size_t len);
void doc_sanitize_pre(struct buf *out, size_t *col, const char *s, size_t len);
char *doc_collapse_text(const char *s, size_t len, bool keep_breaks);
bool doc_only_separators(const char *s, size_t len);

/* ----------------------------------------------------- titles (doc_slug.c) */

char *doc_plain_title(const char *title);

/* ------------------------------------------------------------- the walker */

/* A link of the block being built, while the labels of its URL merge. */
struct open_link {
    char *key;        /* the URL, or "#fragment" for a section link */
    struct buf label;
    int n_labels;
};

/* The block being built, doc_block.c's: doc_links.c records its links, and
 * code blocks, tables and a heading's {#id} shape it where they are read.
 * Blocks open lazily, at their first visible content, so whitespace
 * between tags or a paragraph holding only a comment makes none. */
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

/* doc_block.c's: the captures open around the text being put. */
struct captures {
    struct capture *stack;
    size_t n, cap;
    bool capturing; /* one of them is taking the label */
};

struct anchor_rec {
    char *id;
    size_t block;
};

struct link_ref {
    size_t block, link;
};

/* What the walk has made so far: doc_block.c appends the blocks and their
 * side tables, doc_sections.c then groups them and resolves the links. */
struct walk_output {
    struct doc *doc;
    size_t cap_blocks;
    char **explicit_ids;  /* per block: the heading's given id */
    bool *residual_plain; /* per block: text outside labels is separators */
    char **pending_ids;   /* ids met and not yet given to a block */
    size_t n_pending, cap_pending;
    struct anchor_rec *anchors;
    size_t n_anchors, cap_anchors;
    struct link_ref *section_links; /* links to "#…", for doc_sections.c */
    size_t n_section_links, cap_section_links;
};

/* doc.c's: the Markdown being walked, the page or a markdown="1" block,
 * swapped in and back whole. */
struct md_source {
    const char *text;
    size_t len;
    int line_base;       /* page line of its first line */
    int line;            /* page line being walked; every walker moves it */
    int nest;            /* markdown="1" depth: 0 for the page */
    size_t *line_starts; /* built by doc_table.c when a table needs them */
    size_t n_lines;
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

/* doc.c's: the Markdown containers around the walk, and the level of the
 * Markdown heading being walked; doc_block.c reads them to open a block
 * (and marks an item's marker used). */
struct md_context {
    struct frame *frames;
    size_t n_frames, cap_frames;
    int list_depth, quote_depth;
    int heading;
};

/* doc_prose.c's: an HTML comment open across nodes. One opened in HTML
 * runs on, as in a browser; one opened in a text node (from_text) ends
 * with its paragraph. */
struct comment_state {
    bool open, from_text;
    int line;
};

struct html_list {
    bool ordered;
    int next;
};

/* doc_html.c's. The context its elements give the blocks inside them
 * (heading, pre, item, quote, lists) is read by doc_block.c when a block
 * opens, which also takes the item's marker and the line end after <pre>. */
struct html_state {
    int heading;
    bool pre, pre_skip_newline, item;
    int quote;
    char *marker;
    struct html_list *lists;
    size_t n_lists, cap_lists;
    char drop_tag[16]; /* an element dropped with its content */
    int drop_depth;
    struct buf scratch; /* attribute values */
};

/* doc_kramdown.c's: a footnote definition, and the page as cmark is to
 * read it (kramdown's own syntax rewritten line for line). */
struct kd_note {
    char *name;
    char *body;    /* Markdown, indentation taken off */
    int line;      /* page line of its definition */
    int number;    /* by first citation; 0: never cited (never shown) */
    int cited_at;  /* page line of the first citation */
    bool walked;
};

struct kramdown {
    char *text;
    size_t len;
    int top_level; /* heading level that starts a section; 0: none */
    struct kd_note *notes;
    size_t n_notes, cap_notes;
    struct strmap by_name;
    size_t *order; /* note indices by number */
    size_t n_order, cap_order;
    size_t next;   /* the first in order not yet walked */
    int numbered;
};

struct walker;

/* The recursion the format needs, set by doc.c: a markdown="1" HTML block
 * (doc_html.c) walks its content as Markdown again. Through this table the
 * modules below the walk driver never call up into it. */
struct walk_ops {
    void (*walk_markdown)(struct walker *w, const char *md, size_t len,
                          int line_base);
};

/* The walk's state, one part per owner: each part is changed by the file
 * named at its type, others only read it. */
struct walker {
    struct walk_ops ops;
    const char *base_url;  /* site.url: relative links resolve against it */
    bool elsewhere;        /* the page is not the site's root page: "/#x"
                              names a section of the home page, not its own */
    bool warned_no_base;   /* doc_links.c said it once */
    const char *file;      /* the page, for diagnostics */
    const struct page *page; /* its Liquid line map, or NULL */
    struct diags *diags;
    struct md_source src;
    struct md_context md;
    struct builder cur;    /* doc_block.c's: the block being built */
    struct captures caps;
    struct walk_output out;
    struct comment_state comment;
    struct html_state html;
    struct kramdown *kd;   /* doc_kramdown.c's: the page's notes */
};

static inline bool suppressed(const struct walker *w)
{
    return w->comment.open || w->html.drop_depth > 0;
}

/* doc_report.c: diagnostics */
void doc_report(struct walker *w, enum diag_level level, int line,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* doc_links.c: link targets and labels */
void doc_link_add(struct walker *w, const char *url, size_t start,
                  bool image);
void doc_links_compact(struct block *b);

/* doc_block.c: the block being built, and the links it captures */
void doc_add_anchor(struct walker *w, char *id, size_t block);
void doc_add_pending_id(struct walker *w, const char *id, size_t len);
int doc_innermost_container(const struct walker *w);
void doc_open_block(struct walker *w);
void doc_put_text(struct walker *w, const char *s, size_t len);
void doc_put_break(struct walker *w);
void doc_finish_block(struct walker *w);
void doc_emit_rule(struct walker *w, int line);
void doc_free_block(struct block *b);
void doc_push_capture(struct walker *w, const char *url, bool html, bool image);
void doc_pop_capture(struct walker *w);
void doc_close_captures(struct walker *w, size_t keep);
void doc_block_state_free(struct walker *w);

/* doc_prose.c: text into the open block, comments */
void doc_put_prose(struct walker *w, const char *s, size_t len);
bool doc_comment_skip(struct walker *w, const char **s, size_t *len);
void doc_comment_open(struct walker *w, bool from_text);
void doc_comment_end_text(struct walker *w, bool warn);

/* doc_html.c: HTML blocks and inline HTML */
void doc_walk_html(struct walker *w, cmark_node *n, bool block_mode);
void doc_html_reset(struct walker *w, bool block_mode);
void doc_html_free(struct html_state *h);

/* doc_inline.c: inline nodes */
void doc_walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev);

/* doc_table.c: pipe tables */
bool doc_try_table(struct walker *w, cmark_node *para);

/* doc_kramdown_html.c: kramdown's block HTML and math around cmark's parse. The page
 * rewritten line for line (formulas kept as text), and the lines of each
 * top-level HTML element, which doc_kdhtml_join makes one HTML block. */
struct kd_lines {
    int first, last; /* 1-based, as cmark counts */
};

/* Where a node lies on the page when cmark's own position is not it: a
 * subtree parsed apart is offset lines further down; a node made by
 * doc_kdhtml_join has its lines given. Kept in cmark's user data. */
struct kd_pos {
    int offset;
    int line, end;    /* given lines, or 0 */
    bool placeholder; /* an empty node standing for an element's lines */
    struct kd_pos *next_alloc;
};

struct kd_source {
    char *text;
    size_t len;
    struct kd_lines *html;
    size_t n_html, cap_html;
    struct kd_pos *positions; /* every kd_pos made, to be freed */
};

/* A node's first and last page lines (see struct kd_pos). */
static inline int doc_node_line(cmark_node *n)
{
    const struct kd_pos *p = cmark_node_get_user_data(n);
    if (p && p->line)
        return p->line;
    return cmark_node_get_start_line(n) + (p ? p->offset : 0);
}

static inline int doc_node_end_line(cmark_node *n)
{
    const struct kd_pos *p = cmark_node_get_user_data(n);
    if (p && p->line)
        return p->end;
    return cmark_node_get_end_line(n) + (p ? p->offset : 0);
}

void doc_kdhtml_prepare(const char *md, size_t len, struct kd_source *k);
void doc_kdhtml_join(struct kd_source *k, cmark_node *root);
void doc_kdhtml_free(struct kd_source *k);
/* Where the element name, whose start tag ends just before s, closes: the
 * offset of its matching end tag in s, or len. */
size_t doc_kramdown_element_end(const char *s, size_t len, const char *name);
/* kramdown's content model of an element: 'b' block, 's' span, 'r' raw. */
char doc_kramdown_content_model(const char *name);

/* doc_typo.c: kramdown's typography over the text of one text node. prev:
 * the character before it ('\n' after a line break), or 0 when an element
 * or the block's start comes before it; next: what comes after it. */
enum typo_next {
    TYPO_NEXT_END,   /* the block's end or a line break */
    TYPO_NEXT_EMPH,  /* emphasis: "*" and a word, to kramdown */
    TYPO_NEXT_OTHER, /* another element: a link, code, HTML */
};
void doc_typography(struct buf *out, const char *s, size_t len, int prev,
                    enum typo_next next);
/* Whether doc_typography would change s (a quote or a symbol in it). */
bool doc_typography_needed(const char *s, size_t len);

/* doc_kramdown.c: kramdown's syntax before cmark, and the notes: those
 * first cited before page line before_line are walked (once) where the
 * walk is, at the top level of the page */
void doc_kramdown_read(struct kramdown *kd, const char *md, size_t len,
                       int line_base);
void doc_kramdown_notes(struct walker *w, int before_line);
void doc_kramdown_free(struct kramdown *kd);

/* doc_sections.c: sections, anchors, section links */
void doc_build_sections(struct walker *w);

#endif
