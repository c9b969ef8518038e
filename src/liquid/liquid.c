/* The interpreter's entry points: parse, render with the context set up
 * from the environment's caps, and hand back the text and its line map. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static size_t or_default(size_t v, size_t def)
{
    return v ? v : def;
}

static void ctx_init(struct lctx *c, const struct value *scope,
                     const struct liquid_env *env)
{
    memset(c, 0, sizeof *c);
    c->env = env;
    c->globals = scope;
    c->scopes[c->n_scopes++] = value_hash();
    c->counters = value_hash();
    c->registers = value_hash();
    c->out = &c->main;
    c->at_line_start = true;
    c->file = env ? env->file : NULL;
    c->first_line = env && env->first_line > 0 ? env->first_line : 1;
    c->max_output = or_default(env ? env->max_output : 0, LIQUID_MAX_OUTPUT);
    c->max_iterations =
        or_default(env ? env->max_iterations : 0, LIQUID_MAX_ITERATIONS);
    c->max_steps = or_default(env ? env->max_steps : 0, LIQUID_MAX_STEPS);
    c->render_tree = render_body;
}

static void ctx_free(struct lctx *c)
{
    while (c->n_scopes)
        ctx_pop_scope(c);
    value_release(c->counters);
    value_release(c->registers);
    include_cache_free(c->includes);
    arena_free(&c->exp_arena);
    buf_free(&c->main);
    free(c->lines);
}

void liquid_render_env(const char *in, size_t len, const struct value *scope,
                       const struct liquid_env *env,
                       struct liquid_output *out)
{
    struct lctx c;
    ctx_init(&c, scope, env);
    struct lparse_report rep = {c.file, c.first_line, env ? env->diags : NULL};
    struct ltree *t = liquid_parse(in ? in : "", in ? len : 0, &rep);
    render_body(&c, t->root);
    liquid_tree_free(t);
    buf_reserve(&c.main, 1);
    c.main.data[c.main.len] = '\0';
    out->len = c.main.len;
    out->text = buf_detach(&c.main);
    out->lines = c.lines;
    out->n_lines = c.n_lines;
    c.lines = NULL;
    ctx_free(&c);
}

void liquid_output_free(struct liquid_output *out)
{
    free(out->text);
    free(out->lines);
    memset(out, 0, sizeof *out);
}

int liquid_output_line(const struct liquid_output *out, int k)
{
    if (!out->n_lines || k < 1)
        return k < 1 ? 1 : k;
    if ((size_t)k <= out->n_lines)
        return out->lines[k - 1];
    return out->lines[out->n_lines - 1] + (k - (int)out->n_lines);
}

char *liquid_render(const char *in, size_t len, const struct value *scope,
                    size_t *out_len)
{
    struct liquid_output out;
    liquid_render_env(in, len, scope, NULL, &out);
    free(out.lines);
    if (out_len)
        *out_len = out.len;
    return out.text;
}
