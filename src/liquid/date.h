/* Dates and times as Liquid's `date` filter and Jekyll's date filters read
 * and print them: parsing what YAML, Jekyll and Ruby's Time.parse accept,
 * and Ruby's strftime. Internal to src/liquid/. */
#ifndef CAPSULED_LIQUID_DATE_H
#define CAPSULED_LIQUID_DATE_H

#include "capsuled/buf.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stdint.h>

/* One instant and the zone it is shown in. */
struct liquid_time {
    int64_t epoch;  /* seconds since 1970-01-01 00:00:00 UTC */
    long nsec;      /* fraction of the second */
    int32_t offset; /* seconds east of UTC that it prints in */
    bool utc;       /* a UTC time: %Z prints "UTC" */
    bool is_date;   /* a YAML date (Ruby's Date): %Z prints "+00:00" */
    char zone[8];   /* the zone's abbreviation for %Z ("IST"), or "" */
};

/* Parses an ISO 8601 or YAML date or time ("2024-01-02",
 * "2024-01-02 10:00:00 +0100", "2024-01-02T10:00:00Z"), "2024/01/02",
 * "Jan 5, 2024", "5 January 2024", "March 2024", RFC 2822 ("Tue, 02 Jan 2024
 * 10:00:00 +0000"). A time without a zone is a wall time in zone (an IANA
 * name, site.timezone: Ruby's local time under Jekyll's TZ), or UTC when
 * zone is NULL or unknown. False when the text is none of these. */
bool liquid_time_parse(const char *s, size_t len, const char *zone,
                       struct liquid_time *t);

/* Liquid's Utils.to_date: a date value or date text as parsed, "now" and
 * "today" (any case) as now, an integer or a string of digits as seconds
 * since the epoch (those shown in zone). A YAML time without an offset is
 * a UTC instant shown in zone, as Psych and Ruby give it. False (Liquid's
 * nil) for anything else. */
bool liquid_time_of(const struct value *v, int64_t now, const char *zone,
                    struct liquid_time *t);

/* Shows t in zone (UTC when NULL or unknown): Ruby's Time#localtime. A
 * Date becomes the midnight that starts its day there (Date#to_time). */
void liquid_time_localize(struct liquid_time *t, const char *zone);

/* The offset (seconds east of UTC) and abbreviation of the IANA zone name
 * at the instant utc, or at the wall time wall; false when the system's
 * zone database has no such zone (tz.c). */
bool liquid_zone_at(const char *name, int64_t utc, int32_t *offset,
                    char abbr[8]);
bool liquid_zone_local(const char *name, int64_t wall, int32_t *offset,
                       char abbr[8]);

/* Appends t formatted by Ruby's Time#strftime (flags - 0 ^ _ #, widths,
 * %Y %C %y %m %d %e %j %H %k %I %l %M %S %L %N %p %P %A %a %B %b %h %u %w
 * %Z %z %:z %s %Q %D %F %T %R %r %c %x %X %n %t %%). */
void liquid_strftime(const struct liquid_time *t, const char *fmt, size_t len,
                     struct buf *out);

#endif
