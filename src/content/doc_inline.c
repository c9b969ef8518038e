/* Inline nodes of a paragraph or heading: text (with kramdown attribute
 * lists, Liquid leftovers and comments begun in text), code spans, breaks,
 * inline HTML, links and images. */
#include "doc_internal.h"

#include <string.h>

/* Drops "{: .class #id}" attribute lists (their ids become anchors) and
 * passes the rest on. */
void put_prose(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w))
        return;
    if (!memchr(s, '{', len)) {
        put_text(w, s, len);
        return;
    }
    if (!w->cur.liquid_warned &&
        (memmem(s, len, "{%", 2) || memmem(s, len, "{{", 2))) {
        walker_report(w, DIAG_WARNING, w->cur_line,
                      "Liquid markup left in the text");
        w->cur.liquid_warned = true;
    }
    while (len) {
        const char *ial = memmem(s, len, "{:", 2);
        const char *end = ial ? memchr(ial, '}', len - (size_t)(ial - s)) : NULL;
        if (!ial || !end) {
            put_text(w, s, len);
            return;
        }
        put_text(w, s, (size_t)(ial - s));
        for (const char *p = ial + 2; p < end; p++) {
            if (*p == '#' && (p == ial + 2 || p[-1] == ' ')) {
                const char *q = p + 1;
                while (q < end && *q != ' ')
                    q++;
                add_pending_id(w, p + 1, (size_t)(q - p - 1));
                p = q;
            }
        }
        len -= (size_t)(end + 1 - s);
        s = end + 1;
    }
}

/* Skips text inside an open comment; returns the rest, or false when the
 * comment swallows all of it. */
bool skip_comment(struct walker *w, const char **s, size_t *len)
{
    if (!w->in_comment)
        return true;
    const char *end = memmem(*s, *len, "-->", 3);
    if (!end)
        return false;
    *len -= (size_t)(end + 3 - *s);
    *s = end + 3;
    w->in_comment = false;
    return true;
}

/* A text node: cmark left "<!--" as text when the comment was not valid
 * CommonMark (it holds "--"), but the author meant a comment. */
static void put_text_node(struct walker *w, const char *s, size_t len)
{
    while (len) {
        if (!skip_comment(w, &s, &len))
            return;
        const char *open = memmem(s, len, "<!--", 4);
        size_t upto = open ? (size_t)(open - s) : len;
        put_prose(w, s, upto);
        if (!open)
            return;
        w->in_comment = true;
        w->comment_from_text = true;
        w->comment_line = w->cur_line;
        len -= upto + 4;
        s = open + 4;
    }
}

void walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev)
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
        if (skip_comment(w, &lit, &len))
            put_text(w, lit, len);
        break;
    }
    case CMARK_NODE_SOFTBREAK:
        put_text(w, " ", 1);
        w->cur_line++;
        break;
    case CMARK_NODE_LINEBREAK:
        put_break(w);
        w->cur_line++;
        break;
    case CMARK_NODE_HTML_INLINE:
        walk_html(w, n, false);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
        if (enter)
            push_capture(w, cmark_node_get_url(n), false,
                         cmark_node_get_type(n) == CMARK_NODE_IMAGE);
        else
            while (w->n_caps) {
                bool md = !w->caps[w->n_caps - 1].html;
                pop_capture(w);
                if (md)
                    break;
            }
        break;
    default:
        break;
    }
}
