/* The document model: one test per conversion rule, with the traps real
 * profiles hold, then the seed and the corpus, then hostile input. */
#include "capsuled/buf.h"
#include "capsuled/config.h"
#include "capsuled/doc.h"
#include "capsuled/page.h"
#include "test.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static struct doc d;
static struct diags diags;

/* Builds md as the body of a page starting at source line 10, with a web
 * base URL; the model and findings land in d and diags. */
static void build_with(const char *md, const char *base)
{
    doc_free(&d);
    diags_free(&diags);
    memset(&diags, 0, sizeof diags);
    struct page p = {0};
    p.path = "about.md";
    p.body = (char *)md;
    p.body_len = strlen(md);
    p.body_line = 10;
    struct config cfg = {0};
    cfg.site.url = (char *)base;
    doc_build(&p, &cfg, &d, &diags);
}

static void build(const char *md)
{
    build_with(md, "https://example.org/");
}

static const struct block *block(size_t i)
{
    static const struct block none = {.text = ""};
    return i < d.n_blocks ? &d.blocks[i] : &none;
}

static const char *link_url(size_t b, size_t l)
{
    const struct block *bl = block(b);
    return l < bl->n_links && bl->links[l].url ? bl->links[l].url : "(none)";
}

static const char *link_label(size_t b, size_t l)
{
    const struct block *bl = block(b);
    return l < bl->n_links ? bl->links[l].label : "(none)";
}

static const char *link_section(size_t b, size_t l)
{
    const struct block *bl = block(b);
    return l < bl->n_links && bl->links[l].section ? bl->links[l].section
                                                     : "(none)";
}

/* All findings as "line: level: message" lines. */
static char *findings(void)
{
    struct buf out = {0};
    for (size_t i = 0; i < diags.n; i++)
        buf_printf(&out, "%d: %d: %s\n", diags.items[i].line,
                   (int)diags.items[i].level, diags.items[i].msg);
    return buf_detach(&out);
}

#define CHECK_FINDING(needle)                                                \
    do {                                                                     \
        char *f__ = findings();                                              \
        CHECK_CONTAINS(f__, needle);                                         \
        free(f__);                                                           \
    } while (0)

static void test_headings(void)
{
    build("# Title\n\n#### I am a lead paragraph\n\n###### six\n");
    CHECK(d.n_blocks == 3);
    CHECK(block(0)->type == BLOCK_HEADING && block(0)->level == 1);
    CHECK(block(1)->type == BLOCK_HEADING && block(1)->level == 4);
    CHECK_STR(block(1)->text, "I am a lead paragraph");
    CHECK(block(2)->level == 6);

    build("Setext one\n==========\n\nSetext two\n---\n\ntext\n");
    CHECK(block(0)->type == BLOCK_HEADING && block(0)->level == 1);
    CHECK_STR(block(0)->text, "Setext one");
    CHECK(block(1)->type == BLOCK_HEADING && block(1)->level == 2);
}

static void test_inline_text(void)
{
    build("Some *emphasis*, __strong__ and `code  span` here,\nsoft  break"
          "\twith tab.  \nHard break.\\\nAnother.\n");
    CHECK_STR(block(0)->text, "Some emphasis, strong and code span here, "
                              "soft break with tab.\nHard break.\nAnother.");
    build("__<u>Zhangqiang Ming</u>__, Yuchong Hu.\n");
    CHECK_STR(block(0)->text, "Zhangqiang Ming, Yuchong Hu.");
    build("- *2025.10*: &nbsp;Our paper &amp; more &copy;\n");
    CHECK_STR(block(0)->text, "2025.10: Our paper & more \xc2\xa9");
    build("=> not a link line\n\n* not\n");
    CHECK_STR(block(0)->text, "=> not a link line");
    CHECK(block(0)->type == BLOCK_PARA && block(0)->n_links == 0);
    build("a\xc2\x85" "b\x7f" "c\n");
    CHECK_STR(block(0)->text, "abc");
}

static void test_links(void)
{
    build("Prof. [Yuchong Hu]() and [Dan](#).\n");
    CHECK_STR(block(0)->text, "Prof. Yuchong Hu and Dan.");
    CHECK(block(0)->n_links == 0 && !block(0)->only_links);
    CHECK_FINDING("10: 0: link \"Yuchong Hu\" has no URL");

    build("CSRanking) [[Code]](https://github.com/x) "
          "[[Preview]](https://x.io/1.pdf)[[Download]](https://x.io/1.pdf)\n");
    CHECK_STR(block(0)->text, "CSRanking)");
    CHECK(block(0)->n_links == 2);
    CHECK_STR(link_label(0, 0), "Code");
    CHECK_STR(link_url(0, 1), "https://x.io/1.pdf");
    CHECK_STR(link_label(0, 1), "Preview / Download");
    CHECK(!block(0)->only_links);
}

/* Buttons ("[[PDF]](url)") that end a block are cut from its text; any
 * other link, or a button followed by more text, stays. */
static void test_trailing_buttons(void)
{
    build("- A paper. <a href=\"https://x.io/p.pdf\">[PDF]</a> | "
          "[[Slides]](https://x.io/s.pdf)\n");
    CHECK_STR(block(0)->text, "A paper.");
    CHECK(block(0)->n_links == 2 && !block(0)->only_links);

    build("The [[Code]](https://c.org) is public.\n\n"
          "Accepted at [ICDE](https://icde.org)\n\n"
          "See [[About]](#about) [[PDF]](https://x.io/p.pdf)\n\n"
          "[[Code]](https://c.org) [[PDF]](https://x.io/p.pdf)\n\n"
          "# About\n\nText.\n");
    CHECK_STR(block(0)->text, "The [Code] is public.");
    CHECK_STR(block(1)->text, "Accepted at ICDE");
    CHECK_STR(block(2)->text, "See [About]");
    CHECK(block(2)->n_links == 2);
    CHECK(block(3)->only_links && block(3)->n_links == 2);

    build("> Quoted. [[PDF]](https://x.io/p.pdf)\n");
    CHECK_STR(block(0)->text, "Quoted.");
    build("## Head [[PDF]](https://x.io/p.pdf)\n\nText.\n");
    CHECK(block(0)->type == BLOCK_HEADING);
    CHECK_STR(block(0)->text, "Head [PDF]");

    build("[A](https://a.org) | [B](https://b.org) · [A again](https://a.org)"
          "\n\nSee [A](https://a.org).\n\n<https://auto.org/x>\n");
    CHECK(block(0)->only_links && block(0)->n_links == 2);
    CHECK_STR(link_label(0, 0), "A / A again");
    CHECK(!block(1)->only_links);
    CHECK(block(2)->only_links);
    CHECK_STR(link_url(2, 0), "https://auto.org/x");
    CHECK_STR(link_label(2, 0), "https://auto.org/x");

    build("Read [the ref][r] and [r].\n\n[r]: https://ref.org/ \"T\"\n");
    CHECK(block(0)->n_links == 1);
    CHECK_STR(link_url(0, 0), "https://ref.org/");
    CHECK_STR(link_label(0, 0), "the ref / r");
}

