#include "capsuled/html.h"
#include "test.h"

#include <stdlib.h>

static char *decode(const char *s)
{
    struct buf b = {0};
    html_decode(s, strlen(s), &b);
    return buf_detach(&b);
}

#define CHECK_DECODE(in, want)                                               \
    do {                                                                     \
        char *got__ = decode(in);                                            \
        CHECK_STR(got__, want);                                              \
        free(got__);                                                         \
    } while (0)

static void test_entities(void)
{
    CHECK_DECODE("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;",
                 "a & b <c> \"d\" 'e'");
    CHECK_DECODE("x:&nbsp;y", "x: y");              /* spacing, not glue */
    CHECK_DECODE("&#x1F393; &#127891;", "\xf0\x9f\x8e\x93 \xf0\x9f\x8e\x93");
    CHECK_DECODE("&eacute;t&eacute; &mdash; &hellip;",
                 "\xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xe2\x80\xa6");
    CHECK_DECODE("&unknown; &amp &#; & &#xZZ;", "&unknown; &amp &#; & &#xZZ;");
    CHECK_DECODE("&#0; &#xD800; &#x110000;",
                 "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd");
    CHECK_DECODE("co&shy;op", "coop");
}

static size_t tokens(const char *s, struct html_token *out, size_t max)
{
    size_t n = 0, i = 0, len = strlen(s);
    while (i < len && n < max)
        i += html_next_token(s + i, len - i, &out[n++]);
    return n;
}

static void test_tokenizer(void)
{
    struct html_token t[16];
    size_t n = tokens("<a href='x'>Hi</a><br/>", t, 16);
    CHECK(n == 4);
    CHECK(t[0].type == HTML_START && !strcmp(t[0].name, "a"));
    CHECK(t[1].type == HTML_TEXT && t[1].raw_len == 2);
    CHECK(t[2].type == HTML_END && !strcmp(t[2].name, "a"));
    CHECK(t[3].type == HTML_START && t[3].self_closing &&
          !strcmp(t[3].name, "br"));

    n = tokens("x <!-- a\n<b>c</b>\n--> y", t, 16);
    CHECK(n == 3 && t[1].type == HTML_COMMENT && !t[1].unterminated);
    n = tokens("x <!-- never closed <p>", t, 16);
    CHECK(n == 2 && t[1].type == HTML_COMMENT && t[1].unterminated);

    /* '<' that starts no tag is text, and a '>' inside quotes does not end
     * a tag. */
    n = tokens("a < b <3 <img alt='x>y' src=z>", t, 16);
    CHECK(n == 4 && t[0].type == HTML_TEXT && t[1].type == HTML_TEXT &&
          t[2].type == HTML_TEXT);
    CHECK(t[3].type == HTML_START && !strcmp(t[3].name, "img") &&
          t[3].raw_len == 21);
    n = tokens("<!DOCTYPE html><DIV Class=x>", t, 16);
    CHECK(n == 2 && t[0].type == HTML_DECL && !strcmp(t[1].name, "div"));
}

static void test_attributes(void)
{
    struct html_token t;
    const char *s = "<img SRC=\"a&amp;b.png\" alt='A &quot;cat&quot;' "
                    "width=30 hidden data-x = \"y\">";
    html_next_token(s, strlen(s), &t);
    struct buf v = {0};
    CHECK(html_attr(&t, "src", &v));
    CHECK_STR(v.data, "a&b.png");
    buf_clear(&v);
    CHECK(html_attr(&t, "alt", &v));
    CHECK_STR(v.data, "A \"cat\"");
    buf_clear(&v);
    CHECK(html_attr(&t, "width", &v));
    CHECK_STR(v.data, "30");
    buf_clear(&v);
    CHECK(html_attr(&t, "hidden", &v) && v.len == 0);
    CHECK(html_attr(&t, "data-x", &v));
    CHECK_STR(v.data, "y");
    CHECK(!html_attr(&t, "href", &v));
    buf_free(&v);
}

static void test_kinds(void)
{
    CHECK(html_kind("br") == HK_BREAK);
    CHECK(html_kind("div") == HK_BLOCK && html_kind("details") == HK_BLOCK);
    CHECK(html_kind("h4") == HK_HEADING && html_kind("h7") == HK_INLINE);
    CHECK(html_kind("style") == HK_DROP && html_kind("script") == HK_DROP);
    CHECK(html_kind("u") == HK_INLINE && html_kind("font") == HK_INLINE);
    CHECK(html_kind("iframe") == HK_EMBED);
    CHECK(html_is_void("img") && !html_is_void("a"));
}

/* A long run of would-be tags must stay linear: each failed tag scan stops
 * at the next '<'. */
static void test_linear(void)
{
    size_t n = 1 << 20;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = "<a \"b"[i % 5];
    s[n] = '\0';
    struct html_token t;
    size_t i = 0, count = 0;
    while (i < n) {
        i += html_next_token(s + i, n - i, &t);
        count++;
    }
    CHECK(i == n && count > 0);
    free(s);
}

int main(void)
{
    test_entities();
    test_tokenizer();
    test_attributes();
    test_kinds();
    test_linear();
    return test_done();
}
