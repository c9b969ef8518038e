/* The document model as gemtext (text/gemini). One switch over block types,
 * in the manner of cmark's renderers; the decisions about text and links
 * were made once in the model, so this file only lays lines out.
 *
 * Gemtext has no inline markup and no nesting: every line is one of text,
 * "=>" link, "#"/"##"/"###" heading, "* " item, "> " quote or a "```"
 * toggle, decided by its first characters. So each block becomes whole
 * lines, links follow their block as link lines, and a text line that would
 * start like another kind gets one leading space: every client (Lagrange,
 * amfora, Kristall, the spec's own grammar) takes a line starting with a
 * space as plain text, and the space is all but invisible. */
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "capsuled/url.h"
#include "layout.h"

#include <stdbool.h>
#include <string.h>

#define GEM_RULE "──────────"

struct gem {
    const struct doc *d;
    const struct render_opts *o;
    struct buf *out;
    struct layout_state state;
    const struct news *news; /* set on the news section's page */
};

static bool nonempty(const char *s)
{
    return s && *s;
}

/* --- lines --- */

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static bool looks_like_markup(const char *s, size_t len)
{
    return starts_with(s, len, "=>") || starts_with(s, len, "#") ||
           starts_with(s, len, "*") || starts_with(s, len, ">") ||
           starts_with(s, len, "```");
}

/* A text line, with the guarding space when it would read as markup. */
static void put_text_line(struct buf *out, const char *s, size_t len)
{
    if (looks_like_markup(s, len))
        buf_putc(out, ' ');
    layout_put_clean(out, s, len);
    buf_putc(out, '\n');
}

/* "=> PATH" for a path of ours, encoded as a link carries it. */
static void put_own_link(struct buf *out, const char *path)
{
    buf_puts(out, "=> ");
    path_put_link(out, path);
}

static void put_link_line(struct gem *g, const struct link *l)
{
    if (!layout_link_has_target(l))
        return;
    if (nonempty(l->route)) {
        put_own_link(g->out, l->route);
    } else if (nonempty(l->url)) {
        buf_puts(g->out, "=> ");
        url_escape(g->out, l->url, strlen(l->url)); /* one field */
    } else {
        struct buf path = {0};
        path_section(&path, g->d, l->section);
        put_own_link(g->out, path.data);
        buf_free(&path);
    }
    if (nonempty(l->label)) {
        buf_putc(g->out, ' ');
        layout_put_clean(g->out, l->label, strlen(l->label));
    }
    buf_putc(g->out, '\n');
}

/* Each '\n'-separated line of text (at least one) as a text line, or
 * after the prefix first (then rest) when one is given. */
static void each_line(struct buf *out, const char *text, const char *first,
                      const char *rest)
{
    const char *s = text ? text : "";
    const char *prefix = first;
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (prefix) {
            buf_puts(out, prefix);
            layout_put_clean(out, s, len);
            buf_putc(out, '\n');
        } else {
            put_text_line(out, s, len);
        }
        if (!nl)
            break;
        s = nl + 1;
        prefix = rest;
    }
}

/* The link to search: a Gemini link (the server asks for the terms with
 * INPUT) or a Spartan input line (the client asks, and sends them as
 * data). The one line that differs between the two dialects' pages. */
static void put_search_link(struct buf *out, const struct render_opts *o,
                            const char *label)
{
    bool spartan = o && o->dialect == GEMTEXT_SPARTAN;
    buf_puts(out, spartan ? "=: " PATH_SEARCH " " : "=> " PATH_SEARCH " ");
    buf_puts(out, label);
    buf_putc(out, '\n');
}

/* --- blocks --- */

/* Gemtext readers show every line, blank ones too: the gaps of layout.c,
 * paragraphs of one quotation joined by an empty quote line. */
static void put_gap(struct gem *g, const struct block *b)
{
    switch (layout_gap(&g->state, b)) {
    case LAYOUT_GAP_NONE:
        break;
    case LAYOUT_GAP_BLANK:
        buf_putc(g->out, '\n');
        break;
    case LAYOUT_GAP_QUOTE:
        buf_puts(g->out, ">\n");
        break;
    }
}

