/* Dates of posts and documents: parsed as Jekyll's Utils.parse_date reads
 * them (Time.parse on the text), kept as seconds since the epoch, and
 * printed as Ruby prints a Time ("2024-01-02 10:00:00 +0100"). The site's
 * timezone is read from its name only where the name gives the offset
 * (UTC, Etc/GMT±N, ±HH:MM): the zone database lies outside the site. The
 * calendar under both is capsuled/date.h's, shared with Liquid's dates. */
#include "internal.h"
#include "capsuled/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jk_format_date(struct buf *out, int64_t t, int offset)
{
    struct date_tm tm;
    date_broken_down(t, offset, &tm);
    buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d ", (int)tm.year, tm.month,
               tm.day, tm.hour, tm.min, tm.sec);
    date_put_offset(out, offset, false);
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
        d > date_month_days(y, (int)m))
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
    *out = date_days_from_civil(y, (int)m, (int)d) * 86400 + h * 3600 + mi * 60 +
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
