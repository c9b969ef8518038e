/* HTML as it turns up inside Markdown profiles: a forgiving tokenizer,
 * attribute lookup, character references, and what each tag means for the
 * document model. It never builds a tree: doc_html.c keeps the little state
 * it needs (open link, list depth, dropped element) while it walks the
 * tokens. */
#ifndef CAPSULED_HTML_H
#define CAPSULED_HTML_H

#include "capsuled/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum html_tok {
    HTML_TEXT,    /* characters, references not yet decoded */
    HTML_START,   /* <name attrs…> or <name/> */
    HTML_END,     /* </name> */
    HTML_COMMENT, /* <!-- … --> */
    HTML_DECL,    /* <!DOCTYPE …>, <?…?>, <![CDATA[…]]>: ignored */
};

struct html_token {
    enum html_tok type;
    const char *raw;      /* the whole token */
    size_t raw_len;
    char name[16];        /* lower-case tag name; longer names are cut and
                             match no known tag */
    const char *attrs;    /* start tags: the text between name and '>' */
    size_t attrs_len;
    bool self_closing;    /* <br/> */
    bool unterminated;    /* a comment whose "-->" is not in this input */
};

/* Reads the token at the start of s (len > 0) and returns the bytes it
 * took (at least 1). A '<' that does not start a well-formed tag, comment
 * or declaration before the next '<' is text. Linear over a whole input. */
size_t html_next_token(const char *s, size_t len, struct html_token *t);

/* Appends the value of attribute name (lower case) of a start tag to out,
 * references decoded; false when the tag has no such attribute. */
bool html_attr(const struct html_token *t, const char *name, struct buf *out);

/* Appends s with character references decoded: decimal, hex and the common
 * named ones. &nbsp; and the other space entities become a plain space (in
 * these profiles "&nbsp;" is spacing, not glue); invalid code points become
 * U+FFFD; an unknown reference stays as written. */
void html_decode(const char *s, size_t len, struct buf *out);

/* Decodes the reference at s (s[0] == '&'); returns the bytes it took, or 0
 * when s does not start a known reference. */
size_t html_decode_ref(const char *s, size_t len, struct buf *out);

/* What a tag means for the document model. */
enum html_kind {
    HK_INLINE,  /* u, strong, span, font, center, …: only its text counts */
    HK_BREAK,   /* br */
    HK_BLOCK,   /* p, div, details, summary, table, tr, section, …: a block
                   boundary */
    HK_HEADING, /* h1..h6 */
    HK_LIST,    /* ul, ol */
    HK_ITEM,    /* li */
    HK_QUOTE,   /* blockquote */
    HK_PRE,     /* pre */
    HK_RULE,    /* hr */
    HK_CELL,    /* td, th: separated by " | " */
    HK_LINK,    /* a */
    HK_IMAGE,   /* img */
    HK_DROP,    /* script, style, template, svg, …: dropped with content */
    HK_EMBED,   /* iframe, video, audio, embed, object, source: not text;
                   a src becomes a link */
};
enum html_kind html_kind(const char *name);
/* Whether the element has no end tag (br, img, hr, input, meta, …). */
bool html_is_void(const char *name);

#endif
