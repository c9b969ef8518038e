#include "render_fixture.h"
#include "test.h"

static char *render_blocks(struct fixture *f)
{
    struct buf out = {0};
    buf_puts(&out, "");
    render_gemtext_blocks(&f->d, 0, f->d.n_blocks, &f->o, &out);
    return buf_detach(&out);
}

/* Renders the blocks built by build() alone. */
static char *one(void (*build)(struct fixture *))
{
    struct fixture f;
    fx_init(&f);
    build(&f);
    fx_sections(&f);
    char *s = render_blocks(&f);
    fx_free(&f);
    return s;
}

#define CHECK_ONE(build, want)                                               \
    do {                                                                     \
        char *got = one(build);                                              \
        CHECK_STR(got, want);                                                \
        CHECK(gemtext_problem(got) == 0);                                    \
        free(got);                                                           \
    } while (0)

static void headings(struct fixture *f)
{
    fx_block(f, BLOCK_HEADING, 1, "Top");
    fx_block(f, BLOCK_HEADING, 2, "Second");
    fx_block(f, BLOCK_HEADING, 3, "Third");
    fx_block(f, BLOCK_HEADING, 4, "I am a lead paragraph.");
    fx_block(f, BLOCK_HEADING, 6, "#hashtag heading");
}

static void paragraphs(struct fixture *f)
{
    fx_block(f, BLOCK_PARA, 0, "First line\nafter a hard break");
    fx_block(f, BLOCK_PARA, 0, "Second paragraph.");
}

static void links(struct fixture *f)
{
    struct block *b = fx_block(f, BLOCK_PARA, 0, "See Code and Preview / Download and Research.");
    fx_link(b, "https://github.com/x", NULL, "Code");
    fx_link(b, "https://example.org/a b.pdf", NULL, "Preview / Download");
    fx_link(b, NULL, "research", "Research");
    fx_link(b, NULL, NULL, "Name");      /* [Name](): no target */
    fx_link(b, "gemini://other.net/", NULL, ""); /* no label */
    fx_block(f, BLOCK_HEADING, 1, "Research");
    fx_block(f, BLOCK_PARA, 0, "Body.");
}

static void only_links(struct fixture *f)
{
    struct block *b = fx_block(f, BLOCK_PARA, 0, "Code | Paper");
    b->only_links = true;
    fx_link(b, "https://a.example/", NULL, "Code");
    fx_link(b, "https://b.example/", NULL, "Paper");
    struct block *img = fx_block(f, BLOCK_PARA, 0, "A cat");
    img->only_links = true;
    fx_link(img, "https://example.org/cat.png", NULL, "A cat");
    img->links[0].image = true;
    /* only links, but none has a target: the text must not be lost */
    struct block *dead = fx_block(f, BLOCK_PARA, 0, "Dead");
    dead->only_links = true;
    fx_link(dead, NULL, NULL, "Dead");
}

static void lists(struct fixture *f)
{
    fx_block(f, BLOCK_PARA, 0, "Before.");
    fx_item(f, 1, NULL, "apple");
    fx_item(f, 2, NULL, "nested pear");
    fx_item(f, 1, NULL, "plum\nsecond line");
    fx_block(f, BLOCK_PARA, 0, "Between.");
    fx_item(f, 1, "3.", "third");
    fx_item(f, 1, "4.", "fourth");
}

static void items_with_links(struct fixture *f)
{
    struct block *a = fx_item(f, 1, NULL, "Paper one [Code]");
    fx_link(a, "https://code.example/", NULL, "Code");
    fx_item(f, 1, NULL, "Paper two");
    fx_item(f, 1, NULL, "Paper three");
}

static void quotes(struct fixture *f)
{
    fx_block(f, BLOCK_QUOTE, 1, "To be\nor not");
    fx_block(f, BLOCK_QUOTE, 1, "Second paragraph of the quote.");
}

