/* Shared by the libFuzzer targets: the output invariants every renderer
 * must keep whatever the input. A broken invariant aborts, so libFuzzer
 * reports it and keeps the input. */
#ifndef CAPSULED_FUZZ_COMMON_H
#define CAPSULED_FUZZ_COMMON_H

#include "capsuled/buf.h"
#include "capsuled/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints what broke, with the offending output, and aborts. */
static inline void fuzz_fail(const char *what, const char *out, size_t len)
{
    fprintf(stderr, "invariant broken: %s\n--- output (%zu bytes) ---\n",
            what, len);
    fwrite(out, 1, len < 4096 ? len : 4096, stderr);
    fprintf(stderr, "\n--- end ---\n");
    abort();
}

static inline bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* Gemtext: UTF-8, no CR, no NUL, balanced ``` toggles; outside preformatted
 * text every "=>" line names a URL and no line starts with "####" (clients
 * would show it as a heading deeper than the three gemtext has). */
static inline void check_gemtext(const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        fuzz_fail("gemtext holds a NUL byte", s, len);
    if (memchr(s, '\r', len))
        fuzz_fail("gemtext holds a CR", s, len);
    if (!utf8_valid(s, len))
        fuzz_fail("gemtext is not valid UTF-8", s, len);
    bool pre = false;
    for (const char *p = s, *end = s + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (starts_with(p, n, "```")) {
            pre = !pre;
        } else if (!pre && starts_with(p, n, "=>")) {
            size_t i = 2;
            while (i < n && (p[i] == ' ' || p[i] == '\t'))
                i++;
            if (i == n)
                fuzz_fail("a link line without a URL", s, len);
        } else if (!pre && starts_with(p, n, "####")) {
            fuzz_fail("a heading deeper than ###", s, len);
        }
        p += n + 1;
    }
    if (pre)
        fuzz_fail("an odd number of ``` toggle lines", s, len);
}

/* One menu line (CRLF excluded): type and label, selector, host, port. */
static inline void check_menu_line(const char *line, size_t n, const char *s,
                            size_t len)
{
    if (n == 0 || line[0] == '\t')
        fuzz_fail("a menu line without a type", s, len);
    const char *field[4];
    size_t fields = 0;
    field[fields++] = line;
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r')
            fuzz_fail("a bare CR or LF inside a menu line", s, len);
        if (line[i] == '\t') {
            if (fields == 4)
                fuzz_fail("a menu line with more than four fields", s, len);
            field[fields++] = line + i + 1;
        }
    }
    if (fields != 4)
        fuzz_fail("a menu line with fewer than four fields", s, len);
    const char *port = field[3];
    if (port == line + n)
        fuzz_fail("a menu line with an empty port", s, len);
    for (const char *q = port; q < line + n; q++)
        if (*q < '0' || *q > '9')
            fuzz_fail("a menu line with a port that is not a number", s, len);
}

/* Gophermap: CRLF lines of exactly four TAB-separated fields, ending with
 * ".\r\n", valid UTF-8, no NUL. */
static inline void check_gophermap(const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        fuzz_fail("gophermap holds a NUL byte", s, len);
    if (!utf8_valid(s, len))
        fuzz_fail("gophermap is not valid UTF-8", s, len);
    if (len < 3 || memcmp(s + len - 3, ".\r\n", 3) != 0)
        fuzz_fail("gophermap does not end with .CRLF", s, len);
    const char *end = s + len - 3;
    for (const char *p = s; p < end;) {
        const char *cr = memchr(p, '\r', (size_t)(end - p));
        if (!cr || cr + 1 >= s + len || cr[1] != '\n')
            fuzz_fail("a menu line without CRLF", s, len);
        check_menu_line(p, (size_t)(cr - p), s, len);
        p = cr + 2;
    }
}

/* Gopher text (type 0): CRLF line ends only, a lone "." line only at the
 * end (the terminator), valid UTF-8, no NUL. */
static inline void check_gopher_text(const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        fuzz_fail("gopher text holds a NUL byte", s, len);
    if (!utf8_valid(s, len))
        fuzz_fail("gopher text is not valid UTF-8", s, len);
    if (len < 3 || memcmp(s + len - 3, ".\r\n", 3) != 0)
        fuzz_fail("gopher text does not end with .CRLF", s, len);
    for (size_t i = 0; i < len; i++) {
        bool crlf_cr = s[i] == '\r' && i + 1 < len && s[i + 1] == '\n';
        bool crlf_lf = s[i] == '\n' && i > 0 && s[i - 1] == '\r';
        if ((s[i] == '\r' && !crlf_cr) || (s[i] == '\n' && !crlf_lf))
            fuzz_fail("gopher text with a bare CR or LF", s, len);
    }
    for (const char *p = s; p < s + len - 3;) {
        const char *cr = memchr(p, '\r', (size_t)(s + len - p));
        if ((size_t)(cr - p) == 1 && p[0] == '.')
            fuzz_fail("a lone '.' line before the end of gopher text", s, len);
        p = cr + 2;
    }
}

#endif
