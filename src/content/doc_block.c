/* The block being built: opened lazily at its first visible content with
 * the type its context calls for, fed sanitised text and breaks, its links
 * captured with their labels, and finished into the document with its
 * links and the ids met before it. */
#include "doc_internal.h"

#include <stdlib.h>
#include <string.h>

void doc_add_anchor(struct walker *w, char *id, size_t block)
{
    struct walk_output *o = &w->out;
    struct anchor_rec *a = PUSH(o->anchors, o->n_anchors, o->cap_anchors);
    a->id = id;
    a->block = block;
}

void doc_add_pending_id(struct walker *w, const char *id, size_t len)
{
    while (len && (*id == ' ' || *id == '#'))
        id++, len--;
    while (len && id[len - 1] == ' ')
        len--;
    if (!len)
        return;
    struct walk_output *o = &w->out;
    *PUSH(o->pending_ids, o->n_pending, o->cap_pending) = xstrndup(id, len);
}

int doc_innermost_container(const struct walker *w)
{
    for (size_t i = w->md.n_frames; i > 0; i--)
        if (w->md.frames[i - 1].kind != F_LIST)
            return (int)i - 1;
    return -1;
}

/* The type an HTML element around the text gives the block (pre, item,
 * quote); false when it is in none. An <li> takes its marker. */
static bool S_html_context(struct walker *w, struct block *b)
{
    struct html_state *h = &w->html;
    if (h->pre) {
        b->type = BLOCK_PRE;
    } else if (h->item) {
        b->type = BLOCK_ITEM;
        b->level = w->md.list_depth + (int)h->n_lists;
        if (b->level < 1)
            b->level = 1;
        b->marker = h->marker;
        h->marker = NULL;
    } else if (h->quote) {
        b->type = BLOCK_QUOTE;
        b->level = w->md.quote_depth + h->quote;
    } else {
        return false;
    }
    return true;
}

/* The type the Markdown containers give the block: the item it starts
 * (the first block of an item shows its marker) or the quote it is in. */
static void S_md_context(struct walker *w, struct builder *c)
{
    int f = doc_innermost_container(w);
    if (f >= 0 && w->md.frames[f].kind == F_ITEM) {
        struct frame *fr = &w->md.frames[f];
        c->b.type = BLOCK_ITEM;
        c->b.level = w->md.list_depth;
        if (!fr->marker_used && fr->marker)
            c->b.marker = xstrdup(fr->marker);
        fr->marker_used = true;
        c->frame = (size_t)f + 1;
    } else if (f >= 0) {
        c->b.type = BLOCK_QUOTE;
        c->b.level = w->md.quote_depth;
    }
}

/* Opens the block that the current context calls for. */
void doc_open_block(struct walker *w)
{
    struct builder *c = &w->cur;
    memset(&c->b, 0, sizeof c->b);
    c->open = true;
    c->b.line = w->src.line;
    c->b.type = BLOCK_PARA;
    if (w->html.heading || w->md.heading) {
        c->b.type = BLOCK_HEADING;
        c->b.level = w->html.heading ? w->html.heading : w->md.heading;
    } else if (!S_html_context(w, &c->b)) {
        S_md_context(w, c);
    }
}

void doc_put_text(struct walker *w, const char *s, size_t len)
{
    if (suppressed(w) || len == 0)
        return;
    struct builder *c = &w->cur;
    if (!c->open) {
        if (!w->html.pre && doc_all_space(s, len))
            return;
        doc_open_block(w);
    }
    if (c->b.type == BLOCK_PRE && !c->cell_mode) {
        if (w->html.pre_skip_newline && s[0] == '\n')
            s++, len--;
        w->html.pre_skip_newline = false;
        doc_sanitize_pre(&c->raw, &c->pre_col, s, len);
        return;
    }
    size_t at = c->raw.len;
    doc_sanitize_flow(&c->raw, s, len);
    if (!w->caps.capturing)
        buf_put(&c->residual, c->raw.data + at, c->raw.len - at);
}

void doc_put_break(struct walker *w)
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
void doc_push_capture(struct walker *w, const char *url, bool html, bool image)
{
    struct capture *cp = PUSH(w->caps.stack, w->caps.n, w->caps.cap);
    *cp = (struct capture){.html = html, .image = image,
                           .url = url ? xstrdup(url) : NULL};
    if (w->caps.capturing || suppressed(w))
        return;
    if (!w->cur.open)
        doc_open_block(w);
    cp->capturing = true;
    cp->start = w->cur.raw.len;
    w->caps.capturing = true;
}

void doc_pop_capture(struct walker *w)
{
    struct capture cp = w->caps.stack[--w->caps.n];
    if (cp.capturing) {
        w->caps.capturing = false;
        doc_link_add(w, cp.url, cp.start, cp.image);
    }
    free(cp.url);
}