static void pre(struct fixture *f)
{
    fx_pre(f, "markdown", "Some code:\n```js\nx = 1\n```\n");
    fx_pre(f, "table", "| a | b |\n|---|---|\n| 1 | 2 |");
    fx_block(f, BLOCK_RULE, 0, NULL);
    fx_pre(f, NULL, "");
}

static void escapes(struct fixture *f)
{
    fx_block(f, BLOCK_PARA, 0, "=> not a link");
    fx_block(f, BLOCK_PARA, 0, "*emphasis* at the start\n* starred\n> not a quote\n#not a heading\n```not a toggle\n=>");
    fx_block(f, BLOCK_PARA, 0, "Fine: => * # > ``` inside");
}

static void dirty(struct fixture *f)
{
    fx_block(f, BLOCK_PARA, 0, "tab\there\rcr \x01 ctl \xff bad \xe2\x80\xa8 sep");
    fx_block(f, BLOCK_HEADING, 2, "multi\nline heading");
    fx_block(f, BLOCK_PARA, 0, "");   /* nothing: skipped */
    fx_block(f, BLOCK_HEADING, 1, ""); /* nothing: skipped */
    fx_block(f, BLOCK_PARA, 0, "end");
}

static void test_blocks(void)
{
    CHECK_ONE(headings, "# Top\n\n## Second\n\n### Third\n\nI am a lead paragraph.\n\n #hashtag heading\n");
    CHECK_ONE(paragraphs, "First line\nafter a hard break\n\nSecond paragraph.\n");
    CHECK_ONE(links,
              "See Code and Preview / Download and Research.\n"
              "=> https://github.com/x Code\n"
              "=> https://example.org/a%20b.pdf Preview / Download\n"
              "=> /research/ Research\n"
              "=> gemini://other.net/\n"
              "\n# Research\n\nBody.\n");
    CHECK_ONE(only_links,
              "=> https://a.example/ Code\n=> https://b.example/ Paper\n\n"
              "=> https://example.org/cat.png A cat\n\nDead\n");
    CHECK_ONE(lists,
              "Before.\n\n* apple\n* nested pear\n* plum\nsecond line\n\n"
              "Between.\n\n3. third\n4. fourth\n");
    CHECK_ONE(items_with_links,
              "* Paper one [Code]\n=> https://code.example/ Code\n\n"
              "* Paper two\n* Paper three\n");
    CHECK_ONE(quotes, "> To be\n> or not\n>\n> Second paragraph of the quote.\n");
    CHECK_ONE(pre,
              "```markdown\nSome code:\n ```js\nx = 1\n ```\n```\n\n"
              "```table\n| a | b |\n|---|---|\n| 1 | 2 |\n```\n\n"
              "──────────\n\n```\n```\n");
    CHECK_ONE(escapes,
              " => not a link\n\n"
              " *emphasis* at the start\n * starred\n > not a quote\n"
              " #not a heading\n ```not a toggle\n =>\n\n"
              "Fine: => * # > ``` inside\n");
    CHECK_ONE(dirty,
              "tab here cr \x20 ctl \xef\xbf\xbd bad   sep\n\n"
              "## multi line heading\n\nend\n");
}

/* The home page and section pages of a small profile with news. */
static void profile(struct fixture *f)
{
    fx_block(f, BLOCK_HEADING, 1, "👩‍🔬 About Me");
    struct block *p = fx_block(f, BLOCK_PARA, 0, "I study engines. See News.");
    fx_link(p, NULL, "news", "News");
    fx_block(f, BLOCK_HEADING, 1, "News");
    fx_item(f, 1, NULL, "2025.10: 🎉 Paper accepted");
    fx_item(f, 1, NULL, "2025-07-15 Award received");
    fx_item(f, 1, NULL, "2024/03/02 – Started");
    fx_item(f, 1, NULL, "2023.01, Older");
    fx_block(f, BLOCK_HEADING, 1, "Publications");
    fx_item(f, 1, "1.", "A paper");
    fx_sections(f);
}

