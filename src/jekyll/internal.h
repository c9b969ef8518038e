/* What the files of src/jekyll share among themselves (not part of the
 * module's interface, capsuled/jekyll.h). Calls go one way: site.c reads
 * through walk.c (which calls docs.c) and data.c; those use tree.c, and
 * everything the helpers below it (front.c, defaults.c, url.c, date.c,
 * filter.c, yaml.c). */
#ifndef CAPSULED_JEKYLL_INTERNAL_H
#define CAPSULED_JEKYLL_INTERNAL_H

#include "capsuled/buf.h"
#include "capsuled/jekyll.h"

#include <time.h>

/* --- yaml.c --- */

/* Parses TEXT (from FILE, its first line being FIRST_LINE) into *out (NULL
 * for an empty document), within the YAML budgets. -1 with an error
 * "file:line: ..." at LEVEL. */
int jk_yaml(const char *file, int first_line, const char *text, size_t len,
            enum diag_level level, struct value **out, struct diags *diags);
/* The same for a document's front matter, also giving, when its root is
 * a mapping, the page loader's settings of it (page_front_settings; NULL
 * otherwise). */
int jk_yaml_front(const char *file, int first_line, const char *text,
                  size_t len, enum diag_level level, struct value **out,
                  struct value **settings, struct diags *diags);
/* A new hash: base's pairs, then over's, hashes merged again (Jekyll's
 * Utils.deep_merge_hashes). */
struct value *jk_merge(const struct value *base, const struct value *over);
/* A copy of HASH with KEY set to V (V's reference taken over). */
struct value *jk_with(const struct value *hash, const char *key,
                      struct value *v);
/* The text of a scalar under KEY of HASH, or DEF. */
const char *jk_str(const struct value *hash, const char *key, const char *def);
bool jk_true(const struct value *hash, const char *key);

/* --- front.c --- */

/* Utils.has_yaml_header?: the first line is "---" and blanks. */
bool jk_has_front_matter(const char *text, size_t len);
struct jk_front {
    const char *yaml;  /* the front matter's YAML */
    size_t yaml_len;
    const char *body;  /* what follows it */
    size_t body_len;
    int body_line;     /* 1-based line of body */
    bool present;
};
/* Jekyll's YAML_FRONT_MATTER_REGEXP: "---" line, YAML, "---" or "..."
 * line. Without a closing line there is no front matter. */
struct jk_front jk_split_front(const char *text, size_t len);

/* --- date.c --- */

/* "2024-01-02 10:00:00 +0100" for T at OFFSET seconds east. */
void jk_format_date(struct buf *out, int64_t t, int offset);
/* The offset (seconds east) the config's `timezone` gives: UTC, Etc/GMT±N
 * and "+HH:MM"; others read as UTC. */
int jk_timezone_offset(const struct value *config);
/* jekyll_parse_date, also giving the offset the date was written with. */
bool jk_parse_date(const char *s, int utc_offset, int64_t *out, int *off);

/* --- filter.c: see jekyll_filtered --- */

/* --- url.c --- */

/* The extension Jekyll writes for a source extension EXT (".md" ".html"). */
const char *jk_output_ext(const struct value *config, const char *ext);
bool jk_is_markdown(const struct value *config, const char *ext);
/* Jekyll's add_permalink_suffix. */
void jk_add_suffix(struct buf *tpl, const char *style);

/* --- defaults.c --- */

/* The values of every `defaults` entry whose scope covers PATH (relative
 * to the root) and TYPE ("pages", "posts", a collection label, "drafts"),
 * the more specific scope winning. A new hash. */
struct value *jk_defaults_for(const struct value *config, const char *path,
                              const char *type);

/* --- tree.c --- */

struct jk_docs {
    struct jekyll_doc *items;
    size_t n, cap;
};
/* The directories reached so far, by device and inode: a directory
 * reached twice (a symlink to an ancestor, two links to one folder) is
 * read once, so no tree of links can make the walk loop or explode. */
struct jk_seen {
    struct jk_dir_id { unsigned long long dev, ino; } *ids;
    size_t n;
};
struct jk_prev; /* reuse.c */
struct jk_read {
    struct jk_seen *seen;  /* the walk's own, changed as it goes */
    const char *root;
    int dirfd;             /* the root, for reading file heads */
    const struct value *config;
    int offset;            /* the timezone's, seconds east */
    int64_t now;
    size_t max_bytes;
    struct diags *diags;
    struct timespec since;       /* when the load began, less a tick */
    const struct jk_prev *prev;  /* what may be kept; NULL: nothing */
    struct jekyll_site *site;    /* the site being read (its data_files) */
};
char *jk_join(const char *a, const char *b); /* "a/b", or b when a is "" */
/* 1 a directory, 0 another file, -1 missing or leading out of the root. */
int jk_kind_of(const struct jk_read *r, const char *rel);
/* True the first time the directory REL is entered, false after (and
 * when it cannot be stat'ed). */
