/* Plain text of the page, wrapped to a width: gopher's type 0 documents
 * (and finger). Also the block layout the gophermap shares, since a menu's
 * 'i' lines are the same text, only framed differently.
 *
 * Plain text has no markup to lean on, so the layout follows the habits
 * of plain-text mail and RFCs, which lynx and curl show as intended:
 * headings underlined, "- " items with a hanging indent, "> " quotes, and
 * each block's links listed under it as "[n] label: URL". */
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "capsuled/width.h"
#include "layout.h"

#include <string.h>

#define MAX_INDENT_DEPTH 6 /* deeper lists and quotes stop moving right */
#define MIN_TEXT_WIDTH 8   /* prefixes never squeeze text narrower */

static bool nonempty(const char *s)
{
    return s && *s;
}

/* --- block layout, shared with gophermap.c --- */

bool link_has_target(const struct link *l)
{
    return nonempty(l->url) || nonempty(l->section);
}

size_t block_targets(const struct block *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_links; i++)
        n += link_has_target(&b->links[i]);
    return n;
}

bool block_shows_text(const struct block *b)
{
    if (b->only_links && block_targets(b) > 0)
        return false;
    return nonempty(b->text) || b->type == BLOCK_RULE ||
           (b->type == BLOCK_PRE && b->text);
}

bool block_shows(const struct block *b)
{
    return block_shows_text(b) || block_targets(b) > 0;
}

static void emit_line(struct flow *f, const char *s, size_t len)
{
    f->line(s, len, f->ctx);
}

void flow_gap(struct flow *f, const struct block *b)
{
    if (!f->started)
        return;
    if (b->type == BLOCK_ITEM && f->prev == BLOCK_ITEM && !f->prev_links)
        return;
    /* Paragraphs of one quotation stay joined, as in mail. */
    if (b->type == BLOCK_QUOTE && f->prev == BLOCK_QUOTE && !f->prev_links)
        emit_line(f, ">", 1);
    else
        emit_line(f, "", 0);
}

void flow_done(struct flow *f, const struct block *b)
{
    f->started = true;
    f->prev = b->type;
    f->prev_links = block_targets(b) > 0;
}

struct prefixed {
    struct flow *f;
    const char *first, *rest;
    bool later;
    struct buf line;
    size_t widest;
};

static void emit_prefixed(const char *s, size_t len, void *ctx)
{
    struct prefixed *p = ctx;
    buf_clear(&p->line);
    buf_puts(&p->line, p->later ? p->rest : p->first);
    buf_put(&p->line, s, len);
    p->later = true;
    size_t w = width_text(p->line.data, p->line.len);
    if (w > p->widest)
        p->widest = w;
    emit_line(p->f, p->line.data, p->line.len);
}

/* Wraps and returns the widest line written. */
static size_t wrap_with_prefix(struct flow *f, const char *text,
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
    wrap_text(t, strlen(t), width, emit_prefixed, &p);
    buf_free(&p.line);
    return p.widest;
}

void flow_wrapped(struct flow *f, const char *text, const char *first,
                  const char *rest)
{
    wrap_with_prefix(f, text, first, rest);
}

void flow_heading(struct flow *f, const char *text, int level)
{
    size_t w = wrap_with_prefix(f, text, "", "");
    if (f->width > 0 && w > (size_t)f->width)
        w = (size_t)f->width;
    struct buf rule = {0};
    for (size_t i = 0; i < w; i++)
        buf_putc(&rule, level == 1 ? '=' : '-');
    emit_line(f, rule.data ? rule.data : "", rule.len);
    buf_free(&rule);
}

static int clamp_depth(int depth)
{
    return depth < 1 ? 1 : depth > MAX_INDENT_DEPTH ? MAX_INDENT_DEPTH : depth;
}

/* "- text" or "3. text", nested items two columns further in, and the
 * continuation lines under the text, not under the marker. */
static void flow_item(struct flow *f, const struct block *b)
{
    struct buf first = {0}, rest = {0};
    for (int i = 1; i < clamp_depth(b->level); i++)
        buf_puts(&first, "  ");
    if (nonempty(b->marker)) {
        put_clean(&first, b->marker, strlen(b->marker));
        buf_putc(&first, ' ');
    } else {
        buf_puts(&first, "- ");
    }
    size_t w = width_text(first.data, first.len);
    for (size_t i = 0; i < w; i++)
        buf_putc(&rest, ' ');
    wrap_with_prefix(f, b->text, first.data, rest.data);
    buf_free(&first);
    buf_free(&rest);
}

static void flow_quote(struct flow *f, const struct block *b)
{
    struct buf prefix = {0};
    for (int i = 0; i < clamp_depth(b->level); i++)
        buf_puts(&prefix, "> ");
    wrap_with_prefix(f, b->text, prefix.data, prefix.data);
    buf_free(&prefix);
}

/* Preformatted lines go out as they are: code and tables lose their sense
 * when wrapped, and clients scroll or cut long lines themselves. */
