/* URLs as Jekyll computes them: Utils.slugify, permalink styles and the
 * suffix a style adds, a template's :placeholders filled (URL#generate_url),
 * then URL#sanitize_url. The extension a file is written with comes from
 * its converter: Markdown (markdown_ext) and Sass give .html and .css,
 * every other file keeps its own. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Letters, marks and digits: every byte of a multibyte character counts
 * (capsuled has no Unicode tables; symbols beyond ASCII are rare in file
 * names). */
static bool word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static bool keeps(unsigned char c, const char *mode)
{
    if (strcmp(mode, "raw") == 0)
        return !isspace(c);
    if (strcmp(mode, "ascii") == 0)
        return isalnum(c);
    if (strcmp(mode, "pretty") == 0 && strchr("._~!$&'()+,;=@", c) && c)
        return true;
    return word_byte(c);
}

char *jekyll_slugify(const char *s, const char *mode, bool cased)
{
    if (!s)
        return NULL;
    static const char *const modes[] = {"raw", "default", "pretty", "ascii",
                                        "latin"};
    bool known = false;
    for (size_t i = 0; i < 5; i++)
        known |= strcmp(mode, modes[i]) == 0;
    struct buf b = {0};
    buf_puts(&b, "");
    bool in_run = false; /* a run of replaced characters is one '-' */
    for (const char *p = s; *p; p++) {
        bool keep = !known || keeps((unsigned char)*p, mode);
        if (keep)
            buf_putc(&b, *p);
        else if (!in_run)
            buf_putc(&b, '-');
        in_run = !keep;
    }
    /* gsub(/^-|-$/, ""): one hyphen at each end. */
    if (known && b.len && b.data[b.len - 1] == '-')
        b.data[--b.len] = '\0';
    if (known && b.len && b.data[0] == '-')
        memmove(b.data, b.data + 1, b.len--);
    if (!cased)
        for (size_t i = 0; i < b.len; i++)
            b.data[i] = (char)tolower((unsigned char)b.data[i]);
    return buf_detach(&b);
}

const char *jekyll_permalink_style(const char *style)
{
    static const char *const styles[][2] = {
        {"none", "/:categories/:title:output_ext"},
        {"date", "/:categories/:year/:month/:day/:title:output_ext"},
        {"ordinal", "/:categories/:year/:y_day/:title:output_ext"},
        {"pretty", "/:categories/:year/:month/:day/:title/"},
        {"weekdate", "/:categories/:year/W:week/:short_day/:title:output_ext"},
    };
    for (size_t i = 0; style && i < 5; i++)
        if (strcmp(style, styles[i][0]) == 0)
            return styles[i][1];
    return style ? style : styles[1][1];
}

void jk_add_suffix(struct buf *tpl, const char *style)
{
    size_t n = style ? strlen(style) : 0;
    if (style && strcmp(style, "pretty") == 0)
        buf_putc(tpl, '/');
    else if (!style || strcmp(style, "date") == 0 ||
             strcmp(style, "ordinal") == 0 || strcmp(style, "none") == 0)
        buf_puts(tpl, ":output_ext");
    else if (n && style[n - 1] == '/')
        buf_putc(tpl, '/');
    else if (n >= 11 && strcmp(style + n - 11, ":output_ext") == 0)
        buf_puts(tpl, ":output_ext");
}

/* URL.escape_path: as it is when only [A-Za-z0-9./-]; else percent-escaped
 * as Addressable escapes a URI, and the first '#' as %23. */
static void escape_path(struct buf *out, const char *s)
{
    bool plain = true;
    for (const char *p = s; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("./-", *p);
    bool hash_done = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (plain || isalnum(*p) || strchr("-._~!$&'()*+,;=:@/?[]", *p))
            buf_putc(out, (char)*p);
        else if (*p == '#' && hash_done)
            buf_putc(out, '#');
        else {
            hash_done |= *p == '#';
            buf_printf(out, "%%%02X", *p);
        }
    }
}

