/* jekyll-scholar's tags over a site's BibTeX files: {% bibliography %},
 * {% cite %} and {% reference %}, answered as HTML that capsuled's HTML
 * interpretation turns into text and links, so a publication list built by
 * the plugin on the web reaches the capsule without the plugin.
 *
 * The entries are rendered by capsuled (one citation line: badge, title,
 * authors, venue and year, then the entry's links), not by the site's
 * bibliography template: the template is theme chrome (buttons, hidden
 * abstracts, scripts), while what a reader needs is each entry's words and
 * links. */
#ifndef CAPSULED_SCHOLAR_H
#define CAPSULED_SCHOLAR_H

#include "capsuled/buf.h"
#include "capsuled/diag.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stddef.h>

struct scholar;

/* Reads the `scholar` settings of the site's configuration (SITE, Liquid's
 * `site`, may be NULL): source (default "./_bibliography"), bibliography
 * (default "references.bib"), sort_by, order, query. Files are read later,
 * each once, beneath ROOT (the site directory) and within max_bytes;
 * problems go to diags, which must outlive the scholar. */
struct scholar *scholar_new(const char *root, const struct value *site,
                            size_t max_bytes, struct diags *diags);
void scholar_free(struct scholar *s);

/* Answers one Liquid tag: NAME is bibliography, cite or reference, ARGS
 * its arguments with Liquid already expanded ("-f papers -q
 * @*[selected=true]*"). Appends HTML to out and returns true; false for
 * any other tag name. A shape the Liquid interpreter calls for plugin
 * tags, with the scholar as ctx. */
bool scholar_tag(void *scholar, const char *name, size_t name_len,
                 const char *args, size_t args_len, struct buf *out);

/* The path of the BibTeX file NAME ("papers") as the tags read it:
 * ROOT/SOURCE/papers.bib, for a reload to watch. */
char *scholar_file(const struct scholar *s, const char *name);

/* --- stages, exposed for tests --- */

/* Whether entry matches a jekyll-scholar query: "@*", "@article",
 * "@*[year=2024]", "@*[selected=true, year>=2020]", conditions joined by
 * "," (and) or "||" (or), operators = != < > <= >= ~= (substring). */
bool scholar_query_match(const char *query, size_t len,
                         const struct value *entry);

#endif
