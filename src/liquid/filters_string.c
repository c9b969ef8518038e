/* Liquid's string filters (and Jekyll's normalize_whitespace and
 * number_of_words), as Ruby's String methods answer them: every input is
 * read with to_s, lengths and slices count characters, not bytes. */
#include "filters_impl.h"

#include "capsuled/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The input's to_s in a buffer the caller frees. */
static struct buf text_of(const struct value *v)
{
    struct buf b = {0};
    ruby_to_s(v, &b);
    buf_reserve(&b, 1);
    return b;
}

struct value *filter_append(FILTER_PARAMS)
{
    (void)env;
    struct buf b = text_of(in);
    ruby_to_s(filter_arg(args, n_args, 0), &b);
    return buf_value(&b);
}

struct value *filter_prepend(FILTER_PARAMS)
{
    (void)env;
    struct buf b = text_of(filter_arg(args, n_args, 0));
    ruby_to_s(in, &b);
    return buf_value(&b);
}

enum case_mode { CASE_DOWN, CASE_UP, CASE_CAPITAL };

static struct value *map_case(const struct value *in, enum case_mode mode)
{
    struct buf src = text_of(in), out = {0};
    buf_reserve(&out, src.len + 1);
    for (size_t i = 0; i < src.len;) {
        unsigned cp;
        size_t k = utf8_decode(src.data + i, src.len - i, &cp);
        if (!k) {
            buf_putc(&out, src.data[i++]);
            continue;
        }
        bool up = mode == CASE_UP || (mode == CASE_CAPITAL && i == 0);
        i += k;
        /* Ruby's full case mapping where one letter becomes two. */
        if (up && cp == 0xdf) {
            buf_puts(&out, i == k && mode == CASE_CAPITAL ? "Ss" : "SS");
            continue;
        }
        if (!up && cp == 0x130) {
            buf_puts(&out, "i\xcc\x87");
            continue;
        }
        char enc[4];
        buf_put(&out, enc, utf8_encode(up ? unicode_upper(cp) : unicode_lower(cp), enc));
    }
    buf_free(&src);
    return buf_value(&out);
}

struct value *filter_downcase(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return map_case(in, CASE_DOWN);
}

struct value *filter_upcase(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return map_case(in, CASE_UP);
}

struct value *filter_capitalize(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return map_case(in, CASE_CAPITAL);
}

/* Ruby's whitespace for strip and split: space, \t \n \v \f \r. */
static bool ruby_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static struct value *strip_sides(const struct value *in, bool left, bool right)
{
    struct buf b = text_of(in);
    size_t start = 0, end = b.len;
    while (left && start < end && ruby_space(b.data[start]))
        start++;
    while (right && end > start &&
           (ruby_space(b.data[end - 1]) || b.data[end - 1] == '\0'))
        end--;
    struct value *v = value_string(b.data + start, end - start);
    buf_free(&b);
    return v;
}

struct value *filter_strip(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return strip_sides(in, true, true);
}

struct value *filter_lstrip(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return strip_sides(in, true, false);
}

struct value *filter_rstrip(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return strip_sides(in, false, true);
}

/* Replaces each "\r?\n" with nl (Liquid's /\r?\n/ patterns). */
static struct value *map_newlines(const struct value *in, const char *nl)
{
    struct buf src = text_of(in), out = {0};
    for (size_t i = 0; i < src.len; i++) {
        if (src.data[i] == '\r' && i + 1 < src.len && src.data[i + 1] == '\n')
            continue;
        if (src.data[i] == '\n')
            buf_puts(&out, nl);
        else
            buf_putc(&out, src.data[i]);
    }
    buf_free(&src);
    return buf_value(&out);
}

struct value *filter_strip_newlines(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return map_newlines(in, "");
}

struct value *filter_newline_to_br(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return map_newlines(in, "<br />\n");
}

/* Where to replace: every occurrence, the first, or the last. */
enum which { ALL, FIRST, LAST };

/* The byte offset of the next match of pat at or after from, or len when
 * none. An empty pattern matches at every character boundary. */
static size_t find_from(const struct buf *s, size_t from, const struct buf *pat)
{
    if (pat->len == 0)
        return from;
    for (size_t i = from; i + pat->len <= s->len; i++)
        if (memcmp(s->data + i, pat->data, pat->len) == 0)
            return i;
    return s->len;
}

static size_t find_last(const struct buf *s, const struct buf *pat)
{
    for (size_t i = s->len + 1; i-- > 0;)
        if (i + pat->len <= s->len && memcmp(s->data + i, pat->data, pat->len) == 0)
            return i;
    return SIZE_MAX;
}

/* Ruby's gsub/sub with a literal string ("" matches between characters),
 * and Liquid's replace_last (rindex). */
