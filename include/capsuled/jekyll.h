/* A Jekyll site as Jekyll 4.3 reads it: _config.yml over Jekyll's defaults
 * (and capsule.yaml over both, as `--config _config.yml,capsule.yaml`
 * merges), the files its EntryFilter keeps, pages with their URLs, posts,
 * collections, static files and _data, and the `site` value Liquid reads.
 *
 * Pure: every file is read beneath the site root (capsuled/file.h); the
 * directories are listed, symlinks leading out of the root are skipped (as
 * `jekyll build --safe` skips them). Nothing is rendered here: a page's
 * body stays the Markdown or HTML after its front matter. */
#ifndef CAPSULED_JEKYLL_H
#define CAPSULED_JEKYLL_H

#include "capsuled/diag.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jekyll_kind {
    JEKYLL_PAGE,   /* a file with front matter outside collections */
    JEKYLL_POST,   /* a document of _posts (or _drafts with show_drafts) */
    JEKYLL_ITEM,   /* a document of another collection */
    JEKYLL_STATIC, /* a file without front matter, copied as it is */
};

/* What stat said of a file before it was read: a reload keeps what it
 * read from a file that still says the same (see jekyll_opts.prev).
 * KNOWN is false when it cannot be trusted: no stat, or a change time so
 * recent that another write in the same clock tick would not show. */
