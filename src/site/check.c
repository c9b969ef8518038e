/* What `capsuled check` tells about a Jekyll site beyond its home page:
 * what a reader of the capsule would miss. Each finding is file:line:
 * level: message:
 *
 *   - pages Jekyll does not publish (exclude, published: false, a future
 *     date, a draft), with why (notes);
 *   - {% include x %} whose file the site does not have (warnings);
 *   - a heading whose section Liquid left empty: everything under it was
 *     Liquid, and it rendered to nothing (warnings);
 *   - links to a page of the site's own URL that the site does not have
 *     (warnings);
 *   - static files over server.max_file_bytes, which are not served.
 *
 * Offline only (the CLI): it reads every page again. */
#include "capsuled/file.h"
#include "capsuled/page.h"
#include "capsuled/site.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct checker {
    const struct config *cfg;
    const struct jekyll_site *js;
    struct diags *diags;
};

/* A and B with one '/' between them, as path_join writes the page paths
 * the rest compares with ("site/" and "site" give the same). */
static char *joined(const char *a, const char *b)
{
    size_t n = strlen(a);
    struct buf p = {0};
    buf_printf(&p, "%s%s%s", a, n && a[n - 1] != '/' ? "/" : "", b);
    return buf_detach(&p);
}

static const char *config_text(const struct checker *k, const char *key,
                               const char *fallback)
{
    const char *v = value_text(value_hash_get(k->js->config, key));
    return v && *v ? v : fallback;
}

/* --- static files over the cap --- */

static void check_static_sizes(const struct checker *k)
{
    size_t cap = k->cfg->server.max_file_bytes;
    cap = cap ? cap : FILE_MAX_BYTES_DEFAULT;
    for (size_t i = 0; i < k->js->n_docs; i++) {
        const struct jekyll_doc *d = &k->js->docs[i];
        struct stat st;
        char *full = joined(k->js->root, d->path);
        if (d->kind == JEKYLL_STATIC && d->output && stat(full, &st) == 0 &&
            (size_t)st.st_size > cap)
            diags_add(k->diags, DIAG_WARNING, full, 0,
                      "not served: larger than server.max_file_bytes (%zu "
                      "bytes)", cap);
        free(full);
    }
}

/* --- pages not published --- */

static bool in_model(const struct checker *k, const char *rel)
{
    for (size_t i = 0; i < k->js->n_docs; i++)
        if (strcmp(k->js->docs[i].path, rel) == 0)
            return true;
    return false;
}

static bool is_page_name(const char *name)
{
    static const char *const exts[] = {".md", ".markdown", ".html", ".htm"};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof exts / sizeof *exts; i++)
        if (strcmp(dot, exts[i]) == 0)
            return true;
    return false;
}

/* The front matter of a file, or NULL without one ("---" first). */
static char *front_matter(const struct checker *k, const char *rel)
{
    struct file_content f;
    char *fm = NULL;
    if (file_read(k->js->root, rel, FILE_BENEATH,
                  k->cfg->server.max_file_bytes, &f) == 0 &&
        strncmp(f.data, "---", 3) == 0 &&
        (f.data[3] == '\n' || f.data[3] == '\r')) {
        char *end = strstr(f.data + 3, "\n---");
        fm = xstrndup(f.data, end ? (size_t)(end - f.data) : f.len);
    }
    file_content_free(&f);
    return fm;
}

static bool says_unpublished(const char *fm)
{
    for (const char *p = strstr(fm, "published:"); p;
         p = strstr(p + 1, "published:")) {
        if (p != fm && p[-1] != '\n')
            continue;
        p += strlen("published:");
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "false", 5) == 0)
            return true;
    }
    return false;
}

/* Why Jekyll leaves out REL, a page-like file with front matter that is
 * not in the model; NULL when capsuled cannot tell. */
static const char *why_left_out(const char *rel, const char *fm,
                                bool excluded)
{
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    bool dated = strlen(base) > 11 && base[4] == '-' && base[7] == '-' &&
                 base[10] == '-';
    if (excluded)
        return "excluded by _config.yml's exclude (or a name Jekyll skips)";
    if (says_unpublished(fm))
        return "published: false";
    if (strncmp(rel, "_drafts/", 8) == 0)
        return "a draft (Jekyll publishes drafts only with --drafts)";
    if (strncmp(rel, "_posts/", 7) == 0 && !dated)
        return "a post's file name starts with its date "
               "(YYYY-MM-DD-title.md)";
    if (rel[0] == '_')
        return "dated in the future (future: false)";
    return NULL;
}

