/* Reading the tree as Jekyll's Reader does: read_directories walks from
 * the root through the EntryFilter, a file with front matter being a page
 * and any other a static file; every `_posts` met on the way holds posts
 * (dated file names only); each collection's folder holds its documents
 * and static files. Each document gets its front matter over the
 * `defaults`, its date, categories, slug, title, excerpt and URL. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* --- pages --- */

static bool is_html_ext(const char *ext)
{
    return strcmp(ext, ".html") == 0 || strcmp(ext, ".xhtml") == 0 ||
           strcmp(ext, ".htm") == 0;
}

/* Page#template and Page#url. DIR is "" or "/sub". */
static char *page_url(const struct jk_read *r, const char *dir,
                      const char *base, const char *out_ext,
                      const struct value *data)
{
    struct buf tpl = {0};
    if (!is_html_ext(out_ext))
        buf_puts(&tpl, "/:path/:basename:output_ext");
    else if (strcmp(base, "index") == 0)
        buf_puts(&tpl, "/:path/");
    else {
        buf_puts(&tpl, "/:path/:basename");
        jk_add_suffix(&tpl, jk_str(r->config, "permalink", "date"));
    }
    struct value *vars = value_hash();
    jk_set_str(vars, "path", dir);
    jk_set_str(vars, "basename", base);
    jk_set_str(vars, "output_ext", out_ext);
    const char *permalink = jk_str(data, "permalink", NULL);
    char *url = jekyll_url(permalink ? permalink : tpl.data, vars, false);
    value_release(vars);
    buf_free(&tpl);
    return url;
}

/* Page#dir: the URL when it ends with '/', else its directory. */
static void put_url_dir(struct buf *out, const char *url)
{
    const char *slash = strrchr(url, '/');
    if (url[strlen(url) - 1] == '/' || !slash)
        buf_puts(out, url);
    else
        buf_put(out, url, (size_t)(slash - url) + 1);
}

static void add_page(const struct jk_read *r, const char *dir,
                     const char *rel, struct jk_docs *pages)
{
    struct jk_text t;
    if (!jk_read_doc(r, rel, "pages", &t))
        return;
    if (!jk_published(r, t.data))
        return jk_text_free(&t);
    const struct value *data = t.data;
    char *base = jk_stem(rel);
    const char *ext = jk_extname(rel);
    struct buf slashdir = {0}, udir = {0};
    if (*dir)
        buf_printf(&slashdir, "/%s", dir);
    struct jekyll_doc *d = jk_push(pages);
    d->kind = JEKYLL_PAGE;
    d->path = xstrdup(rel);
    d->output = true;
    d->markdown = jk_is_markdown(r->config, ext);
    d->body_line = t.body_line;
    d->url = page_url(r, slashdir.data ? slashdir.data : "", base,
                      jk_output_ext(r->config, ext), data);
    put_url_dir(&udir, d->url);
    struct value *page = value_hash();
    value_hash_merge(page, data);
    jk_set_str(page, "content", t.body.data);
    jk_set_str(page, "dir", udir.data);
    jk_set_str(page, "name", jk_basename_of(rel));
    if (!value_hash_get(data, "path"))
        jk_set_str(page, "path", rel);
    jk_set_str(page, "url", d->url);
    d->page = page;
    d->reusable = true;
    jk_text_give(&t, d);
    jk_text_free(&t);
    free(base);
    buf_free(&slashdir);
    buf_free(&udir);
}

static void add_static(const char *rel, struct jk_docs *statics)
{
    struct jekyll_doc *d = jk_push(statics);
    d->kind = JEKYLL_STATIC;
    d->path = xstrdup(rel);
    d->output = true;
    char *base = jk_stem(rel);
    const char *slash = strrchr(rel, '/');
    struct buf url = {0};
    buf_putc(&url, '/');
    if (slash)
        buf_put(&url, rel, (size_t)(slash - rel) + 1);
    buf_printf(&url, "%s%s", base, jk_extname(rel));
    d->url = buf_detach(&url);
    struct value *page = value_hash();
    struct buf p = {0};
    buf_printf(&p, "/%s", rel);
    jk_set_str(page, "path", p.data);
    jk_set_str(page, "name", jk_basename_of(rel));
    jk_set_str(page, "basename", base);
    jk_set_str(page, "extname", jk_extname(rel));
    value_hash_set(page, "collection", 10, value_nil());
    d->page = page;
    buf_free(&p);
    free(base);
}

/* A file of the walk: a page when it has front matter (kept from the
 * previous load when unchanged), else a static file. */
static void add_file(const struct jk_read *r, const char *dir,
                     const char *rel, struct jk_docs *pages,
                     struct jk_docs *statics)
{
    struct jekyll_stat st;
    jk_stat(r, rel, &st);
    if (jk_reuse_doc(r, rel, JEKYLL_PAGE, NULL, &st, pages))
        return;
    if (!jk_head_has_front_matter(r, rel))
        return add_static(rel, statics);
    size_t had = pages->n, warnings = jk_warnings(r);
    add_page(r, dir, rel, pages);
    jk_mark_read(r, pages, had, &st, warnings);
}

/* --- the walk --- */

/* Reader#read_directories: DIR's entries through the EntryFilter; its
 * posts, then its folders, pages and static files. */
static void read_directory(const struct jk_read *r, const char *dir,
                           struct jk_docs *pages, struct jk_docs *statics,
                           struct jk_docs *posts)
{
    if (!jk_first_visit(r, dir))
        return;
    size_t n;
    int *kinds;
    char **names = jk_list_dir(r, dir, &n, &kinds);
    char **rels = xcalloc(n ? n : 1, sizeof *rels);
    for (size_t i = 0; i < n; i++) {
        rels[i] = jk_join(dir, names[i]);
        if (kinds[i] < 0 ||
            jekyll_filtered(r->config, dir, names[i], kinds[i] == 1))
            kinds[i] = -1;
    }
    jk_read_posts(r, dir, posts);
    for (size_t i = 0; i < n; i++)
        if (kinds[i] == 1)
            read_directory(r, rels[i], pages, statics, posts);
    for (size_t i = 0; i < n; i++)
        if (kinds[i] == 0)
            add_file(r, dir, rels[i], pages, statics);
    for (size_t i = 0; i < n; i++)
        free(rels[i]);
    free(rels);
    free(kinds);
    jk_free_names(names, n);
}

static bool listed(const struct jk_docs *list, const char *rel)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].path, rel) == 0)
            return true;
    return false;
}

/* Reader#read_included_excludes: files `include` names by their path are
 * read even inside a folder the walk skipped. */
static void read_included_files(const struct jk_read *r,
                                struct jk_docs *pages, struct jk_docs *statics)
{
    const struct value *inc = value_hash_get(r->config, "include");
    for (size_t i = 0; i < value_len(inc); i++) {
        const char *rel = value_text(value_array_at(inc, i));
        if (!rel || jk_kind_of(r, rel) != 0 || listed(pages, rel) ||
            listed(statics, rel))
            continue;
        const char *slash = strrchr(rel, '/');
        char *dir = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup("");
        add_file(r, dir, rel, pages, statics);
        free(dir);
    }
}

void jk_walk(const struct jk_read *r, struct jk_docs *pages,
             struct jk_docs *statics, struct jk_docs *posts)
{
    read_directory(r, "", pages, statics, posts);
    read_included_files(r, pages, statics);
}
