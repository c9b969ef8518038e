/* Dates and times for the date filters: a small parser for the forms YAML,
 * Jekyll and Ruby's Time.parse give (ISO 8601 and YAML, month names, RFC
 * 2822) and Ruby's strftime with its flags, over the calendar of
 * capsuled/date.h (shared with the site model's dates). */
#include "date.h"
#include "capsuled/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- parsing --- */

struct scan {
    const char *s;
    size_t len, i;
};

static void skip_spaces(struct scan *sc)
{
    while (sc->i < sc->len && isspace((unsigned char)sc->s[sc->i]))
        sc->i++;
}

/* Reads 1..max digits; false (nothing consumed) when there are none. */
static bool digits(struct scan *sc, int max, int64_t *out, int *count)
{
    int n = 0;
    int64_t v = 0;
    while (n < max && sc->i < sc->len && isdigit((unsigned char)sc->s[sc->i]))
        v = v * 10 + (sc->s[sc->i++] - '0'), n++;
    if (count)
        *count = n;
    *out = v;
    return n > 0;
}

static bool accept(struct scan *sc, char c)
{
    if (sc->i < sc->len && sc->s[sc->i] == c) {
        sc->i++;
        return true;
    }
    return false;
}

/* A word of letters; its length (0 when none). */
static size_t word(struct scan *sc, const char **w)
{
    size_t start = sc->i;
    while (sc->i < sc->len && isalpha((unsigned char)sc->s[sc->i]))
        sc->i++;
    *w = sc->s + start;
    return sc->i - start;
}

/* 1..12 for a month name or its three-letter abbreviation, else 0. */
static int month_of(const char *w, size_t n)
{
    for (int m = 1; m <= 12 && n >= 3; m++) {
        const char *name = date_month_name(m);
        if (n <= strlen(name) && strncasecmp(w, name, n) == 0 &&
            (n == 3 || n == strlen(name) || (m == 9 && n == 4)))
            return m;
    }
    return 0;
}

static bool is_weekday(const char *w, size_t n)
{
    for (int d = 0; d < 7 && n >= 3; d++)
        if (n <= strlen(date_day_name(d)) &&
            strncasecmp(w, date_day_name(d), n) == 0)
            return true;
    return false;
}

struct fields {
    int64_t year, month, day, hour, min, sec;
    long nsec;
    int32_t offset;
    bool utc, has_zone;
};

/* "2024-01-02" or "2024/1/2". */
static bool numeric_date(struct scan *sc, struct fields *f)
{
    int n;
    size_t start = sc->i;
    if (digits(sc, 6, &f->year, &n) && n >= 4 && (accept(sc, '-') || accept(sc, '/'))) {
        char sep = sc->s[sc->i - 1];
        if (digits(sc, 2, &f->month, NULL) && accept(sc, sep) &&
            digits(sc, 2, &f->day, NULL))
            return true;
    }
    sc->i = start;
    return false;
}

/* "Jan 5, 2024", "January 5th 2024", "March 2024", "5 Jan 2024". */
static bool named_date(struct scan *sc, struct fields *f)
{
    const char *w;
    size_t start = sc->i, n = word(sc, &w);
    f->month = month_of(w, n);
    if (f->month) {
        skip_spaces(sc);
        int count;
        if (!digits(sc, 4, &f->day, &count))
            return false;
        if (count == 4) {
            f->year = f->day, f->day = 1;
            return true;
        }
        word(sc, &w), accept(sc, ','), skip_spaces(sc);
        return digits(sc, 6, &f->year, &count) && count == 4;
    }
    sc->i = start;
    if (!digits(sc, 2, &f->day, NULL))
        return false;
    word(sc, &w);
    skip_spaces(sc), accept(sc, '-');
    n = word(sc, &w);
    if (!(f->month = month_of(w, n)))
        return false;
    skip_spaces(sc), accept(sc, '-'), accept(sc, ',');
    skip_spaces(sc);
    int count;
    return digits(sc, 6, &f->year, &count) && count == 4;
}

/* "10:00", "10:00:05", "10:00:05.123". */
static bool time_of_day(struct scan *sc, struct fields *f)
{
    size_t start = sc->i;
    if (sc->i < sc->len && (sc->s[sc->i] == 'T' || sc->s[sc->i] == 't'))
        sc->i++;
    else
        skip_spaces(sc);
    if (!digits(sc, 2, &f->hour, NULL) || !accept(sc, ':') ||
        !digits(sc, 2, &f->min, NULL)) {
        sc->i = start;
        return false;
    }
    if (accept(sc, ':'))
        digits(sc, 2, &f->sec, NULL);
    if (accept(sc, '.') || accept(sc, ',')) {
        int n;
        int64_t frac;
        digits(sc, 9, &frac, &n);
        while (n++ < 9)
            frac *= 10;
        f->nsec = (long)frac;
        while (sc->i < sc->len && isdigit((unsigned char)sc->s[sc->i]))
            sc->i++;
    }
    return true;
}

