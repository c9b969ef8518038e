/* Diagnostics: findings collected with their file and line, formatted one
 * line each. */
#include "capsuled/diag.h"

#include "capsuled/buf.h"
#include "capsuled/utf8.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *level_name(enum diag_level level)
{
    switch (level) {
    case DIAG_NOTE: return "note";
    case DIAG_WARNING: return "warning";
    case DIAG_ERROR: return "error";
    }
    return "?";
}

void diags_add(struct diags *d, enum diag_level level, const char *file,
               int line, const char *fmt, ...)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    struct buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    d->items[d->n++] = (struct diag){
        .level = level,
        .file = file ? xstrdup(file) : NULL,
        .line = line,
        .msg = buf_detach(&msg),
    };
}

size_t diags_count(const struct diags *d, enum diag_level at_least)
{
    size_t count = 0;
    for (size_t i = 0; i < d->n; i++)
        count += d->items[i].level >= at_least;
    return count;
}

/* File names and messages quote the capsule's files, which may hold any
 * byte: each finding stays one line, without control characters, wherever
 * it is printed (check's output, the server's log). */
static void put_escaped(struct buf *out, const char *s)
{
    size_t len = strlen(s);
    char *clean = xmalloc(4 * len + 1);
    size_t n = utf8_escape_controls(clean, 4 * len + 1, s, len, false);
    buf_put(out, clean, n);
    free(clean);
}

void diags_format_min(const struct diags *d, enum diag_level at_least,
                      struct buf *out)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct diag *g = &d->items[i];
        if (g->level < at_least)
            continue;
        if (g->file) {
            put_escaped(out, g->file);
            if (g->line > 0)
                buf_printf(out, ":%d", g->line);
            buf_puts(out, ": ");
        }
        buf_printf(out, "%s: ", level_name(g->level));
        put_escaped(out, g->msg);
        buf_putc(out, '\n');
    }
}

void diags_format(const struct diags *d, struct buf *out)
{
    diags_format_min(d, DIAG_NOTE, out);
}

void diags_free(struct diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].msg);
    }
    free(d->items);
    *d = (struct diags){0};
}
