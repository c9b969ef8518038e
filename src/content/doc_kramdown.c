/* kramdown's own syntax, read before cmark parses the page. Jekyll renders
 * kramdown, and where its syntax is not CommonMark's the page is rewritten
 * line for line (the line count never changes, so every block keeps its
 * source line) into what cmark reads as kramdown meant it:
 *
 *   [^name]: text       footnote definitions: taken out, kept as notes
 *   [^name]             their markers: "[1]", numbered by first citation
 *   *[NSF]: text        abbreviation definitions: gone (the text stays)
 *   {:name: attrs}      attribute list definitions: gone
 *   # Head / {: #id}    an attribute list after a heading gives its id
 *   * TOC / {:toc}      the list kramdown replaces by a table of contents:
 *                       one line of links to the headings instead
 *   {::comment}…        hidden; the {::nomarkdown} lines go and the HTML
 *                       between them is read as HTML; {::options /} goes
 *   term / : text       definition lists: the term stays a paragraph (one
 *                       line per term), each definition a bullet item
 *
 * Other attribute lists are dropped as text is put (doc_prose.c). Notes
 * are walked as Markdown, "[1] " before their text, at the end of the
 * section that first cites them (before the next heading of the page's
 * top level) or of the page. Fenced code is never touched. */
#include "doc_internal.h"

#include <stdlib.h>
#include <string.h>

struct kd_line {
    const char *s;
    size_t len;   /* without the line end */
    bool nl;      /* a line end follows */
    bool code;    /* fenced code, fences included */
    bool gone;    /* taken out: left as an empty line */
    int heading;  /* an ATX heading, or a setext underline: its level */
    bool no_toc;  /* a heading that {:.no_toc} keeps out of the contents */
    bool toc;     /* where a table of contents goes */
    char *repl;   /* the line rewritten, or NULL */
};

struct kd_scan {
    struct kramdown *kd;
    struct kd_line *lines;
    size_t n, cap;
    int line_base;
    bool toc_done; /* kramdown makes one table of contents, the first */
    /* Extensions ("comment", "nomarkdown") found without a stop line from
     * this line on: none after it either, so no second search. */
    size_t no_stop[2];
};

/* ------------------------------------------------------------- matching */

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

static bool blank(const struct kd_line *l)
{
    return doc_all_space(l->s, l->len);
}

/* The line after kramdown's optional indent of up to three spaces, or
 * NULL when it is indented further. */
static const char *opt_space(const struct kd_line *l, size_t *rest)
{
    size_t i = 0;
    while (i < l->len && i < 4 && l->s[i] == ' ')
        i++;
    if (i == 4 || (i < l->len && l->s[i] == '\t'))
        return NULL;
    *rest = l->len - i;
    return l->s + i;
}

/* Length of a name as kramdown's ALD_ID_NAME reads it (\w[\w-]*), 0 when
 * none starts at s. */
static size_t id_name(const char *s, size_t len)
{
    if (!len || !is_word(s[0]))
        return 0;
    size_t i = 1;
    while (i < len && (is_word(s[i]) || s[i] == '-'))
        i++;
    return i;
}

/* "{:…}" filling the line (spaces after it allowed): the text between the
 * braces, or NULL. */
static const char *brace_line(const struct kd_line *l, size_t *inner)
{
    size_t len;
    const char *s = opt_space(l, &len);
    struct span t = doc_trim_span(s ? s : "", s ? len : 0);
    if (t.len < 3 || t.s[0] != '{' || t.s[1] != ':' || t.s[t.len - 1] != '}')
        return NULL;
    for (size_t i = 2; i + 1 < t.len; i++)
        if (t.s[i] == '}' && t.s[i - 1] != '\\')
            return NULL;
    *inner = t.len - 3;
    return t.s + 2;
}

static bool has_token(const char *s, size_t len, const char *tok)
{
    size_t n = strlen(tok);
    for (size_t i = 0; i + n <= len; i++)
        if ((i == 0 || s[i - 1] == ' ') && !memcmp(s + i, tok, n) &&
            (i + n == len || s[i + n] == ' '))
            return true;
    return false;
}

/* The "#id" of an attribute list (kramdown: #[A-Za-z][\w:-]*), or NULL;
 * quoted values (style="color: #fff") are skipped. */
