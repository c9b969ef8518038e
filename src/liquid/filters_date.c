/* Liquid's `date` filter and Jekyll's date_to_string, date_to_long_string
 * (ordinal and US variants), date_to_xmlschema and date_to_rfc822. Jekyll
 * sets TZ to site.timezone, so Ruby's local time is that zone: wall times
 * without an offset are read there, and Jekyll's date filters show every
 * time there; `date` keeps a time's own offset, as Liquid does. Without
 * site.timezone (or with a zone the system does not know) the local zone
 * is UTC, the zone of the machines that build sites. */
#include "filters_impl.h"

#include "date.h"

#include <string.h>
#include <time.h>

/* site.timezone, or NULL. */
static const char *zone_of(const struct liquid_filter_env *env)
{
    const struct value *tz = value_hash_get(env->site, "timezone");
    return value_kind(tz) == VALUE_STRING ? value_text(tz) : NULL;
}

struct value *filter_date(FILTER_PARAMS)
{
    struct buf fmt = {0}, out = {0};
    struct liquid_time t;
    ruby_to_s(filter_arg(args, n_args, 0), &fmt);
    if (fmt.len == 0 ||
        !liquid_time_of(in, (int64_t)time(NULL), zone_of(env), &t)) {
        buf_free(&fmt);
        return value_retain(in);
    }
    liquid_strftime(&t, fmt.data, fmt.len, &out);
    buf_free(&fmt);
    return buf_value(&out);
}

/* Jekyll's time(): the date shown in the local zone. False when the input
 * is no date (Jekyll stops with "Invalid Date"; capsuled passes the input
 * on). */
static bool jekyll_time(const struct value *in, const char *zone,
                        struct liquid_time *t)
{
    if (!liquid_time_of(in, (int64_t)time(NULL), zone, t))
        return false;
    liquid_time_localize(t, zone);
    return true;
}

/* Whether Jekyll returns the input as it is: its to_s is empty. */
static bool empty_input(const struct value *in)
{
    struct buf s = {0};
    ruby_to_s(in, &s);
    bool empty = s.len == 0;
    buf_free(&s);
    return empty;
}

static struct value *formatted(const struct value *in, const char *fmt,
                               const char *zone)
{
    struct liquid_time t;
    if (empty_input(in) || !jekyll_time(in, zone, &t))
        return value_retain(in);
    struct buf out = {0};
    liquid_strftime(&t, fmt, strlen(fmt), &out);
    return buf_value(&out);
}

static const char *ordinal(int day)
{
    if (day >= 11 && day <= 13)
        return "th";
    switch (day % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

/* Jekyll's stringify_date: "%d MONTH %Y", or with type "ordinal" "2nd MONTH
 * %Y" (style "US": "MONTH 2nd, %Y"). */
static struct value *stringify(const struct value *in, const char *month,
                               const struct value *type,
                               const struct value *style, const char *zone)
{
    struct liquid_time t;
    if (empty_input(in) || !jekyll_time(in, zone, &t))
        return value_retain(in);
    struct buf fmt = {0}, day = {0}, out = {0};
    const char *ty = value_text(type), *st = value_text(style);
    if (ty && strcmp(ty, "ordinal") == 0) {
        liquid_strftime(&t, "%-d", 3, &day);
        int d = day.data[0] - '0';
        if (day.len == 2)
            d = d * 10 + day.data[1] - '0';
        if (st && strcmp(st, "US") == 0)
            buf_printf(&fmt, "%s %s%s, %%Y", month, day.data, ordinal(d));
        else
            buf_printf(&fmt, "%s%s %s %%Y", day.data, ordinal(d), month);
    } else {
        buf_printf(&fmt, "%%d %s %%Y", month);
    }
    liquid_strftime(&t, fmt.data, fmt.len, &out);
    buf_free(&fmt), buf_free(&day);
    return buf_value(&out);
}

struct value *filter_date_to_string(FILTER_PARAMS)
{
    return stringify(in, "%b", filter_arg(args, n_args, 0),
                     filter_arg(args, n_args, 1), zone_of(env));
}

struct value *filter_date_to_long_string(FILTER_PARAMS)
{
    return stringify(in, "%B", filter_arg(args, n_args, 0),
                     filter_arg(args, n_args, 1), zone_of(env));
}

struct value *filter_date_to_xmlschema(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    return formatted(in, "%Y-%m-%dT%H:%M:%S%:z", zone_of(env));
}

struct value *filter_date_to_rfc822(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    return formatted(in, "%a, %d %b %Y %H:%M:%S %z", zone_of(env));
}