static void note_left_out(const struct checker *k, const char *rel,
                          bool excluded)
{
    if (in_model(k, rel) || !is_page_name(rel))
        return;
    char *fm = front_matter(k, rel);
    const char *why = fm ? why_left_out(rel, fm, excluded) : NULL;
    if (why) {
        char *full = joined(k->js->root, rel);
        diags_add(k->diags, DIAG_NOTE, full, 1, "not published: %s", why);
        free(full);
    }
    free(fm);
}

/* Folders never walked (besides hidden ones): Jekyll's own output and
 * the dependencies. */
static bool skipped_dir(const char *name)
{
    static const char *const never[] = {"_site", "node_modules", "vendor"};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        if (strcmp(name, never[i]) == 0)
            return true;
    return false;
}

/* A top-level folder starting with '_' holds documents only when it is
 * _posts, _drafts, a collection's or included; _layouts, _includes… are
 * not pages. */
static bool document_dir(const struct checker *k, const char *name)
{
    const struct value *colls = value_hash_get(k->js->config, "collections");
    if (strcmp(name, "_posts") == 0 || strcmp(name, "_drafts") == 0 ||
        !jekyll_filtered(k->js->config, "", name, true))
        return true;
    return value_hash_get(colls, name + 1) != NULL;
}

/* For file systems whose listings do not say (DT_UNKNOWN); a symlink
 * stays one, as Jekyll's --safe walk does not follow it out. */
static unsigned char type_of(const struct checker *k, const char *rel)
{
    struct stat st;
    char *full = joined(k->js->root, rel);
    int rc = lstat(full, &st);
    free(full);
    return rc < 0 ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR
                             : S_ISREG(st.st_mode)   ? DT_REG
                                                     : DT_UNKNOWN;
}

/* One entry of the folder REL: a folder walked, a file looked at. */
static void visit(const struct checker *k, const char *rel,
                  const struct dirent *e, bool excluded, int depth);

/* The folder REL in name order (so the notes come in a stable order). */
static void walk(const struct checker *k, const char *rel, bool excluded,
                 int depth)
{
    char *full = *rel ? joined(k->js->root, rel) : xstrdup(k->js->root);
    struct dirent **list = NULL;
    int n = depth < 12 ? scandir(full, &list, NULL, alphasort) : -1;
    free(full);
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') /* ".git", ".github": no pages */
            visit(k, rel, list[i], excluded, depth);
        free(list[i]);
    }
    free(list);
}

static void visit(const struct checker *k, const char *rel,
                  const struct dirent *e, bool excluded, int depth)
{
    const char *name = e->d_name;
    char *child = joined(rel, name);
    unsigned char type = e->d_type == DT_UNKNOWN ? type_of(k, child)
                                                 : e->d_type;
    bool is_dir = type == DT_DIR;
    bool out = excluded || jekyll_filtered(k->js->config, rel, name, is_dir);
    if (is_dir && !skipped_dir(name) &&
        (depth > 0 || name[0] != '_' || document_dir(k, name)))
        walk(k, child, out && name[0] != '_', depth + 1);
    else if (type == DT_REG)
        note_left_out(k, child, out && name[0] != '_');
    free(child);
}

/* --- empty sections, links: each page's own source (a missing include
 * is the Liquid interpreter's to report, as Jekyll's error) --- */

/* The heading level of the line at P ("## News" is 2), 0 if none. */
static int heading_level(const char *p)
{
    int n = 0;
    while (p[n] == '#')
        n++;
    return n >= 1 && n <= 6 && (p[n] == ' ' || p[n] == '\t') ? n : 0;
}

static bool blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

/* A heading whose section (to the next heading of its level or above)
 * holds Liquid and nothing is left of it once rendered. */