void doc_close_captures(struct walker *w, size_t keep)
{
    while (w->caps.n > keep)
        doc_pop_capture(w);
}

static void grow_blocks(struct walker *w)
{
    struct walk_output *o = &w->out;
    struct doc *d = o->doc;
    if (d->n_blocks < o->cap_blocks)
        return;
    o->cap_blocks = o->cap_blocks ? o->cap_blocks * 2 : 64;
    d->blocks = xrealloc(d->blocks, o->cap_blocks * sizeof *d->blocks);
    o->explicit_ids =
        xrealloc(o->explicit_ids, o->cap_blocks * sizeof *o->explicit_ids);
    o->residual_plain =
        xrealloc(o->residual_plain, o->cap_blocks * sizeof *o->residual_plain);
}

void doc_free_block(struct block *b)
{
    free(b->marker);
    free(b->text);
    free(b->info);
    for (size_t i = 0; i < b->n_links; i++) {
        free(b->links[i].url);
        free(b->links[i].section);
        free(b->links[i].label);
        free(b->links[i].route);
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
    struct walk_output *o = &w->out;
    o->explicit_ids[idx] = NULL;
    if (heading && w->cur.kramdown_id) {
        o->explicit_ids[idx] = w->cur.kramdown_id;
        w->cur.kramdown_id = NULL;
    } else if (heading && o->n_pending) {
        o->explicit_ids[idx] = o->pending_ids[--o->n_pending];
    }
    for (size_t i = 0; i < o->n_pending; i++)
        doc_add_anchor(w, o->pending_ids[i], idx);
    o->n_pending = 0;
}

static void reset_builder(struct builder *c)
{
    for (size_t i = 0; i < c->n_links; i++) {
        free(c->olinks[i].key);
        buf_free(&c->olinks[i].label);
    }
    free(c->olinks);
    buf_free(&c->raw);
    buf_free(&c->residual);
    doc_strmap_free(&c->link_index);
    free(c->kramdown_id);
    memset(c, 0, sizeof *c);
}

/* Appends a finished block to the document with its side tables, the ids
 * met before it, and its section links for doc_sections.c to resolve. */
static void S_append_block(struct walker *w, const struct block *b)
{
    struct walk_output *o = &w->out;
    struct builder *c = &w->cur;
    grow_blocks(w);
    size_t idx = o->doc->n_blocks++;
    o->doc->blocks[idx] = *b;
    o->residual_plain[idx] =
        doc_only_separators(c->residual.data ? c->residual.data : "",
                            c->residual.len);
    consume_ids(w, idx, b->type == BLOCK_HEADING);
    for (size_t i = 0; i < b->n_links; i++) {
        if (!b->links[i].url) {
            struct link_ref *r = PUSH(o->section_links, o->n_section_links,
                                      o->cap_section_links);
            r->block = idx;
            r->link = i;
        }
    }
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
    if (doc_only_separators(raw + c->buttons_to, c->raw.len - c->buttons_to) &&
        !doc_only_separators(raw, c->buttons_from))
        c->raw.len = c->buttons_from;
}

/* Ends the open block: text collapsed, labels merged, kept when it shows
 * anything. */
void doc_finish_block(struct walker *w)
{
    doc_close_captures(w, 0);
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
        b.text = doc_collapse_text(c->raw.data ? c->raw.data : "", c->raw.len,
                                   b.type != BLOCK_HEADING);
    b.links = c->links;
    b.n_links = c->n_links;
    for (size_t i = 0; i < c->n_links; i++)
        b.links[i].label = buf_detach(&c->olinks[i].label);
    c->links = NULL;
    if (!b.text[0] && !b.n_links && b.type != BLOCK_RULE) {
        doc_free_block(&b);
        reset_builder(c);
        return;
    }
    S_append_block(w, &b);
    reset_builder(c);
}

void doc_emit_rule(struct walker *w, int line)
{
    if (suppressed(w))
        return;
    doc_finish_block(w);
    w->cur.open = true;
    w->cur.b.type = BLOCK_RULE;
    w->cur.b.line = line;
    doc_finish_block(w);
}

/* Frees what this file keeps in the walker: the block being built, the
 * captures and the output's side tables (the blocks stay the doc's). */
void doc_block_state_free(struct walker *w)
{
    reset_builder(&w->cur);
    for (size_t i = 0; i < w->caps.n; i++)
        free(w->caps.stack[i].url);
    free(w->caps.stack);
    struct walk_output *o = &w->out;
    for (size_t i = 0; i < o->n_pending; i++)
        free(o->pending_ids[i]);
    free(o->pending_ids);
    for (size_t i = 0; i < o->n_anchors; i++)
        free(o->anchors[i].id);
    free(o->anchors);
    free(o->section_links);
    for (size_t i = 0; i < o->doc->n_blocks; i++)
        free(o->explicit_ids[i]);
    free(o->explicit_ids);
    free(o->residual_plain);
}
