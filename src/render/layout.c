/* What every renderer shares (see layout.h): clean output, the card, the
 * news a page shows, which blocks show anything, the blank lines between
 * blocks, and the block layout that gophermaps and plain text both use,
 * since a menu's 'i' lines are the same text, only framed differently.
 *
 * Plain text has no markup to lean on, so that layout follows the habits
 * of plain-text mail and RFCs, which lynx and curl show as intended:
 * headings underlined, "- " items with a hanging indent, "> " quotes; each
 * format then writes a block's links under it its own way. */
#include "layout.h"
#include "capsuled/utf8.h"
#include "capsuled/width.h"

#include <string.h>

#define HOME_NEWS_COUNT 3  /* latest news on a home page */
#define MAX_INDENT_DEPTH 6 /* deeper lists and quotes stop moving right */
#define MIN_TEXT_WIDTH 8   /* prefixes never squeeze text narrower */
#define DEFAULT_WIDTH 70   /* what a rule is centred in without a width */

static bool S_nonempty(const char *s)
{
    return s && *s;
}

/* --- output --- */

void layout_put_clean(struct buf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t run = i + utf8_printable_span(s + i, len - i);
        if (run > i) { /* plain ASCII goes out in one piece */
            buf_put(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            buf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD */
            i++;
            continue;
        }
        /* C0, DEL, C1 and the Unicode line separators would break a line
         * (or a gophermap field) in some client. */
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
            cp == 0x2029)
            buf_putc(out, ' ');
        else
            buf_put(out, s + i, n);
        i += n;
    }
}

/* --- what a page shows --- */

const char *render_site_title(const struct render_opts *o)
{
    if (o->page && S_nonempty(o->page->title))
        return o->page->title;
    if (o->cfg && S_nonempty(o->cfg->site.author_name))
        return o->cfg->site.author_name;
    if (o->card && S_nonempty(o->card->name))
        return o->card->name;
    if (o->cfg && S_nonempty(o->cfg->site.title))
        return o->cfg->site.title;
    return "Profile";
}

const char *layout_card_name(const struct render_opts *o)
{
    if (!o->card || !S_nonempty(o->card->name) ||
        strcmp(o->card->name, render_site_title(o)) == 0)
        return NULL;
    return o->card->name;
}

const char *layout_card_place(const struct render_opts *o)
{
    return o->card && S_nonempty(o->card->place) ? o->card->place : NULL;
}

bool layout_card_link(const struct render_opts *o, size_t i,
                      struct link *out)
{
    if (!o->card || i >= o->card->n_links)
        return false;
    *out = (struct link){.url = o->card->links[i].url,
                         .label = o->card->links[i].label};
    return true;
}

const char *layout_card_bio(const struct render_opts *o)
{
    if (o->card && S_nonempty(o->card->bio))
        return o->card->bio;
    if (o->cfg && S_nonempty(o->cfg->site.author_bio))
        return o->cfg->site.author_bio;
    if (o->cfg && S_nonempty(o->cfg->site.description))
        return o->cfg->site.description;
    return NULL;
}

bool layout_cite_link(struct buf *out, size_t n, const struct link *l)
{
    buf_clear(out);
    buf_printf(out, "  [%zu] ", n);
    if (l->image)
        buf_puts(out, "image: ");
    if (l->label && *l->label) {
        buf_puts(out, l->label);
        buf_puts(out, ": ");
    }
    if (!l->url || !*l->url)
        return true;
    buf_puts(out, l->url);
    return false;
}

void layout_search_line(struct buf *out, const struct search_result *r,
                        size_t k)
{
    if (r->line_cut[k] & SEARCH_CUT_BEFORE)
        buf_puts(out, "\xe2\x80\xa6");
    buf_put(out, r->line[k], r->line_len[k]);
    if (r->line_cut[k] & SEARCH_CUT_AFTER)
        buf_puts(out, "\xe2\x80\xa6");
}

const char *layout_section_label(const struct section *sec)
{
    if (S_nonempty(sec->title))
        return sec->title;
    return S_nonempty(sec->slug) ? sec->slug : "Home";
}

const struct news *layout_news(const struct render_opts *o)
{
    static const struct news none = {.section = NEWS_NONE};
    return o->news ? o->news : &none;
}

