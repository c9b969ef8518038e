/* A Jekyll site loaded whole: the configuration, the walk, the
 * collections and the data, put in Jekyll's order, and the `site` value
 * Liquid reads (the configuration's keys, pages, posts newest first, each
 * collection's documents, collections, data, static_files, time). Also
 * which file Jekyll writes to index.html: the home page. */
#include "internal.h"

#include "capsuled/file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- configuration --- */

static void remember(struct jekyll_site *s, const char *rel)
{
    s->files = xrealloc(s->files, (s->n_files + 1) * sizeof *s->files);
    s->files[s->n_files++] = jk_join(s->root, rel);
}

/* The texts read, each with its length before it (an absent one is
 * "-"), for the next load to compare. */
static void keep_config_text(struct jekyll_site *s,
                             const struct file_content *fc,
                             const char *const *texts)
{
    struct buf b = {0};
    for (int i = 0; i < 2; i++) {
        if (!texts[i]) {
            buf_puts(&b, "-\n");
            continue;
        }
        buf_printf(&b, "%zu\n", fc[i].len);
        buf_put(&b, fc[i].data, fc[i].len);
    }
    s->config_len = b.len;
    s->config_text = buf_detach(&b);
}

/* _config.yml, and capsule.yaml over it when present. */
static int load_config(struct jekyll_site *s, size_t max_bytes,
                       struct diags *diags)
{
    const char *names[] = {"_config.yml", "capsule.yaml"};
    struct file_content fc[2];
    const char *texts[2] = {NULL, NULL};
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        remember(s, names[i]);
        if (file_read(s->root, names[i], FILE_BENEATH, max_bytes, &fc[i]) == 0)
            texts[i] = fc[i].data;
        else if (i == 0 || fc[i].status != FILE_ERRNO) {
            file_report(&fc[i], s->files[i], max_bytes, diags);
            rc = -1;
        }
    }
    keep_config_text(s, fc, texts);
    const char *shown[] = {s->files[0], s->files[1]};
    if (rc == 0)
        rc = jekyll_config_from(shown, texts, 2, &s->config, diags);
    for (int i = 0; i < 2; i++)
        if (texts[i])
            file_content_free(&fc[i]);
    return rc;
}

/* --- order --- */

static int by_name(const void *a, const void *b)
{
    const struct jekyll_doc *x = a, *y = b;
    int c = strcmp(jk_basename_of(x->path), jk_basename_of(y->path));
    return c ? c : strcmp(x->path, y->path);
}

static int by_path(const void *a, const void *b)
{
    const struct jekyll_doc *x = a, *y = b;
    return strcmp(x->path, y->path);
}

static void append(struct jekyll_site *s, struct jk_docs *from)
{
    s->docs = xrealloc(s->docs, (s->n_docs + from->n + 1) * sizeof *s->docs);
    if (from->n)
        memcpy(s->docs + s->n_docs, from->items,
               from->n * sizeof *from->items);
    s->n_docs += from->n;
    free(from->items);
    *from = (struct jk_docs){0};
}

/* --- the site value --- */

static struct value *pages_of(const struct jekyll_site *s,
                              enum jekyll_kind kind, const char *label,
                              bool newest_first)
{
    struct value *arr = value_array();
    for (size_t k = 0; k < s->n_docs; k++) {
        size_t i = newest_first ? s->n_docs - 1 - k : k;
        const struct jekyll_doc *d = &s->docs[i];
        if (d->kind == kind &&
            (!label || (d->collection && strcmp(d->collection, label) == 0)))
            value_array_push(arr, value_retain(d->page));
    }
    return arr;
}

static struct value *collection_value(const struct jekyll_site *s,
                                      const char *label,
                                      const struct value *meta)
{
    struct value *c = value_hash();
    value_hash_merge(c, meta);
    jk_set_str(c, "label", label);
    struct buf dir = {0};
    buf_printf(&dir, "_%s", label);
    jk_set_str(c, "relative_directory", dir.data);
    value_hash_set(c, "output", 6, value_bool(jk_true(meta, "output")));
    value_hash_set(c, "docs", 4,
                   pages_of(s, strcmp(label, "posts") == 0 ? JEKYLL_POST
                                                           : JEKYLL_ITEM,
                            label, false));
    value_hash_set(c, "files", 5, pages_of(s, JEKYLL_STATIC, label, false));
    buf_free(&dir);
    return c;
}

