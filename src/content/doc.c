/* The document model: cmark's AST walked with its iterator (never by
 * recursion, so nesting depth costs heap, not stack), inline and block HTML
 * interpreted token by token, pipe tables recognised in paragraphs, then
 * blocks grouped into sections whose links are resolved. */
#include "capsuled/doc.h"

#include "capsuled/buf.h"
#include "capsuled/html.h"
#include "capsuled/render.h" /* display width, shared with the layout */
#include "capsuled/utf8.h"

#include <cmark.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Marks a hard break in a block's raw text; input control characters are
 * dropped on the way in, so it cannot be confused with content. */
#define HARD_BREAK '\x01'
/* markdown="1" HTML blocks are parsed again as Markdown; nesting beyond this
 * is treated as plain HTML, which bounds the re-parsing work. */
#define MAX_MARKDOWN_NESTING 8
/* "Preview / Download": a URL used many times in one block keeps a few. */
#define MAX_MERGED_LABELS 8
#define TAB_STOP 4
#define CMARK_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* ---------------------------------------------------------------- arrays */

static void *grow(void *p, size_t *cap, size_t elem)
{
    *cap = *cap ? *cap * 2 : 8;
    return xrealloc(p, *cap * elem);
}

#define PUSH(arr, n, cap)                                                   \
    (((n) == (cap) ? (void)((arr) = grow((arr), &(cap), sizeof *(arr)))     \
                   : (void)0),                                              \
     &(arr)[(n)++])

/* ------------------------------------------------------ string hash map */

/* Open addressing over borrowed keys: slugs, anchors and link URLs must be
 * looked up in constant time, or a page of 100,000 links goes quadratic. */
