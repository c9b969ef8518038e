/* News: which section of the page is the news, its dated items, their
 * dates, titles and numbers, and their order by date. Content decisions,
 * made once from the model when the content is loaded (site_content_load);
 * every renderer and the route table only read the result. */
#ifndef CAPSULED_NEWS_H
#define CAPSULED_NEWS_H

#include "capsuled/doc.h"

#include <stdbool.h>
#include <stddef.h>

/* The section of a page that has no news. */
#define NEWS_NONE ((size_t)-1)

struct news_item {
    char date[11];  /* YYYY-MM-DD (a missing day as 01) */
    char *title;    /* the item's text after the date and separator, never
                       empty ("News" when nothing follows the date) */
    size_t block;   /* index of the item's block in the doc */
    size_t number;  /* the N of /news/N/: counted from the oldest (the last
                       item of the page is 1), so an item added on top
                       keeps every old URL and feed id */
};

/* A dated entry of the site besides the page's News section: a post of
 * _posts or an item of a `news` collection, as the site layer found it. */
struct news_post {
    char date[11];       /* YYYY-MM-DD */
    const char *title;   /* plain text; NULL or empty: "News" */
    const char *link;    /* its route (a path of ours, decoded) */
    const char *summary; /* plain text (its excerpt); NULL: the title */
    bool gopher;         /* the route is a Gopher menu too */
};

/* One entry of the feeds (gemsub, Atom, the Gopher news menu, the .plan
 * and the home page's latest news): an item of the News section or a
 * post, with its date, title, route and summary. */
struct news_entry {
    char date[11];
    char *title;   /* never empty */
    char *link;    /* "/news/N/" for an item of the section; a post's own
                      route ("/2024/01/02/x/") */
    char *summary; /* plain text, for Atom */
    size_t item;   /* index into news.items, NEWS_NONE for a post */
    bool gopher;   /* link is a Gopher selector as well (a post served over
                      Gopher; a section item's /news/N/ is Gemini's only) */
};

struct news {
    /* The first section named so ("news", "updates" in its slug or
     * title), else the first whose list items are mostly dated; NEWS_NONE
     * when there is neither. A news section may hold no dated item. */
    size_t section;
    struct news_item *items; /* its dated list items, in page order */
    size_t n;
    size_t *by_date;         /* indexes into items, newest first; page
                                order among equal dates */
    /* The feed: the section's items in by_date order, with the site's
     * posts merged in by news_merge_posts, newest first. */
    struct news_entry *feed;
    size_t n_feed;
};

/* Decides the news of a built model. It never fails: a page without news
 * gets section NEWS_NONE and no items. */
void news_build(const struct doc *d, struct news *out);
/* Adds the site's posts and news items to the feed of N, newest first
 * (among equal dates posts before section items, then the order given).
 * A section item with the same date as a post, and a link to the post's
 * route (the path of one of its links, with or without ".html"), is the
 * same news: it leaves the feed (its /news/N/ page stays). D is the model
 * news_build decided N from. */
void news_merge_posts(struct news *n, const struct doc *d,
                      const struct news_post *posts, size_t n_posts);
/* The item made of block index block, or NULL when that block is none. */
const struct news_item *news_at_block(const struct news *n, size_t block);
void news_free(struct news *n);

#endif
