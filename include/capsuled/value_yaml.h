/* YAML documents as values (capsuled/value.h), typed the way Jekyll reads
 * _config.yml, front matter and data files: through the SafeYAML gem, which
 * types Psych's scalars by its own YAML 1.1 rules. A plain scalar takes the
 * type it looks like; a quoted or block scalar is always a string:
 *
 *   ~, null, Null, NULL, nothing   nil
 *   true/false, yes/no, on/off     booleans, in any case (YES, oFF)
 *   12, -3, +5, 1_000, 1,000       integers; 0x1F, -0x1F, 017 (octal), 0b101
 *   1.5, .5, 1.0e+3, .inf, .NaN    floats (a dot and a signed exponent:
 *                                  1e5 and 1.0e3 are strings)
 *   1:30, 1:30:15, 1:30.5          floats counted in sixties (90.0)
 *   2024-01-02                     a date (a real day: 2023-02-29 is text)
 *   2024-1-2 10:00:00 +01:00       a time; both kept as written
 *   anything else                  a string (0o17, -017, :sym, 2024-1-2)
 *
 * A scalar with an explicit tag other than !!str (!!int "12") is typed as
 * a plain one, and !!float makes an integer a float; libyaml gives !!str and
 * no tag alike, so `!!str 12` is 12, as it is for SafeYAML. Keys are the
 * text of their scalar ("1", "yes"; Ruby would have 1 and true), and keys
 * that are not scalars are skipped.
 *
 * `<<: *base` merges a mapping's pairs into the one holding it, in place,
 * as Ruby's Hash#merge! does for SafeYAML: they replace the pairs set before
 * it, and later pairs replace them. `<<: [*a, *b]` merges both, the first
 * winning (YAML's merge key; SafeYAML fails on it). A `<<` whose value is
 * neither is an ordinary key.
 *
 * Aliases share structure: a node reached twice is one value held twice,
 * not a copy. Nodes deeper than YAML_MAX_DEPTH below the root are left out,
 * as yaml_budget_overrun leaves them out of its count; a document whose
 * aliases name their own ancestor ends there too. Callers run
 * yaml_budget_overrun first: the values built then stay within what it
 * measured. */
#ifndef CAPSULED_VALUE_YAML_H
#define CAPSULED_VALUE_YAML_H

#include "capsuled/value.h"

struct yaml_document_s;

/* The document's root as a value (one reference, the caller's); NULL for an
 * empty document. */
struct value *value_from_yaml(struct yaml_document_s *doc);

/* A plain scalar S (LEN bytes, then a NUL) typed by the rules above. */
struct value *value_yaml_plain(const char *s, size_t len);

/* TEXT as value_from_yaml would read it, without libyaml, when it is a
 * flat mapping of one-line scalars (`key: value`, `key: "value"`, comment
 * and blank lines, at least one pair); else NULL, and libyaml must read
 * it. SETTINGS, when not NULL, gets page_front_settings of it. */
struct value *value_from_flat_yaml(const char *text, size_t len,
                                   struct value **settings);

#endif
