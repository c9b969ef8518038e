/* Liquid: tags and output never reach the Markdown, simple conditions and
 * variables resolve, and every input line keeps its number. */
#include "capsuled/page.h"
#include "test.h"

#include <stdlib.h>

static struct value *scope;

static void set(struct value *hash, const char *key, struct value *v)
{
    value_hash_set(hash, key, strlen(key), v);
}

/* {page: {title, empty}, site: {title, author: {name}, off, multi, list}} */
static struct value *make_scope(void)
{
    struct value *s = value_hash(), *site = value_hash(), *page = value_hash(),
                 *author = value_hash(), *list = value_array();
    set(author, "name", value_cstring("Ada"));
    value_array_push(list, value_cstring("x"));
    set(site, "title", value_cstring("My Site"));
    set(site, "author", author);
    set(site, "off", value_cstring("false"));
    set(site, "multi", value_cstring("line one\nline two"));
    set(site, "list", list);
    set(page, "title", value_cstring("About"));
    set(page, "empty", value_cstring(""));
    set(s, "site", site);
    set(s, "page", page);
    return s;
}

static const char *render(const char *in)
{
    static char *last;
    free(last);
    size_t n;
    last = liquid_render(in, strlen(in), scope, &n);
    return last;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_output(void)
{
    CHECK_STR(render("Hi {{ site.author.name }}!"), "Hi Ada!");
    CHECK_STR(render("{{page.title}} - {{ site.title | upcase }}"), "About - My Site");
    CHECK_STR(render("[{{ site.nope }}]"), "[]");
    CHECK_STR(render("[{{ nope | default: 'x' }}]"), "[x]");
    CHECK_STR(render("[{{ \"lit\" }}]"), "[lit]");
    CHECK_STR(render("{{ site.title | append: \"!\" | prepend: '> ' }}"), "> My Site!");
    CHECK_STR(render("{{ site.author['name'] }}."), ".");
    /* paths reach into arrays; this engine prints no array or hash */
    CHECK_STR(render("[{{ site.list.0 }}]"), "[x]");
    CHECK_STR(render("[{{ site.list }}][{{ site.author }}][{{ page }}]"), "[][][]");
    CHECK_STR(render("{% if site.list %}y{% else %}n{% endif %}"), "n");
    CHECK_STR(render("{{- site.title -}}"), "My Site");
    /* a value's newlines are joined so the line count stays */
    CHECK_STR(render("a {{ site.multi }} b\n"), "a line one line two b\n");
    /* the seed's badge: output inside an attribute inside an HTML comment */
    CHECK_STR(render("<!-- <img src=\"https://x/?url={{ url | url_encode }}&logo=G\"> -->"),
              "<!-- <img src=\"https://x/?url=&logo=G\"> -->");
}

static void test_tags_removed(void)
{
    CHECK_STR(render("a{% include foo.html %}b"), "ab");
    CHECK_STR(render("a {% bibliography -f papers -q @*[selected=true]* %} b"), "a  b");
    CHECK_STR(render("x\n{% include\n  foo.html\n  param=1 %}\ny\n"), "x\n\n\n\ny\n");
    CHECK_STR(render("  {% include a %}  \nz"), "\nz"); /* line of only tags is empty */
    CHECK_STR(render("{%- comment -%} gone {%- endcomment -%}kept"), "kept");
    CHECK_STR(render("{% comment %}\nsecret\n{% endcomment %}\nafter"), "\n\n\nafter");
    CHECK_STR(render("{% for i in site.list %}item {{ i }}\n{% endfor %}end"), "\nend");
    CHECK_STR(render("{% capture x %}hidden{% endcapture %}[{{ x }}]"), "[]");
    CHECK_STR(render("{% case site.title %}{% when 'a' %}A{% else %}B{% endcase %}c"), "c");
    CHECK_STR(render("{% # inline comment %}ok"), "ok");
}

static void test_conditions(void)
{
    CHECK_STR(render("{% if site.title %}yes{% else %}no{% endif %}"), "yes");
    CHECK_STR(render("{% if site.nope %}yes{% else %}no{% endif %}"), "no");
    CHECK_STR(render("{% if page.empty %}yes{% else %}no{% endif %}"), "no");
    CHECK_STR(render("{% if site.off %}yes{% else %}no{% endif %}"), "no");
    CHECK_STR(render("{% unless site.nope %}shown{% endunless %}"), "shown");
    CHECK_STR(render("{% if page.title == \"About\" %}A{% endif %}"), "A");
    CHECK_STR(render("{% if page.title != 'About' %}A{% else %}B{% endif %}"), "B");
    CHECK_STR(render("{% if site.news != blank %}news{% else %}none{% endif %}"), "none");
    CHECK_STR(render("{% if a and b %}x{% else %}y{% endif %}"), "y");
    CHECK_STR(render("{% if site.nope %}1{% elsif page.title %}2{% else %}3{% endif %}"), "2");
    CHECK_STR(render("{% if site.title %}1{% elsif page.title %}2{% else %}3{% endif %}"), "1");
    /* nested, with the outer branch false */
    CHECK_STR(render("{% if site.nope %}{% if site.title %}in{% else %}x{% endif %}"
                     "{% else %}{% if site.title %}ok{% else %}bad{% endif %}{% endif %}"),
              "ok");
    CHECK_STR(render("{% if site.title %}{% if site.nope %}in{% else %}deep{% endif %}{% endif %}"),
              "deep");
    /* multi-line tags keep their newlines */
    CHECK_STR(render("{% if\n  site.nope\n%}\nhidden\n{% endif %}\nafter\n"),
              "\n\n\n\n\nafter\n");
}

static void test_assign(void)
{
    CHECK_STR(render("{% assign who = \"Bob\" %}Hi {{ who }}"), "Hi Bob");
    CHECK_STR(render("{% assign t = site.title %}{{ t }}"), "My Site");
    CHECK_STR(render("{% if site.nope %}{% assign u = 'a' %}{% else %}"
                     "{% assign u = 'b' | append: 'c' %}{% endif %}{{ u }}"),
              "bc");
    /* the seed's badge URL: assigned through a filter chain, then used */
    CHECK_STR(render("{% assign base = \"https://raw.example/\" | append: site.repository | append: \"/\" %}"
                     "{% assign url = base | append: \"data.json\" %}<!-- {{ url | url_encode }} -->"),
              "<!-- https://raw.example//data.json -->");
}

static void test_raw(void)
{
    CHECK_STR(render("{% raw %}{{ site.title }} {% if %}{% endraw %}!"),
              "{{ site.title }} {% if %}!");
    CHECK_STR(render("{%- raw -%}\n{{ x }}\n{%- endraw -%}"), "\n{{ x }}\n");
    CHECK_STR(render("{% raw %}{{ open"), "{{ open");
    CHECK_STR(render("{% if site.nope %}{% raw %}{{ x }}{% endraw %}{% endif %}y"), "y");
}

static void test_broken_input(void)
{
    /* unterminated tags stay as text for `check` to report */
    CHECK_STR(render("a {% if x and no end"), "a {% if x and no end");
    CHECK_STR(render("a {{ x"), "a {{ x");
    /* an opener without a closer does not swallow the rest of the page */
    CHECK_STR(render("{% if site.nope %}rest of page"), "rest of page");
    CHECK_STR(render("a{% endif %}{% endfor %}b"), "ab");
    CHECK_STR(render("{% if site.title %}{% for x in y %}A{% endif %}B"), "AB");
    CHECK_STR(render("{% else %}x{% elsif y %}z"), "xz");
    CHECK_STR(render("{{}}{%%}{{ | }}{% = %}"), "");
    CHECK_STR(render(""), "");
    CHECK_STR(render("{"), "{");
    CHECK_STR(render("text { and } and %}"), "text { and } and %}");
}

static void test_lines_kept(void)
{
    const char *in = "l1\n{% if site.nope %}\nl3\n{% comment %}\nl5 {{ x }}\n{% endcomment %}\n"
                     "{% endif %}\n{% raw %}\nl9\n{% endraw %}\n{{ site.title }}\nl12";
    const char *out = render(in);
    CHECK(count_lines(out) == count_lines(in));
    CHECK_CONTAINS(out, "\nl9\n");
    CHECK(strstr(out, "l3") == NULL);
}

static void test_hostile(void)
{
    /* many unterminated openers and deep nesting stay linear and safe */
    size_t n = 4u << 20;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = "{%{{"[i % 4];
    s[n] = '\0';
    size_t out_len;
    char *out = liquid_render(s, n, scope, &out_len);
    CHECK(out_len == n);
    free(out);
    for (size_t i = 0; i + 11 <= n; i += 11)
        memcpy(s + i, "{% if a %}x", 11);
    out = liquid_render(s, n, scope, &out_len);
    CHECK(out_len < n);
    free(out);
    /* a long value referenced many times does not blow up the output */
    static const char head[] = "{% assign v = \"", tail[] = "\" %}";
    size_t big = 1u << 20, pos = 0;
    char *src = malloc(big + 64 + 8 * 100000);
    memcpy(src, head, sizeof head - 1);
    pos += sizeof head - 1;
    memset(src + pos, 'v', big);
    pos += big;
    memcpy(src + pos, tail, sizeof tail - 1);
    pos += sizeof tail - 1;
    for (int i = 0; i < 100000; i++, pos += 7)
        memcpy(src + pos, "{{ v }}", 7);
    out = liquid_render(src, pos, scope, &out_len);
    CHECK(out_len <= 5 * pos + 65536);
    free(out);
    free(src);
    free(s);
}

int main(void)
{
    scope = make_scope();
    test_output();
    test_tags_removed();
    test_conditions();
    test_assign();
    test_raw();
    test_broken_input();
    test_lines_kept();
    test_hostile();
    render("");
    value_release(scope);
    return test_done();
}
