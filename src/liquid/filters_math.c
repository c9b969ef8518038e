/* Liquid's arithmetic filters with Ruby's number semantics: integers stay
 * integers (division and modulo floor), a float or a decimal string on
 * either side makes a float, dividing by integer 0 is the error "divided
 * by 0". Liquid computes floats as BigDecimals of their printed digits, so
 * 0.1 + 0.2 is 0.3 and 0.6 / 0.2 is 3.0: floats are read as the shortest
 * decimal that prints them and computed exactly in 128-bit decimals (a
 * quotient to 20 digits), then rounded once to a double. */
#include "filters_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_PLUS, OP_MINUS, OP_TIMES, OP_DIV, OP_MOD };

/* A decimal number, m * 10^-e: what BigDecimal computes with. */
struct dec {
    __int128 m;
    int e;
};

#define DEC_LIMIT ((__int128)1000000000000000000 * 1000000000000000000)

/* The shortest decimal that reads back as x (Ruby's Float#to_s digits),
 * as mantissa and exponent; false for infinities, NaN and huge values. */
static bool dec_of_double(double x, struct dec *d)
{
    char text[40];
    if (!isfinite(x) || fabs(x) >= 1e17)
        return false;
    for (int p = 1; p <= 17; p++) {
        snprintf(text, sizeof text, "%.*e", p - 1, x);
        if (strtod(text, NULL) == x)
            break;
    }
    char *exp = strchr(text, 'e');
    int e10 = atoi(exp + 1), digits = 0;
    __int128 m = 0;
    for (char *c = text; c < exp; c++)
        if (*c >= '0' && *c <= '9')
            m = m * 10 + (*c - '0'), digits++;
    d->m = text[0] == '-' ? -m : m;
    d->e = digits - 1 - e10;
    while (d->e < 0)
        d->m *= 10, d->e++;
    return true;
}

static bool dec_of_num(struct num n, struct dec *d)
{
    if (!n.is_float) {
        *d = (struct dec){n.i, 0};
        return true;
    }
    return dec_of_double(n.d, d);
}

/* Multiplies d's mantissa by 10 until its exponent is e; false on
 * overflow. */
static bool dec_align(struct dec *d, int e)
{
    while (d->e < e) {
        if (d->m > DEC_LIMIT || d->m < -DEC_LIMIT)
            return false;
        d->m *= 10, d->e++;
    }
    return true;
}

/* The double nearest m * 10^-e, as strtod rounds it. */
static double dec_to_double(__int128 m, int e)
{
    char digits[64], *p = digits + sizeof digits - 1;
    bool neg = m < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)m : (unsigned __int128)m;
    *p = '\0';
    do
        *--p = (char)('0' + (int)(u % 10)), u /= 10;
    while (u);
    char text[96];
    snprintf(text, sizeof text, "%s%se%d", neg ? "-" : "", p, -e);
    return strtod(text, NULL);
}

/* Truncates the quotient of a / b to about 20 significant digits, as
 * BigDecimal's division does, and rounds it to a double. */
static double dec_divide(struct dec a, struct dec b)
{
    int k = 0;
    while (a.m < DEC_LIMIT / 10 && a.m > -DEC_LIMIT / 10 && k < 40)
        a.m *= 10, k++;
    return dec_to_double(a.m / b.m, a.e + k - b.e);
}

