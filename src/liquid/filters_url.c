/* The filters that make URLs and URL parts: Liquid's url_encode and
 * url_decode (Ruby's CGI), Jekyll's cgi_escape, uri_escape (Addressable's
 * normalize_component), relative_url and absolute_url (site.baseurl,
 * site.url) and slugify in its modes. */
#include "filters_impl.h"

#include "capsuled/utf8.h"

#include <ctype.h>
#include <string.h>

static const char hex[] = "0123456789ABCDEF";

/* CGI.escape: letters, digits and "_.-~" stay, a space is '+', every other
 * byte %XX. */
static void cgi_escape(const struct value *in, struct buf *out)
{
    struct buf s = {0};
    ruby_to_s(in, &s);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.data[i];
        if (isalnum(c) || (c && strchr("_.-~", c)))
            buf_putc(out, (char)c);
        else if (c == ' ')
            buf_putc(out, '+');
        else
            buf_putc(out, '%'), buf_putc(out, hex[c >> 4]), buf_putc(out, hex[c & 15]);
    }
    buf_free(&s);
}

struct value *filter_url_encode(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    if (is_nil(in))
        return value_nil();
    struct buf out = {0};
    cgi_escape(in, &out);
    return buf_value(&out);
}

struct value *filter_cgi_escape(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf out = {0};
    cgi_escape(in, &out);
    return buf_value(&out);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

struct value *filter_url_decode(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    if (is_nil(in))
        return value_nil();
    struct buf s = {0}, out = {0};
    ruby_to_s(in, &s);
    for (size_t i = 0; i < s.len; i++) {
        int hi = -1, lo = -1;
        if (s.data[i] == '%' && i + 2 < s.len &&
            (hi = hex_value(s.data[i + 1])) >= 0 &&
            (lo = hex_value(s.data[i + 2])) >= 0) {
            buf_putc(&out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            buf_putc(&out, s.data[i] == '+' ? ' ' : s.data[i]);
        }
    }
    buf_free(&s);
    if (!utf8_valid(out.data ? out.data : "", out.len)) {
        buf_free(&out);
        env->error = "invalid byte sequence in UTF-8";
        return value_nil();
    }
    return buf_value(&out);
}

/* Addressable's normalization of a URI component: unreserved and reserved
 * characters and existing escapes stay, every other byte (spaces, all of
 * UTF-8 beyond ASCII) becomes %XX. */
static void normalize_component(const char *s, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c)))
            buf_putc(out, (char)c);
        else
            buf_putc(out, '%'), buf_putc(out, hex[c >> 4]), buf_putc(out, hex[c & 15]);
    }
}

struct value *filter_uri_escape(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = {0}, out = {0};
    ruby_to_s(in, &s);
    normalize_component(s.data ? s.data : "", s.len, &out);
    buf_free(&s);
    return buf_value(&out);
}

/* Addressable's absolute?: a scheme (a letter, then letters, digits, "+-.")
 * and a ':'. */
static bool is_absolute(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return false;
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) || (s[i] && strchr("+-.", s[i])))
        i++;
    return s[i] == ':' && s[i] != '\0';
}

/* Appends part with a leading '/' unless empty or already there. */
static void put_with_slash(struct buf *out, const char *part, size_t len)
{
    if (len && part[0] != '/')
        buf_putc(out, '/');
    buf_put(out, part, len);
}

/* RFC 3986's remove_dot_segments on the path of url (up to '?' or '#'),
 * as Addressable's normalize does. */
static void remove_dot_segments(struct buf *url)
{
    if (url->len == 0)
        return;
    size_t end = strcspn(url->data, "?#");
    struct buf out = {0};
    for (size_t i = 0; i < end;) {
        const char *p = url->data + i;
        size_t seg = 1 + strcspn(p + 1, "/?#");
        if (i + seg > end)
            seg = end - i;
        bool dot = seg == 2 && p[0] == '/' && p[1] == '.';
        bool dotdot = seg == 3 && p[0] == '/' && p[1] == '.' && p[2] == '.';
        if (dotdot) {
            while (out.len && out.data[out.len - 1] != '/')
                out.len--;
            if (out.len)
                out.len--;
        }
        if (dot || dotdot) {
            if (i + seg == end)
                buf_putc(&out, '/');
        } else {
            buf_put(&out, p, seg);
        }
        i += seg;
    }
    buf_put(&out, url->data + end, url->len - end);
    buf_free(url);
    *url = out;
}

