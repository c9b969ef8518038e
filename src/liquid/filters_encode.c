/* Liquid's base64 filters (strict and URL-safe alphabets) and Jekyll's two
 * small conversions, strip_index (".../index.html" to ".../") and
 * to_integer. */
#include "filters_impl.h"

#include <math.h>
#include <string.h>

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static struct value *encode(const struct value *in, const char *alphabet)
{
    struct buf s = {0}, out = {0};
    ruby_to_s(in, &s);
    const unsigned char *p = (const unsigned char *)(s.data ? s.data : "");
    for (size_t i = 0; i < s.len; i += 3) {
        size_t n = s.len - i < 3 ? s.len - i : 3;
        unsigned v = (unsigned)p[i] << 16 | (n > 1 ? (unsigned)p[i + 1] << 8 : 0) |
                     (n > 2 ? p[i + 2] : 0);
        buf_putc(&out, alphabet[v >> 18 & 63]);
        buf_putc(&out, alphabet[v >> 12 & 63]);
        buf_putc(&out, n > 1 ? alphabet[v >> 6 & 63] : '=');
        buf_putc(&out, n > 2 ? alphabet[v & 63] : '=');
    }
    buf_free(&s);
    return buf_value(&out);
}

static int sextet(char c, const char *alphabet)
{
    const char *at = c ? strchr(alphabet, c) : NULL;
    return at ? (int)(at - alphabet) : -1;
}

/* Ruby's strict_decode64: groups of four, '=' padding only at the end,
 * nothing else. False for anything else. */
static bool decode(const char *s, size_t len, const char *alphabet,
                   struct buf *out)
{
    if (len % 4)
        return false;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=') : 0;
        int v[4];
        for (int k = 0; k < 4 - pad; k++)
            if ((v[k] = sextet(s[i + k], alphabet)) < 0)
                return false;
        unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
                        (pad < 2 ? (unsigned)v[2] << 6 : 0) | (pad < 1 ? (unsigned)v[3] : 0);
        buf_putc(out, (char)(bits >> 16));
        if (pad < 2)
            buf_putc(out, (char)(bits >> 8 & 255));
        if (pad < 1)
            buf_putc(out, (char)(bits & 255));
        if ((pad == 2 && (bits & 0xffff)) || (pad == 1 && (bits & 0xff)))
            return false; /* non-zero bits in the padding */
    }
    return true;
}

static struct value *decode_filter(const struct value *in, const char *alphabet,
                                   bool add_padding, const char *error,
                                   struct liquid_filter_env *env)
{
    struct buf s = {0}, out = {0};
    ruby_to_s(in, &s);
    while (add_padding && s.len % 4)
        buf_putc(&s, '=');
    bool ok = decode(s.data ? s.data : "", s.len, alphabet, &out);
    buf_free(&s);
    if (!ok) {
        buf_free(&out);
        env->error = error;
        return value_nil();
    }
    return buf_value(&out);
}

struct value *filter_base64_encode(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return encode(in, std_alphabet);
}

struct value *filter_base64_url_safe_encode(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return encode(in, url_alphabet);
}

struct value *filter_base64_decode(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    return decode_filter(in, std_alphabet, false,
                         "invalid base64 provided to base64_decode", env);
}

struct value *filter_base64_url_safe_decode(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    return decode_filter(in, url_alphabet, true,
                         "invalid base64 provided to base64_url_safe_decode", env);
}

/* Jekyll's strip_index: a final "/index.html" or "/index.htm" (at the end
 * or before a newline) becomes "/"; nil or "" gives nil. */
struct value *filter_strip_index(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct buf s = {0};
    ruby_to_s(in, &s);
    if (s.len == 0) {
        buf_free(&s);
        return value_nil();
    }
    size_t line_end = strcspn(s.data, "\n");
    for (size_t n = 11; n >= 10; n--) {
        const char *tail = n == 11 ? "/index.html" : "/index.htm";
        if (line_end >= n && memcmp(s.data + line_end - n, tail, n) == 0) {
            struct buf out = {0};
            buf_put(&out, s.data, line_end - n + 1);
            buf_put(&out, s.data + line_end, s.len - line_end);
            buf_free(&s);
            return buf_value(&out);
        }
    }
    return buf_value(&s);
}

/* Jekyll's to_integer: true 1, false 0, otherwise Ruby's to_i. */
struct value *filter_to_integer(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    if (value_kind(in) == VALUE_BOOL)
        return value_int(value_bool_of(in));
    if (value_kind(in) == VALUE_FLOAT) {
        double d = trunc(value_float_of(in));
        return isfinite(d) && fabs(d) < 9.2e18 ? value_int((int64_t)d) : value_int(0);
    }
    struct num n = to_number(is_string(in) || value_kind(in) == VALUE_INT ? in : NULL);
    return value_int(n.is_float ? double_to_int64(n.d) : n.i);
}