static void put_heading(struct gem *g, const struct block *b)
{
    int level = b->level;
    if (g->state.demote_h1 && level == 1)
        level = 2;
    if (level > 3 || level < 1) {
        each_line(g->out, b->text, NULL, NULL); /* H4–H6: lead paragraphs */
        return;
    }
    if (!nonempty(b->text))
        return;
    buf_puts(g->out, level == 1 ? "# " : level == 2 ? "## " : "### ");
    /* a '\n' becomes a space */
    layout_put_clean(g->out, b->text, strlen(b->text));
    buf_putc(g->out, '\n');
}

/* Ordered items keep their number as a text line ("3. text"): a "* " line
 * would draw a bullet in front of the number, two markers for one item. */
static void put_item(struct gem *g, const struct block *b)
{
    if (nonempty(b->marker)) {
        struct buf first = {0};
        layout_put_clean(&first, b->marker, strlen(b->marker));
        buf_putc(&first, ' ');
        const char *text = b->text ? b->text : "";
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        buf_put(&first, text, len);
        put_text_line(g->out, first.data, first.len);
        buf_free(&first);
        if (nl)
            each_line(g->out, nl + 1, NULL, NULL);
        return;
    }
    const char *text = b->text ? b->text : "";
    const char *nl = strchr(text, '\n');
    buf_puts(g->out, "* ");
    layout_put_clean(g->out, text, nl ? (size_t)(nl - text) : strlen(text));
    buf_putc(g->out, '\n');
    if (nl)
        each_line(g->out, nl + 1, NULL, NULL);
}

/* Inside a preformatted block only a "```" line ends it: such lines get a
 * leading space so the code cannot close the block early. */
static void put_pre(struct gem *g, const struct block *b)
{
    buf_puts(g->out, "```");
    if (nonempty(b->info))
        layout_put_clean(g->out, b->info, strlen(b->info));
    buf_putc(g->out, '\n');
    const char *s = b->text ? b->text : "";
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (starts_with(s, len, "```"))
            buf_putc(g->out, ' ');
        layout_put_clean(g->out, s, len);
        buf_putc(g->out, '\n');
        s = nl ? nl + 1 : s + len;
    }
    buf_puts(g->out, "```\n");
}

static void put_block_body(struct gem *g, const struct block *b)
{
    switch (b->type) {
    case BLOCK_HEADING:
        put_heading(g, b);
        break;
    case BLOCK_PARA:
        each_line(g->out, b->text, NULL, NULL);
        break;
    case BLOCK_ITEM:
        put_item(g, b);
        break;
    case BLOCK_QUOTE:
        each_line(g->out, b->text, "> ", "> ");
        break;
    case BLOCK_PRE:
        put_pre(g, b);
        break;
    case BLOCK_RULE:
        buf_puts(g->out, GEM_RULE "\n");
        break;
    }
}

/* A news item as a gemsub entry, "=> /news/N/ YYYY-MM-DD title": a link
 * to its own page, date first. The news section's page lists its items
 * so, and the home page its latest ones; so the section reads as the list
 * it is and a client can subscribe to it too, whichever of the two /news/
 * pages (feed or section) a link leads to. */
static void put_entry_line(struct buf *out, const char *path,
                           const char *date, const char *title)
{
    put_own_link(out, path);
    buf_printf(out, " %s ", date);
    layout_put_clean(out, title, strlen(title));
    buf_putc(out, '\n');
}

static void put_news_entry(struct buf *out, const struct news_item *it)
{
    struct buf path = {0};
    path_news_item(&path, it->number);
    put_entry_line(out, path.data, it->date, it->title);
    buf_free(&path);
}

static void put_block(struct gem *g, size_t index)
{
    const struct block *b = &g->d->blocks[index];
    const struct news_item *it = news_at_block(g->news, index);
    if (!layout_block_shows(b) && !it)
        return;
    put_gap(g, b);
    if (it)
        put_news_entry(g->out, it);
    else if (layout_block_shows_text(b))
        put_block_body(g, b);
    for (size_t i = 0; i < b->n_links; i++)
        put_link_line(g, &b->links[i]);
    layout_done(&g->state, b);
}

