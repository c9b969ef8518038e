/* The calendar both date readers stand on (src/jekyll/date.c for the site
 * model's dates, src/liquid/date.c for Liquid's date filters): proleptic
 * Gregorian days counted from 1970-01-01 (Howard Hinnant's civil-day
 * algorithms), an instant broken down at an offset, and the offset
 * printed as Ruby prints it. Pure arithmetic: what text a date may be
 * written as is each reader's own rule. */
#ifndef CAPSULED_DATE_H
#define CAPSULED_DATE_H

#include "capsuled/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* An instant as a wall clock shows it. */
struct date_tm {
    int64_t year;
    int month, day;      /* 1..12, 1..31 */
    int hour, min, sec;  /* 0..23, 0..59, 0..59 */
    int yday, wday;      /* 1..366; 0 = Sunday */
};

/* Days since 1970-01-01 of year-month-day (negative before it). */
int64_t date_days_from_civil(int64_t year, int month, int day);
/* The year, month and day of DAYS since 1970-01-01. */
void date_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
bool date_leap_year(int64_t year);
/* Days in MONTH (1..12) of YEAR. */
int date_month_days(int64_t year, int month);
/* T (seconds since the epoch) on a clock OFFSET seconds east of UTC. */
void date_broken_down(int64_t t, int32_t offset, struct date_tm *tm);
/* "January".."December" for MONTH 1..12; "Sunday".."Saturday" for
 * WDAY 0..6 (their first three letters are the abbreviations). */
const char *date_month_name(int month);
const char *date_day_name(int wday);
/* The ISO 8601 week (1..53) of TM and the year it belongs to (%V, %G). */
void date_iso_week(const struct date_tm *tm, int *week, int64_t *year);
/* "+0100", or with COLON "+01:00", for OFFSET seconds east of UTC. */
void date_put_offset(struct buf *out, int32_t offset, bool colon);

#endif
