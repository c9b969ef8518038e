/* Jekyll's file tags: include (and include_cached, as jekyll-include-cache
 * renders the same), include_relative, link and post_url. Includes are read
 * through file_read beneath the site directory, parsed once per render and
 * rendered in the caller's context with their parameters as include.*;
 * nesting is capped so an include that includes itself stops. */
#include "internal.h"

#include "capsuled/file.h"

#include <stdlib.h>
#include <string.h>

struct include_cache {
    char *path;   /* as read, beneath the root */
    struct ltree *tree;
    struct include_cache *next;
};

void include_cache_free(struct include_cache *ic)
{
    while (ic) {
        struct include_cache *next = ic->next;
        free(ic->path);
        liquid_tree_free(ic->tree);
        free(ic);
        ic = next;
    }
}

void liquid_render_markup(struct lctx *c, const char *s, size_t n,
                          struct buf *b)
{
    struct ltree *t = liquid_parse(s, n, NULL);
    struct buf *saved = c->out;
    c->out = b;
    c->render_tree(c, t->root);
    c->out = saved;
    liquid_tree_free(t);
    while (b->len && liquid_is_space(b->data[b->len - 1]))
        b->len--;
    size_t a = 0;
    while (a < b->len && liquid_is_space(b->data[a]))
        a++;
    memmove(b->data ? b->data : "", b->data ? b->data + a : "", b->len - a);
    b->len -= a;
    buf_reserve(b, 0);
    b->data[b->len] = '\0';
}

/* Jekyll's VALID_FILENAME_CHARS and INVALID_SEQUENCES. */
static bool valid_name(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || strchr("_/.-()+~#@", ch);
        if (!ok || ((ch == '.' || ch == '/') && i + 1 < n &&
                    (s[i + 1] == '.' || s[i + 1] == '/')))
            return false;
    }
    return true;
}

static struct include_cache *load(struct lctx *c, const char *path,
                                  const struct lnode *n, const char *shown)
{
    for (struct include_cache *ic = c->includes; ic; ic = ic->next)
        if (strcmp(ic->path, path) == 0)
            return ic;
    const struct liquid_env *env = c->env;
    struct file_content fc;
    if (!env || !env->root ||
        file_read(env->root, path, FILE_BENEATH, env->max_file_bytes, &fc) < 0) {
        ctx_diag(c, DIAG_ERROR, n->line,
                 "Liquid Exception: Could not locate the included file '%s' "
                 "in any of [\"%s\"]. Ensure it exists in one of those "
                 "directories and, if it is a symlink, does not point "
                 "outside your site source.",
                 shown, n->inc == INC_RELATIVE ? "." : "_includes");
        return NULL;
    }
    struct lparse_report rep = {NULL, 1, env->diags};
    struct include_cache *ic = xcalloc(1, sizeof *ic);
    ic->path = xstrdup(path);
    rep.file = ic->path;
    ic->tree = liquid_parse(fc.data, fc.len, &rep);
    file_content_free(&fc);
    ic->next = c->includes;
    c->includes = ic;
    return ic;
}

static struct value *include_params(struct lctx *c, const struct lnode *n)
{
    struct value *h = value_hash();
    for (const struct lparam *p = n->params; p; p = p->next) {
        struct value *v = p->text ? value_retain(p->text) : expr_eval(c, p->var);
        value_hash_set(h, p->name, p->name_len, v ? v : value_nil());
    }
    return h;
}

static void include_path(struct lctx *c, const struct lnode *n,
                         const char *name, struct buf *path)
{
    if (n->inc == INC_INCLUDE) {
        buf_printf(path, "_includes/%s", name);
        return;
    }
    const char *dir = c->env && c->env->dir ? c->env->dir : "";
    if (*dir)
        buf_printf(path, "%s/", dir);
    buf_puts(path, name);
}

static void render_included(struct lctx *c, const struct lnode *n,
                            struct include_cache *ic)
{
    const char *file = c->file;
    int first = c->first_line;
    if (c->depth++ == 0)
        c->map_line = n->line;
    struct value *params = n->params ? include_params(c, n) : NULL;
    ctx_push_scope(c);
    if (params)
        ctx_set(c, false, "include", 7, params);
    c->file = ic->path;
    c->first_line = 1;
    c->render_tree(c, ic->tree->root);
    c->file = file;
    c->first_line = first;
    ctx_pop_scope(c);
    c->depth--;
}

