/* What a theme's layout adds to the visible content of a page, from
 * knowledge of the themes rather than by evaluating the layout's Liquid:
 * capsuled carries the layout's content, never its HTML chrome
 * (navigation, footers, scripts).
 *
 * al-folio's `about` layout (the home page of al-folio sites) adds, from
 * front matter flags: the subtitle and the profile (its image when the
 * site has it, more_info or address) above the content; news (`news: true`), latest posts
 * (`latest_posts: true`), selected papers (`selected_papers: true`,
 * jekyll-scholar's `{% bibliography -f papers -q @*[selected=true]* %}`)
 * and the social links with `contact_note` (`social: true`) below it.
 * The social links are the card's (capsuled/card.h): they stay in the card
 * and only the note is added.
 *
 * minimal-mistakes' `single` layout, as academicpages uses it for pages
 * and collection items, adds above the content the item's venue line
 * ("Published in VENUE, YEAR"; for teaching "TYPE, VENUE, YEAR"), and
 * below it the recommended citation with its Download Paper, Slides and
 * Bibtex links and the Direct Link (`link`); academicpages' `talk`
 * layout the date and "TYPE at VENUE, LOCATION" above and the Direct
 * Link below. minimal-mistakes' `home` layout lists the recent posts
 * after the content. AcadHomepage's `default` layout and the author sidebar of
 * all three themes (the card) add nothing else that is content. */
#ifndef CAPSULED_THEME_H
#define CAPSULED_THEME_H

#include "capsuled/buf.h"
#include "capsuled/diag.h"
#include "capsuled/page.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stddef.h>

/* The site a page belongs to, as the layouts' additions need it. */
struct theme_site {
    const struct value *site; /* Liquid's `site`; may be NULL */
    const char *root;         /* the site directory: the bibliography is
                                 read beneath it */
    size_t max_bytes;         /* the cap on each file read */
    struct diags *diags;      /* the problems of the files read */
    /* When not NULL, the path of each file read is appended to *files
     * (malloc'd, *n_files counting), for a reload to watch. */
    char ***files;
    size_t *n_files;
};

/* Adds to PAGE's body (Markdown with HTML, after Liquid) what its layout
 * adds around the content: text before it (page->body_line moves back by
 * its lines, so diagnostics keep naming the file's lines) and text or
 * sections after it, headed at the page's top heading level. VARS is
 * Liquid's `page` for it (front matter with the site's `defaults`, date,
 * collection), NULL for the front matter alone. A page of another layout
 * is left as it is. Returns whether anything was added. */
bool theme_apply(struct page *page, const struct value *vars,
                 const struct theme_site *ts);

/* Whether what the layout of VARS (as for theme_apply) adds reads
 * anything but VARS: the site's documents, data or files (al-folio's
 * about layout, minimal-mistakes' home layout). A reload re-renders such
 * a page whenever it rebuilds the site. */
bool theme_reads_site(const struct value *vars);

/* --- stages, exposed for tests --- */

/* al-folio's about layout: what goes before the content and after it. */
void theme_about_before(const struct value *page, const char *root,
                        struct buf *out);
void theme_about_after(const struct value *page, const char *heading,
                       const struct theme_site *ts, struct buf *out);
/* minimal-mistakes' single and academicpages' talk layouts (LAYOUT):
 * what goes before the content and after it. */
void theme_single_before(const char *layout, const struct value *page,
                         struct buf *out);
void theme_single_after(const char *layout, const struct value *page,
                        struct buf *out);
/* minimal-mistakes' home layout: after the content, "Recent Posts" (the
 * label of _data/ui-text.yml), site.posts newest first, as many as
 * `paginate` when set (jekyll-paginate's first page). */
void theme_home_after(const struct value *site, const char *heading,
                      struct buf *out);

#endif
