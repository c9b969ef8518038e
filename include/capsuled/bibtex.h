/* BibTeX, read as jekyll-scholar reads a site's _bibliography/ files (.bib): each
 * entry becomes the hash that jekyll-scholar hands its templates as
 * `entry` (type, key, every field lowercased, author_array), with the
 * LaTeX of its values turned into the text a reader sees.
 *
 * A small parser of our own rather than Debian's libbtparse: btparse keeps
 * its macro table and error counts in global state (one parse at a time per
 * process) and reports on stderr, where capsuled parses in a builder
 * thread while serving and wants every problem as file:line. */
#ifndef CAPSULED_BIBTEX_H
#define CAPSULED_BIBTEX_H

#include "capsuled/diag.h"
#include "capsuled/value.h"

#include <stddef.h>

/* Parses TEXT (len bytes; front matter is the caller's to strip) of FILE
 * into an array of entries, one reference, in file order. @string macros
 * (and the month names jan…dec) expand; @comment and @preamble are
 * skipped. A broken entry is reported as "file:line: message" and skipped,
 * the rest still read. Each entry hash holds:
 *   type          lowercased entry type ("article", "inproceedings")
 *   key           the citation key
 *   FIELD         each field by its lowercased name, as display text
 *   author_array  [{first, last}, …] for the author field
 *   line          the line the entry starts on (an integer)
 * Values' braces and LaTeX accents, dashes and escapes are decoded
 * ("{\"o}" → "ö", "--" → "–", "\&" → "&"). */
struct value *bibtex_parse(const char *file, const char *text, size_t len,
                           struct diags *diags);

/* A BibTeX value's LaTeX as display text (exposed for tests). Appends to
 * out. */
struct buf;
void bibtex_decode_latex(const char *s, size_t len, struct buf *out);

/* The names of an author field ("A. Smith and Jones, Bob") as an array of
 * {first, last} hashes. */
struct value *bibtex_split_names(const char *s, size_t len);

#endif
