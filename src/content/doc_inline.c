/* Inline nodes of a paragraph or heading: text (with comments begun in
 * text; the rest is prose, doc_prose.c), code spans, breaks, inline HTML
 * (doc_html.c), links and images. */
#include "doc_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Prose with kramdown's typography (doc_typo.c); text without any of
 * the characters it changes goes straight on. */
static void put_typographic(struct walker *w, const char *s, size_t len,
                            int prev, enum typo_next next)
{
    if (!doc_typography_needed(s, len)) {
        doc_put_prose(w, s, len);
        return;
    }
    struct buf out = {0};
    doc_typography(&out, s, len, prev, next);
    doc_put_prose(w, out.data ? out.data : "", out.len);
    buf_free(&out);
}

/* kramdown's inline link whose destination holds spaces, which CommonMark
 * leaves as text: "[label](dest)" starting at s (s[0] == '['), the label
 * without brackets or markup. Returns its length, 0 when s is no such
 * link. */
/* A destination without its title: "url "Title"" or "url 'Title'". */
static struct span without_title(struct span d)
{
    if (d.len < 3 || (d.s[d.len - 1] != '"' && d.s[d.len - 1] != '\''))
        return d;
    for (size_t i = d.len - 1; i-- > 1;)
        if (d.s[i] == d.s[d.len - 1] && d.s[i - 1] == ' ')
            return doc_trim_span(d.s, i);
    return d;
}

static size_t spaced_link(const char *s, size_t len, struct span *label,
                          struct span *dest)
{
    /* Each scan stops at the next bracket or parenthesis, so a text of
     * many '[' stays linear. */
    size_t i = 1;
    while (i < len && s[i] != '[' && s[i] != ']')
        i++;
    if (i + 1 >= len || s[i] != ']' || s[i + 1] != '(')
        return 0;
    size_t d = i + 2, j = d;
    while (j < len && s[j] != ')' && s[j] != '(' && s[j] != '\n')
        j++;
    if (j == len || s[j] != ')')
        return 0;
    *label = (struct span){s + 1, i - 1};
    *dest = without_title(doc_trim_span(s + d, j - d));
    if (!memchr(dest->s, ' ', dest->len))
        return 0; /* cmark would have made it a link: not this rule's */
    return j + 1;
}

/* Whether a destination is a URL a reader can follow: a scheme ("https:")
 * or a site path ("/files/my paper.pdf"); "to be appear in CVPR2022" is
 * not, and stays the label alone. */
static bool followable(struct span d)
{
    if (d.len && d.s[0] == '/')
        return true;
    size_t i = 0;
    while (i < d.len && (isalnum((unsigned char)d.s[i]) || d.s[i] == '+' ||
                         d.s[i] == '-' || d.s[i] == '.'))
        i++;
    return i > 0 && i < d.len && d.s[i] == ':' &&
           isalpha((unsigned char)d.s[0]);
}

/* Prose of a text node, its kramdown links made: a followable one is a
 * link of its label, any other only its label. The scan goes from '[' to
 * '[', as most text holds none. */
static void put_prose_links(struct walker *w, const char *s, size_t len,
                            int prev, enum typo_next next)
{
    size_t from = 0, i = 0;
    const char *open;
    while (i < len && (open = memchr(s + i, '[', len - i))) {
        i = (size_t)(open - s);
        struct span label, dest;
        size_t n = spaced_link(s + i, len - i, &label, &dest);
        if (!n) {
            i++;
            continue;
        }
        put_typographic(w, s + from, i - from, prev, TYPO_NEXT_OTHER);
        bool link = followable(dest);
        if (link) {
            char *url = xstrndup(dest.s, dest.len);
            doc_push_capture(w, url, false, false);
            free(url);
        }
        put_typographic(w, label.s, label.len, 0, TYPO_NEXT_END);
        if (link)
            doc_pop_capture(w);
        i += n;
        from = i;
        prev = 0; /* after an element */
    }
    put_typographic(w, s + from, len - from, prev, next);
}

/* The first "<!--" of s: found by its '<' (memchr), not by memmem, as
 * prose seldom has one. */
static const char *comment_open(const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '<', (size_t)(end - p))); p++)
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
            return p;
    return NULL;
}

/* A text node: cmark left "<!--" as text when the comment was not valid
 * CommonMark (it holds "--"), but the author meant a comment. */
static void put_text_node(struct walker *w, const char *s, size_t len,
                          int prev, enum typo_next next)
{
    while (len) {
        if (!doc_comment_skip(w, &s, &len))
            return;
        const char *open = comment_open(s, len);
        size_t upto = open ? (size_t)(open - s) : len;
        put_prose_links(w, s, upto, prev, open ? TYPO_NEXT_OTHER : next);
        if (!open)
            return;
        doc_comment_open(w, true);
        len -= upto + 4;
        s = open + 4;
        prev = 0;
    }
}

/* What kramdown sees around a text node: a line break is a newline, and
 * the text of an autolink (<https://a--b.org>) is the URL, not prose. */
static int text_prev(cmark_node *n)
{
    cmark_node *p = cmark_node_previous(n);
    cmark_node_type t = p ? cmark_node_get_type(p) : CMARK_NODE_NONE;
    return t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK ? '\n' : 0;
}

static enum typo_next text_next(cmark_node *n)
{
    cmark_node *x = cmark_node_next(n);
    switch (x ? cmark_node_get_type(x) : CMARK_NODE_NONE) {
    case CMARK_NODE_NONE:
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
        return TYPO_NEXT_END;
    case CMARK_NODE_EMPH:
    case CMARK_NODE_STRONG:
        return TYPO_NEXT_EMPH;
    default:
        return TYPO_NEXT_OTHER;
    }
}

static bool autolink_text(cmark_node *n, const char *lit)
{
    cmark_node *p = cmark_node_parent(n);
    const char *url = p && cmark_node_get_type(p) == CMARK_NODE_LINK
                          ? cmark_node_get_url(p)
                          : NULL;
    if (!url)
        return false;
    if (!strncmp(url, "mailto:", 7) && !strcmp(url + 7, lit))
        return true;
    return !strcmp(url, lit);
}

void doc_walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev)
{
    bool enter = ev == CMARK_EVENT_ENTER;
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT: {
        const char *lit = cmark_node_get_literal(n);
        if (!lit)
            break;
        if (autolink_text(n, lit))
            doc_put_prose(w, lit, strlen(lit));
        else
            put_text_node(w, lit, strlen(lit), text_prev(n), text_next(n));
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
