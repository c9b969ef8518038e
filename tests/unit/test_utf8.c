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
    return test_done();
}