/* Hours west for the US zone names Ruby knows. */
static int us_zone(const char *w, size_t n)
{
    static const char *names[] = {"EST", "EDT", "CST", "CDT", "MST", "MDT",
                                  "PST", "PDT"};
    static const int hours[] = {-5, -4, -6, -5, -7, -6, -8, -7};
    for (int i = 0; i < 8; i++)
        if (n == 3 && strncasecmp(w, names[i], 3) == 0)
            return hours[i];
    return 0;
}

/* "Z", "UTC", "GMT", "+01:00", "+0100", "+01", "EST". */
static bool zone(struct scan *sc, struct fields *f)
{
    skip_spaces(sc);
    const char *w;
    size_t start = sc->i, n = word(sc, &w);
    if ((n == 1 && toupper((unsigned char)*w) == 'Z') ||
        (n == 3 && (strncasecmp(w, "UTC", 3) == 0 || strncasecmp(w, "GMT", 3) == 0))) {
        f->utc = f->has_zone = true;
        return true;
    }
    if (n) {
        f->offset = us_zone(w, n) * 3600;
        f->has_zone = f->offset != 0;
        return f->has_zone;
    }
    sc->i = start;
    if (!(accept(sc, '+') || accept(sc, '-')))
        return true; /* no zone at all */
    int sign = sc->s[sc->i - 1] == '-' ? -1 : 1, count;
    int64_t hh, mm = 0;
    if (!digits(sc, 4, &hh, &count))
        return false;
    if (count == 4)
        mm = hh % 100, hh /= 100;
    else if (accept(sc, ':') && !digits(sc, 2, &mm, NULL))
        return false;
    f->offset = (int32_t)(sign * (hh * 3600 + mm * 60));
    f->has_zone = true;
    return hh < 24 && mm < 60;
}

/* Reads a date, an optional time of day and an optional zone. */
static bool scan_fields(struct scan *sc, struct fields *f)
{
    const char *w;
    skip_spaces(sc);
    size_t start = sc->i, n = word(sc, &w);
    if (n && is_weekday(w, n)) {
        accept(sc, ','), skip_spaces(sc);
    } else {
        sc->i = start;
    }
    if (!numeric_date(sc, f) && !named_date(sc, f))
        return false;
    if (time_of_day(sc, f) && !zone(sc, f))
        return false;
    skip_spaces(sc);
    return sc->i == sc->len;
}

bool liquid_time_parse(const char *s, size_t len, const char *zone,
                       struct liquid_time *t)
{
    struct fields f = {0};
    struct scan sc = {s, len, 0};
    if (!scan_fields(&sc, &f) || f.month < 1 || f.month > 12 || f.day < 1 ||
        f.day > 31 || f.hour > 24 || f.min > 59 || f.sec > 60)
        return false;
    int64_t local = date_days_from_civil(f.year, (int)f.month, (int)f.day) * 86400 +
                    f.hour * 3600 + f.min * 60 + f.sec;
    *t = (struct liquid_time){.epoch = local - f.offset, .nsec = f.nsec,
                              .offset = f.offset, .utc = f.utc};
    if (!f.has_zone) {
        int32_t off = 0;
        char abbr[8] = "UTC";
        if (!zone || !liquid_zone_local(zone, local, &off, abbr))
            off = 0, memcpy(abbr, "UTC", 4);
        t->epoch = local - off;
        t->offset = off;
        t->utc = strcmp(abbr, "UTC") == 0;
        memcpy(t->zone, abbr, sizeof t->zone);
    }
    return true;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return len > 0;
}

#define EPOCH_LIMIT ((int64_t)3000000000000000) /* seconds */

/* A YAML time without an offset ("2024-01-02 10:00:00"): Psych reads it
 * as UTC. */
static bool yaml_time_without_zone(const char *s, size_t len)
{
    struct fields f = {0};
    struct scan sc = {s, len, 0};
    return len > 10 && scan_fields(&sc, &f) && !f.has_zone;
}