static struct value *replace_text(const struct value *in, const struct value *p,
                                  const struct value *r, enum which which)
{
    struct buf s = text_of(in), pat = text_of(p), rep = text_of(r), out = {0};
    size_t i = 0;
    if (which == LAST) {
        size_t at = find_last(&s, &pat);
        if (at != SIZE_MAX) {
            buf_put(&out, s.data, at);
            buf_put(&out, rep.data, rep.len);
            i = at + pat.len;
        }
    }
    while (which != LAST && i <= s.len) {
        size_t at = find_from(&s, i, &pat);
        if (at >= s.len && !(pat.len == 0 && at == s.len))
            break;
        buf_put(&out, s.data + i, at - i);
        buf_put(&out, rep.data, rep.len);
        size_t step = pat.len ? pat.len : (at < s.len ? utf8_offset(s.data + at, s.len - at, 1) : 1);
        if (!pat.len && at < s.len)
            buf_put(&out, s.data + at, step);
        i = at + step;
        if (which == FIRST)
            break;
    }
    if (i < s.len)
        buf_put(&out, s.data + i, s.len - i);
    buf_free(&s), buf_free(&pat), buf_free(&rep);
    return buf_value(&out);
}

struct value *filter_replace(FILTER_PARAMS)
{
    (void)env;
    return replace_text(in, filter_arg(args, n_args, 0),
                        filter_arg(args, n_args, 1), ALL);
}

struct value *filter_replace_first(FILTER_PARAMS)
{
    (void)env;
    return replace_text(in, filter_arg(args, n_args, 0),
                        filter_arg(args, n_args, 1), FIRST);
}

struct value *filter_replace_last(FILTER_PARAMS)
{
    (void)env;
    return replace_text(in, filter_arg(args, n_args, 0),
                        filter_arg(args, n_args, 1), LAST);
}

struct value *filter_remove(FILTER_PARAMS)
{
    (void)env;
    return replace_text(in, filter_arg(args, n_args, 0), NULL, ALL);
}

struct value *filter_remove_first(FILTER_PARAMS)
{
    (void)env;
    return replace_text(in, filter_arg(args, n_args, 0), NULL, FIRST);
}

struct value *filter_remove_last(FILTER_PARAMS)
{
    (void)env;
    return replace_text(in, filter_arg(args, n_args, 0), NULL, LAST);
}

/* Ruby's awk-style split (on " "): runs of whitespace separate, leading
 * whitespace is ignored. At most limit words (0: no limit); the last then
 * keeps the rest of the text. */
static struct value *split_words(const char *s, size_t len, size_t limit)
{
    struct value *list = value_array();
    size_t i = 0;
    while (i < len && ruby_space(s[i]))
        i++;
    while (i < len) {
        size_t start = i;
        /* The last field allowed keeps the rest, even when it is empty
         * ("a ".split(" ", 2) is ["a", ""]). */
        bool last = limit && value_len(list) + 1 == limit;
        while (i < len && (last || !ruby_space(s[i])))
            i++;
        value_array_push(list, value_string(s + start, i - start));
        while (i < len && ruby_space(s[i]))
            i++;
        if (i == len && start < len && ruby_space(s[len - 1]) && limit &&
            value_len(list) + 1 == limit)
            value_array_push(list, value_string("", 0));
    }
    return list;
}

/* Ruby's String#split(str): "" splits into characters, trailing empty
 * fields are dropped. */
static struct value *split_on(const struct buf *s, const struct buf *pat)
{
    struct value *list = value_array();
    size_t i = 0, kept = 0;
    struct value *fields = value_array();
    while (i < s->len) {
        size_t at = pat->len ? find_from(s, i, pat)
                             : i + utf8_offset(s->data + i, s->len - i, 1);
        value_array_push(fields, value_string(s->data + i, at - i));
        i = at + pat->len;
        if (at == s->len)
            break;
        if (i == s->len && pat->len)
            value_array_push(fields, value_string("", 0));
    }
    for (size_t j = 0; j < value_len(fields); j++)
        if (value_len(value_array_at(fields, j)))
            kept = j + 1;
    for (size_t j = 0; j < kept; j++)
        value_array_push(list, value_retain(value_array_at(fields, j)));
    value_release(fields);
    return list;
}

struct value *filter_split(FILTER_PARAMS)
{
    (void)env;
    struct buf s = text_of(in), pat = text_of(filter_arg(args, n_args, 0));
    struct value *list = (pat.len == 1 && pat.data[0] == ' ')
                             ? split_words(s.data, s.len, 0)
                             : split_on(&s, &pat);
    buf_free(&s), buf_free(&pat);
    return list;
}

