/* Calendar arithmetic over proleptic Gregorian days counted from 1970
 * (H. Hinnant's civil-day algorithms): exact for every year an int64_t
 * second count reaches, with no table and no libc time zone state, so it
 * gives the same answer on every thread and every machine (date.h). */
#include "capsuled/date.h"

static const char *const month_names[] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};
static const char *const day_names[] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday"};

const char *date_month_name(int month)
{
    return month_names[month - 1];
}

const char *date_day_name(int wday)
{
    return day_names[wday];
}

int64_t date_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool date_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_month_days(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && date_leap_year(y) ? 29 : days[m - 1];
}

/* Days are floored, so a time before 1970 still has its hour in 0..23. */
void date_broken_down(int64_t t, int32_t offset, struct date_tm *tm)
{
    int64_t s = t + offset;
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t rest = s - days * 86400;
    date_civil_from_days(days, &tm->year, &tm->month, &tm->day);
    tm->hour = (int)(rest / 3600);
    tm->min = (int)(rest / 60 % 60);
    tm->sec = (int)(rest % 60);
    tm->yday = (int)(days - date_days_from_civil(tm->year, 1, 1)) + 1;
    tm->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

/* Week 1 holds the year's first Thursday; days before it belong to the
 * last week of the year before, days after the last one to week 1 of the
 * next. */
void date_iso_week(const struct date_tm *tm, int *week, int64_t *year)
{
    int wday = (tm->wday + 6) % 7; /* Monday 0 */
    int w = (tm->yday - 1 - wday + 10) / 7;
    *year = tm->year;
    if (w < 1) {
        (*year)--;
        int prev_days = date_leap_year(*year) ? 366 : 365;
        w = (tm->yday + prev_days - 1 - wday + 10) / 7;
    } else if (w == 53) {
        int days = date_leap_year(tm->year) ? 366 : 365;
        if (tm->yday - wday + 3 > days) {
            w = 1;
            (*year)++;
        }
    }
    *week = w;
}

void date_put_offset(struct buf *out, int32_t offset, bool colon)
{
    int32_t off = offset < 0 ? -offset : offset;
    buf_printf(out, colon ? "%c%02d:%02d" : "%c%02d%02d",
               offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}
