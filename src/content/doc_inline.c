/* Inline nodes of a paragraph or heading: text (with comments begun in
 * text; the rest is prose, doc_prose.c), code spans, breaks, inline HTML
 * (doc_html.c), links and images. */
#include "doc_internal.h"

#include <string.h>

/* A text node: cmark left "<!--" as text when the comment was not valid
 * CommonMark (it holds "--"), but the author meant a comment. */
static void put_text_node(struct walker *w, const char *s, size_t len)
{
    while (len) {
        if (!doc_comment_skip(w, &s, &len))
            return;
        const char *open = memmem(s, len, "<!--", 4);
        size_t upto = open ? (size_t)(open - s) : len;
        doc_put_prose(w, s, upto);
        if (!open)
            return;
        doc_comment_open(w, true);
        len -= upto + 4;
        s = open + 4;
    }
}

void doc_walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev)
{
    bool enter = ev == CMARK_EVENT_ENTER;
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT: {
        const char *lit = cmark_node_get_literal(n);
        put_text_node(w, lit, lit ? strlen(lit) : 0);
        break;
    }
    case CMARK_NODE_CODE: {
        const char *lit = cmark_node_get_literal(n);
        size_t len = lit ? strlen(lit) : 0;
        if (doc_comment_skip(w, &lit, &len))
            doc_put_text(w, lit, len);
        break;
    }
    case CMARK_NODE_SOFTBREAK:
        doc_put_text(w, " ", 1);
        w->src.line++;
        break;
    case CMARK_NODE_LINEBREAK:
        doc_put_break(w);
        w->src.line++;
        break;
    case CMARK_NODE_HTML_INLINE:
        doc_walk_html(w, n, false);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
        if (enter)
            doc_push_capture(w, cmark_node_get_url(n), false,
                             cmark_node_get_type(n) == CMARK_NODE_IMAGE);
        else
            while (w->caps.n) {
                bool md = !w->caps.stack[w->caps.n - 1].html;
                doc_pop_capture(w);
                if (md)
                    break;
            }
        break;
    default:
        break;
    }
}
