/* The rendering context of a Liquid template: findings at template lines,
 * runtime errors as Liquid prints them, scopes and variables, the output
 * with its line map and its cap, and the work cap. A leaf of the folder:
 * render.c, expr.c and include.c call it, never the other way round. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctx_diag(struct lctx *c, enum diag_level level, int line,
              const char *fmt, ...)
{
    if (!c->env || !c->env->diags)
        return;
    struct buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diags_add(c->env->diags, level, c->file, c->first_line + line - 1, "%s",
              msg.data ? msg.data : "");
    buf_free(&msg);
}

void ctx_fail(struct lctx *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->failed = true;
}

/* Printed as Jekyll's Liquid prints it, with the line in its template. */
void ctx_error(struct lctx *c, int line, bool print, const char *msg)
{
    ctx_diag(c, DIAG_ERROR, line, "Liquid error: %s", msg);
    if (print) {
        char head[64];
        int n = snprintf(head, sizeof head, "Liquid error (line %d): ", line);
        ctx_put(c, head, (size_t)n, line, false);
        ctx_put(c, msg, strlen(msg), line, false);
    }
}

void ctx_push_scope(struct lctx *c)
{
    c->scopes[c->n_scopes++] = value_hash();
}

void ctx_pop_scope(struct lctx *c)
{
    value_release(c->scopes[--c->n_scopes]);
}

void ctx_set(struct lctx *c, bool outer, const char *name, size_t len,
             struct value *v)
{
    value_hash_set(c->scopes[outer ? 0 : c->n_scopes - 1], name, len,
                   v ? v : value_nil());
}

static void map_line(struct lctx *c, int line)
{
    if (c->n_lines == c->cap_lines) {
        c->cap_lines = c->cap_lines ? c->cap_lines * 2 : 256;
        c->lines = xrealloc(c->lines, c->cap_lines * sizeof *c->lines);
    }
    c->lines[c->n_lines++] = c->first_line + line - 1;
}

/* Output past the cap is cut, once, with a warning; nothing more renders. */
static size_t fit(struct lctx *c, size_t n, int line)
{
    if (c->out->len + n <= c->max_output)
        return n;
    if (!c->stopped)
        ctx_diag(c, DIAG_WARNING, line,
                 "Liquid: output passed %zu bytes: the rest is cut",
                 c->max_output);
    c->stopped = true;
    return c->max_output - c->out->len;
}

void ctx_put(struct lctx *c, const char *s, size_t n, int line, bool advance)
{
    if (c->stopped || n == 0)
        return;
    n = fit(c, n, line);
    if (c->out != &c->main) {
        buf_put(c->out, s, n);
        return;
    }
    if (c->depth > 0) {
        line = c->map_line;
        advance = false;
    }
    while (n > 0) {
        if (c->at_line_start)
            map_line(c, line);
        const char *nl = memchr(s, '\n', n);
        size_t chunk = nl ? (size_t)(nl - s) + 1 : n;
        buf_put(c->out, s, chunk);
        c->at_line_start = nl != NULL;
        line += nl && advance;
        s += chunk;
        n -= chunk;
    }
}

bool ctx_step(struct lctx *c, size_t n)
{
    c->steps += n;
    if (c->steps <= c->max_steps)
        return !c->stopped;
    if (!c->stopped)
        ctx_diag(c, DIAG_WARNING, c->cur_line,
                 "Liquid: more than %zu steps of work: the rest is cut",
                 c->max_steps);
    c->stopped = true;
    return false;
}

