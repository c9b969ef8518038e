/* Pipe tables: cmark has no table extension, so a paragraph whose second
 * line is a delimiter row is read again from the source, its cells
 * converted one by one and laid out in padded columns. */
#include "doc_internal.h"

#include "capsuled/width.h" /* display width, shared with the layout */

#include <stdlib.h>
#include <string.h>

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

/* Splits a row at unescaped '|' (outer pipes optional) into at most max
 * cells; returns the number of cells. */
static size_t split_row(const char *s, size_t len, struct span *cells,
                        size_t max)
{
    struct span row = doc_trim_span(s, len);
    if (row.len && row.s[0] == '|')
        row.s++, row.len--;
    if (row.len && row.s[row.len - 1] == '|' &&
        (row.len < 2 || row.s[row.len - 2] != '\\'))
        row.len--;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= row.len; i++) {
        if (i + 1 < row.len && row.s[i] == '\\') {
            i++;
            continue;
        }
        if (i == row.len || row.s[i] == '|') {
            if (n < max)
                cells[n] = doc_trim_span(row.s + start,
                                         (i > row.len ? row.len : i) - start);
            n++;
            start = i + 1;
        }
    }
    return n;
}

static size_t count_cells(const char *s, size_t len)
{
    return split_row(s, len, NULL, 0);
}

/* A delimiter row ("|---|:---:|"): one alignment per cell into aligns. */
static bool delimiter_row(const char *s, size_t len, enum align *aligns,
                          size_t ncols)
{
    if (!memchr(s, '-', len))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("|-: \t\r", s[i]))
            return false;
    struct span *cells = xmalloc(ncols * sizeof *cells);
    bool ok = split_row(s, len, cells, ncols) == ncols;
    for (size_t c = 0; ok && c < ncols; c++) {
        struct span d = cells[c];
        bool left = d.len && d.s[0] == ':';
        bool right = d.len && d.s[d.len - 1] == ':';
        size_t dashes = 0;
        for (size_t i = 0; i < d.len; i++)
            dashes += d.s[i] == '-';
        ok = dashes > 0 && dashes + left + right == d.len;
        aligns[c] = left && right ? ALIGN_CENTER
                  : right         ? ALIGN_RIGHT
                                  : ALIGN_LEFT;
    }
    free(cells);
    return ok;
}

static void ensure_line_starts(struct walker *w)
{
    if (w->src.line_starts)
        return;
    size_t n = 1 + doc_count_lines(w->src.text, w->src.len);
    w->src.line_starts = xmalloc((n + 1) * sizeof *w->src.line_starts);
    size_t k = 0;
    w->src.line_starts[k++] = 0;
    for (size_t i = 0; i < w->src.len; i++)
        if (w->src.text[i] == '\n')
            w->src.line_starts[k++] = i + 1;
    w->src.line_starts[k] = w->src.len + 1;
    w->src.n_lines = n;
}

/* Source line k (1-based) of the walked Markdown, without the container
 * prefix (list indentation, "> ") that precedes column col. */
static struct span source_line(struct walker *w, int k, int col, bool first)
{
    if (k < 1 || (size_t)k > w->src.n_lines)
        return (struct span){"", 0};
    size_t a = w->src.line_starts[k - 1], b = w->src.line_starts[k] - 1;
    if (b > w->src.len)
        b = w->src.len;
    const char *s = w->src.text + a;
    size_t len = b - a, skip = 0;
    while (skip + 1 < (size_t)col && skip < len &&
           (first || s[skip] == ' ' || s[skip] == '>' || s[skip] == '\t'))
        skip++;
    return (struct span){s + skip, len - skip};
}

static bool has_markup(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (strchr("*_[]<>&`\\!{}~", s[i]))
            return true;
    return false;
}