static void put_blocks(struct gem *g, size_t first, size_t count)
{
    const struct doc *d = g->d;
    if (first >= d->n_blocks)
        return;
    if (count > d->n_blocks - first)
        count = d->n_blocks - first;
    for (size_t i = first; i < first + count; i++)
        put_block(g, i);
}

static void put_section_blocks(struct gem *g, size_t section)
{
    if (section < g->d->n_sections)
        put_blocks(g, g->d->sections[section].first,
                   g->d->sections[section].count);
}

static struct gem gem_start(const struct doc *d, const struct render_opts *o,
                            struct buf *out)
{
    struct gem g = {.d = d, .o = o, .out = out};
    return g;
}

/* --- pages --- */

static void put_card(struct gem *g)
{
    const char *name = render_site_title(g->o);
    buf_puts(g->out, "# ");
    layout_put_clean(g->out, name, strlen(name));
    buf_putc(g->out, '\n');
    const char *person = layout_card_name(g->o);
    if (person)
        put_text_line(g->out, person, strlen(person));
    const char *bio = layout_card_bio(g->o);
    if (bio)
        put_text_line(g->out, bio, strlen(bio));
    const char *place = layout_card_place(g->o);
    if (place)
        put_text_line(g->out, place, strlen(place));
    struct link l;
    for (size_t i = 0; layout_card_link(g->o, i, &l); i++)
        put_link_line(g, &l);
    layout_heading_done(&g->state);
}

static void put_section_link(struct gem *g, size_t i, const char *before,
                             const char *after)
{
    const struct section *s = &g->d->sections[i];
    const char *title = nonempty(s->title) ? s->title : s->slug;
    struct buf path = {0};
    path_section(&path, g->d, s->slug);
    put_own_link(g->out, path.data);
    buf_putc(g->out, ' ');
    buf_puts(g->out, before);
    layout_put_clean(g->out, title, strlen(title));
    buf_puts(g->out, after);
    buf_putc(g->out, '\n');
    buf_free(&path);
}

/* The site's navigation: its pages and collections. */
static void put_nav(struct gem *g)
{
    if (g->o->n_nav == 0)
        return;
    buf_puts(g->out, "\n## Pages\n");
    for (size_t i = 0; i < g->o->n_nav; i++) {
        const struct nav_link *l = &g->o->nav[i];
        put_own_link(g->out, l->path);
        buf_putc(g->out, ' ');
        layout_put_clean(g->out, l->label, strlen(l->label));
        buf_putc(g->out, '\n');
    }
}

static void put_latest_news(struct gem *g)
{
    if (!layout_latest_news(g->o, 0))
        return;
    buf_puts(g->out, "\n## Latest news\n");
    const struct news_entry *e;
    for (size_t i = 0; (e = layout_latest_news(g->o, i)) != NULL; i++)
        put_entry_line(g->out, e->link, e->date, e->title);
    buf_puts(g->out, "=> " PATH_NEWS " All news (subscribe)\n");
}

void render_gemtext_home(const struct doc *d, const struct render_opts *o,
                         struct buf *out)
{
    struct gem g = gem_start(d, o, out);
    put_card(&g);
    g.state.demote_h1 = true;
    put_section_blocks(&g, 0);
    g.state.demote_h1 = false;
    if (d->n_sections > 1) {
        buf_puts(out, "\n## Sections\n");
        for (size_t i = 1; i < d->n_sections; i++)
            put_section_link(&g, i, "", "");
    }
    put_nav(&g);
    put_latest_news(&g);
    buf_putc(out, '\n');
    put_search_link(out, o, "Search");
    buf_puts(out, "=> " PATH_ATOM " Atom feed\n");
    if (o->cfg && o->cfg->site.serve_source)
        buf_puts(out, "=> " PATH_SOURCE " Markdown source\n");
}

