/* The capsule's URLs: the path of every servable thing, the same string as
 * a Gemini path and as a Gopher selector, and which section names can be
 * one. The routes are registered (site.c) and every link is written (the
 * renderers) with these functions and no others, so a link can only name a
 * route that exists:
 *
 *   /            home             /SLUG/       a section (a menu in gopher)
 *   /SLUG.txt    a section as text (gopher type 0)
 *   /URL/        a page or item of a Jekyll site at its URL; its sections
 *                at /URL/SLUG/ and /URL/SLUG.txt, as the home page's
 *   /news/       gemsub feed      /news/N/     one news item (N from 1)
 *   /atom.xml    Atom feed        /search      search (gopher type 7)
 *   /robots.txt, /favicon.txt, /source.md, /caps.txt (gopher)
 *
 * Paths here are decoded, as a route table holds them and a Gopher menu
 * writes them; a Gemini link or a URL encodes them (path_put_link,
 * path_gemini_url, path_spartan_url, path_gopher_url). */
#ifndef CAPSULED_PATHS_H
#define CAPSULED_PATHS_H

#include "capsuled/buf.h"
#include "capsuled/doc.h"

#include <stdbool.h>
#include <stddef.h>

#define PATH_HOME "/"
#define PATH_NEWS "/news/"
#define PATH_ATOM "/atom.xml"
#define PATH_SEARCH "/search"
#define PATH_ROBOTS "/robots.txt"
#define PATH_FAVICON "/favicon.txt"
#define PATH_SOURCE "/source.md"
#define PATH_CAPS "/caps.txt"

/* The longest slug served as it is, in bytes: "/SLUG.txt" with a "-N"
 * suffix stays within a Gopher selector (255 bytes), and a Gemini URL
 * with every byte escaped within a request line (1024). */
enum { PATH_SLUG_MAX = 200 };

/* Whether a section slug can be one path segment on every protocol and in
 * every client: not empty, not "." or "..", at most PATH_SLUG_MAX bytes,
 * and no space, control byte or / ? # % \ (a separator, or a character
 * that URL-based Gopher clients would read as one). The model's slugs are
 * all safe (doc.h); other strings are not served. */
bool path_slug_is_safe(const char *slug);

/* Whether PATH is one capsuled serves itself (home, feeds, search,
 * robots.txt, favicon.txt, source.md, caps.txt): a page of a site there
 * would hide it, so the site's page gives way. */
bool path_is_reserved(const char *path);

/* Where a link to the section named slug leads: the document's own route
 * (d->base, "/" for the home page) for its first section (sections[0],
 * shown on that route) or a slug that is not safe, else the section's
 * page beneath it: "/SLUG/" on the home page, "/cv/SLUG/" on the page
 * served at "/cv/". */
void path_section(struct buf *out, const struct doc *d, const char *slug);
/* The document's own route: d->base, "/" when it has none. */
const char *path_doc_base(const struct doc *d);
/* A section of the document as plain text (gopher type 0): "/SLUG.txt" on
 * the home page, "/cv/SLUG.txt" beneath a page. */
void path_section_text_of(struct buf *out, const struct doc *d,
                          const char *slug);
/* The route of a section's own page: "/SLUG/" (the home section has one
 * too). */
void path_section_page(struct buf *out, const char *slug);
/* The route of a section as plain text (gopher type 0): "/SLUG.txt". */
void path_section_text(struct buf *out, const char *slug);
/* The route of news item number n: "/news/N/". */
void path_news_item(struct buf *out, size_t n);

/* A path of ours as a Gemini link carries it: percent-encoded. */
void path_put_link(struct buf *out, const char *path);
/* "gemini://HOST[:PORT]PATH", the port left out when 1965; an empty host
 * is "localhost", a port ≤ 0 is 1965. */
void path_gemini_url(struct buf *out, const char *host, int port,
                     const char *path);
/* "spartan://HOST[:PORT]PATH", the port left out when 300; an empty host
 * is "localhost", a port ≤ 0 is 300. */
void path_spartan_url(struct buf *out, const char *host, int port,
                      const char *path);
/* "gopher://HOST:PORT/TSELECTOR" (RFC 4266); an empty host is
 * "localhost", a port ≤ 0 is 70. */
void path_gopher_url(struct buf *out, const char *host, int port, char type,
                     const char *selector);

#endif
