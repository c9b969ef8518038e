/* The shared calendar (date.h): civil days both ways, far from 1970 and
 * before it, leap years, an instant broken down at an offset, ISO weeks
 * at the turn of a year, names and offsets as Ruby prints them. */
#include "capsuled/date.h"
#include "test.h"

#include <stdlib.h>

static void test_days(void)
{
    CHECK(date_days_from_civil(1970, 1, 1) == 0);
    CHECK(date_days_from_civil(2024, 1, 2) == 19724);
    CHECK(date_days_from_civil(1969, 12, 31) == -1);
    CHECK(date_days_from_civil(2000, 3, 1) - date_days_from_civil(2000, 2, 28) == 2);
    /* Every day of four centuries round-trips. */
    int bad = 0;
    for (int64_t z = -80000; z < 80000; z++) {
        int64_t y;
        int m, d;
        date_civil_from_days(z, &y, &m, &d);
        bad += date_days_from_civil(y, m, d) != z || d > date_month_days(y, m);
    }
    CHECK(bad == 0);
}

static void test_leap(void)
{
    CHECK(date_leap_year(2024) && date_leap_year(2000));
    CHECK(!date_leap_year(1900) && !date_leap_year(2023));
    CHECK(date_month_days(2024, 2) == 29 && date_month_days(2023, 2) == 28);
    CHECK(date_month_days(2023, 12) == 31 && date_month_days(2023, 4) == 30);
}

static void test_broken_down(void)
{
    struct date_tm tm;
    date_broken_down(1704153600, 3600, &tm); /* 2024-01-02 00:00 UTC */
    CHECK(tm.year == 2024 && tm.month == 1 && tm.day == 2 && tm.hour == 1);
    CHECK(tm.wday == 2 && tm.yday == 2);
    date_broken_down(-1, 0, &tm);
    CHECK(tm.year == 1969 && tm.month == 12 && tm.day == 31);
    CHECK(tm.hour == 23 && tm.min == 59 && tm.sec == 59 && tm.wday == 3);
    date_broken_down(1704153600, -5 * 3600, &tm);
    CHECK(tm.day == 1 && tm.hour == 19 && tm.yday == 1);
}

static void test_iso_week(void)
{
    struct date_tm tm;
    int week;
    int64_t year;
    date_broken_down(date_days_from_civil(2021, 1, 3) * 86400, 0, &tm);
    date_iso_week(&tm, &week, &year);
    CHECK(week == 53 && year == 2020);
    date_broken_down(date_days_from_civil(2024, 12, 30) * 86400, 0, &tm);
    date_iso_week(&tm, &week, &year);
    CHECK(week == 1 && year == 2025);
    date_broken_down(date_days_from_civil(2024, 6, 15) * 86400, 0, &tm);
    date_iso_week(&tm, &week, &year);
    CHECK(week == 24 && year == 2024);
}

static void test_names_offsets(void)
{
    CHECK_STR(date_month_name(1), "January");
    CHECK_STR(date_month_name(12), "December");
    CHECK_STR(date_day_name(0), "Sunday");
    CHECK_STR(date_day_name(6), "Saturday");
    struct buf b = {0};
    date_put_offset(&b, 3600, false);
    date_put_offset(&b, -(5 * 3600 + 30 * 60), true);
    date_put_offset(&b, 0, false);
    CHECK_STR(b.data, "+0100-05:30+0000");
    buf_free(&b);
}

int main(void)
{
    test_days();
    test_leap();
    test_broken_down();
    test_iso_week();
    test_names_offsets();
    return test_done();
}
