/* kramdown's block rules where they differ from CommonMark, applied around
 * cmark's parse so that the tree it builds is the one kramdown 2.4 (GFM
 * input, Jekyll's defaults) would build:
 *
 *   - math: "$$…$$" starting a block is a display formula, and "$$…$$"
 *     inside a paragraph an inline one; both keep their source text (a
 *     <pre> block, a code span), never read as emphasis;
 *   - block HTML: an HTML block element runs to its matching close tag
 *     (kramdown's raw content model), blank and indented lines included;
 *     cmark ends it at the first blank line and reads what follows as
 *     Markdown, indented lines as code.
 *
 * The source is rewritten line for line (the same number of lines, so
 * every line number still names the page's line), and after the parse the
 * top-level nodes an HTML element spans are replaced by one HTML block;
 * what cmark ran on past its close tag is parsed again as Markdown.
 * Fenced code is left alone. A leaf of the doc modules: only cmark and
 * html.c below it. */
#include "doc_internal.h"

#include "capsuled/html.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* kramdown's HTML_SPAN_ELEMENTS: at the start of a line these open a
 * paragraph, not an HTML block. */
static const char *const span_elements[] = {
    "a", "abbr", "acronym", "b", "big", "bdo", "br", "button", "cite",
    "code", "del", "dfn", "em", "i", "img", "input", "ins", "kbd", "label",
    "mark", "option", "q", "rb", "rbc", "rp", "rt", "rtc", "ruby", "samp",
    "select", "small", "span", "strong", "sub", "sup", "tt", "u", "var",
};

static bool in_list(const char *name, const char *const *list, size_t n);

static bool is_span_element(const char *name)
{
    return in_list(name, span_elements,
                   sizeof span_elements / sizeof *span_elements);
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, list[i]))
            return true;
    return false;
}

/* kramdown's HTML_CONTENT_MODEL_BLOCK and _SPAN; every other element's
 * content is raw (ul, ol, table and pre among them). */
static const char *const block_model[] = {
    "address", "applet", "article", "aside", "blockquote", "body", "dd",
    "details", "div", "dl", "fieldset", "figure", "figcaption", "footer",
    "form", "header", "hgroup", "iframe", "li", "main", "map", "menu",
    "nav", "noscript", "object", "section", "summary", "td",
};
static const char *const span_model[] = {
    "a", "abbr", "acronym", "b", "bdo", "big", "button", "cite", "caption",
    "del", "dfn", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "i", "ins",
    "label", "legend", "optgroup", "p", "q", "rb", "rbc", "rp", "rt", "rtc",
    "ruby", "select", "small", "span", "strong", "sub", "sup", "th", "tt",
};

char doc_kramdown_content_model(const char *name)
{
    if (in_list(name, block_model, sizeof block_model / sizeof *block_model))
        return 'b';
    if (in_list(name, span_model, sizeof span_model / sizeof *span_model))
        return 's';
    return 'r';
}

/* ------------------------------------------------------------ the lines */

struct lines {
    const char *s;
    size_t len;
    size_t *start; /* start[i]: offset of line i (0-based); start[n] = len */
    size_t n;
};

static void lines_init(struct lines *l, const char *s, size_t len)
{
    size_t cap = 0;
    *l = (struct lines){.s = s, .len = len};
    *PUSH(l->start, l->n, cap) = 0;
    for (const char *nl = s; (nl = memchr(nl, '\n', len - (size_t)(nl - s)));)
        if (++nl < s + len)
            *PUSH(l->start, l->n, cap) = (size_t)(nl - s);
        else
            break;
    *PUSH(l->start, l->n, cap) = len;
    l->n--; /* the sentinel is not a line */
}

static struct span line_at(const struct lines *l, size_t i)
{
    size_t a = l->start[i], b = l->start[i + 1];
    if (b > a && l->s[b - 1] == '\n')
        b--;
    return (struct span){l->s + a, b - a};
}

static bool blank(struct span s)
{
    return doc_all_space(s.s, s.len);
}

/* Up to three spaces of indentation, as a block start allows; NULL when
 * the line is indented more. */
