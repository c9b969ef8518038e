/* Documents as Jekyll's Document reads them: posts from every `_posts`
 * (file names dated YYYY-MM-DD-slug.ext), the documents of each other
 * collection (files with front matter; the rest are the collection's
 * static files), their date (front matter, else the file name, else
 * site.time), categories (folders above _posts, then front matter), slug,
 * title, excerpt, visibility (published, future) and URL (front matter
 * permalink, else the collection's template with a UrlDrop's
 * placeholders). */
#include "internal.h"
#include "capsuled/date.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* --- file names --- */

/* DATE_FILENAME_MATCHER on a path: the base name starts with a date
 * (\d{2,4}-\d{1,2}-\d{1,2}-) and has an extension. *date gets the date's
 * text, *slug what follows up to the extension. */
static bool dated_name(const char *path, char **date, char **slug)
{
    const char *base = jk_basename_of(path), *p = base;
    int parts[3] = {4, 2, 2}, mins[3] = {2, 1, 1};
    for (int k = 0; k < 3; k++) {
        int n = 0;
        while (n < parts[k] && isdigit((unsigned char)p[n]))
            n++;
        if (n < mins[k] || p[n] != '-')
            return false;
        p += n + 1;
    }
    const char *ext = strrchr(p, '.');
    if (!ext || !ext[1] || strchr(ext + 1, '.'))
        return false;
    *date = xstrndup(base, (size_t)(p - 1 - base));
    *slug = xstrndup(p, (size_t)(ext - p));
    return true;
}

static char *titleize(const char *slug)
{
    struct buf b = {0};
    bool start = true;
    buf_puts(&b, "");
    for (const char *p = slug; *p; p++) {
        if (*p == '-') {
            buf_putc(&b, ' ');
            start = true;
            continue;
        }
        char c = start ? (char)toupper((unsigned char)*p)
                       : (char)tolower((unsigned char)*p);
        buf_putc(&b, c);
        start = false;
    }
    return buf_detach(&b);
}

/* --- categories --- */

static void add_unique(struct value *arr, const char *s, size_t len)
{
    for (size_t i = 0; i < value_len(arr); i++) {
        const char *t = value_text(value_array_at(arr, i));
        if (t && strlen(t) == len && memcmp(t, s, len) == 0)
            return;
    }
    value_array_push(arr, value_string(s, len));
}

/* A string splits on blanks; an array gives its items. */
static void add_categories(struct value *arr, const struct value *v)
{
    if (value_kind(v) == VALUE_ARRAY) {
        for (size_t i = 0; i < value_len(v); i++)
            add_categories(arr, value_array_at(v, i));
        return;
    }
    const char *s = value_text(v);
    if (!s || value_kind(v) == VALUE_NIL)
        return;
    bool split = value_kind(v) == VALUE_STRING;
    while (*s) {
        size_t n = split ? strcspn(s, " \t\n") : strlen(s);
        if (n)
            add_unique(arr, s, n);
        s += n;
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
    }
}

/* The folders of REL above SPECIAL ("blog/_posts/x.md": blog), then the
 * front matter's categories and category. */
static struct value *categories(const char *rel, const char *special,
                                const struct value *data)
{
    struct value *arr = value_array();
    const char *at = strstr(rel, special);
    for (const char *p = rel; at && at != rel && p < at;) {
        size_t n = strcspn(p, "/");
        if (n && p + n <= at)
            add_unique(arr, p, n);
        p += n + 1;
    }
    add_categories(arr, value_hash_get(data, "categories"));
    add_categories(arr, value_hash_get(data, "category"));
    return arr;
}

/* --- URLs --- */

static void set_fmt(struct value *h, const char *key, const char *fmt, int n)
{
    struct buf b = {0};
    buf_printf(&b, fmt, n);
    jk_set_str(h, key, b.data);
    buf_free(&b);
}

