/* Prose on its way into the open block: kramdown attribute lists taken
 * out (their ids become anchors), Liquid leftovers noted, and the text an
 * open HTML comment hides skipped. Markdown text and the text of HTML come
 * through here alike; the comment state is this file's to change. */
#include "doc_internal.h"

#include <string.h>

/* Drops "{: .class #id}" attribute lists (their ids become anchors) and
 * passes the rest on. */
void doc_put_prose(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w))
        return;
    if (!memchr(s, '{', len)) {
        doc_put_text(w, s, len);
        return;
    }
    if (!w->cur.liquid_warned &&
        (memmem(s, len, "{%", 2) || memmem(s, len, "{{", 2))) {
        doc_report(w, DIAG_WARNING, w->src.line,
                   "Liquid markup left in the text");
        w->cur.liquid_warned = true;
    }
    while (len) {
        const char *ial = memmem(s, len, "{:", 2);
        const char *end = ial ? memchr(ial, '}', len - (size_t)(ial - s)) : NULL;
        if (!ial || !end) {
            doc_put_text(w, s, len);
            return;
        }
        doc_put_text(w, s, (size_t)(ial - s));
        for (const char *p = ial + 2; p < end; p++) {
            if (*p == '#' && (p == ial + 2 || p[-1] == ' ')) {
                const char *q = p + 1;
                while (q < end && *q != ' ')
                    q++;
                doc_add_pending_id(w, p + 1, (size_t)(q - p - 1));
                p = q;
            }
        }
        len -= (size_t)(end + 1 - s);
        s = end + 1;
    }
}

/* Skips text inside an open comment; returns the rest, or false when the
 * comment swallows all of it. */
bool doc_comment_skip(struct walker *w, const char **s, size_t *len)
{
    if (!w->comment.open)
        return true;
    const char *end = memmem(*s, *len, "-->", 3);
    if (!end)
        return false;
    *len -= (size_t)(end + 3 - *s);
    *s = end + 3;
    w->comment.open = false;
    return true;
}

/* A comment opens at the current line: one opened in HTML runs on across
 * nodes, as in a browser; one opened in a text node (from_text) ends with
 * its paragraph. */
void doc_comment_open(struct walker *w, bool from_text)
{
    w->comment.open = true;
    w->comment.from_text = from_text;
    w->comment.line = w->src.line;
}

/* Ends a comment begun in the text of the paragraph (or table cell) that
 * ends now; warn: say that it hid the rest of the paragraph. */
void doc_comment_end_text(struct walker *w, bool warn)
{
    if (!w->comment.open || !w->comment.from_text)
        return;
    if (warn)
        doc_report(w, DIAG_WARNING, w->comment.line,
                   "\"<!--\" without \"-->\" in a paragraph: the rest of it "
                   "was dropped");
    w->comment.open = false;
}