static void sanitize(struct buf *out, const char *in)
{
    struct buf a = {0}, b = {0};
    buf_putc(&a, '/');
    buf_puts(&a, in);
    for (size_t i = 0; i < a.len; i++) { /* ".." → "/" */
        if (a.data[i] == '.' && i + 1 < a.len && a.data[i + 1] == '.') {
            buf_putc(&b, '/');
            i++;
        } else
            buf_putc(&b, a.data[i]);
    }
    buf_clear(&a);
    for (size_t i = 0; i < b.len; i++) { /* "./" dropped */
        if (b.data[i] == '.' && i + 1 < b.len && b.data[i + 1] == '/')
            i++;
        else
            buf_putc(&a, b.data[i]);
    }
    for (size_t i = 0; i < a.len; i++)
        if (!(a.data[i] == '/' && out->len && out->data[out->len - 1] == '/'))
            buf_putc(out, a.data[i]);
    buf_free(&a);
    buf_free(&b);
}

/* A document's placeholders (UrlDrop): :name, and :name_ falling back to
 * :name. */
static bool fill_from_drop(struct buf *out, const char *tpl,
                           const struct value *vars)
{
    for (const char *p = tpl; *p;) {
        const char *q = p + 1;
        while (*p == ':' && ((*q >= 'a' && *q <= 'z') || *q == '_'))
            q++;
        if (*p != ':' || q == p + 1) {
            buf_putc(out, *p++);
            continue;
        }
        size_t len = (size_t)(q - p - 1);
        const struct value *v = value_hash_getn(vars, p + 1, len);
        if (!v && p[len] == '_' && (v = value_hash_getn(vars, p + 1, len - 1)))
            q--; /* the '_' stays after the value */
        if (!v)
            return false;
        escape_path(out, value_text(v) ? value_text(v) : "");
        p = q;
    }
    return true;
}

/* A page's placeholders (a hash): each name replaced in turn wherever it
 * occurs, names it lacks left as written. */
static void fill_from_hash(struct buf *out, const char *tpl,
                           const struct value *vars)
{
    struct buf cur = {0}, next = {0};
    buf_puts(&cur, tpl);
    for (size_t i = 0; i < value_len(vars) && strchr(cur.data, ':'); i++) {
        size_t klen;
        const char *key = value_hash_key_at(vars, i, &klen);
        const char *val = value_text(value_hash_value_at(vars, i));
        for (size_t k = 0; k < cur.len;) {
            if (cur.data[k] == ':' && k + 1 + klen <= cur.len &&
                memcmp(cur.data + k + 1, key, klen) == 0) {
                escape_path(&next, val ? val : "");
                k += 1 + klen;
            } else
                buf_putc(&next, cur.data[k++]);
        }
        buf_clear(&cur);
        buf_put(&cur, next.data ? next.data : "", next.len);
        buf_clear(&next);
    }
    buf_put(out, cur.data, cur.len);
    buf_free(&cur);
    buf_free(&next);
}

char *jekyll_url(const char *tpl, const struct value *vars, bool strict)
{
    struct buf filled = {0}, out = {0};
    buf_puts(&filled, "");
    if (strict && !fill_from_drop(&filled, tpl, vars)) {
        buf_free(&filled);
        return NULL;
    }
    if (!strict)
        fill_from_hash(&filled, tpl, vars);
    sanitize(&out, filled.data);
    buf_free(&filled);
    return buf_detach(&out);
}

bool jk_is_markdown(const struct value *config, const char *ext)
{
    const char *list = jk_str(config, "markdown_ext", "");
    if (!ext || *ext != '.')
        return false;
    size_t n = strlen(ext + 1);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        if (len == n && strncasecmp(p, ext + 1, n) == 0)
            return true;
        p += len + (comma != NULL);
    }
    return false;
}

const char *jk_output_ext(const struct value *config, const char *ext)
{
    if (jk_is_markdown(config, ext))
        return ".html";
    if (strcasecmp(ext, ".scss") == 0 || strcasecmp(ext, ".sass") == 0)
        return ".css";
    return ext;
}
