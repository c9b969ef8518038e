/* Liquid's and Jekyll's filters, called through liquid_filter_find as the
 * interpreter calls them: each answer printed as {{ }} would print it and
 * compared with what Ruby (Liquid 5.4, Jekyll 4.3) prints. */
#include "test.h"

#include "../../src/liquid/date.h"
#include "../../src/liquid/filter.h"

#include "capsuled/buf.h"
#include "capsuled/value.h"

#include <stdarg.h>
#include <stdlib.h>

static const char *last_error;
static struct value *site;

/* Values written tersely: "s:text", "i:12", "f:1.5", "nil", "t", "false",
 * "d:2024-01-02" and arrays as "[a,b,c]" of strings. */
static struct value *V(const char *spec)
{
    if (strcmp(spec, "nil") == 0)
        return value_nil();
    if (strcmp(spec, "t") == 0)
        return value_bool(true);
    if (strcmp(spec, "false") == 0)
        return value_bool(false);
    if (strncmp(spec, "i:", 2) == 0)
        return value_int(strtoll(spec + 2, NULL, 10));
    if (strncmp(spec, "f:", 2) == 0)
        return value_float(strtod(spec + 2, NULL));
    if (strncmp(spec, "d:", 2) == 0)
        return value_date(spec + 2, strlen(spec + 2));
    if (spec[0] == '[') {
        struct value *a = value_array();
        const char *p = spec + 1;
        while (*p && *p != ']') {
            size_t n = strcspn(p, ",]");
            value_array_push(a, value_string(p, n));
            p += n + (p[n] == ',');
        }
        return a;
    }
    return value_cstring(strncmp(spec, "s:", 2) == 0 ? spec + 2 : spec);
}

/* where_exp's evaluator, as the interpreter would answer two expressions:
 * "x.age > 30" and "x.city" (truthy when set). */
static struct value *eval_stub(void *interp, const char *name, size_t name_len,
                               const struct value *item, const char *expr,
                               size_t expr_len)
{
    (void)interp, (void)name, (void)name_len, (void)expr_len;
    if (strcmp(expr, "x.age > 30") == 0)
        return value_bool(value_int_of(value_hash_get(item, "age")) > 30);
    return value_retain(value_hash_get(item, "city"));
}

/* Calls filter NAME on IN with the n values that follow (all taken over)
 * and returns its answer. */
static struct value *applyv(const char *name, struct value *in,
                            struct value *kwargs, int n, va_list ap)
{
    struct value *args[8];
    for (int i = 0; i < n; i++)
        args[i] = va_arg(ap, struct value *);
    struct liquid_filter_env env = {.site = site, .kwargs = kwargs,
                                    .eval = eval_stub};
    liquid_filter_fn fn = liquid_filter_find(name, strlen(name));
    struct value *r = fn ? fn(in, (const struct value *const *)args,
                              (size_t)n, &env)
                         : value_cstring("(no such filter)");
    last_error = env.error;
    for (int i = 0; i < n; i++)
        value_release(args[i]);
    value_release(in);
    value_release(kwargs);
    return r;
}

static struct value *apply(const char *name, struct value *in, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    struct value *r = applyv(name, in, NULL, n, ap);
    va_end(ap);
    return r;
}

/* The same, printed as {{ }} would print the answer; the caller frees it. */
static char *callv(const char *name, struct value *in, struct value *kwargs,
                   int n, ...)
{
    va_list ap;
    va_start(ap, n);
    struct value *r = applyv(name, in, kwargs, n, ap);
    va_end(ap);
    struct buf out = {0};
    value_to_string(r, &out);
    value_release(r);
    return buf_detach(&out);
}

static int same(char *got, const char *want)
{
    int ok = strcmp(got, want) == 0;
    if (!ok)
        printf("# got:  [%s]\n# want: [%s]\n", got, want);
    free(got);
    return ok;
}

#define F0(name, in, want) CHECK(same(callv(name, V(in), NULL, 0), want))
#define F1(name, in, a, want) \
    CHECK(same(callv(name, V(in), NULL, 1, V(a)), want))
#define F2(name, in, a, b, want) \
    CHECK(same(callv(name, V(in), NULL, 2, V(a), V(b)), want))

