/* The site's files, beneath its root: directories listed in order, a
 * symlink leading out of the root skipped (`--safe`), a file's head
 * peeked at for front matter, a document read and split with its front
 * matter over the `defaults`, and the names Jekyll derives from a path. */
#include "internal.h"

#include "capsuled/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the file system, beneath the root --- */

char *jk_join(const char *a, const char *b)
{
    struct buf p = {0};
    if (a && *a)
        buf_printf(&p, "%s/", a);
    buf_puts(&p, b);
    return buf_detach(&p);
}

/* Whether REL (relative to the root) resolves inside the root: a symlink
 * leading out is skipped, as `--safe` skips it. */
bool jk_inside(const struct jk_read *r, const char *rel)
{
    char *full = jk_join(r->root, rel);
    char real[PATH_MAX], top[PATH_MAX];
    bool ok = realpath(full, real) && realpath(r->root, top) &&
              strncmp(real, top, strlen(top)) == 0 &&
              (real[strlen(top)] == '/' || real[strlen(top)] == '\0' ||
               strcmp(top, "/") == 0);
    free(full);
    return ok;
}

/* 1 directory, 0 other, -1 missing or leading out. */
int jk_kind_of(const struct jk_read *r, const char *rel)
{
    char *full = jk_join(r->root, rel);
    struct stat st, lst;
    int k = -1;
    bool seen = lstat(full, &lst) == 0;
    if (seen && !S_ISLNK(lst.st_mode))
        k = S_ISDIR(lst.st_mode) ? 1 : 0;
    /* A symlink is followed (a second stat) when it stays inside. */
    else if (seen && stat(full, &st) == 0 && jk_inside(r, rel))
        k = S_ISDIR(st.st_mode) ? 1 : 0;
    free(full);
    return k;
}

bool jk_first_visit(const struct jk_read *r, const char *rel)
{
    char *full = jk_join(r->root, rel);
    struct stat st;
    bool ok = stat(*full ? full : ".", &st) == 0;
    free(full);
    if (!ok)
        return false;
    struct jk_seen *seen = r->seen;
    for (size_t i = 0; i < seen->n; i++)
        if (seen->ids[i].dev == st.st_dev && seen->ids[i].ino == st.st_ino)
            return false;
    seen->ids = xrealloc(seen->ids, (seen->n + 1) * sizeof *seen->ids);
    seen->ids[seen->n++] = (struct jk_dir_id){st.st_dev, st.st_ino};
    return true;
}

struct dir_entry {
    char *name;
    unsigned char type; /* readdir's d_type */
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct dir_entry *)a)->name,
                  ((const struct dir_entry *)b)->name);
}

/* jk_kind_of without a stat where readdir said what the entry is: only
 * a symlink (followed when it stays inside) or an unknown type needs one.
 * A walk of thousands of posts saves as many system calls. */
static int entry_kind(const struct jk_read *r, const char *dir,
                      const struct dir_entry *e)
{
    if (e->type == DT_DIR)
        return 1;
    if (e->type != DT_LNK && e->type != DT_UNKNOWN)
        return 0;
    char *rel = jk_join(dir, e->name);
    int kind = jk_kind_of(r, rel);
    free(rel);
    return kind;
}

char **jk_list_dir(const struct jk_read *r, const char *rel, size_t *n,
                   int **kinds)
{
    char *full = jk_join(r->root, rel);
    DIR *d = opendir(full && *full ? full : ".");
    free(full);
    struct dir_entry *entries = NULL;
    *n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        entries = xrealloc(entries, (*n + 1) * sizeof *entries);
        entries[(*n)++] = (struct dir_entry){xstrdup(e->d_name), e->d_type};
    }
    if (d)
        closedir(d);
    if (*n)
        qsort(entries, *n, sizeof *entries, entry_cmp);
    char **names = xcalloc(*n ? *n : 1, sizeof *names);
    if (kinds)
        *kinds = xcalloc(*n ? *n : 1, sizeof **kinds);
    for (size_t i = 0; i < *n; i++) {
        names[i] = entries[i].name;
        if (kinds)
            (*kinds)[i] = entry_kind(r, rel, &entries[i]);
    }
    free(entries);
    return names;
}

void jk_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Utils.has_yaml_header? on the file's first bytes only: a 10 MB PDF is
 * not read to learn it is static. */