static void test_home(void)
{
    struct fixture f;
    fx_init(&f);
    profile(&f);
    struct buf out = {0};
    render_gemtext_home(&f.d, &f.o, &out);
    CHECK_STR(out.data,
              "# Ada Lovelace\n"
              "Analyst of engines\n"
              "\n## 👩‍🔬 About Me\n"
              "\nI study engines. See News.\n"
              "=> /news/ News\n"
              "\n## Sections\n"
              "=> /news/ News\n"
              "=> /publications/ Publications\n"
              "\n## Latest news\n"
              "=> /news/4/ 2025-10-01 Paper accepted\n"
              "=> /news/3/ 2025-07-15 Award received\n"
              "=> /news/2/ 2024-03-02 Started\n"
              "=> /news/ All news (subscribe)\n"
              "\n=> /search Search\n"
              "=> /atom.xml Atom feed\n"
              "=> /source.md Markdown source\n");
    CHECK(gemtext_problem(out.data) == 0);

    /* Name: front matter title, then author, then site title. */
    buf_clear(&out);
    f.page.title = "Dr. Ada";
    f.cfg.site.serve_source = false;
    render_gemtext_home(&f.d, &f.o, &out);
    CHECK(strncmp(out.data, "# Dr. Ada\n", 10) == 0);
    CHECK(strstr(out.data, "source.md") == NULL);
    buf_clear(&out);
    f.page.title = "";
    f.cfg.site.author_name = NULL;
    render_gemtext_home(&f.d, &f.o, &out);
    CHECK(strncmp(out.data, "# Site Title\n", 13) == 0);
    CHECK_STR(render_site_title(&f.o), "Site Title");

    /* A section page: its blocks, then the way home and onwards. */
    buf_clear(&out);
    render_gemtext_section(&f.d, 1, &f.o, &out);
    CHECK_STR(out.data,
              "# News\n\n"
              "=> /news/4/ 2025-10-01 Paper accepted\n"
              "=> /news/3/ 2025-07-15 Award received\n"
              "=> /news/2/ 2024-03-02 Started\n"
              "=> /news/1/ 2023-01-01 Older\n"
              "\n=> /news/ Subscribe to the news (gemsub)\n"
              "=> /atom.xml Atom feed\n"
              "\n=> / Home\n"
              "=> /publications/ Next: Publications\n");
    buf_clear(&out);
    render_gemtext_section(&f.d, 2, &f.o, &out);
    CHECK_CONTAINS(out.data, "1. A paper\n");
    CHECK_CONTAINS(out.data, "=> /news/ Previous: News\n");
    CHECK(gemtext_problem(out.data) == 0);
    buf_clear(&out);
    render_gemtext_section(&f.d, 99, &f.o, &out);
    CHECK(out.len == 0);

    buf_clear(&out);
    render_gemtext_all(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "# 👩‍🔬 About Me\n");
    CHECK_CONTAINS(out.data, "\n# Publications\n\n1. A paper\n");
    /* The whole page keeps news items as the list they are. */
    CHECK_CONTAINS(out.data, "* 2025.10: 🎉 Paper accepted\n");
    CHECK(gemtext_problem(out.data) == 0);
    buf_free(&out);
    fx_free(&f);
}

static void test_empty_doc(void)
{
    struct fixture f;
    fx_init(&f);
    struct buf out = {0};
    render_gemtext_home(&f.d, &f.o, &out);
    CHECK_STR(out.data, "# Ada Lovelace\nAnalyst of engines\n\n=> /search Search\n"
                        "=> /atom.xml Atom feed\n=> /source.md Markdown source\n");
    buf_clear(&out);
    render_gemtext_all(&f.d, &f.o, &out);
    CHECK(gemtext_problem(out.data) == 0);
    buf_clear(&out);
    render_gemtext_blocks(&f.d, 5, 3, &f.o, &out);
    CHECK(out.len == 0);
    buf_free(&out);
}

