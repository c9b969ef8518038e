/* The document model: cmark's AST walked with its iterator (never by
 * recursion, so nesting depth costs heap, not stack), container blocks
 * tracked in frames, then blocks grouped into sections. The public entry
 * points of doc.h live here; the other doc_*.c modules do the parts. */
#include "doc_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void code_block(struct walker *w, cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);
    size_t len = lit ? strlen(lit) : 0;
    if (w->comment.open) {
        doc_comment_skip(w, &lit, &len);
        return; /* what follows "-->" in code is not worth a block */
    }
    const char *info = cmark_node_get_fence_info(n);
    struct span in = doc_trim_span(info ? info : "", info ? strlen(info) : 0);
    w->cur.open = true;
    w->cur.b.type = BLOCK_PRE;
    w->cur.b.line = w->src.line;
    if (in.len) {
        struct buf clean = {0};
        doc_sanitize_flow(&clean, in.s, in.len);
        w->cur.b.info = buf_detach(&clean);
    }
    doc_sanitize_pre(&w->cur.raw, &w->cur.pre_col, lit ? lit : "", len);
    /* A block of blank lines still counts: keep it from being dropped. */
    if (!w->cur.raw.len)
        buf_putc(&w->cur.raw, ' ');
    doc_finish_block(w);
}

static void push_frame(struct walker *w, enum frame_kind kind)
{
    struct frame *f = PUSH(w->md.frames, w->md.n_frames, w->md.cap_frames);
    memset(f, 0, sizeof *f);
    f->kind = kind;
}

static void pop_frame(struct walker *w)
{
    struct frame *f = &w->md.frames[--w->md.n_frames];
    if (f->kind == F_LIST)
        w->md.list_depth--;
    else if (f->kind == F_QUOTE)
        w->md.quote_depth--;
    free(f->marker);
}

static void list_enter(struct walker *w, cmark_node *n)
{
    push_frame(w, F_LIST);
    struct frame *f = &w->md.frames[w->md.n_frames - 1];
    f->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    f->delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
    f->next = cmark_node_get_list_start(n);
    w->md.list_depth++;
}

static void item_enter(struct walker *w)
{
    struct md_context *md = &w->md;
    struct frame *list = md->n_frames ? &md->frames[md->n_frames - 1] : NULL;
    char *marker = NULL;
    if (list && list->kind == F_LIST && list->ordered) {
        struct buf m = {0};
        buf_printf(&m, "%d%c", list->next++, list->delim);
        marker = buf_detach(&m);
    }
    push_frame(w, F_ITEM);
    w->md.frames[w->md.n_frames - 1].marker = marker;
}

/* A list item's later paragraphs continue its block (after a '\n') as long
 * as nothing else came between; otherwise they are unmarked items of the
 * same depth. */
static void paragraph_enter(struct walker *w)
{
    int f = doc_innermost_container(w);
    struct builder *c = &w->cur;
    if (c->open && c->parked && f >= 0 && c->frame == (size_t)f + 1) {
        c->parked = false;
        buf_putc(&c->raw, HARD_BREAK);
        return;
    }
    doc_finish_block(w);
}

static void paragraph_exit(struct walker *w)
{
    doc_close_captures(w, 0);
    doc_html_reset(w, false);
    doc_comment_end_text(w, true);
    int f = doc_innermost_container(w);
    if (w->cur.open && f >= 0 && w->cur.frame == (size_t)f + 1)
        w->cur.parked = true;
    else
        doc_finish_block(w);
}

/* A heading's trailing kramdown "{#id}" names it and is not text. */
static void heading_exit(struct walker *w)
{
    struct builder *c = &w->cur;
    doc_close_captures(w, 0);
    doc_html_reset(w, false);
    while (c->raw.len && c->raw.data[c->raw.len - 1] == ' ')
        c->raw.len--;
    if (c->raw.len && c->raw.data[c->raw.len - 1] == '}') {
        char *open = NULL;
        for (size_t i = c->raw.len; i-- > 0;)
            if (c->raw.data[i] == '{') {
                open = c->raw.data + i;
                break;
            }
        if (open && open[1] == '#') {
            const char *id = open + 2, *end = id;
            while (*end && *end != ' ' && *end != '}')
                end++;
            if (end > id) {
                free(c->kramdown_id);
                c->kramdown_id = xstrndup(id, (size_t)(end - id));
                c->raw.len = (size_t)(open - c->raw.data);
            }
        }
    }
    if (c->raw.data)
        c->raw.data[c->raw.len] = '\0';
    w->md.heading = 0;
    doc_finish_block(w);
}

static void walk_event(struct walker *w, cmark_iter *it, cmark_node *n,
                       cmark_event_type ev)
{
    bool enter = ev == CMARK_EVENT_ENTER;
    cmark_node_type type = cmark_node_get_type(n);
    if (type >= CMARK_NODE_FIRST_BLOCK && type <= CMARK_NODE_LAST_BLOCK &&
        enter && type != CMARK_NODE_DOCUMENT)
        w->src.line = w->src.line_base + doc_node_line(n) - 1;
    switch (type) {
    case CMARK_NODE_BLOCK_QUOTE:
        doc_finish_block(w);
        if (enter) {
            push_frame(w, F_QUOTE);
            w->md.quote_depth++;
        } else {
            pop_frame(w);
        }
        break;
    case CMARK_NODE_LIST:
        doc_finish_block(w);
        if (enter)
            list_enter(w, n);
        else
            pop_frame(w);
        break;
    case CMARK_NODE_ITEM:
        doc_finish_block(w);
        if (enter)
            item_enter(w);
        else
            pop_frame(w);
        break;
    case CMARK_NODE_CODE_BLOCK:
        doc_finish_block(w);
        code_block(w, n);
        break;
    case CMARK_NODE_HTML_BLOCK:
        doc_finish_block(w);
        doc_walk_html(w, n, true);
        break;
    case CMARK_NODE_PARAGRAPH:
        if (enter && doc_try_table(w, n)) {
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            break;
        }
        if (enter)
            paragraph_enter(w);
        else
            paragraph_exit(w);
        break;
    case CMARK_NODE_HEADING:
        if (enter) {
            doc_finish_block(w);
            w->md.heading = cmark_node_get_heading_level(n);
            /* A section's footnotes end it, before the next one starts. */
            if (w->kd && w->md.heading == w->kd->top_level)
                doc_kramdown_notes(w, w->src.line);
        } else {
            heading_exit(w);
        }
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        doc_emit_rule(w, w->src.line);
        break;
    default:
        doc_walk_inline(w, n, ev);
        break;
    }
}