static void build_site_value(struct jekyll_site *s, struct value *data)
{
    struct value *site = value_hash();
    value_hash_merge(site, s->config);
    const struct value *colls = value_hash_get(s->config, "collections");
    struct value *list = value_array();
    for (size_t i = 0; i < value_len(colls); i++) {
        size_t len;
        const char *label = value_hash_key_at(colls, i, &len);
        struct value *c = collection_value(s, label,
                                           value_hash_value_at(colls, i));
        value_hash_set(site, label, len,
                       value_retain(value_hash_get(c, "docs")));
        value_array_push(list, c);
    }
    value_hash_set(site, "collections", 11, list);
    value_hash_set(site, "pages", 5, pages_of(s, JEKYLL_PAGE, NULL, false));
    value_hash_set(site, "posts", 5, pages_of(s, JEKYLL_POST, NULL, true));
    value_hash_set(site, "static_files", 12,
                   pages_of(s, JEKYLL_STATIC, NULL, false));
    value_hash_set(site, "data", 4, data);
    struct buf t = {0};
    jk_format_date(&t, s->now, jk_timezone_offset(s->config));
    value_hash_set(site, "time", 4, value_date(t.data, t.len));
    buf_free(&t);
    s->site = site;
}

/* --- loading --- */

static void read_everything(struct jekyll_site *s, const struct jk_read *r)
{
    struct jk_docs pages = {0}, statics = {0}, posts = {0};
    jk_walk(r, &pages, &statics, &posts);
    const struct value *colls = value_hash_get(s->config, "collections");
    struct jk_docs *items = xcalloc(value_len(colls) + 1, sizeof *items);
    for (size_t i = 0; i < value_len(colls); i++) {
        const char *label = value_hash_key_at(colls, i, &(size_t){0});
        if (strcmp(label, "posts") == 0)
            items[i] = posts, posts = (struct jk_docs){0};
        else
            jk_read_collection(r, label, &items[i], &statics);
        jk_sort_collection(r, label, &items[i]);
    }
    if (pages.n)
        qsort(pages.items, pages.n, sizeof *pages.items, by_name);
    if (statics.n)
        qsort(statics.items, statics.n, sizeof *statics.items, by_path);
    append(s, &pages);
    append(s, &statics);
    for (size_t i = 0; i < value_len(colls); i++)
        append(s, &items[i]);
    append(s, &posts); /* empty unless `collections` lost posts */
    free(items);
}

int jekyll_load(const char *root, const struct jekyll_opts *opts,
                struct jekyll_site *out, struct diags *diags)
{
    memset(out, 0, sizeof *out);
    out->root = xstrdup(root && *root ? root : ".");
    size_t cap = opts && opts->max_bytes ? opts->max_bytes
                                          : FILE_MAX_BYTES_DEFAULT;
    out->now = opts && opts->now ? opts->now : (int64_t)time(NULL);
    if (load_config(out, cap, diags) < 0) {
        jekyll_free(out);
        return -1;
    }
    int dirfd = open(out->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct jk_seen seen = {0}, data_seen = {0};
    struct jk_prev *prev = jk_prev_open(opts ? opts->prev : NULL, out);
    /* .since: a file changed after the load began is not kept by the next
     * load (jk_stat). */
    struct jk_read r = {.seen = &seen, .root = out->root, .dirfd = dirfd,
                        .config = out->config,
                        .offset = jk_timezone_offset(out->config),
                        .now = out->now, .max_bytes = cap, .diags = diags,
                        .since = file_load_start(), .prev = prev, .site = out};
    read_everything(out, &r);
    r.seen = &data_seen; /* _data is read apart from the walk */
    struct value *data = jk_read_data(&r, &out->files, &out->n_files);
    free(seen.ids);
    free(data_seen.ids);
    build_site_value(out, data);
    jk_prev_close(prev);
    if (dirfd >= 0)
        close(dirfd);
    return 0;
}

void jekyll_free(struct jekyll_site *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_docs; i++)
        jk_doc_free(&s->docs[i]);
    free(s->docs);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    value_release(s->config);
    value_release(s->site);
    for (size_t i = 0; i < s->n_data_files; i++) {
        free(s->data_files[i].path);
        value_release(s->data_files[i].value);
    }
    free(s->data_files);
    free(s->config_text);
    free(s->root);
    memset(s, 0, sizeof *s);
}

