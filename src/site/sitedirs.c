/* The directories of a Jekyll site a reload watches (capsuled/sitedirs.h):
 * one walk of the tree, readdir's entry types telling folders from files,
 * the EntryFilter of the site's configuration deciding which folders a
 * page or a static file can come from, and the folders Jekyll reads by
 * their role (_posts, _drafts, collections, _data, _includes, _layouts)
 * added to them. */
#include "capsuled/sitedirs.h"
#include "capsuled/buf.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What a walk carries: the site, the destination relative to the root
 * (NULL when outside it), and where the directories go. */
struct dir_walk {
    const struct jekyll_site *js;
    char *dest;
    void (*fn)(const char *path, bool watched, void *ctx);
    void *ctx;
    int depth;
};

/* A deeper tree is not a site; it also bounds the recursion. */
enum { MAX_DEPTH = 32 };

bool site_dirs_ignored_name(const char *name)
{
    size_t n = strlen(name);
    return n == 0 || name[0] == '.' || name[0] == '#' || name[n - 1] == '~';
}

static const char *config_text(const struct jekyll_site *js, const char *key,
                               const char *def)
{
    const char *s = value_text(value_hash_get(js->config, key));
    return s && *s ? s : def;
}

/* "./_site/" -> "_site"; ROOT/x -> "x"; NULL for a destination elsewhere. */
static char *relative_dest(const struct jekyll_site *js)
{
    const char *d = config_text(js, "destination", "_site");
    size_t rl = strlen(js->root);
    if (d[0] == '/') {
        if (strncmp(d, js->root, rl) != 0 || d[rl] != '/')
            return NULL;
        d += rl + 1;
    }
    while (d[0] == '.' && d[1] == '/')
        d += 2;
    char *rel = xstrdup(d);
    size_t n = strlen(rel);
    while (n > 0 && rel[n - 1] == '/')
        rel[--n] = '\0';
    return rel;
}

static bool is_collection_dir(const struct jekyll_site *js, const char *dir,
                              const char *name)
{
    if (strcmp(dir, config_text(js, "collections_dir", "")) != 0)
        return false;
    const struct value *colls = value_hash_get(js->config, "collections");
    size_t n = value_len(colls);
    for (size_t i = 0; value_kind(colls) == VALUE_HASH && i < n; i++) {
        size_t len;
        const char *label = value_hash_key_at(colls, i, &len);
        if (label && strlen(name) == len + 1 &&
            strncmp(name + 1, label, len) == 0)
            return true;
    }
    return false;
}

/* The folders Jekyll reads whatever the EntryFilter says of them. */
static bool by_role(const struct jekyll_site *js, const char *dir,
                    const char *name)
{
    if (strcmp(name, "_posts") == 0 || strcmp(name, "_drafts") == 0)
        return true;
    if (is_collection_dir(js, dir, name))
        return true;
    const char *roles[] = {"includes_dir", "layouts_dir", "data_dir"};
    const char *defs[] = {"_includes", "_layouts", "_data"};
    for (size_t i = 0; !*dir && i < 3; i++)
        if (strcmp(name, config_text(js, roles[i], defs[i])) == 0)
            return true;
    return false;
}

/* IN_ROLE: beneath a folder read by its role, where every folder is read
 * (nested data, include folders) but hidden ones. */
static bool watched_dir(const struct dir_walk *w, const char *dir,
                        const char *name, const char *rel, bool in_role)
{
    if (w->dest && strcmp(rel, w->dest) == 0)
        return false;
    if (in_role)
        return name[0] != '.';
    return by_role(w->js, dir, name) ||
           !jekyll_filtered(w->js->config, dir, name, true);
}

static bool entry_is_dir(const char *path, const struct dirent *e)
{
    if (e->d_type != DT_UNKNOWN)
        return e->d_type == DT_DIR;
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void walk(struct dir_walk *w, const char *rel, bool in_role);

static void walk_entry(struct dir_walk *w, const char *rel, bool in_role,
                       const struct dirent *e, struct buf *path)
{
    const char *name = e->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return;
    buf_clear(path);
    buf_printf(path, "%s/%s%s%s", w->js->root, rel, *rel ? "/" : "", name);
    if (!entry_is_dir(path->data, e))
        return;
    struct buf sub = {0};
    buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", name);
    if (watched_dir(w, rel, name, sub.data, in_role))
        walk(w, sub.data, in_role || by_role(w->js, rel, name));
    else if (!w->dest || strcmp(sub.data, w->dest) != 0)
        w->fn(path->data, false, w->ctx); /* the destination is said once */
    buf_free(&sub);
}

static void walk(struct dir_walk *w, const char *rel, bool in_role)
{
    struct buf path = {0};
    buf_printf(&path, "%s%s%s", w->js->root, *rel ? "/" : "", rel);
    DIR *d = w->depth < MAX_DEPTH ? opendir(path.data) : NULL;
    if (d) {
        w->fn(path.data, true, w->ctx);
        w->depth++;
        for (struct dirent *e; (e = readdir(d));)
            walk_entry(w, rel, in_role, e, &path);
        w->depth--;
        closedir(d);
    }
    buf_free(&path);
}

void site_dirs(const struct jekyll_site *js,
               void (*fn)(const char *path, bool watched, void *ctx),
               void *ctx)
{
    struct dir_walk w = {.js = js, .dest = relative_dest(js), .fn = fn,
                         .ctx = ctx};
    walk(&w, "", false);
    if (w.dest && *w.dest) {
        struct buf p = {0};
        buf_printf(&p, "%s/%s", js->root, w.dest);
        fn(p.data, false, ctx);
        buf_free(&p);
    }
    free(w.dest);
}