static void date_placeholders(struct value *v, int64_t t, int offset)
{
    struct date_tm tm;
    date_broken_down(t, offset, &tm);
    int week;
    int64_t wyear;
    date_iso_week(&tm, &week, &wyear);
    int year = (int)tm.year;
    set_fmt(v, "year", "%04d", year);
    set_fmt(v, "month", "%02d", tm.month);
    set_fmt(v, "day", "%02d", tm.day);
    set_fmt(v, "hour", "%02d", tm.hour);
    set_fmt(v, "minute", "%02d", tm.min);
    set_fmt(v, "second", "%02d", tm.sec);
    set_fmt(v, "i_day", "%d", tm.day);
    set_fmt(v, "i_month", "%d", tm.month);
    set_fmt(v, "short_year", "%02d", year % 100);
    set_fmt(v, "w_year", "%d", (int)wyear);
    set_fmt(v, "week", "%02d", week);
    set_fmt(v, "w_day", "%d", tm.wday ? tm.wday : 7);
    set_fmt(v, "y_day", "%03d", tm.yday);
    struct buf b = {0};
    buf_put(&b, date_month_name(tm.month), 3);
    jk_set_str(v, "short_month", b.data);
    jk_set_str(v, "long_month", date_month_name(tm.month));
    buf_clear(&b);
    buf_put(&b, date_day_name(tm.wday), 3);
    jk_set_str(v, "short_day", b.data);
    jk_set_str(v, "long_day", date_day_name(tm.wday));
    buf_free(&b);
}

static void set_owned(struct value *h, const char *key, char *s)
{
    jk_set_str(h, key, s);
    free(s);
}

/* Categories downcased and joined with '/' (UrlDrop#categories), or
 * slugified (slugified_categories). */
static char *joined_categories(const struct value *cats, bool slugify)
{
    struct buf b = {0};
    buf_puts(&b, "");
    for (size_t i = 0; i < value_len(cats); i++) {
        char *c = jekyll_slugify(value_text(value_array_at(cats, i)),
                                 slugify ? "default" : "none", false);
        buf_printf(&b, "%s%s", b.len ? "/" : "", c);
        free(c);
    }
    return buf_detach(&b);
}

/* UrlDrop: what a collection's permalink template may name. */
static struct value *placeholders(const char *label, const char *cleaned,
                                  const char *base, const struct value *data,
                                  const char *out_ext, int64_t t, int offset)
{
    struct value *v = value_hash();
    const char *slug = jk_str(data, "slug", NULL);
    const struct value *cats = value_hash_get(data, "categories");
    jk_set_str(v, "collection", label);
    jk_set_str(v, "path", cleaned);
    set_owned(v, "name", jekyll_slugify(base, "default", false));
    set_owned(v, "title", jekyll_slugify(slug ? slug : base, "pretty", true));
    set_owned(v, "slug", jekyll_slugify(slug ? slug : base, "default", false));
    set_owned(v, "categories", joined_categories(cats, false));
    set_owned(v, "slugified_categories", joined_categories(cats, true));
    jk_set_str(v, "output_ext", out_ext);
    date_placeholders(v, t, offset);
    return v;
}

/* Collection#url_template. */
static char *collection_template(const struct jk_read *r, const char *label)
{
    const struct value *meta = value_hash_get(
        value_hash_get(r->config, "collections"), label);
    const char *tpl = jk_str(meta, "permalink", NULL);
    if (tpl)
        return xstrdup(tpl);
    struct buf b = {0};
    buf_puts(&b, "/:collection/:path");
    jk_add_suffix(&b, jk_str(r->config, "permalink", "date"));
    return buf_detach(&b);
}

/* Document#cleaned_relative_path: without extension and trailing dots,
 * the collection's folder name taken out once. */
static char *cleaned_path(const char *rel, const char *label)
{
    size_t n = (size_t)(jk_extname(rel) - rel);
    while (n && rel[n - 1] == '.')
        n--;
    char *s = xstrndup(rel, n);
    struct buf dir = {0};
    buf_printf(&dir, "_%s", label);
    char *at = strstr(s, dir.data);
    if (at)
        memmove(at, at + dir.len, strlen(at + dir.len) + 1);
    buf_free(&dir);
    return s;
}