static char *ial_id(const char *s, size_t len)
{
    char quote = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (quote || s[i] == '"' || s[i] == '\'') {
            quote = !quote ? s[i] : s[i] == quote ? 0 : quote;
            continue;
        }
        char c = s[i + 1];
        if (s[i] != '#' || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            continue;
        size_t e = i + 1;
        while (e < len && (is_word(s[e]) || s[e] == '-' || s[e] == ':'))
            e++;
        return xstrndup(s + i + 1, e - i - 1);
    }
    return NULL;
}

/* The level of an ATX heading line, 0 for any other line. */
static int atx_level(const struct kd_line *l)
{
    size_t len, n = 0;
    const char *s = opt_space(l, &len);
    while (s && n < len && s[n] == '#')
        n++;
    if (!s || n == 0 || n > 6 || (n < len && s[n] != ' ' && s[n] != '\t'))
        return 0;
    return (int)n;
}

/* A line that starts a Markdown block of its own (not paragraph text). */
static bool block_marker(const struct kd_line *l)
{
    size_t len;
    const char *s = opt_space(l, &len);
    if (!s)
        return true;
    if (strchr("#>|<", s[0]) || (len > 1 && strchr("*-+", s[0]) &&
                                 (s[1] == ' ' || s[1] == '\t')))
        return true;
    size_t d = 0;
    while (d < len && s[d] >= '0' && s[d] <= '9')
        d++;
    return d && d + 1 < len && (s[d] == '.' || s[d] == ')') &&
           (s[d + 1] == ' ' || s[d + 1] == '\t');
}

/* A line of paragraph text: what a definition list takes as its term. */
static bool para_line(const struct kd_line *l)
{
    return !l->code && !l->gone && !l->heading && !blank(l) &&
           !block_marker(l) && !l->repl;
}

static bool list_line(const struct kd_line *l)
{
    size_t len;
    const char *s = opt_space(l, &len);
    return s && block_marker(l) && s[0] != '#' && s[0] != '>' &&
           s[0] != '|' && s[0] != '<';
}

/* ------------------------------------------------------------- the lines */

static void split_lines(struct kd_scan *sc, const char *md, size_t len)
{
    size_t at = 0;
    while (at < len) {
        const char *nl = memchr(md + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - md) : len;
        struct kd_line *l = PUSH(sc->lines, sc->n, sc->cap);
        *l = (struct kd_line){.s = md + at, .len = end - at, .nl = nl != NULL};
        at = nl ? end + 1 : len;
    }
}

/* Marks fenced code (``` or ~~~, closed by a fence of the same character
 * at least as long, or by the end of the page). */
static void mark_fences(struct kd_scan *sc)
{
    char fence = 0;
    size_t fence_len = 0;
    for (size_t i = 0; i < sc->n; i++) {
        size_t len, n = 0;
        const char *s = opt_space(&sc->lines[i], &len);
        char c = s && len ? s[0] : 0;
        while (s && (c == '`' || c == '~') && n < len && s[n] == c)
            n++;
        if (fence) {
            sc->lines[i].code = true;
            if (c == fence && n >= fence_len &&
                doc_all_space(s + n, len - n))
                fence = 0;
        } else if (n >= 3 && !(c == '`' && memchr(s + n, '`', len - n))) {
            sc->lines[i].code = true;
            fence = c;
            fence_len = n;
        }
    }
}

/* Which of "<h1" (bit 0) and "<h2" (bit 1), either case, the line holds:
 * one pass over it, as most lines hold no '<' at all. */
static unsigned html_heading_tags(const char *s, size_t len)
{
    unsigned tags = 0;
    for (const char *p = s; (p = memchr(p, '<', len - (size_t)(p - s))); p++)
        if (p + 2 < s + len && (p[1] == 'h' || p[1] == 'H') &&
            (p[2] == '1' || p[2] == '2'))
            tags |= 1u << (p[2] - '1');
    return tags;
}

/* Heading levels, for the attribute lists that follow headings and for
 * the level at which sections (and so notes) end. */