struct strmap {
    const char **keys;
    size_t *vals;
    size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t strmap_slot(const struct strmap *m, const char *key)
{
    size_t i = (size_t)hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static bool strmap_get(const struct strmap *m, const char *key, size_t *val)
{
    if (!m->cap)
        return false;
    size_t i = strmap_slot(m, key);
    if (!m->keys[i])
        return false;
    if (val)
        *val = m->vals[i];
    return true;
}

static void strmap_put(struct strmap *m, const char *key, size_t val);

static void strmap_grow(struct strmap *m)
{
    struct strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 16;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            strmap_put(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

static void strmap_put(struct strmap *m, const char *key, size_t val)
{
    if ((m->n + 1) * 2 > m->cap)
        strmap_grow(m);
    size_t i = strmap_slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
}

static void strmap_free(struct strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ----------------------------------------------------- code point classes */

static bool in_ranges(unsigned cp, const unsigned (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return true;
    return false;
}

/* Emoji, pictographs and symbol blocks: what plain_title and slugs leave
 * out. */
static bool is_symbol(unsigned cp)
{
    static const unsigned r[][2] = {
        {0x2100, 0x2BFF},   {0x3030, 0x3030},   {0x303D, 0x303D},
        {0x3297, 0x3299},   {0xFE00, 0xFE0F},   {0x200B, 0x200F},
        {0x2060, 0x206F},   {0x20D0, 0x20FF},   {0xE000, 0xF8FF},
        {0xFFF0, 0xFFFF},   {0x1F000, 0x1FBFF}, {0xE0000, 0xE01EF},
    };
    return in_ranges(cp, r, sizeof r / sizeof r[0]);
}

/* Letters and digits of any script, for slugs: everything that is not
 * punctuation, a space, a symbol or an emoji. Combining marks count as
 * letters since they belong to one. */
static bool is_word_cp(unsigned cp)
{
    static const unsigned not_word[][2] = {
        {0x80, 0xA9},     {0xAB, 0xB4},     {0xB6, 0xB9},
        {0xBB, 0xBF},     {0xD7, 0xD7},     {0xF7, 0xF7},
        {0x2000, 0x2BFF}, {0x2E00, 0x2E7F}, {0x3000, 0x3004},
        {0x3008, 0x303F}, {0xFE10, 0xFE6F}, {0xFF00, 0xFF0F},
        {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},
        {0xFEFF, 0xFEFF},
    };
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
               (cp >= 'A' && cp <= 'Z');
    if (is_symbol(cp))
        return false;
    return !in_ranges(cp, not_word, sizeof not_word / sizeof not_word[0]);
}

/* Lower case for the scripts profiles are written in; other code points are
 * kept as they are. */
static unsigned fold_case(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
        (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
        (cp >= 0x410 && cp <= 0x42F))
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 80;
    if (cp >= 0x100 && cp <= 0x17F) {
        bool odd_upper = (cp >= 0x139 && cp <= 0x148) ||
                         (cp >= 0x179 && cp <= 0x17E);
        if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 ||
            cp == 0x17F)
            return cp;
        if (cp == 0x178)
            return 0xFF;
        if (odd_upper ? (cp & 1) : !(cp & 1))
            return cp + 1;
    }
    return cp;
}

/* Decodes the code point at s[*i], always advancing. */
static unsigned next_cp(const char *s, size_t len, size_t *i)
{
    unsigned cp;
    size_t n = utf8_decode(s + *i, len - *i, &cp);
    if (!n) {
        n = 1;
        cp = 0xFFFD;
    }
    *i += n;
    return cp;
}

static void put_cp(struct buf *b, unsigned cp)
{
    char tmp[4];
    buf_put(b, tmp, utf8_encode(cp, tmp));
}

/* ------------------------------------------------------------------ slugs */

char *doc_slugify(const char *text)
{
    struct buf out = {0};
    size_t len = strlen(text), i = 0;
    bool dash = false;
    while (i < len) {
        unsigned cp = next_cp(text, len, &i);
        if (!is_word_cp(cp)) {
            dash = out.len > 0;
            continue;
        }
        if (dash)
            buf_putc(&out, '-');
        dash = false;
        put_cp(&out, fold_case(cp));
    }
    return buf_detach(&out);
}

/* The title without emoji and symbols, spaces collapsed and trimmed. */
static char *plain_title_of(const char *title)
{
    struct buf out = {0};
    size_t len = strlen(title), i = 0;
    bool space = false;
    while (i < len) {
        unsigned cp = next_cp(title, len, &i);
        if (is_symbol(cp) || cp == 0x200D)
            continue;
        if (cp == ' ') {
            space = out.len > 0;
            continue;
        }
        if (space)
            buf_putc(&out, ' ');
        space = false;
        put_cp(&out, cp);
    }
    if (out.len == 0)
        buf_puts(&out, title);
    return buf_detach(&out);
}

/* ------------------------------------------------------------ URL handling */

struct uri {
    size_t scheme_len; /* 0: none */
    bool has_auth;
    size_t auth_off, auth_len;
    size_t path_off, path_len;
    bool has_query;
    size_t query_off, query_len;
    bool has_frag;
    size_t frag_off, frag_len;
};

static bool is_scheme_char(char c, bool first)
{
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return first ? alpha
                 : alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
                       c == '.';
}

static void uri_parse(const char *s, struct uri *u)
{
    size_t n = strlen(s), i = 0;
    memset(u, 0, sizeof *u);
    while (i < n && is_scheme_char(s[i], i == 0))
        i++;
    if (i > 0 && i < n && s[i] == ':')
        u->scheme_len = i++;
    else
        i = 0;
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
        u->has_auth = true;
        u->auth_off = i += 2;
        while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        u->auth_len = i - u->auth_off;
    }
    u->path_off = i;
    while (i < n && s[i] != '?' && s[i] != '#')
        i++;
    u->path_len = i - u->path_off;
    if (i < n && s[i] == '?') {
        u->has_query = true;
        u->query_off = ++i;
        while (i < n && s[i] != '#')
            i++;
        u->query_len = i - u->query_off;
    }
    if (i < n && s[i] == '#') {
        u->has_frag = true;
        u->frag_off = i + 1;
        u->frag_len = n - i - 1;
    }
}

/* RFC 3986 5.2.4, appending the result to out. */
static void remove_dot_segments(const char *p, size_t n, struct buf *out)
{
    size_t start = out->len, i = 0;
    while (i < n) {
        if (n - i >= 3 && !memcmp(p + i, "../", 3)) {
            i += 3;
        } else if (n - i >= 2 && !memcmp(p + i, "./", 2)) {
            i += 2;
        } else if (n - i >= 3 && !memcmp(p + i, "/./", 3)) {
            i += 2;
        } else if (n - i == 2 && !memcmp(p + i, "/.", 2)) {
            i += 1;
            buf_putc(out, '/');
            i += 1;
        } else if ((n - i >= 4 && !memcmp(p + i, "/../", 4)) ||
                   (n - i == 3 && !memcmp(p + i, "/..", 3))) {
            bool last = n - i == 3;
            i += 3;
            while (out->len > start && out->data[out->len - 1] != '/')
                out->len--;
            if (out->len > start)
                out->len--;
            out->data[out->len] = '\0';
            if (last)
                buf_putc(out, '/');
        } else if ((n - i == 1 && p[i] == '.') ||
                   (n - i == 2 && !memcmp(p + i, "..", 2))) {
            i = n;
        } else {
            size_t j = i + (p[i] == '/' ? 1 : 0);
            while (j < n && p[j] != '/')
                j++;
            buf_put(out, p + i, j - i);
            i = j;
        }
    }
}

/* Appends the base's path merged with a relative path (RFC 3986 5.2.3). */
static void merge_paths(const char *b, const struct uri *bu, const char *r,
                        size_t rlen, struct buf *tmp)
{
    if (bu->has_auth && bu->path_len == 0) {
        buf_putc(tmp, '/');
    } else {
        const char *bp = b + bu->path_off;
        size_t keep = bu->path_len;
        while (keep > 0 && bp[keep - 1] != '/')
            keep--;
        buf_put(tmp, bp, keep);
    }
    buf_put(tmp, r, rlen);
}

/* Resolves ref against base (both NUL-terminated); base must be absolute. */
static char *resolve_reference(const char *base, const char *ref)
{
    struct uri b, r;
    uri_parse(base, &b);
    uri_parse(ref, &r);
    struct buf out = {0}, tmp = {0};
    if (r.scheme_len) {
        buf_put(&out, ref, r.scheme_len + 1);
    } else {
        buf_put(&out, base, b.scheme_len + 1);
    }
    const char *auth_src = r.scheme_len || r.has_auth ? ref : base;
    const struct uri *au = r.scheme_len || r.has_auth ? &r : &b;
    if (au->has_auth) {
        buf_puts(&out, "//");
        buf_put(&out, auth_src + au->auth_off, au->auth_len);
    }
    if (r.scheme_len || r.has_auth) {
        remove_dot_segments(ref + r.path_off, r.path_len, &out);
        if (r.has_query) {
            buf_putc(&out, '?');
            buf_put(&out, ref + r.query_off, r.query_len);
        }
    } else if (r.path_len == 0) {
        buf_put(&out, base + b.path_off, b.path_len);
        const char *q = r.has_query ? ref : base;
        const struct uri *qu = r.has_query ? &r : &b;
        if (qu->has_query) {
            buf_putc(&out, '?');
            buf_put(&out, q + qu->query_off, qu->query_len);
        }
    } else {
        if (ref[r.path_off] == '/')
            buf_put(&tmp, ref + r.path_off, r.path_len);
        else
            merge_paths(base, &b, ref + r.path_off, r.path_len, &tmp);
        remove_dot_segments(tmp.data, tmp.len, &out);
        if (r.has_query) {
            buf_putc(&out, '?');
            buf_put(&out, ref + r.query_off, r.query_len);
        }
    }
    if (r.has_frag) {
        buf_putc(&out, '#');
        buf_put(&out, ref + r.frag_off, r.frag_len);
    }
    buf_free(&tmp);
    return buf_detach(&out);
}

/* scheme://authority/path?query without the fragment, an empty path as "/",
 * for comparing a link with the page's own address. */
static char *page_address(const char *url, bool root_only)
{
    struct uri u;
    uri_parse(url, &u);
    struct buf out = {0};
    buf_put(&out, url, u.path_off);
    if (root_only || u.path_len == 0)
        buf_putc(&out, '/');
    else
        buf_put(&out, url + u.path_off, u.path_len);
    if (!root_only && u.has_query) {
        buf_putc(&out, '?');
        buf_put(&out, url + u.query_off, u.query_len);
    }
    return buf_detach(&out);
}

/* Spaces, controls and a few characters no URL may hold are escaped, so
 * every renderer can write the URL as one token. */
static char *escape_url(const char *url)
{
    struct buf out = {0};
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' ||
            *p == '\\' || *p == '^' || *p == '`' || *p == '{' || *p == '|' ||
            *p == '}')
            buf_printf(&out, "%%%02X", *p);
        else
            buf_putc(&out, (char)*p);
    }
    return buf_detach(&out);
}

static bool has_scheme(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    if (strncasecmp(url, scheme, n) != 0)
        return false;
    return url[n] == ':';
}

/* ------------------------------------------------------------- the walker */

/* A link of the block being built, while the labels of its URL merge. */
struct open_link {
    char *key;        /* the URL, or "#fragment" for a section link */
    struct buf label;
    int n_labels;
};

/* The block being built. Blocks open lazily, at their first visible
 * content, so whitespace between tags or a paragraph holding only a
 * comment makes none. */
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

enum frame_kind { F_LIST, F_ITEM, F_QUOTE };

struct frame {
    enum frame_kind kind;
    bool ordered;
    char delim;
    int next;      /* lists: number of the next item */
    char *marker;  /* items: "3." or NULL */
    bool marker_used;
};

struct html_list {
    bool ordered;
    int next;
};

struct anchor_rec {
    char *id;
    size_t block;
};

struct link_ref {
    size_t block, link;
};

struct walker {
    const char *base_url;
    const char *file;
    struct diags *diags;
    struct doc *doc;
    size_t cap_blocks;
    char **explicit_ids;  /* per block: the heading's given id */
    bool *residual_plain; /* per block: text outside labels is separators */

    /* The Markdown being walked (the page, or a markdown="1" block). */
    const char *src;
    size_t src_len;
    int line_base;
    size_t *line_starts;
    size_t n_lines;
    int cur_line;
    int md_nest;

    struct frame *frames;
    size_t n_frames, cap_frames;
    int list_depth, quote_depth;
    int md_heading;
    struct builder cur;
    struct capture *caps;
    size_t n_caps, cap_caps;
    bool capturing;

    char **pending_ids;
    size_t n_pending, cap_pending;
    struct anchor_rec *anchors;
    size_t n_anchors, cap_anchors;
    struct link_ref *section_links;
    size_t n_section_links, cap_section_links;

    /* HTML state. A comment opened in HTML runs on across nodes, as in a
     * browser; one opened in a text node ends with its paragraph. */
    bool in_comment, comment_from_text;
    int comment_line;
    char drop_tag[16];
    int drop_depth;
    int html_heading;
    bool html_pre, pre_skip_newline, html_item;
    int html_quote;
    char *html_marker;
    struct html_list *hlists;
    size_t n_hlists, cap_hlists;
    struct buf scratch;
    bool warned_no_base;
};

static void report(struct walker *w, enum diag_level level, int line,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(struct walker *w, enum diag_level level, int line,
                   const char *fmt, ...)
{
    if (!w->diags)
        return;
    struct buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diags_add(w->diags, level, w->file, line, "%s", msg.data ? msg.data : "");
    buf_free(&msg);
}

static bool suppressed(const struct walker *w)
{
    return w->in_comment || w->drop_depth > 0;
}

/* --- text --- */

static bool all_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
            s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

/* Appends text for a flowing block: whitespace and line ends become
 * spaces, other controls, C1 controls and BOMs go, U+00A0 and the line
 * separators become spaces. */
static void sanitize_flow(struct buf *out, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t skip = 0;
        bool space = false;
        if (c < 0x20 || c == 0x7F) {
            skip = 1;
            space = c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
                    c == '\v';
        } else if (c == 0xC2 && i + 1 < len &&
                   (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0xA0) {
            skip = 2;
            space = (unsigned char)s[i + 1] == 0xA0;
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 ||
                    (unsigned char)s[i + 2] == 0xA9)) {
            skip = 3;
            space = true;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBB &&
                   (unsigned char)s[i + 2] == 0xBF) {
            skip = 3;
        }
        if (!skip)
            continue;
        buf_put(out, s + run, i - run);
        if (space)
            buf_putc(out, ' ');
        i += skip - 1;
        run = i + 1;
    }
    buf_put(out, s + run, len - run);
}

/* Appends preformatted text: tabs to spaces, controls other than '\n'
 * dropped. */
static void sanitize_pre(struct buf *out, size_t *col, const char *s,
                         size_t len)
{
    buf_reserve(out, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            do {
                buf_putc(out, ' ');
                (*col)++;
            } while (*col % TAB_STOP);
            buf_reserve(out, len - i); /* room for the rest, as above */
            continue;
        }
        if (c == '\n')
            *col = 0;
        else if (c < 0x20 || c == 0x7F)
            continue;
        else if ((c & 0xC0) != 0x80)
            (*col)++;
        out->data[out->len++] = (char)c;
        out->data[out->len] = '\0';
    }
}

/* Collapses runs of spaces and breaks into one space, or one '\n' when the
 * run holds a hard break and keep_breaks; trims both ends. */
static char *collapse(const char *s, size_t len, bool keep_breaks)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    bool space = false, brk = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ') {
            space = true;
        } else if (c == HARD_BREAK) {
            if (keep_breaks)
                brk = true;
            else
                space = true;
        } else {
            if (n && (brk || space))
                out[n++] = brk ? '\n' : ' ';
            space = brk = false;
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return out;
}

