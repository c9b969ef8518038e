/* What a reload keeps from the previous load of a site: a document (its
 * page value, URL and bytes) or a data file's value, when the
 * configuration texts are the same and the file has the stat identity
 * (device, inode, size, mtime, ctime) it had when it was read. Reading it
 * again would give the same result: everything a document's model holds
 * comes from its path, its bytes, the configuration and, for a date not
 * written anywhere, the clock (such documents are never kept). */
#include "internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct jk_prev {
    const struct jekyll_site *site;
    const struct jekyll_doc **docs; /* by path */
    size_t n;
};

static int doc_path_cmp(const void *a, const void *b)
{
    const struct jekyll_doc *x = *(const struct jekyll_doc *const *)a;
    const struct jekyll_doc *y = *(const struct jekyll_doc *const *)b;
    return strcmp(x->path, y->path);
}

struct jk_prev *jk_prev_open(const struct jekyll_site *prev,
                             const struct jekyll_site *now)
{
    if (!prev || !prev->config_text || !now->config_text ||
        prev->config_len != now->config_len ||
        memcmp(prev->config_text, now->config_text, now->config_len) != 0 ||
        strcmp(prev->root, now->root) != 0)
        return NULL;
    struct jk_prev *p = xcalloc(1, sizeof *p);
    p->site = prev;
    p->docs = xcalloc(prev->n_docs + 1, sizeof *p->docs);
    for (size_t i = 0; i < prev->n_docs; i++)
        if (prev->docs[i].reusable)
            p->docs[p->n++] = &prev->docs[i];
    if (p->n)
        qsort(p->docs, p->n, sizeof *p->docs, doc_path_cmp);
    return p;
}

void jk_prev_close(struct jk_prev *p)
{
    if (!p)
        return;
    free(p->docs);
    free(p);
}

static bool before(struct timespec t, struct timespec since)
{
    return t.tv_sec < since.tv_sec ||
           (t.tv_sec == since.tv_sec && t.tv_nsec < since.tv_nsec);
}

void jk_stat(const struct jk_read *r, const char *rel, struct jekyll_stat *st)
{
    memset(st, 0, sizeof *st);
    struct stat s;
    if (r->dirfd < 0 || fstatat(r->dirfd, rel, &s, 0) != 0 ||
        !S_ISREG(s.st_mode))
        return;
    /* A file changed within a clock tick of the load may change again
     * with the same times: it is read again next time. */
    st->exists = true;
    st->known = before(s.st_ctim, r->since) && before(s.st_mtim, r->since);
    st->dev = (unsigned long long)s.st_dev;
    st->ino = (unsigned long long)s.st_ino;
    st->size = (long long)s.st_size;
    st->mtime_sec = (long long)s.st_mtim.tv_sec;
    st->mtime_nsec = s.st_mtim.tv_nsec;
    st->ctime_sec = (long long)s.st_ctim.tv_sec;
    st->ctime_nsec = s.st_ctim.tv_nsec;
}

static bool same_stat(const struct jekyll_stat *a, const struct jekyll_stat *b)
{
    return a->known && b->known && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime_sec == b->mtime_sec &&
           a->mtime_nsec == b->mtime_nsec && a->ctime_sec == b->ctime_sec &&
           a->ctime_nsec == b->ctime_nsec;
}

static const struct jekyll_doc *prev_doc(const struct jk_prev *p,
                                         const char *rel)
{
    struct jekyll_doc key = {.path = (char *)rel};
    const struct jekyll_doc *k = &key;
    const struct jekyll_doc **hit =
        p->n ? bsearch(&k, p->docs, p->n, sizeof *p->docs, doc_path_cmp)
             : NULL;
    return hit ? *hit : NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* A copy of D that owns its strings and bytes and shares its page value
 * (values are immutable once built). */
static void copy_doc(struct jekyll_doc *to, const struct jekyll_doc *d)
{
    *to = *d;
    to->path = xstrdup(d->path);
    to->url = xstrdup(d->url);
    to->collection = dup_or_null(d->collection);
    to->page = value_retain(d->page);
    to->front = value_retain(d->front);
    to->front_settings = value_retain(d->front_settings);
    if (d->source) {
        to->source = xmalloc(d->source_len + 1);
        memcpy(to->source, d->source, d->source_len + 1);
    }
}

bool jk_reuse_doc(const struct jk_read *r, const char *rel,
                  enum jekyll_kind kind, const char *label,
                  const struct jekyll_stat *st, struct jk_docs *docs)
{
    const struct jekyll_doc *d = r->prev ? prev_doc(r->prev, rel) : NULL;
    if (!d || d->kind != kind || !same_stat(&d->stat, st) ||
        (label ? !d->collection || strcmp(d->collection, label) != 0
               : d->collection != NULL))
        return false;
    /* Dated after the previous load's clock: it was hidden in the future
     * then and may not be now. */
    if (d->time > r->prev->site->now || d->time > r->now)
        return false;
    struct jekyll_doc *copy = jk_push(docs);
    copy_doc(copy, d);
    copy->stat = *st;
    r->site->n_kept++;
    return true;
}

size_t jk_warnings(const struct jk_read *r)
{
    return r->diags ? r->diags->n : 0;
}

void jk_mark_read(const struct jk_read *r, struct jk_docs *docs, size_t had,
                  const struct jekyll_stat *st, size_t warnings)
{
    bool quiet = jk_warnings(r) == warnings;
    for (size_t i = had; i < docs->n; i++) {
        docs->items[i].stat = *st;
        docs->items[i].reusable &= st->known && quiet;
    }
}

struct value *jk_reuse_data(const struct jk_read *r, const char *rel,
                            const struct jekyll_stat *st)
{
    const struct jekyll_site *prev = r->prev ? r->prev->site : NULL;
    for (size_t i = 0; prev && i < prev->n_data_files; i++) {
        const struct jekyll_data_file *f = &prev->data_files[i];
        if (strcmp(f->path, rel) == 0)
            return same_stat(&f->stat, st) ? value_retain(f->value) : NULL;
    }
    return NULL;
}

void jk_keep_data(const struct jk_read *r, const char *rel,
                  const struct jekyll_stat *st, const struct value *v)
{
    struct jekyll_site *s = r->site;
    if (!st->known)
        return;
    s->data_files = xrealloc(s->data_files,
                             (s->n_data_files + 1) * sizeof *s->data_files);
    s->data_files[s->n_data_files++] = (struct jekyll_data_file){
        xstrdup(rel), *st, value_retain(v)};
}
