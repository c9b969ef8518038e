/* Display width: what terminals and gopher clients actually draw. East
 * Asian wide and fullwidth characters and emoji take two columns, marks
 * that attach to a previous character take none. The tables are ranges,
 * not a full Unicode database: they cover the scripts and emoji a profile
 * page uses, and an over-estimate only makes a line shorter. */
#include "capsuled/width.h"
#include "capsuled/utf8.h"

#include <stdbool.h>

struct range {
    unsigned lo, hi;
};

/* Combining marks of the common scripts, invisible format characters,
 * variation selectors, emoji skin tones and tag characters. */
static const struct range zero_width[] = {
    {0x00AD, 0x00AD},   {0x0300, 0x036F},   {0x0483, 0x0489},
    {0x0591, 0x05BD},   {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},
    {0x064B, 0x065F},   {0x0670, 0x0670},   {0x06D6, 0x06DC},
    {0x06DF, 0x06E4},   {0x06E7, 0x06E8},   {0x06EA, 0x06ED},
    {0x0900, 0x0902},   {0x093A, 0x093A},   {0x093C, 0x093C},
    {0x0941, 0x0948},   {0x094D, 0x094D},   {0x0951, 0x0957},
    {0x0962, 0x0963},   {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},
    {0x0E47, 0x0E4E},   {0x1160, 0x11FF},   {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF},   {0x200B, 0x200F},   {0x202A, 0x202E},
    {0x2060, 0x2064},   {0x20D0, 0x20FF},   {0x302A, 0x302D},
    {0x3099, 0x309A},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE2F},
    {0xFEFF, 0xFEFF},   {0x1F3FB, 0x1F3FF}, {0xE0000, 0xE007F},
    {0xE0100, 0xE01EF},
};

/* East Asian Wide and Fullwidth, and the emoji drawn in colour by default
 * (Emoji_Presentation): those in U+2300–U+2BFF one by one, the emoji
 * planes as blocks. */
static const struct range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},
    {0x23E9, 0x23EC},   {0x23F0, 0x23F0},   {0x23F3, 0x23F3},
    {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},
    {0x26F2, 0x26F3},   {0x26F5, 0x26F5},   {0x26FA, 0x26FA},
    {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},
    {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B16F}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F202}, {0x1F210, 0x1F23B}, {0x1F240, 0x1F248},
    {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF},
    {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

#define ZWJ 0x200D
#define VS16 0xFE0F
#define KEYCAP 0x20E3

static bool in_ranges(unsigned cp, const struct range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int width_cp(unsigned cp)
{
    if (cp < 0x300)
        return cp == 0xAD ? 0 : 1;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof *zero_width))
        return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof *wide))
        return 2;
    return 1;
}

static bool is_regional_indicator(unsigned cp)
{
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

size_t width_glyph_any(const char *s, size_t len, int *width)
{
    unsigned base, cp;
    size_t i = utf8_decode(s, len, &base);
    if (i == 0) {
        *width = len ? 1 : 0;
        return len ? 1 : 0;
    }
    int w = width_cp(base);
    size_t n;
    if (is_regional_indicator(base) && (n = utf8_decode(s + i, len - i, &cp)) &&
        is_regional_indicator(cp)) {
        i += n; /* a flag: two indicators drawn as one wide glyph */
        w = 2;
    }
    while (i < len && (n = utf8_decode(s + i, len - i, &cp)) != 0) {
        if (cp == ZWJ) {
            /* The joined code point is drawn inside this glyph (👨‍🎓). */
            i += n;
            unsigned next;
            size_t m = i < len ? utf8_decode(s + i, len - i, &next) : 0;
            if (m && next > 0x7F)
                i += m;
            continue;
        }
        if (cp == VS16 || cp == KEYCAP) {
            /* Emoji presentation asked for: clients draw it wide. */
            if (w == 1 && (base >= 0xA9 || cp == KEYCAP))
                w = 2;
            i += n;
            continue;
        }
        if (width_cp(cp) != 0)
            break;
        i += n;
    }
    *width = w;
    return i;
}

size_t width_text(const char *s, size_t len)
{
    size_t total = 0, i = 0;
    while (i < len) {
        /* A run of ASCII, each byte one column, but for its last byte,
         * which a mark after it may join: width_glyph's. */
        size_t run = utf8_ascii_span(s + i, len - i);
        if (run > 1) {
            total += run - 1;
            i += run - 1;
        }
        int w;
        i += width_glyph(s + i, len - i, &w);
        total += (size_t)w;
    }
    return total;
}
