/* Encoding repair: sanitizing (BOM, CR, NUL, invalid bytes) and undoing
 * Mac Roman / Windows-1252 mojibake without touching correct text. */
#include "capsuled/buf.h"
#include "capsuled/page.h"
#include "test.h"

#include <dirent.h>
#include <stdlib.h>

static size_t last_repairs;

/* Repairs a NUL-terminated string and returns a static copy for CHECK_STR. */
static const char *repair(const char *in)
{
    static char *last;
    free(last);
    size_t n;
    last = encoding_repair(in, strlen(in), &n, &last_repairs);
    return last;
}

static void test_seed_mojibake(void)
{
    /* 👨‍🎓 through Mac Roman: U+F8FF ü ë ® ‚ Ä ç U+F8FF ü é ì */
    CHECK_STR(repair("# \xef\xa3\xbf\xc3\xbc\xc3\xab\xc2\xae\xe2\x80\x9a\xc3\x84\xc3\xa7"
                     "\xef\xa3\xbf\xc3\xbc\xc3\xa9\xc3\xac About Me"),
              "# \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x8e\x93 About Me");
    CHECK(last_repairs == 1); /* one span, three sequences */
    /* ⌛ followed by the seed's tab */
    CHECK_STR(repair("# \xe2\x80\x9a\xc3\xa5\xc3\xb5\t Research"), "# \xe2\x8c\x9b\t Research");
    /* en dash between years */
    CHECK_STR(repair("*2022 \xe2\x80\x9a\xc3\x84\xc3\xac 2023*"), "*2022 \xe2\x80\x93 2023*");
    /* 🌻🎉: two emoji in a row are one span */
    CHECK_STR(repair("&nbsp;\xef\xa3\xbf\xc3\xbc\xc3\xa5\xc2\xaa\xef\xa3\xbf\xc3\xbc\xc3\xa9\xc3\xa2 Our"),
              "&nbsp;\xf0\x9f\x8c\xbb\xf0\x9f\x8e\x89 Our");
    CHECK(last_repairs == 1);
    /* 🔥 ends in a Mac Roman bullet (U+2022) */
    CHECK_STR(repair("# \xef\xa3\xbf\xc3\xbc\xc3\xae\xe2\x80\xa2 News"), "# \xf0\x9f\x94\xa5 News");
    /* two separate spans */
    repair("\xe2\x80\x9a\xc3\x84\xc3\xac and \xe2\x80\x9a\xc3\x84\xc3\xac");
    CHECK(last_repairs == 2);
}

static void test_windows_1252(void)
{
    CHECK_STR(repair("caf\xc3\x83\xc2\xa9"), "caf\xc3\xa9");                 /* cafÃ© */
    CHECK_STR(repair("it\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s"), "it\xe2\x80\x99s"); /* itâ€™s */
    /* ZWJ E2 80 8D: 0x8D is undefined in 1252 and survives as U+008D */
    CHECK_STR(repair("\xc3\xa2\xe2\x82\xac\xc2\x8d"), "\xe2\x80\x8d");
    /* Mac Roman "√©" is é too */
    CHECK_STR(repair("caf\xe2\x88\x9a\xc2\xa9"), "caf\xc3\xa9");
}

static void test_correct_text_untouched(void)
{
    static const char *const texts[] = {
        "Gr\xc3\xbc\xc3\x9f" "e, \xc3\x84rger, \xc3\xbc" "ber, Stra\xc3\x9f" "e",
        "\xe2\x80\x9c\xc3\x9c" "ber\xe2\x80\x9d und \xe2\x80\x9c\xc3\x89" "douard\xe2\x80\x9d",
        "\xc2\xab\xc3\x89" "t\xc3\xa9\xc2\xbb, \xc3\xa0 l'h\xc3\xb4pital, na\xc3\xaf" "ve, \xc3\x87" "a",
        "\xe5\x9b\xbd\xe5\xae\xb6\xe7\xba\xa7\xe4\xb8\x89\xe7\xad\x89\xe5\xa5\x96\xef\xbc\x88",
        "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb \xf0\x9f\x8e\x93 \xf0\x9f\x8f\x83\xe2\x80\x8d\xe2\x99\x82\xef\xb8\x8f",
        "2022\xe2\x80\x93" "2023 \xe2\x80\x94 \xc2\xb7 \xe2\x80\x99 \xc2\xb0" "C \xc2\xa9 \xe2\x84\xa2",
        ("\xc3\x85ngstr\xc3\xb6m, \xc3\x98rsted, \xc3\x86sir, \xc3\xb1" "and\xc3\xba"),
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        CHECK_STR(repair(texts[i]), texts[i]);
        CHECK(last_repairs == 0);
    }
}

