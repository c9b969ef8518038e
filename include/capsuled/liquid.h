/* Liquid: Shopify Liquid 5 as Jekyll 4.3 runs it, over the values of
 * capsuled/value.h. A template is cut into tokens, parsed into a tree and
 * rendered against a scope (a hash: page, site, …), with Jekyll's include,
 * include_relative, link, post_url and highlight tags.
 *
 * Nothing a page holds can exhaust memory or time: output size, loop
 * iterations, work and include nesting are capped; a cap that is hit stops
 * that construct with a warning. Syntax and runtime errors are reported as
 * Jekyll words them ("Liquid syntax error: Unknown tag 'x'") at their file
 * and line, and never leave half a page: an unknown (plugin) tag is skipped,
 * with its body when it has an end tag.
 *
 * Output lines are mapped back to template lines (struct liquid_output's
 * lines), so diagnostics made later on the output name true source lines
 * even where loops and includes changed the line structure. */
#ifndef CAPSULED_LIQUID_H
#define CAPSULED_LIQUID_H

#include "capsuled/buf.h"
#include "capsuled/diag.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stddef.h>

/* A page's output, and any one value, at most 4 MiB: a real page is a few
 * hundred KiB, and a value doubled in a loop costs a few times its size
 * before it is stopped, so this bounds a hostile page near 30 MB. */
#define LIQUID_MAX_OUTPUT ((size_t)4 * 1024 * 1024)
#define LIQUID_MAX_ITERATIONS ((size_t)1000000)
#define LIQUID_MAX_STEPS ((size_t)20000000)
#define LIQUID_MAX_DEPTH 16

struct liquid_env {
    /* The site directory: includes are read from ROOT/_includes, and
     * include_relative from ROOT/DIR, through file_read (beneath ROOT).
     * NULL: includes are reported as missing. */
    const char *root;
    const char *dir;   /* the template's directory below ROOT ("" or NULL) */
    const char *file;  /* the template's name in diagnostics */
    int first_line;    /* source line of the template's first line (0: 1) */
    struct diags *diags; /* NULL: findings are dropped */
    size_t max_output;     /* bytes of output; 0: LIQUID_MAX_OUTPUT */
    size_t max_iterations; /* loop iterations; 0: LIQUID_MAX_ITERATIONS */
    size_t max_steps;      /* nodes rendered and items filtered; 0: default */
    int max_depth;         /* include nesting; 0: LIQUID_MAX_DEPTH */
    size_t max_file_bytes; /* an include's size cap; 0: file.h's default */
    /* A tag capsuled implements elsewhere (jekyll-scholar's bibliography,
     * cite, reference): called for every tag Liquid and Jekyll do not
     * have; true when it handled the tag (its text appended to out). */
    bool (*plugin_tag)(void *ctx, const char *name, size_t name_len,
                       const char *args, size_t args_len, struct buf *out);
    void *plugin_ctx;
};

struct liquid_output {
    char *text; /* NUL-terminated */
    size_t len;
    /* lines[k] is the template line (counted from first_line) that output
     * line k+1 came from: a loop's lines map to the loop's body, an
     * include's to the include tag. Lines past n_lines continue from the
     * last one. */
    int *lines;
    size_t n_lines;
};

/* Renders the template IN (len bytes) with SCOPE's keys as its variables.
 * Never fails: findings go to env->diags. env may be NULL. */
void liquid_render_env(const char *in, size_t len, const struct value *scope,
                       const struct liquid_env *env,
                       struct liquid_output *out);
void liquid_output_free(struct liquid_output *out);
/* The source line of output line K (1-based) of OUT. */
int liquid_output_line(const struct liquid_output *out, int k);

/* The same without includes or diagnostics: returns the text (caller
 * frees), its length in *out_len when out_len is not NULL. */
char *liquid_render(const char *in, size_t len, const struct value *scope,
                    size_t *out_len);

#endif
