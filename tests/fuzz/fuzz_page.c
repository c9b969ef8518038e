/* The front matter + Liquid + encoding-repair stage: page_load on the input
 * as a whole file, and the two inner stages on their own. The body handed
 * to cmark must be valid UTF-8 with LF line ends and no NUL, whatever came
 * in; Liquid must keep every line. */
#include "capsuled/page.h"
#include "fuzz_common.h"
#include "fuzz_config_shared.h"
#include "fuzz_value.h"

static struct config cfg;
static struct value *liquid_scope;

static void set(struct value *hash, const char *key, struct value *v)
{
    value_hash_set(hash, key, strlen(key), v);
}

/* Values of one line each, so the line count must match exactly; one holds
 * Liquid itself, which must come out as is, not be expanded again. */
static struct value *make_scope(void)
{
    struct value *scope = value_hash(), *page = value_hash(),
                 *site = value_hash();
    set(page, "title", value_cstring("Title {{ page.title }} {% if %}"));
    set(site, "title", value_cstring("Z\xC3\xBCrich \xF0\x9F\x8E\x93"));
    set(scope, "page", page);
    set(scope, "site", site);
    return scope;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_config(&cfg);
    liquid_scope = make_scope();
    return 0;
}

static void check_clean_text(const char *what, const char *s, size_t len)
{
    if (!s || s[len] != '\0')
        fuzz_fail(what, s ? s : "", 0);
    if (memchr(s, '\0', len) || memchr(s, '\r', len) || !utf8_valid(s, len))
        fuzz_fail(what, s, len);
}

static void fuzz_encoding(const char *in, size_t len)
{
    size_t out_len = 0, repairs = 0;
    char *out = encoding_repair(in, len, &out_len, &repairs);
    check_clean_text("encoding_repair: NUL, CR or bad UTF-8", out, out_len);
    free(out);
}

static void fuzz_liquid(const char *in, size_t len)
{
    size_t out_len = 0;
    char *out = liquid_render(in, len, liquid_scope, &out_len);
    if (!out || out[out_len] != '\0')
        fuzz_fail("liquid_render: unterminated output", "", 0);
    if (out_len > LIQUID_MAX_OUTPUT)
        fuzz_fail("liquid_render: output over its cap", out, out_len);
    free(out);
}

static bool check_utf8(void *ctx, const char *text, size_t len, size_t path,
                       bool is_key)
{
    (void)ctx;
    (void)path;
    if (!utf8_valid(text, len))
        fuzz_fail(is_key ? "front matter key not UTF-8"
                         : "front matter value not UTF-8", text, len);
    return true;
}

static void fuzz_page_load(const char *in, size_t len)
{
    struct page pg;
    struct diags dg = {0};
    int rc = page_load("fuzz.md", in, len, &cfg, &pg, &dg);
    if (rc != 0 && rc != -1)
        fuzz_fail("page_load returned neither 0 nor -1", "", 0);
    /* The page is built as far as possible even after a YAML error. */
    check_clean_text("page body: NUL, CR or bad UTF-8", pg.body, pg.body_len);
    if (pg.body_line < 1)
        fuzz_fail("page body line before the file", "", 0);
    if (pg.source_len != len || (len && memcmp(pg.source, in, len) != 0))
        fuzz_fail("page source differs from the bytes read", "", 0);
    fuzz_walk_value(pg.vars, 0, check_utf8, NULL);
    struct buf report = {0};
    diags_format(&dg, &report);
    buf_free(&report);
    diags_free(&dg);
    page_free(&pg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    fuzz_encoding(in, size);
    fuzz_liquid(in, size);
    fuzz_page_load(in, size);
    return 0;
}
