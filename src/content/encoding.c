/* Encoding repair: makes any byte string valid UTF-8 with LF line ends, and
 * undoes the common "UTF-8 read as Mac Roman / Windows-1252" mojibake.
 *
 * Two linear passes. The first sanitizes (BOM, CR, NUL, invalid bytes), so
 * the second can work on code points: at each non-ASCII code point it maps a
 * short run of code points back to the bytes a legacy code page would have
 * given and keeps the result only when those bytes form one valid UTF-8
 * multi-byte sequence for a plausible character. */
#include "capsuled/page.h"

#include "capsuled/buf.h"
#include "capsuled/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cp_byte {
    unsigned short cp;
    unsigned char byte;
};

/* Mac OS Roman bytes 0x80-0xFF by code point, plus a few code points that
 * older mapping tables used for the same bytes (Ω, µ, ¤, ∆, ∙). */
static const struct cp_byte mac_roman[] = {
    {0x00A0, 0xCA}, {0x00A1, 0xC1}, {0x00A2, 0xA2}, {0x00A3, 0xA3}, {0x00A4, 0xDB}, {0x00A5, 0xB4},
    {0x00A7, 0xA4}, {0x00A8, 0xAC}, {0x00A9, 0xA9}, {0x00AA, 0xBB}, {0x00AB, 0xC7}, {0x00AC, 0xC2},
    {0x00AE, 0xA8}, {0x00AF, 0xF8}, {0x00B0, 0xA1}, {0x00B1, 0xB1}, {0x00B4, 0xAB}, {0x00B5, 0xB5},
    {0x00B6, 0xA6}, {0x00B7, 0xE1}, {0x00B8, 0xFC}, {0x00BA, 0xBC}, {0x00BB, 0xC8}, {0x00BF, 0xC0},
    {0x00C0, 0xCB}, {0x00C1, 0xE7}, {0x00C2, 0xE5}, {0x00C3, 0xCC}, {0x00C4, 0x80}, {0x00C5, 0x81},
    {0x00C6, 0xAE}, {0x00C7, 0x82}, {0x00C8, 0xE9}, {0x00C9, 0x83}, {0x00CA, 0xE6}, {0x00CB, 0xE8},
    {0x00CC, 0xED}, {0x00CD, 0xEA}, {0x00CE, 0xEB}, {0x00CF, 0xEC}, {0x00D1, 0x84}, {0x00D2, 0xF1},
    {0x00D3, 0xEE}, {0x00D4, 0xEF}, {0x00D5, 0xCD}, {0x00D6, 0x85}, {0x00D8, 0xAF}, {0x00D9, 0xF4},
    {0x00DA, 0xF2}, {0x00DB, 0xF3}, {0x00DC, 0x86}, {0x00DF, 0xA7}, {0x00E0, 0x88}, {0x00E1, 0x87},
    {0x00E2, 0x89}, {0x00E3, 0x8B}, {0x00E4, 0x8A}, {0x00E5, 0x8C}, {0x00E6, 0xBE}, {0x00E7, 0x8D},
    {0x00E8, 0x8F}, {0x00E9, 0x8E}, {0x00EA, 0x90}, {0x00EB, 0x91}, {0x00EC, 0x93}, {0x00ED, 0x92},
    {0x00EE, 0x94}, {0x00EF, 0x95}, {0x00F1, 0x96}, {0x00F2, 0x98}, {0x00F3, 0x97}, {0x00F4, 0x99},
    {0x00F5, 0x9B}, {0x00F6, 0x9A}, {0x00F7, 0xD6}, {0x00F8, 0xBF}, {0x00F9, 0x9D}, {0x00FA, 0x9C},
    {0x00FB, 0x9E}, {0x00FC, 0x9F}, {0x00FF, 0xD8}, {0x0131, 0xF5}, {0x0152, 0xCE}, {0x0153, 0xCF},
    {0x0178, 0xD9}, {0x0192, 0xC4}, {0x02C6, 0xF6}, {0x02C7, 0xFF}, {0x02D8, 0xF9}, {0x02D9, 0xFA},
    {0x02DA, 0xFB}, {0x02DB, 0xFE}, {0x02DC, 0xF7}, {0x02DD, 0xFD}, {0x0394, 0xC6}, {0x03A9, 0xBD},
    {0x03BC, 0xB5}, {0x03C0, 0xB9}, {0x2013, 0xD0}, {0x2014, 0xD1}, {0x2018, 0xD4}, {0x2019, 0xD5},
    {0x201A, 0xE2}, {0x201C, 0xD2}, {0x201D, 0xD3}, {0x201E, 0xE3}, {0x2020, 0xA0}, {0x2021, 0xE0},
    {0x2022, 0xA5}, {0x2026, 0xC9}, {0x2030, 0xE4}, {0x2039, 0xDC}, {0x203A, 0xDD}, {0x2044, 0xDA},
    {0x20AC, 0xDB}, {0x2122, 0xAA}, {0x2126, 0xBD}, {0x2202, 0xB6}, {0x2206, 0xC6}, {0x220F, 0xB8},
    {0x2211, 0xB7}, {0x2219, 0xE1}, {0x221A, 0xC3}, {0x221E, 0xB0}, {0x222B, 0xBA}, {0x2248, 0xC5},
    {0x2260, 0xAD}, {0x2264, 0xB2}, {0x2265, 0xB3}, {0x25CA, 0xD7}, {0xF8FF, 0xF0}, {0xFB01, 0xDE},
    {0xFB02, 0xDF},
};