static void flow_pre(struct flow *f, const struct block *b)
{
    const char *s = b->text ? b->text : "";
    size_t len = strlen(s);
    if (len && s[len - 1] == '\n')
        len--;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            emit_line(f, s + start, i - start);
            start = i + 1;
        }
    }
}

static void flow_rule(struct flow *f)
{
    int width = f->width > 0 ? f->width : 70;
    struct buf rule = {0};
    for (int i = 0; i < (width - 5) / 2; i++)
        buf_putc(&rule, ' ');
    buf_puts(&rule, "* * *");
    emit_line(f, rule.data, rule.len);
    buf_free(&rule);
}

void flow_text(struct flow *f, const struct block *b)
{
    switch (b->type) {
    case BLOCK_HEADING:
        if (b->level >= 1 && b->level <= 3)
            flow_heading(f, b->text, f->demote_h1 && b->level == 1 ? 2 : b->level);
        else
            flow_wrapped(f, b->text, "", "");
        break;
    case BLOCK_PARA:
        flow_wrapped(f, b->text, "", "");
        break;
    case BLOCK_ITEM:
        flow_item(f, b);
        break;
    case BLOCK_QUOTE:
        flow_quote(f, b);
        break;
    case BLOCK_PRE:
        flow_pre(f, b);
        break;
    case BLOCK_RULE:
        flow_rule(f);
        break;
    }
}

/* --- plain text --- */

struct text {
    const struct doc *d;
    const struct render_opts *o;
    struct buf *out;
    bool for_gopher;
    size_t n_links; /* links numbered through the whole output */
    struct flow flow;
    struct buf scratch;
};

/* A line as a gopher text document needs it: a lone "." would end the
 * document early, so it becomes "..", and lines end in CRLF. */
static void text_line(const char *s, size_t len, void *ctx)
{
    struct text *t = ctx;
    if (t->for_gopher && len == 1 && s[0] == '.')
        buf_putc(t->out, '.');
    put_clean(t->out, s, len);
    buf_puts(t->out, t->for_gopher ? "\r\n" : "\n");
}

static void text_start(struct text *t, const struct doc *d,
                       const struct render_opts *o, bool for_gopher,
                       struct buf *out)
{
    memset(t, 0, sizeof *t);
    t->d = d;
    t->o = o;
    t->out = out;
    t->for_gopher = for_gopher;
    t->flow.width = o->width;
    t->flow.line = text_line;
    t->flow.ctx = t;
}

static void text_finish(struct text *t)
{
    if (t->for_gopher)
        buf_puts(t->out, ".\r\n");
    buf_free(&t->scratch);
}

/* Where a link to a section of this page leads, in the protocol the text is
 * read in. */
static void put_section_url(struct text *t, const char *slug)
{
    const struct render_opts *o = t->o;
    struct buf path = {0};
    path_section(&path, t->d, slug);
    if (t->for_gopher)
        path_gopher_url(&t->scratch, o->gopher_host, o->gopher_port, '1',
                        path.data);
    else
        path_gemini_url(&t->scratch, o->gemini_host, o->gemini_port,
                        path.data);
    buf_free(&path);
}

static void text_link(struct text *t, const struct link *l)
{
    if (!link_has_target(l))
        return;
    buf_clear(&t->scratch);
    buf_printf(&t->scratch, "  [%zu] ", ++t->n_links);
    if (l->image)
        buf_puts(&t->scratch, "image: ");
    if (nonempty(l->label)) {
        buf_puts(&t->scratch, l->label);
        buf_puts(&t->scratch, ": ");
    }
    if (nonempty(l->url))
        buf_puts(&t->scratch, l->url);
    else
        put_section_url(t, l->section);
    text_line(t->scratch.data, t->scratch.len, t);
}

static void text_block(struct text *t, const struct block *b)
{
    if (!block_shows(b))
        return;
    flow_gap(&t->flow, b);
    if (block_shows_text(b))
        flow_text(&t->flow, b);
    for (size_t i = 0; i < b->n_links; i++)
        text_link(t, &b->links[i]);
    flow_done(&t->flow, b);
}

static void text_section(struct text *t, size_t section)
{
    if (section >= t->d->n_sections)
        return;
    const struct section *s = &t->d->sections[section];
    for (size_t i = s->first; i < s->first + s->count && i < t->d->n_blocks; i++)
        text_block(t, &t->d->blocks[i]);
}

void render_text_section(const struct doc *d, size_t section,
                         const struct render_opts *o, int for_gopher,
                         struct buf *out)
{
    struct text t;
    text_start(&t, d, o, for_gopher != 0, out);
    text_section(&t, section);
    text_finish(&t);
}

void render_text_all(const struct doc *d, const struct render_opts *o,
                     int for_gopher, struct buf *out)
{
    struct text t;
    text_start(&t, d, o, for_gopher != 0, out);
    flow_heading(&t.flow, render_site_title(o), 1);
    const char *bio = card_bio(o);
    if (bio)
        flow_wrapped(&t.flow, bio, "", "");
    t.flow.started = true;
    t.flow.prev = BLOCK_HEADING;
    for (size_t i = 0; i < d->n_sections; i++)
        text_section(&t, i);
    text_finish(&t);
}