bool jk_first_visit(const struct jk_read *r, const char *rel);
/* The names in directory REL (relative to the root), sorted; KINDS, when
 * not NULL, gets a new array of their jk_kind_of (taken from readdir's
 * type where it tells, without a stat). */
char **jk_list_dir(const struct jk_read *r, const char *rel, size_t *n,
                   int **kinds);
void jk_free_names(char **names, size_t n);
bool jk_head_has_front_matter(const struct jk_read *r, const char *rel);
const char *jk_extname(const char *path);     /* Ruby's File.extname */
const char *jk_basename_of(const char *path);
char *jk_stem(const char *path); /* base name less extension and dots */
void jk_set_str(struct value *h, const char *key, const char *s);
struct jekyll_doc *jk_push(struct jk_docs *list);
void jk_doc_free(struct jekyll_doc *d);
/* What jk_read_doc gives: the front matter over the defaults (a new
 * hash), the body, and the file's bytes (malloc'd, NUL after them). */
struct jk_text {
    struct value *data;
    struct buf body;
    int body_line;
    char *source;
    size_t source_len;
    /* The front matter as the page loader takes it (both NULL unless
     * its root is a mapping), and where its YAML lies in SOURCE. */
    struct value *front, *front_settings;
    size_t front_at, front_len;
};
/* Moves T's bytes and parsed front matter to D. */
void jk_text_give(struct jk_text *t, struct jekyll_doc *d);
/* Reads REL: its front matter over the defaults for TYPE, its body and
 * its bytes into *out. False (a warning given, *out left empty) when it
 * cannot be read or its YAML is broken. */
bool jk_read_doc(const struct jk_read *r, const char *rel, const char *type,
                 struct jk_text *out);
void jk_text_free(struct jk_text *t);
/* Not `published: false` (or `unpublished: true` in the config). */
bool jk_published(const struct jk_read *r, const struct value *data);

/* --- reuse.c: what a reload keeps from the previous model --- */

/* Opens the previous load PREV for reuse by NOW (whose configuration is
 * read): NULL when there is none or its configuration texts differ. */
struct jk_prev *jk_prev_open(const struct jekyll_site *prev,
                             const struct jekyll_site *now);
void jk_prev_close(struct jk_prev *p);
/* Stats REL (beneath the root) into *st; st->known false when it cannot
 * be trusted (see struct jekyll_stat). */
void jk_stat(const struct jk_read *r, const char *rel, struct jekyll_stat *st);
/* When the previous load has a reusable document of KIND (and collection
 * LABEL, NULL for pages) at REL whose file has the identity ST, a copy of
 * it is pushed on DOCS: true. */
bool jk_reuse_doc(const struct jk_read *r, const char *rel,
                  enum jekyll_kind kind, const char *label,
                  const struct jekyll_stat *st, struct jk_docs *docs);
/* Marks the documents pushed on DOCS since HAD with ST, and reusable when
 * ST is known and no warning was added since WARNINGS (a count). */
void jk_mark_read(const struct jk_read *r, struct jk_docs *docs, size_t had,
                  const struct jekyll_stat *st, size_t warnings);
size_t jk_warnings(const struct jk_read *r);
/* The previous value of the data file REL when its identity is ST (a new
 * reference), else NULL. */
struct value *jk_reuse_data(const struct jk_read *r, const char *rel,
                            const struct jekyll_stat *st);
/* Keeps V (a new reference) as the data file REL read with ST. */
void jk_keep_data(const struct jk_read *r, const char *rel,
                  const struct jekyll_stat *st, const struct value *v);

/* --- docs.c --- */

/* The posts of DIR/_posts (and DIR/_drafts with show_drafts). */
void jk_read_posts(const struct jk_read *r, const char *dir,
                   struct jk_docs *posts);
/* The documents (and static files) of collection LABEL (not posts). */
void jk_read_collection(const struct jk_read *r, const char *label,
                        struct jk_docs *docs, struct jk_docs *statics);
/* Collection#sort_docs!: sort_by, order, else by date then path. */
void jk_sort_collection(const struct jk_read *r, const char *label,
                        struct jk_docs *docs);

/* --- walk.c --- */

/* Pages and static files of the tree, posts of every _posts, in Jekyll's
 * reading order (pages by name, statics by path after the walk). */
void jk_walk(const struct jk_read *r, struct jk_docs *pages,
             struct jk_docs *statics, struct jk_docs *posts);
/* --- data.c --- */

/* site.data: _data (data_dir) read into a hash. */
struct value *jk_read_data(const struct jk_read *r, char ***files,
                           size_t *n_files);

#endif