/* Windows-1252 bytes 0x80-0x9F that are not C1 controls; 0xA0-0xFF are
 * Latin-1 and handled arithmetically. */
static const struct cp_byte cp1252_high[] = {
    {0x0152, 0x8C}, {0x0153, 0x9C}, {0x0160, 0x8A}, {0x0161, 0x9A}, {0x0178, 0x9F}, {0x017D, 0x8E},
    {0x017E, 0x9E}, {0x0192, 0x83}, {0x02C6, 0x88}, {0x02DC, 0x98}, {0x2013, 0x96}, {0x2014, 0x97},
    {0x2018, 0x91}, {0x2019, 0x92}, {0x201A, 0x82}, {0x201C, 0x93}, {0x201D, 0x94}, {0x201E, 0x84},
    {0x2020, 0x86}, {0x2021, 0x87}, {0x2022, 0x95}, {0x2026, 0x85}, {0x2030, 0x89}, {0x2039, 0x8B},
    {0x203A, 0x9B}, {0x20AC, 0x80}, {0x2122, 0x99},
};

static int search_table(const struct cp_byte *t, size_t n, unsigned cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].cp == cp)
            return t[mid].byte;
        if (t[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int mac_roman_byte(unsigned cp)
{
    return search_table(mac_roman, sizeof mac_roman / sizeof *mac_roman, cp);
}

/* Decoders that met the five undefined Windows-1252 bytes kept them as C1
 * controls, and Latin-1 decoders did so for all of 0x80-0x9F: both map back
 * to their own byte. */
static int cp1252_byte(unsigned cp)
{
    if (cp >= 0x80 && cp <= 0xFF)
        return (int)cp;
    return search_table(cp1252_high, sizeof cp1252_high / sizeof *cp1252_high, cp);
}

typedef int (*code_page_fn)(unsigned cp);

static void put_replacement(struct buf *out)
{
    buf_put(out, "\xEF\xBF\xBD", 3);
}

/* Pass 1: valid UTF-8, LF line ends, no NUL, no leading BOM. Every invalid
 * byte becomes one U+FFFD. */
static void sanitize(const char *in, size_t len, struct buf *out)
{
    size_t i = 0;
    if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        /* Printable runs a word at a time, the line ends (and the other
         * ASCII controls but CR and NUL) between them one by one. */
        size_t run = i + utf8_printable_span(in + i, len - i);
        while (run < len && (unsigned char)in[run] < 0x80 && in[run] != '\r' &&
               in[run] != '\0') {
            run++;
            run += utf8_printable_span(in + run, len - run);
        }
        buf_put(out, in + i, run - i);
        i = run;
        if (i >= len)
            break;
        unsigned cp;
        size_t n;
        if (in[i] == '\r') {
            buf_putc(out, '\n');
            i += (i + 1 < len && in[i + 1] == '\n') ? 2 : 1;
        } else if (in[i] == '\0') {
            put_replacement(out);
            i++;
        } else if ((n = utf8_decode(in + i, len - i, &cp)) > 0) {
            buf_put(out, in + i, n);
            i += n;
        } else {
            put_replacement(out);
            i++;
        }
    }
}

static bool is_noncharacter_or_private(unsigned cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE ||
           (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
}

/* Two-byte results are where honest text can look like mojibake ("“Über"
 * is D2 86 in Mac Roman, a Cyrillic combining mark), so they are only
 * accepted for the scripts that real mojibake of European text yields. */
static bool plausible_two_byte(unsigned cp)
{
    return (cp >= 0xA0 && cp <= 0x17F) || (cp >= 0x391 && cp <= 0x3C9) ||
           (cp >= 0x400 && cp <= 0x45F);
}

static bool plausible_result(unsigned cp, size_t seq_len)
{
    if (cp < 0xA0 || is_noncharacter_or_private(cp))
        return false;
    if (seq_len == 2)
        return plausible_two_byte(cp);
    return true;
}

static size_t sequence_length(int lead)
{
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

/* Tries to read s (valid UTF-8) as code points that the code page produced
 * from one UTF-8 sequence. Returns the bytes of s consumed, 0 if not. */
static size_t try_unmangle(const char *s, size_t len, code_page_fn to_byte,
                           unsigned *result)
{
    unsigned cp;
    size_t pos = utf8_decode(s, len, &cp);
    int lead = to_byte(cp);
    size_t need = sequence_length(lead);
    if (pos == 0 || need == 0)
        return 0;
    char bytes[4];
    bytes[0] = (char)lead;
    for (size_t k = 1; k < need; k++) {
        size_t n = pos < len ? utf8_decode(s + pos, len - pos, &cp) : 0;
        if (n == 0 || cp < 0x80)
            return 0;
        int b = to_byte(cp);
        if (b < 0x80 || b > 0xBF)
            return 0;
        bytes[k] = (char)b;
        pos += n;
    }
    if (utf8_decode(bytes, need, &cp) != need || !plausible_result(cp, need))
        return 0;
    *result = cp;
    return pos;
}

/* Pass 2: restores mojibake; consecutive restored characters count as one
 * span (👨‍🎓 is three sequences but one repair). */
static void unmangle(const char *s, size_t len, struct buf *out, size_t *spans)
{
    static const code_page_fn pages[] = {mac_roman_byte, cp1252_byte};
    size_t i = 0, last_repair_end = (size_t)-1;
    while (i < len) {
        size_t run = i + utf8_ascii_span(s + i, len - i);
        buf_put(out, s + i, run - i);
        i = run;
        if (i >= len)
            break;
        unsigned cp = 0;
        size_t used = 0;
        for (size_t p = 0; p < 2 && used == 0; p++)
            used = try_unmangle(s + i, len - i, pages[p], &cp);
        if (used > 0) {
            char enc[4];
            buf_put(out, enc, utf8_encode(cp, enc));
            if (last_repair_end != i)
                (*spans)++;
            i += used;
            last_repair_end = i;
        } else {
            size_t n = utf8_decode(s + i, len - i, &cp);
            buf_put(out, s + i, n ? n : 1);
            i += n ? n : 1;
        }
    }
}

char *encoding_repair(const char *in, size_t len, size_t *out_len,
                      size_t *repairs)
{
    struct buf clean = {0}, out = {0};
    size_t spans = 0;
    sanitize(in, len, &clean);
    unmangle(clean.data ? clean.data : "", clean.len, &out, &spans);
    buf_free(&clean);
    buf_reserve(&out, 1);
    out.data[out.len] = '\0';
    /* A BOM that was itself mangled ("Ôªø") only shows up now. */
    if (out.len >= 3 && memcmp(out.data, "\xEF\xBB\xBF", 3) == 0) {
        memmove(out.data, out.data + 3, out.len - 3 + 1);
        out.len -= 3;
    }
    if (out_len)
        *out_len = out.len;
    if (repairs)
        *repairs = spans;
    return buf_detach(&out);
}
