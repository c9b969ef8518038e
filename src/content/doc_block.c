/* The block being built: opened lazily at its first visible content with
 * the type its context calls for, fed sanitised text and breaks, its links
 * captured with their labels, and finished into the document with its
 * links and the ids met before it. */
#include "doc_internal.h"

#include <stdlib.h>
#include <string.h>

void add_anchor(struct walker *w, char *id, size_t block)
{
    struct anchor_rec *a = PUSH(w->anchors, w->n_anchors, w->cap_anchors);
    a->id = id;
    a->block = block;
}

void add_pending_id(struct walker *w, const char *id, size_t len)
{
    while (len && (*id == ' ' || *id == '#'))
        id++, len--;
    while (len && id[len - 1] == ' ')
        len--;
    if (!len)
        return;
    *PUSH(w->pending_ids, w->n_pending, w->cap_pending) = xstrndup(id, len);
}

int innermost_container(const struct walker *w)
{
    for (size_t i = w->n_frames; i > 0; i--)
        if (w->frames[i - 1].kind != F_LIST)
            return (int)i - 1;
    return -1;
}

/* Opens the block that the current context calls for. */
void open_block(struct walker *w)
{
    struct builder *c = &w->cur;
    memset(&c->b, 0, sizeof c->b);
    c->open = true;
    c->b.line = w->cur_line;
    c->b.type = BLOCK_PARA;
    if (w->html_heading || w->md_heading) {
        c->b.type = BLOCK_HEADING;
        c->b.level = w->html_heading ? w->html_heading : w->md_heading;
    } else if (w->html_pre) {
        c->b.type = BLOCK_PRE;
    } else if (w->html_item) {
        c->b.type = BLOCK_ITEM;
        c->b.level = w->list_depth + (int)w->n_hlists;
        if (c->b.level < 1)
            c->b.level = 1;
        c->b.marker = w->html_marker;
        w->html_marker = NULL;
    } else if (w->html_quote) {
        c->b.type = BLOCK_QUOTE;
        c->b.level = w->quote_depth + w->html_quote;
    } else {
        int f = innermost_container(w);
        if (f >= 0 && w->frames[f].kind == F_ITEM) {
            struct frame *fr = &w->frames[f];
            c->b.type = BLOCK_ITEM;
            c->b.level = w->list_depth;
            if (!fr->marker_used && fr->marker)
                c->b.marker = xstrdup(fr->marker);
            fr->marker_used = true;
            c->frame = (size_t)f + 1;
        } else if (f >= 0) {
            c->b.type = BLOCK_QUOTE;
            c->b.level = w->quote_depth;
        }
    }
}

void put_text(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w) || len == 0)
        return;
    struct builder *c = &w->cur;
    if (!c->open) {
        if (!w->html_pre && all_space(s, len))
            return;
        open_block(w);
    }
    if (c->b.type == BLOCK_PRE && !c->cell_mode) {
        if (w->pre_skip_newline && s[0] == '\n')
            s++, len--;
        w->pre_skip_newline = false;
        sanitize_pre(&c->raw, &c->pre_col, s, len);
        return;
    }
    size_t at = c->raw.len;
    sanitize_flow(&c->raw, s, len);
    if (!w->capturing)
        buf_put(&c->residual, c->raw.data + at, c->raw.len - at);
}

void put_break(struct walker *w)
{
    if (suppressed(w) || !w->cur.open)
        return;
    if (w->cur.b.type == BLOCK_PRE && !w->cur.cell_mode) {
        buf_putc(&w->cur.raw, '\n');
        w->cur.pre_col = 0;
    } else {
        buf_putc(&w->cur.raw, HARD_BREAK);
    }
}

/* Opens a link, image or <a href>: its label is what the block gets until
 * it closes (doc_links.c then records it). */
void push_capture(struct walker *w, const char *url, bool html, bool image)
{
    struct capture *cp = PUSH(w->caps, w->n_caps, w->cap_caps);
    *cp = (struct capture){.html = html, .image = image,
                           .url = url ? xstrdup(url) : NULL};
    if (w->capturing || suppressed(w))
        return;
    if (!w->cur.open)
        open_block(w);
    cp->capturing = true;
    cp->start = w->cur.raw.len;
    w->capturing = true;
}

void pop_capture(struct walker *w)
{
    struct capture cp = w->caps[--w->n_caps];
    if (cp.capturing) {
        w->capturing = false;
        doc_link_add(w, cp.url, cp.start, cp.image);
    }
    free(cp.url);
}

void close_captures(struct walker *w, size_t keep)
{
    while (w->n_caps > keep)
        pop_capture(w);
}