struct jekyll_stat {
    bool exists; /* a regular file that stat could see */
    bool known;
    unsigned long long dev, ino;
    long long size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* One file of the site. */
struct jekyll_doc {
    enum jekyll_kind kind;
    char *path;       /* relative to the root: "_pages/about.md" */
    char *url;        /* as Jekyll computes it: "/about/", "/cv.pdf" */
    char *collection; /* "posts", "publications"; NULL for pages, and for
                         static files outside collections */
    bool output;      /* Jekyll writes it to _site */
    bool markdown;    /* its extension is one of markdown_ext */
    int64_t time;     /* its date (seconds since the epoch), 0 without */
    int body_line;    /* first line after the front matter (1 without) */
    /* The page value Liquid gets as `page` (front matter with the
     * defaults of `defaults`, url, path, date, id, excerpt, …); a hash of
     * name, path, extname… for static files. */
    struct value *page;
    /* The file's bytes as read (a NUL after them), so that the page
     * loader does not read it again; NULL for static files. */
    char *source;
    size_t source_len;
    /* Its front matter as parsed, for the page loader (page_front):
     * NULL unless its root is a mapping. */
    struct value *front, *front_settings;
    size_t front_at, front_len;
    /* The file as stat'ed before it was read, and whether a reload may
     * take this document as it is when the file still has that identity:
     * read without a warning, its date not taken from the clock. */
    struct jekyll_stat stat;
    bool reusable;
};

/* A file of _data and the value read from it, for a reload to keep. */
struct jekyll_data_file {
    char *path;           /* relative to the root */
    struct jekyll_stat stat;
    struct value *value;
};

struct jekyll_site {
    char *root;           /* the site directory as given */
    struct value *config; /* _config.yml (+ capsule.yaml) over the defaults */
    /* Every file Jekyll reads, in Jekyll's order: pages (by name), static
     * files (by path), then each collection's documents (posts first,
     * oldest first). Unpublished and future documents are not here. */
    struct jekyll_doc *docs;
    size_t n_docs;
    struct value *site;   /* Liquid's `site` */
    /* The files the model was read from that a reload must watch: the
     * configuration files and the data files. */
    char **files;
    size_t n_files;
    int64_t now;          /* site.time */
    /* The configuration texts as read (_config.yml, capsule.yaml): a
     * reload keeps documents only when they are the same. */
    char *config_text;
    size_t config_len;
    /* The data files read without a warning. */
    struct jekyll_data_file *data_files;
    size_t n_data_files;
    size_t n_kept; /* documents taken from jekyll_opts.prev */
};

/* Options of a load; zero is Jekyll's `build --safe` run now. */
struct jekyll_opts {
    int64_t now;       /* site.time; 0: the clock */
    size_t max_bytes;  /* cap on each file read; 0: the default */
    /* The previous load of the same root, or NULL. When its
     * configuration texts are the same, a page, post or item whose file
     * has the stat identity it had then (device, inode, size, mtime,
     * ctime) is taken from it without being read again (unless it was
     * reusable: false), and so is a data file's value: the result is what
     * reading them would give. */
    const struct jekyll_site *prev;
};

/* True when DIR holds a _config.yml: a Jekyll site. */
bool jekyll_is_site(const char *dir);

/* Reads the site at ROOT. -1 when _config.yml (or capsule.yaml) cannot be
 * read or parsed; other problems (a page's broken front matter, a data
 * file that does not parse) are warnings naming file:line, and the file
 * is left out as Jekyll leaves it out. */
int jekyll_load(const char *root, const struct jekyll_opts *opts,
                struct jekyll_site *out, struct diags *diags);
void jekyll_free(struct jekyll_site *s);

/* The document Jekyll writes to _site/index.html: the last of those whose
 * URL is "/" or "/index.html" in Jekyll's write order. NULL when none.
 * When several claim it, a warning names them all (as Jekyll's "Conflict:"
 * does) and the one Jekyll keeps is returned. */
const struct jekyll_doc *jekyll_home(const struct jekyll_site *s,
                                     struct diags *diags);
/* Every other file of _site that several documents are written to, as a
 * warning naming them and the one Jekyll keeps (the last written), as
 * Jekyll's "Conflict:" does; index.html is jekyll_home's. */
void jekyll_conflicts(const struct jekyll_site *s, struct diags *diags);
/* The file under _site that DOC is written to ("about/index.html"). */
char *jekyll_destination(const struct jekyll_doc *doc);

/* --- stages, exposed for unit tests --- */

/* The config value: Jekyll's defaults, then each of the YAML texts in
 * turn (NULL entries skipped), merged as Jekyll merges --config files;
 * `collections` becomes a hash holding `posts`. -1 on a YAML error. */
int jekyll_config_from(const char *const *names, const char *const *texts,
                       size_t n, struct value **out, struct diags *diags);

/* EntryFilter: whether the entry NAME (a path relative to the directory
 * DIR, itself relative to the root, "" for the root) is skipped. IS_DIR
 * tells whether it is a directory (an `exclude: [dir/]` pattern). */
bool jekyll_filtered(const struct value *config, const char *dir,
                     const char *name, bool is_dir);

/* Utils.slugify: "default" and "pretty" modes; CASED keeps case. */
char *jekyll_slugify(const char *s, const char *mode, bool cased);

/* Jekyll's URL: TEMPLATE with its :placeholders from VARS (a hash of
 * strings); a missing placeholder is left as written unless STRICT (then
 * NULL, as Jekyll fails on it). Then sanitised: a leading '/', ".." made
 * "/", "./" dropped, runs of '/' squeezed. */
char *jekyll_url(const char *template_, const struct value *vars, bool strict);

/* The permalink template of a style name (pretty, date, ordinal, none,
 * weekdate) or the template itself. */
const char *jekyll_permalink_style(const char *style);

/* A date as Jekyll's Utils.parse_date reads it ("2024-01-02",
 * "2024-01-02 10:00:00 +0100", "2024-01-02T10:00:00Z"): seconds since the
 * epoch, a missing offset meaning UTC_OFFSET seconds east. False when not
 * a date. */
bool jekyll_parse_date(const char *s, int utc_offset, int64_t *out);

/* A CSV (sep ',') or TSV (sep '\t') text with a header row as Jekyll's
 * data reader gives it: an array of hashes of strings. */
struct value *jekyll_csv(const char *text, size_t len, char sep);

#endif
