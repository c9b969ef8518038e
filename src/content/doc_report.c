/* Diagnostics of the document model: every doc_*.c module reports through
 * here, with the page's file name, and calls nothing back. Lines are
 * counted in the body Liquid produced; its line map turns them back into
 * the page's source lines. */
#include "doc_internal.h"

#include <stdarg.h>

void doc_report(struct walker *w, enum diag_level level, int line,
                const char *fmt, ...)
{
    if (!w->diags)
        return;
    struct buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (w->page && w->page->body_lines)
        line = page_source_line(w->page, line - w->page->body_line + 1);
    diags_add(w->diags, level, w->file, line, "%s", msg.data ? msg.data : "");
    buf_free(&msg);
}
