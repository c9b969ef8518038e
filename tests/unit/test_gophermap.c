#include "capsuled/width.h"
#include "render_fixture.h"
#include "test.h"

#define INFO_END "\tnull.host\t1\r\n" /* after the empty dummy selector */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The widest display string of the 'i' lines of a menu. */
static size_t widest_info(const char *menu)
{
    size_t widest = 0;
    for (const char *p = menu; *p;) {
        const char *end = strstr(p, "\r\n");
        if (!end)
            break;
        if (*p == 'i') {
            const char *tab = memchr(p, '\t', (size_t)(end - p));
            size_t w = width_text(p + 1, (size_t)((tab ? tab : end) - p - 1));
            if (w > widest)
                widest = w;
        }
        p = end + 2;
    }
    return widest;
}

static void test_lines(void)
{
    struct buf out = {0};
    gophermap_item(&out, '1', "Label", "/sel/", "host.example", 70);
    CHECK_STR(out.data, "1Label\t/sel/\thost.example\t70\r\n");
    buf_clear(&out);
    gophermap_item(&out, '0', "tab\there\r\nnewline", "/a\tb", "h\tx", 7070);
    CHECK_STR(out.data, "0tab here  newline\t/a b\th x\t7070\r\n");
    buf_clear(&out);
    gophermap_item(&out, '\t', NULL, NULL, NULL, -5);
    CHECK(gophermap_problem(out.data) == -1); /* no final "." yet */
    gophermap_end(&out);
    CHECK_STR(out.data, "3\t\t\t0\r\n.\r\n");
    CHECK(gophermap_problem(out.data) == 0);

    struct fixture f;
    fx_init(&f);
    f.o.width = 20;
    buf_clear(&out);
    gophermap_info(&out, "hello", &f.o);
    CHECK_STR(out.data, "ihello\t" INFO_END);
    buf_clear(&out);
    gophermap_info(&out, "", &f.o);
    CHECK_STR(out.data, "i\t" INFO_END);
    buf_clear(&out);
    gophermap_info(&out, "The quick brown fox jumps over the lazy dog", &f.o);
    CHECK_STR(out.data, "iThe quick brown fox\t" INFO_END "ijumps over the lazy\t" INFO_END
                        "idog\t" INFO_END);
    buf_clear(&out);
    gophermap_info(&out, "中文中文中文中文中文中文", &f.o);
    CHECK(widest_info(out.data) == 20);
    CHECK_CONTAINS(out.data, "i中文中文中文中文中文\t");
    buf_free(&out);
}

static char *section_menu(struct fixture *f, size_t section)
{
    struct buf out = {0};
    render_gophermap_section(&f->d, section, &f->o, &out);
    return buf_detach(&out);
}

