/* The gemlog of a Jekyll site: its posts and the items of its `news`
 * collection merged into the news feed (capsuled/news.h). Internal to
 * src/site. */
#ifndef CAPSULED_SITE_GEMLOG_H
#define CAPSULED_SITE_GEMLOG_H

#include "capsuled/doc.h"
#include "capsuled/jekyll.h"
#include "capsuled/news.h"

/* Adds every post (_posts) and `news` collection item of JS that the
 * capsule serves at a route of its own (output, Markdown or HTML) to the
 * feed of NEWS, decided from the home page's model D: dated as Jekyll
 * dates it, titled by its front matter (an al-folio `inline: true` item,
 * shown on the web by its text, by its text), its excerpt as summary. */
void gemlog_merge(const struct jekyll_site *js, const struct doc *d,
                  struct news *news);

/* Markdown (with HTML and Liquid, evaluated in SCOPE) as one line of
 * plain text: the blocks' texts joined by spaces, at most the first
 * MAX_BLOCKS of them. Text that reads as written is taken as it is. */
char *gemlog_plain_text(const char *md, const struct value *scope,
                        size_t max_blocks);

/* The route a Jekyll URL is served at: decoded, without a final ".html"
 * (as site.c serves it). NULL when the URL has a dot segment or is one
 * of capsuled's own paths. */
char *gemlog_route(const char *url);

#endif
