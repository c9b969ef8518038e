/* Values: kinds, numbers printed as Ruby prints them, YAML scalars typed as
 * Jekyll types them, merge keys, shared aliases, order, paths, truth, what
 * {{ value }} prints, and a hash of 100,000 keys. */
#include "capsuled/value.h"
#include "capsuled/page.h"
#include "capsuled/value_yaml.h"
#include "capsuled/yaml_budget.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <yaml.h>

/* The document's root as a value, after the budget check the loaders
 * make; NULL for a syntax error or a document over budget. SETTINGS, when
 * not NULL, gets the page loader's settings of it. */
static struct value *load_with(const char *yaml, struct value **settings)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct value *v = NULL;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml,
                                 strlen(yaml));
    if (yaml_parser_load(&parser, &doc)) {
        if (!yaml_budget_overrun(&doc))
            v = value_from_yaml(&doc);
        if (settings)
            *settings = page_front_settings(&doc);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return v;
}

static struct value *load(const char *yaml)
{
    return load_with(yaml, NULL);
}

static const char *to_string(const struct value *v)
{
    static struct buf out;
    buf_clear(&out);
    value_to_string(v, &out);
    buf_putc(&out, '\0');
    return out.data;
}

static void test_kinds(void)
{
    struct value *v = value_int(-42);
    CHECK(value_kind(v) == VALUE_INT && value_int_of(v) == -42);
    CHECK_STR(value_text(v), "-42");
    CHECK(value_float_of(v) == -42.0);
    value_release(v);
    v = value_string("a\0b", 3);
    CHECK(value_kind(v) == VALUE_STRING && value_len(v) == 3);
    CHECK(memcmp(value_text(v), "a\0b", 4) == 0);
    value_release(v);
    CHECK(value_kind(value_nil()) == VALUE_NIL && value_kind(NULL) == VALUE_NIL);
    CHECK_STR(value_text(value_nil()), "");
    CHECK(value_text(NULL) == NULL);
    CHECK_STR(value_text(value_bool(true)), "true");
    CHECK_STR(value_text(value_bool(false)), "false");
    v = value_array();
    value_array_push(v, value_cstring("x"));
    CHECK(value_kind(v) == VALUE_ARRAY && value_len(v) == 1);
    CHECK(value_text(v) == NULL);
    CHECK(value_array_at(v, 1) == NULL);
    /* the constants are never freed, however often released */
    value_release(value_nil());
    value_release(value_bool(true));
    value_release(v);
}

static void check_float(double d, const char *want)
{
    struct value *v = value_float(d);
    CHECK_STR(value_text(v), want);
    value_release(v);
}

static void test_float_text(void)
{
    check_float(1.0, "1.0");
    check_float(2.5, "2.5");
    check_float(-2.0, "-2.0");
    check_float(-0.0, "-0.0");
    check_float(0.1, "0.1");
    check_float(1.0 / 3, "0.3333333333333333");
    check_float(100.0, "100.0");
    check_float(123456789.125, "123456789.125");
    check_float(1e15, "1000000000000000.0");
    check_float(1e16, "1.0e+16");
    check_float(1.5e20, "1.5e+20");
    check_float(0.0001, "0.0001");
    check_float(0.00001, "1.0e-05");
    check_float(1.25e-7, "1.25e-07");
    check_float(1.7976931348623157e308, "1.7976931348623157e+308");
    check_float(HUGE_VAL, "Infinity");
    check_float(-HUGE_VAL, "-Infinity");
    check_float(NAN, "NaN");
}

/* One plain scalar of YAML: its kind and how it prints. */
static void check_scalar(const char *yaml, enum value_kind kind,
                         const char *text)
{
    struct buf doc = {0};
    buf_printf(&doc, "v: %s\n", yaml);
    struct value *root = load(doc.data);
    const struct value *v = value_hash_get(root, "v");
    CHECK(value_kind(v) == kind);
    CHECK_STR(value_text(v), text);
    if (value_kind(v) != kind)
        printf("# %s: kind %d, want %d\n", yaml, value_kind(v), kind);
    value_release(root);
    buf_free(&doc);
}