static void mark_headings(struct kd_scan *sc)
{
    bool h1 = false, h2 = false;
    for (size_t i = 0; i < sc->n; i++) {
        struct kd_line *l = &sc->lines[i];
        if (l->code)
            continue;
        l->heading = atx_level(l);
        size_t len;
        const char *s = opt_space(l, &len);
        struct span t = doc_trim_span(s ? s : "", s ? len : 0);
        if (!l->heading && t.len && (t.s[0] == '=' || t.s[0] == '-') &&
            i > 0 && para_line(&sc->lines[i - 1]) &&
            t.len == strspn(t.s, t.s[0] == '=' ? "=" : "-"))
            l->heading = t.s[0] == '=' ? 1 : 2;
        unsigned tags = h1 && h2 ? 0 : html_heading_tags(l->s, l->len);
        h1 = h1 || l->heading == 1 || (tags & 1);
        h2 = h2 || l->heading == 2 || (tags & 2);
    }
    sc->kd->top_level = h1 ? 1 : h2 ? 2 : 0;
}

/* Whether line i starts a kramdown block: the page's start, or after a
 * blank line, a heading or a line taken out. */
static bool block_start(const struct kd_scan *sc, size_t i)
{
    if (i == 0)
        return true;
    const struct kd_line *p = &sc->lines[i - 1];
    return blank(p) || p->gone || (p->heading && atx_level(p));
}

/* ------------------------------------------------------------ footnotes */

static bool indented(const struct kd_line *l)
{
    return l->len && (l->s[0] == '\t' || (l->len >= 4 && !memcmp(l->s, "    ", 4)));
}

static void put_dedented(struct buf *b, const struct kd_line *l)
{
    size_t cut = !l->len ? 0 : l->s[0] == '\t' ? 1 : indented(l) ? 4 : 0;
    buf_put(b, l->s + cut, l->len - cut);
    buf_putc(b, '\n');
}

/* The lines after a definition's first that belong to it (kramdown's
 * CODEBLOCK_MATCH): runs of indented lines, each after optional blank
 * lines and followed by lazy ones. Returns the first line after it. */
static size_t note_body(const struct kd_scan *sc, size_t j, struct buf *b)
{
    for (;;) {
        size_t k = j;
        while (k < sc->n && blank(&sc->lines[k]))
            k++;
        if (k == sc->n || !indented(&sc->lines[k]) || sc->lines[k].code)
            return j;
        for (; j < k; j++)
            buf_putc(b, '\n');
        while (j < sc->n && !blank(&sc->lines[j]))
            put_dedented(b, &sc->lines[j++]);
    }
}

static struct kd_note *find_note(struct kramdown *kd, const char *name,
                                 size_t len)
{
    char key[256];
    size_t at;
    if (len >= sizeof key)
        return NULL;
    memcpy(key, name, len);
    key[len] = '\0';
    return doc_strmap_get(&kd->by_name, key, &at) ? &kd->notes[at] : NULL;
}

/* "[^name]: text" at a block start: the note is kept (a later definition
 * of the name replaces it, as in kramdown) and its lines taken out. */
static size_t footnote_def(struct kd_scan *sc, size_t i)
{
    size_t len;
    const char *s = opt_space(&sc->lines[i], &len);
    size_t n = s && len > 2 && s[0] == '[' && s[1] == '^'
                   ? id_name(s + 2, len - 2) : 0;
    if (!n || n + 4 > len || s[n + 2] != ']' || s[n + 3] != ':' || n >= 256)
        return i;
    struct buf body = {0};
    struct span first = doc_trim_span(s + n + 4, len - n - 4);
    buf_put(&body, first.s, first.len);
    buf_putc(&body, '\n');
    size_t end = note_body(sc, i + 1, &body);
    struct kramdown *kd = sc->kd;
    struct kd_note *note = find_note(kd, s + 2, n);
    if (!note) {
        note = PUSH(kd->notes, kd->n_notes, kd->cap_notes);
        memset(note, 0, sizeof *note);
        note->name = xstrndup(s + 2, n);
        doc_strmap_put(&kd->by_name, note->name, kd->n_notes - 1);
    }
    free(note->body);
    note->body = buf_detach(&body);
    note->line = sc->line_base + (int)i;
    for (size_t j = i; j < end; j++)
        sc->lines[j].gone = true;
    return end;
}

/* ------------------------------------------------- attribute lists, TOC */

/* "{: #id}" after a heading: the id goes on the heading line as "{#id}",
 * which the heading reads as its id (doc.c). */
