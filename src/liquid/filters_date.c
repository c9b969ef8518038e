/* Liquid's `date` filter and Jekyll's date_to_string, date_to_long_string
 * (ordinal and US variants), date_to_xmlschema and date_to_rfc822. Jekyll
 * shows its dates in the local zone of the machine that builds the site;
 * capsuled takes that zone to be UTC (site.timezone is not applied), while
 * `date` keeps a time's own offset, as Liquid does. */
#include "filters_impl.h"

#include "date.h"

#include <string.h>
#include <time.h>

struct value *filter_date(FILTER_PARAMS)
{
    (void)env;
    struct buf fmt = {0}, out = {0};
    struct liquid_time t;
    ruby_to_s(filter_arg(args, n_args, 0), &fmt);
    if (fmt.len == 0 || !liquid_time_of(in, (int64_t)time(NULL), &t)) {
        buf_free(&fmt);
        return value_retain(in);
    }
    liquid_strftime(&t, fmt.data, fmt.len, &out);
    buf_free(&fmt);
    return buf_value(&out);
}

/* Jekyll's time(): the date in the builder's zone (UTC here). False when
 * the input is no date (Jekyll stops with "Invalid Date"; capsuled passes
 * the input on). */
static bool jekyll_time(const struct value *in, struct liquid_time *t)
{
    if (!liquid_time_of(in, (int64_t)time(NULL), t))
        return false;
    t->offset = 0;
    t->utc = true;
    t->is_date = false;
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

static struct value *formatted(const struct value *in, const char *fmt)
{
    struct liquid_time t;
    if (empty_input(in) || !jekyll_time(in, &t))
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
                               const struct value *style)
{
    struct liquid_time t;
    if (empty_input(in) || !jekyll_time(in, &t))
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
    (void)env;
    return stringify(in, "%b", filter_arg(args, n_args, 0),
                     filter_arg(args, n_args, 1));
}

struct value *filter_date_to_long_string(FILTER_PARAMS)
{
    (void)env;
    return stringify(in, "%B", filter_arg(args, n_args, 0),
                     filter_arg(args, n_args, 1));
}

struct value *filter_date_to_xmlschema(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return formatted(in, "%Y-%m-%dT%H:%M:%S%:z");
}

struct value *filter_date_to_rfc822(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    return formatted(in, "%a, %d %b %Y %H:%M:%S %z");
}