static void test_images_and_badges(void)
{
    build("![A cat](https://img.org/cat.png)\n\n"
          "[![GitHub stars](https://img.shields.io/x.svg)](https://github.com/a)"
          "\n\n[![](https://img.shields.io/y.svg)](https://github.com/b)\n");
    CHECK(block(0)->n_links == 1 && block(0)->links[0].image);
    CHECK_STR(link_label(0, 0), "A cat");
    CHECK_STR(block(0)->text, "A cat");
    CHECK(block(0)->only_links);
    CHECK(block(1)->n_links == 1 && !block(1)->links[0].image);
    CHECK_STR(link_url(1, 0), "https://github.com/a");
    CHECK_STR(link_label(1, 0), "GitHub stars");
    CHECK(block(2)->n_links == 1);
    CHECK_STR(link_label(2, 0), "https://github.com/b");
}

static void test_relative_urls(void)
{
    build_with("[a](papers/a.pdf) [b](../b.html) [c](/c?x=1) [d](?q) "
               "[e](//cdn.org/e) [f](mailto:me@x.org) [g](a%20b c)\n",
               "https://example.org/dir/page.html");
    CHECK_STR(link_url(0, 0), "https://example.org/dir/papers/a.pdf");
    CHECK_STR(link_url(0, 1), "https://example.org/b.html");
    CHECK_STR(link_url(0, 2), "https://example.org/c?x=1");
    CHECK_STR(link_url(0, 3), "https://example.org/dir/page.html?q");
    CHECK_STR(link_url(0, 4), "https://cdn.org/e");
    CHECK_STR(link_url(0, 5), "mailto:me@x.org");

    build_with("[a](files/a.pdf)\n", NULL);
    CHECK_STR(link_url(0, 0), "files/a.pdf");
    CHECK_FINDING("site.url is not set");
    CHECK(diags.n == 1);

    build("[x](<has space.pdf>)\n");
    CHECK_STR(link_url(0, 0), "https://example.org/has%20space.pdf");
}

static void test_section_links(void)
{
    build("# About\n\nSee [news](#news), [the news](/#news), "
          "[full](https://example.org/#news), [pubs](#pub-1), "
          "[gone](#nowhere) and [web](https://example.org/#x/y).\n\n"
          "# 🔥 News\n\n- item <a name=\"pub-1\"></a>\n");
    const struct block *b = block(1);
    /* #pub-1 is an anchor inside News: both links name one section. */
    CHECK(b->n_links == 1);
    CHECK(b->links[0].url == NULL);
    CHECK_STR(link_section(1, 0), "news");
    CHECK_STR(link_label(1, 0), "news / the news / full / pubs");
    CHECK_FINDING("link to unknown anchor #nowhere");
    CHECK_FINDING("link to unknown anchor #x/y");
    CHECK_STR(b->text, "See news, the news, full, pubs, gone and web.");
    CHECK(!b->only_links);

    build("[Jump](#news)\n\n# News\n\n[](#news) text\n");
    CHECK(block(0)->only_links);
    CHECK_STR(link_label(2, 0), "News");
}

static void test_lists(void)
{
    build("- a\n  - b\n    1. c\n    2. d\n- e\n\n3. three\n4. four\n\n"
          "7) paren\n");
    CHECK(d.n_blocks == 8);
    CHECK(block(0)->type == BLOCK_ITEM && block(0)->level == 1 &&
          !block(0)->marker);
    CHECK(block(1)->level == 2);
    CHECK(block(2)->level == 3);
    CHECK_STR(block(2)->marker, "1.");
    CHECK_STR(block(3)->marker, "2.");
    CHECK(block(4)->level == 1);
    CHECK_STR(block(4)->text, "e");
    CHECK_STR(block(5)->marker, "3.");
    CHECK_STR(block(6)->marker, "4.");
    CHECK_STR(block(7)->marker, "7)");

    /* Later paragraphs of an item continue it; after a nested list they
     * are unmarked items of the same depth. */
    build("1. first\n\n   second para\n   - nested\n\n   after nested\n"
          "2. next\n");
    CHECK_STR(block(0)->text, "first\nsecond para");
    CHECK_STR(block(0)->marker, "1.");
    CHECK_STR(block(1)->text, "nested");
    CHECK(block(2)->type == BLOCK_ITEM && block(2)->level == 1 &&
          !block(2)->marker);
    CHECK_STR(block(2)->text, "after nested");
    CHECK_STR(block(3)->marker, "2.");
}

static void test_quotes_code_rules(void)
{
    build("> quoted\n> > deeper\n\n---\n\n````md\n```\ncode\n```\n````\n\n"
          "    indented\n\tcode\n");
    CHECK(block(0)->type == BLOCK_QUOTE && block(0)->level == 1);
    CHECK(block(1)->type == BLOCK_QUOTE && block(1)->level == 2);
    CHECK_STR(block(1)->text, "deeper");
    CHECK(block(2)->type == BLOCK_RULE);
    CHECK(block(3)->type == BLOCK_PRE);
    CHECK_STR(block(3)->info, "md");
    CHECK_STR(block(3)->text, "```\ncode\n```");
    CHECK(block(4)->type == BLOCK_PRE && block(4)->info == NULL);
    CHECK_STR(block(4)->text, "indented\ncode");
}

static void test_comments(void)
{
    build("Before <!-- inline --> after.\n\n<!-- multi\nline {{ url | "
          "url_encode }}\n<a href='x'><img src=\"{{ url }}\"></a> -->\n\n"
          "Text <!-- bad -- comment\nstill hidden --> shown.\n\n"
          "<div>\n<!-- opened\n\n# Hidden heading\n\n-->\n</div>\n\nEnd.\n");
    CHECK_STR(block(0)->text, "Before after.");
    CHECK_STR(block(1)->text, "Text shown.");
    CHECK_STR(block(2)->text, "End.");
    CHECK(d.n_blocks == 3);
    CHECK(diags.n == 0);
}