static bool is_separator_cp(unsigned cp)
{
    return cp == ' ' || cp == (unsigned char)HARD_BREAK || cp == '|' ||
           cp == ',' || cp == '/' || cp == '-' || cp == '[' || cp == ']' ||
           cp == '(' || cp == ')' || cp == ':' || cp == ';' || cp == '.' ||
           cp == '&' || cp == '+' || cp == 0xB7 || cp == 0x2022 ||
           cp == 0x2013 || cp == 0x2014 || cp == 0x2027;
}

static bool only_separators(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len)
        if (!is_separator_cp(next_cp(s, len, &i)))
            return false;
    return true;
}

/* --- blocks --- */

static void add_anchor(struct walker *w, char *id, size_t block)
{
    struct anchor_rec *a = PUSH(w->anchors, w->n_anchors, w->cap_anchors);
    a->id = id;
    a->block = block;
}

static void add_pending_id(struct walker *w, const char *id, size_t len)
{
    while (len && (*id == ' ' || *id == '#'))
        id++, len--;
    while (len && id[len - 1] == ' ')
        len--;
    if (!len)
        return;
    *PUSH(w->pending_ids, w->n_pending, w->cap_pending) = xstrndup(id, len);
}

static int innermost_container(const struct walker *w)
{
    for (size_t i = w->n_frames; i > 0; i--)
        if (w->frames[i - 1].kind != F_LIST)
            return (int)i - 1;
    return -1;
}

/* Opens the block that the current context calls for. */
static void open_block(struct walker *w)
{
    struct builder *c = &w->cur;
    memset(&c->b, 0, sizeof c->b);
    c->open = true;
    c->b.line = w->cur_line;
    c->b.type = BLOCK_PARA;
    if (w->html_heading || w->md_heading) {
        c->b.type = BLOCK_HEADING;
        c->b.level = w->html_heading ? w->html_heading : w->md_heading;
    } else if (w->html_pre) {
        c->b.type = BLOCK_PRE;
    } else if (w->html_item) {
        c->b.type = BLOCK_ITEM;
        c->b.level = w->list_depth + (int)w->n_hlists;
        if (c->b.level < 1)
            c->b.level = 1;
        c->b.marker = w->html_marker;
        w->html_marker = NULL;
    } else if (w->html_quote) {
        c->b.type = BLOCK_QUOTE;
        c->b.level = w->quote_depth + w->html_quote;
    } else {
        int f = innermost_container(w);
        if (f >= 0 && w->frames[f].kind == F_ITEM) {
            struct frame *fr = &w->frames[f];
            c->b.type = BLOCK_ITEM;
            c->b.level = w->list_depth;
            if (!fr->marker_used && fr->marker)
                c->b.marker = xstrdup(fr->marker);
            fr->marker_used = true;
            c->frame = (size_t)f + 1;
        } else if (f >= 0) {
            c->b.type = BLOCK_QUOTE;
            c->b.level = w->quote_depth;
        }
    }
}

static void put_text(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w) || len == 0)
        return;
    struct builder *c = &w->cur;
    if (!c->open) {
        if (!w->html_pre && all_space(s, len))
            return;
        open_block(w);
    }
    if (c->b.type == BLOCK_PRE && !c->cell_mode) {
        if (w->pre_skip_newline && s[0] == '\n')
            s++, len--;
        w->pre_skip_newline = false;
        sanitize_pre(&c->raw, &c->pre_col, s, len);
        return;
    }
    size_t at = c->raw.len;
    sanitize_flow(&c->raw, s, len);
    if (!w->capturing)
        buf_put(&c->residual, c->raw.data + at, c->raw.len - at);
}

static void put_break(struct walker *w)
{
    if (suppressed(w) || !w->cur.open)
        return;
    if (w->cur.b.type == BLOCK_PRE && !w->cur.cell_mode) {
        buf_putc(&w->cur.raw, '\n');
        w->cur.pre_col = 0;
    } else {
        buf_putc(&w->cur.raw, HARD_BREAK);
    }
}

static void grow_blocks(struct walker *w)
{
    struct doc *d = w->doc;
    if (d->n_blocks < w->cap_blocks)
        return;
    w->cap_blocks = w->cap_blocks ? w->cap_blocks * 2 : 64;
    d->blocks = xrealloc(d->blocks, w->cap_blocks * sizeof *d->blocks);
    w->explicit_ids =
        xrealloc(w->explicit_ids, w->cap_blocks * sizeof *w->explicit_ids);
    w->residual_plain =
        xrealloc(w->residual_plain, w->cap_blocks * sizeof *w->residual_plain);
}

static void free_block(struct block *b)
{
    free(b->marker);
    free(b->text);
    free(b->info);
    for (size_t i = 0; i < b->n_links; i++) {
        free(b->links[i].url);
        free(b->links[i].section);
        free(b->links[i].label);
    }
    free(b->links);
}

static char *pre_text(const struct buf *raw)
{
    const char *s = raw->data ? raw->data : "";
    size_t len = raw->len, start = 0;
    /* Leading blank lines and trailing whitespace carry nothing. */
    for (size_t i = 0; i < len && (s[i] == ' ' || s[i] == '\n'); i++)
        if (s[i] == '\n')
            start = i + 1;
    while (len > start && (s[len - 1] == ' ' || s[len - 1] == '\n'))
        len--;
    return xstrndup(s + start, len - start);
}

/* Gives the ids met since the last block to the block at idx: a heading
 * takes the last as its own id, everything else becomes an anchor. */
static void consume_ids(struct walker *w, size_t idx, bool heading)
{
    w->explicit_ids[idx] = NULL;
    if (heading && w->cur.kramdown_id) {
        w->explicit_ids[idx] = w->cur.kramdown_id;
        w->cur.kramdown_id = NULL;
    } else if (heading && w->n_pending) {
        w->explicit_ids[idx] = w->pending_ids[--w->n_pending];
    }
    for (size_t i = 0; i < w->n_pending; i++)
        add_anchor(w, w->pending_ids[i], idx);
    w->n_pending = 0;
}

static void close_captures(struct walker *w, size_t keep);

static void reset_builder(struct builder *c)
{
    for (size_t i = 0; i < c->n_links; i++) {
        free(c->olinks[i].key);
        buf_free(&c->olinks[i].label);
    }
    free(c->olinks);
    buf_free(&c->raw);
    buf_free(&c->residual);
    strmap_free(&c->link_index);
    free(c->kramdown_id);
    memset(c, 0, sizeof *c);
}

/* Ends the open block: text collapsed, labels merged, kept when it shows
 * anything. */
static void finish_block(struct walker *w)
{
    close_captures(w, 0);
    struct builder *c = &w->cur;
    if (!c->open) {
        reset_builder(c);
        return;
    }
    struct block b = c->b;
    if (b.type == BLOCK_PRE)
        b.text = pre_text(&c->raw);
    else
        b.text = collapse(c->raw.data ? c->raw.data : "", c->raw.len,
                          b.type != BLOCK_HEADING);
    b.links = c->links;
    b.n_links = c->n_links;
    for (size_t i = 0; i < c->n_links; i++)
        b.links[i].label = buf_detach(&c->olinks[i].label);
    c->links = NULL;
    if (!b.text[0] && !b.n_links && b.type != BLOCK_RULE) {
        free_block(&b);
        reset_builder(c);
        return;
    }
    grow_blocks(w);
    size_t idx = w->doc->n_blocks++;
    w->doc->blocks[idx] = b;
    w->residual_plain[idx] =
        only_separators(c->residual.data ? c->residual.data : "",
                        c->residual.len);
    consume_ids(w, idx, b.type == BLOCK_HEADING);
    for (size_t i = 0; i < b.n_links; i++) {
        if (!b.links[i].url) {
            struct link_ref *r = PUSH(w->section_links, w->n_section_links,
                                      w->cap_section_links);
            r->block = idx;
            r->link = i;
        }
    }
    reset_builder(c);
}

static void emit_rule(struct walker *w, int line)
{
    if (suppressed(w))
        return;
    finish_block(w);
    w->cur.open = true;
    w->cur.b.type = BLOCK_RULE;
    w->cur.b.line = line;
    finish_block(w);
}