static void test_sanitizing(void)
{
    CHECK_STR(repair("\xef\xbb\xbf# Title\n"), "# Title\n");      /* BOM dropped */
    CHECK_STR(repair("a\r\nb\rc\n\r\n"), "a\nb\nc\n\n");         /* CRLF, CR */
    CHECK_STR(repair("a\tb\t\n"), "a\tb\t\n");                   /* tabs kept */
    CHECK_STR(repair("caf\xe9 \xff\xfe!"), "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd!");
    CHECK_STR(repair("\xe2\x8c"), "\xef\xbf\xbd\xef\xbf\xbd");   /* truncated */
    CHECK_STR(repair("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    CHECK_STR(repair(""), "");
    /* a mangled BOM: Ôªø */
    CHECK_STR(repair("\xc3\x94\xc2\xaa\xc3\xb8# T"), "# T");

    size_t n, r;
    char *out = encoding_repair("a\0b\0", 4, &n, &r);
    CHECK(n == 8 && memcmp(out, "a\xef\xbf\xbd" "b\xef\xbf\xbd", 8) == 0);
    free(out);
    /* a mojibake span cut off at the end is left alone */
    CHECK_STR(repair("x \xef\xa3\xbf\xc3\xbc\xc3\xab"), "x \xef\xa3\xbf\xc3\xbc\xc3\xab");
    /* a control character result is not a repair: ¬ + Ä would be U+0080 */
    CHECK_STR(repair("\xc2\xac\xc3\x84"), "\xc2\xac\xc3\x84");
}

static void test_large_input(void)
{
    size_t len = 10u << 20, n, r;
    char *big = malloc(len);
    static const char unit[] = "\xe2\x80\x9a\xc3\x84\xc3\xac caf\xc3\xa9 \xe5\x9b\xbd\r\n";
    for (size_t i = 0; i < len; i++)
        big[i] = unit[i % (sizeof unit - 1)];
    char *out = encoding_repair(big, len, &n, &r);
    CHECK(r > 500000);
    CHECK(out[n] == '\0' && n < len);
    free(out);
    free(big);
}

/* Real profiles must come out as they went in, apart from CRLF → LF. */
static void test_corpus(void)
{
    const char *dir = getenv("CAPSULED_CORPUS") ? getenv("CAPSULED_CORPUS")
                                                 : "../shared/corpus";
    struct buf path = {0};
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    if (!getenv("CAPSULED_CORPUS") && root)
        buf_printf(&path, "%s/../shared/corpus", root);
    else
        buf_puts(&path, dir);
    DIR *d = opendir(path.data);
    if (!d) {
        printf("# corpus not found, skipped\n");
        buf_free(&path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct buf file = {0}, want = {0};
        buf_printf(&file, "%s/%s/about.md", path.data, e->d_name);
        FILE *f = fopen(file.data, "rb");
        if (f) {
            int c;
            while ((c = fgetc(f)) != EOF)
                if (c != '\r')
                    buf_putc(&want, (char)c);
            fclose(f);
            size_t n, r;
            char *got = encoding_repair(want.data, want.len, &n, &r);
            CHECK(r == 0 && n == want.len && memcmp(got, want.data, n) == 0);
            if (r)
                printf("# %s: %zu repairs\n", file.data, r);
            free(got);
        }
        buf_free(&file);
        buf_free(&want);
    }
    closedir(d);
    buf_free(&path);
}

int main(void)
{
    test_seed_mojibake();
    test_windows_1252();
    test_correct_text_untouched();
    test_sanitizing();
    test_large_input();
    test_corpus();
    repair("");
    return test_done();
}