struct value *filter_truncate(FILTER_PARAMS)
{
    if (is_nil(in))
        return value_nil();
    int64_t length = 50;
    if (n_args > 0 && !to_integer(args[0], &length, env))
        return value_nil();
    struct buf s = text_of(in);
    struct buf ellipsis = {0};
    if (n_args > 1)
        ruby_to_s(args[1], &ellipsis);
    else
        buf_puts(&ellipsis, "...");
    int64_t chars = (int64_t)utf8_chars(s.data, s.len);
    if (chars > length) {
        /* Compared, not subtracted: a length near INT64_MIN must not
         * overflow (Ruby's integers have no bound; it keeps nothing). */
        int64_t marks = (int64_t)utf8_chars(ellipsis.data, ellipsis.len);
        size_t keep = length > marks ? (size_t)(length - marks) : 0;
        s.len = utf8_offset(s.data, s.len, keep);
        buf_put(&s, ellipsis.data, ellipsis.len);
    }
    buf_free(&ellipsis);
    return buf_value(&s);
}

struct value *filter_truncatewords(FILTER_PARAMS)
{
    if (is_nil(in))
        return value_nil();
    int64_t words = 15;
    if (n_args > 0 && !to_integer(args[0], &words, env))
        return value_nil();
    if (words <= 0)
        words = 1;
    if (words >= INT32_MAX - 1) { /* Ruby's split takes an int limit */
        static _Thread_local char message[80];
        snprintf(message, sizeof message,
                 "integer %lld too big for truncatewords", (long long)words);
        env->error = message;
        return value_nil();
    }
    struct buf s = text_of(in);
    struct value *list = split_words(s.data, s.len, (size_t)words + 1);
    if (value_len(list) <= (size_t)words) {
        value_release(list);
        return buf_value(&s);
    }
    struct buf out = {0};
    for (size_t i = 0; i < (size_t)words; i++) {
        if (i)
            buf_putc(&out, ' ');
        buf_puts(&out, value_text(value_array_at(list, i)));
    }
    if (n_args > 1)
        ruby_to_s(args[1], &out);
    else
        buf_puts(&out, "...");
    value_release(list);
    buf_free(&s);
    return buf_value(&out);
}

struct value *filter_normalize_whitespace(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = text_of(in), out = {0};
    for (size_t i = 0; i < s.len;) {
        if (!ruby_space(s.data[i])) {
            buf_putc(&out, s.data[i++]);
            continue;
        }
        while (i < s.len && ruby_space(s.data[i]))
            i++;
        if (out.len && i < s.len)
            buf_putc(&out, ' ');
    }
    buf_free(&s);
    return buf_value(&out);
}

/* Han, Hiragana, Katakana and Hangul: each character is a word in
 * number_of_words' cjk mode. */
static bool is_cjk(unsigned c)
{
    return (c >= 0x2e80 && c <= 0x2fdf) || (c >= 0x3005 && c <= 0x3007) ||
           (c >= 0x3021 && c <= 0x3029) || (c >= 0x3041 && c <= 0x30ff) ||
           (c >= 0x3131 && c <= 0x318e) || (c >= 0x31f0 && c <= 0x31ff) ||
           (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
           (c >= 0xa960 && c <= 0xa97f) || (c >= 0xac00 && c <= 0xd7ff) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff66 && c <= 0xffdc) ||
           (c >= 0x1100 && c <= 0x11ff) || (c >= 0x20000 && c <= 0x3134f);
}

/* CJK characters, plus runs of anything else that is not whitespace. */
static int64_t count_cjk_words(const char *s, size_t len, int64_t *cjk)
{
    int64_t words = 0;
    bool in_run = false;
    *cjk = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp = (unsigned char)s[i];
        size_t k = utf8_decode(s + i, len - i, &cp);
        i += k ? k : 1;
        bool space = cp < 0x80 && ruby_space((char)cp);
        if (k && is_cjk(cp))
            (*cjk)++;
        if (space || (k && is_cjk(cp)))
            in_run = false;
        else if (!in_run)
            in_run = true, words++;
    }
    return words;
}

struct value *filter_number_of_words(FILTER_PARAMS)
{
    (void)env;
    struct buf s = text_of(in);
    const char *mode = value_text(filter_arg(args, n_args, 0));
    struct value *words = split_words(s.data, s.len, 0);
    int64_t n = (int64_t)value_len(words), cjk;
    int64_t runs = count_cjk_words(s.data, s.len, &cjk);
    if (mode && (strcmp(mode, "cjk") == 0 ||
                 (strcmp(mode, "auto") == 0 && cjk > 0)))
        n = cjk + runs;
    value_release(words);
    buf_free(&s);
    return value_int(n);
}