bool liquid_time_of(const struct value *v, int64_t now, const char *zone,
                    struct liquid_time *t)
{
    enum value_kind k = value_kind(v);
    const char *s = value_text(v);
    size_t len = value_len(v);
    *t = (struct liquid_time){.utc = true};
    if (k == VALUE_INT || ((k == VALUE_STRING || k == VALUE_DATE) &&
                           all_digits(s, len) && len < 19)) {
        t->epoch = k == VALUE_INT ? value_int_of(v) : strtoll(s, NULL, 10);
        /* Beyond a hundred million years the calendar arithmetic would
         * overflow: no date. */
        if (t->epoch > EPOCH_LIMIT || t->epoch < -EPOCH_LIMIT)
            return false;
        liquid_time_localize(t, zone);
        return true;
    }
    if (k != VALUE_STRING && k != VALUE_DATE)
        return false;
    if ((len == 3 && strncasecmp(s, "now", 3) == 0) ||
        (len == 5 && strncasecmp(s, "today", 5) == 0)) {
        t->epoch = now;
        liquid_time_localize(t, zone);
        return true;
    }
    /* YAML's dates and zoneless times are read in UTC, Ruby's Time.parse
     * reads a string's zoneless wall time in the local zone. */
    bool utc_instant = k == VALUE_DATE && yaml_time_without_zone(s, len);
    bool yaml_date = k == VALUE_DATE && len == 10;
    if (!liquid_time_parse(s, len, utc_instant || yaml_date ? NULL : zone, t))
        return false;
    if (utc_instant)
        liquid_time_localize(t, zone);
    /* A YAML date without a time is Ruby's Date, which has no zone and
     * prints it as "+00:00". */
    t->is_date = yaml_date;
    if (t->is_date)
        t->offset = 0, t->utc = false;
    return true;
}

/* --- strftime --- */

/* One conversion's flags and width. */
struct spec {
    char pad;       /* '0', ' ' or 0 for none ('-') */
    bool upper, swap, colon;
    int width;
};

/* Appends a number padded as spec says (default pad and width given). */
static void put_num(struct buf *out, int64_t n, const struct spec *sp,
                    char pad, int width)
{
    char text[32];
    int w = sp->width ? sp->width : width;
    char p = sp->pad ? sp->pad : pad;
    if (sp->pad == '-')
        w = 0;
    unsigned long long mag = n < 0 ? 0ULL - (unsigned long long)n
                                    : (unsigned long long)n;
    int len = snprintf(text, sizeof text, "%llu", mag);
    if (n < 0)
        buf_putc(out, '-'), w--;
    for (int i = len; i < w; i++)
        buf_putc(out, p);
    buf_put(out, text, (size_t)len);
}

static void put_text(struct buf *out, const char *s, size_t n,
                     const struct spec *sp, bool swap_lower)
{
    int w = sp->pad == '-' ? 0 : sp->width;
    for (int i = (int)n; i < w; i++)
        buf_putc(out, sp->pad == '0' ? '0' : ' ');
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (sp->upper || (sp->swap && !swap_lower))
            c = (char)toupper((unsigned char)c);
        else if (sp->swap)
            c = (char)tolower((unsigned char)c);
        buf_putc(out, c);
    }
}

static void put_zone(struct buf *out, const struct liquid_time *t,
                     const struct spec *sp)
{
    date_put_offset(out, t->offset, sp->colon);
}

static void format(const struct liquid_time *t, const char *fmt, size_t len,
                   struct buf *out, int depth);

/* A combined conversion (%F, %T…) through its expansion. */
static void put_composite(struct buf *out, const struct liquid_time *t,
                          const char *expansion, int depth)
{
    format(t, expansion, strlen(expansion), out, depth + 1);
}

/* The name-like conversions: %A %a %B %b %h %p %P %Z. */
static bool put_name(struct buf *out, const struct liquid_time *t,
                     const struct date_tm *b, char c, const struct spec *sp)
{
    const char *s;
    size_t n;
    switch (c) {
    case 'A': s = date_day_name(b->wday), n = strlen(s); break;
    case 'a': s = date_day_name(b->wday), n = 3; break;
    case 'B': s = date_month_name(b->month), n = strlen(s); break;
    case 'b': case 'h': s = date_month_name(b->month), n = 3; break;
    case 'p': s = b->hour < 12 ? "AM" : "PM", n = 2; break;
    case 'P': s = b->hour < 12 ? "am" : "pm", n = 2; break;
    case 'Z':
        s = t->is_date ? "+00:00" : t->utc ? "UTC" : t->zone;
        n = strlen(s);
        break;
    default: return false;
    }
    put_text(out, s, n, sp, c == 'p');
    return true;
}

