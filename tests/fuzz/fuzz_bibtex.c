/* The BibTeX reader and jekyll-scholar's query matching: whatever the
 * bytes, every entry read has its type, key and a line within the input;
 * an author field gives an array of {first, last}; decoded LaTeX never
 * grows past twice its source; and the input's first line, used as a
 * query, is matched against every entry without a crash. */
#include "capsuled/bibtex.h"
#include "capsuled/scholar.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

static void check_entry(const struct value *e, size_t lines)
{
    const struct value *type = value_hash_get(e, "type");
    const struct value *key = value_hash_get(e, "key");
    int64_t line = value_int_of(value_hash_get(e, "line"));
    if (value_kind(type) != VALUE_STRING || value_len(type) == 0 ||
        value_kind(key) != VALUE_STRING)
        fuzz_fail("entry without type or key", "", 0);
    if (line < 1 || (size_t)line > lines)
        fuzz_fail("entry line outside the input", "", 0);
    const struct value *names = value_hash_get(e, "author_array");
    if (value_hash_get(e, "author") && value_kind(names) != VALUE_ARRAY)
        fuzz_fail("author without author_array", "", 0);
    for (size_t i = 0; i < value_len(names); i++)
        if (!value_text(value_hash_get(value_array_at(names, i), "last")))
            fuzz_fail("a name without its last part", "", 0);
}

static void check_decode(const char *s, size_t len)
{
    struct buf out = {0};
    bibtex_decode_latex(s, len, &out);
    if (out.len > 2 * len + 8)
        fuzz_fail("decoded LaTeX grew past twice its source", out.data,
                  out.len);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct diags diags = {0};
    struct value *entries = bibtex_parse("fuzz.bib", s, size, &diags);
    size_t lines = count_lines(s, size);
    const char *nl = memchr(s, '\n', size);
    size_t qlen = nl ? (size_t)(nl - s) : size;
    for (size_t i = 0; i < value_len(entries); i++) {
        check_entry(value_array_at(entries, i), lines);
        scholar_query_match(s, qlen, value_array_at(entries, i));
    }
    check_decode(s, size < 4096 ? size : 4096);
    value_release(entries);
    diags_free(&diags);
    return 0;
}