static void test_lookup(void)
{
    CHECK(liquid_filter_find("append", 6) != NULL);
    CHECK(liquid_filter_find("appendx", 6) != NULL);
    CHECK(liquid_filter_find("appen", 5) == NULL);
    CHECK(liquid_filter_find("no_such", 7) == NULL);
    CHECK(liquid_filter_find("", 0) == NULL);
}

static void test_strings(void)
{
    F1("append", "s:a", "s:b", "ab");
    F1("append", "i:1", "f:2.0", "12.0");
    F1("prepend", "s:a", "s:b", "ba");
    F0("upcase", "s:héllo ß", "HÉLLO SS");
    F0("downcase", "s:ÀÉÎ Ωmega", "àéî ωmega");
    F0("capitalize", "s:élan VITAL", "Élan vital");
    F0("capitalize", "nil", "");
    F0("strip", "s: \t a b \n", "a b");
    F0("lstrip", "s:  a  ", "a  ");
    F0("rstrip", "s:  a  ", "  a");
    F0("strip_newlines", "s:a\r\nb\nc\rd", "abc\rd");
    F0("newline_to_br", "s:a\r\nb\n", "a<br />\nb<br />\n");
    F2("replace", "s:a-b-c", "s:-", "s:+", "a+b+c");
    F2("replace", "s:héé", "s:", "s:.", ".h.é.é.");
    F2("replace_first", "s:a-b-c", "s:-", "s:+", "a+b-c");
    F2("replace_last", "s:a-b-c", "s:-", "s:+", "a-b+c");
    F1("remove", "s:banana", "s:an", "ba");
    F1("remove_first", "s:banana", "s:an", "bana");
    F1("remove_last", "s:banana", "s:an", "bana");
    F2("truncate", "s:Ground control to Major Tom.", "i:20", "s:...",
       "Ground control to...");
    F1("truncate", "s:héllo wörld", "i:8", "héllo...");
    F2("truncate", "s:abcdef", "i:3", "s:", "abc");
    F2("truncate", "s:abcdef", "i:2", "s:....", "....");
    F1("truncate", "s:abc", "i:3", "abc");
    F1("truncate", "s:abcdef", "i:-9223372036854775807", "...");
    F1("truncatewords", "s:one two  three four", "i:2", "one two...");
    F1("truncatewords", "s:one two", "i:2", "one two");
    F1("truncatewords", "s:one two", "i:0", "one...");
    F0("normalize_whitespace", "s:  a \n\t b  ", "a b");
    F0("number_of_words", "s:one two\nthree", "3");
    F1("number_of_words", "s:你好 world", "s:cjk", "3");
    F1("number_of_words", "s:hello world", "s:auto", "2");
}

static void test_split(void)
{
    F1("split", "s:a,b,,c,,", "s:,", "abc");
    F1("split", "s:  a  b ", "s: ", "ab");
    F1("split", "s:héllo", "s:", "héllo");
}

static void test_math(void)
{
    F1("plus", "i:1", "i:2", "3");
    F1("plus", "f:0.1", "f:0.2", "0.3");
    F1("plus", "s:1.5", "i:1", "2.5");
    F1("plus", "s:abc", "i:1", "1");
    F1("minus", "f:0.3", "f:0.1", "0.2");
    F1("times", "f:1.1", "i:3", "3.3");
    F1("times", "f:183.357", "i:12", "2200.284");
    F1("divided_by", "i:-7", "i:2", "-4");
    F1("divided_by", "f:10.0", "i:3", "3.3333333333333335");
    F1("divided_by", "i:2", "f:3.0", "0.6666666666666666");
    F1("divided_by", "f:1.0", "i:0", "Infinity");
    F1("divided_by", "i:5", "i:0", "");
    CHECK(last_error && strcmp(last_error, "divided by 0") == 0);
    F1("modulo", "i:-7", "i:2", "1");
    F1("modulo", "f:7.5", "i:-2", "-0.5");
    F1("modulo", "f:5.0", "i:0", "");
    CHECK(last_error && strcmp(last_error, "divided by 0") == 0);
    F0("round", "f:2.5", "3");
    F0("round", "f:-2.5", "-3");
    F1("round", "f:1.2345", "i:2", "1.23");
    F1("round", "i:5", "i:2", "5");
    F1("round", "f:1234.5", "i:-2", "1200");
    F1("round", "i:-7", "i:-25", "0");
    F0("ceil", "s:3.7", "4");
    F0("floor", "f:-3.2", "-4");
    F0("abs", "f:-3.0", "3.0");
    F0("abs", "s:-5", "5");
    F1("at_least", "i:4", "f:5.5", "5.5");
    F1("at_least", "i:6", "f:5.5", "6");
    F1("at_most", "i:4", "i:3", "3");
}