static bool heading_ial(struct kd_scan *sc, size_t i, const char *in,
                        size_t len)
{
    if (i == 0 || !sc->lines[i - 1].heading)
        return false;
    size_t h = atx_level(&sc->lines[i - 1]) ? i - 1 : i - 2;
    char *id = ial_id(in, len);
    sc->lines[i - 1].no_toc = memmem(in, len, "no_toc", 6) != NULL;
    if (id) {
        struct kd_line *l = &sc->lines[h];
        struct span t = doc_trim_span(l->s, l->len);
        while (h == i - 1 && t.len && t.s[t.len - 1] == '#')
            t.len--; /* closing hashes */
        struct buf b = {0};
        buf_printf(&b, "%.*s {#%s}", (int)t.len, t.s, id);
        free(l->repl);
        l->repl = buf_detach(&b);
        free(id);
    }
    sc->lines[i].gone = true;
    return true;
}

/* "{:toc}" after a list: kramdown puts its table of contents there (for
 * the first such list; later ones stay lists). */
static bool toc_ial(struct kd_scan *sc, size_t i, const char *in, size_t len)
{
    if (sc->toc_done || !has_token(in, len, "toc"))
        return false;
    size_t first = i;
    while (first > 0 && !blank(&sc->lines[first - 1]) &&
           !sc->lines[first - 1].code)
        first--;
    if (first == i || !list_line(&sc->lines[first]))
        return false;
    for (size_t j = first; j <= i; j++)
        sc->lines[j].gone = true;
    sc->lines[first].toc = true;
    sc->toc_done = true;
    return true;
}

/* A heading's text and id ("{#id}" at its end, given or from an attribute
 * list), or its slug as the section will have it. */
static void heading_entry(const struct kd_scan *sc, size_t u, struct buf *b)
{
    size_t t = atx_level(&sc->lines[u]) ? u : u - 1;
    const struct kd_line *l = &sc->lines[t];
    const char *s = l->repl ? l->repl : l->s;
    size_t len = l->repl ? strlen(l->repl) : l->len;
    struct span txt = doc_trim_span(s, len);
    while (t == u && txt.len && txt.s[0] == '#')
        txt.s++, txt.len--;
    txt = doc_trim_span(txt.s, txt.len);
    while (t == u && txt.len && txt.s[txt.len - 1] == '#')
        txt.len--;
    txt = doc_trim_span(txt.s, txt.len);
    char *id = NULL;
    const char *brace = txt.len && txt.s[txt.len - 1] == '}'
                            ? memmem(txt.s, txt.len, "{#", 2) : NULL;
    if (brace) {
        id = xstrndup(brace + 2, (size_t)(txt.s + txt.len - 1 - brace - 2));
        txt = doc_trim_span(txt.s, (size_t)(brace - txt.s));
    } else {
        char *plain = xstrndup(txt.s, txt.len);
        id = doc_slugify(plain);
        free(plain);
    }
    buf_printf(b, "%s[%.*s](#%s)", b->len ? " " : "", (int)txt.len, txt.s, id);
    free(id);
}

/* kramdown's table of contents, as one line of links to the headings of
 * levels 1 to 3 (those the sections and their anchors name): a block of
 * links only, which every format shows as its link lines. */
static void fill_tocs(struct kd_scan *sc)
{
    struct buf b = {0};
    for (size_t i = 0; i < sc->n; i++) {
        if (!sc->lines[i].toc)
            continue;
        buf_clear(&b);
        for (size_t u = 0; u < sc->n; u++)
            if (sc->lines[u].heading && sc->lines[u].heading <= 3 &&
                !sc->lines[u].no_toc)
                heading_entry(sc, u, &b);
        sc->lines[i].gone = false;
        sc->lines[i].repl = xstrndup(b.data ? b.data : "", b.len);
    }
    buf_free(&b);
}

/* The line "{:/name}" or "{:/}" closing extension name (kind 0 or 1)
 * after line i, or 0. */
static size_t ext_stop(struct kd_scan *sc, size_t i, int kind,
                       const char *name, size_t name_len)
{
    if (sc->no_stop[kind] && i >= sc->no_stop[kind])
        return 0;
    for (size_t k = i + 1; k < sc->n; k++) {
        size_t len;
        const char *in = sc->lines[k].code ? NULL
                                           : brace_line(&sc->lines[k], &len);
        if (in && in[0] == '/' &&
            (len == 1 || (len == name_len + 1 &&
                          !memcmp(in + 1, name, name_len))))
            return k;
    }
    sc->no_stop[kind] = i ? i : 1;
    return 0;
}

