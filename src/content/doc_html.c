/* HTML inside Markdown: html.c's tokens interpreted against the walker,
 * a whole HTML block (its boundaries end blocks) or one inline HTML node
 * (its boundaries are line breaks); its text is prose (doc_prose.c), and
 * markdown="1" content is walked again as Markdown through the walker's
 * ops, which doc.c sets. */
#include "doc_internal.h"

#include "capsuled/html.h"

#include <stdlib.h>
#include <string.h>

/* markdown="1" HTML blocks are parsed again as Markdown; nesting beyond this
 * is treated as plain HTML, which bounds the re-parsing work. */
#define MAX_MARKDOWN_NESTING 8

static void boundary(struct walker *w, bool block_mode)
{
    if (block_mode)
        doc_finish_block(w);
    else
        doc_put_break(w);
}

static bool attr(const struct html_token *t, const char *name,
                 struct buf *out)
{
    buf_clear(out);
    return html_attr(t, name, out);
}

static void html_image(struct walker *w, const struct html_token *t)
{
    struct buf src = {0}, alt = {0};
    attr(t, "src", &src);
    attr(t, "alt", &alt);
    if (!src.len || w->caps.capturing || suppressed(w)) {
        doc_put_text(w, alt.data, alt.len);
    } else {
        doc_push_capture(w, src.data, true, true);
        doc_put_text(w, alt.data, alt.len);
        doc_pop_capture(w);
    }
    buf_free(&src);
    buf_free(&alt);
}

static void html_embed(struct walker *w, const struct html_token *t)
{
    struct buf src = {0}, label = {0};
    if (!attr(t, "src", &src) || !src.len)
        attr(t, "data", &src);
    if (!src.len) {
        if (strcmp(t->name, "source") && strcmp(t->name, "track"))
            doc_report(w, DIAG_WARNING, w->src.line,
                       "HTML <%s> without a source: not converted", t->name);
    } else if (!w->caps.capturing && !suppressed(w)) {
        if (!attr(t, "title", &label) || !label.len)
            buf_puts(&label, t->name);
        doc_push_capture(w, src.data, true, false);
        doc_put_text(w, label.data, label.len);
        doc_pop_capture(w);
    }
    buf_free(&src);
    buf_free(&label);
}

/* How kramdown reads an element's content by its markdown attribute: 'b'
 * as Markdown blocks, 's' as one run of Markdown text, 'r' as HTML ("0",
 * or "1" on an element whose content kramdown keeps raw, like ul or pre);
 * 0 without the attribute. */
static char markdown_mode(const struct html_token *t, struct buf *tmp)
{
    if (!attr(t, "markdown", tmp))
        return 0;
    const char *v = tmp->data ? tmp->data : "";
    if (!strcmp(v, "1"))
        return doc_kramdown_content_model(t->name);
    if (!strcmp(v, "block"))
        return 'b';
    if (!strcmp(v, "span"))
        return 's';
    return 'r';
}

/* Span content: its lines without their indentation, so that none of them
 * reads as a code block. */
static char *S_unindent(const char *s, size_t len)
{
    struct buf out = {0};
    bool line_start = true;
    for (size_t i = 0; i < len; i++) {
        if (line_start && (s[i] == ' ' || s[i] == '\t'))
            continue;
        line_start = s[i] == '\n';
        buf_putc(&out, s[i]);
    }
    return out.data ? buf_detach(&out) : xstrdup("");
}

/* Walks an element's content as Markdown up to its end tag; returns the
 * bytes taken (the end tag is left to the HTML walk). */
static size_t S_markdown_content(struct walker *w, const struct html_token *t,
                                 char mode, const char *rest, size_t len)
{
    size_t end = doc_kramdown_element_end(rest, len, t->name);
    doc_finish_block(w);
    if (mode == 's') {
        char *flat = S_unindent(rest, end);
        w->ops.walk_markdown(w, flat, strlen(flat), w->src.line);
        free(flat);
    } else {
        w->ops.walk_markdown(w, rest, end, w->src.line);
    }
    w->src.line += (int)doc_count_lines(rest, end);
    return end;
}

static void html_list_start(struct walker *w, const struct html_token *t)
{
    struct html_state *h = &w->html;
    struct html_list *l = PUSH(h->lists, h->n_lists, h->cap_lists);
    l->ordered = !strcmp(t->name, "ol");
    l->next = 1;
    if (l->ordered && attr(t, "start", &h->scratch))
        l->next = atoi(h->scratch.data);
}