static __int128 floor_mod128(__int128 a, __int128 b)
{
    __int128 r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* The operation in decimals; false when they would overflow (the double
 * answer is then the closest we give). */
static bool decimal_op(enum op op, struct num x, struct num y, double *r)
{
    struct dec a, b;
    if (!dec_of_num(x, &a) || !dec_of_num(y, &b) || b.m == 0 ||
        a.m > DEC_LIMIT || b.m > DEC_LIMIT || a.m < -DEC_LIMIT || b.m < -DEC_LIMIT)
        return false;
    if (op == OP_TIMES) {
        *r = dec_to_double(a.m * b.m, a.e + b.e);
        /* BigDecimal's zero keeps a sign: 0 * -2.5 is -0.0. */
        if (*r == 0 && (x.is_float || y.is_float) &&
            (signbit(num_double(x)) != signbit(num_double(y))))
            *r = -0.0;
        return true;
    }
    if (op == OP_DIV) {
        *r = dec_divide(a, b);
        if (*r == 0 && (x.is_float || y.is_float) &&
            (signbit(num_double(x)) != signbit(num_double(y))))
            *r = -0.0;
        return true;
    }
    int e = a.e > b.e ? a.e : b.e;
    if (!dec_align(&a, e) || !dec_align(&b, e))
        return false;
    __int128 m = op == OP_PLUS ? a.m + b.m : op == OP_MINUS ? a.m - b.m
                                                            : floor_mod128(a.m, b.m);
    *r = dec_to_double(m, e);
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    if (b == -1)
        return a == INT64_MIN ? INT64_MIN : -a;
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    if (b == -1)
        return 0;
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* Integer arithmetic; false on overflow (Ruby would grow a Bignum: the
 * float answer is the closest we keep). */
static bool int_op(enum op op, int64_t a, int64_t b, int64_t *r)
{
    switch (op) {
    case OP_PLUS: return !__builtin_add_overflow(a, b, r);
    case OP_MINUS: return !__builtin_sub_overflow(a, b, r);
    case OP_TIMES: return !__builtin_mul_overflow(a, b, r);
    case OP_DIV: *r = floor_div(a, b); return true;
    case OP_MOD: *r = floor_mod(a, b); return true;
    }
    return false;
}

static double float_op(enum op op, struct num x, struct num y)
{
    double a = num_double(x), b = num_double(y), r;
    if ((op == OP_DIV || op == OP_MOD) && b == 0)
        return op == OP_MOD ? NAN : a / b;
    if (decimal_op(op, x, y, &r))
        return r;
    switch (op) {
    case OP_PLUS: return a + b;
    case OP_MINUS: return a - b;
    case OP_TIMES: return a * b;
    case OP_DIV: return a / b;
    case OP_MOD: {
        double m = fmod(a, b);
        return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
    }
    }
    return 0;
}

static struct value *apply(const struct value *in, const struct value *arg,
                           enum op op, struct liquid_filter_env *env)
{
    struct num a = to_number(in), b = to_number(arg);
    bool zero_int = !b.is_float && b.i == 0;
    if ((op == OP_DIV && zero_int && !a.is_float) ||
        (op == OP_MOD && num_double(b) == 0)) {
        env->error = "divided by 0";
        return value_nil();
    }
    int64_t r;
    if (!a.is_float && !b.is_float && int_op(op, a.i, b.i, &r))
        return value_int(r);
    return value_float(float_op(op, a, b));
}

struct value *filter_plus(FILTER_PARAMS)
{
    return apply(in, filter_arg(args, n_args, 0), OP_PLUS, env);
}

struct value *filter_minus(FILTER_PARAMS)
{
    return apply(in, filter_arg(args, n_args, 0), OP_MINUS, env);
}

struct value *filter_times(FILTER_PARAMS)
{
    return apply(in, filter_arg(args, n_args, 0), OP_TIMES, env);
}

struct value *filter_divided_by(FILTER_PARAMS)
{
    return apply(in, filter_arg(args, n_args, 0), OP_DIV, env);
}

struct value *filter_modulo(FILTER_PARAMS)
{
    return apply(in, filter_arg(args, n_args, 0), OP_MOD, env);
}

/* An integer from a float, or the error Ruby's FloatDomainError gives. */
static struct value *float_to_int(double x, struct liquid_filter_env *env)
{
    if (isnan(x)) {
        env->error = "NaN";
        return value_nil();
    }
    if (!isfinite(x)) {
        env->error = x > 0 ? "Infinity" : "-Infinity";
        return value_nil();
    }
    if (x >= 9.2e18 || x <= -9.2e18)
        return value_float(x);
    return value_int((int64_t)x);
}

/* BigDecimal's round: half away from zero, at `digits` decimals (tens,
 * hundreds… when negative). */
static double round_half_up(double x, int64_t digits)
{
    struct dec a;
    if (digits > 30 || !dec_of_double(x, &a) || a.e <= digits)
        return x;
    /* Past 10^38 the divisor overflows; the value is then below half of
     * it and rounds to 0. */
    if (digits < -30 || a.e - digits > 38)
        return 0;
    __int128 p = 1;
    for (int64_t i = digits; i < a.e; i++)
        p *= 10;
    __int128 q = a.m / p, r = a.m % p;
    if ((r < 0 ? -r : r) * 2 >= p)
        q += a.m < 0 ? -1 : 1;
    return dec_to_double(q, (int)digits);
}

struct value *filter_round(FILTER_PARAMS)
{
    struct num x = to_number(in);
    struct num n = to_number(filter_arg(args, n_args, 0));
    int64_t digits = n.is_float ? double_to_int64(n.d) : n.i;
    if (digits < INT32_MIN || digits > INT32_MAX) {
        env->error = "internal"; /* Ruby's RangeError: digits is a C int */
        return value_nil();
    }
    if (!x.is_float) {
        if (digits >= 0)
            return value_int(x.i);
        /* Past 10^20 any int64 is under half the unit: 0 (and -digits
         * could not be negated at INT64_MIN). */
        if (digits < -20)
            return value_int(0);
        double p = pow(10, (double)-digits);
        return float_to_int(round((double)x.i / p) * p, env);
    }
    double r = round_half_up(x.d, digits);
    /* BigDecimal#round gives an Integer at 0 digits or fewer (a digits
     * argument of 0.1 counts as 0). */
    if (digits <= 0)
        return float_to_int(r, env);
    return value_float(r);
}

struct value *filter_ceil(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    struct num x = to_number(in);
    return x.is_float ? float_to_int(ceil(x.d), env) : value_int(x.i);
}

struct value *filter_floor(FILTER_PARAMS)
{
    (void)args, (void)n_args;
    struct num x = to_number(in);
    return x.is_float ? float_to_int(floor(x.d), env) : value_int(x.i);
}

struct value *filter_abs(FILTER_PARAMS)
{
    (void)args, (void)n_args, (void)env;
    struct num x = to_number(in);
    if (x.is_float)
        return value_float(fabs(x.d));
    return value_int(x.i == INT64_MIN ? INT64_MAX : (x.i < 0 ? -x.i : x.i));
}

static struct value *bound(const struct value *in, const struct value *arg,
                           bool at_least)
{
    struct num x = to_number(in), n = to_number(arg);
    double dx = num_double(x), dn = num_double(n);
    bool take_n = at_least ? dn > dx : dn < dx;
    return num_value(take_n ? n : x);
}

struct value *filter_at_least(FILTER_PARAMS)
{
    (void)env;
    return bound(in, filter_arg(args, n_args, 0), true);
}

struct value *filter_at_most(FILTER_PARAMS)
{
    (void)env;
    return bound(in, filter_arg(args, n_args, 0), false);
}
