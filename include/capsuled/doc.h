/* The document model every renderer shares: the cmark AST (with inline and
 * block HTML interpreted) flattened into blocks of plain UTF-8 text, each
 * with the links it holds, split into sections at every H1.
 *
 * Decisions that all output formats must make alike live here, once:
 * which text a link keeps, how HTML turns into text, which URL a relative
 * link means, what a section is called. Renderers only lay blocks out. */
#ifndef CAPSULED_DOC_H
#define CAPSULED_DOC_H

#include "capsuled/config.h"
#include "capsuled/diag.h"
#include "capsuled/page.h"

#include <stdbool.h>
#include <stddef.h>

enum block_type {
    BLOCK_HEADING, /* level 1..6 */
    BLOCK_PARA,
    BLOCK_ITEM,    /* list item: depth (1 = top), marker */
    BLOCK_QUOTE,   /* one quoted paragraph; depth = nesting */
    BLOCK_PRE,     /* code block or table: text is the raw lines */
    BLOCK_RULE,    /* thematic break */
};

struct link {
    char *url;     /* absolute URL (http, https, gemini, gopher, mailto, …),
                      already resolved against site.url; NULL for a link to
                      a section of this page */
    char *section; /* slug of the section it points to, or NULL */
    char *label;   /* visible text; labels of one URL (or one section) in
                      one block merged as "Preview / Download"; "[Code]"
                      from [[Code]](url) loses its brackets here (the block
                      text keeps them); never NULL: an empty label becomes
                      the URL, or the section's title */
    bool image;    /* from an image: label is the alt text (an image inside
                      a link only lends its alt text to the outer link) */
    char *route;   /* a route of the capsule (paths.h) the link leads to,
                      set by the site once its routes are known (a link of
                      a Jekyll site to one of its pages); renderers prefer
                      it to url, which stays the web URL. NULL: none */
};
/* Links with an empty or "#" URL, javascript:/data: links and links to
 * unknown anchors give no entry: their label stays plain text (a note or
 * warning goes to diags). Relative URLs are resolved against site.url
 * (RFC 3986); without one they are kept relative. Spaces, controls and
 * <>"\^`{|} in URLs are percent-encoded. kramdown's links with spaces in
 * the destination ("[Title](to appear in X)", text to CommonMark) show their
 * label; they give an entry only when the destination is a URL (a scheme or
 * a path from the site's root). */

struct block {
    enum block_type type;
    int level;     /* heading level; list or quote depth */
    char *marker;  /* list items: NULL for bullets, "3." for ordered ("3)"
                      when the source used that delimiter). A later
                      paragraph of one item joins its text after a '\n';
                      one that follows a nested list is an ITEM of the same
                      depth with marker NULL. HTML <li> are items too. */
    char *text;    /* plain text: markup removed, entities decoded, soft
                      breaks joined with a space, hard breaks as '\n'; never
                      a tab or other control character except '\n' (PRE
                      keeps tabs as spaces) */
    char *info;    /* PRE: the code info string ("table" for tables), or NULL.
                      A table's text is already laid out: cells as plain
                      text, columns padded to their widest cell (display
                      width: CJK and emoji count 2), " | " between columns,
                      a "-+-" rule under the first row; links of the cells
                      are in links. */
    struct link *links; /* distinct link targets, in order of appearance */
    size_t n_links;
    bool only_links; /* the text is nothing but the link labels (and
                        separators: spaces | , / - · • – — : ; . & + [ ]
                        ( )): render it as link lines only */
    int line;      /* source line where the block starts */
};
/* Headings come from Markdown (ATX, setext) and from HTML <h1>..<h6>; their
 * text has no '\n', and a trailing kramdown "{#id}" is not part of it. */

struct section {
    char *slug;    /* from the H1 text ("about-me"), or the id given by
                      <span class='anchor' id=…> or kramdown {#id} before it;
                      unique, and always a safe path segment (paths.h): an
                      id that is not one ("a/b", "x%20y", "..", or longer
                      than PATH_SLUG_MAX) is slugified ("a-b"), reported as
                      a warning, and kept among the anchors */
    char *title;   /* the H1 text with emoji kept, markup removed */
    char *plain_title; /* title without emoji and symbols: "About Me" */
    size_t first;  /* index of its first block (the H1 itself) */
    size_t count;  /* number of blocks, H1 included */
    char **anchors; /* further ids that point into this section: id= and
                       <a name=> in its HTML, kramdown {: #id} and {#id},
                       and the slugs of its H2/H3 sub-headings */
    size_t n_anchors;
};

struct doc {
    struct block *blocks;
    size_t n_blocks;
    /* Sections start at every heading of the top level the page uses (H1;
     * H2 on a page without H1). sections[0] is the home body: the blocks
     * before the first such heading, or the first section when nothing
     * (but blank HTML or Liquid) precedes it. The home body, when it is
     * not a heading's section, has slug "home" and title and plain_title
     * "". A heading with nothing under it is a section of its own, as
     * Jekyll shows it (a list of titled links is such headings). There is
     * always at least one section: an empty page has one home section of
     * no blocks. */
    struct section *sections;
    size_t n_sections;
    /* The route the document is served at, its sections beneath it
     * (paths.h): NULL for the home page, whose sections are /SLUG/; a
     * page of a Jekyll site sets its own ("/cv/"), owned by the doc. */
    char *base;
};

/* Builds the model from a loaded page. Unconvertible leftovers and links to
 * unknown anchors are added to diags with their source line (as warnings);
 * it never fails. */
void doc_build(const struct page *page, const struct config *cfg,
               struct doc *out, struct diags *diags);
/* The same for a page served at ROUTE: on any page but the root one, a
 * link to "/#x" (or the site's root with a fragment) names a section of
 * the home page, not one of its own. */
void doc_build_at(const struct page *page, const struct config *cfg,
                  const char *route, struct doc *out, struct diags *diags);
/* For tests: Markdown text straight to the model, default config. */
void doc_build_markdown(const char *markdown, size_t len, struct doc *out);
const struct section *doc_find_section(const struct doc *d, const char *slug);
void doc_free(struct doc *d);

/* Slug of a heading text: lower case, letters and digits kept (any script),
 * runs of anything else become one '-', no leading or trailing '-'. */
char *doc_slugify(const char *text);
/* The id kramdown's GFM parser (Jekyll's default input) gives a heading of
 * that text, before its "-N" for repeats: lower case; letters, digits,
 * '_' and '-' kept; spaces and tabs as '-'; the rest (emoji, symbols,
 * punctuation) left out: "🔥 News" is "-news". */
char *doc_gfm_id(const char *text);

#endif