static void test_blocks(void)
{
    struct fixture f;
    fx_init(&f);
    f.o.width = 30;
    fx_block(&f, BLOCK_HEADING, 1, "Top 🎓");
    fx_block(&f, BLOCK_HEADING, 2, "Second");
    fx_block(&f, BLOCK_HEADING, 4, "A lead paragraph");
    struct block *p = fx_block(&f, BLOCK_PARA, 0, "Links: Code, Paper, Menu, Text, Research, Mail.");
    fx_link(p, "https://github.com/x", NULL, "Code");
    fx_link(p, "gopher://example.com:71/0/papers/a%20b.txt", NULL, "Paper");
    fx_link(p, "gopher://example.com", NULL, "Menu");
    fx_link(p, "gopher://[2001:db8::1]:7070/1/x", NULL, "");
    fx_link(p, NULL, "research", "Research");
    fx_link(p, "mailto:ada@example.org", NULL, "Mail");
    fx_link(p, NULL, NULL, "Nowhere");
    fx_item(&f, 1, NULL, "An item long enough to wrap onto a second line");
    fx_item(&f, 2, "3.", "Nested and numbered");
    fx_block(&f, BLOCK_QUOTE, 1, "A quotation long enough to wrap too");
    fx_pre(&f, "text", "a very long preformatted line that must not be wrapped at all\n\tindented");
    fx_block(&f, BLOCK_RULE, 0, NULL);
    fx_block(&f, BLOCK_HEADING, 1, "Research");
    fx_sections(&f);

    char *menu = section_menu(&f, 0);
    CHECK(gophermap_problem(menu) == 0);
    CHECK(starts_with(menu, "iTop 🎓\t" INFO_END "i======\t" INFO_END "i\t" INFO_END
                        "iSecond\t" INFO_END "i------\t" INFO_END "i\t" INFO_END
                        "iA lead paragraph\t" INFO_END));
    CHECK_CONTAINS(menu, "hCode\tURL:https://github.com/x\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(menu, "0Paper\t/papers/a b.txt\texample.com\t71\r\n");
    CHECK_CONTAINS(menu, "1Menu\t\texample.com\t70\r\n");
    CHECK_CONTAINS(menu, "1gopher://[2001:db8::1]:7070/1/x\t/x\t2001:db8::1\t7070\r\n");
    CHECK_CONTAINS(menu, "1Research\t/research/\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(menu, "hMail\tURL:mailto:ada@example.org\tgopher.example.org\t7070\r\n");
    CHECK(strstr(menu, "Nowhere\t") == NULL);
    CHECK_CONTAINS(menu, "i- An item long enough to wrap\t" INFO_END
                         "i  onto a second line\t" INFO_END
                         "i  3. Nested and numbered\t" INFO_END);
    CHECK_CONTAINS(menu, "i> A quotation long enough to\t" INFO_END "i> wrap too\t" INFO_END);
    CHECK_CONTAINS(menu, "ia very long preformatted line that must not be wrapped at all\t" INFO_END
                         "i indented\t" INFO_END);
    CHECK_CONTAINS(menu, "i            * * *\t" INFO_END);
    /* The way on: the section as text, then home, then the end. */
    CHECK_CONTAINS(menu, "i\t" INFO_END "0This section as text\t/top.txt\tgopher.example.org\t7070\r\n"
                         "1Home\t/\tgopher.example.org\t7070\r\n.\r\n");
    free(menu);

    menu = section_menu(&f, 7);
    CHECK_STR(menu, "1Home\t/\tgopher.example.org\t7070\r\n.\r\n");
    free(menu);
    fx_free(&f);
}

static void profile(struct fixture *f)
{
    fx_block(f, BLOCK_HEADING, 1, "About Me");
    fx_block(f, BLOCK_PARA, 0, "我是一名研究计算机体系结构的博士研究生，这一段文字很长，需要按显示宽度折行。");
    fx_block(f, BLOCK_HEADING, 1, "🔥 News");
    fx_item(f, 1, NULL, "2025.10: 🌻🎉 Our paper was accepted to a conference with a long name");
    fx_item(f, 1, NULL, "2025.07: Travel award");
    fx_block(f, BLOCK_HEADING, 1, "Publications");
    fx_item(f, 1, NULL, "A paper");
    fx_sections(f);
    free(f->d.sections[1].slug);
    f->d.sections[1].slug = xstrdup("news");
}

static void test_home(void)
{
    struct fixture f;
    fx_init(&f);
    profile(&f);
    struct buf out = {0};
    render_gophermap_home(&f.d, &f.o, &out);
    const char *m = out.data;
    CHECK(gophermap_problem(m) == 0);
    CHECK(widest_info(m) <= 40);
    CHECK(starts_with(m, "iAda Lovelace\t" INFO_END "i============\t" INFO_END
                     "iAnalyst of engines\t" INFO_END "i\t" INFO_END
                     "iAbout Me\t" INFO_END "i--------\t" INFO_END));
    CHECK_CONTAINS(m, "iSections\t" INFO_END "i--------\t" INFO_END);
    CHECK_CONTAINS(m, "1🔥 News\t/news/\tgopher.example.org\t7070\r\n"
                      "0🔥 News (text)\t/news.txt\tgopher.example.org\t7070\r\n"
                      "1Publications\t/publications/\tgopher.example.org\t7070\r\n"
                      "0Publications (text)\t/publications.txt\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(m, "iLatest news\t" INFO_END "i-----------\t" INFO_END
                      "i2025-10-01 Our paper was accepted to a\t" INFO_END
                      "i           conference with a long name\t" INFO_END
                      "i2025-07-01 Travel award\t" INFO_END
                      "1All news\t/news/\tgopher.example.org\t7070\r\n");
    const char *tail = "i\t" INFO_END "7Search the profile\t/search\tgopher.example.org\t7070\r\n.\r\n";
    CHECK(strlen(m) > strlen(tail) && strcmp(m + strlen(m) - strlen(tail), tail) == 0);

    buf_clear(&out);
    render_gophermap_all(&f.d, &f.o, &out);
    CHECK(gophermap_problem(out.data) == 0);
    CHECK_CONTAINS(out.data, "iPublications\t" INFO_END "i============\t" INFO_END);
    CHECK(widest_info(out.data) <= 40);

    /* Narrow and unlimited widths keep menus valid. */
    for (int width = 0; width <= 12; width += 3) {
        f.o.width = width;
        buf_clear(&out);
        render_gophermap_home(&f.d, &f.o, &out);
        CHECK(gophermap_problem(out.data) == 0);
    }
    buf_free(&out);
    fx_free(&f);
}

/* Deep nesting does not push text off the page or blow up the output. */
static void test_deep(void)
{
    struct fixture f;
    fx_init(&f);
    for (int i = 1; i <= 10000; i++)
        fx_item(&f, i, NULL, "deep");
    fx_sections(&f);
    struct buf out = {0};
    render_gophermap_all(&f.d, &f.o, &out);
    CHECK(gophermap_problem(out.data) == 0);
    CHECK(out.len < 10000 * 64);
    buf_free(&out);
    fx_free(&f);
}

/* The seed and the corpus: every menu valid; the seed's text in 70 columns. */
static void check_capsule(const char *name, struct loaded *l)
{
    struct buf out = {0};
    int bad = 0;
    size_t widest = 0;
    render_gophermap_home(&l->d, &l->o, &out);
    bad += gophermap_problem(out.data) != 0;
    widest = widest_info(out.data);
    if (strcmp(name, "capsule") == 0) {
        CHECK(starts_with(out.data, "iZhangqiang Ming\t"));
        CHECK_CONTAINS(out.data, "\r\n1📝 Publications\t/publications/\tlocalhost\t7070\r\n"
                                 "0📝 Publications (text)\t/publications.txt\tlocalhost\t7070\r\n");
        CHECK_CONTAINS(out.data, "\r\n7Search the profile\t/search\tlocalhost\t7070\r\n.\r\n");
    }
    for (size_t i = 0; i < l->d.n_sections; i++) {
        buf_clear(&out);
        render_gophermap_section(&l->d, i, &l->o, &out);
        bad += gophermap_problem(out.data) != 0;
        size_t w = widest_info(out.data);
        widest = w > widest ? w : widest;
    }
    buf_clear(&out);
    render_gophermap_all(&l->d, &l->o, &out);
    bad += gophermap_problem(out.data) != 0;
    CHECK(bad == 0);
    if (bad)
        printf("# invalid gophermap for %s\n", name);
    if (strcmp(name, "capsule") == 0) {
        CHECK(widest <= 70);
        CHECK_CONTAINS(out.data, "\r\nhCode\tURL:https://github.com/zqming-cs\tlocalhost\t7070\r\n");
    }
    buf_free(&out);
}

static void test_markdown(void)
{
    struct fixture f;
    fx_init(&f);
    const char *md = "# Title\n\nSee [gopher](gopher://example.com/0/a.txt) and "
                     "[web](https://example.com/) and [me](#title).\n\n"
                     "- item\twith tab\n";
    doc_build_markdown(md, strlen(md), &f.d);
    struct buf out = {0};
    render_gophermap_all(&f.d, &f.o, &out);
    CHECK(gophermap_problem(out.data) == 0);
    CHECK_CONTAINS(out.data, "\r\n0gopher\t/a.txt\texample.com\t70\r\n");
    CHECK_CONTAINS(out.data, "\r\nhweb\tURL:https://example.com/\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(out.data, "\r\n1me\t/\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(out.data, "\r\ni- item with tab\t");
    buf_free(&out);
    doc_free(&f.d);

    /* A kramdown footnote: its marker and its note as info lines, its
     * link as a menu line, before the next section. */
    md = "# One\n\nA claim[^n].\n\n[^n]: See [web](https://example.com/n).\n\n"
         "# Two\n\nMore.\n";
    doc_build_markdown(md, strlen(md), &f.d);
    render_gophermap_all(&f.d, &f.o, &out);
    CHECK(gophermap_problem(out.data) == 0);
    CHECK_CONTAINS(out.data, "\r\niA claim[1].\t");
    CHECK_CONTAINS(out.data, "\r\ni[1] See web.\t");
    CHECK_CONTAINS(out.data, "\r\nhweb\tURL:https://example.com/n\t");
    char *note = strstr(out.data, "[1] See");
    CHECK(note && strstr(note, "Two"));
    buf_free(&out);
    doc_free(&f.d);
}

/* A link to a path of the capsule (a site's static file or page, kept
 * relative) is one of our items, typed by what it leads to. */
static void test_own_paths(void)
{
    struct fixture f;
    fx_init(&f);
    const char *md = "# T\n\n[cv](/files/cv.pdf) [me](/img/me.png) "
                     "[a](/a.gif) [n](/notes.txt) [p](/cv/) [h](/about.html) "
                     "[s](/my%20cv.pdf?x=1)\n";
    doc_build_markdown(md, strlen(md), &f.d);
    struct buf out = {0};
    render_gophermap_all(&f.d, &f.o, &out);
    CHECK(gophermap_problem(out.data) == 0);
    CHECK_CONTAINS(out.data, "\r\n9cv\t/files/cv.pdf\tgopher.example.org\t");
    CHECK_CONTAINS(out.data, "\r\nIme\t/img/me.png\t");
    CHECK_CONTAINS(out.data, "\r\nga\t/a.gif\t");
    CHECK_CONTAINS(out.data, "\r\n0n\t/notes.txt\t");
    CHECK_CONTAINS(out.data, "\r\n1p\t/cv/\t");
    CHECK_CONTAINS(out.data, "\r\n1h\t/about.html\t");
    CHECK_CONTAINS(out.data, "\r\n9s\t/my cv.pdf\t");
    buf_free(&out);
    doc_free(&f.d);
}

int main(void)
{
    test_markdown();
    test_own_paths();
    int capsules = fx_each_capsule(check_capsule);
    CHECK(capsules >= 1);
    test_lines();
    test_blocks();
    test_home();
    test_deep();
    return test_done();
}
