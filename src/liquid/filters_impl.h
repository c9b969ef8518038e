/* What the filter families share: Ruby's conversions as Liquid and Jekyll
 * apply them to filter inputs (to_s, inspect, to_number, to_integer, the
 * flattened list a filter iterates), UTF-8 character counting, and the
 * declarations of every filter for the lookup table in filters.c.
 * Internal to src/liquid/. */
#ifndef CAPSULED_LIQUID_FILTERS_IMPL_H
#define CAPSULED_LIQUID_FILTERS_IMPL_H

#include "filter.h"

#include "capsuled/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* The parameters every filter takes (see liquid_filter_fn). */
#define FILTER_PARAMS                                                        \
    const struct value *in, const struct value *const *args, size_t n_args, \
        struct liquid_filter_env *env

/* The i-th argument, or NULL (nil) when fewer were given. */
const struct value *filter_arg(const struct value *const *args, size_t n_args,
                               size_t i);
/* A keyword argument by name, or NULL. */
const struct value *filter_kwarg(const struct liquid_filter_env *env,
                                 const char *name);

/* --- Ruby's conversions (filters_util.c) --- */

/* Appends Ruby's to_s: a scalar's text, "" for nil, an array or hash
 * inspected (Array#to_s is #inspect). out->data is allocated afterwards,
 * even when nothing was appended. */
void ruby_to_s(const struct value *v, struct buf *out);
/* Appends Ruby's inspect: nil, "quoted strings", [1, 2], {"a"=>1}. */
void ruby_inspect(const struct value *v, struct buf *out);
/* True when v is nil (or NULL). */
bool is_nil(const struct value *v);
bool is_string(const struct value *v);
bool is_array(const struct value *v);
bool is_hash(const struct value *v);

/* A number as Liquid's Utils.to_number makes it: integers stay integers,
 * floats and "1.5" are decimals (results come back as floats), any other
 * string is its leading integer ("12abc" 12), anything else 0. */
struct num {
    bool is_float;
    int64_t i;
    double d;
};
struct num to_number(const struct value *v);
struct value *num_value(struct num n);
double num_double(struct num n);
/* A float truncated to an integer, saturating (NaN is 0). */
int64_t double_to_int64(double d);
/* Liquid's Utils.to_integer: an integer, or a string Integer() accepts;
 * false (and env->error "invalid integer") for anything else. */
bool to_integer(const struct value *v, int64_t *out,
                struct liquid_filter_env *env);

/* Liquid's InputIterator: an array flattened, a hash as a one-item list,
 * nil as empty, anything else as a one-item list. A new array. */
struct value *input_list(const struct value *v);
/* A new array holding the items of a (retained). */
struct value *array_copy(const struct value *a);
/* Takes b's bytes as a new string value and empties b. */
struct value *buf_value(struct buf *b);
/* A string's characters (UTF-8 code points; a stray byte counts one). */
size_t utf8_chars(const char *s, size_t len);
/* The byte offset of character n (clamped to len). */
size_t utf8_offset(const char *s, size_t len, size_t n);
/* Simple case mapping of the letters Ruby maps one to one (ASCII,
 * Latin-1, Latin Extended-A, Greek, Cyrillic); others stay. */
unsigned unicode_upper(unsigned cp);
unsigned unicode_lower(unsigned cp);
/* Jekyll's item_property: a hash's property, a dotted path followed step
 * by step (a step below nil gives false, as Ruby's `x && x[key]` does),
 * numeric strings read as numbers ("2" 2, "1.5" 1.5). A new reference. */
struct value *item_property(const struct value *item, const struct value *prop);

/* --- the filters, by family --- */

#define DECLARE_FILTER(name) struct value *filter_##name(FILTER_PARAMS)
/* filters_string.c */
DECLARE_FILTER(append);
DECLARE_FILTER(prepend);
DECLARE_FILTER(capitalize);
DECLARE_FILTER(downcase);
DECLARE_FILTER(upcase);
DECLARE_FILTER(strip);
DECLARE_FILTER(lstrip);
DECLARE_FILTER(rstrip);
DECLARE_FILTER(strip_newlines);
DECLARE_FILTER(newline_to_br);
DECLARE_FILTER(replace);
DECLARE_FILTER(replace_first);
DECLARE_FILTER(replace_last);
DECLARE_FILTER(remove);
DECLARE_FILTER(remove_first);
DECLARE_FILTER(remove_last);
DECLARE_FILTER(split);
DECLARE_FILTER(truncate);
DECLARE_FILTER(truncatewords);
DECLARE_FILTER(normalize_whitespace);
DECLARE_FILTER(number_of_words);
/* filters_html.c */
DECLARE_FILTER(escape);
DECLARE_FILTER(escape_once);
DECLARE_FILTER(strip_html);
DECLARE_FILTER(xml_escape);
DECLARE_FILTER(markdownify);
DECLARE_FILTER(smartify);
DECLARE_FILTER(jsonify);
DECLARE_FILTER(inspect);
/* filters_url.c */
DECLARE_FILTER(url_encode);
DECLARE_FILTER(url_decode);
DECLARE_FILTER(cgi_escape);
DECLARE_FILTER(uri_escape);
DECLARE_FILTER(relative_url);
DECLARE_FILTER(absolute_url);
DECLARE_FILTER(slugify);
/* filters_encode.c */
DECLARE_FILTER(base64_encode);
DECLARE_FILTER(base64_decode);
DECLARE_FILTER(base64_url_safe_encode);
DECLARE_FILTER(base64_url_safe_decode);
DECLARE_FILTER(strip_index);
DECLARE_FILTER(to_integer);
/* filters_math.c */
DECLARE_FILTER(plus);
DECLARE_FILTER(minus);
DECLARE_FILTER(times);
DECLARE_FILTER(divided_by);
DECLARE_FILTER(modulo);
DECLARE_FILTER(round);
DECLARE_FILTER(ceil);
DECLARE_FILTER(floor);
DECLARE_FILTER(abs);
DECLARE_FILTER(at_least);
DECLARE_FILTER(at_most);
/* filters_array.c */
DECLARE_FILTER(size);
DECLARE_FILTER(first);
DECLARE_FILTER(last);
DECLARE_FILTER(join);
DECLARE_FILTER(reverse);
DECLARE_FILTER(uniq);
DECLARE_FILTER(compact);
DECLARE_FILTER(concat);
DECLARE_FILTER(map);
DECLARE_FILTER(slice);
DECLARE_FILTER(default);
DECLARE_FILTER(sort);
DECLARE_FILTER(sort_natural);
DECLARE_FILTER(pop);
DECLARE_FILTER(push);
DECLARE_FILTER(shift);
DECLARE_FILTER(unshift);
DECLARE_FILTER(sample);
DECLARE_FILTER(array_to_sentence_string);
/* filters_jekyll.c: selection and grouping */
DECLARE_FILTER(where);
DECLARE_FILTER(where_exp);
DECLARE_FILTER(find);
DECLARE_FILTER(find_exp);
DECLARE_FILTER(group_by);
DECLARE_FILTER(group_by_exp);
/* filters_date.c */
DECLARE_FILTER(date);
DECLARE_FILTER(date_to_string);
DECLARE_FILTER(date_to_long_string);
DECLARE_FILTER(date_to_xmlschema);
DECLARE_FILTER(date_to_rfc822);

#endif