static bool put_number_conv(struct buf *out, const struct liquid_time *t,
                            const struct date_tm *b, char c,
                            const struct spec *sp)
{
    int h12 = b->hour % 12 ? b->hour % 12 : 12;
    switch (c) {
    case 'Y': put_num(out, b->year, sp, '0', b->year < 0 ? 5 : 4); break;
    case 'C': put_num(out, b->year / 100, sp, '0', 2); break;
    case 'y': put_num(out, ((b->year % 100) + 100) % 100, sp, '0', 2); break;
    case 'm': put_num(out, b->month, sp, '0', 2); break;
    case 'd': put_num(out, b->day, sp, '0', 2); break;
    case 'e': put_num(out, b->day, sp, ' ', 2); break;
    case 'j': put_num(out, b->yday, sp, '0', 3); break;
    case 'H': put_num(out, b->hour, sp, '0', 2); break;
    case 'k': put_num(out, b->hour, sp, ' ', 2); break;
    case 'I': put_num(out, h12, sp, '0', 2); break;
    case 'l': put_num(out, h12, sp, ' ', 2); break;
    case 'M': put_num(out, b->min, sp, '0', 2); break;
    case 'S': put_num(out, b->sec, sp, '0', 2); break;
    case 'L': put_num(out, t->nsec / 1000000, sp, '0', 3); break;
    case 'N': put_num(out, t->nsec, sp, '0', 9); break;
    case 'u': put_num(out, b->wday ? b->wday : 7, sp, '0', 1); break;
    case 'w': put_num(out, b->wday, sp, '0', 1); break;
    case 's': put_num(out, t->epoch, sp, '0', 1); break;
    case 'Q': put_num(out, t->epoch * 1000 + t->nsec / 1000000, sp, '0', 1); break;
    default: return false;
    }
    return true;
}

/* The expansion of a combined conversion, or NULL. */
static const char *composite(char c)
{
    switch (c) {
    case 'D': case 'x': return "%m/%d/%y";
    case 'F': return "%Y-%m-%d";
    case 'T': case 'X': return "%H:%M:%S";
    case 'R': return "%H:%M";
    case 'r': return "%I:%M:%S %p";
    case 'c': return "%a %b %e %H:%M:%S %Y";
    case 'v': return "%e-%^b-%Y";
    default: return NULL;
    }
}

/* Reads the flags and width after '%' from fmt[*i]. */
static struct spec read_spec(const char *fmt, size_t len, size_t *i)
{
    struct spec sp = {0};
    for (; *i < len && fmt[*i] && strchr("-0^#_:", fmt[*i]); (*i)++) {
        char f = fmt[*i];
        if (f == '-') sp.pad = '-';
        else if (f == '0') sp.pad = '0';
        else if (f == '_') sp.pad = ' ';
        else if (f == '^') sp.upper = true;
        else if (f == '#') sp.swap = true;
        else sp.colon = true;
    }
    for (; *i < len && fmt[*i] >= '0' && fmt[*i] <= '9'; (*i)++)
        sp.width = sp.width < 100 ? sp.width * 10 + (fmt[*i] - '0') : sp.width;
    return sp;
}

static void format(const struct liquid_time *t, const char *fmt, size_t len,
                   struct buf *out, int depth)
{
    struct date_tm b;
    date_broken_down(t->epoch, t->offset, &b);
    for (size_t i = 0; i < len; i++) {
        if (fmt[i] != '%' || i + 1 == len) {
            buf_putc(out, fmt[i]);
            continue;
        }
        size_t start = i++;
        struct spec sp = read_spec(fmt, len, &i);
        char c = i < len ? fmt[i] : '\0';
        const char *comp = composite(c);
        if (c == '%') buf_putc(out, '%');
        else if (c == 'n') buf_putc(out, '\n');
        else if (c == 't') buf_putc(out, '\t');
        else if (c == 'z') put_zone(out, t, &sp);
        else if (comp && depth < 2) put_composite(out, t, comp, depth);
        else if (put_name(out, t, &b, c, &sp) || put_number_conv(out, t, &b, c, &sp)) ;
        else buf_put(out, fmt + start, (i < len ? i + 1 : i) - start);
    }
}

void liquid_strftime(const struct liquid_time *t, const char *fmt, size_t len,
                     struct buf *out)
{
    format(t, fmt, len, out, 0);
}
