/* Byte buffers (src/util/buf.c): formatted appends that fit the room the
 * buffer has and those that make it grow. */
#include "capsuled/buf.h"
#include "test.h"

#include <stdio.h>

static void test_printf_short(void)
{
    struct buf b = {0};
    buf_printf(&b, "%d %s\r\n", 20, "text/gemini");
    CHECK_STR(b.data, "20 text/gemini\r\n");
    CHECK(b.len == strlen("20 text/gemini\r\n"));
    buf_printf(&b, "%s", "");
    CHECK(b.len == 16);
    buf_printf(&b, "=> %s %s\n", "/a/", "A");
    CHECK_STR(b.data, "20 text/gemini\r\n=> /a/ A\n");
    buf_free(&b);
}

/* Texts longer than the room left: formatted again once it has grown. */
static void test_printf_grows(void)
{
    struct buf b = {0};
    char word[301];
    memset(word, 'x', 300);
    word[300] = '\0';
    buf_puts(&b, "ab");
    buf_printf(&b, "[%s]", word);
    CHECK(b.len == 304);
    CHECK(b.data[0] == 'a' && b.data[2] == '[' && b.data[303] == ']');
    CHECK(b.data[304] == '\0');
    struct buf want = {0};
    for (int i = 0; i < 200; i++) {
        buf_printf(&b, "%d,", i);
        char n[16];
        snprintf(n, sizeof n, "%d,", i);
        buf_puts(&want, n);
    }
    CHECK(strcmp(b.data + 304, want.data) == 0);
    CHECK(b.len == 304 + want.len);
    buf_free(&b);
    buf_free(&want);
}

int main(void)
{
    test_printf_short();
    test_printf_grows();
    return test_done();
}