static void check_empty_section(const struct checker *k,
                                const struct value *scope, const char *head,
                                int level, int line, const char *shown)
{
    const char *body = strchr(head, '\n'), *end = body;
    for (; end && end[1]; end = strchr(end + 1, '\n')) {
        int l = heading_level(end + 1);
        if (l && l <= level)
            break;
    }
    if (!body)
        return;
    size_t len = end ? (size_t)(end - body) : strlen(body);
    char *span = xstrndup(body, len);
    size_t out_len;
    char *out = strstr(span, "{%") || strstr(span, "{{")
                    ? liquid_render(span, len, scope, &out_len)
                    : NULL;
    size_t title = strcspn(head + level, "\n");
    if (out && blank(out))
        diags_add(k->diags, DIAG_WARNING, shown, line,
                  "section '%.*s' is empty: everything under it is Liquid "
                  "that left nothing, so readers see the heading alone",
                  (int)(title - 1), head + level + 1);
    free(out);
    free(span);
}

static void check_sections(const struct checker *k,
                           const struct jekyll_doc *d, const char *src,
                           const char *shown)
{
    struct value *scope = value_hash();
    value_hash_set(scope, "site", 4, value_retain(k->js->site));
    value_hash_set(scope, "page", 4, value_retain(d->page));
    int line = 1;
    bool fenced = false;
    for (const char *p = src; p && *p; line++) {
        if (strncmp(p, "```", 3) == 0 || strncmp(p, "~~~", 3) == 0)
            fenced = !fenced;
        int level = fenced || line < d->body_line ? 0 : heading_level(p);
        if (level)
            check_empty_section(k, scope, p, level, line, shown);
        p = strchr(p, '\n');
        p += p != NULL;
    }
    value_release(scope);
}

/* The path of URL on the site itself ("https://ada.example.org/cv/" with
 * url https://ada.example.org is "/cv/"), or NULL for another site's. */
static char *own_path(const struct checker *k, const char *url)
{
    struct buf base = {0};
    buf_puts(&base, config_text(k, "url", ""));
    buf_puts(&base, config_text(k, "baseurl", ""));
    while (base.len && base.data[base.len - 1] == '/')
        base.data[--base.len] = '\0';
    const char *path = NULL;
    if (url[0] == '/' && url[1] != '/')
        path = url;
    else if (base.len && strncmp(url, base.data, base.len) == 0 &&
             (url[base.len] == '/' || url[base.len] == '\0'))
        path = url[base.len] ? url + base.len : "/";
    buf_free(&base);
    return path ? xstrndup(path, strcspn(path, "?#")) : NULL;
}

static void check_links(const struct checker *k, const struct doc *doc,
                        const char *shown)
{
    for (size_t b = 0; b < doc->n_blocks; b++) {
        const struct block *blk = &doc->blocks[b];
        for (size_t i = 0; i < blk->n_links; i++) {
            const char *url = blk->links[i].url;
            char *path = url ? own_path(k, url) : NULL;
            if (path && !site_url_same(path, "/") &&
                !site_find_doc(k->js, path))
                diags_add(k->diags, DIAG_WARNING, shown, blk->line,
                          "link to %s: the site has no page or file there",
                          path);
            free(path);
        }
    }
}

/* Whether D is a page or item a visitor reads (not a static file). */
static bool readable(const struct jekyll_doc *d)
{
    const char *ext = strrchr(d->path, '.');
    return d->kind != JEKYLL_STATIC && d->output &&
           (d->markdown || (ext && (strcmp(ext, ".html") == 0 ||
                                    strcmp(ext, ".htm") == 0)));
}

static void check_doc(const struct checker *k, const struct site_content *c,
                      const struct jekyll_doc *d)
{
    char *shown = joined(k->js->root, d->path);
    struct file_content f;
    if (file_read(k->js->root, d->path, FILE_BENEATH,
                  k->cfg->server.max_file_bytes, &f) == 0) {
        check_sections(k, d, f.data, shown);
    }
    file_content_free(&f);
    struct page page;
    struct doc doc;
    if (strcmp(shown, c->page_path) == 0) {
        check_links(k, &c->doc, shown); /* the home page, loaded already */
    } else if (site_load_doc(k->cfg, k->js, d, &page, &doc, k->diags) == 0) {
        check_links(k, &doc, shown);
        doc_free(&doc);
        page_free(&page);
    }
    free(shown);
}

void site_check_jekyll(const struct config *cfg,
                       const struct site_content *c, struct diags *diags)
{
    if (!c->jekyll)
        return;
    struct checker k = {cfg, c->jekyll, diags};
    walk(&k, "", false, 0);
    for (size_t i = 0; i < k.js->n_docs; i++)
        if (readable(&k.js->docs[i]))
            check_doc(&k, c, &k.js->docs[i]);
    check_static_sizes(&k);
}
