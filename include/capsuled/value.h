/* Values as YAML gives them and Liquid reads them: nil, booleans, integers,
 * floats, strings, dates, arrays and hashes. A hash keeps its keys in the
 * order they were first set (Jekyll's hashes iterate that way) and indexes
 * them, so a lookup costs the same with ten keys or a hundred thousand.
 *
 * Ownership: values are reference counted. A constructor returns a value
 * holding one reference, which the caller owns; value_array_push and
 * value_hash_set take over the reference they are handed; value_retain adds
 * one and value_release drops one, freeing the value (and what only it held)
 * with the last. A tree may share a subtree: a YAML alias reached twice is one
 * value held twice.
 *
 * A value is built by one thread, then never changed: whoever builds it
 * pushes and sets until it is complete, and from then on it is read-only, so
 * a snapshot's values are read by every worker without locks. The counts are
 * atomic, so a complete value may be retained and released from any thread.
 * nil, true and false are shared constants that counting leaves alone. */
#ifndef CAPSULED_VALUE_H
#define CAPSULED_VALUE_H

#include "capsuled/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum value_kind {
    VALUE_NIL,
    VALUE_BOOL,
    VALUE_INT,    /* Liquid keeps integers apart from floats: 2 vs 2.0 */
    VALUE_FLOAT,
    VALUE_STRING, /* length-counted (may hold NUL), always NUL-terminated */
    VALUE_DATE,   /* a YAML date or time, kept as text (see value_date) */
    VALUE_ARRAY,
    VALUE_HASH,
};

struct value;

/* --- constructors (each returns one reference) --- */

struct value *value_nil(void);
struct value *value_bool(bool b);
struct value *value_int(int64_t i);
struct value *value_float(double d);
/* Copies len bytes of s. */
struct value *value_string(const char *s, size_t len);
struct value *value_cstring(const char *s);
/* A date ("2024-01-02") or a time ("2024-01-02 10:00:00 +01:00"), as it
 * prints. Dates and times get a value of their own (arithmetic, the `date`
 * filter) when Liquid needs them; until then they are their text. */
struct value *value_date(const char *text, size_t len);
struct value *value_array(void);
struct value *value_hash(void);

/* --- building (only while the value is being built) --- */

/* Appends item, taking over its reference. */
void value_array_push(struct value *array, struct value *item);
/* Sets key (len bytes) to v, taking over v's reference. A key already set
 * keeps its place and gets the new value. */
void value_hash_set(struct value *hash, const char *key, size_t len,
                    struct value *v);

/* Sets every pair of from into hash, in from's order (Ruby's Hash#merge!):
 * the values are shared, not copied. */
void value_hash_merge(struct value *hash, const struct value *from);

/* --- references --- */

/* Returns v; NULL stays NULL. */
struct value *value_retain(const struct value *v);
void value_release(struct value *v);

/* --- reading (NULL reads as "no value": kind nil, length 0) --- */

enum value_kind value_kind(const struct value *v);
bool value_bool_of(const struct value *v);    /* false unless a true bool */
int64_t value_int_of(const struct value *v);  /* 0 unless an integer */
double value_float_of(const struct value *v); /* integers widen; else 0 */
/* Items of an array, pairs of a hash, bytes of a string or date; else 0. */
size_t value_len(const struct value *v);
const struct value *value_array_at(const struct value *array, size_t i);
/* The i-th pair of a hash in insertion order; *len gets the key's bytes. */
const char *value_hash_key_at(const struct value *hash, size_t i,
                              size_t *len);
const struct value *value_hash_value_at(const struct value *hash, size_t i);
/* NULL when hash is not a hash or has no such key. */
const struct value *value_hash_get(const struct value *hash, const char *key);
const struct value *value_hash_getn(const struct value *hash, const char *key,
                                    size_t len);
/* Follows a Liquid variable path below v: "author.github", "links.0",
 * "links[0]", "links[-1]", "a['b c']". A dotted part is a hash key, or on an
 * array a decimal index; a bracket holds an index (negative counts from the
 * end) or a quoted key. NULL when any step is missing. */
const struct value *value_path_get(const struct value *v, const char *path);

/* Liquid's truth: everything but nil (and NULL) and false. "" and 0 are
 * true. */
bool value_truthy(const struct value *v);
/* A scalar as Liquid prints it: nil "", true "true", 2 "2", 1.0 "1.0",
 * 1e20 "1.0e+20" (numbers as Ruby prints them), a string or date its text.
 * NULL for arrays, hashes and NULL. The text lives as long as the value. */
const char *value_text(const struct value *v);
/* Whether A and B hold the same: kinds, texts, items, and keys in order
 * (NULL is only the same as NULL). */
bool value_same(const struct value *a, const struct value *b);
/* Appends what Liquid's {{ v }} prints: a scalar's text, an array's items
 * joined without separator (nested arrays flattened), a hash as Ruby
 * inspects it ({"a"=>1, "b"=>[nil, "x"]}). */
void value_to_string(const struct value *v, struct buf *out);

#endif