void render_gemtext_section(const struct doc *d, size_t section,
                            const struct render_opts *o, struct buf *out)
{
    if (section >= d->n_sections)
        return;
    struct gem g = gem_start(d, o, out);
    const struct news *news = layout_news(o);
    if (section == news->section)
        g.news = news;
    put_section_blocks(&g, section);
    if (section == news->section) {
        buf_puts(out, "\n=> " PATH_NEWS " Subscribe to the news (gemsub)\n");
        buf_puts(out, "=> " PATH_ATOM " Atom feed\n");
    }
    buf_puts(out, "\n=> " PATH_HOME " Home\n");
    if (section > 1)
        put_section_link(&g, section - 1, "Previous: ", "");
    if (section + 1 < d->n_sections)
        put_section_link(&g, section + 1, "Next: ", "");
}

void render_gemtext_all(const struct doc *d, const struct render_opts *o,
                        struct buf *out)
{
    struct gem g = gem_start(d, o, out);
    put_card(&g);
    for (size_t i = 0; i < d->n_sections; i++)
        put_section_blocks(&g, i);
}

void render_gemtext_blocks(const struct doc *d, size_t first, size_t count,
                           const struct render_opts *o, struct buf *out)
{
    struct gem g = gem_start(d, o, out);
    put_blocks(&g, first, count);
}

/* "=> PATH LABEL" to a section, its label as written in the model. */
static void put_section_label_link(struct buf *out, const struct doc *d,
                                   const struct section *sec)
{
    struct buf path = {0};
    path_section(&path, d, sec->slug);
    put_own_link(out, path.data);
    buf_printf(out, " %s\n", layout_section_label(sec));
    buf_free(&path);
}

void render_gemtext_news_item(const struct doc *d, const struct render_opts *o,
                              const struct news_item *it, struct buf *out)
{
    const struct section *sec = &d->sections[layout_news(o)->section];
    buf_printf(out, "# News, %s\n\n", it->date);
    render_gemtext_blocks(d, it->block, 1, o, out);
    if (out->len && out->data[out->len - 1] != '\n')
        buf_putc(out, '\n');
    buf_putc(out, '\n');
    struct buf where = {0};
    path_section(&where, d, sec->slug);
    /* A news section called "news" is itself read at /news/. */
    if (strcmp(where.data, PATH_NEWS) != 0 &&
        strcmp(where.data, PATH_HOME) != 0)
        put_section_label_link(out, d, sec);
    buf_free(&where);
    buf_puts(out, "=> " PATH_NEWS " All news\n=> " PATH_HOME " Home\n");
}

/* How many matched past those shown, so the reader knows to narrow the
 * terms; and whether the search stopped before the end of the site. */
static void put_search_bounds(struct buf *out, const struct search *hits)
{
    if (hits->matched > hits->n)
        buf_printf(out, "\n%zu more matches not shown: add a term to "
                   "narrow the search.\n", hits->matched - hits->n);
    if (hits->cut)
        buf_puts(out, "\nThe search stopped before the end of the site: "
                      "add a term to narrow it.\n");
}

void render_gemtext_search(const struct render_opts *o, const char *query,
                           const struct search *hits, struct buf *out)
{
    buf_printf(out, "# Search: %s\n", query);
    for (size_t i = 0; i < hits->n; i++) {
        const struct search_result *r = &hits->results[i];
        buf_putc(out, '\n');
        put_own_link(out, r->entry->route);
        buf_printf(out, " %s\n", r->entry->label);
        for (size_t k = 0; k < r->n_lines; k++) {
            buf_puts(out, "> ");
            layout_search_line(out, r, k);
            buf_putc(out, '\n');
        }
    }
    if (hits->matched == 0)
        buf_puts(out, "\nNo matches.\n");
    put_search_bounds(out, hits);
    buf_putc(out, '\n');
    put_search_link(out, o, "Search again");
    buf_puts(out, "=> " PATH_HOME " Home\n");
}

void render_gemtext_search_prompt(const struct render_opts *o,
                                  struct buf *out)
{
    buf_puts(out, "# Search\n\n");
    put_search_link(out, o, "Search the profile");
    buf_puts(out, "\n=> " PATH_HOME " Home\n");
}