const struct news_entry *layout_latest_news(const struct render_opts *o,
                                           size_t i)
{
    const struct news *n = layout_news(o);
    if (i >= n->n_feed || i >= HOME_NEWS_COUNT)
        return NULL;
    return &n->feed[i];
}

bool layout_link_has_target(const struct link *l)
{
    return S_nonempty(l->url) || S_nonempty(l->section) ||
           S_nonempty(l->route);
}

static size_t S_block_targets(const struct block *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_links; i++)
        n += layout_link_has_target(&b->links[i]);
    return n;
}

bool layout_block_shows_text(const struct block *b)
{
    if (b->only_links && S_block_targets(b) > 0)
        return false;
    return S_nonempty(b->text) || b->type == BLOCK_RULE ||
           (b->type == BLOCK_PRE && b->text);
}

bool layout_block_shows(const struct block *b)
{
    return layout_block_shows_text(b) || S_block_targets(b) > 0;
}

/* --- blank lines between blocks --- */

enum layout_gap layout_gap(const struct layout_state *s,
                           const struct block *b)
{
    if (!s->started)
        return LAYOUT_GAP_NONE;
    if (b->type == BLOCK_ITEM && s->prev == BLOCK_ITEM && !s->prev_links)
        return LAYOUT_GAP_NONE;
    /* Paragraphs of one quotation stay joined, as in mail. */
    if (b->type == BLOCK_QUOTE && s->prev == BLOCK_QUOTE && !s->prev_links)
        return LAYOUT_GAP_QUOTE;
    return LAYOUT_GAP_BLANK;
}

void layout_done(struct layout_state *s, const struct block *b)
{
    s->started = true;
    s->prev = b->type;
    s->prev_links = S_block_targets(b) > 0;
}

void layout_heading_done(struct layout_state *s)
{
    s->started = true;
    s->prev = BLOCK_HEADING;
    s->prev_links = false;
}

/* --- block layout of the column-bound formats --- */

static void S_emit(struct layout_flow *f, const char *s, size_t len)
{
    f->line(s, len, f->ctx);
}

struct prefixed {
    struct layout_flow *f;
    const char *first, *rest;
    bool later;
    struct buf line;
    size_t widest;
};

static void S_emit_prefixed(const char *s, size_t len, void *ctx)
{
    struct prefixed *p = ctx;
    buf_clear(&p->line);
    buf_puts(&p->line, p->later ? p->rest : p->first);
    buf_put(&p->line, s, len);
    p->later = true;
    size_t w = width_text(p->line.data, p->line.len);
    if (w > p->widest)
        p->widest = w;
    S_emit(p->f, p->line.data, p->line.len);
}

/* Wraps and returns the widest line written. */
static size_t S_wrap_with_prefix(struct layout_flow *f, const char *text,
                                 const char *first, const char *rest)
{
    struct prefixed p = {.f = f, .first = first, .rest = rest};
    int width = f->width;
    if (width > 0) {
        size_t pw = width_text(first, strlen(first));
        size_t rw = width_text(rest, strlen(rest));
        int prefix = (int)(pw > rw ? pw : rw);
        width = width - prefix < MIN_TEXT_WIDTH ? MIN_TEXT_WIDTH : width - prefix;
    }
    const char *t = text ? text : "";
    wrap_text(t, strlen(t), width, S_emit_prefixed, &p);
    buf_free(&p.line);
    return p.widest;
}

void layout_flow_wrapped(struct layout_flow *f, const char *text,
                         const char *first, const char *rest)
{
    S_wrap_with_prefix(f, text, first, rest);
}

void layout_flow_heading(struct layout_flow *f, const char *text, int level)
{
    size_t w = S_wrap_with_prefix(f, text, "", "");
    if (f->width > 0 && w > (size_t)f->width)
        w = (size_t)f->width;
    struct buf rule = {0};
    for (size_t i = 0; i < w; i++)
        buf_putc(&rule, level == 1 ? '=' : '-');
    S_emit(f, rule.data ? rule.data : "", rule.len);
    buf_free(&rule);
}

static int S_clamp_depth(int depth)
{
    return depth < 1 ? 1 : depth > MAX_INDENT_DEPTH ? MAX_INDENT_DEPTH : depth;
}

/* "- text" or "3. text", nested items two columns further in, and the
 * continuation lines under the text, not under the marker. */
