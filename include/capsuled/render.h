/* Renderers: the document model laid out as gemtext, gophermaps, plain text,
 * finger answers and feeds. Pure functions: model and options in, bytes appended to out. */
#ifndef CAPSULED_RENDER_H
#define CAPSULED_RENDER_H

#include "capsuled/buf.h"
#include "capsuled/card.h"
#include "capsuled/config.h"
#include "capsuled/doc.h"
#include "capsuled/news.h"
#include "capsuled/page.h"
#include "capsuled/search.h"

#include <stddef.h>

/* Which protocol a gemtext page is written for: Gemini's and Spartan's
 * pages are the same but for their links to search (a Gemini link,
 * answered with INPUT; a Spartan "=:" input line, the terms sent as data)
 * and the URLs that must be absolute (gemini:// or spartan://). */
enum gemtext_dialect { GEMTEXT_GEMINI, GEMTEXT_SPARTAN };

/* A link of the site's navigation, shown on the home page: the label and
 * a route of the capsule (paths.h). */
struct nav_link {
    char *label;
    char *path;
};

/* What the renderers read besides the model: the config and page, the
 * news decided from the model, and where the capsule lives, for the links
 * they write (the paths themselves are capsuled/paths.h's, the same in
 * both protocols). */
struct render_opts {
    const struct config *cfg;
    const struct page *page;
    const char *gemini_host; /* public name for absolute gemini URLs */
    int gemini_port;         /* 1965 is left out of URLs */
    const char *gopher_host; /* written into every menu line */
    int gopher_port;
    int width;               /* gophermap and text wrap width (columns) */
    const struct news *news; /* news_build of the model; NULL: no news */
    /* The person's card from the configuration (card_build); NULL: the
     * name and bio of capsule.yaml's author only. */
    const struct card *card;
    enum gemtext_dialect dialect; /* gemtext, gemsub and Atom links */
    const char *spartan_host;     /* for absolute spartan URLs */
    int spartan_port;             /* 300 is left out of URLs */
    /* The site's pages and collections as its navigation lists them
     * (a Jekyll site's; none when n_nav is 0), under "Pages" on the home
     * page. */
    const struct nav_link *nav;
    size_t n_nav;
};

/* The person's card: name, title, bio (front matter, then config). */
const char *render_site_title(const struct render_opts *o);

/* Gemtext. */
void render_gemtext_home(const struct doc *d, const struct render_opts *o,
                         struct buf *out);
void render_gemtext_section(const struct doc *d, size_t section,
                            const struct render_opts *o, struct buf *out);
/* The whole page, every section in order (the `render` command's default). */
void render_gemtext_all(const struct doc *d, const struct render_opts *o,
                        struct buf *out);
/* Gemtext of a run of blocks. */
void render_gemtext_blocks(const struct doc *d, size_t first, size_t count,
                           const struct render_opts *o, struct buf *out);
/* The page of one news item (/news/N/): its date as the title, its text,
 * and links to its section, all news and home. */
void render_gemtext_news_item(const struct doc *d, const struct render_opts *o,
                              const struct news_item *it, struct buf *out);
/* The results of a search for query (search_run), body only: each
 * section a link to its route and its matching lines, best first. */
void render_gemtext_search(const struct render_opts *o, const char *query,
                           const struct search *hits, struct buf *out);
/* The search page without terms, body only: a title and the input line
 * (Spartan has no INPUT status: its search asks with an "=:" line). */
void render_gemtext_search_prompt(const struct render_opts *o,
                                  struct buf *out);

/* Gophermaps (RFC 1436 lines, CRLF, final ".\r\n"). */
void render_gophermap_home(const struct doc *d, const struct render_opts *o,
                           struct buf *out);
void render_gophermap_section(const struct doc *d, size_t section,
                              const struct render_opts *o, struct buf *out);
void render_gophermap_all(const struct doc *d, const struct render_opts *o,
                          struct buf *out);
/* The news menu: every item's date and title, then links to the news
 * section and home. */
void render_gophermap_news(const struct doc *d, const struct render_opts *o,
                           struct buf *out);
/* The results of a search for query (search_run) as a menu. */
void render_gophermap_search(const struct render_opts *o, const char *query,
                             const struct search *hits, struct buf *out);
/* The server's caps.txt (the Gopher capabilities file of Gophernicus and
 * Geomyidae): path conventions, software, description and admin. */
void render_gopher_caps(const struct render_opts *o, struct buf *out);
/* Menu helpers used by the gopher protocol code for its own menus. */
void gophermap_info(struct buf *out, const char *text,
                    const struct render_opts *o); /* wrapped 'i' lines */
void gophermap_item(struct buf *out, char type, const char *label,
                    const char *selector, const char *host, int port);
void gophermap_end(struct buf *out);
/* The one fixed selector, host and port of every info ('i') and error ('3')
 * line: clients never follow them, so they name nothing real. */
#define GOPHERMAP_DUMMY_SELECTOR ""
#define GOPHERMAP_DUMMY_HOST "null.host"
#define GOPHERMAP_DUMMY_PORT 1

/* Plain text (gopher type 0), wrapped; CRLF line ends and a lone "." line
 * escaped as ".." when for_gopher, so it can be sent as-is. */
void render_text_section(const struct doc *d, size_t section,
                         const struct render_opts *o, int for_gopher,
                         struct buf *out);
void render_text_all(const struct doc *d, const struct render_opts *o,
                     int for_gopher, struct buf *out);

/* Finger answers (RFC 1288): plain text at o->width, every line ending in
 * CRLF, folded to ASCII when o->cfg says finger.ascii. The card: name,
 * bio, email, the home section (with its links) and the list of sections
 * to finger; one section's text; the latest news as a .plan. */
void render_finger_card(const struct doc *d, const struct render_opts *o,
                        struct buf *out);
void render_finger_section(const struct doc *d, size_t section,
                           const struct render_opts *o, struct buf *out);
void render_finger_plan(const struct doc *d, const struct render_opts *o,
                        struct buf *out);

/* The news (o->news) as a gemsub page and as an Atom 1.0 feed. The gemsub
 * entries are absolute gemini:// URLs for Gemini, relative links for
 * Spartan; Atom's are absolute in the dialect's scheme. */
void render_gemsub(const struct doc *d, const struct render_opts *o,
                   struct buf *out);
void render_atom(const struct doc *d, const struct render_opts *o,
                 struct buf *out);

/* Text layout shared by gophermap and text. */
/* Calls emit(line, len, ctx) for each line of text wrapped at width columns,
 * breaking at spaces, or inside a word longer than the width; '\n' in text
 * forces a break. Lines carry no line end. */
typedef void (*wrap_emit_fn)(const char *line, size_t len, void *ctx);
void wrap_text(const char *text, size_t len, int width, wrap_emit_fn emit,
               void *ctx);

#endif