/* [{name, age, city}…]: Ann 31 Oslo, bob 25 (no city), Cy 40 Rome. */
static struct value *people(void)
{
    static const char *names[] = {"Ann", "bob", "Cy"};
    static const int ages[] = {31, 25, 40};
    static const char *cities[] = {"Oslo", NULL, "Rome"};
    struct value *list = value_array();
    for (int i = 0; i < 3; i++) {
        struct value *h = value_hash();
        value_hash_set(h, "name", 4, value_cstring(names[i]));
        value_hash_set(h, "age", 3, value_int(ages[i]));
        if (cities[i])
            value_hash_set(h, "city", 4, value_cstring(cities[i]));
        value_array_push(list, h);
    }
    return list;
}

#define P(name, ...) callv(name, people(), NULL, __VA_ARGS__)
#define PV(name, ...) apply(name, people(), __VA_ARGS__)

static void test_arrays(void)
{
    F0("size", "s:héllo", "5");
    F0("size", "[a,b,c]", "3");
    F0("size", "i:7", "8");
    F0("size", "nil", "0");
    F0("first", "[a,b]", "a");
    F0("last", "[a,b]", "b");
    F0("first", "s:abc", "");
    F0("join", "[a,b]", "a b");
    F1("join", "[a,b]", "s:, ", "a, b");
    F0("reverse", "[a,b,c]", "cba");
    F0("uniq", "[a,b,a,c,b]", "abc");
    F0("sort", "[b,C,a]", "Cab");
    F0("sort_natural", "[b,C,a]", "abC");
    F1("concat", "[a]", "[b,c]", "abc");
    F1("concat", "[a]", "s:x", "");
    CHECK(last_error && strstr(last_error, "concat"));
    F1("slice", "[a,b,c]", "i:-2", "b");
    F2("slice", "[a,b,c]", "i:1", "i:5", "bc");
    F2("slice", "s:héllo", "i:1", "i:3", "éll");
    F1("slice", "s:abc", "i:3", "");
    F1("slice", "s:abc", "s:x", "");
    CHECK(last_error && strcmp(last_error, "invalid integer") == 0);
    F1("default", "nil", "s:d", "d");
    F1("default", "s:", "s:d", "d");
    F1("default", "false", "s:d", "d");
    F1("default", "i:0", "s:d", "0");
    struct value *kw = value_hash();
    value_hash_set(kw, "allow_false", 11, value_bool(true));
    CHECK(same(callv("default", V("false"), kw, 1, V("s:d")), "false"));
    F1("push", "[a]", "s:b", "ab");
    F0("pop", "[a,b]", "a");
    F0("shift", "[a,b]", "b");
    F1("unshift", "[a]", "s:b", "ba");
    F1("pop", "[a,b]", "i:-1", "");
    CHECK(last_error != NULL);
    F0("sample", "[a,b]", "a");
    F0("array_to_sentence_string", "[a,b,c]", "a, b, and c");
    F1("array_to_sentence_string", "[a,b]", "s:or", "a or b");
    F0("array_to_sentence_string", "[a]", "a");
    F0("array_to_sentence_string", "[]", "");
    F0("compact", "[a,b]", "ab");
}