/* Jekyll's compute_relative_url: baseurl (without its trailing '/') and
 * input, each with a leading '/', normalized. */
static void relative_url(const struct value *in, const struct value *site,
                         struct buf *out)
{
    struct buf s = {0}, base = {0}, joined = {0};
    ruby_to_s(in, &s);
    ruby_to_s(value_hash_get(site, "baseurl"), &base);
    if (base.len && base.data[base.len - 1] == '/')
        base.len--;
    put_with_slash(&joined, base.data, base.len);
    put_with_slash(&joined, s.data, s.len);
    remove_dot_segments(&joined);
    normalize_component(joined.data ? joined.data : "", joined.len, out);
    buf_free(&s), buf_free(&base), buf_free(&joined);
}

struct value *filter_relative_url(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    if (is_nil(in))
        return value_nil();
    if (is_string(in) && is_absolute(value_text(in)))
        return value_retain(in);
    struct buf out = {0};
    relative_url(in, env->site, &out);
    return buf_value(&out);
}

/* Addressable's normalize of "scheme://Host": the scheme and host in lower
 * case, an empty path "/". */
static void normalize_origin(struct buf *url)
{
    char *p = strstr(url->data ? url->data : "", "://");
    if (!p)
        return;
    for (char *c = url->data; *c && *c != '/' && *c != '?' && *c != '#'; c++)
        *c = (char)tolower((unsigned char)*c);
    for (char *c = p + 3; *c && *c != '/' && *c != '?' && *c != '#'; c++)
        *c = (char)tolower((unsigned char)*c);
    if (!strchr(p + 3, '/'))
        buf_putc(url, '/');
}

struct value *filter_absolute_url(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    if (is_nil(in))
        return value_nil();
    if (is_string(in) && is_absolute(value_text(in)))
        return value_retain(in);
    const struct value *site_url = value_hash_get(env->site, "url");
    struct buf out = {0};
    if (!is_nil(site_url) && value_text(site_url) && *value_text(site_url)) {
        ruby_to_s(site_url, &out);
        relative_url(in, env->site, &out);
        normalize_origin(&out);
        return buf_value(&out);
    }
    relative_url(in, env->site, &out);
    return buf_value(&out);
}

/* --- slugify --- */

enum slug_mode { SLUG_RAW, SLUG_DEFAULT, SLUG_PRETTY, SLUG_ASCII, SLUG_LATIN,
                 SLUG_NONE };

/* Unicode's letters, marks and decimal digits, approximately: ASCII letters
 * and digits, and beyond ASCII everything outside the punctuation, symbol
 * and space blocks. */
static bool letter_or_digit(unsigned c)
{
    if (c < 0x80)
        return isalnum((int)c);
    if (c <= 0xbf)
        return c == 0xaa || c == 0xb5 || c == 0xba;
    if (c == 0xd7 || c == 0xf7)
        return false;
    if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x3004) ||
        (c >= 0x3008 && c <= 0x3020) || c == 0x3030 ||
        (c >= 0xe000 && c <= 0xf8ff) || (c >= 0xfe30 && c <= 0xfe4f) ||
        (c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
        (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65) ||
        (c >= 0x1f000 && c <= 0x1faff))
        return false;
    return true;
}

/* Whether code point c survives mode (is not part of a run replaced by
 * '-'). */
static bool slug_keeps(unsigned c, enum slug_mode mode)
{
    switch (mode) {
    case SLUG_RAW:
        return !(c < 0x80 && (c == ' ' || (c >= '\t' && c <= '\r')));
    case SLUG_PRETTY:
        return letter_or_digit(c) || (c && c < 0x80 && strchr("._~!$&'()+,;=@", (int)c));
    case SLUG_ASCII:
        return c < 0x80 && isalnum((int)c);
    default:
        return letter_or_digit(c);
    }
}