/* --- links --- */

/* The label as a reader sees it: collapsed, and "[Code]" (from
 * "[[Code]](url)") without its brackets. */
static char *label_of(const char *s, size_t len)
{
    char *label = collapse(s, len, false);
    size_t n = strlen(label);
    if (n >= 2 && label[0] == '[' && label[n - 1] == ']' &&
        !memchr(label + 1, ']', n - 2)) {
        memmove(label, label + 1, n - 2);
        label[n - 2] = '\0';
        char *trimmed = collapse(label, strlen(label), false);
        free(label);
        label = trimmed;
    }
    return label;
}

static void merge_label(struct open_link *ol, const char *label)
{
    if (!label[0] || ol->n_labels >= MAX_MERGED_LABELS)
        return;
    const char *p = ol->label.data ? ol->label.data : "";
    size_t n = strlen(label);
    while (*p) {
        const char *end = strstr(p, " / ");
        size_t part = end ? (size_t)(end - p) : strlen(p);
        if (part == n && !memcmp(p, label, n))
            return;
        p += part + (end ? 3 : 0);
    }
    if (ol->label.len)
        buf_puts(&ol->label, " / ");
    buf_puts(&ol->label, label);
    ol->n_labels++;
}

/* What a link target means: a section of this page (*fragment set), an
 * absolute URL (returned), or nothing usable (NULL, *fragment NULL). */
static char *classify_url(struct walker *w, const char *url, char **fragment)
{
    *fragment = NULL;
    if (url[0] == '#') {
        *fragment = xstrdup(url + 1);
        return NULL;
    }
    if (url[0] == '/' && url[1] == '#') {
        *fragment = xstrdup(url + 2);
        return NULL;
    }
    struct uri u;
    uri_parse(url, &u);
    bool have_base = w->base_url && w->base_url[0];
    if (!u.scheme_len && !have_base) {
        if (!w->warned_no_base)
            report(w, DIAG_WARNING, w->cur_line,
                   "relative links kept as they are (\"%s\" the first): "
                   "site.url is not set", url);
        w->warned_no_base = true;
        return escape_url(url);
    }
    char *abs = u.scheme_len ? xstrdup(url) : resolve_reference(w->base_url, url);
    struct uri a;
    uri_parse(abs, &a);
    if (a.has_frag && have_base) {
        char *here = page_address(w->base_url, false);
        char *root = page_address(w->base_url, true);
        char *target = page_address(abs, false);
        if (!strcmp(target, here) || !strcmp(target, root))
            *fragment = xstrdup(abs + a.frag_off);
        free(here);
        free(root);
        free(target);
        if (*fragment) {
            free(abs);
            return NULL;
        }
    }
    char *escaped = escape_url(abs);
    free(abs);
    return escaped;
}

/* Records the link whose label is raw[start..] in the open block. */
static void add_link(struct walker *w, const char *url, size_t start,
                     bool image)
{
    struct builder *c = &w->cur;
    const char *label_raw = c->raw.data ? c->raw.data + start : "";
    size_t label_len = c->raw.len - start;
    char *label = label_of(label_raw, label_len);
    while (url && (*url == ' ' || *url == '\t' || *url == '\n'))
        url++;
    char *fragment = NULL, *abs = NULL;
    if (!url || !url[0] || !strcmp(url, "#")) {
        report(w, DIAG_NOTE, w->cur_line,
               "link \"%s\" has no URL: its text is kept", label);
    } else if (has_scheme(url, "javascript") || has_scheme(url, "data")) {
        report(w, DIAG_WARNING, w->cur_line, "script or data link \"%s\" dropped",
               label);
    } else {
        abs = classify_url(w, url, &fragment);
    }
    if (!abs && !fragment) {
        buf_put(&c->residual, label_raw, label_len);
        free(label);
        return;
    }
    struct buf key = {0};
    if (fragment)
        buf_putc(&key, '#');
    buf_puts(&key, fragment ? fragment : abs);
    size_t i;
    if (strmap_get(&c->link_index, key.data, &i)) {
        merge_label(&c->olinks[i], label);
        buf_free(&key);
        free(abs);
        free(fragment);
        free(label);
        return;
    }
    if (c->n_links == c->cap_links) {
        c->cap_links = c->cap_links ? c->cap_links * 2 : 4;
        c->links = xrealloc(c->links, c->cap_links * sizeof *c->links);
        c->olinks = xrealloc(c->olinks, c->cap_links * sizeof *c->olinks);
    }
    i = c->n_links++;
    c->links[i] = (struct link){.url = abs, .section = fragment, .image = image};
    c->olinks[i] = (struct open_link){.key = buf_detach(&key)};
    if (label[0] || fragment)
        merge_label(&c->olinks[i], label);
    else
        merge_label(&c->olinks[i], abs);
    strmap_put(&c->link_index, c->olinks[i].key, i);
    free(label);
}

static void push_capture(struct walker *w, const char *url, bool html,
                         bool image)
{
    struct capture *cp = PUSH(w->caps, w->n_caps, w->cap_caps);
    *cp = (struct capture){.html = html, .image = image,
                           .url = url ? xstrdup(url) : NULL};
    if (w->capturing || suppressed(w))
        return;
    if (!w->cur.open)
        open_block(w);
    cp->capturing = true;
    cp->start = w->cur.raw.len;
    w->capturing = true;
}

static void pop_capture(struct walker *w)
{
    struct capture cp = w->caps[--w->n_caps];
    if (cp.capturing) {
        w->capturing = false;
        add_link(w, cp.url, cp.start, cp.image);
    }
    free(cp.url);
}

static void close_captures(struct walker *w, size_t keep)
{
    while (w->n_caps > keep)
        pop_capture(w);
}

/* --- kramdown and Liquid leftovers in text --- */

/* Drops "{: .class #id}" attribute lists (their ids become anchors) and
 * passes the rest on. */
