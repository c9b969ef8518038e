/* The filters that write or unwrite markup: Liquid's escape, escape_once
 * and strip_html; Jekyll's xml_escape, markdownify (CommonMark through
 * cmark: capsuled interprets the HTML later), smartify (kramdown's
 * SmartyPants: curly quotes, dashes, ellipses), jsonify and inspect. */
#include "filters_impl.h"

#include <cmark.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static struct buf text_of(const struct value *v)
{
    struct buf b = {0};
    ruby_to_s(v, &b);
    buf_reserve(&b, 1);
    return b;
}

/* CGI.escapeHTML's entities (xml: Ruby's XML attribute encoding, which
 * writes &apos;), or NULL for a byte that stays. */
static const char *html_entity(char c, bool xml)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return xml ? "&apos;" : "&#39;";
    default: return NULL;
    }
}

static void escape_html(const char *s, size_t len, bool xml,
                        struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
        const char *e = html_entity(s[i], xml);
        if (e)
            buf_puts(out, e);
        else
            buf_putc(out, s[i]);
    }
}

struct value *filter_escape(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    if (is_nil(in))
        return value_nil();
    struct buf s = text_of(in), out = {0};
    escape_html(s.data, s.len, false, &out);
    buf_free(&s);
    return buf_value(&out);
}

/* The length of an entity at s ("&amp;", "&#39;"), or 0: what
 * escape_once leaves alone. */
static size_t entity_len(const char *s, size_t len)
{
    size_t i = 1;
    if (i < len && s[i] == '#') {
        for (i++; i < len && isdigit((unsigned char)s[i]); i++)
            ;
        return (i > 2 && i < len && s[i] == ';') ? i + 1 : 0;
    }
    while (i < len && isalpha((unsigned char)s[i]))
        i++;
    return (i > 1 && i < len && s[i] == ';') ? i + 1 : 0;
}

struct value *filter_escape_once(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = text_of(in), out = {0};
    for (size_t i = 0; i < s.len; i++) {
        size_t keep = s.data[i] == '&' ? entity_len(s.data + i, s.len - i) : 0;
        if (keep) {
            buf_put(&out, s.data + i, keep);
            i += keep - 1;
        } else {
            const char *e = html_entity(s.data[i], false);
            e ? buf_puts(&out, e) : buf_putc(&out, s.data[i]);
        }
    }
    buf_free(&s);
    return buf_value(&out);
}

/* The end of a block that starts at s with open and ends with close
 * (Liquid's lazy <script.*?</script>), or NULL. */
static const char *block_end(const char *s, const char *open,
                             const char *close)
{
    if (strncmp(s, open, strlen(open)) != 0)
        return NULL;
    const char *end = strstr(s + strlen(open), close);
    return end ? end + strlen(close) : NULL;
}

/* Removes script, style and comment blocks, then every <…> tag. */
struct value *filter_strip_html(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = text_of(in), pass = {0}, out = {0};
    for (size_t i = 0; i < s.len;) {
        const char *p = s.data + i, *end = NULL;
        if (*p == '<' && !(end = block_end(p, "<script", "</script>")) &&
            !(end = block_end(p, "<!--", "-->")))
            end = block_end(p, "<style", "</style>");
        if (end)
            i = (size_t)(end - s.data);
        else
            buf_putc(&pass, s.data[i++]);
    }
    for (size_t i = 0; i < pass.len; i++) {
        const char *close = pass.data[i] == '<' ? memchr(pass.data + i, '>', pass.len - i) : NULL;
        if (close)
            i = (size_t)(close - pass.data);
        else
            buf_putc(&out, pass.data[i]);
    }
    buf_free(&s), buf_free(&pass);
    return buf_value(&out);
}

struct value *filter_xml_escape(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = text_of(in), out = {0};
    escape_html(s.data, s.len, true, &out);
    buf_free(&s);
    return buf_value(&out);
}

struct value *filter_inspect(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = {0}, out = {0};
    ruby_inspect(in, &s);
    escape_html(s.data ? s.data : "", s.len, true, &out);
    buf_free(&s);
    return buf_value(&out);
}

struct value *filter_markdownify(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = text_of(in);
    char *html = cmark_markdown_to_html(s.data, s.len, CMARK_OPT_UNSAFE);
    /* kramdown ends even an empty document with a newline. */
    struct value *v = value_cstring(*html ? html : "\n");
    free(html);
    buf_free(&s);
    return v;
}

