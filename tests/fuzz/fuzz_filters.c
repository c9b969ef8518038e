/* Every Liquid and Jekyll filter on arbitrary inputs and arguments: the
 * first byte picks the filter, the second the kinds of the input and the
 * arguments; the rest, split at 0xFF bytes, gives their texts. A filter
 * must answer (never NULL), print, stay within a bounded size, and set an
 * error only together with a nil answer. */
#include "../../src/liquid/filter.h"
#include "fuzz_common.h"

#include "capsuled/value.h"

static const char *const names[] = {
    "abs", "absolute_url", "append", "array_to_sentence_string", "at_least",
    "at_most", "base64_decode", "base64_encode", "base64_url_safe_decode",
    "base64_url_safe_encode", "capitalize", "ceil", "cgi_escape", "compact",
    "concat", "date", "date_to_long_string", "date_to_rfc822",
    "date_to_string", "date_to_xmlschema", "default", "divided_by",
    "downcase", "escape", "escape_once", "find", "find_exp", "first", "floor",
    "group_by", "group_by_exp", "inspect", "join", "jsonify", "last",
    "lstrip", "map", "markdownify", "minus", "modulo", "newline_to_br",
    "normalize_whitespace", "number_of_words", "plus", "pop", "prepend",
    "push", "relative_url", "remove", "remove_first", "remove_last",
    "replace", "replace_first", "replace_last", "reverse", "round", "rstrip",
    "sample", "shift", "size", "slice", "slugify", "smartify", "sort",
    "sort_natural", "split", "strip", "strip_html", "strip_index",
    "strip_newlines", "times", "to_integer", "truncate", "truncatewords",
    "uniq", "unshift", "upcase", "uri_escape", "url_decode", "url_encode",
    "where", "where_exp", "xml_escape"};

static struct value *site;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    site = value_hash();
    value_hash_set(site, "url", 3, value_cstring("https://example.org"));
    value_hash_set(site, "baseurl", 7, value_cstring("/b"));
    return 0;
}

/* A value of kind k (0..7) from text: string, integer, float, nil, date,
 * array of its lines, hash of its lines, array of such hashes. */
static struct value *number(const char *s, size_t len, bool integer)
{
    char text[64];
    size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
    memcpy(text, s, n);
    text[n] = '\0';
    return integer ? value_int(strtoll(text, NULL, 10))
                   : value_float(strtod(text, NULL));
}

static struct value *make(unsigned k, const char *s, size_t len)
{
    switch (k & 7) {
    case 1: return number(s, len, true);
    case 2: return number(s, len, false);
    case 3: return value_nil();
    case 4: return value_date(s, len);
    case 5: case 6: case 7: {
        struct value *a = value_array(), *h = value_hash();
        const char *p = s, *end = s + len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            value_array_push(a, value_string(p, n));
            value_hash_set(h, p, n < 8 ? n : 8, value_string(p, n));
            p += n + 1;
        }
        if ((k & 7) == 5) {
            value_release(h);
            return a;
        }
        if ((k & 7) == 6) {
            value_release(a);
            return h;
        }
        value_array_push(a, h);
        return a;
    }
    default: return value_string(s, len);
    }
}

static struct value *eval_stub(void *interp, const char *name, size_t name_len,
                               const struct value *item, const char *expr,
                               size_t expr_len)
{
    (void)interp, (void)name, (void)name_len, (void)expr_len;
    return value_retain(value_path_get(item, expr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *name = names[data[0] % (sizeof names / sizeof names[0])];
    unsigned kinds = data[1];
    const char *p = (const char *)data + 2, *end = (const char *)data + size;
    struct value *vals[4] = {0};
    size_t n = 0;
    for (; n < 4; n++) {
        const char *cut = memchr(p, 0xff, (size_t)(end - p));
        size_t len = cut ? (size_t)(cut - p) : (size_t)(end - p);
        vals[n] = make(n == 0 ? kinds : kinds >> (n + 2), p, len);
        p += len + (cut != NULL);
        if (!cut)
            break;
    }
    size_t n_args = n < 4 ? n : 3;
    struct liquid_filter_env env = {site, NULL, eval_stub, NULL, NULL};
    liquid_filter_fn fn = liquid_filter_find(name, strlen(name));
    if (!fn)
        fuzz_fail("a filter of the table is not found", name, strlen(name));
    struct value *r = fn(vals[0], (const struct value *const *)vals + 1,
                         n_args, &env);
    if (!r)
        fuzz_fail("a filter answered NULL", name, strlen(name));
    if (env.error && value_kind(r) != VALUE_NIL)
        fuzz_fail("an error with an answer", env.error, strlen(env.error));
    struct buf out = {0};
    value_to_string(r, &out);
    if (out.len > 64 * size * size + 4096)
        fuzz_fail("output out of proportion", out.data, out.len);
    buf_free(&out);
    value_release(r);
    for (size_t i = 0; i <= n && i < 4; i++)
        value_release(vals[i]);
    return 0;
}