static const char *block_start(struct span s)
{
    size_t i = 0;
    while (i < s.len && i < 4 && s.s[i] == ' ')
        i++;
    return i < 4 ? s.s + i : NULL;
}

/* A fence line (``` or ~~~, three or more): its character and length. */
static size_t fence(struct span s, char *ch)
{
    const char *p = block_start(s);
    if (!p || (*p != '`' && *p != '~'))
        return 0;
    size_t n = 0, rest = s.len - (size_t)(p - s.s);
    while (n < rest && p[n] == *p)
        n++;
    if (n < 3)
        return 0;
    *ch = *p;
    return n;
}

/* ---------------------------------------------------------- block HTML */

/* The element a line starts as block HTML, kramdown's way: "<name" at a
 * block start, name not a span element; its lower-case name in name. */
static bool html_block_open(struct span s, struct html_token *t)
{
    const char *p = block_start(s);
    if (!p || p == s.s + s.len || *p != '<')
        return false;
    size_t rest = s.len - (size_t)(p - s.s), n = 1;
    while (n < rest && (isalnum((unsigned char)p[n]) || p[n] == '-'))
        n++;
    /* a tag name ends at a space, '>' or '/': "<https://x>" is no tag */
    if (!isalpha((unsigned char)p[1]) ||
        (n < rest && !strchr(" \t>/", p[n])))
        return false;
    html_next_token(p, rest, t);
    return t->type == HTML_START && t->name[0] && !t->self_closing &&
           !html_is_void(t->name) && !is_span_element(t->name);
}

size_t doc_kramdown_element_end(const char *s, size_t len, const char *name)
{
    size_t i = 0, depth = 1;
    while (i < len) {
        struct html_token t;
        size_t n = html_next_token(s + i, len - i, &t);
        if (t.type == HTML_START && !strcmp(t.name, name) && !t.self_closing)
            depth++;
        else if (t.type == HTML_END && !strcmp(t.name, name) && --depth == 0)
            return i;
        i += n;
    }
    return len;
}

/* The line holding the close tag that ends the element opened on line
 * first (same-name elements nest); the last line when it never closes, as
 * kramdown closes it at the end of the document. */
static size_t html_block_end(const struct lines *l, size_t first,
                             const char *name)
{
    size_t from = l->start[first], i = from, depth = 0;
    while (i < l->len) {
        struct html_token t;
        size_t n = html_next_token(l->s + i, l->len - i, &t);
        if (t.type == HTML_START && !strcmp(t.name, name) && !t.self_closing)
            depth++;
        else if (t.type == HTML_END && !strcmp(t.name, name) && --depth == 0)
            break;
        i += n;
    }
    size_t line = first;
    while (line + 1 < l->n && l->start[line + 1] <= i)
        line++;
    return line;
}

/* ---------------------------------------------------------------- math */

/* Appends s with the characters HTML gives meaning escaped. */
static void put_escaped(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<')
            buf_puts(out, "&lt;");
        else if (s[i] == '>')
            buf_puts(out, "&gt;");
        else if (s[i] == '&')
            buf_puts(out, "&amp;");
        else
            buf_putc(out, s[i]);
    }
}

/* A display formula starting on line first: "$$" at a block start, after
 * a blank line, ending with "$$" at a line's end before a blank line or the
 * end (kramdown's BLOCK_MATH_START and block boundaries). Returns its last
 * line, or (size_t)-1. */
static size_t math_block_end(const struct lines *l, size_t first)
{
    const char *p = block_start(line_at(l, first));
    if (!p || strncmp(p, "$$", 2) || (first && !blank(line_at(l, first - 1))))
        return (size_t)-1;
    size_t skip = (size_t)(p - l->s) + 2; /* the body starts past "$$" */
    for (size_t i = first; i < l->n; i++) {
        struct span s = line_at(l, i);
        struct span t = doc_trim_span(s.s, s.len);
        size_t from = l->start[i] > skip ? l->start[i] : skip;
        if (t.len >= 2 && !memcmp(t.s + t.len - 2, "$$", 2) &&
            (size_t)(t.s + t.len - 2 - l->s) >= from)
            return i + 1 == l->n || blank(line_at(l, i + 1)) ? i
                                                             : (size_t)-1;
    }
    return (size_t)-1;
}