static void test_html_blocks(void)
{
    build("<p>One &amp; done</p><p>Two <a href=\"https://t.org\">link</a><br>"
          "next</p>\n\n<style>\n.x { color: red }\n</style>\n\n"
          "<script>alert(1)</script>\n\n<center><font color=red>Centered"
          "</font></center>\n");
    CHECK(d.n_blocks == 3);
    CHECK_STR(block(0)->text, "One & done");
    CHECK_STR(block(1)->text, "Two link\nnext");
    CHECK_STR(link_url(1, 0), "https://t.org");
    CHECK_STR(block(2)->text, "Centered");

    build("<details class=\"cite\"><summary>Cite</summary><pre><code>"
          "@article{x,\n  title = {A &amp; B}\n}</code></pre></details>\n");
    CHECK(d.n_blocks == 2);
    CHECK_STR(block(0)->text, "Cite");
    CHECK(block(1)->type == BLOCK_PRE);
    CHECK_STR(block(1)->text, "@article{x,\n  title = {A & B}\n}");

    build("<h2 id=\"talks\">Talks</h2>\n<ol start=\"3\"><li>One</li>"
          "<li>Two <img src=\"https://i.org/a.png\" alt=\"pic\"></li></ol>"
          "<hr>\n<blockquote>Q</blockquote>\n");
    CHECK(block(0)->type == BLOCK_HEADING && block(0)->level == 2);
    CHECK_STR(d.sections[0].slug, "talks");
    CHECK(block(1)->type == BLOCK_ITEM);
    CHECK_STR(block(1)->marker, "3.");
    CHECK_STR(block(2)->marker, "4.");
    CHECK_STR(block(2)->text, "Two pic");
    CHECK(block(2)->links[0].image);
    CHECK(block(3)->type == BLOCK_RULE);
    CHECK(block(4)->type == BLOCK_QUOTE);

    build("<div class=\"pub\" markdown=\"1\">\n<span class=\"venue\">ICDE</span>"
          " **[Paper title](https://doi.org/1)**<br>\n[PDF](https://p.org/a.pdf)"
          "\n</div>\n");
    CHECK(d.n_blocks == 1);
    CHECK_STR(block(0)->text, "ICDE Paper title\nPDF");
    CHECK(block(0)->n_links == 2);

    build("<svg><text>drawn</text></svg> kept\n\n<iframe src=\"https://v.org/1\""
          " title=\"Talk video\"></iframe>\n");
    CHECK_STR(block(0)->text, "kept");
    CHECK_FINDING("HTML <svg> dropped with its content");
    CHECK_STR(link_url(1, 0), "https://v.org/1");
    CHECK_STR(link_label(1, 0), "Talk video");
}

/* markdown="1" walks its content as Markdown with its own source: a table
 * inside reads its rows from that source, and the page's source, lines
 * and tables are back after it. Past the nesting limit it is plain HTML. */
static void test_markdown_reentry(void)
{
    build("<div markdown=\"1\">\n"
          "| A | B |\n|---|---|\n| [x](https://x.org) | 2 |\n"
          "</div>\n\n"
          "| C | D |\n|---|---|\n| 3 | 4 |\n\n"
          "Tail {{ again }} text\n");
    CHECK(d.n_blocks == 3);
    CHECK_STR(block(0)->text, "A | B\n--+--\nx | 2");
    CHECK(block(0)->line == 11);
    CHECK_STR(link_url(0, 0), "https://x.org");
    CHECK_STR(block(1)->text, "C | D\n--+--\n3 | 4");
    CHECK(block(1)->line == 16);
    CHECK(block(2)->line == 20);
    CHECK_FINDING("20: 1: Liquid markup left in the text");

    struct buf md = {0};
    for (int i = 0; i < 10; i++)
        buf_puts(&md, "<div markdown=\"1\">\n");
    buf_puts(&md, "*deep* text\n");
    for (int i = 0; i < 10; i++)
        buf_puts(&md, "</div>\n");
    buf_puts(&md, "\nAfter {{ y }}\n");
    build(md.data);
    buf_free(&md);
    CHECK(d.n_blocks == 2);
    CHECK_STR(block(0)->text, "*deep* text"); /* HTML text: no emphasis */
    CHECK_STR(block(1)->text, "After {{ y }}");
    CHECK_FINDING("32: 1: Liquid markup left in the text");
}

/* The text of inline HTML is prose like Markdown text (kramdown attribute
 * lists give ids); a comment opened in HTML runs across nodes, one opened
 * in a table cell ends with the cell, silently. */
static void test_html_prose(void)
{
    build("Lead <span>in {: #span-id} span</span> tail.\n\n"
          "Open <span><!-- in html</span> still hidden --> seen.\n\n"
          "| a | b |\n|---|---|\n| x <!-- cell | y |\n| z | w |\n\n"
          "[to](#span-id)\n");
    CHECK(d.n_blocks == 4);
    CHECK_STR(block(0)->text, "Lead in span tail.");
    CHECK_STR(block(1)->text, "Open seen.");
    CHECK_STR(block(2)->text, "a | b\n--+--\nx | y\nz | w");
    CHECK_STR(link_section(3, 0), "home");
    CHECK(diags.n == 0);
}

/* kramdown's {#id} and attribute lists name headings and blocks; the
 * first list that {:toc} marks becomes the table of contents: one block
 * of links to the headings (H1 to H3), never a "TOC" item. */
static void test_kramdown(void)
{
    build("* TOC\n{:toc}\n\n## Title {#custom-id}\n\nPara\n{: .note #para-id}"
          "\n\n# Top\n\n[to title](#custom-id) [to para](#para-id)\n\n"
          "#### Deep\n\n# Hidden\n{:.no_toc}\n\nx\n\n* Later\n{:toc}\n");
    CHECK_STR(block(0)->text, "Title Top");
    CHECK(block(0)->only_links && block(0)->n_links == 2);
    CHECK_STR(link_section(0, 0), "home");
    CHECK_STR(link_section(0, 1), "top");
    CHECK_STR(block(1)->text, "Title");
    CHECK_STR(block(2)->text, "Para");
    /* An H1 exists, so the H2 lives in the home section, named by its id. */
    CHECK_STR(d.sections[0].slug, "home");
    CHECK(block(4)->n_links == 1);
    CHECK_STR(link_section(4, 0), "home");
    CHECK_STR(link_label(4, 0), "to title / to para");
    /* A second {:toc} list is a list, as kramdown leaves it. */
    CHECK_STR(block(d.n_blocks - 1)->text, "Later");
    CHECK(diags.n == 0);

    build("1. TOC\n{: toc}\n\nText\n");
    CHECK(d.n_blocks == 1);
    CHECK_STR(block(0)->text, "Text");
}

/* An attribute list after a heading (ATX or setext) gives its id, as
 * {#id} does: the section is named by it. Lists of classes only, and
 * attribute list definitions, vanish. */
static void test_kramdown_ials(void)
{
    build("# Heading One #\n{: #first .big}\n\ntext\n\n"
          "Heading Two\n===========\n{:.no_toc}\n\nmore\n\n"
          "# Three\n{: style=\"color: #fff\"}\n\n{:ref: .cls}\n"
          "after *it*{: .x} [l](https://a.example/){: target=\"_blank\"}\n");
    CHECK(d.n_sections == 3);
    CHECK_STR(d.sections[0].slug, "first");
    CHECK_STR(d.sections[0].title, "Heading One");
    CHECK_STR(d.sections[1].slug, "heading-two");
    CHECK_STR(d.sections[2].slug, "three");
    CHECK_STR(block(5)->text, "after it l");
    CHECK(diags.n == 0);
    /* Fenced code keeps its braces. */
    build("```\n# x\n{: #no}\n*[A]: b\n[^1]: c\n```\n");
    CHECK_STR(block(0)->text, "# x\n{: #no}\n*[A]: b\n[^1]: c");
}