static void grow_blocks(struct walker *w)
{
    struct doc *d = w->doc;
    if (d->n_blocks < w->cap_blocks)
        return;
    w->cap_blocks = w->cap_blocks ? w->cap_blocks * 2 : 64;
    d->blocks = xrealloc(d->blocks, w->cap_blocks * sizeof *d->blocks);
    w->explicit_ids =
        xrealloc(w->explicit_ids, w->cap_blocks * sizeof *w->explicit_ids);
    w->residual_plain =
        xrealloc(w->residual_plain, w->cap_blocks * sizeof *w->residual_plain);
}

void free_block(struct block *b)
{
    free(b->marker);
    free(b->text);
    free(b->info);
    for (size_t i = 0; i < b->n_links; i++) {
        free(b->links[i].url);
        free(b->links[i].section);
        free(b->links[i].label);
    }
    free(b->links);
}

static char *pre_text(const struct buf *raw)
{
    const char *s = raw->data ? raw->data : "";
    size_t len = raw->len, start = 0;
    /* Leading blank lines and trailing whitespace carry nothing. */
    for (size_t i = 0; i < len && (s[i] == ' ' || s[i] == '\n'); i++)
        if (s[i] == '\n')
            start = i + 1;
    while (len > start && (s[len - 1] == ' ' || s[len - 1] == '\n'))
        len--;
    return xstrndup(s + start, len - start);
}

/* Gives the ids met since the last block to the block at idx: a heading
 * takes the last as its own id, everything else becomes an anchor. */
static void consume_ids(struct walker *w, size_t idx, bool heading)
{
    w->explicit_ids[idx] = NULL;
    if (heading && w->cur.kramdown_id) {
        w->explicit_ids[idx] = w->cur.kramdown_id;
        w->cur.kramdown_id = NULL;
    } else if (heading && w->n_pending) {
        w->explicit_ids[idx] = w->pending_ids[--w->n_pending];
    }
    for (size_t i = 0; i < w->n_pending; i++)
        add_anchor(w, w->pending_ids[i], idx);
    w->n_pending = 0;
}

void reset_builder(struct builder *c)
{
    for (size_t i = 0; i < c->n_links; i++) {
        free(c->olinks[i].key);
        buf_free(&c->olinks[i].label);
    }
    free(c->olinks);
    buf_free(&c->raw);
    buf_free(&c->residual);
    strmap_free(&c->link_index);
    free(c->kramdown_id);
    memset(c, 0, sizeof *c);
}

/* "... CSRanking) [Code] [Preview][Download]": buttons that end a block of
 * text only repeat its link lines, so the text stops before them. A block
 * of nothing but links is left whole (it becomes link lines alone). */
static void cut_trailing_buttons(struct builder *c)
{
    if (!c->has_buttons || c->cell_mode ||
        (c->b.type != BLOCK_PARA && c->b.type != BLOCK_ITEM &&
         c->b.type != BLOCK_QUOTE))
        return;
    const char *raw = c->raw.data;
    if (only_separators(raw + c->buttons_to, c->raw.len - c->buttons_to) &&
        !only_separators(raw, c->buttons_from))
        c->raw.len = c->buttons_from;
}

/* Ends the open block: text collapsed, labels merged, kept when it shows
 * anything. */
void finish_block(struct walker *w)
{
    close_captures(w, 0);
    struct builder *c = &w->cur;
    if (!c->open) {
        reset_builder(c);
        return;
    }
    cut_trailing_buttons(c);
    struct block b = c->b;
    if (b.type == BLOCK_PRE)
        b.text = pre_text(&c->raw);
    else
        b.text = collapse_text(c->raw.data ? c->raw.data : "", c->raw.len,
                               b.type != BLOCK_HEADING);
    b.links = c->links;
    b.n_links = c->n_links;
    for (size_t i = 0; i < c->n_links; i++)
        b.links[i].label = buf_detach(&c->olinks[i].label);
    c->links = NULL;
    if (!b.text[0] && !b.n_links && b.type != BLOCK_RULE) {
        free_block(&b);
        reset_builder(c);
        return;
    }
    grow_blocks(w);
    size_t idx = w->doc->n_blocks++;
    w->doc->blocks[idx] = b;
    w->residual_plain[idx] =
        only_separators(c->residual.data ? c->residual.data : "",
                        c->residual.len);
    consume_ids(w, idx, b.type == BLOCK_HEADING);
    for (size_t i = 0; i < b.n_links; i++) {
        if (!b.links[i].url) {
            struct link_ref *r = PUSH(w->section_links, w->n_section_links,
                                      w->cap_section_links);
            r->block = idx;
            r->link = i;
        }
    }
    reset_builder(c);
}

void emit_rule(struct walker *w, int line)
{
    if (suppressed(w))
        return;
    finish_block(w);
    w->cur.open = true;
    w->cur.b.type = BLOCK_RULE;
    w->cur.b.line = line;
    finish_block(w);
}
