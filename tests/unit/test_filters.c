/* Liquid's and Jekyll's filters, called through liquid_filter_find as the
 * interpreter calls them: each answer printed as {{ }} would print it and
 * compared with what Ruby (Liquid 5.4, Jekyll 4.3) prints. */
#include "test.h"

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

/* Calls filter NAME on IN with the given values (taken over) and prints
 * the answer as {{ }} would; the caller frees it. */
static char *callv(const char *name, struct value *in, struct value *kwargs,
                   int n, ...)
{
    struct value *args[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        args[i] = va_arg(ap, struct value *);
    va_end(ap);
    struct liquid_filter_env env = {.site = site, .kwargs = kwargs};
    liquid_filter_fn fn = liquid_filter_find(name, strlen(name));
    struct buf out = {0};
    if (fn) {
        struct value *r = fn(in, (const struct value *const *)args,
                             (size_t)n, &env);
        value_to_string(r, &out);
        value_release(r);
    } else {
        buf_puts(&out, "(no such filter)");
    }
    last_error = env.error;
    for (int i = 0; i < n; i++)
        value_release(args[i]);
    value_release(in);
    value_release(kwargs);
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
    F0("upcase", "s:héllo ß", "HÉLLO ß");
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
    F0("ceil", "s:3.7", "4");
    F0("floor", "f:-3.2", "-4");
    F0("abs", "f:-3.0", "3.0");
    F0("abs", "s:-5", "5");
    F1("at_least", "i:4", "f:5.5", "5.5");
    F1("at_least", "i:6", "f:5.5", "6");
    F1("at_most", "i:4", "i:3", "3");
}

int main(void)
{
    site = value_hash();
    test_lookup();
    test_strings();
    test_split();
    test_math();
    value_release(site);
    return test_done();
}
