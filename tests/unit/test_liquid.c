/* Liquid: tags, conditions, loops and variables as Liquid 5 renders them
 * (tests/liquid/ compares many more with Jekyll's), broken input kept for
 * `check`, findings at their file:line, the line map, and the caps. */
#include "capsuled/liquid.h"
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

static void test_output(void)
{
    CHECK_STR(render("Hi {{ site.author.name }}!"), "Hi Ada!");
    CHECK_STR(render("{{page.title}} - {{ site.title | upcase }}"), "About - MY SITE");
    CHECK_STR(render("[{{ site.nope }}]"), "[]");
    CHECK_STR(render("[{{ nope | append: 'x' }}]"), "[x]");
    CHECK_STR(render("[{{ \"lit\" }}]"), "[lit]");
    CHECK_STR(render("{{ site.title | append: \"!\" | prepend: '> ' }}"), "> My Site!");
    CHECK_STR(render("{{ site.author['name'] }}."), "Ada.");
    /* Liquid indexes arrays with brackets only */
    CHECK_STR(render("[{{ site.list[0] }}][{{ site.list.0 }}]"), "[x][]");
    /* arrays print joined, hashes as Ruby inspects them */
    CHECK_STR(render("[{{ site.list }}][{{ site.author }}]"), "[x][{\"name\"=>\"Ada\"}]");
    CHECK_STR(render("{% if site.list %}y{% else %}n{% endif %}"), "y");
    CHECK_STR(render("{{- site.title -}}"), "My Site");
    /* a value's newlines are printed; the line map keeps lines true */
    CHECK_STR(render("a {{ site.multi }} b\n"), "a line one\nline two b\n");
    /* the seed's badge: output inside an attribute inside an HTML comment */
    CHECK_STR(render("<!-- <img src=\"https://x/?url={{ url }}&logo=G\"> -->"),
              "<!-- <img src=\"https://x/?url=&logo=G\"> -->");
}

static void test_tags(void)
{
    CHECK_STR(render("a{% include foo.html %}b"), "ab"); /* no site: none */
    CHECK_STR(render("a {% bibliography -f papers -q @*[selected=true]* %} b"), "a  b");
    CHECK_STR(render("x\n{% include\n  foo.html\n  param=1 %}\ny\n"), "x\n\ny\n");
    CHECK_STR(render("{%- comment -%} gone {%- endcomment -%}kept"), "kept");
    CHECK_STR(render("{% comment %}\nsecret\n{% endcomment %}\nafter"), "\nafter");
    CHECK_STR(render("{% for i in site.list %}item {{ i }}\n{% endfor %}end"), "item x\nend");
    CHECK_STR(render("{% capture x %}kept{% endcapture %}[{{ x }}]"), "[kept]");
    CHECK_STR(render("{% case site.title %}{% when 'a' %}A{% else %}B{% endcase %}c"), "Bc");
    CHECK_STR(render("{% # inline comment %}ok"), "ok");
    CHECK_STR(render("{% for i in (1..3) %}{{ forloop.index }}{% endfor %}"), "123");
    CHECK_STR(render("{% highlight ruby %}\nputs 1\n{% endhighlight %}"),
              "```ruby\nputs 1\n```");
    /* blank blocks print no whitespace */
    CHECK_STR(render("[{% if site.title %}\n  {% assign a = 1 %}\n{% endif %}]"), "[]");
}

static void test_conditions(void)
{
    CHECK_STR(render("{% if site.title %}yes{% else %}no{% endif %}"), "yes");
    CHECK_STR(render("{% if site.nope %}yes{% else %}no{% endif %}"), "no");
    /* "" and "false" are true in Liquid */
    CHECK_STR(render("{% if page.empty %}yes{% else %}no{% endif %}"), "yes");
    CHECK_STR(render("{% if site.off %}yes{% else %}no{% endif %}"), "yes");
    CHECK_STR(render("{% unless site.nope %}shown{% endunless %}"), "shown");
    CHECK_STR(render("{% if page.title == \"About\" %}A{% endif %}"), "A");
    CHECK_STR(render("{% if page.title != 'About' %}A{% else %}B{% endif %}"), "B");
    /* Ruby has no blank?: nil != blank holds */
    CHECK_STR(render("{% if site.news != blank %}news{% else %}none{% endif %}"), "news");
    CHECK_STR(render("{% if page.empty == empty %}e{% endif %}"), "e");
    CHECK_STR(render("{% if a and b %}x{% else %}y{% endif %}"), "y");
    CHECK_STR(render("{% if site.nope %}1{% elsif page.title %}2{% else %}3{% endif %}"), "2");
    CHECK_STR(render("{% if site.title %}1{% elsif page.title %}2{% else %}3{% endif %}"), "1");
    CHECK_STR(render("{% if site.nope %}{% if site.title %}in{% else %}x{% endif %}"
                     "{% else %}{% if site.title %}ok{% else %}bad{% endif %}{% endif %}"),
              "ok");
    CHECK_STR(render("{% if site.title %}{% if site.nope %}in{% else %}deep{% endif %}{% endif %}"),
              "deep");
    CHECK_STR(render("{% if\n  site.nope\n%}\nhidden\n{% endif %}\nafter\n"), "\nafter\n");
    CHECK_STR(render("{% if 1 > 'a' %}x{% endif %}"),
              "Liquid error (line 1): comparison of Integer with String failed");
}