/* --- smartify --- */

/* Whether a quote after byte prev opens (start, space, an opening bracket
 * or a dash before it). */
static bool opens_after(const struct buf *out)
{
    if (out->len == 0)
        return true;
    unsigned char p = (unsigned char)out->data[out->len - 1];
    return isspace(p) || (p && strchr("([{-", p)) ||
           (out->len >= 3 && memcmp(out->data + out->len - 3, "\xe2\x80", 2) == 0);
}

/* The typographic symbol at s (dashes, ellipsis, guillemets), its length
 * in *n, or NULL. */
static const char *typographic(const char *s, size_t len, size_t *n)
{
    static const struct { const char *from, *to; } syms[] = {
        {"---", "\xe2\x80\x94"}, {"--", "\xe2\x80\x93"},
        {"...", "\xe2\x80\xa6"}, {"<< ", "\xc2\xab\xc2\xa0"},
        {" >>", "\xc2\xa0\xc2\xbb"}, {"<<", "\xc2\xab"}, {">>", "\xc2\xbb"},
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        *n = strlen(syms[i].from);
        if (*n <= len && memcmp(s, syms[i].from, *n) == 0)
            return syms[i].to;
    }
    return NULL;
}

static void smart_quote(struct buf *out, const char *s, size_t i, size_t len)
{
    bool dbl = s[i] == '"';
    if (!dbl && i + 1 < len && isdigit((unsigned char)s[i + 1])) {
        buf_puts(out, "\xe2\x80\x99"); /* '90s: an apostrophe */
        return;
    }
    bool next_word = i + 1 < len && !isspace((unsigned char)s[i + 1]) &&
                     !ispunct((unsigned char)s[i + 1]);
    bool open = opens_after(out) && (next_word || (i + 1 < len && ispunct((unsigned char)s[i + 1])));
    if (dbl)
        buf_puts(out, open ? "\xe2\x80\x9c" : "\xe2\x80\x9d");
    else
        buf_puts(out, open ? "\xe2\x80\x98" : "\xe2\x80\x99");
}

struct value *filter_smartify(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = text_of(in), out = {0};
    for (size_t i = 0; i < s.len; i++) {
        size_t n;
        const char *sym = typographic(s.data + i, s.len - i, &n);
        if (sym) {
            buf_puts(&out, sym);
            i += n - 1;
        } else if (s.data[i] == '"' || s.data[i] == '\'') {
            smart_quote(&out, s.data, i, s.len);
        } else if (s.data[i] == '&' && !entity_len(s.data + i, s.len - i)) {
            buf_puts(&out, "&amp;");
        } else {
            buf_putc(&out, s.data[i]);
        }
    }
    buf_free(&s);
    return buf_value(&out);
}

/* --- jsonify --- */

static void json_string(const char *s, size_t len, struct buf *out)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f" : NULL;
        if (esc)
            buf_puts(out, esc);
        else if (c < 0x20)
            buf_printf(out, "\\u%04x", c);
        else
            buf_putc(out, (char)c);
    }
    buf_putc(out, '"');
}

static void json_value(const struct value *v, struct buf *out, int depth)
{
    enum value_kind k = value_kind(v);
    if (depth > 100 || k == VALUE_NIL) {
        buf_puts(out, "null");
    } else if (k == VALUE_STRING || k == VALUE_DATE) {
        json_string(value_text(v), value_len(v), out);
    } else if (k == VALUE_ARRAY) {
        buf_putc(out, '[');
        for (size_t i = 0; i < value_len(v); i++) {
            if (i)
                buf_putc(out, ',');
            json_value(value_array_at(v, i), out, depth + 1);
        }
        buf_putc(out, ']');
    } else if (k == VALUE_HASH) {
        buf_putc(out, '{');
        for (size_t i = 0; i < value_len(v); i++) {
            size_t klen;
            const char *key = value_hash_key_at(v, i, &klen);
            if (i)
                buf_putc(out, ',');
            json_string(key, klen, out);
            buf_putc(out, ':');
            json_value(value_hash_value_at(v, i), out, depth + 1);
        }
        buf_putc(out, '}');
    } else {
        buf_puts(out, value_text(v));
    }
}

struct value *filter_jsonify(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf out = {0};
    json_value(in, &out, 0);
    return buf_value(&out);
}
