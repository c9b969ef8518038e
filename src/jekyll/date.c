/* Dates of posts and documents: parsed as Jekyll's Utils.parse_date reads
 * them (Time.parse on the text), kept as seconds since the epoch, and
 * printed as Ruby prints a Time ("2024-01-02 10:00:00 +0100"). The site's
 * timezone is read from its name only where the name gives the offset
 * (UTC, Etc/GMT±N, ±HH:MM): the zone database lies outside the site. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

void jk_broken_down(int64_t t, int offset, struct jk_tm *tm)
{
    int64_t s = t + offset;
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t rest = s - days * 86400;
    civil_from_days(days, &tm->year, &tm->month, &tm->day);
    tm->hour = (int)(rest / 3600);
    tm->min = (int)(rest / 60 % 60);
    tm->sec = (int)(rest % 60);
    tm->yday = (int)(days - days_from_civil(tm->year, 1, 1)) + 1;
    tm->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

void jk_format_date(struct buf *out, int64_t t, int offset)
{
    struct jk_tm tm;
    jk_broken_down(t, offset, &tm);
    int off = offset < 0 ? -offset : offset;
    buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d %c%02d%02d", tm.year,
               tm.month, tm.day, tm.hour, tm.min, tm.sec,
               offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

/* Digits at *s (at most max), as a number; -1 when there are none. */
static long number(const char **s, int max)
{
    long n = 0;
    int k = 0;
    while (k < max && isdigit((unsigned char)**s)) {
        n = n * 10 + (**s - '0');
        (*s)++;
        k++;
    }
    return k ? n : -1;
}

/* "+0100", "+01:00", "-05", "Z", " UTC". */
static bool parse_offset(const char *s, int *offset)
{
    while (*s == ' ')
        s++;
    if (*s == '\0')
        return true;
    if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0 || strcmp(s, "GMT") == 0) {
        *offset = 0;
        return true;
    }
    if (*s != '+' && *s != '-')
        return false;
    int sign = *s++ == '-' ? -1 : 1;
    long h = number(&s, 2), m = 0;
    if (h < 0)
        return false;
    if (*s == ':')
        s++;
    if (isdigit((unsigned char)*s))
        m = number(&s, 2);
    if (*s != '\0' || h > 23 || m > 59)
        return false;
    *offset = sign * (int)(h * 3600 + m * 60);
    return true;
}

/* HH:MM[:SS[.frac]] after a date. */
static bool parse_clock(const char **s, long *h, long *mi, long *sec)
{
    *h = number(s, 2);
    if (*h < 0 || **s != ':')
        return false;
    (*s)++;
    *mi = number(s, 2);
    *sec = 0;
    if (*mi < 0)
        return false;
    if (**s == ':') {
        (*s)++;
        *sec = number(s, 2);
        if (*sec < 0)
            return false;
        if (**s == '.')
            for ((*s)++; isdigit((unsigned char)**s); (*s)++)
                ;
    }
    return *h < 24 && *mi < 60 && *sec < 61;
}

bool jk_parse_date(const char *s, int utc_offset, int64_t *out, int *off)
{
    while (*s == ' ')
        s++;
    long y = number(&s, 4), m, d, h = 0, mi = 0, sec = 0;
    if (y < 0 || *s++ != '-' || (m = number(&s, 2)) < 1 || m > 12 ||
        *s++ != '-' || (d = number(&s, 2)) < 1 ||
        d > month_days((int)y, (int)m))
        return false;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        const char *at = s + 1;
        while (*at == ' ')
            at++;
        if (isdigit((unsigned char)*at)) {
            s = at;
            if (!parse_clock(&s, &h, &mi, &sec))
                return false;
        }
    }
    int offset = utc_offset;
    if (!parse_offset(s, &offset))
        return false;
    *out = days_from_civil(y, (int)m, (int)d) * 86400 + h * 3600 + mi * 60 +
           sec - offset;
    *off = offset;
    return true;
}

bool jekyll_parse_date(const char *s, int utc_offset, int64_t *out)
{
    int off;
    return jk_parse_date(s, utc_offset, out, &off);
}

/* Etc/GMT+5 is five hours west (POSIX's inverted sign). */
int jk_timezone_offset(const struct value *config)
{
    const char *tz = jk_str(config, "timezone", NULL);
    int offset = 0;
    if (!tz)
        return 0;
    if (strncmp(tz, "Etc/GMT", 7) == 0 && (tz[7] == '+' || tz[7] == '-'))
        return (tz[7] == '+' ? -1 : 1) * atoi(tz + 8) * 3600;
    if ((tz[0] == '+' || tz[0] == '-') && parse_offset(tz, &offset))
        return offset;
    return 0;
}