static void test_assign(void)
{
    CHECK_STR(render("{% assign who = \"Bob\" %}Hi {{ who }}"), "Hi Bob");
    CHECK_STR(render("{% assign t = site.title %}{{ t }}"), "My Site");
    CHECK_STR(render("{% if site.nope %}{% assign u = 'a' %}{% else %}"
                     "{% assign u = 'b' | append: 'c' %}{% endif %}{{ u }}"),
              "bc");
    CHECK_STR(render("{% assign base = \"https://raw.example/\" | append: site.repository | append: \"/\" %}"
                     "{% assign url = base | append: \"data.json\" %}<!-- {{ url }} -->"),
              "<!-- https://raw.example//data.json -->");
    CHECK_STR(render("{% increment n %}{% increment n %}{% decrement m %}"), "01-1");
    CHECK_STR(render("{% for i in (1..4) %}{% cycle 'a', 'b' %}{% endfor %}"), "abab");
}

static void test_raw(void)
{
    CHECK_STR(render("{% raw %}{{ site.title }} {% if %}{% endraw %}!"),
              "{{ site.title }} {% if %}!");
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
    CHECK_STR(render("{{}}{%%}{{ | }}{% = %}"), "{%%}{% = %}");
    CHECK_STR(render(""), "");
    CHECK_STR(render("{"), "{");
    CHECK_STR(render("text { and } and %}"), "text { and } and %}");
}

/* Renders with findings and a line map; returns the findings' text. */
static const char *render_env(const char *in, struct liquid_env *env,
                              struct liquid_output *out)
{
    static struct buf msgs;
    struct diags d = {0};
    env->diags = &d;
    liquid_render_env(in, strlen(in), scope, env, out);
    buf_free(&msgs);
    diags_format(&d, &msgs);
    diags_free(&d);
    return msgs.data ? msgs.data : "";
}

static void test_line_map(void)
{
    struct liquid_env env = {.file = "p.md", .first_line = 5};
    struct liquid_output out;
    /* template lines 1..3; the loop makes three output lines of line 2 */
    render_env("a\n{% for i in (1..3) %}{{ i }}\n{% endfor %}b\n", &env, &out);
    CHECK_STR(out.text, "a\n1\n2\n3\nb\n");
    CHECK(liquid_output_line(&out, 1) == 5);
    CHECK(liquid_output_line(&out, 2) == 6 && liquid_output_line(&out, 4) == 6);
    CHECK(liquid_output_line(&out, 5) == 7);
    liquid_output_free(&out);
    /* removed lines: the text after a multi-line comment keeps its line */
    render_env("{% comment %}\nx\ny\n{% endcomment %}\nz\n", &env, &out);
    CHECK_STR(out.text, "\nz\n");
    CHECK(liquid_output_line(&out, 2) == 9);
    liquid_output_free(&out);
}

static bool plugin(void *ctx, const char *name, size_t n, const char *args,
                   size_t args_len, struct buf *out)
{
    (void)ctx;
    if (n != 4 || memcmp(name, "cite", 4) != 0)
        return false;
    buf_puts(out, "[cited ");
    buf_put(out, args, args_len);
    buf_puts(out, "]");
    return true;
}

static void test_diagnostics(void)
{
    struct liquid_env env = {.file = "p.md", .first_line = 3};
    struct liquid_output out;
    const char *d = render_env("a\n{% bibliography -f x %}\nb{% foo %}in{% endfoo %}c", &env, &out);
    CHECK_STR(out.text, "a\n\nbc");
    CHECK_CONTAINS(d, "p.md:4: warning: Liquid: unknown tag 'bibliography'");
    CHECK_CONTAINS(d, "p.md:5: warning: Liquid: unknown tag 'foo' (a plugin's?) skipped with its body");
    liquid_output_free(&out);
    d = render_env("x\n{% if a %}\ny", &env, &out);
    CHECK_CONTAINS(d, "p.md:4: error: Liquid syntax error: 'if' tag was never closed");
    CHECK_STR(out.text, "x\n\ny");
    liquid_output_free(&out);
    d = render_env("{{ 1 | divided_by: 0 }}", &env, &out);
    CHECK_CONTAINS(d, "p.md:3: error: Liquid error: divided by 0");
    liquid_output_free(&out);
    env.plugin_tag = plugin;
    d = render_env("{% cite knuth %} {% reference x %}", &env, &out);
    CHECK_STR(out.text, "[cited knuth] ");
    CHECK(strstr(d, "'cite'") == NULL);
    CHECK_CONTAINS(d, "unknown tag 'reference'");
    liquid_output_free(&out);
}

static void test_limits(void)
{
    struct liquid_env env = {.file = "p.md", .max_iterations = 1000,
                             .max_output = 5000};
    struct liquid_output out;
    const char *d = render_env("{% for i in (1..100000) %}x{% endfor %}", &env, &out);
    CHECK(out.len == 1000);
    CHECK_CONTAINS(d, "more than 1000 loop iterations");
    liquid_output_free(&out);
    env.max_iterations = 0;
    d = render_env("{% for i in (1..100000) %}xxxxxxxxxx{% endfor %}", &env, &out);
    CHECK(out.len == 5000);
    CHECK_CONTAINS(d, "output passed 5000 bytes");
    liquid_output_free(&out);
    /* a string doubled in a loop stops at the cap, not at memory's end */
    d = render_env("{% assign s = 'ab' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
                   &env, &out);
    CHECK(out.len <= 5000);
    CHECK_CONTAINS(d, "a value grew past 5000 bytes");
    liquid_output_free(&out);
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
    CHECK(out_len <= LIQUID_MAX_OUTPUT);
    free(out);
    free(src);
    free(s);
}

int main(void)
{
    scope = make_scope();
    test_output();
    test_tags();
    test_conditions();
    test_assign();
    test_raw();
    test_broken_input();
    test_line_map();
    test_diagnostics();
    test_limits();
    test_hostile();
    render("");
    value_release(scope);
    return test_done();
}