/* --- what is written where --- */

char *jekyll_destination(const struct jekyll_doc *d)
{
    struct buf p = {0};
    const char *url = d->url[0] == '/' ? d->url + 1 : d->url;
    buf_puts(&p, url);
    size_t n = strlen(url);
    const char *ext = d->kind == JEKYLL_STATIC ? "" : ".html";
    if (d->kind != JEKYLL_STATIC) {
        const char *e = jk_extname(d->path);
        ext = d->markdown ? ".html"
              : (strcmp(e, ".scss") == 0 || strcmp(e, ".sass") == 0) ? ".css"
                                                                       : e;
    }
    if (n == 0 || url[n - 1] == '/')
        buf_puts(&p, "index");
    size_t el = strlen(ext);
    if (p.len < el || strcmp(p.data + p.len - el, ext) != 0)
        buf_puts(&p, ext);
    return buf_detach(&p);
}

const struct jekyll_doc *jekyll_home(const struct jekyll_site *s,
                                     struct diags *diags)
{
    const struct jekyll_doc *home = NULL;
    size_t claims = 0;
    struct buf names = {0};
    for (size_t i = 0; i < s->n_docs; i++) {
        const struct jekyll_doc *d = &s->docs[i];
        if (!d->output)
            continue;
        char *dest = jekyll_destination(d);
        if (strcmp(dest, "index.html") == 0) {
            buf_printf(&names, "%s%s", claims++ ? ", " : "", d->path);
            home = d; /* written last, it is the one left in _site */
        }
        free(dest);
    }
    char *shown = jk_join(s->root, home ? home->path : "");
    if (claims > 1 && diags)
        diags_add(diags, DIAG_WARNING, shown, 0,
                  "conflict: %s are all written to index.html (the URL "
                  "/); Jekyll keeps the last, %s", names.data, home->path);
    buf_free(&names);
    free(shown);
    return home;
}

struct dest {
    char *path;
    size_t index; /* in write order */
};

static int dest_cmp(const void *a, const void *b)
{
    const struct dest *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The run of equal destinations at list[i..*end), reported when longer
 * than one. */
static void report_run(const struct jekyll_site *s, const struct dest *list,
                       size_t i, size_t end, struct diags *diags)
{
    if (end - i < 2 || strcmp(list[i].path, "index.html") == 0)
        return;
    struct buf names = {0};
    for (size_t k = i; k < end; k++)
        buf_printf(&names, "%s%s", k > i ? ", " : "",
                   s->docs[list[k].index].path);
    const struct jekyll_doc *kept = &s->docs[list[end - 1].index];
    char *shown = jk_join(s->root, kept->path);
    diags_add(diags, DIAG_WARNING, shown, 0,
              "conflict: %s are all written to %s (the URL %s); Jekyll "
              "keeps the last, %s", names.data, list[i].path, kept->url,
              kept->path);
    free(shown);
    buf_free(&names);
}

void jekyll_conflicts(const struct jekyll_site *s, struct diags *diags)
{
    struct dest *list = xcalloc(s->n_docs + 1, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < s->n_docs; i++)
        if (s->docs[i].output)
            list[n++] = (struct dest){jekyll_destination(&s->docs[i]), i};
    if (n)
        qsort(list, n, sizeof *list, dest_cmp);
    for (size_t i = 0, end; i < n; i = end) {
        for (end = i + 1; end < n && strcmp(list[end].path, list[i].path) == 0;
             end++)
            ;
        report_run(s, list, i, end, diags);
    }
    for (size_t i = 0; i < n; i++)
        free(list[i].path);
    free(list);
}
