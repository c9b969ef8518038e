/* The contract between the Liquid interpreter and its filters: one table of
 * filters looked up by name, each a function from an input value and its
 * evaluated arguments to a new value; and Liquid's comparisons, which tags
 * (==, <, contains) and filters (sort, uniq, where) must agree on.
 * Internal to src/liquid/. */
#ifndef CAPSULED_LIQUID_FILTER_H
#define CAPSULED_LIQUID_FILTER_H

#include "capsuled/value.h"

#include <stdbool.h>
#include <stddef.h>

/* What a filter may need beyond its arguments, supplied by the interpreter
 * for each call. */
struct liquid_filter_env {
    /* Liquid's `site` (baseurl, url, timezone, time), or NULL. */
    const struct value *site;
    /* Keyword arguments (`default: x, allow_false: true`), a hash, or NULL. */
    const struct value *kwargs;
    /* where_exp, group_by_exp, find_exp: evaluates the Liquid expression
     * EXPR with the variable NAME bound to ITEM (the rest of the scope as
     * at the call) and returns one reference (never NULL). */
    struct value *(*eval)(void *interp, const char *name, size_t name_len,
                          const struct value *item, const char *expr,
                          size_t expr_len);
    void *interp;
    /* A filter that fails as Ruby would raise (divided by 0, comparison of
     * Integer with String failed) sets this to a message of static storage
     * and returns nil; the interpreter prints "Liquid error: MESSAGE" where
     * the output was, as Jekyll does. */
    const char *error;
};

/* A filter: returns one reference, never NULL. input and args are only
 * read; args[i] may be NULL (nil). */
typedef struct value *(*liquid_filter_fn)(const struct value *input,
                                          const struct value *const *args,
                                          size_t n_args,
                                          struct liquid_filter_env *env);

/* The filter called NAME (len bytes), or NULL for a filter Liquid and
 * Jekyll do not have (the interpreter warns and passes the input on). */
liquid_filter_fn liquid_filter_find(const char *name, size_t len);

/* --- Liquid's comparisons (compare.c) --- */

/* Ruby's ==: numbers by value (1 == 1.0), strings and dates by bytes,
 * arrays and hashes item by item, nil only with nil (NULL is nil). */
bool liquid_equal(const struct value *a, const struct value *b);
/* Ruby's <=> where Liquid's < > <= >= and sort use it: numbers with
 * numbers, strings (and dates) with strings (and dates) by bytes. Sets
 * *comparable false (and returns 0) for any other pair: Liquid's
 * "comparison of Integer with String failed". */
int liquid_compare(const struct value *a, const struct value *b,
                   bool *comparable);
/* Liquid's `contains`: a substring of a string (the needle's text), or an
 * item of an array equal to the needle; false for anything else. */
bool liquid_contains(const struct value *haystack, const struct value *needle);

#endif