/* "{::comment}" … hidden; "{::nomarkdown}" … its lines go (what is
 * between is raw, no kramdown rule applies); "{::name /}" goes. An
 * extension without its stop line is left as text, as kramdown leaves it. */
static size_t extension(struct kd_scan *sc, size_t i, const char *in,
                        size_t len)
{
    size_t n = id_name(in + 1, len - 1);
    if (!n)
        return i;
    const char *name = in + 1;
    if (in[len - 1] == '/') {
        sc->lines[i].gone = true;
        return i + 1;
    }
    bool comment = n == 7 && !memcmp(name, "comment", 7);
    bool raw = n == 10 && !memcmp(name, "nomarkdown", 10);
    size_t stop = comment || raw ? ext_stop(sc, i, raw, name, n) : 0;
    if (!stop)
        return i;
    for (size_t k = i; k <= stop; k++)
        if (comment || k == i || k == stop)
            sc->lines[k].gone = true;
    return stop + 1;
}

/* A line "{:…}" at i: a definition, extension or attribute list. Returns
 * the line to go on from (i when it was none of these). */
static size_t brace(struct kd_scan *sc, size_t i)
{
    size_t len;
    const char *in = brace_line(&sc->lines[i], &len);
    if (!in || !len)
        return i;
    if (in[0] == ':')
        return extension(sc, i, in, len);
    size_t n = id_name(in, len);
    if (n && n < len && in[n] == ':') {
        sc->lines[i].gone = true; /* {:name: …}: a definition */
        return i + 1;
    }
    if (in[0] == '/')
        return i;
    if (heading_ial(sc, i, in, len) || toc_ial(sc, i, in, len))
        return i + 1;
    return i;
}

/* ---------------------------------------------------- abbreviations, dl */

/* "*[NSF]: National Science Foundation" at a block start. */
static bool abbreviation(struct kd_scan *sc, size_t i)
{
    size_t len;
    const char *s = opt_space(&sc->lines[i], &len);
    if (!s || len < 5 || s[0] != '*' || s[1] != '[' || s[2] == ']')
        return false;
    const char *close = memmem(s + 2, len - 2, "]:", 2);
    if (!close)
        return false;
    sc->lines[i].gone = true;
    return true;
}

/* ": text" after a term: a definition, read as a bullet item; the lines
 * of a term of several lines are kept apart by hard breaks. */
static bool definition(struct kd_scan *sc, size_t i, bool in_dl)
{
    size_t len;
    const char *s = opt_space(&sc->lines[i], &len);
    if (!s || len < 2 || s[0] != ':' || (s[1] != ' ' && s[1] != '\t'))
        return false;
    size_t t = i;
    if (t > 0 && blank(&sc->lines[t - 1]))
        t--;
    if (!in_dl && (t == 0 || !para_line(&sc->lines[t - 1])))
        return false;
    for (size_t k = t - 1; !in_dl && k > 0 && para_line(&sc->lines[k - 1]);
         k--) {
        struct buf b = {0};
        buf_printf(&b, "%.*s\\", (int)sc->lines[k - 1].len,
                   sc->lines[k - 1].s);
        sc->lines[k - 1].repl = buf_detach(&b);
    }
    struct kd_line *l = &sc->lines[i];
    l->repl = xstrndup(l->s, l->len);
    l->repl[s - l->s] = '*';
    return true;
}

/* Whether a definition list goes on past line i: blank and indented
 * lines, and lazy text right after a definition's line, keep it open. */
static bool dl_continues(const struct kd_scan *sc, size_t i)
{
    const struct kd_line *l = &sc->lines[i];
    return blank(l) || indented(l) || (i > 0 && !blank(&sc->lines[i - 1]));
}

static void scan_blocks(struct kd_scan *sc)
{
    bool in_dl = false;
    for (size_t i = 0; i < sc->n;) {
        struct kd_line *l = &sc->lines[i];
        size_t next = i;
        if (l->code) {
            in_dl = false;
        } else if (block_start(sc, i) &&
                   ((next = footnote_def(sc, i)) != i ||
                    (abbreviation(sc, i) && (next = i + 1)))) {
            in_dl = false;
        } else if ((next = brace(sc, i)) != i) {
        } else if (definition(sc, i, in_dl)) {
            in_dl = true;
        } else if (in_dl) {
            in_dl = dl_continues(sc, i);
        }
        i = next > i ? next : i + 1;
    }
}