static void put_prose(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w))
        return;
    if (!memchr(s, '{', len)) {
        put_text(w, s, len);
        return;
    }
    if (!w->cur.liquid_warned &&
        (memmem(s, len, "{%", 2) || memmem(s, len, "{{", 2))) {
        report(w, DIAG_WARNING, w->cur_line,
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
static bool skip_comment(struct walker *w, const char **s, size_t *len)
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

/* --- HTML --- */

static void walk_markdown(struct walker *w, const char *md, size_t len,
                          int line_base);

static void boundary(struct walker *w, bool block_mode)
{
    if (block_mode)
        finish_block(w);
    else
        put_break(w);
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
    if (!src.len || w->capturing || suppressed(w)) {
        put_text(w, alt.data, alt.len);
    } else {
        push_capture(w, src.data, true, true);
        put_text(w, alt.data, alt.len);
        pop_capture(w);
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
            report(w, DIAG_WARNING, w->cur_line,
                   "HTML <%s> without a source: not converted", t->name);
    } else if (!w->capturing && !suppressed(w)) {
        if (!attr(t, "title", &label) || !label.len)
            buf_puts(&label, t->name);
        push_capture(w, src.data, true, false);
        put_text(w, label.data, label.len);
        pop_capture(w);
    }
    buf_free(&src);
    buf_free(&label);
}

static bool markdown_attr(const struct html_token *t, struct buf *tmp)
{
    return attr(t, "markdown", tmp) && strcmp(tmp->data ? tmp->data : "", "0");
}

static void html_list_start(struct walker *w, const struct html_token *t)
{
    struct html_list *l = PUSH(w->hlists, w->n_hlists, w->cap_hlists);
    l->ordered = !strcmp(t->name, "ol");
    l->next = 1;
    if (l->ordered && attr(t, "start", &w->scratch))
        l->next = atoi(w->scratch.data);
}

static void html_item_start(struct walker *w)
{
    w->html_item = true;
    free(w->html_marker);
    w->html_marker = NULL;
    if (w->n_hlists && w->hlists[w->n_hlists - 1].ordered) {
        struct buf m = {0};
        buf_printf(&m, "%d.", w->hlists[w->n_hlists - 1].next++);
        w->html_marker = buf_detach(&m);
    }
}

/* Handles a start tag; returns true when it consumed the rest of the input
 * (a markdown="1" element, whose content is Markdown). */
static bool html_start(struct walker *w, const struct html_token *t,
                       bool block_mode, const char *rest, size_t rest_len)
{
    if (w->drop_depth) {
        if (!strcmp(t->name, w->drop_tag) && !t->self_closing)
            w->drop_depth++;
        return false;
    }
    if (attr(t, "id", &w->scratch) ||
        (!strcmp(t->name, "a") && attr(t, "name", &w->scratch)))
        add_pending_id(w, w->scratch.data ? w->scratch.data : "",
                       w->scratch.len);
    if (block_mode && w->md_nest < MAX_MARKDOWN_NESTING &&
        markdown_attr(t, &w->scratch)) {
        finish_block(w);
        walk_markdown(w, rest, rest_len, w->cur_line);
        return true;
    }
    switch (html_kind(t->name)) {
    case HK_BREAK:
        put_break(w);
        break;
    case HK_BLOCK:
        boundary(w, block_mode);
        break;
    case HK_HEADING:
        boundary(w, block_mode);
        if (block_mode)
            w->html_heading = t->name[1] - '0';
        break;
    case HK_LIST:
        boundary(w, block_mode);
        if (block_mode)
            html_list_start(w, t);
        break;
    case HK_ITEM:
        boundary(w, block_mode);
        if (block_mode)
            html_item_start(w);
        break;
    case HK_QUOTE:
        boundary(w, block_mode);
        if (block_mode)
            w->html_quote++;
        break;
    case HK_PRE:
        boundary(w, block_mode);
        if (block_mode)
            w->html_pre = w->pre_skip_newline = true;
        break;
    case HK_RULE:
        if (block_mode)
            emit_rule(w, w->cur_line);
        else
            put_break(w);
        break;
    case HK_CELL:
        if (w->cur.open && w->cur.raw.len)
            put_text(w, " | ", 3);
        break;
    case HK_LINK:
        if (attr(t, "href", &w->scratch))
            push_capture(w, w->scratch.data ? w->scratch.data : "", true,
                         false);
        break;
    case HK_IMAGE:
        html_image(w, t);
        break;
    case HK_EMBED:
        html_embed(w, t);
        break;
    case HK_DROP:
        if (t->self_closing || html_is_void(t->name))
            break;
        if (strcmp(t->name, "script") && strcmp(t->name, "style") &&
            strcmp(t->name, "template") && strcmp(t->name, "noscript") &&
            strcmp(t->name, "head") && strcmp(t->name, "title"))
            report(w, DIAG_WARNING, w->cur_line,
                   "HTML <%s> dropped with its content", t->name);
        memcpy(w->drop_tag, t->name, sizeof w->drop_tag);
        w->drop_depth = 1;
        break;
    case HK_INLINE:
        break;
    }
    return false;
}

static void html_end(struct walker *w, const struct html_token *t,
                     bool block_mode)
{
    if (w->drop_depth) {
        if (!strcmp(t->name, w->drop_tag) && --w->drop_depth == 0)
            w->drop_tag[0] = '\0';
        return;
    }
    switch (html_kind(t->name)) {
    case HK_LINK:
        if (w->n_caps && w->caps[w->n_caps - 1].html)
            pop_capture(w);
        break;
    case HK_BLOCK:
        boundary(w, block_mode);
        break;
    case HK_HEADING:
        boundary(w, block_mode);
        w->html_heading = 0;
        break;
    case HK_LIST:
        boundary(w, block_mode);
        if (block_mode && w->n_hlists)
            w->n_hlists--;
        break;
    case HK_ITEM:
        boundary(w, block_mode);
        w->html_item = false;
        break;
    case HK_QUOTE:
        boundary(w, block_mode);
        if (w->html_quote)
            w->html_quote--;
        break;
    case HK_PRE:
        boundary(w, block_mode);
        w->html_pre = false;
        break;
    default:
        break;
    }
}

static void html_text(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w))
        return;
    struct buf text = {0};
    html_decode(s, len, &text);
    if (w->html_pre)
        put_text(w, text.data, text.len);
    else
        put_prose(w, text.data, text.len);
    buf_free(&text);
}

/* Ends what an HTML block or a paragraph left open: elements do not reach
 * past the node that holds them (except comments, see struct walker). */
static void html_reset(struct walker *w, bool block_mode)
{
    if (w->drop_depth && strcmp(w->drop_tag, "script") &&
        strcmp(w->drop_tag, "style"))
        report(w, DIAG_WARNING, w->cur_line,
               "unclosed HTML <%s>: its content was dropped", w->drop_tag);
    w->drop_depth = 0;
    w->drop_tag[0] = '\0';
    if (!block_mode)
        return;
    w->html_heading = 0;
    w->html_pre = w->pre_skip_newline = w->html_item = false;
    w->html_quote = 0;
    w->n_hlists = 0;
    free(w->html_marker);
    w->html_marker = NULL;
}

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s)));
         p++)
        n++;
    return n;
}

/* Interprets HTML: a whole HTML block (block_mode: boundaries end blocks)
 * or one inline HTML node of a paragraph (boundaries are line breaks). */
static void html_feed(struct walker *w, const char *s, size_t len,
                      bool block_mode)
{
    size_t i = 0;
    while (i < len) {
        if (w->in_comment) {
            const char *end = memmem(s + i, len - i, "-->", 3);
            size_t upto = end ? (size_t)(end + 3 - s) : len;
            w->cur_line += (int)count_lines(s + i, upto - i);
            i = upto;
            if (end)
                w->in_comment = false;
            continue;
        }
        struct html_token t;
        size_t n = html_next_token(s + i, len - i, &t);
        switch (t.type) {
        case HTML_COMMENT:
            if (t.unterminated) {
                w->in_comment = true;
                w->comment_from_text = false;
                w->comment_line = w->cur_line;
            }
            break;
        case HTML_DECL:
            break;
        case HTML_TEXT:
            html_text(w, t.raw, n);
            break;
        case HTML_START:
            if (html_start(w, &t, block_mode, s + i + n, len - i - n))
                return;
            break;
        case HTML_END:
            html_end(w, &t, block_mode);
            break;
        }
        w->cur_line += (int)count_lines(t.raw, n);
        i += n;
    }
}

/* --- pipe tables --- */

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

struct span {
    const char *s;
    size_t len;
};

static struct span trim_span(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                   s[len - 1] == '\r'))
        len--;
    return (struct span){s, len};
}

/* Splits a row at unescaped '|' (outer pipes optional) into at most max
 * cells; returns the number of cells. */
static size_t split_row(const char *s, size_t len, struct span *cells,
                        size_t max)
{
    struct span row = trim_span(s, len);
    if (row.len && row.s[0] == '|')
        row.s++, row.len--;
    if (row.len && row.s[row.len - 1] == '|' &&
        (row.len < 2 || row.s[row.len - 2] != '\\'))
        row.len--;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= row.len; i++) {
        if (i + 1 < row.len && row.s[i] == '\\') {
            i++;
            continue;
        }
        if (i == row.len || row.s[i] == '|') {
            if (n < max)
                cells[n] = trim_span(row.s + start, (i > row.len ? row.len : i) - start);
            n++;
            start = i + 1;
        }
    }
    return n;
}

static size_t count_cells(const char *s, size_t len)
{
    return split_row(s, len, NULL, 0);
}

/* A delimiter row ("|---|:---:|"): one alignment per cell into aligns. */
static bool delimiter_row(const char *s, size_t len, enum align *aligns,
                          size_t ncols)
{
    if (!memchr(s, '-', len))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("|-: \t\r", s[i]))
            return false;
    struct span *cells = xmalloc(ncols * sizeof *cells);
    bool ok = split_row(s, len, cells, ncols) == ncols;
    for (size_t c = 0; ok && c < ncols; c++) {
        struct span d = cells[c];
        bool left = d.len && d.s[0] == ':';
        bool right = d.len && d.s[d.len - 1] == ':';
        size_t dashes = 0;
        for (size_t i = 0; i < d.len; i++)
            dashes += d.s[i] == '-';
        ok = dashes > 0 && dashes + left + right == d.len;
        aligns[c] = left && right ? ALIGN_CENTER
                  : right         ? ALIGN_RIGHT
                                  : ALIGN_LEFT;
    }
    free(cells);
    return ok;
}

static void ensure_line_starts(struct walker *w)
{
    if (w->line_starts)
        return;
    size_t n = 1 + count_lines(w->src, w->src_len);
    w->line_starts = xmalloc((n + 1) * sizeof *w->line_starts);
    size_t k = 0;
    w->line_starts[k++] = 0;
    for (size_t i = 0; i < w->src_len; i++)
        if (w->src[i] == '\n')
            w->line_starts[k++] = i + 1;
    w->line_starts[k] = w->src_len + 1;
    w->n_lines = n;
}

/* Source line k (1-based) of the walked Markdown, without the container
 * prefix (list indentation, "> ") that precedes column col. */
