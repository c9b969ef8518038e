/* Display width (src/util/width.c): code points, glyphs and whole texts. */
#include "capsuled/width.h"
#include "test.h"

#include <stdbool.h>

static size_t width_of(const char *s)
{
    return width_text(s, strlen(s));
}

static void test_code_points(void)
{
    CHECK(width_cp('a') == 1);
    CHECK(width_cp(0x4E2D) == 2);  /* 中 */
    CHECK(width_cp(0xAC00) == 2);  /* 가 */
    CHECK(width_cp(0xFF21) == 2);  /* fullwidth A */
    CHECK(width_cp(0x1F393) == 2); /* 🎓 */
    CHECK(width_cp(0x1FAE0) == 2); /* 🫠 */
    CHECK(width_cp(0x231B) == 2);  /* ⌛ */
    CHECK(width_cp(0x26A1) == 2);  /* ⚡ */
    CHECK(width_cp(0x2764) == 1);  /* ❤ text presentation */
    CHECK(width_cp(0x2013) == 1);  /* – */
    CHECK(width_cp(0x0301) == 0);  /* combining acute */
    CHECK(width_cp(0x200D) == 0);  /* ZWJ */
    CHECK(width_cp(0xFE0F) == 0);  /* VS16 */
    CHECK(width_cp(0x1F3FD) == 0); /* skin tone */
    CHECK(width_cp(0xFC) == 1);    /* ü */

    CHECK(width_of("") == 0);
    CHECK(width_of("abc") == 3);
    CHECK(width_of("中文") == 4);
    CHECK(width_of("e\xCC\x81") == 1);              /* e + combining acute */
    CHECK(width_of("👨‍🎓") == 2);                    /* ZWJ sequence */
    CHECK(width_of("👨‍👩‍👧‍👦") == 2);                /* family */
    CHECK(width_of("👋🏽") == 2);                    /* skin tone */
    CHECK(width_of("❤️") == 2);                     /* VS16 makes it emoji */
    CHECK(width_of("🇩🇪") == 2);                    /* flag */
    CHECK(width_of("1️⃣") == 2);                     /* keycap */
    CHECK(width_of("🏳️‍🌈") == 2);
    CHECK(width_of("a\xFF" "b") == 3);              /* invalid byte: 1 */
    CHECK(width_of("\xE2\x8C") == 2);               /* truncated sequence */
    CHECK(width_of("🌻🎉 Our") == 8);
}

/* Glyphs: the bytes one drawn glyph takes, and its width. */
static void test_glyphs(void)
{
    int w = -1;
    CHECK(width_glyph("ab", 2, &w) == 1 && w == 1);
    CHECK(width_glyph("e\xCC\x81x", 4, &w) == 3 && w == 1);
    CHECK(width_glyph("👨‍🎓x", strlen("👨‍🎓x"), &w) == strlen("👨‍🎓") && w == 2);
    CHECK(width_glyph("🇩🇪🇫🇷", strlen("🇩🇪🇫🇷"), &w) == strlen("🇩🇪") && w == 2);
    CHECK(width_glyph("1️⃣", strlen("1️⃣"), &w) == strlen("1️⃣") && w == 2);
    CHECK(width_glyph("中文", strlen("中文"), &w) == 3 && w == 2);
    CHECK(width_glyph("\xFF" "a", 2, &w) == 1 && w == 1);
    CHECK(width_glyph("", 0, &w) == 0 && w == 0);
}

/* The sum of the widths of the glyphs at s, one glyph at a time. */
static size_t glyph_by_glyph(const char *s)
{
    size_t len = strlen(s), i = 0, total = 0;
    while (i < len) {
        int w;
        i += width_glyph(s + i, len - i, &w);
        total += (size_t)w;
    }
    return total;
}

/* width_text counts runs of ASCII at once: a mark, keycap or variation
 * selector after the run still belongs to its last character. */
static void test_ascii_runs(void)
{
    CHECK(width_of("abce\xCC\x81") == 4);             /* e + acute last */
    CHECK(width_of("ab1\xEF\xB8\x8F\xE2\x83\xA3") == 4); /* keycap 1 */
    CHECK(width_of("no \xE4\xB8\xAD") == 5);          /* 中 after a run */
    CHECK(width_of("x\xE2\x80\x8D") == 1);            /* ZWJ at the end */
    const char *texts[] = {
        "plain words, nothing else", "e\xCC\x81t\xC3\xA9 caf\xC3\xA9",
        "#\xEF\xB8\x8F\xE2\x83\xA3 tag", "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA de",
        "a\xFF" "b", "tail\xE2\x8C", "\xCC\x81lead", "x", "",
    };
    bool same = true;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        same &= width_of(texts[i]) == glyph_by_glyph(texts[i]);
    CHECK(same);
}

int main(void)
{
    test_code_points();
    test_glyphs();
    test_ascii_runs();
    return test_done();
}