/* Footnotes: markers numbered by first citation ("[1]", reused markers
 * keep theirs), notes of several paragraphs walked at the end of the
 * section that cites them; never-cited notes, markers without a note,
 * definitions inside a paragraph and markers in code stay as kramdown
 * leaves them. */
static void test_footnotes(void)
{
    build("# One\n\nA[^b] then[^a] and[^b] `[^a]` [^none].\n\n"
          "[^a]: Note *a*, [link](https://n.example/).\n\n"
          "    Its second paragraph.\n\n"
          "[^b]:\n    Note b.\n\n[^unused]: Never shown.\n\n"
          "# Two\n\nB[^c].\n\nInline\n[^c]: not a definition\n\n"
          "[^c]: Note c.\n");
    CHECK(d.n_sections == 2);
    CHECK_STR(block(1)->text, "A[1] then[2] and[1] [^a] [^none].");
    CHECK_STR(block(2)->text, "[1] Note b.");
    CHECK_STR(block(3)->text, "[2] Note a, link.");
    CHECK_STR(link_url(3, 0), "https://n.example/");
    CHECK_STR(block(4)->text, "Its second paragraph.");
    CHECK(d.sections[0].count == 5);
    CHECK_STR(block(5)->text, "Two");
    CHECK_STR(block(6)->text, "B[3].");
    /* Inside a paragraph "[^c]:" is no definition, but still a marker. */
    CHECK_STR(block(7)->text, "Inline [3]: not a definition");
    CHECK_STR(block(8)->text, "[3] Note c.");
    CHECK(block(8)->line == 30);
    CHECK(d.n_blocks == 9);
    for (size_t i = 0; i < d.n_blocks; i++)
        CHECK(!strstr(block(i)->text, "Never shown"));
    /* A note defined twice: the later one (kramdown overwrites). */
    build("x[^n]\n\n[^n]: first\n\n[^n]: second\n");
    CHECK_STR(block(1)->text, "[1] second");
    CHECK(d.n_blocks == 2);
}

/* Definition lists: the terms a paragraph (a line each), each definition a
 * bullet item; ": " with no term before it is text. */
static void test_definition_lists(void)
{
    build("Apple\nPear\n: A fruit\n: Another\n  lazy\n\nTerm\n\n:   Def\n\n"
          "```\ncode\n```\n: no term\n");
    CHECK_STR(block(0)->text, "Apple\nPear");
    CHECK(block(1)->type == BLOCK_ITEM && !block(1)->marker);
    CHECK_STR(block(1)->text, "A fruit");
    CHECK_STR(block(2)->text, "Another lazy");
    CHECK_STR(block(3)->text, "Term");
    CHECK(block(4)->type == BLOCK_ITEM);
    CHECK_STR(block(4)->text, "Def");
    CHECK(block(6)->type == BLOCK_PARA);
    CHECK_STR(block(6)->text, ": no term");
}

/* Abbreviation definitions vanish (the text keeps the abbreviation);
 * {::comment} hides, {::nomarkdown} HTML is read as HTML, {::options /}
 * vanishes; an extension that never closes is left as kramdown leaves it. */