static bool collection_output(const struct jk_read *r, const char *label)
{
    return jk_true(value_hash_get(value_hash_get(r->config, "collections"),
                                  label), "output");
}

/* --- documents --- */

struct doc_input {
    const char *rel;      /* relative to the root */
    const char *in_coll;  /* relative to collections_dir */
    const char *label;
    const char *special;  /* "_posts", "_drafts", "_LABEL" */
};

/* The date: front matter, else the file name, else now. */
static bool doc_date(const struct jk_read *r, const struct doc_input *in,
                     const struct value *data, const char *name_date,
                     int64_t *t, int *offset)
{
    *t = r->now;
    *offset = r->offset;
    const char *fm = jk_str(data, "date", NULL);
    if (fm && !jk_parse_date(fm, r->offset, t, offset)) {
        char *shown = jk_join(r->root, in->rel);
        diags_add(r->diags, DIAG_WARNING, shown, 0,
                  "date '%s' is not a valid date (Jekyll stops here)", fm);
        free(shown);
        return false;
    }
    if (!fm && name_date && !jk_parse_date(name_date, r->offset, t, offset))
        return false;
    return true;
}

static void excerpt_of(const struct jk_read *r, const struct value *data,
                       const char *body, struct value *page)
{
    const char *sep = jk_str(data, "excerpt_separator",
                             jk_str(r->config, "excerpt_separator", "\n\n"));
    if (!*sep || value_hash_get(data, "excerpt"))
        return;
    const char *at = strstr(body, sep);
    size_t n = at ? (size_t)(at - body) : strlen(body);
    value_hash_set(page, "excerpt", 7, value_string(body, n));
}

static void fill_page(struct jekyll_doc *d, const struct doc_input *in,
                      struct value *page, const struct value *cats,
                      const char *body, int offset)
{
    struct buf date = {0}, id = {0};
    jk_format_date(&date, d->time, offset);
    value_hash_set(page, "date", 4, value_date(date.data, date.len));
    value_hash_set(page, "categories", 10, value_retain(cats));
    jk_set_str(page, "content", body);
    jk_set_str(page, "collection", in->label);
    jk_set_str(page, "relative_path", in->in_coll);
    if (!value_hash_get(page, "path"))
        jk_set_str(page, "path", in->in_coll);
    jk_set_str(page, "url", d->url);
    /* File.dirname: a trailing '/' does not count. */
    size_t n = strlen(d->url);
    while (n > 1 && d->url[n - 1] == '/')
        n--;
    while (n > 0 && d->url[n - 1] != '/')
        n--;
    buf_put(&id, d->url, n > 1 ? n - 1 : 0);
    char *base = jk_stem(in->rel);
    buf_printf(&id, "/%s", jk_str(page, "slug", base));
    jk_set_str(page, "id", id.data);
    free(base);
    buf_free(&date);
    buf_free(&id);
}

/* Document#read_post_data and #url for one file; the document is added to
 * DOCS unless it is unpublished, hidden in the future (posts), or broken. */