static void S_flow_item(struct layout_flow *f, const struct block *b)
{
    struct buf first = {0}, rest = {0};
    for (int i = 1; i < S_clamp_depth(b->level); i++)
        buf_puts(&first, "  ");
    if (S_nonempty(b->marker)) {
        layout_put_clean(&first, b->marker, strlen(b->marker));
        buf_putc(&first, ' ');
    } else {
        buf_puts(&first, "- ");
    }
    size_t w = width_text(first.data, first.len);
    for (size_t i = 0; i < w; i++)
        buf_putc(&rest, ' ');
    S_wrap_with_prefix(f, b->text, first.data, rest.data);
    buf_free(&first);
    buf_free(&rest);
}

static void S_flow_quote(struct layout_flow *f, const struct block *b)
{
    struct buf prefix = {0};
    for (int i = 0; i < S_clamp_depth(b->level); i++)
        buf_puts(&prefix, "> ");
    S_wrap_with_prefix(f, b->text, prefix.data, prefix.data);
    buf_free(&prefix);
}

/* Preformatted lines go out as they are: code and tables lose their sense
 * when wrapped, and clients scroll or cut long lines themselves. */
static void S_flow_pre(struct layout_flow *f, const struct block *b)
{
    const char *s = b->text ? b->text : "";
    size_t len = strlen(s);
    if (len && s[len - 1] == '\n')
        len--;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            S_emit(f, s + start, i - start);
            start = i + 1;
        }
    }
}

static void S_flow_rule(struct layout_flow *f)
{
    int width = f->width > 0 ? f->width : DEFAULT_WIDTH;
    struct buf rule = {0};
    for (int i = 0; i < (width - 5) / 2; i++)
        buf_putc(&rule, ' ');
    buf_puts(&rule, "* * *");
    S_emit(f, rule.data, rule.len);
    buf_free(&rule);
}

static void S_flow_text(struct layout_flow *f, const struct block *b)
{
    switch (b->type) {
    case BLOCK_HEADING:
        if (b->level >= 1 && b->level <= 3)
            layout_flow_heading(f, b->text,
                                f->state.demote_h1 && b->level == 1 ? 2
                                                                    : b->level);
        else
            layout_flow_wrapped(f, b->text, "", "");
        break;
    case BLOCK_PARA:
        layout_flow_wrapped(f, b->text, "", "");
        break;
    case BLOCK_ITEM:
        S_flow_item(f, b);
        break;
    case BLOCK_QUOTE:
        S_flow_quote(f, b);
        break;
    case BLOCK_PRE:
        S_flow_pre(f, b);
        break;
    case BLOCK_RULE:
        S_flow_rule(f);
        break;
    }
}

static void S_flow_gap(struct layout_flow *f, const struct block *b)
{
    switch (layout_gap(&f->state, b)) {
    case LAYOUT_GAP_NONE:
        break;
    case LAYOUT_GAP_BLANK:
        S_emit(f, "", 0);
        break;
    case LAYOUT_GAP_QUOTE:
        S_emit(f, ">", 1);
        break;
    }
}

static void S_flow_block(struct layout_flow *f, const struct block *b)
{
    if (!layout_block_shows(b))
        return;
    S_flow_gap(f, b);
    if (layout_block_shows_text(b))
        S_flow_text(f, b);
    for (size_t i = 0; i < b->n_links; i++)
        if (layout_link_has_target(&b->links[i]))
            f->link(&b->links[i], f->ctx);
    layout_done(&f->state, b);
}

void layout_flow_section(struct layout_flow *f, const struct doc *d,
                         size_t section)
{
    if (section >= d->n_sections)
        return;
    const struct section *s = &d->sections[section];
    for (size_t i = s->first; i < s->first + s->count && i < d->n_blocks; i++)
        S_flow_block(f, &d->blocks[i]);
}

void layout_flow_card(struct layout_flow *f, const struct render_opts *o)
{
    layout_flow_heading(f, render_site_title(o), 1);
    const char *name = layout_card_name(o);
    if (name)
        layout_flow_wrapped(f, name, "", "");
    const char *bio = layout_card_bio(o);
    if (bio)
        layout_flow_wrapped(f, bio, "", "");
    const char *place = layout_card_place(o);
    if (place)
        layout_flow_wrapped(f, place, "", "");
    struct link l;
    for (size_t i = 0; f->link && layout_card_link(o, i, &l); i++)
        f->link(&l, f->ctx);
    layout_heading_done(&f->state);
}