static void test_kramdown_extensions(void)
{
    build("*[NSF]: National Science Foundation\n*[NIH]: Institutes\n\n"
          "The NSF and NIH.\n\n{::comment}\nhidden block\n{:/comment}\n\n"
          "Span {::comment}hidden span{:/} shown.\n\n"
          "{::nomarkdown}\n<p>raw <b>html</b></p>\n{:/nomarkdown}\n\n"
          "{::options parse_block_html=\"true\" /}\nEnd\n");
    CHECK_STR(block(0)->text, "The NSF and NIH.");
    CHECK_STR(block(1)->text, "Span shown.");
    CHECK_STR(block(2)->text, "raw html");
    CHECK_STR(block(3)->text, "End");
    CHECK(d.n_blocks == 4);
    for (size_t i = 0; i < d.n_blocks; i++) {
        CHECK(!strstr(block(i)->text, "hidden"));
        CHECK(!strstr(block(i)->text, "National"));
    }
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* kramdown's block HTML: an element runs to its matching close tag, blank
 * and indented lines inside it are HTML (never a code block), and it ends
 * at the end of the page when it never closes. */
static void test_kramdown_block_html(void)
{
    build("<div class=\"pubs\">\n\n    <p>First paper</p>\n\n"
          "\t<div>\n\t\t<p>Second paper</p>\n\t</div>\n\n</div>\n\n"
          "After **it**.\n");
    CHECK(d.n_blocks == 3);
    CHECK_STR(block(0)->text, "First paper");
    CHECK(block(0)->type == BLOCK_PARA && block(0)->line == 12);
    CHECK_STR(block(1)->text, "Second paper");
    CHECK(block(1)->type == BLOCK_PARA);
    CHECK_STR(block(2)->text, "After it.");
    CHECK(block(2)->line == 20);

    /* Raw content stays HTML: no Markdown read inside it. */
    build("<div>\n\n**stars** stay\n\n    # not code\n\n</div>\n");
    CHECK(d.n_blocks == 1 && block(0)->type == BLOCK_PARA);
    CHECK_STR(block(0)->text, "**stars** stay # not code");

    /* Never closed: the rest of the page is the element's. */
    build("Lead.\n\n<section>\nopen\n\n# Heading text\n");
    CHECK(d.n_blocks == 2);
    CHECK_STR(block(1)->text, "open # Heading text");
    CHECK(block(1)->type == BLOCK_PARA);

    /* Span elements start paragraphs; fenced code is not looked into. */
    build("<span>a</span>\n\n```\n<div>\n\n    x\n```\n");
    CHECK_STR(block(0)->text, "a");
    CHECK(block(1)->type == BLOCK_PRE);
    CHECK_STR(block(1)->text, "<div>\n\n    x");

    /* After the close tag a new block starts, even without a blank line;
     * a span-looking element that is not one of kramdown's span elements
     * (font) starts block HTML where CommonMark starts a paragraph. */
    build("<div>\n\n    intro\n\n</div>\n# Research\nText [x](https://x.org)\n\n"
          "<font size=\"2\">Small\n\n    still font\n</font>\n\n"
          "<https://auto.org/> <3\n");
    CHECK(d.n_blocks == 5);
    CHECK_STR(block(0)->text, "intro");
    CHECK(block(1)->type == BLOCK_HEADING && block(1)->line == 15);
    CHECK_STR(block(1)->text, "Research");
    CHECK(block(2)->line == 16);
    CHECK_STR(link_url(2, 0), "https://x.org");
    CHECK_STR(block(3)->text, "Small still font");
    CHECK(block(3)->type == BLOCK_PARA && block(3)->line == 18);
    CHECK_STR(block(4)->text, "https://auto.org/ <3");
    CHECK_STR(link_url(4, 0), "https://auto.org/");

    /* A chain of elements without blank lines between them: each its own
     * block, in linear time (cmark sees one HTML block of them all). */
    struct buf chain = {0};
    for (int i = 0; i < 20000; i++)
        buf_puts(&chain, "<div>\nitem\n</div>\n");
    double t0 = seconds();
    build(chain.data);
    buf_free(&chain);
    CHECK(d.n_blocks == 20000);
    CHECK(block(19999)->line == 10 + 3 * 19999);
    CHECK(seconds() - t0 < 10);

    /* A close tag of the same name nests. */
    build("<div>\n<div>\ninner\n</div>\n\n    still html\n</div>\n\n    code\n");
    CHECK(d.n_blocks == 3);
    CHECK_STR(block(1)->text, "still html");
    CHECK(block(2)->type == BLOCK_PRE);
}

/* markdown="1" reads an element's content as kramdown's content model of
 * the element says (div: blocks, p: one paragraph, ul: raw), "block" and
 * "span" as named, "0" as raw HTML; only up to its own close tag. */
static void test_kramdown_markdown_attr(void)
{
    build("<div markdown=\"1\">\n**Bold** news\n\n- one\n- two\n</div>\n\n"
          "    code after\n");
    CHECK(d.n_blocks == 4);
    CHECK_STR(block(0)->text, "Bold news");
    CHECK(block(1)->type == BLOCK_ITEM);
    CHECK_STR(block(2)->text, "two");
    CHECK(block(3)->type == BLOCK_PRE);

    build("<div markdown=\"span\">\n**Span**\n\n    not code\n</div>\n");
    CHECK(d.n_blocks == 2);
    CHECK_STR(block(0)->text, "Span");
    CHECK_STR(block(1)->text, "not code");
    CHECK(block(1)->type == BLOCK_PARA);

    build("<p markdown=\"1\">A **strong** one</p>\n\n"
          "<ul markdown=\"1\">\n<li>**raw**</li>\n</ul>\n\n"
          "<div markdown=\"0\">\n*zero*\n</div>\n");
    CHECK_STR(block(0)->text, "A strong one");
    CHECK_STR(block(1)->text, "**raw**");
    CHECK(block(1)->type == BLOCK_ITEM);
    CHECK_STR(block(2)->text, "*zero*");

    /* Inside raw HTML, markdown="1" on a child still counts, and the raw
     * HTML after it stays HTML. */
    build("<section>\n<div markdown=\"1\">\n*Nested*\n</div>\n\n"
          "    raw line\n</section>\n");
    CHECK(d.n_blocks == 2);
    CHECK_STR(block(0)->text, "Nested");
    CHECK_STR(block(1)->text, "raw line");
    CHECK(block(1)->type == BLOCK_PARA);
}

/* kramdown's math: "$$…$$" as a block is a preformatted block of its
 * source, inline a code span of it; no '*' or '_' in it is emphasis. */
static void test_kramdown_math(void)
{
    build("Inline $$a*b*c$$ and $$x_1 * y_1$$ here.\n\n"
          "$$\n\\sum_i a_i*b_i < c\n$$\n\n$$ E = m*c^2*k $$\n\n"
          "Then *em*.\n");
    CHECK(d.n_blocks == 4);
    CHECK_STR(block(0)->text, "Inline $$a*b*c$$ and $$x_1 * y_1$$ here.");
    CHECK(block(1)->type == BLOCK_PRE);
    CHECK_STR(block(1)->text, "\\sum_i a_i*b_i < c");
    CHECK(block(1)->line == 12);
    CHECK(block(2)->type == BLOCK_PRE);
    CHECK_STR(block(2)->text, "E = m*c^2*k");
    CHECK_STR(block(3)->text, "Then em.");
    CHECK(block(3)->line == 18);

    /* Not a block: text follows the closing "$$", or no blank line
     * before; in code it is code. */
    build("$$a*b$$ then text\n\nlead\n$$\nx\n$$\n\n`$$c*d*e$$`\n");
    CHECK_STR(block(0)->text, "$$a*b$$ then text");
    CHECK(block(0)->type == BLOCK_PARA);
    CHECK(block(1)->type == BLOCK_PARA);
    CHECK_STR(block(2)->text, "$$c*d*e$$");
}

/* kramdown's inline links with spaces in the destination, which CommonMark
 * leaves as text: the label shows; a URL (a scheme, or a site path) gives
 * a link, anything else ("to be appear in CVPR2022") none. */
static void test_kramdown_spaced_links(void)
{
    build("[Few-Shot Head Swapping](to be appear in CVPR2022), "
          "[slides](https://x.org/my slides.pdf) and "
          "[cv](/files/my cv.pdf).\n");
    CHECK_STR(block(0)->text, "Few-Shot Head Swapping, slides and cv.");
    CHECK(block(0)->n_links == 2);
    CHECK_STR(link_url(0, 0), "https://x.org/my%20slides.pdf");
    CHECK_STR(link_label(0, 0), "slides");
    CHECK_STR(link_url(0, 1), "https://example.org/files/my%20cv.pdf");

    /* A title after the destination is not part of it. */
    build("[t1](https://x.org/a b \"Title one\") [t2](/my cv.pdf 'CV') "
          "[t3](to appear \"T\")\n");
    CHECK_STR(block(0)->text, "t1 t2 t3");
    CHECK(block(0)->n_links == 2);
    CHECK_STR(link_url(0, 0), "https://x.org/a%20b");
    CHECK_STR(link_url(0, 1), "https://example.org/my%20cv.pdf");

    /* Not this rule: brackets without a destination, code, a line break. */
    build("[a] (b c) and `[x](y z)` and [p](q\nr s)\n");
    CHECK_STR(block(0)->text, "[a] (b c) and [x](y z) and [p](q r s)");
    CHECK(block(0)->n_links == 0);
}

/* kramdown's typography as Jekyll shows it: dashes, ellipsis, curly quotes
 * and apostrophes, guillemets; never in code, and a comment CommonMark
 * left as text still hides what it holds. */
static void test_kramdown_typography(void)
{
    build("\"Double\" and 'single', it's -- en --- em ... << g >> "
          "`code -- \"q\"`\n\n## A \"quoted\" heading\n\n"
          "    code -- 'x'\n\n[a \"label\"](https://x.org) 2019--2020\n");
    CHECK_STR(block(0)->text,
              "\xe2\x80\x9c" "Double\xe2\x80\x9d and \xe2\x80\x98single"
              "\xe2\x80\x99, it\xe2\x80\x99s \xe2\x80\x93 en \xe2\x80\x94 em "
              "\xe2\x80\xa6 \xc2\xab g \xc2\xbb code -- \"q\"");
    CHECK_STR(block(1)->text, "A \xe2\x80\x9cquoted\xe2\x80\x9d heading");
    CHECK_STR(block(2)->text, "code -- 'x'");
    CHECK_STR(link_label(3, 0), "a \xe2\x80\x9clabel\xe2\x80\x9d");
    CHECK_STR(block(3)->text, "a \xe2\x80\x9clabel\xe2\x80\x9d 2019\xe2\x80\x93"
                              "2020");

    /* kramdown's harder cases, as Jekyll 4.3 shows them. */
    build("The '80s, \"*em*\" and *his*'s, rock 'n' roll, 'tis.\n\n"
          "He said, \"'Quoted' words.\" (\"paren\") \"x\"y\"z\n\n"
          "a----b wait.... <https://a--b.org/x...y> \"end\nof\" line\n");
    CHECK_STR(block(0)->text,
              "The \xe2\x80\x99" "80s, \xe2\x80\x9c" "em\xe2\x80\x9d and "
              "his\xe2\x80\x99s, rock \xe2\x80\x98n\xe2\x80\x99 roll, "
              "\xe2\x80\x98tis.");
    CHECK_STR(block(1)->text,
              "He said, \xe2\x80\x9c\xe2\x80\x98Quoted\xe2\x80\x99 words."
              "\xe2\x80\x9d (\xe2\x80\x9cparen\xe2\x80\x9d) \xe2\x80\x9cx"
              "\xe2\x80\x9dy\xe2\x80\x9dz");
    CHECK_STR(block(2)->text,
              "a\xe2\x80\x94-b wait\xe2\x80\xa6. https://a--b.org/x...y "
              "\xe2\x80\x9c" "end of\xe2\x80\x9d line");

    build("Text <!-- a -- b --> shown -- here.\n\n<div>\n\"raw\" -- html\n</div>\n");
    CHECK_STR(block(0)->text, "Text shown \xe2\x80\x93 here.");
    CHECK_STR(block(1)->text, "\"raw\" -- html");
}

static void test_tables(void)
{
    build("| Name | Score | Link |\n|:-----|------:|:----:|\n"
          "| **Ann** | 9 | [site](https://ann.org) |\n| Bo \\| Jo | 10 |\n");
    CHECK(d.n_blocks == 1);
    CHECK(block(0)->type == BLOCK_PRE);
    CHECK_STR(block(0)->info, "table");
    CHECK_STR(block(0)->text, "Name    | Score | Link\n"
                              "--------+-------+-----\n"
                              "Ann     |     9 | site\n"
                              "Bo | Jo |    10 |");
    CHECK_STR(link_url(0, 0), "https://ann.org");

    build("| 统计学习 | 18'Fall |\n|:--|:--|\n| Python 编程 | x |\n");
    CHECK_STR(block(0)->text, "统计学习    | 18'Fall\n"
                              "------------+--------\n"
                              "Python 编程 | x");

    /* Not a table: the delimiter row does not match the header. */
    build("a | b\n--- | --- | ---\n");
    CHECK(block(0)->type == BLOCK_PARA);
}

static void test_sections(void)
{
    build("<span class='anchor' id='about-me'></span>\n\n"
          "# \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x8e\x93 About Me\n\nHi.\n\n"
          "# \xe2\x8c\x9b\t Research Interests\n- one\n\n# Empty\n\n"
          "# Talks\n\ntext\n\n# Talks\n\nmore\n\n### Sub Part\n\nx\n");
    CHECK(d.n_sections == 5);
    CHECK_STR(d.sections[0].slug, "about-me");
    CHECK_STR(d.sections[0].title,
              "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x8e\x93 About Me");
    CHECK_STR(d.sections[0].plain_title, "About Me");
    CHECK_STR(d.sections[1].slug, "research-interests");
    CHECK_STR(d.sections[1].title, "\xe2\x8c\x9b Research Interests");
    /* A heading with nothing under it stays, as Jekyll shows it. */
    CHECK_STR(d.sections[2].slug, "empty");
    CHECK(d.sections[2].count == 1 &&
          block(d.sections[2].first)->type == BLOCK_HEADING);
    CHECK_STR(d.sections[3].slug, "talks");
    CHECK_STR(d.sections[4].slug, "talks-2");
    /* Its sub-heading's slug, and the id Jekyll gives a repeated
     * heading (test_gfm_ids). */
    CHECK(d.sections[4].n_anchors == 2);
    CHECK_STR(d.sections[4].n_anchors ? d.sections[4].anchors[0] : "",
              "sub-part");
    CHECK_STR(d.sections[4].n_anchors > 1 ? d.sections[4].anchors[1] : "",
              "talks-1");
    CHECK(doc_find_section(&d, "talks-2") == &d.sections[4]);

    build("Intro text.\n\n## First\n\nA\n\n## Second\n\nB\n");
    CHECK(d.n_sections == 3);
    CHECK_STR(d.sections[0].slug, "home");
    CHECK(d.sections[0].first == 0 && d.sections[0].count == 1);
    CHECK_STR(d.sections[1].slug, "first");
    CHECK(d.sections[1].first == 1 && d.sections[1].count == 2);

    build("");
    CHECK(d.n_blocks == 0 && d.n_sections == 1 && d.sections[0].count == 0);
}

/* A section's slug is its path: an id that cannot be one is served under
 * a safe slug, reported, and links to the id follow it. */
static void test_unsafe_ids(void)
{
    build("Intro [odd](#a/b), [two](#x%20y) and [dots](#..).\n\n"
          "# Odd one {#a/b}\n\nA\n\n# Two {#x%20y}\n\nB\n\n"
          "# Taken {#a-b}\n\nC\n\n# Dots {#..}\n\nD\n");
    CHECK(d.n_sections == 5);
    CHECK_STR(d.sections[1].slug, "a-b");
    CHECK_STR(d.sections[2].slug, "x-20y");
    CHECK_STR(d.sections[3].slug, "a-b-2"); /* the safe one came later */
    CHECK_STR(d.sections[4].slug, "section");
    CHECK_STR(link_section(0, 0), "a-b");
    CHECK_STR(link_section(0, 1), "x-20y");
    CHECK_STR(link_section(0, 2), "section");
    CHECK(doc_find_section(&d, "a/b") == NULL);
    CHECK_FINDING("12: 1: heading id 'a/b' is not a safe path; served as /a-b/");
    CHECK_FINDING("16: 1: heading id 'x%20y' is not a safe path; served as "
                  "/x-20y/");
    CHECK_FINDING("heading id '..' is not a safe path; served as /section/");
    CHECK(diags.n == 3);

    /* A heading whose slug would not fit a gopher selector is cut short. */
    struct buf md = {0};
    buf_puts(&md, "# ");
    for (int i = 0; i < 150; i++)
        buf_puts(&md, "\xc3\x9c"); /* Ü: 300 bytes of slug */
    buf_puts(&md, "\n\ntext\n");
    build(md.data);
    buf_free(&md);
    CHECK(d.n_sections == 1 && strlen(d.sections[0].slug) == 200);
    CHECK(strncmp(d.sections[0].slug, "\xc3\xbc\xc3\xbc", 4) == 0);
    CHECK_FINDING("is not a safe path (too long)");

    /* Safe ids stay as they are, without a word. */
    build("# A {#keep_me.v2}\n\nx\n\n# B {#caf\xc3\xa9}\n\ny\n");
    CHECK_STR(d.sections[0].slug, "keep_me.v2");
    CHECK_STR(d.sections[1].slug, "caf\xc3\xa9");
    CHECK(diags.n == 0);
}

static void test_slugify(void)
{
    const char *cases[][2] = {
        {"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x8e\x93 About Me", "about-me"},
        {"Honors & Awards!", "honors-awards"},
        {"  --Hello,   World--  ", "hello-world"},
        {"Über Café", "über-café"},
        {"统计学习 Notes", "统计学习-notes"},
        {"\xf0\x9f\x94\xa5", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = doc_slugify(cases[i][0]);
        CHECK_STR(s, cases[i][1]);
        free(s);
    }
}

/* The ids real Jekyll 4.3 (kramdown 2.4, GFM input) gives these headings,
 * read from its _site/index.html. */
static void test_gfm_ids(void)
{
    const char *cases[][2] = {
        {"\xf0\x9f\x94\xa5 News", "-news"},
        {"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb About Me", "-about-me"},
        {"Sub_part: A.B (c) \xe2\x80\x94 Ünïcode 中文",
         "sub_part-ab-c--ünïcode-中文"},
        {"Tab\there", "tab-here"},
        {"?!(...)", ""}, /* nothing kept: an empty id, not garbage */
        {"Q&A_1 -- x", "qa_1----x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = doc_gfm_id(cases[i][0]);
        CHECK_STR(s, cases[i][1]);
        free(s);
    }
    /* A repeat gets "-1", counted over every heading; a heading with an
     * id of its own gets none; each id finds its section. */
    build("# \xf0\x9f\x94\xa5 News\n\na\n\n# News\n\nb\n\n"
          "# \xf0\x9f\x94\xa5 News\n\nc\n\n# Own {#mine}\n\nd\n");
    CHECK(d.n_sections == 4);
    const char *want[] = {"-news", NULL, "-news-1", NULL};
    for (size_t s = 0; s < 4 && s < d.n_sections; s++) {
        bool found = false;
        for (size_t j = 0; want[s] && j < d.sections[s].n_anchors; j++)
            found |= strcmp(d.sections[s].anchors[j], want[s]) == 0;
        CHECK(!want[s] || found);
    }
    build("Go to [news](#-news-1).\n\n# \xf0\x9f\x94\xa5 News\n\na\n\n"
          "# \xf0\x9f\x94\xa5 News\n\nb\n");
    CHECK(diags.n == 0);
}

static void test_diagnostics(void)
{
    build("# A\n\nLeft {{ page.x }} over.\n\n<!-- never closed\n");
    CHECK_FINDING("12: 1: Liquid markup left in the text");
    CHECK_FINDING("14: 1: HTML comment never closed");
    build("x\n\n<svg>\n<g>\n");
    CHECK_FINDING("unclosed HTML <svg>");
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* The seed through the real loader: the sections the issue names. */
static void test_seed(void)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    char dir[4096], file[4200];
    snprintf(dir, sizeof dir, "%s/capsule", root ? root : "..");
    snprintf(file, sizeof file, "%s/about.md", dir);
    struct config cfg;
    struct diags cd = {0};
    config_load(dir, &cfg, &cd);
    struct page p;
    if (page_load_file(file, &cfg, &p, &cd) != 0) {
        CHECK(!"seed page loads");
        return;
    }
    doc_free(&d);
    diags_free(&diags);
    memset(&diags, 0, sizeof diags);
    doc_build(&p, &cfg, &d, &diags);
    const char *want[] = {"about-me", "research-interests", "news",
                          "publications", "honors-and-awards", "educations",
                          "invited-talks", "internships"};
    CHECK(d.n_sections == 8);
    for (size_t i = 0; i < 8 && i < d.n_sections; i++)
        CHECK_STR(d.sections[i].slug, want[i]);
    CHECK_STR(d.sections[0].plain_title, "About Me");
    const struct block *lead = &d.blocks[d.sections[0].first + 1];
    CHECK(lead->type == BLOCK_HEADING && lead->level == 4);
    CHECK_CONTAINS(lead->text, "supervision of Prof. Yuchong Hu, and");
    CHECK(lead->n_links == 0);
    const struct section *pubs = doc_find_section(&d, "publications");
    const struct block *pub = pubs ? &d.blocks[pubs->first + 1] : block(0);
    CHECK(pub->type == BLOCK_ITEM);
    CHECK(strncmp(pub->text, "Zhangqiang Ming, Rui, Wang", 26) == 0);
    CHECK(pub->n_links == 2);
    CHECK_STR(pub->n_links == 2 ? pub->links[1].label : "",
              "Preview / Download");
    for (size_t i = 0; i < d.n_blocks; i++) {
        const char *t = d.blocks[i].text;
        CHECK(!strstr(t, "<") && !strstr(t, "{%") && !strstr(t, "{{") &&
              !strstr(t, "&nbsp;") && !strstr(t, "__"));
    }
    char *f = findings();
    printf("# seed findings:\n");
    for (char *line = strtok(f, "\n"); line; line = strtok(NULL, "\n"))
        printf("# %s\n", line); /* TAP: diagnostics are comment lines */
    free(f);
    page_free(&p);
    config_free(&cfg);
    diags_free(&cd);
}

/* The real profiles of the corpus build, each with sections and without
 * markup left in the text. */
static void test_corpus(void)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    const char *corpus = getenv("CAPSULED_CORPUS");
    char path[4096];
    if (corpus)
        snprintf(path, sizeof path, "%s", corpus);
    else
        snprintf(path, sizeof path, "%s/../shared/corpus", root ? root : "..");
    DIR *dir = opendir(path);
    if (!dir) {
        printf("# corpus absent: skipped\n");
        return;
    }
    struct dirent *e;
    int pages = 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char file[8300];
        snprintf(file, sizeof file, "%s/%s/about.md", path, e->d_name);
        struct config cfg;
        config_defaults(&cfg);
        struct page p;
        struct diags cd = {0};
        if (page_load_file(file, &cfg, &p, &cd) != 0) {
            config_free(&cfg);
            diags_free(&cd);
            continue;
        }
        doc_free(&d);
        doc_build(&p, &cfg, &d, &cd);
        pages++;
        /* Read alone, without its site, a page's loops over site data
         * render nothing (al-folio's news table): 5 blocks remain. */
        CHECK(d.n_sections >= 1 && d.n_blocks >= 5);
        size_t leaks = 0;
        for (size_t i = 0; i < d.n_blocks; i++)
            if (d.blocks[i].type != BLOCK_PRE &&
                (strstr(d.blocks[i].text, "</") || strstr(d.blocks[i].text,
                                                          "<div")))
                leaks++;
        CHECK(leaks == 0);
        printf("# %s: %zu blocks, sections:", e->d_name, d.n_blocks);
        for (size_t s = 0; s < d.n_sections; s++)
            printf(" %s", d.sections[s].slug);
        printf("\n");
        page_free(&p);
        config_free(&cfg);
        diags_free(&cd);
    }
    closedir(dir);
    CHECK(pages == 6);
}


static void timed_build(const char *what, const char *md, size_t len)
{
    double t0 = seconds();
    doc_free(&d);
    doc_build_markdown(md, len, &d);
    printf("# %s: %zu bytes, %zu blocks, %.3f s\n", what, len, d.n_blocks,
           seconds() - t0);
}

/* kramdown syntax in bulk and unclosed: 20,000 notes citing each other
 * in a ring, openings without stops, runs of backticks of every length,
 * a definition list of 20,000 terms. Linear, and nothing lost. */
static void test_kramdown_hostile(void)
{
    struct buf md = {0};
    for (int i = 0; i < 20000; i++)
        buf_printf(&md, "# H%d\n\nx[^n%d]\n\n[^n%d]: see[^n%d]\n\n", i, i, i,
                   (i + 1) % 20000);
    for (int i = 0; i < 20000; i++)
        buf_puts(&md, "{::comment}\n{::nomarkdown}\n");
    for (int i = 1; i < 2000; i++) {
        for (int k = 0; k < i; k++)
            buf_putc(&md, '`');
        buf_puts(&md, " {::comment} [^n1] ");
    }
    buf_puts(&md, "\n\n");
    for (int i = 0; i < 20000; i++)
        buf_puts(&md, "term\n");
    buf_puts(&md, ": def\n\n* TOC\n{:toc}\n[^");
    double t0 = seconds();
    timed_build("kramdown hostile", md.data, md.len);
    CHECK(seconds() - t0 < 30);
    CHECK(d.n_sections == 20000);
    /* Each note once, at the end of its section: "[k] see[k+1]". */
    CHECK_STR(block(2)->text, "[1] see[2]");
    const struct section *last = &d.sections[d.n_sections - 1];
    CHECK(!strcmp(block(last->first + last->count - 1)->text,
                  "[20000] see[1]"));
    buf_free(&md);
}

static void test_robustness(void)
{
    struct buf md = {0};
    /* Nesting 10,000 deep: lists, quotes, both mixed. */
    for (int i = 0; i < 10000; i++)
        buf_puts(&md, i % 2 ? "- " : "1. ");
    buf_puts(&md, "deep item\n");
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < i * 2; k++)
            buf_putc(&md, ' ');
        buf_puts(&md, "- item\n");
    }
    timed_build("lists 10000 deep", md.data, md.len);
    CHECK(d.n_blocks > 0 && d.blocks[0].level == 10000);
    CHECK_STR(d.n_blocks ? d.blocks[0].text : "", "deep item");
    buf_clear(&md);
    for (int i = 0; i < 10000; i++)
        buf_putc(&md, '>');
    buf_puts(&md, " deep quote\n");
    for (int i = 0; i < 10000; i++)
        buf_puts(&md, "> - ");
    buf_puts(&md, "mixed\n");
    timed_build("quotes 10000 deep", md.data, md.len);
    CHECK(d.n_blocks >= 1 && d.blocks[0].level == 10000);

    /* One 1 MB line full of markup, links and would-be HTML. */
    buf_clear(&md);
    while (md.len < (1u << 20))
        buf_puts(&md, "*a* [l](https://x.org/1) <a href='x'>b</a> <b &amp; "
                      "<!- `c` ![i](j) {{ | ");
    buf_putc(&md, '\n');
    timed_build("1 MB line", md.data, md.len);
    CHECK(d.n_blocks == 1 && strlen(d.blocks[0].text) > 300000);

    /* 10 MB profile: the seed's shapes repeated. */
    size_t seed_len = 0;
    char path[4200];
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/capsule/about.md", root ? root : "..");
    char *seed = read_file(path, &seed_len);
    buf_clear(&md);
    while (seed && md.len < 10u << 20) {
        buf_put(&md, seed, seed_len);
        buf_puts(&md, "\n| a | b |\n|---|---|\n| 1 | [x](y) |\n\n");
    }
    free(seed);
    /* meson sets MALLOC_PERTURB_, which makes glibc fill every block cmark
     * reallocates while parsing 10 MB: minutes of memset that say nothing
     * about this code (ASan covers what perturbing would find). */
    mallopt(M_PERTURB, 0);
    double t0 = seconds();
    timed_build("10 MB", md.data, md.len);
    CHECK(d.n_sections > 1000);
    CHECK(seconds() - t0 < 30);

    /* Odd bytes: NUL-free garbage, unbalanced everything. */
    buf_clear(&md);
    unsigned x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        char c = (char)(x >> 16);
        buf_putc(&md, c ? c : ' ');
    }
    timed_build("random bytes", md.data, md.len);
    CHECK(1);
    buf_free(&md);
}