static void html_item_start(struct walker *w)
{
    struct html_state *h = &w->html;
    h->item = true;
    free(h->marker);
    h->marker = NULL;
    if (h->n_lists && h->lists[h->n_lists - 1].ordered) {
        struct buf m = {0};
        buf_printf(&m, "%d.", h->lists[h->n_lists - 1].next++);
        h->marker = buf_detach(&m);
    }
}

/* Elements whose start and end tags both end the block (in an HTML block)
 * or break the line (inline), and which set the context of the blocks
 * they hold. */
static bool is_structural(enum html_kind kind)
{
    return kind == HK_BLOCK || kind == HK_HEADING || kind == HK_LIST ||
           kind == HK_ITEM || kind == HK_QUOTE || kind == HK_PRE;
}

/* The context a structural start tag of an HTML block gives the blocks
 * that follow. */
static void structure_start(struct walker *w, const struct html_token *t,
                            enum html_kind kind)
{
    switch (kind) {
    case HK_HEADING:
        w->html.heading = t->name[1] - '0';
        break;
    case HK_LIST:
        html_list_start(w, t);
        break;
    case HK_ITEM:
        html_item_start(w);
        break;
    case HK_QUOTE:
        w->html.quote++;
        break;
    case HK_PRE:
        w->html.pre = w->html.pre_skip_newline = true;
        break;
    default:
        break;
    }
}

static void structure_end(struct walker *w, enum html_kind kind,
                          bool block_mode)
{
    switch (kind) {
    case HK_HEADING:
        w->html.heading = 0;
        break;
    case HK_LIST:
        if (block_mode && w->html.n_lists)
            w->html.n_lists--;
        break;
    case HK_ITEM:
        w->html.item = false;
        break;
    case HK_QUOTE:
        if (w->html.quote)
            w->html.quote--;
        break;
    case HK_PRE:
        w->html.pre = false;
        break;
    default:
        break;
    }
}

/* Starts dropping an element with its content; an unexpected one is worth
 * a warning, script and style are not. */
static void drop_start(struct walker *w, const struct html_token *t)
{
    if (t->self_closing || html_is_void(t->name))
        return;
    if (strcmp(t->name, "script") && strcmp(t->name, "style") &&
        strcmp(t->name, "template") && strcmp(t->name, "noscript") &&
        strcmp(t->name, "head") && strcmp(t->name, "title"))
        doc_report(w, DIAG_WARNING, w->src.line,
                   "HTML <%s> dropped with its content", t->name);
    memcpy(w->html.drop_tag, t->name, sizeof w->html.drop_tag);
    w->html.drop_depth = 1;
}

/* A start tag that leaves the block's context alone. */
static void element_start(struct walker *w, const struct html_token *t,
                          enum html_kind kind, bool block_mode)
{
    switch (kind) {
    case HK_BREAK:
        doc_put_break(w);
        break;
    case HK_RULE:
        if (block_mode)
            doc_emit_rule(w, w->src.line);
        else
            doc_put_break(w);
        break;
    case HK_CELL:
        if (w->cur.open && w->cur.raw.len)
            doc_put_text(w, " | ", 3);
        break;
    case HK_LINK:
        if (attr(t, "href", &w->html.scratch)) {
            const char *href = w->html.scratch.data;
            doc_push_capture(w, href ? href : "", true, false);
        }
        break;
    case HK_IMAGE:
        html_image(w, t);
        break;
    case HK_EMBED:
        html_embed(w, t);
        break;
    case HK_DROP:
        drop_start(w, t);
        break;
    default:
        break;
    }
}

/* Handles a start tag; returns the bytes of the input after it that it
 * took (the content of a markdown="1" element, walked as Markdown). */
