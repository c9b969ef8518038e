#include "capsuled/utf8.h"
#include "test.h"

#include <stdbool.h>

static size_t decode(const char *s, unsigned *cp)
{
    return utf8_decode(s, strlen(s), cp);
}

/* The spans, byte by byte, as the word-at-a-time code must count them. */
static size_t ascii_span_ref(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

static size_t printable_span_ref(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
        i++;
    return i;
}

/* Every byte value at every place of a 24-byte printable text (so in the
 * first, second and third word and at each byte of one), and every
 * length: the spans end where the byte-by-byte count ends. */
static void test_spans(void)
{
    char text[25];
    bool same = true;
    for (int at = 0; at < 24; at++) {
        for (int c = 0; c < 256; c++) {
            memset(text, 'a', 24);
            text[at] = (char)c;
            for (size_t len = 0; len <= 24; len++) {
                same &= utf8_ascii_span(text, len) == ascii_span_ref(text, len);
                same &= utf8_printable_span(text, len) ==
                        printable_span_ref(text, len);
            }
        }
    }
    CHECK(same);
    /* Texts mixing the bytes at the edges of the ranges, where one
     * byte's borrow could hide another's. */
    static const unsigned char edge[] = {0x00, 0x01, 0x1F, 0x20, 0x21, 0x7E,
                                         0x7F, 0x80, 0x81, 0xFF, 'a'};
    unsigned seed = 1;
    same = true;
    for (int n = 0; n < 20000; n++) {
        for (int i = 0; i < 24; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = (seed >> 16) % 2 ? 'a'
                                       : (char)edge[(seed >> 20) % sizeof edge];
        }
        same &= utf8_ascii_span(text, 24) == ascii_span_ref(text, 24);
        same &= utf8_printable_span(text, 24) == printable_span_ref(text, 24);
    }
    CHECK(same);
    CHECK(utf8_printable_span("plain text here, and more\n", 26) == 25);
    CHECK(utf8_printable_span("12345678\x7f", 9) == 8);
    CHECK(utf8_ascii_span("12345678\x7f\xc3\xa9", 11) == 9);
    CHECK(utf8_ascii_span("", 0) == 0);
}

int main(void)
{
    test_spans();
    unsigned cp = 0;
    CHECK(decode("A", &cp) == 1 && cp == 'A');
    CHECK(decode("\xc3\xbc", &cp) == 2 && cp == 0xFC);
    CHECK(decode("\xe2\x8c\x9b", &cp) == 3 && cp == 0x231B);
    CHECK(decode("\xf0\x9f\x91\xa8", &cp) == 4 && cp == 0x1F468);
    CHECK(decode("\xc0\xaf", &cp) == 0);         /* overlong */
    CHECK(decode("\xed\xa0\x80", &cp) == 0);     /* surrogate */
    CHECK(decode("\xf4\x90\x80\x80", &cp) == 0); /* above U+10FFFF */
    CHECK(decode("\xe2\x8c", &cp) == 0);         /* truncated */
    CHECK(decode("\x80", &cp) == 0);             /* lone continuation */

    char out[4];
    CHECK(utf8_encode(0x1F393, out) == 4 && memcmp(out, "\xf0\x9f\x8e\x93", 4) == 0);
    CHECK(utf8_encode(0x2013, out) == 3 && memcmp(out, "\xe2\x80\x93", 3) == 0);
    CHECK(utf8_valid("caf\xc3\xa9", 5));
    CHECK(!utf8_valid("caf\xe9", 4));
    CHECK(utf8_is_line_text("caf\xc3\xa9 ok", 8));
    CHECK(!utf8_is_line_text("a\tb", 3));
    CHECK(!utf8_is_line_text("a\x7f", 2));
    CHECK(!utf8_is_line_text("caf\xe9", 4));

    /* Escaping for the log: controls, DEL, C1 and stray bytes; UTF-8 kept. */
    char esc[64];
    const char *in = "a\x1b[2J\r\nb\x7f \xc2\x9b\xff\xf0\x9f\x8e\x93\xc3\xa9";
    utf8_escape_controls(esc, sizeof esc, in, strlen(in), false);
    CHECK_STR(esc, "a\\x1b[2J\\x0d\\x0ab\\x7f \\xc2\\x9b\\xff\xf0\x9f\x8e\x93\xc3\xa9");
    CHECK(utf8_escape_controls(esc, sizeof esc, "a b\t", 4, true) == 10);
    CHECK_STR(esc, "a\\x20b\\x09");
    /* Truncation never cuts an escape or a character. */
    CHECK(utf8_escape_controls(esc, 6, "ab\x1b", 3, false) == 2);
    CHECK_STR(esc, "ab");
    CHECK(utf8_escape_controls(esc, 5, "abc\xc3\xa9", 5, false) == 3);
    CHECK(utf8_escape_controls(esc, 1, "abc", 3, false) == 0 && esc[0] == '\0');
    return test_done();
}