/* Lines first..last of a display formula become a <pre> HTML block (type 1
 * in CommonMark, which ends at its close tag) holding the formula's text,
 * on the same lines. */
static void put_math_block(struct buf *out, const struct lines *l,
                           size_t first, size_t last)
{
    const char *a = block_start(line_at(l, first)) + 2; /* past "$$" */
    struct span end = line_at(l, last);
    struct span t = doc_trim_span(end.s, end.len);
    const char *b = t.s + t.len - 2;
    struct span body = doc_trim_span(a, (size_t)(b - a));
    buf_puts(out, "<pre>");
    size_t nl = 0;
    for (const char *p = a; p < body.s; p++)
        nl += *p == '\n';
    for (size_t i = 0; i < nl; i++)
        buf_putc(out, '\n');
    put_escaped(out, body.s, body.len);
    buf_puts(out, "</pre>");
    for (const char *p = body.s + body.len; p < b; p++)
        if (*p == '\n')
            buf_putc(out, '\n');
    const char *stop = l->s + l->start[last + 1];
    buf_put(out, t.s + t.len, (size_t)(stop - (t.s + t.len)));
}

/* Whether a line holds "$$": the few lines put_prose_line rewrites. */
static bool has_two_dollars(struct span s)
{
    const char *d = s.s;
    while ((d = memchr(d, '$', s.len - (size_t)(d - s.s))) &&
           (d + 1 == s.s + s.len || d[1] != '$'))
        d++;
    return d != NULL;
}

/* A line of prose: each "$$…$$" on it (outside code spans) becomes a code
 * span holding "$$…$$", so that no '*' or '_' of the formula is read as
 * emphasis. */
static void put_prose_line(struct buf *out, struct span s, const char *stop)
{
    size_t i = 0;
    while (i < s.len) {
        if (s.s[i] == '`') { /* a code span: copied as it is */
            size_t n = 0;
            while (i + n < s.len && s.s[i + n] == '`')
                n++;
            const char *close = NULL;
            for (size_t j = i + n; j + n <= s.len; j++)
                if (!memcmp(s.s + j, s.s + i, n) &&
                    (j + n == s.len || s.s[j + n] != '`')) {
                    close = s.s + j;
                    break;
                }
            size_t upto = close ? (size_t)(close - s.s) + n : i + n;
            buf_put(out, s.s + i, upto - i);
            i = upto;
            continue;
        }
        if (s.s[i] == '$' && i + 1 < s.len && s.s[i + 1] == '$' &&
            (i == 0 || s.s[i - 1] != '\\')) {
            const char *close = memmem(s.s + i + 2, s.len - i - 2, "$$", 2);
            if (close && close > s.s + i + 2 && !memchr(s.s + i, '`',
                                               (size_t)(close - s.s - i))) {
                size_t upto = (size_t)(close - s.s) + 2;
                buf_putc(out, '`');
                buf_put(out, s.s + i, upto - i);
                buf_putc(out, '`');
                i = upto;
                continue;
            }
        }
        size_t run = 1; /* up to the next '`' or '$', in one piece */
        while (i + run < s.len && s.s[i + run] != '`' && s.s[i + run] != '$')
            run++;
        buf_put(out, s.s + i, run);
        i += run;
    }
    buf_put(out, s.s + s.len, (size_t)(stop - (s.s + s.len)));
}

/* ------------------------------------------------------------ the pass */

/* Lines left as they are (most of a page) are not copied one by one:
 * *done is how much of the page is in out, and the lines from there up to
 * line i go in at once before a rewritten line. */
static void copy_upto(struct buf *out, const struct lines *l, size_t *done,
                      size_t i)
{
    buf_put(out, l->s + *done, l->start[i] - *done);
    *done = l->start[i];
}