static void test_properties(void)
{
    CHECK(same(P("map", 1, V("s:name")), "AnnbobCy"));
    CHECK(same(P("where", 2, V("s:city"), V("s:Rome")), "{\"name\"=>\"Cy\", \"age\"=>40, \"city\"=>\"Rome\"}"));
    CHECK(same(callv("map", PV("where", 2, V("s:age"), V("s:31")), NULL, 1, V("s:name")), "Ann"));
    CHECK(same(callv("map", PV("where", 2, V("s:city"), V("nil")), NULL, 1, V("s:name")), "bob"));
    CHECK(same(callv("map", PV("where_exp", 2, V("s:x"), V("s:x.age > 30")), NULL, 1, V("s:name")), "AnnCy"));
    CHECK(same(callv("map", PV("find", 2, V("s:age"), V("i:25")), NULL, 1, V("s:name")), "bob"));
    CHECK(same(P("find", 2, V("s:age"), V("i:99")), ""));
    CHECK(same(callv("map", PV("find_exp", 2, V("s:x"), V("s:x.city")), NULL, 1, V("s:name")), "Ann"));
    CHECK(same(callv("map", PV("sort", 1, V("s:city")), NULL, 1, V("s:name")), "bobAnnCy"));
    CHECK(same(callv("map", PV("sort", 2, V("s:city"), V("s:last")), NULL, 1, V("s:name")), "AnnCybob"));
    CHECK(same(P("sort", 2, V("s:city"), V("s:middle")), ""));
    CHECK(last_error != NULL);
    CHECK(same(callv("map", PV("group_by", 1, V("s:city")), NULL, 1, V("s:name")), "OsloRome"));
    CHECK(same(callv("map", PV("group_by", 1, V("s:city")), NULL, 1, V("s:size")), "111"));
    CHECK(same(callv("map", PV("group_by_exp", 2, V("s:x"), V("s:x.city")), NULL, 1, V("s:size")), "111"));
    CHECK(same(callv("map", PV("uniq", 1, V("s:city")), NULL, 1, V("s:name")), "AnnbobCy"));
    CHECK(same(P("compact", 1, V("s:city")), "{\"name\"=>\"Ann\", \"age\"=>31, \"city\"=>\"Oslo\"}{\"name\"=>\"Cy\", \"age\"=>40, \"city\"=>\"Rome\"}"));
    CHECK(same(P("jsonify", 0), "[{\"name\":\"Ann\",\"age\":31,\"city\":\"Oslo\"},{\"name\":\"bob\",\"age\":25},{\"name\":\"Cy\",\"age\":40,\"city\":\"Rome\"}]"));
    F0("inspect", "[a,b]", "[&quot;a&quot;, &quot;b&quot;]");
    F0("inspect", "nil", "nil");
    F2("where", "s:text", "s:a", "s:b", "text");
}