void include_render(struct lctx *c, const struct lnode *n)
{
    struct buf name = {0};
    if (n->dynamic)
        liquid_render_markup(c, n->text, n->len, &name);
    else
        buf_put(&name, n->text, n->len);
    buf_reserve(&name, 0);
    int max = c->env && c->env->max_depth ? c->env->max_depth : LIQUID_MAX_DEPTH;
    if (!valid_name(name.data, name.len)) {
        ctx_diag(c, DIAG_ERROR, n->line,
                 "Liquid Exception: Invalid syntax for include tag. File "
                 "contains invalid characters or sequences: %s", name.data);
    } else if (c->depth >= max || c->n_scopes >= LIQUID_MAX_SCOPES) {
        ctx_diag(c, DIAG_WARNING, n->line,
                 "Liquid: includes nested more than %d deep (an include "
                 "loop?): '%s' is not included", max, name.data);
    } else {
        struct buf path = {0};
        include_path(c, n, name.data, &path);
        struct include_cache *ic = load(c, path.data, n, name.data);
        if (ic)
            render_included(c, n, ic);
        buf_free(&path);
    }
    buf_free(&name);
}

/* --- link and post_url --- */

static const char *text_at(const struct value *item, const char *key)
{
    return value_text(value_hash_get(item, key));
}

static bool same_path(const struct value *item, const char *want)
{
    const char *p = text_at(item, "relative_path");
    const char *q = text_at(item, "path");
    return (p && strcmp(p, want) == 0) || (q && strcmp(q, want) == 0);
}

/* A post named "2020-01-02-title" (or "dir/2020-01-02-title"): its file
 * name without extension, and its directory when one is given. */
static bool same_post(const struct value *item, const char *want)
{
    const char *p = text_at(item, "relative_path");
    if (!p)
        p = text_at(item, "path");
    if (!p)
        return false;
    const char *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    const char *dot = strrchr(base, '.');
    size_t n = dot ? (size_t)(dot - base) : strlen(base);
    const char *wbase = strrchr(want, '/');
    if (wbase) {
        size_t dlen = (size_t)(wbase - want);
        const char *found = strstr(p, want);
        (void)dlen;
        if (!found && !(strncmp(p, want, dlen) == 0))
            return false;
        wbase++;
    } else {
        wbase = want;
    }
    return strlen(wbase) == n && memcmp(base, wbase, n) == 0;
}

static const struct value *find_in(const struct value *list,
                                   bool (*match)(const struct value *,
                                                 const char *),
                                   const char *want)
{
    for (size_t i = 0; i < value_len(list); i++) {
        const struct value *item = value_array_at(list, i);
        if (value_kind(item) == VALUE_HASH && match(item, want))
            return item;
    }
    return NULL;
}

static const struct value *find_document(struct lctx *c, const char *want,
                                         bool post)
{
    const struct value *site = ctx_lookup(c, "site", 4);
    if (post)
        return find_in(value_hash_get(site, "posts"), same_post, want);
    static const char *const lists[] = {"pages", "posts", "documents",
                                        "static_files"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        const struct value *found =
            find_in(value_hash_get(site, lists[i]), same_path, want);
        if (found)
            return found;
    }
    return NULL;
}

/* Jekyll 4 prints the document's URL under the site's baseurl. */
void link_render(struct lctx *c, const struct lnode *n)
{
    bool post = n->kind == LN_POST_URL;
    struct buf want = {0};
    liquid_render_markup(c, n->text, n->len, &want);
    const struct value *doc = find_document(c, want.data, post);
    const char *url = text_at(doc, "url");
    if (!url) {
        ctx_diag(c, DIAG_ERROR, n->line,
                 post ? "Liquid Exception: Could not find post \"%s\" in tag "
                        "'post_url'. Make sure the post exists and the name "
                        "is correct."
                      : "Liquid Exception: Could not find document '%s' in "
                        "tag 'link'. Make sure the document exists and the "
                        "path is correct.",
                 want.data);
    } else {
        const char *base = value_text(value_path_get(ctx_lookup(c, "site", 4),
                                                     "baseurl"));
        if (base && *base && *url == '/')
            ctx_put(c, base, strlen(base), n->line, false);
        ctx_put(c, url, strlen(url), n->line, false);
    }
    buf_free(&want);
}