/* Hostile block text never produces invalid gemtext. */
static void test_invariants_fuzzish(void)
{
    const char *texts[] = {
        "```", "```\n```\n```", "=>", "=> ", "#", "####### deep", "*", ">",
        "\n\n\n", "a\r\nb", "\xc0\xaf", "\t```", "x\n```y", "",
    };
    struct fixture f;
    fx_init(&f);
    size_t n = sizeof texts / sizeof *texts;
    for (size_t i = 0; i < n; i++) {
        enum block_type types[] = {BLOCK_HEADING, BLOCK_PARA, BLOCK_ITEM,
                                   BLOCK_QUOTE, BLOCK_PRE};
        for (size_t t = 0; t < 5; t++) {
            struct block *b = fx_block(&f, types[t], (int)(i % 7), texts[i]);
            b->info = xstrdup(texts[(i + 1) % n]);
            b->marker = i % 2 ? xstrdup(texts[(i + 2) % n]) : NULL;
            fx_link(b, texts[i], NULL, texts[(i + 3) % n]);
        }
    }
    fx_sections(&f);
    struct buf out = {0};
    render_gemtext_all(&f.d, &f.o, &out);
    int bad = gemtext_problem(out.data);
    CHECK(bad == 0);
    if (bad)
        printf("# bad line %d in:\n%s\n", bad, out.data);
    buf_free(&out);
    fx_free(&f);
}

/* --- from Markdown, through the real model --- */

static char *md_gemtext(const char *md, size_t len)
{
    struct fixture f;
    fx_init(&f);
    doc_build_markdown(md, len, &f.d);
    struct buf out = {0};
    buf_puts(&out, "");
    render_gemtext_all(&f.d, &f.o, &out);
    doc_free(&f.d);
    return buf_detach(&out);
}

#define MD(md) md_gemtext(md, strlen(md))

static void test_markdown(void)
{
    char *g = MD("#### I am a lead\n\n"
                 "Prof. [Yuchong Hu]() and [[Code]](https://x.org/c) __<u>Name</u>__\n\n"
                 "=> not a link\n\n"
                 "````\n```inner\n````\n\n"
                 "- a\n  - b\n    - c\n\n"
                 "3. three\n4. four\n\n"
                 "> quoted\n\n"
                 "# Sec One\n\nSee [the other](#sec-two).\n\n"
                 "[A](https://a.org) [B](https://b.org)\n\n"
                 "![cat](https://c.org/cat.png)\n\n"
                 "# Sec Two\n\nline  \nbreak\n");
    CHECK(gemtext_problem(g) == 0);
    CHECK_CONTAINS(g, "\nI am a lead\n");
    CHECK_CONTAINS(g, "\nProf. Yuchong Hu and [Code] Name\n=> https://x.org/c Code\n");
    CHECK(strstr(g, "=> \n") == NULL && strstr(g, "__") == NULL && strstr(g, "<u>") == NULL);
    CHECK_CONTAINS(g, "\n => not a link\n");
    CHECK_CONTAINS(g, "\n```\n ```inner\n```\n");
    CHECK_CONTAINS(g, "\n* a\n* b\n* c\n");
    CHECK_CONTAINS(g, "\n3. three\n4. four\n");
    CHECK_CONTAINS(g, "\n> quoted\n");
    CHECK_CONTAINS(g, "\n# Sec One\n");
    CHECK_CONTAINS(g, "See the other.\n=> /sec-two/ the other\n");
    CHECK_CONTAINS(g, "\n\n=> https://a.org A\n=> https://b.org B\n\n");
    CHECK_CONTAINS(g, "\n=> https://c.org/cat.png cat\n");
    CHECK_CONTAINS(g, "\nline\nbreak\n");
    free(g);

    /* Hostile bytes still give valid gemtext. */
    const char nasty[] = "\xEF\xBB\xBF# T\r\n\r\ntab\there \xff\xfe bad\r\n\r\n"
                         "nul\0byte\n\n```\n\x01ctl\n";
    g = md_gemtext(nasty, sizeof nasty - 1);
    CHECK(gemtext_problem(g) == 0);
    CHECK(strchr(g, '\t') == NULL && strchr(g, '\x01') == NULL);
    free(g);
    g = MD("");
    CHECK(gemtext_problem(g) == 0);
    free(g);
}