/* ------------------------------------------------------- markers, spans */

/* The note a "[^name]" at s names (its length in *n), or NULL. */
static struct kd_note *marker(struct kramdown *kd, const char *s, size_t len,
                              size_t *n)
{
    if (len < 4 || s[0] != '[' || s[1] != '^')
        return NULL;
    size_t name = id_name(s + 2, len - 2);
    if (!name || name + 2 >= len || s[name + 2] != ']')
        return NULL;
    *n = name + 3;
    return find_note(kd, s + 2, name);
}

static int cite(struct kramdown *kd, struct kd_note *note, int line)
{
    if (!note->number) {
        note->number = ++kd->numbered;
        note->cited_at = line;
        *PUSH(kd->order, kd->n_order, kd->cap_order) =
            (size_t)(note - kd->notes);
    }
    return note->number;
}

/* What a rewrite has found missing in its text, so that no search runs
 * twice over the same bytes (a line of a million backticks or comment
 * openings stays linear). */
struct kd_misses {
    bool run[64];     /* no closing run of this many backticks */
    bool comment_end; /* no "{:/comment}" or "{:/}" */
};

/* Bytes of a code span starting at s (a run of backticks and what it
 * encloses), or of the run alone when no run of its length closes it
 * (runs of 64 and more are taken as text). */
static size_t code_span(const char *s, size_t len, struct kd_misses *m)
{
    size_t run = 0;
    while (run < len && s[run] == '`')
        run++;
    if (run >= 64 || m->run[run])
        return run;
    m->run[run] = true; /* unless found below */
    for (size_t i = run; i < len;) {
        size_t r = 0;
        while (i + r < len && s[i + r] == '`')
            r++;
        if (r == run) {
            m->run[run] = false;
            return i + r;
        }
        i += r ? r : 1;
    }
    return run;
}

/* "{::comment}…{:/comment}" (or "{:/}") within the text: its length. */
static size_t span_comment(const char *s, size_t len, struct kd_misses *m)
{
    if (m->comment_end || len < 11 || memcmp(s, "{::comment}", 11))
        return 0;
    for (size_t i = 11; i + 4 <= len; i++) {
        if (!memcmp(s + i, "{:/}", 4))
            return i + 4;
        if (i + 11 <= len && !memcmp(s + i, "{:/comment}", 11))
            return i + 11;
    }
    m->comment_end = true;
    return 0;
}

/* Bytes from s on (at least one) that start none of the spans below:
 * copied in one piece rather than byte by byte. */
static size_t plain_run(const char *s, size_t len)
{
    size_t n = 1;
    while (n < len && s[n] != '\\' && s[n] != '`' && s[n] != '[' &&
           s[n] != '{')
        n++;
    return n;
}

/* Whether rewrite_spans could change s: only a marker of a defined note
 * or a span comment does, so a line holding neither is left alone. */
static bool may_rewrite(const struct kramdown *kd, const char *s, size_t len)
{
    return (kd->n_notes && memchr(s, '[', len) && memmem(s, len, "[^", 2)) ||
           (memchr(s, '{', len) && memmem(s, len, "{::comment}", 11));
}

/* Writes s with its footnote markers numbered and its span comments
 * dropped; false when nothing changed. Code spans are left alone. */
static bool rewrite_spans(struct kramdown *kd, const char *s, size_t len,
                          int line, struct buf *out)
{
    bool changed = false;
    struct kd_misses miss = {0};
    for (size_t i = 0; i < len;) {
        size_t n = 0;
        struct kd_note *note = NULL;
        bool kept = true;
        if (s[i] == '\\' && i + 1 < len) {
            n = 2;
        } else if (s[i] == '`') {
            n = code_span(s + i, len - i, &miss);
        } else if ((note = marker(kd, s + i, len - i, &n))) {
            buf_printf(out, "\\[%d\\]", cite(kd, note, line));
            kept = false;
        } else if ((n = span_comment(s + i, len - i, &miss))) {
            kept = false; /* hidden: nothing written */
        } else {
            n = plain_run(s + i, len - i);
        }
        if (kept)
            buf_put(out, s + i, n);
        changed = changed || !kept;
        i += n;
    }
    return changed;
}