static struct span source_line(struct walker *w, int k, int col, bool first)
{
    if (k < 1 || (size_t)k > w->n_lines)
        return (struct span){"", 0};
    size_t a = w->line_starts[k - 1], b = w->line_starts[k] - 1;
    if (b > w->src_len)
        b = w->src_len;
    const char *s = w->src + a;
    size_t len = b - a, skip = 0;
    while (skip + 1 < (size_t)col && skip < len &&
           (first || s[skip] == ' ' || s[skip] == '>' || s[skip] == '\t'))
        skip++;
    return (struct span){s + skip, len - skip};
}

static bool has_markup(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (strchr("*_[]<>&`\\!{}~", s[i]))
            return true;
    return false;
}

static void walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev);

/* The plain text of one cell; its links join the table block's links. */
static char *cell_text(struct walker *w, struct span cell)
{
    struct builder *c = &w->cur;
    size_t start = c->raw.len, caps = w->n_caps;
    if (!has_markup(cell.s, cell.len)) {
        put_text(w, cell.s, cell.len);
    } else {
        cmark_node *root = cmark_parse_document(cell.s, cell.len, CMARK_OPTIONS);
        cmark_consolidate_text_nodes(root);
        cmark_iter *it = cmark_iter_new(root);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
            walk_inline(w, cmark_iter_get_node(it), ev);
        cmark_iter_free(it);
        cmark_node_free(root);
        close_captures(w, caps);
        html_reset(w, false);
        if (w->in_comment && w->comment_from_text)
            w->in_comment = false;
    }
    char *text = collapse(c->raw.data ? c->raw.data + start : "",
                          c->raw.len - start, false);
    c->raw.len = start;
    if (c->raw.data)
        c->raw.data[start] = '\0';
    return text;
}

static void pad(struct buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(out, ' ');
}

/* Lays the cells out in columns as wide as their widest cell, " | "
 * between them and a "-+-" rule under the header. */
static void layout_table(struct buf *out, char **cells, size_t rows,
                         size_t cols, const enum align *aligns)
{
    size_t *width = xcalloc(cols, sizeof *width);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t dw = wrap_display_width(cells[r * cols + c],
                                      strlen(cells[r * cols + c]));
            if (dw > width[c])
                width[c] = dw;
        }
    for (size_t r = 0; r < rows; r++) {
        size_t line_start = out->len;
        for (size_t c = 0; c < cols; c++) {
            const char *cell = cells[r * cols + c];
            size_t gap = width[c] - wrap_display_width(cell, strlen(cell));
            size_t before = aligns[c] == ALIGN_RIGHT    ? gap
                          : aligns[c] == ALIGN_CENTER ? gap / 2
                                                      : 0;
            if (c)
                buf_puts(out, " | ");
            pad(out, before);
            buf_puts(out, cell);
            pad(out, gap - before);
        }
        while (out->len > line_start && out->data[out->len - 1] == ' ')
            out->len--;
        buf_putc(out, '\n');
        if (r == 0) {
            for (size_t c = 0; c < cols; c++) {
                if (c)
                    buf_puts(out, "-+-");
                for (size_t i = 0; i < width[c]; i++)
                    buf_putc(out, '-');
            }
            buf_putc(out, '\n');
        }
    }
    free(width);
}

/* A paragraph whose second line is a delimiter row is a pipe table (cmark
 * has no table extension): it becomes a PRE block with info "table".
 * Returns false when the paragraph is not one. */
static bool try_table(struct walker *w, cmark_node *para)
{
    int first = cmark_node_get_start_line(para);
    int last = cmark_node_get_end_line(para);
    int col = cmark_node_get_start_column(para);
    if (last <= first)
        return false;
    ensure_line_starts(w);
    struct span head = source_line(w, first, col, true);
    struct span delim = source_line(w, first + 1, col, false);
    if (!memchr(head.s, '|', head.len))
        return false;
    size_t cols = count_cells(head.s, head.len);
    enum align *aligns = xmalloc(cols * sizeof *aligns);
    if (!delimiter_row(delim.s, delim.len, aligns, cols)) {
        free(aligns);
        return false;
    }
    if (suppressed(w)) {
        free(aligns);
        return true;
    }
    finish_block(w);
    open_block(w);
    w->cur.b.type = BLOCK_PRE;
    w->cur.b.level = 0;
    free(w->cur.b.marker);
    w->cur.b.marker = NULL;
    w->cur.b.info = xstrdup("table");
    w->cur.cell_mode = true;
    size_t rows = (size_t)(last - first); /* all lines but the delimiter */
    char **cells = xcalloc(rows * cols, sizeof *cells);
    struct span *row = xmalloc(cols * sizeof *row);
    int line0 = w->cur_line;
    for (size_t r = 0; r < rows; r++) {
        int k = first + (int)r + (r > 0);
        struct span line = source_line(w, k, col, r == 0);
        size_t n = split_row(line.s, line.len, row, cols);
        w->cur_line = line0 + k - first;
        for (size_t c = 0; c < cols; c++)
            cells[r * cols + c] = c < n ? cell_text(w, row[c]) : xstrdup("");
    }
    buf_clear(&w->cur.raw);
    layout_table(&w->cur.raw, cells, rows, cols, aligns);
    for (size_t i = 0; i < rows * cols; i++)
        free(cells[i]);
    free(cells);
    free(row);
    free(aligns);
    w->cur.cell_mode = false;
    w->cur_line = line0;
    finish_block(w);
    return true;
}

/* --- the AST walk --- */

static void code_block(struct walker *w, cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);
    size_t len = lit ? strlen(lit) : 0;
    if (w->in_comment) {
        skip_comment(w, &lit, &len);
        return; /* what follows "-->" in code is not worth a block */
    }
    const char *info = cmark_node_get_fence_info(n);
    struct span in = trim_span(info ? info : "", info ? strlen(info) : 0);
    w->cur.open = true;
    w->cur.b.type = BLOCK_PRE;
    w->cur.b.line = w->cur_line;
    if (in.len) {
        struct buf clean = {0};
        sanitize_flow(&clean, in.s, in.len);
        w->cur.b.info = buf_detach(&clean);
    }
    sanitize_pre(&w->cur.raw, &w->cur.pre_col, lit ? lit : "", len);
    /* A block of blank lines still counts: keep it from being dropped. */
    if (!w->cur.raw.len)
        buf_putc(&w->cur.raw, ' ');
    finish_block(w);
}

static void html_node(struct walker *w, cmark_node *n, bool block_mode)
{
    const char *lit = cmark_node_get_literal(n);
    if (!lit)
        return;
    html_feed(w, lit, strlen(lit), block_mode);
    if (block_mode) {
        finish_block(w);
        html_reset(w, true);
    }
}

static void walk_inline(struct walker *w, cmark_node *n, cmark_event_type ev)
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
        html_node(w, n, false);
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

static void push_frame(struct walker *w, enum frame_kind kind)
{
    struct frame *f = PUSH(w->frames, w->n_frames, w->cap_frames);
    memset(f, 0, sizeof *f);
    f->kind = kind;
}

static void pop_frame(struct walker *w)
{
    struct frame *f = &w->frames[--w->n_frames];
    if (f->kind == F_LIST)
        w->list_depth--;
    else if (f->kind == F_QUOTE)
        w->quote_depth--;
    free(f->marker);
}

static void list_enter(struct walker *w, cmark_node *n)
{
    push_frame(w, F_LIST);
    struct frame *f = &w->frames[w->n_frames - 1];
    f->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    f->delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
    f->next = cmark_node_get_list_start(n);
    w->list_depth++;
}

static void item_enter(struct walker *w)
{
    struct frame *list = w->n_frames ? &w->frames[w->n_frames - 1] : NULL;
    char *marker = NULL;
    if (list && list->kind == F_LIST && list->ordered) {
        struct buf m = {0};
        buf_printf(&m, "%d%c", list->next++, list->delim);
        marker = buf_detach(&m);
    }
    push_frame(w, F_ITEM);
    w->frames[w->n_frames - 1].marker = marker;
}

/* A list item's later paragraphs continue its block (after a '\n') as long
 * as nothing else came between; otherwise they are unmarked items of the
 * same depth. */
static void paragraph_enter(struct walker *w)
{
    int f = innermost_container(w);
    struct builder *c = &w->cur;
    if (c->open && c->parked && f >= 0 && c->frame == (size_t)f + 1) {
        c->parked = false;
        buf_putc(&c->raw, HARD_BREAK);
        return;
    }
    finish_block(w);
}