/* I18n.transliterate for Latin-1 and Latin Extended-A: the base letters
 * ("?" for what it cannot spell). */
static const char *transliterate(unsigned c, char one[2])
{
    static const char latin1[] = "AAAAAA CEEEEIIIIDNOOOOOxOUUUUY  aaaaaa ceeeeiiiidnooooo/ouuuuy y";
    static const char ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi**JjKkkLlLlLlLlLlNnNnNnnNnOoOoOo**RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
    static const char *pairs[] = {"AE", "Th", "ss", "ae", "th", "IJ", "ij", "OE", "oe"};
    static const unsigned pair_cp[] = {0xc6, 0xde, 0xdf, 0xe6, 0xfe, 0x132, 0x133, 0x152, 0x153};
    for (size_t i = 0; i < sizeof pair_cp / sizeof pair_cp[0]; i++)
        if (c == pair_cp[i])
            return pairs[i];
    one[1] = '\0';
    if (c >= 0xc0 && c <= 0xff && latin1[c - 0xc0] != ' ' && c != 0xd7 && c != 0xf7)
        one[0] = latin1[c - 0xc0];
    else if (c >= 0x100 && c <= 0x17f)
        one[0] = ext_a[c - 0x100];
    else
        one[0] = '?';
    return one;
}

static enum slug_mode slug_mode_of(const struct value *mode)
{
    static const char *names[] = {"raw", "default", "pretty", "ascii", "latin"};
    if (is_nil(mode))
        return SLUG_DEFAULT;
    for (size_t i = 0; i < 5; i++)
        if (value_text(mode) && strcmp(value_text(mode), names[i]) == 0)
            return (enum slug_mode)i;
    return SLUG_NONE;
}

/* The text latin mode slugs: each character transliterated to ASCII. */
static void to_latin(const char *s, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len;) {
        unsigned cp = (unsigned char)s[i];
        size_t k = utf8_decode(s + i, len - i, &cp);
        char one[2];
        if (cp < 0x80 || !k)
            buf_putc(out, s[i]);
        else
            buf_puts(out, transliterate(cp, one));
        i += k ? k : 1;
    }
}

/* Replaces each run of characters mode does not keep with one '-', drops
 * one '-' at each end, and lowers the case. */
static void slug_runs(const char *s, size_t len, enum slug_mode mode,
                      struct buf *out)
{
    bool in_run = false;
    for (size_t i = 0; i < len;) {
        unsigned cp = (unsigned char)s[i];
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k)
            k = 1;
        if (slug_keeps(cp, mode)) {
            char enc[4];
            buf_put(out, enc, utf8_encode(unicode_lower(cp), enc));
            in_run = false;
        } else if (!in_run) {
            buf_putc(out, '-');
            in_run = true;
        }
        i += k;
    }
}

static struct value *trim_hyphens(struct buf *b)
{
    buf_reserve(b, 1);
    b->data[b->len] = '\0';
    size_t start = b->len && b->data[0] == '-' ? 1 : 0, end = b->len;
    if (end > start && b->data[end - 1] == '-')
        end--;
    struct value *v = value_string(b->data + start, end - start);
    buf_free(b);
    return v;
}

struct value *filter_slugify(FILTER_PARAMS)
{
    (void)env;
    if (is_nil(in))
        return value_nil();
    enum slug_mode mode = slug_mode_of(filter_arg(args, n_args, 0));
    struct buf s = {0}, latin = {0}, out = {0};
    ruby_to_s(in, &s);
    if (mode == SLUG_NONE) {
        buf_free(&s);
        return filter_downcase(in, args, 0, env);
    }
    if (mode == SLUG_LATIN)
        to_latin(s.data ? s.data : "", s.len, &latin);
    struct buf *src = mode == SLUG_LATIN ? &latin : &s;
    slug_runs(src->data ? src->data : "", src->len, mode, &out);
    buf_free(&s), buf_free(&latin);
    return trim_hyphens(&out);
}
