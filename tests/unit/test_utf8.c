#include "capsuled/utf8.h"
#include "test.h"

static size_t decode(const char *s, unsigned *cp)
{
    return utf8_decode(s, strlen(s), cp);
}

int main(void)
{
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