bool jk_head_has_front_matter(const struct jk_read *r, const char *rel)
{
    int fd = file_open_beneath(r->dirfd, r->root, rel, true);
    if (fd < 0)
        return false;
    char head[512];
    ssize_t got = read(fd, head, sizeof head);
    close(fd);
    return got > 0 && jk_has_front_matter(head, (size_t)got);
}

/* --- names --- */

/* Ruby's File.extname: the last ".ext" of the base name, not a leading
 * dot. */
const char *jk_extname(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    while (*base == '.')
        base++;
    const char *dot = strrchr(base, '.');
    return dot && dot[1] ? dot : path + strlen(path);
}

const char *jk_basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The base name without its extension, trailing dots dropped. */
char *jk_stem(const char *path)
{
    const char *base = jk_basename_of(path);
    size_t n = (size_t)(jk_extname(base) - base);
    while (n && base[n - 1] == '.')
        n--;
    return xstrndup(base, n);
}

void jk_set_str(struct value *h, const char *key, const char *s)
{
    value_hash_set(h, key, strlen(key), value_cstring(s ? s : ""));
}

/* --- documents --- */

struct jekyll_doc *jk_push(struct jk_docs *list)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    struct jekyll_doc *d = &list->items[list->n++];
    memset(d, 0, sizeof *d);
    return d;
}

void jk_doc_free(struct jekyll_doc *d)
{
    free(d->path);
    free(d->url);
    free(d->collection);
    free(d->source);
    value_release(d->front);
    value_release(d->front_settings);
    value_release(d->page);
    memset(d, 0, sizeof *d);
}

/* REL beneath the root, through the walk's open root when it has one. */
static int read_beneath(const struct jk_read *r, const char *rel,
                        struct file_content *fc)
{
    if (r->dirfd >= 0)
        return file_read_at(r->dirfd, r->root, rel, r->max_bytes, fc);
    return file_read(r->root, rel, FILE_BENEATH, r->max_bytes, fc);
}

/* The file REL read and split; its front matter over DEFAULTS. False
 * when it cannot be read or its YAML is broken (a warning: Jekyll reports
 * it and leaves the file out). */
bool jk_read_doc(const struct jk_read *r, const char *rel, const char *type,
                 struct jk_text *out)
{
    memset(out, 0, sizeof *out);
    struct file_content fc;
    char *shown = jk_join(r->root, rel);
    if (read_beneath(r, rel, &fc) < 0) {
        file_report(&fc, shown, r->max_bytes, r->diags);
        free(shown);
        return false;
    }
    struct jk_front f = jk_split_front(fc.data, fc.len);
    struct value *fm = NULL;
    struct value *settings = NULL;
    bool ok = !f.present ||
              jk_yaml_front(shown, 2, f.yaml, f.yaml_len, DIAG_WARNING, &fm,
                            &settings, r->diags) == 0;
    free(shown);
    if (!ok) {
        value_release(fm);
        value_release(settings);
        file_content_free(&fc);
        return false;
    }
    if (settings) {
        out->front = value_retain(fm);
        out->front_settings = settings;
        out->front_at = (size_t)(f.yaml - fc.data);
        out->front_len = f.yaml_len;
    }
    struct value *defaults = jk_defaults_for(r->config, rel, type);
    out->data = value_kind(fm) == VALUE_HASH ? jk_merge(defaults, fm)
                                              : value_retain(defaults);
    buf_put(&out->body, f.body, f.body_len);
    out->body_line = f.body_line;
    out->source = fc.data; /* kept: the page loader reads it from here */
    out->source_len = fc.len;
    value_release(defaults);
    value_release(fm);
    return true;
}

void jk_text_give(struct jk_text *t, struct jekyll_doc *d)
{
    d->source = t->source;
    d->source_len = t->source_len;
    d->front = t->front;
    d->front_settings = t->front_settings;
    d->front_at = t->front_at;
    d->front_len = t->front_len;
    t->source = NULL;
    t->front = t->front_settings = NULL;
}

void jk_text_free(struct jk_text *t)
{
    value_release(t->front);
    value_release(t->front_settings);
    value_release(t->data);
    buf_free(&t->body);
    free(t->source);
    memset(t, 0, sizeof *t);
}

bool jk_published(const struct jk_read *r, const struct value *data)
{
    const struct value *p = value_hash_get(data, "published");
    return jk_true(r->config, "unpublished") ||
           !(value_kind(p) == VALUE_BOOL && !value_bool_of(p));
}