static void test_yaml_scalars(void)
{
    static const struct {
        const char *yaml;
        enum value_kind kind;
        const char *text;
    } table[] = {
        {"~", VALUE_NIL, ""},           {"null", VALUE_NIL, ""},
        {"NULL", VALUE_NIL, ""},        {"Null", VALUE_NIL, ""},
        {"", VALUE_NIL, ""},            {"nil", VALUE_STRING, "nil"},
        {"true", VALUE_BOOL, "true"},   {"False", VALUE_BOOL, "false"},
        {"yes", VALUE_BOOL, "true"},    {"No", VALUE_BOOL, "false"},
        {"on", VALUE_BOOL, "true"},     {"OFF", VALUE_BOOL, "false"},
        {"y", VALUE_STRING, "y"},       {"truely", VALUE_STRING, "truely"},
        {"'true'", VALUE_STRING, "true"}, {"\"12\"", VALUE_STRING, "12"},
        {"'~'", VALUE_STRING, "~"},     {"\"\"", VALUE_STRING, ""},
        {"12", VALUE_INT, "12"},        {"-3", VALUE_INT, "-3"},
        {"+5", VALUE_INT, "5"},         {"0", VALUE_INT, "0"},
        {"1_000", VALUE_INT, "1000"},   {"1,000,000", VALUE_INT, "1000000"},
        {"0x1F", VALUE_INT, "31"},      {"0X1f", VALUE_INT, "31"},
        {"-0x1F", VALUE_INT, "-31"},    {"017", VALUE_INT, "15"},
        {"0b101", VALUE_INT, "5"},      {"0o17", VALUE_STRING, "0o17"},
        {"-017", VALUE_STRING, "-017"}, {"09", VALUE_STRING, "09"},
        {"1e5", VALUE_STRING, "1e5"},   {"12abc", VALUE_STRING, "12abc"},
        {"9223372036854775807", VALUE_INT, "9223372036854775807"},
        {"99999999999999999999", VALUE_STRING, "99999999999999999999"},
        {"1.5", VALUE_FLOAT, "1.5"},    {"1.0", VALUE_FLOAT, "1.0"},
        {"1.10", VALUE_FLOAT, "1.1"},   {".5", VALUE_FLOAT, "0.5"},
        {"-.5", VALUE_FLOAT, "-0.5"},   {"1.0e+3", VALUE_FLOAT, "1000.0"},
        {"1_000.5", VALUE_FLOAT, "1000.5"}, {"1.", VALUE_STRING, "1."},
        {"1.0e3", VALUE_STRING, "1.0e3"}, {"1_.5", VALUE_STRING, "1_.5"},
        {".inf", VALUE_FLOAT, "Infinity"}, {"-.Inf", VALUE_FLOAT, "-Infinity"},
        {".NaN", VALUE_FLOAT, "NaN"},   {".iNf", VALUE_STRING, ".iNf"},
        {"1:30", VALUE_FLOAT, "90.0"},  {"1:30:15", VALUE_FLOAT, "5415.0"},
        {"1:30.5", VALUE_FLOAT, "90.5"}, {"1:70", VALUE_STRING, "1:70"},
        {"2024-01-02", VALUE_DATE, "2024-01-02"},
        {"2024-02-29", VALUE_DATE, "2024-02-29"},
        {"2023-02-29", VALUE_STRING, "2023-02-29"},
        {"2024-1-2", VALUE_STRING, "2024-1-2"},
        {"2024-01-02 10:00:00", VALUE_DATE, "2024-01-02 10:00:00"},
        {"2024-1-2T10:00:00.5Z", VALUE_DATE, "2024-1-2T10:00:00.5Z"},
        {"2024-01-02 10:00:00 -05:00", VALUE_DATE, "2024-01-02 10:00:00 -05:00"},
        {"2024-01-02 25:00:00", VALUE_STRING, "2024-01-02 25:00:00"},
        {"2024-01-02 10:00", VALUE_STRING, "2024-01-02 10:00"},
        {":sym", VALUE_STRING, ":sym"}, {"Ada", VALUE_STRING, "Ada"},
        {"!!int \"12\"", VALUE_INT, "12"}, {"!!float 1", VALUE_FLOAT, "1.0"},
        {"|\n  12\n", VALUE_STRING, "12\n"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        check_scalar(table[i].yaml, table[i].kind, table[i].text);
}

/* The flat reader (value_from_flat_yaml) reads what libyaml reads, value
 * for value, and the same page settings, or declines. Returns whether it read the document. */
static bool flat_matches_libyaml(const char *yaml)
{
    struct value *settings;
    struct value *flat = value_from_flat_yaml(yaml, strlen(yaml), &settings);
    if (!flat)
        return false;
    struct value *want = NULL;
    struct value *full = load_with(yaml, &want);
    bool same = value_same(flat, full);
    CHECK(same);
    if (!same)
        printf("# flat and libyaml differ on: %s\n", yaml);
    CHECK(value_same(settings, want));
    value_release(want);
    value_release(settings);
    value_release(full);
    value_release(flat);
    return true;
}

static void test_flat_reader(void)
{
    /* every scalar of the table above that fits on a line */
    struct buf doc = {0};
    static const char *const lines[] = {
        "title: A post", "date: 2024-01-02", "lang: en", "n: 12",
        "f: 1.5", "b: yes", "nothing:", "tilde: ~", "q: \"12\"",
        "s: 'true'", "empty: \"\"", "t: 2024-01-02 10:00:00 -05:00",
        "u: café — ok", "permalink: /x/:title/", "h: a#b", "c: a, b [c] {d}",
        "tags: [a, b, 'c d', \"e\"]", "nums: [1, 2.5, yes, ~]", "none: []",
        "sp: [ ]", "title: \"It's\"", "k-e_y.1: v", "oct: 017",
        "crlf: x\r", "# a comment", "", "   ",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        buf_clear(&doc);
        buf_printf(&doc, "a: 1\n%s\nz: 2\n", lines[i]);
        bool one = flat_matches_libyaml(doc.data);
        CHECK(one);
        if (!one)
            printf("# not read flat: %s\n", lines[i]);
    }
    buf_free(&doc);
    bool read = flat_matches_libyaml("title: T\ntitle: U\nlayout: post");
    CHECK(read); /* a repeated key: the last one's value, in the first's place */
    /* what it leaves to libyaml */
    static const char *const declined[] = {
        "", "# only a comment\n", "list:\n  - a\n", "list:\n- a\n",
        "a: b: c", "a: b # comment", "a: *ref", "a: &x 1", "a: !!str 1",
        "a: |\n  text\n", "a: >\n  text\n", "a: -1", "a: \"x\\ty\"",
        "a: 'it''s'", "a: \"x\" # c", "a: [x, ]", "a: [x, [y]]",
        "a: [x: y]", "a: {x: y}", "a:b", "a : b", " a: b", "a: b\n  c",
        "a: \tb", "a: b\rc: d", "<<: x", "a: @x", "a: `x`", "a: %x",
        "a: x\xc2\x85y", "a: \xef\xbb\xbfx", "a: \x7f", "a: \xff",
        "a: [\"x, y\"]", "a: b:",
    };
    for (size_t i = 0; i < sizeof declined / sizeof *declined; i++) {
        struct value *v = value_from_flat_yaml(declined[i],
                                               strlen(declined[i]), NULL);
        CHECK(v == NULL);
        if (v)
            printf("# read flat, should not be: %s\n", declined[i]);
        value_release(v);
    }
}

static void test_order_and_keys(void)
{
    struct value *v = load("b: 1\na: 2\nc: 3\na: 4\n1: one\n? [x]\n: skipped\n");
    CHECK(value_len(v) == 4);
    size_t len;
    CHECK_STR(value_hash_key_at(v, 0, &len), "b");
    CHECK_STR(value_hash_key_at(v, 1, &len), "a");
    CHECK_STR(value_hash_key_at(v, 2, &len), "c");
    CHECK_STR(value_hash_key_at(v, 3, &len), "1");
    CHECK(len == 1);
    /* a repeated key keeps its place and takes the last value */
    CHECK_STR(value_text(value_hash_value_at(v, 1)), "4");
    CHECK_STR(value_text(value_hash_get(v, "1")), "one");
    CHECK(value_hash_key_at(v, 4, &len) == NULL);
    /* merging sets each pair in order: known keys keep their place */
    struct value *h = value_hash();
    value_hash_set(h, "c", 1, value_cstring("old"));
    value_hash_set(h, "z", 1, value_nil());
    value_hash_merge(h, v);
    CHECK(value_len(h) == 5);
    CHECK_STR(value_hash_key_at(h, 0, NULL), "c");
    CHECK_STR(value_hash_key_at(h, 2, NULL), "b");
    CHECK(value_hash_get(h, "c") == value_hash_get(v, "c"));
    value_hash_merge(h, h);
    value_hash_merge(h, NULL);
    CHECK(value_len(h) == 5);
    value_release(h);
    value_release(v);
}

static void test_merge_keys(void)
{
    struct value *v = load("base: &b {layout: single, author_profile: true}\n"
                           "extra: &e {share: true, layout: wide}\n"
                           "pages:\n  title: T\n  layout: old\n  <<: *b\n"
                           "  comments: false\n  author_profile: false\n"
                           "both:\n  <<: [*b, *e]\n");
    const struct value *pages = value_hash_get(v, "pages");
    /* merged pairs replace those before `<<`; later ones replace them */
    CHECK(value_len(pages) == 4);
    CHECK_STR(value_hash_key_at(pages, 1, NULL), "layout");
    CHECK_STR(value_text(value_path_get(pages, "layout")), "single");
    CHECK_STR(value_text(value_path_get(pages, "author_profile")), "false");
    CHECK(value_hash_get(pages, "<<") == NULL);
    /* in a list, the first mapping wins */
    CHECK_STR(value_text(value_path_get(v, "both.layout")), "single");
    CHECK_STR(value_text(value_path_get(v, "both.share")), "true");
    /* the merged values are the anchored ones, not copies */
    CHECK(value_path_get(v, "pages.layout") == value_path_get(v, "base.layout"));
    value_release(v);
    /* `<<` of a scalar is an ordinary key (the alias is defined after it
     * here, so libyaml refuses the document) */
    CHECK(load("a:\n  <<: *t\n  t: &t text\n") == NULL);
    v = load("t: &t text\na:\n  <<: *t\n");
    CHECK_STR(value_text(value_path_get(v, "a.<<")), "text");
    value_release(v);
}

static void test_aliases_shared(void)
{
    struct value *v = load("name: &n Ada\nlinks: &l [a, b]\n"
                           "more: [*l, *l]\nwho: *n\n");
    CHECK(value_path_get(v, "more.0") == value_path_get(v, "links"));
    CHECK(value_path_get(v, "more.1") == value_path_get(v, "links"));
    CHECK(value_path_get(v, "who") == value_path_get(v, "name"));
    CHECK_STR(value_text(value_path_get(v, "more.1.0")), "a");
    value_release(v);
    /* an alias to its own ancestor ends at the depth cut */
    v = load("a: &a\n  b: *a\n");
    const struct value *at = v;
    int depth = 0;
    while ((at = value_hash_get(at, depth ? "b" : "a")) != NULL)
        depth++;
    CHECK(depth == YAML_MAX_DEPTH);
    value_release(v);
}

/* How many arrays are nested in v, following each one's first item. */
static int nesting(const struct value *v)
{
    int depth = 0;
    for (; value_kind(v) == VALUE_ARRAY; v = value_array_at(v, 0))
        depth++;
    return depth;
}

/* Nodes past YAML_MAX_DEPTH are left out, as the budget leaves them out;
 * a node shared above and below the cut is cut where it is below it. */
static void test_depth_cut(void)
{
    struct buf yaml = {0};
    buf_puts(&yaml, "deep: &d ");
    for (int i = 0; i < YAML_MAX_DEPTH + 4; i++)
        buf_putc(&yaml, '[');
    buf_puts(&yaml, "x");
    for (int i = 0; i < YAML_MAX_DEPTH + 4; i++)
        buf_putc(&yaml, ']');
    buf_puts(&yaml, "\nagain: [[*d]]\n");
    struct value *v = load(yaml.data);
    CHECK(nesting(value_hash_get(v, "deep")) == YAML_MAX_DEPTH); /* 1..32 */
    CHECK(nesting(value_hash_get(v, "again")) == YAML_MAX_DEPTH);
    value_release(v);
    buf_free(&yaml);
}

static void test_paths(void)
{
    struct value *v = load("author:\n  name: Ada\n  github: ada\n"
                           "links: [a, b, {url: u}]\n\"a b\": {c: d}\n"
                           "'': empty\n");
    CHECK_STR(value_text(value_path_get(v, "author.github")), "ada");
    CHECK_STR(value_text(value_path_get(v, "links.0")), "a");
    CHECK_STR(value_text(value_path_get(v, "links[1]")), "b");
    CHECK_STR(value_text(value_path_get(v, "links[-1].url")), "u");
    CHECK_STR(value_text(value_path_get(v, "links.2.url")), "u");
    CHECK_STR(value_text(value_path_get(v, "['a b'].c")), "d");
    CHECK_STR(value_text(value_path_get(v, "author[\"name\"]")), "Ada");
    CHECK_STR(value_text(value_path_get(v, "['']")), "empty");
    CHECK(value_path_get(v, "") == v);
    CHECK(value_path_get(v, "links.3") == NULL);
    CHECK(value_path_get(v, "links.01") == NULL);
    CHECK(value_path_get(v, "links.-1") == NULL);
    CHECK(value_path_get(v, "links[-4]") == NULL);
    CHECK(value_path_get(v, "links[1") == NULL);
    CHECK(value_path_get(v, "links[1]x") == NULL);
    CHECK(value_path_get(v, "author.name.x") == NULL);
    CHECK(value_path_get(v, "nope.x") == NULL);
    CHECK(value_path_get(NULL, "a") == NULL);
    CHECK(value_path_get(v, NULL) == NULL);
    value_release(v);
}

static void test_truth(void)
{
    struct value *v = load("s: ''\nz: 0\nf: false\nn: ~\na: []\nh: {}\nt: no\n");
    CHECK(value_truthy(value_hash_get(v, "s")));
    CHECK(value_truthy(value_hash_get(v, "z")));
    CHECK(value_truthy(value_hash_get(v, "a")));
    CHECK(value_truthy(value_hash_get(v, "h")));
    CHECK(!value_truthy(value_hash_get(v, "f")));
    CHECK(!value_truthy(value_hash_get(v, "t")));
    CHECK(!value_truthy(value_hash_get(v, "n")));
    CHECK(!value_truthy(NULL));
    value_release(v);
}

static void test_to_string(void)
{
    struct value *v = load("a: [x, [1, 2.0], ~, true]\n"
                           "h: {k: 1, s: \"q\\\"\\n#{x}\\u0001\", l: [~, 2024-01-02]}\n"
                           "mixed: [a, {b: c}]\n");
    CHECK_STR(to_string(value_hash_get(v, "a")), "x12.0true");
    CHECK_STR(to_string(value_hash_get(v, "h")),
              "{\"k\"=>1, \"s\"=>\"q\\\"\\n\\#{x}\\u0001\", "
              "\"l\"=>[nil, #<Date: 2024-01-02 ((2460312j,0s,0n),+0s,2299161j)>]}");
    CHECK_STR(to_string(value_hash_get(v, "mixed")), "a{\"b\"=>\"c\"}");
    CHECK_STR(to_string(value_path_get(v, "h.k")), "1");
    CHECK_STR(to_string(NULL), "");
    value_release(v);
}

/* 100,000 keys: every one found, in order; with a linear search this
 * would take minutes. */
static void test_large_hash(void)
{
    enum { N = 100000 };
    struct value *h = value_hash();
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        value_hash_set(h, key, strlen(key), value_int(i));
    }
    clock_t start = clock();
    int found = 0;
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        found += value_int_of(value_hash_get(h, key)) == i;
    }
    printf("# %d lookups in a hash of %d keys: %.1f ms\n", N, N,
           (double)(clock() - start) * 1000 / CLOCKS_PER_SEC);
    CHECK(found == N && value_len(h) == N);
    CHECK(value_hash_get(h, "key100000") == NULL);
    CHECK_STR(value_hash_key_at(h, N - 1, NULL), "key99999");
    value_hash_set(h, "key5", 4, value_cstring("five"));
    CHECK(value_len(h) == N);
    CHECK_STR(value_text(value_hash_get(h, "key5")), "five");
    value_release(h);
}

int main(void)
{
    test_kinds();
    test_float_text();
    test_yaml_scalars();
    test_flat_reader();
    test_order_and_keys();
    test_merge_keys();
    test_aliases_shared();
    test_depth_cut();
    test_paths();
    test_truth();
    test_to_string();
    test_large_hash();
    return test_done();
}