static void add_document(const struct jk_read *r, const struct doc_input *in,
                         struct value *data, const char *body, int line,
                         struct jk_docs *docs)
{
    char *name_date = NULL, *slug = NULL;
    bool dated = dated_name(in->rel, &name_date, &slug);
    if (!slug)
        slug = jk_stem(in->rel);
    int64_t t;
    int offset;
    bool is_post = strcmp(in->label, "posts") == 0;
    bool dated_ok = doc_date(r, in, data, dated ? name_date : NULL, &t,
                             &offset);
    /* Dated by the clock (site.time): a reload reads it again. */
    bool clock = !jk_str(data, "date", NULL) && !dated;
    /* Publisher#hidden_in_the_future?: posts are not read, other
     * documents are read but not written. */
    bool future = !jk_true(r->config, "future") && t > r->now;
    if (!dated_ok || !jk_published(r, data) || (is_post && future)) {
        free(name_date);
        free(slug);
        return;
    }
    struct value *page = value_hash();
    value_hash_merge(page, data);
    if (!value_hash_get(data, "title"))
        set_owned(page, "title", titleize(slug));
    if (!value_hash_get(data, "slug"))
        jk_set_str(page, "slug", slug);
    if (!value_hash_get(data, "ext"))
        jk_set_str(page, "ext", jk_extname(in->rel));
    struct value *cats = categories(in->in_coll, in->special, data);
    struct jekyll_doc *d = jk_push(docs);
    d->kind = is_post ? JEKYLL_POST : JEKYLL_ITEM;
    d->path = xstrdup(in->rel);
    d->collection = xstrdup(in->label);
    d->time = t;
    d->body_line = line;
    d->reusable = !clock;
    d->markdown = jk_is_markdown(r->config, jk_extname(in->rel));
    d->output = collection_output(r, in->label) && !future;
    char *tpl = collection_template(r, in->label);
    char *cleaned = cleaned_path(in->in_coll, in->label);
    char *base = jk_stem(in->rel);
    struct value *with_cats = jk_with(page, "categories", value_retain(cats));
    struct value *vars = placeholders(in->label, cleaned, base, with_cats,
                        jk_output_ext(r->config, jk_extname(in->rel)), t,
                        offset);
    value_release(with_cats);
    const char *permalink = jk_str(page, "permalink", NULL);
    d->url = jekyll_url(permalink ? permalink : tpl, vars, true);
    if (!d->url) {
        char *shown = jk_join(r->root, in->rel);
        diags_add(r->diags, DIAG_WARNING, shown, 0,
                  "permalink '%s' names a placeholder Jekyll does not know",
                  permalink ? permalink : tpl);
        free(shown);
        d->url = xstrdup("/");
        d->output = false;
    }
    fill_page(d, in, page, cats, body, offset);
    excerpt_of(r, data, body, page);
    d->page = page;
    value_release(cats);
    value_release(vars);
    free(tpl);
    free(cleaned);
    free(base);
    free(name_date);
    free(slug);
}

/* A document read, unless the previous load's can be kept (ST: the
 * file's identity now). */
static void read_document(const struct jk_read *r, const struct doc_input *in,
                          const char *type, const struct jekyll_stat *st,
                          struct jk_docs *docs)
{
    struct jk_text t;
    size_t had = docs->n, warnings = jk_warnings(r);
    if (!jk_read_doc(r, in->rel, type, &t))
        return;
    add_document(r, in, t.data, t.body.data ? t.body.data : "", t.body_line,
                 docs);
    if (docs->n > had) /* added: it keeps the bytes */
        jk_text_give(&t, &docs->items[had]);
    jk_text_free(&t);
    jk_mark_read(r, docs, had, st, warnings);
}

/* --- reading folders --- */

struct entries {
    char **names;
    size_t n;
};

/* Every file beneath BASE (relative to the root), as paths relative to
 * BASE: Ruby's recursive glob (dot files only with DOTMATCH), the EntryFilter
 * with FILTER_DIR applied to each, directories and symlinks out left out. */
static void entries_below(const struct jk_read *r, const char *base,
                          const char *sub, bool dotmatch,
                          const char *filter_dir, struct entries *out)
{
    char *dir = jk_join(base, sub);
    size_t n;
    if (!jk_first_visit(r, dir))
        return free(dir);
    int *kinds;
    char **names = jk_list_dir(r, dir, &n, &kinds);
    for (size_t i = 0; i < n; i++) {
        char *entry = jk_join(sub, names[i]);
        int kind = kinds[i];
        bool hidden = !dotmatch && names[i][0] == '.';
        if (kind == 1 && !hidden)
            entries_below(r, base, entry, dotmatch, filter_dir, out);
        else if (kind == 0 && !hidden &&
                 !jekyll_filtered(r->config, filter_dir, entry, false)) {
            out->names = xrealloc(out->names,
                                  (out->n + 1) * sizeof *out->names);
            out->names[out->n++] = xstrdup(entry);
        }
        free(entry);
    }
    jk_free_names(names, n);
    free(kinds);
    free(dir);
}

/* Every file beneath BASE, the walk's links followed once (a folder the
 * tree walk also reads, as an included _posts, is read here too). */