static void paragraph_exit(struct walker *w)
{
    close_captures(w, 0);
    html_reset(w, false);
    if (w->in_comment && w->comment_from_text) {
        report(w, DIAG_WARNING, w->comment_line,
               "\"<!--\" without \"-->\" in a paragraph: the rest of it "
               "was dropped");
        w->in_comment = false;
    }
    int f = innermost_container(w);
    if (w->cur.open && f >= 0 && w->cur.frame == (size_t)f + 1)
        w->cur.parked = true;
    else
        finish_block(w);
}

/* A heading's trailing kramdown "{#id}" names it and is not text. */
static void heading_exit(struct walker *w)
{
    struct builder *c = &w->cur;
    close_captures(w, 0);
    html_reset(w, false);
    while (c->raw.len && c->raw.data[c->raw.len - 1] == ' ')
        c->raw.len--;
    if (c->raw.len && c->raw.data[c->raw.len - 1] == '}') {
        char *open = NULL;
        for (size_t i = c->raw.len; i-- > 0;)
            if (c->raw.data[i] == '{') {
                open = c->raw.data + i;
                break;
            }
        if (open && open[1] == '#') {
            const char *id = open + 2, *end = id;
            while (*end && *end != ' ' && *end != '}')
                end++;
            if (end > id) {
                free(c->kramdown_id);
                c->kramdown_id = xstrndup(id, (size_t)(end - id));
                c->raw.len = (size_t)(open - c->raw.data);
            }
        }
    }
    if (c->raw.data)
        c->raw.data[c->raw.len] = '\0';
    w->md_heading = 0;
    finish_block(w);
}

static void walk_event(struct walker *w, cmark_iter *it, cmark_node *n,
                       cmark_event_type ev)
{
    bool enter = ev == CMARK_EVENT_ENTER;
    cmark_node_type type = cmark_node_get_type(n);
    if (type >= CMARK_NODE_FIRST_BLOCK && type <= CMARK_NODE_LAST_BLOCK &&
        enter && type != CMARK_NODE_DOCUMENT)
        w->cur_line = w->line_base + cmark_node_get_start_line(n) - 1;
    switch (type) {
    case CMARK_NODE_BLOCK_QUOTE:
        finish_block(w);
        if (enter) {
            push_frame(w, F_QUOTE);
            w->quote_depth++;
        } else {
            pop_frame(w);
        }
        break;
    case CMARK_NODE_LIST:
        finish_block(w);
        if (enter)
            list_enter(w, n);
        else
            pop_frame(w);
        break;
    case CMARK_NODE_ITEM:
        finish_block(w);
        if (enter)
            item_enter(w);
        else
            pop_frame(w);
        break;
    case CMARK_NODE_CODE_BLOCK:
        finish_block(w);
        code_block(w, n);
        break;
    case CMARK_NODE_HTML_BLOCK:
        finish_block(w);
        html_node(w, n, true);
        break;
    case CMARK_NODE_PARAGRAPH:
        if (enter && try_table(w, n)) {
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            break;
        }
        if (enter)
            paragraph_enter(w);
        else
            paragraph_exit(w);
        break;
    case CMARK_NODE_HEADING:
        if (enter) {
            finish_block(w);
            w->md_heading = cmark_node_get_heading_level(n);
        } else {
            heading_exit(w);
        }
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        emit_rule(w, w->cur_line);
        break;
    default:
        walk_inline(w, n, ev);
        break;
    }
}

/* Walks a parsed document with cmark's iterator: depth lives in the
 * walker's heap arrays, never on the C stack. */
static void walk_root(struct walker *w, cmark_node *root)
{
    cmark_consolidate_text_nodes(root);
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        walk_event(w, it, cmark_iter_get_node(it), ev);
    cmark_iter_free(it);
    finish_block(w);
}

static void walk_markdown(struct walker *w, const char *md, size_t len,
                          int line_base)
{
    const char *src = w->src;
    size_t src_len = w->src_len, *starts = w->line_starts, n_lines = w->n_lines;
    int base = w->line_base, line = w->cur_line, heading = w->md_heading;
    w->src = md;
    w->src_len = len;
    w->line_starts = NULL;
    w->n_lines = 0;
    w->line_base = line_base;
    w->md_heading = 0;
    w->md_nest++;
    cmark_node *root = cmark_parse_document(md, len, CMARK_OPTIONS);
    walk_root(w, root);
    cmark_node_free(root);
    w->md_nest--;
    free(w->line_starts);
    w->src = src;
    w->src_len = src_len;
    w->line_starts = starts;
    w->n_lines = n_lines;
    w->line_base = base;
    w->cur_line = line;
    w->md_heading = heading;
}

/* ---------------------------------------------------------------- sections */

static int top_level(const struct doc *d)
{
    bool h2 = false;
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (d->blocks[i].type != BLOCK_HEADING)
            continue;
        if (d->blocks[i].level == 1)
            return 1;
        h2 = h2 || d->blocks[i].level == 2;
    }
    return h2 ? 2 : 0;
}

static bool starts_section(const struct doc *d, size_t i, int top)
{
    return top && d->blocks[i].type == BLOCK_HEADING &&
           d->blocks[i].level == top;
}

/* Removes the headings of empty sections (a heading with nothing under
 * it), keeping the per-block side tables and link references in step. */
static void drop_empty_sections(struct walker *w, int top)
{
    struct doc *d = w->doc;
    size_t *remap = xmalloc((d->n_blocks + 1) * sizeof *remap);
    size_t out = 0;
    for (size_t i = 0; i < d->n_blocks; i++) {
        bool empty = starts_section(d, i, top) &&
                     (i + 1 == d->n_blocks || starts_section(d, i + 1, top));
        if (empty) {
            free_block(&d->blocks[i]);
            free(w->explicit_ids[i]);
            remap[i] = SIZE_MAX;
            continue;
        }
        remap[i] = out;
        d->blocks[out] = d->blocks[i];
        w->explicit_ids[out] = w->explicit_ids[i];
        w->residual_plain[out] = w->residual_plain[i];
        out++;
    }
    size_t old_n = d->n_blocks;
    d->n_blocks = out;
    for (size_t i = 0; i < w->n_anchors; i++) {
        /* An anchor on a dropped heading points at what follows it. */
        size_t b = w->anchors[i].block;
        while (b < old_n && remap[b] == SIZE_MAX)
            b++;
        w->anchors[i].block = b < old_n ? remap[b] : (out ? out - 1 : 0);
    }
    size_t k = 0;
    for (size_t i = 0; i < w->n_section_links; i++) {
        size_t b = w->section_links[i].block;
        if (remap[b] == SIZE_MAX)
            continue;
        w->section_links[k] = w->section_links[i];
        w->section_links[k++].block = remap[b];
    }
    w->n_section_links = k;
    free(remap);
}

static struct section *new_section(struct doc *d, size_t *cap, size_t first)
{
    struct section *s = PUSH(d->sections, d->n_sections, *cap);
    memset(s, 0, sizeof *s);
    s->first = first;
    return s;
}

/* Slugs in use, and for each repeated base the next suffix to try, so a
 * page of a thousand "News" headings does not count up from 2 each time. */
struct slugger {
    struct strmap taken, next;
    char **bases;
    size_t n_bases, cap_bases;
};

/* base, or base-2, base-3, …: the first one not taken; takes base. */
static char *unique_slug(struct slugger *sl, char *base)
{
    char *slug = base;
    if (strmap_get(&sl->taken, base, NULL)) {
        size_t k = 2;
        const char *key = base;
        if (!strmap_get(&sl->next, base, &k))
            key = *PUSH(sl->bases, sl->n_bases, sl->cap_bases) = xstrdup(base);
        struct buf b = {0};
        do {
            buf_clear(&b);
            buf_printf(&b, "%s-%zu", base, k++);
        } while (strmap_get(&sl->taken, b.data, NULL));
        /* A known base keeps its stored key: only its count changes. */
        strmap_put(&sl->next, key, k);
        free(base);
        slug = buf_detach(&b);
    }
    strmap_put(&sl->taken, slug, 0);
    return slug;
}

static void slugger_free(struct slugger *sl)
{
    for (size_t i = 0; i < sl->n_bases; i++)
        free(sl->bases[i]);
    free(sl->bases);
    strmap_free(&sl->taken);
    strmap_free(&sl->next);
}

static void name_section(struct walker *w, struct section *s,
                         struct slugger *sl)
{
    const struct block *h = &w->doc->blocks[s->first];
    char *id = w->explicit_ids[s->first];
    char *slug = id && id[0] ? xstrdup(id) : doc_slugify(h->text);
    if (!slug[0]) {
        free(slug);
        slug = xstrdup("section");
    }
    s->slug = unique_slug(sl, slug);
    s->title = xstrdup(h->text);
    s->plain_title = plain_title_of(h->text);
}

