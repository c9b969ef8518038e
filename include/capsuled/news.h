/* News: which section of the page is the news, its dated items, their
 * dates, titles and numbers, and their order by date. Content decisions,
 * made once from the model when the content is loaded (site_content_load);
 * every renderer and the route table only read the result. */
#ifndef CAPSULED_NEWS_H
#define CAPSULED_NEWS_H

#include "capsuled/doc.h"

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

struct news {
    /* The first section named so ("news", "updates" in its slug or
     * title), else the first whose list items are mostly dated; NEWS_NONE
     * when there is neither. A news section may hold no dated item. */
    size_t section;
    struct news_item *items; /* its dated list items, in page order */
    size_t n;
    size_t *by_date;         /* indexes into items, newest first; page
                                order among equal dates */
};

/* Decides the news of a built model. It never fails: a page without news
 * gets section NEWS_NONE and no items. */
void news_build(const struct doc *d, struct news *out);
/* The item made of block index block, or NULL when that block is none. */
const struct news_item *news_at_block(const struct news *n, size_t block);
void news_free(struct news *n);

#endif