/* kramdown's typography wherever its characters fall in the text: the
 * scan for them goes eight bytes at a time, so each is tried at every
 * place of the first three words' worth of bytes. */
static void test_typography_anywhere(void)
{
    static const struct {
        const char *in, *out;
    } marks[] = {
        {"--", "\xe2\x80\x93"}, {"---", "\xe2\x80\x94"},
        {"...", "\xe2\x80\xa6"}, {"<<", "\xc2\xab"},
        {">>", "\xc2\xbb"},     {"'s", "\xe2\x80\x99s"},
    };
    bool all = true;
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
        for (int at = 1; at <= 20; at++) {
            char md[64], want[64];
            snprintf(md, sizeof md, "Go %.*s%s end", at,
                     "abcdefghijklmnopqrst", marks[m].in);
            snprintf(want, sizeof want, "Go %.*s%s end", at,
                     "abcdefghijklmnopqrst", marks[m].out);
            struct doc d;
            doc_build_markdown(md, strlen(md), &d);
            bool ok = d.n_blocks == 1 && strcmp(d.blocks[0].text, want) == 0;
            if (!ok)
                printf("# [%s]: [%s]\n", md,
                       d.n_blocks ? d.blocks[0].text : "(none)");
            all &= ok;
            doc_free(&d);
        }
    }
    CHECK(all);
}

int main(void)
{
    test_typography_anywhere();
    test_headings();
    test_inline_text();
    test_links();
    test_trailing_buttons();
    test_images_and_badges();
    test_relative_urls();
    test_section_links();
    test_lists();
    test_quotes_code_rules();
    test_comments();
    test_html_blocks();
    test_markdown_reentry();
    test_html_prose();
    test_kramdown();
    test_kramdown_ials();
    test_footnotes();
    test_definition_lists();
    test_kramdown_extensions();
    test_kramdown_block_html();
    test_kramdown_markdown_attr();
    test_kramdown_math();
    test_kramdown_spaced_links();
    test_kramdown_typography();
    test_tables();
    test_sections();
    test_unsafe_ids();
    test_slugify();
    test_gfm_ids();
    test_diagnostics();
    test_seed();
    test_corpus();
    test_kramdown_hostile();
    test_robustness();
    doc_free(&d);
    diags_free(&diags);
    return test_done();
}
