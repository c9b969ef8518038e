#include "capsuled/buf.h"
#include "capsuled/render.h"
#include "capsuled/utf8.h"
#include "capsuled/width.h"
#include "test.h"

#include <stdlib.h>

/* Collects wrapped lines joined by '|' and checks each one on the way. */
struct lines {
    struct buf joined;
    size_t count;
    size_t widest;
    int bad_utf8;
};

static void collect(const char *line, size_t len, void *ctx)
{
    struct lines *l = ctx;
    if (l->count++)
        buf_putc(&l->joined, '|');
    buf_put(&l->joined, line, len);
    size_t w = width_text(line, len);
    if (w > l->widest)
        l->widest = w;
    if (!utf8_valid(line, len))
        l->bad_utf8++;
}

static struct lines wrap(const char *text, int width)
{
    struct lines l = {0};
    buf_puts(&l.joined, "");
    wrap_text(text, strlen(text), width, collect, &l);
    return l;
}

static void check_wrap(const char *text, int width, const char *want)
{
    struct lines l = wrap(text, width);
    CHECK_STR(l.joined.data, want);
    buf_free(&l.joined);
}

static void test_wrapping(void)
{
    check_wrap("one two three four", 9, "one two|three|four");
    check_wrap("one two three four", 0, "one two three four");
    check_wrap("exact fit", 9, "exact fit");
    check_wrap("a\nb", 10, "a|b");
    check_wrap("a\n\nb", 10, "a||b");
    check_wrap("trailing\n", 10, "trailing");
    check_wrap("", 10, "");
    check_wrap("   ", 10, "");
    check_wrap("  indented text here", 12, "  indented|text here");
    check_wrap("many    spaces   between", 6, "many|spaces|betwee|n");
    check_wrap("abcdefghij", 4, "abcd|efgh|ij");
    check_wrap("x abcdefghij", 4, "x|abcd|efgh|ij");
    /* Wide glyphs count two columns and are never cut. */
    check_wrap("中文中文中文", 5, "中文|中文|中文");
    check_wrap("👨‍🎓👨‍🎓👨‍🎓", 4, "👨‍🎓👨‍🎓|👨‍🎓");
    check_wrap("🎓 About Me", 8, "🎓 About|Me");
    /* A wide glyph wider than the whole width still goes out, alone. */
    check_wrap("中中", 1, "中|中");
    /* A no-break space joins its words. */
    check_wrap("ab\xC2\xA0" "cd ef", 5, "ab\xC2\xA0" "cd|ef");
}

/* Every line fits unless it is one glyph; no line splits a UTF-8 sequence. */
static void test_wrap_invariants(void)
{
    const char *texts[] = {
        "The quick brown fox jumps over the lazy dog again and again.",
        "我是华中科技大学计算机体系结构方向的博士研究生，研究分布式训练。",
        "🌻🎉 Our paper 👨‍🎓 SSFusion has been accepted 🇨🇳 to ICDE2026 ❤️ yes",
        "Größenwahn über Ähnlichkeit, naïve café — “quoted” text…",
        "supercalifragilisticexpialidocious-and-then-some-more-words",
        "e\xCC\x81\xCC\x81\xCC\x81 combining marks stacked on one base",
    };
    for (int width = 1; width <= 30; width++) {
        for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
            struct lines l = wrap(texts[t], width);
            CHECK(l.bad_utf8 == 0);
            CHECK(l.widest <= (size_t)(width < 2 ? 2 : width));
            buf_free(&l.joined);
        }
    }
}

int main(void)
{
    test_wrapping();
    test_wrap_invariants();
    return test_done();
}