/* Records an HTML element's lines, for doc_kdhtml_join. */
static void add_html_span(struct kd_source *k, size_t first, size_t last)
{
    struct kd_lines *r = PUSH(k->html, k->n_html, k->cap_html);
    r->first = (int)first + 1;
    r->last = (int)last + 1;
}

/* A line that is one whole HTML comment ("<!-- pages/x.md -->"): kramdown
 * reads it as a block of its own, so the next line starts a block too. */
static bool whole_comment_line(struct span s)
{
    const char *p = block_start(s);
    if (!p || strncmp(p, "<!--", 4) != 0)
        return false;
    size_t rest = s.len - (size_t)(p - s.s);
    const char *end = NULL;
    for (size_t i = 4; i + 3 <= rest; i++)
        if (memcmp(p + i, "-->", 3) == 0)
            end = p + i + 3;
    return end && doc_all_space(end, s.len - (size_t)(end - s.s));
}

void doc_kdhtml_prepare(const char *md, size_t len, struct kd_source *k)
{
    memset(k, 0, sizeof *k);
    struct lines l;
    lines_init(&l, md, len);
    struct buf out = {0};
    char fch = 0;
    size_t flen = 0;       /* the open fence, or 0 */
    size_t after = 0;      /* the line after the last formula or element */
    bool prev_blank = false;
    size_t done = 0;       /* bytes of the page already in out */
    for (size_t i = 0; i < l.n; i++) {
        struct span s = line_at(&l, i);
        const char *stop = l.s + l.start[i + 1];
        char ch = 0;
        size_t n = fence(s, &ch);
        bool boundary = i == 0 || i == after || prev_blank;
        prev_blank = blank(s);
        struct html_token t;
        size_t last;
        if (flen) {
            if (n >= flen && ch == fch &&
                doc_all_space(block_start(s) + n,
                              s.len - (size_t)(block_start(s) + n - s.s)))
                flen = 0;
        } else if (n) {
            flen = n;
            fch = ch;
        } else if ((last = math_block_end(&l, i)) != (size_t)-1) {
            copy_upto(&out, &l, &done, i);
            put_math_block(&out, &l, i, last);
            done = l.start[last + 1];
            after = (i = last) + 1;
        } else if (boundary && html_block_open(s, &t)) {
            last = html_block_end(&l, i, t.name);
            add_html_span(k, i, last);
            after = (i = last) + 1;
        } else if (boundary && whole_comment_line(s)) {
            after = i + 1; /* the line itself is copied with its run */
        } else if (has_two_dollars(s)) {
            copy_upto(&out, &l, &done, i);
            put_prose_line(&out, s, stop);
            done = l.start[i + 1];
        }
    }
    copy_upto(&out, &l, &done, l.n);
    free(l.start);
    k->len = out.len;
    k->text = out.data ? buf_detach(&out) : xstrdup("");
}

/* The HTML span that starts on line, or NULL. Spans are in line order. */
static const struct kd_lines *span_at(const struct kd_source *k, int line,
                                      size_t *from)
{
    while (*from < k->n_html && k->html[*from].first < line)
        (*from)++;
    return *from < k->n_html && k->html[*from].first == line
               ? &k->html[*from]
               : NULL;
}

/* Lines first..last (1-based) of the rewritten page. */
static char *lines_text(const struct kd_source *k, const struct lines *l,
                        int first, int last)
{
    size_t a = (size_t)first - 1, b = (size_t)last;
    if (b > l->n)
        b = l->n;
    return xstrndup(k->text + l->start[a], l->start[b] - l->start[a]);
}

static struct kd_pos *new_pos(struct kd_source *k, int offset, int line,
                              int end)
{
    struct kd_pos *p = xmalloc(sizeof *p);
    *p = (struct kd_pos){offset, line, end, false, k->positions};
    k->positions = p;
    return p;
}

/* Marks the nodes of a subtree parsed apart with their position. */
static void shift_lines(cmark_node *root, struct kd_pos *pos)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        if (ev == CMARK_EVENT_ENTER)
            cmark_node_set_user_data(cmark_iter_get_node(it), pos);
    cmark_iter_free(it);
}