static void test_markup(void)
{
    F0("escape", "s:<a href=\"x\">'&'</a>", "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    F0("escape_once", "s:&amp; & &lt; <", "&amp; &amp; &lt; &lt;");
    F0("xml_escape", "s:it's <b>", "it&apos;s &lt;b&gt;");
    F0("strip_html", "s:<p>a<script>x</script><!-- c -->b</p>", "ab");
    F0("strip_html", "s:a < b", "a < b");
    F0("url_encode", "s:a b/é", "a+b%2F%C3%A9");
    F0("url_decode", "s:a+b%2F%C3%A9%zz", "a b/é%zz");
    F0("url_decode", "s:%FF", "");
    CHECK(last_error && strstr(last_error, "UTF-8"));
    F0("cgi_escape", "s:a&b", "a%26b");
    F0("uri_escape", "s:a b?c=é", "a%20b?c=%C3%A9");
    F0("markdownify", "s:*hi*", "<p><em>hi</em></p>\n");
    F0("smartify", "s:\"a\" -- b's...", "\xe2\x80\x9c" "a\xe2\x80\x9d \xe2\x80\x93 b\xe2\x80\x99s\xe2\x80\xa6");
    F0("jsonify", "s:a\"b\n", "\"a\\\"b\\n\"");
    F0("jsonify", "nil", "null");
}

static void test_encodings(void)
{
    F0("base64_encode", "s:hello", "aGVsbG8=");
    F0("base64_decode", "s:aGVsbG8=", "hello");
    F0("base64_decode", "s:aGVsbG8", "");
    CHECK(last_error && strstr(last_error, "base64_decode"));
    F0("base64_url_safe_encode", "s:ab?>", "YWI_Pg==");
    F0("base64_url_safe_decode", "s:YWI_Pg", "ab?>");
    F0("strip_index", "s:/a/index.html", "/a/");
    F0("strip_index", "s:/a/index.htm", "/a/");
    F0("strip_index", "s:/a/index.html5", "/a/index.html5");
    F0("to_integer", "t", "1");
    F0("to_integer", "f:-2.5", "-2");
    F0("to_integer", "s:12abc", "12");
}

static void test_urls(void)
{
    F0("relative_url", "s:/about/", "/blog/about/");
    F0("relative_url", "s:about", "/blog/about");
    F0("relative_url", "s:a/../b c", "/blog/b%20c");
    F0("relative_url", "s:https://x.org/", "https://x.org/");
    F0("absolute_url", "s:/about/", "https://example.org/blog/about/");
    F0("absolute_url", "s:", "https://example.org/blog");
    F0("absolute_url", "nil", "");
    F0("slugify", "s:Hello, World: Ünï!", "hello-world-ünï");
    F1("slugify", "s:Hello, World!", "s:raw", "hello,-world!");
    F1("slugify", "s:The _config.yml file?", "s:pretty", "the-_config.yml-file");
    F1("slugify", "s:Ünï Café", "s:ascii", "n-caf");
    F1("slugify", "s:Ünï Café", "s:latin", "uni-cafe");
    F1("slugify", "s:A B", "s:none", "a b");
    F0("slugify", "nil", "");
}

static void test_dates(void)
{
    F1("date", "d:2024-01-02", "s:%Y-%m-%d %H:%M %a %b %e %j %Z", "2024-01-02 00:00 Tue Jan  2 002 +00:00");
    F1("date", "d:2024-03-05 14:07:09 +01:00", "s:%-d %^B %I:%M %p %z %s", "5 MARCH 02:07 PM +0100 1709644029");
    F1("date", "s:2024-03-05T14:07:09Z", "s:%F %T %Z", "2024-03-05 14:07:09 UTC");
    F1("date", "s:Jan 5, 2024", "s:%d/%m/%y", "05/01/24");
    F1("date", "s:5 March 2023 10:00", "s:%-m %k %l", "3 10 10");
    F1("date", "i:0", "s:%c", "Thu Jan  1 00:00:00 1970");
    F1("date", "s:1700000000", "s:%F", "2023-11-14");
    F1("date", "s:not a date", "s:%Y", "not a date");
    F1("date", "s:2024-01-02", "s:", "2024-01-02");
    F1("date", "f:1.5", "s:%Y", "1.5");
    F1("date", "s:2024-13-01", "s:%Y", "2024-13-01");
    F1("date", "s:1969-12-31 23:59:59 -0000", "s:%s %A", "-1 Wednesday");
    F1("date", "i:-9223372036854775807", "s:%s", "-9223372036854775807");
    F1("slice", "s:abc", "f:1e300", "");
    F1("map", "i:5", "f:-1e300", "0");
    F1("date", "s:2024-01-05 03:04:05.25", "s:%_m|%0e|%-H|%L|%%|%q", " 1|05|3|250|%|%q");
    F0("date_to_string", "d:2024-01-02", "02 Jan 2024");
    F1("date_to_string", "d:2024-01-02", "s:ordinal", "2nd Jan 2024");
    F2("date_to_long_string", "s:2024-03-23", "s:ordinal", "s:US", "March 23rd, 2024");
    F1("date_to_long_string", "s:2024-03-11", "s:ordinal", "11th March 2024");
    F0("date_to_xmlschema", "d:2024-03-05 14:07:09 +01:00", "2024-03-05T13:07:09+00:00");
    F0("date_to_rfc822", "d:2024-01-02", "Tue, 02 Jan 2024 00:00:00 +0000");
    F0("date_to_xmlschema", "s:", "");
    F0("date_to_xmlschema", "s:junk", "junk");
    struct liquid_time t;
    CHECK(liquid_time_parse("2024-02-29 12:00:00 +05:30", 26, NULL, &t) &&
          t.epoch == 1709188200 && t.offset == 19800);
    CHECK(!liquid_time_parse("2024-02-29 12:00:00 +", 21, NULL, &t));
    CHECK(!liquid_time_parse("", 0, NULL, &t));
    CHECK(liquid_time_parse("Tue, 02 Jan 2024 10:00:00 EST", 29, NULL, &t) &&
          t.offset == -5 * 3600);
}

/* site.timezone, when the system's zone database is installed (tzdata). */
static void test_timezones(void)
{
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Zurich", "rb");
    if (!f) {
        printf("# no zone database: time zone checks skipped\n");
        return;
    }
    fclose(f);
    value_hash_set(site, "timezone", 8, value_cstring("Asia/Kolkata"));
    F1("date", "d:2024-01-02 10:00:00", "s:%H:%M %z %Z", "15:30 +0530 IST");
    F1("date", "s:2024-01-02 10:00", "s:%H:%M %z %Z", "10:00 +0530 IST");
    F1("date", "d:2024-01-02", "s:%F %H %z", "2024-01-02 00 +0000");
    F1("date", "i:0", "s:%F %H:%M %Z", "1970-01-01 05:30 IST");
    F0("date_to_xmlschema", "d:2024-01-02", "2024-01-02T00:00:00+05:30");
    F0("date_to_xmlschema", "d:2024-01-02 10:00:00 +01:00", "2024-01-02T14:30:00+05:30");
    value_hash_set(site, "timezone", 8, value_cstring("Europe/Zurich"));
    F0("date_to_rfc822", "s:2024-07-01 12:00", "Mon, 01 Jul 2024 12:00:00 +0200");
    F0("date_to_rfc822", "s:2024-01-01 12:00", "Mon, 01 Jan 2024 12:00:00 +0100");
    F0("date_to_string", "d:2023-12-31 23:30:00", "01 Jan 2024");
    value_hash_set(site, "timezone", 8, value_cstring("No/Such_Zone"));
    F0("date_to_xmlschema", "d:2024-01-02", "2024-01-02T00:00:00+00:00");
    value_hash_set(site, "timezone", 8, value_cstring("../../etc/passwd"));
    F1("date", "s:2024-01-02 10:00", "s:%z", "+0000");
    value_hash_set(site, "timezone", 8, value_nil());
}

static void test_errors_and_nil_args(void)
{
    /* Every filter, called with no arguments and with nil, answers
     * something and never crashes. */
    static const char *names[] = {
        "abs", "absolute_url", "append", "array_to_sentence_string",
        "at_least", "at_most", "capitalize", "ceil", "cgi_escape", "compact",
        "concat", "date", "date_to_long_string", "date_to_rfc822",
        "date_to_string", "date_to_xmlschema", "default", "divided_by",
        "downcase", "escape", "escape_once", "find", "find_exp", "first",
        "floor", "group_by", "group_by_exp", "inspect", "join", "jsonify",
        "last", "lstrip", "map", "markdownify", "minus", "modulo",
        "newline_to_br", "normalize_whitespace", "number_of_words", "plus",
        "pop", "prepend", "push", "relative_url", "remove", "remove_first",
        "replace", "replace_first", "reverse", "round", "rstrip", "sample",
        "shift", "size", "slice", "slugify", "smartify", "sort",
        "sort_natural", "split", "strip", "strip_html", "strip_newlines",
        "times", "truncate", "truncatewords", "uniq", "unshift",
        "uri_escape", "url_decode", "url_encode", "where", "where_exp",
        "xml_escape", "base64_encode", "base64_decode", "base64_url_safe_encode",
        "base64_url_safe_decode", "strip_index", "to_integer", "replace_last",
        "remove_last", "h"};
    int missing = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!liquid_filter_find(names[i], strlen(names[i])))
            missing++;
        free(callv(names[i], V("nil"), NULL, 0));
        free(callv(names[i], V("[a,b]"), NULL, 2, V("nil"), V("nil")));
        free(callv(names[i], people(), NULL, 1, V("s:")));
    }
    CHECK(missing == 0);
    F1("divided_by", "i:1", "nil", "");
    CHECK(last_error && strcmp(last_error, "divided by 0") == 0);
    F1("plus", "i:1", "nil", "1");
    CHECK(last_error == NULL);
}

int main(void)
{
    site = value_hash();
    value_hash_set(site, "url", 3, value_cstring("https://Example.org"));
    value_hash_set(site, "baseurl", 7, value_cstring("/blog/"));
    test_lookup();
    test_strings();
    test_split();
    test_math();
    test_arrays();
    test_properties();
    test_markup();
    test_encodings();
    test_urls();
    test_dates();
    test_timezones();
    test_errors_and_nil_args();
    value_release(site);
    return test_done();
}