static void rewrite_lines(struct kd_scan *sc)
{
    struct buf b = {0};
    for (size_t i = 0; i < sc->n; i++) {
        struct kd_line *l = &sc->lines[i];
        if (l->code || l->gone)
            continue;
        const char *s = l->repl ? l->repl : l->s;
        size_t len = l->repl ? strlen(l->repl) : l->len;
        if (!may_rewrite(sc->kd, s, len))
            continue;
        buf_clear(&b);
        if (rewrite_spans(sc->kd, s, len, sc->line_base + (int)i, &b)) {
            free(l->repl);
            l->repl = xstrndup(b.data, b.len);
        }
    }
    buf_free(&b);
}

/* The page again, each line as rewritten; runs of lines left as they
 * were are one piece of the page, copied at once. */
static void join_lines(struct kd_scan *sc)
{
    struct buf out = {0};
    const char *run = NULL; /* the unchanged lines not yet copied */
    size_t run_len = 0;
    for (size_t i = 0; i < sc->n; i++) {
        struct kd_line *l = &sc->lines[i];
        if (!l->repl && !l->gone) {
            run = run ? run : l->s;
            run_len = (size_t)(l->s - run) + l->len + l->nl;
            continue;
        }
        if (run)
            buf_put(&out, run, run_len);
        run = NULL;
        if (!l->gone)
            buf_puts(&out, l->repl);
        if (l->nl)
            buf_putc(&out, '\n');
        free(l->repl);
    }
    if (run)
        buf_put(&out, run, run_len);
    sc->kd->len = out.len;
    sc->kd->text = buf_detach(&out);
}

void doc_kramdown_read(struct kramdown *kd, const char *md, size_t len,
                       int line_base)
{
    memset(kd, 0, sizeof *kd);
    struct kd_scan sc = {.kd = kd, .line_base = line_base};
    split_lines(&sc, md, len);
    mark_fences(&sc);
    mark_headings(&sc);
    scan_blocks(&sc);
    fill_tocs(&sc);
    rewrite_lines(&sc);
    join_lines(&sc);
    free(sc.lines);
}

/* ------------------------------------------------------------- the notes */

/* Walks a note as Markdown, "[n] " before its text. */
static void walk_note(struct walker *w, struct kd_note *note)
{
    struct buf md = {0}, body = {0};
    const char *s = note->body;
    size_t len = strlen(s);
    int line = note->line;
    while (len && (*s == '\n' || *s == ' ')) {
        line += *s == '\n';
        s++, len--;
    }
    rewrite_spans(w->kd, s, len, note->cited_at, &body);
    buf_printf(&md, "\\[%d\\] ", note->number);
    buf_put(&md, body.data ? body.data : "", body.len);
    w->ops.walk_markdown(w, md.data, md.len, line);
    doc_finish_block(w);
    buf_free(&md);
    buf_free(&body);
}

static void walk_once(struct walker *w, size_t k)
{
    struct kd_note *note = &w->kd->notes[w->kd->order[k]];
    if (note->walked)
        return;
    note->walked = true;
    walk_note(w, note);
}

/* Notes are numbered in the order of their first citations, which is page
 * order, so the walk goes on from where the last one stopped; a note first
 * cited by a note follows that note (and is numbered while it is walked,
 * so the inner loop sees the order grow). */
void doc_kramdown_notes(struct walker *w, int before_line)
{
    struct kramdown *kd = w->kd;
    if (!kd || w->src.nest || w->md.n_frames || suppressed(w))
        return;
    doc_finish_block(w);
    size_t i = kd->next;
    for (; i < kd->n_order; i++) {
        struct kd_note *note = &kd->notes[kd->order[i]];
        if (note->walked)
            continue;
        if (note->cited_at >= before_line)
            break;
        size_t from = kd->n_order;
        walk_once(w, i);
        for (size_t j = from; j < kd->n_order; j++)
            walk_once(w, j);
    }
    kd->next = i;
}

void doc_kramdown_free(struct kramdown *kd)
{
    for (size_t i = 0; i < kd->n_notes; i++) {
        free(kd->notes[i].name);
        free(kd->notes[i].body);
    }
    free(kd->notes);
    free(kd->order);
    doc_strmap_free(&kd->by_name);
    free(kd->text);
    memset(kd, 0, sizeof *kd);
}
