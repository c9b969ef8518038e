/* The capsule snapshot: config plus one pre-rendered site per gemini host,
 * shared between threads by an atomic reference count, and the list of files
 * it came from so a change is noticed with stat() alone. */
#include "capsuled/capsule.h"
#include "capsuled/site.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct capsule_file {
    char *path;
    bool exists;
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

static void record_file(struct capsule *c, const char *path)
{
    for (size_t i = 0; i < c->n_files; i++)
        if (strcmp(c->files[i].path, path) == 0)
            return;
    c->files = xrealloc(c->files, (c->n_files + 1) * sizeof *c->files);
    struct capsule_file *f = &c->files[c->n_files++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    file_stat(f);
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

/* A Jekyll site's page is found by the walk, not named: the file read,
 * what else the site value came from (_config.yml, capsule.yaml, the data
 * files) and every page, post, item and static file (each is served,
 * and each is in site.pages, a collection or site.static_files) are
 * recorded once known. A file recorded
 * after it was read may show a change that came in between: a rebuild,
 * never a miss. Files added to the site are not watched for. */
static void record_site_files(struct capsule *c,
                              const struct site_content *sc)
{
    const struct jekyll_site *js = sc->jekyll;
    if (!js)
        return;
    record_file(c, sc->page_path);
    for (size_t i = 0; i < js->n_files; i++)
        record_file(c, js->files[i]);
    struct buf p = {0};
    for (size_t i = 0; i < js->n_docs; i++) {
        if (js->docs[i].kind == JEKYLL_STATIC && !js->docs[i].output)
            continue; /* static files with output are served too */
        buf_clear(&p);
        buf_printf(&p, "%s/%s", js->root, js->docs[i].path);
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
    struct capsule *c = xcalloc(1, sizeof *c);
    atomic_init(refs_of(c), 1);
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
    for (size_t i = 0; i < n; i++) {
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
        struct site *s = site_build(cfg, i, i == 0, diags);
        if (!s) {
            capsule_free(c);
            return NULL;
        }
        c->sites[c->n_sites++] = s;
        record_site_files(c, &s->content);
    }
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

bool capsule_changed(const struct capsule *c)
{
    for (size_t i = 0; i < c->n_files; i++) {
        const struct capsule_file *was = &c->files[i];
        struct capsule_file now = {.path = was->path};
        file_stat(&now);
        if (now.exists != was->exists)
            return true;
        if (now.exists &&
            (now.dev != was->dev || now.ino != was->ino ||
             now.size != was->size || !same_time(now.mtim, was->mtim) ||
             !same_time(now.ctim, was->ctim)))
            return true;
    }
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

uint64_t capsule_files_state(const struct capsule *c)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < c->n_files; i++) {
        struct capsule_file now = {.path = c->files[i].path};
        file_stat(&now);
        h = mix(h, &now.exists, sizeof now.exists);
        if (!now.exists)
            continue;
        h = mix(h, &now.dev, sizeof now.dev);
        h = mix(h, &now.ino, sizeof now.ino);
        h = mix(h, &now.size, sizeof now.size);
        h = mix(h, &now.mtim, sizeof now.mtim);
        h = mix(h, &now.ctim, sizeof now.ctim);
    }
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