static size_t html_start(struct walker *w, const struct html_token *t,
                         bool block_mode, const char *rest, size_t rest_len)
{
    if (w->html.drop_depth) {
        if (!strcmp(t->name, w->html.drop_tag) && !t->self_closing)
            w->html.drop_depth++;
        return 0;
    }
    if (attr(t, "id", &w->html.scratch) ||
        (!strcmp(t->name, "a") && attr(t, "name", &w->html.scratch)))
        doc_add_pending_id(w, w->html.scratch.data ? w->html.scratch.data : "",
                           w->html.scratch.len);
    char mode = block_mode && w->src.nest < MAX_MARKDOWN_NESTING &&
                        !t->self_closing
                    ? markdown_mode(t, &w->html.scratch)
                    : 0;
    if (mode == 'b' || mode == 's')
        return S_markdown_content(w, t, mode, rest, rest_len);
    enum html_kind kind = html_kind(t->name);
    if (!is_structural(kind)) {
        element_start(w, t, kind, block_mode);
        return 0;
    }
    boundary(w, block_mode);
    if (block_mode)
        structure_start(w, t, kind);
    return 0;
}

static void html_end(struct walker *w, const struct html_token *t,
                     bool block_mode)
{
    if (w->html.drop_depth) {
        if (!strcmp(t->name, w->html.drop_tag) && --w->html.drop_depth == 0)
            w->html.drop_tag[0] = '\0';
        return;
    }
    enum html_kind kind = html_kind(t->name);
    if (kind == HK_LINK) {
        if (w->caps.n && w->caps.stack[w->caps.n - 1].html)
            doc_pop_capture(w);
    } else if (is_structural(kind)) {
        boundary(w, block_mode);
        structure_end(w, kind, block_mode);
    }
}

static void html_text(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w))
        return;
    struct buf text = {0};
    html_decode(s, len, &text);
    if (w->html.pre)
        doc_put_text(w, text.data, text.len);
    else
        doc_put_prose(w, text.data, text.len);
    buf_free(&text);
}

/* Ends what an HTML block or a paragraph left open: elements do not reach
 * past the node that holds them (except comments, see struct
 * comment_state). */
void doc_html_reset(struct walker *w, bool block_mode)
{
    struct html_state *h = &w->html;
    if (h->drop_depth && strcmp(h->drop_tag, "script") &&
        strcmp(h->drop_tag, "style"))
        doc_report(w, DIAG_WARNING, w->src.line,
                   "unclosed HTML <%s>: its content was dropped",
                   h->drop_tag);
    h->drop_depth = 0;
    h->drop_tag[0] = '\0';
    if (!block_mode)
        return;
    h->heading = 0;
    h->pre = h->pre_skip_newline = h->item = false;
    h->quote = 0;
    h->n_lists = 0;
    free(h->marker);
    h->marker = NULL;
}

/* Skips the part of s[i..len] an open comment hides, counting its lines;
 * returns where the HTML goes on. */
static size_t S_skip_hidden(struct walker *w, const char *s, size_t i,
                            size_t len)
{
    const char *rest = s + i;
    size_t rest_len = len - i;
    if (!doc_comment_skip(w, &rest, &rest_len))
        rest = s + len;
    w->src.line += (int)doc_count_lines(s + i, (size_t)(rest - (s + i)));
    return (size_t)(rest - s);
}

/* Interprets HTML: a whole HTML block (block_mode: boundaries end blocks)
 * or one inline HTML node of a paragraph (boundaries are line breaks). */
static void html_feed(struct walker *w, const char *s, size_t len,
                      bool block_mode)
{
    size_t i = 0;
    while (i < len) {
        if (w->comment.open) {
            i = S_skip_hidden(w, s, i, len);
            continue;
        }
        struct html_token t;
        size_t n = html_next_token(s + i, len - i, &t);
        switch (t.type) {
        case HTML_COMMENT:
            if (t.unterminated)
                doc_comment_open(w, false);
            break;
        case HTML_DECL:
            break;
        case HTML_TEXT:
            html_text(w, t.raw, n);
            break;
        case HTML_START:
            w->src.line += (int)doc_count_lines(t.raw, n);
            i += n;
            i += html_start(w, &t, block_mode, s + i, len - i);
            continue;
        case HTML_END:
            html_end(w, &t, block_mode);
            break;
        }
        w->src.line += (int)doc_count_lines(t.raw, n);
        i += n;
    }
}

void doc_walk_html(struct walker *w, cmark_node *n, bool block_mode)
{
    const char *lit = cmark_node_get_literal(n);
    if (!lit)
        return;
    html_feed(w, lit, strlen(lit), block_mode);
    if (block_mode) {
        doc_finish_block(w);
        doc_html_reset(w, true);
    }
}

void doc_html_free(struct html_state *h)
{
    free(h->marker);
    free(h->lists);
    buf_free(&h->scratch);
}