/* Walks a parsed document with cmark's iterator: depth lives in the
 * walker's heap arrays, never on the C stack. */
static void walk_root(struct walker *w, cmark_node *root)
{
    cmark_consolidate_text_nodes(root);
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        walk_event(w, it, cmark_iter_get_node(it), ev);
    cmark_iter_free(it);
    doc_finish_block(w);
}

/* cmark's tree of the Markdown as kramdown reads it (doc_kramdown.c): the
 * rewritten source, which the tree's positions refer to, stays in k. */
static cmark_node *parse(const char *md, size_t len, struct kd_source *k)
{
    doc_kdhtml_prepare(md, len, k);
    cmark_node *root = cmark_parse_document(k->text, k->len, CMARK_OPTIONS);
    doc_kdhtml_join(k, root);
    return root;
}

/* Walks Markdown inside the page (a markdown="1" HTML block) with its own
 * source and line numbers; the walker's ops reach it from doc_html.c. */
static void S_walk_markdown(struct walker *w, const char *md, size_t len,
                            int line_base)
{
    struct md_source outer = w->src;
    int heading = w->md.heading;
    w->src = (struct md_source){.text = md, .len = len,
                                .line_base = line_base, .line = outer.line,
                                .nest = outer.nest + 1};
    w->md.heading = 0;
    struct kd_source k;
    cmark_node *root = parse(md, len, &k);
    w->src.text = k.text;
    w->src.len = k.len;
    walk_root(w, root);
    cmark_node_free(root);
    doc_kdhtml_free(&k);
    free(w->src.line_starts);
    w->src = outer;
    w->md.heading = heading;
}

/* Each part of the walker goes back to its owner to be freed. */
static void walker_free(struct walker *w)
{
    doc_block_state_free(w);
    doc_html_free(&w->html);
    while (w->md.n_frames)
        pop_frame(w);
    free(w->md.frames);
    free(w->src.line_starts);
}

static void build(const char *md, size_t len, const char *base_url,
                  bool elsewhere, const char *file, int line_base,
                  const struct page *page,
                  struct doc *out, struct diags *diags)
{
    memset(out, 0, sizeof *out);
    struct kramdown kd;
    doc_kramdown_read(&kd, md ? md : "", md ? len : 0, line_base);
    struct walker w = {
        .ops = {.walk_markdown = S_walk_markdown},
        .base_url = base_url,
        .elsewhere = elsewhere,
        .file = file,
        .page = page,
        .diags = diags,
        .src = {.text = kd.text, .len = kd.len, .line_base = line_base},
        .out = {.doc = out},
        .kd = &kd,
    };
    struct kd_source k;
    cmark_node *root = parse(w.src.text, w.src.len, &k);
    w.src.text = k.text;
    w.src.len = k.len;
    walk_root(&w, root);
    cmark_node_free(root);
    doc_kramdown_notes(&w, INT_MAX);
    if (w.comment.open)
        doc_report(
            &w, DIAG_WARNING, w.comment.line,
            "HTML comment never closed: it hides the rest of the page");
    /* Ids after the last block still name a place: the end of the page. */
    size_t last = out->n_blocks ? out->n_blocks - 1 : 0;
    for (size_t i = 0; i < w.out.n_pending; i++)
        doc_add_anchor(&w, w.out.pending_ids[i], last);
    w.out.n_pending = 0;
    doc_build_sections(&w);
    walker_free(&w);
    doc_kramdown_free(&kd);
    doc_kdhtml_free(&k);
}

void doc_build_at(const struct page *page, const struct config *cfg,
                  const char *route, struct doc *out, struct diags *diags)
{
    bool elsewhere = route && strcmp(route, "/") != 0;
    build(page->body, page->body_len, cfg ? cfg->site.url : NULL, elsewhere,
          page->path, page->body_line > 0 ? page->body_line : 1, page, out,
          diags);
}

void doc_build(const struct page *page, const struct config *cfg,
               struct doc *out, struct diags *diags)
{
    doc_build_at(page, cfg, NULL, out, diags);
}

void doc_build_markdown(const char *markdown, size_t len, struct doc *out)
{
    build(markdown, len, NULL, false, NULL, 1, NULL, out, NULL);
}

void doc_free(struct doc *d)
{
    for (size_t i = 0; i < d->n_blocks; i++)
        doc_free_block(&d->blocks[i]);
    free(d->blocks);
    for (size_t i = 0; i < d->n_sections; i++) {
        struct section *s = &d->sections[i];
        free(s->slug);
        free(s->title);
        free(s->plain_title);
        for (size_t j = 0; j < s->n_anchors; j++)
            free(s->anchors[j]);
        free(s->anchors);
    }
    free(d->sections);
    free(d->base);
    memset(d, 0, sizeof *d);
}
