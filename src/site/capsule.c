/* The capsule snapshot: config plus one pre-rendered site per gemini host,
 * shared between threads by an atomic reference count, and the list of files
 * (and, for a Jekyll site, directories) it came from so a change is noticed
 * with stat() alone. */
#include "capsuled/capsule.h"
#include "capsuled/file.h"
#include "capsuled/site.h"
#include "capsuled/sitedirs.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct capsule_file {
    char *path;
    bool exists;
    bool raced; /* a directory changed while the site was being read */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim, ctim;
};

/* capsule.h keeps refs a plain int so the struct stays simple to embed and
 * inspect; every access goes through this cast, which C11 allows for a
 * lock-free atomic int of the same size. */
static_assert(sizeof(atomic_int) == sizeof(int), "atomic int layout");

static atomic_int *refs_of(const struct capsule *c)
{
    return (atomic_int *)&((struct capsule *)c)->refs;
}

static void file_stat(struct capsule_file *f)
{
    struct stat st;
    f->exists = stat(f->path, &st) == 0;
    if (!f->exists)
        return;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtim = st.st_mtim;
    f->ctim = st.st_ctim;
}

/* Files are recorded as they come, a name perhaps several times (a page
 * both named and walked to); drop_duplicates keeps each name's first. */
static void record_file(struct capsule *c, const char *path)
{
    c->files = xrealloc(c->files, (c->n_files + 1) * sizeof *c->files);
    struct capsule_file *f = &c->files[c->n_files++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    file_stat(f);
}

/* A file the Jekyll model stat'ed before reading it: recorded with what
 * it saw then (no second stat of thousands of files). */
static void record_seen(struct capsule *c, const char *path,
                        const struct jekyll_stat *st)
{
    c->files = xrealloc(c->files, (c->n_files + 1) * sizeof *c->files);
    struct capsule_file *f = &c->files[c->n_files++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    f->exists = true;
    f->dev = (dev_t)st->dev;
    f->ino = (ino_t)st->ino;
    f->size = (off_t)st->size;
    f->mtim = (struct timespec){(time_t)st->mtime_sec, st->mtime_nsec};
    f->ctim = (struct timespec){(time_t)st->ctime_sec, st->ctime_nsec};
}

struct file_at {
    struct capsule_file f;
    size_t at;
};

static int file_at_cmp(const void *a, const void *b)
{
    const struct file_at *x = a, *y = b;
    int c = strcmp(x->f.path, y->f.path);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Each name once, with what stat said the first time: before it was read.
 * Sorting, not a search per file, for a site of thousands. */
static void drop_duplicates(struct capsule *c)
{
    struct file_at *tmp = xcalloc(c->n_files ? c->n_files : 1, sizeof *tmp);
    for (size_t i = 0; i < c->n_files; i++)
        tmp[i] = (struct file_at){c->files[i], i};
    qsort(tmp, c->n_files, sizeof *tmp, file_at_cmp);
    size_t w = 0;
    for (size_t i = 0; i < c->n_files; i++) {
        if (w > 0 && strcmp(c->files[w - 1].path, tmp[i].f.path) == 0)
            free(tmp[i].f.path);
        else
            c->files[w++] = tmp[i].f;
    }
    c->n_files = w;
    free(tmp);
}

/* The file config_load will read. Files are stat'ed before they are read:
 * an edit in between then shows as a change, never as a missed one. */
static char *config_path(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return xstrdup(dir);
    struct buf p = {0};
    buf_printf(&p, "%s/capsule.yaml", dir);
    return buf_detach(&p);
}

static void capsule_free(struct capsule *c)
{
    for (size_t i = 0; i < c->n_sites; i++)
        site_free(c->sites[i]);
    free(c->sites);
    /* The views share the main config's strings; only the own files' are
     * freed here. */
    for (size_t i = 0; c->host_own && i < c->n_host_cfgs; i++)
        config_free(&c->host_own[i]);
    free(c->host_own);
    free(c->host_view);
    for (size_t i = 0; i < c->n_files; i++)
        free(c->files[i].path);
    free(c->files);
    for (size_t i = 0; i < c->n_dirs; i++)
        free(c->dirs[i].path);
    free(c->dirs);
    for (size_t i = 0; i < c->n_skipped; i++)
        free(c->skipped[i]);
    free(c->skipped);
    config_free(&c->cfg);
    free(c);
}

static char *host_file(const char *root, const char *name)
{
    struct buf p = {0};
    buf_printf(&p, "%s/%s", root, name);
    return buf_detach(&p);
}

/* Whether an extra host's directory has a configuration of its own. Both
 * possible files are recorded, so creating one is noticed as a change. */
static bool host_has_own_config(struct capsule *c, const char *root)
{
    bool found = false;
    const char *names[] = {"capsule.yaml", "_config.yml"};
    for (size_t k = 0; k < 2; k++) {
        char *path = host_file(root, names[k]);
        struct stat st;
        found |= stat(path, &st) == 0 && S_ISREG(st.st_mode);
        record_file(c, path);
        free(path);
    }
    return found;
}

/* An extra host whose directory has its own capsule.yaml (or a Jekyll
 * _config.yml) takes its site keys from there: title, author, language, web
 * URL, page, favicon, robots, Liquid's site variables. Listeners, hosts,
 * gopher and server settings stay the main file's. Returns the config to
 * build host i's site from, NULL when its own file has errors. */
static const struct config *host_config(struct capsule *c, size_t i,
                                        struct diags *diags)
{
    const char *root = i < c->cfg.gemini.n_hosts ? c->cfg.gemini.hosts[i].root
                                                 : NULL;
    if (i == 0 || !root || !*root || (c->cfg.dir &&
                                      strcmp(root, c->cfg.dir) == 0) ||
        !host_has_own_config(c, root))
        return &c->cfg;
    struct config *own = &c->host_own[i];
    if (config_load(root, own, diags) < 0)
        return NULL;
    record_file(c, own->file);
    struct config *view = &c->host_view[i];
    *view = c->cfg;
    view->site = own->site;
    return view;
}

/* What record_dir needs besides the directory: where to put it, and when
 * the load began. */
struct dir_record {
    struct capsule *c;
    struct timespec since;
};

static bool not_before(struct timespec t, struct timespec since)
{
    return t.tv_sec > since.tv_sec ||
           (t.tv_sec == since.tv_sec && t.tv_nsec >= since.tv_nsec);
}

/* A directory is listed after the site was read, so its entries may have
 * changed in between: one whose ctime is not older than the load marks the
 * snapshot changed (a rebuild, never a miss). */
static void record_dir(const char *path, bool watched, void *ctx)
{
    struct dir_record *r = ctx;
    struct capsule *c = r->c;
    if (!watched) {
        c->skipped = xrealloc(c->skipped,
                              (c->n_skipped + 1) * sizeof *c->skipped);
        c->skipped[c->n_skipped++] = xstrdup(path);
        return;
    }
    c->dirs = xrealloc(c->dirs, (c->n_dirs + 1) * sizeof *c->dirs);
    struct capsule_file *f = &c->dirs[c->n_dirs++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    file_stat(f);
    /* A time ahead of the clock (a file server's own clock) is no race:
     * it would mark every snapshot changed. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_sec += 1;
    f->raced = f->exists && not_before(f->ctim, r->since) &&
               !not_before(f->ctim, now);
}

/* A Jekyll site's page is found by the walk, not named: the file read,
 * what else the site value came from (_config.yml, capsule.yaml, the data
 * files) and every page, post, item and static file (each is served,
 * and each is in site.pages, a collection or site.static_files) are
 * recorded once known (a document with the identity the model stat'ed
 * before reading it). A file recorded after it was read may show a change
 * that came in between: a rebuild, never a miss. The site's directories
 * are recorded too, so that a file added to the site is noticed. */
static void record_site_files(struct capsule *c,
                              const struct site_content *sc,
                              struct timespec since)
{
    const struct jekyll_site *js = sc->jekyll;
    if (!js)
        return;
    struct dir_record r = {c, since};
    site_dirs(js, record_dir, &r);
    record_file(c, sc->page_path);
    for (size_t i = 0; i < js->n_files; i++)
        record_file(c, js->files[i]);
    struct buf p = {0};
    for (size_t i = 0; i < js->n_docs; i++) {
        if (js->docs[i].kind == JEKYLL_STATIC && !js->docs[i].output)
            continue; /* static files with output are served too */
        buf_clear(&p);
        buf_printf(&p, "%s/%s", js->root, js->docs[i].path);
        if (js->docs[i].stat.exists)
            record_seen(c, p.data, &js->docs[i].stat);
        else
            record_file(c, p.data);
    }
    buf_free(&p);
}

struct capsule *capsule_load(const char *dir, struct diags *diags)
{
    return capsule_load_tracked(dir, diags, NULL);
}

struct capsule *capsule_load_tracked(const char *dir, struct diags *diags,
                                     atomic_size_t *building)
{
    return capsule_reload(dir, NULL, diags, building);
}

static bool same_time(struct timespec a, struct timespec b);

static int file_path_cmp(const void *a, const void *b)
{
    const struct capsule_file *x = a, *y = b;
    return strcmp(x->path, y->path);
}

/* Whether F (recorded now) is as PREV recorded the same file (PREV's
 * files are sorted by path: drop_duplicates). */
static bool same_record(const struct capsule *prev,
                        const struct capsule_file *f)
{
    const struct capsule_file *p =
        prev->n_files ? bsearch(f, prev->files, prev->n_files,
                                sizeof *prev->files, file_path_cmp)
                      : NULL;
    return p && p->exists == f->exists && !p->raced &&
           (!f->exists ||
            (p->dev == f->dev && p->ino == f->ino && p->size == f->size &&
             same_time(p->mtim, f->mtim) && same_time(p->ctim, f->ctim)));
}

/* The files recorded from FIRST up to now, and those before END_MAIN
 * (the main configuration's), all as PREV saw them. */
static bool config_unchanged(const struct capsule *c,
                             const struct capsule *prev, size_t end_main,
                             size_t first)
{
    for (size_t k = 0; k < c->n_files; k++)
        if ((k < end_main || k >= first) && !same_record(prev, &c->files[k]))
            return false;
    return true;
}

/* The previous build of host I, to keep what it may from: only while its
 * configuration files (the main ones, recorded before END_MAIN, and the
 * host's own and its named page, from FIRST) are as PREV saw them, so
 * that nothing a render reads from the configuration changed. */
static const struct site *prev_site(const struct capsule *c,
                                    const struct capsule *prev, size_t i,
                                    size_t end_main, size_t first)
{
    if (!prev || i >= prev->n_sites ||
        !config_unchanged(c, prev, end_main, first))
        return NULL;
    return prev->sites[i];
}

struct capsule *capsule_reload(const char *dir, const struct capsule *prev,
                               struct diags *diags, atomic_size_t *building)
{
    struct capsule *c = xcalloc(1, sizeof *c);
    atomic_init(refs_of(c), 1);
    struct timespec since = file_load_start();
    char *cfg_file = config_path(dir);
    record_file(c, cfg_file);
    free(cfg_file);
    if (config_load(dir, &c->cfg, diags) < 0) {
        capsule_free(c);
        return NULL;
    }
    record_file(c, c->cfg.file); /* a Jekyll _config.yml read instead */
    /* Gopher serves sites[0], so there is one even with gemini off. */
    size_t n = c->cfg.gemini.n_hosts ? c->cfg.gemini.n_hosts : 1;
    c->sites = xcalloc(n, sizeof *c->sites);
    c->host_own = xcalloc(n, sizeof *c->host_own);
    c->host_view = xcalloc(n, sizeof *c->host_view);
    c->n_host_cfgs = n;
    size_t end_main = c->n_files;
    for (size_t i = 0; i < n; i++) {
        size_t first = c->n_files;
        if (building)
            atomic_store_explicit(building, i, memory_order_relaxed);
        const struct config *cfg = host_config(c, i, diags);
        if (!cfg) {
            capsule_free(c);
            return NULL;
        }
        char *page = site_page_path(cfg, i);
        record_file(c, page);
        free(page);
        struct site *s = site_rebuild(cfg, i, i == 0,
                                      prev_site(c, prev, i, end_main, first),
                                      diags);
        if (!s) {
            capsule_free(c);
            return NULL;
        }
        c->sites[c->n_sites++] = s;
        record_site_files(c, &s->content, since);
    }
    drop_duplicates(c);
    return c;
}

struct capsule *capsule_ref(struct capsule *c)
{
    if (c)
        atomic_fetch_add_explicit(refs_of(c), 1, memory_order_relaxed);
    return c;
}

void capsule_unref(struct capsule *c)
{
    if (!c)
        return;
    /* acq_rel: the last owner must see every other owner's reads done. */
    if (atomic_fetch_sub_explicit(refs_of(c), 1, memory_order_acq_rel) == 1)
        capsule_free(c);
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool file_changed(const struct capsule_file *was)
{
    struct capsule_file now = {.path = was->path};
    file_stat(&now);
    if (now.exists != was->exists || was->raced)
        return true;
    return now.exists &&
           (now.dev != was->dev || now.ino != was->ino ||
            now.size != was->size || !same_time(now.mtim, was->mtim) ||
            !same_time(now.ctim, was->ctim));
}

bool capsule_changed(const struct capsule *c)
{
    for (size_t i = 0; i < c->n_files; i++)
        if (file_changed(&c->files[i]))
            return true;
    for (size_t i = 0; i < c->n_dirs; i++)
        if (file_changed(&c->dirs[i]))
            return true;
    return false;
}

/* FNV-1a over the bytes of one value. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t mix_state(uint64_t h, const char *path)
{
    struct capsule_file now = {.path = (char *)path};
    file_stat(&now);
    h = mix(h, &now.exists, sizeof now.exists);
    if (!now.exists)
        return h;
    h = mix(h, &now.dev, sizeof now.dev);
    h = mix(h, &now.ino, sizeof now.ino);
    h = mix(h, &now.size, sizeof now.size);
    h = mix(h, &now.mtim, sizeof now.mtim);
    return mix(h, &now.ctim, sizeof now.ctim);
}

uint64_t capsule_files_state(const struct capsule *c)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < c->n_files; i++)
        h = mix_state(h, c->files[i].path);
    for (size_t i = 0; i < c->n_dirs; i++)
        h = mix_state(h, c->dirs[i].path);
    return h;
}

bool capsule_unshared(const struct capsule *c)
{
    return atomic_load_explicit(refs_of(c), memory_order_acquire) == 1;
}

const char *capsule_file_path(const struct capsule *c, size_t i)
{
    return i < c->n_files ? c->files[i].path : NULL;
}

const char *capsule_dir_path(const struct capsule *c, size_t i)
{
    return i < c->n_dirs ? c->dirs[i].path : NULL;
}

const char *capsule_skipped_path(const struct capsule *c, size_t i)
{
    return i < c->n_skipped ? c->skipped[i] : NULL;
}