/* The plain text of one cell; its links join the table block's links. */
static char *cell_text(struct walker *w, struct span cell)
{
    struct builder *c = &w->cur;
    size_t start = c->raw.len, caps = w->caps.n;
    if (!has_markup(cell.s, cell.len)) {
        doc_put_text(w, cell.s, cell.len);
    } else {
        cmark_node *root = cmark_parse_document(cell.s, cell.len, CMARK_OPTIONS);
        cmark_consolidate_text_nodes(root);
        cmark_iter *it = cmark_iter_new(root);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
            doc_walk_inline(w, cmark_iter_get_node(it), ev);
        cmark_iter_free(it);
        cmark_node_free(root);
        doc_close_captures(w, caps);
        doc_html_reset(w, false);
        doc_comment_end_text(w, false);
    }
    char *text = doc_collapse_text(c->raw.data ? c->raw.data + start : "",
                                   c->raw.len - start, false);
    c->raw.len = start;
    if (c->raw.data)
        c->raw.data[start] = '\0';
    return text;
}

static void pad(struct buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(out, ' ');
}

/* Lays the cells out in columns as wide as their widest cell, " | "
 * between them and a "-+-" rule under the header. */
static void layout_table(struct buf *out, char **cells, size_t rows,
                         size_t cols, const enum align *aligns)
{
    size_t *width = xcalloc(cols, sizeof *width);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t dw = width_text(cells[r * cols + c],
                                   strlen(cells[r * cols + c]));
            if (dw > width[c])
                width[c] = dw;
        }
    for (size_t r = 0; r < rows; r++) {
        size_t line_start = out->len;
        for (size_t c = 0; c < cols; c++) {
            const char *cell = cells[r * cols + c];
            size_t gap = width[c] - width_text(cell, strlen(cell));
            size_t before = aligns[c] == ALIGN_RIGHT    ? gap
                          : aligns[c] == ALIGN_CENTER ? gap / 2
                                                      : 0;
            if (c)
                buf_puts(out, " | ");
            pad(out, before);
            buf_puts(out, cell);
            pad(out, gap - before);
        }
        while (out->len > line_start && out->data[out->len - 1] == ' ')
            out->len--;
        buf_putc(out, '\n');
        if (r == 0) {
            for (size_t c = 0; c < cols; c++) {
                if (c)
                    buf_puts(out, "-+-");
                for (size_t i = 0; i < width[c]; i++)
                    buf_putc(out, '-');
            }
            buf_putc(out, '\n');
        }
    }
    free(width);
}

/* A paragraph whose second line is a delimiter row is a pipe table (cmark
 * has no table extension): it becomes a PRE block with info "table".
 * Returns false when the paragraph is not one. */
bool doc_try_table(struct walker *w, cmark_node *para)
{
    int first = doc_node_line(para);
    int last = doc_node_end_line(para);
    int col = cmark_node_get_start_column(para);
    if (last <= first)
        return false;
    ensure_line_starts(w);
    struct span head = source_line(w, first, col, true);
    struct span delim = source_line(w, first + 1, col, false);
    if (!memchr(head.s, '|', head.len))
        return false;
    size_t cols = count_cells(head.s, head.len);
    enum align *aligns = xmalloc(cols * sizeof *aligns);
    if (!delimiter_row(delim.s, delim.len, aligns, cols)) {
        free(aligns);
        return false;
    }
    if (suppressed(w)) {
        free(aligns);
        return true;
    }
    doc_finish_block(w);
    doc_open_block(w);
    w->cur.b.type = BLOCK_PRE;
    w->cur.b.level = 0;
    free(w->cur.b.marker);
    w->cur.b.marker = NULL;
    w->cur.b.info = xstrdup("table");
    w->cur.cell_mode = true;
    size_t rows = (size_t)(last - first); /* all lines but the delimiter */
    char **cells = xcalloc(rows * cols, sizeof *cells);
    struct span *row = xmalloc(cols * sizeof *row);
    int line0 = w->src.line;
    for (size_t r = 0; r < rows; r++) {
        int k = first + (int)r + (r > 0);
        struct span line = source_line(w, k, col, r == 0);
        size_t n = split_row(line.s, line.len, row, cols);
        w->src.line = line0 + k - first;
        for (size_t c = 0; c < cols; c++)
            cells[r * cols + c] = c < n ? cell_text(w, row[c]) : xstrdup("");
    }
    buf_clear(&w->cur.raw);
    layout_table(&w->cur.raw, cells, rows, cols, aligns);
    for (size_t i = 0; i < rows * cols; i++)
        free(cells[i]);
    free(cells);
    free(row);
    free(aligns);
    w->cur.cell_mode = false;
    w->src.line = line0;
    doc_finish_block(w);
    return true;
}