static void files_below(const struct jk_read *r, const char *base,
                        bool dotmatch, const char *filter_dir,
                        struct entries *out)
{
    struct jk_seen own = {0};
    struct jk_read sub = *r;
    sub.seen = &own;
    entries_below(&sub, base, "", dotmatch, filter_dir, out);
    free(own.ids);
}

/* The collections_dir, "" by default. */
static const char *coll_dir(const struct jk_read *r)
{
    const char *c = jk_str(r->config, "collections_dir", "");
    while (*c == '/')
        c++;
    return c;
}

/* Posts of DIR/MAGIC; drafts take any name, posts a dated one. */
static void read_magic(const struct jk_read *r, const char *dir,
                       const char *magic, struct jk_docs *posts)
{
    char *base = jk_join(dir, magic);
    struct entries e = {0};
    if (jk_kind_of(r, base) == 1)
        files_below(r, base, false, base, &e);
    const char *cd = coll_dir(r);
    size_t skip = *cd ? strlen(cd) + 1 : 0;
    for (size_t i = 0; i < e.n; i++) {
        char *rel = jk_join(base, e.names[i]), *date, *slug;
        bool dated = dated_name(e.names[i], &date, &slug);
        if (dated) {
            free(date);
            free(slug);
        }
        struct doc_input in = {rel, rel + (strlen(rel) > skip ? skip : 0),
                               "posts", magic};
        struct jekyll_stat st;
        if (dated || strcmp(magic, "_drafts") == 0) {
            jk_stat(r, rel, &st);
            if (!jk_reuse_doc(r, rel, JEKYLL_POST, "posts", &st, posts))
                read_document(r, &in, "posts", &st, posts);
        }
        free(rel);
        free(e.names[i]);
    }
    free(e.names);
    free(base);
}

void jk_read_posts(const struct jk_read *r, const char *dir,
                   struct jk_docs *posts)
{
    const char *cd = coll_dir(r);
    /* Reader#outside_configured_directory? */
    if (*cd && strncmp(dir, cd, strlen(cd)) != 0)
        return;
    read_magic(r, dir, "_posts", posts);
    if (jk_true(r->config, "show_drafts"))
        read_magic(r, dir, "_drafts", posts);
}

/* A collection's file without front matter: a static file at the
 * collection's URL (StaticFile#url with a collection). */
static void add_collection_static(const struct jk_read *r, const char *label,
                                  const char *rel, const char *in_coll,
                                  struct jk_docs *statics)
{
    struct jekyll_doc *d = jk_push(statics);
    d->kind = JEKYLL_STATIC;
    d->path = xstrdup(rel);
    d->collection = xstrdup(label);
    d->output = collection_output(r, label);
    char *tpl = collection_template(r, label);
    char *cleaned = cleaned_path(in_coll, label), *base = jk_stem(rel);
    struct value *vars = value_hash();
    jk_set_str(vars, "collection", label);
    jk_set_str(vars, "path", cleaned);
    jk_set_str(vars, "output_ext", "");
    jk_set_str(vars, "name", base);
    jk_set_str(vars, "title", "");
    char *url = jekyll_url(tpl, vars, false);
    size_t n = strlen(url);
    struct buf b = {0};
    buf_put(&b, url, n && url[n - 1] == '/' ? n - 1 : n);
    buf_puts(&b, jk_extname(rel));
    d->url = buf_detach(&b);
    d->page = value_hash();
    struct buf p = {0};
    buf_printf(&p, "/%s", rel);
    jk_set_str(d->page, "path", p.data);
    jk_set_str(d->page, "name", jk_basename_of(rel));
    jk_set_str(d->page, "basename", base);
    jk_set_str(d->page, "extname", jk_extname(rel));
    jk_set_str(d->page, "collection", label);
    buf_free(&p);
    value_release(vars);
    free(url);
    free(tpl);
    free(cleaned);
    free(base);
}