/* The first span starting at or after line, or NULL. */
static const struct kd_lines *span_from(const struct kd_source *k, int line,
                                        size_t from)
{
    while (from < k->n_html && k->html[from].first < line)
        from++;
    return from < k->n_html ? &k->html[from] : NULL;
}

/* What cmark ran on past an element's close tag, lines first..last (up to
 * a blank line), is new blocks to kramdown: parsed on their own and put
 * after the element. Where another element starts in them, an empty node
 * stands for it and its lines, for the join to rebuild next: parsing the
 * rest again for every element of a chain would be quadratic. Returns the
 * first node put, or NULL. */
static cmark_node *put_rest(struct kd_source *k, const struct lines *l,
                            cmark_node *after, int first, int last,
                            size_t from)
{
    const struct kd_lines *s = span_from(k, first, from);
    int md_last = s && s->first <= last ? s->first - 1 : last;
    cmark_node *put = NULL;
    if (md_last >= first) {
        char *rest = lines_text(k, l, first, md_last);
        cmark_node *sub =
            cmark_parse_document(rest, strlen(rest), CMARK_OPTIONS);
        free(rest);
        struct kd_pos *pos = new_pos(k, first - 1, 0, 0);
        cmark_node *c;
        while ((c = cmark_node_first_child(sub))) {
            cmark_node_insert_after(after, c);
            shift_lines(c, pos);
            put = put ? put : c;
            after = c;
        }
        cmark_node_free(sub);
    }
    if (md_last < last) {
        cmark_node *p = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        struct kd_pos *pos = new_pos(k, 0, md_last + 1, last);
        pos->placeholder = true;
        cmark_node_set_user_data(p, pos);
        cmark_node_insert_after(after, p);
        put = put ? put : p;
    }
    return put;
}

/* The element's lines become one top-level HTML block, in place of the
 * nodes cmark made of them; returns the node to go on with. */
static cmark_node *rebuild_span(struct kd_source *k, const struct lines *l,
                                cmark_node *first, const struct kd_lines *r)
{
    int end = doc_node_end_line(first);
    cmark_node *next = cmark_node_next(first);
    while (next && doc_node_line(next) <= r->last) {
        cmark_node *after = cmark_node_next(next);
        if (doc_node_end_line(next) > end)
            end = doc_node_end_line(next);
        cmark_node_free(next);
        next = after;
    }
    cmark_node *h = cmark_node_new(CMARK_NODE_HTML_BLOCK);
    char *lit = lines_text(k, l, r->first, r->last);
    cmark_node_set_literal(h, lit);
    free(lit);
    cmark_node_set_user_data(h, new_pos(k, 0, r->first, r->last));
    cmark_node_insert_before(first, h);
    cmark_node_free(first);
    size_t from = (size_t)(r - k->html) + 1;
    cmark_node *put =
        end > r->last ? put_rest(k, l, h, r->last + 1, end, from) : NULL;
    return put ? put : next;
}

static bool placeholder(cmark_node *n)
{
    const struct kd_pos *p = cmark_node_get_user_data(n);
    return p && p->placeholder;
}

void doc_kdhtml_join(struct kd_source *k, cmark_node *root)
{
    if (!k->n_html)
        return;
    struct lines l;
    lines_init(&l, k->text, k->len);
    size_t from = 0;
    cmark_node *n = cmark_node_first_child(root);
    while (n) {
        const struct kd_lines *r = span_at(k, doc_node_line(n), &from);
        if (r && (cmark_node_get_type(n) != CMARK_NODE_HTML_BLOCK ||
                  doc_node_end_line(n) != r->last || placeholder(n)))
            n = rebuild_span(k, &l, n, r);
        else
            n = cmark_node_next(n);
    }
    free(l.start);
}

void doc_kdhtml_free(struct kd_source *k)
{
    while (k->positions) {
        struct kd_pos *p = k->positions;
        k->positions = p->next_alloc;
        free(p);
    }
    free(k->text);
    free(k->html);
    memset(k, 0, sizeof *k);
}