/* kramdown footnotes: "[1]" in the text, the note (its links as link
 * lines) at the end of the section that cites it, before the next one. */
static void test_footnotes(void)
{
    char *g = MD("# One\n\nA claim[^src] again[^src].\n\n"
                 "[^src]: See [the paper](https://p.org/a).\n\n"
                 "# Two\n\nNo notes here.\n");
    CHECK(gemtext_problem(g) == 0);
    CHECK_CONTAINS(g, "A claim[1] again[1].\n");
    CHECK_CONTAINS(g, "\n[1] See the paper.\n=> https://p.org/a the paper\n"
                      "\n# Two\n");
    CHECK(strstr(g, "[^") == NULL);
    free(g);
}

/* Lists and quotes 10,000 deep: no crash, still valid. */
static void test_deep_markdown(void)
{
    struct buf md = {0};
    for (int i = 0; i < 10000; i++)
        buf_puts(&md, "> ");
    buf_puts(&md, "deep quote\n\n");
    for (int i = 0; i < 10000; i++) {
        for (int k = 0; k < i % 50; k++)
            buf_puts(&md, "  ");
        buf_puts(&md, "- item\n");
    }
    char *g = md_gemtext(md.data, md.len);
    CHECK(gemtext_problem(g) == 0);
    CHECK_CONTAINS(g, "deep quote");
    free(g);
    buf_free(&md);
}

/* The seed and the corpus: valid on every page, nothing of the markup. */
static void check_capsule(const char *name, struct loaded *l)
{
    struct buf out = {0};
    int bad = 0;
    render_gemtext_home(&l->d, &l->o, &out);
    bad += gemtext_problem(out.data) != 0;
    for (size_t i = 0; i < l->d.n_sections; i++) {
        buf_clear(&out);
        render_gemtext_section(&l->d, i, &l->o, &out);
        bad += gemtext_problem(out.data) != 0;
    }
    buf_clear(&out);
    render_gemtext_all(&l->d, &l->o, &out);
    bad += gemtext_problem(out.data) != 0;
    CHECK(bad == 0);
    if (bad)
        printf("# invalid gemtext for %s\n", name);
    CHECK(strstr(out.data, "{%") == NULL && strstr(out.data, "<!--") == NULL);
    if (strcmp(name, "capsule") == 0) {
        CHECK_CONTAINS(out.data, "# Zhangqiang Ming\n");
        CHECK_CONTAINS(out.data, "\n# 👨‍🎓 About Me\n");
        CHECK_CONTAINS(out.data, "\n* 2025.10: 🌻🎉 Our paper SSFusion has been accepted");
        CHECK_CONTAINS(out.data, "\n=> https://github.com/zqming-cs Code\n"
                                 "=> https://zhangqiangming.github.io/papers/1_ICDE2026_.pdf Preview / Download\n");
        buf_clear(&out);
        render_gemtext_home(&l->d, &l->o, &out);
        CHECK_CONTAINS(out.data, "\n## Latest news\n=> /news/7/ 2025-10-01 Our paper SSFusion");
        CHECK_CONTAINS(out.data, "\n=> /internships/ 💻 Internships\n");
    }
    buf_free(&out);
}

int main(void)
{
    test_markdown();
    test_footnotes();
    test_deep_markdown();
    int capsules = fx_each_capsule(check_capsule);
    printf("# %d capsules rendered\n", capsules);
    CHECK(capsules >= 1);
    test_blocks();
    test_home();
    test_empty_doc();
    test_invariants_fuzzish();
    return test_done();
}