static void split_sections(struct walker *w, int top)
{
    struct doc *d = w->doc;
    size_t cap = 0;
    struct slugger sl = {0};
    size_t first_start = d->n_blocks;
    for (size_t i = 0; i < d->n_blocks; i++)
        if (starts_section(d, i, top)) {
            first_start = i;
            break;
        }
    if (first_start > 0 || d->n_blocks == 0) {
        struct section *home = new_section(d, &cap, 0);
        home->count = first_start;
        home->slug = xstrdup("home");
        home->title = xstrdup("");
        home->plain_title = xstrdup("");
        strmap_put(&sl.taken, home->slug, 0);
    }
    for (size_t i = first_start; i < d->n_blocks; i++) {
        if (starts_section(d, i, top)) {
            struct section *s = new_section(d, &cap, i);
            name_section(w, s, &sl);
        }
        d->sections[d->n_sections - 1].count++;
    }
    slugger_free(&sl);
}

static size_t *section_of_blocks(const struct doc *d)
{
    size_t *of = xmalloc((d->n_blocks + 1) * sizeof *of);
    for (size_t s = 0; s < d->n_sections; s++)
        for (size_t i = 0; i < d->sections[s].count; i++)
            of[d->sections[s].first + i] = s;
    return of;
}

static void add_section_anchor(struct doc *d, struct strmap *ids, size_t s,
                               const char *id)
{
    if (!id || !id[0] || strmap_get(ids, id, NULL))
        return;
    struct section *sec = &d->sections[s];
    sec->anchors = xrealloc(sec->anchors,
                            (sec->n_anchors + 1) * sizeof *sec->anchors);
    char *copy = xstrdup(id);
    sec->anchors[sec->n_anchors++] = copy;
    strmap_put(ids, copy, s);
}

/* Every id a link may name: section slugs, then ids met in the text and
 * given to headings, then the slugs of H2/H3 sub-headings. */
static void collect_anchors(struct walker *w, int top, struct strmap *ids)
{
    struct doc *d = w->doc;
    size_t *of = section_of_blocks(d);
    for (size_t s = 0; s < d->n_sections; s++)
        strmap_put(ids, d->sections[s].slug, s);
    for (size_t i = 0; i < w->n_anchors && d->n_blocks; i++)
        add_section_anchor(d, ids, of[w->anchors[i].block], w->anchors[i].id);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < d->n_blocks; i++) {
            if (d->blocks[i].type != BLOCK_HEADING || starts_section(d, i, top))
                continue;
            if (pass == 0) {
                add_section_anchor(d, ids, of[i], w->explicit_ids[i]);
            } else if (d->blocks[i].level <= 3) {
                /* H4-H6 are styled paragraphs in these templates: their
                 * text makes no useful anchor. */
                char *slug = doc_slugify(d->blocks[i].text);
                add_section_anchor(d, ids, of[i], slug);
                free(slug);
            }
        }
    }
    free(of);
}

/* Drops the links that lost their target, and merges section links that
 * turned out to name the same section ("#news" and "#news-2024"). */
static void compact_links(struct block *b)
{
    struct strmap seen = {0};
    size_t k = 0;
    for (size_t j = 0; j < b->n_links; j++) {
        struct link *l = &b->links[j];
        size_t first;
        if (!l->url && !l->section) {
            free(l->label);
            continue;
        }
        if (!l->url && strmap_get(&seen, l->section, &first)) {
            struct link *to = &b->links[first];
            struct open_link ol = {.n_labels = 1};
            buf_puts(&ol.label, to->label);
            merge_label(&ol, l->label);
            free(to->label);
            to->label = buf_detach(&ol.label);
            free(l->label);
            free(l->section);
            continue;
        }
        b->links[k] = *l;
        if (!l->url)
            strmap_put(&seen, b->links[k].section, k);
        k++;
    }
    b->n_links = k;
    strmap_free(&seen);
}

/* Section links learn their section's slug, or go (with a warning) when
 * the page has no such anchor; a dropped link's label is text again. */
static void resolve_section_links(struct walker *w, struct strmap *ids)
{
    struct doc *d = w->doc;
    for (size_t i = 0; i < w->n_section_links; i++) {
        struct block *b = &d->blocks[w->section_links[i].block];
        struct link *l = &b->links[w->section_links[i].link];
        size_t s;
        char *slug = NULL;
        bool found = strmap_get(ids, l->section, &s);
        if (!found) {
            slug = doc_slugify(l->section);
            found = strmap_get(ids, slug, &s);
        }
        free(slug);
        if (!found) {
            report(w, DIAG_WARNING, b->line,
                   "link to unknown anchor #%s dropped", l->section);
            if (!only_separators(l->label, strlen(l->label)))
                w->residual_plain[w->section_links[i].block] = false;
            free(l->section);
            l->section = NULL;
            continue;
        }
        free(l->section);
        l->section = xstrdup(d->sections[s].slug);
        if (!l->label[0]) {
            free(l->label);
            l->label = xstrdup(d->sections[s].title);
        }
    }
    for (size_t i = 0; i < d->n_blocks; i++) {
        compact_links(&d->blocks[i]);
        d->blocks[i].only_links = d->blocks[i].n_links > 0 &&
                                  w->residual_plain[i];
    }
}

static void build_sections(struct walker *w)
{
    int top = top_level(w->doc);
    drop_empty_sections(w, top);
    split_sections(w, top);
    struct strmap ids = {0};
    collect_anchors(w, top, &ids);
    resolve_section_links(w, &ids);
    strmap_free(&ids);
}

/* ------------------------------------------------------------------ API */

static void walker_free(struct walker *w)
{
    reset_builder(&w->cur);
    for (size_t i = 0; i < w->n_caps; i++)
        free(w->caps[i].url);
    free(w->caps);
    while (w->n_frames)
        pop_frame(w);
    free(w->frames);
    for (size_t i = 0; i < w->n_pending; i++)
        free(w->pending_ids[i]);
    free(w->pending_ids);
    for (size_t i = 0; i < w->n_anchors; i++)
        free(w->anchors[i].id);
    free(w->anchors);
    free(w->section_links);
    for (size_t i = 0; i < w->doc->n_blocks; i++)
        free(w->explicit_ids[i]);
    free(w->explicit_ids);
    free(w->residual_plain);
    free(w->html_marker);
    free(w->hlists);
    free(w->line_starts);
    buf_free(&w->scratch);
}

static void build(const char *md, size_t len, const char *base_url,
                  const char *file, int line_base, struct doc *out,
                  struct diags *diags)
{
    memset(out, 0, sizeof *out);
    struct walker w = {
        .base_url = base_url,
        .file = file,
        .diags = diags,
        .doc = out,
        .src = md ? md : "",
        .src_len = md ? len : 0,
        .line_base = line_base,
    };
    cmark_node *root = cmark_parse_document(w.src, w.src_len, CMARK_OPTIONS);
    walk_root(&w, root);
    cmark_node_free(root);
    if (w.in_comment)
        report(&w, DIAG_WARNING, w.comment_line,
               "HTML comment never closed: it hides the rest of the page");
    /* Ids after the last block still name a place: the end of the page. */
    for (size_t i = 0; i < w.n_pending; i++)
        add_anchor(&w, w.pending_ids[i], out->n_blocks ? out->n_blocks - 1 : 0);
    w.n_pending = 0;
    build_sections(&w);
    walker_free(&w);
}

void doc_build(const struct page *page, const struct config *cfg,
               struct doc *out, struct diags *diags)
{
    build(page->body, page->body_len, cfg ? cfg->site.url : NULL, page->path,
          page->body_line > 0 ? page->body_line : 1, out, diags);
}

void doc_build_markdown(const char *markdown, size_t len, struct doc *out)
{
    build(markdown, len, NULL, NULL, 1, out, NULL);
}

const struct section *doc_find_section(const struct doc *d, const char *slug)
{
    for (size_t i = 0; i < d->n_sections; i++)
        if (!strcmp(d->sections[i].slug, slug))
            return &d->sections[i];
    return NULL;
}

void doc_free(struct doc *d)
{
    for (size_t i = 0; i < d->n_blocks; i++)
        free_block(&d->blocks[i]);
    free(d->blocks);
    for (size_t i = 0; i < d->n_sections; i++) {
        struct section *s = &d->sections[i];
        free(s->slug);
        free(s->title);
        free(s->plain_title);
        for (size_t j = 0; j < s->n_anchors; j++)
            free(s->anchors[j]);
        free(s->anchors);
    }
    free(d->sections);
    memset(d, 0, sizeof *d);
}