void jk_read_collection(const struct jk_read *r, const char *label,
                        struct jk_docs *docs, struct jk_docs *statics)
{
    struct buf folder = {0};
    buf_printf(&folder, "_%s", label);
    char *base = jk_join(coll_dir(r), folder.data);
    struct entries e = {0};
    if (jk_kind_of(r, base) == 1)
        files_below(r, base, true, folder.data, &e);
    const char *cd = coll_dir(r);
    size_t skip = *cd ? strlen(cd) + 1 : 0;
    for (size_t i = 0; i < e.n; i++) {
        char *rel = jk_join(base, e.names[i]);
        struct doc_input in = {rel, rel + skip, label, folder.data};
        struct jekyll_stat st;
        jk_stat(r, rel, &st);
        if (jk_reuse_doc(r, rel, JEKYLL_ITEM, label, &st, docs))
            ; /* unchanged since the previous load */
        else if (jk_head_has_front_matter(r, rel))
            read_document(r, &in, label, &st, docs);
        else
            add_collection_static(r, label, rel, rel + skip, statics);
        free(rel);
        free(e.names[i]);
    }
    free(e.names);
    free(base);
    buf_free(&folder);
}

/* --- order --- */

/* Document#<=>: by date, then by path. */
static int doc_cmp(const void *a, const void *b)
{
    const struct jekyll_doc *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* Values as Ruby's <=> orders them: numbers by value, others as text; a
 * missing value after every present one. */
static int key_cmp(const void *a, const void *b, void *key)
{
    const char *sort_key = key;
    const struct jekyll_doc *x = a, *y = b;
    const struct value *u = value_hash_get(x->page, sort_key);
    const struct value *v = value_hash_get(y->page, sort_key);
    bool nu = !u || value_kind(u) == VALUE_NIL;
    bool nv = !v || value_kind(v) == VALUE_NIL;
    if (nu != nv)
        return nu ? 1 : -1;
    int c = 0;
    enum value_kind ku = value_kind(u), kv = value_kind(v);
    bool num_u = ku == VALUE_INT || ku == VALUE_FLOAT;
    bool num_v = kv == VALUE_INT || kv == VALUE_FLOAT;
    if (!nu && num_u && num_v)
        c = (value_float_of(u) > value_float_of(v)) -
            (value_float_of(u) < value_float_of(v));
    else if (!nu && value_text(u) && value_text(v))
        c = strcmp(value_text(u), value_text(v));
    return c ? c : doc_cmp(a, b);
}

/* `order: [a.md, b.md]`: those first in that order, the rest by date. */
static void rearrange(struct jk_docs *docs, const struct value *order)
{
    size_t placed = 0;
    for (size_t i = 0; i < value_len(order); i++) {
        const char *want = value_text(value_array_at(order, i));
        for (size_t k = placed; want && k < docs->n; k++) {
            const char *rel = value_text(value_hash_get(docs->items[k].page,
                                                        "relative_path"));
            const char *slash = rel ? strchr(rel, '/') : NULL;
            if (slash && strcmp(slash + 1, want) == 0) {
                struct jekyll_doc t = docs->items[k];
                memmove(&docs->items[placed + 1], &docs->items[placed],
                        (k - placed) * sizeof t);
                docs->items[placed++] = t;
                break;
            }
        }
    }
    qsort(docs->items + placed, docs->n - placed, sizeof *docs->items,
          doc_cmp);
}

void jk_sort_collection(const struct jk_read *r, const char *label,
                        struct jk_docs *docs)
{
    const struct value *meta = value_hash_get(
        value_hash_get(r->config, "collections"), label);
    const struct value *order = value_hash_get(meta, "order");
    const struct value *by = value_hash_get(meta, "sort_by");
    if (!docs->n)
        return;
    if (value_kind(order) == VALUE_ARRAY) {
        qsort(docs->items, docs->n, sizeof *docs->items, doc_cmp);
        rearrange(docs, order);
    } else if (value_kind(by) == VALUE_STRING) {
        qsort_r(docs->items, docs->n, sizeof *docs->items, key_cmp,
                (void *)value_text(by));
    } else {
        qsort(docs->items, docs->n, sizeof *docs->items, doc_cmp);
    }
}
