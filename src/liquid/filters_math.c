/* Liquid's arithmetic filters with Ruby's number semantics: integers stay
 * integers (division and modulo floor), a float or a decimal string on
 * either side makes a float, dividing by integer 0 is the error "divided
 * by 0". Liquid computes with BigDecimal, so 0.1 + 0.2 is 0.3: sums,
 * differences, products and remainders are rounded to 15 significant
 * digits, which gives the decimal answer for the inputs sites write. */
#include "filters_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum op { OP_PLUS, OP_MINUS, OP_TIMES, OP_DIV, OP_MOD };

/* The decimal a BigDecimal computation would give for x. */
static double decimal(double x)
{
    if (!isfinite(x))
        return x;
    char text[40];
    snprintf(text, sizeof text, "%.15g", x);
    return strtod(text, NULL);
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

static double float_op(enum op op, double a, double b)
{
    switch (op) {
    case OP_PLUS: return decimal(a + b);
    case OP_MINUS: return decimal(a - b);
    case OP_TIMES: return decimal(a * b);
    case OP_DIV: return a / b;
    case OP_MOD: {
        double r = fmod(a, b);
        return decimal((r != 0 && ((r < 0) != (b < 0))) ? r + b : r);
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
    return value_float(float_op(op, num_double(a), num_double(b)));
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

/* BigDecimal's round: half away from zero, at `digits` decimals. */
static double round_half_up(double x, int64_t digits)
{
    if (digits > 15 || digits < -15)
        return digits > 0 ? x : 0;
    char text[64];
    if (digits >= 0) {
        snprintf(text, sizeof text, "%.*f", (int)digits + 2, x);
        double p = pow(10, (double)digits);
        double scaled = strtod(text, NULL) * p;
        return decimal(round(decimal(scaled)) / p);
    }
    double p = pow(10, (double)-digits);
    return round(x / p) * p;
}

struct value *filter_round(FILTER_PARAMS)
{
    struct num x = to_number(in);
    struct num n = to_number(filter_arg(args, n_args, 0));
    int64_t digits = n.is_float ? (int64_t)n.d : n.i;
    if (!x.is_float) {
        if (digits >= 0)
            return value_int(x.i);
        double p = pow(10, (double)-digits);
        return float_to_int(round((double)x.i / p) * p, env);
    }
    double r = round_half_up(x.d, digits);
    if (digits <= 0 && !(n.is_float && n.d != 0))
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
